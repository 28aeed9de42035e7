// SPDX-License-Identifier: GPL-2.0
/*
 * The published state of the agents of "pm run": one file per running
 * agent, AGENT_STATE_DIR/<pid>, "key value" lines, replaced whole (written
 * aside, then renamed) when the counters change, at most once a second, and
 * removed when the agent exits.  "pm show" lists the files of live agents
 * of its network namespace: a pid that is gone, or used again by another
 * process (its start time differs), is not shown.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm_agent.h"
#include "../lib/output.h"
#include "../lib/utils.h"

static const char *const kind_names[] = {
	[AGENT_NONE] = "none",
	[AGENT_NDIFFPORTS] = "ndiffports",
	[AGENT_FULLMESH] = "fullmesh",
	[AGENT_ENDPOINTS] = "endpoints",
};

const char *agent_kind_name(enum agent_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

static enum agent_kind agent_kind_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(kind_names[i], name))
			return (enum agent_kind)i;
	return AGENT_NONE;
}

/* The counters, by name: one table to write, read and print them. */
#define COUNTER(field) { #field, offsetof(struct agent_status, field) }
static const struct {
	const char *name;
	size_t off;
} counters[] = {
	COUNTER(connections),
	COUNTER(recovered),
	COUNTER(foreign),
	{ "subflows_created", offsetof(struct agent_status, created) },
	{ "subflow_errors", offsetof(struct agent_status, failed) },
	COUNTER(events),
	COUNTER(overruns),
	COUNTER(reconciliations),
	COUNTER(reconcile_errors),
};

static uint64_t *counter(struct agent_status *st, size_t i)
{
	return (uint64_t *)((char *)st + counters[i].off);
}

void agent_status_out(struct onode *obj, const struct agent_status *st)
{
	size_t i;

	if (st->pid)
		out_uint(obj, "pid", st->pid);
	out_str(obj, "mode", agent_kind_name(st->kind));
	if (st->kind == AGENT_NDIFFPORTS)
		out_uint(obj, "subflows", st->subflows);
	else
		out_null(obj, "subflows", "-");
	if (st->cgroup[0])
		out_str(obj, "cgroup", st->cgroup);
	else
		out_null(obj, "cgroup", "-");
	if (st->kind == AGENT_ENDPOINTS) {
		out_uint(obj, "syncs", st->syncs);
		return;
	}
	out_uint(obj, "rcvbuf", st->rcvbuf);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		out_uint(obj, counters[i].name, *counter((struct agent_status *)st, i));
}

static uint64_t start_time_of(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* Field 22, counted after the command name, which may hold blanks. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return v;
}

static uint64_t own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint64_t)st.st_ino;
}

static void state_path(char *buf, size_t len, uint32_t pid, bool temp)
{
	snprintf(buf, len, "%s/%s%u", AGENT_STATE_DIR, temp ? "." : "", pid);
}

static struct agent_status last;	/* as written last */

static int write_state(const struct agent_status *st)
{
	char tmp[128], path[128];
	FILE *f;
	size_t i;
	int err = 0;

	state_path(tmp, sizeof(tmp), st->pid, true);
	state_path(path, sizeof(path), st->pid, false);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "pid %u\nstart_time %llu\nnetns %llu\nmode %s\nsubflows %u\n"
		"rcvbuf %u\nsyncs %llu\n", st->pid, (unsigned long long)st->start_time,
		(unsigned long long)st->netns, agent_kind_name(st->kind), st->subflows,
		st->rcvbuf, (unsigned long long)st->syncs);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		fprintf(f, "%s %llu\n", counters[i].name,
			(unsigned long long)*counter((struct agent_status *)st, i));
	/* Last: a path may hold blanks, it runs to the end of the line. */
	fprintf(f, "cgroup %s\n", st->cgroup);
	if (fflush(f) || ferror(f))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		last = *st;
	return err;
}

int agent_publish_start(struct agent_status *st)
{
	int err;

	st->pid = (uint32_t)getpid();
	st->start_time = start_time_of(st->pid);
	st->netns = own_netns();
	if ((mkdir("/run/tcpopt", 0755) && errno != EEXIST) ||
	    (mkdir(AGENT_STATE_DIR, 0755) && errno != EEXIST))
		return err_run(-errno, "cannot create %s: %s", AGENT_STATE_DIR, err_str(errno));
	err = write_state(st);
	if (err)
		return err_run(err, "cannot write the agent's state in %s: %s", AGENT_STATE_DIR,
			       err_str(err));
	return 0;
}

void agent_publish(const struct agent_status *st)
{
	if (st->pid && memcmp(st, &last, sizeof(last)))
		write_state(st);
}

void agent_publish_end(const struct agent_status *st)
{
	char path[128];

	if (!st->pid)
		return;
	state_path(path, sizeof(path), st->pid, false);
	unlink(path);
}

/* Read one state file; false when it is not a live agent's. */
static bool read_state(const char *path, struct agent_status *st)
{
	char line[PATH_MAX + 64], *val;
	unsigned long long v;
	FILE *f = fopen(path, "re");
	size_t i;

	if (!f)
		return false;
	memset(st, 0, sizeof(*st));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		val = strchr(line, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		if (!strcmp(line, "cgroup")) {
			snprintf(st->cgroup, sizeof(st->cgroup), "%s", val);
			continue;
		}
		if (!strcmp(line, "mode")) {
			st->kind = agent_kind_by_name(val);
			continue;
		}
		if (sscanf(val, "%llu", &v) != 1)
			continue;
		if (!strcmp(line, "pid"))
			st->pid = (uint32_t)v;
		else if (!strcmp(line, "start_time"))
			st->start_time = v;
		else if (!strcmp(line, "netns"))
			st->netns = v;
		else if (!strcmp(line, "subflows"))
			st->subflows = (uint32_t)v;
		else if (!strcmp(line, "rcvbuf"))
			st->rcvbuf = (uint32_t)v;
		else if (!strcmp(line, "syncs"))
			st->syncs = v;
		for (i = 0; i < ARRAY_SIZE(counters); i++)
			if (!strcmp(line, counters[i].name))
				*counter(st, i) = v;
	}
	fclose(f);
	return st->pid && st->kind != AGENT_NONE && st->start_time &&
	       start_time_of(st->pid) == st->start_time;
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct agent_status *)a)->pid;
	uint32_t y = ((const struct agent_status *)b)->pid;

	return x < y ? -1 : x > y;
}

void pm_agents_show(struct onode *root)
{
	struct onode *arr = out_add_array(root, "agents");
	struct agent_status *all = NULL, st;
	uint64_t netns = own_netns();
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = opendir(AGENT_STATE_DIR);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		uint64_t pid;

		if (parse_u64(de->d_name, &pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", AGENT_STATE_DIR, de->d_name);
		if (!read_state(path, &st) || st.netns != netns || st.pid != pid)
			continue;
		all = xrealloc_array(all, n + 1, sizeof(*all));
		all[n++] = st;
	}
	closedir(d);
	if (n)
		qsort(all, n, sizeof(*all), by_pid);
	for (i = 0; i < n; i++)
		agent_status_out(out_push_object(arr), &all[i]);
	free(all);
}
