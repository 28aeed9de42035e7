// SPDX-License-Identifier: GPL-2.0
/* Document tree rendered as JSON or as text tables: see output.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "output.h"
#include "xalloc.h"

enum node_type { N_OBJECT, N_ARRAY, N_STRING, N_UINT, N_INT, N_BOOL, N_NULL };

struct onode {
	enum node_type type;
	char *key;		/* JSON key; NULL inside arrays */
	char *label;		/* text label/header; NULL: use key */
	char *text;		/* text form of a scalar; NULL: JSON form */
	bool json_only;
	union {
		char *str;
		uint64_t u;
		int64_t i;
		bool b;
	};
	struct onode *first, *last, *next;
	size_t count;
};

static struct onode *node_new(enum node_type type)
{
	struct onode *n = xzalloc(sizeof(*n));

	n->type = type;
	return n;
}

struct onode *out_new_object(void)
{
	return node_new(N_OBJECT);
}

struct onode *out_new_array(void)
{
	return node_new(N_ARRAY);
}

void out_free(struct onode *n)
{
	struct onode *c, *next;

	if (!n)
		return;
	for (c = n->first; c; c = next) {
		next = c->next;
		out_free(c);
	}
	if (n->type == N_STRING)
		free(n->str);
	free(n->key);
	free(n->label);
	free(n->text);
	free(n);
}

static struct onode *node_attach(struct onode *parent, enum node_type type,
				 const char *key)
{
	struct onode *n = node_new(type);

	if (key)
		n->key = xstrdup(key);
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	parent->count++;
	return n;
}

struct onode *out_add_object(struct onode *obj, const char *key)
{
	return node_attach(obj, N_OBJECT, key);
}

struct onode *out_add_array(struct onode *obj, const char *key)
{
	return node_attach(obj, N_ARRAY, key);
}

void out_str(struct onode *obj, const char *key, const char *val)
{
	struct onode *n;

	if (!val) {
		out_null(obj, key, "-");
		return;
	}
	n = node_attach(obj, N_STRING, key);
	n->str = xstrdup(val);
}

void out_strf(struct onode *obj, const char *key, const char *fmt, ...)
{
	char *buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		xalloc_failed();
	out_str(obj, key, buf);
	free(buf);
}

void out_uint(struct onode *obj, const char *key, uint64_t val)
{
	node_attach(obj, N_UINT, key)->u = val;
}

void out_int(struct onode *obj, const char *key, int64_t val)
{
	node_attach(obj, N_INT, key)->i = val;
}

void out_bool(struct onode *obj, const char *key, bool val)
{
	node_attach(obj, N_BOOL, key)->b = val;
}

void out_null(struct onode *obj, const char *key, const char *text)
{
	struct onode *n = node_attach(obj, N_NULL, key);

	if (text)
		n->text = xstrdup(text);
}

void out_uint_text(struct onode *obj, const char *key, const char *label,
		   uint64_t val, const char *text)
{
	struct onode *n = node_attach(obj, N_UINT, key);

	n->u = val;
	if (label)
		n->label = xstrdup(label);
	if (text)
		n->text = xstrdup(text);
}

void out_duration_ms(struct onode *obj, const char *key, uint64_t ms)
{
	char jkey[64], text[32];

	snprintf(jkey, sizeof(jkey), "%s_ms", key);
	format_duration_ms(text, sizeof(text), ms);
	out_uint_text(obj, jkey, key, ms, text);
}

void out_uint_json(struct onode *obj, const char *key, uint64_t val)
{
	node_attach(obj, N_UINT, key)->json_only = true;
	obj->last->u = val;
}

struct onode *out_push_object(struct onode *arr)
{
	return node_attach(arr, N_OBJECT, NULL);
}

void out_push_str(struct onode *arr, const char *val)
{
	node_attach(arr, N_STRING, NULL)->str = xstrdup(val);
}

size_t out_count(const struct onode *n)
{
	return n ? n->count : 0;
}

const struct onode *out_first(const struct onode *n)
{
	return n ? n->first : NULL;
}

const struct onode *out_next(const struct onode *n)
{
	return n ? n->next : NULL;
}

const struct onode *out_get(const struct onode *obj, const char *key)
{
	const struct onode *c;

	for (c = out_first(obj); c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const char *out_get_str(const struct onode *n)
{
	return n && n->type == N_STRING ? n->str : NULL;
}

int out_get_uint(const struct onode *n, uint64_t *val)
{
	if (!n || n->type != N_UINT)
		return -ENOENT;
	*val = n->u;
	return 0;
}

void format_duration_ms(char *buf, size_t len, uint64_t ms)
{
	static const struct { uint64_t ms; const char *unit; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "min" },
		{ 1000, "s" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms >= units[i].ms && ms % units[i].ms == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", ms / units[i].ms,
				 units[i].unit);
			return;
		}
	}
	if (ms >= 1000 && ms % 100 == 0)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s", ms / 1000,
			 (ms % 1000) / 100);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
}

/* ---- JSON ---- */

static void json_indent(FILE *f, int depth)
{
	if (!out_is_pretty())
		return;
	fputc('\n', f);
	while (depth-- > 0)
		fputs("    ", f);
}

static void json_write(FILE *f, const struct onode *n, int depth)
{
	const struct onode *c;
	bool container = n->type == N_OBJECT || n->type == N_ARRAY;

	switch (n->type) {
	case N_STRING: out_json_string(f, n->str); return;
	case N_UINT: fprintf(f, "%" PRIu64, n->u); return;
	case N_INT: fprintf(f, "%" PRId64, n->i); return;
	case N_BOOL: fputs(n->b ? "true" : "false", f); return;
	case N_NULL: fputs("null", f); return;
	default: break;
	}
	fputc(n->type == N_OBJECT ? '{' : '[', f);
	for (c = n->first; c; c = c->next) {
		json_indent(f, depth + 1);
		if (n->type == N_OBJECT) {
			out_json_string(f, c->key ? c->key : "");
			fputs(out_is_pretty() ? ": " : ":", f);
		}
		json_write(f, c, depth + 1);
		if (c->next)
			fputc(',', f);
	}
	if (container && n->first)
		json_indent(f, depth);
	fputc(n->type == N_OBJECT ? '}' : ']', f);
}

/* ---- text ---- */

static const char *node_label(const struct onode *n)
{
	return n->label ? n->label : n->key ? n->key : "";
}

static bool is_table(const struct onode *n)
{
	return n->type == N_ARRAY && n->first && n->first->type == N_OBJECT;
}

/* Text of a scalar, of an inline object, or of an array of scalars. */
static void cell_write(FILE *f, const struct onode *n)
{
	const struct onode *c;
	bool any = false;

	switch (n->type) {
	case N_STRING:
		fputs(n->text ? n->text : n->str, f);
		return;
	case N_UINT:
		if (n->text)
			fputs(n->text, f);
		else
			fprintf(f, "%" PRIu64, n->u);
		return;
	case N_INT:
		fprintf(f, "%" PRId64, n->i);
		return;
	case N_BOOL:
		fputs(n->text ? n->text : n->b ? "yes" : "no", f);
		return;
	case N_NULL:
		fputs(n->text ? n->text : "-", f);
		return;
	default:
		break;
	}
	for (c = n->first; c; c = c->next) {
		if (c->json_only || is_table(c))
			continue;
		if (n->type == N_OBJECT)
			fprintf(f, "%s%s ", any ? " " : "", node_label(c));
		else if (any)
			fputc(',', f);
		cell_write(f, c);
		any = true;
	}
	if (!any)
		fputc('-', f);
}

/* The same as a string of its own, as long as it is (free() it). */
static char *cell_text(const struct onode *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		xalloc_failed();
	cell_write(f, n);
	if (fclose(f) || !buf)
		xalloc_failed();
	return buf;
}

struct column {
	const char *key;
	const char *label;
	size_t width;
};

static int column_index(const struct column *cols, size_t ncols, const char *key)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (!strcmp(cols[i].key, key))
			return (int)i;
	return -1;
}

static void print_header(FILE *f, const struct column *cols, size_t ncols, int indent)
{
	size_t i;
	const char *p;

	fprintf(f, "%*s", indent, "");
	for (i = 0; i < ncols; i++) {
		for (p = cols[i].label; *p; p++)
			fputc(*p == '_' ? ' ' : toupper((unsigned char)*p), f);
		if (i + 1 < ncols)
			fprintf(f, "%*s", (int)(cols[i].width - strlen(cols[i].label) + 2), "");
	}
	fputc('\n', f);
}

/* The cell of row in column key: its last scalar child of that key. */
static const struct onode *row_cell(const struct onode *row, const char *key)
{
	const struct onode *c, *v = NULL;

	for (c = row->first; c; c = c->next)
		if (c->key && !strcmp(c->key, key) && !c->json_only && !is_table(c))
			v = c;
	return v;
}

static void text_table(FILE *f, const struct onode *arr, int indent)
{
	struct column *cols = NULL;
	const struct onode *row, *c;
	size_t ncols = 0, cap = 0, i;
	char *cell;
	int k;

	/* Columns: the union of the rows' scalar keys, in first-seen order,
	 * as many as there are and as wide as their widest cell. */
	for (row = arr->first; row; row = row->next) {
		for (c = row->first; c; c = c->next) {
			if (c->json_only || is_table(c) || !c->key)
				continue;
			k = column_index(cols, ncols, c->key);
			if (k < 0) {
				cols = xgrow(cols, ncols, &cap, sizeof(*cols));
				k = (int)ncols++;
				cols[k].key = c->key;
				cols[k].label = node_label(c);
				cols[k].width = strlen(cols[k].label);
			}
			cell = cell_text(c);
			if (strlen(cell) > cols[k].width)
				cols[k].width = strlen(cell);
			free(cell);
		}
	}
	print_header(f, cols, ncols, indent);
	for (row = arr->first; row; row = row->next) {
		fprintf(f, "%*s", indent, "");
		for (i = 0; i < ncols; i++) {
			const struct onode *v = row_cell(row, cols[i].key);

			cell = v ? cell_text(v) : xstrdup("-");
			if (i + 1 < ncols)
				fprintf(f, "%-*s  ", (int)cols[i].width, cell);
			else
				fputs(cell, f);
			free(cell);
		}
		fputc('\n', f);
		for (c = row->first; c; c = c->next)
			if (is_table(c))
				text_table(f, c, indent + 4);
	}
	free(cols);
}

static void text_object(FILE *f, const struct onode *obj)
{
	const struct onode *c;
	size_t width = 0;

	for (c = obj->first; c; c = c->next)
		if (!c->json_only && !is_table(c) && strlen(node_label(c)) > width)
			width = strlen(node_label(c));
	for (c = obj->first; c; c = c->next) {
		if (c->json_only || is_table(c))
			continue;
		fprintf(f, "%-*s  ", (int)width + 1, node_label(c));
		cell_write(f, c);
		fputc('\n', f);
	}
	for (c = obj->first; c; c = c->next) {
		if (!is_table(c))
			continue;
		fputc('\n', f);
		text_table(f, c, 0);
	}
}

static void push_warning(const char *msg, void *arr)
{
	out_push_str(arr, msg);
}

void out_render(struct onode *root, FILE *f)
{
	if (out_is_json() && out_warnings_waiting() && root->type == N_OBJECT)
		out_warnings_take(push_warning, out_add_array(root, "warnings"));
	if (out_is_json()) {
		json_write(f, root, 0);
		fputc('\n', f);
	} else if (is_table(root)) {
		text_table(f, root, 0);
	} else if (root->type == N_OBJECT) {
		text_object(f, root);
	} else if (root->type == N_ARRAY && root->first) {
		cell_write(f, root);
		fputc('\n', f);
	}
	out_flush_warnings(f);
	fflush(f);
	out_free(root);
}
