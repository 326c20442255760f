/* SPDX-License-Identifier: ISC */
/*
 * ascii - locale-free character classes for untrusted bytes.
 *
 * <ctype.h> is banned on peer data: its result depends on the locale and it
 * is undefined for negative chars.
 */
#ifndef MX_UTIL_ASCII_H
#define MX_UTIL_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool
ascii_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_isalnum(int c)
{
	return ascii_isalpha(c) || ascii_isdigit(c);
}

static inline bool
ascii_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static inline bool
ascii_isprint(int c)
{
	return c >= 0x20 && c < 0x7f;
}

static inline int
ascii_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline int
ascii_toupper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

/* ascii_eq_nocase - compare a (ptr, len) slice with a C string, ignoring case */
bool ascii_eq_nocase(const char *p, size_t len, const char *s);

#endif
