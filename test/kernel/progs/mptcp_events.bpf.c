// SPDX-License-Identifier: GPL-2.0
/*
 * Test program for the MPTCP sockops callbacks: enables them on every TCP
 * socket that connects or listens, counts each callback by op and side, and
 * checks that bpf_mptcp_sock_ops_get_info() agrees with the arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_mptcp_sock_ops_get_info(struct bpf_sock_ops *skops,
				       struct bpf_mptcp_info *info,
				       __u32 info__sz) __ksym;

#define NR_OPS 32
#define SOL_SOCKET 1
#define SO_KEEPALIVE 9

/* key: op + NR_OPS * server_side */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * NR_OPS);
	__type(key, __u32);
	__type(value, __u32);
} mptcp_events SEC(".maps");

enum {
	CHECK_INFO_OK,		/* get_info() matched the callback arguments */
	CHECK_INFO_BAD,		/* it did not, or failed */
	CHECK_SETSOCKOPT_OK,	/* bpf_setsockopt() wrongly accepted the msk */
	CHECK_LAST_TOKEN,
	CHECK_CFG_NO_FLAG,	/* set by the test: leave the cb flag off */
	CHECK_NR,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CHECK_NR);
	__type(key, __u32);
	__type(value, __u32);
} mptcp_checks SEC(".maps");

static void bump(void *map, __u32 key)
{
	__u32 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static void set(void *map, __u32 key, __u32 val)
{
	__u32 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		*v = val;
}

SEC("sockops")
int mptcp_events_count(struct bpf_sock_ops *skops)
{
	struct bpf_mptcp_info info = {};
	__u32 op = skops->op, side, no_flag_key = CHECK_CFG_NO_FLAG;
	__u32 *no_flag;
	int one = 1;

	switch (op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		no_flag = bpf_map_lookup_elem(&mptcp_checks, &no_flag_key);
		if (no_flag && *no_flag)
			return 1;
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
						 BPF_SOCK_OPS_MPTCP_CB_FLAG);
		return 1;
	case BPF_SOCK_OPS_MPTCP_CREATED_CB ... BPF_SOCK_OPS_MPTCP_ADDR_REMOVED_CB:
		break;
	default:
		return 1;
	}

	if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
	    info.token != skops->args[0]) {
		bump(&mptcp_checks, CHECK_INFO_BAD);
	} else {
		bump(&mptcp_checks, CHECK_INFO_OK);
	}
	set(&mptcp_checks, CHECK_LAST_TOKEN, skops->args[0]);
	if (!bpf_setsockopt(skops, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)))
		bump(&mptcp_checks, CHECK_SETSOCKOPT_OK);

	side = info.server_side ? 1 : 0;
	if (op < NR_OPS)
		bump(&mptcp_events, op + NR_OPS * side);
	return 1;
}

char _license[] SEC("license") = "GPL";
