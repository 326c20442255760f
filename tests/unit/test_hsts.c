/* SPDX-License-Identifier: ISC */
/*
 * test_hsts - Strict-Transport-Security header values, browser clamps,
 * preload readiness and the preload-list loader: our own tables, then the
 * conformance sets in ../shared/conformance/hsts (the Chromium and Firefox
 * header cases, Chromium's unit-test preload list; skipped when absent).
 *
 * Every input is copied into a buffer of exactly its length, so that a read
 * past the end trips ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto/hsts.h"
#include "report/hsts_preload.h"

/* dup_exact - a malloc'ed copy of (p, len) with nothing after it */
static char *
dup_exact(const char *p, size_t len)
{
	char *q = malloc(len > 0 ? len : 1);

	assert_non_null(q);
	if (len > 0)
		memcpy(q, p, len);
	return q;
}

/* parse_exact - hsts_parse over an exact-length copy of the C string s */
static int
parse_exact(const char *s, struct hsts_header *h, struct perr *err)
{
	size_t len = strlen(s);
	char *p = dup_exact(s, len);
	int rc;

	err->off = 0;
	err->msg = NULL;
	rc = hsts_parse(p, len, h, err);
	free(p);
	return rc;
}

/* check_header - the promises of struct hsts_header for an input of len */
static void
check_header(const struct hsts_header *h, size_t len, int rc)
{
	size_t i;
	bool fatal = false;

	assert_int_equal(rc == 0, h->valid);
	assert_true(h->nproblems <= HSTS_MAXPROBLEMS);
	for (i = 0; i < h->nproblems; i++) {
		assert_non_null(h->problems[i].msg);
		assert_true(h->problems[i].off <= len);
		fatal = fatal || h->problems[i].fatal;
	}
	if (h->valid) {
		assert_false(fatal);
		assert_true(h->has_max_age);
	} else if (!h->problems_truncated) {
		assert_true(fatal);
	}
	if (h->max_age_saturated)
		assert_true(h->max_age == UINT64_MAX);
	if (!h->has_max_age)
		assert_true(h->max_age == 0 && !h->max_age_saturated);
	assert_true(h->nunknown <= h->ndirectives);
}

/* has_problem - does h hold a problem msg (fatal or not as asked) */
static bool
has_problem(const struct hsts_header *h, const char *msg, bool fatal)
{
	size_t i;

	for (i = 0; i < h->nproblems; i++)
		if (strcmp(h->problems[i].msg, msg) == 0 &&
		    h->problems[i].fatal == fatal)
			return true;
	return false;
}

/* ---- header table ---- */

struct hdr_case {
	const char *value;
	const char *err; /* NULL: valid; else the first fatal problem */
	size_t off;      /* its offset */
	uint64_t max_age;
	bool isd, preload;
	size_t nunknown;
};

static const struct hdr_case hdr_cases[] = {
	{ "max-age=31536000; includeSubDomains; preload", NULL, 0, 31536000,
	    true, true, 0 },
	{ "max-age=0", NULL, 0, 0, false, false, 0 },
	{ "MAX-AGE=00012;INCLUDESUBDOMAINS;PRELOAD", NULL, 0, 12, true, true,
	    0 },
	{ "max-age=\"100\"", NULL, 0, 100, false, false, 0 },
	/* quoted-pair unescaping before the digits rule (6.1.1) */
	{ "max-age=\"1\\2\"", NULL, 0, 12, false, false, 0 },
	{ "max-age=\"1\\x\"", "max-age is not a number", 11, 0, false, false,
	    0 },
	{ "max-age=\"\"", "max-age is not a number", 8, 0, false, false, 0 },
	/* linear white space, folded lines included */
	{ " \t max-age \t = \t 5 \t ; \t preload \t ", NULL, 0, 5, false, true,
	    0 },
	{ "max-age=5;\r\n includeSubDomains", NULL, 0, 5, true, false, 0 },
	{ "\r\n max-age=5", NULL, 0, 5, false, false, 0 },
	{ "max-age=5;\r\nincludeSubDomains", "bad directive name", 10, 5, false,
	    false, 0 },
	{ "max-age=5;\nincludeSubDomains", "bad directive name", 10, 5, false,
	    false, 0 },
	{ "max-age=5\r\n", "expected ';'", 9, 5, false, false, 0 },
	/* empty directives */
	{ ";;max-age=5;;", NULL, 0, 5, false, false, 0 },
	{ "; ; ;", "missing max-age", 5, 0, false, false, 0 },
	{ "", "missing max-age", 0, 0, false, false, 0 },
	/* unknown directives, token or quoted-string */
	{ "foo; bar=baz; qux=\"a;b\\\"c\"; max-age=7", NULL, 0, 7, false, false,
	    3 },
	{ "max-age=7; x=\"\xc3\xa9\"", NULL, 0, 7, false, false, 1 },
	{ "max-age=7; 'x'=1", NULL, 0, 7, false, false, 1 },
	{ "max-age=7; x=#1", NULL, 0, 7, false, false, 1 },
	/* preload with a value is an unknown directive, not preload */
	{ "max-age=7; preload=yes", NULL, 0, 7, false, false, 1 },
	/* rule 2: any directive twice, known or not, case ignored */
	{ "max-age=7; max-age=7", "repeated directive", 11, 7, false, false,
	    0 },
	{ "max-age=7; preload; PreLoad", "repeated directive", 20, 7, false,
	    true, 0 },
	{ "max-age=7; foo; FOO=1", "repeated directive", 16, 7, false, false,
	    1 },
	{ "max-age=7; includeSubDomains; includesubdomains",
	    "repeated directive", 30, 7, true, false, 0 },
	/* values */
	{ "max-age", "max-age without a value", 0, 0, false, false, 0 },
	{ "max-age=", "missing directive value", 8, 0, false, false, 0 },
	{ "max-age=;", "missing directive value", 8, 0, false, false, 0 },
	{ "max-age=-1", "max-age is not a number", 8, 0, false, false, 0 },
	{ "max-age=1e3", "max-age is not a number", 9, 0, false, false, 0 },
	{ "max-age=@", "bad directive value", 8, 0, false, false, 0 },
	{ "max-age=1; includeSubDomains=1", "includesubdomains takes no value",
	    29, 1, false, false, 0 },
	{ "max-age=1; includeSubDomains=\"\"",
	    "includesubdomains takes no value", 29, 1, false, false, 0 },
	{ "max-age=\"12", "unterminated quoted-string", 8, 0, false, false, 0 },
	{ "max-age=\"12\\", "unterminated quoted-string", 8, 0, false, false,
	    0 },
	{ "max-age=1; x=\"a\x01\"", "bad character in quoted-string", 15, 1,
	    false, false, 0 },
	{ "max-age=1; x=\"\\\xc3\"", "bad character in quoted-string", 14, 1,
	    false, false, 0 },
	{ "max-age=1; x=\"a\nb\"", "bad character in quoted-string", 15, 1,
	    false, false, 0 },
	/* separators where a token belongs; junk after a directive */
	{ "max-age=1; @", "bad directive name", 11, 1, false, false, 0 },
	{ "max-age=1; =2", "bad directive name", 11, 1, false, false, 0 },
	{ "max-age=1, includeSubDomains", "expected ';'", 9, 1, false, false,
	    0 },
	{ "max-age=1 includeSubDomains", "expected ';'", 10, 1, false, false,
	    0 },
	{ "max-age=1; in\"clude\"", "expected ';'", 13, 1, false, false, 1 },
	{ "max-age=1\x80", "expected ';'", 9, 1, false, false, 0 },
	/* a bad directive does not hide the next ones */
	{ "@@; max-age=9; includeSubDomains", "bad directive name", 0, 9, true,
	    false, 0 },
	{ "x=\"a;b; max-age=1", "unterminated quoted-string", 2, 0, false,
	    false, 0 },
};

static void
test_hsts_table(void **state)
{
	struct hsts_header h;
	struct perr err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];

		rc = parse_exact(c->value, &h, &err);
		check_header(&h, strlen(c->value), rc);
		if (c->err == NULL && rc != 0)
			fail_msg("case %zu \"%s\": %s at %zu", i, c->value,
			    err.msg, err.off);
		if (c->err != NULL &&
		    (rc != -1 || strcmp(err.msg, c->err) != 0 ||
		        err.off != c->off))
			fail_msg("case %zu \"%s\": rc %d, %s at %zu; want %s "
			         "at %zu",
			    i, c->value, rc, err.msg ? err.msg : "(none)",
			    err.off, c->err, c->off);
		if (h.max_age != c->max_age || h.include_subdomains != c->isd ||
		    h.preload != c->preload || h.nunknown != c->nunknown)
			fail_msg("case %zu \"%s\": max-age %llu isd %d preload "
			         "%d unknown %zu",
			    i, c->value, (unsigned long long)h.max_age,
			    h.include_subdomains, h.preload, h.nunknown);
	}
}

static void
test_hsts_max_age_overflow(void **state)
{
	struct hsts_header h;
	struct perr err;

	(void)state;
	assert_int_equal(
	    parse_exact("max-age=18446744073709551615", &h, &err), 0);
	assert_true(h.max_age == UINT64_MAX && !h.max_age_saturated);
	assert_int_equal(h.nproblems, 0);

	assert_int_equal(
	    parse_exact("max-age=18446744073709551616", &h, &err), 0);
	assert_true(h.max_age == UINT64_MAX && h.max_age_saturated);
	assert_true(has_problem(
	    &h, "max-age too large: taken as the largest value", false));

	assert_int_equal(
	    parse_exact("max-age=\"9999999999999999999999999\"", &h, &err), 0);
	assert_true(h.max_age_saturated);
	assert_true(hsts_clamp(h.max_age, HSTS_BROWSER_CHROMIUM) == 31536000);
	assert_true(hsts_clamp(h.max_age, HSTS_BROWSER_FIREFOX) == 3153600000u);

	/* the saturation does not hide a bad digit further on */
	assert_int_equal(
	    parse_exact("max-age=99999999999999999999999x", &h, &err), -1);
	assert_string_equal(err.msg, "max-age is not a number");
	assert_int_equal(err.off, 31);
	assert_false(h.has_max_age);
}

static void
test_hsts_problems(void **state)
{
	struct hsts_header h;
	struct perr err;
	char big[1024];
	size_t n = 0, i;

	(void)state;
	/* warnings: one for the empty directives, one per unknown one */
	assert_int_equal(parse_exact(";;a;b;;max-age=1;c=2", &h, &err), 0);
	assert_int_equal(h.nproblems, 4);
	assert_true(has_problem(&h, "empty directive", false));
	assert_int_equal(h.problems[0].off, 0);
	assert_int_equal(h.nunknown, 3);
	assert_int_equal(h.ndirectives, 4);

	/* every fault is listed, the first one is err */
	assert_int_equal(
	    parse_exact(
	        "max-age=1; max-age=2; x=; includeSubDomains=1", &h, &err),
	    -1);
	assert_string_equal(err.msg, "repeated directive");
	assert_true(has_problem(&h, "missing directive value", true));
	assert_true(has_problem(&h, "includesubdomains takes no value", true));
	assert_int_equal(h.max_age, 1);

	/* more unknown directives than the repeat table holds */
	n = (size_t)snprintf(big, sizeof(big), "max-age=1");
	for (i = 0; i < HSTS_MAXDIRECTIVES + 2; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, ";d%zu", i);
	assert_true(n < sizeof(big));
	assert_int_equal(parse_exact(big, &h, &err), 0);
	assert_true(h.problems_truncated);
	assert_int_equal(h.nproblems, HSTS_MAXPROBLEMS);
	assert_int_equal(h.nunknown, HSTS_MAXDIRECTIVES + 2);

	/* a NUL inside: the value is not cut there */
	assert_int_equal(hsts_parse("max-age=1\0;x", 12, &h, &err), -1);
	assert_string_equal(err.msg, "expected ';'");
	assert_int_equal(err.off, 9);

	/* err may be NULL */
	assert_int_equal(hsts_parse("max-age", 7, &h, NULL), -1);
	assert_int_equal(hsts_parse("max-age=1", 9, &h, NULL), 0);
}

static void
test_hsts_browsers(void **state)
{
	(void)state;
	assert_true(hsts_browser_cap(HSTS_BROWSER_CHROMIUM) == 31536000);
	assert_true(hsts_browser_cap(HSTS_BROWSER_FIREFOX) == 3153600000u);
	assert_true(hsts_clamp(0, HSTS_BROWSER_CHROMIUM) == 0);
	assert_true(hsts_clamp(31536000, HSTS_BROWSER_CHROMIUM) == 31536000);
	assert_true(hsts_clamp(31536001, HSTS_BROWSER_CHROMIUM) == 31536000);
	assert_true(
	    hsts_clamp(4294967296u, HSTS_BROWSER_FIREFOX) == 3153600000u);
	assert_true(hsts_clamp(31536001, HSTS_BROWSER_FIREFOX) == 31536001);
	assert_string_equal(
	    hsts_browser_name(HSTS_BROWSER_CHROMIUM), "chromium");
	assert_string_equal(hsts_browser_name(HSTS_BROWSER_FIREFOX), "firefox");
	assert_string_equal(hsts_browser_name(HSTS_BROWSER_MAX), "");
}

/* ---- readiness ---- */

/* facts_good - every fact a preloadable domain has */
static struct hsts_ready_facts
facts_good(void)
{
	struct hsts_ready_facts f;

	memset(&f, 0, sizeof(f));
	f.registrable = true;
	f.cert_valid = true;
	f.http = HSTS_HTTP_SAME_HOST;
	f.www_exists = true;
	f.www_https = true;
	f.nheaders = 1;
	return f;
}

/* unmet_is - does r list exactly the requirements of mask, in order */
static bool
unmet_is(const struct hsts_readiness *r, unsigned mask)
{
	size_t i, n = 0;
	int last = -1;

	if (r->unmet != mask || r->ready != (mask == 0))
		return false;
	for (i = 0; i < r->nunmet; i++) {
		if ((int)r->list[i] <= last || !(mask & (1u << r->list[i])))
			return false;
		last = (int)r->list[i];
		n++;
	}
	return n == (size_t)__builtin_popcount(mask);
}

#define REQ(x) (1u << HSTS_REQ_##x)

static void
test_hsts_ready(void **state)
{
	struct hsts_header h;
	struct hsts_ready_facts f;
	struct hsts_readiness r;
	struct perr err;
	size_t i;

	(void)state;
	assert_int_equal(parse_exact("max-age=63072000; includeSubDomains; "
	                             "preload",
	                     &h, &err),
	    0);
	f = facts_good();
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, 0));

	/* port 80 closed, www absent: still fine */
	f.http = HSTS_HTTP_CLOSED;
	f.www_exists = false;
	f.www_https = false;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, 0));

	/* each fact on its own */
	f = facts_good();
	f.registrable = false;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(DOMAIN)));
	f = facts_good();
	f.cert_valid = false;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(CERT)));
	f = facts_good();
	f.http = HSTS_HTTP_WWW_FIRST;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HTTP_SAME_HOST)));
	f.http = HSTS_HTTP_ELSEWHERE;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HTTP_SAME_HOST)));
	f.http = HSTS_HTTP_NO_REDIRECT;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HTTP_REDIRECT)));
	f.http = HSTS_HTTP_UNCHECKED;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HTTP_REDIRECT)));
	f = facts_good();
	f.redirect_insecure = true;
	f.redirect_too_many = true;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(REDIRECT_SECURE) | REQ(REDIRECT_COUNT)));
	f = facts_good();
	f.www_https = false;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(WWW)));
	f = facts_good();
	f.nheaders = 2;
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HEADER)));

	/* a zeroed fact struct and no header: everything but the flags */
	memset(&f, 0, sizeof(f));
	hsts_ready_check(NULL, &f, &r);
	assert_true(unmet_is(&r,
	    REQ(DOMAIN) | REQ(CERT) | REQ(HTTP_REDIRECT) | REQ(HEADER) |
	        REQ(MAX_AGE) | REQ(INCLUDE_SUBDOMAINS) | REQ(PRELOAD)));

	/* the header's own requirements */
	f = facts_good();
	assert_int_equal(parse_exact("max-age=31535999; includeSubDomains; "
	                             "preload",
	                     &h, &err),
	    0);
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(MAX_AGE)));
	assert_int_equal(parse_exact("max-age=31536000", &h, &err), 0);
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(INCLUDE_SUBDOMAINS) | REQ(PRELOAD)));
	assert_int_equal(
	    parse_exact("max-age=99999999999999999999999; includeSubDomains; "
	                "preload",
	        &h, &err),
	    0);
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, 0));
	/* invalid: a UA ignores it, even if every directive is there */
	assert_int_equal(parse_exact("max-age=31536000; includeSubDomains; "
	                             "preload; preload",
	                     &h, &err),
	    -1);
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HEADER)));
	assert_int_equal(
	    parse_exact("max-age=x; includeSubDomains; preload", &h, &err), -1);
	hsts_ready_check(&h, &f, &r);
	assert_true(unmet_is(&r, REQ(HEADER) | REQ(MAX_AGE)));

	/* names and messages */
	for (i = 0; i < HSTS_REQ_MAX; i++) {
		assert_true(hsts_req_name((enum hsts_req)i)[0] != '\0');
		assert_true(hsts_req_msg((enum hsts_req)i)[0] != '\0');
	}
	assert_string_equal(hsts_req_name(HSTS_REQ_MAX_AGE), "max-age");
	assert_string_equal(hsts_req_name(HSTS_REQ_MAX), "");
	assert_string_equal(hsts_req_msg(HSTS_REQ_MAX), "");
}

/* ---- preload list ---- */

/* load_exact - hsts_preload_load over an exact-length copy of s */
static struct hsts_preload *
load_exact(const char *s, struct perr *err)
{
	size_t len = strlen(s);
	char *p = dup_exact(s, len);
	struct hsts_preload *set;

	err->off = 0;
	err->msg = NULL;
	set = hsts_preload_load(p, len, err);
	free(p);
	return set;
}

/* lookup_s - hsts_preload_lookup of the C string host (exact copy) */
static bool
lookup_s(const struct hsts_preload *set, const char *host,
    struct hsts_preload_hit *hit)
{
	size_t len = strlen(host);
	char *p = dup_exact(host, len);
	bool r;

	r = hsts_preload_lookup(set, p, len, hit);
	free(p);
	assert_true(r == hit->preloaded);
	assert_true(hit->listed ||
	    (!hit->preloaded && hit->entry == NULL && hit->policy == NULL));
	return r;
}

static const char preload_small[] =
    "// a comment line\n"
    "  // an indented one, with \"quotes\" and { braces\n"
    "{\n"
    "  \"pinsets\": [ { \"name\": \"p\", \"static_spki_hashes\": [] } ],\n"
    "  \"entries\": [ // after a bracket\n"
    "    { \"name\": \"Full.Example\", \"policy\": \"custom // kept\","
    " \"mode\": \"force-https\", \"include_subdomains\": true },\n"
    "    { \"name\": \"exact.example\", \"policy\": \"test\","
    " \"mode\": \"force-https\" }, // trailing comment\n"
    "    { \"name\": \"pins.full.example\", \"policy\": \"google\","
    " \"pins\": \"p\", \"include_subdomains_for_pinning\": true },\n"
    "    { \"name\": \"nosub.full.example\", \"policy\": \"test\","
    " \"mode\": \"force-https\" },\n"
    "    { \"name\": \"esc\\\"//.example\", \"mode\": \"force-https\" },\n"
    "    { \"name\": \"dot.example.\", \"mode\": \"force-https\" },\n"
    "    { \"name\": \"EXACT.example\", \"policy\": \"dup\" },\n"
    "    { \"name\": \"\", \"mode\": \"force-https\" },\n"
    "    { \"name\": \"a..b\", \"mode\": \"force-https\" },\n"
    "    { \"name\": \"sp ace.example\", \"mode\": \"force-https\" },\n"
    "    { \"mode\": \"force-https\" },\n"
    "    \"not an object\",\n"
    "    { \"name\": \"other-mode.example\", \"mode\": \"other\" }\n"
    "  ]\n"
    "}\n"
    "// the end";

static void
test_hsts_preload_small(void **state)
{
	struct hsts_preload *set;
	struct hsts_preload_stats st;
	struct hsts_preload_hit hit;
	struct perr err;

	(void)state;
	set = load_exact(preload_small, &err);
	if (set == NULL)
		fail_msg("load: %s at %zu", err.msg, err.off);
	hsts_preload_stats(set, &st);
	assert_int_equal(st.entries, 7);
	assert_int_equal(st.hsts, 5);
	assert_int_equal(st.skipped, 5);
	assert_int_equal(st.duplicates, 1);

	/* the entry itself, case and trailing dot ignored */
	assert_true(lookup_s(set, "full.example", &hit));
	assert_false(hit.via_ancestor);
	assert_string_equal(hit.entry, "full.example");
	/* "//" inside a string is no comment */
	assert_string_equal(hit.policy, "custom // kept");
	assert_true(lookup_s(set, "FULL.EXAMPLE.", &hit));
	assert_false(lookup_s(set, "full.example..", &hit));
	assert_false(hit.listed);

	/* an ancestor with include_subdomains */
	assert_true(lookup_s(set, "a.b.full.example", &hit));
	assert_true(hit.via_ancestor);
	assert_string_equal(hit.entry, "full.example");
	assert_false(lookup_s(set, "xfull.example", &hit));
	assert_false(hit.listed);

	/* without include_subdomains: the host only; the first entry of a
	   repeated name counts */
	assert_true(lookup_s(set, "exact.example", &hit));
	assert_string_equal(hit.policy, "test");
	assert_false(lookup_s(set, "www.exact.example", &hit));
	assert_true(hit.listed && hit.via_ancestor);

	/* the most specific entry decides: a pins-only entry, or an entry
	   without include_subdomains, shadows full.example (Chromium) */
	assert_false(lookup_s(set, "pins.full.example", &hit));
	assert_true(hit.listed && !hit.via_ancestor);
	assert_string_equal(hit.policy, "google");
	assert_false(lookup_s(set, "x.pins.full.example", &hit));
	assert_string_equal(hit.entry, "pins.full.example");
	assert_true(lookup_s(set, "nosub.full.example", &hit));
	assert_false(lookup_s(set, "x.nosub.full.example", &hit));
	assert_string_equal(hit.entry, "nosub.full.example");

	/* escaped quote followed by "//" inside a string */
	assert_true(lookup_s(set, "esc\"//.example", &hit));
	assert_true(lookup_s(set, "dot.example", &hit));
	assert_false(lookup_s(set, "other-mode.example", &hit));
	assert_true(hit.listed);
	assert_string_equal(hit.policy, "");

	/* hosts that are no names */
	assert_false(lookup_s(set, "", &hit));
	assert_false(lookup_s(set, ".", &hit));
	assert_false(lookup_s(set, ".full.example", &hit));
	assert_false(hit.listed);
	assert_false(hsts_preload_lookup(set, "full.example\0x", 14, &hit));
	assert_false(hsts_preload_lookup(NULL, "full.example", 12, &hit));
	hsts_preload_free(set);
}

static void
test_hsts_preload_errors(void **state)
{
	struct hsts_preload *set;
	struct hsts_preload_stats st;
	struct perr err;
	char path[] = "/tmp/test_hsts_XXXXXX";
	FILE *fp;
	int fd;

	(void)state;
	assert_null(load_exact("{ \"entries\": [ } ", &err));
	assert_string_equal(err.msg, "json syntax error");
	assert_true(err.off <= 17);
	/* a comment hides what would be an error, and only that */
	assert_null(load_exact("{ \"entries\": [] // }\n", &err));
	assert_string_equal(err.msg, "json syntax error");
	assert_null(load_exact("// only a comment", &err));
	assert_string_equal(err.msg, "json syntax error");
	assert_null(load_exact("[]", &err));
	assert_string_equal(err.msg, "not a json object");
	assert_null(load_exact("{ \"entries\": {} }", &err));
	assert_string_equal(err.msg, "no entries array");
	assert_null(load_exact("{ \"pinsets\": [] }", &err));
	assert_string_equal(err.msg, "no entries array");
	/* a lone '/' is no comment */
	assert_null(load_exact("{ \"entries\": [] } /", &err));
	assert_string_equal(err.msg, "json syntax error");

	set = load_exact("{\"entries\":[]}//", &err);
	assert_non_null(set);
	hsts_preload_stats(set, &st);
	assert_int_equal(st.entries, 0);
	hsts_preload_free(set);
	hsts_preload_free(NULL);
	hsts_preload_stats(NULL, &st);
	assert_int_equal(st.entries, 0);

	assert_null(hsts_preload_load_file("/nonexistent/hsts.json", &err));
	assert_string_equal(err.msg, "cannot open the preload list");

	/* from a file */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_int_equal(
	    fwrite(preload_small, 1, sizeof(preload_small) - 1, fp),
	    sizeof(preload_small) - 1);
	assert_int_equal(fclose(fp), 0);
	set = hsts_preload_load_file(path, &err);
	unlink(path);
	assert_non_null(set);
	hsts_preload_stats(set, &st);
	assert_int_equal(st.entries, 7);
	hsts_preload_free(set);
}

/* ---- conformance sets ---- */

/*
 * conf_path - <testdata>/../../../shared/conformance/<rel> into path;
 * skips the test when unset or absent
 */
static void
conf_path(const char *rel, char *path, size_t size)
{
	const char *data = getenv("MXAUDIT_TESTDATA");
	struct stat st;
	int n;

	if (data == NULL) {
		print_message("MXAUDIT_TESTDATA unset: %s skipped\n", rel);
		skip();
	}
	n = snprintf(
	    path, size, "%s/../../../shared/conformance/%s", data, rel);
	assert_true(n > 0 && (size_t)n < size);
	if (stat(path, &st) != 0) {
		print_message("%s: not found, skipped\n", rel);
		skip();
	}
}

/*
 * Cases decided by RFC 6797 against a browser: none. Each of the 117
 * Chromium and 55 Firefox cases agrees with RFC 6797 6.1 once the
 * browser's clamp is applied to our raw max-age, and the two sets share
 * only three headers ("max-age", "max-age=", ";"), which both reject. The
 * cases that look like browser quirks are RFC behaviour:
 *   - Firefox "\r\n\t\t    \tcompletelyUnrelated = foobar; ..." is valid:
 *     CRLF followed by white space is linear white space (RFC 2616 2.2,
 *     which 6.1 builds on); Firefox "\r\nmax-age=200" is invalid, as a CRLF
 *     without white space after it is not;
 *   - Chromium "'max-age'=1" is invalid because "'max-age'" is a valid
 *     token, hence an unknown directive, and max-age is missing;
 *   - Chromium 'max-age=1; includeSubDomains=""' is invalid: 6.1.2 makes
 *     includeSubDomains valueless, and "" is a value;
 *   - Chromium "max-age=9223372036854775807#####" is invalid: '#' is a
 *     token character, so the value is one token that is not 1*DIGIT;
 *   - the clamps (Chromium 8 cases, Firefox 1) are UA policy; the RFC sets
 *     no upper bound, so max_age keeps the raw value (saturated past
 *     UINT64_MAX) and hsts_clamp() gives each browser's figure.
 * Where neither set has a case, we follow the RFC and a browser may differ:
 * a repeated unknown directive or a repeated preload makes the header
 * invalid here (6.1 rule 2: all directives appear only once).
 */

/* conf_browser - run one browser's cases; returns the number that pass */
static size_t
conf_browser(
    json_t *cases, enum hsts_browser b, size_t *ntotal, size_t *nclamped)
{
	struct hsts_header h;
	struct perr err;
	json_t *c, *v;
	const char *s;
	char *p;
	size_t i, len, npass = 0;
	bool ok, want;
	int rc;

	*ntotal = *nclamped = 0;
	json_array_foreach(cases, i, c)
	{
		v = json_object_get(c, "header");
		assert_true(json_is_string(v));
		s = json_string_value(v);
		len = json_string_length(v);
		p = dup_exact(s, len);
		rc = hsts_parse(p, len, &h, &err);
		check_header(&h, len, rc);
		free(p);
		want = json_is_true(json_object_get(c, "valid"));
		ok = (rc == 0) == want;
		if (ok && want) {
			v = json_object_get(c, "max_age");
			if (v != NULL)
				ok = json_is_integer(v) &&
				    hsts_clamp(h.max_age, b) ==
				        (uint64_t)json_integer_value(v);
			if (ok && v != NULL &&
			    hsts_clamp(h.max_age, b) != h.max_age)
				(*nclamped)++;
			v = json_object_get(c, "include_subdomains");
			if (ok && v != NULL)
				ok = h.include_subdomains == json_is_true(v);
		}
		(*ntotal)++;
		if (!ok)
			print_message("%s case %zu \"%s\": disagrees (%s, "
			              "max-age %llu)\n",
			    hsts_browser_name(b), i, s,
			    rc == 0 ? "valid" : err.msg,
			    (unsigned long long)h.max_age);
		npass += ok;
	}
	return npass;
}

static void
test_hsts_conf_headers(void **state)
{
	char path[4096];
	json_error_t jerr;
	json_t *root;
	size_t npass, ntotal, nclamped;

	(void)state;
	conf_path("hsts/hsts-header-cases.json", path, sizeof(path));
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s at line %d", path, jerr.text, jerr.line);

	npass = conf_browser(
	    json_object_get(json_object_get(root, "chromium"), "cases"),
	    HSTS_BROWSER_CHROMIUM, &ntotal, &nclamped);
	print_message("hsts chromium: %zu/%zu agree (%zu after the clamp to "
	              "31536000), 0 decided by RFC 6797\n",
	    npass, ntotal, nclamped);
	assert_int_equal(ntotal, 117);
	assert_int_equal(nclamped, 8);
	assert_int_equal(npass, ntotal);

	npass = conf_browser(
	    json_object_get(json_object_get(root, "firefox"), "cases"),
	    HSTS_BROWSER_FIREFOX, &ntotal, &nclamped);
	print_message("hsts firefox: %zu/%zu agree (%zu after the clamp to "
	              "3153600000), 0 decided by RFC 6797\n",
	    npass, ntotal, nclamped);
	assert_int_equal(ntotal, 55);
	assert_int_equal(nclamped, 1);
	assert_int_equal(npass, ntotal);
	json_decref(root);
}

static void
test_hsts_conf_preload(void **state)
{
	char path[4096];
	struct hsts_preload *set;
	struct hsts_preload_stats st;
	struct hsts_preload_hit hit;
	struct perr err;

	(void)state;
	conf_path("hsts/chromium-transport_security_state_static_unittest_"
	          "default.json",
	    path, sizeof(path));
	set = hsts_preload_load_file(path, &err);
	if (set == NULL)
		fail_msg("%s: %s at %zu", path, err.msg, err.off);
	hsts_preload_stats(set, &st);
	assert_int_equal(st.entries, 13);
	assert_int_equal(st.hsts, 4);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.duplicates, 0);

	/* the lookups SOURCE.md names */
	assert_true(lookup_s(set, "hsts-preloaded.test", &hit));
	assert_false(hit.via_ancestor);
	assert_string_equal(hit.policy, "test");
	assert_false(lookup_s(set, "sub.hsts-preloaded.test", &hit));
	assert_true(hit.listed);
	assert_true(
	    lookup_s(set, "include-subdomains-hsts-preloaded.test", &hit));
	assert_true(
	    lookup_s(set, "sub.include-subdomains-hsts-preloaded.test", &hit));
	assert_true(hit.via_ancestor);
	assert_string_equal(
	    hit.entry, "include-subdomains-hsts-preloaded.test");
	assert_true(lookup_s(set, "example", &hit));
	assert_true(lookup_s(set, "anything.example", &hit));
	assert_true(lookup_s(set, "A.B.Example.", &hit));
	assert_string_equal(hit.entry, "example");
	assert_true(lookup_s(set, "hsts-hpkp-preloaded.test", &hit));

	/* entries without mode are not HSTS */
	assert_false(
	    lookup_s(set, "no-rejected-pins-pkp.preloaded.test", &hit));
	assert_true(hit.listed);
	assert_false(lookup_s(set, "expect-ct.preloaded.test", &hit));
	assert_false(lookup_s(set, "www.example.org", &hit));
	assert_false(lookup_s(set, "example.test", &hit));
	assert_false(lookup_s(set, "sub.example.test", &hit));
	assert_true(hit.listed && hit.via_ancestor);
	assert_false(lookup_s(set, "example.com", &hit));
	assert_false(hit.listed);
	assert_false(lookup_s(set, "test", &hit));
	assert_false(hit.listed);
	hsts_preload_free(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hsts_table),
		cmocka_unit_test(test_hsts_max_age_overflow),
		cmocka_unit_test(test_hsts_problems),
		cmocka_unit_test(test_hsts_browsers),
		cmocka_unit_test(test_hsts_ready),
		cmocka_unit_test(test_hsts_preload_small),
		cmocka_unit_test(test_hsts_preload_errors),
		cmocka_unit_test(test_hsts_conf_headers),
		cmocka_unit_test(test_hsts_conf_preload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
