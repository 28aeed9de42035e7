/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The sockops driver: one program per cgroup (bpf/tcpopt.bpf.c) runs every
 * built-in option attached to that cgroup.  The driver owns the state
 * machine of the header-option API (which callbacks are on, when a segment
 * is due, room, the saved SYN, the first ACK); an option is a handful of
 * hooks in bpf/<name>.bpf.h and one line in drv_option_of (tcpopt.bpf.c).
 *
 * Slots.  An option attached to the cgroup is a slot (0 to
 * TCPOPT_DRIVER_SLOTS - 1): its config (struct tcpopt_slot_config, which
 * says its type) and its counters are maps of the driver, config_N and
 * stats_N, created with it and pinned in the option's directory while the
 * option is attached (no map-in-map: an update of one from user space
 * waits for an RCU grace period, milliseconds).  "option add/set/del" of a built-in option change
 * those maps and the header (struct tcpopt_driver): no program is loaded
 * once the driver is there.  The header lists the active slots in the
 * order the options were added: the first gets room on a segment first.
 *
 * Hooks of an option X (all static __always_inline; cfg is its slot's
 * config, s the slot, c the callback):
 *
 *   __u32 X_len(const struct tcpopt_slot_config *cfg)
 *	The length of the option this side writes (TCPOPT_EXP_HDR_LEN to
 *	TCP_OPT_MAX_LEN), 0 when it writes nothing.  Asked on every segment
 *	that is due (below), in HDR_OPT_LEN (room) and again in
 *	WRITE_HDR_OPT: it must give the same answer for one segment.
 *
 *   void X_build(const struct tcpopt_slot_config *cfg, __u8 *opt, __u32 len)
 *	The option as it goes on the wire, len (= X_len) bytes of
 *	opt[TCP_OPT_MAX_LEN], which is zeroed.
 *
 *   long X_read(struct bpf_sock_ops *skops, struct drv_ctx *c,
 *		 const struct drv_slot *s)
 *	The peer's option: in the saved SYN (c->from == DRV_FROM_SYN, passive
 *	side, once established), else in the segment of the callback (the
 *	SYN-ACK on the active side, the completing ACK, later segments in
 *	"every" mode: c->when says DRV_HANDSHAKE or DRV_LATER).  It finds,
 *	checks (every byte of the peer's is bounded), counts (drv_count) and
 *	applies (bpf_setsockopt: the socket is a full one in these
 *	callbacks).  Returns > 0 when an option was taken, 0 when there was
 *	none (then the passive side reads the completing ACK next), < 0 when
 *	it was malformed.  Options of the RFC 6994 kinds are found in
 *	c->hdr, the header copied once for all slots
 *	(drv_exp_scan); others with bpf_load_hdr_opt (drv_load).
 *
 * When a slot writes (the driver decides, the hooks need not):
 *   - on the SYN (TCP_CONNECT_CB turns the write callbacks on) and the
 *     SYN-ACK (TCP_LISTEN_CB turns them on for the listener);
 *   - once more on the connecting side's first segment after the SYN-ACK
 *     (its first ACK): a listener in syncookie mode keeps no SYN, and one
 *     older than the program saved none.  ACTIVE_ESTABLISHED leaves a
 *     per-CPU mark of the socket (first_ack) that this segment's
 *     callbacks consume: no per-socket storage is allocated;
 *   - on every segment with TCPOPT_F_EVERY ("every").
 * The write callbacks are one flag per socket shared by every sockops
 * program on it (the drivers of parent cgroups, user objects): the driver
 * turns it off after the first ACK when none of its slots writes on every
 * segment, unless another driver still does (see drv_keep in tcpopt.bpf.c).
 *
 * Counters: drv_count(s, TCPOPT_STAT_...), per slot, per CPU, in stats_N;
 * no_room is counted by the driver (a real segment only, not the MSS
 * probe).
 *
 * Kernel helpers used: bpf_reserve/store/load_hdr_opt (5.10), bpf_loop
 * (5.17), bpf_setsockopt/getsockopt, bpf_sock_ops_cb_flags_set, global
 * functions (5.6); nothing newer.  Since 6.8 the verifier checks global
 * functions only where reachable: with drv_types, only the code of the
 * options loaded.
 *
 * Building on it: an option that answers the peer's SYN (issue 12's echo
 * of the options received) reads the SYN in the SYN-ACK's callbacks, where
 * bpf_load_hdr_opt(..., BPF_LOAD_HDR_OPT_TCP_SYN) sees it without a saved
 * copy, and writes in X_build; a fallback on SYN retransmission is a new
 * driver op (BPF_SOCK_OPS_RTO_CB, its flag set at TCP_CONNECT_CB) with an
 * X_retransmit hook; per-destination state is a map of the driver keyed by
 * the peer's address, shared by the slots that want it.
 */
#ifndef TCPOPT_DRIVER_BPF_H
#define TCPOPT_DRIVER_BPF_H

#include "common.bpf.h"

#define TCP_BPF_SYN	1005	/* bpf_getsockopt: the saved SYN's TCP header */
#define EBADMSG		74

/* Where a read looks. */
enum drv_from {
	DRV_FROM_SEG,		/* the segment of the callback */
	DRV_FROM_SYN,		/* the SYN the listener saved (TCP_SAVE_SYN) */
};

/* When a read happens. */
enum drv_when {
	DRV_HANDSHAKE,		/* established: before any data is sent */
	DRV_LATER,		/* a later segment ("every") */
};

/*
 * The TCP header of the segment (or of the saved SYN) that the RFC 6994
 * options of the slots are read from, copied once per callback for all of
 * them: TCP_HDR_BUF bytes, so that an index masked with TCP_HDR_MASK is in
 * bounds whatever the compiler did to the checks before it.
 */
#define TCP_HDR_MIN	20
#define TCP_HDR_MAX	60
#define TCP_HDR_BUF	64
#define TCP_HDR_MASK	(TCP_HDR_BUF - 1)

struct drv_hdr {
	__u8 b[TCP_HDR_BUF];
	__s32 len;		/* header bytes; < 0: none (-ENOENT: no SYN saved) */
	__u32 pad;
};

#define DRV_HDR_UNREAD	(-1000)	/* drv_hdr.len before the copy */

/*
 * What the middlebox hooks (path.bpf.h) learn in one callback: the slots
 * that take part (a path policy other than off), what went on the
 * segment, and the peer's echo.  Slots are bits of slot indexes; "bits"
 * are the echo's (TCPOPT_ECHO_*).
 */
struct drv_path {
	__u16 sent_slots;	/* HDR_OPT_LEN: slots that got room (policy not off) */
	__u16 sent_probe;	/* ... of them with policy probe */
	__u16 sent_bits;	/* WRITE_HDR_OPT: echo bits of the options stored */
	__u16 syn_sent;		/* ESTABLISHED: slots of the connection's SYN */
	__u16 fell_back;	/* ACTIVE_ESTABLISHED: probe slots of a SYN that timed out */
	__u16 checked;		/* ... slots checked against the echo */
	__u16 stripped;		/* ... of them missing from it */
	__u16 blackholed;	/* ... probe slots whose SYN was dropped */
	__u16 seen;		/* the peer's echo */
	__u16 peer_sent;
	__u8 slots;		/* matching slots with a policy other than off */
	__u8 probes;		/* ... probe slots that write (TCP_CONNECT) */
	__u8 quiet;		/* probe slots leave this handshake segment out */
	__u8 echo;		/* enum path_echo: what the peer answered */
	__u8 echo_due;		/* this segment carries our echo */
	__u8 pad[3];
};

/* One callback of the driver, on its stack; the hooks read it. */
struct drv_ctx {
	__u32 op;
	__u32 want;		/* HDR_OPT_LEN: bytes the slots got so far */
	__u32 retry;		/* slots that read the completing ACK next */
	__u32 mask;		/* the slots to run (bit per slot) */
	__u8 syn;		/* the segment carries SYN */
	__u8 probe;		/* HDR_OPT_LEN for the MSS, no real segment */
	__u8 first;		/* the connecting side's first ACK */
	__u8 from;		/* enum drv_from */
	__u8 when;		/* enum drv_when */
	__u8 save_syn;		/* TCP_LISTEN_CB: a slot reads the SYN */
	__u8 writers;		/* matching slots that write on this socket */
	__u8 every_writers;	/* ... on every segment */
	__u8 every_readers;	/* matching slots that parse every segment */
	__u8 syn_writers;	/* matching slots that write on the handshake only */
	__u8 pad[2];
	struct drv_path path;	/* the middlebox hooks' (path.bpf.h) */
	struct drv_hdr hdr;
};

/* A slot as the hooks see it. */
struct drv_slot {
	const struct tcpopt_slot_config *cfg;
	__u32 index;
};

/* Add n to counter what of slot index (tcpopt.bpf.c). */
int drv_stat(__u32 index, __u32 what, __u32 n);

static __always_inline void drv_count_n(const struct drv_slot *s, __u32 what, __u32 n)
{
	if (n)
		drv_stat(s->index, what, n);
}

static __always_inline void drv_count(const struct drv_slot *s, __u32 what)
{
	drv_count_n(s, what, 1);
}

/* Copy the TCP header of the saved SYN or of the segment at hand into h. */
static __always_inline void drv_hdr_copy(struct bpf_sock_ops *skops, struct drv_hdr *h, bool syn)
{
	__u8 *p, *end;
	__u32 i, doff;
	int len;

	if (syn) {
		len = bpf_getsockopt(skops, SOL_TCP, TCP_BPF_SYN, h->b, TCP_HDR_MAX);
		h->len = len < TCP_HDR_MIN ? -ENOENT : len;
	} else {
		/* skb_data_end is the end of the TCP header here; word by
		 * word: a header is a whole number of them. */
		p = (__u8 *)(long)skops->skb_data;
		end = (__u8 *)(long)skops->skb_data_end;
		for (i = 0; i < TCP_HDR_MAX; i += 4) {
			if (p + i + 4 > end)
				break;
			__builtin_memcpy(&h->b[i], p + i, 4);
		}
		h->len = i < TCP_HDR_MIN ? -ENOENT : (int)i;
	}
	if (h->len < 0)
		return;
	doff = (h->b[12] >> 4) * 4;
	if (doff < (__u32)h->len)
		h->len = doff;
}

/* c->hdr, copied from c->from on first use in a callback. */
static __always_inline const struct drv_hdr *drv_hdr(struct bpf_sock_ops *skops,
						      struct drv_ctx *c)
{
	if (c->hdr.len == DRV_HDR_UNREAD)
		drv_hdr_copy(skops, &c->hdr, c->from == DRV_FROM_SYN);
	return &c->hdr;
}

/*
 * The option of kind @kind (not 253/254) in c->from into buf
 * (TCP_OPT_MAX_LEN bytes): its length, -ENOMSG when absent, -ENOENT when no
 * SYN was saved, -EBADMSG (counted as malformed) when the option list
 * cannot be parsed up to it.  The kernel's own search.
 */
static __always_inline long drv_load(struct bpf_sock_ops *skops, const struct drv_ctx *c,
				     const struct drv_slot *s, __u8 kind, __u8 *buf)
{
	long rc;

	buf[0] = kind;
	buf[1] = 0;
	rc = bpf_load_hdr_opt(skops, buf, TCP_OPT_MAX_LEN,
			      c->from == DRV_FROM_SYN ? BPF_LOAD_HDR_OPT_TCP_SYN : 0);
	if (rc == -EFAULT || rc == -ENOSPC) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	return rc;
}

/*
 * The RFC 6994 options of kind @kind in a header, for ExID @exid: one walk
 * of the option list, in bpf_loop() so that the verifier checks one step
 * rather than every path through 40 of them.  Each step takes at least
 * one byte of the 40 at most.
 */
struct drv_scan {
	__u8 b[TCP_HDR_BUF];
	__u32 len;
	__u32 off;
	__u32 found;		/* offset of the first with @exid, 0: none */
	__u32 count;		/* how many with @exid */
	__u32 bad;		/* of @kind, too short for an ExID or with ExID 0 */
	__u16 exid;
	__u8 kind;
	__u8 broken;		/* the list ends in a bad length (below 2, or past the header) */
	__u8 broken_kind;	/* ... of an option of this kind */
	__u8 pad[3];
};

static long drv_scan_step(__u64 index, void *ctx)
{
	struct drv_scan *s = ctx;
	__u32 off = s->off, len = s->len;
	__u8 k, l;
	__u16 id;

	if (off < TCP_HDR_MIN || off >= len)
		return 1;
	k = s->b[off & TCP_HDR_MASK];
	if (k == 0)			/* end of option list */
		return 1;
	if (k == 1) {			/* NOP */
		s->off = off + 1;
		return 0;
	}
	l = off + 1 < len ? s->b[(off + 1) & TCP_HDR_MASK] : 0;
	if (l < 2 || off + l > len) {
		s->broken = 1;
		s->broken_kind = k;
		return 1;
	}
	if (k == s->kind) {
		id = s->b[(off + 2) & TCP_HDR_MASK] << 8 | s->b[(off + 3) & TCP_HDR_MASK];
		if (l < TCPOPT_EXP_HDR_LEN || !id) {
			s->bad++;
		} else if (id == s->exid) {
			if (!s->count)
				s->found = off;
			s->count++;
		}
	}
	s->off = off + l;
	return 0;
}

static __always_inline void drv_exp_scan(const struct drv_hdr *h, __u8 kind, __u16 exid,
					 struct drv_scan *s)
{
	__builtin_memcpy(s->b, h->b, TCP_HDR_BUF);
	s->len = h->len;
	s->off = TCP_HDR_MIN;
	s->found = s->count = s->bad = 0;
	s->broken = s->broken_kind = 0;
	s->kind = kind;
	s->exid = exid;
	bpf_loop(TCP_OPT_MAX_LEN, drv_scan_step, s, 0);
}

/* The option at offset off of c->hdr into opt (TCP_OPT_MAX_LEN bytes; the
 * bytes past its length are whatever follows it); returns its length. */
static __always_inline long drv_exp_copy(const struct drv_scan *s, __u32 off, __u8 *opt)
{
	int i;

#pragma unroll
	for (i = 0; i < TCP_OPT_MAX_LEN; i++)
		opt[i] = s->b[(off + i) & TCP_HDR_MASK];
	return s->b[(off + 1) & TCP_HDR_MASK];
}

/*
 * A request option of an RFC 6994 kind (cc, iw, delack) in c->hdr: every
 * length checked, and the list as a whole (a broken list, an option of the
 * kind too short for an ExID or with ExID 0 make the segment malformed,
 * counted once, even when the ExID's option is there too).  Returns as
 * drv_load().
 */
static __always_inline long drv_req_find(struct bpf_sock_ops *skops, struct drv_ctx *c,
					 const struct drv_slot *s, __u8 *opt)
{
	const struct tcpopt_common *cm = &s->cfg->common;
	const struct drv_hdr *h = drv_hdr(skops, c);
	struct drv_scan r;

	if (h->len < 0)
		return h->len;
	drv_exp_scan(h, cm->exp_kind, cm->exid, &r);
	if (r.broken || r.bad) {
		drv_count(s, TCPOPT_STAT_MALFORMED);
		return -EBADMSG;
	}
	if (!r.count)
		return -ENOMSG;
	return drv_exp_copy(&r, r.found, opt);
}

/*
 * The read hook of a request option x: the option found by drv_req_find(),
 * handed to x_received(skops, c, s, opt, len) to check the rest, count and
 * apply.  Absent (0) lets the passive side read the completing ACK next.
 */
#define DRV_REQUEST_READ(x)							\
static __always_inline long x##_read(struct bpf_sock_ops *skops, struct drv_ctx *c, \
				     const struct drv_slot *s)			\
{										\
	__u8 opt[TCP_OPT_MAX_LEN];						\
	long len = drv_req_find(skops, c, s, opt);				\
										\
	if (len == -ENOMSG || len == -ENOENT)					\
		return 0;							\
	if (len > 0)								\
		x##_received(skops, c, s, opt, len);				\
	return len;								\
}

/* A well-formed request, counted: may it be applied (not "ignore")? */
static __always_inline bool drv_req_accepted(const struct drv_slot *s)
{
	drv_count(s, TCPOPT_STAT_RECEIVED);
	if (s->cfg->common.flags & TCPOPT_F_IGNORE) {
		drv_count(s, TCPOPT_STAT_REFUSED);
		return false;
	}
	return true;
}

/* Kind, length and ExID: the first TCPOPT_EXP_HDR_LEN bytes of an RFC 6994 option. */
static __always_inline void drv_exp_header(const struct tcpopt_common *cm, __u8 *opt, __u32 len)
{
	opt[0] = cm->exp_kind;
	opt[1] = len;
	opt[2] = cm->exid >> 8;
	opt[3] = cm->exid & 0xff;
}

#endif
