// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt stats export: the counters of every attachment in Prometheus' text
 * exposition format (0.0.4), for node_exporter's textfile collector
 * (systemd/tcpopt-metrics.timer).  It renders the very rows that
 * "tcpopt -j stats" (options) and "tcpopt -j pm show" (BPF path managers)
 * print, with the counters' names and descriptions of lib/counters.c, so
 * that the three cannot disagree.
 *
 * One metric per counter, tcpopt_<object>_<counter>_total, the attachment
 * in labels: summed over its labels a metric still means something
 * (options sent on this host), two counters summed do not (see
 * tcpopt-stats(8)).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mptcp.h"
#include "pm.h"
#include "stats.h"
#include "tcpopt.h"
#include "../lib/bpffs.h"
#include "../lib/counters.h"
#include "../lib/output.h"
#include "../lib/utils.h"

/* A key of the rows, and the label it becomes. */
struct export_label {
	const char *key;
	const char *label;
};

#define EXPORT_MAX_LABELS 6

/* A kind of attachment with counters, and where its rows come from. */
struct export_source {
	const struct counter_set *set;
	int (*collect)(struct onode *rows);
	const char *nested;	/* the counters are in this object of a row; NULL: in the row */
	struct export_label labels[EXPORT_MAX_LABELS];
};

/*
 * One line per kind of attachment: its counter set (lib/counters.c), the
 * function that gives the rows its object prints with -j, where in a row
 * the counters are, and the row's keys that name the attachment.  A
 * counter added to one of the sets needs nothing here.  The option's "instance" becomes
 * option_instance: "instance" is the label Prometheus gives every target
 * (a scrape would rename ours exported_instance).  cgroup_id tells apart
 * two deleted cgroups ("(deleted)" both) and a cgroup from a later one of
 * the same path, whose counters start again from zero.
 */
static const struct export_source sources[] = {
	{ &option_counters, stats_collect, NULL,
	  { { "cgroup", "cgroup" }, { "cgroup_id", "cgroup_id" }, { "option", "option" },
	    { "instance", "option_instance" } } },
	{ &pm_counters, pm_bpf_collect, "stats",
	  { { "cgroup", "cgroup" }, { "cgroup_id", "cgroup_id" },
	    { "path_manager", "path_manager" } } },
	{ &mptcp_counters, mptcp_collect, "stats",
	  { { "cgroup", "cgroup" }, { "cgroup_id", "cgroup_id" }, { "family", "family" } } },
};

struct export {
	struct onode *rows[ARRAY_SIZE(sources)];
	uint64_t attachments;
	uint64_t samples;
};

/*
 * The length of the well-formed UTF-8 sequence at s (n bytes left), 0 if
 * there is none: Prometheus takes UTF-8 only, and a cgroup's name may be
 * any bytes.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * s escaped as the format wants it: backslash and newline always, double
 * quotes in label values; a byte that is not UTF-8 as U+FFFD, which is how
 * jq shows the same string of "tcpopt -j stats".
 */
static void put_escaped(FILE *f, const char *str, bool label_value)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), len;

	while (n) {
		len = utf8_len(s, n);
		if (!len) {
			fputs("\xef\xbf\xbd", f);
			len = 1;
		} else if (*s == '\\') {
			fputs("\\\\", f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if (*s == '"' && label_value) {
			fputs("\\\"", f);
		} else {
			fwrite(s, 1, len, f);
		}
		s += len;
		n -= len;
	}
}

/* {cgroup="/web",...}: every label of the source, "" where a row has no
 * such key (as Prometheus reads a missing label). */
static void put_labels(FILE *f, const struct export_source *src, const struct onode *row)
{
	const struct export_label *l;
	char num[24];

	fputc('{', f);
	for (l = src->labels; l < src->labels + EXPORT_MAX_LABELS && l->key; l++) {
		const struct onode *v = out_get(row, l->key);
		const char *text = out_get_str(v);
		uint64_t u;

		if (!text && !out_get_uint(v, &u)) {
			snprintf(num, sizeof(num), "%" PRIu64, u);
			text = num;
		}
		fprintf(f, "%s%s=\"", l == src->labels ? "" : ",", l->label);
		put_escaped(f, text ? text : "", true);
		fputc('"', f);
	}
	fputc('}', f);
}

/* HELP, TYPE and a sample per row that has the counter (a user object
 * without counters of tcpopt's layout has none). */
static void put_family(FILE *f, const struct export_source *src, unsigned int c,
		       const struct onode *rows, struct export *ex)
{
	const struct counter_set *set = src->set;
	const char *counter = set->names[c];
	const struct onode *row;
	char name[128];
	uint64_t v;

	snprintf(name, sizeof(name), "tcpopt_%s_%s_total", set->kind, counter);
	fprintf(f, "# HELP %s ", name);
	if (set->help && set->help[c])
		put_escaped(f, set->help[c], false);
	else
		fprintf(f, "The counter %s of tcpopt %s.", counter, set->kind);
	fprintf(f, "\n# TYPE %s counter\n", name);
	for (row = out_first(rows); row; row = out_next(row)) {
		const struct onode *obj = src->nested ? out_get(row, src->nested) : row;

		if (out_get_uint(out_get(obj, counter), &v))
			continue;
		fputs(name, f);
		put_labels(f, src, row);
		fprintf(f, " %" PRIu64 "\n", v);
		ex->samples++;
	}
}

static void put_all(FILE *f, void *ctx)
{
	struct export *ex = ctx;
	unsigned int s, c;

	ex->samples = 1;
	fputs("# HELP tcpopt_build_info The tcpopt that wrote these metrics.\n"
	      "# TYPE tcpopt_build_info gauge\n", f);
	fprintf(f, "tcpopt_build_info{version=\"%s\"} 1\n", TCPOPT_VERSION);
	for (s = 0; s < ARRAY_SIZE(sources); s++)
		for (c = 0; c < sources[s].set->n; c++)
			put_family(f, &sources[s], c, ex->rows[s], ex);
}

int stats_export(int argc, char **argv)
{
	struct export ex = { 0 };
	const char *file = NULL;
	unsigned int s;
	int err = 0;

	if (argc > 1)
		return err_usage("unexpected argument \"%s\"", argv[1]);
	if (argc == 1 && !*argv[0])
		return err_usage("empty file name (\"-\" is stdout)");
	if (argc == 1 && strcmp(argv[0], "-"))
		file = argv[0];
	/* Everything is read before anything is written. */
	for (s = 0; s < ARRAY_SIZE(sources) && !err; s++) {
		ex.rows[s] = out_new_array();
		err = sources[s].collect(ex.rows[s]);
		ex.attachments += out_count(ex.rows[s]);
	}
	if (err) {
		err = err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err));
	} else if (!file) {
		put_all(stdout, &ex);
		if (fflush(stdout) || ferror(stdout))
			err = err_run(-EIO, "cannot write the metrics to stdout");
	} else {
		err = file_replace(file, put_all, &ex);
		if (err)
			err = err_run(err, "cannot write \"%s\": %s", file, err_str(err));
	}
	if (!err && file && out_is_json()) {
		struct onode *doc = out_new_object();

		out_str(doc, "file", file);
		out_uint(doc, "attachments", ex.attachments);
		out_uint(doc, "samples", ex.samples);
		out_render(doc, stdout);
	}
	for (s = 0; s < ARRAY_SIZE(sources); s++)
		out_free(ex.rows[s]);
	return err;
}
