// SPDX-License-Identifier: GPL-2.0
/*
 * The netns's in-kernel full mesh ("pm set fullmesh" on a kernel without
 * the BPF path managers): one endpoint with the subflow and fullmesh flags
 * per usable local address, reconciled with the endpoints already there,
 * and the limits raised.  The agent "pm run endpoints" reconciles them
 * again on every address change.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm.h"
#include "pm_agent.h"
#include "../lib/addrwatch.h"
#include "../lib/genl.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/utils.h"

static struct nlmsghdr *endpoint_msg(struct genl *g, uint8_t cmd, const struct mptcp_addr *a)
{
	/* Small and used at once: one static buffer will do. */
	static char buf[1024];
	struct nlmsghdr *nlh = genl_msg(g, buf, cmd, 0);

	mptcp_put_addr(nlh, MPTCP_PM_ATTR_ADDR, a);
	return nlh;
}

static int endpoint_request(struct genl *g, uint8_t cmd, const struct mptcp_addr *a,
			    const char *what)
{
	char ip[INET6_ADDRSTRLEN], msg[128];
	int err;

	err = genl_talk(g, endpoint_msg(g, cmd, a), NULL, NULL);
	if (!err)
		return 0;
	mptcp_format_ip(a, ip, sizeof(ip));
	snprintf(msg, sizeof(msg), "%s endpoint %s", what, ip);
	return genl_error(g, err, msg);
}

#define MESH_FLAGS (MPTCP_PM_ADDR_FLAG_SUBFLOW | MPTCP_PM_ADDR_FLAG_FULLMESH)

/*
 * The netns's in-kernel full mesh: an endpoint with the subflow and
 * fullmesh flags for each local address (of devs, if any), limits raised.
 * Idempotent: endpoints already right are kept, others fixed or added.
 * fallback: done for want of a BPF path manager (for cgroup): said, so
 * that with -j the document carries it too.
 */
static int mesh_endpoints(const int *devs, int ndevs, bool fallback, const char *cgroup)
{
	struct mptcp_addr_list *want, *have;
	struct onode *root = NULL, *arr;
	struct mptcp_limits lim;
	struct genl g;
	int err, i, j;

	err = pm_require_type("kernel", "set fullmesh");
	if (err)
		return err;
	want = xzalloc(sizeof(*want));
	have = xzalloc(sizeof(*have));
	err = mptcp_local_addresses(devs, ndevs, want);
	if (err) {
		err = err_run(err, "cannot list local addresses: %s", err_str(err));
		goto out;
	}
	if (!want->n) {
		err = err_run(-EADDRNOTAVAIL, "no usable local address%s", ndevs ? " on these interfaces" : "");
		goto out;
	}
	err = mptcp_pm_open(&g);
	if (err)
		goto out;
	err = mptcp_endpoints_get(&g, have);
	if (err)
		goto out_close;
	root = out_new_object();
	arr = out_add_array(root, "endpoints");
	for (i = 0; i < want->n && !err; i++) {
		struct mptcp_addr *a = &want->addr[i];
		const struct mptcp_addr *old = NULL;
		const char *action = "added";
		char ip[INET6_ADDRSTRLEN];
		struct onode *row;

		for (j = 0; j < have->n; j++) {
			const struct mptcp_addr *h = &have->addr[j];

			if (!mptcp_addr_equal(h, a) || h->port)
				continue;
			if ((h->flags & (MESH_FLAGS | MPTCP_PM_ADDR_FLAG_SIGNAL)) == MESH_FLAGS &&
			    h->ifindex == a->ifindex) {
				action = "kept";
				break;
			}
			/* Flags that SET_FLAGS cannot change: replace. */
			err = endpoint_request(&g, MPTCP_PM_CMD_DEL_ADDR, h, "delete");
			action = "replaced";
			old = h;
			break;
		}
		if (!err && strcmp(action, "kept")) {
			a->flags = MESH_FLAGS;
			err = endpoint_request(&g, MPTCP_PM_CMD_ADD_ADDR, a, "add");
			/* Best effort: put back the endpoint it was to replace. */
			if (err && old)
				genl_talk(&g, endpoint_msg(&g, MPTCP_PM_CMD_ADD_ADDR, old), NULL, NULL);
		}
		if (err)
			break;
		row = out_push_object(arr);
		mptcp_format_ip(a, ip, sizeof(ip));
		out_str(row, "address", ip);
		out_str(row, "action", action);
	}
	if (!err)
		err = mptcp_limits_get(&g, &lim);
	/* Never lower a limit; raise both to the kernel's maximum. */
	if (!err && (lim.subflows < PM_LIMIT_MAX || lim.add_addr_accepted < PM_LIMIT_MAX)) {
		if (lim.subflows < PM_LIMIT_MAX)
			lim.subflows = PM_LIMIT_MAX;
		if (lim.add_addr_accepted < PM_LIMIT_MAX)
			lim.add_addr_accepted = PM_LIMIT_MAX;
		err = mptcp_limits_set(&g, lim.subflows, lim.add_addr_accepted);
	}
	if (!err) {
		pm_out_limits(root, &lim);
		if (fallback)
			pm_note_fallback(cgroup, "used the in-kernel path manager's fullmesh endpoints");
		out_render(root, stdout);
		fflush(stdout);
		root = NULL;
	}
out_close:
	genl_close(&g);
out:
	out_free(root);
	free(want);
	free(have);
	return err;
}

int pm_mesh_fallback(const int *devs, int ndevs, const char *cgroup)
{
	return mesh_endpoints(devs, ndevs, true, cgroup);
}

struct endpoints_agent {
	const int *devs;
	int ndevs;
	struct agent_status st;
};

static int endpoints_again(void *arg)
{
	struct endpoints_agent *ea = arg;
	int err = mesh_endpoints(ea->devs, ea->ndevs, false, NULL);

	if (!err) {
		ea->st.syncs++;
		agent_publish(&ea->st);
	}
	return err;
}

/*
 * "pm run endpoints": the endpoints now, then again on every address
 * change until SIGINT/SIGTERM (each sync printed).
 */
int pm_endpoints_agent(const int *devs, int ndevs)
{
	struct endpoints_agent ea = { devs, ndevs, { .kind = AGENT_ENDPOINTS } };
	int err;

	err = mesh_endpoints(devs, ndevs, false, NULL);
	if (err)
		return err;
	ea.st.syncs = 1;
	err = agent_publish_start(&ea.st);
	if (err)
		return err;
	err = addr_watch(100, endpoints_again, &ea);
	agent_publish_end(&ea.st);
	if (err < 0 && !err_reported())
		err = err_run(err, "following addresses failed: %s", err_str(err));
	return err > 0 ? 0 : err;
}
