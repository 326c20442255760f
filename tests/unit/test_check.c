/* SPDX-License-Identifier: ISC */
/*
 * test_check - findings derived from hand-built result trees: the paths the
 * lab cannot easily reach (DNS failures, unroutable IPv6, certificates near
 * expiry or not yet valid, legacy TLS, HELO fallback, unfinished probes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>

#include "check/check.h"
#include "util/xalloc.h"

#define NOW ((time_t)1800000000)
#define DAY 86400

static bool
has(const struct domain_result *r, const char *id, enum finding_severity sev)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0 &&
		    r->findings[i].severity == sev)
			return true;
	return false;
}

/* one MX, one address, a finished conversation that offered STARTTLS */
static struct domain_result *
one_mx(struct addr_facts **out)
{
	struct domain_result *r = domain_result_new("example.test");
	struct addr_facts *f;

	r->mx_answer.status = DNS_STATUS_OK;
	r->mx_source = MX_SOURCE_MX;
	r->mx = xcalloc(1, sizeof(*r->mx));
	r->nmx = 1;
	r->mx[0].host = xstrdup("mx.example.test");
	r->mx[0].preference = 10;
	r->mx[0].a.status = DNS_STATUS_OK;
	r->mx[0].aaaa.status = DNS_STATUS_NODATA;
	f = addr_facts_new("192.0.2.1", 4, 25, "mx.example.test");
	f->done = true;
	f->banner_code = 220;
	f->ehlo_ok = true;
	f->starttls_offered = true;
	f->starttls_code = 220;
	r->mx[0].addrs = xcalloc(1, sizeof(*r->mx[0].addrs));
	r->mx[0].addrs[0].facts = f;
	r->mx[0].naddrs = 1;
	*out = f;
	return r;
}

/* a completed handshake with a trusted, matching leaf valid for days */
static void
good_tls(struct addr_facts *f, long days)
{
	f->tls.attempted = true;
	f->tls.ok = true;
	f->tls.version = xstrdup("TLSv1.3");
	f->tls.trusted = true;
	f->tls.name_match = true;
	f->tls.chain = xcalloc(1, sizeof(*f->tls.chain));
	f->tls.nchain = 1;
	f->tls.chain[0].not_before = NOW - 10 * DAY;
	f->tls.chain[0].not_after = NOW + days * DAY;
}

static void
test_good_is_silent(void **state)
{
	struct addr_facts *f;
	struct domain_result *r = one_mx(&f);

	(void)state;
	good_tls(f, 90);
	check_domain(r, NOW);
	assert_int_equal(r->nfindings, 0);
	assert_int_equal(domain_result_worst(r), -1);
	domain_result_free(r);
}

static void
test_cert_dates(void **state)
{
	struct addr_facts *f;
	struct domain_result *r = one_mx(&f);

	(void)state;
	good_tls(f, 5);
	check_domain(r, NOW);
	assert_true(has(r, "cert-expires-soon", SEVERITY_WARNING));
	assert_int_equal(r->nfindings, 1);
	domain_result_free(r);

	r = one_mx(&f);
	good_tls(f, 90);
	f->tls.chain[0].not_before = NOW + DAY;
	f->tls.trusted = false;
	f->tls.verify_code = X509_V_ERR_CERT_NOT_YET_VALID;
	check_domain(r, NOW);
	assert_true(has(r, "cert-not-yet-valid", SEVERITY_ERROR));
	/* the same cause is not reported twice */
	assert_false(has(r, "cert-untrusted", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_cert_untrusted_reason(void **state)
{
	struct addr_facts *f;
	struct domain_result *r = one_mx(&f);

	(void)state;
	good_tls(f, 90);
	f->tls.trusted = false;
	f->tls.verify_code = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	f->tls.verify_error = xstrdup("unable to get local issuer certificate");
	f->tls.name_match = false;
	check_domain(r, NOW);
	assert_true(has(r, "cert-untrusted", SEVERITY_ERROR));
	assert_true(has(r, "cert-name-mismatch", SEVERITY_ERROR));
	assert_non_null(strstr(r->findings[0].message, "local issuer"));
	domain_result_free(r);
}

static void
test_legacy_tls_and_helo(void **state)
{
	struct addr_facts *f;
	struct domain_result *r = one_mx(&f);

	(void)state;
	good_tls(f, 90);
	free(f->tls.version);
	f->tls.version = xstrdup("TLSv1");
	check_domain(r, NOW);
	assert_true(has(r, "tls-legacy-version", SEVERITY_WARNING));
	domain_result_free(r);

	r = one_mx(&f);
	f->ehlo_ok = false;
	f->helo_fallback = true;
	f->starttls_offered = false;
	f->starttls_code = 0;
	check_domain(r, NOW);
	assert_true(has(r, "smtp-ehlo-rejected", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_connect_failures(void **state)
{
	struct addr_facts *f;
	struct domain_result *r = one_mx(&f);

	(void)state;
	f->fail_stage = SMTP_STAGE_CONNECT;
	f->fail = SMTP_FAIL_UNREACHABLE;
	f->family = 6;
	check_domain(r, NOW);
	assert_true(has(r, "smtp-ipv6-unreachable", SEVERITY_WARNING));
	assert_int_equal(r->nfindings, 1);
	domain_result_free(r);

	r = one_mx(&f);
	f->fail_stage = SMTP_STAGE_CONNECT;
	f->fail = SMTP_FAIL_UNREACHABLE;
	check_domain(r, NOW);
	assert_true(has(r, "smtp-connect-failed", SEVERITY_ERROR));
	domain_result_free(r);

	r = one_mx(&f);
	f->fail_stage = SMTP_STAGE_CONNECT;
	f->fail = SMTP_FAIL_TIMEOUT;
	check_domain(r, NOW);
	assert_true(has(r, "smtp-connect-timeout", SEVERITY_ERROR));
	domain_result_free(r);

	r = one_mx(&f);
	f->done = false;
	check_domain(r, NOW);
	assert_true(has(r, "smtp-not-tested", SEVERITY_ERROR));
	domain_result_free(r);

	r = one_mx(&f);
	f->fail_stage = SMTP_STAGE_EHLO_TLS;
	f->fail = SMTP_FAIL_TIMEOUT;
	good_tls(f, 90);
	check_domain(r, NOW);
	assert_true(has(r, "smtp-timeout", SEVERITY_ERROR));
	assert_int_equal(r->nfindings, 1);
	domain_result_free(r);
}

static void
test_dns_outcomes(void **state)
{
	static const struct {
		enum dns_status status;
		const char *id;
	} cases[] = {
		{ DNS_STATUS_SERVFAIL, "dns-servfail" },
		{ DNS_STATUS_TIMEOUT, "dns-timeout" },
		{ DNS_STATUS_REFUSED, "dns-refused" },
		{ DNS_STATUS_ERROR, "dns-error" },
		{ DNS_STATUS_NXDOMAIN, "dns-nxdomain" },
	};
	struct domain_result *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = domain_result_new("example.test");
		r->mx_answer.status = cases[i].status;
		check_domain(r, NOW);
		assert_true(has(r, cases[i].id, SEVERITY_ERROR));
		assert_int_equal(r->nfindings, 1);
		domain_result_free(r);
	}
	r = domain_result_new("example.test");
	r->mx_answer.status = DNS_STATUS_SERVFAIL;
	r->mx_answer.dnssec = DNSSEC_BOGUS;
	r->mx_answer.why_bogus = xstrdup("signature expired");
	check_domain(r, NOW);
	assert_true(has(r, "dnssec-bogus", SEVERITY_ERROR));
	assert_int_equal(r->nfindings, 1);
	assert_non_null(strstr(r->findings[0].message, "signature expired"));
	domain_result_free(r);
}

static void
test_implicit_without_address(void **state)
{
	struct domain_result *r = domain_result_new("example.test");

	(void)state;
	r->mx_answer.status = DNS_STATUS_NODATA;
	r->mx_source = MX_SOURCE_IMPLICIT;
	r->mx = xcalloc(1, sizeof(*r->mx));
	r->nmx = 1;
	r->mx[0].host = xstrdup("example.test");
	r->mx[0].preference = -1;
	r->mx[0].a.status = DNS_STATUS_NODATA;
	r->mx[0].aaaa.status = DNS_STATUS_NODATA;
	check_domain(r, NOW);
	assert_true(has(r, "mx-implicit", SEVERITY_WARNING));
	assert_true(has(r, "mx-none", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_facts_clear_keeps_identity(void **state)
{
	struct addr_facts *f = addr_facts_new("192.0.2.1", 4, 465, "mx.test");

	(void)state;
	/* a 421 retry starts over, on the same endpoint and the same terms */
	f->implicit_tls = true;
	f->attempts = 1;
	f->banner_code = 421;
	f->banner = xstrdup("421 busy");
	f->tls.version = xstrdup("TLSv1.3");
	addr_facts_clear(f);
	assert_true(f->implicit_tls);
	assert_int_equal(f->attempts, 1);
	assert_int_equal(f->port, 465);
	assert_string_equal(f->sni, "mx.test");
	assert_int_equal(f->banner_code, 0);
	assert_null(f->banner);
	assert_null(f->tls.version);
	assert_int_equal(f->probes.proto[TLS_PROTO_SSL2], -1);
	addr_facts_unref(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_is_silent),
		cmocka_unit_test(test_cert_dates),
		cmocka_unit_test(test_cert_untrusted_reason),
		cmocka_unit_test(test_legacy_tls_and_helo),
		cmocka_unit_test(test_connect_failures),
		cmocka_unit_test(test_dns_outcomes),
		cmocka_unit_test(test_implicit_without_address),
		cmocka_unit_test(test_facts_clear_keeps_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
