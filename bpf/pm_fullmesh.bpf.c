// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fullmesh: a BPF MPTCP path manager that opens a subflow from every local
 * address to every address of the peer (the one connected to and each one
 * it announces), IPv4 and IPv6, for the connections opened from the cgroup
 * it is attached to.
 *
 * The local addresses are in fullmesh_local_addrs, which the loader fills
 * and keeps current as addresses come and go; a slot with family 0 is free.
 * Client and server are told apart by the callback's server-side argument,
 * never by port.  Needs the tcpopt kernel patch set (kernel/patches).
 *
 * Maps, for the loader:
 *   fullmesh_local_addrs  array[FULLMESH_MAX_LOCAL] of struct fullmesh_addr
 *   fullmesh_stats        array[FULLMESH_STAT_NR] of __u64 counters
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* From the patched uapi <linux/bpf.h>; local names so that this also builds
 * against the headers of a stock kernel.
 */
#define PM_CB_FLAG		(1 << 7)	/* BPF_SOCK_OPS_MPTCP_CB_FLAG */
#define PM_OP_CREATED		16		/* BPF_SOCK_OPS_MPTCP_CREATED_CB */
#define PM_OP_ESTABLISHED	17		/* ..._MPTCP_ESTABLISHED_CB */
#define PM_OP_SUBFLOW_UP	19		/* ..._MPTCP_SUBFLOW_ESTABLISHED_CB */
#define PM_OP_ANNOUNCED		21		/* ..._MPTCP_ADDR_ANNOUNCED_CB */

#define AF_INET		2
#define AF_INET6	10

#define FULLMESH_MAX_LOCAL	8

/* Layout of the kernel's struct bpf_mptcp_info (net/mptcp/bpf.c) */
struct bpf_mptcp_info {
	__u32	token;
	__u8	server_side;
	__u8	local_id;
	__u8	remote_id;
	__u8	family;
	__be16	local_port;
	__be16	remote_port;
	__be32	local_addr[4];
	__be32	remote_addr[4];
};

extern int bpf_mptcp_sock_ops_get_info(struct bpf_sock_ops *skops,
				       struct bpf_mptcp_info *info,
				       __u32 info__sz) __ksym;
extern int bpf_mptcp_sock_ops_subflow_connect(struct bpf_sock_ops *skops,
					      const struct bpf_mptcp_info *ep,
					      __u32 ep__sz) __ksym;
extern int bpf_mptcp_sock_ops_pm_claim(struct bpf_sock_ops *skops) __ksym;

struct fullmesh_addr {
	__u32	family;		/* AF_INET, AF_INET6, 0 for a free slot */
	__be32	addr[4];	/* an IPv4 address in addr[0] */
};

enum {
	FULLMESH_STAT_CLAIMED,		/* connections taken from the in-kernel PM */
	FULLMESH_STAT_REQUESTED,	/* subflows queued */
	FULLMESH_STAT_FAILED,		/* subflow requests the kernel refused */
	FULLMESH_STAT_ESTABLISHED,	/* additional subflows established */
	FULLMESH_STAT_ANNOUNCED,	/* addresses the peers announced */
	FULLMESH_STAT_NR,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FULLMESH_MAX_LOCAL);
	__type(key, __u32);
	__type(value, struct fullmesh_addr);
} fullmesh_local_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FULLMESH_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} fullmesh_stats SEC(".maps");

static void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&fullmesh_stats, &stat);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static int same_addr(const struct fullmesh_addr *a, const struct bpf_mptcp_info *info)
{
	if (a->family == AF_INET)
		return a->addr[0] == info->local_addr[0];
	return a->addr[0] == info->local_addr[0] && a->addr[1] == info->local_addr[1] &&
	       a->addr[2] == info->local_addr[2] && a->addr[3] == info->local_addr[3];
}

/*
 * Open a subflow from each local address of the remote address's family to
 * the remote address in *ep, except from skip (when set): the local address
 * of a subflow that already exists.
 */
static void connect_from_all(struct bpf_sock_ops *skops, struct bpf_mptcp_info *ep,
			     const struct bpf_mptcp_info *skip)
{
	struct fullmesh_addr *local;
	__u32 i, key;

	for (i = 0; i < FULLMESH_MAX_LOCAL; i++) {
		key = i;
		local = bpf_map_lookup_elem(&fullmesh_local_addrs, &key);
		if (!local || local->family != ep->family)
			continue;
		if (skip && same_addr(local, skip))
			continue;
		ep->local_addr[0] = local->addr[0];
		ep->local_addr[1] = local->addr[1];
		ep->local_addr[2] = local->addr[2];
		ep->local_addr[3] = local->addr[3];
		if (bpf_mptcp_sock_ops_subflow_connect(skops, ep, sizeof(*ep)))
			count(FULLMESH_STAT_FAILED);
		else
			count(FULLMESH_STAT_REQUESTED);
	}
}

SEC("sockops")
int pm_fullmesh(struct bpf_sock_ops *skops)
{
	struct bpf_mptcp_info info = {}, ep = {};

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
						 PM_CB_FLAG);
		break;
	case PM_OP_CREATED:
		if (skops->args[1])	/* the accepting side follows the peer */
			break;
		if (!bpf_mptcp_sock_ops_pm_claim(skops))
			count(FULLMESH_STAT_CLAIMED);
		break;
	case PM_OP_ESTABLISHED:
		if (skops->args[1] ||
		    bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)))
			break;
		/* the peer's initial address, from the other local addresses */
		ep.family = info.family;
		ep.remote_id = info.remote_id;
		ep.remote_port = info.remote_port;
		ep.remote_addr[0] = info.remote_addr[0];
		ep.remote_addr[1] = info.remote_addr[1];
		ep.remote_addr[2] = info.remote_addr[2];
		ep.remote_addr[3] = info.remote_addr[3];
		connect_from_all(skops, &ep, &info);
		break;
	case PM_OP_ANNOUNCED:
		count(FULLMESH_STAT_ANNOUNCED);
		if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
		    info.server_side)
			break;
		ep.family = info.family;
		ep.remote_id = info.remote_id;
		ep.remote_port = info.remote_port;
		ep.remote_addr[0] = info.remote_addr[0];
		ep.remote_addr[1] = info.remote_addr[1];
		ep.remote_addr[2] = info.remote_addr[2];
		ep.remote_addr[3] = info.remote_addr[3];
		connect_from_all(skops, &ep, NULL);
		break;
	case PM_OP_SUBFLOW_UP:
		count(FULLMESH_STAT_ESTABLISHED);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
