// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../bpf/tcpopt.h"
#include "bpffs.h"
#include "counters.h"
#include "output.h"
#include "utils.h"

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

static const char *const mptcp_names[TCPOPT_MPTCP_STAT_MAX] = {
	[TCPOPT_MPTCP_STAT_UPGRADED] = "upgraded",
	[TCPOPT_MPTCP_STAT_NAMED_TCP] = "named_tcp",
	[TCPOPT_MPTCP_STAT_SKIPPED] = "skipped_family",
};

const struct counter_set option_counters = { "option", counter_names, TCPOPT_STAT_MAX };
const struct counter_set mptcp_counters = { PIN_MPTCP, mptcp_names, TCPOPT_MPTCP_STAT_MAX };

const struct counter_set *counter_set_of(const char *name)
{
	return strcmp(name, PIN_MPTCP) ? &option_counters : &mptcp_counters;
}

int counters_add_set(struct onode *obj, const char *dir, const struct counter_set *set)
{
	uint64_t sums[16];		/* the largest set */
	unsigned int i;
	int err;

	if (set->n > ARRAY_SIZE(sums))
		return -E2BIG;
	err = pin_stats_read(dir, sums, set->n);
	if (err)
		return err;
	for (i = 0; i < set->n; i++)
		out_uint(obj, set->names[i], sums[i]);
	return 0;
}

int counters_add(struct onode *obj, const char *dir)
{
	return counters_add_set(obj, dir, &option_counters);
}
