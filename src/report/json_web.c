/* SPDX-License-Identifier: ISC */
/*
 * json_web - the web half of a domain's JSON: "web" (the four endpoints
 * and pshtt's conclusions under pshtt's names) and "bod1801.web"
 * (docs/scan-result.schema.json, docs/pshtt.md). Pure over the result
 * tree: the conclusions come from check_web(); the writer only selects
 * facts (which endpoint's header, address or Server line to show).
 *
 * A value is null only when it is not known (no preload list was given,
 * no custom trust store exists, no HSTS to judge), never for "false".
 */
#include <limits.h>
#include <string.h>

#include "proto/hsts.h"
#include "report/json.h"
#include "report/json_int.h"

/* json_web_base - the base domain (eTLD+1) as the records side found it */
static const char *
json_web_base(const struct domain_result *r)
{
	const char *org = r->records.dmarc[DMARC_RFC7489].org_domain;

	return r->records.ran && org[0] != '\0' ? org : r->domain;
}

/* json_web_live - pshtt's endpoint.live (an HTTPS handshake counts) */
static bool
json_web_live(const struct web_endpoint *e)
{
	return e->live ||
	    (e->https && (e->tls_handshake || e->client_auth_required));
}

/* json_web_age - a max-age as JSON can hold it */
static long long
json_web_age(uint64_t v)
{
	return v > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)v;
}

/* json_web_hops - the redirect chain, hop 0 being the endpoint itself */
static json_t *
json_web_hops(const struct web_endpoint *e)
{
	json_t *a = report_json_array(), *h;
	size_t i;

	for (i = 0; i < e->nhops && i <= WEB_MAX_HOPS; i++) {
		h = report_json_object();
		report_json_set(h, "url", report_json_str0(e->hops[i].url));
		report_json_set(h, "status",
		    report_json_int_if(
		        e->hops[i].status > 0, e->hops[i].status));
		report_json_set(
		    h, "location", report_json_str(e->hops[i].location));
		report_json_push(a, h);
	}
	return a;
}

/* json_web_hsts - the endpoint's first header, parsed (https only) */
static void
json_web_hsts(json_t *o, const struct web_endpoint *e)
{
	struct hsts_header hdr;
	struct perr err = { 0, NULL };
	json_t *probs;
	bool have = e->https && e->hsts != NULL;
	size_t i;

	report_json_set(o, "hsts", report_json_str(have ? e->hsts : NULL));
	report_json_set(o, "hsts_headers",
	    e->https ? report_json_int((long long)e->nhsts) : json_null());
	if (!have) {
		report_json_set(o, "hsts_valid", json_null());
		report_json_set(o, "hsts_max_age", json_null());
		report_json_set(o, "hsts_include_subdomains", json_null());
		report_json_set(o, "hsts_preload", json_null());
		report_json_set(o, "hsts_problems", report_json_array());
		return;
	}
	(void)hsts_parse(e->hsts, strlen(e->hsts), &hdr, &err);
	report_json_set(o, "hsts_valid", report_json_bool(hdr.valid));
	report_json_set(o, "hsts_max_age",
	    report_json_int_if(hdr.has_max_age, json_web_age(hdr.max_age)));
	report_json_set(o, "hsts_include_subdomains",
	    report_json_bool(hdr.include_subdomains));
	report_json_set(o, "hsts_preload", report_json_bool(hdr.preload));
	probs = report_json_array();
	for (i = 0; i < hdr.nproblems; i++) {
		json_t *p = report_json_object();

		report_json_set(p, "offset",
		    report_json_int((long long)hdr.problems[i].off));
		report_json_set(
		    p, "message", report_json_str0(hdr.problems[i].msg));
		report_json_set(
		    p, "fatal", report_json_bool(hdr.problems[i].fatal));
		report_json_push(probs, p);
	}
	report_json_set(o, "hsts_problems", probs);
}

/* json_web_flag - an https-only boolean, null on http endpoints */
static json_t *
json_web_flag(const struct web_endpoint *e, bool b)
{
	return e->https ? report_json_bool(b) : json_null();
}

static json_t *
json_web_endpoint(const struct web_endpoint *e)
{
	json_t *o = report_json_object();
	bool tls = e->https && (e->tls_handshake || e->live);

	report_json_set(o, "url", report_json_str0(e->url));
	report_json_set(o, "https", report_json_bool(e->https));
	report_json_set(o, "www", report_json_bool(e->www));
	report_json_set(o, "asked", report_json_bool(e->asked));
	report_json_set(o, "live", report_json_bool(json_web_live(e)));
	report_json_set(o, "status", report_json_int_if(e->live, e->status));
	report_json_set(o, "error", report_json_str(e->error));
	report_json_set(o, "error_detail", report_json_str(e->error_detail));
	report_json_set(o, "ip", report_json_str(e->ip));
	report_json_set(o, "server", report_json_str(e->server));
	report_json_set(o, "redirect_to", report_json_str(e->redirect_to));
	report_json_set(o, "eventual_url", report_json_str(e->eventual));
	report_json_set(o, "eventual_status",
	    report_json_int_if(e->eventual_status > 0, e->eventual_status));
	report_json_set(o, "hops", json_web_hops(e));
	/* the certificate (https): each flaw apart, as pshtt lists them */
	report_json_set(o, "tls_handshake", json_web_flag(e, e->tls_handshake));
	report_json_set(o, "client_auth_required",
	    json_web_flag(e, e->client_auth_required));
	report_json_set(
	    o, "cert_valid", json_web_flag(e, tls && e->cert_valid));
	report_json_set(o, "verify_code",
	    report_json_int_if(tls, (long long)e->verify_code));
	report_json_set(
	    o, "verify_error", report_json_str(tls ? e->verify_error : NULL));
	report_json_set(
	    o, "bad_hostname", json_web_flag(e, tls && e->bad_hostname));
	report_json_set(o, "bad_chain", json_web_flag(e, tls && e->bad_chain));
	report_json_set(o, "expired_cert", json_web_flag(e, tls && e->expired));
	report_json_set(
	    o, "self_signed_cert", json_web_flag(e, tls && e->self_signed));
	report_json_set(o, "cert_chain_length",
	    report_json_int_if(
	        tls && e->chain_len > 0, (long long)e->chain_len));
	json_web_hsts(o, e);
	return o;
}

/* json_web_first - pshtt's order for IP and Server: canonical, https,
 * https www, http www, http; the first endpoint where pick finds one */
static const char *
json_web_first(const struct domain_result *r, bool server)
{
	static const enum web_ep order[] = { WEB_EP_HTTPS_ROOT,
		WEB_EP_HTTPS_WWW, WEB_EP_HTTP_WWW, WEB_EP_HTTP_ROOT };
	const struct web_endpoint *e = &r->web.ep[r->web_verdicts.canonical];
	size_t i;

	if ((server ? e->server : e->ip) != NULL)
		return server ? e->server : e->ip;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		e = &r->web.ep[order[i]];
		if ((server ? e->server : e->ip) != NULL)
			return server ? e->server : e->ip;
	}
	return NULL;
}

/* json_web_redirect_to - pshtt's "Redirect To": where the canonical
 * endpoint ends up, for a redirect domain */
static const char *
json_web_redirect_to(const struct domain_result *r)
{
	const struct web_endpoint *e = &r->web.ep[r->web_verdicts.canonical];

	if (!r->web_verdicts.redirect)
		return NULL;
	if (e->eventual != NULL && e->eventual_status > 0)
		return e->eventual;
	return e->redirect_to;
}

/* json_web_preloaded - a preload list fact, null without a list */
static json_t *
json_web_preloaded(const struct domain_result *r, bool b)
{
	return r->web.preload_list ? report_json_bool(b) : json_null();
}

json_t *
report_json_web(const struct domain_result *r)
{
	const struct web_facts *w = &r->web;
	const struct web_verdicts *v = &r->web_verdicts;
	const struct web_endpoint *ch;
	json_t *o, *eps;
	bool www, ch_live, trusted;
	int i;

	if (!w->ran)
		return json_null();
	www =
	    v->canonical == WEB_EP_HTTP_WWW || v->canonical == WEB_EP_HTTPS_WWW;
	ch = &w->ep[www ? WEB_EP_HTTPS_WWW : WEB_EP_HTTPS_ROOT];
	ch_live = json_web_live(ch);
	/* the chain verifies, whatever the name (check_web's rule) */
	trusted = ch_live && !ch->bad_chain && !ch->expired &&
	    !ch->self_signed &&
	    (ch->cert_valid || ch->bad_hostname ||
	        (ch->client_auth_required && !ch->live));
	o = report_json_object();
	report_json_set(o, "base_domain", report_json_str0(json_web_base(r)));
	report_json_set(
	    o, "canonical_url", report_json_str0(w->ep[v->canonical].url));
	report_json_set(o, "live", report_json_bool(v->live));
	report_json_set(o, "https_live", report_json_bool(v->https_live));
	report_json_set(o, "https_full_connection",
	    report_json_bool(v->https_full_connection));
	report_json_set(o, "https_client_auth_required",
	    report_json_bool(v->https_client_auth));
	report_json_set(o, "redirect", report_json_bool(v->redirect));
	report_json_set(
	    o, "redirect_to", report_json_str(json_web_redirect_to(r)));
	report_json_set(o, "valid_https", report_json_bool(v->valid_https));
	report_json_set(o, "https_publicly_trusted", report_json_bool(trusted));
	/* one trust store (the system's or --ca-file): no second opinion */
	report_json_set(o, "https_custom_truststore_trusted",
	    ch_live ? json_null() : json_false());
	report_json_set(
	    o, "defaults_to_https", report_json_bool(v->defaults_https));
	report_json_set(
	    o, "downgrades_https", report_json_bool(v->downgrades_https));
	report_json_set(
	    o, "strictly_forces_https", report_json_bool(v->strictly_forces));
	report_json_set(
	    o, "https_bad_chain", report_json_bool(v->https_bad_chain));
	report_json_set(
	    o, "https_bad_hostname", report_json_bool(v->https_bad_hostname));
	report_json_set(
	    o, "https_expired_cert", report_json_bool(v->https_expired));
	report_json_set(o, "https_self_signed_cert",
	    report_json_bool(v->https_self_signed));
	report_json_set(o, "hsts", report_json_bool(v->hsts));
	report_json_set(o, "hsts_header",
	    report_json_str(ch_live && !ch->bad_hostname ? ch->hsts : NULL));
	report_json_set(o, "hsts_max_age",
	    report_json_int_if(v->hsts_max_age >= 0, v->hsts_max_age));
	report_json_set(
	    o, "hsts_entire_domain", report_json_bool(v->hsts_entire_domain));
	report_json_set(
	    o, "hsts_preload_ready", report_json_bool(v->hsts_preload_ready));
	/* hstspreload.org's pending list is not consulted */
	report_json_set(o, "hsts_preload_pending", json_null());
	/* pshtt's: the name itself is on the list, not through a parent */
	report_json_set(o, "hsts_preloaded",
	    json_web_preloaded(r, w->preloaded && !w->preloaded_via_parent));
	report_json_set(o, "hsts_preloaded_via_parent",
	    json_web_preloaded(r, w->preloaded_via_parent));
	report_json_set(o, "base_domain_hsts_preloaded",
	    json_web_preloaded(r, w->base_preloaded));
	report_json_set(
	    o, "supports_https", report_json_bool(v->supports_https));
	report_json_set(
	    o, "enforces_https", report_json_bool(v->enforces_https));
	report_json_set(o, "strong_hsts", report_json_tristate(v->strong_hsts));
	report_json_set(o, "ip", report_json_str(json_web_first(r, false)));
	report_json_set(
	    o, "server_header", report_json_str(json_web_first(r, true)));
	report_json_set(o, "https_cert_chain_length",
	    report_json_int_if(
	        ch_live && ch->chain_len > 0, (long long)ch->chain_len));
	report_json_set(o, "https_missing_intermediate_cert",
	    report_json_bool(
	        ch_live && ch->chain_len == 1 && !ch->self_signed));
	eps = report_json_array();
	for (i = 0; i < WEB_EP_MAX; i++)
		report_json_push(eps, json_web_endpoint(&w->ep[i]));
	report_json_set(o, "endpoints", eps);
	return o;
}

json_t *
report_json_bod1801_web(const struct domain_result *r)
{
	const struct web_verdicts *v = &r->web_verdicts;
	const struct tls_probe_info *pi = NULL;
	json_t *o, *fail, *weak;
	size_t i;

	if (!r->web.ran)
		return json_null();
	o = report_json_object();
	fail = report_json_array();
	report_json_set(o, "compliant", report_json_tristate(v->bod1801));
	for (i = 0; v->bod1801 >= 0 && i < v->nfailures; i++)
		report_json_push(fail, report_json_str(v->failures[i]));
	report_json_set(o, "failures", fail);
	report_json_set(o, "base_domain_preloaded",
	    json_web_preloaded(r, r->web.base_preloaded));
	if (r->web.tls443 != NULL && r->web.tls443->probes.ran)
		pi = &r->web.tls443->probes;
	report_json_set(o, "tls_probed", report_json_bool(pi != NULL));
	weak = report_json_array();
	if (pi != NULL && pi->proto[TLS_PROTO_SSL2] == 1)
		report_json_push(weak, report_json_str("SSLv2"));
	if (pi != NULL && pi->proto[TLS_PROTO_SSL3] == 1)
		report_json_push(weak, report_json_str("SSLv3"));
	if (pi != NULL && pi->weak[TLS_WEAK_3DES] == 1)
		report_json_push(weak, report_json_str("3DES"));
	if (pi != NULL && pi->weak[TLS_WEAK_RC4] == 1)
		report_json_push(weak, report_json_str("RC4"));
	report_json_set(o, "weak_crypto", weak);
	return o;
}
