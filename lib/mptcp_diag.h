/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP connections and their subflows from sock_diag: the MPTCP sockets
 * from inet_diag with IPPROTO_MPTCP (struct mptcp_info carries the token),
 * the subflows from TCP diag with their ULP info (matched on the token).
 */
#ifndef TCPOPT_MPTCP_DIAG_H
#define TCPOPT_MPTCP_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/inet_diag.h>
#include <linux/tcp.h>

#include "mptcp.h"

struct mptcp_diag_sock {
	struct inet_diag_msg msg;
	uint32_t token;			/* msk token, or the subflow's TOKEN_LOC */
	uint8_t loc_id, rem_id;		/* subflows only */
	uint32_t sf_flags;		/* MPTCP_SUBFLOW_FLAG_* */
	struct mptcp_info mi;		/* connections: mi_len bytes valid */
	size_t mi_len;
	struct tcp_info ti;		/* subflows: ti_len bytes valid */
	size_t ti_len;
	uint64_t cgroup_id;		/* INET_DIAG_CGROUP_ID (5.10), else 0 */
};

struct mptcp_diag {
	struct mptcp_diag_sock *conns, *subflows;
	size_t nconns, nsubflows;
};

/* Dump both families; errors are reported.  Listeners are left out. */
int mptcp_diag_collect(struct mptcp_diag *d);
void mptcp_diag_free(struct mptcp_diag *d);

/*
 * The cgroup of the process that created connection token's MPTCP socket
 * (inet_diag's INET_DIAG_CGROUP_ID of the msk, looked up by token): 0,
 * -ENOENT (no such connection) or -errno.  Not reported: for agents.
 */
int mptcp_diag_token_cgroup(uint32_t token, uint64_t *cgroup_id);

/* Local (remote = false) or remote address and port; v4-mapped as IPv4. */
void mptcp_diag_addr(const struct mptcp_diag_sock *s, bool remote, struct mptcp_addr *a);

#endif
