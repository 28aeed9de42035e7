// SPDX-License-Identifier: GPL-2.0
/* The harness of test/unit/unit.h. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

int unit_failed_checks;

bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	if (!ok) {
		printf("#   %s:%d: %s is false\n", file, line, expr);
		unit_failed_checks++;
	}
	return ok;
}

bool unit_check_int(int64_t got, int64_t want, const char *file, int line,
		    const char *expr)
{
	if (got != want) {
		printf("#   %s:%d: %s is %" PRId64 ", want %" PRId64 "\n", file, line,
		       expr, got, want);
		unit_failed_checks++;
		return false;
	}
	return true;
}

bool unit_check_str(const char *got, const char *want, const char *file, int line,
		    const char *expr)
{
	if (!got || strcmp(got, want)) {
		printf("#   %s:%d: %s is \"%s\", want \"%s\"\n", file, line, expr,
		       got ? got : "(null)", want);
		unit_failed_checks++;
		return false;
	}
	return true;
}

int unit_main(const struct unit_test *tests, size_t n, int argc, char **argv)
{
	const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
	int failed = 0, before, devnull;
	size_t i;

	prog = prog ? prog + 1 : argv[0];
	/* The code under test reports bad input on stderr, as it should: the
	 * checks look at results, so keep the TAP readable. */
	if (!getenv("UNIT_VERBOSE")) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, STDERR_FILENO);
			close(devnull);
		}
	}
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		before = unit_failed_checks;
		tests[i].run();
		fflush(stdout);
		if (unit_failed_checks == before) {
			printf("ok %zu %s: %s\n", i + 1, prog, tests[i].name);
		} else {
			printf("not ok %zu %s: %s\n", i + 1, prog, tests[i].name);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
