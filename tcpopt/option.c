// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt option: attach, change, list and remove TCP header options.
 * The commands are written once here; option_words.c holds the grammar,
 * option_<name>.c describe each option, option_kinds.c lists them (see
 * option.h for adding one).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "option.h"
#include "tcpopt.h"
#include "../lib/attach.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/counters.h"
#include "../lib/driver.h"
#include "../lib/output.h"
#include "../lib/state.h"

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: tcpopt option add NAME [ VALUE ] [ OPTS ] [ FILTER ] [ WHERE ] [ PEER ] [ path POLICY ] [ cgroup PATH ] [ replace ]\n"
		"       tcpopt option set NAME [ INSTANCE ] [ VALUE ] [ OPTS ] [ FILTER ] [ WHERE ] [ PEER ] [ path POLICY ] [ cgroup PATH ]\n"
		"       tcpopt option del NAME [ INSTANCE ] [ cgroup PATH ]\n"
		"       tcpopt option show NAME [ INSTANCE ] [ cgroup PATH ]\n"
		"       tcpopt option list [ cgroup PATH ]\n"
		"       tcpopt option flush [ cgroup PATH | deleted ]\n"
		"where  FILTER := [ dport PORT ] [ sport PORT ] [ dst PREFIX ] [ src PREFIX ]\n"
		"       WHERE := { syn | every }\n"
		"       PEER := { accept | ignore }\n"
		"       POLICY := { probe | always | off }\n"
		"       INSTANCE := { EXID (exp) | LABEL (object) }\n"
		"       NAME [ VALUE ] [ OPTS ] := {\n");
	for (i = 0; i < opt_ndescs; i++)
		fprintf(f, "           %s %s%s\n", opt_descs[i]->name, opt_descs[i]->usage,
			i + 1 < opt_ndescs ? " |" : " }");
}

/* "option" (and "instance") of an attachment, from its directory name. */
static const struct opt_desc *describe_name(struct onode *row, const char *pin_name)
{
	const struct opt_desc *d = opt_desc_by_pin(pin_name);

	out_str(row, "option", d ? d->name : pin_name);
	if (d && d->instance)
		out_str(row, "instance", pin_name + strlen(d->name) + 1);
	return d;
}

/* key: the prefix tp of a filter, when one is set. */
static void describe_prefix(struct onode *f, const char *key, const struct tcpopt_prefix *tp)
{
	char buf[64];
	struct prefix p;

	if (!tp->family)
		return;
	p.family = tp->family;
	p.len = tp->len;
	memcpy(p.addr, tp->addr, sizeof(p.addr));
	format_prefix(&p, buf, sizeof(buf));
	out_str(f, key, buf);
}

static struct onode *describe_filter(struct onode *parent, const struct tcpopt_common *c)
{
	struct onode *f = out_add_object(parent, "filter");

	if (c->remote_port)
		out_uint(f, "dport", c->remote_port);
	if (c->local_port)
		out_uint(f, "sport", c->local_port);
	describe_prefix(f, "dst", &c->remote);
	describe_prefix(f, "src", &c->local);
	return f;
}

/* One attachment as a row (list) or a document (show, add -j). */
static void option_row(struct onode *row, uint64_t cgid, const char *name,
		       const char *dir, bool with_stats)
{
	const struct opt_desc *d;
	union opt_config cfg;
	struct pin_link_info link;
	bool have_cfg = false, cgroup_gone;

	cgroup_gone = out_cgroup_heading(row, cgid);
	d = describe_name(row, name);
	if (d) {
		have_cfg = !opt_config_read(d, dir, &cfg);
		/* An RFC 6994 family's kind and ExID are in its config. */
		if (d->kind)
			out_uint_json(row, "kind", have_cfg && d->exid ? cfg.common.exp_kind : d->kind);
		if (d->exid)
			out_uint_json(row, "exid", have_cfg ? cfg.common.exid : d->exid);
	}
	if (have_cfg) {
		d->print(cfg.bytes, out_add_object(row, "params"));
		if (!d->attach) {
			out_str(row, "where", cfg.common.flags & TCPOPT_F_EVERY ? "every" : "syn");
			out_str(row, "peer", cfg.common.flags & TCPOPT_F_IGNORE ? "ignore" : "accept");
			out_str(row, "path", option_path_policy(&cfg.common));
			describe_filter(row, &cfg.common);
		}
	} else {
		out_null(row, "params", "(unreadable config)");
	}
	if (pin_link_ids(dir, &link)) {
		out_bool(row, "attached", false);
	} else {
		out_uint_json(row, "link_id", link.link_id);
		out_uint_json(row, "prog_id", link.prog_id);
		/* A removed cgroup lives on, offline, while our link holds it. */
		out_bool(row, "attached", link.cgroup_id == cgid && !cgroup_gone);
	}
	if (with_stats)
		counters_add(out_add_object(row, "stats"), dir);
}

/* dir: req's attachment on cg; -ENOENT, said, when there is none. */
static int option_attached_dir(const struct opt_request *req, const struct cgroup_ref *cg,
			       char *dir, size_t len)
{
	pin_dir(dir, len, cg->id, req->pin);
	if (pin_dir_exists(dir))
		return 0;
	return err_run(-ENOENT, "%s is not attached to cgroup %s", req->what, cg->path);
}

/* request_pin(), then state_lock_cgroup() and option_attached_dir(), undone on error. */
static int option_lock_attached(struct opt_request *req, struct cgroup_ref *cg,
				int *lock, char *dir, size_t len)
{
	int err = request_pin(req);

	if (!err)
		err = state_lock_cgroup(req->cgroup, cg, lock);
	if (err)
		return err;
	err = option_attached_dir(req, cg, dir, len);
	if (err) {
		state_unlock(*lock);
		cgroup_close(cg);
	}
	return err;
}

/*
 * "add" of what is already attached: the same values make it a no-op (a
 * saved state restores over itself); other values are a conflict.
 */
static int check_attached(const struct opt_request *req, const struct cgroup_ref *cg,
			  bool *same)
{
	union opt_config cur;
	const struct opt_desc *d = req->desc;
	char dir[PATH_MAX], have[256], want[256];
	struct pin_link_info link;

	*same = false;
	pin_dir(dir, sizeof(dir), cg->id, req->pin);
	if (!pin_dir_exists(dir))
		return 0;
	if (opt_config_read(d, dir, &cur))
		return err_run(-EEXIST, "%s is already attached to cgroup %s, config unreadable (use \"replace\")",
			       req->what, cg->path);
	if (memcmp(cur.bytes, req->cfg.bytes, d->config_size)) {
		if (option_words(d, cur.bytes, have, sizeof(have)))
			snprintf(have, sizeof(have), "(see \"tcpopt option show %s\")", req->what);
		if (option_words(d, req->cfg.bytes, want, sizeof(want)))
			snprintf(want, sizeof(want), "(other values)");
		return err_run(-EEXIST, "%s is already attached to cgroup %s as \"%s\", not \"%s\" (use \"replace\" to change it)",
			       req->what, cg->path, have, want);
	}
	if (pin_link_ids(dir, &link) || link.cgroup_id != cg->id)
		return err_run(-ENOLINK, "%s on cgroup %s is pinned but no longer attached (del it and add it again)",
			       req->what, cg->path);
	*same = true;
	return 0;
}

static void print_attachment(const struct cgroup_ref *cg, const char *name)
{
	char dir[PATH_MAX];
	struct onode *doc;

	if (!out_is_json())
		return;
	pin_dir(dir, sizeof(dir), cg->id, name);
	doc = out_new_object();
	option_row(doc, cg->id, name, dir, false);
	out_render(doc, stdout);
}

/*
 * What the kernel must have for an option's program to load and attach:
 * checked before anything is done, so that a kernel without one refuses
 * the command in one line naming it rather than with a verifier log.
 * (cgroup_link, Linux 5.7, comes before hdr_options, 5.10.)
 */
static const char *const builtin_features[] = {
	"sockops", "hdr_options", "sk_storage", "bpf_loop", NULL
};
static const char *const object_features[] = { "sockops", NULL };

static int option_add(int argc, char **argv)
{
	struct opt_request req;
	struct cgroup_ref cg;
	bool same;
	int err, lock;

	err = parse_request(argc, argv, PARSE_ADD, &req);
	if (err)
		return err;
	req.cfg.common.abi = TCPOPT_ABI;
	err = apply_words(&req);
	if (!err)
		err = request_pin(&req);
	if (!err)
		err = feature_require_all(req.desc->name, req.desc->attach ?
					  object_features : builtin_features);
	if (err)
		return err;
	err = state_lock_cgroup(req.cgroup, &cg, &lock);
	if (err)
		return err;
	if (!req.replace) {
		err = check_attached(&req, &cg, &same);
		if (err || same) {
			if (same)
				print_attachment(&cg, req.pin);
			goto out;
		}
	}

	libbpf_quiet();
	if (req.desc->attach)
		err = req.desc->attach(&cg, req.pin, req.cfg.bytes, req.replace);
	else
		err = driver_attach(&cg, req.pin, req.desc->type, req.cfg.bytes,
				    req.desc->config_size, req.replace);
	if (!err)
		print_attachment(&cg, req.pin);
out:
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}

static int option_set(int argc, char **argv)
{
	struct opt_request req;
	struct cgroup_ref cg;
	char dir[PATH_MAX];
	int err, lock;

	err = parse_request(argc, argv, PARSE_SET, &req);
	if (err)
		return err;
	if (req.desc->attach)
		return err_usage("%s cannot be changed in place (add it again with \"replace\")",
				 req.desc->name);
	if (!req.positional && !req.nwords)
		return err_usage("%s: nothing to set", req.desc->name);
	err = option_lock_attached(&req, &cg, &lock, dir, sizeof(dir));
	if (err)
		return err;
	err = opt_config_read(req.desc, dir, &req.cfg);
	if (err) {
		err = err_run(err, "cannot read the config of %s: %s (re-add it with \"replace\")",
			      dir, pin_config_err_str(err));
		goto out;
	}
	err = apply_words(&req);
	if (err)
		goto out;
	err = option_config_write(dir, opt_config_pin(req.desc), req.cfg.bytes,
				  req.desc->config_size);
	if (err)
		err = err_run(err, "cannot write the config of %s: %s", dir, err_str(err));
	else
		print_attachment(&cg, req.pin);
out:
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}

struct removed {
	struct onode *list;
	uint64_t only_cgid;	/* 0: every cgroup */
	bool only_deleted;	/* only cgroups that no longer exist */
	int err;
};

static void note_removed(struct onode *list, uint64_t cgid, const char *name)
{
	struct onode *o = out_push_object(list);

	out_cgroup_heading(o, cgid);
	describe_name(o, name);
}

static void print_removed(struct onode *list)
{
	if (out_is_json())
		out_render(list, stdout);
	else
		out_free(list);
}

static int option_del(int argc, char **argv)
{
	struct opt_request req;
	struct cgroup_ref cg;
	char dir[PATH_MAX];
	struct onode *list;
	int err, lock;

	err = parse_request(argc, argv, PARSE_NAME_ONLY, &req);
	if (!err)
		err = option_lock_attached(&req, &cg, &lock, dir, sizeof(dir));
	if (err)
		return err;
	list = out_new_array();
	note_removed(list, cg.id, req.pin);
	err = driver_detach(dir);
	if (err) {
		out_free(list);
		err = err_run(err, "cannot remove %s: %s", dir, err_str(err));
	} else {
		print_removed(list);
	}
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}

static int flush_one(uint64_t cgid, const char *name, const char *dir, void *ctx)
{
	struct removed *r = ctx;
	char path[PATH_MAX];
	int err;

	if (r->only_cgid && cgid != r->only_cgid)
		return 0;
	if (r->only_deleted && !cgroup_path_of(cgid, path, sizeof(path)))
		return 0;
	note_removed(r->list, cgid, name);
	err = driver_detach(dir);
	if (err && !r->err)
		r->err = err_run(err, "cannot remove %s: %s", dir, err_str(err));
	return 0;
}

static int option_flush(int argc, char **argv)
{
	struct removed r = { 0 };
	struct cgroup_ref cg = { .fd = -1 };
	const char *cgroup;
	int err, lock;

	if (argc == 1 && !strcmp(argv[0], "deleted")) {
		r.only_deleted = true;
		argc--;
	}
	err = parse_cgroup_only(argc, argv, &cgroup);
	if (err)
		return err;
	if (cgroup) {
		err = state_lock_cgroup(cgroup, &cg, &lock);
		r.only_cgid = cg.id;
	} else {
		lock = state_lock();
		err = lock < 0 ? lock : 0;
	}
	if (err)
		return err;
	r.list = out_new_array();
	err = pin_walk(flush_one, &r);
	if (!err)
		err = r.err;
	if (err) {
		out_free(r.list);
		if (!err_reported())
			err_run(err, "cannot walk %s: %s", PIN_ROOT, err_str(err));
	} else {
		print_removed(r.list);
	}
	state_unlock(lock);
	cgroup_close(&cg);
	return err;
}

struct lister {
	struct onode *list;
	uint64_t only_cgid;
};

static int list_one(uint64_t cgid, const char *name, const char *dir, void *ctx)
{
	struct lister *l = ctx;

	if (!l->only_cgid || cgid == l->only_cgid)
		option_row(out_push_object(l->list), cgid, name, dir, show_stats);
	return 0;
}

static int option_list(int argc, char **argv)
{
	struct lister l = { 0 };
	struct cgroup_ref cg = { .fd = -1 };
	const char *cgroup;
	int err;

	err = parse_cgroup_only(argc, argv, &cgroup);
	if (err)
		return err;
	if (cgroup) {
		err = cgroup_open(cgroup, &cg);
		if (err)
			return err;
		l.only_cgid = cg.id;
		cgroup_close(&cg);
	}
	l.list = out_new_array();
	err = pin_walk(list_one, &l);
	if (err) {
		out_free(l.list);
		return err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err));
	}
	out_render(l.list, stdout);
	return 0;
}

static int option_show(int argc, char **argv)
{
	struct opt_request req;
	struct cgroup_ref cg;
	char dir[PATH_MAX];
	struct onode *doc;
	int err;

	err = parse_request(argc, argv, PARSE_NAME_ONLY, &req);
	if (!err)
		err = request_pin(&req);
	if (err)
		return err;
	err = cgroup_open(req.cgroup, &cg);
	if (err)
		return err;
	err = option_attached_dir(&req, &cg, dir, sizeof(dir));
	if (!err) {
		doc = out_new_object();
		option_row(doc, cg.id, req.pin, dir, true);
		out_render(doc, stdout);
	}
	cgroup_close(&cg);
	return err;
}

static const struct cmd option_cmds[] = {
	{ "list", option_list },
	{ "add", option_add },
	{ "set", option_set },
	{ "del", option_del },
	{ "show", option_show },
	{ "flush", option_flush },
	{ "help", NULL },
};

int do_option(int argc, char **argv)
{
	return cmd_dispatch("command", option_cmds, ARRAY_SIZE(option_cmds), usage, argc, argv);
}
