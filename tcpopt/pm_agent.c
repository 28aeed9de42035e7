// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink agent ("pm run"): a userspace path manager in the foreground.
 * It listens to the MPTCP events of the netns and opens the subflows of
 * every connection the netns opens (ndiffports: more subflows over the
 * same address pair; fullmesh: one from every local address to each of
 * the peer's), with MPTCP_PM_CMD_SUBFLOW_CREATE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/utils.h"

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
int pm_agent_run(bool fullmesh, uint32_t nsubflows, uint32_t rcvbuf,
		 const char *fallback_cgroup)
{
	struct mptcp_listener l;
	struct agent ag = { .fullmesh = fullmesh, .nsubflows = nsubflows };
	int err;

	err = pm_require_type("userspace", fallback_cgroup ? "the netlink agent (pm run ndiffports)" : "run");
	if (err)
		return err;
	if (fallback_cgroup)
		pm_note_fallback(*fallback_cgroup ? fallback_cgroup : NULL,
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

enum { RUN_KW_NDIFFPORTS, RUN_KW_FULLMESH, RUN_KW_RCVBUF };

int pm_run(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "ndiffports", true, RUN_KW_NDIFFPORTS },
		{ "fullmesh", false, RUN_KW_FULLMESH },
		{ "rcvbuf", true, RUN_KW_RCVBUF },
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
		if (id == RUN_KW_RCVBUF) {
			err = mptcp_parse_rcvbuf(value, &rcvbuf);
			if (err)
				return err;
			continue;
		}
		if (mode)
			return err_usage("choose one of \"ndiffports N\" and \"fullmesh\"");
		mode = true;
		fullmesh = id == RUN_KW_FULLMESH;
		if (id == RUN_KW_NDIFFPORTS && parse_u32_range(value, 1, PM_LIMIT_MAX, &nsubflows))
			return err_usage("invalid ndiffports \"%s\" (1 to %d)", value, PM_LIMIT_MAX);
	}
	if (!mode)
		return err_usage("missing \"ndiffports N\" or \"fullmesh\"");
	return pm_agent_run(fullmesh, nsubflows, rcvbuf, NULL);
}
