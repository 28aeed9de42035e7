// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A raw RFC 6994 experimental option: kind 254 (or 253), length, 16-bit
 * ExID, then whatever bytes the operator gave, written as user space
 * precomputed them.
 *
 * Sending: as for the User Timeout option, on the SYN and SYN-ACK and, from
 * the connecting side, once more on the first ACK (a syncookie listener
 * keeps no SYN); in "every" mode on every segment.
 *
 * Receiving: the peer's options of our kind are walked in a copy of the TCP
 * header (on the passive side the saved SYN, then the completing ACK if
 * the SYN had none of ours; else the segment at hand); each with our ExID
 * counts as received, one of our kind too short to hold
 * an ExID, with ExID 0, or running past the header counts as malformed.
 * The kernel's own search (bpf_load_hdr_opt) cannot be used for this: it
 * needs the ExID to search by and stops at the first short kind-254 option.
 */
#include "common.bpf.h"

#define TCP_BPF_SYN	1005	/* bpf_getsockopt: the saved SYN's TCP header */
#define TCP_HDR_LEN	20
#define TCP_HDR_MAX	60
/* Header copies are this big, so that an index masked with HDR_MASK is in
 * bounds whatever the compiler did to the checks before it. */
#define HDR_BUF		64
#define HDR_MASK	(HDR_BUF - 1)
#define AT(hdr, i)	((hdr)[(i) & HDR_MASK])

TCPOPT_CONFIG_MAP(struct tcpopt_exp_config);

static __always_inline struct tcpopt_exp_config *exp_config(void)
{
	__u32 zero = 0;
	struct tcpopt_exp_config *cfg = bpf_map_lookup_elem(&config, &zero);

	return cfg && cfg->common.abi == TCPOPT_ABI ? cfg : 0;
}

/*
 * Copy the TCP header of the segment at hand into hdr (HDR_BUF bytes);
 * returns its length.  Word by word: a header is a whole number of them.
 */
static __always_inline int hdr_from_skb(struct bpf_sock_ops *skops, __u8 *hdr)
{
	__u8 *p = (__u8 *)(long)skops->skb_data;
	__u8 *end = (__u8 *)(long)skops->skb_data_end;
	int i;

	for (i = 0; i < TCP_HDR_MAX; i += 4) {
		if (p + i + 4 > end)
			break;
		__builtin_memcpy(&hdr[i], p + i, 4);
	}
	return i;
}

/* The same from the SYN saved by the listener; -ENOENT when none. */
static __always_inline int hdr_from_syn(struct bpf_sock_ops *skops, __u8 *hdr)
{
	int rc = bpf_getsockopt(skops, SOL_TCP, TCP_BPF_SYN, hdr, TCP_HDR_MAX);

	if (rc < 0 && rc != -ENOENT)
		count(TCPOPT_STAT_ERROR);
	return rc;
}

struct scan {
	__u8 hdr[HDR_BUF];
	__u32 off, end;
	__u16 exid;
	__u8 kind;
	__u8 pad;
	__u32 received, malformed;
};

/* One option per call (bpf_loop): 1 stops the walk. */
static long scan_step(__u32 index, void *ctx)
{
	struct scan *s = ctx;
	__u32 off = s->off, end = s->end;
	__u8 k, len;
	__u16 exid;

	if (off >= end)
		return 1;
	k = AT(s->hdr, off);
	if (k == 0)		/* end of option list */
		return 1;
	if (k == 1) {		/* NOP */
		s->off = off + 1;
		return 0;
	}
	len = off + 1 < end ? AT(s->hdr, off + 1) : 0;
	if (len < 2 || off + len > end) {
		/* No room for the length, or past the header: the list
		 * cannot be walked any further. */
		if (k == s->kind)
			s->malformed++;
		return 1;
	}
	if (k == s->kind) {
		exid = (__u16)(AT(s->hdr, off + 2) << 8 | AT(s->hdr, off + 3));
		if (len < TCPOPT_EXP_HDR_LEN || !exid)
			s->malformed++;
		else if (exid == s->exid)
			s->received++;
	}
	s->off = off + len;
	return 0;
}

static __always_inline void count_n(__u32 what, __u32 n)
{
	__u64 *v;

	if (!n)
		return;
	v = bpf_map_lookup_elem(&stats, &what);
	if (v)
		*v += n;
}

/*
 * Walk the options of a copied header of n bytes: count ours and the
 * malformed ones of our kind.
 */
static __always_inline int exp_scan(const struct tcpopt_exp_config *cfg,
				    struct scan *s, int n)
{
	__u32 end;

	if (n < TCP_HDR_LEN)
		return 0;
	end = (AT(s->hdr, 12) >> 4) * 4;
	s->end = end < (__u32)n ? end : (__u32)n;
	s->off = TCP_HDR_LEN;
	s->kind = cfg->common.exp_kind;
	s->exid = cfg->common.exid;
	/* Every step takes at least one byte. */
	bpf_loop(TCP_OPT_MAX_LEN, scan_step, s, 0);
	count_n(TCPOPT_STAT_RECEIVED, s->received);
	count_n(TCPOPT_STAT_MALFORMED, s->malformed);
	return s->received;
}

/* The peer's options in the SYN (syn) or in the segment at hand: how many
 * of ours, or -ENOENT when no SYN was saved. */
static __always_inline int exp_read(struct bpf_sock_ops *skops,
				    const struct tcpopt_exp_config *cfg, bool syn)
{
	struct scan s = {};
	int n;

	if (cfg->common.flags & TCPOPT_F_IGNORE)
		return 0;
	n = syn ? hdr_from_syn(skops, s.hdr) : hdr_from_skb(skops, s.hdr);
	return n > 0 ? exp_scan(cfg, &s, n) : n;
}

static __always_inline void exp_reserve(struct bpf_sock_ops *skops,
					const struct tcpopt_exp_config *cfg)
{
	__u32 len = cfg->len;

	if (len < TCPOPT_EXP_HDR_LEN || len > TCPOPT_EXP_MAX_LEN)
		return;
	if (opt_reserve(skops, len))
		return;
	/* No room on the first ACK in handshake-only mode: that was its
	 * last chance (the write callback, which ends it, will not run). */
	if (!(skops->skb_tcp_flags & TCPHDR_SYN) &&
	    !(cfg->common.flags & TCPOPT_F_EVERY) &&
	    !(skops->args[0] & BPF_WRITE_HDR_TCP_CURRENT_MSS))
		cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

static __always_inline void exp_store(struct bpf_sock_ops *skops,
				      const struct tcpopt_exp_config *cfg)
{
	__u64 len = cfg->len;	/* 64 bits: no zero-extended copy to lose the bounds on */
	long rc;

	/* Two checks on len itself: a range check compiles into one on a
	 * copy ("len - 4 > 36"), and the verifier loses the bound. */
	if (len > TCPOPT_EXP_MAX_LEN)
		return;
	barrier_var(len);
	if (len < TCPOPT_EXP_HDR_LEN)
		return;
	rc = bpf_store_hdr_opt(skops, cfg->opt, len, 0);
	/* -ENOSPC: we got no room, counted when it was asked for (the
	 * write callback runs for every program once any has room). */
	if (!rc)
		count(TCPOPT_STAT_SENT);
	else if (rc != -ENOSPC)
		count(TCPOPT_STAT_ERROR);
}

static __always_inline void exp_write(struct bpf_sock_ops *skops,
				      const struct tcpopt_exp_config *cfg)
{
	bool syn = skops->skb_tcp_flags & TCPHDR_SYN;

	if (!writer_due(skops))
		return;
	exp_store(skops, cfg);
	/* Handshake-only mode: the first ACK was the last segment to carry it. */
	if (!syn && !(cfg->common.flags & TCPOPT_F_EVERY))
		cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

SEC("sockops")
int tcpopt_exp(struct bpf_sock_ops *skops)
{
	struct tcpopt_exp_config *cfg = exp_config();
	__u32 every;

	if (!cfg)
		return 1;
	every = cfg->common.flags & TCPOPT_F_EVERY;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		if (!match_local(skops, &cfg->common))
			break;
		/* Keep the SYN so that its options can be read once the
		 * connection is established. */
		{
			int one = 1;

			if (bpf_setsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &one, sizeof(one)))
				count(TCPOPT_STAT_ERROR);
		}
		cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		if (match_conn(skops, &cfg->common))
			cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		if (match_conn(skops, &cfg->common))
			exp_reserve(skops, cfg);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		if (match_conn(skops, &cfg->common))
			exp_write(skops, cfg);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (!match_conn(skops, &cfg->common))
			break;
		/* skb is the SYN-ACK. */
		exp_read(skops, cfg, false);
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (!match_conn(skops, &cfg->common)) {
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
			break;
		}
		/* The saved SYN; without one (syncookies, or a listener
		 * older than the program) or without our option in it (no
		 * room on the peer's SYN), the completing ACK. */
		if (exp_read(skops, cfg, true) <= 0)
			exp_read(skops, cfg, false);
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		else
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		exp_read(skops, cfg, false);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
