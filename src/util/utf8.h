/* SPDX-License-Identifier: ISC */
/*
 * utf8 - decode one UTF-8 sequence, strictly (Unicode 15, table 3-7).
 *
 * No overlongs, no surrogates, nothing above U+10FFFF: the rules jansson
 * applies, so text that passes here passes there.
 */
#ifndef MX_UTIL_UTF8_H
#define MX_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * utf8_decode - length (1..4) of the well-formed sequence at p (len >= 1),
 * its code point in *cp; 0 when it is ill-formed, and then *bad is the
 * length of its maximal subpart (>= 1), the bytes to replace with one
 * U+FFFD. cp and bad may be NULL.
 */
size_t utf8_decode(
    const unsigned char *p, size_t len, uint32_t *cp, size_t *bad);

/*
 * utf8_printable - a decoded code point that may be shown as itself on a
 * terminal or page: not a C0/C1 control, bidi mark, embedding or isolate,
 * line/paragraph separator, or BOM (the Trojan Source characters)
 */
bool utf8_printable(uint32_t cp);

#endif
