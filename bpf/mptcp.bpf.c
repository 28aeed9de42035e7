// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * MPTCP for unmodified programs: the TCP sockets that the processes of a
 * cgroup (and of its descendants) create with socket(2) are created as
 * MPTCP sockets instead, through the kernel's update_socket_protocol hook
 * (fmod_ret, Linux 6.6).  "tcpopt mptcp enable" loads one per cgroup.
 *
 * An fmod_ret program that returns non-zero replaces the function's result
 * and stops the programs after it: return 0 to leave a socket alone, so
 * that every cgroup's program sees it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tcpopt.h"

#define AF_INET		2
#define AF_INET6	10
#define SOCK_STREAM	1
#define SOCK_TYPE_MASK	0xf	/* the rest of "type": SOCK_NONBLOCK, SOCK_CLOEXEC */
#define IPPROTO_TCP	6
#define IPPROTO_MPTCP	262

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpopt_mptcp_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCPOPT_MPTCP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &what);

	if (v)
		*v += 1;
}

/* int update_socket_protocol(int family, int type, int protocol) */
SEC("fmod_ret/update_socket_protocol")
int tcpopt_mptcp(unsigned long long *ctx)
{
	int family = (int)ctx[0], type = (int)ctx[1], protocol = (int)ctx[2];
	struct tcpopt_mptcp_config *cfg;
	__u32 key = 0, bit;

	if ((family != AF_INET && family != AF_INET6) ||
	    (type & SOCK_TYPE_MASK) != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP))
		return 0;
	/* current's cgroup is the cgroup or one below it */
	if (bpf_current_task_under_cgroup(&cgroup, 0) != 1)
		return 0;
	cfg = bpf_map_lookup_elem(&config, &key);
	bit = family == AF_INET ? TCPOPT_MPTCP_IPV4 : TCPOPT_MPTCP_IPV6;
	if (!cfg || !(cfg->families & bit)) {
		count(TCPOPT_MPTCP_STAT_SKIPPED);
		return 0;
	}
	count(TCPOPT_MPTCP_STAT_UPGRADED);
	if (protocol == IPPROTO_TCP)
		count(TCPOPT_MPTCP_STAT_NAMED_TCP);
	return IPPROTO_MPTCP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
