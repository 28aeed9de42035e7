/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of tcpopt's attachments, by name: one table per kind of
 * attachment, in the order of its pinned "stats" map (a PERCPU_ARRAY of
 * __u64 indexed by an enum of bpf/tcpopt.h).  "tcpopt stats", "pm show",
 * "option list -s" and "stats export" (Prometheus) all take names and
 * descriptions from here: a counter added to an enum and to its table
 * here shows up in all of them, as a JSON key, a column and a metric.
 */
#ifndef TCPOPT_COUNTERS_H
#define TCPOPT_COUNTERS_H

#include <stdint.h>

struct onode;

struct counter_desc {
	const char *name;	/* JSON key, column; [a-z_]: part of a metric name */
	const char *help;	/* what it counts: the metric's HELP */
};

struct counter_set {
	const char *object;	/* the tcpopt object: metrics tcpopt_<object>_<name>_total */
	const struct counter_desc *counters;
	unsigned int n;
};

/* An option attachment's counters (enum tcpopt_stat). */
extern const struct counter_set option_counters;
/* A BPF path manager's counters (enum tcpopt_pm_stat). */
extern const struct counter_set pm_counters;

/* Read the counters of set pinned in dir and add them to obj. */
int counter_set_add(struct onode *obj, const char *dir, const struct counter_set *set);
/* Each counter of set as null ("-" in a table): no counters to read. */
void counter_set_add_null(struct onode *obj, const struct counter_set *set);

/* counter_set_add() of option_counters. */
int counters_add(struct onode *obj, const char *dir);

#endif
