// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink agent ("pm run"): a userspace path manager in the foreground.
 * It listens to the MPTCP events of the netns and opens the subflows of
 * the connections the netns opens (ndiffports: more subflows over the same
 * address pair; fullmesh: one from every local address to each of the
 * peer's) with MPTCP_PM_CMD_SUBFLOW_CREATE; with a cgroup, only those whose
 * MPTCP socket a process of that cgroup (or below) created.  Events lost
 * to an overrun, and connections made before it started, are found in the
 * kernel's own view (sock_diag) and served from there.  Its state is
 * published for "pm show" (pm_agents.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pm.h"
#include "pm_agent.h"
#include "tcpopt.h"
#include "../lib/cgroup.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/mptcp_diag.h"
#include "../lib/output.h"
#include "../lib/utils.h"

/* ---- connections, by token ---- */

struct conn {
	uint32_t token;			/* 0: a free slot */
	bool client;			/* opened by this netns */
	bool served;			/* its subflows asked for */
	bool foreign;			/* another cgroup's */
	uint32_t seen;			/* the last reconciliation that saw it */
	struct mptcp_addr laddr, raddr;	/* of the initial subflow */
};

/* Open addressing, linear probing; cap a power of two, at most half full. */
struct conn_table {
	struct conn *slot;
	size_t cap, n;
};

static size_t conn_hash(const struct conn_table *t, uint32_t token)
{
	return (size_t)(token * 2654435761u) & (t->cap - 1);
}

static struct conn *conn_find(struct conn_table *t, uint32_t token)
{
	size_t i;

	if (!t->cap || !token)
		return NULL;
	for (i = conn_hash(t, token); t->slot[i].token; i = (i + 1) & (t->cap - 1))
		if (t->slot[i].token == token)
			return &t->slot[i];
	return NULL;
}

static struct conn *conn_insert(struct conn_table *t, uint32_t token);

static void conn_grow(struct conn_table *t)
{
	struct conn_table old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 256;
	t->slot = xzalloc(t->cap * sizeof(*t->slot));
	t->n = 0;
	for (i = 0; i < old.cap; i++)
		if (old.slot[i].token)
			*conn_insert(t, old.slot[i].token) = old.slot[i];
	free(old.slot);
}

/* The record of token, new (zeroed but for the token) if there was none. */
static struct conn *conn_insert(struct conn_table *t, uint32_t token)
{
	struct conn *c = conn_find(t, token);
	size_t i;

	if (c)
		return c;
	if ((t->n + 1) * 2 > t->cap)
		conn_grow(t);
	for (i = conn_hash(t, token); t->slot[i].token; i = (i + 1) & (t->cap - 1))
		;
	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	t->slot[i].token = token;
	t->n++;
	return &t->slot[i];
}

/* Remove c, shifting back the entries whose probe passed over its slot. */
static void conn_remove(struct conn_table *t, struct conn *c)
{
	size_t hole = (size_t)(c - t->slot), i = hole, home;

	for (;;) {
		i = (i + 1) & (t->cap - 1);
		if (!t->slot[i].token)
			break;
		home = conn_hash(t, t->slot[i].token);
		/* slot i may move to the hole if home is not in (hole, i] */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			t->slot[hole] = t->slot[i];
			hole = i;
		}
	}
	t->slot[hole].token = 0;
	t->n--;
}

/* ---- the agent ---- */

struct scope_verdict {
	uint64_t cgid;
	bool mine;
};

struct agent {
	struct agent_status st;		/* what pm show and the report say */
	struct cgroup_ref cg;		/* the cgroup served (fd < 0: all) */
	struct scope_verdict *verdicts;	/* cgroups seen, in or out of scope */
	size_t nverdicts;
	struct genl req;
	struct mptcp_listener l;
	struct mptcp_addr_list *locals;	/* fullmesh: addresses to mesh */
	struct conn_table conns;
	uint32_t generation;
	char last_error[256];
};

static bool cgroup_in_scope(struct agent *ag, uint64_t cgid)
{
	size_t i;
	bool mine;

	for (i = 0; i < ag->nverdicts; i++)
		if (ag->verdicts[i].cgid == cgid)
			return ag->verdicts[i].mine;
	/* A cgroup stays where it is in the tree: ask once. */
	mine = cgroup_is_below(&ag->cg, cgid);
	ag->verdicts = xrealloc_array(ag->verdicts, ag->nverdicts + 1, sizeof(*ag->verdicts));
	ag->verdicts[ag->nverdicts++] = (struct scope_verdict){ cgid, mine };
	return mine;
}

/* Is connection c the agent's to serve?  Asks the kernel once per connection. */
static bool conn_in_scope(struct agent *ag, struct conn *c, const uint64_t *cgid)
{
	uint64_t id;

	if (ag->cg.fd < 0)
		return true;
	if (!cgid) {
		if (mptcp_diag_token_cgroup(c->token, &id))
			return false;	/* gone already */
		cgid = &id;
	}
	if (cgroup_in_scope(ag, *cgid))
		return true;
	c->foreign = true;
	ag->st.foreign++;
	return false;
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
		ag->st.created++;
		return;
	}
	ag->st.failed++;
	snprintf(ag->last_error, sizeof(ag->last_error), "%s",
		 ag->req.extack[0] ? ag->req.extack : err_str(err));
}

/* The subflows a connection has, as sock_diag sees them. */
struct have {
	const struct mptcp_diag_sock *sf;
	size_t n;
};

static bool have_pair(const struct have *h, const struct mptcp_addr *l,
		      const struct mptcp_addr *r)
{
	struct mptcp_addr a, b;
	size_t i;

	for (i = 0; h && i < h->n; i++) {
		mptcp_diag_addr(&h->sf[i], false, &a);
		mptcp_diag_addr(&h->sf[i], true, &b);
		if (mptcp_addr_equal(&a, l) && mptcp_addr_equal(&b, r))
			return true;
	}
	return false;
}

/*
 * Subflows from every local address of the family towards remote, but for
 * the pairs the connection has (the initial one; with h, all it has).  The
 * kernel keeps one id per local address: the initial subflow's is 0, the
 * others get their place in the list.  Returns how many were asked for.
 */
static int mesh_towards(struct agent *ag, const struct conn *c,
			const struct mptcp_addr *remote, const struct have *h)
{
	int i, asked = 0;

	for (i = 0; i < ag->locals->n; i++) {
		const struct mptcp_addr *l = &ag->locals->addr[i];

		if (l->family != remote->family ||
		    (mptcp_addr_equal(l, &c->laddr) && mptcp_addr_equal(remote, &c->raddr)) ||
		    have_pair(h, l, remote))
			continue;
		subflow_create(ag, c->token, l, mptcp_addr_equal(l, &c->laddr) ? -1 : i + 1,
			       remote);
		asked++;
	}
	return asked;
}

/* Ask for what c lacks (h: what it has, NULL for a new connection). */
static int serve(struct agent *ag, struct conn *c, const struct have *h)
{
	uint32_t have = h ? (uint32_t)h->n : 1, i;
	int asked = 0;

	c->served = true;
	ag->st.connections++;
	if (ag->st.kind == AGENT_FULLMESH) {
		asked = mesh_towards(ag, c, &c->raddr, h);
		/* and to the peer's other addresses that its subflows use */
		for (i = 0; h && i < h->n; i++) {
			struct mptcp_addr r;

			mptcp_diag_addr(&h->sf[i], true, &r);
			if (!mptcp_addr_equal(&r, &c->raddr))
				asked += mesh_towards(ag, c, &r, h);
		}
		return asked;
	}
	for (i = have; i < ag->st.subflows; i++, asked++)
		subflow_create(ag, c->token, &c->laddr, -1, &c->raddr);
	return asked;
}

/* The same initial subflow, ports included: the same connection. */
static bool same_initial(const struct conn *c, const struct mptcp_addr *l,
			 const struct mptcp_addr *r)
{
	return mptcp_addr_equal(&c->laddr, l) && c->laddr.port == l->port &&
	       mptcp_addr_equal(&c->raddr, r) && c->raddr.port == r->port;
}

static int agent_event(const struct mptcp_event *ev, void *data)
{
	struct agent *ag = data;
	struct conn *c;

	if (!ev->has_token || !ev->token)
		return 0;
	switch (ev->type) {
	case MPTCP_EVENT_CREATED:
		/* A new connection, unless the kernel's view already brought
		 * it (its event was still queued): an old token's record goes. */
		c = conn_find(&ag->conns, ev->token);
		if (c && same_initial(c, &ev->saddr, &ev->daddr))
			break;
		if (c)
			conn_remove(&ag->conns, c);
		c = conn_insert(&ag->conns, ev->token);
		c->client = !ev->server_side;
		c->laddr = ev->saddr;
		c->raddr = ev->daddr;
		break;
	case MPTCP_EVENT_ESTABLISHED:
		/* Joins need both keys: act once fully established. */
		c = conn_insert(&ag->conns, ev->token);
		c->client = !ev->server_side;
		c->laddr = ev->saddr;
		c->raddr = ev->daddr;
		if (c->client && !c->served && !c->foreign && conn_in_scope(ag, c, NULL))
			serve(ag, c, NULL);
		break;
	case MPTCP_EVENT_ANNOUNCED:
		c = conn_find(&ag->conns, ev->token);
		if (ag->st.kind == AGENT_FULLMESH && c && c->client && c->served &&
		    ev->daddr.family) {
			struct mptcp_addr remote = ev->daddr;

			if (!remote.port)
				remote.port = c->raddr.port;
			mesh_towards(ag, c, &remote, NULL);
		}
		break;
	case MPTCP_EVENT_CLOSED:
		c = conn_find(&ag->conns, ev->token);
		if (c)
			conn_remove(&ag->conns, c);
		break;
	default:
		break;
	}
	return 0;
}

static int by_token(const void *a, const void *b)
{
	uint32_t x = ((const struct mptcp_diag_sock *)a)->token;
	uint32_t y = ((const struct mptcp_diag_sock *)b)->token;

	return x < y ? -1 : x > y;
}

/* The subflows of token in d (sorted by token). */
static struct have subflows_of(const struct mptcp_diag *d, uint32_t token)
{
	struct have h = { NULL, 0 };
	size_t lo = 0, hi = d->nsubflows;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->subflows[mid].token < token)
			lo = mid + 1;
		else
			hi = mid;
	}
	h.sf = &d->subflows[lo];
	while (lo + h.n < d->nsubflows && d->subflows[lo + h.n].token == token)
		h.n++;
	return h;
}

#define SF_LOCAL_OPEN (MPTCP_SUBFLOW_FLAG_MCAP_LOC | MPTCP_SUBFLOW_FLAG_JOIN_LOC)

/*
 * The kernel's view: every connection this netns opened, fully established
 * (what the "established" event says), in scope and not served yet, gets
 * what it lacks now; records of connections that are gone are dropped (their
 * "closed" event may be the one lost).
 */
static int reconcile(void *data)
{
	struct agent *ag = data;
	struct mptcp_diag d;
	size_t i, j;

	if (mptcp_diag_collect(&d)) {
		ag->st.reconcile_errors++;
		return 0;
	}
	ag->st.reconciliations++;
	ag->generation++;
	if (d.nsubflows)
		qsort(d.subflows, d.nsubflows, sizeof(*d.subflows), by_token);
	for (i = 0; i < d.nconns; i++) {
		const struct mptcp_diag_sock *m = &d.conns[i];
		struct have h = subflows_of(&d, m->token);
		bool client = false, established = false;
		struct mptcp_addr l, r;
		struct conn *c;

		for (j = 0; j < h.n; j++) {
			client |= !!(h.sf[j].sf_flags & SF_LOCAL_OPEN);
			established |= !!(h.sf[j].sf_flags & MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED);
		}
		if (!client || !m->token)
			continue;
		mptcp_diag_addr(m, false, &l);
		mptcp_diag_addr(m, true, &r);
		c = conn_find(&ag->conns, m->token);
		if (c && c->laddr.family && !same_initial(c, &l, &r))
			conn_remove(&ag->conns, c);	/* a token used again */
		c = conn_insert(&ag->conns, m->token);
		c->seen = ag->generation;
		if (c->served || c->foreign || !established)
			continue;	/* an unestablished one: its event is to come */
		c->client = true;
		c->laddr = l;
		c->raddr = r;
		if (!conn_in_scope(ag, c, &m->cgroup_id))
			continue;
		if (serve(ag, c, &h) > 0)
			ag->st.recovered++;
	}
	for (i = 0; i < ag->conns.cap; i++) {
		struct conn *c = &ag->conns.slot[i];

		/* removal shifts entries back: look at this slot again */
		while (c->token && c->seen != ag->generation)
			conn_remove(&ag->conns, c);
	}
	mptcp_diag_free(&d);
	agent_publish(&ag->st);
	return 0;
}

static int agent_tick(void *data)
{
	struct agent *ag = data;

	ag->st.events = ag->l.events;
	ag->st.overruns = ag->l.overruns;
	agent_publish(&ag->st);
	return 0;
}

static void agent_report(const struct agent *ag)
{
	struct onode *root = out_new_object(), *by;
	size_t t;

	agent_status_out(root, &ag->st);
	if (ag->last_error[0])
		out_str(root, "last_error", ag->last_error);
	by = out_add_object(root, "events_by_type");
	for (t = 0; t < ARRAY_SIZE(ag->l.by_type); t++)
		if (mptcp_event_name((uint8_t)t))
			out_uint(by, mptcp_event_name((uint8_t)t), ag->l.by_type[t]);
	out_render(root, stdout);
}

int pm_agent_run(const struct agent_params *p)
{
	const struct mptcp_listen_ops ops = {
		.event = agent_event,
		.lost = reconcile,
		.tick = agent_tick,
		.tick_ms = 1000,
	};
	struct agent ag = { .cg.fd = -1 };
	int err;

	ag.st.kind = p->kind;
	ag.st.subflows = p->subflows;
	if (p->cgroup) {
		err = cgroup_open(p->cgroup, &ag.cg);
		if (err)
			return err;
		snprintf(ag.st.cgroup, sizeof(ag.st.cgroup), "%s", ag.cg.path);
	}
	err = pm_require_type("userspace", "run");
	if (err)
		goto out;
	if (p->kind == AGENT_FULLMESH) {
		ag.locals = xzalloc(sizeof(*ag.locals));
		err = mptcp_local_addresses(NULL, 0, ag.locals);
		if (err) {
			err = err_run(err, "cannot list local addresses: %s", err_str(err));
			goto out;
		}
	}
	err = mptcp_pm_open(&ag.req);
	if (err)
		goto out;
	err = mptcp_listener_open(&ag.l, (int)p->rcvbuf);
	if (err) {
		genl_close(&ag.req);
		goto out;
	}
	ag.st.rcvbuf = (uint32_t)ag.l.rcvbuf;
	err = agent_publish_start(&ag.st);
	if (!err) {
		/* Subscribed first: what the dump misses, an event brings. */
		reconcile(&ag);
		err = mptcp_listener_loop(&ag.l, 0, 0, &ops, &ag);
		agent_tick(&ag);
		agent_publish_end(&ag.st);
		if (err)
			err = err_run(err, "reading events failed: %s", err_str(err));
		else
			agent_report(&ag);
	}
	mptcp_listener_close(&ag.l);
	genl_close(&ag.req);
out:
	cgroup_close(&ag.cg);
	free(ag.locals);
	free(ag.conns.slot);
	free(ag.verdicts);
	return err;
}

enum { RUN_KW_NDIFFPORTS, RUN_KW_FULLMESH, RUN_KW_ENDPOINTS, RUN_KW_CGROUP, RUN_KW_RCVBUF,
       RUN_KW_DEV };

int pm_run(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "ndiffports", true, RUN_KW_NDIFFPORTS },
		{ "fullmesh", false, RUN_KW_FULLMESH },
		{ "endpoints", false, RUN_KW_ENDPOINTS },
		{ "cgroup", true, RUN_KW_CGROUP },
		{ "rcvbuf", true, RUN_KW_RCVBUF },
		{ "dev", true, RUN_KW_DEV },
	};
	struct agent_params p = { .kind = AGENT_NONE };
	int devs[MPTCP_ADDR_LIST_MAX], ndevs = 0, err;

	while (argc > 0) {
		const char *value;
		int id;

		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		switch (id) {
		case RUN_KW_RCVBUF:
			err = mptcp_parse_rcvbuf(value, &p.rcvbuf);
			break;
		case RUN_KW_CGROUP:
			p.cgroup = value;
			break;
		case RUN_KW_DEV:
			if (ndevs == (int)ARRAY_SIZE(devs))
				return err_usage("too many interfaces");
			err = mptcp_ifindex(value, &devs[ndevs++]);
			break;
		default:
			if (p.kind != AGENT_NONE)
				return err_usage("choose one of \"ndiffports N\", \"fullmesh\" and \"endpoints\"");
			p.kind = id == RUN_KW_NDIFFPORTS ? AGENT_NDIFFPORTS :
				 id == RUN_KW_FULLMESH ? AGENT_FULLMESH : AGENT_ENDPOINTS;
			if (id == RUN_KW_NDIFFPORTS &&
			    parse_u32_range(value, 1, PM_LIMIT_MAX, &p.subflows))
				return err_usage("invalid ndiffports \"%s\" (1 to %d)", value, PM_LIMIT_MAX);
		}
		if (err)
			return err;
	}
	if (p.kind == AGENT_NONE)
		return err_usage("missing \"ndiffports N\", \"fullmesh\" or \"endpoints\"");
	if (p.kind == AGENT_ENDPOINTS && (p.cgroup || p.rcvbuf))
		return err_usage("\"endpoints\" keeps the netns's endpoints: no cgroup, no rcvbuf");
	if (p.kind != AGENT_ENDPOINTS && ndevs)
		return err_usage("\"dev\" is for \"endpoints\" (fullmesh meshes every usable address)");
	if (in_batch)
		return err_usage("pm run stays in the foreground: not in a batch file (see tcpopt-agent@.service)");
	if (p.kind == AGENT_ENDPOINTS)
		return pm_endpoints_agent(devs, ndevs);
	return pm_agent_run(&p);
}
