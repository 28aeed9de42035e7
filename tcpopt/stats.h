/* SPDX-License-Identifier: GPL-2.0 */
/* The stats object: stats.c (show, reset) and stats_export.c (export). */
#ifndef TCPOPT_STATS_H
#define TCPOPT_STATS_H

struct onode;

/* Every option attachment's row of "tcpopt -j stats", into rows; 0 or
 * -errno (bpffs unreadable). */
int stats_collect(struct onode *rows);

/* "stats export [ FILE | - ]" */
int stats_export(int argc, char **argv);

#endif
