/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pieces of the pm object: the netns's path manager and endpoints
 * (pm.c), the in-kernel full mesh (pm_mesh.c), the netlink agent
 * (pm_agent.c), and the BPF path managers of the kernel patch set
 * (pm_bpf.c, also used by save).
 */
#ifndef TCPOPT_PM_H
#define TCPOPT_PM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/tcpopt.h"

struct onode;
struct mptcp_limits;

/* MPTCP_PM_ADDR_MAX: the kernel's ceiling for both limits. */
#define PM_LIMIT_MAX 8

/* pm.c */
/* The netns must use path manager want ("kernel", "userspace") for what. */
int pm_require_type(const char *want, const char *what);
/* The object "limits" of pm show. */
void pm_out_limits(struct onode *root, const struct mptcp_limits *lim);
/* The stock fallback of a BPF path manager says what it did instead. */
void pm_note_fallback(const char *cgroup, const char *what);

/* pm_mesh.c: the in-kernel full mesh of the netns's endpoints, set in
 * place of the BPF full mesh of cgroup (said with pm_note_fallback); the
 * agent that keeps it current is in pm_agent.h. */
int pm_mesh_fallback(const int *devs, int ndevs, const char *cgroup);

/* pm_agent.c: "pm run ARGS". */
int pm_run(int argc, char **argv);

/* pm_bpf.c */

/* Does the running kernel have what a BPF path manager needs? */
bool pm_bpf_supported(void);

/*
 * Attach the BPF path manager name ("ndiffports", "fullmesh") to cgroup
 * (NULL: the root) with cfg, or change the settings of the one there (its
 * counters kept); another one there is replaced without a gap.  fullmesh
 * uses the local addresses of each connection's netns as they come and go
 * (of cfg's devs only, if any, named in the current netns); with follow it
 * stays in the foreground to keep the indexes of those devs current and
 * print the mesh when it changes.
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
