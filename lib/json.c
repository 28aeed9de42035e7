// SPDX-License-Identifier: GPL-2.0
/* The -j mode, JSON strings and the warnings waiting for a document: see json.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "xalloc.h"

static bool json_mode, pretty_mode;

/* Warnings waiting for a document (-j). */
static struct {
	char **v;
	size_t n, cap;
} warnings;

void out_set_mode(bool json, bool pretty)
{
	json_mode = json;
	pretty_mode = pretty;
}

bool out_is_json(void)
{
	return json_mode;
}

bool out_is_pretty(void)
{
	return pretty_mode;
}

void out_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void out_warning(const char *msg)
{
	warnings.v = xgrow(warnings.v, warnings.n, &warnings.cap, sizeof(*warnings.v));
	warnings.v[warnings.n++] = xstrdup(msg);
}

bool out_warnings_waiting(void)
{
	return warnings.n;
}

void out_warnings_take(void (*take)(const char *msg, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < warnings.n; i++) {
		take(warnings.v[i], ctx);
		free(warnings.v[i]);
	}
	warnings.n = 0;
}

static void print_warning(const char *msg, void *f)
{
	fputs("{\"warning\":", f);
	out_json_string(f, msg);
	fputs("}\n", f);
}

void out_flush_warnings(FILE *f)
{
	if (!warnings.n)
		return;
	out_warnings_take(print_warning, f);
	fflush(f);
}
