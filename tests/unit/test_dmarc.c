/* SPDX-License-Identifier: ISC */
/*
 * test_dmarc - DMARC records, URIs, RRset selection, discovery under both
 * standards over a fake DNS, external destinations, the organizational
 * domain, and the third-party sets in ../shared/conformance/dmarc (skipped
 * when absent).
 *
 * Where the vectors disagree with each other (or with the RFCs) we follow
 * the RFC; each such case is listed in a table below with its reason:
 * conf_opendmarc_against and conf_checkdmarc_against.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto/dmarc.h"
#include "proto/orgdomain.h"
#include "util/ascii.h"

#define DC (-1) /* an expectation that is not checked */

#define B7489 DMARC_STD_BIT(DMARC_RFC7489)
#define B9989 DMARC_STD_BIT(DMARC_RFC9989)

/* ---- helpers ---- */

/* check_record - every slice lies inside (p, len); counts are in range */
static void
check_record(const char *p, size_t len, const struct dmarc_record *r)
{
	const struct dmarc_slice *s;
	size_t i;

	assert_true(r->nrua <= DMARC_URI_MAX && r->nruf <= DMARC_URI_MAX);
	assert_true(r->nunknown <= DMARC_UNKNOWN_MAX);
	assert_true(r->nproblem <= DMARC_PROBLEM_MAX);
	for (i = 0; i < DMARC_TAG_MAX; i++) {
		s = &r->value[i];
		if (s->len > 0)
			assert_true(s->p >= p && s->p + s->len <= p + len);
	}
	for (i = 0; i < r->nrua + r->nruf; i++) {
		s = i < r->nrua ? &r->rua[i].text : &r->ruf[i - r->nrua].text;
		if (s->len > 0)
			assert_true(s->p >= p && s->p + s->len <= p + len);
	}
	for (i = 0; i < r->nproblem; i++) {
		assert_non_null(r->problem[i].msg);
		assert_non_null(r->problem[i].tag);
		assert_true(r->problem[i].std != 0);
		assert_true(r->problem[i].off <= len ||
		    r->problem[i].off == DMARC_RECORD_MAX);
	}
	for (i = 0; i < DMARC_STD_MAX; i++)
		if (!r->verdict[i].usable)
			assert_int_equal(r->verdict[i].p, DMARC_POLICY_UNSET);
}

static int
parse(const char *p, size_t len, struct dmarc_record *r)
{
	struct perr err = { 0, NULL };
	int rc = dmarc_parse(p, len, r, &err);

	check_record(p, len, r);
	if (rc != 0)
		assert_non_null(err.msg);
	return rc;
}

/* has_problem - a problem on tag of at least sev under some std in stds */
static bool
has_problem(const struct dmarc_record *r, const char *tag, enum dmarc_sev sev,
    unsigned stds)
{
	size_t i;

	for (i = 0; i < r->nproblem; i++)
		if (strcmp(r->problem[i].tag, tag) == 0 &&
		    r->problem[i].sev >= sev && (r->problem[i].std & stds))
			return true;
	return false;
}

static void
dump_problems(const struct dmarc_record *r)
{
	size_t i;

	for (i = 0; i < r->nproblem; i++)
		print_message("  [%s%s] %s: %s (%s)\n",
		    r->problem[i].std & B7489 ? "7489" : "",
		    r->problem[i].std & B9989 ? " 9989" : "", r->problem[i].tag,
		    r->problem[i].msg,
		    r->problem[i].sev == DMARC_SEV_FATAL      ? "fatal"
		        : r->problem[i].sev == DMARC_SEV_WARN ? "warn"
		                                              : "info");
}

/* ---- our own records ---- */

struct parse_case {
	const char *name;
	const char *text;
	int use7, p7, sp7, np7; /* usable, effective policies (7489) */
	int use9, p9, sp9, np9; /* the same under 9989 */
	unsigned diffs;         /* bits that must be set */
	const char *warn_tag;   /* a WARN-or-worse problem on this tag */
};

#define PN DMARC_POLICY_NONE
#define PQ DMARC_POLICY_QUARANTINE
#define PR DMARC_POLICY_REJECT
#define PU DMARC_POLICY_UNSET

static const struct parse_case parse_cases[] = {
	{ "plain reject", "v=DMARC1; p=reject", 1, PR, PR, PR, 1, PR, PR, PR, 0,
	    NULL },
	{ "np only in 9989", "v=DMARC1; p=none; sp=quarantine; np=reject", 1,
	    PN, PQ, PQ, 1, PN, PQ, PR, DMARC_DIFF_NP | DMARC_DIFF_VERDICT,
	    NULL },
	{ "p not second", "v=DMARC1; sp=none; p=reject", 0, PU, PU, PU, 1, PR,
	    PN, PN, DMARC_DIFF_P_POSITION | DMARC_DIFF_VERDICT, "p" },
	{ "p not second, rua",
	    "v=DMARC1; sp=none; p=reject; "
	    "rua=mailto:a@example.com",
	    1, PN, PN, PN, 1, PR, PN, PN,
	    DMARC_DIFF_P_POSITION | DMARC_DIFF_VERDICT, "p" },
	{ "bad np", "v=DMARC1; p=reject; np=bogus", 1, PR, PR, PR, 0, PU, PU,
	    PU, DMARC_DIFF_NP | DMARC_DIFF_VERDICT, "np" },
	{ "bad np, rua", "v=DMARC1; p=reject; np=bogus; rua=mailto:a@b.example",
	    1, PR, PR, PR, 1, PN, PN, PN, DMARC_DIFF_VERDICT, "np" },
	{ "obsolete tags", "v=DMARC1; p=quarantine; pct=50; rf=afrf; ri=3600",
	    1, PQ, PQ, PQ, 1, PQ, PQ, PQ,
	    DMARC_DIFF_PCT | DMARC_DIFF_RF | DMARC_DIFF_RI, NULL },
	{ "upper case", "V=DMARC1;P=REJECT;ADKIM=S;ASPF=s;SP=Quarantine", 1, PR,
	    PQ, PQ, 1, PR, PQ, PQ, 0, NULL },
	{ "leading space", " \tv=DMARC1; p=none", 1, PN, PN, PN, 1, PN, PN, PN,
	    0, NULL },
	{ "spaces around = and ;", "v = DMARC1 ;  p = none ; ", 1, PN, PN, PN,
	    1, PN, PN, PN, 0, NULL },
	{ "duplicate", "v=DMARC1; p=none; p=none", 0, PU, PU, PU, 0, PU, PU, PU,
	    0, "p" },
	{ "duplicate unknown, any case", "v=DMARC1; p=none; x=1; X=2", 0, PU,
	    PU, PU, 0, PU, PU, PU, 0, NULL },
	{ "duplicate v", "v=DMARC1; v=DMARC1; p=none", 0, PU, PU, PU, 0, PU, PU,
	    PU, 0, "v" },
	{ "unknown tags", "v=DMARC1; p=none; foo=bar; x_1=2", 1, PN, PN, PN, 1,
	    PN, PN, PN, 0, NULL },
	{ "bad tag name", "v=DMARC1; p=none; 1x=2; =3; novalue", 1, PN, PN, PN,
	    1, PN, PN, PN, 0, "" },
	{ "empty tag", "v=DMARC1; p=none;; rua=mailto:a@b.example", 1, PN, PN,
	    PN, 1, PN, PN, PN, 0, "" },
	{ "fo 0:1", "v=DMARC1; p=reject; fo=0:1", 1, PR, PR, PR, 1, PR, PR, PR,
	    DMARC_DIFF_FO, "fo" },
	{ "size suffix", "v=DMARC1; p=reject; rua=mailto:a@b.example!10m", 1,
	    PR, PR, PR, 1, PR, PR, PR, DMARC_DIFF_SIZE, NULL },
	{ "psd and t", "v=DMARC1; p=reject; psd=y; t=y", 1, PR, PR, PR, 1, PR,
	    PR, PR, DMARC_DIFF_PSD | DMARC_DIFF_T, NULL },
	{ "spf record", "v=spf1 -all", 0, PU, PU, PU, 0, PU, PU, PU, 0, "v" },
	{ "missing ;", "v=DMARC1 p=none", 0, PU, PU, PU, 0, PU, PU, PU, 0,
	    "v" },
	{ "version case", "v=dmarc1; p=none", 0, PU, PU, PU, 0, PU, PU, PU, 0,
	    "v" },
	{ "empty", "", 0, PU, PU, PU, 0, PU, PU, PU, 0, "v" },
	{ "v not first", "p=none; v=DMARC1", 0, PU, PU, PU, 0, PU, PU, PU, 0,
	    "v" },
	{ "no p, no rua", "v=DMARC1; adkim=s", 0, PU, PU, PU, 0, PU, PU, PU, 0,
	    "p" },
	{ "no p, rua", "v=DMARC1; rua=mailto:r@example.org", 1, PN, PN, PN, 1,
	    PN, PN, PN, 0, "p" },
	{ "bad optional values",
	    "v=DMARC1; p=reject; adkim=x; aspf=; fo=2; "
	    "pct=101; ri=-5; rf=x-",
	    1, PR, PR, PR, 1, PR, PR, PR,
	    DMARC_DIFF_PCT | DMARC_DIFF_RI | DMARC_DIFF_RF, "adkim" },
	{ "bad uris only", "v=DMARC1; p=none; rua=reports@x.example,ftp://x.y",
	    1, PN, PN, PN, 1, PN, PN, PN, 0, "rua" },
};

static void
test_dmarc_parse_table(void **state)
{
	const struct parse_case *c;
	struct dmarc_record r;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		c = &parse_cases[i];
		rc = parse(c->text, strlen(c->text), &r);
		if (r.verdict[0].usable != c->use7 ||
		    r.verdict[1].usable != c->use9) {
			print_message("case: %s\n", c->name);
			dump_problems(&r);
		}
		assert_int_equal(r.verdict[0].usable, c->use7);
		assert_int_equal(r.verdict[1].usable, c->use9);
		assert_int_equal(rc, (c->use7 || c->use9) ? 0 : -1);
		if (c->p7 != DC)
			assert_int_equal(r.verdict[0].p, c->p7);
		if (c->sp7 != DC)
			assert_int_equal(r.verdict[0].sp, c->sp7);
		if (c->np7 != DC)
			assert_int_equal(r.verdict[0].np, c->np7);
		if (c->p9 != DC)
			assert_int_equal(r.verdict[1].p, c->p9);
		if (c->sp9 != DC)
			assert_int_equal(r.verdict[1].sp, c->sp9);
		if (c->np9 != DC)
			assert_int_equal(r.verdict[1].np, c->np9);
		if ((r.diffs & c->diffs) != c->diffs) {
			print_message("case: %s: diffs %#x want %#x\n", c->name,
			    r.diffs, c->diffs);
			fail();
		}
		if (c->warn_tag != NULL &&
		    !has_problem(
		        &r, c->warn_tag, DMARC_SEV_WARN, DMARC_STD_BOTH)) {
			print_message("case: %s: no problem on \"%s\"\n",
			    c->name, c->warn_tag);
			dump_problems(&r);
			fail();
		}
	}
}

static void
test_dmarc_parse_fields(void **state)
{
	const char *t = "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; "
	                "t=y; pct=25; adkim=s; aspf=r; fo=1:d:s; rf=afrf; "
	                "ri=3600; rua=mailto:a@example.com!10m, "
	                "https://r.example/x; ruf=mailto:f@example.com; "
	                "zz=top";
	struct dmarc_record r;

	(void)state;
	assert_int_equal(parse(t, strlen(t), &r), 0);
	assert_true(r.is_dmarc);
	assert_int_equal(r.p, PQ);
	assert_int_equal(r.sp, PR);
	assert_int_equal(r.np, PN);
	assert_int_equal(r.psd, 'n');
	assert_true(r.t);
	assert_int_equal(r.pct, 25);
	assert_true(r.adkim_strict);
	assert_false(r.aspf_strict);
	assert_int_equal(r.fo, DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S);
	assert_true(r.rf_afrf);
	assert_int_equal(r.ri, 3600);
	assert_int_equal(r.nrua, 2);
	assert_int_equal(r.nruf, 1);
	assert_true(r.rua[0].usable && r.rua[0].has_size);
	assert_int_equal(r.rua[0].size, 10);
	assert_int_equal(r.rua[0].size_unit, 'm');
	assert_int_equal(r.rua[0].text.len, strlen("mailto:a@example.com"));
	assert_int_equal(r.rua[1].scheme, DMARC_URI_HTTPS);
	assert_int_equal(r.rua[1].host.len, 9);
	assert_memory_equal(r.rua[1].host.p, "r.example", 9);
	assert_int_equal(r.nunknown, 1);
	assert_memory_equal(r.unknown[0].name.p, "zz", 2);
	assert_memory_equal(r.unknown[0].value.p, "top", 3);
	assert_int_equal(r.p_index, 1);
	assert_true(r.seen & (1u << DMARC_TAG_NP));
	assert_int_equal(r.value[DMARC_TAG_PCT].len, 2);
	/* 9989 ignores pct/rf/ri, 7489 np/psd/t: said under the right std */
	assert_true(has_problem(&r, "pct", DMARC_SEV_INFO, B9989));
	assert_false(has_problem(&r, "pct", DMARC_SEV_INFO, B7489));
	assert_true(has_problem(&r, "np", DMARC_SEV_INFO, B7489));
	assert_false(has_problem(&r, "np", DMARC_SEV_INFO, B9989));
	assert_true(r.verdict[1].usable && r.verdict[0].usable);
	assert_int_equal(r.verdict[0].np, PR); /* 7489: np unknown, sp */
	assert_int_equal(r.verdict[1].np, PN);
}

static void
test_dmarc_parse_hostile(void **state)
{
	static char big[DMARC_RECORD_MAX + 64];
	struct dmarc_record r;
	size_t i, n;
	int rc;

	(void)state;
	/* NUL bytes: a value with one is invalid, nothing read past len */
	rc = parse("v=DMARC1; p=reject; rua=mailto:a\0@b.example", 43, &r);
	assert_int_equal(rc, 0);
	assert_int_equal(r.nrua, 1);
	assert_false(r.rua[0].usable);
	rc = parse("v=DMARC1; p=reject\0", 19, &r);
	assert_int_equal(rc, -1);
	rc = parse("v=DMARC1; p=reject", 12, &r); /* cut at "p=r" */
	assert_int_equal(rc, -1);

	/* too long */
	memset(big, ' ', sizeof(big));
	memcpy(big, "v=DMARC1; p=none;", 17);
	assert_int_equal(parse(big, DMARC_RECORD_MAX + 1, &r), -1);
	assert_true(has_problem(&r, "", DMARC_SEV_FATAL, DMARC_STD_BOTH));
	assert_int_equal(parse(big, DMARC_RECORD_MAX, &r), 0);

	/* too many tags */
	n = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none");
	for (i = 0; i < DMARC_TAGS_MAX + 2; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; x%zu=1", i);
	assert_int_equal(parse(big, n, &r), -1);

	/* many URIs and problems: capped, never overflowing */
	n = (size_t)snprintf(big, sizeof(big), "v=DMARC1; p=none");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; %zux=1", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "; rua=");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(
		    big + n, sizeof(big) - n, "%sbad%zu", i ? "," : "", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "; ruf=");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "%smailto:x@y.example!1p", i ? "," : "");
	assert_int_equal(parse(big, n, &r), 0);
	assert_int_equal(r.nrua, DMARC_URI_MAX);
	assert_true(r.problems_truncated);

	/* every byte value as a record: no crash, slices inside */
	for (i = 0; i < 256; i++) {
		big[0] = (char)i;
		(void)parse(big, 1, &r);
	}
}

struct uri_case {
	const char *text;
	int valid, usable;
	enum dmarc_uri_scheme scheme;
	const char *host; /* NULL: none */
};

static const struct uri_case uri_cases[] = {
	{ "mailto:a@example.com", 1, 1, DMARC_URI_MAILTO, "example.com" },
	{ "MAILTO:A@Example.COM", 1, 1, DMARC_URI_MAILTO, "Example.COM" },
	{ "mailto:a@example.com?subject=x", 1, 1, DMARC_URI_MAILTO,
	    "example.com" },
	{ "mailto:a%2Bb@example.com", 1, 1, DMARC_URI_MAILTO, "example.com" },
	{ "mailto:first.last+tag@sub.example.org", 1, 1, DMARC_URI_MAILTO,
	    "sub.example.org" },
	{ "mailto:a@[192.0.2.1]", 1, 1, DMARC_URI_MAILTO, NULL },
	{ "mailto://abuse.com", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:abuse", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:a@localhost", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:.a@example.com", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:a..b@example.com", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:a@-.", 1, 0, DMARC_URI_MAILTO, NULL },
	{ "mailto:a@ex ample.com", 0, 0, DMARC_URI_OTHER, NULL },
	{ "mailto:a,b@example.com", 0, 0, DMARC_URI_OTHER, NULL },
	{ "mailto:a;b@example.com", 0, 0, DMARC_URI_OTHER, NULL },
	{ "https://r.example/x", 1, 1, DMARC_URI_HTTPS, "r.example" },
	{ "HTTPS://user@r.example:8443/x?y#z", 1, 1, DMARC_URI_HTTPS,
	    "r.example" },
	{ "https://[2001:db8::1]/x", 1, 1, DMARC_URI_HTTPS, NULL },
	{ "https:///x", 1, 0, DMARC_URI_HTTPS, NULL },
	{ "https:r.example", 1, 0, DMARC_URI_HTTPS, NULL },
	{ "https://r.example:80a/", 1, 0, DMARC_URI_HTTPS, NULL },
	{ "http://r.example/", 1, 0, DMARC_URI_OTHER, NULL },
	{ "ftp://x.example", 1, 0, DMARC_URI_OTHER, NULL },
	{ "reports@dmarc.cyber.dhs.gov", 0, 0, DMARC_URI_OTHER, NULL },
	{ "__mailto:x@y.example", 0, 0, DMARC_URI_OTHER, NULL },
	{ "http://bad/%", 0, 0, DMARC_URI_OTHER, NULL },
	{ "http://bad/%4", 0, 0, DMARC_URI_OTHER, NULL },
	{ "http://ok/%41", 1, 0, DMARC_URI_OTHER, NULL },
	{ ":x", 0, 0, DMARC_URI_OTHER, NULL },
	{ "", 0, 0, DMARC_URI_OTHER, NULL },
};

static void
test_dmarc_uri(void **state)
{
	const struct uri_case *c;
	struct dmarc_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		c = &uri_cases[i];
		dmarc_uri_check(c->text, strlen(c->text), true, &u);
		if (u.valid != c->valid || u.usable != c->usable)
			print_message("uri: %s: valid %d usable %d (%s)\n",
			    c->text, u.valid, u.usable,
			    u.error ? u.error : "-");
		assert_int_equal(u.valid, c->valid);
		assert_int_equal(u.usable, c->usable);
		assert_int_equal(u.usable, u.error == NULL);
		if (c->valid)
			assert_int_equal(u.scheme, c->scheme);
		if (c->host == NULL) {
			assert_int_equal(u.host.len, 0);
		} else {
			assert_int_equal(u.host.len, strlen(c->host));
			assert_memory_equal(u.host.p, c->host, u.host.len);
		}
	}
	/* the size suffix, and '!' where none is allowed (TLS-RPT) */
	dmarc_uri_check("mailto:a@b.example!0G", 21, true, &u);
	assert_true(u.usable && u.has_size && u.size == 0);
	assert_int_equal(u.size_unit, 'g');
	dmarc_uri_check("mailto:a@b.example!123", 22, true, &u);
	assert_true(u.usable && u.size == 123 && u.size_unit == '\0');
	dmarc_uri_check("mailto:a@b.example!10m", 22, false, &u);
	assert_false(u.valid);
	dmarc_uri_check("mailto:a@b.example!", 19, true, &u);
	assert_false(u.valid);
	dmarc_uri_check("mailto:a@b.example!10mm", 23, true, &u);
	assert_false(u.valid);
	dmarc_uri_check(
	    "mailto:a@b.example!99999999999999999999", 39, true, &u);
	assert_false(u.valid);
}

static void
test_dmarc_select(void **state)
{
	const char *rr[] = { "v=spf1 -all", "v=DMARC1; p=none", " v = DMARC1",
		"v=DMARC12; p=none", "v=dmarc1; p=none", "V=DMARC1;p=reject",
		"v=DMARC1", "v=DMARC1 p=none", "xv=DMARC1" };
	size_t len[9], idx = 99, i;

	(void)state;
	for (i = 0; i < 9; i++)
		len[i] = strlen(rr[i]);
	assert_int_equal(dmarc_select(rr, len, 0, &idx), DMARC_SELECT_NONE);
	assert_int_equal(dmarc_select(rr, len, 1, &idx), DMARC_SELECT_NONE);
	assert_int_equal(dmarc_select(rr, len, 2, &idx), DMARC_SELECT_ONE);
	assert_int_equal(idx, 1);
	assert_int_equal(
	    dmarc_select(rr + 3, len + 3, 2, &idx), DMARC_SELECT_NONE);
	assert_int_equal(
	    dmarc_select(rr + 4, len + 4, 2, &idx), DMARC_SELECT_ONE);
	assert_int_equal(idx, 1);
	assert_int_equal(dmarc_select(rr, len, 3, &idx), DMARC_SELECT_MULTIPLE);
	for (i = 0; i < 9; i++)
		assert_int_equal(dmarc_is_record(rr[i], len[i]),
		    i == 1 || i == 2 || i == 5 || i == 6 || i == 7);
}

/* ---- a fake DNS ---- */

#define T_TXT 16
#define T_MX  15

struct fake_rr {
	const char *name;
	int type;
	enum dnsview_status status; /* OK with txt[], or an error */
	const char *txt[4];         /* NULL-terminated */
};

struct fake_zone {
	const struct fake_rr *rr;
	size_t n;
	bool lazy;             /* unfetched answers are PENDING */
	char fetched[64][300]; /* "type name" fetched so far (lazy) */
	size_t nfetched;
	char want[300];    /* the last PENDING question */
	char log[64][300]; /* questions of the last run, in order */
	size_t nlog;
	const char *ptr[4];
	size_t len[4];
};

static enum dnsview_status
fake_lookup(void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	struct fake_zone *z = ctx;
	char key[300];
	size_t i, k, nl = strlen(name), rl;

	memset(out, 0, sizeof(*out));
	(void)snprintf(key, sizeof(key), "%d %s", type, name);
	if (z->nlog < 64)
		(void)snprintf(z->log[z->nlog++], sizeof(z->log[0]), "%s", key);
	if (z->lazy) {
		for (i = 0; i < z->nfetched; i++)
			if (strcasecmp(z->fetched[i], key) == 0)
				break;
		if (i == z->nfetched) {
			(void)snprintf(z->want, sizeof(z->want), "%s", key);
			out->status = DNSVIEW_PENDING;
			return out->status;
		}
	}
	out->status = DNSVIEW_NXDOMAIN;
	for (i = 0; i < z->n; i++) {
		rl = strlen(z->rr[i].name);
		if (strcasecmp(z->rr[i].name, name) == 0) {
			if (z->rr[i].type != type) {
				out->status = DNSVIEW_NODATA;
				continue;
			}
			out->status = z->rr[i].status;
			if (out->status != DNSVIEW_OK)
				return out->status;
			for (k = 0; k < 4 && z->rr[i].txt[k] != NULL; k++) {
				z->ptr[k] = z->rr[i].txt[k];
				z->len[k] = strlen(z->rr[i].txt[k]);
			}
			out->n = k;
			out->rr = z->ptr;
			out->len = z->len;
			out->secure = true;
			return out->status;
		}
		/* an empty non-terminal exists: NODATA */
		if (rl > nl && z->rr[i].name[rl - nl - 1] == '.' &&
		    strcasecmp(z->rr[i].name + rl - nl, name) == 0 &&
		    out->status == DNSVIEW_NXDOMAIN)
			out->status = DNSVIEW_NODATA;
	}
	return out->status;
}

static void
fake_init(struct fake_zone *z, const struct fake_rr *rr, size_t n, bool lazy,
    struct dnsview *view)
{
	memset(z, 0, sizeof(*z));
	z->rr = rr;
	z->n = n;
	z->lazy = lazy;
	view->lookup = fake_lookup;
	view->ctx = z;
}

/* fake_fetch - the driver's part: fetch the question that was PENDING */
static void
fake_fetch(struct fake_zone *z)
{
	assert_true(z->nfetched < 64);
	memcpy(z->fetched[z->nfetched++], z->want, sizeof(z->want));
}

/* discover - run to completion, fetching on PENDING when lazy */
static enum dmarc_status
discover(struct fake_zone *z, const struct dnsview *view, const char *domain,
    enum dmarc_std mode, const struct orgdomain *psl,
    struct dmarc_discovery *out)
{
	enum dmarc_status st;
	int runs = 0;

	for (;;) {
		z->nlog = 0;
		st = dmarc_discover(domain, view, mode, psl, out);
		if (st != DMARC_STATUS_PENDING)
			break;
		assert_null(out->raw);
		fake_fetch(z);
		assert_true(++runs < 40);
	}
	if (out->raw != NULL)
		check_record(out->raw, out->raw_len, &out->record);
	return st;
}

/* assert_log - the TXT questions of the last run were exactly names */
static void
assert_log(const struct fake_zone *z, const char *const *names, size_t n)
{
	char want[300];
	size_t i, k = 0;

	for (i = 0; i < z->nlog; i++) {
		if (strncmp(z->log[i], "16 ", 3) != 0)
			continue;
		assert_true(k < n);
		(void)snprintf(want, sizeof(want), "16 %s", names[k++]);
		assert_string_equal(z->log[i], want);
	}
	assert_int_equal(k, n);
}

/* the organizational-domain list, from the conformance set or the system */
static struct orgdomain *
load_psl(void)
{
	const char *data = getenv("MXAUDIT_TESTDATA");
	char path[4096];
	struct orgdomain *od = NULL;
	struct stat st;

	if (data != NULL &&
	    (size_t)snprintf(path, sizeof(path),
	        "%s/../../../shared/conformance/dmarc/psl/"
	        "public_suffix_list.dat",
	        data) < sizeof(path) &&
	    stat(path, &st) == 0)
		od = orgdomain_load(path);
	if (od == NULL)
		od = orgdomain_new_latest();
	return od;
}

/* RFC 9989 4.10: the eight queries for a 12-label name, no record */
static void
test_dmarc_walk_long(void **state)
{
	static const char *const want[] = {
		"_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com",
		"_dmarc.g.h.i.j.mail.example.com",
		"_dmarc.h.i.j.mail.example.com", "_dmarc.i.j.mail.example.com",
		"_dmarc.j.mail.example.com", "_dmarc.mail.example.com",
		"_dmarc.example.com", "_dmarc.com"
	};
	static const struct fake_rr zone[] = {
		{ "example.com", T_MX, DNSVIEW_OK, { "mx.example.com" } },
	};
	struct fake_zone z;
	struct dnsview view;
	struct dmarc_discovery d;

	(void)state;
	fake_init(&z, zone, 1, false, &view);
	assert_int_equal(
	    discover(&z, &view, "a.b.c.d.e.f.g.h.i.j.mail.example.com",
	        DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_NONE);
	assert_log(&z, want, 8);
	assert_int_equal(d.nsteps, 8);
	assert_string_equal(
	    d.org_domain, "a.b.c.d.e.f.g.h.i.j.mail.example.com");
	assert_int_equal(d.applies, DMARC_APPLIES_NONE);
	assert_int_equal(d.policy, DMARC_POLICY_UNSET);
	dmarc_discovery_release(&d);
}

/*
 * RFC 9989 5.1.8: a psd=n record at b.c.d.e.f.g.example.com is never seen
 * from mail.a.b.c.d.e.f.g.example.com (10 labels): the apex record applies
 */
static void
test_dmarc_walk_ten_labels(void **state)
{
	static const char *const want[] = {
		"_dmarc.mail.a.b.c.d.e.f.g.example.com",
		"_dmarc.c.d.e.f.g.example.com", "_dmarc.d.e.f.g.example.com",
		"_dmarc.e.f.g.example.com", "_dmarc.f.g.example.com",
		"_dmarc.g.example.com", "_dmarc.example.com", "_dmarc.com"
	};
	static const struct fake_rr zone[] = {
		{ "_dmarc.b.c.d.e.f.g.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none; psd=n" } },
		{ "_dmarc.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=reject; sp=quarantine" } },
		{ "mail.a.b.c.d.e.f.g.example.com", T_MX, DNSVIEW_OK,
		    { "mx.example.com" } },
	};
	struct fake_zone z;
	struct dnsview view;
	struct dmarc_discovery d;

	(void)state;
	fake_init(&z, zone, 3, true, &view);
	assert_int_equal(discover(&z, &view, "mail.a.b.c.d.e.f.g.example.com",
	                     DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_log(&z, want, 8);
	assert_string_equal(d.policy_domain, "example.com");
	assert_string_equal(d.record_name, "_dmarc.example.com");
	assert_string_equal(d.org_domain, "example.com");
	assert_int_equal(d.applies, DMARC_APPLIES_SUBDOMAIN);
	assert_int_equal(d.policy, DMARC_POLICY_QUARANTINE);
	assert_string_equal(d.raw, "v=DMARC1; p=reject; sp=quarantine");
	assert_true(d.secure);
	dmarc_discovery_release(&d);
}

/* the three examples of RFC 9989 4.10.2, from a.mail.example.com */
static void
test_dmarc_walk_examples(void **state)
{
	static const struct fake_rr two[] = {
		{ "_dmarc.mail.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=quarantine" } },
		{ "_dmarc.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=reject; sp=none" } },
		{ "a.mail.example.com", T_MX, DNSVIEW_OK, { "mx.example" } },
	};
	static const struct fake_rr psdn[] = {
		{ "_dmarc.mail.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=quarantine; psd=n" } },
		{ "_dmarc.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=reject" } },
		{ "a.mail.example.com", T_MX, DNSVIEW_OK, { "mx.example" } },
	};
	static const struct fake_rr psdy[] = {
		{ "_dmarc.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none; sp=reject; np=quarantine; psd=y" } },
		{ "a.mail.example.com", T_MX, DNSVIEW_OK, { "mx.example" } },
	};
	static const char *const all[] = { "_dmarc.a.mail.example.com",
		"_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com" };
	struct fake_zone z;
	struct dnsview view;
	struct dmarc_discovery d;

	(void)state;
	/* records at mail.example.com and example.com: example.com is the
	   organizational domain, and its record (sp) applies */
	fake_init(&z, two, 3, false, &view);
	assert_int_equal(
	    discover(&z, &view, "a.mail.example.com", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_log(&z, all, 4);
	assert_string_equal(d.org_domain, "example.com");
	assert_string_equal(d.policy_domain, "example.com");
	assert_int_equal(d.applies, DMARC_APPLIES_SUBDOMAIN);
	assert_int_equal(d.policy, DMARC_POLICY_NONE);
	dmarc_discovery_release(&d);

	/* psd=n at mail.example.com: the walk stops there */
	fake_init(&z, psdn, 3, false, &view);
	assert_int_equal(
	    discover(&z, &view, "A.Mail.Example.COM.", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_log(&z, all, 2);
	assert_string_equal(d.domain, "a.mail.example.com");
	assert_string_equal(d.org_domain, "mail.example.com");
	assert_string_equal(d.policy_domain, "mail.example.com");
	assert_int_equal(d.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(d.step[1].psd, 'n');
	dmarc_discovery_release(&d);

	/* only _dmarc.com, psd=y: example.com is the organizational domain,
	   the PSD's record applies */
	fake_init(&z, psdy, 2, true, &view);
	assert_int_equal(
	    discover(&z, &view, "a.mail.example.com", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_string_equal(d.org_domain, "example.com");
	assert_string_equal(d.policy_domain, "com");
	assert_true(d.psd_record);
	assert_int_equal(d.applies, DMARC_APPLIES_SUBDOMAIN);
	assert_int_equal(d.policy, DMARC_POLICY_REJECT);
	dmarc_discovery_release(&d);

	/* the same for a name that does not exist: np */
	fake_init(&z, psdy, 1, false, &view);
	assert_int_equal(
	    discover(&z, &view, "nx.example.com", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_int_equal(d.applies, DMARC_APPLIES_NXDOMAIN);
	assert_int_equal(d.policy, DMARC_POLICY_QUARANTINE);
	dmarc_discovery_release(&d);
}

/* own record; psd=y at the start; several records; DNS failures */
static void
test_dmarc_walk_edges(void **state)
{
	static const struct fake_rr zone[] = {
		{ "_dmarc.own.test", T_TXT, DNSVIEW_OK,
		    { "v=spf1 -all", "v=DMARC1; p=reject; sp=none" } },
		{ "_dmarc.test", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=quarantine; psd=y" } },
		{ "_dmarc.many.test", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none", "v=DMARC1; p=reject" } },
		{ "_dmarc.fail.test", T_TXT, DNSVIEW_TEMPFAIL, { NULL } },
		{ "_dmarc.sub.bad.example", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; sp=reject" } },
		{ "_dmarc.mid.fail2.test", T_TXT, DNSVIEW_TEMPFAIL, { NULL } },
		{ "_dmarc.fail2.test", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none" } },
	};
	static const struct fake_rr psdzone[] = {
		{ "_dmarc.test", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=quarantine; psd=y" } },
	};
	struct fake_zone z;
	struct dnsview view;
	struct dmarc_discovery d;

	(void)state;
	fake_init(&z, zone, sizeof(zone) / sizeof(zone[0]), false, &view);
	/* own record: p; the walk goes on to the organizational domain */
	assert_int_equal(
	    discover(&z, &view, "own.test", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_int_equal(d.applies, DMARC_APPLIES_DOMAIN);
	assert_int_equal(d.policy, DMARC_POLICY_REJECT);
	assert_string_equal(d.org_domain, "own.test");
	assert_int_equal(d.nsteps, 2);
	dmarc_discovery_release(&d);

	/* several records: 9989 discards them and walks on */
	assert_int_equal(
	    discover(&z, &view, "many.test", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_true(d.multiple_seen);
	assert_int_equal(d.step[0].result, DMARC_STEP_MULTIPLE);
	assert_string_equal(d.policy_domain, "test");
	assert_true(d.psd_record);
	dmarc_discovery_release(&d);

	/* a DNS failure where the policy could be */
	assert_int_equal(
	    discover(&z, &view, "fail.test", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_TEMPFAIL);
	assert_null(d.raw);
	dmarc_discovery_release(&d);
	assert_int_equal(
	    discover(&z, &view, "x.mid.fail2.test", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_TEMPFAIL);
	dmarc_discovery_release(&d);

	/* an inherited record without p and rua is unusable */
	assert_int_equal(
	    discover(&z, &view, "x.sub.bad.example", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_UNUSABLE);
	assert_string_equal(d.policy_domain, "sub.bad.example");
	assert_int_equal(d.policy, DMARC_POLICY_UNSET);
	assert_non_null(d.raw);
	dmarc_discovery_release(&d);

	/* a PSD sending as itself: psd=y at the start, its own org */
	fake_init(&z, psdzone, 1, false, &view);
	assert_int_equal(discover(&z, &view, "test", DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_FOUND);
	assert_int_equal(d.applies, DMARC_APPLIES_DOMAIN);
	assert_string_equal(d.org_domain, "test");
	dmarc_discovery_release(&d);

	/* bad names */
	assert_int_equal(dmarc_discover("a..b", &view, DMARC_RFC9989, NULL, &d),
	    DMARC_STATUS_ERROR);
	assert_int_equal(
	    dmarc_discover("own.test", &view, DMARC_RFC7489, NULL, &d),
	    DMARC_STATUS_ERROR);
	dmarc_discovery_release(&d);
}

/* RFC 7489 6.6.3 against RFC 9989, and the comparison helper */
static void
test_dmarc_discover_7489(void **state)
{
	static const struct fake_rr zone[] = {
		{ "_dmarc.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=reject; sp=quarantine; "
		      "rua=mailto:d@example.com,mailto:r@thirdparty.example,"
		      "https://reports.example.net/x; "
		      "ruf=mailto:f@thirdparty.example" } },
		{ "_dmarc.mail.example.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none" } },
		{ "_dmarc.blogspot.com", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=reject" } },
		{ "_dmarc.many.example.org", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=none", "v=DMARC1; p=reject" } },
		{ "_dmarc.example.org", T_TXT, DNSVIEW_OK,
		    { "v=DMARC1; p=quarantine" } },
		{ "x.y.example.com", T_MX, DNSVIEW_OK, { "mx.example.com" } },
		{ "example.com._report._dmarc.thirdparty.example", T_TXT,
		    DNSVIEW_OK, { "v=DMARC1" } },
		{ "example.com._report._dmarc.reports.example.net", T_TXT,
		    DNSVIEW_OK, { "v=spf1 -all" } },
	};
	struct orgdomain *psl = load_psl();
	struct fake_zone z;
	struct dnsview view;
	struct dmarc_discovery a, b;
	struct dmarc_external ext;
	char buf[128];
	size_t i;

	(void)state;
	if (psl == NULL) {
		print_message("no public suffix list: skipped\n");
		skip();
	}
	fake_init(&z, zone, sizeof(zone) / sizeof(zone[0]), true, &view);

	/* x.y.example.com: 7489 jumps to the PSL org domain */
	assert_int_equal(
	    discover(&z, &view, "x.y.example.com", DMARC_RFC7489, psl, &a),
	    DMARC_STATUS_FOUND);
	assert_int_equal(a.nsteps, 2);
	assert_string_equal(a.org_domain, "example.com");
	assert_string_equal(a.policy_domain, "example.com");
	assert_int_equal(a.applies, DMARC_APPLIES_SUBDOMAIN);
	assert_int_equal(a.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(
	    discover(&z, &view, "x.y.example.com", DMARC_RFC9989, psl, &b),
	    DMARC_STATUS_FOUND);
	assert_int_equal(dmarc_compare(&a, &b), 0);
	assert_string_equal(
	    dmarc_compare_text(dmarc_compare(&a, &b), buf, sizeof(buf)),
	    "agree");

	/* external destinations: thirdparty.example authorised, reports.
	   example.net not, example.com itself needs no check */
	for (i = 0; i < 2; i++) {
		z.nlog = 0;
		while (dmarc_verify_external(i == 0 ? &a : &b, &view, psl,
		           &ext) == DNSVIEW_PENDING)
			fake_fetch(&z);
		assert_int_equal(ext.n, 3);
		assert_string_equal(ext.dest[0].host, "example.com");
		assert_int_equal(ext.dest[0].status, DMARC_EXT_SAME_ORG);
		assert_true(ext.dest[0].rua && !ext.dest[0].ruf);
		assert_string_equal(ext.dest[1].host, "thirdparty.example");
		assert_string_equal(ext.dest[1].query,
		    "example.com._report._dmarc.thirdparty.example");
		assert_int_equal(ext.dest[1].status, DMARC_EXT_AUTHORIZED);
		assert_true(ext.dest[1].rua && ext.dest[1].ruf);
		assert_string_equal(ext.dest[2].host, "reports.example.net");
		assert_int_equal(ext.dest[2].status, DMARC_EXT_UNAUTHORIZED);
	}
	dmarc_discovery_release(&a);
	dmarc_discovery_release(&b);

	/* mail.example.com has its own record in both */
	assert_int_equal(
	    discover(&z, &view, "mail.example.com", DMARC_RFC7489, psl, &a),
	    DMARC_STATUS_FOUND);
	assert_int_equal(a.nsteps, 1);
	assert_int_equal(a.applies, DMARC_APPLIES_DOMAIN);
	assert_int_equal(
	    discover(&z, &view, "mail.example.com", DMARC_RFC9989, psl, &b),
	    DMARC_STATUS_FOUND);
	/* 9989 walks on: example.com has a record, so it is the org */
	assert_int_equal(dmarc_compare(&a, &b), 0);
	dmarc_discovery_release(&a);
	dmarc_discovery_release(&b);

	/* x.blogspot.com: the PSL makes it an organizational domain (private
	   section), the walk finds blogspot.com's record */
	assert_int_equal(
	    discover(&z, &view, "x.blogspot.com", DMARC_RFC7489, psl, &a),
	    DMARC_STATUS_NONE);
	assert_int_equal(
	    discover(&z, &view, "x.blogspot.com", DMARC_RFC9989, psl, &b),
	    DMARC_STATUS_FOUND);
	assert_int_equal(dmarc_compare(&a, &b),
	    DMARC_CMP_STATUS | DMARC_CMP_LOCATION | DMARC_CMP_APPLIES |
	        DMARC_CMP_POLICY | DMARC_CMP_ORG);
	assert_string_equal(
	    dmarc_compare_text(dmarc_compare(&a, &b), buf, sizeof(buf)),
	    "differ: status, record location, applied tag, policy, "
	    "organizational domain");
	assert_string_equal(
	    dmarc_compare_text(DMARC_CMP_POLICY, buf, 12), "differ: pol");
	dmarc_discovery_release(&a);
	dmarc_discovery_release(&b);

	/* several records: 7489 stops, 9989 walks on */
	assert_int_equal(
	    discover(&z, &view, "many.example.org", DMARC_RFC7489, psl, &a),
	    DMARC_STATUS_MULTIPLE);
	assert_int_equal(
	    discover(&z, &view, "many.example.org", DMARC_RFC9989, psl, &b),
	    DMARC_STATUS_FOUND);
	assert_int_equal(b.policy, DMARC_POLICY_QUARANTINE);
	assert_true(dmarc_compare(&a, &b) & DMARC_CMP_STATUS);
	dmarc_discovery_release(&a);
	dmarc_discovery_release(&b);

	/* a public suffix has no organizational domain under 7489 */
	assert_int_equal(discover(&z, &view, "com", DMARC_RFC7489, psl, &a),
	    DMARC_STATUS_NONE);
	assert_string_equal(a.org_domain, "");
	assert_int_equal(a.nsteps, 1);
	dmarc_discovery_release(&a);
	orgdomain_free(psl);
}

static void
test_dmarc_external_authorizes(void **state)
{
	const char *rr[] = { "v=spf1 -all", " v=DMARC1;" };
	size_t len[] = { 11, 10 };
	struct dnsview_rrset rs = { DNSVIEW_OK, 1, rr, len, false };

	(void)state;
	assert_false(dmarc_external_authorizes(&rs));
	rs.n = 2;
	assert_true(dmarc_external_authorizes(&rs));
	rs.status = DNSVIEW_NXDOMAIN;
	assert_false(dmarc_external_authorizes(&rs));
	assert_false(dmarc_external_authorizes(NULL));
}

static void
test_orgdomain(void **state)
{
	struct orgdomain *od = load_psl();
	char out[DOMAIN_MAX + 1];

	(void)state;
	if (od == NULL)
		skip();
	assert_int_equal(
	    orgdomain_get(od, "WWW.Example.COM.", out, sizeof(out)), 0);
	assert_string_equal(out, "example.com");
	assert_int_equal(orgdomain_get(od, "a.b.example.co.uk", out, 64), 0);
	assert_string_equal(out, "example.co.uk");
	assert_int_equal(orgdomain_get(od, "co.uk", out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(orgdomain_get(od, "a..example.com", out, 64), -1);
	assert_int_equal(orgdomain_get(od, "example.com..", out, 64), -1);
	assert_int_equal(orgdomain_get(od, "", out, 64), -1);
	assert_int_equal(orgdomain_get(od, "a.example.com", out, 11), -1);
	assert_int_equal(orgdomain_get(od, "a.example.com", out, 12), 0);
	assert_true(orgdomain_is_suffix(od, "co.uk"));
	assert_false(orgdomain_is_suffix(od, "example.co.uk"));
	assert_int_equal(orgdomain_get(NULL, "example.com", out, 64), -1);
	orgdomain_free(od);
	orgdomain_free(NULL);
	assert_null(orgdomain_load("/nonexistent/psl.dat"));
}

/* ---- conformance sets ---- */

static bool
conf_path(char *out, size_t size, const char *name)
{
	const char *data = getenv("MXAUDIT_TESTDATA");
	struct stat st;
	int n;

	if (data == NULL)
		return false;
	n = snprintf(
	    out, size, "%s/../../../shared/conformance/dmarc/%s", data, name);
	assert_true(n > 0 && (size_t)n < size);
	return stat(out, &st) == 0;
}

static json_t *
conf_load(const char *name)
{
	char path[4096];
	json_error_t jerr;
	json_t *root;

	if (!conf_path(path, sizeof(path), name)) {
		print_message("%s: not found, skipped\n", name);
		skip();
	}
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s at line %d", path, jerr.text, jerr.line);
	return root;
}

/* conf_policy - the name of an expected policy ("" when unset) */
static const char *
conf_policy(enum dmarc_policy p)
{
	return dmarc_policy_name(p);
}

/* conf_list_eq - the colon-separated value (trimmed, lower) is list */
static bool
conf_list_eq(struct dmarc_slice v, json_t *list)
{
	char item[64];
	size_t i = 0, k, start, n = 0, len;
	json_t *e;

	while (i <= v.len && v.len > 0) {
		start = i;
		while (i < v.len && v.p[i] != ':')
			i++;
		for (len = 0, k = start; k < i && len < sizeof(item) - 1; k++)
			if (v.p[k] != ' ' && v.p[k] != '\t')
				item[len++] =
				    (char)ascii_tolower((unsigned char)v.p[k]);
		item[len] = '\0';
		e = json_array_get(list, n++);
		if (e == NULL || strcmp(json_string_value(e), item) != 0)
			return false;
		i++;
	}
	return n == json_array_size(list);
}

/* conf_uris - rua/ruf against mox's [{uri, max_size?, unit?}] */
static bool
conf_uris(const struct dmarc_uri *u, size_t n, json_t *list)
{
	json_t *e, *ms, *unit;
	size_t i;

	if (n != json_array_size(list))
		return false;
	for (i = 0; i < n; i++) {
		e = json_array_get(list, i);
		if (strlen(json_string_value(json_object_get(e, "uri"))) !=
		        u[i].text.len ||
		    memcmp(json_string_value(json_object_get(e, "uri")),
		        u[i].text.p, u[i].text.len) != 0)
			return false;
		ms = json_object_get(e, "max_size");
		unit = json_object_get(e, "unit");
		if ((ms != NULL) != u[i].has_size)
			return false;
		if (ms != NULL && (uint64_t)json_integer_value(ms) != u[i].size)
			return false;
		if (unit != NULL &&
		    (json_string_value(unit)[0] != u[i].size_unit))
			return false;
	}
	return true;
}

/*
 * mox (RFC 7489 rules): "valid" is usable under RFC 7489; for valid
 * records, the whole expected parse (mox defaults filled in)
 */
static void
test_dmarc_conf_mox(void **state)
{
	json_t *root, *cases, *c, *exp;
	struct dmarc_record r;
	const char *text;
	size_t i, npass = 0;
	bool ok, valid;
	unsigned fo;
	json_t *e;
	size_t k;

	(void)state;
	root = conf_load("mox-dmarc-records.json");
	cases = json_object_get(root, "cases");
	json_array_foreach(cases, i, c)
	{
		text = json_string_value(json_object_get(c, "record"));
		valid = json_is_true(json_object_get(c, "valid"));
		(void)parse(text, strlen(text), &r);
		ok = r.verdict[DMARC_RFC7489].usable == valid;
		exp = json_object_get(c, "expected");
		if (ok && valid && exp != NULL) {
			const struct dmarc_verdict *v = &r.verdict[0];

			fo = 0;
			json_array_foreach(json_object_get(exp, "fo"), k, e)
			{
				const char *s = json_string_value(e);

				fo |= s[0] == '0' ? DMARC_FO_0
				    : s[0] == '1' ? DMARC_FO_1
				    : s[0] == 'd' ? DMARC_FO_D
				                  : DMARC_FO_S;
			}
			ok =
			    strcmp(json_string_value(json_object_get(exp, "p")),
			        conf_policy(v->p)) == 0 &&
			    strcmp(
			        json_string_value(json_object_get(exp, "sp")),
			        v->fallback ? "" : conf_policy(r.sp)) == 0 &&
			    json_string_value(json_object_get(exp,
			        "adkim"))[0] == (r.adkim_strict ? 's' : 'r') &&
			    json_string_value(json_object_get(exp,
			        "aspf"))[0] == (r.aspf_strict ? 's' : 'r') &&
			    json_integer_value(json_object_get(exp, "ri")) ==
			        r.ri &&
			    json_integer_value(json_object_get(exp, "pct")) ==
			        r.pct &&
			    fo == r.fo &&
			    (r.value[DMARC_TAG_RF].len == 0
			            ? r.rf_afrf
			            : conf_list_eq(r.value[DMARC_TAG_RF],
			                  json_object_get(exp, "rf"))) &&
			    conf_uris(
			        r.rua, r.nrua, json_object_get(exp, "rua")) &&
			    conf_uris(
			        r.ruf, r.nruf, json_object_get(exp, "ruf"));
		}
		if (!ok) {
			print_message("mox: %s: want %s\n", text,
			    valid ? "valid" : "invalid");
			dump_problems(&r);
		}
		npass += ok;
	}
	print_message("mox-dmarc-records: %zu/%zu pass (RFC 7489 verdict)\n",
	    npass, json_array_size(cases));
	assert_int_equal(npass, json_array_size(cases));
	json_decref(root);
}

/*
 * conf_opendmarc_against - OpenDMARC cases decided against, with the rule.
 * Each is still checked, against what RFC 7489 makes of it.
 *
 *  5 "p=n": OpenDMARC takes a prefix of "none"; RFC 7489 6.4 allows only
 *    none/quarantine/reject, so p is invalid, and without rua 6.6.3 leaves
 *    the record unusable.
 * 10-14, 19 a bad adkim, aspf, rf, ri or pct (rf=bob, ri=bob, pct=500,
 *    rf=000...): OpenDMARC rejects the record; RFC 7489 6.3 says "syntax
 *    errors in the remainder of the record SHOULD be discarded in favor of
 *    default values": the record is usable, the tag gets a warning and its
 *    default. (checkdmarc's pct=150, ri=abc, rf=invalid cases agree that
 *    such a record stays in use; mox's bad-value cases all lack p.)
 */
static const struct {
	int n;
	bool usable;     /* our RFC 7489 verdict */
	const char *tag; /* the tag that gets a warning */
} conf_opendmarc_against[] = {
	{ 5, false, "p" },
	{ 10, true, "adkim" },
	{ 11, true, "aspf" },
	{ 12, true, "rf" },
	{ 13, true, "ri" },
	{ 14, true, "pct" },
	{ 19, true, "rf" },
};

static void
test_dmarc_conf_opendmarc(void **state)
{
	json_t *root, *cases, *c;
	struct dmarc_record r;
	struct orgdomain *od;
	const char *text, *want;
	char out[DOMAIN_MAX + 1];
	size_t i, k, npass = 0, nagainst = 0, norg = 0;
	bool valid, ok;
	int n;

	(void)state;
	root = conf_load("opendmarc-vectors.json");
	cases = json_object_get(root, "record_parse");
	json_array_foreach(cases, i, c)
	{
		text = json_string_value(json_object_get(c, "record"));
		valid = json_is_true(json_object_get(c, "valid"));
		n = (int)json_integer_value(json_object_get(c, "n"));
		(void)parse(text, strlen(text), &r);
		for (k = 0; k < sizeof(conf_opendmarc_against) /
		         sizeof(conf_opendmarc_against[0]);
		     k++)
			if (conf_opendmarc_against[k].n == n)
				break;
		if (k < sizeof(conf_opendmarc_against) /
		        sizeof(conf_opendmarc_against[0])) {
			assert_int_equal(r.verdict[0].usable,
			    conf_opendmarc_against[k].usable);
			assert_true(
			    has_problem(&r, conf_opendmarc_against[k].tag,
			        DMARC_SEV_WARN, B7489));
			assert_int_not_equal(valid, r.verdict[0].usable);
			nagainst++;
			continue;
		}
		ok = r.verdict[DMARC_RFC7489].usable == valid;
		if (!ok) {
			print_message("opendmarc #%d: %s: want %s\n", n, text,
			    valid ? "valid" : "invalid");
			dump_problems(&r);
		}
		npass += ok;
	}
	print_message("opendmarc record_parse: %zu/%zu pass, %zu decided "
	              "against (RFC 7489 6.3/6.4)\n",
	    npass, json_array_size(cases), nagainst);
	assert_int_equal(npass + nagainst, json_array_size(cases));

	od = load_psl();
	if (od != NULL) {
		cases = json_object_get(root, "org_domain");
		json_array_foreach(cases, i, c)
		{
			text = json_string_value(json_object_get(c, "domain"));
			want = json_string_value(
			    json_object_get(c, "expected_org_domain"));
			ok = orgdomain_get(od, text, out, sizeof(out)) == 0 &&
			    strcmp(out, want) == 0;
			if (!ok)
				print_message("opendmarc org: %s: got %s want "
				              "%s\n",
				    text, out, want);
			norg += ok;
		}
		print_message("opendmarc org_domain: %zu/%zu pass\n", norg,
		    json_array_size(cases));
		assert_int_equal(norg, json_array_size(cases));
		orgdomain_free(od);
	}
	json_decref(root);
}

/*
 * conf_checkdmarc_against - checkdmarc (RFC 9989) cases decided against.
 * checkdmarc raises an error; RFC 9989 keeps the record in use and we give
 * the tag a warning (checked).
 *
 * - rua=reports@dmarc.cyber.dhs.gov,mailto:... and rua=__mailto:...: a URI
 *   without a valid scheme. 9989 4.7: "URIs involving schemes not
 *   supported by Mail Receivers MUST be ignored", 4.8: syntax errors are
 *   discarded; the other URI and p=none still apply.
 * - p=foo with a valid rua: 9989 4.10.1 (and 7489 6.6.3) "MUST act as if a
 *   record containing p=none was retrieved"; mox agrees (its "p=reject;
 *   sp=invalid; rua=..." case is valid with p=none).
 * - psd=x, t=x, fo=invalid_value, fo=x: 9989 4.8 "Syntax errors in the
 *   remainder of the record MUST be discarded in favor of default values":
 *   psd=u, t=n, fo=0.
 */
static const struct {
	const char *record;
	const char *tag;
} conf_checkdmarc_against[] = {
	{ "v=DMARC1; p=none; rua=reports@dmarc.cyber.dhs.gov,"
	  "mailto:dmarcreports@usdoj.gov",
	    "rua" },
	{ "v=DMARC1; p=none; rua=__mailto:reports@dmarc.cyber.dhs.gov,"
	  "mailto:dmarcreports@usdoj.gov",
	    "rua" },
	{ "v=DMARC1; p=foo; rua=mailto:dmarc@example.com", "p" },
	{ "v=DMARC1; p=reject; psd=x", "psd" },
	{ "v=DMARC1; p=reject; t=x", "t" },
	{ "v=DMARC1; p=reject; fo=invalid_value", "fo" },
	{ "v=DMARC1; p=reject; fo=x", "fo" },
};

static void
test_dmarc_conf_checkdmarc(void **state)
{
	json_t *root, *cases, *c;
	struct dmarc_record r;
	const char *text, *outcome;
	size_t i, k, npass = 0, nagainst = 0;
	bool accepted, ok;

	(void)state;
	root = conf_load("checkdmarc-vectors.json");
	cases = json_object_get(root, "dmarc_records");
	json_array_foreach(cases, i, c)
	{
		text = json_string_value(json_object_get(c, "input"));
		outcome = json_string_value(json_object_get(c, "outcome"));
		accepted = strcmp(outcome, "accepted") == 0;
		(void)parse(text, strlen(text), &r);
		for (k = 0; k < sizeof(conf_checkdmarc_against) /
		         sizeof(conf_checkdmarc_against[0]);
		     k++)
			if (strcmp(conf_checkdmarc_against[k].record, text) ==
			    0)
				break;
		if (k < sizeof(conf_checkdmarc_against) /
		        sizeof(conf_checkdmarc_against[0])) {
			assert_false(accepted);
			assert_true(r.verdict[DMARC_RFC9989].usable);
			assert_true(
			    has_problem(&r, conf_checkdmarc_against[k].tag,
			        DMARC_SEV_WARN, B9989));
			nagainst++;
			continue;
		}
		ok = r.verdict[DMARC_RFC9989].usable == accepted;
		if (!ok) {
			print_message(
			    "checkdmarc: %s: want %s\n", text, outcome);
			dump_problems(&r);
		}
		npass += ok;
	}
	print_message("checkdmarc dmarc_records: %zu/%zu pass, %zu decided "
	              "against (RFC 9989 4.7/4.8/4.10.1)\n",
	    npass, json_array_size(cases), nagainst);
	assert_int_equal(npass + nagainst, json_array_size(cases));
	json_decref(root);
}

/* psl/test_psl.txt: checkPublicSuffix('input', 'expected' or null); */
static void
test_dmarc_conf_psl(void **state)
{
	char path[4096], line[512], in[256], want[256], out[DOMAIN_MAX * 4];
	struct orgdomain *od;
	FILE *f;
	size_t ntotal = 0, npass = 0;
	bool innull, wantnull, ok;
	char *p, *q;
	int rc;

	(void)state;
	if (!conf_path(path, sizeof(path), "psl/public_suffix_list.dat")) {
		print_message("psl: not found, skipped\n");
		skip();
	}
	od = orgdomain_load(path);
	assert_non_null(od);
	assert_true(conf_path(path, sizeof(path), "psl/test_psl.txt"));
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "checkPublicSuffix(", 18) != 0)
			continue;
		p = line + 18;
		innull = strncmp(p, "null", 4) == 0;
		if (!innull) {
			assert_true(*p == '\'');
			q = strchr(p + 1, '\'');
			assert_non_null(q);
			(void)snprintf(
			    in, sizeof(in), "%.*s", (int)(q - p - 1), p + 1);
			p = q + 1;
		} else {
			p += 4;
		}
		p = strchr(p, ',');
		assert_non_null(p);
		for (p++; *p == ' '; p++)
			;
		wantnull = strncmp(p, "null", 4) == 0;
		if (!wantnull) {
			q = strchr(p + 1, '\'');
			assert_non_null(q);
			(void)snprintf(want, sizeof(want), "%.*s",
			    (int)(q - p - 1), p + 1);
		}
		rc = orgdomain_get(od, innull ? NULL : in, out, sizeof(out));
		ok = wantnull ? rc == -1 : rc == 0 && strcmp(out, want) == 0;
		if (!ok)
			print_message("psl: %s: got %s want %s\n",
			    innull ? "null" : in, rc == 0 ? out : "null",
			    wantnull ? "null" : want);
		ntotal++;
		npass += ok;
	}
	fclose(f);
	orgdomain_free(od);
	print_message("psl test_psl.txt: %zu/%zu pass\n", npass, ntotal);
	assert_int_equal(ntotal, 78);
	assert_int_equal(npass, ntotal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_parse_table),
		cmocka_unit_test(test_dmarc_parse_fields),
		cmocka_unit_test(test_dmarc_parse_hostile),
		cmocka_unit_test(test_dmarc_uri),
		cmocka_unit_test(test_dmarc_select),
		cmocka_unit_test(test_dmarc_walk_long),
		cmocka_unit_test(test_dmarc_walk_ten_labels),
		cmocka_unit_test(test_dmarc_walk_examples),
		cmocka_unit_test(test_dmarc_walk_edges),
		cmocka_unit_test(test_dmarc_discover_7489),
		cmocka_unit_test(test_dmarc_external_authorizes),
		cmocka_unit_test(test_orgdomain),
		cmocka_unit_test(test_dmarc_conf_mox),
		cmocka_unit_test(test_dmarc_conf_opendmarc),
		cmocka_unit_test(test_dmarc_conf_checkdmarc),
		cmocka_unit_test(test_dmarc_conf_psl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
