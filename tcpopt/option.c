// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt option: attach, change, list and remove TCP header options.
 * The logic is written once here; option_kinds.c describes each option.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "option.h"
#include "tcpopt.h"
#include "../lib/attach.h"
#include "../lib/batch.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/counters.h"
#include "../lib/output.h"

enum {
	KW_CGROUP, KW_DPORT, KW_SPORT, KW_DST, KW_SRC,
	KW_SYN, KW_EVERY, KW_ACCEPT, KW_IGNORE, KW_REPLACE,
	KW_EXID, KW_KIND,
};

static const struct keyword common_keywords[] = {
	{ "cgroup", true, KW_CGROUP },
	{ "dport", true, KW_DPORT },
	{ "sport", true, KW_SPORT },
	{ "dst", true, KW_DST },
	{ "src", true, KW_SRC },
	{ "syn", false, KW_SYN },
	{ "every", false, KW_EVERY },
	{ "accept", false, KW_ACCEPT },
	{ "ignore", false, KW_IGNORE },
	{ "replace", false, KW_REPLACE },
};

static const struct keyword cgroup_keyword[] = {
	{ "cgroup", true, KW_CGROUP },
};

/* Options of an RFC 6994 family (a descriptor with a default ExID: cc,
 * iw, delack) also take the kind and the ExID that tell them apart. */
static const struct keyword family_keywords[] = {
	{ "exid", true, KW_EXID },
	{ "kind", true, KW_KIND },
};

/* Config buffers: every config starts with struct tcpopt_common. */
#define CONFIG_MAX 256

struct opt_request {
	const struct opt_desc *desc;
	const char *cgroup;
	const char *instance;	/* the word naming one of several (see option.h) */
	char pin[64];		/* the attachment's directory name */
	char what[80];		/* and its name in messages: "exp 0x4e2a" */
	bool replace;
	const char *positional;
	int nwords;
	struct { int id; const char *value; } words[64];
	union {
		struct tcpopt_common common;
		unsigned char bytes[CONFIG_MAX];
	} cfg;
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: tcpopt option add NAME [ VALUE ] [ OPTS ] [ FILTER ] [ WHERE ] [ PEER ] [ cgroup PATH ] [ replace ]\n"
		"       tcpopt option set NAME [ INSTANCE ] [ VALUE ] [ OPTS ] [ FILTER ] [ WHERE ] [ PEER ] [ cgroup PATH ]\n"
		"       tcpopt option del NAME [ INSTANCE ] [ cgroup PATH ]\n"
		"       tcpopt option show NAME [ INSTANCE ] [ cgroup PATH ]\n"
		"       tcpopt option list [ cgroup PATH ]\n"
		"       tcpopt option flush [ cgroup PATH | deleted ]\n"
		"where  FILTER := [ dport PORT ] [ sport PORT ] [ dst PREFIX ] [ src PREFIX ]\n"
		"       WHERE := { syn | every }\n"
		"       PEER := { accept | ignore }\n"
		"       INSTANCE := { EXID (exp) | LABEL (object) }\n"
		"       NAME [ VALUE ] [ OPTS ] := {\n");
	for (i = 0; i < opt_ndescs; i++)
		fprintf(f, "           %s %s%s\n", opt_descs[i]->name, opt_descs[i]->usage,
			i + 1 < opt_ndescs ? " |" : " }");
}

static const struct opt_desc *find_desc(const char *word)
{
	const char *names[16];
	size_t i;
	int idx;

	for (i = 0; i < opt_ndescs && i < ARRAY_SIZE(names); i++)
		names[i] = opt_descs[i]->name;
	idx = word_lookup(word, names, i, sizeof(names[0]));
	if (idx < 0) {
		char choices[256];

		word_choices(names, i, sizeof(names[0]), choices, sizeof(choices));
		err_usage("%s option \"%s\" (choose from: %s)",
			  idx == -EEXIST ? "ambiguous" : "unknown", word, choices);
		return NULL;
	}
	return opt_descs[idx];
}

const struct opt_desc *opt_desc_by_pin(const char *pin_name)
{
	size_t i, len;

	for (i = 0; i < opt_ndescs; i++) {
		len = strlen(opt_descs[i]->name);
		if (!strncmp(pin_name, opt_descs[i]->name, len) &&
		    (pin_name[len] == '\0' ||
		     (pin_name[len] == '-' && opt_descs[i]->instance)))
			return opt_descs[i];
	}
	return NULL;
}

const char *opt_config_pin(const struct opt_desc *d)
{
	return d->config_pin ? d->config_pin : "config";
}

/* The attachment's directory name: NAME, or NAME-INSTANCE. */
static int pin_name_of(const struct opt_desc *d, const void *cfg, char *buf, size_t len)
{
	char inst[64];
	int err;

	if (!d->instance)
		return xsnprintf(buf, len, "%s", d->name);
	err = d->instance(cfg, inst, sizeof(inst));
	return err ? err : xsnprintf(buf, len, "%s-%s", d->name, inst);
}

static int request_pin(struct opt_request *req)
{
	const struct opt_desc *d = req->desc;
	size_t n = strlen(d->name);

	if (pin_name_of(d, req->cfg.bytes, req->pin, sizeof(req->pin)))
		return err_usage("%s: name too long", d->name);
	snprintf(req->what, sizeof(req->what), "%s%s%s", d->name,
		 req->pin[n] ? " " : "", req->pin[n] ? req->pin + n + 1 : "");
	return 0;
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

/* Common keywords, then the option's own.  A program that is not ours
 * (desc->attach) takes only cgroup and replace. */
static size_t merged_keywords(const struct opt_desc *d, struct keyword *kw, size_t cap)
{
	size_t n = 0, i;

	for (i = 0; i < ARRAY_SIZE(common_keywords) && n < cap; i++)
		if (!d->attach || common_keywords[i].id == KW_CGROUP ||
		    common_keywords[i].id == KW_REPLACE)
			kw[n++] = common_keywords[i];
	for (i = 0; d->exid && i < ARRAY_SIZE(family_keywords) && n < cap; i++)
		kw[n++] = family_keywords[i];
	for (i = 0; i < d->nkeywords && n < cap; i++)
		kw[n++] = d->keywords[i];
	return n;
}

enum parse_mode { PARSE_ADD, PARSE_SET, PARSE_NAME_ONLY };

/* Syntax only: record the words; values are checked by apply_words(). */
static int parse_request(int argc, char **argv, enum parse_mode mode,
			 struct opt_request *req)
{
	struct keyword kw[48];
	size_t nkw;
	int err;

	memset(req, 0, sizeof(*req));
	if (argc < 1)
		return err_usage("missing option name (see \"tcpopt option help\")");
	req->desc = find_desc(argv[0]);
	if (!req->desc)
		return -EUSAGE;
	argc--;
	argv++;
	if (mode == PARSE_NAME_ONLY) {
		memcpy(kw, cgroup_keyword, sizeof(cgroup_keyword));
		nkw = ARRAY_SIZE(cgroup_keyword);
	} else {
		nkw = merged_keywords(req->desc, kw, ARRAY_SIZE(kw));
	}
	/* Which of several: the word after NAME (see option.h). */
	if (req->desc->parse_instance &&
	    (mode != PARSE_ADD || req->desc->instance_leads)) {
		if (argc < 1 || word_lookup(argv[0], kw, nkw, sizeof(kw[0])) != -ENOENT)
			return err_usage("%s: missing %s", req->desc->name,
					 req->desc->instance_name);
		req->instance = argv[0];
		err = req->desc->parse_instance(req->cfg.bytes, argv[0]);
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (mode != PARSE_NAME_ONLY) {
		/* The value comes first and is not a keyword. */
		if (req->desc->positional && argc > 0 &&
		    word_lookup(argv[0], kw, nkw, sizeof(kw[0])) == -ENOENT) {
			req->positional = argv[0];
			argc--;
			argv++;
		}
		if (mode == PARSE_ADD && req->desc->positional_required && !req->positional)
			return err_usage("%s: missing %s", req->desc->name,
					 req->desc->positional);
	}
	while (argc > 0) {
		int id;
		const char *value;

		err = keyword_next(&argc, &argv, kw, nkw, &id, &value);
		if (err)
			return err;
		if (id == KW_CGROUP) {
			req->cgroup = value;
		} else if (id == KW_REPLACE) {
			if (mode != PARSE_ADD)
				return err_usage("\"replace\" goes with \"add\" only");
			req->replace = true;
		} else {
			if (req->nwords == (int)ARRAY_SIZE(req->words))
				return err_usage("too many arguments");
			req->words[req->nwords].id = id;
			req->words[req->nwords++].value = value;
		}
	}
	return 0;
}

static int parse_filter_port(const char *value, const char *what, __u16 *port)
{
	uint16_t p;

	if (!strcmp(value, "any")) {
		*port = 0;
		return 0;
	}
	if (parse_port(value, &p))
		return err_usage("invalid %s \"%s\" (1 to 65535, or any)", what, value);
	*port = p;
	return 0;
}

static int parse_filter_prefix(const char *value, const char *what,
			       struct tcpopt_prefix *out)
{
	struct prefix p;

	memset(out, 0, sizeof(*out));
	if (!strcmp(value, "any"))
		return 0;
	if (parse_prefix(value, &p))
		return err_usage("invalid %s \"%s\" (an IPv4 or IPv6 address or prefix, or any)",
				 what, value);
	out->family = p.family;
	out->len = p.len;
	memcpy(out->addr, p.addr, sizeof(out->addr));
	return 0;
}

/* An ExID: 1 to 65535, decimal or 0x-prefixed hex. */
static int parse_family_exid(const char *value, __u16 *exid)
{
	const char *p;
	uint32_t v = 0;

	if (!strncmp(value, "0x", 2) || !strncmp(value, "0X", 2)) {
		p = value + 2;
		if (!*p || strlen(p) > 4 || strspn(p, "0123456789abcdefABCDEF") != strlen(p))
			v = 0;
		else
			v = (uint32_t)strtoul(p, NULL, 16);
	} else if (parse_u32_range(value, 1, 0xffff, &v)) {
		v = 0;
	}
	if (!v)
		return err_usage("invalid exid \"%s\" (1 to 0xffff, decimal or 0x-prefixed hex)",
				 value);
	*exid = (__u16)v;
	return 0;
}

static int parse_family_kind(const char *value, __u8 *kind)
{
	uint32_t v;

	if (parse_u32_range(value, TCPOPT_KIND_EXP1, TCPOPT_KIND_EXP2, &v))
		return err_usage("invalid kind \"%s\" (253 or 254, the RFC 6994 experimental kinds)",
				 value);
	*kind = (__u8)v;
	return 0;
}

/* Apply the recorded words over req->cfg (defaults or the current values). */
static int apply_words(struct opt_request *req)
{
	struct tcpopt_common *c = &req->cfg.common;
	const struct opt_desc *d = req->desc;
	int i, err = 0;

	if (req->positional) {
		err = d->parse_positional(req->cfg.bytes, req->positional);
		if (err)
			return err;
	}
	for (i = 0; i < req->nwords && !err; i++) {
		const char *v = req->words[i].value;

		switch (req->words[i].id) {
		case KW_DPORT: err = parse_filter_port(v, "dport", &c->remote_port); break;
		case KW_SPORT: err = parse_filter_port(v, "sport", &c->local_port); break;
		case KW_DST: err = parse_filter_prefix(v, "dst", &c->remote); break;
		case KW_SRC: err = parse_filter_prefix(v, "src", &c->local); break;
		case KW_SYN: c->flags &= ~TCPOPT_F_EVERY; break;
		case KW_EVERY: c->flags |= TCPOPT_F_EVERY; break;
		case KW_ACCEPT: c->flags &= ~TCPOPT_F_IGNORE; break;
		case KW_IGNORE: c->flags |= TCPOPT_F_IGNORE; break;
		case KW_EXID: err = parse_family_exid(v, &c->exid); break;
		case KW_KIND: err = parse_family_kind(v, &c->exp_kind); break;
		default:
			err = d->parse_keyword(req->cfg.bytes, req->words[i].id, v);
		}
	}
	/* An RFC 6994 family's defaults: its kind and its own ExID. */
	if (!err && d->exid) {
		if (!c->exp_kind)
			c->exp_kind = (__u8)d->kind;
		if (!c->exid)
			c->exid = (__u16)d->exid;
	}
	if (!err && d->finish)
		err = d->finish(req->cfg.bytes);
	return err;
}

static struct onode *describe_filter(struct onode *parent, const struct tcpopt_common *c)
{
	struct onode *f = out_add_object(parent, "filter");
	char buf[64];
	struct prefix p;

	if (c->remote_port)
		out_uint(f, "dport", c->remote_port);
	if (c->local_port)
		out_uint(f, "sport", c->local_port);
	if (c->remote.family) {
		p.family = c->remote.family;
		p.len = c->remote.len;
		memcpy(p.addr, c->remote.addr, sizeof(p.addr));
		format_prefix(&p, buf, sizeof(buf));
		out_str(f, "dst", buf);
	}
	if (c->local.family) {
		p.family = c->local.family;
		p.len = c->local.len;
		memcpy(p.addr, c->local.addr, sizeof(p.addr));
		format_prefix(&p, buf, sizeof(buf));
		out_str(f, "src", buf);
	}
	return f;
}

/* One attachment as a row (list) or a document (show, add -j). */
static void describe(struct onode *row, uint64_t cgid, const char *name,
		     const char *dir, bool with_stats)
{
	const struct opt_desc *d;
	union { struct tcpopt_common common; unsigned char bytes[CONFIG_MAX]; } cfg;
	struct pin_link_info link;
	char path[PATH_MAX];
	bool have_cfg = false, cgroup_gone;

	cgroup_gone = cgroup_path_of(cgid, path, sizeof(path)) != 0;
	if (cgroup_gone)
		snprintf(path, sizeof(path), "(deleted)");
	out_str(row, "cgroup", path);
	out_uint_json(row, "cgroup_id", cgid);
	d = describe_name(row, name);
	if (d) {
		have_cfg = !pin_map_read(dir, opt_config_pin(d), cfg.bytes, d->config_size) &&
			   cfg.common.abi == TCPOPT_ABI;
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
			describe_filter(row, &cfg.common);
		}
	} else {
		out_null(row, "params", "(unreadable config)");
	}
	if (pin_link_info(dir, &link)) {
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

static int append_word(char *buf, size_t len, const char *key, const char *value)
{
	size_t used = strlen(buf);

	return xsnprintf(buf + used, len - used, "%s%s%s%s", used ? " " : "", key,
			 value ? " " : "", value ? value : "");
}

static void prefix_word(const struct tcpopt_prefix *tp, char *buf, size_t len)
{
	struct prefix p = { .family = tp->family, .len = tp->len };

	memcpy(p.addr, tp->addr, sizeof(p.addr));
	format_prefix(&p, buf, len);
}

/* The inverse of parse_request() + apply_words(); see option.h. */
int option_words(const struct opt_desc *d, const void *cfg, char *buf, size_t len)
{
	const struct tcpopt_common *c = cfg;
	char own[256], word[64], scratch[512], *argv[64];
	struct opt_request *check;
	int argc, err;

	if (!d->format)
		return -EOPNOTSUPP;
	err = d->format(cfg, own, sizeof(own));
	if (err)
		return err;
	buf[0] = '\0';
	err = append_word(buf, len, d->name, own[0] ? own : NULL);
	if (!err && c->remote_port) {
		snprintf(word, sizeof(word), "%u", c->remote_port);
		err = append_word(buf, len, "dport", word);
	}
	if (!err && c->local_port) {
		snprintf(word, sizeof(word), "%u", c->local_port);
		err = append_word(buf, len, "sport", word);
	}
	if (!err && c->remote.family) {
		prefix_word(&c->remote, word, sizeof(word));
		err = append_word(buf, len, "dst", word);
	}
	if (!err && c->local.family) {
		prefix_word(&c->local, word, sizeof(word));
		err = append_word(buf, len, "src", word);
	}
	if (!err && (c->flags & TCPOPT_F_EVERY))
		err = append_word(buf, len, "every", NULL);
	if (!err && (c->flags & TCPOPT_F_IGNORE))
		err = append_word(buf, len, "ignore", NULL);
	if (!err && d->exid && c->exp_kind != d->kind) {
		snprintf(word, sizeof(word), "%u", c->exp_kind);
		err = append_word(buf, len, "kind", word);
	}
	if (!err && d->exid && c->exid != d->exid) {
		snprintf(word, sizeof(word), "0x%04x", c->exid);
		err = append_word(buf, len, "exid", word);
	}
	if (err || xsnprintf(scratch, sizeof(scratch), "%s", buf))
		return -ENAMETOOLONG;

	/* A line that would restore something else is worse than none. */
	check = xzalloc(sizeof(*check));
	argc = batch_split(scratch, argv, ARRAY_SIZE(argv) - 1);
	if (argc <= 0 || parse_request(argc, argv, PARSE_ADD, check) || check->desc != d) {
		err = -EPROTO;
	} else {
		check->cfg.common.abi = TCPOPT_ABI;
		if (apply_words(check) || memcmp(check->cfg.bytes, cfg, d->config_size))
			err = -EPROTO;
	}
	free(check);
	return err;
}

/*
 * "add" of what is already attached: the same values make it a no-op (a
 * saved state restores over itself); other values are a conflict.
 */
static int check_attached(const struct opt_request *req, const struct cgroup_ref *cg,
			  bool *same)
{
	union { struct tcpopt_common common; unsigned char bytes[CONFIG_MAX]; } cur;
	const struct opt_desc *d = req->desc;
	char dir[PATH_MAX], have[256], want[256];
	struct pin_link_info link;

	*same = false;
	pin_dir(dir, sizeof(dir), cg->id, req->pin);
	if (!pin_dir_exists(dir))
		return 0;
	if (pin_map_read(dir, opt_config_pin(d), cur.bytes, d->config_size) ||
	    cur.common.abi != TCPOPT_ABI)
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
	if (pin_link_info(dir, &link) || link.cgroup_id != cg->id)
		return err_run(-ENOLINK, "%s on cgroup %s is pinned but no longer attached (del it and add it again)",
			       req->what, cg->path);
	*same = true;
	return 0;
}

static int open_and_lock(const char *cgroup, struct cgroup_ref *cg, int *lock)
{
	int err = cgroup_open(cgroup, cg);

	if (err)
		return err;
	*lock = state_lock();
	if (*lock < 0) {
		cgroup_close(cg);
		return *lock;
	}
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
	describe(doc, cg->id, name, dir, false);
	out_render(doc, stdout);
}

static int option_add(int argc, char **argv)
{
	struct opt_request req;
	struct cgroup_ref cg;
	struct bpf_object *obj;
	struct attach_spec spec;
	const void *elf;
	size_t elf_size;
	bool same;
	int err, lock;

	err = parse_request(argc, argv, PARSE_ADD, &req);
	if (err)
		return err;
	req.cfg.common.abi = TCPOPT_ABI;
	err = apply_words(&req);
	if (!err)
		err = request_pin(&req);
	if (err)
		return err;
	err = open_and_lock(req.cgroup, &cg, &lock);
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
	if (req.desc->attach) {
		err = req.desc->attach(&cg, req.pin, req.cfg.bytes, req.replace);
		if (!err)
			print_attachment(&cg, req.pin);
		goto out;
	}
	elf = req.desc->elf(&elf_size);
	obj = bpf_object__open_mem(elf, elf_size, NULL);
	if (!obj) {
		err = err_run(-errno, "cannot open the %s program: %s", req.desc->name,
			      strerror(errno));
		goto out;
	}
	spec = (struct attach_spec){
		.name = req.pin,
		.obj = obj,
		.config = req.cfg.bytes,
		.config_size = req.desc->config_size,
		.replace = req.replace,
	};
	err = attach_pinned(&cg, &spec);
	bpf_object__close(obj);
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
	err = request_pin(&req);
	if (err)
		return err;
	err = open_and_lock(req.cgroup, &cg, &lock);
	if (err)
		return err;
	pin_dir(dir, sizeof(dir), cg.id, req.pin);
	if (!pin_dir_exists(dir)) {
		err = err_run(-ENOENT, "%s is not attached to cgroup %s", req.what, cg.path);
		goto out;
	}
	err = pin_map_read(dir, opt_config_pin(req.desc), req.cfg.bytes, req.desc->config_size);
	if (err || req.cfg.common.abi != TCPOPT_ABI) {
		err = err_run(err ? err : -EPROTO,
			      "cannot read the config of %s: %s (re-add it with \"replace\")",
			      dir, err ? strerror(-err) : "pinned by another tcpopt version");
		goto out;
	}
	err = apply_words(&req);
	if (err)
		goto out;
	err = pin_map_write(dir, opt_config_pin(req.desc), req.cfg.bytes, req.desc->config_size);
	if (err)
		err = err_run(err, "cannot write the config of %s: %s", dir, strerror(-err));
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
	char path[PATH_MAX];

	if (cgroup_path_of(cgid, path, sizeof(path)))
		snprintf(path, sizeof(path), "(deleted)");
	out_str(o, "cgroup", path);
	out_uint_json(o, "cgroup_id", cgid);
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
		err = request_pin(&req);
	if (err)
		return err;
	err = open_and_lock(req.cgroup, &cg, &lock);
	if (err)
		return err;
	pin_dir(dir, sizeof(dir), cg.id, req.pin);
	if (!pin_dir_exists(dir)) {
		err = err_run(-ENOENT, "%s is not attached to cgroup %s", req.what, cg.path);
	} else {
		list = out_new_array();
		note_removed(list, cg.id, req.pin);
		err = pin_dir_remove(dir);
		if (err) {
			out_free(list);
			err = err_run(err, "cannot remove %s: %s", dir, strerror(-err));
		} else {
			print_removed(list);
		}
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
	err = pin_dir_remove(dir);
	if (err && !r->err)
		r->err = err_run(err, "cannot remove %s: %s", dir, strerror(-err));
	return 0;
}

/* "[ cgroup PATH ]" alone. */
static int parse_cgroup_only(int argc, char **argv, const char **cgroup)
{
	int id, err;
	const char *value;

	*cgroup = NULL;
	while (argc > 0) {
		err = keyword_next(&argc, &argv, cgroup_keyword,
				   ARRAY_SIZE(cgroup_keyword), &id, &value);
		if (err)
			return err;
		*cgroup = value;
	}
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
		err = open_and_lock(cgroup, &cg, &lock);
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
			err_run(err, "cannot walk %s: %s", PIN_ROOT, strerror(-err));
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
		describe(out_push_object(l->list), cgid, name, dir, show_stats);
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
		return err_run(err, "cannot read %s: %s", PIN_ROOT, strerror(-err));
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
	pin_dir(dir, sizeof(dir), cg.id, req.pin);
	if (!pin_dir_exists(dir)) {
		err = err_run(-ENOENT, "%s is not attached to cgroup %s", req.what, cg.path);
	} else {
		doc = out_new_object();
		describe(doc, cg.id, req.pin, dir, true);
		out_render(doc, stdout);
	}
	cgroup_close(&cg);
	return err;
}

static int option_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct cmd option_cmds[] = {
	{ "list", option_list },
	{ "add", option_add },
	{ "set", option_set },
	{ "del", option_del },
	{ "show", option_show },
	{ "flush", option_flush },
	{ "help", option_help },
};

int do_option(int argc, char **argv)
{
	return cmd_dispatch("command", option_cmds, ARRAY_SIZE(option_cmds), argc, argv);
}
