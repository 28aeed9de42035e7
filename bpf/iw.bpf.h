/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Initial-window request, the driver's hooks (driver.bpf.h): the connecting
 * side asks the other side to start with a congestion window of N
 * segments; the other side sets TCP_BPF_IW, which the kernel allows only
 * before any data is sent: so only from the handshake, never later.  A
 * request above the local max is capped to max: a peer can never make this
 * side send an unbounded first flight.
 *
 *   kind (254) | len (6) | ExID (2) | segments (2)
 */
#ifndef TCPOPT_IW_BPF_H
#define TCPOPT_IW_BPF_H

#include "driver.bpf.h"

static __always_inline __u32 iw_len(const struct tcpopt_slot_config *cfg)
{
	if (cfg->common.flags & TCPOPT_F_NO_SEND)
		return 0;
	return cfg->iw.request ? TCPOPT_IW_LEN : 0;
}

static __always_inline void iw_build(const struct tcpopt_slot_config *cfg, __u8 *opt,
				     __u32 len)
{
	drv_exp_header(&cfg->common, opt, len);
	opt[4] = cfg->iw.request >> 8;
	opt[5] = cfg->iw.request & 0xff;
}

static __always_inline void iw_received(struct bpf_sock_ops *skops, const struct drv_ctx *c,
					const struct drv_slot *s, const __u8 *opt, long len)
{
	int segs;

	if (len != TCPOPT_IW_LEN) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return;
	}
	segs = opt[4] << 8 | opt[5];
	if (!segs) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return;
	}
	drv_count(s, TCPOPT_STAT_RECEIVED);
	/* Data has flowed: too late for an initial window. */
	if (c->when != DRV_HANDSHAKE)
		return;
	if (s->cfg->common.flags & TCPOPT_F_IGNORE) {
		drv_count(s, TCPOPT_STAT_REFUSED);
		return;
	}
	if (segs > (int)s->cfg->iw.max)
		segs = s->cfg->iw.max;
	if (segs < 1)
		return;
	if (bpf_setsockopt(skops, SOL_TCP, TCP_BPF_IW, &segs, sizeof(segs)))
		/* data already sent (TCP Fast Open) */
		drv_count(s, TCPOPT_STAT_UNSUPPORTED);
	else
		drv_count(s, TCPOPT_STAT_APPLIED);
}

DRV_REQUEST_READ(iw)

#endif
