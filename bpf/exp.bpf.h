/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * A raw RFC 6994 experimental option ("exp"), the driver's hooks
 * (driver.bpf.h): kind 254 (or 253), length, 16-bit ExID, then whatever
 * bytes the operator gave, written as user space precomputed them.
 *
 * Receiving: each of the peer's options of our kind is checked in the
 * walked option list: one with our ExID counts as received; one of our
 * kind too short to hold an ExID, with ExID 0, or running past the header
 * counts as malformed.  On the passive side the saved SYN is read, then
 * the completing ACK if the SYN had none of ours.  The kernel's own search
 * cannot do this: it needs the ExID to search by and stops at the first
 * short kind-254 option.
 */
#ifndef TCPOPT_EXP_BPF_H
#define TCPOPT_EXP_BPF_H

#include "driver.bpf.h"

static __always_inline __u32 exp_len(const struct tcpopt_slot_config *cfg)
{
	__u32 len = cfg->exp.len;

	return len >= TCPOPT_EXP_HDR_LEN && len <= TCPOPT_EXP_MAX_LEN ? len : 0;
}

static __always_inline void exp_build(const struct tcpopt_slot_config *cfg, __u8 *opt,
				      __u32 len)
{
	__builtin_memcpy(opt, cfg->exp.opt, TCPOPT_EXP_MAX_LEN);
}

static __always_inline long exp_read(struct bpf_sock_ops *skops, struct drv_ctx *c,
				     const struct drv_slot *s)
{
	const struct tcpopt_common *cm = &s->cfg->common;
	const struct drv_hdr *h;
	struct drv_scan r;
	__u32 bad;

	if (cm->flags & TCPOPT_F_IGNORE)
		return 0;
	h = drv_hdr(skops, c);
	if (h->len < 0)
		return 0;
	drv_exp_scan(h, cm->exp_kind, cm->exid, &r);
	bad = r.bad + (r.broken && r.broken_kind == cm->exp_kind);
	drv_count_n(s, TCPOPT_STAT_RECEIVED, r.count);
	drv_count_n(s, TCPOPT_STAT_MALFORMED, bad);
	return r.count;
}

#endif
