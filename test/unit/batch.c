// SPDX-License-Identifier: GPL-2.0
/* Batch files (lib/batch.c): line splitting and the line-by-line runner. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "../../lib/batch.h"
#include "../../lib/utils.h"

/* split LINE and compare with the words, given joined by '|' */
static void split_is(const char *line, int want_argc, const char *want)
{
	char buf[256], joined[256] = "", *argv[8];
	int argc, i;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = batch_split(buf, argv, 8);
	if (!CHECK_INT(argc, want_argc)) {
		printf("#     line \"%s\"\n", line);
		return;
	}
	for (i = 0; i < argc; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			 i ? "|" : "", argv[i]);
	if (!CHECK_STR(joined, want))
		printf("#     line \"%s\"\n", line);
}

static void test_split(void)
{
	split_is("", 0, "");
	split_is("   \t \r\n", 0, "");
	split_is("# a comment", 0, "");
	split_is("  # indented comment", 0, "");
	split_is("option add uto 2min\n", 4, "option|add|uto|2min");
	split_is("a\tb  c\r\n", 3, "a|b|c");
	split_is("a # trailing comment", 1, "a");
	/* '#' inside a word is part of it */
	split_is("a#b c", 2, "a#b|c");
	split_is("\"two words\" 'and more'", 2, "two words|and more");
	split_is("cgroup \"/a b\\\"q\"", 2, "cgroup|/a b\"q");
	split_is("x\"y z\"w", 1, "xy zw");
	split_is("'a\\b'", 1, "a\\b");		/* no escapes in single quotes */
	split_is("a\\ b", 1, "a b");
	split_is("\"\" ''", 2, "|");		/* empty words are words */
	split_is("\"a#b\" # c", 1, "a#b");
	split_is("end\\", 1, "end\\");		/* a lone backslash at the end stays */
	split_is("1 2 3 4 5 6 7 8", 8, "1|2|3|4|5|6|7|8");
	split_is("1 2 3 4 5 6 7 8 9", -E2BIG, "");
	split_is("option add uto \"unterminated", -EINVAL, "");
	split_is("'unterminated", -EINVAL, "");
}

static int calls;
static char seen[512];

static int record(int argc, char **argv)
{
	int i;

	calls++;
	for (i = 0; i < argc; i++)
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
			 i ? " " : "", argv[i]);
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), ";");
	if (argv[argc] != NULL)
		return -EFAULT;		/* argv must end with NULL */
	return strcmp(argv[0], "fail") ? 0 : -EUSAGE;
}

static int run_file(const char *content)
{
	char path[] = "/tmp/tcpopt-unit-batch-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return -errno;
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	calls = 0;
	seen[0] = '\0';
	rc = batch_run(path, record);
	unlink(path);
	return rc;
}

static void test_run(void)
{
	CHECK_INT(run_file("# header\n\nfeature\n  option  list  # why\n"), 0);
	CHECK_INT(calls, 2);
	CHECK_STR(seen, "feature;option list;");
	/* stops at the first failure, with its result */
	CHECK_INT(run_file("a\nfail now\nb\n"), -EUSAGE);
	CHECK_STR(seen, "a;fail now;");
	/* a line that does not split stops the run before it runs */
	CHECK_INT(run_file("a\n\"open\nb\n"), -EUSAGE);
	CHECK_STR(seen, "a;");
	/* no newline at the end, a CRLF file */
	CHECK_INT(run_file("a\r\nb c"), 0);
	CHECK_STR(seen, "a;b c;");
	/* a line longer than any buffer */
	{
		char *big = malloc(20000);

		memset(big, 'x', 19998);
		big[19998] = '\n';
		big[19999] = '\0';
		CHECK_INT(run_file(big), 0);
		CHECK_INT(calls, 1);
		CHECK_INT(strlen(seen), 511);
		free(big);
	}
	CHECK(batch_run("/nonexistent/tcpopt-unit", record) < 0);
}

static const struct unit_test tests[] = {
	{ "batch_split: words, quotes, escapes, comments, limits", test_split },
	{ "batch_run: each line, stops at the first failure", test_run },
};

UNIT_MAIN(tests)
