/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agents of "pm run" (pm_agent.c, pm_mesh.c) and their published state
 * (pm_agents.c): each running agent keeps a file under AGENT_STATE_DIR,
 * named by its pid, that "pm show" reads; it is removed at exit, and the
 * file of a process that is gone (killed) is not shown.
 */
#ifndef TCPOPT_PM_AGENT_H
#define TCPOPT_PM_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define AGENT_STATE_DIR "/run/tcpopt/agents"

struct onode;

enum agent_kind { AGENT_NONE, AGENT_NDIFFPORTS, AGENT_FULLMESH, AGENT_ENDPOINTS };

struct agent_params {
	enum agent_kind kind;
	uint32_t subflows;		/* ndiffports */
	const char *cgroup;		/* NULL: every connection of the netns */
	uint32_t rcvbuf;		/* 0: the system's default */
};

/* What an agent says of itself: in its report, its state file, pm show. */
struct agent_status {
	uint32_t pid;
	uint64_t start_time;		/* /proc/PID/stat: tells a reused pid */
	uint64_t netns;			/* inode of its network namespace */
	enum agent_kind kind;
	uint32_t subflows;
	char cgroup[PATH_MAX];		/* "" for all */
	uint32_t rcvbuf;
	uint64_t connections;		/* connections served */
	uint64_t recovered;		/* of them, found in sock_diag, not by an event */
	uint64_t foreign;		/* connections of other cgroups, left alone */
	uint64_t created, failed;	/* SUBFLOW_CREATE requests */
	uint64_t syncs;			/* endpoints: reconciliations of the endpoints */
	uint64_t events, overruns;
	uint64_t reconciliations, reconcile_errors;
};

const char *agent_kind_name(enum agent_kind kind);
/* The fields of st, as the report, the state file and pm show print them. */
void agent_status_out(struct onode *obj, const struct agent_status *st);

/* Create the state file (fills pid, start time, netns) / rewrite it when
 * it changed / remove it.  Only start fails (reported): a state directory
 * that cannot be written is no reason to stop serving. */
int agent_publish_start(struct agent_status *st);
void agent_publish(const struct agent_status *st);
void agent_publish_end(const struct agent_status *st);

/* The array "agents" of pm show: the live agents of this netns. */
void pm_agents_show(struct onode *root);

/* pm_agent.c: the netlink agent in the foreground. */
int pm_agent_run(const struct agent_params *p);
/* pm_mesh.c: keep the netns's fullmesh endpoints current, as an agent. */
int pm_endpoints_agent(const int *devs, int ndevs);

#endif
