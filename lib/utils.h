/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsers, word tables and dispatch, files and signals shared by all
 * objects: the top of lib/'s layers (xalloc -> json -> errors -> output ->
 * utils).  Includes xalloc.h and errors.h, which every user of it needs.
 */
#ifndef TCPOPT_UTILS_H
#define TCPOPT_UTILS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xalloc.h"
#include "errors.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Strict number parsers: the whole string, no sign, no overflow. */
int parse_u64(const char *s, uint64_t *val);
int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *val);
/* The same, in decimal or 0x-prefixed hex ("0x4e2a", "20010"): ExIDs,
 * tokens.  0, -EINVAL or -ERANGE. */
int parse_u32_range_hex(const char *s, uint32_t min, uint32_t max, uint32_t *val);
/* The value of a hex digit, -1 if c is none. */
int hex_digit(char c);
/* "250ms", "30s", "5min", "2h", "1d", "1.5s"; a plain number is in
 * default_unit ("ms", "s"...). */
int parse_duration_ms(const char *s, const char *default_unit, uint64_t *ms);
int parse_port(const char *s, uint16_t *port);

struct prefix {
	uint8_t family;		/* AF_INET, AF_INET6, 0 = none */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];
};
int parse_prefix(const char *s, struct prefix *p);
void format_prefix(const struct prefix *p, char *buf, size_t len);

/*
 * Look a word up in a table whose elements begin with a const char *name:
 * an exact match wins, else a unique prefix.  Returns the index, -ENOENT
 * (unknown) or -EEXIST (ambiguous).
 */
int word_lookup(const char *word, const void *table, size_t n, size_t stride);
/* "add, del, list" for error messages. */
void word_choices(const void *table, size_t n, size_t stride, char *buf, size_t len);

/* An entry without func is the object's "help": usage on stdout. */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* Run the command argv[0] from cmds (cmds[0] when argc is 0). */
int cmd_dispatch(const char *what, const struct cmd *cmds, size_t n,
		 void (*usage)(FILE *f), int argc, char **argv);

/* Keyword tables for "key value" arguments. */
struct keyword {
	const char *name;
	bool has_value;
	int id;
};

/*
 * Take the next keyword off argv.  On success *id is its id, *value its
 * value (or NULL) and argc/argv are advanced.  Unknown, ambiguous and
 * valueless keywords are reported here and give -EUSAGE.
 */
int keyword_next(int *argc, char ***argv, const struct keyword *kw, size_t n,
		 int *id, const char **value);

/*
 * Replace file whole or not at all: fill(f, ctx) writes a temporary file
 * beside it ("FILE.XXXXXX", in the same directory, so that no glob "*.EXT"
 * matches it), which is synced and renamed over file (mode 0644).  A
 * reader sees the old file or the new one, never a part.  0 or -errno
 * (nothing left behind then).
 */
int file_replace(const char *file, void (*fill)(FILE *f, void *ctx), void *ctx);

/*
 * Call cb for each entry of the open directory fd ("." and ".." left out)
 * with its inode number and d_type as getdents64 gives them: no stat per
 * entry.  Stops at cb's first non-zero and returns it; -errno if the
 * directory cannot be read.  fd stays open; cb may openat() relative to it.
 */
typedef int (*dir_entry_cb)(int fd, const char *name, uint64_t ino,
			    unsigned char type, void *ctx);
int dir_for_each(int fd, dir_entry_cb cb, void *ctx);

/* snprintf that reports truncation: 0 or -ENAMETOOLONG. */
int xsnprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Words written into buf one at a time, a blank between them ("expire 5min
 * prefix4 24"): word_buf_init(), word_add() for each, then word_buf_end():
 * 0, or -ENAMETOOLONG when they did not all fit.
 */
struct word_buf {
	char *buf;
	size_t len;
	size_t used;
};

void word_buf_init(struct word_buf *w, char *buf, size_t len);
void word_add(struct word_buf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int word_buf_end(const struct word_buf *w);

/*
 * SIGINT and SIGTERM through a descriptor, for the foreground loops (no race
 * between a check and poll()): blocks them and returns a signalfd, or
 * -errno.  stop_signals_close() closes it and restores the mask in *old.
 */
int stop_signals_open(sigset_t *old);
void stop_signals_close(int sfd, const sigset_t *old);
/* After poll() said sfd is readable: consume the signal (0 or -errno). */
int stop_signals_consume(int sfd);

#endif
