// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF MPTCP path managers of the kernel patch set (bpf/pm_*.bpf.c): one
 * per cgroup, for the connections its processes open, pinned as the
 * cgroup's attachment "pm" (/sys/fs/bpf/tcpopt/<cgroup-id>/pm/) so that it
 * outlives the command.  pm.c uses them when the running kernel has the
 * patch set, and the netns's own path managers otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pm.h"
#include "tcpopt.h"
#include "../lib/addrwatch.h"
#include "../lib/attach.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/counters.h"
#include "../lib/mptcp.h"
#include "../lib/output.h"
#include "../lib/state.h"
#include "../lib/utils.h"
#include "pm_fullmesh.skel.h"
#include "pm_ndiffports.skel.h"

struct pm_kind {
	const char *name;		/* as in "pm set NAME" */
	const char *prog;		/* its program's name (link info) */
	const void *(*elf_bytes)(size_t *size);	/* its skeleton's */
	bool mesh;			/* uses the local addresses */
};

static const struct pm_kind kinds[] = {
	{ "ndiffports", "pm_ndiffports", pm_ndiffports_bpf__elf_bytes, false },
	{ "fullmesh", "pm_fullmesh", pm_fullmesh_bpf__elf_bytes, true },
};

static const struct pm_kind *pm_kind_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

/* The kind attached in dir, from its link (NULL: unreadable or unknown). */
static const struct pm_kind *kind_in(const char *dir, struct pin_link_info *link)
{
	size_t i;

	if (pin_link_info(dir, link))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strncmp(link->prog_name, kinds[i].prog, sizeof(link->prog_name)))
			return &kinds[i];
	return NULL;
}

bool pm_bpf_supported(void)
{
	libbpf_quiet();
	return feature_supported("mptcp_sockops") &&
	       feature_supported("mptcp_subflow_kfunc") &&
	       feature_supported("mptcp_bpf_pm");
}

/* ---- local addresses of a full mesh ---- */

/* Interface d of cfg's "dev" list, as a string (the map holds it unterminated). */
static const char *cfg_dev(const struct tcpopt_pm_config *cfg, unsigned int d,
			   char name[TCPOPT_PM_DEV_LEN + 1])
{
	memcpy(name, cfg->devs[d], TCPOPT_PM_DEV_LEN);
	name[TCPOPT_PM_DEV_LEN] = '\0';
	return name;
}

struct mesh {
	struct mptcp_addr addr[TCPOPT_PM_MAX_LOCAL];
	unsigned int n;			/* in addr[] */
	unsigned int total;		/* found, of which only addr[] are used */
};

/* The namespace tcpopt runs in, as bpf_get_netns_cookie() names it */
static int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

/*
 * The interface indexes of cfg's "dev" list in this namespace (0 for one
 * that is not there), for the program: it knows interfaces by index.
 */
static int mesh_resolve(struct tcpopt_pm_config *cfg)
{
	char name[TCPOPT_PM_DEV_LEN + 1];
	unsigned int d;

	memset(cfg->ifindex, 0, sizeof(cfg->ifindex));
	cfg->netns_cookie = 0;
	if (!cfg->ndevs)
		return 0;
	for (d = 0; d < cfg->ndevs && d < TCPOPT_PM_MAX_DEVS; d++)
		cfg->ifindex[d] = if_nametoindex(cfg_dev(cfg, d, name));
	return netns_cookie(&cfg->netns_cookie);
}

/*
 * The local addresses the program would use for a connection in this
 * namespace, now: those of cfg's interfaces (an interface that is gone
 * has none), else of every interface that is up; never loopback or
 * link-local ones (the kernel does not list them: a subflow from those
 * needs a scope the kfuncs have no room for).
 */
static int mesh_scan(const struct tcpopt_pm_config *cfg, struct mesh *m)
{
	struct mptcp_addr_list *list;
	int devs[TCPOPT_PM_MAX_DEVS], ndevs = 0, err, i;
	unsigned int d;

	memset(m, 0, sizeof(*m));
	for (d = 0; d < cfg->ndevs && d < TCPOPT_PM_MAX_DEVS; d++) {
		char name[TCPOPT_PM_DEV_LEN + 1];
		int idx = (int)if_nametoindex(cfg_dev(cfg, d, name));

		if (idx)
			devs[ndevs++] = idx;
	}
	if (cfg->ndevs && !ndevs)
		return 0;
	list = xzalloc(sizeof(*list));
	err = mptcp_local_addresses(devs, ndevs, list);
	for (i = 0; !err && i < list->n; i++) {
		if (mptcp_addr_is_linklocal(&list->addr[i]))
			continue;
		if (m->total++ < TCPOPT_PM_MAX_LOCAL)
			m->addr[m->n++] = list->addr[i];
	}
	free(list);
	return err;
}

static bool mesh_equal(const struct mesh *a, const struct mesh *b)
{
	unsigned int i;

	if (a->n != b->n || a->total != b->total)
		return false;
	for (i = 0; i < a->n; i++)
		if (!mptcp_addr_equal(&a->addr[i], &b->addr[i]))
			return false;
	return true;
}

static void out_mesh(struct onode *row, const struct mesh *m)
{
	struct onode *arr = out_add_array(row, "local_addresses");
	char ip[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; m && i < m->n; i++) {
		mptcp_format_ip(&m->addr[i], ip, sizeof(ip));
		out_push_str(arr, ip);
	}
}

/* ---- show ---- */

static void out_devs(struct onode *row, const struct tcpopt_pm_config *cfg)
{
	struct onode *arr = out_add_array(row, "devs");
	char name[TCPOPT_PM_DEV_LEN + 1];
	unsigned int d;

	for (d = 0; d < cfg->ndevs && d < TCPOPT_PM_MAX_DEVS; d++)
		out_push_str(arr, cfg_dev(cfg, d, name));
}

/*
 * The mesh a connection in this namespace would get from cfg: none when
 * its interfaces are named in another namespace.
 */
static bool mesh_here(const struct tcpopt_pm_config *cfg, struct mesh *m)
{
	__u64 here;

	if (cfg->ndevs && (netns_cookie(&here) || here != cfg->netns_cookie))
		return false;
	return !mesh_scan(cfg, m);
}

/* One row of the array "bpf": what is attached in dir. */
static void pm_bpf_row(struct onode *row, uint64_t cgid, const char *dir)
{
	const struct pm_kind *kind;
	struct tcpopt_pm_config cfg;
	struct pin_link_info link;
	struct mesh m;
	bool gone = out_cgroup_heading(row, cgid);
	struct onode *o;

	kind = kind_in(dir, &link);
	out_str(row, "path_manager", kind ? kind->name : link.prog_name[0] ? link.prog_name : "?");
	if (pin_config_read(dir, "config", &cfg, sizeof(cfg)))
		memset(&cfg, 0, sizeof(cfg));
	if (kind && !kind->mesh && cfg.abi)
		out_uint(row, "subflows", cfg.subflows);
	else
		out_null(row, "subflows", "-");
	out_devs(row, &cfg);
	out_mesh(row, kind && kind->mesh && mesh_here(&cfg, &m) ? &m : NULL);
	out_bool(row, "attached", link.link_id && link.cgroup_id == cgid && !gone);
	out_uint_json(row, "link_id", link.link_id);
	out_uint_json(row, "prog_id", link.prog_id);
	o = out_add_object(row, "stats");
	if (counters_add_set(o, dir, &pm_counters))
		counters_add_null(o, &pm_counters);
}

static int pm_bpf_show_pin(uint64_t cgid, const char *name, const char *dir, void *arr)
{
	pm_bpf_row(out_push_object(arr), cgid, dir);
	return 0;
}

void pm_bpf_show(struct onode *root)
{
	out_bool(root, "bpf_supported", pm_bpf_supported());
	pm_bpf_collect(out_add_array(root, "bpf"));
}

int pm_bpf_collect(struct onode *rows)
{
	return pin_walk_name(PIN_PM, pm_bpf_show_pin, rows);
}

int pm_bpf_words(const char *dir, char *buf, size_t len)
{
	const struct pm_kind *kind;
	struct tcpopt_pm_config cfg;
	struct pin_link_info link;
	size_t used;
	unsigned int d;
	int err;

	kind = kind_in(dir, &link);
	if (!kind)
		return -ENOENT;
	err = pin_config_read(dir, "config", &cfg, sizeof(cfg));
	if (err)
		return err;
	if (!kind->mesh)
		return xsnprintf(buf, len, "ndiffports %u", cfg.subflows);
	if (xsnprintf(buf, len, "fullmesh"))
		return -ENAMETOOLONG;
	for (d = 0; d < cfg.ndevs && d < TCPOPT_PM_MAX_DEVS; d++) {
		used = strlen(buf);
		if (xsnprintf(buf + used, len - used, " dev %.*s", TCPOPT_PM_DEV_LEN, cfg.devs[d]))
			return -ENAMETOOLONG;
	}
	return 0;
}

/* ---- set, del ---- */

static void print_set(uint64_t cgid, const char *dir)
{
	struct onode *doc = out_new_object();

	pm_bpf_row(doc, cgid, dir);
	out_render(doc, stdout);
	fflush(stdout);
}

struct follow {
	uint64_t cgid;
	const struct pm_kind *kind;
	struct tcpopt_pm_config cfg;
	struct mesh last;
};

/*
 * addr_watch callback: the program finds the addresses itself; what can go
 * stale is the index of a named interface (created, re-created or renamed
 * after "pm set").  Write those again when they changed, and print the
 * mesh when it changed.
 */
static int follow_changed(void *arg)
{
	struct follow *f = arg;
	struct tcpopt_pm_config cfg = f->cfg;
	struct pin_link_info link;
	char dir[PATH_MAX];
	struct mesh m;
	int err, lock;

	err = mesh_resolve(&cfg);
	if (!err)
		err = mesh_scan(&cfg, &m);
	if (err)
		return err_run(err, "cannot list local addresses: %s", err_str(err));
	if (!memcmp(cfg.ifindex, f->cfg.ifindex, sizeof(cfg.ifindex)) && mesh_equal(&m, &f->last))
		return 0;
	lock = state_lock();
	if (lock < 0)
		return lock;
	pin_dir(dir, sizeof(dir), f->cgid, PIN_PM);
	if (kind_in(dir, &link) != f->kind) {
		state_unlock(lock);
		err_warn("the full mesh of this cgroup was removed or replaced: no longer following");
		return 1;
	}
	err = 0;
	if (memcmp(cfg.ifindex, f->cfg.ifindex, sizeof(cfg.ifindex)))
		err = pin_map_write(dir, "config", &cfg, sizeof(cfg));
	state_unlock(lock);
	if (err)
		return err_run(err, "cannot update %s: %s", dir, err_str(err));
	if (m.total > m.n)
		err_warn("%u local addresses, the full mesh uses the first %d",
			 m.total, TCPOPT_PM_MAX_LOCAL);
	f->cfg = cfg;
	f->last = m;
	print_set(f->cgid, dir);
	return 0;
}

int pm_bpf_set(const char *name, struct tcpopt_pm_config *cfg, const char *cgroup,
	       bool follow)
{
	const struct pm_kind *kind = pm_kind_by_name(name), *cur;
	struct pin_link_info link;
	struct cgroup_ref cg;
	struct attach_spec spec;
	struct mesh m = { 0 };
	char dir[PATH_MAX];
	int err, lock;

	if (!kind)
		return err_usage("unknown BPF path manager \"%s\"", name);
	cfg->abi = TCPOPT_ABI;
	if (kind->mesh) {
		err = mesh_resolve(cfg);
		if (!err)
			err = mesh_scan(cfg, &m);
		if (err)
			return err_run(err, "cannot list local addresses: %s", err_str(err));
		if (!m.n)
			return err_run(-EADDRNOTAVAIL, "no usable local address%s",
				       cfg->ndevs ? " on these interfaces" : "");
		if (m.total > m.n)
			return err_run(-E2BIG, "%u local addresses, a BPF full mesh takes at most %d (choose interfaces with \"dev\")",
				       m.total, TCPOPT_PM_MAX_LOCAL);
	}
	libbpf_quiet();
	err = state_lock_cgroup(cgroup, &cg, &lock);
	if (err)
		return err;
	pin_dir(dir, sizeof(dir), cg.id, PIN_PM);
	cur = pin_dir_exists(dir) ? kind_in(dir, &link) : NULL;
	if (cur && link.cgroup_id != cg.id) {
		err = err_run(-ENOLINK, "the path manager of cgroup %s is pinned but no longer attached (\"pm del\" it first)",
			      cg.path);
	} else if (cur == kind) {
		/* The same one: new settings in place, its counters kept. */
		err = pin_map_write(dir, "config", cfg, sizeof(*cfg));
		if (err)
			err = err_run(err, "cannot update %s: %s", dir, err_str(err));
	} else {
		spec = (struct attach_spec){
			.name = PIN_PM,
			.config = cfg,
			.config_size = sizeof(*cfg),
			/* another one there: swapped in its link */
			.replace = pin_dir_exists(dir),
		};
		err = attach_embedded(&cg, &spec, kind->elf_bytes, kind->name);
	}
	state_unlock(lock);
	if (!err)
		print_set(cg.id, dir);
	if (!err && follow) {
		struct follow f = { .cgid = cg.id, .kind = kind, .cfg = *cfg, .last = m };

		err = addr_watch(100, follow_changed, &f);
		if (err > 0)
			err = 0;
		else if (err && !err_reported())
			err = err_run(err, "following addresses failed: %s", err_str(err));
	}
	cgroup_close(&cg);
	return err;
}

int pm_bpf_del(const char *cgroup)
{
	return pin_remove_attachment(cgroup, PIN_PM, "no BPF path manager on cgroup %s");
}
