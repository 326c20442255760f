/* SPDX-License-Identifier: ISC */
/*
 * check - derive findings from a domain's result tree.
 *
 * One function per level of the tree: the MX lookup, each MX host's
 * addresses, each SMTP endpoint, its TLS session and certificate. A fact
 * that is unknown (a probe that never ran because the domain's deadline
 * passed) yields a finding that says so, never silence.
 */
#include "check/check.h"

#include <openssl/x509_vfy.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "proto/tls_hello.h"
#include "proto/tls_suites.h"

static void
check_dns_failure(struct domain_result *r, const struct dns_answer_info *a,
    const char *what, const char *mx)
{
	switch (a->status) {
	case DNS_STATUS_SERVFAIL:
		domain_result_add_finding(r, "dns-servfail", SEVERITY_ERROR, mx,
		    NULL, "%s lookup failed: SERVFAIL", what);
		break;
	case DNS_STATUS_REFUSED:
		domain_result_add_finding(r, "dns-refused", SEVERITY_ERROR, mx,
		    NULL, "%s lookup refused by the resolver", what);
		break;
	case DNS_STATUS_TIMEOUT:
		domain_result_add_finding(r, "dns-timeout", SEVERITY_ERROR, mx,
		    NULL, "%s lookup timed out", what);
		break;
	case DNS_STATUS_ERROR:
		domain_result_add_finding(r, "dns-error", SEVERITY_ERROR, mx,
		    NULL, "%s lookup failed: %s", what,
		    a->error ? a->error : "resolver error");
		break;
	default:
		break;
	}
}

static bool
check_dns_bogus(struct domain_result *r, const struct dns_answer_info *a,
    const char *what, const char *mx)
{
	if (a->dnssec != DNSSEC_BOGUS)
		return false;
	domain_result_add_finding(r, "dnssec-bogus", SEVERITY_ERROR, mx, NULL,
	    "%s answer failed DNSSEC validation%s%s", what,
	    a->why_bogus ? ": " : "", a->why_bogus ? a->why_bogus : "");
	return true;
}

static void
check_cert(struct domain_result *r, const struct addr_facts *f, time_t now)
{
	const struct tls_info *t = &f->tls;
	const struct cert_info *leaf;
	const char *mx = f->sni, *ip = f->ip;
	long days;
	bool dated;

	if (t->nchain == 0) {
		domain_result_add_finding(r, "cert-missing", SEVERITY_ERROR, mx,
		    ip, "the server presented no certificate");
		return;
	}
	leaf = &t->chain[0];
	dated = false;
	if (leaf->not_after < now) {
		dated = true;
		domain_result_add_finding(r, "cert-expired", SEVERITY_ERROR, mx,
		    ip, "certificate expired %ld days ago",
		    (long)((now - leaf->not_after) / 86400));
	} else if (leaf->not_before > now) {
		dated = true;
		domain_result_add_finding(r, "cert-not-yet-valid",
		    SEVERITY_ERROR, mx, ip,
		    "certificate is not valid before its start date");
	} else {
		days = (long)((leaf->not_after - now) / 86400);
		if (days < CHECK_CERT_EXPIRY_WARN_DAYS)
			domain_result_add_finding(r, "cert-expires-soon",
			    SEVERITY_WARNING, mx, ip,
			    "certificate expires in %ld days", days);
	}
	if (leaf->self_signed)
		domain_result_add_finding(r, "cert-self-signed", SEVERITY_ERROR,
		    mx, ip, "certificate is self-signed");
	/* an untrusted chain whose only fault is reported above is not new */
	if (!t->trusted && !leaf->self_signed &&
	    !(dated &&
	        (t->verify_code == X509_V_ERR_CERT_HAS_EXPIRED ||
	            t->verify_code == X509_V_ERR_CERT_NOT_YET_VALID)))
		domain_result_add_finding(r, "cert-untrusted", SEVERITY_ERROR,
		    mx, ip, "certificate chain does not verify: %s",
		    t->verify_error ? t->verify_error : "unknown reason");
	if (leaf->key_type != NULL && strcmp(leaf->key_type, "RSA") == 0 &&
	    leaf->key_bits < 2048)
		domain_result_add_finding(r, "cert-key-weak", SEVERITY_ERROR,
		    mx, ip, "the certificate's RSA key has %d bits (< 2048)",
		    leaf->key_bits);
	if (leaf->sig_alg != NULL &&
	    (strncasecmp(leaf->sig_alg, "sha1", 4) == 0 ||
	        strncasecmp(leaf->sig_alg, "md5", 3) == 0 ||
	        strstr(leaf->sig_alg, "SHA1") != NULL))
		domain_result_add_finding(r, "cert-sha1", SEVERITY_WARNING, mx,
		    ip, "the certificate is signed with %s", leaf->sig_alg);
	if (!t->name_match)
		domain_result_add_finding(r, "cert-name-mismatch",
		    SEVERITY_ERROR, mx, ip,
		    "certificate does not match the MX name %s", mx);
}

static void
check_tls(struct domain_result *r, const struct addr_facts *f, time_t now)
{
	const struct tls_info *t = &f->tls;

	if (!t->ok) {
		domain_result_add_finding(r, "starttls-handshake-failed",
		    SEVERITY_ERROR, f->sni, f->ip,
		    "TLS handshake failed after STARTTLS was accepted: %s",
		    t->error ? t->error
		             : (f->fail_detail ? f->fail_detail : "no reason"));
		return;
	}
	if (t->version != NULL &&
	    (strcmp(t->version, "TLSv1") == 0 ||
	        strcmp(t->version, "TLSv1.1") == 0 ||
	        strncmp(t->version, "SSL", 3) == 0))
		domain_result_add_finding(r, "tls-legacy-version",
		    SEVERITY_WARNING, f->sni, f->ip,
		    "negotiated %s, older than TLS 1.2", t->version);
	check_cert(r, f, now);
}

/* check_probes - what the raw hellos found (probe/tls_enum) */
static void
check_probes(struct domain_result *r, const struct addr_facts *f)
{
	static const struct {
		enum tls_proto proto;
		const char *id;
		enum finding_severity sev;
		const char *what;
	} protos[] = {
		{ TLS_PROTO_SSL2, "proto-sslv2", SEVERITY_ERROR, "SSLv2" },
		{ TLS_PROTO_SSL3, "proto-sslv3", SEVERITY_ERROR, "SSLv3" },
		{ TLS_PROTO_TLS10, "proto-tls10", SEVERITY_WARNING, "TLS 1.0" },
		{ TLS_PROTO_TLS11, "proto-tls11", SEVERITY_WARNING, "TLS 1.1" },
	};
	static const struct {
		enum tls_weak weak;
		const char *id;
		enum finding_severity sev;
		const char *what;
	} weak[] = {
		{ TLS_WEAK_RC4, "cipher-rc4", SEVERITY_ERROR, "RC4" },
		{ TLS_WEAK_3DES, "cipher-3des", SEVERITY_ERROR, "3DES or DES" },
		{ TLS_WEAK_EXPORT, "cipher-export", SEVERITY_ERROR,
		    "EXPORT-grade" },
		{ TLS_WEAK_NULL, "cipher-null", SEVERITY_ERROR,
		    "NULL (unencrypted)" },
		{ TLS_WEAK_ANON, "cipher-anon", SEVERITY_WARNING,
		    "anonymous (unauthenticated)" },
	};
	const struct tls_probe_info *pi = &f->probes;
	const char *suite, *ver;
	size_t i;

	if (!pi->ran)
		return;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (pi->proto[protos[i].proto] == 1)
			domain_result_add_finding(r, protos[i].id,
			    protos[i].sev, f->sni, f->ip,
			    "the server accepts %s", protos[i].what);
	if (pi->fs == 0 && pi->proto[TLS_PROTO_TLS13] != 1)
		domain_result_add_finding(r, "no-forward-secrecy",
		    SEVERITY_WARNING, f->sni, f->ip,
		    "no forward-secret key exchange: recorded traffic can be "
		    "decrypted later with the server's key");
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		if (pi->weak[weak[i].weak] != 1)
			continue;
		suite = tls_suite_name(pi->weak_suite[weak[i].weak]);
		ver = tls_hello_version_name(pi->weak_version[weak[i].weak]);
		domain_result_add_finding(r, weak[i].id, weak[i].sev, f->sni,
		    f->ip, "the server accepts %s cipher suites (%s at %s)",
		    weak[i].what, suite != NULL ? suite : "?",
		    ver != NULL ? ver : "?");
	}
}

/* check_endpoint - one SMTP conversation */
static void
check_endpoint(struct domain_result *r, const struct addr_facts *f, time_t now)
{
	const char *mx = f->sni, *ip = f->ip;
	const char *stage = smtp_stage_name(f->fail_stage);
	const char *detail = f->fail_detail ? f->fail_detail : "";

	if (!f->done) {
		domain_result_add_finding(r, "smtp-not-tested", SEVERITY_ERROR,
		    mx, ip,
		    "the conversation did not finish before the "
		    "domain's deadline");
		return;
	}
	if (f->fail_stage == SMTP_STAGE_CONNECT) {
		if (f->fail == SMTP_FAIL_REFUSED)
			domain_result_add_finding(r, "smtp-connect-refused",
			    SEVERITY_ERROR, mx, ip,
			    "connection to port %u refused", f->port);
		else if (f->fail == SMTP_FAIL_UNREACHABLE && f->family == 6)
			/* our network, not theirs: say so, do not fail them */
			domain_result_add_finding(r, "smtp-ipv6-unreachable",
			    SEVERITY_WARNING, mx, ip,
			    "no IPv6 route from this scanner: %s", detail);
		else if (f->fail == SMTP_FAIL_TIMEOUT)
			domain_result_add_finding(r, "smtp-connect-timeout",
			    SEVERITY_ERROR, mx, ip,
			    "connection to port %u timed out", f->port);
		else
			domain_result_add_finding(r, "smtp-connect-failed",
			    SEVERITY_ERROR, mx, ip,
			    "cannot connect to port %u: %s", f->port, detail);
		return;
	}
	if (f->fail_stage == SMTP_STAGE_BANNER) {
		if (f->fail == SMTP_FAIL_REJECTED)
			domain_result_add_finding(r, "smtp-banner-rejected",
			    SEVERITY_ERROR, mx, ip,
			    "the server greeted with %d instead of 220",
			    f->banner_code);
		else if (f->fail == SMTP_FAIL_TIMEOUT)
			domain_result_add_finding(r, "smtp-banner-timeout",
			    SEVERITY_ERROR, mx, ip,
			    "connected, but no greeting arrived: %s", detail);
		else
			domain_result_add_finding(r, "smtp-banner-failed",
			    SEVERITY_ERROR, mx, ip, "no usable greeting: %s",
			    detail);
		return;
	}
	if (f->helo_fallback)
		/* HELO cannot ask for STARTTLS: mail goes in the clear */
		domain_result_add_finding(r, "smtp-ehlo-rejected",
		    SEVERITY_ERROR, mx, ip,
		    "EHLO refused; HELO has no STARTTLS, so mail to this "
		    "address is never encrypted");
	if (f->starttls_mangled)
		domain_result_add_finding(r, "starttls-mangled", SEVERITY_ERROR,
		    mx, ip,
		    "the STARTTLS capability arrived as \"%s\": a device on "
		    "the path strips STARTTLS",
		    f->mangled_token ? f->mangled_token : "?");
	if (f->ehlo_ok && !f->starttls_offered && !f->starttls_mangled &&
	    !f->implicit_tls)
		domain_result_add_finding(r, "starttls-missing", SEVERITY_ERROR,
		    mx, ip, "the server does not offer STARTTLS");
	if (f->starttls_code != 0 && f->starttls_code != 220)
		domain_result_add_finding(r, "starttls-rejected",
		    SEVERITY_ERROR, mx, ip, "STARTTLS answered %d: %s",
		    f->starttls_code,
		    f->starttls_reply ? f->starttls_reply : "");
	if (f->starttls_leftover)
		domain_result_add_finding(r, "starttls-injection",
		    SEVERITY_ERROR, mx, ip,
		    "bytes arrived after the STARTTLS reply and before the "
		    "handshake");
	if (f->tls.attempted)
		check_tls(r, f, now);
	check_probes(r, f);
	/* failures after the greeting that nothing above explains */
	if (f->fail == SMTP_FAIL_TIMEOUT && f->fail_stage != SMTP_STAGE_QUIT &&
	    f->fail_stage != SMTP_STAGE_HANDSHAKE)
		domain_result_add_finding(r, "smtp-timeout", SEVERITY_ERROR, mx,
		    ip, "no answer at stage %s: %s", stage, detail);
	else if ((f->fail == SMTP_FAIL_CLOSED || f->fail == SMTP_FAIL_RESET ||
	             f->fail == SMTP_FAIL_PROTOCOL) &&
	    f->fail_stage != SMTP_STAGE_HANDSHAKE)
		domain_result_add_finding(r, "smtp-protocol-error",
		    SEVERITY_ERROR, mx, ip,
		    "conversation broke at stage %s: %s", stage, detail);
	else if (f->fail == SMTP_FAIL_REJECTED &&
	    (f->fail_stage == SMTP_STAGE_EHLO ||
	        f->fail_stage == SMTP_STAGE_HELO ||
	        f->fail_stage == SMTP_STAGE_EHLO_TLS))
		domain_result_add_finding(r, "smtp-rejected", SEVERITY_ERROR,
		    mx, ip, "the server refused us at stage %s: %s", stage,
		    detail);
}

static void
check_mx_host(struct domain_result *r, const struct mx_host *m, time_t now)
{
	size_t i;

	if (m->literal) {
		domain_result_add_finding(r, "mx-address-literal",
		    SEVERITY_ERROR, m->host, NULL,
		    "the MX record names an address, not a host (RFC 5321 "
		    "5.1): senders look it up as a name and fail");
		return;
	}
	if (m->cname != NULL && m->preference >= 0)
		domain_result_add_finding(r, "mx-cname", SEVERITY_WARNING,
		    m->host, NULL,
		    "the MX name is an alias of %s (RFC 2181 10.3 and RFC "
		    "5321 5.1 forbid it); some senders refuse it",
		    m->cname);
	if (check_dns_bogus(r, &m->a, "A", m->host) ||
	    check_dns_bogus(r, &m->aaaa, "AAAA", m->host))
		return;
	check_dns_failure(r, &m->a, "A", m->host);
	check_dns_failure(r, &m->aaaa, "AAAA", m->host);
	if (m->naddrs == 0 && m->a.status != DNS_STATUS_TIMEOUT &&
	    m->aaaa.status != DNS_STATUS_TIMEOUT &&
	    m->a.status != DNS_STATUS_SERVFAIL &&
	    m->aaaa.status != DNS_STATUS_SERVFAIL) {
		domain_result_add_finding(r,
		    m->preference < 0 ? "mx-none" : "mx-no-address",
		    SEVERITY_ERROR, m->host, NULL,
		    m->preference < 0
		        ? "no MX record and no address: the domain cannot "
		          "receive mail"
		        : "the MX host has no A or AAAA record");
		return;
	}
	for (i = 0; i < m->naddrs; i++)
		check_endpoint(r, m->addrs[i].facts, now);
	check_dane(r, m);
}

/* check_mail - the receiving side: MX, SMTP, TLS, MTA-STS, DANE */
static void
check_mail(struct domain_result *r, time_t now)
{
	size_t i;

	if (r->timed_out)
		domain_result_add_finding(r, "scan-timeout", SEVERITY_ERROR,
		    NULL, NULL,
		    "the domain's deadline passed before every test finished");
	if (check_dns_bogus(r, &r->mx_answer, "MX", NULL))
		return;
	switch (r->mx_answer.status) {
	case DNS_STATUS_NXDOMAIN:
		domain_result_add_finding(r, "dns-nxdomain", SEVERITY_ERROR,
		    NULL, NULL, "the domain does not exist (NXDOMAIN)");
		return;
	case DNS_STATUS_OK:
	case DNS_STATUS_NODATA:
		break;
	case DNS_STATUS_NONE:
		return;
	default:
		check_dns_failure(r, &r->mx_answer, "MX", NULL);
		return;
	}
	if (r->mx_source == MX_SOURCE_NULL) {
		domain_result_add_finding(r, "mx-null", SEVERITY_INFO, NULL,
		    NULL, "null MX (RFC 7505): the domain accepts no mail");
		return;
	}
	if (r->mx_source == MX_SOURCE_IMPLICIT)
		domain_result_add_finding(r, "mx-implicit", SEVERITY_WARNING,
		    NULL, NULL,
		    "no MX record: mail goes to the domain's own address "
		    "(RFC 5321 5.1)");
	if (r->mx_dropped > 0)
		domain_result_add_finding(r, "mx-too-many", SEVERITY_WARNING,
		    NULL, NULL,
		    "%zu MX hosts; the %zu least preferred were not probed",
		    r->nmx + r->mx_dropped, r->mx_dropped);
	for (i = 0; i < r->nmx; i++)
		check_mx_host(r, &r->mx[i], now);
	check_mtasts(r);
}

void
check_domain(struct domain_result *r, time_t now)
{
	check_mail(r, now);
	check_records(r);
	check_web(r);
}
