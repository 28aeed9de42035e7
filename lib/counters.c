// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "../bpf/tcpopt.h"
#include "bpffs.h"
#include "counters.h"
#include "output.h"
#include "utils.h"

static const struct counter_desc option_descs[] = {
	[TCPOPT_STAT_SENT] = { "sent", "Options written on a segment." },
	[TCPOPT_STAT_RECEIVED] = { "received", "Well-formed options parsed from the peer." },
	[TCPOPT_STAT_APPLIED] = { "applied", "Peer requests applied to the socket." },
	[TCPOPT_STAT_REFUSED] = { "refused", "Peer requests refused by local policy." },
	[TCPOPT_STAT_UNSUPPORTED] = { "unsupported",
		"Peer requests that the running kernel cannot honour." },
	[TCPOPT_STAT_MALFORMED] = { "malformed",
		"Options from the peer with a bad length or value (ignored)." },
	[TCPOPT_STAT_NO_ROOM] = { "no_room",
		"Segments sent without the option: the TCP option space was used up." },
	[TCPOPT_STAT_ERROR] = { "error", "Helper calls that failed unexpectedly." },
};

/* A counter added to the enum without a name here does not build. */
_Static_assert(ARRAY_SIZE(option_descs) == TCPOPT_STAT_MAX, "a counter of enum tcpopt_stat has no name");

const struct counter_set option_counters = { "option", option_descs, TCPOPT_STAT_MAX };

static const struct counter_desc pm_descs[] = {
	[TCPOPT_PM_STAT_CLAIMED] = { "claimed",
		"Connections taken over from the in-kernel path manager." },
	[TCPOPT_PM_STAT_REQUESTED] = { "requested", "Subflows requested from the kernel." },
	[TCPOPT_PM_STAT_FAILED] = { "failed", "Subflow requests the kernel refused." },
	[TCPOPT_PM_STAT_ESTABLISHED] = { "established", "Additional subflows established." },
	[TCPOPT_PM_STAT_ANNOUNCED] = { "announced", "Addresses the peers announced." },
};

_Static_assert(ARRAY_SIZE(pm_descs) == TCPOPT_PM_STAT_MAX, "a counter of enum tcpopt_pm_stat has no name");

const struct counter_set pm_counters = { "pm", pm_descs, TCPOPT_PM_STAT_MAX };

int counter_set_add(struct onode *obj, const char *dir, const struct counter_set *set)
{
	uint64_t sums[64];
	unsigned int i;
	int err;

	if (set->n > ARRAY_SIZE(sums))
		return -E2BIG;
	err = pin_stats_read(dir, sums, set->n);
	if (err)
		return err;
	for (i = 0; i < set->n; i++)
		out_uint(obj, set->counters[i].name, sums[i]);
	return 0;
}

void counter_set_add_null(struct onode *obj, const struct counter_set *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		out_null(obj, set->counters[i].name, "-");
}

int counters_add(struct onode *obj, const char *dir)
{
	return counter_set_add(obj, dir, &option_counters);
}
