/* SPDX-License-Identifier: ISC */
/*
 * test_report - the JSON and text writers over result trees built in code.
 *
 * Each scenario builds one domain_result shape (good TLS, no STARTTLS, null
 * MX, NXDOMAIN, implicit MX, IPv6, transcript, hostile bytes ...). The JSON
 * is parsed back with jansson and checked field by field; the text is
 * checked for its words and for the absence of raw control bytes. Every
 * scenario is also validated against docs/scan-result.schema.json by
 * tests/unit/validate_schema.py (skipped when /usr/bin/python3 or its
 * jsonschema module is missing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/result.h"
#include "report/json.h"
#include "report/text.h"
#include "util/xalloc.h"

#include "schemafix.h"

/* 2026-11-28T16:00:00Z, the scan time of every scenario */
#define NOW          ((time_t)1795881600)
#define T_2025_01_01 ((time_t)1735689600)
#define T_2026_01_01 ((time_t)1767225600)
#define T_2026_11_01 ((time_t)1793491200)
#define T_2027_01_01 ((time_t)1798761600)
#define T_2035_01_01 ((time_t)2051222400)

/*
 * The hostile banner: quotes, markup, terminal escapes (CSI, OSC title, BEL),
 * a raw 8-bit CSI, a UTF-8 C1 CSI, a bidi override, invalid UTF-8 (bytes
 * that can never appear, a truncated sequence, an overlong, a surrogate)
 * and one valid non-ASCII letter.
 */
#define HOSTILE                                              \
	"220 \"quoted\" 'single' <script>alert(1)</script> " \
	"\x1b[2J\x1b]0;pwned\x07 \x9b"                       \
	"31m C1:\xc2\x9b bidi:\xe2\x80\xae "                 \
	"bad:\xff\xfe\xc3\x28 over:\xc0\xaf sur:\xed\xa0\x80 ok:\xc3\xa9 end\\"
#define FFFD "\xef\xbf\xbd"
/* what the JSON string must hold: each maximal ill-formed subpart -> U+FFFD */
#define HOSTILE_JSON                                                         \
	"220 \"quoted\" 'single' <script>alert(1)</script> "                 \
	"\x1b[2J\x1b]0;pwned\x07 " FFFD "31m C1:\xc2\x9b bidi:\xe2\x80\xae " \
	"bad:" FFFD FFFD FFFD "( over:" FFFD FFFD " sur:" FFFD FFFD FFFD     \
	" ok:\xc3\xa9 end\\"

/* ---- building result trees ---- */

static char **
build_strv(size_t *n, ...)
{
	char **v = NULL;
	const char *s;
	va_list ap;

	*n = 0;
	va_start(ap, n);
	while ((s = va_arg(ap, const char *)) != NULL) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(s);
	}
	va_end(ap);
	return v;
}

static void
build_dns(struct dns_answer_info *a, enum dns_status st, enum dnssec_state ds,
    int rcode)
{
	a->status = st;
	a->dnssec = ds;
	a->rcode = rcode;
}

static struct domain_result *
build_domain(const char *name, enum mx_source src)
{
	struct domain_result *r = domain_result_new(name);

	r->mx_source = src;
	r->duration_ms = 123.25;
	if (src == MX_SOURCE_MX || src == MX_SOURCE_NULL)
		build_dns(&r->mx_answer, DNS_STATUS_OK, DNSSEC_INSECURE, 0);
	else if (src == MX_SOURCE_IMPLICIT)
		build_dns(&r->mx_answer, DNS_STATUS_NODATA, DNSSEC_INSECURE, 0);
	return r;
}

static struct mx_host *
build_mx(struct domain_result *r, const char *host, int pref)
{
	struct mx_host *m;

	r->mx = xreallocarray(r->mx, r->nmx + 1, sizeof(*r->mx));
	m = &r->mx[r->nmx++];
	memset(m, 0, sizeof(*m));
	m->host = xstrdup(host);
	m->preference = pref;
	build_dns(&m->a, DNS_STATUS_OK, DNSSEC_INSECURE, 0);
	build_dns(&m->aaaa, DNS_STATUS_NODATA, DNSSEC_INSECURE, 0);
	return m;
}

/* build_addr - a finished conversation up to EHLO, owned by m */
static struct addr_facts *
build_addr(
    struct mx_host *m, const char *ip, int family, uint16_t port, bool starttls)
{
	struct addr_facts *f = addr_facts_new(ip, family, port, m->host);

	m->addrs = xreallocarray(m->addrs, m->naddrs + 1, sizeof(*m->addrs));
	m->addrs[m->naddrs++].facts = f;
	f->done = true;
	f->connect_ms = 1.5;
	f->duration_ms = 42.125;
	f->banner_code = 220;
	f->banner = xasprintf("%s ESMTP Postfix", m->host);
	f->ehlo_ok = true;
	if (starttls)
		f->capabilities = build_strv(&f->ncapabilities, "PIPELINING",
		    "SIZE 10240000", "STARTTLS", "8BITMIME", (char *)NULL);
	else
		f->capabilities = build_strv(&f->ncapabilities, "PIPELINING",
		    "SIZE 10240000", "8BITMIME", (char *)NULL);
	f->starttls_offered = starttls;
	return f;
}

static void
build_cert(struct cert_info *c, const char *cn, const char *issuer, time_t nb,
    time_t na)
{
	c->subject = xasprintf("CN=%s", cn);
	c->issuer = xasprintf("CN=%s", issuer);
	c->san = build_strv(&c->nsan, cn, (char *)NULL);
	c->not_before = nb;
	c->not_after = na;
	c->key_type = xstrdup("EC");
	c->key_bits = 256;
	c->curve = xstrdup("prime256v1");
	c->sig_alg = xstrdup("ecdsa-with-SHA256");
	c->serial = xstrdup("0A1B2C");
	c->sha256 = xstrdup("00112233445566778899AABBCCDDEEFF"
	                    "00112233445566778899AABBCCDDEEFF");
	c->self_signed = strcmp(cn, issuer) == 0;
}

/* build_tls - STARTTLS accepted and a handshake with a two-cert chain */
static void
build_tls(
    struct addr_facts *f, time_t nb, time_t na, bool trusted, bool name_match)
{
	struct tls_info *t = &f->tls;

	f->starttls_code = 220;
	f->starttls_reply = xstrdup("2.0.0 Ready to start TLS");
	f->capabilities_tls = build_strv(&f->ncapabilities_tls, "PIPELINING",
	    "SIZE 10240000", "8BITMIME", (char *)NULL);
	t->attempted = true;
	t->ok = true;
	t->version = xstrdup("TLSv1.3");
	t->cipher = xstrdup("TLS_AES_256_GCM_SHA384");
	t->cipher_bits = 256;
	t->group = xstrdup("X25519");
	t->nchain = 2;
	t->chain = xcalloc(2, sizeof(*t->chain));
	build_cert(&t->chain[0], f->sni, "Lab CA", nb, na);
	build_cert(
	    &t->chain[1], "Lab CA", "Lab CA", T_2025_01_01, T_2035_01_01);
	t->trusted = trusted;
	t->verify_code = trusted ? 0 : 19;
	if (!trusted)
		t->verify_error =
		    xstrdup("self-signed certificate in certificate chain");
	t->name_match = name_match;
	if (name_match)
		t->matched_name = xstrdup(f->sni);
}

static void
build_line(struct addr_facts *f, double t, char dir, const char *text)
{
	f->transcript = xreallocarray(
	    f->transcript, f->ntranscript + 1, sizeof(*f->transcript));
	f->transcript[f->ntranscript].t = t;
	f->transcript[f->ntranscript].dir = dir;
	f->transcript[f->ntranscript].text = xstrdup(text);
	f->ntranscript++;
}

static struct domain_result *
scenario_good(void)
{
	struct domain_result *r = build_domain("good.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx.good.test", 10);
	struct addr_facts *f = build_addr(m, "127.0.0.10", 4, 25, true);

	r->mx_answer.dnssec = DNSSEC_SECURE;
	build_tls(f, T_2026_01_01, T_2027_01_01, true, true);
	return r;
}

static struct domain_result *
scenario_nostarttls(void)
{
	struct domain_result *r = build_domain("nostarttls.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx.nostarttls.test", 10);

	build_addr(m, "127.0.0.11", 4, 25, false);
	domain_result_add_finding(r, "starttls-missing", SEVERITY_ERROR,
	    "mx.nostarttls.test", "127.0.0.11",
	    "the server does not offer STARTTLS");
	return r;
}

static struct domain_result *
scenario_nullmx(void)
{
	struct domain_result *r = build_domain("nullmx.test", MX_SOURCE_NULL);

	domain_result_add_finding(r, "mx-null", SEVERITY_INFO, NULL, NULL,
	    "the domain publishes a null MX and accepts no mail");
	return r;
}

static struct domain_result *
scenario_nxdomain(void)
{
	struct domain_result *r = build_domain("nx.test", MX_SOURCE_NONE);

	build_dns(&r->mx_answer, DNS_STATUS_NXDOMAIN, DNSSEC_UNKNOWN, 3);
	r->mx_answer.error = xstrdup("no such domain");
	domain_result_add_finding(r, "dns-nxdomain", SEVERITY_ERROR, NULL, NULL,
	    "the MX lookup failed: nxdomain");
	return r;
}

static struct domain_result *
scenario_implicit(void)
{
	struct domain_result *r =
	    build_domain("implicit.test", MX_SOURCE_IMPLICIT);
	struct mx_host *m = build_mx(r, "implicit.test", -1);
	struct addr_facts *f = build_addr(m, "127.0.0.12", 4, 25, true);

	build_tls(f, T_2026_01_01, T_2027_01_01, true, true);
	domain_result_add_finding(r, "mx-implicit", SEVERITY_WARNING, NULL,
	    NULL, "no MX records: mail goes to the domain's own address");
	return r;
}

/* scenario_ipv6 - two MX: IPv6 on port 2525 with a bad cert, a refusal */
static struct domain_result *
scenario_ipv6(void)
{
	struct domain_result *r = build_domain("v6.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx6.v6.test", 5);
	struct addr_facts *f = build_addr(m, "2001:db8::25", 6, 2525, true);

	build_dns(&m->a, DNS_STATUS_NODATA, DNSSEC_INSECURE, 0);
	build_dns(&m->aaaa, DNS_STATUS_OK, DNSSEC_INSECURE, 0);
	build_tls(f, T_2025_01_01, T_2026_11_01, false, false);

	m = build_mx(r, "down.v6.test", 20);
	f = addr_facts_new("127.0.0.13", 4, 25, "down.v6.test");
	m->addrs = xcalloc(1, sizeof(*m->addrs));
	m->addrs[0].facts = f;
	m->naddrs = 1;
	f->done = true;
	f->fail_stage = SMTP_STAGE_CONNECT;
	f->fail = SMTP_FAIL_REFUSED;
	f->fail_detail = xstrdup("Connection refused");
	f->duration_ms = 0.5;

	m = build_mx(r, "nowhere.v6.test", 30);
	build_dns(&m->a, DNS_STATUS_NXDOMAIN, DNSSEC_INSECURE, 3);
	build_dns(&m->aaaa, DNS_STATUS_NXDOMAIN, DNSSEC_INSECURE, 3);

	domain_result_add_finding(r, "cert-expired", SEVERITY_ERROR,
	    "mx6.v6.test", "2001:db8::25", "the certificate expired");
	domain_result_add_finding(r, "cert-untrusted", SEVERITY_ERROR,
	    "mx6.v6.test", "2001:db8::25", "the certificate is not trusted");
	return r;
}

static struct domain_result *
scenario_transcript(void)
{
	struct domain_result *r = scenario_good();
	struct addr_facts *f = r->mx[0].addrs[0].facts;

	free(r->domain);
	r->domain = xstrdup("transcript.test");
	build_line(f, 0.0, '*', "connected to 127.0.0.10:25");
	build_line(f, 0.004, 'S', "220 mx.good.test ESMTP Postfix");
	build_line(f, 0.005, 'C', "EHLO mxaudit.test");
	build_line(f, 0.006, 'S', "250-mx.good.test");
	build_line(f, 0.006, 'S', "250 STARTTLS");
	build_line(f, 0.007, 'C', "STARTTLS");
	build_line(f, 0.008, 'S', "220 2.0.0 Ready to start TLS");
	build_line(f, 0.019, '*', "TLSv1.3 TLS_AES_256_GCM_SHA384");
	return r;
}

/* scenario_hostile - peer bytes in every string the writers print */
static struct domain_result *
scenario_hostile(void)
{
	struct domain_result *r = build_domain("hostile.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx.hostile.test", 10);
	struct addr_facts *f = build_addr(m, "127.0.0.14", 4, 25, false);

	free(f->banner);
	f->banner = xstrdup(HOSTILE);
	f->starttls_mangled = true;
	f->mangled_token = xstrdup("XXXX\x1b[31mA");
	free(f->capabilities[0]);
	f->capabilities[0] = xstrdup(HOSTILE);
	f->fail_stage = SMTP_STAGE_QUIT;
	f->fail = SMTP_FAIL_PROTOCOL;
	f->fail_detail = xstrdup(HOSTILE);
	build_line(f, 0.004, 'S', HOSTILE);
	build_line(f, 0.005, 'X', "odd direction");
	domain_result_add_finding(r, "starttls-missing", SEVERITY_ERROR,
	    "mx.hostile.test", "127.0.0.14", "banner was: %s", HOSTILE);
	return r;
}

/* scenario_timeout - the domain deadline passed mid-probe */
static struct domain_result *
scenario_timeout(void)
{
	struct domain_result *r = build_domain("slow.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx.slow.test", 10);
	struct addr_facts *f =
	    addr_facts_new("127.0.0.15", 4, 25, "mx.slow.test");

	m->addrs = xcalloc(1, sizeof(*m->addrs));
	m->addrs[0].facts = f;
	m->naddrs = 1;
	r->timed_out = true;
	r->mx_answer.why_bogus = NULL;
	return r;
}

/* scenario_bogus - DNSSEC bogus MX answer; the TLS handshake failed */
static struct domain_result *
scenario_bogus(void)
{
	struct domain_result *r = build_domain("bogus.test", MX_SOURCE_MX);
	struct mx_host *m = build_mx(r, "mx.bogus.test", 10);
	struct addr_facts *f = build_addr(m, "127.0.0.16", 4, 25, true);

	r->mx_answer.dnssec = DNSSEC_BOGUS;
	r->mx_answer.why_bogus = xstrdup("signature expired");
	f->starttls_code = 220;
	f->starttls_reply = xstrdup("Ready");
	f->starttls_leftover = true;
	f->tls.attempted = true;
	f->tls.error = xstrdup("wrong version number");
	f->fail_stage = SMTP_STAGE_HANDSHAKE;
	f->fail = SMTP_FAIL_TLS;
	domain_result_add_finding(r, "dnssec-bogus", SEVERITY_ERROR, NULL, NULL,
	    "the MX answer failed DNSSEC validation");
	return r;
}

struct scenario {
	const char *name;
	struct domain_result *(*build)(void);
};

static const struct scenario scenarios[] = {
	{ "good", scenario_good },
	{ "nostarttls", scenario_nostarttls },
	{ "nullmx", scenario_nullmx },
	{ "nxdomain", scenario_nxdomain },
	{ "implicit", scenario_implicit },
	{ "ipv6", scenario_ipv6 },
	{ "transcript", scenario_transcript },
	{ "hostile", scenario_hostile },
	{ "timeout", scenario_timeout },
	{ "bogus", scenario_bogus },
};

/* ---- reading results back ---- */

/* to_json - serialize through report_json_write and parse it back */
static json_t *
to_json(const struct domain_result *r, unsigned flags, char **textp)
{
	json_error_t err;
	char *text = NULL;
	size_t len = 0;
	json_t *j;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(report_json_write_at(f, r, flags, NOW), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 0 && text[len - 1] == '\n');
	j = json_loads(text, 0, &err);
	if (j == NULL)
		fail_msg("json_loads: %s at %d:%d\n%s", err.text, err.line,
		    err.column, text);
	if (textp != NULL)
		*textp = text;
	else
		free(text);
	return j;
}

static char *
to_text(const struct domain_result *r, unsigned flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	report_text_domain_at(f, r, flags, NOW);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

/* jget - the value at a path like "mx/0/addresses/0/tls", or NULL */
static json_t *
jget(json_t *j, const char *path)
{
	const char *seg = path, *end;
	char key[64];
	size_t n;

	while (j != NULL && *seg != '\0') {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		assert_true(n < sizeof(key));
		memcpy(key, seg, n);
		key[n] = '\0';
		if (json_is_array(j))
			j = json_array_get(j, strtoul(key, NULL, 10));
		else
			j = json_object_get(j, key);
		seg += n;
		if (*seg == '/')
			seg++;
	}
	return j;
}

static void
expect_str(json_t *root, const char *path, const char *want)
{
	json_t *v = jget(root, path);

	if (!json_is_string(v))
		fail_msg("%s: not a string", path);
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: \"%s\", want \"%s\"", path, json_string_value(v),
		    want);
}

static void
expect_int(json_t *root, const char *path, long long want)
{
	json_t *v = jget(root, path);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", path);
	if (json_integer_value(v) != want)
		fail_msg("%s: %lld, want %lld", path,
		    (long long)json_integer_value(v), want);
}

static void
expect_real(json_t *root, const char *path, double want)
{
	json_t *v = jget(root, path);

	if (!json_is_real(v))
		fail_msg("%s: not a real", path);
	if (json_real_value(v) != want)
		fail_msg("%s: %g, want %g", path, json_real_value(v), want);
}

static void
expect_bool(json_t *root, const char *path, bool want)
{
	json_t *v = jget(root, path);

	if (!json_is_boolean(v))
		fail_msg("%s: not a boolean", path);
	if (json_is_true(v) != want)
		fail_msg("%s: %d, want %d", path, json_is_true(v), want);
}

static void
expect_null(json_t *root, const char *path)
{
	json_t *v = jget(root, path);

	if (!json_is_null(v))
		fail_msg("%s: %s", path, v == NULL ? "missing" : "not null");
}

static void
expect_size(json_t *root, const char *path, size_t want)
{
	json_t *v = jget(root, path);

	if (json_is_array(v) && json_array_size(v) == want)
		return;
	if (json_is_object(v) && json_object_size(v) == want)
		return;
	fail_msg("%s: size %zu, want %zu", path,
	    json_is_array(v) ? json_array_size(v) : json_object_size(v), want);
}

static void
expect_has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, text);
}

static void
expect_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

/*
 * expect_tty_safe - no byte that could drive a terminal: no C0 control but
 * '\n', no DEL, no ESC except our own colour sequences (only with colour),
 * no raw C1 byte, and nothing but well-formed UTF-8.
 */
static void
expect_tty_safe(const char *text, bool color)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, k, n;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == 0x1b && color) {
			/* ESC [ digits;digits m */
			if (p[i + 1] != '[')
				fail_msg("raw ESC at %zu:\n%s", i, text);
			for (k = i + 2;
			     (p[k] >= '0' && p[k] <= '9') || p[k] == ';'; k++)
				;
			if (p[k] != 'm')
				fail_msg("foreign escape at %zu:\n%s", i, text);
			i = k;
			continue;
		}
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f)
			fail_msg(
			    "raw control 0x%02x at %zu:\n%s", p[i], i, text);
		if (p[i] < 0x80)
			continue;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			n = 0;
		if (n == 0)
			fail_msg("raw byte 0x%02x at %zu:\n%s", p[i], i, text);
		for (k = 1; k < n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				fail_msg(
				    "ill-formed UTF-8 at %zu:\n%s", i, text);
		if (p[i] == 0xc2 && p[i + 1] < 0xa0)
			fail_msg("C1 control at %zu:\n%s", i, text);
		if (p[i] == 0xe2 && p[i + 1] == 0x80 && p[i + 2] >= 0xa8 &&
		    p[i + 2] <= 0xae)
			fail_msg("bidi control at %zu:\n%s", i, text);
		i += n > 0 ? n - 1 : 0;
	}
}

/* ---- JSON ---- */

static void
test_json_good(void **state)
{
	struct domain_result *r = scenario_good();
	json_t *j = to_json(r, 0, NULL);
	const char *a = "mx/0/addresses/0";

	(void)state;
	expect_str(j, "domain", "good.test");
	expect_str(j, "scanned_at", "2026-11-28T16:00:00Z");
	expect_real(j, "duration_ms", 123.25);
	expect_str(j, "status", "ok");
	expect_str(j, "mx_source", "mx");
	expect_bool(j, "accepts_mail", true);
	expect_str(j, "dns/mx/status", "ok");
	expect_int(j, "dns/mx/rcode", 0);
	expect_str(j, "dns/mx/dnssec", "secure");
	expect_null(j, "dns/mx/why_bogus");
	expect_null(j, "dns/mx/error");
	expect_size(j, "mx", 1);
	expect_str(j, "mx/0/host", "mx.good.test");
	expect_int(j, "mx/0/preference", 10);
	expect_str(j, "mx/0/dns/a/status", "ok");
	expect_str(j, "mx/0/dns/aaaa/status", "nodata");
	expect_size(j, "mx/0/addresses", 1);

	assert_non_null(jget(j, a));
	expect_str(j, "mx/0/addresses/0/ip", "127.0.0.10");
	expect_int(j, "mx/0/addresses/0/family", 4);
	expect_int(j, "mx/0/addresses/0/port", 25);
	expect_bool(j, "mx/0/addresses/0/connect/ok", true);
	expect_real(j, "mx/0/addresses/0/connect/ms", 1.5);
	expect_str(j, "mx/0/addresses/0/result/stage", "done");
	expect_null(j, "mx/0/addresses/0/result/failure");
	expect_null(j, "mx/0/addresses/0/result/detail");
	expect_real(j, "mx/0/addresses/0/duration_ms", 42.125);
	expect_str(
	    j, "mx/0/addresses/0/smtp/banner", "mx.good.test ESMTP Postfix");
	expect_int(j, "mx/0/addresses/0/smtp/banner_code", 220);
	expect_bool(j, "mx/0/addresses/0/smtp/ehlo", true);
	expect_bool(j, "mx/0/addresses/0/smtp/helo_fallback", false);
	expect_size(j, "mx/0/addresses/0/smtp/capabilities", 4);
	expect_str(j, "mx/0/addresses/0/smtp/capabilities/1", "SIZE 10240000");
	expect_bool(j, "mx/0/addresses/0/smtp/starttls", true);
	expect_bool(j, "mx/0/addresses/0/smtp/starttls_mangled", false);
	expect_null(j, "mx/0/addresses/0/smtp/mangled_token");
	expect_int(j, "mx/0/addresses/0/smtp/starttls_code", 220);
	expect_str(j, "mx/0/addresses/0/smtp/starttls_reply",
	    "2.0.0 Ready to start TLS");
	expect_bool(j, "mx/0/addresses/0/smtp/starttls_leftover", false);
	expect_size(j, "mx/0/addresses/0/smtp/capabilities_tls", 3);

	expect_bool(j, "mx/0/addresses/0/tls/handshake", true);
	expect_null(j, "mx/0/addresses/0/tls/error");
	expect_str(j, "mx/0/addresses/0/tls/version", "TLSv1.3");
	expect_str(j, "mx/0/addresses/0/tls/cipher", "TLS_AES_256_GCM_SHA384");
	expect_int(j, "mx/0/addresses/0/tls/cipher_bits", 256);
	expect_str(j, "mx/0/addresses/0/tls/group", "X25519");
	expect_bool(j, "mx/0/addresses/0/tls/cert/trusted", true);
	expect_int(j, "mx/0/addresses/0/tls/cert/verify_code", 0);
	expect_null(j, "mx/0/addresses/0/tls/cert/verify_error");
	expect_bool(j, "mx/0/addresses/0/tls/cert/name_match", true);
	expect_str(j, "mx/0/addresses/0/tls/cert/matched_name", "mx.good.test");
	expect_bool(j, "mx/0/addresses/0/tls/cert/expired", false);
	expect_bool(j, "mx/0/addresses/0/tls/cert/not_yet_valid", false);
	expect_str(
	    j, "mx/0/addresses/0/tls/cert/not_before", "2026-01-01T00:00:00Z");
	expect_str(
	    j, "mx/0/addresses/0/tls/cert/not_after", "2027-01-01T00:00:00Z");
	/* 33 days and 8 hours */
	expect_int(j, "mx/0/addresses/0/tls/cert/days_left", 33);
	expect_str(j, "mx/0/addresses/0/tls/cert/subject", "CN=mx.good.test");
	expect_str(j, "mx/0/addresses/0/tls/cert/issuer", "CN=Lab CA");
	expect_str(j, "mx/0/addresses/0/tls/cert/san/0", "mx.good.test");
	expect_str(j, "mx/0/addresses/0/tls/cert/key_type", "EC");
	expect_int(j, "mx/0/addresses/0/tls/cert/key_bits", 256);
	expect_str(j, "mx/0/addresses/0/tls/cert/signature_algorithm",
	    "ecdsa-with-SHA256");
	expect_bool(j, "mx/0/addresses/0/tls/cert/self_signed", false);
	expect_size(j, "mx/0/addresses/0/tls/cert/chain", 2);
	expect_size(j, "mx/0/addresses/0/tls/cert/chain/1", 12);
	expect_str(
	    j, "mx/0/addresses/0/tls/cert/chain/0/subject", "CN=mx.good.test");
	expect_str(j, "mx/0/addresses/0/tls/cert/chain/0/curve", "prime256v1");
	expect_str(j, "mx/0/addresses/0/tls/cert/chain/0/serial", "0A1B2C");
	expect_str(j, "mx/0/addresses/0/tls/cert/chain/1/not_after",
	    "2035-01-01T00:00:00Z");
	expect_bool(j, "mx/0/addresses/0/tls/cert/chain/1/self_signed", true);
	assert_null(jget(j, "mx/0/addresses/0/transcript"));

	expect_size(j, "findings", 0);
	expect_int(j, "summary/mx_count", 1);
	expect_int(j, "summary/addresses", 1);
	expect_bool(j, "summary/starttls_all", true);
	expect_str(j, "summary/worst", "none");
	json_decref(j);
	domain_result_free(r);
}

/* test_json_key_order - keys come out in the documented order */
static void
test_json_key_order(void **state)
{
	static const char *const keys[] = { "domain", "scanned_at",
		"duration_ms", "status", "timed_out", "mx_source",
		"accepts_mail", "dns", "mx", "findings", "summary" };
	struct domain_result *r = scenario_good();
	char *text;
	const char *p, *q;
	json_t *j = to_json(r, 0, &text);
	size_t i;

	(void)state;
	p = text;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  \"%s\": ", keys[i]);
		q = strstr(p, want);
		if (q == NULL)
			fail_msg("key %s missing or out of order:\n%s", keys[i],
			    text);
		else
			p = q;
	}
	/* pretty: indent 2, and reals printed short */
	expect_has(text, "{\n  \"domain\": \"good.test\",\n");
	expect_has(text, "\"duration_ms\": 123.25,");
	free(text);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_compact(void **state)
{
	struct domain_result *r = scenario_transcript();
	char *text;
	json_t *j =
	    to_json(r, REPORT_JSON_COMPACT | REPORT_JSON_TRANSCRIPT, &text);

	(void)state;
	/* exactly one line */
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	expect_has(text, "{\"domain\":\"transcript.test\",\"scanned_at\":");
	expect_str(j, "domain", "transcript.test");
	free(text);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_nostarttls(void **state)
{
	struct domain_result *r = scenario_nostarttls();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "status", "ok");
	expect_bool(j, "mx/0/addresses/0/smtp/starttls", false);
	expect_null(j, "mx/0/addresses/0/smtp/starttls_code");
	expect_null(j, "mx/0/addresses/0/smtp/starttls_reply");
	expect_size(j, "mx/0/addresses/0/smtp/capabilities_tls", 0);
	expect_null(j, "mx/0/addresses/0/tls");
	expect_size(j, "findings", 1);
	expect_str(j, "findings/0/id", "starttls-missing");
	expect_str(j, "findings/0/severity", "error");
	expect_str(j, "findings/0/mx", "mx.nostarttls.test");
	expect_str(j, "findings/0/ip", "127.0.0.11");
	expect_str(
	    j, "findings/0/message", "the server does not offer STARTTLS");
	expect_bool(j, "summary/starttls_all", false);
	expect_str(j, "summary/worst", "error");
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_nullmx(void **state)
{
	struct domain_result *r = scenario_nullmx();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "status", "ok");
	expect_str(j, "mx_source", "null");
	expect_bool(j, "accepts_mail", false);
	expect_size(j, "mx", 0);
	expect_null(j, "findings/0/mx");
	expect_null(j, "findings/0/ip");
	expect_int(j, "summary/mx_count", 0);
	expect_int(j, "summary/addresses", 0);
	expect_bool(j, "summary/starttls_all", false);
	expect_str(j, "summary/worst", "info");
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_nxdomain(void **state)
{
	struct domain_result *r = scenario_nxdomain();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "status", "error");
	expect_str(j, "mx_source", "none");
	expect_bool(j, "accepts_mail", false);
	expect_str(j, "dns/mx/status", "nxdomain");
	expect_int(j, "dns/mx/rcode", 3);
	expect_str(j, "dns/mx/dnssec", "unknown");
	expect_str(j, "dns/mx/error", "no such domain");
	expect_size(j, "mx", 0);
	expect_str(j, "summary/worst", "error");
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_implicit(void **state)
{
	struct domain_result *r = scenario_implicit();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "status", "ok");
	expect_str(j, "mx_source", "implicit");
	expect_bool(j, "accepts_mail", true);
	expect_str(j, "dns/mx/status", "nodata");
	expect_str(j, "mx/0/host", "implicit.test");
	expect_null(j, "mx/0/preference");
	expect_str(j, "summary/worst", "warning");
	expect_bool(j, "summary/starttls_all", true);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_ipv6(void **state)
{
	struct domain_result *r = scenario_ipv6();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "mx/0/addresses/0/ip", "2001:db8::25");
	expect_int(j, "mx/0/addresses/0/family", 6);
	expect_int(j, "mx/0/addresses/0/port", 2525);
	expect_bool(j, "mx/0/addresses/0/tls/cert/trusted", false);
	expect_int(j, "mx/0/addresses/0/tls/cert/verify_code", 19);
	expect_str(j, "mx/0/addresses/0/tls/cert/verify_error",
	    "self-signed certificate in certificate chain");
	expect_bool(j, "mx/0/addresses/0/tls/cert/name_match", false);
	expect_null(j, "mx/0/addresses/0/tls/cert/matched_name");
	expect_bool(j, "mx/0/addresses/0/tls/cert/expired", true);
	/* 27 days and 16 hours ago: rounded down */
	expect_int(j, "mx/0/addresses/0/tls/cert/days_left", -28);

	expect_bool(j, "mx/1/addresses/0/connect/ok", false);
	expect_null(j, "mx/1/addresses/0/connect/ms");
	expect_str(j, "mx/1/addresses/0/result/stage", "connect");
	expect_str(j, "mx/1/addresses/0/result/failure", "refused");
	expect_str(j, "mx/1/addresses/0/result/detail", "Connection refused");
	expect_null(j, "mx/1/addresses/0/smtp/banner");
	expect_null(j, "mx/1/addresses/0/smtp/banner_code");
	expect_null(j, "mx/1/addresses/0/tls");

	expect_str(j, "mx/2/dns/a/status", "nxdomain");
	expect_int(j, "mx/2/dns/aaaa/rcode", 3);
	expect_size(j, "mx/2/addresses", 0);

	expect_int(j, "summary/mx_count", 3);
	expect_int(j, "summary/addresses", 2);
	/* the refused address does not count, the IPv6 one did TLS */
	expect_bool(j, "summary/starttls_all", true);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_transcript(void **state)
{
	struct domain_result *r = scenario_transcript();
	json_t *j = to_json(r, REPORT_JSON_TRANSCRIPT, NULL);

	(void)state;
	expect_size(j, "mx/0/addresses/0/transcript", 8);
	expect_real(j, "mx/0/addresses/0/transcript/1/t", 0.004);
	expect_str(j, "mx/0/addresses/0/transcript/1/dir", "S");
	expect_str(j, "mx/0/addresses/0/transcript/1/line",
	    "220 mx.good.test ESMTP Postfix");
	expect_str(j, "mx/0/addresses/0/transcript/2/dir", "C");
	expect_str(j, "mx/0/addresses/0/transcript/0/dir", "*");
	json_decref(j);

	/* without the flag there is no "transcript" key at all */
	j = to_json(r, 0, NULL);
	assert_null(jget(j, "mx/0/addresses/0/transcript"));
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_hostile(void **state)
{
	struct domain_result *r = scenario_hostile();
	char *text;
	json_t *j = to_json(r, REPORT_JSON_TRANSCRIPT, &text);
	size_t i;

	(void)state;
	expect_str(j, "mx/0/addresses/0/smtp/banner", HOSTILE_JSON);
	expect_str(j, "mx/0/addresses/0/smtp/capabilities/0", HOSTILE_JSON);
	expect_str(j, "mx/0/addresses/0/result/detail", HOSTILE_JSON);
	expect_str(j, "mx/0/addresses/0/result/stage", "quit");
	expect_str(j, "mx/0/addresses/0/result/failure", "protocol");
	expect_str(j, "mx/0/addresses/0/smtp/mangled_token", "XXXX\x1b[31mA");
	expect_str(j, "mx/0/addresses/0/transcript/0/line", HOSTILE_JSON);
	expect_str(j, "mx/0/addresses/0/transcript/1/dir", "*");
	expect_str(j, "findings/0/message", "banner was: " HOSTILE_JSON);
	/* jansson escapes quotes and controls; markup stays as it is */
	expect_has(text, "\\\"quoted\\\"");
	expect_has(text, "\\u001B[2J");
	expect_has(text, "\\u0007");
	expect_has(text, "<script>alert(1)</script>");
	/* no raw C0 control: jansson escapes them all */
	for (i = 0; text[i] != '\0'; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
			fail_msg("raw control at %zu", i);
	free(text);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_timeout(void **state)
{
	struct domain_result *r = scenario_timeout();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "status", "error");
	expect_bool(j, "timed_out", true);
	expect_str(j, "mx_source", "mx");
	expect_bool(j, "mx/0/addresses/0/connect/ok", false);
	expect_str(j, "mx/0/addresses/0/result/stage", "none");
	expect_null(j, "mx/0/addresses/0/result/failure");
	expect_real(j, "mx/0/addresses/0/duration_ms", 0);
	expect_bool(j, "summary/starttls_all", false);
	json_decref(j);
	domain_result_free(r);
}

static void
test_json_bogus(void **state)
{
	struct domain_result *r = scenario_bogus();
	json_t *j = to_json(r, 0, NULL);

	(void)state;
	expect_str(j, "dns/mx/dnssec", "bogus");
	expect_str(j, "dns/mx/why_bogus", "signature expired");
	expect_bool(j, "mx/0/addresses/0/smtp/starttls_leftover", true);
	expect_bool(j, "mx/0/addresses/0/tls/handshake", false);
	expect_str(j, "mx/0/addresses/0/tls/error", "wrong version number");
	expect_null(j, "mx/0/addresses/0/tls/version");
	expect_null(j, "mx/0/addresses/0/tls/cipher_bits");
	expect_null(j, "mx/0/addresses/0/tls/cert");
	expect_str(j, "mx/0/addresses/0/result/stage", "handshake");
	expect_str(j, "mx/0/addresses/0/result/failure", "tls");
	expect_bool(j, "summary/starttls_all", false);
	json_decref(j);
	domain_result_free(r);
}

/* test_json_cert_times - validity edges and clamping to RFC 3339 years */
static void
test_json_cert_times(void **state)
{
	struct domain_result *r = scenario_good();
	struct cert_info *c = &r->mx[0].addrs[0].facts->tls.chain[0];
	json_t *j;

	(void)state;
	c->not_before = NOW + 1;
	c->not_after = NOW;
	j = to_json(r, 0, NULL);
	expect_bool(j, "mx/0/addresses/0/tls/cert/not_yet_valid", true);
	expect_bool(j, "mx/0/addresses/0/tls/cert/expired", false);
	expect_int(j, "mx/0/addresses/0/tls/cert/days_left", 0);
	json_decref(j);

	c->not_before = (time_t)INT64_MIN;
	c->not_after = (time_t)INT64_MAX;
	j = to_json(r, 0, NULL);
	expect_str(
	    j, "mx/0/addresses/0/tls/cert/not_before", "0000-01-01T00:00:00Z");
	expect_str(
	    j, "mx/0/addresses/0/tls/cert/not_after", "9999-12-31T23:59:59Z");
	expect_bool(j, "mx/0/addresses/0/tls/cert/expired", false);
	json_decref(j);

	c->not_after = NOW - 1;
	j = to_json(r, 0, NULL);
	expect_bool(j, "mx/0/addresses/0/tls/cert/expired", true);
	expect_int(j, "mx/0/addresses/0/tls/cert/days_left", -1);
	json_decref(j);
	domain_result_free(r);
}

/* test_json_utf8 - report_json_string against the maximal-subpart rule */
static void
test_json_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain", 5, "plain" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7", 9,
		    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7" },
		{ "\x80", 1, FFFD },
		{ "a\xc0\x80z", 4, "a" FFFD FFFD "z" },
		{ "\xe2\x82", 2, FFFD },
		{ "\xe2\x82z", 3, FFFD "z" },
		{ "\xf0\x9f\x93", 3, FFFD },
		{ "\xed\xa0\x80", 3, FFFD FFFD FFFD },
		{ "\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD },
		{ "\xf5\xff", 2, FFFD FFFD },
		{ "\xef\xbf\xbf", 3, "\xef\xbf\xbf" },
		{ "\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf" },
	};
	size_t i;
	json_t *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = report_json_string(cases[i].in, cases[i].len);
		assert_non_null(s);
		if (strcmp(json_string_value(s), cases[i].want) != 0)
			fail_msg(
			    "case %zu: got \"%s\"", i, json_string_value(s));
		json_decref(s);
	}
	/* an embedded NUL survives as U+0000 */
	s = report_json_string("a\0b", 3);
	assert_int_equal(json_string_length(s), 3);
	json_decref(s);
}

/* test_json_every_scenario - every documented key, in every shape */
static void
test_json_every_scenario(void **state)
{
	static const char *const top[] = { "domain", "scanned_at",
		"duration_ms", "status", "mx_source", "accepts_mail",
		"dns/mx/status", "dns/mx/rcode", "dns/mx/dnssec",
		"dns/mx/why_bogus", "dns/mx/error", "mx", "findings",
		"summary/mx_count", "summary/addresses", "summary/starttls_all",
		"summary/worst" };
	static const char *const addr[] = { "ip", "family", "port",
		"connect/ok", "connect/ms", "result/stage", "result/failure",
		"result/detail", "duration_ms", "smtp/banner",
		"smtp/banner_code", "smtp/ehlo", "smtp/helo_fallback",
		"smtp/capabilities", "smtp/starttls", "smtp/starttls_mangled",
		"smtp/mangled_token", "smtp/starttls_code",
		"smtp/starttls_reply", "smtp/starttls_leftover",
		"smtp/capabilities_tls", "tls", "transcript" };
	size_t s, i, m, a;
	json_t *j, *mx, *addrs;

	(void)state;
	for (s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		struct domain_result *r = scenarios[s].build();

		j = to_json(r, REPORT_JSON_TRANSCRIPT, NULL);
		for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			if (jget(j, top[i]) == NULL)
				fail_msg("%s: %s missing", scenarios[s].name,
				    top[i]);
		mx = jget(j, "mx");
		for (m = 0; m < json_array_size(mx); m++) {
			addrs = jget(json_array_get(mx, m), "addresses");
			assert_true(json_is_array(addrs));
			for (a = 0; a < json_array_size(addrs); a++)
				for (i = 0; i < sizeof(addr) / sizeof(addr[0]);
				     i++)
					if (jget(json_array_get(addrs, a),
					        addr[i]) == NULL)
						fail_msg("%s: mx %zu address "
						         "%zu: %s missing",
						    scenarios[s].name, m, a,
						    addr[i]);
		}
		json_decref(j);
		domain_result_free(r);
	}
}

/* ---- text ---- */

static void
test_text_good(void **state)
{
	struct domain_result *r = scenario_good();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "good.test  OK  1 MX, 1 address, DNSSEC secure");
	expect_has(t, "\n  10 mx.good.test\n");
	expect_has(t,
	    "127.0.0.10  STARTTLS yes  TLSv1.3 "
	    "TLS_AES_256_GCM_SHA384  cert trusted, name ok, "
	    "expires in 33 days\n");
	expect_lacks(t, "\033");
	expect_lacks(t, "!");
	expect_tty_safe(t, false);
	free(t);
	domain_result_free(r);
}

static void
test_text_nostarttls(void **state)
{
	struct domain_result *r = scenario_nostarttls();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "nostarttls.test  FAIL");
	expect_has(t, "127.0.0.11  STARTTLS no\n");
	expect_has(t,
	    "  ! error   starttls-missing  mx.nostarttls.test "
	    "127.0.0.11: the server does not offer STARTTLS\n");
	free(t);
	domain_result_free(r);
}

static void
test_text_nullmx(void **state)
{
	struct domain_result *r = scenario_nullmx();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "nullmx.test  OK  accepts no mail (null MX)");
	expect_has(t, "  - info    mx-null  the domain publishes a null MX");
	free(t);
	domain_result_free(r);
}

static void
test_text_nxdomain(void **state)
{
	struct domain_result *r = scenario_nxdomain();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t,
	    "nx.test  FAIL  MX lookup failed: nxdomain (rcode 3): "
	    "no such domain");
	free(t);
	domain_result_free(r);
}

static void
test_text_implicit(void **state)
{
	struct domain_result *r = scenario_implicit();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "implicit.test  WARN  no MX records, implicit MX");
	expect_has(t, "\n  - implicit.test (implicit MX)\n");
	expect_has(t, "  ! warning mx-implicit  no MX records");
	free(t);
	domain_result_free(r);
}

static void
test_text_ipv6(void **state)
{
	struct domain_result *r = scenario_ipv6();
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "v6.test  FAIL  3 MX, 2 addresses");
	expect_has(t, "[2001:db8::25]:2525  STARTTLS yes  TLSv1.3");
	expect_has(t,
	    "cert untrusted (self-signed certificate in certificate "
	    "chain), name mismatch, EXPIRED 27 days ago\n");
	expect_has(t,
	    "127.0.0.13  connect failed: refused (Connection "
	    "refused)\n");
	expect_has(t,
	    "  30 nowhere.v6.test  no address (A nxdomain (rcode 3),"
	    " AAAA nxdomain (rcode 3))\n");
	free(t);
	domain_result_free(r);
}

static void
test_text_transcript(void **state)
{
	struct domain_result *r = scenario_transcript();
	char *t = to_text(r, REPORT_TEXT_TRANSCRIPT), *plain;

	(void)state;
	expect_has(t, "  [0.004] S: 220 mx.good.test ESMTP Postfix\n");
	expect_has(t, "  [0.005] C: EHLO mxaudit.test\n");
	expect_has(t, "  [0.000] *: connected to 127.0.0.10:25\n");
	/* the transcript follows its address line */
	assert_true(strstr(t, "STARTTLS yes") < strstr(t, "[0.004] S:"));
	plain = to_text(r, 0);
	expect_lacks(plain, "[0.004]");
	free(plain);
	free(t);
	domain_result_free(r);
}

static void
test_text_hostile(void **state)
{
	struct domain_result *r = scenario_hostile();
	char *t = to_text(r, REPORT_TEXT_TRANSCRIPT);

	(void)state;
	expect_tty_safe(t, false);
	expect_has(t, "\\x1B[2J\\x1B]0;pwned\\x07 \\x9B31m");
	expect_has(t, "C1:\\xC2\\x9B bidi:\\xE2\\x80\\xAE ");
	expect_has(t,
	    "bad:\\xFF\\xFE\\xC3( over:\\xC0\\xAF "
	    "sur:\\xED\\xA0\\x80 ok:\xc3\xa9 end\\");
	expect_has(t, "<script>alert(1)</script>");
	expect_has(t, "STARTTLS no (mangled: XXXX\\x1B[31mA)");
	expect_has(t, "stopped at quit: protocol (220 \"quoted\"");
	expect_has(t, "  [0.005] *: odd direction\n");
	expect_has(t,
	    "  ! error   starttls-missing  mx.hostile.test "
	    "127.0.0.14: banner was: 220 \"quoted\"");
	free(t);

	/* colour adds only our own SGR sequences */
	t = to_text(r, REPORT_TEXT_TRANSCRIPT | REPORT_TEXT_COLOR);
	expect_tty_safe(t, true);
	expect_has(t, "\033[1;31mFAIL\033[0m");
	free(t);
	domain_result_free(r);
}

static void
test_text_color(void **state)
{
	struct domain_result *r = scenario_good();
	char *t = to_text(r, REPORT_TEXT_COLOR);

	(void)state;
	expect_has(t, "good.test  \033[1;32mOK\033[0m  ");
	free(t);
	domain_result_free(r);
	r = scenario_implicit();
	t = to_text(r, REPORT_TEXT_COLOR);
	expect_has(t, "\033[1;33mWARN\033[0m");
	expect_has(t, "  ! \033[1;33mwarning\033[0m mx-implicit");
	free(t);
	domain_result_free(r);
}

static void
test_text_timeout_bogus(void **state)
{
	struct domain_result *r = scenario_timeout();
	struct addr_facts *f;
	char *t = to_text(r, 0);

	(void)state;
	expect_has(t, "slow.test  FAIL  1 MX, 1 address, timed out, 123 ms\n");
	expect_has(t, "127.0.0.15  not probed\n");
	free(t);
	domain_result_free(r);

	r = scenario_nostarttls();
	f = r->mx[0].addrs[0].facts;
	f->fail_stage = SMTP_STAGE_BANNER;
	f->fail = SMTP_FAIL_TIMEOUT;
	t = to_text(r, 0);
	expect_has(t,
	    "127.0.0.11  STARTTLS unknown  stopped at banner: "
	    "timeout\n");
	free(t);
	domain_result_free(r);

	r = scenario_bogus();
	t = to_text(r, 0);
	expect_has(t, "DNSSEC bogus: signature expired");
	expect_has(t, "STARTTLS yes  TLS failed: wrong version number\n");
	expect_lacks(t, "stopped at");
	free(t);
	domain_result_free(r);
}

static void
test_text_summary(void **state)
{
	struct report_text_summary s = { 0 };
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct domain_result *r = scenarios[i].build();

		report_text_summary_add(&s, r);
		domain_result_free(r);
	}
	/* ok: good nullmx transcript; warn: implicit; the rest fail */
	assert_int_equal(s.domains, 10);
	assert_int_equal(s.ok, 3);
	assert_int_equal(s.warnings, 1);
	assert_int_equal(s.errors, 6);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	report_text_summary(f, &s, 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(
	    text, "10 domains, 3 ok, 1 with warnings, 6 with errors\n");
	free(text);
}

/* ---- the schema ---- */

/* test_schema_scenarios - every scenario, pretty and compact, is valid */
static void
test_schema_scenarios(void **state)
{
	static const unsigned flags[] = { 0, REPORT_JSON_TRANSCRIPT,
		REPORT_JSON_COMPACT | REPORT_JSON_TRANSCRIPT };
	size_t s, i;
	char *path;
	FILE *f;
	int rc;

	(void)state;
	need_validator();
	path = temp_file("test_report", &f);
	for (s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		struct domain_result *r = scenarios[s].build();

		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			assert_int_equal(
			    report_json_write_at(f, r, flags[i], NOW), 0);
		domain_result_free(r);
	}
	assert_int_equal(fclose(f), 0);
	rc = validate(path);
	unlink(path);
	free(path);
	assert_int_equal(rc, 0);
}

/* test_schema_example - tests/data/scan-example.json stays valid */
static void
test_schema_example(void **state)
{
	char dir[1024], *path;
	int rc;

	(void)state;
	need_validator();
	srcdir(dir, sizeof(dir));
	path = xasprintf("%s/tests/data/scan-example.json", dir);
	rc = validate(path);
	free(path);
	assert_int_equal(rc, 0);
}

/* test_schema_rejects - the validator is not a rubber stamp */
static void
test_schema_rejects(void **state)
{
	static const char *const bad[] = {
		"{\"domain\": \"x.test\"}",
		"not json",
		"",
	};
	static const int want[] = { 1, 2, 2 };
	struct domain_result *r = scenario_nostarttls();
	json_t *j;
	char *path;
	size_t i;
	FILE *f;
	int rc;

	(void)state;
	need_validator();
	/* a finding id that breaks the pattern, after a valid document */
	path = temp_file("test_report", &f);
	assert_int_equal(report_json_write_at(f, r, 0, NOW), 0);
	j = report_json_domain_at(r, REPORT_JSON_COMPACT, NOW);
	json_object_set_new(json_array_get(json_object_get(j, "findings"), 0),
	    "id", json_string("StartTLS_missing"));
	assert_int_equal(json_dumpf(j, f, JSON_COMPACT), 0);
	json_decref(j);
	assert_int_equal(fclose(f), 0);
	rc = validate(path);
	unlink(path);
	free(path);
	assert_int_equal(rc, 1);
	domain_result_free(r);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = temp_file("test_report", &f);
		fputs(bad[i], f);
		assert_int_equal(fclose(f), 0);
		rc = validate(path);
		unlink(path);
		free(path);
		assert_int_equal(rc, want[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_good),
		cmocka_unit_test(test_json_key_order),
		cmocka_unit_test(test_json_compact),
		cmocka_unit_test(test_json_nostarttls),
		cmocka_unit_test(test_json_nullmx),
		cmocka_unit_test(test_json_nxdomain),
		cmocka_unit_test(test_json_implicit),
		cmocka_unit_test(test_json_ipv6),
		cmocka_unit_test(test_json_transcript),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_json_timeout),
		cmocka_unit_test(test_json_bogus),
		cmocka_unit_test(test_json_cert_times),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_every_scenario),
		cmocka_unit_test(test_text_good),
		cmocka_unit_test(test_text_nostarttls),
		cmocka_unit_test(test_text_nullmx),
		cmocka_unit_test(test_text_nxdomain),
		cmocka_unit_test(test_text_implicit),
		cmocka_unit_test(test_text_ipv6),
		cmocka_unit_test(test_text_transcript),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_color),
		cmocka_unit_test(test_text_timeout_bogus),
		cmocka_unit_test(test_text_summary),
		cmocka_unit_test(test_schema_scenarios),
		cmocka_unit_test(test_schema_example),
		cmocka_unit_test(test_schema_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
