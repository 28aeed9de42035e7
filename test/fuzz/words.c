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
#include "../../tcpopt/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct opt_request req;
	char line[1024], words[1024], *argv[64];
	int argc, err;

	if (size >= sizeof(line))
		return -1;
	memcpy(line, data, size);
	line[size] = '\0';
	if (strlen(line) != size)
		return -1;	/* a NUL cannot reach the parser from argv */
	argc = batch_split(line, argv, 63);
	if (argc <= 0)
		return 0;
	argv[argc] = NULL;
	/* "object FILE" opens the file: not this target's business */
	if (!strncmp(argv[0], "ob", 2))
		return -1;
	err = parse_request(argc, argv, PARSE_ADD, &req);
	if (err)
		return 0;
	req.cfg.common.abi = TCPOPT_ABI;
	if (apply_words(&req) || request_pin(&req))
		return 0;
	err = option_words(req.desc, req.cfg.bytes, words, sizeof(words));
	if (err == -EPROTO || err == -EOPNOTSUPP)
		abort();	/* a config whose words do not give it back */
	return 0;
}
