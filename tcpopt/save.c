// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt save: write the current state as a batch file that "tcpopt -b"
 * restores.  Nothing here knows an option by hand: each attachment is put
 * back into words by option_words() (its descriptor's format callback and
 * the common words), which also checks them by parsing them again.  The
 * restore is idempotent because "option add" of an identical attachment
 * is a no-op.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mptcp.h"
#include "option.h"
#include "pm.h"
#include "tcpopt.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/driver.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/state.h"
#include "../lib/utils.h"

#ifndef TCPOPT_VERSION
#define TCPOPT_VERSION "unknown"
#endif

#define LINE_MAX_LEN	2048

struct lines {
	char **v;
	size_t n, cap;
};

struct save_ctx {
	uint64_t only_cgid;		/* 0: every cgroup */
	struct lines pm;		/* in the order given */
	struct lines options;		/* sorted: a stable file diffs well */
	struct lines path_cgroups;	/* cgroups whose path settings are saved */
	struct onode *doc;		/* the -j summary */
	struct onode *commands;
	struct onode *skipped;		/* attachments that cannot come back */
};

enum { SAVE_KW_CGROUP };

static const struct keyword save_keywords[] = {
	{ "cgroup", true, SAVE_KW_CGROUP },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt save [ FILE ] [ cgroup PATH ]\n"
		"       tcpopt save help\n"
		"where  FILE := { PATH | - }\n");
}

static void lines_add(struct lines *l, const char *line)
{
	l->v = xgrow(l->v, l->n, &l->cap, sizeof(*l->v));
	l->v[l->n++] = xstrdup(line);
}

static void lines_free(struct lines *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One word as lib/batch.c reads it back: bare when it is plain, else in
 * double quotes with '"' and '\' escaped.  A line break cannot be
 * written in a line-based file.
 */
static int quote_word(const char *word, char *buf, size_t len)
{
	static const char plain[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.:@%+,=-";
	size_t o = 0;
	const char *p;

	if (strpbrk(word, "\n\r"))
		return -EINVAL;
	if (*word && strspn(word, plain) == strlen(word))
		return xsnprintf(buf, len, "%s", word);
	if (len < 3)
		return -ENAMETOOLONG;
	buf[o++] = '"';
	for (p = word; *p; p++) {
		if (o + 4 > len)
			return -ENAMETOOLONG;
		if (*p == '"' || *p == '\\')
			buf[o++] = '\\';
		buf[o++] = *p;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

static void note_skipped(struct save_ctx *ctx, uint64_t cgid, const char *name,
			 const char *why)
{
	struct onode *o = out_push_object(ctx->skipped);

	out_uint(o, "cgroup_id", cgid);
	out_str(o, "option", name);
	out_str(o, "reason", why);
	/* With -j the document's "skipped" says it, as data. */
	if (!out_is_json())
		err_warn("skipped %s on cgroup id %llu: %s",
			 name, (unsigned long long)cgid, why);
}

/*
 * The cgroup path of an attachment to save: 0, or 1 when it is not saved:
 * another cgroup's ("save cgroup PATH"), or its cgroup is gone (nothing to
 * attach it to at boot; said).
 */
static int save_path(struct save_ctx *ctx, uint64_t cgid, const char *name,
		     char *path, size_t len)
{
	if (ctx->only_cgid && cgid != ctx->only_cgid)
		return 1;
	if (cgroup_path_of(cgid, path, len)) {
		note_skipped(ctx, cgid, name, "the cgroup no longer exists");
		return 1;
	}
	return 0;
}

/* pin_walk callback: one attachment, one "option add" line. */
static int save_option(uint64_t cgid, const char *name, const char *dir, void *arg)
{
	union opt_config cfg;
	char path[PATH_MAX], qpath[PATH_MAX * 2 + 3], words[1024], line[LINE_MAX_LEN];
	struct save_ctx *ctx = arg;
	const struct opt_desc *d;
	int err;

	if (save_path(ctx, cgid, name, path, sizeof(path)))
		return 0;
	d = opt_desc_by_pin(name);
	if (!d)
		return err_run(-EPROTO, "cannot save %s on cgroup %s: not an option this tcpopt knows",
			       name, path);
	err = opt_config_read(d, dir, &cfg);
	if (err == -E2BIG)
		return err_run(-EPROTO, "cannot save %s on cgroup %s: config too large",
			       name, path);
	if (err)
		return err_run(err, "cannot save %s on cgroup %s: cannot read its config: %s",
			       name, path, pin_config_err_str(err));
	err = option_words(d, cfg.bytes, words, sizeof(words));
	if (err == -EOPNOTSUPP)
		return err_run(err, "cannot save %s on cgroup %s: the option has no way to write its values back (no format callback)",
			       name, path);
	if (err)
		return err_run(err, "cannot save %s on cgroup %s: %s", name, path,
			       err == -EPROTO ? "its words do not give its config back (a bug)" :
			       err_str(err));
	if (quote_word(path, qpath, sizeof(qpath)))
		return err_run(-EINVAL, "cannot save %s: cgroup path \"%s\" cannot be written in a batch file",
			       name, path);
	if (xsnprintf(line, sizeof(line), "option add %s cgroup %s", words, qpath))
		return err_run(-ENAMETOOLONG, "cannot save %s on cgroup %s: line too long",
			       name, path);
	lines_add(&ctx->options, line);
	return 0;
}

/*
 * pin_walk callback: a cgroup's path memory settings, one "path set" line
 * when they are not the defaults (once per cgroup: the first attachment
 * of each).  The memory itself is not saved: what a path did before a
 * reboot says little of what it does after, and its times are of the
 * boot they were taken in.
 */
static int save_path_settings(uint64_t cgid, const char *name, const char *dir, void *arg)
{
	char path[PATH_MAX], qpath[PATH_MAX * 2 + 3], words[256], line[LINE_MAX_LEN];
	struct save_ctx *ctx = arg;
	size_t i;
	int err;

	(void)name;
	(void)dir;
	if ((ctx->only_cgid && cgid != ctx->only_cgid) || cgroup_path_of(cgid, path, sizeof(path)))
		return 0;
	for (i = 0; i < ctx->path_cgroups.n; i++)
		if (!strcmp(ctx->path_cgroups.v[i], path))
			return 0;
	lines_add(&ctx->path_cgroups, path);
	err = path_config_words(cgid, words, sizeof(words));
	if (err)
		return err_run(err, "cannot save the path memory settings of cgroup %s: %s", path,
			       err_str(-err));
	if (!words[0])
		return 0;
	if (quote_word(path, qpath, sizeof(qpath)) ||
	    xsnprintf(line, sizeof(line), "path set %s cgroup %s", words, qpath))
		return err_run(-EINVAL, "cannot save the path memory settings of cgroup \"%s\": cannot be written in a batch file",
			       path);
	lines_add(&ctx->options, line);
	return 0;
}

/* A cgroup's attachment other than an option: one "COMMAND WORDS cgroup PATH" line. */
struct attachment_saver {
	const char *what;		/* in messages */
	const char *command;		/* "pm set", "mptcp" */
	int (*words)(const char *dir, char *buf, size_t len);
};

static int save_attachment(struct save_ctx *ctx, const struct attachment_saver *as,
			   uint64_t cgid, const char *name, const char *dir)
{
	char path[PATH_MAX], qpath[PATH_MAX * 2 + 3], words[512], line[LINE_MAX_LEN];
	int err;

	if (save_path(ctx, cgid, name, path, sizeof(path)))
		return 0;
	err = as->words(dir, words, sizeof(words));
	if (err)
		return err_run(err, "cannot save the %s of cgroup %s: %s", as->what, path,
			       pin_config_err_str(err));
	if (quote_word(path, qpath, sizeof(qpath)) ||
	    xsnprintf(line, sizeof(line), "%s %s cgroup %s", as->command, words, qpath))
		return err_run(-EINVAL, "cannot save the %s of cgroup \"%s\": cannot be written in a batch file",
			       as->what, path);
	lines_add(&ctx->options, line);
	return 0;
}

/* pin_walk_name callbacks: a cgroup's BPF path manager ("pm set" line),
 * its MPTCP upgrade ("mptcp enable" line). */
static int save_pm_bpf(uint64_t cgid, const char *name, const char *dir, void *arg)
{
	static const struct attachment_saver pm = { "path manager", "pm set", pm_bpf_words };

	return save_attachment(arg, &pm, cgid, name, dir);
}

static int save_mptcp(uint64_t cgid, const char *name, const char *dir, void *arg)
{
	static const struct attachment_saver mptcp = { "mptcp attachment", "mptcp", mptcp_words };

	return save_attachment(arg, &mptcp, cgid, name, dir);
}

/*
 * The MPTCP path manager of the network namespace ("tcpopt -n NS save"):
 * its type and, for the in-kernel one, its limits, one "pm set" line each
 * in replay order; both are idempotent under "tcpopt -b".  Endpoints are
 * not saved (see tcpopt-save(8)).  Without MPTCP there is nothing to say.
 */
static int save_pm(struct save_ctx *ctx)
{
	struct mptcp_limits lim;
	char type[32], line[128];
	struct genl g;
	int err;

	if (mptcp_pm_type_get(type, sizeof(type)))
		return 0;
	if (strcmp(type, "kernel") && strcmp(type, "userspace"))
		return err_run(-EOPNOTSUPP, "cannot save path manager \"%s\": only kernel and userspace can be restored",
			       type);
	snprintf(line, sizeof(line), "pm set %s", type);
	lines_add(&ctx->pm, line);
	if (strcmp(type, "kernel"))
		return 0;
	err = mptcp_pm_open(&g);
	if (err)
		return err;
	err = mptcp_limits_get(&g, &lim);
	genl_close(&g);
	if (err)
		return err;
	snprintf(line, sizeof(line), "pm set limits subflows %u add_addr_accepted %u",
		 lim.subflows, lim.add_addr_accepted);
	lines_add(&ctx->pm, line);
	return 0;
}

static void write_lines(FILE *f, const struct save_ctx *ctx)
{
	char stamp[64] = "", host[256] = "";
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (gmtime_r(&now, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "?");
	fprintf(f, "# tcpopt state, written by \"tcpopt save\" (tcpopt %s) on %s, %s.\n",
		TCPOPT_VERSION, host, stamp);
	fprintf(f, "# Restore with \"tcpopt -batch FILE\": a line already in place is a no-op,\n"
		   "# a line that conflicts with what is in place fails and is named.\n");
	for (i = 0; i < ctx->pm.n; i++)
		fprintf(f, "%s\n", ctx->pm.v[i]);
	for (i = 0; i < ctx->options.n; i++)
		fprintf(f, "%s\n", ctx->options.v[i]);
}

static void fill_lines(FILE *f, void *ctx)
{
	write_lines(f, ctx);
}

/* Replace file whole, or leave it as it was. */
static int write_file(const char *file, struct save_ctx *ctx)
{
	int err = file_replace(file, fill_lines, ctx);

	if (err == -ENAMETOOLONG)
		return err_usage("file name \"%s\" is too long", file);
	if (err)
		return err_run(err, "cannot write \"%s\": %s", file, err_str(err));
	return 0;
}

static void print_summary(struct save_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->pm.n; i++)
		out_push_str(ctx->commands, ctx->pm.v[i]);
	for (i = 0; i < ctx->options.n; i++)
		out_push_str(ctx->commands, ctx->options.v[i]);
	out_render(ctx->doc, stdout);
	ctx->doc = NULL;
}

int do_save(int argc, char **argv)
{
	struct save_ctx ctx = { 0 };
	struct cgroup_ref cg = { .fd = -1 };
	const char *file = NULL, *cgroup = NULL, *value;
	int err, lock, id;

	if (argc > 0 && !strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	/* FILE first, unless the first word is a keyword. */
	if (argc > 0 && word_lookup(argv[0], save_keywords, ARRAY_SIZE(save_keywords),
				    sizeof(save_keywords[0])) == -ENOENT) {
		file = argv[0];
		argc--;
		argv++;
	}
	while (argc > 0) {
		err = keyword_next(&argc, &argv, save_keywords, ARRAY_SIZE(save_keywords),
				   &id, &value);
		if (err)
			return err;
		cgroup = value;
	}
	if (file && (!*file || !strcmp(file, "-")))
		file = NULL;

	if (cgroup) {
		err = cgroup_open(cgroup, &cg);
		if (err)
			return err;
		ctx.only_cgid = cg.id;
		cgroup_close(&cg);
	}
	lock = state_lock();
	if (lock < 0)
		return lock;
	ctx.doc = out_new_object();
	if (file)
		out_str(ctx.doc, "file", file);
	ctx.commands = out_add_array(ctx.doc, "commands");
	ctx.skipped = out_add_array(ctx.doc, "skipped");
	/* "cgroup PATH" saves that cgroup's options only. */
	err = cgroup ? 0 : save_pm(&ctx);
	if (!err) {
		err = pin_walk(save_option, &ctx);
		if (!err)
			err = pin_walk(save_path_settings, &ctx);
		if (!err)
			err = pin_walk_name(PIN_PM, save_pm_bpf, &ctx);
		if (!err)
			err = pin_walk_name(PIN_MPTCP, save_mptcp, &ctx);
		if (err && !err_reported())
			err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err));
	}
	state_unlock(lock);
	if (!err) {
		if (ctx.options.n)	/* qsort() takes no NULL, even for nothing */
			qsort(ctx.options.v, ctx.options.n, sizeof(*ctx.options.v), cmp_line);
		if (file)
			err = write_file(file, &ctx);
		else if (!out_is_json())
			write_lines(stdout, &ctx);
		if (!err && out_is_json())
			print_summary(&ctx);
	}
	out_free(ctx.doc);
	lines_free(&ctx.pm);
	lines_free(&ctx.options);
	lines_free(&ctx.path_cgroups);
	return err;
}
