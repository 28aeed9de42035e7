// SPDX-License-Identifier: GPL-2.0
/* MPTCP path-manager netlink helpers: see mptcp.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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
		return err_run(err, "cannot open generic netlink: %s", err_str(err));
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
	return parse_u32_range_hex(s, 0, UINT32_MAX, token) ? -EINVAL : 0;
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

int mptcp_parse_addr(const struct nlattr *nest, struct mptcp_addr *a)
{
	const struct nlattr *tb[MPTCP_PM_ADDR_ATTR_MAX + 1];

	memset(a, 0, sizeof(*a));
	genl_parse_nested(nest, tb, MPTCP_PM_ADDR_ATTR_MAX);
	if (!mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_FAMILY], 2))
		return -EBADMSG;
	a->family = (uint8_t)mnl_attr_get_u16(tb[MPTCP_PM_ADDR_ATTR_FAMILY]);
	if (a->family == AF_INET && mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_ADDR4], 4))
		memcpy(&a->addr.v4, mnl_attr_get_payload(tb[MPTCP_PM_ADDR_ATTR_ADDR4]), 4);
	else if (a->family == AF_INET6 && mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_ADDR6], 16))
		memcpy(&a->addr.v6, mnl_attr_get_payload(tb[MPTCP_PM_ADDR_ATTR_ADDR6]), 16);
	else
		return -EBADMSG;
	if (mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_ID], 1)) {
		a->id = mnl_attr_get_u8(tb[MPTCP_PM_ADDR_ATTR_ID]);
		a->has_id = true;
	}
	if (mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_PORT], 2))
		a->port = mnl_attr_get_u16(tb[MPTCP_PM_ADDR_ATTR_PORT]);
	if (mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_FLAGS], 4))
		a->flags = mnl_attr_get_u32(tb[MPTCP_PM_ADDR_ATTR_FLAGS]);
	if (mptcp_attr_ok(tb[MPTCP_PM_ADDR_ATTR_IF_IDX], 4))
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
