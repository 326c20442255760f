/* SPDX-License-Identifier: ISC */
/*
 * check_sts - findings of the downgrade-proof half: MTA-STS (RFC 8461)
 * and DANE (RFC 7672). Pure over the result tree, like check.c.
 */
#include "check/check.h"

#include <string.h>

#include "proto/mtasts.h"

#define CHECK_STS_MIN_MAX_AGE 86400 /* a day: anything less barely caches */

/* the fetch failures, by the error id of struct mtasts_facts */
static const struct {
	const char *error; /* mtasts_facts.error */
	const char *id;    /* the finding */
	const char *what;  /* for a person */
} check_sts_fetch[] = {
	{ "fetch-dns", "mta-sts-fetch-dns",
	    "the policy host mta-sts.<domain> has no address" },
	{ "fetch-connect", "mta-sts-fetch-connect",
	    "the policy host refused the connection" },
	{ "fetch-timeout", "mta-sts-fetch-timeout",
	    "the policy host did not answer in time" },
	{ "fetch-tls", "mta-sts-fetch-tls", "the TLS handshake failed" },
	{ "fetch-cert", "mta-sts-fetch-cert",
	    "the policy host's certificate is not valid for its name" },
	{ "fetch-http", "mta-sts-fetch-http", "the HTTP answer was broken" },
	{ "fetch-too-large", "mta-sts-fetch-too-large",
	    "the policy is larger than 64 KiB" },
	{ "fetch-redirect", "mta-sts-fetch-redirect",
	    "the policy URL redirects, which RFC 8461 3.3 forbids" },
	{ "fetch-status", "mta-sts-fetch-status",
	    "the policy URL did not answer 200" },
	{ "fetch-content-type", "mta-sts-fetch-content-type",
	    "the policy is not served as text/plain" },
	{ "fetch-other", "mta-sts-fetch-other", "the fetch failed" },
};

/* check_sts_covered - mx is matched by one of the policy's patterns */
static bool
check_sts_covered(const struct mtasts_facts *m, const char *mx)
{
	size_t i;

	for (i = 0; i < m->nmx; i++)
		if (mtasts_mx_match(m->mx[i], strlen(m->mx[i]), mx, strlen(mx)))
			return true;
	return false;
}

/* check_sts_mx - the policy against the MX hosts we actually found */
static void
check_sts_mx(struct domain_result *r, const struct mtasts_facts *m)
{
	bool enforce = m->mode == MTASTS_MODE_ENFORCE;
	const struct addr_facts *f;
	const char *why;
	size_t i, k;

	for (i = 0; i < r->nmx; i++) {
		if (r->mx[i].preference < 0)
			continue; /* implicit MX: RFC 8461 4.1 has no MX to match */
		if (!check_sts_covered(m, r->mx[i].host)) {
			domain_result_add_finding(r, "mta-sts-mx-not-covered",
			    enforce ? SEVERITY_ERROR : SEVERITY_WARNING,
			    r->mx[i].host, NULL,
			    "the MX host matches no mx pattern of the MTA-STS "
			    "policy: %s",
			    enforce
			        ? "senders that honour it refuse to deliver "
			          "there"
			        : "under enforce, senders would refuse it");
			continue;
		}
		if (!enforce)
			continue;
		for (k = 0; k < r->mx[i].naddrs; k++) {
			f = r->mx[i].addrs[k].facts;
			if (f == NULL || !f->done ||
			    (f->fail != SMTP_FAIL_NONE &&
			        f->fail_stage <= SMTP_STAGE_CONNECT))
				continue; /* unreachable: reported already */
			why = !f->tls.ok ? "offers no working TLS"
			    : !f->tls.trusted
			    ? "presents an untrusted certificate"
			    : !f->tls.name_match
			    ? "presents a certificate for another name"
			    : NULL;
			if (why == NULL)
				continue;
			domain_result_add_finding(r,
			    "mta-sts-enforce-cert-invalid", SEVERITY_ERROR,
			    r->mx[i].host, f->ip,
			    "the MTA-STS policy is enforce and this MX %s: "
			    "senders that honour the policy refuse to deliver "
			    "to it",
			    why);
		}
	}
}

void
check_mtasts(struct domain_result *r)
{
	const struct mtasts_facts *m = &r->mtasts;
	size_t i;

	if (!m->ran)
		return;
	if (m->error == NULL && !m->valid) {
		domain_result_add_finding(r, "mta-sts-missing", SEVERITY_INFO,
		    NULL, NULL,
		    "no MTA-STS (RFC 8461): nothing tells senders to insist "
		    "on TLS, so STARTTLS can be stripped on the path");
		return;
	}
	if (m->error != NULL) {
		for (i = 0;
		     i < sizeof(check_sts_fetch) / sizeof(check_sts_fetch[0]);
		     i++) {
			if (strcmp(m->error, check_sts_fetch[i].error) != 0)
				continue;
			domain_result_add_finding(r, check_sts_fetch[i].id,
			    SEVERITY_ERROR, NULL, NULL,
			    "an _mta-sts record is published but the policy "
			    "cannot be fetched from %s: %s%s%s",
			    m->url != NULL ? m->url : "?",
			    check_sts_fetch[i].what,
			    m->error_detail != NULL ? " - " : "",
			    m->error_detail != NULL ? m->error_detail : "");
			return;
		}
		if (strcmp(m->error, "txt-lookup-failed") == 0)
			domain_result_add_finding(r, "mta-sts-dns-error",
			    SEVERITY_WARNING, NULL, NULL,
			    "the _mta-sts TXT lookup failed (%s): senders "
			    "cannot find the policy either",
			    dns_status_name(m->txt_answer.status));
		else if (strcmp(m->error, "txt-multiple") == 0)
			domain_result_add_finding(r, "mta-sts-txt-multiple",
			    SEVERITY_ERROR, NULL, NULL,
			    "%zu v=STSv1 records at _mta-sts: RFC 8461 3.1 "
			    "says senders then use no policy",
			    m->ntxt);
		else if (strcmp(m->error, "txt-invalid") == 0)
			domain_result_add_finding(r, "mta-sts-txt-invalid",
			    SEVERITY_ERROR, NULL, NULL,
			    "the _mta-sts record is invalid (%s): senders "
			    "ignore it",
			    m->txt_error != NULL ? m->txt_error : "?");
		else if (strcmp(m->error, "policy-invalid") == 0)
			domain_result_add_finding(r, "mta-sts-policy-invalid",
			    SEVERITY_ERROR, NULL, NULL,
			    "the MTA-STS policy is invalid (%s): senders "
			    "ignore it",
			    m->nproblems > 0 ? m->problems[0] : "?");
		else if (strcmp(m->error, "policy-without-record") == 0)
			domain_result_add_finding(r,
			    "mta-sts-policy-without-record", SEVERITY_WARNING,
			    NULL, NULL,
			    "a valid MTA-STS policy is served but no _mta-sts "
			    "TXT record announces it: senders never fetch it");
		return;
	}
	if (m->mode == MTASTS_MODE_TESTING)
		domain_result_add_finding(r, "mta-sts-testing",
		    SEVERITY_WARNING, NULL, NULL,
		    "the MTA-STS policy is in testing mode: senders report "
		    "failures (TLS-RPT) but still deliver without TLS");
	else if (m->mode == MTASTS_MODE_NONE)
		domain_result_add_finding(r, "mta-sts-mode-none", SEVERITY_INFO,
		    NULL, NULL,
		    "the MTA-STS policy is mode none: it withdraws an earlier "
		    "policy and protects nothing");
	if (m->max_age >= 0 && m->max_age < CHECK_STS_MIN_MAX_AGE)
		domain_result_add_finding(r, "mta-sts-max-age-short",
		    SEVERITY_WARNING, NULL, NULL,
		    "the policy's max_age is %lld s: senders forget it within "
		    "a day, leaving first contacts open to a downgrade (RFC "
		    "8461 suggests weeks)",
		    m->max_age);
	if (m->mode != MTASTS_MODE_NONE)
		check_sts_mx(r, m);
}

void
check_dane(struct domain_result *r, const struct mx_host *m)
{
	const struct dane_facts *d = &m->dane;

	switch (d->status) {
	case DANE_STATUS_VALID:
		domain_result_add_finding(r, "dane-valid", SEVERITY_INFO,
		    m->host, NULL,
		    "DANE: the TLSA records (DNSSEC-validated) match the "
		    "certificate of every address");
		break;
	case DANE_STATUS_MISMATCH:
		domain_result_add_finding(r, "tlsa-mismatch", SEVERITY_ERROR,
		    m->host, NULL,
		    "DANE: the TLSA records do not match what the server "
		    "presents (%s): DANE senders refuse to deliver",
		    d->detail != NULL ? d->detail : "?");
		break;
	case DANE_STATUS_BOGUS:
		domain_result_add_finding(r, "tlsa-bogus", SEVERITY_ERROR,
		    m->host, NULL,
		    "DANE: the TLSA (or address) answer failed DNSSEC "
		    "validation: DANE senders defer the mail");
		break;
	case DANE_STATUS_INSECURE:
		domain_result_add_finding(r, "tlsa-insecure", SEVERITY_INFO,
		    m->host, NULL,
		    "no DANE: the MX host's zone is not DNSSEC-signed");
		break;
	case DANE_STATUS_NONE:
		domain_result_add_finding(r, "dane-missing", SEVERITY_INFO,
		    m->host, NULL,
		    "no DANE: the MX host's zone is signed but publishes no "
		    "TLSA records");
		break;
	case DANE_STATUS_UNUSABLE:
		break;
	case DANE_STATUS_UNKNOWN:
		if (d->ran && d->answer.status != DNS_STATUS_OK &&
		    d->answer.status != DNS_STATUS_NODATA &&
		    d->answer.status != DNS_STATUS_NXDOMAIN)
			domain_result_add_finding(r, "tlsa-lookup-failed",
			    SEVERITY_WARNING, m->host, NULL,
			    "the TLSA lookup failed (%s): DANE senders defer "
			    "the mail",
			    dns_status_name(d->answer.status));
		break;
	}
	if (d->npkix > 0)
		domain_result_add_finding(r, "tlsa-unusable-usage",
		    d->nusable == 0 ? SEVERITY_WARNING : SEVERITY_INFO, m->host,
		    NULL,
		    "%zu TLSA record(s) use PKIX-TA(0)/PKIX-EE(1), which SMTP "
		    "ignores (RFC 7672 3.1.3)%s",
		    d->npkix, d->nusable == 0 ? ": no DANE protection" : "");
}
