/* SPDX-License-Identifier: ISC */
/*
 * test_web - pshtt's conclusions, the BOD 18-01 web verdict, the web-*
 * findings, the "web" JSON and pshtt's CSV row, from web facts built by
 * hand for every case the lab has (no HTTPS, HTTPS without redirect,
 * http -> https -> www, short HSTS, HSTS ready to preload, invalid
 * certificates, www only, downgrade, a redirect to another domain, a
 * preloaded parent) and a few it cannot play (client certificates, weak
 * crypto on 443, nothing live). Every scenario's JSON is validated
 * against docs/scan-result.schema.json when python3 with jsonschema is
 * there.
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

#include "check/check.h"
#include "report/csv_pshtt.h"
#include "report/json.h"
#include "report/json_int.h"
#include "util/xalloc.h"

#include "schemafix.h"

#define YEAR "31536000"

/* ---- building web facts ---- */

/* web_new - a domain whose four endpoints were asked and got nothing */
static struct domain_result *
web_new(const char *domain)
{
	struct domain_result *r = domain_result_new(domain);
	struct web_endpoint *e;
	int i;

	r->web.ran = true;
	for (i = 0; i < WEB_EP_MAX; i++) {
		e = &r->web.ep[i];
		e->https = i == WEB_EP_HTTPS_ROOT || i == WEB_EP_HTTPS_WWW;
		e->www = i == WEB_EP_HTTP_WWW || i == WEB_EP_HTTPS_WWW;
		e->url = xasprintf("%s://%s%s/", e->https ? "https" : "http",
		    e->www ? "www." : "", domain);
		e->asked = true;
		e->error = "connect";
		e->error_detail = xstrdup("connection refused");
	}
	return r;
}

/* web_base - the base domain, as the records side would have found it */
static void
web_base(struct domain_result *r, const char *base)
{
	r->records.ran = true;
	(void)snprintf(r->records.dmarc[DMARC_RFC7489].org_domain,
	    sizeof(r->records.dmarc[DMARC_RFC7489].org_domain), "%s", base);
}

/* web_nohost - the endpoint's host has no address */
static void
web_nohost(struct domain_result *r, enum web_ep i)
{
	struct web_endpoint *e = &r->web.ep[i];

	e->asked = false;
	e->error = "dns";
	free(e->error_detail);
	e->error_detail = NULL;
}

/*
 * web_answer - the endpoint answers status (a redirect to location when
 * not NULL, which ends at eventual with status 200); https endpoints get
 * a good certificate
 */
static struct web_endpoint *
web_answer(struct domain_result *r, enum web_ep i, int status,
    const char *location, const char *eventual)
{
	struct web_endpoint *e = &r->web.ep[i];

	e->live = true;
	e->error = NULL;
	free(e->error_detail);
	e->error_detail = NULL;
	e->status = status;
	e->ip = xstrdup(e->www ? "192.0.2.2" : "192.0.2.1");
	e->server = xstrdup("nginx/1.22.1, test");
	e->hops[0].url = xstrdup(e->url);
	e->hops[0].status = status;
	e->nhops = 1;
	if (location != NULL) {
		e->redirect_to = xstrdup(location);
		e->hops[0].location = xstrdup(location);
		e->hops[1].url = xstrdup(eventual);
		e->hops[1].status = 200;
		e->nhops = 2;
		e->eventual = xstrdup(eventual);
		e->eventual_status = 200;
	}
	if (e->https) {
		e->tls_handshake = true;
		e->cert_valid = true;
		e->chain_len = 2;
	}
	return e;
}

static void
web_hsts(struct domain_result *r, enum web_ep i, const char *value)
{
	struct web_endpoint *e = &r->web.ep[i];

	e->hsts = xstrdup(value);
	e->nhsts = 1;
}

/* ---- looking at the outcome ---- */

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

static size_t
count(const struct domain_result *r, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			n++;
	return n;
}

/* failures - the BOD failure ids joined with "," */
static char *
failures(const struct domain_result *r)
{
	const struct web_verdicts *v = &r->web_verdicts;
	char buf[256] = "";
	size_t i, n = 0;

	for (i = 0; i < v->nfailures; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i > 0 ? "," : "", v->failures[i]);
	return xstrdup(buf);
}

static void
assert_failures(const struct domain_result *r, const char *want)
{
	char *got = failures(r);

	assert_string_equal(got, want);
	free(got);
}

/* csv_row - the domain's pshtt row, without its CRLF */
static char *
csv_row(const struct domain_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_csv_pshtt_domain(f, r), 0);
	assert_int_equal(fclose(f), 0);
	assert_true(len >= 2 && strcmp(text + len - 2, "\r\n") == 0);
	text[len - 2] = '\0';
	return text;
}

/* csv_cell - cell n (0-based) of a row, quotes removed */
static char *
csv_cell(const char *row, int n)
{
	char out[1024];
	size_t k = 0;
	bool quoted = false;
	int col = 0;

	for (; *row != '\0'; row++) {
		if (quoted) {
			if (*row == '"' && row[1] == '"')
				row++;
			else if (*row == '"') {
				quoted = false;
				continue;
			}
		} else if (*row == '"') {
			quoted = true;
			continue;
		} else if (*row == ',') {
			col++;
			continue;
		}
		if (col == n && k + 1 < sizeof(out))
			out[k++] = *row;
	}
	out[k] = '\0';
	assert_int_equal(col, REPORT_CSV_PSHTT_COLUMNS - 1);
	return xstrdup(out);
}

static void
assert_cell(const char *row, int n, const char *want)
{
	char *got = csv_cell(row, n);

	if (strcmp(got, want) != 0)
		fail_msg(
		    "column %d: got \"%s\", want \"%s\"", n + 1, got, want);
	free(got);
}

/* json_get - a key of the "web" object */
static json_t *
web_json(const struct domain_result *r)
{
	json_t *o = report_json_web(r);

	assert_true(json_is_object(o));
	return o;
}

/* ---- the scenarios (the lab's, plus what it cannot play) ---- */

/* no HTTPS at all: both HTTP endpoints serve pages */
static struct domain_result *
scenario_no_https(void)
{
	struct domain_result *r = web_new("nohttps.test");

	web_base(r, "nohttps.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 200, NULL, NULL);
	web_answer(r, WEB_EP_HTTP_WWW, 200, NULL, NULL);
	return r;
}

/* HTTPS beside HTTP, no redirect, no HSTS; no www */
static struct domain_result *
scenario_https_no_redirect(void)
{
	struct domain_result *r = web_new("noredirect.test");

	web_answer(r, WEB_EP_HTTP_ROOT, 200, NULL, NULL);
	web_answer(r, WEB_EP_HTTPS_ROOT, 200, NULL, NULL);
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* http://d -> https://d -> https://www.d, HSTS on www */
static struct domain_result *
scenario_chain_www(void)
{
	struct domain_result *r = web_new("chain.test");

	web_base(r, "chain.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://chain.test/",
	    "https://www.chain.test/");
	web_answer(r, WEB_EP_HTTPS_ROOT, 301, "https://www.chain.test/",
	    "https://www.chain.test/");
	web_answer(r, WEB_EP_HTTP_WWW, 301, "https://www.chain.test/",
	    "https://www.chain.test/");
	web_answer(r, WEB_EP_HTTPS_WWW, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_WWW, "max-age=" YEAR "; includeSubDomains");
	/* hop 2 of http://chain.test/ */
	free(r->web.ep[WEB_EP_HTTP_ROOT].hops[1].url);
	r->web.ep[WEB_EP_HTTP_ROOT].hops[1].url =
	    xstrdup("https://chain.test/");
	r->web.ep[WEB_EP_HTTP_ROOT].hops[1].status = 301;
	r->web.ep[WEB_EP_HTTP_ROOT].hops[1].location =
	    xstrdup("https://www.chain.test/");
	r->web.ep[WEB_EP_HTTP_ROOT].hops[2].url =
	    xstrdup("https://www.chain.test/");
	r->web.ep[WEB_EP_HTTP_ROOT].hops[2].status = 200;
	r->web.ep[WEB_EP_HTTP_ROOT].nhops = 3;
	return r;
}

/* http -> https on the same host; HSTS of a day */
static struct domain_result *
scenario_hsts_short(void)
{
	struct domain_result *r = web_new("hstsshort.test");

	web_base(r, "hstsshort.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://hstsshort.test/",
	    "https://hstsshort.test/");
	web_answer(r, WEB_EP_HTTPS_ROOT, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_ROOT, "max-age=86400");
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* everything right: two years, includeSubDomains, preload; www too */
static struct domain_result *
scenario_hsts_preload(void)
{
	struct domain_result *r = web_new("preload.test");

	web_base(r, "preload.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://preload.test/",
	    "https://preload.test/");
	web_answer(r, WEB_EP_HTTPS_ROOT, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_ROOT,
	    "max-age=63072000; includeSubDomains; preload");
	web_answer(r, WEB_EP_HTTP_WWW, 301, "https://www.preload.test/",
	    "https://www.preload.test/");
	web_answer(r, WEB_EP_HTTPS_WWW, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_WWW,
	    "max-age=63072000; includeSubDomains; preload");
	r->web.preload_list = true;
	return r;
}

/* http -> https, strong HSTS, but a self-signed, expired certificate */
static struct domain_result *
scenario_bad_cert(void)
{
	struct domain_result *r = web_new("badcert.test");
	struct web_endpoint *e;

	web_base(r, "badcert.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://badcert.test/",
	    "https://badcert.test/");
	e = web_answer(r, WEB_EP_HTTPS_ROOT, 200, NULL, NULL);
	e->cert_valid = false;
	e->self_signed = true;
	e->expired = true;
	e->chain_len = 1;
	e->verify_code = 18;
	e->verify_error = xstrdup("self-signed certificate");
	web_hsts(r, WEB_EP_HTTPS_ROOT, "max-age=" YEAR);
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* the same with an unknown issuer: pshtt still calls it "supported" */
static struct domain_result *
scenario_bad_chain(void)
{
	struct domain_result *r = scenario_bad_cert();
	struct web_endpoint *e = &r->web.ep[WEB_EP_HTTPS_ROOT];

	e->self_signed = false;
	e->expired = false;
	e->bad_chain = true;
	e->verify_code = 20;
	free(e->verify_error);
	e->verify_error = xstrdup("unable to get local issuer certificate");
	return r;
}

/* the root has no address; www serves HTTPS */
static struct domain_result *
scenario_www_only(void)
{
	struct domain_result *r = web_new("wwwonly.test");

	web_base(r, "wwwonly.test");
	web_nohost(r, WEB_EP_HTTP_ROOT);
	web_nohost(r, WEB_EP_HTTPS_ROOT);
	web_answer(r, WEB_EP_HTTP_WWW, 301, "https://www.wwwonly.test/",
	    "https://www.wwwonly.test/");
	web_answer(r, WEB_EP_HTTPS_WWW, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_WWW, "max-age=" YEAR);
	return r;
}

/* https://d redirects back to http://d, which serves the page */
static struct domain_result *
scenario_downgrade(void)
{
	struct domain_result *r = web_new("downgrade.test");

	web_base(r, "downgrade.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 200, NULL, NULL);
	web_answer(r, WEB_EP_HTTPS_ROOT, 302, "http://downgrade.test/",
	    "http://downgrade.test/");
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* everything goes to https://other.example/ */
static struct domain_result *
scenario_elsewhere(void)
{
	struct domain_result *r = web_new("moved.test");

	web_base(r, "moved.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://other.example/",
	    "https://other.example/");
	web_answer(r, WEB_EP_HTTPS_ROOT, 301, "https://other.example/",
	    "https://other.example/");
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* a subdomain of a preloaded base domain, serving HTTP only */
static struct domain_result *
scenario_preloaded_parent(void)
{
	struct domain_result *r = web_new("sub.preloaded.test");

	web_base(r, "preloaded.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 200, NULL, NULL);
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	r->web.preload_list = true;
	r->web.preloaded = true;
	r->web.preloaded_via_parent = true;
	r->web.base_preloaded = true;
	return r;
}

/* HTTPS stops at a client certificate request; http -> https */
static struct domain_result *
scenario_client_auth(void)
{
	struct domain_result *r = web_new("clientauth.test");
	struct web_endpoint *e = &r->web.ep[WEB_EP_HTTPS_ROOT];

	web_base(r, "clientauth.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 301, "https://clientauth.test/",
	    "https://clientauth.test/");
	r->web.ep[WEB_EP_HTTP_ROOT].eventual_status = 0; /* chain broke */
	e->client_auth_required = true;
	e->error = "tls";
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* the chain case, but port 443 accepts SSLv3 and 3DES */
static struct domain_result *
scenario_weak(void)
{
	struct domain_result *r = scenario_chain_www();
	struct addr_facts *f =
	    addr_facts_new("192.0.2.2", 4, 443, "www.chain.test");

	tls_probe_info_init(&f->probes);
	f->probes.ran = true;
	f->probes.proto[TLS_PROTO_SSL3] = 1;
	f->probes.proto[TLS_PROTO_SSL2] = 0;
	f->probes.weak[TLS_WEAK_3DES] = 1;
	f->probes.weak[TLS_WEAK_RC4] = 0;
	r->web.tls443 = f;
	return r;
}

/* two headers, the first one invalid (a repeated directive) */
static struct domain_result *
scenario_hsts_invalid(void)
{
	struct domain_result *r = scenario_hsts_short();
	struct web_endpoint *e = &r->web.ep[WEB_EP_HTTPS_ROOT];

	free(e->hsts);
	e->hsts = xstrdup("max-age=" YEAR "; max-age=1");
	e->nhsts = 2;
	return r;
}

/* http goes to HTTPS through another domain and comes back */
static struct domain_result *
scenario_detour(void)
{
	struct domain_result *r = web_new("detour.test");

	web_base(r, "detour.test");
	web_answer(r, WEB_EP_HTTP_ROOT, 302,
	    "https://sso.other.example/?back=detour.test",
	    "https://detour.test/");
	web_answer(r, WEB_EP_HTTPS_ROOT, 200, NULL, NULL);
	web_hsts(r, WEB_EP_HTTPS_ROOT, "max-age=" YEAR);
	web_nohost(r, WEB_EP_HTTP_WWW);
	web_nohost(r, WEB_EP_HTTPS_WWW);
	return r;
}

/* nothing answers */
static struct domain_result *
scenario_dead(void)
{
	return web_new("dead.test");
}

static const struct scenario {
	const char *name;
	struct domain_result *(*build)(void);
} scenarios[] = {
	{ "no-https", scenario_no_https },
	{ "https-no-redirect", scenario_https_no_redirect },
	{ "chain-www", scenario_chain_www },
	{ "hsts-short", scenario_hsts_short },
	{ "hsts-preload", scenario_hsts_preload },
	{ "bad-cert", scenario_bad_cert },
	{ "bad-chain", scenario_bad_chain },
	{ "www-only", scenario_www_only },
	{ "downgrade", scenario_downgrade },
	{ "elsewhere", scenario_elsewhere },
	{ "preloaded-parent", scenario_preloaded_parent },
	{ "client-auth", scenario_client_auth },
	{ "weak", scenario_weak },
	{ "hsts-invalid", scenario_hsts_invalid },
	{ "detour", scenario_detour },
	{ "dead", scenario_dead },
};

/* checked - the scenario after check_web */
static struct domain_result *
checked(struct domain_result *(*build)(void))
{
	struct domain_result *r = build();

	check_web(r);
	return r;
}

/* ---- the tests ---- */

static void
test_not_ran(void **state)
{
	struct domain_result *r = domain_result_new("example.test");
	json_t *j;
	char *row;

	(void)state;
	check_web(r);
	assert_int_equal(r->web_verdicts.bod1801, -1);
	assert_int_equal(r->web_verdicts.strong_hsts, -1);
	assert_int_equal(r->web_verdicts.hsts_max_age, -1);
	assert_int_equal(r->nfindings, 0);
	j = report_json_web(r);
	assert_true(json_is_null(j));
	json_decref(j);
	j = report_json_bod1801_web(r);
	assert_true(json_is_null(j));
	json_decref(j);
	row = csv_row(r);
	assert_string_equal(row,
	    "example.test,example.test,http://example.test,False,False,"
	    "False,False,False,,False,False,False,False,False,False,False,"
	    "False,False,False,False,,,,False,False,False,False,False,False,"
	    ",,,,,False,,False");
	free(row);
	domain_result_free(r);
}

static void
test_no_https(void **state)
{
	struct domain_result *r = checked(scenario_no_https);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_true(v->live);
	assert_int_equal(v->canonical, WEB_EP_HTTP_ROOT);
	assert_false(v->https_live);
	assert_false(v->valid_https);
	assert_false(v->defaults_https);
	assert_false(v->strictly_forces);
	assert_false(v->supports_https);
	assert_false(v->enforces_https);
	assert_false(v->hsts);
	assert_int_equal(v->strong_hsts, -1);
	assert_int_equal(v->bod1801, 0);
	assert_failures(r, "https,enforce-https,strong-hsts");
	assert_true(has(r, "web-https-missing", SEVERITY_ERROR));
	assert_true(has(r, "bod1801-web-noncompliant", SEVERITY_INFO));
	assert_int_equal(count(r, "web-http-not-redirected"), 0);
	assert_int_equal(r->nfindings, 2);
	row = csv_row(r);
	assert_string_equal(row,
	    "nohttps.test,nohttps.test,http://nohttps.test,True,False,False,"
	    "False,False,,False,False,False,False,False,False,False,False,"
	    "False,False,False,,,,False,False,False,False,False,False,,"
	    "192.0.2.1,nginx/1.22.1; test,,,False,,False");
	free(row);
	domain_result_free(r);
}

static void
test_https_no_redirect(void **state)
{
	struct domain_result *r = checked(scenario_https_no_redirect);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	/* http://d/ serves a page, so it stays the canonical URL */
	assert_int_equal(v->canonical, WEB_EP_HTTP_ROOT);
	assert_true(v->https_live);
	assert_true(v->https_full_connection);
	assert_true(v->valid_https);
	assert_true(v->supports_https);
	assert_false(v->defaults_https);
	assert_false(v->strictly_forces);
	assert_false(v->enforces_https);
	assert_false(v->hsts);
	assert_int_equal(v->strong_hsts, -1);
	assert_int_equal(v->bod1801, 0);
	assert_failures(r, "enforce-https,strong-hsts");
	assert_true(has(r, "web-http-not-redirected", SEVERITY_ERROR));
	assert_true(has(r, "web-hsts-missing", SEVERITY_ERROR));
	assert_false(has(r, "web-https-missing", SEVERITY_ERROR));
	/* no records: the base domain is the domain itself */
	row = csv_row(r);
	assert_cell(row, 1, "noredirect.test");
	assert_cell(row, 2, "http://noredirect.test");
	assert_cell(row, 9, "True");   /* Valid HTTPS */
	assert_cell(row, 10, "True");  /* Publicly Trusted */
	assert_cell(row, 11, "");      /* Custom Truststore: None */
	assert_cell(row, 19, "False"); /* HSTS */
	assert_cell(row, 22, "False"); /* Entire Domain: a full connection */
	assert_cell(row, 29, "False"); /* Strong HSTS: None -> False */
	assert_cell(row, 33, "2");     /* chain length */
	free(row);
	domain_result_free(r);
}

static void
test_chain_www(void **state)
{
	struct domain_result *r = checked(scenario_chain_www);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTPS_WWW);
	assert_true(v->valid_https);
	assert_true(v->defaults_https);
	assert_false(v->downgrades_https);
	assert_true(v->strictly_forces);
	assert_false(v->redirect);
	assert_true(v->supports_https);
	assert_true(v->enforces_https);
	assert_true(v->hsts);
	assert_int_equal(v->hsts_max_age, 31536000);
	/* includeSubDomains on www, not on the root */
	assert_false(v->hsts_entire_domain);
	assert_false(v->hsts_preload_ready);
	assert_int_equal(v->strong_hsts, 1);
	assert_int_equal(v->bod1801, 1);
	assert_int_equal(v->nfailures, 0);
	assert_int_equal(r->nfindings, 0);
	row = csv_row(r);
	assert_string_equal(row,
	    "chain.test,chain.test,https://www.chain.test,True,True,True,"
	    "False,False,,True,True,,True,False,True,False,False,False,"
	    "False,True,max-age=31536000; includeSubDomains,31536000,False,"
	    "False,False,False,False,True,True,True,192.0.2.2,"
	    "nginx/1.22.1; test,,2,False,,False");
	free(row);
	domain_result_free(r);
}

static void
test_hsts_short(void **state)
{
	struct domain_result *r = checked(scenario_hsts_short);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTPS_ROOT);
	assert_true(v->enforces_https);
	assert_true(v->hsts);
	assert_int_equal(v->hsts_max_age, 86400);
	assert_int_equal(v->strong_hsts, 0);
	assert_failures(r, "strong-hsts");
	assert_true(has(r, "web-hsts-short", SEVERITY_ERROR));
	assert_true(has(r, "web-hsts-no-subdomains", SEVERITY_WARNING));
	assert_true(has(r, "web-hsts-not-preload-ready", SEVERITY_INFO));
	assert_true(has(r, "bod1801-web-noncompliant", SEVERITY_INFO));
	assert_int_equal(r->nfindings, 4);
	row = csv_row(r);
	assert_cell(row, 20, "max-age=86400");
	assert_cell(row, 21, "86400");
	assert_cell(row, 29, "False");
	free(row);
	domain_result_free(r);
}

static void
test_hsts_preload(void **state)
{
	struct domain_result *r = checked(scenario_hsts_preload);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTPS_ROOT);
	assert_true(v->hsts_entire_domain);
	assert_true(v->hsts_preload_ready);
	assert_int_equal(v->strong_hsts, 1);
	assert_int_equal(v->bod1801, 1);
	/* ready by hstspreload.org's rules too: nothing to say */
	assert_int_equal(r->nfindings, 0);
	row = csv_row(r);
	assert_cell(row, 22, "True");  /* HSTS Entire Domain */
	assert_cell(row, 23, "True");  /* HSTS Preload Ready */
	assert_cell(row, 24, "False"); /* Pending: not consulted */
	assert_cell(row, 25, "False"); /* Preloaded: on a list, not there */
	free(row);
	domain_result_free(r);

	/* one redirect too many before HTTPS: no longer ready by the list */
	r = scenario_hsts_preload();
	free(r->web.ep[WEB_EP_HTTP_ROOT].redirect_to);
	r->web.ep[WEB_EP_HTTP_ROOT].redirect_to =
	    xstrdup("http://preload.test/index.html");
	check_web(r);
	assert_true(r->web_verdicts.hsts_preload_ready); /* pshtt's rule */
	assert_false(r->web_verdicts.strictly_forces);
	assert_true(has(r, "web-hsts-not-preload-ready", SEVERITY_INFO));
	assert_true(has(r, "web-http-not-redirected", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_bad_cert(void **state)
{
	struct domain_result *r = checked(scenario_bad_cert);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTPS_ROOT);
	assert_false(v->valid_https);
	assert_true(v->https_expired);
	assert_true(v->https_self_signed);
	assert_false(v->https_bad_chain);
	assert_false(v->supports_https);
	assert_false(v->enforces_https);
	assert_true(v->strictly_forces);
	assert_int_equal(v->strong_hsts, 1);
	assert_failures(r, "https,enforce-https");
	assert_true(has(r, "web-https-invalid-cert", SEVERITY_ERROR));
	assert_true(
	    strstr(r->findings[0].message, "expired, self-signed") != NULL);
	row = csv_row(r);
	assert_cell(row, 9, "False");  /* Valid HTTPS */
	assert_cell(row, 10, "False"); /* Publicly Trusted */
	assert_cell(row, 17, "True");  /* Expired */
	assert_cell(row, 18, "True");  /* Self Signed */
	assert_cell(row, 33, "1");
	assert_cell(row, 34, "False"); /* self-signed: no intermediate */
	free(row);
	domain_result_free(r);

	r = checked(scenario_bad_chain);
	v = &r->web_verdicts;
	assert_false(v->valid_https);
	assert_true(v->https_bad_chain);
	/* pshtt: a bad chain with a good name still "supports" HTTPS */
	assert_true(v->supports_https);
	assert_true(v->enforces_https);
	assert_int_equal(v->bod1801, 1);
	assert_true(has(r, "web-https-invalid-cert", SEVERITY_ERROR));
	row = csv_row(r);
	assert_cell(row, 15, "True"); /* Bad Chain */
	assert_cell(row, 34, "True"); /* Probably Missing Intermediate */
	free(row);
	domain_result_free(r);
}

static void
test_www_only(void **state)
{
	struct domain_result *r = checked(scenario_www_only);
	const struct web_verdicts *v = &r->web_verdicts;
	json_t *j;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTPS_WWW);
	assert_true(v->enforces_https);
	assert_int_equal(v->strong_hsts, 1);
	assert_int_equal(v->bod1801, 1);
	assert_false(v->hsts_entire_domain);
	assert_int_equal(r->nfindings, 0);
	j = web_json(r);
	assert_string_equal(
	    json_string_value(json_object_get(j, "canonical_url")),
	    "https://www.wwwonly.test/");
	assert_string_equal(
	    json_string_value(json_object_get(j, "ip")), "192.0.2.2");
	json_decref(j);
	domain_result_free(r);
}

static void
test_downgrade(void **state)
{
	struct domain_result *r = checked(scenario_downgrade);
	const struct web_verdicts *v = &r->web_verdicts;

	(void)state;
	assert_int_equal(v->canonical, WEB_EP_HTTP_ROOT);
	assert_true(v->downgrades_https);
	assert_true(v->valid_https);
	assert_false(v->supports_https);
	assert_failures(r, "https,enforce-https,strong-hsts");
	assert_true(has(r, "web-https-downgrades", SEVERITY_ERROR));
	assert_true(has(r, "web-http-not-redirected", SEVERITY_ERROR));
	/* the canonical HTTPS endpoint gave a (redirect) answer: no HSTS */
	assert_true(has(r, "web-hsts-missing", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_elsewhere(void **state)
{
	struct domain_result *r = checked(scenario_elsewhere);
	const struct web_verdicts *v = &r->web_verdicts;
	json_t *j;
	char *row;

	(void)state;
	assert_true(v->redirect);
	assert_int_equal(v->canonical, WEB_EP_HTTP_ROOT);
	assert_false(v->defaults_https);
	assert_true(v->strictly_forces);
	/* an HTTP redirect domain enforces HTTPS without defaulting to it */
	assert_true(v->supports_https);
	assert_true(v->enforces_https);
	assert_failures(r, "strong-hsts");
	assert_true(has(r, "web-redirects-elsewhere", SEVERITY_INFO));
	assert_true(strstr(r->findings[r->nfindings - 2].message,
	                "https://other.example/") != NULL ||
	    strstr(r->findings[r->nfindings - 1].message,
	        "https://other.example/") != NULL);
	j = web_json(r);
	assert_string_equal(
	    json_string_value(json_object_get(j, "redirect_to")),
	    "https://other.example/");
	json_decref(j);
	row = csv_row(r);
	assert_cell(row, 7, "True");
	assert_cell(row, 8, "https://other.example/");
	free(row);
	domain_result_free(r);

	/* a redirect to a sibling host of the base domain is not elsewhere */
	r = scenario_elsewhere();
	free(r->web.ep[WEB_EP_HTTP_ROOT].redirect_to);
	r->web.ep[WEB_EP_HTTP_ROOT].redirect_to =
	    xstrdup("https://Portal.Moved.Test:8443/x");
	free(r->web.ep[WEB_EP_HTTP_ROOT].eventual);
	r->web.ep[WEB_EP_HTTP_ROOT].eventual =
	    xstrdup("https://portal.moved.test:8443/x");
	check_web(r);
	assert_false(r->web_verdicts.redirect);
	assert_int_equal(r->web_verdicts.canonical, WEB_EP_HTTPS_ROOT);
	assert_false(has(r, "web-redirects-elsewhere", SEVERITY_INFO));
	domain_result_free(r);
}

static void
test_preloaded_parent(void **state)
{
	struct domain_result *r = checked(scenario_preloaded_parent);
	const struct web_verdicts *v = &r->web_verdicts;
	json_t *j, *b;
	char *row;

	(void)state;
	assert_false(v->supports_https);
	assert_false(v->enforces_https);
	assert_int_equal(v->strong_hsts, -1);
	/* CISA credited all three to a live domain under a preloaded base */
	assert_int_equal(v->bod1801, 1);
	assert_int_equal(v->nfailures, 0);
	assert_true(has(r, "web-https-missing", SEVERITY_ERROR));
	assert_false(has(r, "bod1801-web-noncompliant", SEVERITY_INFO));
	j = web_json(r);
	assert_true(json_is_false(json_object_get(j, "hsts_preloaded")));
	assert_true(
	    json_is_true(json_object_get(j, "hsts_preloaded_via_parent")));
	assert_true(
	    json_is_true(json_object_get(j, "base_domain_hsts_preloaded")));
	json_decref(j);
	b = report_json_bod1801_web(r);
	assert_true(json_is_true(json_object_get(b, "compliant")));
	assert_true(json_is_true(json_object_get(b, "base_domain_preloaded")));
	json_decref(b);
	row = csv_row(r);
	assert_cell(row, 1, "preloaded.test");
	assert_cell(row, 25, "False"); /* HSTS Preloaded: the name itself */
	assert_cell(row, 26, "True");  /* Base Domain HSTS Preloaded */
	free(row);
	domain_result_free(r);

	/* without the credit, weak crypto still fails */
	r = scenario_preloaded_parent();
	r->web.tls443 =
	    addr_facts_new("192.0.2.1", 4, 443, "sub.preloaded.test");
	tls_probe_info_init(&r->web.tls443->probes);
	r->web.tls443->probes.ran = true;
	r->web.tls443->probes.weak[TLS_WEAK_RC4] = 1;
	check_web(r);
	assert_int_equal(r->web_verdicts.bod1801, 0);
	assert_failures(r, "weak-crypto");
	domain_result_free(r);
}

static void
test_client_auth(void **state)
{
	struct domain_result *r = checked(scenario_client_auth);
	const struct web_verdicts *v = &r->web_verdicts;
	char *row;

	(void)state;
	assert_true(v->https_live);
	assert_false(v->https_full_connection);
	assert_true(v->https_client_auth);
	assert_int_equal(v->canonical, WEB_EP_HTTPS_ROOT);
	assert_true(v->valid_https);
	assert_true(v->enforces_https);
	assert_false(v->hsts);
	/* no HSTS can be seen: credited, as CISA did */
	assert_int_equal(v->bod1801, 1);
	assert_true(has(r, "web-https-client-auth", SEVERITY_INFO));
	assert_false(has(r, "web-hsts-missing", SEVERITY_ERROR));
	row = csv_row(r);
	assert_cell(row, 5, "False");  /* Full Connection */
	assert_cell(row, 10, "True");  /* Publicly Trusted: no flaw seen */
	assert_cell(row, 6, "True");   /* Client Auth Required */
	assert_cell(row, 19, "False"); /* HSTS */
	assert_cell(row, 22, "");      /* Entire Domain: None */
	assert_cell(row, 29, "");      /* Strong HSTS: None */
	free(row);
	domain_result_free(r);
}

static void
test_weak(void **state)
{
	struct domain_result *r = checked(scenario_weak);
	json_t *b, *w;

	(void)state;
	assert_true(r->web_verdicts.enforces_https);
	assert_int_equal(r->web_verdicts.bod1801, 0);
	assert_failures(r, "weak-crypto");
	assert_true(has(r, "web-weak-crypto", SEVERITY_ERROR));
	assert_true(has(r, "bod1801-web-noncompliant", SEVERITY_INFO));
	b = report_json_bod1801_web(r);
	assert_true(json_is_false(json_object_get(b, "compliant")));
	assert_true(json_is_true(json_object_get(b, "tls_probed")));
	w = json_object_get(b, "weak_crypto");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(json_string_value(json_array_get(w, 0)), "SSLv3");
	assert_string_equal(json_string_value(json_array_get(w, 1)), "3DES");
	json_decref(b);
	domain_result_free(r);
}

static void
test_hsts_invalid(void **state)
{
	struct domain_result *r = checked(scenario_hsts_invalid);
	const struct web_verdicts *v = &r->web_verdicts;
	json_t *j, *ep;
	char *row;

	(void)state;
	/* pshtt's substring tests would accept it; a browser does not */
	assert_false(v->hsts);
	assert_int_equal(v->hsts_max_age, -1);
	assert_int_equal(v->strong_hsts, -1);
	assert_true(has(r, "web-hsts-invalid", SEVERITY_ERROR));
	assert_true(has(r, "web-hsts-multiple", SEVERITY_WARNING));
	assert_false(has(r, "web-hsts-short", SEVERITY_ERROR));
	j = web_json(r);
	ep = json_array_get(json_object_get(j, "endpoints"), WEB_EP_HTTPS_ROOT);
	assert_true(json_is_false(json_object_get(ep, "hsts_valid")));
	assert_int_equal(
	    json_integer_value(json_object_get(ep, "hsts_headers")), 2);
	assert_true(json_array_size(json_object_get(ep, "hsts_problems")) > 0);
	json_decref(j);
	row = csv_row(r);
	assert_cell(row, 20, "max-age=31536000; max-age=1");
	assert_cell(row, 21, "");
	free(row);
	domain_result_free(r);
}

static void
test_detour(void **state)
{
	struct domain_result *r = checked(scenario_detour);
	const struct web_verdicts *v = &r->web_verdicts;

	(void)state;
	/* not an upgrade (external), not a redirect domain (comes back) */
	assert_int_equal(v->canonical, WEB_EP_HTTP_ROOT);
	assert_true(v->strictly_forces);
	assert_true(v->supports_https);
	assert_false(v->redirect);
	assert_false(v->enforces_https);
	assert_int_equal(v->strong_hsts, 1);
	assert_failures(r, "enforce-https");
	assert_true(has(r, "web-https-not-default", SEVERITY_WARNING));
	assert_false(has(r, "web-http-not-redirected", SEVERITY_ERROR));
	domain_result_free(r);
}

static void
test_dead(void **state)
{
	struct domain_result *r = checked(scenario_dead);
	json_t *b;

	(void)state;
	assert_false(r->web_verdicts.live);
	assert_int_equal(r->web_verdicts.bod1801, -1);
	assert_int_equal(r->nfindings, 1);
	assert_true(has(r, "web-not-live", SEVERITY_INFO));
	b = report_json_bod1801_web(r);
	assert_true(json_is_null(json_object_get(b, "compliant")));
	assert_int_equal(json_array_size(json_object_get(b, "failures")), 0);
	json_decref(b);
	domain_result_free(r);
}

/* test_idempotent - a second check_web gives the same verdict */
static void
test_idempotent(void **state)
{
	struct domain_result *r = checked(scenario_hsts_short);

	(void)state;
	check_web(r);
	assert_int_equal(r->web_verdicts.nfailures, 1);
	domain_result_free(r);
}

static void
test_csv_header(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(report_csv_pshtt_header(f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text,
	    "Domain,Base Domain,Canonical URL,Live,HTTPS Live,"
	    "HTTPS Full Connection,HTTPS Client Auth Required,Redirect,"
	    "Redirect To,Valid HTTPS,HTTPS Publicly Trusted,"
	    "HTTPS Custom Truststore Trusted,Defaults to HTTPS,"
	    "Downgrades HTTPS,Strictly Forces HTTPS,HTTPS Bad Chain,"
	    "HTTPS Bad Hostname,HTTPS Expired Cert,HTTPS Self Signed Cert,"
	    "HSTS,HSTS Header,HSTS Max Age,HSTS Entire Domain,"
	    "HSTS Preload Ready,HSTS Preload Pending,HSTS Preloaded,"
	    "Base Domain HSTS Preloaded,Domain Supports HTTPS,"
	    "Domain Enforces HTTPS,Domain Uses Strong HSTS,IP,Server Header,"
	    "Server Version,HTTPS Cert Chain Length,"
	    "HTTPS Probably Missing Intermediate Cert,Notes,Unknown Error\r\n");
	free(text);
}

/* test_csv_quoting - a header with a comma and a quote is quoted */
static void
test_csv_quoting(void **state)
{
	struct domain_result *r = scenario_hsts_short();
	char *row;

	(void)state;
	free(r->web.ep[WEB_EP_HTTPS_ROOT].hsts);
	r->web.ep[WEB_EP_HTTPS_ROOT].hsts = xstrdup("max-age=\"86400\", x");
	check_web(r);
	row = csv_row(r);
	assert_non_null(strstr(row, ",\"max-age=\"\"86400\"\", x\","));
	free(row);
	domain_result_free(r);
}

/* ---- the schema ---- */

/* fragment_doc - r's whole scan document (web and bod1801.web in it) */
static json_t *
fragment_doc(const struct domain_result *r)
{
	return report_json_domain_at(r, 0, 1795000000);
}

static void
test_schema(void **state)
{
	struct domain_result *r;
	json_t *doc;
	char *path;
	size_t s;
	FILE *f;
	int rc;

	(void)state;
	need_validator();
	path = temp_file("test_web", &f);
	for (s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		r = checked(scenarios[s].build);
		doc = fragment_doc(r);
		assert_int_equal(json_dumpf(doc, f, JSON_INDENT(2)), 0);
		fputc('\n', f);
		json_decref(doc);
		domain_result_free(r);
	}
	/* and a domain whose web side did not run */
	r = domain_result_new("example.test");
	check_web(r);
	doc = fragment_doc(r);
	assert_int_equal(json_dumpf(doc, f, JSON_COMPACT), 0);
	fputc('\n', f);
	json_decref(doc);
	domain_result_free(r);
	assert_int_equal(fclose(f), 0);
	rc = validate(path);
	unlink(path);
	free(path);
	assert_int_equal(rc, 0);
}

/* test_schema_rejects - the fragment is not a rubber stamp */
static void
test_schema_rejects(void **state)
{
	struct domain_result *r = checked(scenario_chain_www);
	json_t *doc;
	char *path;
	FILE *f;
	int rc;

	(void)state;
	need_validator();
	path = temp_file("test_web", &f);
	doc = fragment_doc(r);
	json_array_append_new(
	    json_object_get(
	        json_object_get(json_object_get(doc, "bod1801"), "web"),
	        "failures"),
	    json_string("hsts"));
	assert_int_equal(json_dumpf(doc, f, JSON_COMPACT), 0);
	json_decref(doc);
	assert_int_equal(fclose(f), 0);
	rc = validate(path);
	unlink(path);
	free(path);
	assert_int_equal(rc, 1);
	domain_result_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_ran),
		cmocka_unit_test(test_no_https),
		cmocka_unit_test(test_https_no_redirect),
		cmocka_unit_test(test_chain_www),
		cmocka_unit_test(test_hsts_short),
		cmocka_unit_test(test_hsts_preload),
		cmocka_unit_test(test_bad_cert),
		cmocka_unit_test(test_www_only),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_elsewhere),
		cmocka_unit_test(test_preloaded_parent),
		cmocka_unit_test(test_client_auth),
		cmocka_unit_test(test_weak),
		cmocka_unit_test(test_hsts_invalid),
		cmocka_unit_test(test_detour),
		cmocka_unit_test(test_dead),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_csv_header),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_schema_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
