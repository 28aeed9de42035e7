/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPOPT_BATCH_H
#define TCPOPT_BATCH_H

/*
 * Feed each line of file ("-" for stdin) to run, split into words as a
 * shell would for simple quoting ('...', "...", backslash) with # comments.
 * Stops at the first line that fails, names it, and returns its result.
 */
int batch_run(const char *file, int (*run)(int argc, char **argv));

/* Split one line in place; returns the number of words or -EUSAGE. */
int batch_split(char *line, char **argv, int max);

#endif
