// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Delayed-ACK request: the data sender asks the receiver to ACK sooner or
 * later than it would.  Two requests in one option:
 *   - timeout: a percentage of the receiver's smoothed RTT, applied as
 *     TCP_BPF_DELACK_MAX (the longest an ACK waits), within the local
 *     min/max and the kernel's bounds (two jiffies to 200 ms);
 *   - segs: full-sized segments before an immediate ACK, applied as
 *     TCP_BPF_DELACK_SEGS where the kernel has it (our patch set; user
 *     space found its number in BTF), else counted as unsupported.
 *
 *   kind (254) | len (7) | ExID (2) | timeout, % of RTT (2) | segs (1)
 */
#include "common.bpf.h"

#define REQ_CONFIG struct tcpopt_delack_config
#include "request.bpf.h"

static __always_inline __u32 req_len(const struct tcpopt_delack_config *cfg)
{
	return cfg->timeout_pct || cfg->segs ? TCPOPT_DELACK_LEN : 0;
}

static __always_inline void req_build(const struct tcpopt_delack_config *cfg, __u8 *opt)
{
	opt[4] = cfg->timeout_pct >> 8;
	opt[5] = cfg->timeout_pct & 0xff;
	opt[6] = cfg->segs;
}

/*
 * The kernel refuses a timeout below two jiffies, and HZ is not known
 * here: on -EINVAL try the two-jiffy floor of each usual HZ (1000, 300,
 * 250, 100), smallest first, and keep the first the kernel takes.
 */
static const __u32 two_jiffies_us[] = { 2000, 6667, 8000, 20000 };

static __always_inline bool delack_set_timeout(struct bpf_sock_ops *skops, __u32 us)
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
		count(TCPOPT_STAT_ERROR);
	return !rc;
}

static __always_inline void req_received(struct bpf_sock_ops *skops,
					 const struct tcpopt_delack_config *cfg,
					 const __u8 *opt, long len, enum req_when when)
{
	__u32 pct, srtt_us;
	int segs;
	bool applied = false;
	__u64 us;

	if (len != TCPOPT_DELACK_LEN) {
		count(TCPOPT_STAT_MALFORMED);
		return;
	}
	pct = opt[4] << 8 | opt[5];
	segs = opt[6];
	if (!pct && !segs) {
		count(TCPOPT_STAT_MALFORMED);
		return;
	}
	count(TCPOPT_STAT_RECEIVED);
	if (cfg->common.flags & TCPOPT_F_IGNORE) {
		count(TCPOPT_STAT_REFUSED);
		return;
	}
	if (pct) {
		srtt_us = skops->srtt_us >> 3;	/* the kernel keeps it times 8 */
		if (!srtt_us) {
			/* No RTT sample yet: nothing to take a fraction of. */
			count(TCPOPT_STAT_UNSUPPORTED);
		} else {
			us = (__u64)srtt_us * pct / 100;
			if (us < cfg->min_us)
				us = cfg->min_us;
			if (us > cfg->max_us)
				us = cfg->max_us;
			if (us > TCPOPT_DELACK_KERNEL_MAX_US)
				us = TCPOPT_DELACK_KERNEL_MAX_US;
			applied = delack_set_timeout(skops, (__u32)us);
		}
	}
	if (segs) {
		int now = 0;

		/* Read back: applied means the socket has it. */
		if (!cfg->segs_optname)
			count(TCPOPT_STAT_UNSUPPORTED);
		else if (bpf_setsockopt(skops, SOL_TCP, cfg->segs_optname, &segs, sizeof(segs)) ||
			 bpf_getsockopt(skops, SOL_TCP, cfg->segs_optname, &now, sizeof(now)) ||
			 now != segs)
			count(TCPOPT_STAT_ERROR);
		else
			applied = true;
	}
	if (applied)
		count(TCPOPT_STAT_APPLIED);
}

SEC("sockops")
int tcpopt_delack(struct bpf_sock_ops *skops)
{
	return req_sockops(skops);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
