// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt subflow: open and close subflows through the userspace path
 * manager (generic netlink), and list every MPTCP connection of the netns
 * with its subflows (sock_diag: the MPTCP socket from inet_diag with
 * IPPROTO_MPTCP, its subflows from TCP diag with their ULP info).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpopt.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/mptcp_diag.h"
#include "../lib/output.h"
#include "../lib/utils.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt subflow open token TOKEN raddr ADDR port PORT [ laddr ADDR ] [ lport PORT ]\n"
		"                           [ dev IFACE ] [ id ID ] [ backup ]\n"
		"       tcpopt subflow close token TOKEN laddr ADDR lport PORT raddr ADDR port PORT\n"
		"       tcpopt subflow list [ token TOKEN ]\n");
}

enum { KW_TOKEN, KW_RADDR, KW_PORT, KW_LADDR, KW_LPORT, KW_DEV, KW_ID, KW_BACKUP };

static const struct keyword subflow_kw[] = {
	{ "token", true, KW_TOKEN },
	{ "raddr", true, KW_RADDR },
	{ "port", true, KW_PORT },
	{ "laddr", true, KW_LADDR },
	{ "lport", true, KW_LPORT },
	{ "dev", true, KW_DEV },
	{ "id", true, KW_ID },
	{ "backup", false, KW_BACKUP },
};

struct subflow_req {
	uint32_t token;
	struct mptcp_addr local, remote;
	unsigned int seen;		/* 1 << KW_* */
};

static int parse_subflow_req(int argc, char **argv, unsigned int allowed,
			     struct subflow_req *r)
{
	memset(r, 0, sizeof(*r));
	while (argc > 0) {
		const char *value;
		int id, err;

		err = keyword_next(&argc, &argv, subflow_kw, ARRAY_SIZE(subflow_kw), &id, &value);
		if (err)
			return err;
		if (!(allowed & (1u << id)))
			return err_usage("\"%s\" does not go with this command", subflow_kw[id].name);
		r->seen |= 1u << id;
		switch (id) {
		case KW_TOKEN:
			if (mptcp_parse_token(value, &r->token))
				return err_usage("invalid token \"%s\"", value);
			break;
		case KW_RADDR:
		case KW_LADDR: {
			struct mptcp_addr *a = id == KW_RADDR ? &r->remote : &r->local;
			struct mptcp_addr ip;

			if (mptcp_parse_ip(value, &ip))
				return err_usage("invalid address \"%s\"", value);
			a->family = ip.family;
			a->addr = ip.addr;
			break;
		}
		case KW_PORT:
		case KW_LPORT:
			if (parse_port(value, id == KW_PORT ? &r->remote.port : &r->local.port))
				return err_usage("invalid %s \"%s\"", subflow_kw[id].name, value);
			break;
		case KW_DEV: {
			int idx;

			err = mptcp_ifindex(value, &idx);
			if (err)
				return err;
			r->local.ifindex = idx;
			break;
		}
		case KW_ID: {
			uint32_t v;

			if (parse_u32_range(value, 0, 255, &v))
				return err_usage("invalid id \"%s\" (0 to 255)", value);
			r->local.id = (uint8_t)v;
			r->local.has_id = true;
			break;
		}
		case KW_BACKUP:
			r->local.flags |= MPTCP_PM_ADDR_FLAG_BACKUP;
			break;
		}
	}
	return 0;
}

static int require_keywords(const struct subflow_req *r, unsigned int need)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(subflow_kw); i++)
		if ((need & (1u << subflow_kw[i].id)) && !(r->seen & (1u << subflow_kw[i].id)))
			return err_usage("missing \"%s\"", subflow_kw[i].name);
	return 0;
}

static int subflow_request(uint8_t cmd, struct subflow_req *r, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genl g;
	int err;

	err = mptcp_pm_open(&g);
	if (err)
		return err;
	if (cmd == MPTCP_PM_CMD_SUBFLOW_CREATE && !r->local.has_id) {
		err = mptcp_pick_local_id(&g, r->token, &r->local, &r->local.id);
		if (err)
			goto out;
		r->local.has_id = true;
	}
	nlh = genl_msg(&g, buf, cmd, 0);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, r->token);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, &r->local);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, &r->remote);
	err = genl_talk(&g, nlh, NULL, NULL);
	/* Linux 6.1 answers ESRCH with no text; later ones say this. */
	if (err == -ESRCH && cmd == MPTCP_PM_CMD_SUBFLOW_DESTROY && !g.extack[0])
		snprintf(g.extack, sizeof(g.extack), "subflow not found");
	if (err)
		err = genl_error(&g, err, what);
out:
	genl_close(&g);
	return err;
}

static int subflow_open(int argc, char **argv)
{
	struct subflow_req r;
	int err;

	err = parse_subflow_req(argc, argv, ~0u, &r);
	if (!err)
		err = require_keywords(&r, 1u << KW_TOKEN | 1u << KW_RADDR | 1u << KW_PORT);
	/* Linux 6.1 would open it, as a plain subflow: refuse instead. */
	if (!err && (r.local.flags & MPTCP_PM_ADDR_FLAG_BACKUP))
		err = feature_require("subflow open backup", "mptcp_subflow_backup");
	if (err)
		return err;
	if (!(r.seen & (1u << KW_LADDR))) {
		/* The kernel needs a local address: take the route's source. */
		struct mptcp_addr src;

		err = mptcp_route_source(&r.remote, r.local.ifindex, &src);
		if (err) {
			char ip[INET6_ADDRSTRLEN];

			mptcp_format_ip(&r.remote, ip, sizeof(ip));
			return err_run(err, "no local address towards %s: %s (give laddr)",
				       ip, err_str(err));
		}
		r.local.family = src.family;
		r.local.addr = src.addr;
	}
	return subflow_request(MPTCP_PM_CMD_SUBFLOW_CREATE, &r, "open");
}

static int subflow_close(int argc, char **argv)
{
	const unsigned int need = 1u << KW_TOKEN | 1u << KW_LADDR | 1u << KW_LPORT |
				  1u << KW_RADDR | 1u << KW_PORT;
	struct subflow_req r;
	int err;

	err = parse_subflow_req(argc, argv, need, &r);
	if (!err)
		err = require_keywords(&r, need);
	if (err)
		return err;
	return subflow_request(MPTCP_PM_CMD_SUBFLOW_DESTROY, &r, "close");
}

/* ---- list ---- */

static const char *const tcp_states[] = {
	"?", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2",
	"time-wait", "close", "close-wait", "last-ack", "listen", "closing",
};

static const char *state_name(uint8_t state)
{
	return state < ARRAY_SIZE(tcp_states) ? tcp_states[state] : "?";
}

static void out_addresses(struct onode *row, const struct mptcp_diag_sock *s)
{
	char ip[INET6_ADDRSTRLEN];
	struct mptcp_addr a;

	mptcp_diag_addr(s, false, &a);
	mptcp_format_ip(&a, ip, sizeof(ip));
	out_str(row, "laddr", ip);
	out_uint(row, "lport", a.port);
	mptcp_diag_addr(s, true, &a);
	mptcp_format_ip(&a, ip, sizeof(ip));
	out_str(row, "raddr", ip);
	out_uint(row, "rport", a.port);
}

static void out_subflow(struct onode *row, const struct mptcp_diag_sock *s)
{
	out_addresses(row, s);
	out_uint(row, "loc_id", s->loc_id);
	out_uint(row, "rem_id", s->rem_id);
	out_bool(row, "backup", s->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC);
	out_bool(row, "peer_backup", s->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_REM);
	out_bool(row, "join", s->sf_flags & (MPTCP_SUBFLOW_FLAG_JOIN_LOC | MPTCP_SUBFLOW_FLAG_JOIN_REM));
	out_str(row, "state", state_name(s->msg.idiag_state));
	if (s->ti_len >= offsetof(struct tcp_info, tcpi_rcv_rtt)) {
		out_uint_text(row, "rtt_us", "rtt", s->ti.tcpi_rtt, NULL);
		out_uint(row, "cwnd", s->ti.tcpi_snd_cwnd);
	}
	if (s->ti_len >= offsetof(struct tcp_info, tcpi_segs_out)) {
		out_uint(row, "bytes_acked", s->ti.tcpi_bytes_acked);
		out_uint(row, "bytes_received", s->ti.tcpi_bytes_received);
	}
}

static void out_connection(struct onode *row, const struct mptcp_diag_sock *c,
			   const struct mptcp_diag *d)
{
	struct onode *arr;
	size_t i;

	out_uint(row, "token", c->token);
	out_addresses(row, c);
	out_str(row, "state", state_name(c->msg.idiag_state));
	out_bool(row, "fallback", c->mi.mptcpi_flags & MPTCP_INFO_FLAG_FALLBACK);
	if (c->mi_len >= offsetof(struct mptcp_info, mptcpi_bytes_acked)) {
		out_uint(row, "bytes_sent", c->mi.mptcpi_bytes_sent);
		out_uint(row, "bytes_received", c->mi.mptcpi_bytes_received);
	}
	arr = out_add_array(row, "subflows");
	for (i = 0; i < d->nsubflows; i++)
		if (d->subflows[i].token == c->token)
			out_subflow(out_push_object(arr), &d->subflows[i]);
}

static int subflow_list(int argc, char **argv)
{
	bool filter = false, found = false;
	struct mptcp_diag d;
	struct onode *list;
	uint32_t token = 0;
	size_t i;
	int err;

	if (argc > 0) {
		if (strcmp(argv[0], "token") || argc < 2)
			return err_usage("unexpected argument \"%s\" (expected \"token TOKEN\")", argv[0]);
		if (argc > 2)
			return err_usage("unexpected argument \"%s\"", argv[2]);
		if (mptcp_parse_token(argv[1], &token))
			return err_usage("invalid token \"%s\"", argv[1]);
		filter = true;
	}
	err = mptcp_diag_collect(&d);
	if (err)
		return err;
	list = out_new_array();
	for (i = 0; i < d.nconns; i++) {
		if (filter && d.conns[i].token != token)
			continue;
		found = true;
		out_connection(out_push_object(list), &d.conns[i], &d);
	}
	if (filter && !found) {
		out_free(list);
		err = err_run(-ENOENT, "no MPTCP connection with token %u", token);
	} else {
		out_render(list, stdout);
	}
	mptcp_diag_free(&d);
	return err;
}

static const struct cmd subflow_cmds[] = {
	{ "list", subflow_list },
	{ "open", subflow_open },
	{ "close", subflow_close },
	{ "help", NULL },
};

int do_subflow(int argc, char **argv)
{
	return cmd_dispatch("command", subflow_cmds, ARRAY_SIZE(subflow_cmds), usage, argc, argv);
}
