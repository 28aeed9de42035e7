/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Follow the addresses of the network namespace: rtnetlink's address and
 * link groups say when something changed, and the caller looks again.
 */
#ifndef TCPOPT_ADDRWATCH_H
#define TCPOPT_ADDRWATCH_H

/* Return 0 to go on, anything else to stop (and have addr_watch return it). */
typedef int (*addr_change_fn)(void *ctx);

/*
 * Call changed(ctx) after each burst of address or link changes (events
 * that arrive within settle_ms of each other count as one; a lost event,
 * ENOBUFS, counts as a change), until SIGINT or SIGTERM (returns 0) or
 * changed() returns non-zero.  Errors are returned as -errno.
 */
int addr_watch(unsigned int settle_ms, addr_change_fn changed, void *ctx);

#endif
