/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * BPF-side helpers shared by every tcpopt sockops program: the stats map,
 * filters, and bounded option I/O.  Included once by each program.
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCPOPT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

#define TCPOPT_CONFIG_MAP(cfg_type)						\
	struct {							\
		__uint(type, BPF_MAP_TYPE_ARRAY);			\
		__uint(max_entries, 1);					\
		__type(key, __u32);					\
		__type(value, cfg_type);					\
	} config SEC(".maps")

static __always_inline void count(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &what);

	if (v)
		*v += 1;
}

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

static __always_inline void cb_flags_add(struct bpf_sock_ops *skops, __u32 flags)
{
	if (bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | flags))
		count(TCPOPT_STAT_ERROR);
}

static __always_inline void cb_flags_clear(struct bpf_sock_ops *skops, __u32 flags)
{
	if (skops->bpf_sock_ops_cb_flags & flags &&
	    bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags & ~flags))
		count(TCPOPT_STAT_ERROR);
}

/* Reserve len bytes on the segment being built; count when there is no room. */
static __always_inline bool opt_reserve(struct bpf_sock_ops *skops, __u32 len)
{
	long rc = bpf_reserve_hdr_opt(skops, len, 0);

	if (rc == -ENOSPC) {
		/* The MSS probe asks for the worst case; only a real
		 * segment that goes out without the option counts. */
		if (!(skops->args[0] & BPF_WRITE_HDR_TCP_CURRENT_MSS))
			count(TCPOPT_STAT_NO_ROOM);
		return false;
	}
	if (rc) {
		count(TCPOPT_STAT_ERROR);
		return false;
	}
	return true;
}

static __always_inline bool opt_store(struct bpf_sock_ops *skops,
				      const void *opt, __u32 len)
{
	long rc = bpf_store_hdr_opt(skops, opt, len, 0);

	if (!rc) {
		count(TCPOPT_STAT_SENT);
		return true;
	}
	/* -ENOSPC: another program used the room we reserved; -EEXIST:
	 * another program already wrote the same option. */
	count(rc == -ENOSPC ? TCPOPT_STAT_NO_ROOM : TCPOPT_STAT_ERROR);
	return false;
}

/*
 * Find option kind in the segment (or in the SYN with
 * BPF_LOAD_HDR_OPT_TCP_SYN) and copy it to buf (TCP_OPT_MAX_LEN bytes,
 * buf[0] = kind and, for 253/254, buf[1..] = length and ExID already set).
 * Returns its length, -ENOMSG when absent, -ENOENT when no SYN is saved,
 * -EBADMSG (counted as malformed) when the options cannot be parsed.
 */
#define EBADMSG 74
static __always_inline long opt_load(struct bpf_sock_ops *skops, __u8 *buf,
				     __u64 flags)
{
	long rc = bpf_load_hdr_opt(skops, buf, TCP_OPT_MAX_LEN, flags);

	if (rc == -EFAULT || rc == -ENOSPC) {
		count(TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	return rc;
}

/*
 * RFC 6994: find the experimental option with kind (253/254) and ExID; the
 * search matches on the 4-byte kind+length+ExID prefix, so the kernel's
 * parser does the matching and we only check the length.  buf holds
 * TCP_OPT_MAX_LEN bytes.  Returns as opt_load().
 */
static __always_inline long exp_load(struct bpf_sock_ops *skops, __u8 kind,
				     __u16 exid, __u8 *buf, __u64 flags)
{
	buf[0] = kind;
	buf[1] = TCPOPT_EXP_HDR_LEN;	/* the length of the magic we search by */
	buf[2] = exid >> 8;
	buf[3] = exid & 0xff;
	return opt_load(skops, buf, flags);
}

#endif
