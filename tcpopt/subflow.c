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

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "tcpopt.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/utils.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt subflow open token TOKEN raddr ADDR port PORT [ laddr ADDR ] [ lport PORT ]\n"
		"                           [ dev IFACE ] [ backup ]\n"
		"       tcpopt subflow close token TOKEN laddr ADDR lport PORT raddr ADDR port PORT\n"
		"       tcpopt subflow list [ token TOKEN ]\n");
}

enum { KW_TOKEN, KW_RADDR, KW_PORT, KW_LADDR, KW_LPORT, KW_DEV, KW_BACKUP };

static const struct keyword subflow_kw[] = {
	{ "token", true, KW_TOKEN },
	{ "raddr", true, KW_RADDR },
	{ "port", true, KW_PORT },
	{ "laddr", true, KW_LADDR },
	{ "lport", true, KW_LPORT },
	{ "dev", true, KW_DEV },
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
			uint16_t port = a->port;
			int32_t ifindex = a->ifindex;
			uint32_t flags = a->flags;

			if (mptcp_parse_ip(value, a))
				return err_usage("invalid address \"%s\"", value);
			a->port = port;
			a->ifindex = ifindex;
			a->flags = flags;
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

static int subflow_request(uint8_t cmd, const struct subflow_req *r, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genl g;
	int err;

	err = mptcp_pm_open(&g);
	if (err)
		return err;
	nlh = genl_msg(&g, buf, cmd, 0);
	mnl_attr_put_u32(nlh, MPTCP_PM_ATTR_TOKEN, r->token);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, &r->local);
	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR_REMOTE, &r->remote);
	err = genl_talk(&g, nlh, NULL, NULL);
	if (err)
		err = genl_error(&g, err, what);
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
				       ip, strerror(-err));
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

/* ---- list: sock_diag ---- */

struct diag_sock {
	struct inet_diag_msg msg;
	uint32_t token;			/* msk token, or subflow's TOKEN_LOC */
	bool is_subflow;
	uint8_t loc_id, rem_id;
	uint32_t sf_flags;
	struct mptcp_info mi;
	size_t mi_len;
	struct tcp_info ti;
	size_t ti_len;
};

struct diag_list {
	struct diag_sock *s;
	size_t n, cap;
	bool mptcp;			/* dumping MPTCP sockets (else TCP subflows) */
};

static void parse_ulp(const struct nlattr *nest, struct diag_sock *ds)
{
	const struct nlattr *tb[INET_ULP_INFO_MAX + 1], *sf[MPTCP_SUBFLOW_ATTR_MAX + 1];

	genl_parse_nested(nest, tb, INET_ULP_INFO_MAX);
	if (!tb[INET_ULP_INFO_NAME] || !tb[INET_ULP_INFO_MPTCP] ||
	    strcmp(mnl_attr_get_str(tb[INET_ULP_INFO_NAME]), "mptcp"))
		return;
	genl_parse_nested(tb[INET_ULP_INFO_MPTCP], sf, MPTCP_SUBFLOW_ATTR_MAX);
	ds->is_subflow = true;
	if (sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC])
		ds->token = mnl_attr_get_u32(sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_LOC])
		ds->loc_id = mnl_attr_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_REM])
		ds->rem_id = mnl_attr_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_REM]);
	if (sf[MPTCP_SUBFLOW_ATTR_FLAGS])
		ds->sf_flags = mnl_attr_get_u32(sf[MPTCP_SUBFLOW_ATTR_FLAGS]);
}

static int diag_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct diag_list *list = data;
	const struct nlattr *attr;
	struct diag_sock ds;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*msg))
		return MNL_CB_OK;
	memset(&ds, 0, sizeof(ds));
	ds.msg = *msg;
	mnl_attr_for_each(attr, nlh, sizeof(*msg)) {
		size_t len = mnl_attr_get_payload_len(attr);

		switch (mnl_attr_get_type(attr)) {
		case INET_DIAG_INFO:
			if (list->mptcp) {
				ds.mi_len = len < sizeof(ds.mi) ? len : sizeof(ds.mi);
				memcpy(&ds.mi, mnl_attr_get_payload(attr), ds.mi_len);
			} else {
				ds.ti_len = len < sizeof(ds.ti) ? len : sizeof(ds.ti);
				memcpy(&ds.ti, mnl_attr_get_payload(attr), ds.ti_len);
			}
			break;
		case INET_DIAG_ULP_INFO:
			parse_ulp(attr, &ds);
			break;
		}
	}
	if (list->mptcp) {
		if (ds.mi_len < offsetof(struct mptcp_info, mptcpi_token) + 4)
			return MNL_CB_OK;
		ds.token = ds.mi.mptcpi_token;
	} else if (!ds.is_subflow) {
		return MNL_CB_OK;
	}
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 32;
		list->s = realloc(list->s, list->cap * sizeof(*list->s));
		if (!list->s) {
			fputs("tcpopt: out of memory\n", stderr);
			abort();
		}
	}
	list->s[list->n++] = ds;
	return MNL_CB_OK;
}

static int diag_dump(struct mnl_socket *nl, uint8_t family, bool mptcp, struct diag_list *list)
{
	static char buf[GENL_BUF_SIZE];
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = family + (mptcp ? 100 : 0);
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	/* Every state but LISTEN: connections, not listeners. */
	req->idiag_states = 0xffffu & ~(1u << 10);
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	/* The protocol field is 8 bits; IPPROTO_MPTCP (262) goes in an attribute. */
	if (mptcp)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	list->mptcp = mptcp;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, diag_cb, list);
		if (rc == MNL_CB_ERROR)
			return -errno;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

static const char *const tcp_states[] = {
	"?", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2",
	"time-wait", "close", "close-wait", "last-ack", "listen", "closing",
};

static void out_endpoints(struct onode *row, const struct inet_diag_msg *m)
{
	struct mptcp_addr a = { .family = m->idiag_family };
	char ip[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < 2; i++) {
		const __be32 *raw = i ? m->id.idiag_dst : m->id.idiag_src;

		memcpy(a.addr.bytes, raw, 16);
		/* v4-mapped addresses of an AF_INET6 socket, as IPv4. */
		if (a.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a.addr.v6)) {
			struct mptcp_addr v4 = { .family = AF_INET };

			memcpy(&v4.addr.v4, &a.addr.bytes[12], 4);
			mptcp_format_ip(&v4, ip, sizeof(ip));
		} else {
			mptcp_format_ip(&a, ip, sizeof(ip));
		}
		out_str(row, i ? "raddr" : "laddr", ip);
		out_uint(row, i ? "rport" : "lport", ntohs(i ? m->id.idiag_dport : m->id.idiag_sport));
	}
}

static const char *state_name(uint8_t state)
{
	return state < ARRAY_SIZE(tcp_states) ? tcp_states[state] : "?";
}

static void out_subflow(struct onode *row, const struct diag_sock *s)
{
	out_endpoints(row, &s->msg);
	out_uint(row, "loc_id", s->loc_id);
	out_uint(row, "rem_id", s->rem_id);
	out_bool(row, "backup", s->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_LOC);
	out_bool(row, "peer_backup", s->sf_flags & MPTCP_SUBFLOW_FLAG_BKUP_REM);
	out_bool(row, "join", s->sf_flags & (MPTCP_SUBFLOW_FLAG_JOIN_LOC | MPTCP_SUBFLOW_FLAG_JOIN_REM));
	out_str(row, "state", state_name(s->msg.idiag_state));
	if (s->ti_len >= offsetof(struct tcp_info, tcpi_rcv_rtt)) {
		out_uint(row, "rtt_us", s->ti.tcpi_rtt);
		out_uint(row, "cwnd", s->ti.tcpi_snd_cwnd);
	}
	if (s->ti_len >= offsetof(struct tcp_info, tcpi_segs_out)) {
		out_uint(row, "bytes_acked", s->ti.tcpi_bytes_acked);
		out_uint(row, "bytes_received", s->ti.tcpi_bytes_received);
	}
}

static void out_connection(struct onode *row, const struct diag_sock *c,
			   const struct diag_list *sfs)
{
	struct onode *arr;
	size_t i;

	out_uint(row, "token", c->token);
	out_endpoints(row, &c->msg);
	out_str(row, "state", state_name(c->msg.idiag_state));
	out_bool(row, "fallback", c->mi.mptcpi_flags & MPTCP_INFO_FLAG_FALLBACK);
	if (c->mi_len >= offsetof(struct mptcp_info, mptcpi_bytes_acked)) {
		out_uint(row, "bytes_sent", c->mi.mptcpi_bytes_sent);
		out_uint(row, "bytes_received", c->mi.mptcpi_bytes_received);
	}
	arr = out_add_array(row, "subflows");
	for (i = 0; i < sfs->n; i++)
		if (sfs->s[i].token == c->token)
			out_subflow(out_push_object(arr), &sfs->s[i]);
}

static int subflow_list(int argc, char **argv)
{
	struct diag_list conns = { 0 }, sfs = { 0 };
	struct mnl_socket *nl;
	struct onode *list;
	uint32_t token = 0;
	bool filter = false, found = false;
	size_t i;
	int err = 0;

	if (argc > 0) {
		if (strcmp(argv[0], "token") || argc < 2)
			return err_usage("unexpected argument \"%s\" (expected \"token TOKEN\")", argv[0]);
		if (argc > 2)
			return err_usage("unexpected argument \"%s\"", argv[2]);
		if (mptcp_parse_token(argv[1], &token))
			return err_usage("invalid token \"%s\"", argv[1]);
		filter = true;
	}
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = err_run(-errno, "cannot open sock_diag: %s", strerror(errno));
		goto out;
	}
	err = diag_dump(nl, AF_INET, true, &conns);
	if (!err)
		err = diag_dump(nl, AF_INET6, true, &conns);
	if (!err)
		err = diag_dump(nl, AF_INET, false, &sfs);
	if (!err)
		err = diag_dump(nl, AF_INET6, false, &sfs);
	if (err) {
		err = err_run(err, "sock_diag dump failed: %s", strerror(-err));
		goto out;
	}
	list = out_new_array();
	for (i = 0; i < conns.n; i++) {
		if (filter && conns.s[i].token != token)
			continue;
		found = true;
		out_connection(out_push_object(list), &conns.s[i], &sfs);
	}
	if (filter && !found) {
		out_free(list);
		err = err_run(-ENOENT, "no MPTCP connection with token %u", token);
		goto out;
	}
	out_render(list, stdout);
out:
	if (nl)
		mnl_socket_close(nl);
	free(conns.s);
	free(sfs.s);
	return err;
}

static int subflow_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct cmd subflow_cmds[] = {
	{ "list", subflow_list },
	{ "open", subflow_open },
	{ "close", subflow_close },
	{ "help", subflow_help },
};

int do_subflow(int argc, char **argv)
{
	return cmd_dispatch("command", subflow_cmds, ARRAY_SIZE(subflow_cmds), argc, argv);
}
