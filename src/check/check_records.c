/* SPDX-License-Identifier: ISC */
/*
 * check_records - findings of the DNS half (SPF, DMARC, TLS-RPT) and the
 * BOD 18-01 mail verdict, with the rules CISA's own reporting applied
 * (cisagov/trustymail_reporter; docs/bod1801.md). Pure over the tree.
 */
#include "check/check.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define BOD1801_RUA "mailto:reports@dmarc.cyber.dhs.gov"

/* check_spf_valid - what a receiver's check_host() would accept */
static bool
check_spf_valid(const struct spf_audit *a)
{
	return a->status == SPF_AUDIT_OK && a->lookups <= SPF_MAX_LOOKUPS &&
	    a->void_lookups <= SPF_MAX_VOID && a->nno_record == 0 &&
	    a->nloops == 0 && !a->temperror;
}

static void
check_spf(struct domain_result *r)
{
	const struct spf_audit *a = &r->records.spf;
	size_t i;

	switch (a->status) {
	case SPF_AUDIT_NONE:
		domain_result_add_finding(r, "spf-missing", SEVERITY_WARNING,
		    NULL, NULL,
		    "no SPF record: anyone may send mail as this domain, as far "
		    "as SPF can tell");
		return;
	case SPF_AUDIT_MULTIPLE:
		domain_result_add_finding(r, "spf-multiple", SEVERITY_ERROR,
		    NULL, NULL,
		    "%zu v=spf1 records: SPF gives permerror (RFC 7208 4.5)",
		    a->nrecords);
		return;
	case SPF_AUDIT_SYNTAX:
		domain_result_add_finding(r, "spf-syntax", SEVERITY_ERROR, NULL,
		    NULL, "the SPF record does not parse: %s at byte %zu",
		    a->error != NULL ? a->error : "?", a->error_off);
		return;
	case SPF_AUDIT_TEMPERROR:
		domain_result_add_finding(r, "spf-temperror", SEVERITY_WARNING,
		    NULL, NULL,
		    "the SPF lookup failed: receivers defer or "
		    "ignore SPF (temperror)");
		return;
	default:
		break;
	}
	if (a->lookups > SPF_MAX_LOOKUPS)
		domain_result_add_finding(r, "spf-too-many-lookups",
		    SEVERITY_ERROR, NULL, NULL,
		    "the SPF tree needs %zu DNS lookups (include, a, mx, ptr, "
		    "exists, redirect); past %d, check_host() gives permerror "
		    "(RFC 7208 4.6.4)",
		    a->lookups, SPF_MAX_LOOKUPS);
	if (a->void_lookups > SPF_MAX_VOID)
		domain_result_add_finding(r, "spf-void-lookups", SEVERITY_ERROR,
		    NULL, NULL,
		    "%zu SPF lookups return nothing; past %d, check_host() "
		    "gives permerror (RFC 7208 4.6.4)",
		    a->void_lookups, SPF_MAX_VOID);
	for (i = 0; i < a->nno_record; i++)
		domain_result_add_finding(r, "spf-include-no-record",
		    SEVERITY_ERROR, NULL, NULL,
		    "the SPF record includes %s, which has no SPF record: "
		    "permerror when evaluation gets there (RFC 7208 5.2)",
		    a->no_record[i]);
	for (i = 0; i < a->nloops; i++)
		domain_result_add_finding(r, "spf-loop", SEVERITY_ERROR, NULL,
		    NULL,
		    "the SPF tree includes %s from inside itself: a loop, "
		    "which ends in permerror",
		    a->loops[i]);
	if (a->temperror)
		domain_result_add_finding(r, "spf-temperror", SEVERITY_WARNING,
		    NULL, NULL,
		    "a lookup inside the SPF tree failed: the worst-case "
		    "counts may be low");
	if (a->uses_ptr)
		domain_result_add_finding(r, "spf-ptr", SEVERITY_WARNING, NULL,
		    NULL,
		    "the SPF tree uses ptr, which RFC 7208 5.5 says not to use "
		    "(slow, unreliable; many receivers skip it)");
	switch (a->all_effective) {
	case SPF_QUAL_PASS:
		domain_result_add_finding(r, "spf-plus-all", SEVERITY_ERROR,
		    NULL, NULL,
		    "the SPF record ends in +all: every host on the Internet "
		    "passes SPF for this domain");
		break;
	case SPF_QUAL_NEUTRAL:
		domain_result_add_finding(r, "spf-neutral-all",
		    SEVERITY_WARNING, NULL, NULL,
		    "the SPF record ends in ?all: other hosts get neutral, "
		    "which protects nothing");
		break;
	case SPF_QUAL_SOFTFAIL:
		domain_result_add_finding(r, "spf-softfail-all", SEVERITY_INFO,
		    NULL, NULL,
		    "the SPF record ends in ~all (softfail): receivers accept "
		    "and mark; -all with DMARC is stricter");
		break;
	case SPF_QUAL_FAIL:
		break;
	default:
		domain_result_add_finding(r, "spf-no-all", SEVERITY_WARNING,
		    NULL, NULL,
		    "the SPF record has no all and no redirect: other hosts "
		    "get neutral (RFC 7208 4.7)");
		break;
	}
}

/* check_rua_bod - an aggregate URI is exactly DHS's (case aside) */
static bool
check_rua_bod(const struct dmarc_record *rec)
{
	size_t i;

	for (i = 0; i < rec->nrua; i++)
		if (rec->rua[i].text.len == strlen(BOD1801_RUA) &&
		    strncasecmp(rec->rua[i].text.p, BOD1801_RUA,
		        strlen(BOD1801_RUA)) == 0 &&
		    !rec->rua[i].has_size)
			return true;
	return false;
}

static void
check_dmarc(struct domain_result *r)
{
	const struct records_facts *f = &r->records;
	const struct dmarc_discovery *d = &f->dmarc[DMARC_RFC9989];
	const struct dmarc_discovery *l = &f->dmarc[DMARC_RFC7489];
	const struct dmarc_record *rec = &d->record;
	const struct dmarc_verdict *v = &rec->verdict[DMARC_RFC9989];
	char buf[256];
	size_t i;

	switch (d->status) {
	case DMARC_STATUS_NONE:
		domain_result_add_finding(r, "dmarc-missing", SEVERITY_WARNING,
		    NULL, NULL,
		    "no DMARC record for the domain or its organization: "
		    "receivers apply no policy to spoofed mail");
		return;
	case DMARC_STATUS_MULTIPLE:
		domain_result_add_finding(r, "dmarc-multiple", SEVERITY_ERROR,
		    NULL, NULL,
		    "several v=DMARC1 records at %s: receivers use none",
		    d->record_name[0] != '\0' ? d->record_name : "_dmarc");
		return;
	case DMARC_STATUS_UNUSABLE:
		for (i = 0; i < rec->nproblem; i++)
			if (rec->problem[i].sev == DMARC_SEV_FATAL)
				break;
		domain_result_add_finding(r, "dmarc-invalid", SEVERITY_ERROR,
		    NULL, NULL, "the DMARC record at %s is unusable: %s%s%s",
		    d->record_name,
		    i < rec->nproblem ? rec->problem[i].tag : "",
		    i < rec->nproblem && rec->problem[i].tag[0] != '\0' ? ": "
		                                                        : "",
		    i < rec->nproblem ? rec->problem[i].msg : "invalid");
		return;
	case DMARC_STATUS_TEMPFAIL:
	case DMARC_STATUS_ERROR:
	case DMARC_STATUS_PENDING:
		domain_result_add_finding(r, "dmarc-tempfail", SEVERITY_WARNING,
		    NULL, NULL, "the DMARC lookup failed: %s",
		    d->error != NULL ? d->error : "no answer");
		return;
	case DMARC_STATUS_FOUND:
		break;
	}
	if (v->fallback) {
		for (i = 0; i < rec->nproblem; i++)
			if (rec->problem[i].sev == DMARC_SEV_WARN &&
			    rec->problem[i].tag[0] != '\0')
				break;
		domain_result_add_finding(r, "dmarc-invalid", SEVERITY_ERROR,
		    NULL, NULL,
		    "the DMARC record at %s is broken (%s%s%s): receivers "
		    "treat it as p=none, reports only",
		    d->record_name,
		    i < rec->nproblem ? rec->problem[i].tag : "p", ": ",
		    i < rec->nproblem ? rec->problem[i].msg
		                      : "missing or invalid");
	}
	for (i = 0; i < rec->nproblem; i++)
		if (rec->problem[i].sev == DMARC_SEV_WARN && !v->fallback &&
		    (rec->problem[i].std & DMARC_STD_BIT(DMARC_RFC9989)))
			domain_result_add_finding(r, "dmarc-tag-ignored",
			    SEVERITY_WARNING, NULL, NULL,
			    "DMARC tag %s: %s (receivers use the default)",
			    rec->problem[i].tag, rec->problem[i].msg);
	if (d->policy == DMARC_POLICY_NONE && !v->fallback)
		domain_result_add_finding(r, "dmarc-policy-none",
		    SEVERITY_WARNING, NULL, NULL,
		    "the DMARC policy for this domain is none: reports only, "
		    "spoofed mail is delivered");
	else if (d->policy == DMARC_POLICY_QUARANTINE)
		domain_result_add_finding(r, "dmarc-policy-quarantine",
		    SEVERITY_INFO, NULL, NULL,
		    "the DMARC policy for this domain is quarantine: spoofed "
		    "mail goes to spam, not back (BOD 18-01 asks for reject)");
	if ((rec->seen & (1u << DMARC_TAG_PCT)) && rec->pct < 100)
		domain_result_add_finding(r, "dmarc-pct", SEVERITY_WARNING,
		    NULL, NULL,
		    "pct=%d: RFC 7489 receivers apply the policy to that share "
		    "of failing mail only (RFC 9989 drops pct)",
		    rec->pct);
	if (d->applies == DMARC_APPLIES_DOMAIN && v->sp < v->p)
		domain_result_add_finding(r, "dmarc-subdomain-weaker",
		    SEVERITY_WARNING, NULL, NULL,
		    "subdomains get a weaker policy (sp=%s) than the domain "
		    "(p=%s)",
		    dmarc_policy_name(v->sp), dmarc_policy_name(v->p));
	if (rec->nrua == 0)
		domain_result_add_finding(r, "dmarc-no-rua", SEVERITY_WARNING,
		    NULL, NULL,
		    "the DMARC record asks for no aggregate reports (rua): "
		    "nobody sees who sends as the domain");
	for (i = 0; i < f->dmarc_ext.n; i++) {
		if (f->dmarc_ext.dest[i].status != DMARC_EXT_UNAUTHORIZED)
			continue;
		domain_result_add_finding(r, "dmarc-rua-unauthorized",
		    SEVERITY_WARNING, NULL, NULL,
		    "reports go to %s, which does not accept them: no "
		    "v=DMARC1 record at %s (RFC 7489 7.1)",
		    f->dmarc_ext.dest[i].host, f->dmarc_ext.dest[i].query);
	}
	if (dmarc_compare(d, l) != 0)
		domain_result_add_finding(r, "dmarc-standards-differ",
		    SEVERITY_INFO, NULL, NULL,
		    "RFC 9989 (tree walk) and RFC 7489 (organizational domain) "
		    "discovery %s",
		    dmarc_compare_text(dmarc_compare(d, l), buf, sizeof(buf)));
}

static void
check_tlsrpt(struct domain_result *r)
{
	const struct tlsrpt_discovery *t = &r->records.tlsrpt;
	size_t i;

	switch (t->status) {
	case TLSRPT_STATUS_NONE:
		domain_result_add_finding(r, "tls-rpt-missing", SEVERITY_INFO,
		    NULL, NULL,
		    "no TLS-RPT record (RFC 8460): senders cannot report TLS "
		    "failures to the domain");
		break;
	case TLSRPT_STATUS_INVALID:
		for (i = 0; i < t->record.nproblem; i++)
			if (t->record.problem[i].fatal)
				break;
		domain_result_add_finding(r, "tls-rpt-invalid",
		    SEVERITY_WARNING, NULL, NULL,
		    "the TLS-RPT record at %s is invalid: %s", t->name,
		    i < t->record.nproblem ? t->record.problem[i].msg
		                           : "no usable rua");
		break;
	case TLSRPT_STATUS_MULTIPLE:
		domain_result_add_finding(r, "tls-rpt-multiple",
		    SEVERITY_WARNING, NULL, NULL,
		    "several TLSRPTv1 records at %s: senders use none",
		    t->name);
		break;
	default:
		break;
	}
}

/* check_starttls_ok - every SMTP server that answered does STARTTLS */
static bool
check_starttls_ok(const struct domain_result *r)
{
	const struct addr_facts *f;
	size_t i, k;

	for (i = 0; i < r->nmx; i++) {
		for (k = 0; k < r->mx[i].naddrs; k++) {
			f = r->mx[i].addrs[k].facts;
			if (f == NULL || f->banner_code != 220)
				continue; /* no SMTP service there */
			if (!f->starttls_offered || !f->tls.ok)
				return false;
		}
	}
	return true;
}

/* check_weak_crypto - SSLv2, SSLv3, RC4 or 3DES on some mail server */
static bool
check_weak_crypto(const struct domain_result *r)
{
	const struct tls_probe_info *pi;
	size_t i, k;

	for (i = 0; i < r->nmx; i++) {
		for (k = 0; k < r->mx[i].naddrs; k++) {
			if (r->mx[i].addrs[k].facts == NULL)
				continue;
			pi = &r->mx[i].addrs[k].facts->probes;
			if (pi->proto[TLS_PROTO_SSL2] == 1 ||
			    pi->proto[TLS_PROTO_SSL3] == 1 ||
			    pi->weak[TLS_WEAK_RC4] == 1 ||
			    pi->weak[TLS_WEAK_3DES] == 1)
				return true;
		}
	}
	return false;
}

static void
check_fail(struct mail_verdicts *v, const char *id)
{
	if (v->nfailures < MAIL_FAILURES_MAX)
		v->failures[v->nfailures++] = id;
}

/*
 * check_bod1801 - trustymail_reporter's bod_1801_compliant (PEERS.md),
 * with our facts: a domain that does not exist, or whose MX lookup
 * failed, is not scored (CISA scored live domains only).
 */
static void
check_bod1801(struct domain_result *r)
{
	struct mail_verdicts *v = &r->verdicts;
	const struct dmarc_discovery *d = &r->records.dmarc[DMARC_RFC9989];
	const struct dmarc_record *rec = &d->record;
	bool dmarc = v->dmarc_valid, reject;

	v->bod1801 = -1;
	if (!r->records.ran || r->timed_out ||
	    (r->mx_answer.status != DNS_STATUS_OK &&
	        r->mx_answer.status != DNS_STATUS_NODATA))
		return;
	reject = dmarc && d->policy == DMARC_POLICY_REJECT &&
	    (!v->base_domain ||
	        rec->verdict[DMARC_RFC9989].sp == DMARC_POLICY_REJECT) &&
	    rec->pct == 100;
	if (!check_starttls_ok(r))
		check_fail(v, "starttls");
	if (!(v->spf_valid ||
	        (!v->base_domain && r->records.spf.status == SPF_AUDIT_NONE &&
	            reject)))
		check_fail(v, "spf");
	if (check_weak_crypto(r))
		check_fail(v, "weak-crypto");
	if (!dmarc) {
		check_fail(v, "dmarc");
	} else {
		if (d->policy != DMARC_POLICY_REJECT)
			check_fail(v, "dmarc-policy-reject");
		if (v->base_domain &&
		    rec->verdict[DMARC_RFC9989].sp != DMARC_POLICY_REJECT)
			check_fail(v, "dmarc-subdomain-policy-reject");
		if (rec->pct != 100)
			check_fail(v, "dmarc-pct-100");
		if (!check_rua_bod(rec))
			check_fail(v, "dmarc-rua-dhs");
	}
	v->bod1801 = v->nfailures == 0 ? 1 : 0;
	if (!v->bod1801) {
		char list[256] = "";
		size_t i, n = 0;

		for (i = 0; i < v->nfailures && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n,
			    "%s%s", i > 0 ? ", " : "", v->failures[i]);
		domain_result_add_finding(r, "bod1801-mail-noncompliant",
		    SEVERITY_INFO, NULL, NULL,
		    "BOD 18-01 (mail): not compliant: %s", list);
	}
}

void
check_records(struct domain_result *r)
{
	const struct records_facts *f = &r->records;
	struct mail_verdicts *v = &r->verdicts;

	if (!f->ran) {
		v->bod1801 = -1;
		return;
	}
	v->spf_valid = check_spf_valid(&f->spf);
	/* a broken p that falls back to none (RFC 7489 6.6.3) is not valid */
	v->dmarc_valid = f->dmarc[DMARC_RFC9989].status == DMARC_STATUS_FOUND &&
	    !f->dmarc[DMARC_RFC9989].record.verdict[DMARC_RFC9989].fallback;
	v->tlsrpt_valid = f->tlsrpt.status == TLSRPT_STATUS_FOUND;
	v->base_domain = f->dmarc[DMARC_RFC7489].org_domain[0] != '\0' &&
	    strcmp(f->dmarc[DMARC_RFC7489].org_domain, r->domain) == 0;
	check_spf(r);
	check_dmarc(r);
	check_tlsrpt(r);
	check_bod1801(r);
}
