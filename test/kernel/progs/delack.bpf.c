// SPDX-License-Identifier: GPL-2.0
/*
 * Test program for TCP_BPF_DELACK_SEGS: sets the value found in
 * delack_state[0] on every passively established socket (the receiver of
 * the bulk transfer) and records what bpf_getsockopt() reads back.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define SOL_TCP 6

enum {
	DELACK_CFG_SEGS,	/* value to set, written by the test */
	DELACK_SET_OK,		/* sockets where bpf_setsockopt() succeeded */
	DELACK_READBACK,	/* last value read with bpf_getsockopt() */
	DELACK_LAST_ERR,	/* last error of bpf_setsockopt() */
	DELACK_NR,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DELACK_NR);
	__type(key, __u32);
	__type(value, __s32);
} delack_state SEC(".maps");

static __s32 *slot(__u32 key)
{
	return bpf_map_lookup_elem(&delack_state, &key);
}

SEC("sockops")
int delack_segs(struct bpf_sock_ops *skops)
{
	__s32 *cfg, *ok, *readback, *err;
	int segs, val = -1, ret;

	if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;

	cfg = slot(DELACK_CFG_SEGS);
	ok = slot(DELACK_SET_OK);
	readback = slot(DELACK_READBACK);
	err = slot(DELACK_LAST_ERR);
	if (!cfg || !ok || !readback || !err)
		return 1;

	segs = *cfg;
	ret = bpf_setsockopt(skops, SOL_TCP, TCP_BPF_DELACK_SEGS,
			     &segs, sizeof(segs));
	if (ret) {
		*err = ret;
		return 1;
	}
	__sync_fetch_and_add(ok, 1);
	if (!bpf_getsockopt(skops, SOL_TCP, TCP_BPF_DELACK_SEGS,
			    &val, sizeof(val)))
		*readback = val;
	return 1;
}

char _license[] SEC("license") = "GPL";
