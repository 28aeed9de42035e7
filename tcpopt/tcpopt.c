// SPDX-License-Identifier: GPL-2.0
/*
 * tcpopt: extend TCP with eBPF.  Global options and dispatch only; every
 * object lives in its own file and exports do_<object>().
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpopt.h"
#include "../lib/batch.h"
#include "../lib/cgroup.h"
#include "../lib/output.h"
#include "../lib/utils.h"

#ifndef TCPOPT_VERSION
#define TCPOPT_VERSION "unknown"
#endif

bool show_stats;
bool in_batch;
const char *netns_name;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tcpopt [OPTIONS] OBJECT { COMMAND | help }\n"
		"       tcpopt [OPTIONS] -b[atch] FILE\n"
		"where  OBJECT := { option | stats | path | feature | save | pm | subflow | monitor | mptcp }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -s[tats] | -n[etns] NAME |\n"
		"                    -b[atch] FILE | -V[ersion] | -h[elp] }\n");
}

static const struct cmd objects[] = {
	{ "option", do_option },
	{ "stats", do_stats },
	{ "path", do_path },
	{ "feature", do_feature },
	{ "pm", do_pm },
	{ "subflow", do_subflow },
	{ "monitor", do_monitor },
	{ "mptcp", do_mptcp },
	{ "save", do_save },
	{ "help", NULL },
};

/* One command line (argv after the global options). */
static int run_object(int argc, char **argv)
{
	int i;

	err_set_object(NULL);
	err_reset();
	cgroup_names_forget();
	if (argc < 1) {
		usage(stderr);
		return -EUSAGE;
	}
	i = word_lookup(argv[0], objects, ARRAY_SIZE(objects), sizeof(objects[0]));
	if (i >= 0)
		err_set_object(objects[i].name);
	return cmd_dispatch("object", objects, ARRAY_SIZE(objects), usage, argc, argv);
}

static int run_command(int argc, char **argv)
{
	int err = run_object(argc, argv);

	/* -j: the warnings that no document took, before the next command. */
	out_flush_warnings(stdout);
	return err;
}

static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_run(-errno, "cannot open network namespace \"%s\": %s",
			       name, err_str(errno));
	if (setns(fd, CLONE_NEWNET)) {
		int err = -errno;

		close(fd);
		return err_run(err, "cannot enter network namespace \"%s\": %s",
			       name, err_str(err));
	}
	close(fd);
	return 0;
}

/* iproute2 style: "-j", "-json", "--json" and any prefix of the long name. */
static bool is_opt(const char *arg, const char *name)
{
	size_t len;

	if (arg[0] != '-')
		return false;
	arg++;
	if (arg[0] == '-')
		arg++;
	len = strlen(arg);
	return len && len <= strlen(name) && !strncmp(arg, name, len);
}

static int exit_status(int rc)
{
	if (!rc)
		return 0;
	return rc == -EUSAGE ? 2 : 1;
}

int main(int argc, char **argv)
{
	const char *batch_file = NULL;
	bool json = false, pretty = false;
	int rc;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-' && argv[0][1]) {
		const char *arg = argv[0];

		if (!strcmp(arg, "--")) {
			argc--;
			argv++;
			break;
		}
		if (is_opt(arg, "json")) {
			json = true;
		} else if (is_opt(arg, "pretty")) {
			pretty = true;
		} else if (is_opt(arg, "stats") || is_opt(arg, "statistics")) {
			show_stats = true;
		} else if (is_opt(arg, "netns") || is_opt(arg, "batch")) {
			if (argc < 2) {
				fprintf(stderr, "tcpopt: option \"%s\" needs a value\n", arg);
				return 2;
			}
			if (is_opt(arg, "netns"))
				netns_name = argv[1];
			else
				batch_file = argv[1];
			argc--;
			argv++;
		} else if (is_opt(arg, "Version") && arg[1] == 'V') {
			printf("tcpopt %s\n", TCPOPT_VERSION);
			return 0;
		} else if (is_opt(arg, "help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "tcpopt: unknown option \"%s\" (try \"tcpopt -help\")\n", arg);
			return 2;
		}
		argc--;
		argv++;
	}
	/* -p alone implies JSON, as in bpftool. */
	out_set_mode(json || pretty, pretty);

	if (netns_name) {
		rc = enter_netns(netns_name);
		if (rc)
			return exit_status(rc);
	}
	if (batch_file) {
		if (argc > 0) {
			fprintf(stderr, "tcpopt: -batch takes no command on the command line\n");
			return 2;
		}
		in_batch = true;
		return exit_status(batch_run(batch_file, run_command));
	}
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	return exit_status(run_command(argc, argv));
}
