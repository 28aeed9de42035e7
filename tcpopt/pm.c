// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt pm: MPTCP path management.  Show and configure the netns's
 * path manager (type, limits, endpoints), drive the userspace one
 * (announce, remove), and dispatch to the rest: the in-kernel full mesh
 * (pm_mesh.c), the netlink agent of "pm run" (pm_agent.c), and the BPF
 * path managers of the kernel patch set (pm_bpf.c), which "pm set
 * fullmesh|ndiffports" prefers where the kernel has them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm.h"
#include "pm_agent.h"
#include "tcpopt.h"
#include "../lib/cgroup.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/utils.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt pm [ show ]\n"
		"       tcpopt pm set { kernel | userspace }\n"
		"       tcpopt pm set fullmesh [ dev IFACE ]... [ follow ] [ cgroup PATH ]\n"
		"       tcpopt pm set ndiffports N [ cgroup PATH ]\n"
		"       tcpopt pm set limits [ subflows N ] [ add_addr_accepted N ]\n"
		"       tcpopt pm del [ cgroup PATH ]\n"
		"       tcpopt pm announce ADDR token TOKEN [ id ID ] [ port PORT ]\n"
		"       tcpopt pm remove id ID token TOKEN\n"
		"       tcpopt pm run ndiffports N [ cgroup PATH ] [ rcvbuf BYTES ]\n"
		"       tcpopt pm run fullmesh [ cgroup PATH ] [ rcvbuf BYTES ]\n"
		"       tcpopt pm run endpoints [ dev IFACE ]...\n");
}

static void out_endpoint(struct onode *row, const struct mptcp_addr *a)
{
	char ip[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];

	out_uint(row, "id", a->id);
	mptcp_format_ip(a, ip, sizeof(ip));
	out_str(row, "address", ip);
	if (a->port)
		out_uint(row, "port", a->port);
	else
		out_null(row, "port", "-");
	mptcp_out_flags(row, "flags", a->flags);
	if (a->ifindex && if_indextoname((unsigned int)a->ifindex, dev))
		out_str(row, "dev", dev);
	else if (a->ifindex)
		out_strf(row, "dev", "if%d", a->ifindex);
	else
		out_null(row, "dev", "-");
}

void pm_out_limits(struct onode *root, const struct mptcp_limits *lim)
{
	struct onode *o = out_add_object(root, "limits");

	out_uint(o, "subflows", lim->subflows);
	out_uint(o, "add_addr_accepted", lim->add_addr_accepted);
}

static int pm_show(int argc, char **argv)
{
	struct mptcp_addr_list *eps;
	struct onode *root, *arr;
	struct mptcp_limits lim;
	struct genl g;
	char type[64];
	int err, i;

	if (argc > 0)
		return err_usage("unexpected argument \"%s\"", argv[0]);
	err = mptcp_pm_type_get(type, sizeof(type));
	if (err)
		return err_run(err, "cannot read the path manager type: %s", err_str(err));
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	eps = xzalloc(sizeof(*eps));
	err = mptcp_limits_get(&g, &lim);
	if (!err)
		err = mptcp_endpoints_get(&g, eps);
	genl_close(&g);
	if (err) {
		free(eps);
		return err;
	}
	root = out_new_object();
	out_str(root, "path_manager", type);
	pm_out_limits(root, &lim);
	arr = out_add_array(root, "endpoints");
	for (i = 0; i < eps->n; i++)
		out_endpoint(out_push_object(arr), &eps->addr[i]);
	pm_bpf_show(root);
	pm_agents_show(root);
	out_render(root, stdout);
	free(eps);
	return 0;
}

static int set_type(const char *type)
{
	int err = mptcp_pm_type_set(type);

	if (err)
		return err_run(err, "cannot select the %s path manager: %s", type,
			       err_str(err));
	return 0;
}

static int set_kernel(int argc, char **argv)
{
	if (argc > 0)
		return err_usage("unexpected argument \"%s\"", argv[0]);
	return set_type("kernel");
}

static int set_userspace(int argc, char **argv)
{
	if (argc > 0)
		return err_usage("unexpected argument \"%s\"", argv[0]);
	return set_type("userspace");
}

int pm_require_type(const char *want, const char *what)
{
	char type[64];
	int err = mptcp_pm_type_get(type, sizeof(type));

	if (err)
		return err_run(err, "cannot read the path manager type: %s", err_str(err));
	if (strcmp(type, want))
		return err_run(-EOPNOTSUPP, "%s needs the %s path manager, the netns uses \"%s\" (see \"tcpopt pm set %s\")",
			       what, want, type, want);
	return 0;
}

/* A cgroup named for a fallback must still exist (an error is reported). */
static int cgroup_check(const char *cgroup)
{
	struct cgroup_ref cg;
	int err;

	if (!cgroup)
		return 0;
	err = cgroup_open(cgroup, &cg);
	if (!err)
		cgroup_close(&cg);
	return err;
}

void pm_note_fallback(const char *cgroup, const char *what)
{
	err_warn("no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm); %s%s%s",
		 what, cgroup ? ", for the whole network namespace, not cgroup " : "",
		 cgroup ? cgroup : "");
}

enum { SET_KW_DEV, SET_KW_FOLLOW, SET_KW_CGROUP };

static int set_fullmesh(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "dev", true, SET_KW_DEV },
		{ "follow", false, SET_KW_FOLLOW },
		{ "cgroup", true, SET_KW_CGROUP },
	};
	struct tcpopt_pm_config cfg = { 0 };
	int devs[TCPOPT_PM_MAX_DEVS], ndevs = 0, err, id, i;
	const char *cgroup = NULL, *value;
	bool follow = false;

	while (argc > 0) {
		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		if (id == SET_KW_FOLLOW) {
			follow = true;
		} else if (id == SET_KW_CGROUP) {
			cgroup = value;
		} else {
			if (ndevs == TCPOPT_PM_MAX_DEVS)
				return err_usage("too many interfaces (at most %d)", TCPOPT_PM_MAX_DEVS);
			if (strlen(value) >= TCPOPT_PM_DEV_LEN)
				return err_usage("invalid interface name \"%s\"", value);
			memcpy(cfg.devs[ndevs++], value, strlen(value));
		}
	}
	for (i = 0; i < ndevs; i++) {
		devs[i] = (int)if_nametoindex(cfg.devs[i]);
		/* with follow, an interface made later is used once it exists */
		if (!devs[i] && !follow)
			return mptcp_ifindex(cfg.devs[i], &devs[i]);
	}
	cfg.ndevs = (uint32_t)ndevs;
	if (follow && in_batch)
		return err_usage("\"follow\" stays in the foreground: not in a batch file");
	if (pm_bpf_supported())
		return pm_bpf_set("fullmesh", &cfg, cgroup, follow);
	err = cgroup_check(cgroup);
	if (err)
		return err;
	/* set returns: what stays to follow the addresses is an agent. */
	if (follow)
		return err_run(-EOPNOTSUPP, "no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm), and \"follow\" would stay in the foreground: set the endpoints without it, and keep them current with the agent \"tcpopt pm run endpoints%s\" (tcpopt-agent@.service)",
			       ndevs ? " dev ..." : "");
	return pm_mesh_fallback(devs, ndevs, cgroup);
}

static int set_ndiffports(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "cgroup", true, SET_KW_CGROUP },
	};
	struct tcpopt_pm_config cfg = { 0 };
	const char *cgroup = NULL, *value;
	int err, id;

	if (argc < 1)
		return err_usage("missing the number of subflows (ndiffports N)");
	if (parse_u32_range(argv[0], 1, TCPOPT_PM_MAX_SUBFLOWS, &cfg.subflows))
		return err_usage("invalid ndiffports \"%s\" (1 to %d)", argv[0], TCPOPT_PM_MAX_SUBFLOWS);
	argc--;
	argv++;
	while (argc > 0) {
		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		cgroup = value;
	}
	if (pm_bpf_supported())
		return pm_bpf_set("ndiffports", &cfg, cgroup, false);
	err = cgroup_check(cgroup);
	if (err)
		return err;
	/* The stock kernel has no such mode, and set returns: say who does it. */
	return err_run(-EOPNOTSUPP, "ndiffports in the kernel needs tcpopt's patch set (see \"tcpopt feature\": mptcp_bpf_pm); on this kernel the netlink agent does it: \"tcpopt pm run ndiffports %u%s%s\" (tcpopt-agent@.service runs it as a service)",
		       cfg.subflows, cgroup ? " cgroup " : "", cgroup ? cgroup : "");
}

enum { LIMIT_KW_SUBFLOWS, LIMIT_KW_ADD_ADDR_ACCEPTED, LIMIT_KW_MAX };

static int set_limits(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "subflows", true, LIMIT_KW_SUBFLOWS },
		{ "add_addr_accepted", true, LIMIT_KW_ADD_ADDR_ACCEPTED },
	};
	int64_t val[LIMIT_KW_MAX] = { -1, -1 };
	struct genl g;
	int err;

	if (argc < 1)
		return err_usage("missing \"subflows N\" or \"add_addr_accepted N\"");
	while (argc > 0) {
		const char *value;
		uint32_t v;
		int id;

		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		if (parse_u32_range(value, 0, UINT32_MAX, &v))
			return err_usage("invalid %s \"%s\"", kw[id].name, value);
		val[id] = v;
	}
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	err = mptcp_limits_set(&g, val[LIMIT_KW_SUBFLOWS], val[LIMIT_KW_ADD_ADDR_ACCEPTED]);
	genl_close(&g);
	return err;
}

static const struct cmd set_cmds[] = {
	{ "kernel", set_kernel },
	{ "userspace", set_userspace },
	{ "fullmesh", set_fullmesh },
	{ "ndiffports", set_ndiffports },
	{ "limits", set_limits },
};

static int pm_set(int argc, char **argv)
{
	if (argc < 1)
		return err_usage("missing what to set (kernel, userspace, fullmesh, ndiffports, limits)");
	return cmd_dispatch("pm setting", set_cmds, ARRAY_SIZE(set_cmds), NULL, argc, argv);
}

static int parse_id(const char *value, uint8_t *id)
{
	uint32_t v;

	if (parse_u32_range(value, 0, 255, &v))
		return err_usage("invalid id \"%s\" (0 to 255)", value);
	*id = (uint8_t)v;
	return 0;
}

static int parse_token_arg(const char *value, uint32_t *token)
{
	if (mptcp_parse_token(value, token))
		return err_usage("invalid token \"%s\"", value);
	return 0;
}

enum { ADDR_KW_TOKEN, ADDR_KW_ID, ADDR_KW_PORT };

static const struct keyword announce_kw[] = {
	{ "token", true, ADDR_KW_TOKEN },
	{ "id", true, ADDR_KW_ID },
	{ "port", true, ADDR_KW_PORT },
};

/* remove: the same words, without port. */
static const struct keyword remove_kw[] = {
	{ "token", true, ADDR_KW_TOKEN },
	{ "id", true, ADDR_KW_ID },
};

static int pm_announce(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mptcp_addr a;
	bool has_token = false;
	uint32_t token = 0;
	struct nlmsghdr *nlh;
	struct genl g;
	int err;

	if (argc < 1)
		return err_usage("missing address to announce");
	if (mptcp_parse_ip(argv[0], &a))
		return err_usage("invalid address \"%s\"", argv[0]);
	a.flags = MPTCP_PM_ADDR_FLAG_SIGNAL;
	argc--;
	argv++;
	while (argc > 0) {
		const char *value;
		int id;

		err = keyword_next(&argc, &argv, announce_kw, ARRAY_SIZE(announce_kw), &id, &value);
		if (err)
			return err;
		if (id == ADDR_KW_TOKEN) {
			err = parse_token_arg(value, &token);
			has_token = true;
		} else if (id == ADDR_KW_ID) {
			err = parse_id(value, &a.id);
			a.has_id = true;
		} else if (parse_port(value, &a.port)) {
			err = err_usage("invalid port \"%s\"", value);
		}
		if (err)
			return err;
	}
	if (!has_token)
		return err_usage("missing \"token TOKEN\"");
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	if (!a.has_id) {
		err = mptcp_pick_local_id(&g, token, &a, &a.id);
		if (err)
			goto out;
		a.has_id = true;
	}
	nlh = genl_msg(&g, buf, MPTCP_PM_CMD_ANNOUNCE, 0);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, &a);
	err = genl_talk(&g, nlh, NULL, NULL);
	if (err)
		err = genl_error(&g, err, "announce");
out:
	genl_close(&g);
	return err;
}

static int pm_remove(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool has_token = false, has_id = false;
	uint32_t token = 0;
	struct nlmsghdr *nlh;
	uint8_t loc_id = 0;
	struct genl g;
	int err;

	while (argc > 0) {
		const char *value;
		int id;

		err = keyword_next(&argc, &argv, remove_kw, ARRAY_SIZE(remove_kw), &id, &value);
		if (err)
			return err;
		if (id == ADDR_KW_TOKEN) {
			err = parse_token_arg(value, &token);
			has_token = true;
		} else {
			err = parse_id(value, &loc_id);
			has_id = true;
		}
		if (err)
			return err;
	}
	if (!has_id || !has_token)
		return err_usage("missing \"%s\"", has_id ? "token TOKEN" : "id ID");
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	nlh = genl_msg(&g, buf, MPTCP_PM_CMD_REMOVE, 0);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	mnl_attr_put_u8(nlh, MPTCP_PM_ATTR_LOC_ID, loc_id);
	err = genl_talk(&g, nlh, NULL, NULL);
	if (err)
		err = genl_error(&g, err, "remove");
	genl_close(&g);
	return err;
}

enum { DEL_KW_CGROUP };

static int pm_del(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "cgroup", true, DEL_KW_CGROUP },
	};
	const char *cgroup = NULL, *value;
	int err, id;

	while (argc > 0) {
		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		cgroup = value;
	}
	return pm_bpf_del(cgroup);
}

static const struct cmd pm_cmds[] = {
	{ "show", pm_show },
	{ "set", pm_set },
	{ "announce", pm_announce },
	{ "remove", pm_remove },
	{ "run", pm_run },
	{ "del", pm_del },
	{ "help", NULL },
};

int do_pm(int argc, char **argv)
{
	return cmd_dispatch("command", pm_cmds, ARRAY_SIZE(pm_cmds), usage, argc, argv);
}
