/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Delayed-ACK request, the driver's hooks (driver.bpf.h): the data sender
 * asks the receiver to ACK sooner or later than it would.  Two requests in
 * one option:
 *   - timeout: a percentage of the receiver's smoothed RTT, applied as
 *     TCP_BPF_DELACK_MAX (the longest an ACK waits), within the local
 *     min/max and the kernel's bounds (two jiffies to 200 ms);
 *   - segs: full-sized segments before an immediate ACK, applied as
 *     TCP_BPF_DELACK_SEGS where the kernel has it (our patch set; user
 *     space found its number in BTF), else counted as unsupported.
 *
 *   kind (254) | len (7) | ExID (2) | timeout, % of RTT (2) | segs (1)
 */
#ifndef TCPOPT_DELACK_BPF_H
#define TCPOPT_DELACK_BPF_H

#include "driver.bpf.h"

static __always_inline __u32 delack_len(const struct tcpopt_slot_config *cfg)
{
	if (cfg->common.flags & TCPOPT_F_NO_SEND)
		return 0;
	return cfg->delack.timeout_pct || cfg->delack.segs ? TCPOPT_DELACK_LEN : 0;
}

static __always_inline void delack_build(const struct tcpopt_slot_config *cfg, __u8 *opt,
					 __u32 len)
{
	drv_exp_header(&cfg->common, opt, len);
	opt[4] = cfg->delack.timeout_pct >> 8;
	opt[5] = cfg->delack.timeout_pct & 0xff;
	opt[6] = cfg->delack.segs;
}

/*
 * The kernel refuses a timeout below two jiffies, and HZ is not known
 * here: on -EINVAL try the two-jiffy floor of each usual HZ (1000, 300,
 * 250, 100), smallest first, and keep the first the kernel takes.
 */
static const __u32 two_jiffies_us[] = { 2000, 6667, 8000, 20000 };

static __always_inline bool delack_set_timeout(struct bpf_sock_ops *skops,
					       const struct drv_slot *s, __u32 us)
{
	long rc = bpf_setsockopt(skops, SOL_TCP, TCP_BPF_DELACK_MAX, &us, sizeof(us));
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		__u32 floor = two_jiffies_us[i];

		if (rc != -EINVAL || floor <= us)
			continue;
		rc = bpf_setsockopt(skops, SOL_TCP, TCP_BPF_DELACK_MAX, &floor, sizeof(floor));
	}
	if (rc)
		drv_count(s, TCPOPT_STAT_ERROR);
	return !rc;
}

static __always_inline void delack_received(struct bpf_sock_ops *skops,
					    const struct drv_ctx *c, const struct drv_slot *s,
					    const __u8 *opt, long len)
{
	__u32 pct, srtt_us;
	int segs;
	bool applied = false;
	__u64 us;

	if (len != TCPOPT_DELACK_LEN) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return;
	}
	pct = opt[4] << 8 | opt[5];
	segs = opt[6];
	if (!pct && !segs) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return;
	}
	if (!drv_req_accepted(s))
		return;
	if (pct) {
		srtt_us = skops->srtt_us >> 3;	/* the kernel keeps it times 8 */
		if (!srtt_us) {
			/* No RTT sample yet: nothing to take a fraction of. */
			drv_count(s, TCPOPT_STAT_UNSUPPORTED);
		} else {
			us = (__u64)srtt_us * pct / 100;
			if (us < s->cfg->delack.min_us)
				us = s->cfg->delack.min_us;
			if (us > s->cfg->delack.max_us)
				us = s->cfg->delack.max_us;
			if (us > TCPOPT_DELACK_KERNEL_MAX_US)
				us = TCPOPT_DELACK_KERNEL_MAX_US;
			applied = delack_set_timeout(skops, s, (__u32)us);
		}
	}
	if (segs) {
		int now = 0;

		/* Read back: applied means the socket has it. */
		if (!s->cfg->delack.segs_optname)
			drv_count(s, TCPOPT_STAT_UNSUPPORTED);
		else if (bpf_setsockopt(skops, SOL_TCP, s->cfg->delack.segs_optname, &segs, sizeof(segs)) ||
			 bpf_getsockopt(skops, SOL_TCP, s->cfg->delack.segs_optname, &now, sizeof(now)) ||
			 now != segs)
			drv_count(s, TCPOPT_STAT_ERROR);
		else
			applied = true;
	}
	if (applied)
		drv_count(s, TCPOPT_STAT_APPLIED);
}

DRV_REQUEST_READ(delack)

#endif
