/* SPDX-License-Identifier: ISC */
/*
 * perr - where and why a parser gave up (Postfix host_port style).
 *
 * Parsers return 0, or -1 and fill a struct perr whose message is static.
 */
#ifndef MX_UTIL_PERR_H
#define MX_UTIL_PERR_H

#include <stddef.h>

struct perr {
	size_t off;      /* byte offset into the input */
	const char *msg; /* static string, lowercase, no final full stop */
};

static inline int
perr_set(struct perr *err, size_t off, const char *msg)
{
	if (err != NULL) {
		err->off = off;
		err->msg = msg;
	}
	return -1;
}

#endif
