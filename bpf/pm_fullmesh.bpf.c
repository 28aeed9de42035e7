// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fullmesh: a BPF MPTCP path manager that opens a subflow from every local
 * address to every address of the peer (the one connected to and each one
 * it announces), IPv4 and IPv6, for the connections opened from the cgroup
 * it is attached to.
 *
 * The local addresses are in local_addrs, which tcpopt fills and keeps
 * current as addresses come and go ("tcpopt pm set fullmesh ... follow");
 * a slot with family 0 is free.  Client and server are told apart by the
 * callback's server-side argument, never by port.  Needs the tcpopt kernel
 * patch set.
 */
#include "pm.bpf.h"

#define AF_INET		2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TCPOPT_PM_MAX_LOCAL);
	__type(key, __u32);
	__type(value, struct tcpopt_pm_addr);
} local_addrs SEC(".maps");

static int same_addr(const struct tcpopt_pm_addr *a, const struct bpf_mptcp_info *info)
{
	if (a->family == AF_INET)
		return a->addr[0] == info->local_addr[0];
	return a->addr[0] == info->local_addr[0] && a->addr[1] == info->local_addr[1] &&
	       a->addr[2] == info->local_addr[2] && a->addr[3] == info->local_addr[3];
}

/*
 * Open a subflow from each local address of the remote address's family to
 * the remote address of info, except from the local address of info itself
 * (when skip_own: the initial subflow already goes from there).
 */
static void connect_from_all(struct bpf_sock_ops *skops, const struct bpf_mptcp_info *info,
			     bool skip_own)
{
	struct bpf_mptcp_info ep = {};
	struct tcpopt_pm_addr *local;
	__u32 i, key;

	ep.family = info->family;
	ep.remote_id = info->remote_id;
	ep.remote_port = info->remote_port;
	ep.remote_addr[0] = info->remote_addr[0];
	ep.remote_addr[1] = info->remote_addr[1];
	ep.remote_addr[2] = info->remote_addr[2];
	ep.remote_addr[3] = info->remote_addr[3];
	for (i = 0; i < TCPOPT_PM_MAX_LOCAL; i++) {
		key = i;
		local = bpf_map_lookup_elem(&local_addrs, &key);
		if (!local || local->family != ep.family)
			continue;
		if (skip_own && same_addr(local, info))
			continue;
		ep.local_addr[0] = local->addr[0];
		ep.local_addr[1] = local->addr[1];
		ep.local_addr[2] = local->addr[2];
		ep.local_addr[3] = local->addr[3];
		pm_subflow_connect(skops, &ep);
	}
}

SEC("sockops")
int pm_fullmesh(struct bpf_sock_ops *skops)
{
	struct bpf_mptcp_info info = {};

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		pm_enable(skops);
		break;
	case PM_OP_CREATED:
		pm_claim(skops);
		break;
	case PM_OP_ESTABLISHED:
		/* the peer's initial address, from the other local addresses */
		if (skops->args[1] ||
		    bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)))
			break;
		connect_from_all(skops, &info, true);
		break;
	case PM_OP_ANNOUNCED:
		pm_count(TCPOPT_PM_STAT_ANNOUNCED);
		/* info's remote address is the one announced */
		if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
		    info.server_side)
			break;
		connect_from_all(skops, &info, false);
		break;
	case PM_OP_SUBFLOW_UP:
		pm_count(TCPOPT_PM_STAT_ESTABLISHED);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
