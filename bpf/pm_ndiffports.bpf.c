// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ndiffports: a BPF MPTCP path manager that opens N subflows over the
 * address pair of the initial one (different source ports), for the
 * connections opened from the cgroup it is attached to.  N is
 * config.subflows (the initial subflow included); "tcpopt pm set
 * ndiffports N" loads it.  Needs the tcpopt kernel patch set.
 */
#include "pm.bpf.h"

static __u32 wanted_subflows(void)
{
	struct tcpopt_pm_config *cfg;
	__u32 key = 0;

	cfg = bpf_map_lookup_elem(&config, &key);
	if (!cfg || cfg->subflows < 1)
		return 1;
	return cfg->subflows > TCPOPT_PM_MAX_SUBFLOWS ? TCPOPT_PM_MAX_SUBFLOWS : cfg->subflows;
}

SEC("sockops")
int pm_ndiffports(struct bpf_sock_ops *skops)
{
	struct bpf_mptcp_info ep = {};
	__u32 i, n;

	if (pm_common_op(skops))
		return 1;
	switch (skops->op) {
	case PM_OP_ESTABLISHED:
		if (skops->args[1])	/* server side: not ours to drive */
			break;
		n = wanted_subflows();
		/* zeroed endpoint: same addresses and remote port, new source port */
		for (i = 1; i < TCPOPT_PM_MAX_SUBFLOWS; i++) {
			if (i >= n)
				break;
			pm_subflow_connect(skops, &ep);
		}
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
