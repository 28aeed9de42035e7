// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * RFC 5482 TCP User Timeout option.
 *
 * Sending: the option (kind 28, length 4, G bit + 15-bit value) goes on the
 * SYN and SYN-ACK and, from the connecting side, once more on the first ACK:
 * a listener in syncookie mode keeps no SYN, and a listener that existed
 * before the program was attached saved none, so the ACK is what lets the
 * passive side still see the option.  In "every" mode it goes on every
 * segment and is parsed on every segment.
 *
 * Receiving (RFC 5482 section 3.1):
 *   USER_TIMEOUT = min(U_LIMIT, max(ADV_UTO, REMOTE_UTO, L_LIMIT))
 * set with bpf_setsockopt(TCP_USER_TIMEOUT) once the connection is
 * established on either side.
 */
#include "common.bpf.h"

TCPOPT_CONFIG_MAP(struct tcpopt_uto_config);

static __always_inline struct tcpopt_uto_config *uto_config(void)
{
	__u32 zero = 0;
	struct tcpopt_uto_config *cfg = bpf_map_lookup_elem(&config, &zero);

	return cfg && cfg->common.abi == TCPOPT_ABI ? cfg : 0;
}

/* The peer's UTO in ms, 0 when absent, <0 when malformed. */
static __always_inline long uto_read(struct bpf_sock_ops *skops, __u64 flags)
{
	__u8 buf[TCP_OPT_MAX_LEN] = { TCPOPT_KIND_UTO };
	long rc = opt_load(skops, buf, flags);
	__u16 val;

	if (rc == -ENOMSG || rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (rc != TCPOPT_UTO_LEN) {
		count(TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	val = (__u16)(buf[2] << 8 | buf[3]);
	if (!(val & TCPOPT_UTO_MAX_VALUE)) {
		/* A zero timeout is meaningless: not a value to act on. */
		count(TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	count(TCPOPT_STAT_RECEIVED);
	return (long)(val & TCPOPT_UTO_MAX_VALUE) *
	       (val & TCPOPT_UTO_G ? 60000 : 1000);
}

static __always_inline void uto_apply(struct bpf_sock_ops *skops,
				      const struct tcpopt_uto_config *cfg,
				      long remote_ms)
{
	__u32 t = cfg->adv_ms;
	bool use_remote = remote_ms > 0 && !(cfg->common.flags & TCPOPT_F_IGNORE);

	if (remote_ms > 0 && !use_remote)
		count(TCPOPT_STAT_REFUSED);
	if (use_remote && remote_ms > t)
		t = (__u32)remote_ms;
	if (t < cfg->min_ms)
		t = cfg->min_ms;
	if (t > cfg->max_ms)
		t = cfg->max_ms;
	if (bpf_setsockopt(skops, SOL_TCP, TCP_USER_TIMEOUT, &t, sizeof(t)))
		count(TCPOPT_STAT_ERROR);
	else if (use_remote)
		count(TCPOPT_STAT_APPLIED);
}

/* Whether this segment is one to write on is opt_reserve()'s and
 * opt_store()'s part (writer_due): the SYN, the SYN-ACK, the connecting
 * side's first ACK, and every segment in "every" mode. */
static __always_inline bool uto_wanted(const struct bpf_sock_ops *skops,
				       const struct tcpopt_uto_config *cfg)
{
	return !(cfg->common.flags & TCPOPT_F_NO_SEND);
}

static __always_inline void uto_write(struct bpf_sock_ops *skops,
				      const struct tcpopt_uto_config *cfg)
{
	__u8 opt[TCPOPT_UTO_LEN] = {
		TCPOPT_KIND_UTO, TCPOPT_UTO_LEN, cfg->wire >> 8, cfg->wire & 0xff,
	};
	bool syn = skops->skb_tcp_flags & TCPHDR_SYN;

	opt_store(skops, opt, sizeof(opt));
	/* Handshake-only mode: the first ACK was the last segment to carry it. */
	if (!syn && !(cfg->common.flags & TCPOPT_F_EVERY))
		cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

SEC("sockops")
int tcpopt_uto(struct bpf_sock_ops *skops)
{
	struct tcpopt_uto_config *cfg = uto_config();
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
		if (uto_wanted(skops, cfg) && match_conn(skops, &cfg->common))
			opt_reserve(skops, TCPOPT_UTO_LEN);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		if (uto_wanted(skops, cfg) && match_conn(skops, &cfg->common))
			uto_write(skops, cfg);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (!match_conn(skops, &cfg->common))
			break;
		/* skb is the SYN-ACK. */
		uto_apply(skops, cfg, uto_read(skops, 0));
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB: {
		long remote;

		if (!match_conn(skops, &cfg->common)) {
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
			break;
		}
		/* The saved SYN first; without one (syncookies, or a
		 * listener older than the program) the completing ACK. */
		remote = uto_read(skops, BPF_LOAD_HDR_OPT_TCP_SYN);
		if (!remote)
			remote = uto_read(skops, 0);
		uto_apply(skops, cfg, remote);
		if (every)
			cb_flags_add(skops, BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
		else
			cb_flags_clear(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	}
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB: {
		long remote = uto_read(skops, 0);

		if (remote > 0)
			uto_apply(skops, cfg, remote);
		break;
	}
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
