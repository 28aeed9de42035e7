// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ndiffports: a BPF MPTCP path manager that opens N subflows over the
 * address pair of the initial one (different source ports), for the
 * connections opened from the cgroup it is attached to.
 *
 * Needs the tcpopt kernel patch set (kernel/patches): the MPTCP sockops
 * callbacks and the bpf_mptcp_sock_ops_*() kfuncs.  Only the connecting
 * side acts; the peer's in-kernel PM accepts the subflows within its limits.
 *
 * Maps, for the loader:
 *   ndiffports_config  array[1] of struct ndiffports_config (subflows = N)
 *   ndiffports_stats   array[NDIFFPORTS_STAT_NR] of __u64 counters
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

#define NDIFFPORTS_MAX		8	/* subflows per connection, initial one included */

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

extern int bpf_mptcp_sock_ops_subflow_connect(struct bpf_sock_ops *skops,
					      const struct bpf_mptcp_info *ep,
					      __u32 ep__sz) __ksym;
extern int bpf_mptcp_sock_ops_pm_claim(struct bpf_sock_ops *skops) __ksym;

struct ndiffports_config {
	__u32	subflows;	/* total per connection, 1..NDIFFPORTS_MAX */
};

enum {
	NDIFFPORTS_STAT_CLAIMED,	/* connections taken from the in-kernel PM */
	NDIFFPORTS_STAT_REQUESTED,	/* subflows queued */
	NDIFFPORTS_STAT_FAILED,		/* subflow requests the kernel refused */
	NDIFFPORTS_STAT_ESTABLISHED,	/* additional subflows established */
	NDIFFPORTS_STAT_NR,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ndiffports_config);
} ndiffports_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NDIFFPORTS_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} ndiffports_stats SEC(".maps");

static void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&ndiffports_stats, &stat);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __u32 wanted_subflows(void)
{
	__u32 key = 0;
	struct ndiffports_config *cfg;

	cfg = bpf_map_lookup_elem(&ndiffports_config, &key);
	if (!cfg || cfg->subflows < 1)
		return 1;
	return cfg->subflows > NDIFFPORTS_MAX ? NDIFFPORTS_MAX : cfg->subflows;
}

SEC("sockops")
int pm_ndiffports(struct bpf_sock_ops *skops)
{
	struct bpf_mptcp_info ep = {};
	__u32 i, n;

	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		/* the first subflow of an outgoing connection */
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
						 PM_CB_FLAG);
		break;
	case PM_OP_CREATED:
		if (skops->args[1])	/* server side: not ours to drive */
			break;
		if (!bpf_mptcp_sock_ops_pm_claim(skops))
			count(NDIFFPORTS_STAT_CLAIMED);
		break;
	case PM_OP_ESTABLISHED:
		if (skops->args[1])
			break;
		n = wanted_subflows();
		/* zeroed endpoint: same addresses and remote port, new source port */
		for (i = 1; i < NDIFFPORTS_MAX; i++) {
			if (i >= n)
				break;
			if (bpf_mptcp_sock_ops_subflow_connect(skops, &ep, sizeof(ep)))
				count(NDIFFPORTS_STAT_FAILED);
			else
				count(NDIFFPORTS_STAT_REQUESTED);
		}
		break;
	case PM_OP_SUBFLOW_UP:
		count(NDIFFPORTS_STAT_ESTABLISHED);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
