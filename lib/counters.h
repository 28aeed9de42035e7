/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of tcpopt's attachments by name: each kind of attachment
 * keeps a PERCPU_ARRAY "stats" of __u64, indexed by its enum in
 * bpf/tcpopt.h, and has a set here: the names (JSON keys, columns, and
 * the metrics of "stats export") and what each counts (the metrics' HELP).
 * A counter added to an enum and to its set shows up in all of them.
 */
#ifndef TCPOPT_COUNTERS_H
#define TCPOPT_COUNTERS_H

#include <stdint.h>

struct onode;

struct counter_set {
	const char *kind;		/* the object: metrics tcpopt_<kind>_<name>_total */
	const char *const *names;	/* by index in "stats"; [a-z_] */
	const char *const *help;	/* by index: what it counts (NULL: not said) */
	unsigned int n;
};

/* The counters of options (enum tcpopt_stat), the default set. */
extern const char *const counter_names[];
extern const struct counter_set option_counters;
/* Those of a BPF path manager (enum tcpopt_pm_stat). */
extern const struct counter_set pm_counters;

/* Read the counters of set pinned in dir and add them to obj by name. */
int counters_add_set(struct onode *obj, const char *dir, const struct counter_set *set);
/* Each counter of set as null ("-" in a table): none to read. */
void counters_add_null(struct onode *obj, const struct counter_set *set);
/* Those of "tcpopt mptcp" (enum tcpopt_mptcp_stat). */
extern const struct counter_set mptcp_counters;

/* counters_add_set() of an option's counters. */
int counters_add(struct onode *obj, const char *dir);

#endif
