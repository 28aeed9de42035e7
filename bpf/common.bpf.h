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

/*
 * The write callbacks (BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG) are one flag per
 * socket, shared by every program on it: one option done with the
 * handshake must not turn them off for another that writes on every
 * segment.  So each program marks the sockets it writes on in its own
 * storage (writer_self), the number of writers per socket is kept in a map
 * shared by all of tcpopt's programs (tcpopt_writers, pinned once in
 * bpffs), and the flag goes off only with the last writer.  Both maps are
 * cloned with a listener's socket into its children.  A program writes
 * only on a SYN or SYN-ACK, or while it is a writer of the socket.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, __u32);
} tcpopt_writers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, __u8);
} writer_self SEC(".maps");

static __always_inline void cb_flags_set(struct bpf_sock_ops *skops, __u32 flags)
{
	if (flags != skops->bpf_sock_ops_cb_flags &&
	    bpf_sock_ops_cb_flags_set(skops, flags))
		count(TCPOPT_STAT_ERROR);
}

static __always_inline void writer_start(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	__u8 *self;
	__u32 *n;

	if (sk) {
		self = bpf_sk_storage_get(&writer_self, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		n = bpf_sk_storage_get(&tcpopt_writers, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (self && n) {
			/* Under the socket lock: plain arithmetic is safe. */
			if (!*self) {
				*self = 1;
				*n += 1;
			}
		} else {
			count(TCPOPT_STAT_ERROR);	/* the flag stays on then */
		}
	}
	cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

static __always_inline void writer_stop(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;
	__u8 *self;
	__u32 *n;

	if (!sk)
		return;
	self = bpf_sk_storage_get(&writer_self, sk, 0, 0);
	if (!self || !*self)
		return;
	*self = 0;
	n = bpf_sk_storage_get(&tcpopt_writers, sk, 0, 0);
	if (!n || !*n)
		return;
	*n -= 1;
	if (!*n)
		cb_flags_set(skops, skops->bpf_sock_ops_cb_flags &
				    ~BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* Should this program write on the segment being built? */
static __always_inline bool writer_due(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk;
	__u8 *self;

	if (skops->skb_tcp_flags & TCPHDR_SYN)
		return true;
	sk = skops->sk;
	if (!sk)
		return false;
	self = bpf_sk_storage_get(&writer_self, sk, 0, 0);
	return self && *self;
}

/* The write flag goes through writer_start/stop; the others are per socket. */
static __always_inline void cb_flags_add(struct bpf_sock_ops *skops, __u32 flags)
{
	if (flags & BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG)
		writer_start(skops);
	flags &= ~BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG;
	if (flags)
		cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | flags);
}

static __always_inline void cb_flags_clear(struct bpf_sock_ops *skops, __u32 flags)
{
	if (flags & BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG)
		writer_stop(skops);
	flags &= ~BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG;
	if (skops->bpf_sock_ops_cb_flags & flags)
		cb_flags_set(skops, skops->bpf_sock_ops_cb_flags & ~flags);
}

/* Reserve len bytes on the segment being built; count when there is no room. */
static __always_inline bool opt_reserve(struct bpf_sock_ops *skops, __u32 len)
{
	long rc;

	if (!writer_due(skops))
		return false;
	rc = bpf_reserve_hdr_opt(skops, len, 0);

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
	long rc;

	/* The write callback runs for every program once any reserved room:
	 * only the programs that reserved (opt_reserve) write. */
	if (!writer_due(skops))
		return false;
	rc = bpf_store_hdr_opt(skops, opt, len, 0);
	if (!rc) {
		count(TCPOPT_STAT_SENT);
		return true;
	}
	/* -ENOSPC: we got no room, counted by opt_reserve(); -EEXIST:
	 * another program already wrote the same option. */
	if (rc != -ENOSPC)
		count(TCPOPT_STAT_ERROR);
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

/*
 * RFC 6994 options read with every length checked here.  The kernel's
 * search (exp_load) stops at the first kind-253/254 option too short for
 * the ExID it looks for, so a truncated option would hide a good one, and
 * it cannot see an option with ExID 0 at all.  exp_find() walks the
 * option list itself instead:
 *   - the TCP header of the saved SYN (syn) or of the segment being
 *     handled is copied to the stack (TCP_HDR_BUF bytes);
 *   - a broken list (a length below 2 or past the header), a kind-@kind
 *     option too short to hold an ExID, and one with ExID 0 make the
 *     segment malformed (counted once);
 *   - the first option of @kind with @exid is copied to opt
 *     (TCP_OPT_MAX_LEN bytes).
 * Returns its length, -ENOMSG when absent, -ENOENT when there is no
 * segment (no SYN saved), -EBADMSG when malformed.
 */
#define TCP_HDR_MIN	20
#define TCP_HDR_BUF	64	/* a power of two above the 60-byte maximum */
#define TCP_HDR_MASK	(TCP_HDR_BUF - 1)

static __always_inline int tcp_hdr_copy(struct bpf_sock_ops *skops, __u8 *hdr,
					bool syn)
{
	__u8 *data, *end;
	int i, len;

	if (syn) {
		len = bpf_getsockopt(skops, SOL_TCP, TCP_BPF_SYN, hdr, 60);
		return len < TCP_HDR_MIN ? -ENOENT : len;
	}
	/* skb_data_end is the end of the TCP header here. */
	data = (__u8 *)(long)skops->skb_data;
	end = (__u8 *)(long)skops->skb_data_end;
	if (data + TCP_HDR_MIN > end)
		return -ENOENT;
	len = (data[12] >> 4) * 4;
#pragma unroll
	for (i = 0; i < 60; i++) {
		if (data + i + 1 > end)
			break;
		hdr[i] = data[i];
	}
	return len < i ? len : i;
}

/* One walk of exp_find(), in bpf_loop() so that the verifier checks
 * one step rather than every path through 40 of them. */
struct exp_scan {
	__u8 hdr[TCP_HDR_BUF];
	int hlen;
	int off;
	int found;		/* offset of the option, -1 until found */
	bool bad;
	__u8 kind;
	__u16 exid;
};

static long exp_scan_step(__u64 index, void *ctx)
{
	struct exp_scan *s = ctx;
	int off = s->off;
	__u8 k, l;
	__u16 id;

	if (off < TCP_HDR_MIN || off >= s->hlen)
		return 1;
	k = s->hdr[off & TCP_HDR_MASK];
	if (k == 0)			/* end of option list */
		return 1;
	if (k == 1) {			/* NOP */
		s->off = off + 1;
		return 0;
	}
	l = off + 2 <= s->hlen ? s->hdr[(off + 1) & TCP_HDR_MASK] : 0;
	if (l < 2 || off + l > s->hlen)
		goto bad;
	if (k == s->kind) {
		if (l < TCPOPT_EXP_HDR_LEN)
			goto bad;
		id = s->hdr[(off + 2) & TCP_HDR_MASK] << 8 |
		     s->hdr[(off + 3) & TCP_HDR_MASK];
		if (!id)
			goto bad;
		if (id == s->exid && s->found < 0)
			s->found = off;
	}
	s->off = off + l;
	return 0;
bad:
	s->bad = true;
	return 1;
}

static __always_inline long exp_find(struct bpf_sock_ops *skops, __u8 kind,
				     __u16 exid, __u8 *opt, bool syn)
{
	struct exp_scan s = { .off = TCP_HDR_MIN, .found = -1, .kind = kind, .exid = exid };
	int i;

	s.hlen = tcp_hdr_copy(skops, s.hdr, syn);
	if (s.hlen < 0)
		return s.hlen;
	/* Each step takes at least one byte of the 40 at most. */
	bpf_loop(TCP_OPT_MAX_LEN, exp_scan_step, &s, 0);
	if (s.bad) {
		count(TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	if (s.found < 0)
		return -ENOMSG;
	/* The bytes past the option's length are whatever follows it. */
#pragma unroll
	for (i = 0; i < TCP_OPT_MAX_LEN; i++)
		opt[i] = s.hdr[(s.found + i) & TCP_HDR_MASK];
	return s.hdr[(s.found + 1) & TCP_HDR_MASK];
}

#endif
