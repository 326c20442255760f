/* SPDX-License-Identifier: ISC */
/*
 * fuzz_mtasts - feed the input to the MTA-STS TXT parser, the policy parser,
 * the RRset selection (lines as records) and the MX matcher (first line the
 * pattern, second the host), and check what each promises: slices inside
 * the input, a valid record or policy that obeys the grammar, a verdict that
 * agrees with the problem list, matching that ignores case and one trailing
 * dot, and valid mx patterns that match the hosts they describe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mtasts.h"
#include "util/ascii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAXRR 8

/* fuzz_inside - the slice lies in (p, len), and is NULL when empty */
static void
fuzz_inside(const char *p, size_t len, struct mtasts_slice s)
{
	if (s.len == 0) {
		if (s.p != NULL)
			abort();
		return;
	}
	if (s.p < p || s.p >= p + len || s.len > len - (size_t)(s.p - p))
		abort();
}

static void
fuzz_txt(const char *p, size_t len)
{
	struct mtasts_txt t;
	struct perr err = { 0, NULL };
	size_t i;

	if (mtasts_txt_parse(p, len, &t, &err) == -1) {
		if (err.msg == NULL || err.off > len || t.id.len != 0 ||
		    t.next != 0)
			abort();
		return;
	}
	/* a valid record begins like a candidate and has a good id */
	if (!mtasts_txt_is_candidate(p, len))
		abort();
	fuzz_inside(p, len, t.id);
	if (t.id.len < 1 || t.id.len > 32)
		abort();
	for (i = 0; i < t.id.len; i++)
		if (!ascii_isalnum((unsigned char)t.id.p[i]))
			abort();
	if (t.next > MTASTS_MAXEXT)
		abort();
	for (i = 0; i < t.next; i++) {
		fuzz_inside(p, len, t.ext[i].name);
		fuzz_inside(p, len, t.ext[i].value);
		if (t.ext[i].name.len < 1 || t.ext[i].name.len > 32 ||
		    t.ext[i].value.len < 1)
			abort();
		if (memchr(t.ext[i].value.p, ';', t.ext[i].value.len) ||
		    memchr(t.ext[i].value.p, '=', t.ext[i].value.len) ||
		    memchr(t.ext[i].value.p, ' ', t.ext[i].value.len))
			abort();
	}
}

/* fuzz_select - the input's lines as an RRset */
static void
fuzz_select(const char *p, size_t len)
{
	const char *rr[FUZZ_MAXRR];
	size_t lens[FUZZ_MAXRR], n = 0, pos = 0, index, i, ncand = 0;
	const char *nl;
	struct mtasts_txt t;
	struct perr err = { 0, NULL };
	enum mtasts_select got;

	while (pos <= len && n < FUZZ_MAXRR) {
		nl = memchr(p + pos, '\n', len - pos);
		rr[n] = p + pos;
		lens[n] = nl != NULL ? (size_t)(nl - (p + pos)) : len - pos;
		n++;
		if (nl == NULL)
			break;
		pos += lens[n - 1] + 1;
	}
	for (i = 0; i < n; i++)
		ncand += mtasts_txt_is_candidate(rr[i], lens[i]);
	got = mtasts_txt_select(rr, lens, n, &t, &index, &err);
	switch (got) {
	case MTASTS_SELECT_NONE:
		if (ncand != 0 || index != 0)
			abort();
		break;
	case MTASTS_SELECT_MULTIPLE:
		if (ncand < 2 || index >= n ||
		    !mtasts_txt_is_candidate(rr[index], lens[index]))
			abort();
		break;
	case MTASTS_SELECT_FOUND:
	case MTASTS_SELECT_INVALID:
		if (ncand != 1 || index >= n ||
		    !mtasts_txt_is_candidate(rr[index], lens[index]))
			abort();
		if ((got == MTASTS_SELECT_FOUND) != (t.id.len > 0))
			abort();
		if (got == MTASTS_SELECT_INVALID && err.msg == NULL)
			abort();
		break;
	default:
		abort();
	}
}

/* fuzz_pattern_hosts - a valid pattern matches what it names */
static void
fuzz_pattern_hosts(struct mtasts_slice pat)
{
	char host[300];
	size_t n;

	if (pat.len + 3 > sizeof(host))
		abort();
	if (pat.len > 2 && pat.p[0] == '*') {
		/* "*.rest": "x.rest" yes, "rest" and "x.y.rest" no */
		host[0] = 'x';
		memcpy(host + 1, pat.p + 1, pat.len - 1);
		if (!mtasts_mx_match(pat.p, pat.len, host, pat.len))
			abort();
		if (mtasts_mx_match(pat.p, pat.len, pat.p + 2, pat.len - 2))
			abort();
		host[0] = 'y';
		host[1] = '.';
		host[2] = 'x';
		memcpy(host + 3, pat.p + 1, pat.len - 1);
		if (mtasts_mx_match(pat.p, pat.len, host, pat.len + 2))
			abort();
		return;
	}
	for (n = 0; n < pat.len; n++)
		host[n] = (char)ascii_toupper((unsigned char)pat.p[n]);
	host[n++] = '.';
	if (!mtasts_mx_match(pat.p, pat.len, host, n) ||
	    !mtasts_mx_match(pat.p, pat.len, pat.p, pat.len))
		abort();
}

static void
fuzz_policy(const char *p, size_t len)
{
	struct mtasts_policy pol;
	struct perr err = { 0, NULL };
	size_t i;
	bool fatal = false;
	int rc;

	rc = mtasts_policy_parse(p, len, &pol, &err);
	if ((rc == 0) != pol.valid || (rc == -1 && err.msg == NULL))
		abort();
	if (pol.nmx > MTASTS_MAXMX || pol.next > MTASTS_MAXEXT ||
	    pol.nproblems > MTASTS_MAXPROBLEMS)
		abort();
	fuzz_inside(p, len, pol.version);
	for (i = 0; i < pol.nmx; i++) {
		fuzz_inside(p, len, pol.mx[i]);
		fuzz_pattern_hosts(pol.mx[i]);
	}
	for (i = 0; i < pol.next; i++) {
		fuzz_inside(p, len, pol.ext[i].name);
		fuzz_inside(p, len, pol.ext[i].value);
		if (pol.ext[i].name.len == 0 || pol.ext[i].value.len == 0)
			abort();
	}
	for (i = 0; i < pol.nproblems; i++) {
		if (pol.problems[i].msg == NULL || pol.problems[i].off > len ||
		    pol.problems[i].line > pol.nlines)
			abort();
		fatal = fatal || pol.problems[i].fatal;
	}
	if (fatal && pol.valid)
		abort();
	if (!fatal && !pol.problems_truncated && !pol.valid)
		abort();
	if (!pol.valid)
		return;
	if (pol.version.len != 5 || memcmp(pol.version.p, "STSv1", 5) != 0 ||
	    pol.mode == MTASTS_MODE_UNSET || pol.max_age < 0 ||
	    pol.max_age > MTASTS_MAX_AGE_MAX ||
	    (pol.nmx == 0 && pol.mode != MTASTS_MODE_NONE) ||
	    len > MTASTS_POLICY_MAX)
		abort();
	if (mtasts_mode_name(pol.mode)[0] == '\0')
		abort();
}

/* fuzz_match - first line the pattern, second the host */
static void
fuzz_match(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len), *host;
	char flipped[512];
	size_t plen, hlen, i;
	bool m;

	if (nl == NULL)
		return;
	plen = (size_t)(nl - p);
	host = nl + 1;
	hlen = len - plen - 1;
	m = mtasts_mx_match(p, plen, host, hlen);
	if (hlen + 1 > sizeof(flipped))
		return;
	/* case does not matter */
	for (i = 0; i < hlen; i++)
		flipped[i] = host[i] >= 'A' && host[i] <= 'Z'
		    ? (char)ascii_tolower((unsigned char)host[i])
		    : (char)ascii_toupper((unsigned char)host[i]);
	if (mtasts_mx_match(p, plen, flipped, hlen) != m)
		abort();
	/* neither does one trailing dot */
	if (hlen > 0 && host[hlen - 1] != '.') {
		flipped[hlen] = '.';
		if (mtasts_mx_match(p, plen, flipped, hlen + 1) != m)
			abort();
	}
	if (hlen == 0 && m)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an empty input may come as a NULL pointer */
	const char *p = size > 0 ? (const char *)data : "";

	fuzz_txt(p, size);
	fuzz_select(p, size);
	fuzz_policy(p, size);
	fuzz_match(p, size);
	return 0;
}
