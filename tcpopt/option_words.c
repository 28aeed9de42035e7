// SPDX-License-Identifier: GPL-2.0
/*
 * The grammar of "tcpopt option": words to a config (parse_request() then
 * apply_words()) and a config back to words (option_words(), for save and
 * for messages).  The commands that use them are in option.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"
#include "../lib/batch.h"
#include "../lib/bpffs.h"
#include "../lib/driver.h"

enum {
	KW_CGROUP, KW_DPORT, KW_SPORT, KW_DST, KW_SRC,
	KW_SYN, KW_EVERY, KW_ACCEPT, KW_IGNORE, KW_REPLACE,
	KW_EXID, KW_KIND, KW_PATH,
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
	{ "path", true, KW_PATH },
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
int opt_config_read(const struct opt_desc *d, const char *dir, union opt_config *cfg)
{
	int err;

	if (d->config_size > sizeof(*cfg))
		return -E2BIG;
	err = option_config_read(dir, opt_config_pin(d), cfg->bytes, d->config_size);
	return err ? err : config_abi_check(cfg->bytes, d->config_size);
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
int request_pin(struct opt_request *req)
{
	const struct opt_desc *d = req->desc;
	size_t n = strlen(d->name);

	if (pin_name_of(d, req->cfg.bytes, req->pin, sizeof(req->pin)))
		return err_usage("%s: name too long", d->name);
	snprintf(req->what, sizeof(req->what), "%s%s%s", d->name,
		 req->pin[n] ? " " : "", req->pin[n] ? req->pin + n + 1 : "");
	return 0;
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
/* Syntax only: record the words; values are checked by apply_words(). */
int parse_request(int argc, char **argv, enum parse_mode mode,
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
	uint32_t v;

	if (parse_u32_range_hex(value, 1, 0xffff, &v))
		return err_usage("invalid exid \"%s\" (1 to 0xffff, decimal or 0x-prefixed hex)",
				 value);
	*exid = (__u16)v;
	return 0;
}
/* The path policy words, by TCPOPT_F_PATH_* bits (see tcpopt-option(8)). */
static const struct {
	const char *name;
	__u32 flags;
} path_policies[] = {
	{ "probe", 0 },
	{ "always", TCPOPT_F_PATH_ALWAYS },
	{ "off", TCPOPT_F_PATH_OFF },
};

#define PATH_FLAGS (TCPOPT_F_PATH_ALWAYS | TCPOPT_F_PATH_OFF)

const char *option_path_policy(const struct tcpopt_common *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(path_policies); i++)
		if ((c->flags & PATH_FLAGS) == path_policies[i].flags)
			return path_policies[i].name;
	return "probe";
}

static int parse_path_policy(const char *value, __u32 *flags)
{
	int i = word_lookup(value, path_policies, ARRAY_SIZE(path_policies),
			    sizeof(path_policies[0]));

	if (i < 0)
		return err_usage("invalid path \"%s\" (probe, always or off)", value);
	*flags = (*flags & ~PATH_FLAGS) | path_policies[i].flags;
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
int apply_words(struct opt_request *req)
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
		case KW_PATH: err = parse_path_policy(v, &c->flags); break;
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
	/* The kind and ExID of the echo (tcpopt-option(8), MIDDLEBOXES). */
	if (!err && !d->attach && c->exp_kind == TCPOPT_KIND_ECHO && c->exid == TCPOPT_EXID_ECHO)
		err = err_usage("%s: kind %u ExID 0x%04x is tcpopt's echo", d->name,
				TCPOPT_KIND_ECHO, TCPOPT_EXID_ECHO);
	return err;
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
	if (!err && (c->flags & PATH_FLAGS))
		err = append_word(buf, len, "path", option_path_policy(c));
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
/* "[ cgroup PATH ]" alone. */
int parse_cgroup_only(int argc, char **argv, const char **cgroup)
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
