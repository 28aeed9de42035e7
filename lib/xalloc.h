/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lowest layer of lib/ (xalloc -> json -> errors -> output -> utils):
 * allocation that aborts when memory runs out, since nothing here can go
 * on without it.  Depends on the C library alone.
 */
#ifndef TCPOPT_XALLOC_H
#define TCPOPT_XALLOC_H

#include <stddef.h>

void *xzalloc(size_t size);
char *xstrdup(const char *s);
/* Say so on stderr and abort: for allocators that are not these. */
void xalloc_failed(void) __attribute__((noreturn));
/* realloc() of n elements of size bytes, checked for overflow. */
void *xrealloc_array(void *p, size_t n, size_t size);
/*
 * A growing array: returns v with room for element n (n < *cap after),
 * doubling *cap when full.  l->v = xgrow(l->v, l->n, &l->cap, sizeof(*l->v));
 */
void *xgrow(void *v, size_t n, size_t *cap, size_t size);

#endif
