// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the MPTCP netlink event parser (lib/mptcp.c).  The input is
 * the event command (first byte) and a raw attribute stream; it is framed
 * as the kernel frames an event (nlmsghdr, genlmsghdr) in a buffer of its
 * exact length (rounded to netlink's 4-byte alignment, as a receive buffer
 * holds it), parsed, and printed as monitor prints it, in JSON and as
 * text.  Endpoint nests are parsed as "pm show" parses them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "../../lib/mptcp.h"
#include "../../lib/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static int event_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct mptcp_event ev;
	struct onode *root;
	const struct nlattr *attr;
	struct mptcp_addr addr;
	int json;

	(void)arg;
	if (mptcp_event_parse(nlh, &ev))
		return MNL_CB_OK;
	for (json = 0; json < 2; json++) {
		root = out_new_object();
		out_str(root, "event", ev.name ? ev.name : "unknown");
		mptcp_event_out(root, &ev);
		out_set_mode(json, json);
		out_render(root, sink);
	}
	/* every nested attribute as an endpoint */
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == MPTCP_PM_ATTR_ADDR)
			mptcp_parse_addr(attr, &addr);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, alloc;
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	char *buf;

	if (size < 1 || size > 8192)
		return -1;
	if (!sink)
		sink = fopen("/dev/null", "w");
	len = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*gh)) + size - 1;
	alloc = MNL_ALIGN(len);
	buf = calloc(1, alloc);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = 0x20;		/* a generic netlink family's id */
	gh = mnl_nlmsg_get_payload(nlh);
	gh->cmd = data[0];
	gh->version = 1;
	memcpy((char *)gh + MNL_ALIGN(sizeof(*gh)), data + 1, size - 1);
	/* as the event loop does it: one receive buffer, mnl_cb_run */
	mnl_cb_run(buf, alloc, 0, 0, event_cb, NULL);
	free(buf);
	return 0;
}
