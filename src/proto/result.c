/* SPDX-License-Identifier: ISC */
/* result - the result tree of a scan: names tables and lifecycles. */
#include "proto/result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

static const char *const dnssec_state_names[] = {
	[DNSSEC_UNKNOWN] = "unknown",
	[DNSSEC_INSECURE] = "insecure",
	[DNSSEC_SECURE] = "secure",
	[DNSSEC_BOGUS] = "bogus",
};

static const char *const dns_status_names[] = {
	[DNS_STATUS_NONE] = "none",
	[DNS_STATUS_OK] = "ok",
	[DNS_STATUS_NODATA] = "nodata",
	[DNS_STATUS_NXDOMAIN] = "nxdomain",
	[DNS_STATUS_SERVFAIL] = "servfail",
	[DNS_STATUS_REFUSED] = "refused",
	[DNS_STATUS_TIMEOUT] = "timeout",
	[DNS_STATUS_ERROR] = "error",
};

static const char *const mx_source_names[] = {
	[MX_SOURCE_NONE] = "none",
	[MX_SOURCE_MX] = "mx",
	[MX_SOURCE_IMPLICIT] = "implicit",
	[MX_SOURCE_NULL] = "null",
};

static const char *const smtp_stage_names[SMTP_STAGE_MAX] = {
	[SMTP_STAGE_NONE] = "none",
	[SMTP_STAGE_CONNECT] = "connect",
	[SMTP_STAGE_BANNER] = "banner",
	[SMTP_STAGE_EHLO] = "ehlo",
	[SMTP_STAGE_HELO] = "helo",
	[SMTP_STAGE_STARTTLS] = "starttls",
	[SMTP_STAGE_HANDSHAKE] = "handshake",
	[SMTP_STAGE_EHLO_TLS] = "ehlo-tls",
	[SMTP_STAGE_QUIT] = "quit",
	[SMTP_STAGE_DONE] = "done",
};

static const char *const smtp_fail_names[SMTP_FAIL_MAX] = {
	[SMTP_FAIL_NONE] = "none",
	[SMTP_FAIL_REFUSED] = "refused",
	[SMTP_FAIL_UNREACHABLE] = "unreachable",
	[SMTP_FAIL_TIMEOUT] = "timeout",
	[SMTP_FAIL_CLOSED] = "closed",
	[SMTP_FAIL_RESET] = "reset",
	[SMTP_FAIL_REJECTED] = "rejected",
	[SMTP_FAIL_PROTOCOL] = "protocol",
	[SMTP_FAIL_TLS] = "tls",
};

static const char *const severity_names[] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_ERROR] = "error",
};

_Static_assert(
    sizeof(smtp_stage_names) / sizeof(smtp_stage_names[0]) == SMTP_STAGE_MAX,
    "smtp_stage_names");
_Static_assert(
    sizeof(smtp_fail_names) / sizeof(smtp_fail_names[0]) == SMTP_FAIL_MAX,
    "smtp_fail_names");

static const char *const tls_proto_names[TLS_PROTO_MAX] = {
	[TLS_PROTO_SSL2] = "sslv2",
	[TLS_PROTO_SSL3] = "sslv3",
	[TLS_PROTO_TLS10] = "tls1.0",
	[TLS_PROTO_TLS11] = "tls1.1",
	[TLS_PROTO_TLS12] = "tls1.2",
	[TLS_PROTO_TLS13] = "tls1.3",
};

static const char *const tls_weak_names[TLS_WEAK_MAX] = {
	[TLS_WEAK_RC4] = "rc4",
	[TLS_WEAK_3DES] = "3des",
	[TLS_WEAK_EXPORT] = "export",
	[TLS_WEAK_NULL] = "null",
	[TLS_WEAK_ANON] = "anon",
};

void
tls_probe_info_init(struct tls_probe_info *pi)
{
	int i;

	memset(pi, 0, sizeof(*pi));
	memset(pi->proto, -1, sizeof(pi->proto));
	memset(pi->weak, -1, sizeof(pi->weak));
	pi->fs = -1;
	for (i = 0; i < TLS_PROTO_MAX; i++)
		pi->ciphers[i].server_order = -1;
}

const char *
tls_proto_name(enum tls_proto p)
{
	return tls_proto_names[p];
}

const char *
tls_weak_name(enum tls_weak w)
{
	return tls_weak_names[w];
}

const char *
dnssec_state_name(enum dnssec_state s)
{
	return dnssec_state_names[s];
}

const char *
dns_status_name(enum dns_status s)
{
	return dns_status_names[s];
}

const char *
mx_source_name(enum mx_source s)
{
	return mx_source_names[s];
}

const char *
smtp_stage_name(enum smtp_stage s)
{
	return smtp_stage_names[s];
}

const char *
smtp_fail_name(enum smtp_fail f)
{
	return smtp_fail_names[f];
}

const char *
finding_severity_name(enum finding_severity s)
{
	return severity_names[s];
}

void
dns_answer_info_release(struct dns_answer_info *a)
{
	free(a->why_bogus);
	free(a->error);
	a->why_bogus = NULL;
	a->error = NULL;
}

/* strv_free - an owned array of n owned strings */
static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
dane_facts_release(struct dane_facts *d)
{
	dns_answer_info_release(&d->answer);
	strv_free(d->tlsa, d->ntlsa);
	free(d->detail);
	memset(d, 0, sizeof(*d));
}

void
mtasts_facts_release(struct mtasts_facts *m)
{
	dns_answer_info_release(&m->txt_answer);
	free(m->txt);
	free(m->txt_error);
	free(m->id);
	free(m->url);
	free(m->content_type);
	free(m->location);
	free(m->body);
	strv_free(m->mx, m->nmx);
	strv_free(m->problems, m->nproblems);
	free(m->error_detail);
	memset(m, 0, sizeof(*m));
}

void
web_facts_release(struct web_facts *w)
{
	struct web_endpoint *e;
	size_t i, k;

	for (i = 0; i < WEB_EP_MAX; i++) {
		e = &w->ep[i];
		free(e->url);
		free(e->error_detail);
		free(e->ip);
		free(e->server);
		free(e->redirect_to);
		for (k = 0; k < e->nhops; k++) {
			free(e->hops[k].url);
			free(e->hops[k].location);
		}
		free(e->eventual);
		free(e->verify_error);
		free(e->hsts);
	}
	addr_facts_unref(w->tls443);
	memset(w, 0, sizeof(*w));
}

void
records_facts_init(struct records_facts *f)
{
	memset(f, 0, sizeof(*f));
	spf_audit_init(&f->spf);
}

void
records_facts_release(struct records_facts *f)
{
	int i;

	spf_audit_release(&f->spf);
	for (i = 0; i < DMARC_STD_MAX; i++)
		if (f->dmarc_done[i])
			dmarc_discovery_release(&f->dmarc[i]);
	if (f->tlsrpt_done)
		tlsrpt_discovery_release(&f->tlsrpt);
	records_facts_init(f);
}

const char *
dane_status_name(enum dane_status s)
{
	static const char *const names[] = {
		[DANE_STATUS_UNKNOWN] = "unknown",
		[DANE_STATUS_NONE] = "none",
		[DANE_STATUS_VALID] = "valid",
		[DANE_STATUS_MISMATCH] = "mismatch",
		[DANE_STATUS_UNUSABLE] = "unusable",
		[DANE_STATUS_BOGUS] = "bogus",
		[DANE_STATUS_INSECURE] = "insecure",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s]
	                                                      : "unknown";
}

void
cert_info_release(struct cert_info *c)
{
	size_t i;

	free(c->subject);
	free(c->issuer);
	for (i = 0; i < c->nsan; i++)
		free(c->san[i]);
	free(c->san);
	free(c->key_type);
	free(c->curve);
	free(c->sig_alg);
	free(c->serial);
	free(c->sha256);
	free(c->der);
}

void
tls_info_release(struct tls_info *t)
{
	size_t i;

	free(t->error);
	free(t->version);
	free(t->cipher);
	free(t->group);
	for (i = 0; i < t->nchain; i++)
		cert_info_release(&t->chain[i]);
	free(t->chain);
	free(t->verify_error);
	free(t->matched_name);
}

struct addr_facts *
addr_facts_new(const char *ip, int family, uint16_t port, const char *sni)
{
	struct addr_facts *f = xcalloc(1, sizeof(*f));

	f->refs = 1;
	f->ip = xstrdup(ip);
	f->family = family;
	f->port = port;
	f->sni = xstrdup(sni);
	f->connect_ms = -1;
	tls_probe_info_init(&f->probes);
	return f;
}

struct addr_facts *
addr_facts_ref(struct addr_facts *f)
{
	f->refs++;
	return f;
}

/* addr_facts_release_found - free what a conversation found */
static void
addr_facts_release_found(struct addr_facts *f)
{
	free(f->fail_detail);
	free(f->banner);
	strv_free(f->capabilities, f->ncapabilities);
	free(f->mangled_token);
	free(f->starttls_reply);
	strv_free(f->capabilities_tls, f->ncapabilities_tls);
	tls_info_release(&f->tls);
}

void
addr_facts_clear(struct addr_facts *f)
{
	struct addr_facts keep = *f;

	addr_facts_release_found(f);
	memset(f, 0, sizeof(*f));
	f->refs = keep.refs;
	f->ip = keep.ip;
	f->family = keep.family;
	f->port = keep.port;
	f->sni = keep.sni;
	f->implicit_tls = keep.implicit_tls;
	f->attempts = keep.attempts;
	f->transcript = keep.transcript;
	f->ntranscript = keep.ntranscript;
	f->connect_ms = -1;
	tls_probe_info_init(&f->probes);
}

void
addr_facts_unref(struct addr_facts *f)
{
	size_t i;

	if (f == NULL || --f->refs > 0)
		return;
	ASSERT(f->refs == 0);
	free(f->ip);
	free(f->sni);
	addr_facts_release_found(f);
	for (i = 0; i < f->ntranscript; i++)
		free(f->transcript[i].text);
	free(f->transcript);
	free(f);
}

struct domain_result *
domain_result_new(const char *domain)
{
	struct domain_result *r = xcalloc(1, sizeof(*r));

	r->domain = xstrdup(domain);
	r->mx_answer.rcode = -1;
	records_facts_init(&r->records);
	r->mail_checked = true;
	r->verdicts.bod1801 = -1;
	r->web_verdicts.bod1801 = -1;
	r->web_verdicts.strong_hsts = -1;
	r->web_verdicts.hsts_max_age = -1;
	return r;
}

void
domain_result_free(struct domain_result *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	free(r->domain);
	dns_answer_info_release(&r->mx_answer);
	for (i = 0; i < r->nmx; i++) {
		struct mx_host *m = &r->mx[i];

		free(m->host);
		free(m->cname);
		dns_answer_info_release(&m->a);
		dns_answer_info_release(&m->aaaa);
		for (j = 0; j < m->naddrs; j++)
			addr_facts_unref(m->addrs[j].facts);
		free(m->addrs);
		dane_facts_release(&m->dane);
	}
	free(r->mx);
	mtasts_facts_release(&r->mtasts);
	records_facts_release(&r->records);
	web_facts_release(&r->web);
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].mx);
		free(r->findings[i].ip);
		free(r->findings[i].message);
	}
	free(r->findings);
	free(r);
}

void
domain_result_add_finding(struct domain_result *r, const char *id,
    enum finding_severity sev, const char *mx, const char *ip, const char *fmt,
    ...)
{
	struct finding *f;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		log_fatalx("out of memory");
	va_end(ap);
	r->findings =
	    xreallocarray(r->findings, r->nfindings + 1, sizeof(*r->findings));
	f = &r->findings[r->nfindings++];
	f->id = id;
	f->severity = sev;
	f->mx = mx != NULL ? xstrdup(mx) : NULL;
	f->ip = ip != NULL ? xstrdup(ip) : NULL;
	f->message = msg;
}

int
domain_result_worst(const struct domain_result *r)
{
	int worst = -1;
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i].severity > worst)
			worst = (int)r->findings[i].severity;
	return worst;
}
