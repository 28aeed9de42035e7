// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt pm: MPTCP path management.  Show and configure the netns's
 * in-kernel path manager (type, limits, endpoints, full mesh in one
 * command), drive the userspace one (announce, remove), run a userspace
 * path manager in the foreground (pm run), and attach the BPF path managers
 * of the kernel patch set to cgroups (pm set fullmesh|ndiffports, pm del:
 * pm_bpf.c), falling back to the netns's own where the kernel lacks them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm.h"
#include "tcpopt.h"
#include "../lib/addrwatch.h"
#include "../lib/cgroup.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/mptcp_diag.h"
#include "../lib/output.h"
#include "../lib/utils.h"

/* MPTCP_PM_ADDR_MAX: the kernel's ceiling for both limits. */
#define PM_LIMIT_MAX 8

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt pm [ show ]\n"
		"       tcpopt pm set { kernel | userspace }\n"
		"       tcpopt pm set fullmesh [ dev IFACE ]... [ follow ] [ cgroup PATH ]\n"
		"       tcpopt pm set ndiffports N [ cgroup PATH ] [ rcvbuf BYTES ]\n"
		"       tcpopt pm set limits [ subflows N ] [ add_addr_accepted N ]\n"
		"       tcpopt pm del [ cgroup PATH ]\n"
		"       tcpopt pm announce ADDR token TOKEN [ id ID ] [ port PORT ]\n"
		"       tcpopt pm remove id ID token TOKEN\n"
		"       tcpopt pm run { ndiffports N | fullmesh } [ rcvbuf BYTES ]\n");
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

static int endpoints_get(struct genl *g, struct mptcp_addr_list *eps)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int err;

	eps->n = 0;
	err = genl_talk(g, genl_msg(g, buf, MPTCP_PM_CMD_GET_ADDR, NLM_F_DUMP),
			endpoint_cb, eps);
	return err ? genl_error(g, err, "dump endpoints") : 0;
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

static void out_limits(struct onode *root, const struct mptcp_limits *lim)
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
		return err_run(err, "cannot read the path manager type: %s", strerror(-err));
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	eps = xzalloc(sizeof(*eps));
	err = mptcp_limits_get(&g, &lim);
	if (!err)
		err = endpoints_get(&g, eps);
	genl_close(&g);
	if (err) {
		free(eps);
		return err;
	}
	root = out_new_object();
	out_str(root, "path_manager", type);
	out_limits(root, &lim);
	arr = out_add_array(root, "endpoints");
	for (i = 0; i < eps->n; i++)
		out_endpoint(out_push_object(arr), &eps->addr[i]);
	pm_bpf_show(root);
	out_render(root, stdout);
	free(eps);
	return 0;
}

static int set_type(const char *type)
{
	int err = mptcp_pm_type_set(type);

	if (err)
		return err_run(err, "cannot select the %s path manager: %s", type,
			       strerror(-err));
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

static int require_pm(const char *want, const char *what)
{
	char type[64];
	int err = mptcp_pm_type_get(type, sizeof(type));

	if (err)
		return err_run(err, "cannot read the path manager type: %s", strerror(-err));
	if (strcmp(type, want))
		return err_run(-EOPNOTSUPP, "%s needs the %s path manager, the netns uses \"%s\" (see \"tcpopt pm set %s\")",
			       what, want, type, want);
	return 0;
}

static struct nlmsghdr *endpoint_msg(struct genl *g, uint8_t cmd, const struct mptcp_addr *a)
{
	/* Small and used at once: one static buffer will do. */
	static char buf[1024];
	struct nlmsghdr *nlh = genl_msg(g, buf, cmd, 0);

	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, a);
	return nlh;
}

static int endpoint_request(struct genl *g, uint8_t cmd, const struct mptcp_addr *a,
			    const char *what)
{
	char ip[INET6_ADDRSTRLEN], msg[128];
	int err;

	err = genl_talk(g, endpoint_msg(g, cmd, a), NULL, NULL);
	if (!err)
		return 0;
	mptcp_format_ip(a, ip, sizeof(ip));
	snprintf(msg, sizeof(msg), "%s endpoint %s", what, ip);
	return genl_error(g, err, msg);
}

#define MESH_FLAGS (MPTCP_PM_ADDR_FLAG_SUBFLOW | MPTCP_PM_ADDR_FLAG_FULLMESH)

/*
 * The netns's in-kernel full mesh: an endpoint with the subflow and
 * fullmesh flags for each local address (of devs, if any), limits raised.
 * Idempotent: endpoints already right are kept, others fixed or added.
 */
static int mesh_endpoints(const int *devs, int ndevs)
{
	struct mptcp_addr_list *want, *have;
	struct onode *root = NULL, *arr;
	struct mptcp_limits lim;
	struct genl g;
	int err, i, j;

	err = require_pm("kernel", "set fullmesh");
	if (err)
		return err;
	want = xzalloc(sizeof(*want));
	have = xzalloc(sizeof(*have));
	err = mptcp_local_addresses(devs, ndevs, want);
	if (err) {
		err = err_run(err, "cannot list local addresses: %s", strerror(-err));
		goto out;
	}
	if (!want->n) {
		err = err_run(-EADDRNOTAVAIL, "no usable local address%s", ndevs ? " on these interfaces" : "");
		goto out;
	}
	err = mptcp_pm_open(&g);
	if (err)
		goto out;
	err = endpoints_get(&g, have);
	if (err)
		goto out_close;
	root = out_new_object();
	arr = out_add_array(root, "endpoints");
	for (i = 0; i < want->n && !err; i++) {
		struct mptcp_addr *a = &want->addr[i];
		const char *action = "added";
		char ip[INET6_ADDRSTRLEN];
		struct onode *row;

		const struct mptcp_addr *old = NULL;

		for (j = 0; j < have->n; j++) {
			const struct mptcp_addr *h = &have->addr[j];

			if (!mptcp_addr_equal(h, a) || h->port)
				continue;
			if ((h->flags & (MESH_FLAGS | MPTCP_PM_ADDR_FLAG_SIGNAL)) == MESH_FLAGS &&
			    h->ifindex == a->ifindex) {
				action = "kept";
				break;
			}
			/* Flags that SET_FLAGS cannot change: replace. */
			err = endpoint_request(&g, MPTCP_PM_CMD_DEL_ADDR, h, "delete");
			action = "replaced";
			old = h;
			break;
		}
		if (!err && strcmp(action, "kept")) {
			a->flags = MESH_FLAGS;
			err = endpoint_request(&g, MPTCP_PM_CMD_ADD_ADDR, a, "add");
			/* Best effort: put back the endpoint it was to replace. */
			if (err && old)
				genl_talk(&g, endpoint_msg(&g, MPTCP_PM_CMD_ADD_ADDR, old), NULL, NULL);
		}
		if (err)
			break;
		row = out_push_object(arr);
		mptcp_format_ip(a, ip, sizeof(ip));
		out_str(row, "address", ip);
		out_str(row, "action", action);
	}
	if (!err)
		err = mptcp_limits_get(&g, &lim);
	/* Never lower a limit; raise both to the kernel's maximum. */
	if (!err && (lim.subflows < PM_LIMIT_MAX || lim.add_addr_accepted < PM_LIMIT_MAX)) {
		if (lim.subflows < PM_LIMIT_MAX)
			lim.subflows = PM_LIMIT_MAX;
		if (lim.add_addr_accepted < PM_LIMIT_MAX)
			lim.add_addr_accepted = PM_LIMIT_MAX;
		err = mptcp_limits_set(&g, lim.subflows, lim.add_addr_accepted);
	}
	if (!err) {
		out_limits(root, &lim);
		out_render(root, stdout);
		fflush(stdout);
		root = NULL;
	}
out_close:
	genl_close(&g);
out:
	out_free(root);
	free(want);
	free(have);
	return err;
}

struct mesh_follow {
	const int *devs;
	int ndevs;
};

static int mesh_endpoints_again(void *arg)
{
	struct mesh_follow *f = arg;

	return mesh_endpoints(f->devs, f->ndevs);
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

static void note_fallback(const char *cgroup, const char *what)
{
	fprintf(stderr, "tcpopt: pm: no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm); %s%s%s\n",
		what, cgroup ? ", for the whole network namespace, not cgroup " : "",
		cgroup ? cgroup : "");
}

enum { SET_KW_DEV, SET_KW_FOLLOW, SET_KW_CGROUP, SET_KW_RCVBUF };

static int set_fullmesh(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "dev", true, SET_KW_DEV },
		{ "follow", false, SET_KW_FOLLOW },
		{ "cgroup", true, SET_KW_CGROUP },
	};
	struct tcpopt_pm_config cfg = { 0 };
	int devs[TCPOPT_PM_MAX_DEVS], ndevs = 0, err, id;
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
			err = mptcp_ifindex(value, &devs[ndevs]);
			if (err)
				return err;
			memcpy(cfg.devs[ndevs++], value, strlen(value));
		}
	}
	cfg.ndevs = (uint32_t)ndevs;
	if (follow && in_batch)
		return err_usage("\"follow\" stays in the foreground: not in a batch file");
	if (pm_bpf_supported())
		return pm_bpf_set("fullmesh", &cfg, cgroup, follow);
	err = cgroup_check(cgroup);
	if (!err)
		err = mesh_endpoints(devs, ndevs);
	if (!err)
		note_fallback(cgroup, "used the in-kernel path manager's fullmesh endpoints");
	if (!err && follow) {
		struct mesh_follow f = { devs, ndevs };

		err = addr_watch(100, mesh_endpoints_again, &f);
		if (err < 0 && !err_reported())
			err = err_run(err, "following addresses failed: %s", strerror(-err));
	}
	return err;
}

static int run_agent(bool fullmesh, uint32_t nsubflows, uint32_t rcvbuf, const char *what);


static int set_ndiffports(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "cgroup", true, SET_KW_CGROUP },
		{ "rcvbuf", true, SET_KW_RCVBUF },
	};
	struct tcpopt_pm_config cfg = { 0 };
	const char *cgroup = NULL, *value;
	uint32_t rcvbuf = 0;
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
		if (id == SET_KW_CGROUP)
			cgroup = value;
		else if ((err = mptcp_parse_rcvbuf(value, &rcvbuf)))
			return err;
	}
	if (pm_bpf_supported())
		return pm_bpf_set("ndiffports", &cfg, cgroup, false);
	err = cgroup_check(cgroup);
	if (err)
		return err;
	/* A batch (tcpopt.service at boot) must not hang on an agent. */
	if (in_batch)
		return err_run(-EOPNOTSUPP, "no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm), and its fallback, the netlink agent, runs in the foreground: not in a batch file");
	return run_agent(false, cfg.subflows, rcvbuf, cgroup ? cgroup : "");
}

static int set_limits(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "subflows", true, 0 },
		{ "add_addr_accepted", true, 1 },
	};
	int64_t val[2] = { -1, -1 };
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
	err = mptcp_limits_set(&g, val[0], val[1]);
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
	return cmd_dispatch("pm setting", set_cmds, ARRAY_SIZE(set_cmds), argc, argv);
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

enum { KW_TOKEN, KW_ID, KW_PORT };

static const struct keyword announce_kw[] = {
	{ "token", true, KW_TOKEN },
	{ "id", true, KW_ID },
	{ "port", true, KW_PORT },
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
		if (id == KW_TOKEN) {
			err = parse_token_arg(value, &token);
			has_token = true;
		} else if (id == KW_ID) {
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

		err = keyword_next(&argc, &argv, announce_kw, 2, &id, &value);
		if (err)
			return err;
		if (id == KW_TOKEN) {
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

/* ---- pm run: a userspace path manager in the foreground ---- */

struct agent_conn {
	uint32_t token;
	bool client;
	struct mptcp_addr laddr, raddr;		/* of the initial subflow */
};

struct agent {
	bool fullmesh;
	uint32_t nsubflows;			/* ndiffports: subflows per connection */
	struct genl req;
	struct mptcp_addr_list *locals;		/* fullmesh: addresses to mesh */
	struct agent_conn *conns;
	size_t nconns, cap;
	uint64_t connections, created, failed;
	char last_error[256];
};

static struct agent_conn *conn_find(struct agent *ag, uint32_t token)
{
	size_t i;

	for (i = 0; i < ag->nconns; i++)
		if (ag->conns[i].token == token)
			return &ag->conns[i];
	return NULL;
}

static struct agent_conn *conn_record(struct agent *ag, const struct mptcp_event *ev)
{
	struct agent_conn *c = conn_find(ag, ev->token);

	if (!c) {
		if (ag->nconns == ag->cap) {
			ag->cap = ag->cap ? ag->cap * 2 : 64;
			ag->conns = realloc(ag->conns, ag->cap * sizeof(*ag->conns));
			if (!ag->conns) {
				fputs("tcpopt: out of memory\n", stderr);
				abort();
			}
		}
		c = &ag->conns[ag->nconns++];
	}
	c->token = ev->token;
	c->client = !ev->server_side;
	c->laddr = ev->saddr;
	c->raddr = ev->daddr;
	return c;
}

static void conn_forget(struct agent *ag, uint32_t token)
{
	struct agent_conn *c = conn_find(ag, token);

	if (c)
		*c = ag->conns[--ag->nconns];
}

/* Failures are counted, not fatal: the agent serves other connections. */
/* id < 0: none, which the kernel takes as 0, the initial subflow's address. */
static void subflow_create(struct agent *ag, uint32_t token, const struct mptcp_addr *local,
			   int id, const struct mptcp_addr *remote)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(&ag->req, buf, MPTCP_PM_CMD_SUBFLOW_CREATE, 0);
	struct mptcp_addr l = *local;
	int err;

	l.port = 0;
	l.has_id = id >= 0;
	l.id = id >= 0 ? (uint8_t)id : 0;
	l.flags = 0;
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, token);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, &l);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, remote);
	err = genl_talk(&ag->req, nlh, NULL, NULL);
	if (!err) {
		ag->created++;
		return;
	}
	ag->failed++;
	snprintf(ag->last_error, sizeof(ag->last_error), "%s",
		 ag->req.extack[0] ? ag->req.extack : strerror(-err));
}

/*
 * Subflows from every other local address of the family towards remote.
 * The kernel keeps one id per local address: the initial subflow's is 0,
 * the others get their place in the list.
 */
static void mesh_towards(struct agent *ag, const struct agent_conn *c,
			 const struct mptcp_addr *remote)
{
	int i;

	for (i = 0; i < ag->locals->n; i++) {
		const struct mptcp_addr *l = &ag->locals->addr[i];

		if (l->family != remote->family ||
		    (mptcp_addr_equal(l, &c->laddr) && mptcp_addr_equal(remote, &c->raddr)))
			continue;
		subflow_create(ag, c->token, l, mptcp_addr_equal(l, &c->laddr) ? -1 : i + 1,
			       remote);
	}
}

static int agent_event(const struct mptcp_event *ev, void *data)
{
	struct agent *ag = data;
	struct agent_conn *c;
	uint32_t i;

	if (!ev->has_token)
		return 0;
	switch (ev->type) {
	case MPTCP_EVENT_CREATED:
		conn_record(ag, ev);
		break;
	case MPTCP_EVENT_ESTABLISHED:
		/* Joins need both keys: act once fully established. */
		c = conn_record(ag, ev);
		if (!c->client)
			break;
		ag->connections++;
		if (ag->fullmesh) {
			mesh_towards(ag, c, &c->raddr);
			break;
		}
		for (i = 1; i < ag->nsubflows; i++)
			subflow_create(ag, c->token, &c->laddr, -1, &c->raddr);
		break;
	case MPTCP_EVENT_ANNOUNCED:
		c = conn_find(ag, ev->token);
		if (ag->fullmesh && c && c->client && ev->daddr.family) {
			struct mptcp_addr remote = ev->daddr;

			if (!remote.port)
				remote.port = c->raddr.port;
			mesh_towards(ag, c, &remote);
		}
		break;
	case MPTCP_EVENT_CLOSED:
		conn_forget(ag, ev->token);
		break;
	default:
		break;
	}
	return 0;
}

static void agent_report(const struct agent *ag, const struct mptcp_listener *l)
{
	struct onode *root = out_new_object(), *by;
	size_t t;

	out_str(root, "mode", ag->fullmesh ? "fullmesh" : "ndiffports");
	if (!ag->fullmesh)
		out_uint(root, "subflows", ag->nsubflows);
	out_uint(root, "connections", ag->connections);
	out_uint(root, "subflows_created", ag->created);
	out_uint(root, "subflow_errors", ag->failed);
	if (ag->last_error[0])
		out_str(root, "last_error", ag->last_error);
	out_uint(root, "events", l->events);
	out_uint(root, "overruns", l->overruns);
	out_uint(root, "rcvbuf", (uint64_t)l->rcvbuf);
	by = out_add_object(root, "events_by_type");
	for (t = 0; t < ARRAY_SIZE(l->by_type); t++)
		if (mptcp_event_name((uint8_t)t))
			out_uint(by, mptcp_event_name((uint8_t)t), l->by_type[t]);
	out_render(root, stdout);
}

/*
 * The netlink agent in the foreground.  fallback_cgroup: run by "pm set
 * ndiffports" on a kernel without the BPF path manager ("" for no cgroup
 * given), which says so first; NULL for "pm run".
 */
static int run_agent(bool fullmesh, uint32_t nsubflows, uint32_t rcvbuf,
		     const char *fallback_cgroup)
{
	struct mptcp_listener l;
	struct agent ag = { .fullmesh = fullmesh, .nsubflows = nsubflows };
	int err;

	err = require_pm("userspace", fallback_cgroup ? "the netlink agent (pm run ndiffports)" : "run");
	if (err)
		return err;
	if (fallback_cgroup)
		note_fallback(*fallback_cgroup ? fallback_cgroup : NULL,
			      "running the netlink agent (pm run ndiffports) in the foreground");
	if (ag.fullmesh) {
		ag.locals = xzalloc(sizeof(*ag.locals));
		err = mptcp_local_addresses(NULL, 0, ag.locals);
		if (err) {
			free(ag.locals);
			return err_run(err, "cannot list local addresses: %s", strerror(-err));
		}
	}
	err = mptcp_pm_open(&ag.req);
	if (err)
		goto out;
	err = mptcp_listener_open(&l, (int)rcvbuf);
	if (err) {
		genl_close(&ag.req);
		goto out;
	}
	err = mptcp_listener_run(&l, 0, 0, agent_event, &ag);
	if (err)
		err = err_run(err, "reading events failed: %s", strerror(-err));
	else
		agent_report(&ag, &l);
	mptcp_listener_close(&l);
	genl_close(&ag.req);
out:
	free(ag.locals);
	free(ag.conns);
	return err;
}

static int pm_run(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "ndiffports", true, 0 },
		{ "fullmesh", false, 1 },
		{ "rcvbuf", true, 2 },
	};
	uint32_t rcvbuf = 0, nsubflows = 0;
	bool mode = false, fullmesh = false;
	int err;

	while (argc > 0) {
		const char *value;
		int id;

		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		if (id == 2) {
			err = mptcp_parse_rcvbuf(value, &rcvbuf);
			if (err)
				return err;
			continue;
		}
		if (mode)
			return err_usage("choose one of \"ndiffports N\" and \"fullmesh\"");
		mode = true;
		fullmesh = id == 1;
		if (id == 0 && parse_u32_range(value, 1, PM_LIMIT_MAX, &nsubflows))
			return err_usage("invalid ndiffports \"%s\" (1 to %d)", value, PM_LIMIT_MAX);
	}
	if (!mode)
		return err_usage("missing \"ndiffports N\" or \"fullmesh\"");
	return run_agent(fullmesh, nsubflows, rcvbuf, NULL);
}

static int pm_del(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "cgroup", true, 0 },
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

static int pm_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct cmd pm_cmds[] = {
	{ "show", pm_show },
	{ "set", pm_set },
	{ "announce", pm_announce },
	{ "remove", pm_remove },
	{ "run", pm_run },
	{ "del", pm_del },
	{ "help", pm_help },
};

int do_pm(int argc, char **argv)
{
	return cmd_dispatch("command", pm_cmds, ARRAY_SIZE(pm_cmds), argc, argv);
}
