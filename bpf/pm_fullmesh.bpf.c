// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fullmesh: a BPF MPTCP path manager that opens a subflow from every local
 * address to every address of the peer (the one connected to and each one
 * it announces), IPv4 and IPv6, for the connections opened from the cgroup
 * it is attached to, and keeps the mesh as local addresses come and go.
 *
 * The local addresses are the kernel's: the usable addresses of the
 * connection's network namespace (bpf_mptcp_sock_ops_get_local_addr), the
 * first TCPOPT_PM_MAX_LOCAL of them, of config.ifindex only when
 * config.ndevs is set.  A live connection hears of an address added or
 * removed (the local address callbacks): it opens subflows from a new one
 * to each address of the peer its subflows use, and closes those from one
 * that is gone.  Client and server are told apart by the callback's
 * server-side argument, never by port.  Needs the tcpopt kernel patch set.
 */
#include "pm.bpf.h"

#define AF_INET		2

/* How far the namespace's addresses and the connection's subflows are read */
#define LOCAL_SCAN_MAX		32
#define SUBFLOW_SCAN_MAX	16

static const struct tcpopt_pm_config *pm_config(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&config, &key);
}

/* May the mesh use an address of interface ifindex? */
static bool dev_allowed(struct bpf_sock_ops *skops, const struct tcpopt_pm_config *cfg,
			int ifindex)
{
	__u32 i;

	if (!cfg || !cfg->ndevs)
		return true;
	/* interface indexes mean something in their own namespace only */
	if (bpf_get_netns_cookie(skops) != cfg->netns_cookie)
		return false;
	for (i = 0; i < TCPOPT_PM_MAX_DEVS; i++) {
		if (i >= cfg->ndevs)
			break;
		if (cfg->ifindex[i] && cfg->ifindex[i] == (__u32)ifindex)
			return true;
	}
	return false;
}

static bool addr_equal(const __be32 *a, const __be32 *b, __u8 family)
{
	if (family == AF_INET)
		return a[0] == b[0];
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static void addr_copy(__be32 *to, const __be32 *from)
{
	to[0] = from[0];
	to[1] = from[1];
	to[2] = from[2];
	to[3] = from[3];
}

/*
 * The loops over the namespace's addresses and the connection's subflows
 * run as bpf_loop() callbacks, verified once each: nested bounded loops
 * with kfunc calls in them exceed the verifier's budget.
 */
struct scan {
	struct bpf_sock_ops *skops;
	const struct tcpopt_pm_config *cfg;
	struct bpf_mptcp_info ep;	/* the subflows to open: remote end set */
	__be32 own[4];			/* a local address to skip, if skip_own */
	__u32 used;			/* addresses of the mesh seen so far */
	bool skip_own;
	bool found;
};

/* Is the index-th address of the namespace one of the mesh's?  Sets *local. */
static int mesh_addr(struct scan *s, __u32 index, struct bpf_mptcp_info *local)
{
	int ifindex = bpf_mptcp_sock_ops_get_local_addr(s->skops, index, local, sizeof(*local));

	if (ifindex < 0)
		return -1;		/* past the last one */
	if (!dev_allowed(s->skops, s->cfg, ifindex))
		return 0;
	if (s->used++ >= TCPOPT_PM_MAX_LOCAL)
		return -1;		/* the mesh takes the first ones */
	return 1;
}

static long connect_one(__u32 index, void *data)
{
	struct bpf_mptcp_info local = {};
	struct scan *s = data;
	int in = mesh_addr(s, index, &local);

	if (in < 0)
		return 1;
	if (!in || local.family != s->ep.family)
		return 0;
	if (s->skip_own && addr_equal(local.local_addr, s->own, local.family))
		return 0;
	addr_copy(s->ep.local_addr, local.local_addr);
	pm_subflow_connect(s->skops, &s->ep);
	return 0;
}

/*
 * Open a subflow to the remote address of info from each local address of
 * the mesh of its family, except from the local address of info itself
 * (when skip_own: the initial subflow already goes from there).
 */
static void connect_from_all(struct bpf_sock_ops *skops, const struct tcpopt_pm_config *cfg,
			     const struct bpf_mptcp_info *info, bool skip_own)
{
	struct scan s = { .skops = skops, .cfg = cfg, .skip_own = skip_own };

	s.ep.family = info->family;
	s.ep.remote_id = info->remote_id;
	s.ep.remote_port = info->remote_port;
	addr_copy(s.ep.remote_addr, info->remote_addr);
	addr_copy(s.own, info->local_addr);
	bpf_loop(LOCAL_SCAN_MAX, connect_one, &s, 0);
}

static long find_one(__u32 index, void *data)
{
	struct bpf_mptcp_info local = {};
	struct scan *s = data;
	int in = mesh_addr(s, index, &local);

	if (in < 0)
		return 1;
	if (in && local.family == s->ep.family &&
	    addr_equal(local.local_addr, s->ep.local_addr, local.family)) {
		s->found = true;
		return 1;
	}
	return 0;
}

/* Is the local address of info one of the mesh's (and on ifindex)? */
static bool in_mesh(struct bpf_sock_ops *skops, const struct tcpopt_pm_config *cfg,
		    const struct bpf_mptcp_info *info, int ifindex)
{
	struct scan s = { .skops = skops, .cfg = cfg };

	if (!dev_allowed(skops, cfg, ifindex))
		return false;
	s.ep.family = info->family;
	addr_copy(s.ep.local_addr, info->local_addr);
	bpf_loop(LOCAL_SCAN_MAX, find_one, &s, 0);
	return s.found;
}

struct peer {
	__be32 addr[4];
	__be16 port;
	__u8 id;
	__u8 reached;			/* a subflow from the new address goes there */
};

struct peers {
	struct bpf_sock_ops *skops;
	__be32 local[4];		/* the new address */
	__u8 family;
	__u32 n;
	struct peer peer[TCPOPT_PM_MAX_SUBFLOWS];
};

/* Both addresses compared whole: the kernel zeroes what an IPv4 one leaves */
static bool addr_same(const __be32 *a, const __be32 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

struct peer_find {
	struct peers *p;
	const struct bpf_mptcp_info *sf;
	__u32 j;			/* the peer's slot, or p->n if new */
};

static long peer_match(__u32 j, void *data)
{
	struct peer_find *f = data;
	struct peer *peer;

	if (j >= TCPOPT_PM_MAX_SUBFLOWS)
		return 1;
	peer = &f->p->peer[j];
	if (peer->port == f->sf->remote_port && addr_same(peer->addr, f->sf->remote_addr)) {
		f->j = j;
		return 1;
	}
	return 0;
}

/*
 * The peer's address and port of the index-th subflow, if new to p.  The
 * search is a bpf_loop() of its own: as a loop in here, each of its
 * branches multiplied the states of this callback past the verifier's
 * limit of 1M instructions.
 */
static long peer_one(__u32 index, void *data)
{
	struct bpf_mptcp_info sf = {};
	struct peers *p = data;
	struct peer_find f = { .p = p, .sf = &sf };
	__u32 j, n = p->n;

	if (bpf_mptcp_sock_ops_get_subflow(p->skops, index, &sf, sizeof(sf)))
		return 1;
	if (sf.family != p->family)
		return 0;
	f.j = n;
	bpf_loop(n, peer_match, &f, 0);
	j = f.j;
	if (j >= TCPOPT_PM_MAX_SUBFLOWS)
		return 0;
	if (j >= n) {
		j = n;
		p->n = n + 1;
		addr_copy(p->peer[j].addr, sf.remote_addr);
		p->peer[j].port = sf.remote_port;
		p->peer[j].id = sf.remote_id;
	}
	if (addr_same(sf.local_addr, p->local))
		p->peer[j].reached = 1;	/* an event seen twice opens nothing twice */
	return 0;
}

/*
 * A local address was added (its address in info): open a subflow from it
 * to each address and port of the peer that the connection's subflows of
 * its family go to.
 */
static void connect_to_peers(struct bpf_sock_ops *skops, const struct bpf_mptcp_info *info)
{
	struct peers p = { .skops = skops, .family = info->family };
	struct bpf_mptcp_info ep = {};
	__u32 j;

	addr_copy(p.local, info->local_addr);
	bpf_loop(SUBFLOW_SCAN_MAX, peer_one, &p, 0);

	ep.family = info->family;
	addr_copy(ep.local_addr, info->local_addr);
	for (j = 0; j < TCPOPT_PM_MAX_SUBFLOWS; j++) {
		if (j >= p.n)
			break;
		if (p.peer[j].reached)
			continue;
		addr_copy(ep.remote_addr, p.peer[j].addr);
		ep.remote_port = p.peer[j].port;
		ep.remote_id = p.peer[j].id;
		pm_subflow_connect(skops, &ep);
	}
}

struct gone {
	struct bpf_sock_ops *skops;
	const struct bpf_mptcp_info *info;
	bool used;
};

static long uses_one(__u32 index, void *data)
{
	struct bpf_mptcp_info sf = {};
	struct gone *g = data;

	if (bpf_mptcp_sock_ops_get_subflow(g->skops, index, &sf, sizeof(sf)))
		return 1;
	if (sf.family == g->info->family &&
	    addr_equal(sf.local_addr, g->info->local_addr, sf.family)) {
		g->used = true;
		return 1;
	}
	return 0;
}

/* A local address was removed: close the subflows from it, if any. */
static void close_from(struct bpf_sock_ops *skops, const struct bpf_mptcp_info *info)
{
	struct gone g = { .skops = skops, .info = info };
	struct bpf_mptcp_info match = {};

	bpf_loop(SUBFLOW_SCAN_MAX, uses_one, &g, 0);
	if (!g.used)
		return;

	/* a local address alone: the kernel also tells the peer (RM_ADDR) */
	match.family = info->family;
	addr_copy(match.local_addr, info->local_addr);
	if (bpf_mptcp_sock_ops_subflow_close(skops, &match, sizeof(match)))
		pm_count(TCPOPT_PM_STAT_FAILED);
	else
		pm_count(TCPOPT_PM_STAT_CLOSED);
}

SEC("sockops")
int pm_fullmesh(struct bpf_sock_ops *skops)
{
	const struct tcpopt_pm_config *cfg = pm_config();
	struct bpf_mptcp_info info = {};

	if (pm_common_op(skops))
		return 1;
	switch (skops->op) {
	case PM_OP_ESTABLISHED:
		/* the peer's initial address, from the other local addresses */
		if (skops->args[1] ||
		    bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)))
			break;
		connect_from_all(skops, cfg, &info, true);
		break;
	case PM_OP_ANNOUNCED:
		pm_count(TCPOPT_PM_STAT_ANNOUNCED);
		/* info's remote address is the one announced */
		if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
		    info.server_side)
			break;
		connect_from_all(skops, cfg, &info, false);
		break;
	case PM_OP_LOCAL_ADDED:
		/* info's local address is the new one, args[1] its interface */
		if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
		    info.server_side || !in_mesh(skops, cfg, &info, (int)skops->args[1]))
			break;
		connect_to_peers(skops, &info);
		break;
	case PM_OP_LOCAL_REMOVED:
		if (bpf_mptcp_sock_ops_get_info(skops, &info, sizeof(info)) ||
		    info.server_side)
			break;
		close_from(skops, &info);
		break;
	}
	return 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
