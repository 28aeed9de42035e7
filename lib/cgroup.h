/* SPDX-License-Identifier: GPL-2.0 */
/* The cgroup v2 hierarchy: where it is mounted, and naming cgroups in it. */
#ifndef TCPOPT_CGROUP_H
#define TCPOPT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cgroup2 mount point, from /proc/self/mountinfo (NULL if none). */
const char *cgroup2_mount(void);

struct cgroup_ref {
	int fd;			/* O_RDONLY|O_DIRECTORY on the cgroup */
	uint64_t id;		/* the kernel's cgroup id (its inode number) */
	char path[1024];	/* relative to the mount, "/" for the root */
};

/*
 * Open the cgroup at path (relative to the cgroup2 mount; NULL or "" = the
 * root).  Errors are reported here ("unknown cgroup ...").
 */
int cgroup_open(const char *path, struct cgroup_ref *cg);
void cgroup_close(struct cgroup_ref *cg);

/* Is cgroup id top itself or one below it?  (A removed cgroup is not.) */
bool cgroup_is_below(const struct cgroup_ref *top, uint64_t id);

/*
 * The path of cgroup id (relative to the mount, "/" for the root);
 * -ENOENT if it no longer exists.  A few syscalls per call, whatever the
 * size of the tree (see cgroup.c).
 */
int cgroup_path_of(uint64_t id, char *buf, size_t len);
/* Drop what cgroup_path_of() learnt: each command sees the tree as it is. */
void cgroup_names_forget(void);

/* cgroup_path_of() into buf, or "(deleted)" once it is gone: true then. */
bool cgroup_name_of(uint64_t id, char *buf, size_t len);
/*
 * The heading of a row about cgroup id: "cgroup", its path or "(deleted)"
 * once it is gone, and "cgroup_id" (JSON only).  True when it is gone.
 */
struct onode;
bool out_cgroup_heading(struct onode *row, uint64_t id);

#endif
