// SPDX-License-Identifier: GPL-2.0
#include "../bpf/tcpopt.h"
#include "bpffs.h"
#include "counters.h"
#include "output.h"

const char *const counter_names[TCPOPT_STAT_MAX] = {
	[TCPOPT_STAT_SENT] = "sent",
	[TCPOPT_STAT_RECEIVED] = "received",
	[TCPOPT_STAT_APPLIED] = "applied",
	[TCPOPT_STAT_REFUSED] = "refused",
	[TCPOPT_STAT_UNSUPPORTED] = "unsupported",
	[TCPOPT_STAT_MALFORMED] = "malformed",
	[TCPOPT_STAT_NO_ROOM] = "no_room",
	[TCPOPT_STAT_ERROR] = "error",
};

int counters_add(struct onode *obj, const char *dir)
{
	uint64_t sums[TCPOPT_STAT_MAX];
	int err = pin_stats_read(dir, sums, TCPOPT_STAT_MAX);
	unsigned int i;

	if (err)
		return err;
	for (i = 0; i < TCPOPT_STAT_MAX; i++)
		out_uint(obj, counter_names[i], sums[i]);
	return 0;
}
