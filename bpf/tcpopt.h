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
	TCPOPT_STAT_MAX,
};

/* Where the option is written (tcpopt_common.flags). */
#define TCPOPT_F_EVERY		(1U << 0)	/* every segment, not only the handshake */
#define TCPOPT_F_IGNORE		(1U << 1)	/* do not act on the peer's option */
#define TCPOPT_F_NO_SEND	(1U << 2)	/* parse and apply only */

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

#endif
