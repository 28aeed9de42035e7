// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt stats: the per-attachment counters (sent, received, applied, ...),
 * summed over the CPUs from each attachment's pinned PERCPU_ARRAY "stats",
 * one row per attachment; "stats reset" zeroes them; "stats export" writes
 * the same rows for Prometheus (stats_export.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "option.h"
#include "stats.h"
#include "tcpopt.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/counters.h"
#include "../lib/output.h"
#include "../lib/state.h"

struct stats_filter {
	uint64_t cgid;			/* 0: every cgroup */
	const struct opt_desc *desc;	/* NULL: every option */
	char pin[96];			/* "": every instance of desc */
	struct onode *list;
	int matched;
	int err;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt stats [ show ] [ option NAME [ INSTANCE ] ] [ cgroup PATH ]\n"
		"       tcpopt stats reset [ option NAME [ INSTANCE ] ] [ cgroup PATH ]\n"
		"       tcpopt stats export [ FILE | - ]\n"
		"where  INSTANCE := { EXID (exp) | LABEL (object) }\n");
}

enum { SKW_OPTION, SKW_CGROUP };

static const struct keyword stats_keywords[] = {
	{ "option", true, SKW_OPTION },
	{ "cgroup", true, SKW_CGROUP },
};

/* "option NAME [ INSTANCE ]": NAME is an option's name; INSTANCE, for the
 * options attached several times, one of them (as in "option del"). */
static int parse_option_filter(const char *name, int *argc, char ***argv,
			       struct stats_filter *f)
{
	union opt_config cfg;
	char inst[64];
	size_t i;
	int err;

	for (i = 0; i < opt_ndescs; i++)
		if (!strcmp(opt_descs[i]->name, name))
			f->desc = opt_descs[i];
	if (!f->desc) {
		char choices[256];
		const char *names[16];

		for (i = 0; i < opt_ndescs && i < ARRAY_SIZE(names); i++)
			names[i] = opt_descs[i]->name;
		word_choices(names, i, sizeof(names[0]), choices, sizeof(choices));
		return err_usage("unknown option \"%s\" (choose from: %s)", name, choices);
	}
	if (!f->desc->parse_instance || *argc < 1 ||
	    word_lookup((*argv)[0], stats_keywords, ARRAY_SIZE(stats_keywords),
			sizeof(stats_keywords[0])) != -ENOENT)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	err = f->desc->parse_instance(cfg.bytes, (*argv)[0]);
	if (!err)
		err = f->desc->instance(cfg.bytes, inst, sizeof(inst));
	if (err)
		return err;
	snprintf(f->pin, sizeof(f->pin), "%s-%s", f->desc->name, inst);
	(*argc)--;
	(*argv)++;
	return 0;
}

static int parse_filter(int argc, char **argv, struct stats_filter *f)
{
	struct cgroup_ref cg;
	const char *value;
	int id, err;

	while (argc > 0) {
		err = keyword_next(&argc, &argv, stats_keywords,
				   ARRAY_SIZE(stats_keywords), &id, &value);
		if (err)
			return err;
		if (id == SKW_OPTION) {
			err = parse_option_filter(value, &argc, &argv, f);
			if (err)
				return err;
		} else {
			err = cgroup_open(value, &cg);
			if (err)
				return err;
			f->cgid = cg.id;
			cgroup_close(&cg);
		}
	}
	return 0;
}

static bool matches(const struct stats_filter *f, uint64_t cgid, const char *name)
{
	if (f->cgid && cgid != f->cgid)
		return false;
	if (f->pin[0])
		return !strcmp(name, f->pin);
	return !f->desc || opt_desc_by_pin(name) == f->desc;
}

/* The row's identity: cgroup, option and, for several, the instance. */
static struct onode *stats_row(struct onode *list, uint64_t cgid, const char *name)
{
	const struct opt_desc *d = opt_desc_by_pin(name);
	struct onode *row = out_push_object(list);

	out_cgroup_heading(row, cgid);
	out_str(row, "option", d ? d->name : name);
	if (d && d->instance)
		out_str(row, "instance", name + strlen(d->name) + 1);
	return row;
}

static int stats_show_pin(uint64_t cgid, const char *name, const char *dir, void *ctx)
{
	struct stats_filter *f = ctx;
	struct onode *row;

	if (!matches(f, cgid, name))
		return 0;
	f->matched++;
	row = stats_row(f->list, cgid, name);
	/* A user's program may keep no counters in our layout: "-". */
	if (counters_add(row, dir))
		counters_add_null(row, &option_counters);
	return 0;
}

int stats_collect(struct onode *rows)
{
	struct stats_filter f = { .list = rows };

	return pin_walk(stats_show_pin, &f);
}

static int reset_one(uint64_t cgid, const char *name, const char *dir, void *ctx)
{
	struct stats_filter *f = ctx;
	int err;

	if (!matches(f, cgid, name))
		return 0;
	f->matched++;
	err = pin_stats_reset(dir, TCPOPT_STAT_MAX);
	if (err == -ENOENT || err == -EPROTO)
		return 0;	/* no counters of ours to reset */
	if (err) {
		f->err = err_run(err, "cannot reset the counters of %s: %s", dir,
				 err_str(err));
		return 1;
	}
	stats_row(f->list, cgid, name);
	return 0;
}

static int stats_show(int argc, char **argv)
{
	struct stats_filter f = { 0 };
	int err;

	err = parse_filter(argc, argv, &f);
	if (err)
		return err;
	f.list = out_new_array();
	err = pin_walk(stats_show_pin, &f);
	if (err) {
		out_free(f.list);
		return err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err));
	}
	out_render(f.list, stdout);
	return 0;
}

static int stats_reset(int argc, char **argv)
{
	struct stats_filter f = { 0 };
	int err, lock;

	err = parse_filter(argc, argv, &f);
	if (err)
		return err;
	lock = state_lock();
	if (lock < 0)
		return lock;
	f.list = out_new_array();
	err = pin_walk(reset_one, &f);
	if (!err)
		err = f.err;
	if (!err && !f.matched && (f.cgid || f.desc))
		err = err_run(-ENOENT, "nothing attached matches");
	if (err) {
		out_free(f.list);
		if (!err_reported())
			err_run(err, "cannot walk %s: %s", PIN_ROOT, err_str(err));
	} else if (out_is_json()) {
		/* The attachments whose counters were zeroed. */
		out_render(f.list, stdout);
	} else {
		out_free(f.list);
	}
	state_unlock(lock);
	return err;
}

static const struct cmd stats_cmds[] = {
	{ "show", stats_show },
	{ "reset", stats_reset },
	{ "export", stats_export },
	{ "help", NULL },
};

int do_stats(int argc, char **argv)
{
	/* "tcpopt stats option uto": the filter words of the default command. */
	if (argc > 0 && word_lookup(argv[0], stats_keywords, ARRAY_SIZE(stats_keywords),
				    sizeof(stats_keywords[0])) >= 0)
		return stats_show(argc, argv);
	return cmd_dispatch("command", stats_cmds, ARRAY_SIZE(stats_cmds), usage, argc, argv);
}
