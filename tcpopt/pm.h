/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF MPTCP path managers of the kernel patch set (pm_bpf.c), for the
 * pm object (pm.c) and for save.
 */
#ifndef TCPOPT_PM_H
#define TCPOPT_PM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/tcpopt.h"

struct onode;

/* Does the running kernel have what a BPF path manager needs? */
bool pm_bpf_supported(void);

/*
 * Attach the BPF path manager name ("ndiffports", "fullmesh") to cgroup
 * (NULL: the root) with cfg, or change the settings of the one there (its
 * counters kept); another one there is replaced without a gap.  fullmesh
 * takes the local addresses of the current netns (of cfg's devs only, if
 * any), and with follow stays in the foreground to keep them current.
 */
int pm_bpf_set(const char *name, struct tcpopt_pm_config *cfg, const char *cgroup,
	       bool follow);
int pm_bpf_del(const char *cgroup);

/* "bpf_supported" and the array "bpf" of pm show. */
void pm_bpf_show(struct onode *root);
/* The rows of that array (one per cgroup's BPF path manager) into rows;
 * 0 or -errno (bpffs unreadable). */
int pm_bpf_collect(struct onode *rows);

/* The words of "pm set" that give the attachment in dir back. */
int pm_bpf_words(const char *dir, char *buf, size_t len);

#endif
