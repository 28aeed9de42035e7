/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters of tcpopt's attachments by name: each kind of attachment
 * keeps a PERCPU_ARRAY "stats" of __u64, indexed by its enum in
 * bpf/tcpopt.h.  What reads counters (stats, mptcp show, an exporter)
 * finds their names here from the attachment's pin name.
 */
#ifndef TCPOPT_COUNTERS_H
#define TCPOPT_COUNTERS_H

#include <stdint.h>

struct onode;

struct counter_set {
	const char *kind;		/* "option", "mptcp" */
	const char *const *names;	/* by index in "stats" */
	unsigned int n;
};

/* The counters of options (enum tcpopt_stat), the default set. */
extern const char *const counter_names[];
extern const struct counter_set option_counters;
/* Those of "tcpopt mptcp" (enum tcpopt_mptcp_stat). */
extern const struct counter_set mptcp_counters;

/* The set of the attachment pinned as name (PIN_MPTCP, an option's). */
const struct counter_set *counter_set_of(const char *name);

/* Read the counters of set pinned in dir and add them to obj by name. */
int counters_add_set(struct onode *obj, const char *dir, const struct counter_set *set);
/* The same for an option's counters. */
int counters_add(struct onode *obj, const char *dir);

#endif
