/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Middleboxes: the driver's hooks that find out whether a path strips or
 * drops tcpopt's options, fall back, and remember it per destination.
 * Wire format and shared layouts: "Middleboxes" in tcpopt.h.
 *
 * The echo.  A listener whose driver has a slot that takes part (a path
 * policy other than off) ends its SYN-ACK with the echo: which of the
 * SYN's options it saw, and which of its own it sent.  The connecting side
 * compares the SYN-ACK's echo with what its SYN carried (stripped: sent,
 * not seen; no echo: unanswered) and answers on its first ACK: which of
 * the SYN-ACK's options it saw, and the SYN-ACK's sent returned; the
 * listener compares at PASSIVE_ESTABLISHED.  No side keeps state per
 * connection: the listener's is in the echo, the connecting side's (what
 * its SYN carried) in its destination's entry.
 *
 * Blackholes.  TCP_CONNECT turns BPF_SOCK_OPS_RTO_CB on when a probe slot
 * writes; a SYN that times out marks the socket (per CPU: the retransmission
 * follows in the same timer callback) and the retransmitted SYN goes out
 * without the probe slots (counted fallback); later retransmissions too
 * (total_retrans).  A connection made after that marks its destination a
 * blackhole (counted blackholed), unless the echo says the first SYN did
 * arrive; until the cgroup's expiry, probe slots leave out the handshake
 * (SYN and first ACK) of every connection to it, then the next SYN probes
 * again.  ACTIVE_ESTABLISHED turns the RTO callback off.
 *
 * Per-destination memory: the LRU hash tcpopt_paths, shared by every
 * driver, keyed by the driver's cgroup and the peer's address (masked to
 * the cgroup's prefix lengths); state changes go to the ring buffer
 * tcpopt_path_events for "tcpopt monitor path".
 *
 * What the verifier costs.  The hooks of more than a few lines are global
 * functions (path_echo_end, path_active_state, path_seen, path_key,
 * path_event): the verifier checks each once, for any arguments, instead
 * of once per state of the callback that reaches it.  That is what `option
 * add` waits for when it loads a driver: inline, these hooks made the
 * uto-only driver 23 344 verified instructions (4 036 without them);
 * global, 8 791.  A global function's pointer argument is checked as
 * memory of its type's size, and whether a NULL is let through differs
 * between the kernels we support: none is passed.  A destination's entry
 * that may be missing is dealt with inline (path_syn_end) or checked
 * before the call (path_active_end).
 */
#ifndef TCPOPT_PATH_BPF_H
#define TCPOPT_PATH_BPF_H

#include "driver.bpf.h"

#define BPF_TCP_SYN_SENT_STATE	2	/* enum BPF_TCP_SYN_SENT */

enum path_echo {
	PATH_ECHO_NONE,		/* no echo: a peer without tcpopt, or no room */
	PATH_ECHO_READ,
	PATH_ECHO_MALFORMED,	/* ours, but too short to read */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TCPOPT_PATH_ENTRIES);
	__type(key, struct tcpopt_path_key);
	__type(value, struct tcpopt_path);
} tcpopt_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TCPOPT_PATH_EVENTS_BYTES);
} tcpopt_path_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpopt_path_config);
} path_config SEC(".maps");

/* A segment's identity, for the per-CPU notes below. */
struct path_seg_key {
	__u32 ports;
	__u32 raddr;
	__u32 snd_nxt;		/* 0 on a request socket */
	__u32 op;
};

/*
 * "The echo has room on this segment already": the drivers of nested
 * cgroups all run the same callback, back to back, the innermost first;
 * the first that reserves the echo notes it here and the others do not
 * (the kernel refuses a second store of the same option anyway).  Shared
 * by all drivers (pinned by user space).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_seg_key);
} tcpopt_echo_note SEC(".maps");

/* The SYN of this socket timed out: RTO_CB runs just before the
 * retransmission, in the same timer callback. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_seg_key);
} path_rto_mark SEC(".maps");

/* What the connecting side's first ACK says, left by ACTIVE_ESTABLISHED
 * beside first_ack (tcpopt.bpf.c), keyed the same way. */
struct path_ack_mark {
	struct path_seg_key k;
	__u16 seen;
	__u16 sent;
	__u8 echo;		/* an echo is due */
	__u8 quiet;		/* probe slots leave the first ACK out */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_ack_mark);
} path_ack SEC(".maps");

static __always_inline void path_seg_key(const struct bpf_sock_ops *skops,
					 struct path_seg_key *k, __u32 op)
{
	k->ports = skops->local_port ^ skops->remote_port;
	/* Both, whatever the family: a ctx offset chosen at run time is
	 * refused by the verifier. */
	k->raddr = skops->remote_ip4 ^ skops->remote_ip6[3];
	k->snd_nxt = skops->is_fullsock ? skops->snd_nxt : 0;
	k->op = op;
}

static __always_inline bool path_seg_key_eq(const struct path_seg_key *a,
					    const struct path_seg_key *b)
{
	return a->ports == b->ports && a->raddr == b->raddr &&
	       a->snd_nxt == b->snd_nxt && a->op == b->op;
}

/* ---- the slots' side (called from drv_option, tcpopt.bpf.c) ---- */

static __always_inline bool path_off(const struct tcpopt_common *cm)
{
	return cm->flags & TCPOPT_F_PATH_OFF;
}

static __always_inline bool path_probe(const struct tcpopt_common *cm)
{
	return !(cm->flags & (TCPOPT_F_PATH_OFF | TCPOPT_F_PATH_ALWAYS));
}

/* The option's bit in the echo. */
static __always_inline __u16 path_echo_bit(const struct tcpopt_slot_config *cfg)
{
	__u16 exid = cfg->common.exid;

	if (cfg->type == TCPOPT_TYPE_UTO)
		return 1U << TCPOPT_ECHO_UTO_BIT;
	return exid ? 1U << (1 + exid % TCPOPT_ECHO_EXP_BUCKETS) : 0;
}

/* A matching slot in a callback other than the answers': does it count? */
static __always_inline void path_slot_seen(struct drv_ctx *c, const struct tcpopt_common *cm,
					   __u32 len)
{
	if (path_off(cm))
		return;
	c->path.slots++;
	if (len && path_probe(cm))
		c->path.probes++;
}

/* Is this handshake segment one that a probe slot leaves out? */
static __always_inline bool path_left_out(const struct drv_ctx *c, const struct tcpopt_common *cm)
{
	return c->path.quiet && (c->syn || c->first) && path_probe(cm);
}

/* HDR_OPT_LEN: the slot got room. */
static __always_inline void path_reserved(struct drv_ctx *c, const struct tcpopt_common *cm,
					  __u32 index)
{
	if (path_off(cm))
		return;
	c->path.sent_slots |= 1U << index;
	if (path_probe(cm))
		c->path.sent_probe |= 1U << index;
}

/* WRITE_HDR_OPT: the slot's option is on the segment. */
static __always_inline void path_stored(struct drv_ctx *c, const struct tcpopt_slot_config *cfg)
{
	if (!path_off(&cfg->common))
		c->path.sent_bits |= path_echo_bit(cfg);
}

/*
 * The peer's echo in the segment of an ESTABLISHED callback, into p.  The
 * hooks with big locals are functions of their own (__noinline, or
 * global): their stack is not added to the slots'.
 */
static __noinline void path_echo_read(struct bpf_sock_ops *skops, struct drv_path *p)
{
	__u8 buf[TCP_OPT_MAX_LEN] = { TCPOPT_KIND_ECHO, TCPOPT_EXP_HDR_LEN,
				      TCPOPT_EXID_ECHO >> 8, TCPOPT_EXID_ECHO & 0xff };
	long rc = bpf_load_hdr_opt(skops, buf, sizeof(buf), 0);

	if (rc == -ENOMSG || (rc < 0 && rc != -ENOSPC)) {
		p->echo = PATH_ECHO_NONE;
	} else if (rc < TCPOPT_ECHO_LEN) {
		p->echo = PATH_ECHO_MALFORMED;	/* -ENOSPC: longer than an option can be */
	} else {
		p->echo = PATH_ECHO_READ;
		p->seen = buf[4] << 8 | buf[5];
		p->peer_sent = buf[6] << 8 | buf[7];
	}
}

/*
 * ESTABLISHED, first pass: the peer's answer for this slot.  Only slots
 * that write something are answered; on the connecting side, only those
 * that were on its SYN (c->path.syn_sent).
 */
static __always_inline void path_answer(const struct drv_ctx *c, struct drv_path *p,
					const struct drv_slot *s, __u32 len)
{
	const struct tcpopt_common *cm = &s->cfg->common;
	__u16 slot = 1U << s->index, bit;

	if (path_off(cm) || !len)
		return;
	bit = path_echo_bit(s->cfg);
	if (c->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB) {
		if (p->echo == PATH_ECHO_READ) {
			if (p->peer_sent & ~p->seen & bit)
				drv_count(s, TCPOPT_STAT_STRIPPED);
		} else {
			drv_count(s, p->echo == PATH_ECHO_MALFORMED ? TCPOPT_STAT_MALFORMED :
				  TCPOPT_STAT_UNANSWERED);
		}
		return;
	}
	if (p->fell_back & slot) {
		/* The SYN that carried it timed out; unless the echo says
		 * it arrived after all, the path dropped it. */
		if (p->echo == PATH_ECHO_READ && (p->seen & bit))
			p->fell_back &= ~slot;
		else
			p->blackholed |= slot;
		if (p->blackholed & slot)
			drv_count(s, TCPOPT_STAT_BLACKHOLED);
	}
	if (!(p->syn_sent & slot))
		return;
	p->checked |= slot;
	if (p->echo == PATH_ECHO_READ) {
		if (!(p->seen & bit)) {
			p->stripped |= slot;
			drv_count(s, TCPOPT_STAT_STRIPPED);
		}
	} else {
		drv_count(s, p->echo == PATH_ECHO_MALFORMED ? TCPOPT_STAT_MALFORMED :
			  TCPOPT_STAT_UNANSWERED);
	}
}

/* ---- the echo on the wire ---- */

struct path_scan {
	__u8 b[TCP_HDR_BUF];
	__u32 len;
	__u32 off;
	__u16 seen;
	__u16 pad;
};

/* One option of the walk: its bit, if it is one the echo reports. */
static long path_scan_step(__u64 index, void *ctx)
{
	struct path_scan *s = ctx;
	__u32 off = s->off, len = s->len;
	__u16 id;
	__u8 k, l;

	if (off < TCP_HDR_MIN || off >= len)
		return 1;
	k = s->b[off & TCP_HDR_MASK];
	if (k == 0)
		return 1;
	if (k == 1) {
		s->off = off + 1;
		return 0;
	}
	l = off + 1 < len ? s->b[(off + 1) & TCP_HDR_MASK] : 0;
	if (l < 2 || off + l > len)
		return 1;	/* broken: what came before is all we saw */
	if (k == TCPOPT_KIND_UTO && l == TCPOPT_UTO_LEN) {
		s->seen |= 1U << TCPOPT_ECHO_UTO_BIT;
	} else if ((k == TCPOPT_KIND_EXP1 || k == TCPOPT_KIND_EXP2) && l >= TCPOPT_EXP_HDR_LEN) {
		id = s->b[(off + 2) & TCP_HDR_MASK] << 8 | s->b[(off + 3) & TCP_HDR_MASK];
		if (id && !(k == TCPOPT_KIND_ECHO && id == TCPOPT_EXID_ECHO))
			s->seen |= 1U << (1 + id % TCPOPT_ECHO_EXP_BUCKETS);
	}
	s->off = off + l;
	return 0;
}

/* The echo bits of the options in a copied header. */
__noinline int path_seen(const struct drv_hdr *h)
{
	struct path_scan s;

	if (!h || h->len < TCP_HDR_MIN)
		return 0;
	__builtin_memcpy(s.b, h->b, TCP_HDR_BUF);
	s.len = h->len;
	s.off = TCP_HDR_MIN;
	s.seen = 0;
	bpf_loop(TCP_OPT_MAX_LEN, path_scan_step, &s, 0);
	return s.seen;
}

/* HDR_OPT_LEN: room for the echo, unless a nested driver took it. */
static __always_inline void path_echo_reserve(struct bpf_sock_ops *skops, struct drv_ctx *c)
{
	struct path_seg_key k, *note;
	__u32 zero = 0;

	note = bpf_map_lookup_elem(&tcpopt_echo_note, &zero);
	path_seg_key(skops, &k, c->op);
	if (note && path_seg_key_eq(note, &k))
		return;
	if (bpf_reserve_hdr_opt(skops, TCPOPT_ECHO_LEN, 0))
		return;		/* no room: the peer counts unanswered */
	c->want += TCPOPT_ECHO_LEN;
	if (note)
		*note = k;
}

static __always_inline void path_echo_store(struct bpf_sock_ops *skops, __u16 seen, __u16 sent)
{
	__u8 opt[TCPOPT_ECHO_LEN] = { TCPOPT_KIND_ECHO, TCPOPT_ECHO_LEN,
				      TCPOPT_EXID_ECHO >> 8, TCPOPT_EXID_ECHO & 0xff,
				      seen >> 8, seen & 0xff, sent >> 8, sent & 0xff };

	/* -EEXIST: a nested driver wrote it; -ENOSPC: it got no room. */
	bpf_store_hdr_opt(skops, opt, sizeof(opt), 0);
}

/* ---- the destination ---- */

static __always_inline const struct tcpopt_path_config *path_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&path_config, &zero);
}

__noinline int path_key(const struct bpf_sock_ops *skops,
			const struct tcpopt_path_config *pc,
			struct tcpopt_path_key *k)
{
	__u32 family = skops->family, plen;
	int i;

	if (!pc || !k)
		return -1;
	__builtin_memset(k, 0, sizeof(*k));
	k->cgroup_id = pc->cgroup_id;
	if (family == AF_INET) {
		k->addr[0] = skops->remote_ip4;
	} else {
		k->addr[0] = skops->remote_ip6[0];
		k->addr[1] = skops->remote_ip6[1];
		k->addr[2] = skops->remote_ip6[2];
		k->addr[3] = skops->remote_ip6[3];
	}
	family = unmap_v4(family, k->addr);
	k->family = family;
	plen = family == AF_INET ? (pc->prefix4 && pc->prefix4 < 32 ? pc->prefix4 : 32) :
				   (pc->prefix6 && pc->prefix6 < 128 ? pc->prefix6 : 128);
	k->prefix_len = plen;
#pragma unroll
	for (i = 0; i < 4; i++) {
		int bits = (int)plen - 32 * i;

		if (bits <= 0)
			k->addr[i] = 0;
		else if (bits < 32)
			k->addr[i] &= bpf_htonl(~0U << (32 - bits));
	}
	return 0;
}

static __always_inline struct tcpopt_path *path_lookup(const struct bpf_sock_ops *skops,
						       struct tcpopt_path_key *k)
{
	const struct tcpopt_path_config *pc = path_cfg();

	if (!pc || path_key(skops, pc, k))
		return NULL;
	return bpf_map_lookup_elem(&tcpopt_paths, k);
}

static __always_inline bool path_quiet(const struct tcpopt_path *e, __u64 now)
{
	const struct tcpopt_path_config *pc = path_cfg();
	__u64 expire = pc && pc->expire_s ? pc->expire_s : TCPOPT_PATH_EXPIRE_DEFAULT_S;

	return e->state == TCPOPT_PATH_BLACKHOLE && now - e->blackhole_ns < expire * 1000000000ULL;
}

__noinline int path_event(const struct tcpopt_path_key *k, const struct tcpopt_path *e,
			  __u8 prev, __u64 now)
{
	struct tcpopt_path_event *ev;

	if (!k || !e)
		return 0;
	ev = bpf_ringbuf_reserve(&tcpopt_path_events, sizeof(*ev), 0);
	if (!ev)
		return 0;	/* nobody reads fast enough: the map keeps the state */
	ev->cgroup_id = k->cgroup_id;
	ev->ns = now;
	ev->family = k->family;
	ev->prefix_len = k->prefix_len;
	ev->state = e->state;
	ev->prev = prev;
	ev->stripped_slots = e->stripped_slots;
	ev->fallback_slots = e->fallback_slots;
	__builtin_memcpy(ev->addr, k->addr, sizeof(ev->addr));
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

/* ---- the driver's side: one hook per callback (tcpopt.bpf.c) ---- */

/* TCP_CONNECT: the RTO callback, for the fallback of a SYN that times out. */
static __always_inline void path_connect(struct bpf_sock_ops *skops, const struct drv_ctx *c)
{
	if (c->path.probes && !(skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_RTO_CB_FLAG))
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
					  BPF_SOCK_OPS_RTO_CB_FLAG);
}

static __always_inline bool path_active_syn(const struct bpf_sock_ops *skops)
{
	return skops->is_fullsock && !(skops->skb_tcp_flags & TCPHDR_ACK);
}

/*
 * HDR_OPT_LEN and WRITE_HDR_OPT, before the slots: on the connecting
 * side's SYN, whether probe slots leave it out (a retransmission, or a
 * blackhole); on its first ACK, what ACTIVE_ESTABLISHED left for it.
 * Returns the destination's entry on a SYN (NULL if none yet).
 */
static __always_inline struct tcpopt_path *path_segment_begin(struct bpf_sock_ops *skops,
							      struct drv_ctx *c,
							      struct tcpopt_path_key *k)
{
	struct path_seg_key sk, *rto;
	struct path_ack_mark *m;
	struct tcpopt_path *e;
	__u32 zero = 0;

	if (c->probe)
		return NULL;
	if (c->first) {
		m = bpf_map_lookup_elem(&path_ack, &zero);
		path_seg_key(skops, &sk, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
		if (m && path_seg_key_eq(&m->k, &sk)) {
			c->path.quiet = m->quiet;
			c->path.echo_due = m->echo;
		}
		return NULL;
	}
	if (!c->syn || !path_active_syn(skops))
		return NULL;
	rto = bpf_map_lookup_elem(&path_rto_mark, &zero);
	path_seg_key(skops, &sk, BPF_SOCK_OPS_RTO_CB);
	if (skops->total_retrans || (rto && path_seg_key_eq(rto, &sk)))
		c->path.quiet = 1;	/* a retransmission: the fallback */
	e = path_lookup(skops, k);
	/* The clock only for a blackhole: a helper call on every SYN saved. */
	if (e && !c->path.quiet && e->state == TCPOPT_PATH_BLACKHOLE &&
	    path_quiet(e, bpf_ktime_get_boot_ns()))
		c->path.quiet = 1;
	return e;
}

/* A destination's first entry: zeroes, in .rodata. */
const volatile struct tcpopt_path path_new = {};

/*
 * HDR_OPT_LEN of the connecting side's SYN, after the slots: what it
 * carries, for the answer and the fallback.  Inline: e may be NULL (see
 * "What the verifier costs" above).
 */
static __always_inline void path_syn_end(struct drv_ctx *c, struct tcpopt_path *e,
					 struct tcpopt_path_key *k)
{
	if (c->op != BPF_SOCK_OPS_HDR_OPT_LEN_CB || !c->path.slots)
		return;
	if (!e) {
		/* From read-only zeroes: no 88-byte value on the stack. */
		bpf_map_update_elem(&tcpopt_paths, k, (const void *)&path_new, BPF_NOEXIST);
		e = bpf_map_lookup_elem(&tcpopt_paths, k);
		if (!e)
			return;
		if (!e->first_ns)
			e->first_ns = bpf_ktime_get_boot_ns();
	}
	e->syn_sent = c->path.sent_slots;
	e->syn_probe = c->path.sent_probe;
	/* A blackhole past its expiry: this SYN tries again. */
	if (e->state == TCPOPT_PATH_BLACKHOLE && !c->path.quiet && c->path.sent_probe) {
		e->state = TCPOPT_PATH_PROBE;
		path_event(k, e, TCPOPT_PATH_BLACKHOLE, bpf_ktime_get_boot_ns());
	}
}

/* HDR_OPT_LEN and WRITE_HDR_OPT of other segments, after the slots: the
 * echo on the SYN-ACK and on the first ACK. */
__noinline int path_echo_end(struct bpf_sock_ops *skops, struct drv_ctx *c)
{
	struct path_ack_mark *m;
	struct drv_hdr h;
	__u32 zero = 0;

	if (!c)
		return 0;
	if (c->syn) {
		/* The SYN-ACK: the listener's echo of the SYN. */
		if (!c->path.slots)
			return 0;
		if (c->op == BPF_SOCK_OPS_HDR_OPT_LEN_CB) {
			path_echo_reserve(skops, c);
			return 0;
		}
		/* A SYN-ACK sent again has the SYN only if the listener
		 * saved it: without it, no echo (its room stays NOPs). */
		drv_hdr_copy(skops, &h, true);
		if (h.len < TCP_HDR_MIN)
			return 0;
		path_echo_store(skops, path_seen(&h), c->path.sent_bits);
		return 0;
	}
	if (!c->first || !c->path.echo_due)
		return 0;
	/* The first ACK: the answer to the SYN-ACK's echo. */
	if (c->op == BPF_SOCK_OPS_HDR_OPT_LEN_CB) {
		path_echo_reserve(skops, c);
		return 0;
	}
	m = bpf_map_lookup_elem(&path_ack, &zero);
	if (m) {
		path_echo_store(skops, m->seen, m->sent);
		m->k.op = 0;
	}
	return 0;
}

/* HDR_OPT_LEN and WRITE_HDR_OPT, after the slots. */
static __always_inline void path_segment_end(struct bpf_sock_ops *skops, struct drv_ctx *c,
					     struct tcpopt_path *e, struct tcpopt_path_key *k)
{
	if (c->probe)
		return;
	if (c->syn && path_active_syn(skops))
		path_syn_end(c, e, k);
	else
		path_echo_end(skops, c);
}

/* TCP_RTO: a SYN timed out; its retransmission leaves the probe slots out. */
static __noinline void path_rto(struct bpf_sock_ops *skops)
{
	struct tcpopt_path_key k;
	struct path_seg_key *rto;
	struct tcpopt_path *e;
	__u32 zero = 0;

	if (skops->state != BPF_TCP_SYN_SENT_STATE) {
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags &
					  ~BPF_SOCK_OPS_RTO_CB_FLAG);
		return;
	}
	rto = bpf_map_lookup_elem(&path_rto_mark, &zero);
	if (rto)
		path_seg_key(skops, rto, BPF_SOCK_OPS_RTO_CB);
	e = path_lookup(skops, &k);
	if (!e || !e->syn_probe)
		return;		/* nothing of ours to leave out */
	e->fallback_slots |= e->syn_probe;
	e->syn_probe = 0;
	__sync_fetch_and_add(&e->fallbacks, 1);
}

/* ACTIVE_ESTABLISHED, before the slots: the SYN-ACK's echo, what the SYN carried. */
static __always_inline struct tcpopt_path *path_active_begin(struct bpf_sock_ops *skops,
							     struct drv_ctx *c,
							     struct tcpopt_path_key *k)
{
	struct tcpopt_path *e = path_lookup(skops, k);

	if (!e)
		return NULL;	/* no SYN of ours went to it */
	path_echo_read(skops, &c->path);
	c->path.syn_sent = e->syn_sent;
	if (skops->total_retrans && e->fallback_slots) {
		/* This connection's SYN (or another's to it) timed out. */
		c->path.fell_back = e->fallback_slots;
		e->fallback_slots = 0;
	}
	return e;
}

/*
 * ACTIVE_ESTABLISHED, after the slots: the destination's entry, its state,
 * and what the first ACK is to say (the echo, and whether probe slots stay
 * off it).
 */
__noinline int path_active_state(struct bpf_sock_ops *skops, struct drv_ctx *c,
				 struct tcpopt_path *e, const struct tcpopt_path_key *k)
{
	struct drv_path *p;
	struct path_ack_mark *m;
	__u64 now;
	__u8 prev, state;
	__u32 zero = 0;

	if (!c || !e || !k)
		return 0;
	p = &c->path;
	if (!p->slots)
		return 0;
	now = bpf_ktime_get_boot_ns();
	prev = state = e->state;
	e->last_ns = now;
	__sync_fetch_and_add(&e->connections, 1);
	if (p->blackholed) {
		state = TCPOPT_PATH_BLACKHOLE;
		e->blackhole_ns = now;
		__sync_fetch_and_add(&e->blackholed, 1);
	}
	if (p->echo == PATH_ECHO_READ) {
		__sync_fetch_and_add(&e->answered, 1);
		e->answered_ns = now;
		if (p->stripped) {
			__sync_fetch_and_add(&e->stripped, 1);
			e->stripped_ns = now;
		}
	} else {
		__sync_fetch_and_add(p->echo == PATH_ECHO_MALFORMED ? &e->malformed :
				     &e->unanswered, 1);
	}
	/* The state says what the options met; a connection that sent none
	 * says nothing of it.  A blackhole stays one until its expiry,
	 * whatever the options that still went (policy always) met. */
	if (p->checked) {
		if (!p->blackholed && !path_quiet(e, now)) {
			e->stripped_slots = p->stripped;
			state = p->echo != PATH_ECHO_READ ? TCPOPT_PATH_UNANSWERED :
				p->stripped ? TCPOPT_PATH_STRIPPED : TCPOPT_PATH_OK;
		}
	}
	e->state = state;
	if (state != prev || p->blackholed)
		path_event(k, e, prev, now);

	m = bpf_map_lookup_elem(&path_ack, &zero);
	if (!m)
		return 0;
	path_seg_key(skops, &m->k, BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);
	m->echo = p->echo == PATH_ECHO_READ;
	m->quiet = p->blackholed || path_quiet(e, now);
	m->seen = m->echo ? path_seen(&c->hdr) : 0;
	m->sent = p->peer_sent;
	p->echo_due = m->echo;
	return 0;
}

/* ACTIVE_ESTABLISHED, after the slots: no RTO callback past the handshake;
 * the destination's entry, if the SYN had one (e non-NULL for the global
 * function). */
static __always_inline void path_active_end(struct bpf_sock_ops *skops, struct drv_ctx *c,
					    struct tcpopt_path *e,
					    const struct tcpopt_path_key *k)
{
	if (skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_RTO_CB_FLAG)
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags &
					  ~BPF_SOCK_OPS_RTO_CB_FLAG);
	if (e)
		path_active_state(skops, c, e, k);
}

/* PASSIVE_ESTABLISHED, before the slots: the first ACK's echo. */
static __always_inline void path_passive_begin(struct bpf_sock_ops *skops, struct drv_ctx *c)
{
	path_echo_read(skops, &c->path);
}

#endif
