// SPDX-License-Identifier: GPL-2.0
/*
 * timeit: wall time of commands, for the control-plane benchmarks.
 *
 *   timeit RUNS CMD [ARGS...] [ ::: CMD [ARGS...] ]...
 *
 * Runs the commands in turn (A B A B...: an "add" then its "del"), RUNS
 * times each, their output discarded, and prints one JSON array with, per
 * command, the median, minimum and maximum wall time in microseconds, how
 * many runs exited non-zero, and every run's time in run order (times_us:
 * the i-th of two commands ran side by side, for ratios run by run).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_CMDS 8
#define MAX_RUNS 10000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Wall time of one run in us; *failed set when it did not exit 0. */
static double run_once(char **argv, int *failed)
{
	double start = now_us();
	int status = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		*failed = 1;
		return 0;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		*failed = 1;
	return now_us() - start;
}

int main(int argc, char **argv)
{
	char **cmds[MAX_CMDS];
	double *times[MAX_CMDS];
	int failures[MAX_CMDS] = { 0 };
	int ncmds = 0, runs, i, r;
	char *end;

	if (argc < 3) {
		fprintf(stderr, "Usage: timeit RUNS CMD [ARGS...] [ ::: CMD [ARGS...] ]...\n");
		return 2;
	}
	runs = (int)strtol(argv[1], &end, 10);
	if (*end || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "timeit: invalid RUNS \"%s\"\n", argv[1]);
		return 2;
	}
	/* Split argv at ":::" in place: each command is NULL-terminated. */
	for (i = 2; i < argc; i++) {
		bool sep = !strcmp(argv[i], ":::");

		if (i == 2 || !argv[i - 1]) {
			if (ncmds == MAX_CMDS || sep) {
				fprintf(stderr, "timeit: empty command, or more than %d\n", MAX_CMDS);
				return 2;
			}
			cmds[ncmds++] = &argv[i];
		}
		if (sep) {
			if (i == argc - 1) {
				fprintf(stderr, "timeit: empty command after \":::\"\n");
				return 2;
			}
			argv[i] = NULL;
		}
	}
	for (i = 0; i < ncmds; i++) {
		times[i] = calloc(runs, sizeof(double));
		if (!times[i])
			return 1;
	}
	for (r = 0; r < runs; r++)
		for (i = 0; i < ncmds; i++) {
			int failed = 0;

			times[i][r] = run_once(cmds[i], &failed);
			failures[i] += failed;
		}
	printf("[");
	for (i = 0; i < ncmds; i++) {
		printf("%s{\"times_us\":[", i ? "," : "");
		for (r = 0; r < runs; r++)
			printf("%s%.0f", r ? "," : "", times[i][r]);
		qsort(times[i], runs, sizeof(double), cmp_double);
		printf("],\"runs\":%d,\"median_us\":%.0f,\"min_us\":%.0f,\"max_us\":%.0f,\"failures\":%d}",
		       runs,
		       runs % 2 ? times[i][runs / 2] : (times[i][runs / 2 - 1] + times[i][runs / 2]) / 2,
		       times[i][0], times[i][runs - 1], failures[i]);
		free(times[i]);
	}
	printf("]\n");
	return 0;
}
