// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "utils.h"

#define MAX_WORDS 128

int batch_split(char *line, char **argv, int max)
{
	char *in = line, *out = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			break;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = out;
		while (*in && (quote || (*in != ' ' && *in != '\t' &&
					 *in != '\n' && *in != '\r'))) {
			if (quote && *in == quote) {
				quote = 0;
				in++;
			} else if (!quote && (*in == '"' || *in == '\'')) {
				quote = *in++;
			} else if (*in == '\\' && quote != '\'' && in[1]) {
				in++;
				*out++ = *in++;
			} else {
				*out++ = *in++;
			}
		}
		if (quote)
			return -EINVAL;
		if (*in)
			in++;
		*out++ = '\0';
	}
	return argc;
}

int batch_run(const char *file, int (*run)(int argc, char **argv))
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL, *argv[MAX_WORDS + 1];
	size_t cap = 0;
	unsigned int lineno = 0;
	int rc = 0, argc;

	if (!f) {
		err_set_object("batch");
		return err_run(-errno, "cannot open \"%s\": %s", file, err_str(errno));
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		argc = batch_split(line, argv, MAX_WORDS);
		if (argc == 0)
			continue;
		if (argc < 0) {
			err_set_object("batch");
			rc = err_usage("%s:%u: %s", file,  lineno,
				       argc == -E2BIG ? "too many words" : "unterminated quote");
			break;
		}
		argv[argc] = NULL;
		rc = run(argc, argv);
		if (rc) {
			err_set_object("batch");
			err_run(rc, "%s:%u: command failed", file, lineno);
			break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}
