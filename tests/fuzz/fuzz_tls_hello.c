/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tls_hello - parse the input as a server's first flight, whole and
 * as growing prefixes cut at input-chosen sizes (the incremental contract:
 * a prefix that is DONE or ERROR stays so), classify it, and round-trip
 * cipher lists taken from the input through both hello encoders.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tls_hello.h"
#include "proto/tls_suites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(x)            \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

/* fuzz_tls_hello_check - invariants of any result */
static void
fuzz_tls_hello_check(const struct tls_hello_result *r, enum tls_hello_status st,
    size_t len, bool eof)
{
	FUZZ_CHECK(st == r->status);
	switch (st) {
	case TLS_HELLO_NEED_MORE:
		FUZZ_CHECK(!eof);
		FUZZ_CHECK(r->need >= 1 && r->need <= 5 + 32767);
		break;
	case TLS_HELLO_DONE:
		FUZZ_CHECK(r->kind != TLS_HELLO_KIND_NONE);
		FUZZ_CHECK(r->used <= len);
		break;
	case TLS_HELLO_ERROR:
		FUZZ_CHECK(r->error != NULL && r->error_off <= len);
		break;
	default:
		abort();
	}
	FUZZ_CHECK((unsigned int)r->kind < TLS_HELLO_KIND_MAX);
	FUZZ_CHECK(r->cert_off + r->cert_len <= len);
	FUZZ_CHECK(r->cert_len <= TLS_HELLO_MAXCERT ||
	    r->kind == TLS_HELLO_KIND_SSL2_HELLO);
	FUZZ_CHECK(r->ssl2_conn_id_off + r->ssl2_conn_id_len <= len);
	FUZZ_CHECK(r->next <= TLS_HELLO_MAXEXT);
	FUZZ_CHECK(r->nssl2_specs <= TLS_HELLO_MAXSPECS);
	FUZZ_CHECK(r->nssl2_specs <= r->ssl2_specs_total);
	FUZZ_CHECK(r->garbage_len <= TLS_HELLO_PEEK && r->garbage_len <= len);
	FUZZ_CHECK(memchr(r->excerpt, '\0', sizeof(r->excerpt)) != NULL);
	FUZZ_CHECK(strlen(r->excerpt) <= 4 * r->garbage_len);
}

/* fuzz_tls_hello_parse - whole input, eof or not, and growing prefixes */
static void
fuzz_tls_hello_parse(const uint8_t *data, size_t size)
{
	static const uint16_t suites[] = { 0x002f, 0xc02f, 0x0005, 0x000a };
	static const uint32_t kinds[] = { 0x010080, 0x0700c0 };
	struct tls_hello_result full, r;
	struct tls_hello_verdict v;
	struct tls_hello_offer offer;
	enum tls_hello_status st, fst;
	size_t len, step;
	unsigned int seed;

	fst = tls_hello_parse(data, size, false, &full);
	fuzz_tls_hello_check(&full, fst, size, false);
	st = tls_hello_parse(data, size, true, &r);
	fuzz_tls_hello_check(&r, st, size, true);
	if (fst != TLS_HELLO_NEED_MORE)
		FUZZ_CHECK(st == fst && r.kind == full.kind);

	memset(&offer, 0, sizeof(offer));
	offer.version = size > 0 && data[0] & 1 ? 0x0002 : 0x0303;
	offer.suites = suites;
	offer.nsuites = sizeof(suites) / sizeof(suites[0]);
	offer.kinds = kinds;
	offer.nkinds = sizeof(kinds) / sizeof(kinds[0]);
	tls_hello_classify(&full, &offer, &v);
	FUZZ_CHECK((unsigned int)v.outcome < TLS_HELLO_OUTCOME_MAX);
	tls_hello_classify(&r, &offer, &v);
	FUZZ_CHECK((unsigned int)v.outcome < TLS_HELLO_OUTCOME_MAX);

	/* the chunks a network might deliver: a conclusion never changes */
	seed = size > 1 ? data[size - 1] : 7;
	for (len = 0; len < size; len += step) {
		st = tls_hello_parse(data, len, false, &r);
		fuzz_tls_hello_check(&r, st, len, false);
		if (st != TLS_HELLO_NEED_MORE)
			FUZZ_CHECK(st == fst && r.kind == full.kind);
		seed = seed * 1103515245u + 12345u;
		step = 1 + (seed >> 16) % 97;
		if (size > 4096)
			step *= 16;
	}
}

static unsigned int
fuzz_rd16(const uint8_t *b)
{
	return (unsigned int)b[0] << 8 | b[1];
}

/* fuzz_tls_hello_encode - cipher lists from the input, out and back */
static void
fuzz_tls_hello_encode(const uint8_t *data, size_t size)
{
	static uint8_t out[TLS_HELLO_BUFSIZE];
	static uint16_t suites[4096];
	static uint32_t kinds[4096];
	struct tls_hello_client c;
	struct tls_hello_ssl2_client c2;
	struct perr err;
	uint8_t rnd[TLS_HELLO_RANDOM_LEN] = { 0 };
	char host[64];
	size_t i, n, off, hlen, elen;
	unsigned int ch;
	int len;

	if (size < 4)
		return;
	memset(&c, 0, sizeof(c));
	c.version = (uint16_t)(0x0300 + data[0] % 5);
	c.flags = data[1];
	hlen = data[2] % sizeof(host);
	for (i = 0; i < hlen; i++) {
		ch = data[(3 + i) % size] % 27;
		host[i] = ch == 26 ? '.' : (char)('a' + ch);
	}
	host[hlen] = '\0';
	c.host = host;
	n = (size - 3) / 2;
	if (n > sizeof(suites) / sizeof(suites[0]))
		n = sizeof(suites) / sizeof(suites[0]);
	for (i = 0; i < n; i++)
		suites[i] = (uint16_t)fuzz_rd16(data + 3 + 2 * i);
	c.suites = suites;
	c.nsuites = n;
	memcpy(rnd, data, size < sizeof(rnd) ? size : sizeof(rnd));
	c.random = rnd;
	len = tls_hello_encode(&c, out, sizeof(out), &err);
	if (n == 0) {
		FUZZ_CHECK(len == -1);
	} else if (len > 0) {
		/* record, handshake and cipher-list framing */
		FUZZ_CHECK(len <= (int)sizeof(out));
		FUZZ_CHECK(out[0] == 22 && out[5] == 1);
		FUZZ_CHECK(fuzz_rd16(out + 3) == (unsigned int)len - 5);
		FUZZ_CHECK(((size_t)out[6] << 16 | fuzz_rd16(out + 7)) ==
		    (size_t)len - 9);
		FUZZ_CHECK(fuzz_rd16(out + 9) == c.version);
		FUZZ_CHECK(memcmp(out + 11, rnd, sizeof(rnd)) == 0);
		FUZZ_CHECK(out[43] == 0);
		off = 44;
		FUZZ_CHECK(fuzz_rd16(out + off) >= 2 * n);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(
			    fuzz_rd16(out + off + 2 + 2 * i) == suites[i]);
		off += 2 + fuzz_rd16(out + off);
		FUZZ_CHECK(out[off] == 1 && out[off + 1] == 0);
		off += 2;
		if (off < (size_t)len) {
			elen = fuzz_rd16(out + off);
			FUZZ_CHECK(off + 2 + elen == (size_t)len);
			/* F5: padded out of 256..511 unless told not to */
			if (!(c.flags & TLS_HELLO_F_NO_PADDING))
				FUZZ_CHECK(len - 5 < 256 || len - 5 >= 512);
		}
	} else {
		/* 4096 suites and every extension fit in one record */
		abort();
	}

	memset(&c2, 0, sizeof(c2));
	n = (size - 3) / 3;
	if (n > sizeof(kinds) / sizeof(kinds[0]))
		n = sizeof(kinds) / sizeof(kinds[0]);
	for (i = 0; i < n; i++)
		kinds[i] = (uint32_t)data[3 + 3 * i] << 16 |
		    fuzz_rd16(data + 4 + 3 * i);
	c2.kinds = kinds;
	c2.nkinds = n;
	c2.challenge = rnd;
	c2.challenge_len = 16 + data[0] % 17;
	c2.version = data[1] & 1 ? 0x0301 : 0;
	len = tls_hello_encode_ssl2(&c2, out, sizeof(out), &err);
	if (n == 0) {
		FUZZ_CHECK(len == -1);
	} else {
		FUZZ_CHECK(len == (int)(2 + 9 + 3 * n + c2.challenge_len));
		FUZZ_CHECK((fuzz_rd16(out) & 0x7fff) == (unsigned int)len - 2);
		FUZZ_CHECK(out[0] & 0x80 && out[2] == 1);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(
			    ((uint32_t)out[11 + 3 * i] << 16 |
			        fuzz_rd16(out + 12 + 3 * i)) == kinds[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tls_hello_parse(data, size);
	fuzz_tls_hello_encode(data, size);
	return 0;
}
