/* SPDX-License-Identifier: GPL-2.0 */
/* The mptcp object (mptcp.c), for save and stats export. */
#ifndef TCPOPT_MPTCP_OBJECT_H
#define TCPOPT_MPTCP_OBJECT_H

#include <stddef.h>

#include "../bpf/tcpopt.h"

/* The words of "mptcp" that give the attachment in dir back ("enable ..."). */
int mptcp_words(const char *dir, char *buf, size_t len);

struct onode;
/* The rows "mptcp show -j" prints, for every cgroup (stats export). */
int mptcp_collect(struct onode *rows);

#endif
