// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the batch file reader.  The input is a whole file; each
 * line it hands on must be NULL-terminated words that fit the line, and
 * goes through the option parser as "tcpopt -b" would send it to the
 * dispatcher (without touching the kernel).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../lib/batch.h"
#include "../../tcpopt/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t input_size;

static int parse_line(int argc, char **argv)
{
	static struct opt_request req;
	size_t total = 0;
	int i;

	if (argc < 1 || argv[argc] != NULL)
		abort();
	for (i = 0; i < argc; i++)
		total += strlen(argv[i]);
	if (total > input_size)
		abort();	/* words longer than the file they came from */
	if (strcmp(argv[0], "option") || argc < 2 || strcmp(argv[1], "add"))
		return argv[0][0] == 'x' ? -EUSAGE : 0;	/* let some lines fail */
	if (!parse_request(argc - 2, argv + 2, PARSE_ADD, &req) && req.desc != &object_desc) {
		req.cfg.common.abi = TCPOPT_ABI;
		apply_words(&req);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];

	if (size > 65536)
		return -1;
	if (fd < 0)
		fd = memfd_create("tcpopt-fuzz-batch", 0);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	input_size = size;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	batch_run(path, parse_line);
	return 0;
}
