/* SPDX-License-Identifier: ISC */
/* buf - growable bytes with a mandatory cap. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->cap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_append(struct buf *b, const void *p, size_t len)
{
	size_t want;

	if (len > b->cap - b->len) {
		buf_reset(b);
		return -1;
	}
	if (b->len + len + 1 > b->alloc) {
		want = b->alloc ? b->alloc : 64;
		while (want < b->len + len + 1)
			want *= 2;
		if (want > b->cap + 1)
			want = b->cap + 1;
		b->data = xrealloc(b->data, want);
		b->alloc = want;
	}
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256], *big;
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	rc = buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
buf_str(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

char *
buf_detach(struct buf *b)
{
	char *s = b->data != NULL ? b->data : xstrdup("");

	buf_init(b, b->cap);
	return s;
}
