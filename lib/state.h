/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock on tcpopt's pin tree (PIN_ROOT, lib/bpffs.h): an flock on the
 * directory itself, so that two commands never change it at once.  It is
 * dropped when the fd is closed, by state_unlock() or by the exit.
 */
#ifndef TCPOPT_STATE_H
#define TCPOPT_STATE_H

struct cgroup_ref;

/* Exclusive lock on tcpopt's state; returns an fd for state_unlock(). */
int state_lock(void);
void state_unlock(int fd);

/* cgroup_open(path, cg), then state_lock() into *lock; both undone on error. */
int state_lock_cgroup(const char *path, struct cgroup_ref *cg, int *lock);

/*
 * Detach and unpin the attachment name of cgroup path, under the lock;
 * absent is the error when there is none ("no %s on cgroup %s" style:
 * one %s, the cgroup's path).  Errors are reported.
 */
int pin_remove_attachment(const char *path, const char *name, const char *absent);

#endif
