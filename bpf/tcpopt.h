/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the BPF programs and user space share: config and stats layouts and
 * wire constants.  Every config map is an ARRAY of one element; every stats
 * map a PERCPU_ARRAY indexed by enum tcpopt_stat.
 */
#ifndef TCPOPT_BPF_SHARED_H
#define TCPOPT_BPF_SHARED_H

#include <linux/types.h>

/* Bumped whenever a config layout changes, so that an old pin is refused
 * instead of misread. */
#define TCPOPT_ABI 1

enum tcpopt_stat {
	TCPOPT_STAT_SENT,		/* option written on a segment */
	TCPOPT_STAT_RECEIVED,		/* well-formed option parsed from the peer */
	TCPOPT_STAT_APPLIED,		/* peer's value applied to the socket */
	TCPOPT_STAT_REFUSED,		/* peer's request refused by local policy */
	TCPOPT_STAT_UNSUPPORTED,	/* request the kernel cannot honour */
	TCPOPT_STAT_MALFORMED,		/* option from the peer with a bad length or value */
	TCPOPT_STAT_NO_ROOM,		/* not sent: TCP option space exhausted */
	TCPOPT_STAT_ERROR,		/* a helper failed unexpectedly */
	/* The path (issue 12, see "Middleboxes" below): */
	TCPOPT_STAT_STRIPPED,		/* sent on the handshake; the peer's echo says it did not arrive */
	TCPOPT_STAT_UNANSWERED,		/* due on the handshake; the peer sent no echo */
	TCPOPT_STAT_BLACKHOLED,		/* its SYN was dropped; made only without it */
	TCPOPT_STAT_FALLBACK,		/* left off a SYN because of the path */
	TCPOPT_STAT_MAX,
};

/* Where the option is written (tcpopt_common.flags). */
#define TCPOPT_F_EVERY		(1U << 0)	/* every segment, not only the handshake */
#define TCPOPT_F_IGNORE		(1U << 1)	/* do not act on the peer's option */
#define TCPOPT_F_NO_SEND	(1U << 2)	/* parse and apply only */
/* The path policy ("path probe|always|off"); neither bit: probe. */
#define TCPOPT_F_PATH_ALWAYS	(1U << 3)	/* watched, but never left out */
#define TCPOPT_F_PATH_OFF	(1U << 4)	/* no echo, no memory, no fallback */

/* A socket matches when every filter that is set matches.  Ports are in
 * host order, 0 = any; "local" and "remote" are from the socket's side
 * (as in ss: dport is the remote port). */
struct tcpopt_prefix {
	__u8 family;			/* 0 = any, else AF_INET or AF_INET6 */
	__u8 len;
	__u8 pad[2];
	__u32 addr[4];			/* network order */
};

struct tcpopt_common {
	__u32 abi;
	__u32 flags;
	__u16 local_port;
	__u16 remote_port;
	__u16 exid;			/* RFC 6994 ExID (experimental options) */
	__u8 exp_kind;			/* 253 or 254 (experimental options) */
	__u8 pad;
	struct tcpopt_prefix local;
	struct tcpopt_prefix remote;
};

/* RFC 6994 shared experimental options: kind, length, 16-bit ExID, data. */
#define TCPOPT_KIND_EXP1	253
#define TCPOPT_KIND_EXP2	254
#define TCPOPT_EXP_HDR_LEN	4

/* RFC 5482 User Timeout option: kind 28, length 4, G bit + 15 bits. */
#define TCPOPT_KIND_UTO		28
#define TCPOPT_UTO_LEN		4
#define TCPOPT_UTO_G		0x8000
#define TCPOPT_UTO_MAX_VALUE	0x7fff

struct tcpopt_uto_config {
	struct tcpopt_common common;
	__u32 adv_ms;			/* ADV_UTO: the timeout we advertise and keep */
	__u32 min_ms;			/* L_LIMIT */
	__u32 max_ms;			/* U_LIMIT */
	__u16 wire;			/* G bit + value, host order, precomputed */
	__u16 uflags;			/* user space only: which limits were given */
};

/* Raw RFC 6994 experimental option ("exp"): common.exp_kind and
 * common.exid say which option; opt holds it as it goes on the wire
 * (kind, length, ExID, data), precomputed by user space. */
#define TCPOPT_EXP_MAX_LEN	40	/* the whole option space */
#define TCPOPT_EXP_MAX_DATA	(TCPOPT_EXP_MAX_LEN - TCPOPT_EXP_HDR_LEN)

struct tcpopt_exp_config {
	struct tcpopt_common common;
	__u8 len;			/* opt[1]: TCPOPT_EXP_HDR_LEN to TCPOPT_EXP_MAX_LEN */
	__u8 pad[3];
	__u8 opt[TCPOPT_EXP_MAX_LEN];
};

/*
 * Requests (cc, iw, delack): one side asks, on its handshake segments,
 * and the other applies what it asks within local bounds.  RFC 6994
 * options: kind 254 (or 253), length, ExID, data.  The default ExIDs are
 * not registered with IANA (RFC 6994 3.1 lets an experiment use an
 * unregistered one); each is two ASCII letters, and "exid N" changes it.
 */
#define TCPOPT_EXID_CC		0x4343	/* "CC" */
#define TCPOPT_EXID_IW		0x4957	/* "IW" */
#define TCPOPT_EXID_DELACK	0x444c	/* "DL" */

/*
 * Congestion control: ExID, then 1 to TCPOPT_CC_REQ_MAX ids, one byte
 * each, in order of preference.  The ids are the wire format: never
 * renumber, only append.  tcpopt_cc_names[] is THE table both sides use.
 */
#define TCPOPT_CC_REQ_MAX	4
#define TCPOPT_CC_NAME_LEN	16	/* the kernel's TCP_CA_NAME_MAX */

enum tcpopt_cc_id {
	TCPOPT_CC_NONE,			/* 0 is not an id: malformed on the wire */
	TCPOPT_CC_RENO,
	TCPOPT_CC_CUBIC,
	TCPOPT_CC_BBR,
	TCPOPT_CC_DCTCP,
	TCPOPT_CC_VEGAS,
	TCPOPT_CC_WESTWOOD,
	TCPOPT_CC_HTCP,
	TCPOPT_CC_BIC,
	TCPOPT_CC_HIGHSPEED,
	TCPOPT_CC_HYBLA,
	TCPOPT_CC_ILLINOIS,
	TCPOPT_CC_SCALABLE,
	TCPOPT_CC_LP,
	TCPOPT_CC_VENO,
	TCPOPT_CC_YEAH,
	TCPOPT_CC_NV,
	TCPOPT_CC_CDG,
	TCPOPT_CC_ID_COUNT,
};

/* Room for 32 ids: allow is a 32-bit mask (and BPF indexes with id & 31). */
#define TCPOPT_CC_ID_ROOM	32

static const char tcpopt_cc_names[TCPOPT_CC_ID_ROOM][TCPOPT_CC_NAME_LEN] = {
	[TCPOPT_CC_RENO] = "reno",
	[TCPOPT_CC_CUBIC] = "cubic",
	[TCPOPT_CC_BBR] = "bbr",
	[TCPOPT_CC_DCTCP] = "dctcp",
	[TCPOPT_CC_VEGAS] = "vegas",
	[TCPOPT_CC_WESTWOOD] = "westwood",
	[TCPOPT_CC_HTCP] = "htcp",
	[TCPOPT_CC_BIC] = "bic",
	[TCPOPT_CC_HIGHSPEED] = "highspeed",
	[TCPOPT_CC_HYBLA] = "hybla",
	[TCPOPT_CC_ILLINOIS] = "illinois",
	[TCPOPT_CC_SCALABLE] = "scalable",
	[TCPOPT_CC_LP] = "lp",
	[TCPOPT_CC_VENO] = "veno",
	[TCPOPT_CC_YEAH] = "yeah",
	[TCPOPT_CC_NV] = "nv",
	[TCPOPT_CC_CDG] = "cdg",
};

struct tcpopt_cc_config {
	struct tcpopt_common common;
	__u8 request[TCPOPT_CC_REQ_MAX];	/* ids asked of the peer; 0 ends */
	__u32 allow;			/* bit per id: what the peer may ask of us */
};

/* Initial window: ExID, then the window in segments (16 bits). */
#define TCPOPT_IW_LEN		6
#define TCPOPT_IW_DEFAULT_MAX	64	/* segments a peer may ask for, by default */
#define TCPOPT_IW_HARD_MAX	1024	/* the largest "max" tcpopt accepts */

struct tcpopt_iw_config {
	struct tcpopt_common common;
	__u32 request;			/* segments asked of the peer, 0 = none */
	__u32 max;			/* the largest window a peer's request gets */
};

/*
 * Delayed ACKs: ExID, the timeout in percent of the receiver's smoothed
 * RTT (16 bits, 0 = not asked), the segments before an immediate ACK
 * (8 bits, 0 = not asked).
 */
#define TCPOPT_DELACK_LEN	7
#define TCPOPT_DELACK_KERNEL_MAX_US	200000	/* TCP_DELACK_MAX */

struct tcpopt_delack_config {
	struct tcpopt_common common;
	__u16 timeout_pct;		/* asked of the peer, 0 = not asked */
	__u8 segs;			/* asked of the peer, 0 = not asked */
	__u8 uflags;			/* user space only: min/max were given */
	__u32 min_us;			/* local bounds on the timeout a peer gets */
	__u32 max_us;
	__u32 segs_optname;		/* TCP_BPF_DELACK_SEGS here (from BTF), 0 = none */
};

/*
 * The driver (bpf/tcpopt.bpf.c, bpf/driver.bpf.h): one sockops program per
 * cgroup runs every built-in option attached to it.  Each option is a slot:
 * its config (an ARRAY of one struct tcpopt_slot_config) and its stats are
 * maps of their own, pinned in the option's directory and held by the
 * driver's map-in-map arrays at the slot's index.  The driver's header
 * (struct tcpopt_driver, map "drv") lists the active slots in the order the
 * options were added: the order in which they get room on a segment.
 */
#define TCPOPT_DRIVER_SLOTS	16	/* built-in options on one cgroup */

/* Slot types: what a slot's config is.  Never renumber, only append. */
enum tcpopt_type {
	TCPOPT_TYPE_NONE,
	TCPOPT_TYPE_UTO,
	TCPOPT_TYPE_EXP,
	TCPOPT_TYPE_CC,
	TCPOPT_TYPE_IW,
	TCPOPT_TYPE_DELACK,
	TCPOPT_TYPE_COUNT,
};

#define TCPOPT_SLOT_DATA	120	/* room for the largest config */

struct tcpopt_slot_config {
	__u32 type;			/* enum tcpopt_type */
	__u32 pad;
	union {
		struct tcpopt_common common;
		struct tcpopt_uto_config uto;
		struct tcpopt_exp_config exp;
		struct tcpopt_cc_config cc;
		struct tcpopt_iw_config iw;
		struct tcpopt_delack_config delack;
		__u8 bytes[TCPOPT_SLOT_DATA];
	};
};

struct tcpopt_driver {
	__u32 abi;
	__u32 nslots;			/* order[0..nslots) are active */
	__u32 types;			/* bit per enum tcpopt_type in use */
	__u32 prog_types;		/* user space only: the types its program runs */
	__u32 every;			/* bit per slot whose option is "every" */
	__u32 path;			/* bit per slot whose path policy is not off */
	__u8 order[TCPOPT_DRIVER_SLOTS];	/* slot indexes, oldest first */
	__u8 type[TCPOPT_DRIVER_SLOTS];	/* user space only: each slot's type */
};

/*
 * BPF MPTCP path managers (bpf/pm_*.bpf.c; they need the kernel patch set).
 * One per cgroup, pinned as the attachment "pm"; maps "config" (struct
 * tcpopt_pm_config) and "stats" (PERCPU_ARRAY by enum tcpopt_pm_stat).
 * fullmesh asks the kernel for the local addresses of each connection's
 * network namespace when it needs them: there is no list to keep current.
 */
#define TCPOPT_PM_MAX_SUBFLOWS	8	/* per connection, the initial one included */
#define TCPOPT_PM_MAX_LOCAL	8	/* local addresses of a full mesh */
#define TCPOPT_PM_MAX_DEVS	8	/* interfaces a full mesh is limited to */
#define TCPOPT_PM_DEV_LEN	16	/* IFNAMSIZ */

struct tcpopt_pm_config {
	__u32 abi;
	__u32 subflows;			/* ndiffports: subflows per connection */
	__u32 ndevs;			/* fullmesh: "dev" list, 0 = every interface */
	char devs[TCPOPT_PM_MAX_DEVS][TCPOPT_PM_DEV_LEN];	/* user space only */
	__u32 ifindex[TCPOPT_PM_MAX_DEVS];	/* of devs, 0 = absent now */
	__u32 pad;
	__u64 netns_cookie;		/* the namespace ifindex[] are in */
};

enum tcpopt_pm_stat {
	TCPOPT_PM_STAT_CLAIMED,		/* connections taken from the in-kernel PM */
	TCPOPT_PM_STAT_REQUESTED,	/* subflows queued */
	TCPOPT_PM_STAT_FAILED,		/* subflow requests the kernel refused */
	TCPOPT_PM_STAT_ESTABLISHED,	/* additional subflows established */
	TCPOPT_PM_STAT_ANNOUNCED,	/* addresses the peers announced */
	TCPOPT_PM_STAT_CLOSED,		/* subflow close requests queued */
	TCPOPT_PM_STAT_MAX,
};

/*
 * Middleboxes (bpf/path.bpf.h, lib/path.c; wire format in tcpopt-option(8)).
 *
 * The echo: one RFC 6994 option that each side puts last on its answer to
 * the other's first handshake segment, saying which of its options arrived:
 *
 *   253 | 8 | 0x45 0x43 ("EC") | seen (16 bits) | sent (16 bits)
 *
 * seen: the options found in the segment answered (the SYN, on a SYN-ACK;
 * the SYN-ACK, on the first ACK), one bit each: bit 0 the User Timeout
 * option (kind 28), bit 1 + ExID % 15 an RFC 6994 option (kind 253 or 254)
 * with that 16-bit ExID; nothing else.  sent: on a SYN-ACK, the bits of the
 * responder's own options on it; on the first ACK, the SYN-ACK's sent,
 * returned, so that the responder needs no memory of what it sent.  Both
 * big-endian.  An option longer than 8 is a later version: its first 8
 * bytes are read.  Kind 253, not the 254 of tcpopt's options, so that a
 * path stripping one kind still carries the answer.
 */
#define TCPOPT_EXID_ECHO	0x4543	/* "EC" */
#define TCPOPT_KIND_ECHO	TCPOPT_KIND_EXP1
#define TCPOPT_ECHO_LEN		8
#define TCPOPT_ECHO_UTO_BIT	0
#define TCPOPT_ECHO_EXP_BUCKETS	15	/* bits 1..15 */

/*
 * The destinations a cgroup's driver connects to: one LRU hash shared by
 * every driver (pinned once, PIN_PATHS), keyed by the driver's cgroup and
 * the peer's address masked to the cgroup's prefix lengths.  Times are
 * CLOCK_BOOTTIME in ns (bpf_ktime_get_boot_ns); slots are bits of the
 * driver's slot indexes.
 */
#define TCPOPT_PATH_ENTRIES		16384
#define TCPOPT_PATH_EXPIRE_DEFAULT_S	3600	/* as tcp_fastopen_blackhole_timeout_sec */
#define TCPOPT_PATH_EVENTS_BYTES	(64 * 1024)

enum tcpopt_path_state {
	TCPOPT_PATH_NEW,		/* no handshake answered yet */
	TCPOPT_PATH_OK,			/* the peer's echo: everything arrived */
	TCPOPT_PATH_STRIPPED,		/* the peer's echo: something did not */
	TCPOPT_PATH_UNANSWERED,		/* no echo: a peer without tcpopt (or the echo lost) */
	TCPOPT_PATH_BLACKHOLE,		/* SYNs with options dropped: none sent until expiry */
	TCPOPT_PATH_PROBE,		/* past the expiry: a SYN with options tries again */
	TCPOPT_PATH_STATE_COUNT,
};

struct tcpopt_path_key {
	__u64 cgroup_id;		/* the driver's cgroup */
	__u8 family;			/* AF_INET, AF_INET6 */
	__u8 prefix_len;
	__u8 pad[2];
	__u32 addr[4];			/* network order, host bits zero */
	__u32 pad2;
};

struct tcpopt_path {
	__u64 first_ns;			/* first SYN */
	__u64 last_ns;			/* last handshake completed */
	__u64 answered_ns;		/* last echo from the peer */
	__u64 stripped_ns;		/* last echo with an option missing */
	__u64 blackhole_ns;		/* last marked a blackhole */
	__u32 connections;		/* handshakes completed with an option of ours due */
	__u32 answered;			/* ... with the peer's echo */
	__u32 unanswered;		/* ... without */
	__u32 stripped;			/* ... with an option missing from the echo */
	__u32 fallbacks;		/* SYNs with options that timed out (re-sent without) */
	__u32 blackholed;		/* connections made only once the options were left out */
	__u32 malformed;		/* echoes too short to read */
	__u16 syn_sent;			/* slots on the last SYN (of any policy but off) */
	__u16 syn_probe;		/* ... of them with policy probe */
	__u16 fallback_slots;		/* probe slots of a SYN that timed out, until answered */
	__u16 stripped_slots;		/* slots missing from the last echo */
	__u8 state;			/* enum tcpopt_path_state */
	__u8 pad[7];
};

/* Per driver ("path_config", an ARRAY of one): written by user space. */
struct tcpopt_path_config {
	__u64 cgroup_id;		/* the driver's cgroup, for keys and events */
	__u32 expire_s;			/* blackhole expiry; 0: the default */
	__u8 prefix4;			/* destination granularity; 0: 32 */
	__u8 prefix6;			/* 0: 128 */
	__u8 pad[2];
};

/* A destination's state change (ring buffer PIN_PATH_EVENTS). */
struct tcpopt_path_event {
	__u64 cgroup_id;
	__u64 ns;
	__u8 family;
	__u8 prefix_len;
	__u8 state;			/* enum tcpopt_path_state */
	__u8 prev;
	__u16 stripped_slots;
	__u16 fallback_slots;
	__u32 addr[4];
};

/*
 * MPTCP for the sockets of a cgroup (bpf/mptcp.bpf.c, "tcpopt mptcp
 * enable"): an fmod_ret program on update_socket_protocol, one per cgroup,
 * pinned as the attachment "mptcp"; maps "config" (struct
 * tcpopt_mptcp_config), "stats" (PERCPU_ARRAY by enum tcpopt_mptcp_stat)
 * and "cgroup" (a CGROUP_ARRAY holding the cgroup).
 */
#define TCPOPT_MPTCP_IPV4	(1 << 0)
#define TCPOPT_MPTCP_IPV6	(1 << 1)

struct tcpopt_mptcp_config {
	__u32 abi;
	__u32 families;			/* TCPOPT_MPTCP_IPV4 | _IPV6: those upgraded */
};

enum tcpopt_mptcp_stat {
	TCPOPT_MPTCP_STAT_UPGRADED,	/* TCP sockets created as MPTCP ones */
	TCPOPT_MPTCP_STAT_NAMED_TCP,	/* of them, asked for IPPROTO_TCP by name */
	TCPOPT_MPTCP_STAT_SKIPPED,	/* TCP sockets of a family not upgraded */
	TCPOPT_MPTCP_STAT_MAX,
};

#endif
