/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors and warnings (lib/ layers: xalloc -> json -> errors -> output ->
 * utils): "tcpopt: OBJECT: message" on stderr, and with -j also on stdout
 * through json.h.  Below the document tree: output.c may not use them.
 */
#ifndef TCPOPT_ERRORS_H
#define TCPOPT_ERRORS_H

#include <stdbool.h>

/*
 * Return convention: 0 on success, -errno on a run-time failure, -EUSAGE on
 * bad input.  Only main() turns this into an exit status (0, 1, 2).
 */
#define EUSAGE 4095

/* The object named in error messages ("option", "pm", ...). */
void err_set_object(const char *object);
const char *err_object(void);
/* Print "tcpopt: OBJECT: message" (and {"error": ...} with -j); return err. */
int err_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int err_run(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A warning: the command goes on.  "tcpopt: OBJECT: message" on stderr,
 * and with -j also in stdout's JSON: in the command's next document when
 * that is an object ("warnings": [...]), else a line {"warning": "..."}
 * after it or at the end of the command.  See tcpopt(8), WARNINGS.
 */
void err_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Has an error already been printed for the current command? */
bool err_reported(void);
void err_reset(void);
/*
 * The text of an error code, errno or libbpf's own (LIBBPF_ERRNO__*, which
 * strerror() calls "Unknown error 4001"), either sign: what every message
 * that names a failure uses instead of strerror().
 */
const char *err_str(int err);

#endif
