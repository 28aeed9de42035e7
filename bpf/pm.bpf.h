/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the BPF MPTCP path managers (pm_*.bpf.c) share: the additions of the
 * tcpopt kernel patch set they use (kernel/patches), the stats map and the
 * config map.  They build against the uapi headers of a stock kernel: the
 * patch set's constants have local names here, and the kfuncs resolve
 * when the program is loaded on a kernel that has them (tcpopt checks BTF
 * first: "tcpopt feature").
 */
#ifndef TCPOPT_PM_BPF_H
#define TCPOPT_PM_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tcpopt.h"

/* From the patched uapi <linux/bpf.h> */
#define PM_CB_FLAG		(1 << 7)	/* BPF_SOCK_OPS_MPTCP_CB_FLAG */
#define PM_OP_CREATED		16		/* BPF_SOCK_OPS_MPTCP_CREATED_CB */
#define PM_OP_ESTABLISHED	17		/* ..._MPTCP_ESTABLISHED_CB */
#define PM_OP_SUBFLOW_UP	19		/* ..._MPTCP_SUBFLOW_ESTABLISHED_CB */
#define PM_OP_ANNOUNCED		21		/* ..._MPTCP_ADDR_ANNOUNCED_CB */
#define PM_OP_LOCAL_ADDED	23		/* ..._MPTCP_LOCAL_ADDR_ADDED_CB */
#define PM_OP_LOCAL_REMOVED	24		/* ..._MPTCP_LOCAL_ADDR_REMOVED_CB */

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
extern int bpf_mptcp_sock_ops_get_local_addr(struct bpf_sock_ops *skops, __u32 index,
					     struct bpf_mptcp_info *info, __u32 info__sz) __ksym;
extern int bpf_mptcp_sock_ops_get_subflow(struct bpf_sock_ops *skops, __u32 index,
					  struct bpf_mptcp_info *info, __u32 info__sz) __ksym;
extern int bpf_mptcp_sock_ops_subflow_close(struct bpf_sock_ops *skops,
					    const struct bpf_mptcp_info *match,
					    __u32 match__sz) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpopt_pm_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCPOPT_PM_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void pm_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		(*v)++;
}

/*
 * The callbacks of the connections opened from the cgroup: asked for when
 * the first subflow connects.  The accepting side follows its peer: its
 * in-kernel path manager accepts subflows within its limits.
 */
static __always_inline void pm_enable(struct bpf_sock_ops *skops)
{
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | PM_CB_FLAG);
}

/* CREATED on the connecting side: keep the in-kernel PM out of the way. */
static __always_inline void pm_claim(struct bpf_sock_ops *skops)
{
	if (!skops->args[1] && !bpf_mptcp_sock_ops_pm_claim(skops))
		pm_count(TCPOPT_PM_STAT_CLAIMED);
}

static __always_inline void pm_subflow_connect(struct bpf_sock_ops *skops,
					       const struct bpf_mptcp_info *ep)
{
	if (bpf_mptcp_sock_ops_subflow_connect(skops, ep, sizeof(*ep)))
		pm_count(TCPOPT_PM_STAT_FAILED);
	else
		pm_count(TCPOPT_PM_STAT_REQUESTED);
}

/*
 * The callbacks every path manager answers alike: enable on connect,
 * claim on CREATED, count SUBFLOW_UP.  True when skops->op was one of
 * them; the program's own switch takes the others.
 */
static __always_inline bool pm_common_op(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		pm_enable(skops);
		return true;
	case PM_OP_CREATED:
		pm_claim(skops);
		return true;
	case PM_OP_SUBFLOW_UP:
		pm_count(TCPOPT_PM_STAT_ESTABLISHED);
		return true;
	}
	return false;
}

#endif
