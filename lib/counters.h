/* SPDX-License-Identifier: GPL-2.0 */
/* The per-attachment counters (enum tcpopt_stat) by name. */
#ifndef TCPOPT_COUNTERS_H
#define TCPOPT_COUNTERS_H

#include <stdint.h>

struct onode;

extern const char *const counter_names[];

/* Read the counters pinned in dir and add them to obj. */
int counters_add(struct onode *obj, const char *dir);

#endif
