// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Initial-window request: the connecting side asks the other side to start
 * with a congestion window of N segments; the other side sets TCP_BPF_IW,
 * which the kernel allows only before any data is sent: so only from the
 * handshake (REQ_ESTABLISHED), never later.  A request above the local
 * max is capped to max: a peer can never make this side send an unbounded
 * first flight.
 *
 *   kind (254) | len (6) | ExID (2) | segments (2)
 */
#include "common.bpf.h"

#define REQ_CONFIG struct tcpopt_iw_config
#include "request.bpf.h"

static __always_inline __u32 req_len(const struct tcpopt_iw_config *cfg)
{
	return cfg->request ? TCPOPT_IW_LEN : 0;
}

static __always_inline void req_build(const struct tcpopt_iw_config *cfg, __u8 *opt)
{
	opt[4] = cfg->request >> 8;
	opt[5] = cfg->request & 0xff;
}

static __always_inline void req_received(struct bpf_sock_ops *skops,
					 const struct tcpopt_iw_config *cfg,
					 const __u8 *opt, long len, enum req_when when)
{
	int segs;

	if (len != TCPOPT_IW_LEN) {
		count(TCPOPT_STAT_MALFORMED);
		return;
	}
	segs = opt[4] << 8 | opt[5];
	if (!segs) {
		count(TCPOPT_STAT_MALFORMED);
		return;
	}
	count(TCPOPT_STAT_RECEIVED);
	/* Data has flowed: too late for an initial window. */
	if (when != REQ_ESTABLISHED)
		return;
	if (cfg->common.flags & TCPOPT_F_IGNORE) {
		count(TCPOPT_STAT_REFUSED);
		return;
	}
	if (segs > (int)cfg->max)
		segs = cfg->max;
	if (segs < 1)
		return;
	if (bpf_setsockopt(skops, SOL_TCP, TCP_BPF_IW, &segs, sizeof(segs)))
		/* data already sent (TCP Fast Open) */
		count(TCPOPT_STAT_UNSUPPORTED);
	else
		count(TCPOPT_STAT_APPLIED);
}

SEC("sockops")
int tcpopt_iw(struct bpf_sock_ops *skops)
{
	return req_sockops(skops);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
