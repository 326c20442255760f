/* SPDX-License-Identifier: ISC */
/*
 * test_mtasts - MTA-STS TXT records, RRset selection, policy files and MX
 * matching: our own tables, then the conformance sets in
 * ../shared/conformance (mta-sts/mox-mta-sts.json and the MTA-STS keys of
 * dmarc/checkdmarc-vectors.json; skipped when absent).
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

#include <cmocka.h>
#include <jansson.h>

#include "proto/mtasts.h"

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

/* slice_is - s holds exactly want (NULL: absent) */
static bool
slice_is(struct mtasts_slice s, const char *want)
{
	if (want == NULL)
		return s.len == 0 && s.p == NULL;
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* ---- TXT records ---- */

struct txt_case {
	const char *record;
	const char *id;  /* NULL: invalid */
	const char *err; /* expected message when invalid */
	size_t next;
	bool dup_id;
};

static const struct txt_case txt_cases[] = {
	{ "v=STSv1; id=20160831085700Z;", "20160831085700Z", NULL, 0, false },
	{ "v=STSv1;id=abc", "abc", NULL, 0, false },
	{ "v=STSv1 ; id=abc", "abc", NULL, 0, false },
	{ "v=STSv1\t;\tid=abc\t;\t", "abc", NULL, 0, false },
	{ "v=STSv1; id=abc;  ", "abc", NULL, 0, false },
	{ "v=STSv1; id=abc; id=def", "abc", NULL, 0, true },
	{ "v=STSv1; id=abc; id=d-e-f", "abc", NULL, 0, true },
	{ "v=STSv1; x.y-z_w=a!b; id=Z9", "Z9", NULL, 1, false },
	{ "v=STSv1; id=01234567890123456789012345678901",
	    "01234567890123456789012345678901", NULL, 0, false },
	{ "v=STSv1; id=a; a1234567890123456789012345678901=1", "a", NULL, 1,
	    false },
	{ "v=STSv1; id=abc; id=", NULL, "empty field value", 0, false },
	{ "v=STSv1; id=a-b", NULL,
	    "id has a character other than a letter or digit", 0, false },
	{ "v=STSv1; id=012345678901234567890123456789012", NULL,
	    "id longer than 32 characters", 0, false },
	{ "v=STSv1; id=", NULL, "empty id", 0, false },
	{ "V=STSv1; id=a", NULL, "not an mta-sts record", 0, false },
	{ "v=stsv1; id=a", NULL, "not an mta-sts record", 0, false },
	{ "", NULL, "not an mta-sts record", 0, false },
	{ "v=STSv", NULL, "not an mta-sts record", 0, false },
	{ "v=STSv1", NULL, "missing id", 0, false },
	{ "v=STSv1; ID=abc", NULL, "missing id", 0, false },
	{ "v=STSv1; id=abc def", NULL, "expected ';'", 0, false },
	{ "v=STSv1 id=abc", NULL, "expected ';'", 0, false },
	{ "v=STSv10; id=abc", NULL, "expected ';'", 0, false },
	{ "v=STSv1; ;id=abc", NULL, "bad field name", 0, false },
	{ "v=STSv1; id=abc; -x=1", NULL, "bad field name", 0, false },
	{ "v=STSv1; id=abc; x", NULL, "expected '='", 0, false },
	{ "v=STSv1; id=abc; x=a=b", NULL, "expected ';'", 0, false },
	{ "v=STSv1; id=abc; x= b", NULL, "empty field value", 0, false },
	{ "v=STSv1; id=a; a12345678901234567890123456789012=1", NULL,
	    "field name longer than 32 characters", 0, false },
	{ "v=STSv1; id=a;\r\n", NULL, "bad field name", 0, false },
};

static void
test_mtasts_txt_table(void **state)
{
	struct mtasts_txt t;
	struct perr err;
	size_t i, len;
	char *p;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(txt_cases) / sizeof(txt_cases[0]); i++) {
		const struct txt_case *c = &txt_cases[i];

		len = strlen(c->record);
		p = dup_exact(c->record, len);
		err.msg = NULL;
		rc = mtasts_txt_parse(p, len, &t, &err);
		if (c->id == NULL) {
			if (rc != -1 || strcmp(err.msg, c->err) != 0)
				fail_msg("%s: rc %d err %s, want %s", c->record,
				    rc, err.msg ? err.msg : "(none)", c->err);
			assert_true(t.id.len == 0 && t.next == 0);
		} else {
			if (rc != 0)
				fail_msg("%s: %s at %zu", c->record, err.msg,
				    err.off);
			assert_true(slice_is(t.id, c->id));
			assert_int_equal(t.next, c->next);
			assert_int_equal(t.dup_id, c->dup_id);
		}
		free(p);
	}
}

static void
test_mtasts_txt_extensions(void **state)
{
	char rec[1024];
	struct mtasts_txt t;
	struct perr err;
	size_t n = 0, i;

	(void)state;
	n = (size_t)snprintf(rec, sizeof(rec), "v=STSv1; id=x");
	for (i = 0; i < MTASTS_MAXEXT + 3; i++)
		n += (size_t)snprintf(
		    rec + n, sizeof(rec) - n, "; e%zu=v%zu", i, i);
	assert_int_equal(mtasts_txt_parse(rec, n, &t, &err), 0);
	assert_int_equal(t.next, MTASTS_MAXEXT);
	assert_true(t.ext_truncated);
	assert_true(slice_is(t.ext[0].name, "e0"));
	assert_true(slice_is(t.ext[0].value, "v0"));
	assert_true(slice_is(t.ext[15].name, "e15"));

	/* a NUL inside: the record is not cut there */
	assert_int_equal(
	    mtasts_txt_parse("v=STSv1; id=a\0b", 15, &t, &err), -1);
	assert_string_equal(err.msg, "expected ';'");
	assert_int_equal(err.off, 13);
}

struct select_case {
	const char *rr[3];
	size_t n;
	enum mtasts_select want;
	size_t index;
	const char *id;
};

static const struct select_case select_cases[] = {
	{ { NULL }, 0, MTASTS_SELECT_NONE, 0, NULL },
	{ { "v=spf1 -all" }, 1, MTASTS_SELECT_NONE, 0, NULL },
	{ { "v=spf1 -all", "v=STSv1; id=1" }, 2, MTASTS_SELECT_FOUND, 1, "1" },
	{ { "v=STSv1; id=1", "v=STSv1; id=2" }, 2, MTASTS_SELECT_MULTIPLE, 1,
	    NULL },
	{ { "x", "v=STSv1; id=1", "v=STSv1; id=-" }, 3, MTASTS_SELECT_MULTIPLE,
	    2, NULL },
	{ { "v=STSv1; id=-" }, 1, MTASTS_SELECT_INVALID, 0, NULL },
	/* RFC 8461 3.1: only records beginning with "v=STSv1;" count */
	{ { "v=STSv1", "v=STSv1; id=1" }, 2, MTASTS_SELECT_FOUND, 1, "1" },
	{ { "v=STSv1 id=2", "v=STSv1; id=1" }, 2, MTASTS_SELECT_FOUND, 1, "1" },
	{ { "v=STSv10; id=1" }, 1, MTASTS_SELECT_NONE, 0, NULL },
	{ { "v=STSv1 ; id=1" }, 1, MTASTS_SELECT_FOUND, 0, "1" },
	{ { "v=STSv1;" }, 1, MTASTS_SELECT_INVALID, 0, NULL },
};

static void
test_mtasts_txt_select(void **state)
{
	struct mtasts_txt t;
	struct perr err;
	size_t i, k, index, lens[3];
	enum mtasts_select got;

	(void)state;
	for (i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]); i++) {
		const struct select_case *c = &select_cases[i];

		for (k = 0; k < c->n; k++)
			lens[k] = strlen(c->rr[k]);
		err.msg = NULL;
		index = 99;
		got = mtasts_txt_select(c->rr, lens, c->n, &t, &index, &err);
		if (got != c->want || index != c->index)
			fail_msg("select case %zu: got %d index %zu, want %d "
			         "index %zu",
			    i, got, index, c->want, c->index);
		if (got == MTASTS_SELECT_FOUND)
			assert_true(slice_is(t.id, c->id));
		else
			assert_int_equal(t.id.len, 0);
		if (got == MTASTS_SELECT_INVALID)
			assert_non_null(err.msg);
	}
	/* index may be NULL */
	assert_int_equal(mtasts_txt_select(NULL, NULL, 0, &t, NULL, NULL),
	    MTASTS_SELECT_NONE);
}

/* ---- policies ---- */

#define RFC_EXAMPLE                                             \
	"version: STSv1\nmode: enforce\nmx: mail.example.com\n" \
	"mx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n"

struct policy_case {
	const char *name;
	const char *body;
	bool valid;
	enum mtasts_mode mode;
	long long max_age;
	size_t nmx;
	size_t line;     /* of a problem expected (0: the whole body) */
	const char *msg; /* that problem, or NULL */
	bool fatal;      /* its severity */
};

static const struct policy_case policy_cases[] = {
	{ "rfc example", RFC_EXAMPLE, true, MTASTS_MODE_ENFORCE, 604800, 3, 0,
	    NULL, false },
	{ "crlf, no final line end",
	    "version: STSv1\r\nmode: testing\r\nmx: mx.example\r\n"
	    "max_age: 86400",
	    true, MTASTS_MODE_TESTING, 86400, 1, 0, NULL, false },
	{ "mixed line ends, tabs",
	    "version:\tSTSv1\t\r\nmode:enforce\nmx:\t mx.example \r\n"
	    "max_age:0\n",
	    true, MTASTS_MODE_ENFORCE, 0, 1, 0, NULL, false },
	{ "mode none needs no mx", "version: STSv1\nmode: none\nmax_age: 1\n",
	    true, MTASTS_MODE_NONE, 1, 0, 0, NULL, false },
	{ "mode none with mx",
	    "version: STSv1\nmode: none\nmx: a.example\nmax_age: 1\n", true,
	    MTASTS_MODE_NONE, 1, 1, 0, NULL, false },
	{ "max_age at the maximum",
	    "version: STSv1\nmode: none\nmax_age: 31557600\n", true,
	    MTASTS_MODE_NONE, 31557600, 0, 0, NULL, false },
	{ "repeated mode: the first counts",
	    "version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\n"
	    "max_age: 1\n",
	    true, MTASTS_MODE_ENFORCE, 1, 1, 3, "repeated field ignored",
	    false },
	{ "repeated mode with an unknown value is still ignored",
	    "version: STSv1\nmode: testing\nmx: a.example\nmax_age: 9\n"
	    "mode: bogus\n",
	    true, MTASTS_MODE_TESTING, 9, 1, 5, "repeated field ignored",
	    false },
	{ "repeated max_age with a control character",
	    "version: STSv1\nmode: none\nmax_age: 9\nmax_age: 1\0012\n", false,
	    MTASTS_MODE_NONE, 9, 0, 4, "control character in value", true },
	{ "unknown fields are extensions",
	    "version: STSv1\nmode: none\nmax_age: 9\nx-y.z_1: some value ü\n",
	    true, MTASTS_MODE_NONE, 9, 0, 0, NULL, false },
	{ "field names are case-sensitive",
	    "Version: STSv1\nmode: none\nmax_age: 9\n", false, MTASTS_MODE_NONE,
	    9, 0, 1, "field names are case-sensitive: taken as an extension",
	    false },
	{ "missing version reported on line 0",
	    "Version: STSv1\nmode: none\nmax_age: 9\n", false, MTASTS_MODE_NONE,
	    9, 0, 0, "missing version field", true },
	{ "mode values are case-sensitive",
	    "version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 9\n", false,
	    MTASTS_MODE_UNSET, 9, 1, 2, "mode is not enforce, testing or none",
	    true },
	{ "version must be STSv1", "version: STSv1.0\nmode: none\nmax_age: 9\n",
	    false, MTASTS_MODE_NONE, 9, 0, 1, "version is not STSv1", true },
	{ "leading white space", "version: STSv1\n mode: none\nmax_age: 9\n",
	    false, MTASTS_MODE_UNSET, 9, 0, 2, "line starts with white space",
	    true },
	{ "empty line in the middle",
	    "version: STSv1\n\nmode: none\nmax_age: 9\n", false,
	    MTASTS_MODE_NONE, 9, 0, 2, "empty line", true },
	{ "extra empty line at the end",
	    "version: STSv1\nmode: none\nmax_age: 9\n\r\n", false,
	    MTASTS_MODE_NONE, 9, 0, 4, "empty line", true },
	{ "space before the colon", "version : STSv1\nmode: none\nmax_age: 9\n",
	    false, MTASTS_MODE_NONE, 9, 0, 1, "white space before ':'", true },
	{ "no colon", "version STSv1\nmode: none\nmax_age: 9\n", false,
	    MTASTS_MODE_NONE, 9, 0, 1, "missing ':'", true },
	{ "bad name character",
	    "version: STSv1\nmode: none\nmax_age: 9\nx/y: z\n", false,
	    MTASTS_MODE_NONE, 9, 0, 4, "bad character in field name", true },
	{ "byte order mark",
	    "\xef\xbb\xbfversion: STSv1\nmode: none\nmax_age: 9\n", false,
	    MTASTS_MODE_NONE, 9, 0, 1, "byte order mark before the first field",
	    true },
	{ "max_age above the maximum",
	    "version: STSv1\nmode: none\nmax_age: 31557601\n", false,
	    MTASTS_MODE_NONE, 31557601, 0, 3, "max_age larger than 31557600",
	    true },
	{ "max_age of 10 digits",
	    "version: STSv1\nmode: none\nmax_age: 9999999999\n", false,
	    MTASTS_MODE_NONE, 9999999999LL, 0, 3,
	    "max_age larger than 31557600", true },
	{ "max_age of 11 digits",
	    "version: STSv1\nmode: none\nmax_age: 00000000001\n", false,
	    MTASTS_MODE_NONE, -1, 0, 3, "max_age is not 1 to 10 digits", true },
	{ "max_age negative", "version: STSv1\nmode: none\nmax_age: -1\n",
	    false, MTASTS_MODE_NONE, -1, 0, 3, "max_age is not 1 to 10 digits",
	    true },
	{ "max_age with a plus", "version: STSv1\nmode: none\nmax_age: +1\n",
	    false, MTASTS_MODE_NONE, -1, 0, 3, "max_age is not 1 to 10 digits",
	    true },
	{ "empty max_age", "version: STSv1\nmode: none\nmax_age:\n", false,
	    MTASTS_MODE_NONE, -1, 0, 3, "empty field value", true },
	{ "missing max_age", "version: STSv1\nmode: none\n", false,
	    MTASTS_MODE_NONE, -1, 0, 0, "missing max_age field", true },
	{ "missing mx", "version: STSv1\nmode: testing\nmax_age: 1\n", false,
	    MTASTS_MODE_TESTING, 1, 0, 0,
	    "missing mx field (required unless mode is none)", true },
	{ "mx with a trailing dot",
	    "version: STSv1\nmode: enforce\nmx: a.example.\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3, "trailing dot in mx pattern",
	    true },
	{ "mx wildcard inside",
	    "version: STSv1\nmode: enforce\nmx: a.*.example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx wildcard not the whole left-most label", true },
	{ "mx partial wildcard",
	    "version: STSv1\nmode: enforce\nmx: mx*.example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx wildcard not the whole left-most label", true },
	{ "mx lone star", "version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx wildcard not the whole left-most label", true },
	{ "mx star dot", "version: STSv1\nmode: enforce\nmx: *.\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3, "mx pattern without a domain",
	    true },
	{ "mx empty label",
	    "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3, "empty label in mx pattern",
	    true },
	{ "mx leading dot",
	    "version: STSv1\nmode: enforce\nmx: .example\nmax_age: 1\n", false,
	    MTASTS_MODE_ENFORCE, 1, 0, 3, "empty label in mx pattern", true },
	{ "mx label with a leading hyphen",
	    "version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx label starts or ends with '-'", true },
	{ "mx underscore",
	    "version: STSv1\nmode: enforce\nmx: a_b.example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3, "bad character in mx pattern",
	    true },
	{ "mx u-label",
	    "version: STSv1\nmode: enforce\nmx: mx.ex\xc3\xa4mple\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx pattern not in a-label form", true },
	{ "mx a-label",
	    "version: STSv1\nmode: enforce\nmx: mx.xn--exmple-cua\nmax_age: 1\n",
	    true, MTASTS_MODE_ENFORCE, 1, 1, 0, NULL, false },
	{ "mx label of 63 octets",
	    "version: STSv1\nmode: enforce\nmx: "
	    "a23456789012345678901234567890123456789012345678901234567890123"
	    ".example\nmax_age: 1\n",
	    true, MTASTS_MODE_ENFORCE, 1, 1, 0, NULL, false },
	{ "mx label of 64 octets",
	    "version: STSv1\nmode: enforce\nmx: "
	    "a234567890123456789012345678901234567890123456789012345678901234"
	    ".example\nmax_age: 1\n",
	    false, MTASTS_MODE_ENFORCE, 1, 0, 3,
	    "mx label longer than 63 octets", true },
	{ "tab inside an extension value",
	    "version: STSv1\nmode: none\nmax_age: 1\nx: a\tb\n", false,
	    MTASTS_MODE_NONE, 1, 0, 4, "control character in value", true },
	{ "bare cr", "version: STSv1\nmode: none\rmax_age: 1\n", false,
	    MTASTS_MODE_UNSET, -1, 0, 2, "mode is not enforce, testing or none",
	    true },
	{ "invalid utf-8 in an extension",
	    "version: STSv1\nmode: none\nmax_age: 1\nx: \xff\n", false,
	    MTASTS_MODE_NONE, 1, 0, 4, "invalid utf-8 in value", true },
	{ "html instead of a policy",
	    "<html>\n<body>not found</body>\n</html>\n", false,
	    MTASTS_MODE_UNSET, -1, 0, 1, "bad character in field name", true },
	{ "empty body", "", false, MTASTS_MODE_UNSET, -1, 0, 0,
	    "missing version field", true },
};

/* has_problem - is (line, msg, fatal) among the problems of pol */
static bool
has_problem(
    const struct mtasts_policy *pol, size_t line, const char *msg, bool fatal)
{
	size_t i;

	for (i = 0; i < pol->nproblems; i++)
		if (pol->problems[i].line == line &&
		    strcmp(pol->problems[i].msg, msg) == 0 &&
		    pol->problems[i].fatal == fatal)
			return true;
	return false;
}

/* check_policy - invariants of any parse */
static void
check_policy(const char *p, size_t len, const struct mtasts_policy *pol)
{
	size_t i;
	bool fatal = false;

	for (i = 0; i < pol->nmx; i++)
		assert_true(pol->mx[i].p >= p &&
		    pol->mx[i].p + pol->mx[i].len <= p + len);
	for (i = 0; i < pol->next; i++)
		assert_true(pol->ext[i].value.p >= p &&
		    pol->ext[i].value.p + pol->ext[i].value.len <= p + len);
	for (i = 0; i < pol->nproblems; i++) {
		assert_true(pol->problems[i].off <= len);
		assert_true(pol->problems[i].line <= pol->nlines);
		fatal = fatal || pol->problems[i].fatal;
	}
	/* past the cap, a fatal problem may be among those not kept */
	if (fatal || !pol->problems_truncated)
		assert_int_equal(pol->valid, !fatal);
}

static void
test_mtasts_policy_table(void **state)
{
	struct mtasts_policy pol;
	struct perr err;
	size_t i, len;
	char *p;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(policy_cases) / sizeof(policy_cases[0]); i++) {
		const struct policy_case *c = &policy_cases[i];

		len = strlen(c->body);
		p = dup_exact(c->body, len);
		err.msg = NULL;
		rc = mtasts_policy_parse(p, len, &pol, &err);
		check_policy(p, len, &pol);
		if ((rc == 0) != c->valid || pol.valid != c->valid)
			fail_msg("%s: rc %d (%s), want valid %d", c->name, rc,
			    err.msg ? err.msg : "-", c->valid);
		if (rc == -1)
			assert_non_null(err.msg);
		if (pol.mode != c->mode || pol.max_age != c->max_age ||
		    pol.nmx != c->nmx)
			fail_msg("%s: mode %d max_age %lld nmx %zu", c->name,
			    pol.mode, pol.max_age, pol.nmx);
		if (c->msg != NULL &&
		    !has_problem(&pol, c->line, c->msg, c->fatal))
			fail_msg(
			    "%s: no problem \"%s\" on line %zu (first: %s)",
			    c->name, c->msg, c->line,
			    pol.nproblems ? pol.problems[0].msg : "none");
		if (c->msg == NULL && c->valid)
			assert_int_equal(pol.nproblems, 0);
		free(p);
	}
}

static void
test_mtasts_policy_fields(void **state)
{
	static const char body[] =
	    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	    "mx: *.example.net\r\nmax_age: 604800\r\nfoo: bar  baz \r\n";
	struct mtasts_policy pol;
	struct perr err;
	char *p = dup_exact(body, sizeof(body) - 1);

	(void)state;
	assert_int_equal(
	    mtasts_policy_parse(p, sizeof(body) - 1, &pol, &err), 0);
	assert_true(slice_is(pol.version, "STSv1"));
	assert_string_equal(mtasts_mode_name(pol.mode), "enforce");
	assert_int_equal(pol.nmx, 2);
	assert_true(slice_is(pol.mx[0], "mail.example.com"));
	assert_true(slice_is(pol.mx[1], "*.example.net"));
	assert_int_equal(pol.next, 1);
	assert_true(slice_is(pol.ext[0].name, "foo"));
	assert_true(slice_is(pol.ext[0].value, "bar  baz"));
	assert_int_equal(pol.nlines, 6);
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_UNSET), "");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_NONE), "none");
	assert_string_equal(mtasts_mode_name(MTASTS_MODE_TESTING), "testing");
	free(p);
}

static void
test_mtasts_policy_errors(void **state)
{
	struct mtasts_policy pol;
	struct perr err;
	char *big;
	size_t n, i;

	(void)state;
	/* the first fatal problem is the returned error, with its offset */
	assert_int_equal(
	    mtasts_policy_parse("version: STSv2\nmode: x\n", 23, &pol, &err),
	    -1);
	assert_string_equal(err.msg, "version is not STSv1");
	assert_int_equal(err.off, 9);
	assert_true(
	    has_problem(&pol, 2, "mode is not enforce, testing or none", true));
	assert_true(has_problem(&pol, 0, "missing max_age field", true));

	/* exactly the cap parses; one byte more is refused unread */
	big = malloc(MTASTS_POLICY_MAX + 1);
	assert_non_null(big);
	n = (size_t)snprintf(big, MTASTS_POLICY_MAX,
	    "version: STSv1\nmode: none\nmax_age: 1\npad: ");
	memset(big + n, 'x', MTASTS_POLICY_MAX - n - 1);
	big[MTASTS_POLICY_MAX - 1] = '\n';
	assert_int_equal(
	    mtasts_policy_parse(big, MTASTS_POLICY_MAX, &pol, &err), 0);
	assert_int_equal(pol.ext[0].value.len, MTASTS_POLICY_MAX - n - 1);
	big[MTASTS_POLICY_MAX] = '\n';
	assert_int_equal(
	    mtasts_policy_parse(big, MTASTS_POLICY_MAX + 1, &pol, &err), -1);
	assert_string_equal(err.msg, "policy larger than 64 kib");
	assert_false(pol.valid);
	assert_int_equal(pol.nlines, 0);
	free(big);

	/* problems are capped, and the first fatal one is still reported */
	big = malloc(4096);
	assert_non_null(big);
	n = 0;
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, 4096 - n, "bad line %zu\n", i);
	assert_int_equal(mtasts_policy_parse(big, n, &pol, &err), -1);
	assert_int_equal(pol.nproblems, MTASTS_MAXPROBLEMS);
	assert_true(pol.problems_truncated);
	assert_int_equal(pol.problems[0].line, 1);
	assert_int_equal(err.off, 3);
	assert_int_equal(pol.nlines, 40);

	/* warnings first, then a fatal problem past the cap */
	n = (size_t)snprintf(
	    big, 4096, "version: STSv1\nmode: none\nmax_age: 1\n");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, 4096 - n, "mode: testing\n");
	n += (size_t)snprintf(big + n, 4096 - n, "x:\n");
	assert_int_equal(mtasts_policy_parse(big, n, &pol, &err), -1);
	assert_true(pol.problems_truncated);
	assert_false(pol.valid);
	assert_string_equal(err.msg, "empty field value");
	assert_int_equal(err.off, n - 1);

	/* more mx patterns than kept: a warning, still valid */
	n = (size_t)snprintf(
	    big, 4096, "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (i = 0; i < MTASTS_MAXMX + 2; i++)
		n += (size_t)snprintf(big + n, 4096 - n, "mx: m%zu.e\n", i);
	assert_int_equal(mtasts_policy_parse(big, n, &pol, &err), 0);
	assert_int_equal(pol.nmx, MTASTS_MAXMX);
	assert_true(pol.mx_truncated);
	assert_true(has_problem(&pol, 4 + MTASTS_MAXMX,
	    "too many mx patterns, the rest not kept", false));
	assert_int_equal(pol.nproblems, 1);

	/* extension cap */
	n = (size_t)snprintf(
	    big, 4096, "version: STSv1\nmode: none\nmax_age: 1\n");
	for (i = 0; i < MTASTS_MAXEXT + 2; i++)
		n += (size_t)snprintf(big + n, 4096 - n, "x%zu: y\n", i);
	assert_int_equal(mtasts_policy_parse(big, n, &pol, &err), 0);
	assert_int_equal(pol.next, MTASTS_MAXEXT);
	assert_true(pol.ext_truncated);
	free(big);

	/* a NUL in a line is a control character, not an end */
	assert_int_equal(mtasts_policy_parse("version: STSv1\nmode: none\n"
	                                     "max_age: 1\nx: a\0b\n",
	                     44, &pol, &err),
	    -1);
	assert_string_equal(err.msg, "control character in value");
}

/* ---- MX matching ---- */

struct match_case {
	const char *pattern, *host;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "mail.example.com", "mail.example.com", true },
	{ "mail.example.com", "MAIL.Example.COM", true },
	{ "mail.example.com", "mail.example.com.", true },
	{ "mail.example.com.", "mail.example.com", true },
	{ "mail.example.com", "mail.example.co", false },
	{ "mail.example.com", "xmail.example.com", false },
	{ "mail.example.com", "mail.example.com..", false },
	{ "*.example.com", "mx.example.com", true },
	{ "*.Example.com.", "MX.example.COM.", true },
	{ "*.example.com", "example.com", false },
	{ "*.example.com", "a.b.example.com", false },
	{ "*.example.com", ".example.com", false },
	{ "*.example.com", "*.example.com", false },
	{ "*.example.com", "mx.example.com.evil", false },
	{ "*.example.com", "mxexample.com", false },
	{ "*.com", "example.com", true },
	{ "*.", "a.", false },
	{ "*", "a", false },
	{ "", "", false },
	{ "a", "", false },
	{ "", "a", false },
	{ ".", ".", false },
	{ "mx.example.com", "*.example.com", false },
};

static void
test_mtasts_mx_match(void **state)
{
	static const char body[] = "version: STSv1\nmode: enforce\n"
	                           "mx: a.example\nmx: *.b.example\n"
	                           "max_age: 1\n";
	struct mtasts_policy pol;
	size_t i, index, plen, hlen;
	char *pat, *host;

	(void)state;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		plen = strlen(match_cases[i].pattern);
		hlen = strlen(match_cases[i].host);
		pat = dup_exact(match_cases[i].pattern, plen);
		host = dup_exact(match_cases[i].host, hlen);
		if (mtasts_mx_match(pat, plen, host, hlen) !=
		    match_cases[i].match)
			fail_msg("pattern \"%s\" host \"%s\": want %d",
			    match_cases[i].pattern, match_cases[i].host,
			    match_cases[i].match);
		free(pat);
		free(host);
	}
	assert_int_equal(
	    mtasts_policy_parse(body, sizeof(body) - 1, &pol, NULL), 0);
	assert_true(mtasts_policy_mx_match(&pol, "x.B.example", 11, &index));
	assert_int_equal(index, 1);
	assert_true(mtasts_policy_mx_match(&pol, "a.example.", 10, NULL));
	assert_false(mtasts_policy_mx_match(&pol, "b.example", 9, &index));
}

/* ---- conformance sets ---- */

/* conf_load - <testdata>/../../../shared/conformance/<rel>; skips if absent */
static json_t *
conf_load(const char *rel)
{
	const char *data = getenv("MXAUDIT_TESTDATA");
	char path[4096];
	json_error_t jerr;
	struct stat st;
	json_t *root;
	int n;

	if (data == NULL) {
		print_message("MXAUDIT_TESTDATA unset: %s skipped\n", rel);
		skip();
	}
	n = snprintf(
	    path, sizeof(path), "%s/../../../shared/conformance/%s", data, rel);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	if (stat(path, &st) != 0) {
		print_message("%s: not found, skipped\n", rel);
		skip();
	}
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s at line %d", path, jerr.text, jerr.line);
	return root;
}

/* conf_pairs - do ext[0..n) equal the JSON list of [name, value] */
static bool
conf_pairs(const struct mtasts_ext *ext, size_t n, json_t *want)
{
	size_t i;

	if (!json_is_array(want) || json_array_size(want) != n)
		return false;
	for (i = 0; i < n; i++) {
		json_t *pair = json_array_get(want, i);

		if (!slice_is(ext[i].name,
		        json_string_value(json_array_get(pair, 0))) ||
		    !slice_is(ext[i].value,
		        json_string_value(json_array_get(pair, 1))))
			return false;
	}
	return true;
}

/* conf_str - a JSON string value and its length (strings may hold NUL) */
static const char *
conf_str(json_t *v, size_t *len)
{
	assert_true(json_is_string(v));
	*len = json_string_length(v);
	return json_string_value(v);
}

static void
test_mtasts_conf_mox(void **state)
{
	json_t *root, *c, *exp;
	struct mtasts_txt t;
	struct mtasts_policy pol;
	struct perr err;
	const char *s;
	char *p, *host;
	size_t i, k, len, npass, ntotal, hlen;
	bool ok, match;

	(void)state;
	root = conf_load("mta-sts/mox-mta-sts.json");

	/* TXT records: every verdict and every parsed field agrees */
	npass = ntotal = 0;
	json_array_foreach(json_object_get(root, "txt_records"), i, c)
	{
		s = conf_str(json_object_get(c, "record"), &len);
		p = dup_exact(s, len);
		ok = (mtasts_txt_parse(p, len, &t, &err) == 0) ==
		    json_is_true(json_object_get(c, "valid"));
		exp = json_object_get(c, "expected");
		if (ok && exp != NULL)
			ok = slice_is(t.id,
			         json_string_value(
			             json_object_get(exp, "id"))) &&
			    conf_pairs(t.ext, t.next,
			        json_object_get(exp, "extensions"));
		if (!ok)
			print_message("mox txt \"%s\": disagrees\n", s);
		npass += ok;
		ntotal++;
		free(p);
	}
	print_message(
	    "mox-mta-sts txt_records: %zu/%zu agree\n", npass, ntotal);
	assert_int_equal(ntotal, 18);
	assert_int_equal(npass, ntotal);

	/* policies */
	npass = ntotal = 0;
	json_array_foreach(json_object_get(root, "policies"), i, c)
	{
		s = conf_str(json_object_get(c, "policy"), &len);
		p = dup_exact(s, len);
		ok = (mtasts_policy_parse(p, len, &pol, &err) == 0) ==
		    json_is_true(json_object_get(c, "valid"));
		check_policy(p, len, &pol);
		exp = json_object_get(c, "expected");
		if (ok && exp != NULL) {
			json_t *mx = json_object_get(exp, "mx");

			ok = slice_is(pol.version,
			         json_string_value(
			             json_object_get(exp, "version"))) &&
			    strcmp(mtasts_mode_name(pol.mode),
			        json_string_value(
			            json_object_get(exp, "mode"))) == 0 &&
			    pol.max_age ==
			        json_integer_value(
			            json_object_get(exp, "max_age")) &&
			    json_array_size(mx) == pol.nmx &&
			    conf_pairs(pol.ext, pol.next,
			        json_object_get(exp, "extensions"));
			for (k = 0; ok && k < pol.nmx; k++)
				ok = slice_is(pol.mx[k],
				    json_string_value(json_array_get(mx, k)));
		}
		if (!ok)
			print_message(
			    "mox policy %zu: disagrees (%s)\n", i, err.msg);
		npass += ok;
		ntotal++;
		free(p);
	}
	print_message("mox-mta-sts policies: %zu/%zu agree\n", npass, ntotal);
	assert_int_equal(ntotal, 24);
	assert_int_equal(npass, ntotal);

	/* MX matching against the policy patterns given */
	npass = ntotal = 0;
	json_array_foreach(json_object_get(root, "mx_matching"), i, c)
	{
		json_t *pats = json_object_get(c, "patterns"), *pv;

		s = conf_str(json_object_get(c, "host"), &hlen);
		host = dup_exact(s, hlen);
		match = false;
		json_array_foreach(pats, k, pv)
		{
			s = conf_str(pv, &len);
			p = dup_exact(s, len);
			match = match || mtasts_mx_match(p, len, host, hlen);
			free(p);
		}
		ok = match == json_is_true(json_object_get(c, "match"));
		npass += ok;
		ntotal++;
		free(host);
	}
	print_message(
	    "mox-mta-sts mx_matching: %zu/%zu agree\n", npass, ntotal);
	assert_int_equal(ntotal, 5);
	assert_int_equal(npass, ntotal);
	json_decref(root);
}

/*
 * checkdmarc is stricter than RFC 8461 in three cases; we follow the RFC
 * and check our own outcome for them instead:
 *   testParseMtaStsRecordDuplicateTag  "v=STSv1; id=foo; id=bar": 3.2 says
 *       all but the first instance of a field SHOULD be ignored (the same
 *       paragraph covers TXT records), so the record is valid, id "foo",
 *       dup_id set. checkdmarc raises InvalidMTASTSTag.
 *   testParseMtaStsPolicyDuplicateKey  a second "mode": ignored, mode
 *       stays enforce, with a warning. checkdmarc raises a syntax error.
 *   testParseMtaStsPolicyUnexpectedKey "badkey: badvalue": 3.2 says
 *       unknown fields SHOULD be ignored; kept as an extension, valid.
 */
static const char *const conf_checkdmarc_rfc[] = {
	"testParseMtaStsRecordDuplicateTag",
	"testParseMtaStsPolicyDuplicateKey",
	"testParseMtaStsPolicyUnexpectedKey",
};

/* conf_checkdmarc_ours - is test one where we follow the RFC instead */
static bool
conf_checkdmarc_ours(const char *test)
{
	size_t i;

	for (i = 0;
	     i < sizeof(conf_checkdmarc_rfc) / sizeof(conf_checkdmarc_rfc[0]);
	     i++)
		if (strcmp(test, conf_checkdmarc_rfc[i]) == 0)
			return true;
	return false;
}

static void
test_mtasts_conf_checkdmarc(void **state)
{
	json_t *root, *c, *pv;
	struct mtasts_txt t;
	struct mtasts_policy pol;
	struct perr err;
	const char *s, *test;
	char *p, *host;
	size_t i, k, len, hlen, npass, ntotal, nrfc;
	bool accepted, want, match;

	(void)state;
	root = conf_load("dmarc/checkdmarc-vectors.json");

	npass = ntotal = nrfc = 0;
	json_array_foreach(json_object_get(root, "mta_sts_records"), i, c)
	{
		test = json_string_value(json_object_get(c, "test"));
		s = conf_str(json_object_get(c, "input"), &len);
		p = dup_exact(s, len);
		accepted = mtasts_txt_parse(p, len, &t, &err) == 0;
		want = strcmp(json_string_value(json_object_get(c, "outcome")),
		           "accepted") == 0;
		if (conf_checkdmarc_ours(test)) {
			assert_true(accepted && !want);
			assert_true(slice_is(t.id, "foo") && t.dup_id);
			nrfc++;
		} else if (accepted == want) {
			npass++;
		} else {
			print_message("checkdmarc %s: disagrees\n", test);
		}
		ntotal++;
		free(p);
	}
	print_message("checkdmarc mta_sts_records: %zu/%zu agree, %zu decided "
	              "by RFC 8461\n",
	    npass, ntotal, nrfc);
	assert_int_equal(ntotal, 4);
	assert_int_equal(npass + nrfc, ntotal);

	npass = ntotal = nrfc = 0;
	json_array_foreach(json_object_get(root, "mta_sts_policies"), i, c)
	{
		test = json_string_value(json_object_get(c, "test"));
		s = conf_str(json_object_get(c, "input"), &len);
		p = dup_exact(s, len);
		accepted = mtasts_policy_parse(p, len, &pol, &err) == 0;
		check_policy(p, len, &pol);
		want = strcmp(json_string_value(json_object_get(c, "outcome")),
		           "accepted") == 0;
		if (conf_checkdmarc_ours(test)) {
			assert_true(accepted && !want);
			assert_int_equal(pol.mode, MTASTS_MODE_ENFORCE);
			assert_int_equal(pol.nproblems,
			    strcmp(test, "testParseMtaStsPolicyDuplicateKey") ==
			        0);
			nrfc++;
		} else if (accepted == want) {
			npass++;
		} else {
			print_message("checkdmarc %s: disagrees\n", test);
		}
		ntotal++;
		free(p);
	}
	print_message("checkdmarc mta_sts_policies: %zu/%zu agree, %zu "
	              "decided by RFC 8461\n",
	    npass, ntotal, nrfc);
	assert_int_equal(ntotal, 13);
	assert_int_equal(nrfc, 2);
	assert_int_equal(npass + nrfc, ntotal);

	npass = ntotal = 0;
	json_array_foreach(json_object_get(root, "mta_sts_mx_matching"), i, c)
	{
		s = conf_str(json_object_get(c, "host"), &hlen);
		host = dup_exact(s, hlen);
		match = false;
		json_array_foreach(json_object_get(c, "patterns"), k, pv)
		{
			s = conf_str(pv, &len);
			p = dup_exact(s, len);
			match = match || mtasts_mx_match(p, len, host, hlen);
			free(p);
		}
		npass += match == json_is_true(json_object_get(c, "match"));
		ntotal++;
		free(host);
	}
	print_message(
	    "checkdmarc mta_sts_mx_matching: %zu/%zu agree\n", npass, ntotal);
	assert_int_equal(ntotal, 3);
	assert_int_equal(npass, ntotal);
	json_decref(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtasts_txt_table),
		cmocka_unit_test(test_mtasts_txt_extensions),
		cmocka_unit_test(test_mtasts_txt_select),
		cmocka_unit_test(test_mtasts_policy_table),
		cmocka_unit_test(test_mtasts_policy_fields),
		cmocka_unit_test(test_mtasts_policy_errors),
		cmocka_unit_test(test_mtasts_mx_match),
		cmocka_unit_test(test_mtasts_conf_mox),
		cmocka_unit_test(test_mtasts_conf_checkdmarc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
