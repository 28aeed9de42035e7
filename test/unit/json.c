// SPDX-License-Identifier: GPL-2.0
/* The output layer (lib/output.c): JSON string escaping, and one tree as
 * JSON and as text. */
#include <stdlib.h>

#include "unit.h"
#include "../../lib/output.h"

static char *escaped(const char *s)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	out_json_string(f, s);
	fclose(f);
	return text;
}

static void escapes_to(const char *in, const char *want)
{
	char *got = escaped(in);

	CHECK_STR(got, want);
	free(got);
}

static void test_escape(void)
{
	escapes_to("", "\"\"");
	escapes_to("plain", "\"plain\"");
	escapes_to("say \"hi\"", "\"say \\\"hi\\\"\"");
	escapes_to("C:\\dir", "\"C:\\\\dir\"");
	escapes_to("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
	escapes_to("\x01\x1f", "\"\\u0001\\u001f\"");
	escapes_to("\b\f", "\"\\u0008\\u000c\"");
	/* DEL and UTF-8 need no escape in JSON */
	escapes_to("\x7f", "\"\x7f\"");
	escapes_to("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	escapes_to("/", "\"/\"");
}

/* Every byte from 1 to 255: the result is one JSON string whose only
 * unescaped characters are ones JSON allows there. */
static void test_escape_all_bytes(void)
{
	char in[256], *out, *p;
	int i;

	for (i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	out = escaped(in);
	CHECK(out[0] == '"' && out[strlen(out) - 1] == '"');
	for (p = out + 1; p < out + strlen(out) - 1; p++) {
		if (!CHECK((unsigned char)*p >= 0x20))
			break;
		if (*p == '\\') {
			p++;
			if (!CHECK(strchr("\"\\ntru", *p) != NULL))
				break;
			if (*p == 'u')
				p += 4;
		} else if (!CHECK(*p != '"')) {
			break;
		}
	}
	free(out);
}

static char *render(struct onode *root, bool json, bool pretty)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	out_set_mode(json, pretty);
	out_render(root, f);
	fclose(f);
	out_set_mode(false, false);
	return text;
}

static struct onode *table(void)
{
	struct onode *arr = out_new_array(), *row;

	row = out_push_object(arr);
	out_str(row, "name", "a \"quoted\" one");
	out_uint(row, "count", 3);
	out_duration_ms(row, "timeout", 120000);
	out_bool(row, "up", true);
	row = out_push_object(arr);
	out_str(row, "name", "b");
	out_uint(row, "count", 18446744073709551615ULL);
	out_duration_ms(row, "timeout", 1500);
	out_bool(row, "up", false);
	return arr;
}

static void test_render(void)
{
	char *text;

	text = render(table(), true, false);
	CHECK_STR(text, "[{\"name\":\"a \\\"quoted\\\" one\",\"count\":3,\"timeout_ms\":120000,\"up\":true},"
			"{\"name\":\"b\",\"count\":18446744073709551615,\"timeout_ms\":1500,\"up\":false}]\n");
	free(text);
	text = render(out_new_array(), true, false);
	CHECK_STR(text, "[]\n");
	free(text);
	/* the same tree as a table: a header, then a row each */
	text = render(table(), false, false);
	CHECK(strstr(text, "NAME") == text);
	CHECK(strstr(text, "TIMEOUT") != NULL);
	CHECK(strstr(text, "a \"quoted\" one") != NULL);
	CHECK(strstr(text, "2min") != NULL);
	CHECK(strstr(text, "1.5s") != NULL);
	CHECK(strstr(text, "18446744073709551615") != NULL);
	free(text);
}

static const struct unit_test tests[] = {
	{ "out_json_string: quotes, backslashes, control characters", test_escape },
	{ "out_json_string: every byte gives valid JSON", test_escape_all_bytes },
	{ "out_render: one tree as JSON and as a table", test_render },
};

UNIT_MAIN(tests)
