/* SPDX-License-Identifier: ISC */
/*
 * fuzz_hsts - feed the input to the Strict-Transport-Security parser and to
 * the preload readiness check, and check what each promises: problems
 * inside the input, a verdict that agrees with the problem list, a valid
 * header with a max-age, a saturated max-age at UINT64_MAX, case-blind
 * directive names, a valid header that survives being written back in
 * canonical form, clamps below each browser's cap, and a readiness list
 * that agrees with its mask and with the header.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hsts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FLIP_MAX 4096 /* bytes copied for the case-flip check */

/* fuzz_check - the promises of one parse of an input of len */
static void
fuzz_check(
    const struct hsts_header *h, size_t len, int rc, const struct perr *err)
{
	size_t i;
	bool fatal = false;

	if ((rc == 0) != h->valid || (rc == -1 && err->msg == NULL) ||
	    (rc == -1 && err->off > len))
		abort();
	if (h->nproblems > HSTS_MAXPROBLEMS || h->nunknown > h->ndirectives)
		abort();
	for (i = 0; i < h->nproblems; i++) {
		if (h->problems[i].msg == NULL || h->problems[i].off > len)
			abort();
		fatal = fatal || h->problems[i].fatal;
	}
	if (h->valid && (fatal || !h->has_max_age))
		abort();
	if (!h->valid && !fatal && !h->problems_truncated)
		abort();
	if (h->max_age_saturated && h->max_age != UINT64_MAX)
		abort();
	if (!h->has_max_age && (h->max_age != 0 || h->max_age_saturated))
		abort();
}

/* fuzz_same - do two parses agree on everything but offsets */
static void
fuzz_same(const struct hsts_header *a, const struct hsts_header *b)
{
	if (a->valid != b->valid || a->has_max_age != b->has_max_age ||
	    a->max_age != b->max_age ||
	    a->max_age_saturated != b->max_age_saturated ||
	    a->include_subdomains != b->include_subdomains ||
	    a->preload != b->preload || a->ndirectives != b->ndirectives ||
	    a->nunknown != b->nunknown || a->nproblems != b->nproblems)
		abort();
}

/*
 * fuzz_flip - swapping the case of every ASCII letter changes nothing:
 * names ignore case, and max-age values are digits
 */
static void
fuzz_flip(const char *p, size_t len, const struct hsts_header *h)
{
	static char flipped[FUZZ_FLIP_MAX];
	struct hsts_header h2;
	struct perr err = { 0, NULL };
	size_t i;
	int rc;

	if (len > sizeof(flipped))
		return;
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		flipped[i] = c;
	}
	rc = hsts_parse(flipped, len, &h2, &err);
	fuzz_check(&h2, len, rc, &err);
	fuzz_same(h, &h2);
}

/* fuzz_canonical - a valid header written back parses to the same */
static void
fuzz_canonical(const struct hsts_header *h)
{
	char out[128];
	struct hsts_header h2;
	struct perr err = { 0, NULL };
	int n;

	if (!h->valid || h->max_age_saturated)
		return;
	n = snprintf(out, sizeof(out), "max-age=%llu%s%s",
	    (unsigned long long)h->max_age,
	    h->include_subdomains ? "; includeSubDomains" : "",
	    h->preload ? "; preload" : "");
	if (n < 0 || (size_t)n >= sizeof(out))
		abort();
	if (hsts_parse(out, (size_t)n, &h2, &err) != 0 ||
	    h2.max_age != h->max_age ||
	    h2.include_subdomains != h->include_subdomains ||
	    h2.preload != h->preload || h2.nproblems != 0)
		abort();
}

/* fuzz_clamps - each browser's figure is the value or its cap */
static void
fuzz_clamps(const struct hsts_header *h)
{
	enum hsts_browser b;
	uint64_t c;

	for (b = 0; b < HSTS_BROWSER_MAX; b++) {
		c = hsts_clamp(h->max_age, b);
		if (c > h->max_age || c > hsts_browser_cap(b) ||
		    (c != h->max_age && c != hsts_browser_cap(b)))
			abort();
		if (hsts_browser_name(b)[0] == '\0')
			abort();
	}
}

/* fuzz_ready - facts from the first two bytes, the header parsed */
static void
fuzz_ready(const uint8_t *data, size_t size, const struct hsts_header *h)
{
	struct hsts_ready_facts f;
	struct hsts_readiness r;
	unsigned mask = 0;
	uint8_t a = size > 0 ? data[0] : 0, b = size > 1 ? data[1] : 0;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.registrable = a & 1;
	f.cert_valid = a & 2;
	f.redirect_insecure = a & 4;
	f.redirect_too_many = a & 8;
	f.www_exists = a & 16;
	f.www_https = a & 32;
	f.nheaders = (size_t)(a >> 6);
	f.http = (enum hsts_http)(b % 7); /* one value past the last */
	hsts_ready_check((b & 0x80) ? NULL : h, &f, &r);
	if (r.nunmet > HSTS_REQ_MAX || r.ready != (r.nunmet == 0))
		abort();
	for (i = 0; i < r.nunmet; i++) {
		if ((unsigned)r.list[i] >= HSTS_REQ_MAX ||
		    (i > 0 && r.list[i] <= r.list[i - 1]))
			abort();
		mask |= 1u << r.list[i];
		if (hsts_req_name(r.list[i])[0] == '\0' ||
		    hsts_req_msg(r.list[i])[0] == '\0')
			abort();
	}
	if (mask != r.unmet)
		abort();
	if (r.ready &&
	    ((b & 0x80) || !h->valid || h->max_age < HSTS_PRELOAD_MIN_AGE ||
	        !h->include_subdomains || !h->preload || !f.cert_valid ||
	        !f.registrable || f.redirect_insecure || f.redirect_too_many ||
	        f.nheaders > 1 || (f.www_exists && !f.www_https) ||
	        (f.http != HSTS_HTTP_CLOSED && f.http != HSTS_HTTP_SAME_HOST)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an empty input may come as a NULL pointer */
	const char *p = size > 0 ? (const char *)data : "";
	struct hsts_header h;
	struct perr err = { 0, NULL };
	int rc;

	rc = hsts_parse(p, size, &h, &err);
	fuzz_check(&h, size, rc, &err);
	fuzz_flip(p, size, &h);
	fuzz_canonical(&h);
	fuzz_clamps(&h);
	fuzz_ready(data, size, &h);
	return 0;
}
