// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt monitor: MPTCP events (the default), or the state changes of the
 * destinations that tcpopt's drivers remember ("path"), as they happen,
 * one line each.  With -j one JSON object per line, flushed at once, so
 * the stream stays valid when the process is killed (unlike one array
 * closed at exit).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <limits.h>

#include "tcpopt.h"
#include "../lib/cgroup.h"
#include "../lib/mptcp.h"
#include "../lib/path.h"
#include "../lib/output.h"
#include "../lib/utils.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: tcpopt monitor [ mptcp ] [ count N ] [ timeout DURATION ] [ rcvbuf BYTES ]\n"
		   "       tcpopt monitor path [ count N ] [ timeout DURATION ]\n");
}

struct monitor {
	uint64_t lost_reported;
	struct mptcp_listener *l;
};

/* JSON: {"event": NAME, fields...}; text: "NAME  field value ...". */
static int print_event(const struct mptcp_event *ev, void *data)
{
	struct monitor *m = data;
	struct onode *root = out_new_object(), *obj = root;
	char name[32];

	if (ev->name)
		snprintf(name, sizeof(name), "%s", ev->name);
	else
		snprintf(name, sizeof(name), "event_%u", ev->type);
	/* Tell the reader when the kernel dropped events before this one. */
	if (m->l->overruns != m->lost_reported) {
		m->lost_reported = m->l->overruns;
		out_uint(obj, "overruns", m->l->overruns);
	}
	if (out_is_json())
		out_str(obj, "event", name);
	else
		obj = out_add_object(root, name);
	mptcp_event_out(obj, ev);
	out_render(root, stdout);
	return 0;
}

/* JSON: {"event": "path", fields...}; text: "path  field value ...". */
static int print_path_event(const struct tcpopt_path_event *ev, void *data)
{
	struct onode *root = out_new_object(), *obj = root;
	struct tcpopt_path_key k = { .cgroup_id = ev->cgroup_id, .family = ev->family,
				     .prefix_len = ev->prefix_len };
	char dst[64];

	(void)data;
	memcpy(k.addr, ev->addr, sizeof(k.addr));
	if (out_is_json())
		out_str(obj, "event", "path");
	else
		obj = out_add_object(root, "path");
	out_cgroup_heading(obj, ev->cgroup_id);
	path_key_dst(&k, dst, sizeof(dst));
	out_str(obj, "dst", dst);
	out_str(obj, "state", path_state_str(ev->state));
	out_str(obj, "previous", path_state_str(ev->prev));
	if (ev->state == TCPOPT_PATH_STRIPPED)
		path_slots_out(obj, "stripped_options", ev->cgroup_id, ev->stripped_slots);
	out_uint_json(obj, "boottime_ns", ev->ns);
	out_render(root, stdout);
	return 0;
}

int do_monitor(int argc, char **argv)
{
	static const struct keyword kw[] = {
		{ "mptcp", false, 0 },
		{ "count", true, 1 },
		{ "timeout", true, 2 },
		{ "rcvbuf", true, 3 },
		{ "help", false, 4 },
		{ "path", false, 5 },
	};
	struct mptcp_listener l;
	struct monitor m = { .l = &l };
	uint64_t count = 0, timeout_ms = 0;
	uint32_t rcvbuf = 0;
	bool path = false, mptcp = false, rcvbuf_given = false;
	int err;

	while (argc > 0) {
		const char *value;
		int id;

		err = keyword_next(&argc, &argv, kw, ARRAY_SIZE(kw), &id, &value);
		if (err)
			return err;
		if (id == 1 && (parse_u64(value, &count) || !count))
			return err_usage("invalid count \"%s\"", value);
		if (id == 2 && (parse_duration_ms(value, "s", &timeout_ms) || !timeout_ms))
			return err_usage("invalid timeout \"%s\" (e.g. 500ms, 5s)", value);
		if (id == 3 && (err = mptcp_parse_rcvbuf(value, &rcvbuf)))
			return err;
		if (id == 4) {
			usage(stdout);
			return 0;
		}
		rcvbuf_given |= id == 3;
		mptcp |= id == 0;
		path |= id == 5;
	}
	if (path && (mptcp || rcvbuf_given))
		return err_usage("\"path\" takes no %s", mptcp ? "\"mptcp\"" : "rcvbuf");
	if (path) {
		err = path_events_run(count, timeout_ms, print_path_event, NULL);
		return err;
	}
	err = mptcp_listener_open(&l, (int)rcvbuf);
	if (err)
		return err;
	err = mptcp_listener_run(&l, count, timeout_ms, print_event, &m);
	mptcp_listener_close(&l);
	if (err)
		return err_run(err, "reading events failed: %s", err_str(err));
	return 0;
}
