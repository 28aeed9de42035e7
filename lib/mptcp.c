// SPDX-License-Identifier: GPL-2.0
/* MPTCP path-manager netlink helpers: see mptcp.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "mptcp.h"
#include "mptcp_diag.h"
#include "output.h"
#include "utils.h"

int mptcp_pm_open(struct genl *g)
{
	int err = genl_open(g, MPTCP_PM_NAME);

	if (err == -ENOENT)
		return err_run(err, "generic netlink family \"%s\" not found (kernel without MPTCP?)",
			       MPTCP_PM_NAME);
	if (err)
		return err_run(err, "cannot open generic netlink: %s", strerror(-err));
	return 0;
}

int mptcp_parse_ip(const char *s, struct mptcp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->addr.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->addr.v6) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

void mptcp_format_ip(const struct mptcp_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->addr.bytes, buf, (socklen_t)len))
		snprintf(buf, len, "-");
}

bool mptcp_addr_equal(const struct mptcp_addr *a, const struct mptcp_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && !memcmp(a->addr.bytes, b->addr.bytes, n);
}

bool mptcp_addr_is_linklocal(const struct mptcp_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->addr.v4.s_addr) & 0xffff0000) == 0xa9fe0000;
	return IN6_IS_ADDR_LINKLOCAL(&a->addr.v6);
}

int mptcp_parse_token(const char *s, uint32_t *token)
{
	unsigned long long v = 0;
	uint32_t t;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		const char *p = s + 2;

		if (!*p || strlen(p) > 8)
			return -EINVAL;
		for (; *p; p++) {
			int d;

			if (*p >= '0' && *p <= '9')
				d = *p - '0';
			else if (*p >= 'a' && *p <= 'f')
				d = *p - 'a' + 10;
			else if (*p >= 'A' && *p <= 'F')
				d = *p - 'A' + 10;
			else
				return -EINVAL;
			v = v * 16 + (unsigned long long)d;
		}
		t = (uint32_t)v;
	} else if (parse_u32_range(s, 0, UINT32_MAX, &t)) {
		return -EINVAL;
	}
	*token = t;
	return 0;
}

void mptcp_put_addr(struct nlmsghdr *nlh, uint16_t type, const struct mptcp_addr *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_FAMILY, a->family);
	if (a->family == AF_INET)
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR4, 4, &a->addr.v4);
	else
		mnl_attr_put(nlh, MPTCP_PM_ADDR_ATTR_ADDR6, 16, &a->addr.v6);
	if (a->has_id)
		mnl_attr_put_u8(nlh, MPTCP_PM_ADDR_ATTR_ID, a->id);
	if (a->port)
		mnl_attr_put_u16(nlh, MPTCP_PM_ADDR_ATTR_PORT, a->port);
	if (a->flags)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_FLAGS, a->flags);
	if (a->ifindex)
		mnl_attr_put_u32(nlh, MPTCP_PM_ADDR_ATTR_IF_IDX, (uint32_t)a->ifindex);
	mnl_attr_nest_end(nlh, nest);
}

static bool attr_ok(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_get_payload_len(a) >= len;
}

int mptcp_parse_addr(const struct nlattr *nest, struct mptcp_addr *a)
{
	const struct nlattr *tb[MPTCP_PM_ADDR_ATTR_MAX + 1];

	memset(a, 0, sizeof(*a));
	genl_parse_nested(nest, tb, MPTCP_PM_ADDR_ATTR_MAX);
	if (!attr_ok(tb[MPTCP_PM_ADDR_ATTR_FAMILY], 2))
		return -EBADMSG;
	a->family = (uint8_t)mnl_attr_get_u16(tb[MPTCP_PM_ADDR_ATTR_FAMILY]);
	if (a->family == AF_INET && attr_ok(tb[MPTCP_PM_ADDR_ATTR_ADDR4], 4))
		memcpy(&a->addr.v4, mnl_attr_get_payload(tb[MPTCP_PM_ADDR_ATTR_ADDR4]), 4);
	else if (a->family == AF_INET6 && attr_ok(tb[MPTCP_PM_ADDR_ATTR_ADDR6], 16))
		memcpy(&a->addr.v6, mnl_attr_get_payload(tb[MPTCP_PM_ADDR_ATTR_ADDR6]), 16);
	else
		return -EBADMSG;
	if (attr_ok(tb[MPTCP_PM_ADDR_ATTR_ID], 1)) {
		a->id = mnl_attr_get_u8(tb[MPTCP_PM_ADDR_ATTR_ID]);
		a->has_id = true;
	}
	if (attr_ok(tb[MPTCP_PM_ADDR_ATTR_PORT], 2))
		a->port = mnl_attr_get_u16(tb[MPTCP_PM_ADDR_ATTR_PORT]);
	if (attr_ok(tb[MPTCP_PM_ADDR_ATTR_FLAGS], 4))
		a->flags = mnl_attr_get_u32(tb[MPTCP_PM_ADDR_ATTR_FLAGS]);
	if (attr_ok(tb[MPTCP_PM_ADDR_ATTR_IF_IDX], 4))
		a->ifindex = (int32_t)mnl_attr_get_u32(tb[MPTCP_PM_ADDR_ATTR_IF_IDX]);
	return 0;
}

/* One table to parse and to print endpoint flags. */
static const struct {
	const char *name;
	uint32_t flag;
} addr_flags[] = {
	{ "signal", MPTCP_PM_ADDR_FLAG_SIGNAL },
	{ "subflow", MPTCP_PM_ADDR_FLAG_SUBFLOW },
	{ "backup", MPTCP_PM_ADDR_FLAG_BACKUP },
	{ "fullmesh", MPTCP_PM_ADDR_FLAG_FULLMESH },
	{ "implicit", MPTCP_PM_ADDR_FLAG_IMPLICIT },
	{ "laminar", MPTCP_PM_ADDR_FLAG_LAMINAR },
};

void mptcp_out_flags(struct onode *obj, const char *key, uint32_t flags)
{
	struct onode *arr = out_add_array(obj, key);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addr_flags); i++) {
		if (flags & addr_flags[i].flag) {
			out_push_str(arr, addr_flags[i].name);
			flags &= ~addr_flags[i].flag;
		}
	}
	if (flags) {
		char raw[16];

		snprintf(raw, sizeof(raw), "0x%x", flags);
		out_push_str(arr, raw);
	}
}

uint32_t mptcp_flag_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addr_flags); i++)
		if (!strcmp(name, addr_flags[i].name))
			return addr_flags[i].flag;
	return 0;
}

int mptcp_ifindex(const char *name, int *ifindex)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx)
		return err_usage("no such interface \"%s\"", name);
	*ifindex = (int)idx;
	return 0;
}

int mptcp_route_source(const struct mptcp_addr *dst, int ifindex, struct mptcp_addr *src)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, err = 0;

	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ifindex) {
		char name[IF_NAMESIZE];

		if (!if_indextoname((unsigned int)ifindex, name) ||
		    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name) + 1)) {
			err = -errno;
			goto out;
		}
	}
	if (dst->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		sin->sin_addr = dst->addr.v4;
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		sin6->sin6_addr = dst->addr.v6;
		sin6->sin6_scope_id = (uint32_t)ifindex;
		len = sizeof(*sin6);
	}
	/* A UDP connect only looks the route up: nothing is sent. */
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		goto out;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		goto out;
	}
	memset(src, 0, sizeof(*src));
	src->family = dst->family;
	if (dst->family == AF_INET)
		src->addr.v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	else
		src->addr.v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
out:
	close(fd);
	return err;
}

static bool ifindex_named(const int *devs, int ndevs, int ifindex)
{
	int i;

	for (i = 0; i < ndevs; i++)
		if (devs[i] == ifindex)
			return true;
	return false;
}

/*
 * The local addresses a mesh should use: every address of an interface that
 * is up, except loopback and link-local ones, or every address of the named
 * interfaces (link-local ones then carry their interface).
 */
int mptcp_local_addresses(const int *devs, int ndevs, struct mptcp_addr_list *out)
{
	struct ifaddrs *ifa_list, *ifa;
	int i;

	out->n = 0;
	if (getifaddrs(&ifa_list))
		return -errno;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		struct mptcp_addr a = { 0 };
		int idx;
		bool dup = false;

		if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
				       ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		idx = (int)if_nametoindex(ifa->ifa_name);
		a.family = (uint8_t)ifa->ifa_addr->sa_family;
		if (a.family == AF_INET)
			a.addr.v4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		else
			a.addr.v6 = ((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
		if (ndevs) {
			if (!ifindex_named(devs, ndevs, idx))
				continue;
			if (mptcp_addr_is_linklocal(&a))
				a.ifindex = idx;
		} else if ((ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP) ||
			   mptcp_addr_is_linklocal(&a)) {
			continue;
		}
		for (i = 0; i < out->n; i++)
			dup |= mptcp_addr_equal(&out->addr[i], &a);
		if (!dup && out->n < MPTCP_ADDR_LIST_MAX)
			out->addr[out->n++] = a;
	}
	freeifaddrs(ifa_list);
	return 0;
}

#define SYSCTL_DIR "/proc/sys/net/mptcp/"

static int sysctl_read(const char *name, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int sysctl_write(const char *name, const char *val)
{
	int fd = open(name, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int mptcp_pm_type_get(char *buf, size_t len)
{
	char val[32];
	int err;

	/* net.mptcp.path_manager (6.15) names it; pm_type (5.19) numbers it. */
	if (!sysctl_read(SYSCTL_DIR "path_manager", buf, len))
		return 0;
	err = sysctl_read(SYSCTL_DIR "pm_type", val, sizeof(val));
	if (err == -ENOENT) {
		/* Before 5.19 only the in-kernel PM exists. */
		snprintf(buf, len, "kernel");
		return access("/proc/sys/net/mptcp", F_OK) ? -ENOENT : 0;
	}
	if (err)
		return err;
	snprintf(buf, len, "%s", !strcmp(val, "0") ? "kernel" :
		 !strcmp(val, "1") ? "userspace" : val);
	return 0;
}

int mptcp_pm_type_set(const char *type)
{
	int err = sysctl_write(SYSCTL_DIR "path_manager", type);

	if (err != -ENOENT)
		return err;
	if (!strcmp(type, "kernel"))
		return sysctl_write(SYSCTL_DIR "pm_type", "0");
	if (!strcmp(type, "userspace"))
		return sysctl_write(SYSCTL_DIR "pm_type", "1");
	return -EINVAL;
}

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
	if (attr_ok(a4, 4)) {
		out->family = AF_INET;
		memcpy(&out->addr.v4, mnl_attr_get_payload(a4), 4);
	} else if (attr_ok(a6, 16)) {
		out->family = AF_INET6;
		memcpy(&out->addr.v6, mnl_attr_get_payload(a6), 16);
	}
	if (attr_ok(port, 2))
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
	if (attr_ok(tb[MPTCP_ATTR_TOKEN], 4)) {
		ev->token = mnl_attr_get_u32(tb[MPTCP_ATTR_TOKEN]);
		ev->has_token = true;
	}
	/* 6.12 puts SERVER_SIDE on every "created"/"established", 0 on the
	 * client; 6.18 adds it only on the server side (and says it in
	 * FLAGS): its value counts, not its presence. */
	ev->server_side = (attr_ok(tb[MPTCP_ATTR_SERVER_SIDE], 1) &&
			   mnl_attr_get_u8(tb[MPTCP_ATTR_SERVER_SIDE])) ||
		(attr_ok(tb[MPTCP_ATTR_FLAGS], 2) &&
		 (mnl_attr_get_u16(tb[MPTCP_ATTR_FLAGS]) & MPTCP_PM_EV_FLAG_SERVER_SIDE));
	event_ip(tb[MPTCP_ATTR_SADDR4], tb[MPTCP_ATTR_SADDR6], tb[MPTCP_ATTR_SPORT], &ev->saddr);
	event_ip(tb[MPTCP_ATTR_DADDR4], tb[MPTCP_ATTR_DADDR6], tb[MPTCP_ATTR_DPORT], &ev->daddr);
	ev->loc_id = attr_ok(tb[MPTCP_ATTR_LOC_ID], 1) ? mnl_attr_get_u8(tb[MPTCP_ATTR_LOC_ID]) : -1;
	ev->rem_id = attr_ok(tb[MPTCP_ATTR_REM_ID], 1) ? mnl_attr_get_u8(tb[MPTCP_ATTR_REM_ID]) : -1;
	return 0;
}

static void out_u8_attr(struct onode *obj, const char *key, const struct nlattr *a)
{
	if (attr_ok(a, 1))
		out_uint(obj, key, mnl_attr_get_u8(a));
}

static void out_u32_attr(struct onode *obj, const char *key, const struct nlattr *a)
{
	if (attr_ok(a, 4))
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
	if (attr_ok(tb[MPTCP_ATTR_SPORT], 2))
		out_uint(obj, "sport", ev->saddr.port);
	if (ev->daddr.family) {
		mptcp_format_ip(&ev->daddr, ip, sizeof(ip));
		out_str(obj, "daddr", ip);
	}
	if (attr_ok(tb[MPTCP_ATTR_DPORT], 2))
		out_uint(obj, "dport", ev->daddr.port);
	if (attr_ok(tb[MPTCP_ATTR_BACKUP], 1))
		out_bool(obj, "backup", mnl_attr_get_u8(tb[MPTCP_ATTR_BACKUP]));
	if (attr_ok(tb[MPTCP_ATTR_IF_IDX], 4)) {
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
	if (attr_ok(tb[MPTCP_ATTR_FLAGS], 2))
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
			       strerror(-err));
	}
	/* 0 only reads the size, which the report shows. */
	err = genl_set_rcvbuf(&l->g, rcvbuf);
	if (err < 0) {
		genl_close(&l->g);
		return err_run(err, "cannot set the receive buffer: %s", strerror(-err));
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
	mptcp_event_fn handle;
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
	ctx->rc = ctx->handle(&ev, ctx->data);
	if (!ctx->rc && ctx->limited && !--ctx->left)
		ctx->rc = 1;
	return ctx->rc ? MNL_CB_STOP : MNL_CB_OK;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int mptcp_listener_run(struct mptcp_listener *l, uint64_t max_events,
		       uint64_t timeout_ms, mptcp_event_fn handle, void *data)
{
	static char buf[GENL_BUF_SIZE];
	struct dispatch_ctx ctx = {
		.l = l, .handle = handle, .data = data,
		.left = max_events, .limited = max_events > 0,
	};
	uint64_t deadline = timeout_ms ? now_ms() + timeout_ms : 0;
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

		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				break;
			wait = (int)(deadline - now);
		}
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
	return err;
}

static int limits_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1];
	struct mptcp_limits *lim = data;

	genl_parse(nlh, tb, MPTCP_PM_ATTR_MAX);
	if (tb[MPTCP_PM_ATTR_SUBFLOWS])
		lim->subflows = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_SUBFLOWS]);
	if (tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS])
		lim->add_addr_accepted = mnl_attr_get_u32(tb[MPTCP_PM_ATTR_RCV_ADD_ADDRS]);
	return MNL_CB_OK;
}

int mptcp_limits_get(struct genl *g, struct mptcp_limits *lim)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	memset(lim, 0, sizeof(*lim));
	err = genl_talk(g, genl_msg(g, buf, MPTCP_PM_CMD_GET_LIMITS, 0), limits_cb, lim);
	return err ? genl_error(g, err, "get limits") : 0;
}

/* Each limit < 0 is left as it is. */
int mptcp_limits_set(struct genl *g, int64_t subflows, int64_t add_addr_accepted)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(g, buf, MPTCP_PM_CMD_SET_LIMITS, 0);
	int err;

	if (subflows >= 0)
		mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_SUBFLOWS, (uint32_t)subflows);
	if (add_addr_accepted >= 0)
		mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_RCV_ADD_ADDRS, (uint32_t)add_addr_accepted);
	err = genl_talk(g, nlh, NULL, NULL);
	return err ? genl_error(g, err, "set limits") : 0;
}

static int endpoint_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1];
	struct mptcp_addr_list *eps = data;

	genl_parse(nlh, tb, MPTCP_PM_ATTR_MAX);
	if (!tb[MPTCP_PM_ATTR_ADDR] || eps->n == MPTCP_ADDR_LIST_MAX)
		return MNL_CB_OK;
	if (!mptcp_parse_addr(tb[MPTCP_PM_ATTR_ADDR], &eps->addr[eps->n]))
		eps->n++;
	return MNL_CB_OK;
}

int mptcp_endpoints_get(struct genl *g, struct mptcp_addr_list *eps)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	eps->n = 0;
	err = genl_talk(g, genl_msg(g, buf, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP),
			endpoint_cb, eps);
	return err ? genl_error(g, err, "dump endpoints") : 0;
}

struct id_ctx {
	const struct mptcp_addr *want;
	bool used[256];
	int match;			/* id of the matching entry, or -1 */
};

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MPTCP_PM_ATTR_MAX + 1];
	struct id_ctx *ctx = data;
	struct mptcp_addr e;

	genl_parse(nlh, tb, MPTCP_PM_ATTR_MAX);
	if (!tb[MPTCP_PM_ATTR_ADDR] || mptcp_parse_addr(tb[MPTCP_PM_ATTR_ADDR], &e))
		return MNL_CB_OK;
	ctx->used[e.id] = true;
	if (mptcp_addr_equal(&e, ctx->want) && e.port == ctx->want->port)
		ctx->match = e.id;
	return MNL_CB_OK;
}

int mptcp_pick_local_id(struct genl *g, uint32_t token, const struct mptcp_addr *a,
			uint8_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct id_ctx ctx = { .want = a, .match = -1 };
	struct nlmsghdr *nlh;
	struct mptcp_diag d;
	size_t i;
	int err, n;

	/* Kernels before 6.10 fail this or ignore the token: then only the
	 * subflows tell which ids are taken. */
	nlh = genl_msg(g, buf, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	if (genl_talk(g, nlh, entry_cb, &ctx)) {
		memset(ctx.used, 0, sizeof(ctx.used));
		ctx.match = -1;
	}
	if (ctx.match > 0) {
		*id = (uint8_t)ctx.match;
		return 0;
	}
	err = mptcp_diag_collect(&d);
	if (err)
		return err;
	for (i = 0; i < d.nsubflows; i++)
		if (d.subflows[i].token == token)
			ctx.used[d.subflows[i].loc_id] = true;
	mptcp_diag_free(&d);
	*id = 1;
	for (n = 1; n < 256; n++) {
		if (!ctx.used[n]) {
			*id = (uint8_t)n;
			break;
		}
	}
	return 0;
}

int mptcp_parse_rcvbuf(const char *value, uint32_t *rcvbuf)
{
	if (parse_u32_range(value, 1024, 1 << 30, rcvbuf))
		return err_usage("invalid rcvbuf \"%s\" (1024 to 1073741824 bytes)", value);
	return 0;
}
