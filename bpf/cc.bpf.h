/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Congestion-control request, the driver's hooks (driver.bpf.h): the
 * connecting side (typically the data receiver) names the algorithms it
 * wants the other side to send with, by preference; the other side sets
 * TCP_CONGESTION to the first one that is in its allow mask and available
 * in its kernel, and otherwise keeps its own and counts the refusal.  Ids:
 * tcpopt_cc_names[] in tcpopt.h.
 *
 *   kind (254) | len (4 + n) | ExID (2) | id 1 | ... | id n    n = 1..4
 */
#ifndef TCPOPT_CC_BPF_H
#define TCPOPT_CC_BPF_H

#include "driver.bpf.h"

#define ENOTSUPP 524	/* the kernel's refusal to switch a socket to cdg */

static __always_inline __u32 cc_len(const struct tcpopt_slot_config *cfg)
{
	__u32 n = 0;
	int i;

	if (cfg->common.flags & TCPOPT_F_NO_SEND)
		return 0;
#pragma unroll
	for (i = 0; i < TCPOPT_CC_REQ_MAX; i++) {
		if (!cfg->cc.request[i])
			break;
		n++;
	}
	return n ? TCPOPT_EXP_HDR_LEN + n : 0;
}

static __always_inline void cc_build(const struct tcpopt_slot_config *cfg, __u8 *opt,
				     __u32 len)
{
	int i;

	drv_exp_header(&cfg->common, opt, len);
#pragma unroll
	for (i = 0; i < TCPOPT_CC_REQ_MAX; i++)
		opt[TCPOPT_EXP_HDR_LEN + i] = cfg->cc.request[i];
}

/* Does the socket already use the algorithm called name? */
static __always_inline bool cc_in_use(struct bpf_sock_ops *skops, const char *name)
{
	char cur[TCPOPT_CC_NAME_LEN] = {};
	int i;

	if (bpf_getsockopt(skops, SOL_TCP, TCP_CONGESTION, cur, sizeof(cur)))
		return false;
#pragma unroll
	for (i = 0; i < TCPOPT_CC_NAME_LEN; i++) {
		if (cur[i] != name[i])
			return false;
		if (!cur[i])
			break;
	}
	return true;
}

static __always_inline void cc_received(struct bpf_sock_ops *skops, const struct drv_ctx *c,
					const struct drv_slot *s, const __u8 *opt, long len)
{
	long n = len - TCPOPT_EXP_HDR_LEN;
	int i;

	if (n < 1 || n > TCPOPT_CC_REQ_MAX) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return;
	}
#pragma unroll
	for (i = 0; i < TCPOPT_CC_REQ_MAX; i++) {
		if (i < n && !opt[TCPOPT_EXP_HDR_LEN + i]) {
			drv_count(s, TCPOPT_STAT_MALFORMED);
			return;
		}
	}
	if (!drv_req_accepted(s))
		return;
#pragma unroll
	for (i = 0; i < TCPOPT_CC_REQ_MAX; i++) {
		char name[TCPOPT_CC_NAME_LEN];
		__u8 id = opt[TCPOPT_EXP_HDR_LEN + i];
		long rc;

		if (i >= n)
			break;
		/* Unknown ids (a newer peer's) are skipped like refused ones. */
		if (id >= TCPOPT_CC_ID_COUNT || !(s->cfg->cc.allow & (1U << id)))
			continue;
		__builtin_memcpy(name, tcpopt_cc_names[id & (TCPOPT_CC_ID_ROOM - 1)],
				 sizeof(name));
		/* "every": the same request again is not a reason to
		 * restart the algorithm. */
		if (c->when == DRV_LATER && cc_in_use(skops, name))
			return;
		rc = bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
		if (!rc) {
			drv_count(s, TCPOPT_STAT_APPLIED);
			return;
		}
		/* -ENOENT: not available here (and BPF cannot load
		 * modules); -ENOTSUPP: cdg, which BPF may not set. */
		if (rc != -ENOENT && rc != -ENOTSUPP)
			drv_count(s, TCPOPT_STAT_ERROR);
	}
	drv_count(s, TCPOPT_STAT_REFUSED);
}

DRV_REQUEST_READ(cc)

#endif
