/* SPDX-License-Identifier: ISC */
/*
 * json - one domain's result tree as the JSON document of
 * docs/scan-result.schema.json.
 *
 * Design: one builder per schema object, each returning a new reference, in
 * the key order of the schema. jansson refuses strings that are not UTF-8
 * and json_object_set_new() silently drops a NULL value, so every string
 * goes through report_json_string() and every insertion through
 * report_json_set(), which treats a failure as out of memory: a key the
 * schema requires can never go missing.
 */
#include "report/json.h"
#include "report/json_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "proto/mtasts.h"
#include "proto/tls_suites.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* the range RFC 3339 can express with four-digit years */

/* report_json_set - o[key] = v (stolen); a failure can only be OOM */
void
report_json_set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		log_fatalx("json: %s: out of memory", key);
}

/* report_json_push - append v (stolen) to the array a */
void
report_json_push(json_t *a, json_t *v)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		log_fatalx("json: out of memory");
}

json_t *
report_json_object(void)
{
	json_t *o = json_object();

	if (o == NULL)
		log_fatalx("json: out of memory");
	return o;
}

json_t *
report_json_array(void)
{
	json_t *a = json_array();

	if (a == NULL)
		log_fatalx("json: out of memory");
	return a;
}

json_t *
report_json_string(const char *p, size_t len)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)p;
	size_t i, n, bad, olen;
	bool valid = true;
	json_t *s;
	char *o;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(u + i, len - i, NULL, &bad);
		if (n == 0) {
			valid = false;
			break;
		}
	}
	if (valid) {
		s = json_stringn(p, len);
		if (s == NULL)
			log_fatalx("json: out of memory");
		return s;
	}

	/* each maximal subpart (at least one byte) becomes 3 bytes */
	o = xmalloc(len * 3 + 1);
	olen = 0;
	for (i = 0; i < len; i += n) {
		n = utf8_decode(u + i, len - i, NULL, &bad);
		if (n == 0) {
			memcpy(o + olen, fffd, 3);
			olen += 3;
			n = bad;
		} else {
			memcpy(o + olen, p + i, n);
			olen += n;
		}
	}
	s = json_stringn(o, olen);
	free(o);
	if (s == NULL)
		log_fatalx("json: out of memory");
	return s;
}

/* report_json_str - a C string, or null for NULL */
json_t *
report_json_str(const char *s)
{
	if (s == NULL)
		return json_null();
	return report_json_string(s, strlen(s));
}

/* report_json_str0 - a C string the schema requires, "" for NULL */
json_t *
report_json_str0(const char *s)
{
	return report_json_string(
	    s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

json_t *
report_json_strv(char *const *v, size_t n)
{
	json_t *a = report_json_array();
	size_t i;

	for (i = 0; i < n; i++)
		report_json_push(a, report_json_str0(v[i]));
	return a;
}

json_t *
report_json_bool(bool b)
{
	return b ? json_true() : json_false();
}

json_t *
report_json_int(long long v)
{
	return json_integer((json_int_t)v);
}

/* report_json_int_if - v, or null when it is not known */
json_t *
report_json_int_if(bool known, long long v)
{
	return known ? report_json_int(v) : json_null();
}

/*
 * report_json_real - a number the schema requires; jansson refuses NaN and
 * infinities, which only a bug produces, so they become 0
 */
static json_t *
report_json_real(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

json_t *
report_json_time(time_t t)
{
	time_t c = (time_t)timeutil_clamp(t);
	struct tm tm;
	char s[64];
	int n;

	if (gmtime_r(&c, &tm) == NULL)
		log_fatalx("json: gmtime_r: time out of range");
	n = snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n < 0 || (size_t)n >= sizeof(s))
		log_fatalx("json: time does not fit");
	return report_json_string(s, (size_t)n);
}

static const char *
report_json_stage(const struct addr_facts *f)
{
	if (f->fail_stage > SMTP_STAGE_NONE && f->fail_stage < SMTP_STAGE_MAX)
		return smtp_stage_name(f->fail_stage);
	/* fail_stage NONE: finished without failure, or never finished */
	return f->done ? smtp_stage_name(SMTP_STAGE_DONE)
	               : smtp_stage_name(SMTP_STAGE_NONE);
}

static const char *
report_json_severity(enum finding_severity s)
{
	if (s > SEVERITY_ERROR)
		s = SEVERITY_ERROR;
	return finding_severity_name(s);
}

/* report_json_connected - the TCP connection was established */
static bool
report_json_connected(const struct addr_facts *f)
{
	return f->connect_ms >= 0 && f->fail_stage != SMTP_STAGE_CONNECT;
}

json_t *
report_json_dns(const struct dns_answer_info *a)
{
	json_t *o = report_json_object();
	enum dns_status st = a->status;
	enum dnssec_state ds = a->dnssec;

	if (st > DNS_STATUS_ERROR)
		st = DNS_STATUS_ERROR;
	if (ds > DNSSEC_BOGUS)
		ds = DNSSEC_UNKNOWN;
	report_json_set(o, "status", report_json_str(dns_status_name(st)));
	report_json_set(
	    o, "rcode", report_json_int_if(a->rcode >= 0, a->rcode));
	report_json_set(o, "dnssec", report_json_str(dnssec_state_name(ds)));
	report_json_set(o, "why_bogus", report_json_str(a->why_bogus));
	report_json_set(o, "error", report_json_str(a->error));
	return o;
}

/* report_json_cert - one certificate of the chain as presented */
static json_t *
report_json_cert(const struct cert_info *c)
{
	json_t *o = report_json_object();

	report_json_set(o, "subject", report_json_str0(c->subject));
	report_json_set(o, "issuer", report_json_str0(c->issuer));
	report_json_set(o, "san", report_json_strv(c->san, c->nsan));
	report_json_set(o, "not_before", report_json_time(c->not_before));
	report_json_set(o, "not_after", report_json_time(c->not_after));
	report_json_set(o, "key_type", report_json_str0(c->key_type));
	report_json_set(o, "key_bits", report_json_int(c->key_bits));
	report_json_set(o, "curve", report_json_str(c->curve));
	report_json_set(o, "signature_algorithm", report_json_str0(c->sig_alg));
	report_json_set(o, "serial", report_json_str0(c->serial));
	report_json_set(o, "sha256", report_json_str0(c->sha256));
	report_json_set(o, "self_signed", report_json_bool(c->self_signed));
	return o;
}

/* report_json_leaf - the verdict on the chain and the leaf's main facts */
static json_t *
report_json_leaf(const struct tls_info *t, time_t now)
{
	const struct cert_info *c = &t->chain[0];
	json_t *o = report_json_object(), *chain = report_json_array();
	size_t i;

	report_json_set(o, "trusted", report_json_bool(t->trusted));
	report_json_set(o, "verify_code", report_json_int(t->verify_code));
	report_json_set(o, "verify_error", report_json_str(t->verify_error));
	report_json_set(o, "name_match", report_json_bool(t->name_match));
	report_json_set(o, "matched_name", report_json_str(t->matched_name));
	report_json_set(o, "expired",
	    report_json_bool(
	        timeutil_clamp(now) > timeutil_clamp(c->not_after)));
	report_json_set(o, "not_yet_valid",
	    report_json_bool(
	        timeutil_clamp(now) < timeutil_clamp(c->not_before)));
	report_json_set(o, "not_before", report_json_time(c->not_before));
	report_json_set(o, "not_after", report_json_time(c->not_after));
	report_json_set(
	    o, "days_left", report_json_int(timeutil_days(now, c->not_after)));
	report_json_set(o, "subject", report_json_str0(c->subject));
	report_json_set(o, "issuer", report_json_str0(c->issuer));
	report_json_set(o, "san", report_json_strv(c->san, c->nsan));
	report_json_set(o, "key_type", report_json_str0(c->key_type));
	report_json_set(o, "key_bits", report_json_int(c->key_bits));
	report_json_set(o, "signature_algorithm", report_json_str0(c->sig_alg));
	report_json_set(o, "self_signed", report_json_bool(c->self_signed));
	for (i = 0; i < t->nchain; i++)
		report_json_push(chain, report_json_cert(&t->chain[i]));
	report_json_set(o, "chain", chain);
	return o;
}

/* report_json_tristate - a probe's answer: 1 true, 0 false, -1 null */
json_t *
report_json_tristate(signed char v)
{
	return v < 0 ? json_null() : report_json_bool(v != 0);
}

/* report_json_ciphers - --ciphers: each version's suites, server order */
static json_t *
report_json_ciphers(const struct tls_probe_info *pi)
{
	json_t *o = report_json_object(), *v, *list, *s;
	const struct tls_cipher_list *cl;
	const char *name;
	char code[12];
	size_t i;
	int p;

	if (pi->proto[TLS_PROTO_SSL2] == 1) {
		/* SSLv2: the kinds its SERVER-HELLO listed; no order there */
		v = report_json_object();
		report_json_set(v, "server_order", json_null());
		list = report_json_array();
		for (i = 0; i < pi->nssl2_kinds; i++) {
			const struct tls_suite_ssl2 *k =
			    tls_suite_ssl2_lookup(pi->ssl2_kinds[i]);

			s = report_json_object();
			snprintf(code, sizeof(code), "0x%06X",
			    (unsigned)pi->ssl2_kinds[i]);
			report_json_set(s, "code", report_json_str0(code));
			report_json_set(
			    s, "name", report_json_str(k ? k->name : NULL));
			json_array_append_new(list, s);
		}
		report_json_set(v, "suites", list);
		report_json_set(o, "sslv2", v);
	}
	for (p = TLS_PROTO_SSL3; p <= TLS_PROTO_TLS13; p++) {
		if (pi->proto[p] != 1)
			continue;
		cl = &pi->ciphers[p];
		v = report_json_object();
		report_json_set(
		    v, "server_order", report_json_tristate(cl->server_order));
		list = report_json_array();
		for (i = 0; i < cl->n; i++) {
			s = report_json_object();
			snprintf(code, sizeof(code), "0x%04X", cl->suites[i]);
			name = tls_suite_name(cl->suites[i]);
			report_json_set(s, "code", report_json_str0(code));
			report_json_set(s, "name", report_json_str(name));
			json_array_append_new(list, s);
		}
		report_json_set(v, "suites", list);
		report_json_set(o, tls_proto_name((enum tls_proto)p), v);
	}
	return o;
}

static json_t *
report_json_tls(const struct addr_facts *f, time_t now)
{
	const struct tls_info *t = &f->tls;
	json_t *o, *protos, *weak;
	int i;

	if (!t->attempted)
		return json_null();
	o = report_json_object();
	report_json_set(o, "handshake", report_json_bool(t->ok));
	report_json_set(o, "error", report_json_str(t->error));
	report_json_set(o, "version", report_json_str(t->version));
	report_json_set(o, "cipher", report_json_str(t->cipher));
	report_json_set(o, "cipher_bits",
	    report_json_int_if(
	        t->cipher != NULL && t->cipher_bits > 0, t->cipher_bits));
	report_json_set(o, "group", report_json_str(t->group));
	report_json_set(o, "cert",
	    t->nchain > 0 && t->chain != NULL ? report_json_leaf(t, now)
	                                      : json_null());
	/* the raw probes: each version / family -> accepted, or null */
	protos = report_json_object();
	for (i = 0; i < TLS_PROTO_MAX; i++)
		report_json_set(protos, tls_proto_name((enum tls_proto)i),
		    report_json_tristate(f->probes.proto[i]));
	report_json_set(o, "protocols", protos);
	report_json_set(o, "probe_connections",
	    report_json_int(f->probes.ran ? f->probes.connections : 0));
	weak = report_json_object();
	for (i = 0; i < TLS_WEAK_MAX; i++)
		report_json_set(weak, tls_weak_name((enum tls_weak)i),
		    report_json_tristate(f->probes.weak[i]));
	report_json_set(o, "weak_ciphers", weak);
	report_json_set(o, "forward_secrecy",
	    f->probes.proto[TLS_PROTO_TLS13] == 1
	        ? report_json_bool(true)
	        : report_json_tristate(f->probes.fs));
	if (f->probes.enumerated)
		report_json_set(o, "ciphers", report_json_ciphers(&f->probes));
	return o;
}

static json_t *
report_json_smtp(const struct addr_facts *f)
{
	json_t *o = report_json_object();

	report_json_set(o, "implicit_tls", report_json_bool(f->implicit_tls));
	report_json_set(o, "banner", report_json_str(f->banner));
	report_json_set(o, "banner_code",
	    report_json_int_if(f->banner_code != 0, f->banner_code));
	report_json_set(o, "ehlo", report_json_bool(f->ehlo_ok));
	report_json_set(o, "helo_fallback", report_json_bool(f->helo_fallback));
	report_json_set(o, "capabilities",
	    report_json_strv(f->capabilities, f->ncapabilities));
	report_json_set(o, "starttls", report_json_bool(f->starttls_offered));
	report_json_set(
	    o, "starttls_mangled", report_json_bool(f->starttls_mangled));
	report_json_set(o, "mangled_token", report_json_str(f->mangled_token));
	report_json_set(o, "starttls_code",
	    report_json_int_if(f->starttls_code != 0, f->starttls_code));
	report_json_set(
	    o, "starttls_reply", report_json_str(f->starttls_reply));
	report_json_set(
	    o, "starttls_leftover", report_json_bool(f->starttls_leftover));
	report_json_set(o, "capabilities_tls",
	    report_json_strv(f->capabilities_tls, f->ncapabilities_tls));
	return o;
}

static json_t *
report_json_transcript(const struct addr_facts *f)
{
	json_t *a = report_json_array(), *l;
	const struct transcript_line *t;
	char dir[2];
	size_t i;

	for (i = 0; i < f->ntranscript; i++) {
		t = &f->transcript[i];
		dir[0] = (t->dir == 'S' || t->dir == 'C') ? t->dir : '*';
		dir[1] = '\0';
		l = report_json_object();
		report_json_set(l, "t", report_json_real(t->t));
		report_json_set(l, "dir", report_json_str(dir));
		report_json_set(l, "line", report_json_str0(t->text));
		report_json_push(a, l);
	}
	return a;
}

static json_t *
report_json_addr(const struct addr_facts *f, unsigned flags, time_t now)
{
	json_t *o = report_json_object(), *c, *res;

	report_json_set(o, "ip", report_json_str0(f->ip));
	report_json_set(o, "family", report_json_int(f->family));
	report_json_set(o, "port", report_json_int(f->port));

	c = report_json_object();
	report_json_set(c, "ok", report_json_bool(report_json_connected(f)));
	report_json_set(c, "ms",
	    f->connect_ms >= 0 ? report_json_real(f->connect_ms) : json_null());
	report_json_set(o, "connect", c);

	res = report_json_object();
	report_json_set(res, "stage", report_json_str(report_json_stage(f)));
	report_json_set(res, "failure",
	    f->fail > SMTP_FAIL_NONE && f->fail < SMTP_FAIL_MAX
	        ? report_json_str(smtp_fail_name(f->fail))
	        : json_null());
	report_json_set(res, "detail", report_json_str(f->fail_detail));
	report_json_set(o, "result", res);

	report_json_set(o, "duration_ms", report_json_real(f->duration_ms));
	report_json_set(o, "smtp", report_json_smtp(f));
	report_json_set(o, "tls", report_json_tls(f, now));
	if (flags & REPORT_JSON_TRANSCRIPT)
		report_json_set(o, "transcript", report_json_transcript(f));
	return o;
}

/* report_json_dane - the MX host's DANE state (schema: mx[].dane) */
static json_t *
report_json_dane(const struct dane_facts *d)
{
	json_t *o = report_json_object();
	enum dane_status st = d->status;

	/*
	 * a failed lookup of a secure host: we cannot say. Records none of
	 * which SMTP can use count as none (RFC 7672 2.2: TLS without
	 * authentication); usable and unusable_pkix tell them apart.
	 */
	if (st == DANE_STATUS_UNUSABLE)
		st = DANE_STATUS_NONE;
	report_json_set(o, "status",
	    st == DANE_STATUS_UNKNOWN ? json_null()
	                              : report_json_str(dane_status_name(st)));
	report_json_set(o, "tlsa", report_json_strv(d->tlsa, d->ntlsa));
	report_json_set(o, "usable", report_json_int((long long)d->nusable));
	report_json_set(
	    o, "unusable_pkix", report_json_int((long long)d->npkix));
	report_json_set(o, "detail", report_json_str(d->detail));
	report_json_set(
	    o, "dns", d->ran ? report_json_dns(&d->answer) : json_null());
	return o;
}

/* report_json_mtasts - the domain's MTA-STS facts (schema: mta_sts) */
static json_t *
report_json_mtasts(const struct mtasts_facts *m)
{
	json_t *o = report_json_object(), *fetch;

	report_json_set(o, "txt", report_json_str(m->txt));
	report_json_set(o, "txt_records", report_json_int((long long)m->ntxt));
	report_json_set(o, "id", report_json_str(m->id));
	report_json_set(o, "valid", report_json_bool(m->valid));
	report_json_set(o, "mode",
	    m->policy_valid ? report_json_str(mtasts_mode_name(m->mode))
	                    : json_null());
	report_json_set(o, "mx",
	    m->policy_valid ? report_json_strv(m->mx, m->nmx) : json_null());
	report_json_set(
	    o, "max_age", report_json_int_if(m->policy_valid, m->max_age));
	report_json_set(o, "error", report_json_str(m->error));
	report_json_set(o, "error_detail", report_json_str(m->error_detail));
	report_json_set(
	    o, "problems", report_json_strv(m->problems, m->nproblems));
	fetch = report_json_object();
	report_json_set(fetch, "url", report_json_str(m->url));
	report_json_set(fetch, "attempted", report_json_bool(m->fetched));
	report_json_set(fetch, "status",
	    report_json_int_if(m->http_status > 0, m->http_status));
	report_json_set(
	    fetch, "content_type", report_json_str(m->content_type));
	report_json_set(fetch, "location", report_json_str(m->location));
	report_json_set(fetch, "policy",
	    m->body != NULL ? report_json_string(m->body, m->body_len)
	                    : json_null());
	report_json_set(o, "fetch", fetch);
	report_json_set(o, "dns", report_json_dns(&m->txt_answer));
	return o;
}

static json_t *
report_json_mx(const struct mx_host *m, unsigned flags, time_t now)
{
	json_t *o = report_json_object(), *dns, *addrs;
	size_t i;

	report_json_set(o, "host", report_json_str0(m->host));
	report_json_set(o, "preference",
	    report_json_int_if(m->preference >= 0, m->preference));
	report_json_set(o, "cname",
	    m->cname != NULL ? report_json_str0(m->cname) : json_null());
	dns = report_json_object();
	report_json_set(dns, "a", report_json_dns(&m->a));
	report_json_set(dns, "aaaa", report_json_dns(&m->aaaa));
	report_json_set(o, "dns", dns);
	addrs = report_json_array();
	for (i = 0; i < m->naddrs; i++)
		if (m->addrs[i].facts != NULL)
			report_json_push(addrs,
			    report_json_addr(m->addrs[i].facts, flags, now));
	report_json_set(o, "addresses", addrs);
	report_json_set(o, "dane", report_json_dane(&m->dane));
	return o;
}

static json_t *
report_json_finding(const struct finding *fi)
{
	json_t *o = report_json_object();

	report_json_set(o, "id", report_json_str0(fi->id));
	report_json_set(
	    o, "severity", report_json_str(report_json_severity(fi->severity)));
	report_json_set(o, "mx", report_json_str(fi->mx));
	report_json_set(o, "ip", report_json_str(fi->ip));
	report_json_set(o, "message", report_json_str0(fi->message));
	return o;
}

static json_t *
report_json_summary(const struct domain_result *r)
{
	json_t *o = report_json_object();
	size_t i, j, naddrs = 0, reachable = 0;
	const struct addr_facts *f;
	bool all = true;
	int worst;

	for (i = 0; i < r->nmx; i++) {
		for (j = 0; j < r->mx[i].naddrs; j++) {
			f = r->mx[i].addrs[j].facts;
			if (f == NULL)
				continue;
			naddrs++;
			if (!report_json_connected(f))
				continue;
			reachable++;
			if (!f->starttls_offered || !f->tls.ok)
				all = false;
		}
	}
	worst = domain_result_worst(r);
	report_json_set(o, "mx_count", report_json_int((long long)r->nmx));
	report_json_set(o, "addresses", report_json_int((long long)naddrs));
	report_json_set(
	    o, "starttls_all", report_json_bool(all && reachable > 0));
	report_json_set(o, "worst",
	    report_json_str(worst < 0
	            ? "none"
	            : report_json_severity((enum finding_severity)worst)));
	return o;
}

json_t *
report_json_domain_at(const struct domain_result *r, unsigned flags, time_t now)
{
	json_t *o = report_json_object(), *dns, *mx, *fi, *web;
	enum mx_source src = r->mx_source;
	size_t i;

	if (src > MX_SOURCE_NULL)
		src = MX_SOURCE_NONE;
	report_json_set(o, "domain", report_json_str0(r->domain));
	report_json_set(o, "scanned_at", report_json_time(now));
	report_json_set(o, "duration_ms", report_json_real(r->duration_ms));
	report_json_set(o, "status",
	    report_json_str(
	        (r->mail_checked && src == MX_SOURCE_NONE) || r->timed_out
	            ? "error"
	            : "ok"));
	report_json_set(o, "timed_out", report_json_bool(r->timed_out));
	report_json_set(o, "mx_source", report_json_str(mx_source_name(src)));
	report_json_set(o, "accepts_mail",
	    report_json_bool(src == MX_SOURCE_MX || src == MX_SOURCE_IMPLICIT));
	dns = report_json_object();
	report_json_set(dns, "mx", report_json_dns(&r->mx_answer));
	report_json_set(o, "dns", dns);
	mx = report_json_array();
	for (i = 0; i < r->nmx; i++)
		report_json_push(mx, report_json_mx(&r->mx[i], flags, now));
	report_json_set(o, "mx", mx);
	report_json_set(o, "mta_sts",
	    r->mtasts.ran ? report_json_mtasts(&r->mtasts) : json_null());
	report_json_set(o, "spf", report_json_spf(r));
	report_json_set(o, "dmarc", report_json_dmarc(r));
	report_json_set(o, "tls_rpt", report_json_tlsrpt(r));
	web = report_json_web(r);
	if (json_is_object(web))
		/* port 443's protocols and weak ciphers, from our probes */
		report_json_set(web, "tls",
		    r->web.tls443 != NULL ? report_json_tls(r->web.tls443, now)
		                          : json_null());
	report_json_set(o, "web", web);
	report_json_set(o, "bod1801", report_json_bod1801(r));
	fi = report_json_array();
	for (i = 0; i < r->nfindings; i++)
		report_json_push(fi, report_json_finding(&r->findings[i]));
	report_json_set(o, "findings", fi);
	report_json_set(o, "summary", report_json_summary(r));
	return o;
}

json_t *
report_json_domain(const struct domain_result *r, unsigned flags)
{
	return report_json_domain_at(r, flags, time(NULL));
}

size_t
report_json_dump_flags(unsigned flags)
{
	size_t f = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);

	if (flags & REPORT_JSON_COMPACT)
		f |= JSON_COMPACT;
	else
		f |= JSON_INDENT(2);
	return f;
}

int
report_json_write_at(
    FILE *out, const struct domain_result *r, unsigned flags, time_t now)
{
	json_t *doc = report_json_domain_at(r, flags, now);
	int rc;

	rc = report_json_write_doc(out, doc, flags);
	json_decref(doc);
	return rc;
}

int
report_json_write_doc(FILE *out, const json_t *doc, unsigned flags)
{
	if (json_dumpf(doc, out, report_json_dump_flags(flags)) != 0 ||
	    fputc('\n', out) == EOF || ferror(out))
		return -1;
	return 0;
}

int
report_json_write(FILE *out, const struct domain_result *r, unsigned flags)
{
	return report_json_write_at(out, r, flags, time(NULL));
}
