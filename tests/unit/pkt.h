/* SPDX-License-Identifier: ISC */
/*
 * pkt - build wire-format test input byte by byte (big-endian fields).
 *
 * For the unit tests only; include after <cmocka.h>: overflowing the
 * buffer fails the test.
 */
#ifndef MX_TESTS_PKT_H
#define MX_TESTS_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pkt {
	uint8_t b[70000];
	size_t n;
};

static inline void
put8(struct pkt *p, unsigned int v)
{
	assert_true(p->n < sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static inline void
put16(struct pkt *p, unsigned int v)
{
	put8(p, v >> 8 & 0xff);
	put8(p, v & 0xff);
}

static inline void
put24(struct pkt *p, size_t v)
{
	put8(p, (unsigned int)(v >> 16 & 0xff));
	put16(p, (unsigned int)(v & 0xffff));
}

static inline void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static inline void
putbytes(struct pkt *p, const void *v, size_t len)
{
	assert_true(len <= sizeof(p->b) - p->n);
	memcpy(p->b + p->n, v, len);
	p->n += len;
}

#endif
