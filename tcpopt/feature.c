// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt feature: what the running kernel supports, probed from the kernel
 * itself (BTF, program loads, sockets, sysctls), never from its version.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcpopt.h"
#include "../lib/attach.h"
#include "../lib/btfprobe.h"
#include "../lib/output.h"
#include "../lib/utils.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

enum provider { UPSTREAM, PATCHSET };

struct feature {
	const char *name;
	enum provider provider;
	const char *needs;		/* what uses it */
	bool (*probe)(void);
};

static bool probe_btf(void)
{
	return btf_available();
}

static bool probe_sockops(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCK_OPS, NULL) == 1;
}

static bool probe_hdr_options(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCK_OPS, BPF_FUNC_reserve_hdr_opt, NULL) == 1 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCK_OPS, BPF_FUNC_store_hdr_opt, NULL) == 1 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCK_OPS, BPF_FUNC_load_hdr_opt, NULL) == 1;
}

static bool probe_cgroup_link(void)
{
	/* Cgroup programs can be attached through bpf_links (5.7). */
	return btf_has_type("bpf_cgroup_link") && btf_has_enum_value("BPF_LINK_TYPE_CGROUP");
}

static bool probe_sk_storage(void)
{
	struct btf *btf;
	int fd = -1, id;

	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCK_OPS, BPF_FUNC_sk_storage_get, NULL) != 1)
		return false;
	/*
	 * tcpopt's socket storage is cloned to accepted sockets
	 * (BPF_F_CLONE): an sk_storage map needs BTF for its key and value.
	 */
	btf = btf__new_empty();
	if (libbpf_get_error(btf))
		return false;
	id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	if (id > 0 && !btf__load_into_kernel(btf)) {
		LIBBPF_OPTS(bpf_map_create_opts, opts,
			    .btf_fd = btf__fd(btf),
			    .btf_key_type_id = id,
			    .btf_value_type_id = id,
			    .map_flags = BPF_F_NO_PREALLOC | BPF_F_CLONE);

		fd = bpf_map_create(BPF_MAP_TYPE_SK_STORAGE, NULL, 4, 4, 0, &opts);
	}
	btf__free(btf);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool probe_bpf_loop(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCK_OPS, BPF_FUNC_loop, NULL) == 1;
}

static bool probe_delack_max(void)
{
	return btf_has_enum_value("TCP_BPF_DELACK_MAX");
}

static bool probe_mptcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool probe_mptcp_userspace_pm(void)
{
	/* net.mptcp.pm_type came with the userspace path manager (5.19). */
	return !access("/proc/sys/net/mptcp/pm_type", F_OK) ||
	       !access("/proc/sys/net/mptcp/path_manager", F_OK);
}

/*
 * A userspace PM's subflow can be opened as a backup: the kernel's subflow
 * connect takes the local endpoint with its flags (struct mptcp_pm_local),
 * not a bare address as Linux 6.1 does, which drops the backup flag.
 */
static bool probe_mptcp_subflow_backup(void)
{
	const char *s = btf_func_param_struct("__mptcp_subflow_connect", 1);

	return s && !strcmp(s, "mptcp_pm_local");
}

static bool probe_mptcp_path_manager(void)
{
	/* The path manager by name (6.15); older kernels have pm_type only. */
	return !access("/proc/sys/net/mptcp/path_manager", F_OK);
}

static bool probe_mptcp_listener_events(void)
{
	/* The kernel reports them with mptcp_event(), so the enum is in BTF. */
	return btf_has_enum_value("MPTCP_EVENT_LISTENER_CREATED") &&
	       btf_has_enum_value("MPTCP_EVENT_LISTENER_CLOSED");
}

/*
 * An fmod_ret program on update_socket_protocol() (6.6) can turn a
 * socket(AF_INET, SOCK_STREAM, 0) into MPTCP.  The probe loads one that
 * returns 0 (keep the caller's protocol) and attaches it for a moment: the
 * function must be in BTF and in the kernel's fmod_ret set, and the kernel
 * must be able to build the trampoline.
 */
static bool probe_mptcp_upgrade(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = btf_func_id("update_socket_protocol");
	int prog, link;

	if (id < 0)
		return false;
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_MODIFY_RETURN,
		    .attach_btf_id = (__u32)id);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "tcpopt_probe", "GPL", insns,
			     ARRAY_SIZE(insns), &opts);
	if (prog < 0)
		return false;
	link = bpf_raw_tracepoint_open(NULL, prog);
	close(prog);
	if (link < 0)
		return false;
	close(link);
	return true;
}

static bool probe_struct_ops(void)
{
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_STRUCT_OPS, NULL) == 1;
}

/* Our kernel patch set (kernel/): each addition is visible in BTF. */
static bool probe_delack_segs(void)
{
	return btf_has_enum_value("TCP_BPF_DELACK_SEGS");
}

static bool probe_mptcp_sockops(void)
{
	return btf_has_enum_value("BPF_SOCK_OPS_MPTCP_CB_FLAG");
}

static bool probe_mptcp_subflow_kfunc(void)
{
	return btf_has_func("bpf_mptcp_sock_ops_subflow_connect") &&
	       btf_has_func("bpf_mptcp_sock_ops_get_info");
}

static bool probe_mptcp_bpf_pm(void)
{
	/*
	 * A BPF path manager takes a connection over from the in-kernel one,
	 * and follows the local addresses of live connections.
	 */
	return btf_has_func("bpf_mptcp_sock_ops_pm_claim") &&
	       btf_has_enum_value("BPF_SOCK_OPS_MPTCP_LOCAL_ADDR_ADDED_CB") &&
	       btf_has_func("bpf_mptcp_sock_ops_get_local_addr") &&
	       btf_has_func("bpf_mptcp_sock_ops_get_subflow") &&
	       btf_has_func("bpf_mptcp_sock_ops_subflow_close");
}

static const struct feature features[] = {
	{ "btf", UPSTREAM, "everything", probe_btf },
	{ "sockops", UPSTREAM, "option", probe_sockops },
	{ "hdr_options", UPSTREAM, "option", probe_hdr_options },
	{ "cgroup_link", UPSTREAM, "option", probe_cgroup_link },
	{ "sk_storage", UPSTREAM, "option (built-in options)", probe_sk_storage },
	{ "bpf_loop", UPSTREAM, "option (built-in options)", probe_bpf_loop },
	{ "delack_max", UPSTREAM, "option delack timeout", probe_delack_max },
	{ "struct_ops", UPSTREAM, "bpf congestion control", probe_struct_ops },
	{ "mptcp", UPSTREAM, "pm, subflow, monitor", probe_mptcp },
	{ "mptcp_userspace_pm", UPSTREAM, "subflow open/close, pm run", probe_mptcp_userspace_pm },
	{ "mptcp_subflow_backup", UPSTREAM, "subflow open backup", probe_mptcp_subflow_backup },
	{ "mptcp_path_manager", UPSTREAM, "pm set kernel|userspace (else pm_type)", probe_mptcp_path_manager },
	{ "mptcp_listener_events", UPSTREAM, "monitor (listener_created/closed)", probe_mptcp_listener_events },
	{ "mptcp_upgrade", UPSTREAM, "mptcp enable (update_socket_protocol)", probe_mptcp_upgrade },
	{ "delack_segs", PATCHSET, "option delack segs", probe_delack_segs },
	{ "mptcp_sockops", PATCHSET, "pm set ndiffports/fullmesh (BPF)", probe_mptcp_sockops },
	{ "mptcp_subflow_kfunc", PATCHSET, "pm set ndiffports/fullmesh (BPF)", probe_mptcp_subflow_kfunc },
	{ "mptcp_bpf_pm", PATCHSET, "pm set ndiffports/fullmesh (BPF)", probe_mptcp_bpf_pm },
};

static const struct feature *feature_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(features); i++)
		if (!strcmp(features[i].name, name))
			return &features[i];
	return NULL;
}

bool feature_supported(const char *name)
{
	const struct feature *f = feature_by_name(name);

	libbpf_quiet();
	return f && f->probe();
}

int feature_require(const char *what, const char *name)
{
	const struct feature *f = feature_by_name(name);

	if (f && feature_supported(name))
		return 0;
	return err_run(-EOPNOTSUPP,
		       "%s needs the kernel feature %s (%s), which this kernel lacks (see \"tcpopt feature\")",
		       what, name, f && f->provider == PATCHSET ?
		       "tcpopt's kernel patch set" : "upstream Linux");
}

int feature_require_all(const char *what, const char *const *names)
{
	int err = 0;

	for (; *names && !err; names++)
		err = feature_require(what, *names);
	return err;
}

static int feature_show(int argc, char **argv)
{
	struct onode *list;
	size_t i;

	if (argc > 0)
		return err_usage("unexpected argument \"%s\"", argv[0]);
	libbpf_quiet();
	list = out_new_array();
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		struct onode *row = out_push_object(list);

		out_str(row, "feature", features[i].name);
		out_bool(row, "supported", features[i].probe());
		out_str(row, "provided_by", features[i].provider == UPSTREAM ?
			"upstream" : "tcpopt-kernel");
		out_str(row, "used_by", features[i].needs);
	}
	out_render(list, stdout);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: tcpopt feature [ show ]\n");
}

static const struct cmd feature_cmds[] = {
	{ "show", feature_show },
	{ "help", NULL },
};

int do_feature(int argc, char **argv)
{
	return cmd_dispatch("command", feature_cmds, ARRAY_SIZE(feature_cmds), usage, argc, argv);
}
