/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * RFC 5482 TCP User Timeout option, the driver's hooks (driver.bpf.h).
 *
 * Sending: kind 28, length 4, G bit + 15-bit value, precomputed by user
 * space, on the segments the driver says are due.
 *
 * Receiving (RFC 5482 section 3.1):
 *   USER_TIMEOUT = min(U_LIMIT, max(ADV_UTO, REMOTE_UTO, L_LIMIT))
 * set with bpf_setsockopt(TCP_USER_TIMEOUT) once the connection is
 * established on either side, and on every segment that carries the
 * option in "every" mode.
 */
#ifndef TCPOPT_UTO_BPF_H
#define TCPOPT_UTO_BPF_H

#include "driver.bpf.h"

static __always_inline __u32 uto_len(const struct tcpopt_slot_config *cfg)
{
	return cfg->common.flags & TCPOPT_F_NO_SEND ? 0 : TCPOPT_UTO_LEN;
}

static __always_inline void uto_build(const struct tcpopt_slot_config *cfg, __u8 *opt,
				      __u32 len)
{
	opt[0] = TCPOPT_KIND_UTO;
	opt[1] = TCPOPT_UTO_LEN;
	opt[2] = cfg->uto.wire >> 8;
	opt[3] = cfg->uto.wire & 0xff;
}

/* The peer's UTO in ms, 0 when absent, < 0 when malformed. */
static __always_inline long uto_remote(struct bpf_sock_ops *skops, const struct drv_ctx *c,
				       const struct drv_slot *s)
{
	__u8 buf[TCP_OPT_MAX_LEN];
	long rc = drv_load(skops, c, s, TCPOPT_KIND_UTO, buf);
	__u16 val;

	if (rc == -ENOMSG || rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (rc != TCPOPT_UTO_LEN) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	val = (__u16)(buf[2] << 8 | buf[3]);
	if (!(val & TCPOPT_UTO_MAX_VALUE)) {
		/* A zero timeout is meaningless: not a value to act on. */
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	drv_count(s, TCPOPT_STAT_RECEIVED);
	return (long)(val & TCPOPT_UTO_MAX_VALUE) * (val & TCPOPT_UTO_G ? 60000 : 1000);
}

static __always_inline void uto_apply(struct bpf_sock_ops *skops, const struct drv_ctx *c,
				      const struct drv_slot *s, long remote_ms)
{
	const struct tcpopt_uto_config *cfg = &s->cfg->uto;
	bool use_remote = remote_ms > 0 && !(cfg->common.flags & TCPOPT_F_IGNORE);
	__u32 t = cfg->adv_ms;
	int now = 0;

	if (remote_ms > 0 && !use_remote)
		drv_count(s, TCPOPT_STAT_REFUSED);
	if (use_remote && remote_ms > t)
		t = (__u32)remote_ms;
	if (t < cfg->min_ms)
		t = cfg->min_ms;
	if (t > cfg->max_ms)
		t = cfg->max_ms;
	/* "every": the socket has it already unless the peer changed it. */
	if (c->when == DRV_LATER &&
	    !bpf_getsockopt(skops, SOL_TCP, TCP_USER_TIMEOUT, &now, sizeof(now)) &&
	    now == (int)t) {
		if (use_remote)
			drv_count(s, TCPOPT_STAT_APPLIED);
		return;
	}
	if (bpf_setsockopt(skops, SOL_TCP, TCP_USER_TIMEOUT, &t, sizeof(t)))
		drv_count(s, TCPOPT_STAT_ERROR);
	else if (use_remote)
		drv_count(s, TCPOPT_STAT_APPLIED);
}

/*
 * On the handshake the timeout is set whatever the peer sent (the local
 * one when it sent none), except when the SYN had none: the completing ACK
 * comes next.  Later, only a segment with the option changes it.
 */
static __always_inline long uto_read(struct bpf_sock_ops *skops, struct drv_ctx *c,
				     const struct drv_slot *s)
{
	long remote = uto_remote(skops, c, s);

	if (c->when == DRV_LATER) {
		if (remote > 0)
			uto_apply(skops, c, s, remote);
		return remote;
	}
	if (!remote && c->from == DRV_FROM_SYN)
		return 0;
	uto_apply(skops, c, s, remote);
	return remote ? remote : 1;
}

#endif
