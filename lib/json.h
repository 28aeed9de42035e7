/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both the errors and the document tree need of -j (lib/ layers:
 * xalloc -> json -> errors -> output -> utils): the mode, JSON string
 * escaping, and the warnings waiting for a document.  Depends on xalloc
 * alone, so that errors.c can reach JSON output without the tree.
 */
#ifndef TCPOPT_JSON_H
#define TCPOPT_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* Mode, set once by main() from the global options. */
void out_set_mode(bool json, bool pretty);
bool out_is_json(void);
bool out_is_pretty(void);

/* s as a JSON string, quotes included. */
void out_json_string(FILE *f, const char *s);

/*
 * Warnings for -j (err_warn() gives them): kept for the next document,
 * which out_render() gives them to when it is an object ("warnings");
 * out_flush_warnings() prints those that found none, each as a line
 * {"warning": "..."}: after a list, a stream's line, or no document.
 */
void out_warning(const char *msg);
bool out_warnings_waiting(void);
/* Hand each waiting warning to take(msg, ctx), oldest first; none wait after. */
void out_warnings_take(void (*take)(const char *msg, void *ctx), void *ctx);
void out_flush_warnings(FILE *f);

#endif
