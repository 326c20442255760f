/* SPDX-License-Identifier: ISC */
/*
 * test_html - the HTML report writer over hand-made documents.
 *
 * A page is written into memory (open_memstream) from a few documents
 * built with jansson, and checked for its counts (overview, findings per
 * id, rows), for the data block (parses, one row per domain, strings round
 * trip), for the CSP (its hashes are those of the inline style and script),
 * and with a hostile banner, domain, certificate name, finding and URL, for
 * the absence of anything unescaped: no markup, no control byte, no byte
 * outside printable ASCII anywhere in the page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "report/html.h"
#include "util/xalloc.h"

/* what a hostile SMTP server (or DNS zone) can send: markup, quotes, the end
 * of a script element, terminal escapes, C1, bidi override, U+2028/2029,
 * a NUL */
#define HOSTILE                                                          \
	"220 <script>alert(1)</script> \"dq\" 'sq' </script><img src=x " \
	"onerror=alert(2)> \x1b[2J\x07 C1:\xc2\x9b bidi:\xe2\x80\xae "   \
	"ls:\xe2\x80\xa8 ps:\xe2\x80\xa9 amp:&amp; <!-- end"
#define HOSTILE_DOMAIN "evil</script><script>alert(3)</script>\xe2\x80\xa8.test"

/* ---- building documents ---- */

static json_t *
doc_new(const char *domain, const char *worst, bool starttls_all)
{
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:b, s:[], s:[], "
	              "s:{s:i, s:i, s:b, s:s}, s:n, s:n, s:n, s:n, s:n}",
	        "domain", domain, "status", "ok", "mx_source", "mx",
	        "accepts_mail", 1, "mx", "findings", "summary", "mx_count", 1,
	        "addresses", 1, "starttls_all", starttls_all, "worst", worst,
	        "spf", "dmarc", "mta_sts", "tls_rpt", "web");

	assert_non_null(d);
	return d;
}

static void
doc_finding(json_t *d, const char *id, const char *sev, const char *msg)
{
	json_t *f = json_pack("{s:s, s:s, s:n, s:n, s:s}", "id", id, "severity",
	    sev, "mx", "ip", "message", msg);

	assert_non_null(f);
	assert_int_equal(
	    json_array_append_new(json_object_get(d, "findings"), f), 0);
}

/* doc_bod - bod1801: mail and web are 1 compliant, 0 not, -1 not scored,
 * -2 not checked (null) */
static void
doc_bod(json_t *d, int mail, int web)
{
	json_t *b = json_object(), *side;
	int v[2] = { mail, web }, i;

	for (i = 0; i < 2; i++) {
		if (v[i] == -2) {
			side = json_null();
		} else {
			side = json_pack("{s:o, s:[]}", "compliant",
			    v[i] == -1 ? json_null() : json_boolean(v[i] == 1),
			    "failures");
			if (v[i] == 0)
				json_array_append_new(
				    json_object_get(side, "failures"),
				    json_string(i == 0 ? "dmarc" : "https"));
		}
		json_object_set_new(b, i == 0 ? "mail" : "web", side);
	}
	json_object_set_new(d, "bod1801", b);
}

/* doc_mx - one MX host with one address: banner, TLS with a certificate */
static void
doc_mx(json_t *d, const char *host, const char *banner, bool tls,
    const char *subject, const char *dane)
{
	json_t *addr, *m;

	addr = json_pack("{s:s, s:i, s:i, s:{s:b}, s:{s:s, s:n, s:n}, "
	                 "s:{s:s, s:i, s:b, s:[s,s]}}",
	    "ip", "192.0.2.1", "family", 4, "port", 25, "connect", "ok", 1,
	    "result", "stage", "done", "failure", "detail", "smtp", "banner",
	    banner, "banner_code", 220, "starttls", tls, "capabilities",
	    "PIPELINING", "STARTTLS");
	assert_non_null(addr);
	if (tls)
		json_object_set_new(addr, "tls",
		    json_pack("{s:b, s:s, s:s, s:i, s:s, "
		              "s:{s:b, s:b, s:b, s:b, s:b, s:b}, "
		              "s:{s:b, s:b, s:b, s:b, s:b}, "
		              "s:{s:s, s:s, s:[s], s:s, s:i, s:b, s:n, s:b}}",
		        "handshake", 1, "version", "TLSv1.3", "cipher",
		        "TLS_AES_256_GCM_SHA384", "cipher_bits", 256, "group",
		        "X25519", "protocols", "sslv2", 0, "sslv3", 0, "tls1.0",
		        0, "tls1.1", 0, "tls1.2", 1, "tls1.3", 1,
		        "weak_ciphers", "rc4", 0, "3des", 0, "export", 0,
		        "null", 0, "anon", 0, "cert", "subject", subject,
		        "issuer", "CN=Lab CA", "san", host, "not_after",
		        "2027-01-01T00:00:00Z", "days_left", 33, "trusted", 1,
		        "verify_error", "name_match", 1));
	else
		json_object_set_new(addr, "tls", json_null());
	m = json_pack("{s:s, s:i, s:[o], s:{s:s, s:[], s:n}}", "host", host,
	    "preference", 10, "addresses", addr, "dane", "status", dane, "tlsa",
	    "detail");
	assert_non_null(m);
	json_array_append_new(json_object_get(d, "mx"), m);
}

/* the four documents of the counting tests */
static json_t *
doc_good(void)
{
	json_t *d = doc_new("good.test", "none", true);

	doc_mx(d, "mx.good.test", "mx.good.test ESMTP", true, "CN=mx.good.test",
	    "valid");
	json_object_set_new(d, "spf",
	    json_pack("{s:s, s:b, s:s, s:i, s:s, s:n}", "record", "v=spf1 -all",
	        "valid", 1, "status", "ok", "lookups", 0, "result_all", "-",
	        "error"));
	json_object_set_new(d, "dmarc",
	    json_pack("{s:s, s:b, s:s, s:s, s:i, s:[s]}", "record",
	        "v=DMARC1; p=reject", "valid", 1, "status", "found", "policy",
	        "reject", "pct", 100, "rua",
	        "mailto:reports@dmarc.cyber.dhs.gov"));
	json_object_set_new(d, "mta_sts",
	    json_pack("{s:s, s:b, s:s, s:n}", "txt", "v=STSv1; id=1", "valid",
	        1, "mode", "enforce", "error"));
	doc_bod(d, 1, 1);
	return d;
}

static json_t *
doc_plain(void)
{
	json_t *d = doc_new("plain.test", "error", false);

	doc_mx(
	    d, "mx.plain.test", "mx.plain.test ESMTP", false, NULL, "insecure");
	doc_finding(d, "starttls-missing", "error", "no STARTTLS");
	doc_finding(d, "spf-missing", "warning", "no SPF");
	json_object_set_new(d, "spf",
	    json_pack(
	        "{s:n, s:b, s:s}", "record", "valid", 0, "status", "none"));
	json_object_set_new(d, "dmarc",
	    json_pack(
	        "{s:n, s:b, s:s}", "record", "valid", 0, "status", "none"));
	doc_bod(d, 0, 0);
	return d;
}

static json_t *
doc_weak(void)
{
	json_t *d = doc_new("weak.test", "error", true);

	doc_mx(d, "mx.weak.test", "mx.weak.test ESMTP", true, "CN=mx.weak.test",
	    "mismatch");
	doc_finding(d, "starttls-missing", "error", "no STARTTLS on mx2");
	doc_finding(d, "cipher-3des", "error", "3DES");
	doc_finding(d, "tls-rpt-missing", "info", "no TLS-RPT");
	json_object_set_new(d, "dmarc",
	    json_pack("{s:s, s:b, s:s, s:s}", "record", "v=DMARC1; p=none",
	        "valid", 1, "status", "found", "policy", "none"));
	doc_bod(d, 0, -1);
	return d;
}

static json_t *
doc_nxdomain(void)
{
	json_t *d = doc_new("nx.test", "error", false);

	json_object_set_new(d, "status", json_string("error"));
	json_object_set_new(d, "accepts_mail", json_false());
	json_object_set_new(d, "mx_source", json_string("none"));
	doc_finding(d, "dns-nxdomain", "error", "the domain does not exist");
	doc_bod(d, -1, -2);
	return d;
}

/* the hostile document: every string a peer controls */
static json_t *
doc_hostile(void)
{
	json_t *d = doc_new(HOSTILE_DOMAIN, "error", false);

	doc_mx(d, "mx.evil.test", HOSTILE, true, "CN=" HOSTILE, "none");
	doc_finding(d, "<b>id</b>", "error", HOSTILE);
	doc_finding(d, "starttls-missing", HOSTILE, HOSTILE);
	json_object_set_new(d, "spf",
	    json_pack("{s:s, s:b, s:s, s:s}", "record", HOSTILE, "valid", 0,
	        "status", "syntax", "error", HOSTILE));
	json_object_set_new(d, "mta_sts",
	    json_pack("{s:s, s:b, s:n, s:s, s:s, s:{s:s}}", "txt", HOSTILE,
	        "valid", 0, "mode", "error", "fetch-status", "error_detail",
	        HOSTILE, "fetch", "url", "javascript:alert(4)//" HOSTILE));
	doc_bod(d, 0, -2);
	return d;
}

/* ---- writing and reading pages ---- */

struct page {
	char *data; /* owned */
	size_t len;
};

static struct report_html *
page_begin(FILE **fp, struct page *p)
{
	struct report_html_run meta = { .run_id = "7",
		.source = "test",
		.started = "2026-11-28T16:00:00Z",
		.version = "0.1.0",
		.domains = 4 };

	memset(p, 0, sizeof(*p));
	*fp = open_memstream(&p->data, &p->len);
	assert_non_null(*fp);
	return report_html_begin(*fp, &meta);
}

static void
page_add(struct report_html *h, json_t *d)
{
	char *s = json_dumps(d, JSON_COMPACT);

	assert_non_null(s);
	assert_int_equal(report_html_add(h, s, strlen(s)), 0);
	free(s);
	json_decref(d);
}

static void
page_end(struct report_html *h, FILE *fp)
{
	assert_int_equal(report_html_end(h), 0);
	assert_int_equal(fclose(fp), 0);
}

static size_t
count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle), i;

	for (i = 0; i + nl <= len; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			n++;
	return n;
}

static bool
has(const struct page *p, const char *needle)
{
	return count(p->data, p->len, needle) > 0;
}

#define assert_has(p, s)                               \
	do {                                           \
		if (!has(p, s))                        \
			fail_msg("page lacks: %s", s); \
	} while (0)
#define assert_lacks(p, s)                             \
	do {                                           \
		if (has(p, s))                         \
			fail_msg("page holds: %s", s); \
	} while (0)

/* between - the text between the first open (after from) and the next
 * close, owned */
static char *
between(const struct page *p, const char *open, const char *close, bool last)
{
	const char *a = NULL, *b, *s = p->data;

	while ((s = strstr(s, open)) != NULL) {
		a = s + strlen(open);
		if (!last)
			break;
		s = a;
	}
	assert_non_null(a);
	b = strstr(a, close);
	assert_non_null(b);
	return xmemdup0(a, (size_t)(b - a));
}

static json_t *
page_data(const struct page *p)
{
	char *text =
	    between(p, "<script type=\"application/json\" id=\"report-data\">",
	        "</script>", false);
	json_error_t err;
	json_t *data = json_loads(text, JSON_ALLOW_NUL, &err);

	if (data == NULL)
		fail_msg("data block: %s: %s", err.text, text);
	free(text);
	return data;
}

/* assert_ascii - every byte printable ASCII, tab or newline */
static void
assert_ascii(const struct page *p)
{
	size_t i;

	for (i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->data[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			fail_msg("byte 0x%02x at %zu: %.40s", c, i,
			    p->data + (i > 20 ? i - 20 : 0));
	}
}

/* ---- tests ---- */

static void
test_counts(void **state)
{
	struct report_html *h;
	struct page p;
	json_t *data, *rows, *row;
	FILE *fp;

	(void)state;
	h = page_begin(&fp, &p);
	page_add(h, doc_good());
	page_add(h, doc_plain());
	page_add(h, doc_weak());
	page_add(h, doc_nxdomain());
	page_end(h, fp);
	assert_ascii(&p);

	/* the overview */
	assert_has(&p, "<div class=\"card\"><b>4</b>domains</div>");
	assert_has(&p, "<div class=\"card\"><b>1</b>scan errors (25.0%)</div>");
	assert_has(
	    &p, "<div class=\"card\"><b>1</b>take no mail (25.0%)</div>");
	assert_has(&p,
	    "<div class=\"card\"><b>3</b>with an error finding "
	    "(75.0%)</div>");
	/* BOD 18-01 mail: 1 pass, 2 fail, 1 not scored; web: 1, 1, 1, 1 */
	assert_has(&p, "<p>1 of 3 scored domains compliant (33.3%)</p>");
	assert_has(&p, "<p>1 of 2 scored domains compliant (50.0%)</p>");
	assert_has(&p,
	    "<tr><td><span class=\"bad\">FAIL</span></td>"
	    "<td class=\"n\">2</td><td class=\"n\">50.0%</td></tr>");
	assert_has(&p,
	    "<tr><td><span class=\"na\">not checked</span></td>"
	    "<td class=\"n\">1</td><td class=\"n\">25.0%</td></tr>");
	/* findings per id and severity: id, severity, findings, domains */
	assert_has(&p,
	    "<tr><td>starttls-missing</td><td><span class=\"bad\">"
	    "error</span></td><td class=\"n\">2</td><td class=\"n\">2"
	    "</td><td class=\"n\">50.0%</td></tr>");
	assert_has(&p,
	    "<tr><td>spf-missing</td><td><span class=\"warn\">"
	    "warning</span></td><td class=\"n\">1</td>");
	assert_has(&p, "<h3>Findings by id (5 distinct)</h3>");
	/* the severity chart: 4 errors, 1 warning, 1 info */
	assert_has(&p,
	    "<text x=\"224\" y=\"15\" text-anchor=\"end\">error"
	    "</text>");
	assert_has(&p, "<text x=\"594\" y=\"15\">4</text>");

	/* the table: a row per domain, in input order, with our labels */
	assert_int_equal(count(p.data, p.len, "<tr><td><a href=\"#d-"), 4);
	assert_has(&p,
	    "<tr><td><a href=\"#d-0\">good.test</a></td>"
	    "<td class=\"good\">none</td><td class=\"n\">0</td>"
	    "<td class=\"n\">0</td><td class=\"good\">yes</td>"
	    "<td class=\"good\">reject</td><td class=\"good\">valid</td>"
	    "<td class=\"good\">enforce</td><td class=\"good\">valid</td>"
	    "<td class=\"good\">pass</td><td class=\"good\">pass</td>"
	    "</tr>");
	assert_has(&p,
	    "<tr><td><a href=\"#d-1\">plain.test</a></td>"
	    "<td class=\"bad\">error</td><td class=\"n\">1</td>"
	    "<td class=\"n\">1</td><td class=\"bad\">no</td>"
	    "<td class=\"bad\">missing</td><td class=\"warn\">missing"
	    "</td><td class=\"na\">not checked</td>"
	    "<td class=\"na\">insecure</td><td class=\"bad\">FAIL</td>"
	    "<td class=\"bad\">FAIL</td></tr>");
	assert_has(&p,
	    "<tr><td><a href=\"#d-3\">nx.test</a></td>"
	    "<td class=\"bad\">error</td><td class=\"n\">1</td>"
	    "<td class=\"n\">0</td><td class=\"na\">n/a</td>");
	/* a detail per domain, with its facts */
	assert_int_equal(count(p.data, p.len, "<details class=\"dom\""), 4);
	assert_has(&p, "<details class=\"dom\" id=\"d-2\">");
	assert_has(&p, "TLS_AES_256_GCM_SHA384");
	assert_has(&p, "CN=mx.weak.test");

	/* the data block parses and agrees */
	data = page_data(&p);
	rows = json_object_get(data, "rows");
	assert_int_equal(json_array_size(rows), 4);
	row = json_array_get(rows, 2);
	assert_string_equal(
	    json_string_value(json_array_get(row, 0)), "weak.test");
	assert_int_equal(json_array_size(row), 11);
	assert_int_equal(json_integer_value(json_array_get(row, 2)), 2);
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_object_get(
	            json_array_get(json_object_get(data, "columns"), 8),
	            "labels"),
	        json_integer_value(json_array_get(row, 8)))),
	    "mismatch");
	assert_string_equal(
	    json_string_value(json_object_get(data, "run")), "7");
	json_decref(data);
	free(p.data);
}

static void
test_hostile(void **state)
{
	struct report_html *h;
	struct page p;
	json_t *data;
	FILE *fp;

	(void)state;
	h = page_begin(&fp, &p);
	page_add(h, doc_hostile());
	page_add(h, doc_good());
	page_end(h, fp);

	/* nothing outside printable ASCII: no control byte, no U+2028, no
	 * invalid UTF-8 */
	assert_ascii(&p);
	/* the only elements are ours: two scripts, no img, no comment */
	assert_int_equal(count(p.data, p.len, "<script"), 2);
	assert_int_equal(count(p.data, p.len, "</script"), 2);
	assert_lacks(&p, "<img");
	assert_lacks(&p, "<b>id");
	assert_lacks(&p, "<!--");
	assert_lacks(&p, " onerror=alert(2)>");
	assert_lacks(&p, "\"dq\"");
	assert_lacks(&p, "'sq'");
	assert_lacks(&p, "javascript:alert(4)//<");
	assert_lacks(&p, "href=\"javascript");
	/* everything shown as text, control characters visible */
	assert_has(&p,
	    "220 &lt;script&gt;alert(1)&lt;/script&gt; &quot;dq&quot;"
	    " &#39;sq&#39; &lt;/script&gt;&lt;img src=x "
	    "onerror=alert(2)&gt; <span class=\"ctl\">\\x1B</span>[2J"
	    "<span class=\"ctl\">\\x07</span> C1:<span class=\"ctl\">"
	    "U+009B</span> bidi:<span class=\"ctl\">U+202E</span> "
	    "ls:<span class=\"ctl\">U+2028</span> ps:<span "
	    "class=\"ctl\">U+2029</span> amp:&amp;amp; &lt;!-- end");
	assert_has(&p,
	    "<b>evil&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script"
	    "&gt;<span class=\"ctl\">U+2028</span>.test</b>");
	assert_has(&p, "CN=220 &lt;script&gt;");
	assert_has(&p, "&lt;b&gt;id&lt;/b&gt;");
	assert_has(&p, "javascript:alert(4)//220 &lt;script&gt;");
	/* the severity that is no severity is shown as text, counted unknown */
	assert_has(&p, "<tr><td>220 &lt;script&gt;");

	/* the data block: \u-escaped, and the domain round-trips exactly */
	assert_has(&p,
	    "[\"evil\\u003C/script\\u003E\\u003Cscript\\u003Ealert(3)"
	    "\\u003C/script\\u003E\\u2028.test\",");
	data = page_data(&p);
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_array_get(json_object_get(data, "rows"), 0), 0)),
	    HOSTILE_DOMAIN);
	json_decref(data);
	free(p.data);
}

/* a document with bytes that are not UTF-8: read, shown as \xNN text */
static void
test_invalid_utf8(void **state)
{
	static const char doc[] =
	    "{\"domain\":\"bad\xff.test\",\"status\":\"ok\",\"findings\":[{"
	    "\"id\":\"x\",\"severity\":\"warning\",\"mx\":null,\"ip\":null,"
	    "\"message\":\"a\xc0\xaf b\xed\xa0\x80 c\xc3\x28 <i>\"}],"
	    "\"summary\":{\"worst\":\"warning\"},\"mx\":[{\"host\":\"m\","
	    "\"addresses\":[{\"smtp\":{\"banner\":\"nul:\\u0000 esc:\\u001b "
	    "\xf5\x80\"}}]}]}";
	struct report_html *h;
	struct page p;
	json_t *data;
	FILE *fp;

	(void)state;
	h = page_begin(&fp, &p);
	assert_int_equal(report_html_add(h, doc, sizeof(doc) - 1), 0);
	page_end(h, fp);
	assert_ascii(&p);
	assert_has(&p, "<b>bad\\xFF.test</b>");
	assert_has(&p, "a\\xC0\\xAF b\\xED\\xA0\\x80 c\\xC3( &lt;i&gt;");
	assert_has(&p,
	    "nul:<span class=\"ctl\">\\x00</span> esc:<span "
	    "class=\"ctl\">\\x1B</span> \\xF5\\x80");
	data = page_data(&p);
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_array_get(json_object_get(data, "rows"), 0), 0)),
	    "bad\\xFF.test");
	json_decref(data);
	free(p.data);
}

/* documents that are not scan results are counted and leave no trace */
static void
test_unreadable(void **state)
{
	static const char *const bad[] = { "", "not json", "[1,2]",
		"{\"domain\":5}", "{\"status\":\"ok\"}", "{\"domain\":\"x\"",
		"{\"domain\":\"<script>\"} trailing" };
	struct report_html *h;
	struct page p;
	json_t *data;
	FILE *fp;
	size_t i;

	(void)state;
	h = page_begin(&fp, &p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
		    report_html_add(h, bad[i], strlen(bad[i])), -1);
	/* a minimal document: every missing key shown as unknown */
	assert_int_equal(
	    report_html_add(h, "{\"domain\":\"min.test\"}", 21), 0);
	page_end(h, fp);
	assert_ascii(&p);
	assert_has(
	    &p, "<div class=\"card\"><b>7</b>documents not readable</div>");
	assert_int_equal(count(p.data, p.len, "<tr><td><a href=\"#d-"), 1);
	assert_has(&p,
	    "<tr><td><a href=\"#d-0\">min.test</a></td>"
	    "<td class=\"na\">unknown</td>");
	assert_lacks(&p, "<script>\"");
	data = page_data(&p);
	assert_int_equal(json_array_size(json_object_get(data, "rows")), 1);
	json_decref(data);
	free(p.data);
}

/* an empty run is a page too */
static void
test_empty(void **state)
{
	struct report_html *h;
	struct page p;
	json_t *data;
	FILE *fp;

	(void)state;
	h = page_begin(&fp, &p);
	page_end(h, fp);
	assert_ascii(&p);
	assert_has(&p, "<div class=\"card\"><b>0</b>domains</div>");
	assert_has(&p, "<p>0 of 0 scored domains compliant (&#8212;)</p>");
	data = page_data(&p);
	assert_int_equal(json_array_size(json_object_get(data, "rows")), 0);
	json_decref(data);
	free(p.data);
}

/* strings are capped per field, lists per item, findings per domain */
static void
test_caps(void **state)
{
	struct report_html *h;
	struct page p;
	json_t *d;
	char *big, mid[2001];
	size_t i;
	FILE *fp;

	(void)state;
	big = xmalloc(200001);
	memset(big, 'A', 200000);
	big[200000] = '\0';
	memset(mid, 'B', 2000);
	mid[2000] = '\0';
	d = doc_new("big.test", "warning", true);
	doc_mx(d, "mx.big.test", big, true, big, "none");
	for (i = 0; i < 1000; i++)
		doc_finding(d, "x", "warning", mid);
	h = page_begin(&fp, &p);
	page_add(h, d);
	/* a document past the cap is refused unread */
	assert_int_equal(report_html_add(h, big, REPORT_HTML_DOC_MAX + 1), -1);
	page_end(h, fp);
	free(big);
	assert_has(
	    &p, "<span class=\"more\"> &#8230; 195904 more bytes</span>");
	assert_has(
	    &p, "<span class=\"more\"> &#8230; 198976 more bytes</span>");
	assert_has(&p, "<span class=\"more\"> &#8230; 976 more bytes</span>");
	assert_has(&p, "<p class=\"more\">800 more findings not shown</p>");
	/* 200 findings of 1 KiB, a banner of 4 KiB, a subject of 1 KiB */
	assert_true(p.len < 400000);
	assert_has(&p, "<td class=\"n\">1000</td>");
	free(p.data);
}

/* the CSP admits exactly the inline style and script, by their hashes */
static void
hash_b64(const char *s, char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	assert_int_equal(
	    EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL), 1);
	EVP_EncodeBlock((unsigned char *)out, md, (int)len);
}

static void
test_csp(void **state)
{
	struct report_html *h;
	struct page p;
	char *style, *script, *csp, want[256], b64[64];
	FILE *fp;

	(void)state;
	h = page_begin(&fp, &p);
	page_add(h, doc_good());
	page_end(h, fp);
	style = between(&p, "<style>", "</style>", false);
	script = between(&p, "<script>", "</script>", true);
	csp = between(&p,
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\">",
	    false);
	hash_b64(style, b64);
	snprintf(want, sizeof(want), "style-src 'sha256-%s';", b64);
	assert_non_null(strstr(csp, want));
	hash_b64(script, b64);
	snprintf(want, sizeof(want), "script-src 'sha256-%s';", b64);
	assert_non_null(strstr(csp, want));
	assert_non_null(strstr(csp, "default-src 'none';"));
	assert_null(strstr(csp, "unsafe"));
	/* the CSP comes before any style or script */
	assert_true(strstr(p.data, "Content-Security-Policy") <
	    strstr(p.data, "<style>"));
	/* no external asset */
	assert_lacks(&p, "src=\"http");
	assert_lacks(&p, "href=\"http");
	assert_lacks(&p, "<link");
	free(style);
	free(script);
	free(csp);
	free(p.data);
}

/* the escapers, table-driven */
static void
test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *text, *attr, *json;
	} cases[] = {
		{ "plain", 5, "plain", "plain", "\"plain\"" },
		{ "<a href=\"x\">&'", 14,
		    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;",
		    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;",
		    "\"\\u003Ca href=\\u0022x\\u0022\\u003E\\u0026\\u0027\"" },
		{ "a\nb", 3, "a<span class=\"ctl\">\\n</span><br>b", "a\\nb",
		    "\"a\\u000Ab\"" },
		{ "\x00\x1b\x7f", 3,
		    "<span class=\"ctl\">\\x00</span><span class=\"ctl\">\\x1B"
		    "</span><span class=\"ctl\">\\x7F</span>",
		    "\\x00\\x1B\\x7F", "\"\\u0000\\u001B\\u007F\"" },
		{ "\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80", 9,
		    "&#xE9;<span class=\"ctl\">U+2028</span>&#x1F600;",
		    "&#xE9;U+2028&#x1F600;",
		    "\"\\u00E9\\u2028\\uD83D\\uDE00\"" },
		{ "\xff\xc3", 2,
		    "<span class=\"ctl\">\\xFF</span><span class=\"ctl\">\\xC3"
		    "</span>",
		    "\\xFF\\xC3", "\"\\\\xFF\\\\xC3\"" },
		{ "</script>", 9, "&lt;/script&gt;", "&lt;/script&gt;",
		    "\"\\u003C/script\\u003E\"" },
	};
	char *buf;
	size_t len, i;
	FILE *fp;
	int mode;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (mode = 0; mode < 3; mode++) {
			fp = open_memstream(&buf, &len);
			assert_non_null(fp);
			if (mode < 2)
				report_html_escape(
				    fp, cases[i].in, cases[i].len, mode);
			else
				report_html_json_string(
				    fp, cases[i].in, cases[i].len);
			fclose(fp);
			assert_string_equal(buf,
			    mode == 0       ? cases[i].text
			        : mode == 1 ? cases[i].attr
			                    : cases[i].json);
			free(buf);
		}
	}
}

/* the example document of tests/data: every section renders */
static void
test_example(void **state)
{
	const char *dir = getenv("MXAUDIT_TESTDATA");
	struct report_html *h;
	struct page p;
	char path[4096], *doc;
	size_t n;
	FILE *fp, *in;

	(void)state;
	if (dir == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/scan-example.json", dir);
	in = fopen(path, "rb");
	assert_non_null(in);
	doc = xmalloc(1 << 20);
	n = fread(doc, 1, 1 << 20, in);
	fclose(in);
	h = page_begin(&fp, &p);
	assert_int_equal(report_html_add(h, doc, n), 0);
	page_end(h, fp);
	free(doc);
	assert_ascii(&p);
	assert_has(&p,
	    "<dt>Banner</dt><dd>220 <span class=\"txt\">"
	    "mx.example.test ESMTP Postfix (Debian/GNU)</span></dd>");
	assert_has(&p, "<dt>SAN</dt><dd>mx.example.test</dd>");
	assert_has(&p, "<dt>Protocols accepted</dt><dd>tls1.2, tls1.3</dd>");
	assert_has(&p,
	    "<dt>MTA-STS URL</dt><dd>https://mta-sts.example.test/"
	    ".well-known/mta-sts.txt</dd>");
	assert_has(&p, "<td class=\"good\">enforce</td>");
	assert_has(&p, "<td class=\"bad\">partial</td>");
	free(p.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_csp),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
