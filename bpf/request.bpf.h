/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The sockops program of a request option (cc, iw, delack): one side asks
 * the other for something on its handshake segments, in an RFC 6994
 * option, and the side that receives it applies it within its own bounds.
 *
 * Sending (when this side asks for something): on the SYN or SYN-ACK and,
 * from the connecting side, once more on the first ACK, as uto.bpf.c
 * does: a listener in syncookie mode keeps no SYN, and one that existed
 * before the program was attached saved none.  "every": every segment.
 *
 * Receiving: once established, from the saved SYN (or the completing ACK)
 * on the passive side, from the SYN-ACK on the active side; "every" also
 * parses every later segment that carries the option.
 *
 * The including program defines REQ_CONFIG (its config struct, which
 * begins with struct tcpopt_common) and the three hooks below, then
 * calls req_sockops() from its SEC("sockops") function.
 */
#ifndef TCPOPT_REQUEST_BPF_H
#define TCPOPT_REQUEST_BPF_H

#include "common.bpf.h"

#ifndef REQ_CONFIG
#error "define REQ_CONFIG before including request.bpf.h"
#endif

/* When the peer's option is handed over. */
enum req_when {
	REQ_ESTABLISHED,	/* the handshake's: before any data is sent */
	REQ_LATER,		/* a later segment ("every") */
};

/* The length of this side's option, 0 when it asks for nothing. */
static __always_inline __u32 req_len(const REQ_CONFIG *cfg);
/* Write this side's option (req_len() bytes) into opt. */
static __always_inline void req_build(const REQ_CONFIG *cfg, __u8 *opt);
/* The peer's option, len bytes (kind, length and ExID checked): check
 * the rest, count and apply. */
static __always_inline void req_received(struct bpf_sock_ops *skops, const REQ_CONFIG *cfg,
					 const __u8 *opt, long len, enum req_when when);

TCPOPT_CONFIG_MAP(REQ_CONFIG);

static __always_inline const REQ_CONFIG *req_config(void)
{
	__u32 zero = 0;
	const REQ_CONFIG *cfg = bpf_map_lookup_elem(&config, &zero);

	return cfg && cfg->common.abi == TCPOPT_ABI ? cfg : 0;
}

/* Kind, length and ExID: the first TCPOPT_EXP_HDR_LEN bytes of opt. */
static __always_inline void req_header(const struct tcpopt_common *c, __u8 *opt, __u32 len)
{
	opt[0] = c->exp_kind;
	opt[1] = len;
	opt[2] = c->exid >> 8;
	opt[3] = c->exid & 0xff;
}

static __always_inline __u32 req_sending(const REQ_CONFIG *cfg)
{
	__u32 len;

	if (cfg->common.flags & TCPOPT_F_NO_SEND)
		return 0;
	len = req_len(cfg);
	return len <= TCP_OPT_MAX_LEN ? len : 0;
}

static __always_inline void req_write(struct bpf_sock_ops *skops, const REQ_CONFIG *cfg,
				      __u32 len)
{
	__u8 opt[TCP_OPT_MAX_LEN] = {};

	if (len < TCPOPT_EXP_HDR_LEN || len > TCP_OPT_MAX_LEN)
		return;
	req_header(&cfg->common, opt, len);
	req_build(cfg, opt);
	opt_store(skops, opt, len);
	/* Handshake-only: the connecting side's first ACK was the last. */
	if (!(skops->skb_tcp_flags & TCPHDR_SYN) && !(cfg->common.flags & TCPOPT_F_EVERY))
		cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* Read the peer's option from the saved SYN (syn) or the current segment. */
static __always_inline long req_read(struct bpf_sock_ops *skops, const REQ_CONFIG *cfg,
				     bool syn, __u8 *opt)
{
	return exp_find(skops, cfg->common.exp_kind, cfg->common.exid, opt, syn);
}

static __always_inline int req_sockops(struct bpf_sock_ops *skops)
{
	const REQ_CONFIG *cfg = req_config();
	__u8 opt[TCP_OPT_MAX_LEN] = {};
	__u32 every, len;
	long got;
	int one = 1;

	if (!cfg)
		return 1;
	every = cfg->common.flags & TCPOPT_F_EVERY;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		if (!match_local(skops, &cfg->common))
			break;
		/* Keep the SYN: its options are read once established. */
		if (bpf_setsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &one, sizeof(one)))
			count(TCPOPT_STAT_ERROR);
		if (req_sending(cfg))
			cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		if (req_sending(cfg) && match_conn(skops, &cfg->common))
			cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		len = req_sending(cfg);
		if (len && match_conn(skops, &cfg->common))
			opt_reserve(skops, len);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		len = req_sending(cfg);
		if (len && match_conn(skops, &cfg->common))
			req_write(skops, cfg, len);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (!match_conn(skops, &cfg->common))
			break;
		/* skb is the SYN-ACK. */
		got = req_read(skops, cfg, false, opt);
		if (got > 0)
			req_received(skops, cfg, opt, got, REQ_ESTABLISHED);
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (!match_conn(skops, &cfg->common)) {
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
			break;
		}
		/* The saved SYN first; without one (syncookies, or a
		 * listener older than the program) the completing ACK. */
		got = req_read(skops, cfg, true, opt);
		if (got == -ENOMSG || got == -ENOENT)
			got = req_read(skops, cfg, false, opt);
		if (got > 0)
			req_received(skops, cfg, opt, got, REQ_ESTABLISHED);
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		else
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		got = req_read(skops, cfg, false, opt);
		if (got > 0)
			req_received(skops, cfg, opt, got, REQ_LATER);
		break;
	}
	return 1;
}

#endif
