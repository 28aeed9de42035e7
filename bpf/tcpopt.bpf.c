// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The sockops driver of tcpopt's built-in options: one program per cgroup,
 * run once per callback for all of them.  The interface of the options'
 * hooks, and when the driver calls them: driver.bpf.h.
 */
#include "driver.bpf.h"
#include "uto.bpf.h"
#include "exp.bpf.h"
#include "cc.bpf.h"
#include "iw.bpf.h"
#include "delack.bpf.h"
#include "path.bpf.h"

/* The header: the active slots in order (written by user space). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpopt_driver);
} drv SEC(".maps");

/*
 * Each slot's config and counters: config_N and stats_N, pinned with the
 * option that holds the slot.
 */
#define DRV_SLOT_MAPS(n)							\
struct {									\
	__uint(type, BPF_MAP_TYPE_ARRAY);					\
	__uint(max_entries, 1);							\
	__type(key, __u32);							\
	__type(value, struct tcpopt_slot_config);				\
} config_##n SEC(".maps");							\
struct {									\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);				\
	__uint(max_entries, TCPOPT_STAT_MAX);					\
	__type(key, __u32);							\
	__type(value, __u64);							\
} stats_##n SEC(".maps");

/* X(n) for every slot. */
#define DRV_EACH_SLOT(X)							\
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)					\
	X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

_Static_assert(TCPOPT_DRIVER_SLOTS == 16, "DRV_EACH_SLOT lists 16 slots");

DRV_EACH_SLOT(DRV_SLOT_MAPS)

/*
 * The option types this program runs (bit per enum tcpopt_type), set by
 * user space before the load: the verifier checks the code of those only,
 * so that loading the driver for one option costs what that option costs.
 * A type added later loads the driver again with it, into the same link
 * and maps.
 */
const volatile __u32 drv_types = ~0U;

/*
 * Which connection's first ACK is next on this CPU: ACTIVE_ESTABLISHED
 * runs in the same softirq (or under the same socket lock) as the ACK that
 * answers the SYN-ACK, so a mark of the socket there is seen by that ACK's
 * callbacks, which consume it.  The ACK is delayed only when a process
 * waits to send on the connecting socket (sk_write_pending), with
 * TCP_DEFER_ACCEPT on it, or in TFO; then the mark still holds for the
 * first segment unless another connection is established on this CPU in
 * between, and the handshake-only options are not repeated after their
 * SYN.
 */
struct drv_sock_key {
	__u32 snd_nxt;
	__u32 rcv_nxt;
	__u32 ports;
	__u32 op;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct drv_sock_key);
} first_ack SEC(".maps");

/*
 * drv_keep: "a tcpopt driver still writes on every segment of the socket
 * of this callback".  The write callbacks are one flag per socket; the
 * drivers of a cgroup and of its parents all run, the child's first.  A
 * driver that still writes sets the flag again if one before it cleared
 * it, and marks the callback here so that one after it does not clear it.
 * Shared by all drivers (pinned once in bpffs by user space).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct drv_sock_key);
} tcpopt_keep SEC(".maps");

static __always_inline void drv_sock_key(const struct bpf_sock_ops *skops,
					 struct drv_sock_key *k, __u32 op)
{
	k->snd_nxt = skops->snd_nxt;
	k->rcv_nxt = skops->rcv_nxt;
	k->ports = skops->local_port ^ skops->remote_port;
	k->op = op;
}

static __always_inline bool drv_sock_key_eq(const struct drv_sock_key *a,
					    const struct drv_sock_key *b)
{
	return a->snd_nxt == b->snd_nxt && a->rcv_nxt == b->rcv_nxt &&
	       a->ports == b->ports && a->op == b->op;
}

/* Is the segment of this callback one that slot s writes on? */
static __always_inline bool drv_due(const struct drv_ctx *c, const struct tcpopt_common *cm)
{
	return c->syn || c->first || (cm->flags & TCPOPT_F_EVERY);
}

/*
 * One slot in one callback, the driver's side: filters, where, room,
 * counting; the option's hooks (len, build, read) do the rest.
 */
static __always_inline int drv_option(struct bpf_sock_ops *skops, struct drv_ctx *c,
				      const struct tcpopt_slot_config *cfg, __u32 index,
				      __u32 len)
{
	struct drv_slot s = { .cfg = cfg, .index = index & (TCPOPT_DRIVER_SLOTS - 1) };
	const struct tcpopt_common *cm = &cfg->common;
	bool every = cm->flags & TCPOPT_F_EVERY;
	long rc;

	if (c->op == BPF_SOCK_OPS_TCP_LISTEN_CB) {
		if (!match_local(skops, cm))
			return 0;
		c->save_syn = 1;
		if (len)
			c->writers++;
		path_slot_seen(c, cm, len);
		return 0;
	}
	if (!match_conn(skops, cm))
		return 0;
	path_slot_seen(c, cm, len);

	switch (c->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		if (len)
			c->writers++;
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		if (every && len)
			c->every_writers++;
		if (!len || !drv_due(c, cm))
			break;
		if (path_left_out(c, cm)) {
			if (c->syn)
				drv_count(&s, TCPOPT_STAT_FALLBACK);
			break;
		}
		rc = bpf_reserve_hdr_opt(skops, len, 0);
		if (!rc) {
			c->want += len;
			path_reserved(c, cm, s.index);
		} else if (rc != -ENOSPC)
			drv_count(&s, TCPOPT_STAT_ERROR);
		else if (!c->probe)
			/* The MSS probe asks for the worst case; only a
			 * real segment that goes without it counts. */
			drv_count(&s, TCPOPT_STAT_NO_ROOM);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		if (every && len)
			c->every_writers++;
		if (len && drv_due(c, cm) && !path_left_out(c, cm))
			return 1;	/* the caller builds and stores it */
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (c->mask == ~0U)
			path_answer(c, &c->path, &s, len);
		if (c->mask != ~0U) {
			/* The second pass (the completing ACK): counted. */
		} else if (every) {
			c->every_readers++;
			if (len)
				c->every_writers++;
		} else if (len) {
			c->syn_writers++;
		}
		return 2;	/* the caller reads */
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		if (every)
			return 2;
		break;
	}
	return 0;
}

#define DRV_OPT_BUF	64	/* a power of two above TCP_OPT_MAX_LEN */

/* Store the option built in opt (len bytes); true when it is on the segment. */
static __always_inline bool drv_store(struct bpf_sock_ops *skops, const struct drv_slot *s,
				      const __u8 *opt, __u32 len)
{
	long rc;

	if (len < 2 || len > TCP_OPT_MAX_LEN)
		return false;
	/* opt has DRV_OPT_BUF bytes: the mask keeps the verifier sure of
	 * it whatever the compiler made of the check above. */
	barrier_var(len);
	len &= DRV_OPT_BUF - 1;
	if (len < 2)
		return false;
	rc = bpf_store_hdr_opt(skops, opt, len, 0);
	/* -ENOSPC: no room, counted when it was asked for (HDR_OPT_LEN). */
	if (!rc)
		drv_count(s, TCPOPT_STAT_SENT);
	else if (rc != -ENOSPC)
		drv_count(s, TCPOPT_STAT_ERROR);
	return !rc;
}

/*
 * An option's callback: a global function per option, so that the
 * verifier checks each once (and, since 6.8, not at all when drv_types
 * leaves it out).  DRV_OPTION(x) uses x_len, x_build, x_read.
 */
#define DRV_OPTION(x)								\
__noinline int drv_##x(struct bpf_sock_ops *skops, struct drv_ctx *c,		\
		       const struct tcpopt_slot_config *cfg, __u32 index)	\
{										\
	struct drv_slot s = { .cfg = cfg, .index = index & (TCPOPT_DRIVER_SLOTS - 1) }; \
	__u32 len;								\
	int what;								\
	long got;								\
										\
	if (!c || !cfg)								\
		return 0;							\
	len = x##_len(cfg);							\
	what = drv_option(skops, c, cfg, index, len);				\
	if (!what)								\
		return 0;							\
	if (what == 1) {							\
		/* Scoped: the read below reuses its stack. */			\
		__u8 opt[DRV_OPT_BUF] = {};					\
										\
		x##_build(cfg, opt, len);					\
		if (drv_store(skops, &s, opt, len))				\
			path_stored(c, cfg);					\
		return what;							\
	}									\
	got = x##_read(skops, c, &s);						\
	if (!got && c->from == DRV_FROM_SYN)					\
		c->retry |= 1U << s.index;					\
	return what;	/* not a constant: clang keeps the return value */	\
}

DRV_OPTION(uto)
DRV_OPTION(exp)
DRV_OPTION(cc)
DRV_OPTION(iw)
DRV_OPTION(delack)

#define DRV_STAT_CASE(n)							\
	case n:									\
		v = bpf_map_lookup_elem(&stats_##n, &key);			\
		break;

/* Add n to counter what of slot index: a global function, so that the
 * verifier checks the 16 maps once. */
__noinline int drv_stat(__u32 index, __u32 what, __u32 n)
{
	__u32 key = what;
	__u64 *v = NULL;

	switch (index) {
	DRV_EACH_SLOT(DRV_STAT_CASE)
	}
	if (v)
		*v += n;
	return 0;
}

/* A type this program runs (a constant: the verifier skips the others). */
#define DRV_RUNS(T)	(drv_types & (1U << TCPOPT_TYPE_##T))

/* A slot's option, by its type: inline in drv_slot, whose 16 ways in
 * (a config of each slot's map) are checked once each; an own global
 * function would cost the deepest call chain a frame, which Linux 6.1
 * counts against 512 bytes at 32 a frame (chain: tcpopt, drv_slots,
 * drv_slot, drv_<option>, drv_stat). */
static __always_inline int drv_option_of(struct bpf_sock_ops *skops, struct drv_ctx *c,
			     const struct tcpopt_slot_config *cfg, __u32 i)
{
	if (!cfg || cfg->common.abi != TCPOPT_ABI)
		return 0;
	/* The table of the options: a line each. */
	switch (cfg->type) {
	case TCPOPT_TYPE_UTO: return DRV_RUNS(UTO) ? drv_uto(skops, c, cfg, i) : 0;
	case TCPOPT_TYPE_EXP: return DRV_RUNS(EXP) ? drv_exp(skops, c, cfg, i) : 0;
	case TCPOPT_TYPE_CC: return DRV_RUNS(CC) ? drv_cc(skops, c, cfg, i) : 0;
	case TCPOPT_TYPE_IW: return DRV_RUNS(IW) ? drv_iw(skops, c, cfg, i) : 0;
	case TCPOPT_TYPE_DELACK: return DRV_RUNS(DELACK) ? drv_delack(skops, c, cfg, i) : 0;
	}
	return 0;
}

#define DRV_SLOT_CASE(n)							\
	case n:									\
		cfg = bpf_map_lookup_elem(&config_##n, &zero);			\
		break;

/* One slot in one callback: its config, then its option's function. */
__noinline int drv_slot(struct bpf_sock_ops *skops, struct drv_ctx *c, __u32 index)
{
	const struct tcpopt_slot_config *cfg = NULL;
	__u32 zero = 0, i = index & (TCPOPT_DRIVER_SLOTS - 1);

	if (!c)
		return 0;
	switch (i) {
	DRV_EACH_SLOT(DRV_SLOT_CASE)
	}
	return cfg ? drv_option_of(skops, c, cfg, i) : 0;
}

static __always_inline void cb_flags_set(struct bpf_sock_ops *skops, __u32 flags)
{
	if (flags != skops->bpf_sock_ops_cb_flags)
		bpf_sock_ops_cb_flags_set(skops, flags);
}

/* The slots of c->mask, in the header's order: a global function, checked
 * once for the seven callbacks that run it. */
__noinline int drv_slots(struct bpf_sock_ops *skops, struct drv_ctx *c,
			 const struct tcpopt_driver *d)
{
	__u32 i, n, slot;

	if (!c || !d)
		return 0;
	n = d->nslots;

	for (i = 0; i < TCPOPT_DRIVER_SLOTS; i++) {
		if (i >= n)
			break;
		slot = d->order[i] & (TCPOPT_DRIVER_SLOTS - 1);
		if (c->mask & (1U << slot))
			drv_slot(skops, c, slot);
	}
	return 0;
}

/* Is the mark in map (first_ack, tcpopt_keep) this socket's, for op? */
static __always_inline struct drv_sock_key *drv_marked(void *map,
						       const struct bpf_sock_ops *skops, __u32 op)
{
	struct drv_sock_key k, *mark;
	__u32 zero = 0;

	mark = bpf_map_lookup_elem(map, &zero);
	if (!mark)
		return NULL;
	drv_sock_key(skops, &k, op);
	return drv_sock_key_eq(&k, mark) ? mark : NULL;
}

/* The slots read the peer's options from the segment or the saved SYN;
 * those of them that parse every segment turn that callback on. */
static __always_inline void drv_read_slots(struct bpf_sock_ops *skops, struct drv_ctx *c,
					   const struct tcpopt_driver *d, enum drv_from from)
{
	c->from = from;
	c->hdr.len = DRV_HDR_UNREAD;	/* copied by the first slot that reads it */
	if (c->mask)
		drv_slots(skops, c, d);
	if (c->every_readers && !(skops->bpf_sock_ops_cb_flags &
				  BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG))
		cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
				    BPF_SOCK_OPS_PARSE_UNKNOWN_HDR_OPT_CB_FLAG);
}

/* Someone else's mark of this callback (drv_keep): leave the flag on. */
static __always_inline bool drv_kept(const struct bpf_sock_ops *skops, __u32 op)
{
	return drv_marked(&tcpopt_keep, skops, op);
}

static __always_inline void drv_keep(struct bpf_sock_ops *skops, __u32 op)
{
	struct drv_sock_key *mark;
	__u32 zero = 0;

	mark = bpf_map_lookup_elem(&tcpopt_keep, &zero);
	if (mark)
		drv_sock_key(skops, mark, op);
	cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* Done with the handshake's writes: off, unless a slot writes on every
 * segment here or another driver does. */
static __always_inline void drv_writes_done(struct bpf_sock_ops *skops, const struct drv_ctx *c)
{
	if (c->every_writers)
		drv_keep(skops, c->op);
	else if ((skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG) &&
		 !drv_kept(skops, c->op))
		cb_flags_set(skops, skops->bpf_sock_ops_cb_flags &
				    ~BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

/* HDR_OPT_LEN and WRITE_HDR_OPT of a segment after the SYN-ACK: is it the
 * connecting side's first ACK? */
static __always_inline bool drv_first_ack(const struct bpf_sock_ops *skops, bool consume)
{
	struct drv_sock_key *mark = drv_marked(&first_ack, skops,
					       BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB);

	if (!mark)
		return false;
	if (consume)
		mark->op = 0;
	return true;
}

SEC("sockops")
int tcpopt(struct bpf_sock_ops *skops)
{
	const struct tcpopt_driver *d;
	struct tcpopt_path_key pk;
	struct tcpopt_path *pe;
	struct drv_sock_key *mark;
	struct drv_ctx c = {};
	__u32 zero = 0, op = skops->op;
	int one = 1;

	switch (op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
	case BPF_SOCK_OPS_RTO_CB:
		break;
	default:
		return 1;
	}
	d = bpf_map_lookup_elem(&drv, &zero);
	if (!d || d->abi != TCPOPT_ABI || !d->nslots)
		return 1;
	c.op = op;
	c.mask = ~0U;

	switch (op) {
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		drv_slots(skops, &c, d);
		/* Keep the SYN: its options are read once established. */
		if (c.save_syn)
			bpf_setsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &one, sizeof(one));
		/* The flag on for the SYN-ACK: the slots', or the echo. */
		if (c.writers || c.path.slots)
			cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
					    BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		drv_slots(skops, &c, d);
		if (c.writers)
			cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
					    BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		path_connect(skops, &c);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		c.syn = skops->skb_tcp_flags & TCPHDR_SYN;
		c.probe = op == BPF_SOCK_OPS_HDR_OPT_LEN_CB &&
			  (skops->args[0] & BPF_WRITE_HDR_TCP_CURRENT_MSS);
		if (!c.syn)
			c.first = drv_first_ack(skops, false);
		/* Past the handshake only the "every" slots write. */
		if (!c.syn && !c.first)
			c.mask = d->every;
		/* The middlebox hooks cost nothing with every option's
		 * path off (d->path). */
		pe = d->path ? path_segment_begin(skops, &c, &pk) : NULL;
		if (c.mask)
			drv_slots(skops, &c, d);
		if (d->path)
			path_segment_end(skops, &c, pe, &pk);
		if (c.syn || c.probe)
			break;
		/* Past the handshake: the first ACK is over once written,
		 * or once nothing of ours got room on it (the write
		 * callback does not run then).  The flag is left alone on
		 * other segments: another program may have turned it on. */
		if (c.first && (op == BPF_SOCK_OPS_WRITE_HDR_OPT_CB || !c.want)) {
			drv_first_ack(skops, true);
			drv_writes_done(skops, &c);
		} else if (c.every_writers) {
			drv_keep(skops, op);
		}
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		/* skb is the SYN-ACK. */
		pe = d->path ? path_active_begin(skops, &c, &pk) : NULL;
		drv_read_slots(skops, &c, d, DRV_FROM_SEG);
		if (pe)
			drv_hdr(skops, &c);	/* the first ACK's echo answers it */
		if (d->path)
			path_active_end(skops, &c, pe, &pk);
		if (c.syn_writers || c.path.echo_due) {
			mark = bpf_map_lookup_elem(&first_ack, &zero);
			if (mark)
				drv_sock_key(skops, mark, op);
		}
		if (c.every_writers)
			drv_keep(skops, op);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		/* The saved SYN first; without one (syncookies, or a
		 * listener older than the driver) or without the option in
		 * it, the completing ACK. */
		if (d->path)
			path_passive_begin(skops, &c);
		drv_read_slots(skops, &c, d, DRV_FROM_SYN);
		if (c.retry) {
			c.mask = c.retry;
			drv_read_slots(skops, &c, d, DRV_FROM_SEG);
		}
		/* The SYN-ACK was the last handshake segment of this side. */
		drv_writes_done(skops, &c);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		c.when = DRV_LATER;
		c.mask = d->every;
		drv_read_slots(skops, &c, d, DRV_FROM_SEG);
		break;
	case BPF_SOCK_OPS_RTO_CB:
		path_rto(skops);
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
