// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt mptcp: MPTCP for unmodified programs.  "enable" makes the TCP
 * sockets that the processes of a cgroup (and of its descendants) create
 * MPTCP sockets (bpf/mptcp.bpf.c, an fmod_ret program on the kernel's
 * update_socket_protocol hook), pinned as the cgroup's attachment "mptcp"
 * (/sys/fs/bpf/tcpopt/<cgroup-id>/mptcp/) so that it outlives the command;
 * "disable" unpins it; "show" lists them with their counters.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mptcp.h"
#include "tcpopt.h"
#include "../lib/attach.h"
#include "../lib/bpffs.h"
#include "../lib/cgroup.h"
#include "../lib/counters.h"
#include "../lib/output.h"
#include "../lib/state.h"
#include "../lib/utils.h"
#include "mptcp.skel.h"

#define PROG_NAME "tcpopt_mptcp"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt mptcp [ show ] [ cgroup PATH ]\n"
		"       tcpopt mptcp enable [ family FAMILY ] [ cgroup PATH ]\n"
		"       tcpopt mptcp disable [ cgroup PATH ]\n"
		"where  FAMILY := { all | ipv4 | ipv6 }\n");
}

/* One table to parse "family" and to print it. */
static const struct {
	const char *name;
	uint32_t families;
} family_names[] = {
	{ "all", TCPOPT_MPTCP_IPV4 | TCPOPT_MPTCP_IPV6 },
	{ "ipv4", TCPOPT_MPTCP_IPV4 },
	{ "ipv6", TCPOPT_MPTCP_IPV6 },
};

static const char *family_name(uint32_t families)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(family_names); i++)
		if (family_names[i].families == families)
			return family_names[i].name;
	return "none";
}

enum { MPTCP_KW_FAMILY, MPTCP_KW_CGROUP };

static const struct keyword enable_kw[] = {
	{ "family", true, MPTCP_KW_FAMILY },
	{ "cgroup", true, MPTCP_KW_CGROUP },
};

/* "cgroup PATH" alone: show, disable. */
static const struct keyword cgroup_kw[] = {
	{ "cgroup", true, MPTCP_KW_CGROUP },
};

struct request {
	const char *cgroup;		/* NULL: the root */
	struct tcpopt_mptcp_config cfg;
};

static int parse(int argc, char **argv, const struct keyword *kw, size_t nkw,
		 struct request *req)
{
	const char *value;
	int err, id, i;

	memset(req, 0, sizeof(*req));
	req->cfg.abi = TCPOPT_ABI;
	req->cfg.families = TCPOPT_MPTCP_IPV4 | TCPOPT_MPTCP_IPV6;
	while (argc > 0) {
		err = keyword_next(&argc, &argv, kw, nkw, &id, &value);
		if (err)
			return err;
		if (id == MPTCP_KW_CGROUP) {
			req->cgroup = value;
			continue;
		}
		i = word_lookup(value, family_names, ARRAY_SIZE(family_names),
				sizeof(family_names[0]));
		if (i < 0)
			return err_usage("invalid family \"%s\" (all, ipv4, ipv6)", value);
		req->cfg.families = family_names[i].families;
	}
	return 0;
}

/* Is dir a live attachment of ours (a link to our program)? */
static bool linked(const char *dir, struct pin_link_info *link)
{
	return !pin_link_info(dir, link) &&
	       !strncmp(link->prog_name, PROG_NAME, sizeof(link->prog_name));
}

/* One row of show: the attachment in dir. */
static void mptcp_row(struct onode *row, uint64_t cgid, const char *dir)
{
	struct tcpopt_mptcp_config cfg;
	struct pin_link_info link;
	bool gone = out_cgroup_heading(row, cgid), live;
	struct onode *stats;

	if (pin_config_read(dir, "config", &cfg, sizeof(cfg)))
		out_null(row, "family", "(unreadable config)");
	else
		out_str(row, "family", family_name(cfg.families));
	live = linked(dir, &link);
	/* A deleted cgroup is held by the map, with no process left in it. */
	out_bool(row, "attached", live && !gone);
	out_uint_json(row, "link_id", link.link_id);
	out_uint_json(row, "prog_id", link.prog_id);
	stats = out_add_object(row, "stats");
	if (counters_add_set(stats, dir, &mptcp_counters))
		counters_add_null(stats, &mptcp_counters);
}

struct show_ctx {
	uint64_t cgid;			/* 0: every cgroup */
	struct onode *list;
};

static int mptcp_show_pin(uint64_t cgid, const char *name, const char *dir, void *arg)
{
	struct show_ctx *ctx = arg;

	if (!ctx->cgid || ctx->cgid == cgid)
		mptcp_row(out_push_object(ctx->list), cgid, dir);
	return 0;
}

static int mptcp_show(int argc, char **argv)
{
	struct show_ctx ctx = { 0 };
	struct request req;
	struct cgroup_ref cg;
	int err;

	err = parse(argc, argv, cgroup_kw, ARRAY_SIZE(cgroup_kw), &req);
	if (err)
		return err;
	if (req.cgroup) {
		err = cgroup_open(req.cgroup, &cg);
		if (err)
			return err;
		ctx.cgid = cg.id;
		cgroup_close(&cg);
	}
	ctx.list = out_new_array();
	err = pin_walk_name(PIN_MPTCP, mptcp_show_pin, &ctx);
	if (err) {
		out_free(ctx.list);
		return err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err));
	}
	out_render(ctx.list, stdout);
	return 0;
}

/* The rows of "mptcp show -j" for every cgroup, for stats export. */
int mptcp_collect(struct onode *rows)
{
	struct show_ctx ctx = { .list = rows };
	int err = pin_walk_name(PIN_MPTCP, mptcp_show_pin, &ctx);

	return err ? err_run(err, "cannot read %s: %s", PIN_ROOT, err_str(err)) : 0;
}

static void print_row(uint64_t cgid, const char *dir)
{
	struct onode *doc = out_new_object();

	mptcp_row(doc, cgid, dir);
	out_render(doc, stdout);
}

/* attach_spec.loaded: the cgroup in its map before the program runs. */
static int cgroup_loaded(struct bpf_object *obj, void *ctx)
{
	const struct cgroup_ref *cg = ctx;
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "cgroup");
	__u32 key = 0, fd = (__u32)cg->fd;

	if (!map)
		return err_run(-EPROTO, "the mptcp program has no cgroup map");
	if (bpf_map_update_elem(bpf_map__fd(map), &key, &fd, BPF_ANY))
		return err_run(-errno, "cannot write the cgroup map: %s", err_str(errno));
	return 0;
}

static int mptcp_attach(const struct cgroup_ref *cg, const struct tcpopt_mptcp_config *cfg)
{
	struct attach_spec spec = {
		.name = PIN_MPTCP,
		.prog_name = PROG_NAME,
		.tracing = true,
		.config = cfg,
		.config_size = sizeof(*cfg),
		.loaded = cgroup_loaded,
		.loaded_ctx = (void *)cg,
	};

	return attach_embedded(cg, &spec, mptcp_bpf__elf_bytes, "mptcp");
}

static int mptcp_enable(int argc, char **argv)
{
	struct tcpopt_mptcp_config cur;
	struct pin_link_info link;
	struct request req;
	struct cgroup_ref cg;
	char dir[PATH_MAX];
	int err, lock;

	err = parse(argc, argv, enable_kw, ARRAY_SIZE(enable_kw), &req);
	if (err)
		return err;
	libbpf_quiet();
	err = cgroup_open(req.cgroup, &cg);
	if (err)
		return err;
	/* Refused before anything is touched, bpffs included. */
	if (!feature_supported("mptcp_upgrade")) {
		cgroup_close(&cg);
		return err_run(-EOPNOTSUPP, "this kernel lets no BPF program choose the protocol of new sockets (see \"tcpopt feature\": mptcp_upgrade)");
	}
	lock = state_lock();
	if (lock < 0) {
		cgroup_close(&cg);
		return lock;
	}
	pin_dir(dir, sizeof(dir), cg.id, PIN_MPTCP);
	if (!pin_dir_exists(dir)) {
		err = mptcp_attach(&cg, &req.cfg);
	} else if (!linked(dir, &link)) {
		err = err_run(-ENOLINK, "the mptcp attachment of cgroup %s is pinned but broken (\"mptcp disable\" it first)",
			      cg.path);
	} else if (pin_config_read(dir, "config", &cur, sizeof(cur)) ||
		   memcmp(&cur, &req.cfg, sizeof(cur))) {
		/* Other settings: changed in place, counters kept. */
		err = pin_map_write(dir, "config", &req.cfg, sizeof(req.cfg));
		if (err)
			err = err_run(err, "cannot update %s: %s", dir, err_str(err));
	}
	state_unlock(lock);
	if (!err)
		print_row(cg.id, dir);
	cgroup_close(&cg);
	return err;
}

static int mptcp_disable(int argc, char **argv)
{
	struct request req;
	int err;

	err = parse(argc, argv, cgroup_kw, ARRAY_SIZE(cgroup_kw), &req);
	if (err)
		return err;
	return pin_remove_attachment(req.cgroup, PIN_MPTCP, "MPTCP is not enabled on cgroup %s");
}

int mptcp_words(const char *dir, char *buf, size_t len)
{
	struct tcpopt_mptcp_config cfg;
	int err = pin_config_read(dir, "config", &cfg, sizeof(cfg));

	if (err)
		return err;
	if (cfg.families == (TCPOPT_MPTCP_IPV4 | TCPOPT_MPTCP_IPV6))
		return xsnprintf(buf, len, "enable");
	if (!strcmp(family_name(cfg.families), "none"))
		return -EPROTO;
	return xsnprintf(buf, len, "enable family %s", family_name(cfg.families));
}

static const struct cmd mptcp_cmds[] = {
	{ "show", mptcp_show },
	{ "enable", mptcp_enable },
	{ "disable", mptcp_disable },
	{ "help", NULL },
};

int do_mptcp(int argc, char **argv)
{
	/* "tcpopt mptcp cgroup /web": the filter of the default command. */
	if (argc > 0 && word_lookup(argv[0], cgroup_kw, ARRAY_SIZE(cgroup_kw),
				    sizeof(cgroup_kw[0])) >= 0)
		return mptcp_show(argc, argv);
	return cmd_dispatch("command", mptcp_cmds, ARRAY_SIZE(mptcp_cmds), usage, argc, argv);
}
