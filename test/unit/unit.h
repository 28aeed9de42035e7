/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small harness for the C unit tests of tcpopt's pure functions (make
 * check-unit).  Each test file is one program: its tests are functions
 * listed in a table given to UNIT_MAIN; each check that fails prints its
 * file, line and values, and the program prints TAP ("ok N name") and
 * exits 1 if any check failed.
 */
#ifndef TCPOPT_UNIT_H
#define TCPOPT_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*run)(void);
};

extern int unit_failed_checks;

bool unit_check(bool ok, const char *file, int line, const char *expr);
bool unit_check_int(int64_t got, int64_t want, const char *file, int line,
		    const char *expr);
bool unit_check_str(const char *got, const char *want, const char *file, int line,
		    const char *expr);
int unit_main(const struct unit_test *tests, size_t n, int argc, char **argv);

#define CHECK(cond) unit_check((cond), __FILE__, __LINE__, #cond)
#define CHECK_INT(got, want) unit_check_int((int64_t)(got), (int64_t)(want), \
					    __FILE__, __LINE__, #got)
#define CHECK_STR(got, want) unit_check_str((got), (want), __FILE__, __LINE__, #got)

#define UNIT_MAIN(tests)						\
	int main(int argc, char **argv)					\
	{								\
		return unit_main(tests, sizeof(tests) / sizeof(tests[0]), \
				 argc, argv);				\
	}

#endif
