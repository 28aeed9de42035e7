// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * hello_opt: the smallest useful sockops program for "tcpopt option add
 * object".  It writes one RFC 6994 experimental option on the SYN and
 * SYN-ACK of the sockets of its cgroup:
 *
 *   kind 254, length 6, ExID 0x4845 ("HE"), data "hi" (0x68 0x69)
 *
 * and counts what it did in a map named "stats".  tcpopt pins every map
 * of the object next to the link; a PERCPU_ARRAY "stats" of 8 __u64 in
 * tcpopt's order (sent, received, applied, refused, unsupported,
 * malformed, no_room, error) shows in "tcpopt stats".
 *
 *   make                       # builds build/examples/hello_opt.bpf.o
 *   tcpopt option add object build/examples/hello_opt.bpf.o cgroup /web
 *   tcpopt stats option object hello_opt
 *   tcpopt option del object hello_opt cgroup /web
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HELLO_EXID	0x4845
#define HELLO_LEN	6

#define TCPHDR_SYN	0x02
#define ENOSPC		28

/* The same indices as tcpopt's counters. */
enum { STAT_SENT = 0, STAT_NO_ROOM = 6, STAT_ERROR = 7, STAT_MAX = 8 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &what);

	if (v)
		*v += 1;
}

SEC("sockops")
int hello_opt(struct bpf_sock_ops *skops)
{
	__u8 opt[HELLO_LEN] = { 254, HELLO_LEN, HELLO_EXID >> 8, HELLO_EXID & 0xff, 'h', 'i' };
	long rc;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:	/* an active open: our SYN */
	case BPF_SOCK_OPS_TCP_LISTEN_CB:	/* a listener: its SYN-ACKs */
		/* Ask for the two header-option callbacks below. */
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
					  BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		/* Handshake done: no more options, no more callbacks. */
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags &
					  ~BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		/* First pass: reserve room, on SYNs only. */
		if (!(skops->skb_tcp_flags & TCPHDR_SYN))
			break;
		rc = bpf_reserve_hdr_opt(skops, HELLO_LEN, 0);
		/* The MSS probe asks for the worst case: not a real segment. */
		if (rc == -ENOSPC && !(skops->args[0] & BPF_WRITE_HDR_TCP_CURRENT_MSS))
			count(STAT_NO_ROOM);
		else if (rc && rc != -ENOSPC)
			count(STAT_ERROR);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		/* Second pass: write the bytes into the room reserved. */
		if (!(skops->skb_tcp_flags & TCPHDR_SYN))
			break;
		rc = bpf_store_hdr_opt(skops, opt, sizeof(opt), 0);
		if (!rc)
			count(STAT_SENT);
		else if (rc != -ENOSPC)	/* -ENOSPC: no room, counted above */
			count(STAT_ERROR);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
