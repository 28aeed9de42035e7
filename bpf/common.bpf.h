/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What every tcpopt sockops program needs: kernel constants that the uapi
 * headers lack, and the filters (which connections an option is for).
 */
#ifndef TCPOPT_COMMON_BPF_H
#define TCPOPT_COMMON_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tcpopt.h"

#define AF_INET		2
#define AF_INET6	10
#define SOL_TCP		6
#define TCP_USER_TIMEOUT 18
#define TCP_CONGESTION	13
#define TCP_SAVE_SYN	27

#define TCPHDR_SYN	0x02
#define TCPHDR_ACK	0x10

#define EPERM		1
#define ENOENT		2
#define EEXIST		17
#define EINVAL		22
#define ENOSPC		28
#define ENOMSG		42
#define EFAULT		14

/* The longest TCP option: the whole 40-byte option space. */
#define TCP_OPT_MAX_LEN	40

static __always_inline bool prefix_match(const struct tcpopt_prefix *p,
					  __u32 family, const __u32 *addr)
{
	int i;

	if (!p->family)
		return true;
	if (p->family != family)
		return false;
#pragma unroll
	for (i = 0; i < 4; i++) {
		int bits = (int)p->len - 32 * i;
		__u32 mask;

		if (bits <= 0)
			break;
		mask = bits >= 32 ? 0xffffffff : bpf_htonl(~0U << (32 - bits));
		if ((addr[i] ^ p->addr[i]) & mask)
			return false;
	}
	return true;
}

/* An IPv4 peer of a dual-stack socket shows as ::ffff:a.b.c.d: match it as
 * the IPv4 address it is. */
static __always_inline __u32 unmap_v4(__u32 family, __u32 *addr)
{
	if (family == AF_INET6 && !addr[0] && !addr[1] &&
	    addr[2] == bpf_htonl(0xffff)) {
		addr[0] = addr[3];
		addr[1] = addr[2] = addr[3] = 0;
		return AF_INET;
	}
	return family;
}

/* The filters that a listening socket can be matched on. */
static __always_inline bool match_local(const struct bpf_sock_ops *skops,
					const struct tcpopt_common *c)
{
	__u32 addr[4] = {}, family = skops->family;

	if (c->local_port && skops->local_port != c->local_port)
		return false;
	if (!c->local.family)
		return true;
	if (family == AF_INET) {
		addr[0] = skops->local_ip4;
	} else {
		addr[0] = skops->local_ip6[0];
		addr[1] = skops->local_ip6[1];
		addr[2] = skops->local_ip6[2];
		addr[3] = skops->local_ip6[3];
	}
	family = unmap_v4(family, addr);
	return prefix_match(&c->local, family, addr);
}

static __always_inline bool match_remote(const struct bpf_sock_ops *skops,
					 const struct tcpopt_common *c)
{
	__u32 addr[4] = {}, family = skops->family;

	if (c->remote_port &&
	    bpf_ntohl(skops->remote_port) != c->remote_port)
		return false;
	if (!c->remote.family)
		return true;
	if (family == AF_INET) {
		addr[0] = skops->remote_ip4;
	} else {
		addr[0] = skops->remote_ip6[0];
		addr[1] = skops->remote_ip6[1];
		addr[2] = skops->remote_ip6[2];
		addr[3] = skops->remote_ip6[3];
	}
	family = unmap_v4(family, addr);
	return prefix_match(&c->remote, family, addr);
}

static __always_inline bool match_conn(const struct bpf_sock_ops *skops,
				       const struct tcpopt_common *c)
{
	return match_local(skops, c) && match_remote(skops, c);
}

#endif
