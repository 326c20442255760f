/* SPDX-License-Identifier: ISC */
/*
 * web_probe - the four web endpoints of one domain (see the header).
 *
 * First the addresses of d and www.d (A and AAAA, four queries at once);
 * then the four fetches at once, each following its redirects through
 * net/https, whose redirect targets on other hosts come back here to be
 * resolved (web_probe_resolver). The facts of an endpoint are written by
 * its fetch callback alone; the probe ends from the loop.
 */
#include "probe/web_probe.h"

#include <event2/event.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "net/https.h"
#include "proto/dnsmsg.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

enum { WEB_HOST_ROOT, WEB_HOST_WWW, WEB_HOST_MAX };

/* one address query of the probe: whose, which host, which type */
struct web_query {
	struct web_probe *p;
	int host;
	int type;
	struct dns_query *q;
};

/* which endpoint a fetch is for */
struct web_fetch_arg {
	struct web_probe *p;
	int ep;
};

struct web_probe {
	struct web_probe_config cfg;
	struct web_facts *w;                        /* borrowed */
	char *host[WEB_HOST_MAX];                   /* owned: d and www.d */
	char *addrs[WEB_HOST_MAX][HTTPS_MAX_ADDRS]; /* owned */
	size_t naddrs[WEB_HOST_MAX];
	struct web_query q[WEB_HOST_MAX * 2];
	int pending; /* queries, then fetches, still out */
	struct https_fetch *fetch[WEB_EP_MAX];
	struct web_fetch_arg fa[WEB_EP_MAX];
	struct event *done; /* owned */
	web_probe_cb cb;
	void *arg;
};

static void
web_probe_free(struct web_probe *p)
{
	size_t i, k;

	for (i = 0; i < WEB_HOST_MAX * 2; i++)
		dns_query_cancel(p->q[i].q);
	for (i = 0; i < WEB_EP_MAX; i++)
		https_cancel(p->fetch[i]);
	for (i = 0; i < WEB_HOST_MAX; i++) {
		free(p->host[i]);
		for (k = 0; k < p->naddrs[i]; k++)
			free(p->addrs[i][k]);
	}
	event_free(p->done);
	free(p);
}

static void
web_probe_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct web_probe *p = arg;
	web_probe_cb cb = p->cb;
	void *cbarg = p->arg;

	(void)fd;
	(void)what;
	web_probe_free(p);
	cb(cbarg);
}

static void
web_probe_end(struct web_probe *p)
{
	struct timeval now = { 0, 0 };

	evtimer_add(p->done, &now);
}

/* web_probe_dup - an owned, printable copy of a header or URL, or NULL */
static char *
web_probe_dup(const char *s)
{
	return s != NULL ? str_escape(s, strlen(s)) : NULL;
}

/*
 * web_probe_cert - the leaf's flaws, each on its own: OpenSSL stops at
 * the first verification error, pshtt reports them all
 */
static void
web_probe_cert(
    struct web_endpoint *e, const struct https_tls *t, const char *host)
{
	X509 *x = t->cert;
	long code = t->verify_code;

	e->tls_handshake = t->handshake;
	e->cert_valid = t->verified;
	e->verify_code = code;
	e->verify_error = web_probe_dup(t->verify_error);
	if (x == NULL)
		return;
	e->chain_len = 0;
	e->bad_hostname = X509_check_host(x, host, strlen(host), 0, NULL) != 1;
	e->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
	e->self_signed = X509_self_signed(x, 0) == 1;
	/* anything else that failed is the chain's fault */
	e->bad_chain = !t->verified && code != X509_V_OK &&
	    code != X509_V_ERR_HOSTNAME_MISMATCH &&
	    code != X509_V_ERR_CERT_HAS_EXPIRED &&
	    code != X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
}

static void
web_probe_on_fetch(void *arg, const struct https_result *res)
{
	struct web_fetch_arg *fa = arg;
	struct web_probe *p = fa->p;
	struct web_endpoint *e = &p->w->ep[fa->ep];
	const struct https_hop *h0 = &res->hops[0], *hop;
	size_t i;

	p->fetch[fa->ep] = NULL;
	/* the endpoint itself is hop 0; later hops only say where it goes */
	e->live = h0->status > 0;
	if (!e->live) {
		e->error = res->error_id;
		e->error_detail = web_probe_dup(res->error_text);
	}
	e->status = (int)h0->status;
	e->ip = web_probe_dup(h0->ip);
	e->server = web_probe_dup(h0->server);
	if (h0->status >= 300 && h0->status < 400)
		e->redirect_to = web_probe_dup(h0->redirect_url);
	if (e->https && h0->nhsts > 0) {
		e->hsts = web_probe_dup(h0->hsts[0]);
		e->nhsts = h0->nhsts;
	}
	if (e->https)
		web_probe_cert(e, &h0->tls,
		    p->host[e->www ? WEB_HOST_WWW : WEB_HOST_ROOT]);
	for (i = 0; i < res->nhops && i <= WEB_MAX_HOPS; i++) {
		hop = &res->hops[i];
		e->hops[i].url = web_probe_dup(hop->url);
		e->hops[i].status = (int)hop->status;
		e->hops[i].location = web_probe_dup(hop->redirect_url);
		e->nhops++;
	}
	if (res->nhops > 1) {
		e->eventual = web_probe_dup(res->final->url);
		e->eventual_status = (int)res->final->status;
	}
	if (--p->pending == 0)
		web_probe_end(p);
}

/* web_probe_fetch - the four endpoints, from the addresses found */
static void
web_probe_fetch(struct web_probe *p)
{
	struct https_request req;
	struct web_endpoint *e;
	struct web_fetch_arg *fa;
	char url[DNSMSG_NAMEMAX + 16];
	int i, host;

	for (i = 0; i < WEB_EP_MAX; i++) {
		e = &p->w->ep[i];
		e->https = i == WEB_EP_HTTPS_ROOT || i == WEB_EP_HTTPS_WWW;
		e->www = i == WEB_EP_HTTP_WWW || i == WEB_EP_HTTPS_WWW;
		host = e->www ? WEB_HOST_WWW : WEB_HOST_ROOT;
		snprintf(url, sizeof(url), "%s://%s/",
		    e->https ? "https" : "http", p->host[host]);
		e->url = xstrdup(url);
		if (p->naddrs[host] == 0) {
			e->error = "dns";
			continue;
		}
		memset(&req, 0, sizeof(req));
		req.url = e->url;
		req.addrs = (const char *const *)p->addrs[host];
		req.naddrs = p->naddrs[host];
		req.timeout = p->cfg.timeout;
		req.max_body = 1 << 20;
		req.max_redirects = WEB_MAX_HOPS;
		req.flags = HTTPS_VERIFY_REPORT;
		fa = &p->fa[i];
		fa->p = p;
		fa->ep = i;
		e->asked = true;
		p->fetch[i] =
		    https_get(p->cfg.https, &req, web_probe_on_fetch, fa);
		if (p->fetch[i] == NULL) {
			e->asked = false;
			e->error = "other";
			continue;
		}
		p->pending++;
	}
	if (p->pending == 0)
		web_probe_end(p);
}

/* web_probe_addrs - the addresses of one answer, appended to host's */
static void
web_probe_addrs(
    struct web_probe *p, int host, int type, const struct dns_reply *reply)
{
	const struct dnsmsg *msg = reply->msg;
	char ip[64];
	int family;
	size_t i;

	if (reply->status != DNS_STATUS_OK || msg == NULL ||
	    reply->dnssec == DNSSEC_BOGUS)
		return;
	for (i = 0; i < msg->nrr && p->naddrs[host] < HTTPS_MAX_ADDRS; i++) {
		if (msg->rr[i].section != 1 || msg->rr[i].type != type)
			continue;
		if (dnsmsg_rr_addr(reply->packet, reply->len, &msg->rr[i],
		        &family, ip, sizeof(ip), NULL) != 0)
			continue;
		p->addrs[host][p->naddrs[host]++] = xstrdup(ip);
	}
}

static void
web_probe_on_dns(void *arg, const struct dns_reply *reply)
{
	struct web_query *wq = arg;
	struct web_probe *p = wq->p;

	wq->q = NULL;
	web_probe_addrs(p, wq->host, wq->type, reply);
	if (--p->pending == 0)
		web_probe_fetch(p);
}

struct web_probe *
web_probe_start(const struct web_probe_config *cfg, const char *domain,
    struct web_facts *w, web_probe_cb cb, void *arg)
{
	struct web_probe *p = xcalloc(1, sizeof(*p));
	struct web_query *wq;
	int i;

	p->cfg = *cfg;
	p->w = w;
	p->cb = cb;
	p->arg = arg;
	p->done = evtimer_new(cfg->base, web_probe_on_done, p);
	p->host[WEB_HOST_ROOT] = xstrdup(domain);
	p->host[WEB_HOST_WWW] = xasprintf("www.%s", domain);
	w->ran = true;
	for (i = 0; i < WEB_HOST_MAX * 2; i++) {
		wq = &p->q[i];
		wq->p = p;
		wq->host = i / 2;
		wq->type = i % 2 == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA;
		wq->q = dns_query(cfg->dns, p->host[wq->host], wq->type,
		    web_probe_on_dns, wq);
		if (wq->q != NULL)
			p->pending++;
	}
	if (p->pending == 0)
		web_probe_fetch(p);
	return p;
}

void
web_probe_cancel(struct web_probe *p)
{
	if (p != NULL)
		web_probe_free(p);
}

/*
 * The redirect resolver: net/https asks it for a redirect target's
 * addresses (A and AAAA at once) and never resolves a name itself.
 */
struct web_lookup;

/* one of a lookup's two queries */
struct web_lookup_q {
	struct web_lookup *l;
	int i;
};

struct web_lookup {
	struct https_fetch *f; /* borrowed: whom to tell */
	struct dns_query *q[2];
	struct web_lookup_q qa[2];
	char *addrs[HTTPS_MAX_ADDRS]; /* owned */
	size_t naddrs;
	int pending;
};

static void
web_lookup_free(struct web_lookup *l)
{
	size_t i;

	for (i = 0; i < 2; i++)
		dns_query_cancel(l->q[i]);
	for (i = 0; i < l->naddrs; i++)
		free(l->addrs[i]);
	free(l);
}

static void
web_lookup_on_dns(void *arg, const struct dns_reply *reply)
{
	struct web_lookup_q *lq = arg;
	struct web_lookup *l = lq->l;
	const struct dnsmsg *msg = reply->msg;
	char ip[64];
	int family;
	size_t i;

	l->q[lq->i] = NULL;
	for (i = 0; reply->status == DNS_STATUS_OK && msg != NULL &&
	     reply->dnssec != DNSSEC_BOGUS && i < msg->nrr &&
	     l->naddrs < HTTPS_MAX_ADDRS;
	     i++) {
		if (msg->rr[i].section != 1 ||
		    (msg->rr[i].type != DNS_TYPE_A &&
		        msg->rr[i].type != DNS_TYPE_AAAA))
			continue;
		if (dnsmsg_rr_addr(reply->packet, reply->len, &msg->rr[i],
		        &family, ip, sizeof(ip), NULL) == 0)
			l->addrs[l->naddrs++] = xstrdup(ip);
	}
	if (--l->pending > 0)
		return;
	https_resolved(l->f, (const char *const *)l->addrs, l->naddrs,
	    l->naddrs == 0 ? "the host has no address" : NULL);
	web_lookup_free(l);
}

static int
web_lookup_start(
    void *ctx, const char *host, struct https_fetch *f, void **handle)
{
	struct web_lookup *l = xcalloc(1, sizeof(*l));
	int i;

	l->f = f;
	for (i = 0; i < 2; i++) {
		l->qa[i].l = l;
		l->qa[i].i = i;
		l->q[i] = dns_query((struct dns *)ctx, host,
		    i == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA, web_lookup_on_dns,
		    &l->qa[i]);
		if (l->q[i] != NULL)
			l->pending++;
	}
	if (l->pending == 0) {
		web_lookup_free(l);
		return -1;
	}
	*handle = l;
	return 0;
}

static void
web_lookup_cancel(void *ctx, void *handle)
{
	(void)ctx;
	web_lookup_free(handle);
}

void
web_probe_resolver(struct dns *dns, struct https_resolver *out)
{
	out->start = web_lookup_start;
	out->cancel = web_lookup_cancel;
	out->ctx = dns;
}
