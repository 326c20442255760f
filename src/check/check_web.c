/* SPDX-License-Identifier: ISC */
/*
 * check_web - pshtt's conclusions about a domain's web side and the BOD
 * 18-01 web verdict as CISA's reporting computed it (cisagov/pshtt,
 * cisagov/pshtt_reporter; docs/pshtt.md). Pure over the tree.
 *
 * Each endpoint is first described the way pshtt's Endpoint object is
 * (live, redirect, where it goes immediately and eventually, HSTS), then
 * the domain-level rules run over those four descriptions, in pshtt's
 * words. HSTS headers go through the RFC 6797 parser (proto/hsts), not
 * pshtt's substring tests.
 */
#include "check/check.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto/hsts.h"
#include "util/ascii.h"

#define CHECK_WEB_HOSTMAX       256
#define CHECK_WEB_STRONG_AGE    31536000LL /* one year: BOD 18-01, pshtt */
#define CHECK_WEB_PRELOAD_AGE   10886400LL /* 18 weeks: pshtt's "ready" */
#define CHECK_WEB_REDIRECTS_MAX 3          /* hstspreload.org, per chain */

/* one endpoint as pshtt's Endpoint object describes it */
struct check_web_ep {
	const struct web_endpoint *e; /* borrowed */
	char host[CHECK_WEB_HOSTMAX]; /* "d" or "www.d" */
	bool live;                    /* pshtt's endpoint.live */
	bool full;                    /* https: an HTTP answer over TLS */
	bool bad_hostname;            /* https, live: the leaf names another */
	bool valid;                   /* https, live: pshtt's https_valid */
	bool redirect;                /* 3xx with a Location */
	bool imm_https, imm_http;     /* the Location's scheme */
	bool imm_external;            /* ... is on another base domain */
	bool imm_www;                 /* ... is www.<this host> */
	const char *eventual;         /* borrowed: redirect_eventually_to */
	bool ev_external;             /* ... is on another base domain */
	/* HSTS (https): the first header, unless the name is bad */
	bool hsts_seen;          /* a header pshtt would record */
	struct hsts_header hdr;  /* it, parsed (valid when hsts_seen) */
	bool hsts_valid;         /* the RFC parser accepts it */
	const char *hsts_error;  /* static: the first fatal problem */
	bool hsts;               /* valid and max-age > 0 */
	long long max_age;       /* -1 unless valid */
	bool include_subdomains; /* with hsts */
	bool preload;            /* with hsts */
};

/*
 * check_web_base - the domain's base domain (eTLD+1), as the records
 * side found it through the public suffix list; the domain itself when
 * that is not known
 */
static const char *
check_web_base(const struct domain_result *r)
{
	const char *org = r->records.dmarc[DMARC_RFC7489].org_domain;

	return r->records.ran && org[0] != '\0' ? org : r->domain;
}

/* check_web_prefix - url starts with prefix (case aside) */
static bool
check_web_prefix(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);

	return url != NULL && strlen(url) >= n &&
	    ascii_eq_nocase(url, n, prefix);
}

/*
 * check_web_host - the host of an absolute URL, lowercase, without
 * userinfo, port or a final dot; false when there is none
 */
static bool
check_web_host(const char *url, char *out, size_t size)
{
	const char *p, *end, *at, *colon;
	size_t n, i;

	if (url == NULL || (p = strstr(url, "://")) == NULL)
		return false;
	p += 3;
	end = p + strcspn(p, "/?#");
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (p < end && *p == '[') {
		colon = memchr(p, ']', (size_t)(end - p));
		if (colon == NULL)
			return false;
		end = colon + 1;
	} else {
		for (colon = end; colon > p && colon[-1] != ':'; colon--)
			;
		if (colon > p)
			end = colon - 1;
	}
	if (end > p && end[-1] == '.')
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= size)
		return false;
	for (i = 0; i < n; i++)
		out[i] = (char)ascii_tolower((unsigned char)p[i]);
	out[n] = '\0';
	return true;
}

/* check_web_in_base - host is base or a name under it */
static bool
check_web_in_base(const char *host, const char *base)
{
	size_t h = strlen(host), b = strlen(base);

	if (h == b)
		return strcmp(host, base) == 0;
	return h > b + 1 && host[h - b - 1] == '.' &&
	    strcmp(host + h - b, base) == 0;
}

/* check_web_external - url is on another base domain (pshtt's test) */
static bool
check_web_external(const char *url, const char *base)
{
	char host[CHECK_WEB_HOSTMAX];

	return check_web_host(url, host, sizeof(host)) &&
	    !check_web_in_base(host, base);
}

/* check_web_hsts - pshtt's hsts_check, with the RFC 6797 parser */
static void
check_web_hsts(struct check_web_ep *x)
{
	const struct web_endpoint *e = x->e;
	struct perr err = { 0, NULL };

	x->max_age = -1;
	if (!e->https || x->bad_hostname || e->hsts == NULL)
		return;
	x->hsts_seen = true;
	x->hsts_valid =
	    hsts_parse(e->hsts, strlen(e->hsts), &x->hdr, &err) == 0;
	if (!x->hsts_valid) {
		x->hsts_error = err.msg != NULL ? err.msg : "invalid";
		return;
	}
	x->max_age = x->hdr.max_age > (uint64_t)LLONG_MAX
	    ? LLONG_MAX
	    : (long long)x->hdr.max_age;
	x->hsts = x->max_age > 0;
	x->include_subdomains = x->hsts && x->hdr.include_subdomains;
	x->preload = x->hsts && x->hdr.preload;
}

/* check_web_describe - pshtt's basic_check and https_check, from facts */
static void
check_web_describe(struct check_web_ep *x, const struct web_endpoint *e,
    const char *domain, const char *base)
{
	char host[CHECK_WEB_HOSTMAX];

	memset(x, 0, sizeof(*x));
	x->e = e;
	(void)snprintf(
	    x->host, sizeof(x->host), "%s%s", e->www ? "www." : "", domain);
	/*
	 * pshtt calls an HTTPS endpoint live when sslyze can connect, even
	 * when no HTTP answer comes (a client certificate is required)
	 */
	x->live = e->live ||
	    (e->https && (e->tls_handshake || e->client_auth_required));
	x->full = e->https && e->live;
	x->bad_hostname = e->https && x->live && e->bad_hostname;
	/*
	 * a handshake that stopped at the client certificate verified
	 * nothing: pshtt then judges the certificate by its flaws alone
	 */
	x->valid = e->https && x->live && !e->bad_hostname && !e->bad_chain &&
	    !e->expired && !e->self_signed &&
	    (e->cert_valid || (e->client_auth_required && !e->live));
	x->redirect = e->live && e->status >= 300 && e->status < 400 &&
	    e->redirect_to != NULL;
	if (x->redirect && check_web_host(e->redirect_to, host, sizeof(host))) {
		x->imm_https = check_web_prefix(e->redirect_to, "https://");
		x->imm_http = check_web_prefix(e->redirect_to, "http://");
		x->imm_external = !check_web_in_base(host, base);
		x->imm_www = strncmp(host, "www.", 4) == 0 &&
		    strcmp(host + 4, x->host) == 0;
		/*
		 * the end of the chain when it was reached; else the first
		 * hop when that already leaves the base domain
		 */
		if (e->eventual != NULL && e->eventual_status > 0) {
			x->eventual = e->eventual;
			x->ev_external = check_web_external(e->eventual, base);
		} else if (x->imm_external) {
			x->eventual = e->redirect_to;
			x->ev_external = true;
		}
	}
	check_web_hsts(x);
}

static bool
check_web_2xx(const struct check_web_ep *x)
{
	return x->e->status >= 200 && x->e->status < 300;
}

static bool
check_web_3xx(const struct check_web_ep *x)
{
	return x->e->status >= 300 && x->e->status < 400;
}

/* check_web_canonical - pshtt's canonical_endpoint() */
static enum web_ep
check_web_canonical(const struct check_web_ep *x)
{
	const struct check_web_ep *h = &x[WEB_EP_HTTP_ROOT];
	const struct check_web_ep *hw = &x[WEB_EP_HTTP_WWW];
	const struct check_web_ep *s = &x[WEB_EP_HTTPS_ROOT];
	const struct check_web_ep *sw = &x[WEB_EP_HTTPS_WWW];
	bool unused_s, unused_h, down_s, down_h, is_www, is_https;

	unused_s =
	    s->redirect || !s->live || s->bad_hostname || !check_web_2xx(s);
	unused_h = h->redirect || !h->live || !check_web_2xx(h);
	down_s = !s->live || s->bad_hostname ||
	    (!check_web_2xx(s) && !check_web_3xx(s));
	down_h = !h->live || (!check_web_2xx(h) && !check_web_3xx(h));
	is_www = (sw->live || hw->live) && unused_s && unused_h &&
	    ((down_s && down_h) || s->imm_www || h->imm_www);
	is_https = ((s->live && !s->bad_hostname) ||
	               (sw->live && !sw->bad_hostname)) &&
	    (h->redirect || !h->live || !check_web_2xx(h)) &&
	    (hw->redirect || !hw->live || !check_web_2xx(hw)) &&
	    ((!h->live && !hw->live) || (h->imm_https && !h->imm_external) ||
	        (hw->imm_https && !hw->imm_external));
	if (is_www)
		return is_https ? WEB_EP_HTTPS_WWW : WEB_EP_HTTP_WWW;
	return is_https ? WEB_EP_HTTPS_ROOT : WEB_EP_HTTP_ROOT;
}

/* check_web_redirect_or_down - pshtt's is_redirect_or_down() */
static bool
check_web_redirect_or_down(const struct check_web_ep *x)
{
	return x->ev_external || !x->live || x->bad_hostname ||
	    x->e->status >= 400;
}

/* check_web_is_www - the canonical endpoint is on the www host */
static bool
check_web_is_www(enum web_ep c)
{
	return c == WEB_EP_HTTP_WWW || c == WEB_EP_HTTPS_WWW;
}

/* check_web_conclude - pshtt's result_for(), into r->web_verdicts */
static void
check_web_conclude(struct domain_result *r, const struct check_web_ep *x)
{
	struct web_verdicts *v = &r->web_verdicts;
	const struct check_web_ep *h = &x[WEB_EP_HTTP_ROOT];
	const struct check_web_ep *hw = &x[WEB_EP_HTTP_WWW];
	const struct check_web_ep *s = &x[WEB_EP_HTTPS_ROOT];
	const struct check_web_ep *sw = &x[WEB_EP_HTTPS_WWW];
	const struct check_web_ep *ch;
	bool http_redirect_domain;

	v->canonical = check_web_canonical(x);
	ch = check_web_is_www(v->canonical) ? sw : s;
	v->live = h->live || hw->live || s->live || sw->live;
	v->https_live = s->live || sw->live;
	v->https_full_connection = s->full || sw->full;
	v->https_client_auth =
	    s->e->client_auth_required || sw->e->client_auth_required;
	v->valid_https = ch->live && ch->valid;
	v->defaults_https = v->canonical == WEB_EP_HTTPS_ROOT ||
	    v->canonical == WEB_EP_HTTPS_WWW;
	v->downgrades_https = ((s->live && !s->bad_hostname) ||
	                          (sw->live && !sw->bad_hostname)) &&
	    ch->imm_http && !ch->imm_external;
	v->strictly_forces = v->https_live && (!h->live || h->imm_https) &&
	    (!hw->live || hw->imm_https);
	v->redirect = v->live &&
	    (h->ev_external || hw->ev_external || s->ev_external ||
	        sw->ev_external) &&
	    check_web_redirect_or_down(h) && check_web_redirect_or_down(hw) &&
	    check_web_redirect_or_down(s) && check_web_redirect_or_down(sw);
	http_redirect_domain = v->live && (h->ev_external || hw->ev_external) &&
	    check_web_redirect_or_down(h) && check_web_redirect_or_down(hw);
	/* the certificate flaws of the canonical HTTPS endpoint */
	v->https_bad_chain = ch->live && ch->e->bad_chain;
	v->https_bad_hostname = ch->bad_hostname;
	v->https_expired = ch->live && ch->e->expired;
	v->https_self_signed = ch->live && ch->e->self_signed;
	v->hsts = ch->hsts;
	v->hsts_max_age = ch->max_age;
	v->hsts_entire_domain = s->include_subdomains;
	v->hsts_preload_ready = s->max_age >= CHECK_WEB_PRELOAD_AGE &&
	    s->include_subdomains && s->preload;
	v->supports_https = !v->downgrades_https &&
	    (v->valid_https || (v->https_bad_chain && !v->https_bad_hostname));
	v->enforces_https = v->supports_https && v->strictly_forces &&
	    (v->defaults_https || http_redirect_domain);
	v->strong_hsts = !v->hsts                     ? -1
	    : v->hsts_max_age >= CHECK_WEB_STRONG_AGE ? 1
	                                              : 0;
}

/* check_web_weak - SSLv2, SSLv3, RC4 or 3DES on port 443, as a list */
static bool
check_web_weak(const struct domain_result *r, char *list, size_t size)
{
	const struct tls_probe_info *pi;
	size_t n = 0;

	list[0] = '\0';
	if (r->web.tls443 == NULL || !r->web.tls443->probes.ran)
		return false;
	pi = &r->web.tls443->probes;
	if (pi->proto[TLS_PROTO_SSL2] == 1)
		n += (size_t)snprintf(
		    list + n, size - n, "%sSSLv2", n > 0 ? ", " : "");
	if (n < size && pi->proto[TLS_PROTO_SSL3] == 1)
		n += (size_t)snprintf(
		    list + n, size - n, "%sSSLv3", n > 0 ? ", " : "");
	if (n < size && pi->weak[TLS_WEAK_3DES] == 1)
		n += (size_t)snprintf(
		    list + n, size - n, "%s3DES", n > 0 ? ", " : "");
	if (n < size && pi->weak[TLS_WEAK_RC4] == 1)
		n += (size_t)snprintf(
		    list + n, size - n, "%sRC4", n > 0 ? ", " : "");
	return list[0] != '\0';
}

static void
check_web_fail(struct web_verdicts *v, const char *id)
{
	if (v->nfailures < WEB_FAILURES_MAX)
		v->failures[v->nfailures++] = id;
}

/*
 * check_web_bod1801 - pshtt_reporter's bod_1801_compliance: supports,
 * enforces and strong HSTS, each credited to a live domain whose base
 * domain is preloaded (and all three to one that requires a client
 * certificate, whose HSTS cannot be seen), and no weak crypto on 443
 */
static void
check_web_bod1801(struct domain_result *r, bool weak, const char *weak_list)
{
	struct web_verdicts *v = &r->web_verdicts;
	bool credit;
	char list[256] = "";
	size_t i, n = 0;

	v->bod1801 = -1;
	if (!v->live || r->timed_out)
		return;
	credit = r->web.base_preloaded ||
	    (!v->https_full_connection && v->https_client_auth);
	if (!credit && !v->supports_https)
		check_web_fail(v, "https");
	if (!credit && !v->enforces_https)
		check_web_fail(v, "enforce-https");
	if (!credit && v->strong_hsts != 1)
		check_web_fail(v, "strong-hsts");
	if (weak)
		check_web_fail(v, "weak-crypto");
	v->bod1801 = v->nfailures == 0 ? 1 : 0;
	if (v->bod1801)
		return;
	for (i = 0; i < v->nfailures && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? ", " : "", v->failures[i]);
	domain_result_add_finding(r, "bod1801-web-noncompliant", SEVERITY_INFO,
	    NULL, NULL, "BOD 18-01 (web): not compliant: %s%s%s%s", list,
	    weak ? " (" : "", weak ? weak_list : "", weak ? ")" : "");
}

/* check_web_flaws - "expired, self-signed" ...: the certificate's flaws */
static void
check_web_flaws(const struct web_endpoint *e, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	if (e->bad_hostname)
		n += (size_t)snprintf(out + n, size - n,
		    "%sdoes not name the host", n > 0 ? ", " : "");
	if (n < size && e->expired)
		n += (size_t)snprintf(
		    out + n, size - n, "%sexpired", n > 0 ? ", " : "");
	if (n < size && e->self_signed)
		n += (size_t)snprintf(
		    out + n, size - n, "%sself-signed", n > 0 ? ", " : "");
	if (n < size && (e->bad_chain || n == 0))
		(void)snprintf(out + n, size - n, "%s%s%s%s%s",
		    n > 0 ? ", " : "",
		    e->bad_chain ? "does not chain to a trusted root"
		                 : "does not verify",
		    e->verify_error != NULL ? " (" : "",
		    e->verify_error != NULL ? e->verify_error : "",
		    e->verify_error != NULL ? ")" : "");
}

/* check_web_https_findings - HTTPS itself: there, valid, not downgraded */
static void
check_web_https_findings(struct domain_result *r, const struct check_web_ep *x)
{
	const struct web_verdicts *v = &r->web_verdicts;
	const struct check_web_ep *ch;
	char flaws[512];
	int i;

	if (!v->https_live) {
		domain_result_add_finding(r, "web-https-missing",
		    SEVERITY_ERROR, NULL, NULL,
		    "no HTTPS endpoint answers (https://%s/, https://www.%s/): "
		    "the site is served in clear text only",
		    r->domain, r->domain);
		return;
	}
	ch = &x[check_web_is_www(v->canonical) ? WEB_EP_HTTPS_WWW
	                                       : WEB_EP_HTTPS_ROOT];
	for (i = WEB_EP_HTTPS_ROOT; i <= WEB_EP_HTTPS_WWW; i++) {
		if (!x[i].live || x[i].valid)
			continue;
		check_web_flaws(x[i].e, flaws, sizeof(flaws));
		domain_result_add_finding(r, "web-https-invalid-cert",
		    &x[i] == ch ? SEVERITY_ERROR : SEVERITY_WARNING, NULL,
		    x[i].e->ip, "the certificate of %s is not valid: %s",
		    x[i].e->url, flaws);
	}
	if (v->https_client_auth && !v->https_full_connection)
		domain_result_add_finding(r, "web-https-client-auth",
		    SEVERITY_INFO, NULL, NULL,
		    "HTTPS requires a client certificate: no page and no HSTS "
		    "header can be seen");
	if (v->downgrades_https)
		domain_result_add_finding(r, "web-https-downgrades",
		    SEVERITY_ERROR, NULL, ch->e->ip,
		    "%s redirects to %s: HTTPS is downgraded to clear text",
		    ch->e->url, ch->e->redirect_to);
	for (i = WEB_EP_HTTP_ROOT; i <= WEB_EP_HTTP_WWW; i++) {
		if (!x[i].live || x[i].imm_https)
			continue;
		if (x[i].redirect)
			domain_result_add_finding(r, "web-http-not-redirected",
			    SEVERITY_ERROR, NULL, x[i].e->ip,
			    "%s redirects to %s, not to https://: the first "
			    "request of a visitor stays in clear text",
			    x[i].e->url, x[i].e->redirect_to);
		else
			domain_result_add_finding(r, "web-http-not-redirected",
			    SEVERITY_ERROR, NULL, x[i].e->ip,
			    "%s answers %d in clear text instead of redirecting "
			    "to https://",
			    x[i].e->url, x[i].e->status);
	}
	if (v->supports_https && v->strictly_forces && !v->enforces_https)
		domain_result_add_finding(r, "web-https-not-default",
		    SEVERITY_WARNING, NULL, NULL,
		    "HTTP redirects to HTTPS, but the canonical URL is %s",
		    r->web.ep[v->canonical].url);
}

/* check_web_preload_facts - what hstspreload.org looks at, from facts */
static void
check_web_preload_facts(const struct domain_result *r,
    const struct check_web_ep *x, struct hsts_ready_facts *f)
{
	const struct check_web_ep *h = &x[WEB_EP_HTTP_ROOT];
	const struct check_web_ep *s = &x[WEB_EP_HTTPS_ROOT];
	char host[CHECK_WEB_HOSTMAX];
	size_t k;
	int i;

	memset(f, 0, sizeof(*f));
	f->registrable = strcmp(check_web_base(r), r->domain) == 0;
	f->cert_valid = s->live && s->valid;
	if (!h->e->asked ||
	    (h->e->error != NULL && strcmp(h->e->error, "connect") == 0))
		f->http = HSTS_HTTP_CLOSED;
	else if (!h->live)
		f->http = HSTS_HTTP_UNCHECKED;
	else if (!h->redirect)
		f->http = HSTS_HTTP_NO_REDIRECT;
	else if (!check_web_host(h->e->redirect_to, host, sizeof(host)))
		f->http = HSTS_HTTP_ELSEWHERE;
	else if (h->imm_www)
		f->http = HSTS_HTTP_WWW_FIRST;
	else if (h->imm_https && strcmp(host, r->domain) == 0)
		f->http = HSTS_HTTP_SAME_HOST;
	else
		f->http = HSTS_HTTP_ELSEWHERE;
	for (i = 0; i < 2; i++) {
		const struct web_endpoint *e = i == 0 ? h->e : s->e;

		for (k = 1; k < e->nhops; k++)
			if (check_web_prefix(e->hops[k].url, "http://"))
				f->redirect_insecure = true;
		if (e->nhops > CHECK_WEB_REDIRECTS_MAX + 1)
			f->redirect_too_many = true;
	}
	f->www_exists = r->web.ep[WEB_EP_HTTP_WWW].asked ||
	    r->web.ep[WEB_EP_HTTPS_WWW].asked;
	f->www_https = x[WEB_EP_HTTPS_WWW].live && x[WEB_EP_HTTPS_WWW].valid;
	f->nheaders = s->e->nhsts;
}

/* check_web_preload - the root is not ready for the preload list (info) */
static void
check_web_preload(struct domain_result *r, const struct check_web_ep *x)
{
	const struct check_web_ep *s = &x[WEB_EP_HTTPS_ROOT];
	struct hsts_ready_facts f;
	struct hsts_readiness rd;
	char list[512] = "";
	size_t i, n = 0;

	/* for a registrable domain that tries: the list takes no others */
	if (!s->full || !s->hsts_seen || r->web.preloaded ||
	    r->web.preloaded_via_parent)
		return;
	check_web_preload_facts(r, x, &f);
	if (!f.registrable)
		return;
	hsts_ready_check(s->hsts_seen ? &s->hdr : NULL, &f, &rd);
	if (rd.ready)
		return;
	for (i = 0; i < rd.nunmet && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? "; " : "", hsts_req_msg(rd.list[i]));
	domain_result_add_finding(r, "web-hsts-not-preload-ready",
	    SEVERITY_INFO, NULL, NULL,
	    "%s is not ready for the HSTS preload list (hstspreload.org): %s",
	    r->domain, list);
}

/* check_web_hsts_findings - the canonical endpoint's HSTS, the root's */
static void
check_web_hsts_findings(struct domain_result *r, const struct check_web_ep *x)
{
	const struct web_verdicts *v = &r->web_verdicts;
	const struct check_web_ep *s = &x[WEB_EP_HTTPS_ROOT];
	const struct check_web_ep *ch;

	ch = &x[check_web_is_www(v->canonical) ? WEB_EP_HTTPS_WWW
	                                       : WEB_EP_HTTPS_ROOT];
	/* no answer to read a header from, or one browsers reject anyway */
	if (!ch->full || ch->bad_hostname)
		return;
	if (ch->e->nhsts > 1)
		domain_result_add_finding(r, "web-hsts-multiple",
		    SEVERITY_WARNING, NULL, ch->e->ip,
		    "%s sends %zu Strict-Transport-Security headers: browsers "
		    "apply the first only (RFC 6797 8.1)",
		    ch->e->url, ch->e->nhsts);
	if (!ch->hsts_seen)
		domain_result_add_finding(r, "web-hsts-missing", SEVERITY_ERROR,
		    NULL, ch->e->ip,
		    "%s sends no Strict-Transport-Security header: browsers "
		    "may be downgraded to clear text (BOD 18-01 requires HSTS)",
		    ch->e->url);
	else if (!ch->hsts_valid)
		domain_result_add_finding(r, "web-hsts-invalid", SEVERITY_ERROR,
		    NULL, ch->e->ip,
		    "the Strict-Transport-Security header of %s is invalid "
		    "(%s): browsers ignore it (RFC 6797 6.1)",
		    ch->e->url, ch->hsts_error);
	else if (ch->max_age < CHECK_WEB_STRONG_AGE)
		domain_result_add_finding(r, "web-hsts-short", SEVERITY_ERROR,
		    NULL, ch->e->ip,
		    "the HSTS max-age of %s is %lld seconds%s; BOD 18-01 "
		    "requires at least one year (31536000)",
		    ch->e->url, ch->max_age,
		    ch->max_age == 0 ? ", which deletes the policy" : "");
	if (s->hsts && !s->include_subdomains)
		domain_result_add_finding(r, "web-hsts-no-subdomains",
		    SEVERITY_WARNING, NULL, s->e->ip,
		    "the HSTS header of %s has no includeSubDomains: the "
		    "domain's other hosts are not covered",
		    s->e->url);
	check_web_preload(r, x);
}

void
check_web(struct domain_result *r)
{
	struct web_verdicts *v = &r->web_verdicts;
	struct check_web_ep x[WEB_EP_MAX];
	const char *base = check_web_base(r);
	char weak_list[64];
	bool weak;
	int i;

	memset(v, 0, sizeof(*v));
	v->hsts_max_age = -1;
	v->strong_hsts = -1;
	v->bod1801 = -1;
	if (!r->web.ran)
		return;
	for (i = 0; i < WEB_EP_MAX; i++)
		check_web_describe(&x[i], &r->web.ep[i], r->domain, base);
	check_web_conclude(r, x);
	weak = check_web_weak(r, weak_list, sizeof(weak_list));
	if (!v->live) {
		domain_result_add_finding(r, "web-not-live", SEVERITY_INFO,
		    NULL, NULL,
		    "no web endpoint answers (http:// or https://, with or "
		    "without www.): the BOD 18-01 web verdict does not apply");
	} else {
		check_web_https_findings(r, x);
		check_web_hsts_findings(r, x);
		if (v->redirect)
			domain_result_add_finding(r, "web-redirects-elsewhere",
			    SEVERITY_INFO, NULL, NULL,
			    "the domain redirects to another base domain "
			    "(%s): pshtt counts it as a redirect domain",
			    x[v->canonical].eventual != NULL
			        ? x[v->canonical].eventual
			        : "?");
	}
	if (weak)
		domain_result_add_finding(r, "web-weak-crypto", SEVERITY_ERROR,
		    NULL, r->web.tls443->ip,
		    "port 443 accepts %s (BOD 18-01 bans SSLv2, SSLv3, RC4 and "
		    "3DES)",
		    weak_list);
	check_web_bod1801(r, weak, weak_list);
}
