/* SPDX-License-Identifier: ISC */
/*
 * buf - growable bytes with a mandatory cap (curl dynbuf, Git strbuf).
 *
 * Always NUL-terminated. An append that would pass the cap fails with -1
 * and empties the buffer, so a peer can never make it grow without bound.
 */
#ifndef MX_UTIL_BUF_H
#define MX_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* owned; NUL-terminated, or NULL when never used */
	size_t len;   /* bytes used, without the NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len */
};

void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* buf_str - the contents as a C string ("" when empty) */
const char *buf_str(const struct buf *b);
/* buf_detach - hand the contents to the caller (owned) and reset */
char *buf_detach(struct buf *b);

#endif
