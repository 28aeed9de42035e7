// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the option word parser.  The input is one "option add" line
 * (split as a batch line is); what parses must give words back that parse
 * to the same config (option_words() checks that itself, and says -EPROTO
 * when they do not: a bug, reported here as a crash).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/batch.h"
#include "../../lib/output.h"
#include "../../tcpopt/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

/* "set" words (argv) over the config in *req, as "option set" does. */
static int set_over(struct opt_request *req, int argc, char **argv)
{
	static struct opt_request set;

	if (parse_request(argc, argv, PARSE_SET, &set) || set.desc != req->desc)
		return -1;
	memcpy(set.cfg.bytes, req->cfg.bytes, sizeof(set.cfg.bytes));
	if (apply_words(&set))
		return -1;
	memcpy(req->cfg.bytes, set.cfg.bytes, sizeof(set.cfg.bytes));
	return 0;
}

/* What "save" does with a config: its words, which must give it back. */
static void check_words(const struct opt_request *req)
{
	static char words[1024];
	struct onode *root;
	int err;

	err = option_words(req->desc, req->cfg.bytes, words, sizeof(words));
	if (err == -EPROTO || err == -EOPNOTSUPP)
		abort();	/* a config whose words do not give it back */
	/* and what "option show" prints of it */
	root = out_new_object();
	req->desc->print(req->cfg.bytes, out_add_object(root, "params"));
	out_set_mode(true, false);
	out_render(root, sink);
	out_set_mode(false, false);
}

/*
 * The input: an "option add" line, then optionally "|" and the words of an
 * "option set" of the same option applied over it (the line is split as a
 * batch line is).  Every config reachable so must be one "save" can write.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct opt_request req;
	char line[1024], *set_words, *argv[64];
	int argc, err;

	if (size >= sizeof(line))
		return -1;
	memcpy(line, data, size);
	line[size] = '\0';
	if (strlen(line) != size)
		return -1;	/* a NUL cannot reach the parser from argv */
	if (!sink)
		sink = fopen("/dev/null", "w");
	set_words = strchr(line, '|');
	if (set_words)
		*set_words++ = '\0';
	argc = batch_split(line, argv, 63);
	if (argc <= 0)
		return 0;
	argv[argc] = NULL;
	err = parse_request(argc, argv, PARSE_ADD, &req);
	if (err)
		return 0;
	/* "object FILE" reads the file: not this target's business */
	if (req.desc == &object_desc)
		return -1;
	req.cfg.common.abi = TCPOPT_ABI;
	if (apply_words(&req) || request_pin(&req))
		return 0;
	check_words(&req);
	if (set_words) {
		char set_line[1100], *set_argv[64];

		/* the option's name (and instance) as the add line gave them */
		snprintf(set_line, sizeof(set_line), "%s %s %s", req.desc->name,
			 req.instance ? req.instance : "", set_words);
		argc = batch_split(set_line, set_argv, 63);
		if (argc <= 0)
			return 0;
		set_argv[argc] = NULL;
		if (!set_over(&req, argc, set_argv))
			check_words(&req);
	}
	return 0;
}
