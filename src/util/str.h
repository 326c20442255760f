/* SPDX-License-Identifier: ISC */
/* str - small string helpers for untrusted bytes. */
#ifndef MX_UTIL_STR_H
#define MX_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * str_escape - a printable copy (owned) of (p, len): bytes outside
 * 0x20..0x7e and the backslash become \xNN (\\ for the backslash).
 */
char *str_escape(const char *p, size_t len);
/* str_lower - lowercase ASCII letters in place; returns s */
char *str_lower(char *s);
/*
 * str_trim_wsp - narrow (*p, *len) to leave out leading and trailing SP
 * and HTAB (the WSP of RFC 5234, which the record grammars use); *p is
 * NULL when nothing is left
 */
void str_trim_wsp(const char **p, size_t *len);

#endif
