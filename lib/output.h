/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output path for tables and JSON.
 *
 * A command builds a small document tree (objects, arrays, values) and hands
 * it to out_render(); the global mode (-j, -p) decides whether it becomes
 * JSON or text.  Each field is therefore written once, and the two forms
 * cannot drift apart.
 *
 * Text form:
 *   - an array of objects is a table, one row per object, a column per key
 *     (the header is the key's label in upper case);
 *   - an object is a list of "label: value" lines;
 *   - an object nested in a row is one cell, "label value label value";
 *   - an array of objects nested in a row is a sub-table printed, indented,
 *     under that row.
 */
#ifndef TCPOPT_OUTPUT_H
#define TCPOPT_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct onode;

struct onode *out_new_object(void);
struct onode *out_new_array(void);
void out_free(struct onode *n);

/* Children of an object.  A NULL label means "same as the key"; the text
 * form of a value is its JSON form unless text is given. */
struct onode *out_add_object(struct onode *obj, const char *key);
struct onode *out_add_array(struct onode *obj, const char *key);
void out_str(struct onode *obj, const char *key, const char *val);
void out_strf(struct onode *obj, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void out_uint(struct onode *obj, const char *key, uint64_t val);
void out_int(struct onode *obj, const char *key, int64_t val);
void out_bool(struct onode *obj, const char *key, bool val);
void out_null(struct onode *obj, const char *key, const char *text);
/* A number whose text form differs (e.g. 120000 shown as "120s"). */
void out_uint_text(struct onode *obj, const char *key, const char *label,
		   uint64_t val, const char *text);
/* A duration: JSON "<key>_ms": N, text "<key> 1.5s". */
void out_duration_ms(struct onode *obj, const char *key, uint64_t ms);
/* Only in JSON (identifiers a table has no room for). */
void out_uint_json(struct onode *obj, const char *key, uint64_t val);

/* Elements of an array. */
struct onode *out_push_object(struct onode *arr);
void out_push_str(struct onode *arr, const char *val);

size_t out_count(const struct onode *n);

/* Reading a tree back, for renderers of other formats (stats export). */
const struct onode *out_first(const struct onode *n);	/* first child */
const struct onode *out_next(const struct onode *n);	/* next sibling */
/* The child of obj with that key, NULL if none. */
const struct onode *out_get(const struct onode *obj, const char *key);
/* A string's value (NULL: not a string). */
const char *out_get_str(const struct onode *n);
/* A number's value: 0, or -ENOENT when n is no (unsigned) number. */
int out_get_uint(const struct onode *n, uint64_t *val);

/* Print the tree on f in the current mode, then free it.  With -j, the
 * warnings given since the last document join an object root as its
 * array "warnings". */
void out_render(struct onode *root, FILE *f);

/* "1.5s", "2min", "250ms": the shortest exact form of a duration. */
void format_duration_ms(char *buf, size_t len, uint64_t ms);

#endif
