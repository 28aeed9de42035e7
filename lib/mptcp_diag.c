// SPDX-License-Identifier: GPL-2.0
/* MPTCP connections and subflows from sock_diag: see mptcp_diag.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/sock_diag.h>

#include "genl.h"
#include "mptcp_diag.h"
#include "utils.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#define TCP_LISTEN_STATE 10

struct dump_ctx {
	struct mptcp_diag_sock **s;
	size_t *n, cap;
	bool mptcp;			/* MPTCP sockets, else TCP subflows */
};

static bool parse_ulp(const struct nlattr *nest, struct mptcp_diag_sock *ds)
{
	const struct nlattr *tb[INET_ULP_INFO_MAX + 1], *sf[MPTCP_SUBFLOW_ATTR_MAX + 1];

	genl_parse_nested(nest, tb, INET_ULP_INFO_MAX);
	if (!tb[INET_ULP_INFO_NAME] || !tb[INET_ULP_INFO_MPTCP] ||
	    mnl_attr_validate(tb[INET_ULP_INFO_NAME], MNL_TYPE_NUL_STRING) < 0 ||
	    strcmp(mnl_attr_get_str(tb[INET_ULP_INFO_NAME]), "mptcp"))
		return false;
	genl_parse_nested(tb[INET_ULP_INFO_MPTCP], sf, MPTCP_SUBFLOW_ATTR_MAX);
	if (sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC] &&
	    mnl_attr_validate(sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC], MNL_TYPE_U32) >= 0)
		ds->token = mnl_attr_get_u32(sf[MPTCP_SUBFLOW_ATTR_TOKEN_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_LOC] &&
	    mnl_attr_validate(sf[MPTCP_SUBFLOW_ATTR_ID_LOC], MNL_TYPE_U8) >= 0)
		ds->loc_id = mnl_attr_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_LOC]);
	if (sf[MPTCP_SUBFLOW_ATTR_ID_REM] &&
	    mnl_attr_validate(sf[MPTCP_SUBFLOW_ATTR_ID_REM], MNL_TYPE_U8) >= 0)
		ds->rem_id = mnl_attr_get_u8(sf[MPTCP_SUBFLOW_ATTR_ID_REM]);
	if (sf[MPTCP_SUBFLOW_ATTR_FLAGS] &&
	    mnl_attr_validate(sf[MPTCP_SUBFLOW_ATTR_FLAGS], MNL_TYPE_U32) >= 0)
		ds->sf_flags = mnl_attr_get_u32(sf[MPTCP_SUBFLOW_ATTR_FLAGS]);
	return true;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *ctx = data;
	const struct nlattr *attr;
	struct mptcp_diag_sock ds;
	bool subflow = false;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*msg))
		return MNL_CB_OK;
	memset(&ds, 0, sizeof(ds));
	ds.msg = *msg;
	mnl_attr_for_each(attr, nlh, sizeof(*msg)) {
		size_t len = mnl_attr_get_payload_len(attr);

		switch (mnl_attr_get_type(attr)) {
		case INET_DIAG_INFO:
			if (ctx->mptcp) {
				ds.mi_len = len < sizeof(ds.mi) ? len : sizeof(ds.mi);
				memcpy(&ds.mi, mnl_attr_get_payload(attr), ds.mi_len);
			} else {
				ds.ti_len = len < sizeof(ds.ti) ? len : sizeof(ds.ti);
				memcpy(&ds.ti, mnl_attr_get_payload(attr), ds.ti_len);
			}
			break;
		case INET_DIAG_ULP_INFO:
			subflow = parse_ulp(attr, &ds);
			break;
		case INET_DIAG_CGROUP_ID:
			if (len >= sizeof(uint64_t))
				memcpy(&ds.cgroup_id, mnl_attr_get_payload(attr), sizeof(uint64_t));
			break;
		}
	}
	if (ctx->mptcp) {
		if (ds.mi_len < offsetof(struct mptcp_info, mptcpi_token) + 4)
			return MNL_CB_OK;
		ds.token = ds.mi.mptcpi_token;
	} else if (!subflow) {
		return MNL_CB_OK;	/* plain TCP */
	}
	*ctx->s = xgrow(*ctx->s, *ctx->n, &ctx->cap, sizeof(**ctx->s));
	(*ctx->s)[(*ctx->n)++] = ds;
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, uint8_t family, struct dump_ctx *ctx)
{
	static char buf[GENL_BUF_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	static uint32_t seq;
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 0xffffu & ~(1u << TCP_LISTEN_STATE);
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	/* sdiag_protocol has 8 bits: IPPROTO_MPTCP (262) needs the attribute. */
	if (ctx->mptcp)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, ctx);
		if (rc == MNL_CB_ERROR)
			return -errno;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

int mptcp_diag_collect(struct mptcp_diag *d)
{
	struct dump_ctx conns = { &d->conns, &d->nconns, 0, true };
	struct dump_ctx subflows = { &d->subflows, &d->nsubflows, 0, false };
	struct mnl_socket *nl;
	int err;

	memset(d, 0, sizeof(*d));
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return err_run(-errno, "cannot open sock_diag: %s", err_str(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}
	err = dump(nl, AF_INET, &conns);
	if (!err)
		err = dump(nl, AF_INET6, &conns);
	if (!err)
		err = dump(nl, AF_INET, &subflows);
	if (!err)
		err = dump(nl, AF_INET6, &subflows);
out:
	mnl_socket_close(nl);
	if (err) {
		mptcp_diag_free(d);
		return err_run(err, "sock_diag dump failed: %s", err_str(err));
	}
	return 0;
}

struct lookup_ctx {
	uint64_t cgroup_id;
	bool found;
};

static int lookup_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *msg = mnl_nlmsg_get_payload(nlh);
	struct lookup_ctx *ctx = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*msg))
		return MNL_CB_OK;
	ctx->found = true;
	mnl_attr_for_each(attr, nlh, sizeof(*msg))
		if (mnl_attr_get_type(attr) == INET_DIAG_CGROUP_ID &&
		    mnl_attr_get_payload_len(attr) >= sizeof(uint64_t))
			memcpy(&ctx->cgroup_id, mnl_attr_get_payload(attr), sizeof(uint64_t));
	return MNL_CB_OK;
}

int mptcp_diag_token_cgroup(uint32_t token, uint64_t *cgroup_id)
{
	/* One socket for the life of the process: an agent asks per connection. */
	static struct mnl_socket *nl;
	static uint32_t seq;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct lookup_ctx ctx = { 0 };
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	ssize_t n;
	int rc;

	if (!nl) {
		nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
		if (!nl)
			return -errno;
		if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			rc = -errno;
			mnl_socket_close(nl);
			nl = NULL;
			return rc;
		}
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	/* MPTCP's diag looks a connection up by the token in the cookie. */
	req->id.idiag_cookie[0] = token;
	req->id.idiag_cookie[1] = 0;
	mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), lookup_cb, &ctx);
		if (rc == MNL_CB_ERROR)
			return -errno;
	} while (!ctx.found && rc > 0);
	if (!ctx.found)
		return -ENOENT;
	*cgroup_id = ctx.cgroup_id;
	return 0;
}

void mptcp_diag_free(struct mptcp_diag *d)
{
	free(d->conns);
	free(d->subflows);
	memset(d, 0, sizeof(*d));
}

void mptcp_diag_addr(const struct mptcp_diag_sock *s, bool remote, struct mptcp_addr *a)
{
	const __be32 *raw = remote ? s->msg.id.idiag_dst : s->msg.id.idiag_src;

	memset(a, 0, sizeof(*a));
	a->family = s->msg.idiag_family;
	memcpy(a->addr.bytes, raw, 16);
	a->port = ntohs(remote ? s->msg.id.idiag_dport : s->msg.id.idiag_sport);
	if (a->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->addr.v6)) {
		a->family = AF_INET;
		memmove(a->addr.bytes, &a->addr.bytes[12], 4);
		memset(&a->addr.bytes[4], 0, 12);
	}
}
