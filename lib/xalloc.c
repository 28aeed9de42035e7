// SPDX-License-Identifier: GPL-2.0
/* Allocation that aborts when memory runs out: see xalloc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void xalloc_failed(void)
{
	fputs("tcpopt: out of memory\n", stderr);
	abort();
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		xalloc_failed();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		xalloc_failed();
	return p;
}

void *xrealloc_array(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size);
	if (!p)
		xalloc_failed();
	return p;
}

void *xgrow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 16;
	if (*cap <= n)
		*cap = n + 1;
	return xrealloc_array(v, *cap, size);
}
