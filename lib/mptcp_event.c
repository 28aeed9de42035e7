// SPDX-License-Identifier: GPL-2.0
/* MPTCP events: parsing, printing and the listener loop; see mptcp.h. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>

#include "mptcp.h"
#include "output.h"
#include "utils.h"

static const char *const event_names[] = {
	[MPTCP_EVENT_CREATED] = "created",
	[MPTCP_EVENT_ESTABLISHED] = "established",
	[MPTCP_EVENT_CLOSED] = "closed",
	[MPTCP_EVENT_ANNOUNCED] = "announced",
	[MPTCP_EVENT_REMOVED] = "removed",
	[MPTCP_EVENT_SUB_ESTABLISHED] = "sub_established",
	[MPTCP_EVENT_SUB_CLOSED] = "sub_closed",
	[MPTCP_EVENT_SUB_PRIORITY] = "sub_priority",
	[MPTCP_EVENT_LISTENER_CREATED] = "listener_created",
	[MPTCP_EVENT_LISTENER_CLOSED] = "listener_closed",
};

const char *mptcp_event_name(uint8_t type)
{
	return type < ARRAY_SIZE(event_names) ? event_names[type] : NULL;
}

static void event_ip(const struct nlattr *a4, const struct nlattr *a6,
		     const struct nlattr *port, struct mptcp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (mptcp_attr_ok(a4, 4)) {
		out->family = AF_INET;
		memcpy(&out->addr.v4, mnl_attr_get_payload(a4), 4);
	} else if (mptcp_attr_ok(a6, 16)) {
		out->family = AF_INET6;
		memcpy(&out->addr.v6, mnl_attr_get_payload(a6), 16);
	}
	if (mptcp_attr_ok(port, 2))
		out->port = ntohs(mnl_attr_get_u16(port));
}

int mptcp_event_parse(const struct nlmsghdr *nlh, struct mptcp_event *ev)
{
	const struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *const *tb = ev->tb;

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*gh))
		return -EBADMSG;
	genl_parse(nlh, ev->tb, MPTCP_ATTR_MAX);
	ev->type = gh->cmd;
	ev->name = mptcp_event_name(gh->cmd);
	if (mptcp_attr_ok(tb[MPTCP_ATTR_TOKEN], 4)) {
		ev->token = mnl_attr_get_u32(tb[MPTCP_ATTR_TOKEN]);
		ev->has_token = true;
	}
	/* 6.12 puts SERVER_SIDE on every "created"/"established", 0 on the
	 * client; 6.18 adds it only on the server side (and says it in
	 * FLAGS): its value counts, not its presence. */
	ev->server_side = (mptcp_attr_ok(tb[MPTCP_ATTR_SERVER_SIDE], 1) &&
			   mnl_attr_get_u8(tb[MPTCP_ATTR_SERVER_SIDE])) ||
		(mptcp_attr_ok(tb[MPTCP_ATTR_FLAGS], 2) &&
		 (mnl_attr_get_u16(tb[MPTCP_ATTR_FLAGS]) & MPTCP_PM_EV_FLAG_SERVER_SIDE));
	event_ip(tb[MPTCP_ATTR_SADDR4], tb[MPTCP_ATTR_SADDR6], tb[MPTCP_ATTR_SPORT], &ev->saddr);
	event_ip(tb[MPTCP_ATTR_DADDR4], tb[MPTCP_ATTR_DADDR6], tb[MPTCP_ATTR_DPORT], &ev->daddr);
	ev->loc_id = mptcp_attr_ok(tb[MPTCP_ATTR_LOC_ID], 1) ? mnl_attr_get_u8(tb[MPTCP_ATTR_LOC_ID]) : -1;
	ev->rem_id = mptcp_attr_ok(tb[MPTCP_ATTR_REM_ID], 1) ? mnl_attr_get_u8(tb[MPTCP_ATTR_REM_ID]) : -1;
	return 0;
}

static void out_u8_attr(struct onode *obj, const char *key, const struct nlattr *a)
{
	if (mptcp_attr_ok(a, 1))
		out_uint(obj, key, mnl_attr_get_u8(a));
}

static void out_u32_attr(struct onode *obj, const char *key, const struct nlattr *a)
{
	if (mptcp_attr_ok(a, 4))
		out_uint(obj, key, mnl_attr_get_u32(a));
}

void mptcp_event_out(struct onode *obj, const struct mptcp_event *ev)
{
	const struct nlattr *const *tb = ev->tb;
	char ip[INET6_ADDRSTRLEN];

	if (ev->has_token)
		out_uint(obj, "token", ev->token);
	if (ev->type == MPTCP_EVENT_CREATED || ev->type == MPTCP_EVENT_ESTABLISHED)
		out_bool(obj, "server_side", ev->server_side);
	out_u8_attr(obj, "loc_id", tb[MPTCP_ATTR_LOC_ID]);
	out_u8_attr(obj, "rem_id", tb[MPTCP_ATTR_REM_ID]);
	if (ev->saddr.family) {
		mptcp_format_ip(&ev->saddr, ip, sizeof(ip));
		out_str(obj, "saddr", ip);
	}
	if (mptcp_attr_ok(tb[MPTCP_ATTR_SPORT], 2))
		out_uint(obj, "sport", ev->saddr.port);
	if (ev->daddr.family) {
		mptcp_format_ip(&ev->daddr, ip, sizeof(ip));
		out_str(obj, "daddr", ip);
	}
	if (mptcp_attr_ok(tb[MPTCP_ATTR_DPORT], 2))
		out_uint(obj, "dport", ev->daddr.port);
	if (mptcp_attr_ok(tb[MPTCP_ATTR_BACKUP], 1))
		out_bool(obj, "backup", mnl_attr_get_u8(tb[MPTCP_ATTR_BACKUP]));
	if (mptcp_attr_ok(tb[MPTCP_ATTR_IF_IDX], 4)) {
		char name[IF_NAMESIZE];
		uint32_t idx = mnl_attr_get_u32(tb[MPTCP_ATTR_IF_IDX]);

		if (idx && if_indextoname(idx, name))
			out_str(obj, "dev", name);
		else
			out_uint(obj, "ifindex", idx);
	}
	out_u8_attr(obj, "error", tb[MPTCP_ATTR_ERROR]);
	out_u32_attr(obj, "timeout", tb[MPTCP_ATTR_TIMEOUT]);
	out_u32_attr(obj, "reset_reason", tb[MPTCP_ATTR_RESET_REASON]);
	out_u32_attr(obj, "reset_flags", tb[MPTCP_ATTR_RESET_FLAGS]);
	if (mptcp_attr_ok(tb[MPTCP_ATTR_FLAGS], 2))
		out_uint(obj, "flags", mnl_attr_get_u16(tb[MPTCP_ATTR_FLAGS]));
}

int mptcp_listener_open(struct mptcp_listener *l, int rcvbuf)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = mptcp_pm_open(&l->g);
	if (err)
		return err;
	err = genl_join(&l->g, MPTCP_PM_EV_GRP_NAME);
	if (err) {
		genl_close(&l->g);
		if (err == -ENOENT)
			return err_run(err, "no multicast group \"%s\" in family \"%s\"",
				       MPTCP_PM_EV_GRP_NAME, MPTCP_PM_NAME);
		return err_run(err, "cannot join \"%s\": %s", MPTCP_PM_EV_GRP_NAME,
			       err_str(err));
	}
	/* 0 only reads the size, which the report shows. */
	err = genl_set_rcvbuf(&l->g, rcvbuf);
	if (err < 0) {
		genl_close(&l->g);
		return err_run(err, "cannot set the receive buffer: %s", err_str(err));
	}
	l->rcvbuf = err;
	return 0;
}

void mptcp_listener_close(struct mptcp_listener *l)
{
	genl_close(&l->g);
}

struct dispatch_ctx {
	struct mptcp_listener *l;
	const struct mptcp_listen_ops *ops;
	void *data;
	uint64_t left;			/* events still wanted; 0: no limit */
	bool limited;
	int rc;
};

static int dispatch_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch_ctx *ctx = data;
	struct mptcp_event ev;

	if (nlh->nlmsg_type != ctx->l->g.family)
		return MNL_CB_OK;
	if (mptcp_event_parse(nlh, &ev))
		return MNL_CB_OK;
	ctx->l->events++;
	if (ev.type < ARRAY_SIZE(ctx->l->by_type))
		ctx->l->by_type[ev.type]++;
	ctx->rc = ctx->ops->event(&ev, ctx->data);
	if (!ctx->rc && ctx->limited && !--ctx->left)
		ctx->rc = 1;
	return ctx->rc ? MNL_CB_STOP : MNL_CB_OK;
}

uint64_t mptcp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Is anything queued on fd right now? */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* After a loss, the lost() hook waits at most this long for the queue to drain. */
#define LOST_DELAY_MS 20

int mptcp_listener_loop(struct mptcp_listener *l, uint64_t max_events, uint64_t timeout_ms,
			const struct mptcp_listen_ops *ops, void *data)
{
	static char buf[GENL_BUF_SIZE];
	struct dispatch_ctx ctx = {
		.l = l, .ops = ops, .data = data,
		.left = max_events, .limited = max_events > 0,
	};
	uint64_t now = mptcp_now_ms(), deadline = timeout_ms ? now + timeout_ms : 0;
	uint64_t next_tick = ops->tick_ms ? now + ops->tick_ms : 0, lost_since = 0;
	struct pollfd pfd[2];
	sigset_t old;
	int sfd, err = 0;

	sfd = stop_signals_open(&old);
	if (sfd < 0)
		return sfd;
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = mnl_socket_get_fd(l->g.nl), .events = POLLIN };
	for (;;) {
		int wait = -1, n;
		ssize_t len;

		now = mptcp_now_ms();
		if (deadline && now >= deadline)
			break;
		if (next_tick && now >= next_tick) {
			next_tick = now + ops->tick_ms;
			err = ops->tick(data);
			if (err)
				break;
		}
		/* Lost events: once the queue is drained, or soon at the latest. */
		if (lost_since && (!readable(pfd[1].fd) || now >= lost_since + LOST_DELAY_MS)) {
			lost_since = 0;
			err = ops->lost(data);
			if (err)
				break;
			continue;
		}
		if (deadline)
			wait = (int)(deadline - now);
		if (next_tick && (wait < 0 || next_tick - now < (uint64_t)wait))
			wait = (int)(next_tick - now);
		if (lost_since)
			wait = 0;
		n = poll(pfd, 2, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (pfd[0].revents) {
			err = stop_signals_consume(sfd);
			break;
		}
		if (!pfd[1].revents)
			continue;
		len = recv(pfd[1].fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				l->overruns++;
				if (ops->lost && !lost_since)
					lost_since = mptcp_now_ms();
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err = -errno;
			break;
		}
		ctx.rc = 0;
		mnl_cb_run(buf, (size_t)len, 0, 0, dispatch_cb, &ctx);
		if (ctx.rc > 0)
			break;
		if (ctx.rc < 0) {
			err = ctx.rc;
			break;
		}
	}
	stop_signals_close(sfd, &old);
	return err > 0 ? 0 : err;
}

int mptcp_listener_run(struct mptcp_listener *l, uint64_t max_events,
		       uint64_t timeout_ms, mptcp_event_fn handle, void *data)
{
	const struct mptcp_listen_ops ops = { .event = handle };

	return mptcp_listener_loop(l, max_events, timeout_ms, &ops, data);
}
