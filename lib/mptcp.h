/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MPTCP path-manager netlink: addresses, flags, events and the netns's
 * path-manager type.  Shared by the pm, subflow and monitor objects.
 */
#ifndef TCPOPT_MPTCP_H
#define TCPOPT_MPTCP_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include <linux/mptcp.h>

#include "genl.h"

struct onode;

struct mptcp_addr {
	uint8_t family;			/* AF_INET, AF_INET6, 0 = unset */
	uint8_t id;
	bool has_id;
	uint16_t port;			/* host order, 0 = unset */
	uint32_t flags;			/* MPTCP_PM_ADDR_FLAG_* */
	int32_t ifindex;
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} addr;
};

#define MPTCP_ADDR_LIST_MAX 64

struct mptcp_addr_list {
	int n;
	struct mptcp_addr addr[MPTCP_ADDR_LIST_MAX];
};

/*
 * The local addresses a mesh should use: every address of an interface that
 * is up, except loopback and link-local ones; or, with devs, every address
 * of those interfaces (link-local ones then carry their ifindex).
 */
int mptcp_local_addresses(const int *devs, int ndevs, struct mptcp_addr_list *out);

/* Open the mptcp_pm family; a missing family is reported here. */
int mptcp_pm_open(struct genl *g);

/* "192.0.2.1" or "2001:db8::1", no prefix: 0 or -EINVAL. */
int mptcp_parse_ip(const char *s, struct mptcp_addr *a);
void mptcp_format_ip(const struct mptcp_addr *a, char *buf, size_t len);
bool mptcp_addr_equal(const struct mptcp_addr *a, const struct mptcp_addr *b);
bool mptcp_addr_is_linklocal(const struct mptcp_addr *a);
/* "123" or "0x7b": a connection token. */
int mptcp_parse_token(const char *s, uint32_t *token);

/* An attribute with at least len bytes of payload. */
static inline bool mptcp_attr_ok(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len;
}

/* Append attribute type (a nest of MPTCP_PM_ADDR_ATTR_*) to nlh. */
void mptcp_put_addr(struct nlmsghdr *nlh, uint16_t type, const struct mptcp_addr *a);
int mptcp_parse_addr(const struct nlattr *nest, struct mptcp_addr *a);

/* Endpoint flags: the array "flags" of names, unknown bits as "0x..". */
void mptcp_out_flags(struct onode *obj, const char *key, uint32_t flags);
/* A flag by name: its bit, or 0. */
uint32_t mptcp_flag_by_name(const char *name);

/* The source address the kernel would pick towards dst (optionally via ifindex). */
int mptcp_route_source(const struct mptcp_addr *dst, int ifindex, struct mptcp_addr *src);
/* Interface name to index, with the error reported: -EUSAGE if absent. */
int mptcp_ifindex(const char *name, int *ifindex);

/* Path-manager type of the netns: "kernel", "userspace" (or another name). */
int mptcp_pm_type_get(char *buf, size_t len);

/* The in-kernel PM's limits (MPTCP_PM_CMD_GET/SET_LIMITS); errors are
 * reported.  For set, a limit < 0 is left as it is. */
struct mptcp_limits {
	uint32_t subflows, add_addr_accepted;
};
int mptcp_limits_get(struct genl *g, struct mptcp_limits *lim);
int mptcp_limits_set(struct genl *g, int64_t subflows, int64_t add_addr_accepted);
int mptcp_pm_type_set(const char *type);

/* The in-kernel PM's endpoints (a GET_ADDR dump); errors are reported. */
int mptcp_endpoints_get(struct genl *g, struct mptcp_addr_list *eps);

/*
 * A local address id for a userspace-PM request on connection token.  The
 * kernel keeps one id per local address and port for each connection: the
 * id of the entry with a's address and port (from a GET_ADDR dump with the
 * token, Linux 6.10+), else the lowest id neither an entry nor a subflow of
 * the connection uses.  Errors are reported.
 */
int mptcp_pick_local_id(struct genl *g, uint32_t token, const struct mptcp_addr *a,
			uint8_t *id);

/* Events of the mptcp_pm_events group. */
struct mptcp_event {
	uint8_t type;			/* MPTCP_EVENT_* */
	const char *name;		/* "created", ..., or NULL if unknown */
	uint32_t token;
	bool has_token;
	bool server_side;
	struct mptcp_addr saddr, daddr;	/* port = sport / dport */
	int loc_id, rem_id;		/* -1 when absent */
	const struct nlattr *tb[MPTCP_ATTR_MAX + 1];
};

int mptcp_event_parse(const struct nlmsghdr *nlh, struct mptcp_event *ev);
/* The event's fields, each present attribute once. */
void mptcp_event_out(struct onode *obj, const struct mptcp_event *ev);
const char *mptcp_event_name(uint8_t type);

/*
 * Listening to the event group.  The socket's receive buffer bounds how
 * many events may queue while the handler is busy; when it overflows the
 * kernel drops events and recv() fails with ENOBUFS: counted as overruns.
 */
struct mptcp_listener {
	struct genl g;
	int rcvbuf;			/* bytes granted by the kernel */
	uint64_t events;		/* events received */
	uint64_t overruns;		/* ENOBUFS: one or more events lost */
	uint64_t by_type[MPTCP_EVENT_LISTENER_CLOSED + 1];
};

/* Open and join mptcp_pm_events; rcvbuf 0 keeps the default. Errors reported. */
int mptcp_listener_open(struct mptcp_listener *l, int rcvbuf);
void mptcp_listener_close(struct mptcp_listener *l);

/* handle(): 0 to go on, > 0 to stop, < 0 (reported error) to stop with it. */
typedef int (*mptcp_event_fn)(const struct mptcp_event *ev, void *data);

/*
 * Deliver events until SIGINT/SIGTERM, until max_events have been handled
 * (0: no limit) or after timeout_ms (0: none).  Returns 0 or -errno.
 */
int mptcp_listener_run(struct mptcp_listener *l, uint64_t max_events,
		       uint64_t timeout_ms, mptcp_event_fn handle, void *data);

/* The same, with hooks; each returns 0 to go on, else stops the loop. */
struct mptcp_listen_ops {
	mptcp_event_fn event;		/* each event */
	/* Events were lost (an overrun): called once what is still queued
	 * has been read, or 20 ms after the loss at the latest; NULL: none. */
	int (*lost)(void *data);
	int (*tick)(void *data);	/* every tick_ms, busy or not */
	uint64_t tick_ms;		/* 0: no tick */
};
int mptcp_listener_loop(struct mptcp_listener *l, uint64_t max_events, uint64_t timeout_ms,
			const struct mptcp_listen_ops *ops, void *data);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t mptcp_now_ms(void);

/* "rcvbuf BYTES" of the event listeners: 1 KiB to 1 GiB (usage error). */
int mptcp_parse_rcvbuf(const char *value, uint32_t *rcvbuf);

#endif
