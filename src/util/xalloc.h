/* SPDX-License-Identifier: ISC */
/*
 * xalloc - allocation that aborts on exhaustion.
 *
 * Callers never check for NULL: caps on peer-fed data, not NULL checks, stop
 * attacker-sized allocations (Postfix mymalloc, redis zmalloc).
 */
#ifndef MX_UTIL_XALLOC_H
#define MX_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xmemdup0 - copy len bytes and add a NUL */
char *xmemdup0(const void *p, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
