// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "../bpf/tcpopt.h"
#include "bpffs.h"
#include "counters.h"
#include "output.h"
#include "utils.h"

const char *const counter_names[] = {
	[TCPOPT_STAT_SENT] = "sent",
	[TCPOPT_STAT_RECEIVED] = "received",
	[TCPOPT_STAT_APPLIED] = "applied",
	[TCPOPT_STAT_REFUSED] = "refused",
	[TCPOPT_STAT_UNSUPPORTED] = "unsupported",
	[TCPOPT_STAT_MALFORMED] = "malformed",
	[TCPOPT_STAT_NO_ROOM] = "no_room",
	[TCPOPT_STAT_ERROR] = "error",
	[TCPOPT_STAT_STRIPPED] = "stripped",
	[TCPOPT_STAT_UNANSWERED] = "unanswered",
	[TCPOPT_STAT_BLACKHOLED] = "blackholed",
	[TCPOPT_STAT_FALLBACK] = "fallback",
};

static const char *const counter_help[] = {
	[TCPOPT_STAT_SENT] = "Options written on a segment.",
	[TCPOPT_STAT_RECEIVED] = "Well-formed options parsed from the peer.",
	[TCPOPT_STAT_APPLIED] = "Peer requests applied to the socket.",
	[TCPOPT_STAT_REFUSED] = "Peer requests refused by local policy.",
	[TCPOPT_STAT_UNSUPPORTED] = "Peer requests that the running kernel cannot honour.",
	[TCPOPT_STAT_MALFORMED] = "Options from the peer with a bad length or value (ignored).",
	[TCPOPT_STAT_NO_ROOM] = "Segments sent without the option: the TCP option space was used up.",
	[TCPOPT_STAT_ERROR] = "Helper calls that failed unexpectedly.",
	[TCPOPT_STAT_STRIPPED] = "Sent on the handshake, missing from the peer's echo: stripped on the path.",
	[TCPOPT_STAT_UNANSWERED] = "Sent on the handshake to a peer that sent no echo (no tcpopt there).",
	[TCPOPT_STAT_BLACKHOLED] = "Connections made only once a SYN was sent again without the option.",
	[TCPOPT_STAT_FALLBACK] = "SYNs the option was left off: a retransmitted SYN, or a blackhole destination.",
};

/* A counter added to the enum without a name here does not build. */
_Static_assert(ARRAY_SIZE(counter_names) == TCPOPT_STAT_MAX &&
	       ARRAY_SIZE(counter_help) == TCPOPT_STAT_MAX,
	       "a counter of enum tcpopt_stat has no name or no help");

const struct counter_set option_counters = {
	.kind = "option", .names = counter_names, .help = counter_help,
	.n = TCPOPT_STAT_MAX,
};

static const char *const pm_names[] = {
	[TCPOPT_PM_STAT_CLAIMED] = "claimed",
	[TCPOPT_PM_STAT_REQUESTED] = "requested",
	[TCPOPT_PM_STAT_FAILED] = "failed",
	[TCPOPT_PM_STAT_ESTABLISHED] = "established",
	[TCPOPT_PM_STAT_ANNOUNCED] = "announced",
	[TCPOPT_PM_STAT_CLOSED] = "closed",
};

static const char *const pm_help[] = {
	[TCPOPT_PM_STAT_CLAIMED] = "Connections taken over from the in-kernel path manager.",
	[TCPOPT_PM_STAT_REQUESTED] = "Subflows requested from the kernel.",
	[TCPOPT_PM_STAT_FAILED] = "Subflow requests the kernel refused.",
	[TCPOPT_PM_STAT_ESTABLISHED] = "Additional subflows established.",
	[TCPOPT_PM_STAT_ANNOUNCED] = "Addresses the peers announced.",
	[TCPOPT_PM_STAT_CLOSED] = "Subflow close requests queued.",
};

_Static_assert(ARRAY_SIZE(pm_names) == TCPOPT_PM_STAT_MAX &&
	       ARRAY_SIZE(pm_help) == TCPOPT_PM_STAT_MAX,
	       "a counter of enum tcpopt_pm_stat has no name or no help");

const struct counter_set pm_counters = {
	.kind = "pm", .names = pm_names, .help = pm_help, .n = TCPOPT_PM_STAT_MAX,
};

static const char *const mptcp_names[] = {
	[TCPOPT_MPTCP_STAT_UPGRADED] = "upgraded",
	[TCPOPT_MPTCP_STAT_NAMED_TCP] = "named_tcp",
	[TCPOPT_MPTCP_STAT_SKIPPED] = "skipped_family",
};

static const char *const mptcp_help[] = {
	[TCPOPT_MPTCP_STAT_UPGRADED] = "TCP sockets created as MPTCP sockets instead.",
	[TCPOPT_MPTCP_STAT_NAMED_TCP] = "Of those, sockets that asked for IPPROTO_TCP by name.",
	[TCPOPT_MPTCP_STAT_SKIPPED] = "TCP sockets left as they were: a family the filter leaves out.",
};

_Static_assert(ARRAY_SIZE(mptcp_names) == TCPOPT_MPTCP_STAT_MAX &&
	       ARRAY_SIZE(mptcp_help) == TCPOPT_MPTCP_STAT_MAX,
	       "a counter of enum tcpopt_mptcp_stat has no name or no help");

const struct counter_set mptcp_counters = {
	.kind = PIN_MPTCP, .names = mptcp_names, .help = mptcp_help,
	.n = TCPOPT_MPTCP_STAT_MAX,
};

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

void counters_add_null(struct onode *obj, const struct counter_set *set)
{
	unsigned int i;

	for (i = 0; i < set->n; i++)
		out_null(obj, set->names[i], "-");
}

int counters_add(struct onode *obj, const char *dir)
{
	return counters_add_set(obj, dir, &option_counters);
}
