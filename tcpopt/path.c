// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt path: what the drivers learned of the paths to their
 * destinations (bpf/path.bpf.h, lib/path.h): whether the peer answers,
 * whether an option was stripped on the way, whether SYNs with options are
 * dropped (a blackhole, left without options until the cgroup's expiry).
 * Like "ip tcp_metrics", a memory keyed by destination: list it, forget
 * it, and set how long a blackhole is remembered and how destinations are
 * grouped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpopt.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/output.h"
#include "../lib/path.h"
#include "../lib/state.h"
#include "../lib/utils.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt path list [ dst PREFIX ] [ cgroup PATH ]\n"
		"       tcpopt path show [ cgroup PATH ]\n"
		"       tcpopt path set [ expire DURATION ] [ prefix4 LEN ] [ prefix6 LEN ] [ cgroup PATH ]\n"
		"       tcpopt path flush [ dst PREFIX ] [ cgroup PATH ]\n");
}

enum { PKW_DST, PKW_CGROUP, PKW_EXPIRE, PKW_PREFIX4, PKW_PREFIX6 };

static const struct keyword select_keywords[] = {
	{ "dst", true, PKW_DST },
	{ "cgroup", true, PKW_CGROUP },
};

static const struct keyword set_keywords[] = {
	{ "expire", true, PKW_EXPIRE },
	{ "prefix4", true, PKW_PREFIX4 },
	{ "prefix6", true, PKW_PREFIX6 },
	{ "cgroup", true, PKW_CGROUP },
};

/* Which destinations a command is about. */
struct path_select {
	struct prefix dst;		/* family 0: any */
	uint64_t cgid;			/* 0: every cgroup */
	const char *cgroup;
};

static int parse_select(int argc, char **argv, const struct keyword *kw, size_t nkw,
			struct path_select *sel)
{
	struct cgroup_ref cg;
	const char *value;
	int id, err;

	memset(sel, 0, sizeof(*sel));
	while (argc > 0) {
		err = keyword_next(&argc, &argv, kw, nkw, &id, &value);
		if (err)
			return err;
		if (id == PKW_DST) {
			if (parse_prefix(value, &sel->dst))
				return err_usage("invalid dst \"%s\" (an IPv4 or IPv6 address or prefix)",
						 value);
		} else {
			err = cgroup_open(value, &cg);
			if (err)
				return err;
			sel->cgid = cg.id;
			sel->cgroup = value;
			cgroup_close(&cg);
		}
	}
	return 0;
}

/* Cgroup paths, looked up once per cgroup in a command. */
#define CGROUP_CACHE 64

struct cgroup_names {
	uint64_t id[CGROUP_CACHE];
	char path[CGROUP_CACHE][PATH_MAX];
	struct tcpopt_path_config pc[CGROUP_CACHE];
	bool driver[CGROUP_CACHE];
	int n;
};

/* The cache entry of cgid (its path, its driver's config). */
static int cgroup_named(struct cgroup_names *c, uint64_t cgid)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->id[i] == cgid)
			return i;
	i = c->n < CGROUP_CACHE ? c->n++ : CGROUP_CACHE - 1;
	c->id[i] = cgid;
	cgroup_name_of(cgid, c->path[i], sizeof(c->path[i]));
	memset(&c->pc[i], 0, sizeof(c->pc[i]));
	c->driver[i] = !path_config_read(cgid, &c->pc[i]);
	return i;
}

/* "12s", "3min", "2h": an age or a time left, to the unit. */
static void format_age(char *buf, size_t len, uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	else if (ms < 120000)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	else if (ms < 7200000)
		snprintf(buf, len, "%llumin", (unsigned long long)(ms / 60000));
	else
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / 3600000));
}

/* JSON "<key>_ms": how long ago, text "<key> 12s"; nothing for never. */
static void out_age(struct onode *row, const char *key, uint64_t now, uint64_t then,
		    bool json_only)
{
	char jkey[64], text[32];
	uint64_t ms;

	if (!then)
		return;
	ms = now > then ? (now - then) / 1000000 : 0;
	snprintf(jkey, sizeof(jkey), "%s_ms", key);
	if (json_only) {
		out_uint_json(row, jkey, ms);
		return;
	}
	format_age(text, sizeof(text), ms);
	out_uint_text(row, jkey, key, ms, text);
}

struct lister {
	struct path_select sel;
	struct cgroup_names names;
	struct onode *list;
	uint64_t now;
	int matched;
	int err;
};

static bool selected(struct lister *l, const struct tcpopt_path_key *k, int *ci)
{
	if (!path_key_in(k, &l->sel.dst))
		return false;
	*ci = cgroup_named(&l->names, k->cgroup_id);
	/* What a removed driver left: not shown, gone with a new driver. */
	return l->names.driver[*ci];
}

static int list_destination(const struct tcpopt_path_key *k, const struct tcpopt_path *e, void *ctx)
{
	struct lister *l = ctx;
	uint32_t expire;
	uint64_t until;
	char dst[64], text[32];
	struct onode *row;
	int ci;

	if (!selected(l, k, &ci))
		return 0;
	expire = path_expire_s(&l->names.pc[ci]);
	row = out_push_object(l->list);
	out_str(row, "cgroup", l->names.path[ci]);
	out_uint_json(row, "cgroup_id", k->cgroup_id);
	path_key_dst(k, dst, sizeof(dst));
	out_str(row, "dst", dst);
	out_str(row, "state", path_state_name(e, expire, l->now));
	out_uint_text(row, "connections", "conns", e->connections, NULL);
	out_uint(row, "answered", e->answered);
	out_uint(row, "unanswered", e->unanswered);
	out_uint(row, "stripped", e->stripped);
	out_uint(row, "fallbacks", e->fallbacks);
	out_uint(row, "blackholed", e->blackholed);
	out_uint_json(row, "malformed", e->malformed);
	path_slots_out(row, "stripped_options", k->cgroup_id, e->stripped_slots);
	/* How long the destination stays without options. */
	until = e->blackhole_ns + (uint64_t)expire * 1000000000ULL;
	if (e->state == TCPOPT_PATH_BLACKHOLE && until > l->now) {
		format_age(text, sizeof(text), (until - l->now) / 1000000);
		out_uint_text(row, "blackhole_left_ms", "quiet", (until - l->now) / 1000000, text);
	} else {
		out_uint_text(row, "blackhole_left_ms", "quiet", 0, "-");
	}
	out_age(row, "last", l->now, e->last_ns, false);
	out_age(row, "first", l->now, e->first_ns, true);
	out_age(row, "answered", l->now, e->answered_ns, true);
	out_age(row, "stripped", l->now, e->stripped_ns, true);
	out_age(row, "blackhole", l->now, e->blackhole_ns, true);
	return 0;
}

static int path_list(int argc, char **argv)
{
	struct lister *l = xzalloc(sizeof(*l));
	int err;

	err = parse_select(argc, argv, select_keywords, ARRAY_SIZE(select_keywords), &l->sel);
	if (!err) {
		l->list = out_new_array();
		l->now = path_now_ns();
		err = path_walk(l->sel.cgid, list_destination, l);
		if (err)
			out_free(l->list);
		else
			out_render(l->list, stdout);
	}
	free(l);
	return err;
}

static int flush_destination(const struct tcpopt_path_key *k, const struct tcpopt_path *e, void *ctx)
{
	struct lister *l = ctx;
	struct onode *row;
	char dst[64];
	int ci, err;

	(void)e;
	if (!path_key_in(k, &l->sel.dst))
		return 0;
	ci = cgroup_named(&l->names, k->cgroup_id);
	err = path_forget(k);
	if (err) {
		l->err = err_run(err, "cannot forget a destination: %s", err_str(-err));
		return 1;
	}
	if (!l->names.driver[ci])
		return 0;	/* a removed driver's: forgotten without a word */
	row = out_push_object(l->list);
	out_str(row, "cgroup", l->names.path[ci]);
	out_uint_json(row, "cgroup_id", k->cgroup_id);
	path_key_dst(k, dst, sizeof(dst));
	out_str(row, "dst", dst);
	return 0;
}

/* Forget the destinations of sel; the -j list of what went. */
static int flush_selected(struct lister *l, bool print)
{
	int err;

	l->list = out_new_array();
	err = path_walk(l->sel.cgid, flush_destination, l);
	if (!err)
		err = l->err;
	if (err || !print || !out_is_json())
		out_free(l->list);
	else
		out_render(l->list, stdout);
	return err;
}

static int path_flush(int argc, char **argv)
{
	struct lister *l = xzalloc(sizeof(*l));
	int err, lock;

	err = parse_select(argc, argv, select_keywords, ARRAY_SIZE(select_keywords), &l->sel);
	if (!err) {
		lock = state_lock();
		err = lock < 0 ? lock : flush_selected(l, true);
		state_unlock(lock);
	}
	free(l);
	return err;
}

struct shower {
	struct cgroup_names names;
	uint64_t only;
	struct onode *list;
	int count[CGROUP_CACHE];
};

static int show_cgroup(uint64_t cgid, const char *name, const char *dir, void *ctx)
{
	struct shower *s = ctx;

	(void)name;
	(void)dir;
	if (!s->only || cgid == s->only)
		cgroup_named(&s->names, cgid);
	return 0;
}

static int count_one(const struct tcpopt_path_key *k, const struct tcpopt_path *e, void *ctx)
{
	struct shower *s = ctx;
	int i;

	(void)e;
	for (i = 0; i < s->names.n; i++)
		if (s->names.id[i] == k->cgroup_id)
			s->count[i]++;
	return 0;
}

static int path_show(int argc, char **argv)
{
	struct shower *s = xzalloc(sizeof(*s));
	const struct tcpopt_path_config *pc;
	struct path_select sel;
	struct onode *row;
	int err, i;

	err = parse_select(argc, argv, select_keywords + 1, 1, &sel);
	if (err)
		goto out;
	s->only = sel.cgid;
	err = pin_walk(show_cgroup, s);
	if (!err)
		err = path_walk(0, count_one, s);
	if (err) {
		if (!err_reported())
			err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(-err));
		goto out;
	}
	s->list = out_new_array();
	for (i = 0; i < s->names.n; i++) {
		if (!s->names.driver[i])
			continue;	/* user objects only: no driver, no memory */
		pc = &s->names.pc[i];
		row = out_push_object(s->list);
		out_str(row, "cgroup", s->names.path[i]);
		out_uint_json(row, "cgroup_id", s->names.id[i]);
		out_duration_ms(row, "expire", (uint64_t)path_expire_s(pc) * 1000);
		out_uint(row, "prefix4", path_prefix_len(pc, AF_INET));
		out_uint(row, "prefix6", path_prefix_len(pc, AF_INET6));
		out_uint(row, "destinations", (uint64_t)s->count[i]);
	}
	out_render(s->list, stdout);
out:
	free(s);
	return err;
}

/* Most a blackhole can be remembered: 30 days. */
#define EXPIRE_MAX_MS	(30ULL * 86400 * 1000)

static int path_set(int argc, char **argv)
{
	struct tcpopt_path_config pc;
	struct lister *l = NULL;
	struct cgroup_ref cg;
	const char *cgroup = NULL, *value;
	uint32_t expire_s = 0, p4 = 0, p6 = 0, v;
	uint64_t ms;
	int id, err, lock;

	if (!argc)
		return err_usage("set: nothing to set (expire, prefix4 or prefix6)");
	while (argc > 0) {
		err = keyword_next(&argc, &argv, set_keywords, ARRAY_SIZE(set_keywords), &id,
				   &value);
		if (err)
			return err;
		switch (id) {
		case PKW_EXPIRE:
			if (parse_duration_ms(value, "s", &ms) || ms < 1000 || ms > EXPIRE_MAX_MS ||
			    ms % 1000)
				return err_usage("invalid expire \"%s\" (whole seconds, 1s to 30d)",
						 value);
			expire_s = (uint32_t)(ms / 1000);
			break;
		case PKW_PREFIX4:
			if (parse_u32_range(value, 1, 32, &v))
				return err_usage("invalid prefix4 \"%s\" (1 to 32)", value);
			p4 = v;
			break;
		case PKW_PREFIX6:
			if (parse_u32_range(value, 1, 128, &v))
				return err_usage("invalid prefix6 \"%s\" (1 to 128)", value);
			p6 = v;
			break;
		default:
			cgroup = value;
		}
	}
	if (!expire_s && !p4 && !p6)
		return err_usage("set: nothing to set (expire, prefix4 or prefix6)");
	err = state_lock_cgroup(cgroup, &cg, &lock);
	if (err)
		return err;
	err = path_config_read(cg.id, &pc);
	if (err) {
		err = err_run(err, "cgroup %s has no built-in option: its driver keeps the memory (see \"tcpopt option add\")",
			      cg.path);
		goto out;
	}
	if (expire_s)
		pc.expire_s = expire_s;
	/* Destinations of another grouping would never be found again. */
	if ((p4 && p4 != path_prefix_len(&pc, AF_INET)) ||
	    (p6 && p6 != path_prefix_len(&pc, AF_INET6))) {
		pc.prefix4 = p4 ? p4 : pc.prefix4;
		pc.prefix6 = p6 ? p6 : pc.prefix6;
		l = xzalloc(sizeof(*l));
		l->sel.cgid = cg.id;
		err = flush_selected(l, false);
		if (err)
			goto out;
	}
	err = path_config_write(cg.id, &pc);
	if (err)
		err = err_run(err, "cannot set the path memory of cgroup %s: %s", cg.path,
			      err_str(-err));
out:
	free(l);
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}

/* The words of "path set" that give cgroup cgid's settings back, "" for
 * the defaults or no driver (tcpopt save). */
int path_config_words(uint64_t cgid, char *buf, size_t len)
{
	struct tcpopt_path_config pc;
	unsigned int p4, p6;
	struct word_buf w;
	char expire[32];
	int err = path_config_read(cgid, &pc);

	word_buf_init(&w, buf, len);
	if (err)
		return err == -ENOENT ? 0 : err;
	p4 = path_prefix_len(&pc, AF_INET);
	p6 = path_prefix_len(&pc, AF_INET6);
	if (path_expire_s(&pc) != TCPOPT_PATH_EXPIRE_DEFAULT_S) {
		format_duration_ms(expire, sizeof(expire), (uint64_t)path_expire_s(&pc) * 1000);
		word_add(&w, "expire %s", expire);
	}
	if (p4 != 32)
		word_add(&w, "prefix4 %u", p4);
	if (p6 != 128)
		word_add(&w, "prefix6 %u", p6);
	return word_buf_end(&w);
}

static const struct cmd path_cmds[] = {
	{ "list", path_list },
	{ "show", path_show },
	{ "set", path_set },
	{ "flush", path_flush },
	{ "help", NULL },
};

int do_path(int argc, char **argv)
{
	/* "tcpopt path dst 192.0.2.0/24": the selection of the default command. */
	if (argc > 0 && word_lookup(argv[0], select_keywords, ARRAY_SIZE(select_keywords),
				    sizeof(select_keywords[0])) >= 0)
		return path_list(argc, argv);
	return cmd_dispatch("command", path_cmds, ARRAY_SIZE(path_cmds), usage, argc, argv);
}
