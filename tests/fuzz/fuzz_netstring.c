/* SPDX-License-Identifier: ISC */
/*
 * fuzz_netstring - decode the input as a stream of netstrings three ways
 * (whole, one byte at a time, in chunks whose sizes the input chooses) and
 * with two maximums, and check what the decoder promises: every way yields
 * the same netstrings and the same error at the same offset; the payloads
 * respect the maximum; and, because the length grammar is canonical, the
 * netstrings re-encoded are exactly the bytes consumed before the error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/netstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAXOUT (1 << 20)

struct fuzz_run {
	struct buf enc;  /* the payloads re-encoded */
	size_t n;        /* netstrings */
	size_t consumed; /* bytes consumed up to the end or the error */
	const char *msg; /* error, or NULL */
	size_t erroff;   /* its stream offset */
	bool partial;    /* a netstring was cut short by the end */
};

/* fuzz_decode - feed (p, len) in chunks of the sizes in steps (cycled) */
static void
fuzz_decode(const char *p, size_t len, size_t max, const uint8_t *steps,
    size_t nsteps, struct fuzz_run *r)
{
	struct netstring_dec d;
	enum netstring_status st;
	const char *out;
	size_t pos = 0, k = 0, chunk, used, outlen, cpos;

	memset(r, 0, sizeof(*r));
	buf_init(&r->enc, FUZZ_MAXOUT);
	netstring_dec_init(&d, max);
	while (pos < len) {
		chunk = nsteps > 0 ? (size_t)steps[k++ % nsteps] % 7 + 1 : len;
		if (chunk > len - pos)
			chunk = len - pos;
		cpos = 0;
		for (;;) {
			st = netstring_dec_feed(&d, p + pos + cpos,
			    chunk - cpos, &used, &out, &outlen);
			if (used > chunk - cpos)
				abort();
			cpos += used;
			if (st == NETSTRING_DONE) {
				if (out == NULL || outlen > max)
					abort();
				if (netstring_encode(&r->enc, out, outlen) != 0)
					abort();
				r->n++;
				if (netstring_dec_partial(&d))
					abort();
				continue;
			}
			if (st == NETSTRING_MORE && cpos != chunk)
				abort();
			break;
		}
		pos += cpos;
		if (st == NETSTRING_ERROR) {
			if (d.err.msg == NULL || d.err.off > pos ||
			    netstring_dec_partial(&d))
				abort();
			r->msg = d.err.msg;
			r->erroff = d.err.off;
			/* sticky */
			if (netstring_dec_feed(&d, "0:,", 3, &used, &out,
			        &outlen) != NETSTRING_ERROR ||
			    used != 0)
				abort();
			break;
		}
	}
	r->consumed = pos;
	if (d.off != pos)
		abort();
	r->partial = netstring_dec_partial(&d);
	netstring_dec_release(&d);
}

static void
fuzz_same(const struct fuzz_run *a, const struct fuzz_run *b)
{
	if (a->n != b->n || a->consumed != b->consumed || a->msg != b->msg ||
	    a->erroff != b->erroff || a->partial != b->partial ||
	    a->enc.len != b->enc.len ||
	    (a->enc.len > 0 && memcmp(a->enc.data, b->enc.data, a->enc.len)))
		abort();
}

static void
fuzz_max(const char *p, size_t len, size_t max)
{
	struct fuzz_run whole, bytes, chunks;
	uint8_t one = 0;

	fuzz_decode(p, len, max, NULL, 0, &whole);
	fuzz_decode(p, len, max, &one, 1, &bytes);
	fuzz_decode(p, len, max, (const uint8_t *)p, len, &chunks);
	fuzz_same(&whole, &bytes);
	fuzz_same(&whole, &chunks);
	/*
	 * canonical: what was consumed re-encodes to itself, up to the start
	 * of the netstring that failed or was cut short
	 */
	if (whole.enc.len > whole.consumed ||
	    (whole.enc.len > 0 && memcmp(whole.enc.data, p, whole.enc.len)))
		abort();
	if (whole.msg == NULL && !whole.partial &&
	    whole.enc.len != whole.consumed)
		abort();
	if (whole.msg != NULL && whole.erroff < whole.enc.len)
		abort();
	buf_release(&whole.enc);
	buf_release(&bytes.enc);
	buf_release(&chunks.enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an empty input may come as a NULL pointer */
	const char *p = size > 0 ? (const char *)data : "";

	fuzz_max(p, size, 10000);
	fuzz_max(p, size, 9);
	fuzz_max(p, size, 0);
	return 0;
}
