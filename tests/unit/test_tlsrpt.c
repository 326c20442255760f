/* SPDX-License-Identifier: ISC */
/*
 * test_tlsrpt - RFC 8460 _smtp._tls records: our own cases, selection and
 * discovery over a fake DNS, and the third-party sets
 * ../shared/conformance/tlsrpt/mox-tlsrpt-records.json and the tlsrpt_records
 * of ../shared/conformance/dmarc/checkdmarc-vectors.json (skipped when
 * absent). The case decided against a vector is listed in
 * conf_checkdmarc_against with its reason.
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

#include "proto/tlsrpt.h"

static void
check_record(const char *p, size_t len, const struct tlsrpt_record *r)
{
	const struct tlsrpt_slice *s;
	size_t i, nusable = 0;

	assert_true(r->nuri <= TLSRPT_URI_MAX);
	assert_true(r->next <= TLSRPT_EXT_MAX);
	assert_true(r->nproblem <= TLSRPT_PROBLEM_MAX);
	for (i = 0; i < r->nuri; i++) {
		assert_true(r->uri[i].uri.text.p >= p &&
		    r->uri[i].uri.text.p + r->uri[i].uri.text.len <= p + len);
		assert_true(r->uri[i].field < r->nrua);
		nusable += r->uri[i].uri.usable;
	}
	assert_int_equal(nusable, r->nusable);
	for (i = 0; i < r->next; i++) {
		s = &r->ext[i].name;
		assert_true(
		    s->len > 0 && s->p >= p && s->p + s->len <= p + len);
		s = &r->ext[i].value;
		assert_true(
		    s->len > 0 && s->p >= p && s->p + s->len <= p + len);
	}
	for (i = 0; i < r->nproblem; i++) {
		assert_non_null(r->problem[i].msg);
		if (r->problem[i].fatal)
			assert_false(r->valid);
	}
	if (r->valid)
		assert_true(r->is_tlsrpt && r->nrua > 0 && r->nusable > 0);
}

static int
parse(const char *p, size_t len, struct tlsrpt_record *r)
{
	struct perr err = { 0, NULL };
	int rc = tlsrpt_parse(p, len, r, &err);

	check_record(p, len, r);
	assert_int_equal(rc == 0, r->valid);
	if (rc != 0)
		assert_non_null(err.msg);
	return rc;
}

static void
dump_problems(const struct tlsrpt_record *r)
{
	size_t i;

	for (i = 0; i < r->nproblem; i++)
		print_message("  %s @%zu: %s\n",
		    r->problem[i].fatal ? "fatal" : "warn", r->problem[i].off,
		    r->problem[i].msg);
}

static const struct {
	const char *text;
	bool valid;
	size_t nuri, nusable, next, nrua;
} tls_cases[] = {
	{ "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", true, 1, 1, 0, 1 },
	{ "v=TLSRPTv1;rua=https://r.example/x", true, 1, 1, 0, 1 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example,https://r.example/x; "
	  "ext.1_-x=val",
	    true, 2, 2, 1, 1 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example;", true, 1, 1, 0, 1 },
	{ "v=TLSRPTv1 ;\trua=mailto:a@b.example ; ", true, 1, 1, 0, 1 },
	{ "v=TLSRPTv1; rua=ftp://x.example,mailto:a@b.example", true, 2, 1, 0,
	    1 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; rua=https://c.example", true, 2,
	    2, 0, 2 },
	{ "v=TLSRPTv1; rua=ftp://x.example", false, 1, 0, 0, 1 },
	{ "v=TLSRPTv1; rua=mailto:abuse", false, 1, 0, 0, 1 },
	{ "v=TLSRPTv1; rua =mailto:a@b.example", false, 0, 0, 0, 0 },
	{ "v=TLSRPTv1; rua= mailto:a@b.example", false, 0, 0, 0, 0 },
	{ "V=TLSRPTv1; rua=mailto:a@b.example", false, 0, 0, 0, 0 },
	{ " v=TLSRPTv1; rua=mailto:a@b.example", false, 0, 0, 0, 0 },
	{ "v = TLSRPTv1; rua=mailto:a@b.example", false, 0, 0, 0, 0 },
	{ "v=TLSRPTv1 rua=mailto:a@b.example", false, 0, 0, 0, 0 },
	{ "v=TLSRPTv1; RUA=mailto:a@b.example", false, 0, 0, 1, 0 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example!10m", false, 1, 0, 0, 1 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; x=a b", false, 1, 1, 0, 1 },
	{ "v=TLSRPTv1; rua=mailto:a@b.example; =a", false, 1, 1, 0, 1 },
	{ "v=spf1 -all", false, 0, 0, 0, 0 },
	{ "", false, 0, 0, 0, 0 },
};

static void
test_tlsrpt_table(void **state)
{
	struct tlsrpt_record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tls_cases) / sizeof(tls_cases[0]); i++) {
		(void)parse(tls_cases[i].text, strlen(tls_cases[i].text), &r);
		if (r.valid != tls_cases[i].valid ||
		    r.nuri != tls_cases[i].nuri ||
		    r.nusable != tls_cases[i].nusable ||
		    r.next != tls_cases[i].next ||
		    r.nrua != tls_cases[i].nrua) {
			print_message("case: %s: valid %d nuri %zu usable %zu "
			              "next %zu nrua %zu\n",
			    tls_cases[i].text, r.valid, r.nuri, r.nusable,
			    r.next, r.nrua);
			dump_problems(&r);
			fail();
		}
	}
}

static void
test_tlsrpt_hostile(void **state)
{
	static char big[TLSRPT_RECORD_MAX + 64];
	struct tlsrpt_record r;
	size_t i, n;

	(void)state;
	assert_int_equal(
	    parse("v=TLSRPTv1; rua=mailto:a\0@b.example", 35, &r), -1);
	assert_int_equal(
	    parse("v=TLSRPTv1; rua=mailto:a@b.example", 20, &r), -1);
	memset(big, ' ', sizeof(big));
	memcpy(big, "v=TLSRPTv1; rua=mailto:a@b.example", 34);
	assert_int_equal(parse(big, TLSRPT_RECORD_MAX, &r), 0);
	assert_int_equal(parse(big, TLSRPT_RECORD_MAX + 1, &r), -1);
	n = (size_t)snprintf(big, sizeof(big), "v=TLSRPTv1; rua=");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "%smailto:a%zu@b.example", i ? "," : "", i);
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; e%zu=1", i);
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; ;");
	assert_int_equal(parse(big, n, &r), -1);
	assert_int_equal(r.nuri, TLSRPT_URI_MAX);
	assert_int_equal(r.next, TLSRPT_EXT_MAX);
	assert_true(r.problems_truncated);
	for (i = 0; i < 256; i++) {
		big[0] = (char)i;
		(void)parse(big, 1, &r);
	}
}

static void
test_tlsrpt_select(void **state)
{
	const char *rr[] = { "v=spf1 -all",
		"v=TLSRPTv1; rua=mailto:a@b.example",
		"v=TLSRPTv10; rua=mailto:a@b.example", "v=TLSRPTv1",
		"v=TLSRPTv1 ;rua=x" };
	size_t len[5], i, idx = 9;

	(void)state;
	for (i = 0; i < 5; i++)
		len[i] = strlen(rr[i]);
	assert_int_equal(tlsrpt_select(rr, len, 1, &idx), TLSRPT_SELECT_NONE);
	assert_int_equal(tlsrpt_select(rr, len, 3, &idx), TLSRPT_SELECT_ONE);
	assert_int_equal(idx, 1);
	assert_int_equal(
	    tlsrpt_select(rr, len, 4, &idx), TLSRPT_SELECT_MULTIPLE);
	assert_true(tlsrpt_is_record(rr[4], len[4]));
	assert_false(tlsrpt_is_record(rr[2], len[2]));
}

/* ---- a fake DNS ---- */

struct fake {
	const char *name;
	enum dnsview_status status;
	const char *txt[3];
	bool fetched;
	const char *ptr[3];
	size_t len[3];
};

static enum dnsview_status
fake_lookup(void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	struct fake *f = ctx;
	size_t k;

	memset(out, 0, sizeof(*out));
	assert_int_equal(type, 16);
	if (!f->fetched) {
		f->fetched = true; /* the driver fetches it for the rerun */
		out->status = DNSVIEW_PENDING;
		return out->status;
	}
	out->status = strcmp(name, f->name) == 0 ? f->status : DNSVIEW_NXDOMAIN;
	if (out->status != DNSVIEW_OK)
		return out->status;
	for (k = 0; k < 3 && f->txt[k] != NULL; k++) {
		f->ptr[k] = f->txt[k];
		f->len[k] = strlen(f->txt[k]);
	}
	out->n = k;
	out->rr = f->ptr;
	out->len = f->len;
	return out->status;
}

static void
test_tlsrpt_discover(void **state)
{
	static const struct {
		struct fake f;
		const char *domain;
		enum tlsrpt_status want;
	} tests[] = {
		{ { "_smtp._tls.example.com", DNSVIEW_OK,
		      { "v=spf1 -all", "v=TLSRPTv1; rua=mailto:r@example.com" },
		      false, { NULL }, { 0 } },
		    "Example.COM.", TLSRPT_STATUS_FOUND },
		{ { "_smtp._tls.example.com", DNSVIEW_OK,
		      { "v=TLSRPTv1; rua=mailto:r@example.com",
		          "v=TLSRPTv1; rua=https://r.example.com/" },
		      false, { NULL }, { 0 } },
		    "example.com", TLSRPT_STATUS_MULTIPLE },
		{ { "_smtp._tls.example.com", DNSVIEW_OK, { "v=TLSRPTv1" },
		      false, { NULL }, { 0 } },
		    "example.com", TLSRPT_STATUS_INVALID },
		{ { "_smtp._tls.example.com", DNSVIEW_OK, { "hello" }, false,
		      { NULL }, { 0 } },
		    "example.com", TLSRPT_STATUS_NONE },
		{ { "_smtp._tls.example.com", DNSVIEW_NODATA, { NULL }, false,
		      { NULL }, { 0 } },
		    "example.com", TLSRPT_STATUS_NONE },
		{ { "_smtp._tls.example.com", DNSVIEW_TEMPFAIL, { NULL }, false,
		      { NULL }, { 0 } },
		    "example.com", TLSRPT_STATUS_TEMPFAIL },
		{ { "x", DNSVIEW_OK, { NULL }, false, { NULL }, { 0 } },
		    "bad..name", TLSRPT_STATUS_ERROR },
	};
	struct tlsrpt_discovery d;
	struct dnsview view;
	struct fake f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		f = tests[i].f;
		view.lookup = fake_lookup;
		view.ctx = &f;
		if (tests[i].want != TLSRPT_STATUS_ERROR) {
			assert_int_equal(
			    tlsrpt_discover(tests[i].domain, &view, &d),
			    TLSRPT_STATUS_PENDING);
			assert_null(d.raw);
		}
		assert_int_equal(
		    tlsrpt_discover(tests[i].domain, &view, &d), tests[i].want);
		if (d.raw != NULL)
			check_record(d.raw, d.raw_len, &d.record);
		assert_int_equal(d.raw != NULL,
		    tests[i].want == TLSRPT_STATUS_FOUND ||
		        tests[i].want == TLSRPT_STATUS_INVALID);
		if (tests[i].want == TLSRPT_STATUS_FOUND) {
			assert_string_equal(d.name, "_smtp._tls.example.com");
			assert_string_equal(
			    d.raw, "v=TLSRPTv1; rua=mailto:r@example.com");
			assert_true(d.record.valid);
		}
		if (tests[i].want != TLSRPT_STATUS_FOUND)
			assert_non_null(d.error);
		tlsrpt_discovery_release(&d);
	}
	tlsrpt_discovery_release(NULL);
}

/* ---- conformance ---- */

static json_t *
conf_load(const char *rel)
{
	const char *data = getenv("MXAUDIT_TESTDATA");
	char path[4096];
	json_error_t jerr;
	struct stat st;
	json_t *root;

	if (data == NULL ||
	    (size_t)snprintf(path, sizeof(path),
	        "%s/../../../shared/conformance/%s", data,
	        rel) >= sizeof(path) ||
	    stat(path, &st) != 0) {
		print_message("%s: not found, skipped\n", rel);
		skip();
	}
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		fail_msg("%s: %s at line %d", path, jerr.text, jerr.line);
	return root;
}

static bool
slice_is(struct tlsrpt_slice s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* conf_expected - the parse matches mox's {rua: [[uri...]...], extensions} */
static bool
conf_expected(const struct tlsrpt_record *r, json_t *exp)
{
	json_t *rua = json_object_get(exp, "rua");
	json_t *ext = json_object_get(exp, "extensions");
	json_t *field;
	size_t i, k, n = 0;

	if (json_array_size(rua) != r->nrua || json_array_size(ext) != r->next)
		return false;
	json_array_foreach(rua, i, field)
	{
		for (k = 0; k < json_array_size(field); k++, n++) {
			if (n >= r->nuri || r->uri[n].field != i)
				return false;
			if (r->uri[n].uri.text.len !=
			        strlen(json_string_value(
			            json_array_get(field, k))) ||
			    memcmp(r->uri[n].uri.text.p,
			        json_string_value(json_array_get(field, k)),
			        r->uri[n].uri.text.len) != 0)
				return false;
		}
	}
	if (n != r->nuri)
		return false;
	for (i = 0; i < r->next; i++)
		if (!slice_is(r->ext[i].name,
		        json_string_value(
		            json_array_get(json_array_get(ext, i), 0))) ||
		    !slice_is(r->ext[i].value,
		        json_string_value(
		            json_array_get(json_array_get(ext, i), 1))))
			return false;
	return true;
}

static void
test_tlsrpt_conf_mox(void **state)
{
	json_t *root, *cases, *c, *exp;
	struct tlsrpt_record r;
	const char *text;
	size_t i, npass = 0;
	bool valid, ok;

	(void)state;
	root = conf_load("tlsrpt/mox-tlsrpt-records.json");
	cases = json_object_get(root, "txt_records");
	json_array_foreach(cases, i, c)
	{
		text = json_string_value(json_object_get(c, "record"));
		valid = json_is_true(json_object_get(c, "valid"));
		(void)parse(text, strlen(text), &r);
		ok = r.valid == valid;
		exp = json_object_get(c, "expected");
		if (ok && exp != NULL)
			ok = conf_expected(&r, exp);
		if (!ok) {
			print_message("mox: %s: want %s\n", text,
			    valid ? "valid" : "invalid");
			dump_problems(&r);
		}
		npass += ok;
	}
	print_message("mox-tlsrpt-records: %zu/%zu pass\n", npass,
	    json_array_size(cases));
	assert_int_equal(npass, json_array_size(cases));
	json_decref(root);
}

/*
 * conf_checkdmarc_against - checkdmarc rejects a second rua; RFC 8460 3's
 * grammar is "1*(field-delim tlsrpt-field)" with tlsrpt-field = tlsrpt-rua
 * / tlsrpt-extension, so a second rua is grammatical, and mox accepts it
 * (its case "rua=mailto:x@x.example; rua=mailto:y@x.example"). We accept
 * it with a warning.
 */
static const char *const conf_checkdmarc_against[] = {
	"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com",
};

static void
test_tlsrpt_conf_checkdmarc(void **state)
{
	json_t *root, *cases, *c;
	struct tlsrpt_record r;
	const char *text;
	size_t i, npass = 0, nagainst = 0;
	bool accepted, ok;

	(void)state;
	root = conf_load("dmarc/checkdmarc-vectors.json");
	cases = json_object_get(root, "tlsrpt_records");
	json_array_foreach(cases, i, c)
	{
		text = json_string_value(json_object_get(c, "input"));
		accepted =
		    strcmp(json_string_value(json_object_get(c, "outcome")),
		        "accepted") == 0;
		(void)parse(text, strlen(text), &r);
		if (strcmp(text, conf_checkdmarc_against[0]) == 0) {
			assert_false(accepted);
			assert_true(r.valid);
			assert_int_equal(r.nrua, 2);
			assert_int_equal(r.nproblem, 1);
			nagainst++;
			continue;
		}
		ok = r.valid == accepted;
		if (!ok) {
			print_message("checkdmarc: %s: want %s\n", text,
			    accepted ? "accepted" : "error");
			dump_problems(&r);
		}
		npass += ok;
	}
	print_message("checkdmarc tlsrpt_records: %zu/%zu pass, %zu decided "
	              "against (RFC 8460 3)\n",
	    npass, json_array_size(cases), nagainst);
	assert_int_equal(npass + nagainst, json_array_size(cases));
	json_decref(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlsrpt_table),
		cmocka_unit_test(test_tlsrpt_hostile),
		cmocka_unit_test(test_tlsrpt_select),
		cmocka_unit_test(test_tlsrpt_discover),
		cmocka_unit_test(test_tlsrpt_conf_mox),
		cmocka_unit_test(test_tlsrpt_conf_checkdmarc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
