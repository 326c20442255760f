/* SPDX-License-Identifier: ISC */
/*
 * result - the result tree of a scan: raw facts the engine gathered.
 *
 * The engine (probe/) fills it; check/ derives findings from it without I/O;
 * report/ serializes it. It is plain data, so it sits in the lowest layer
 * that every other one may use. It is the C side of docs/scan-result.schema.json.
 *
 * Ownership: every pointer is owned by the struct that holds it, except
 * mx_addr.facts, which is shared by reference count between every domain
 * whose MX resolves to the same (ip, port, MX name): see addr_facts_ref().
 */
#ifndef MX_PROTO_RESULT_H
#define MX_PROTO_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/dmarc.h"
#include "proto/spf_eval.h"
#include "proto/tlsrpt.h"

/* DNSSEC state of one answer, as libunbound reports it */
enum dnssec_state {
	DNSSEC_UNKNOWN = 0, /* not asked (e.g. query failed) */
	DNSSEC_INSECURE,
	DNSSEC_SECURE,
	DNSSEC_BOGUS,
};

/* outcome of one DNS query */
enum dns_status {
	DNS_STATUS_NONE = 0, /* not asked */
	DNS_STATUS_OK,       /* NOERROR with data */
	DNS_STATUS_NODATA,   /* NOERROR, empty answer */
	DNS_STATUS_NXDOMAIN,
	DNS_STATUS_SERVFAIL,
	DNS_STATUS_REFUSED,
	DNS_STATUS_TIMEOUT, /* no answer before the deadline */
	DNS_STATUS_ERROR,   /* other rcode, malformed answer, resolver error */
};

struct dns_answer_info {
	enum dns_status status;
	enum dnssec_state dnssec;
	int rcode;       /* DNS rcode, -1 when none */
	char *why_bogus; /* owned, NULL unless bogus */
	char *error;     /* owned, resolver or parse error text, or NULL */
};

/* where the MX list came from */
enum mx_source {
	MX_SOURCE_NONE = 0, /* lookup failed */
	MX_SOURCE_MX,       /* MX records */
	MX_SOURCE_IMPLICIT, /* no MX: the domain itself (RFC 5321 5.1) */
	MX_SOURCE_NULL,     /* "0 ." (RFC 7505): accepts no mail */
};

/* how a stage of the SMTP conversation ended */
enum smtp_stage {
	SMTP_STAGE_NONE = 0, /* did not start */
	SMTP_STAGE_CONNECT,
	SMTP_STAGE_BANNER,
	SMTP_STAGE_EHLO,
	SMTP_STAGE_HELO,
	SMTP_STAGE_STARTTLS,
	SMTP_STAGE_HANDSHAKE,
	SMTP_STAGE_EHLO_TLS,
	SMTP_STAGE_QUIT,
	SMTP_STAGE_DONE,
	SMTP_STAGE_MAX
};

/* why a conversation stopped early, at addr_facts.fail_stage */
enum smtp_fail {
	SMTP_FAIL_NONE = 0,
	SMTP_FAIL_REFUSED,     /* connection refused (RST) */
	SMTP_FAIL_UNREACHABLE, /* no route, network unreachable */
	SMTP_FAIL_TIMEOUT,     /* the stage's deadline passed */
	SMTP_FAIL_CLOSED,      /* peer closed the connection */
	SMTP_FAIL_RESET,       /* connection reset / other socket error */
	SMTP_FAIL_REJECTED,    /* peer answered with an error code */
	SMTP_FAIL_PROTOCOL,    /* unparseable or oversized reply */
	SMTP_FAIL_TLS,         /* TLS handshake failed */
	SMTP_FAIL_MAX
};

/* one transcript line: what was said, by whom, when */
struct transcript_line {
	double t;   /* seconds since the connection attempt began */
	char dir;   /* 'S' server, 'C' client, '*' event (connect, TLS ...) */
	char *text; /* owned; control bytes escaped as \xNN */
};

struct cert_info {
	char *subject; /* owned, RFC 2253 one-line */
	char *issuer;  /* owned */
	char **san;    /* owned array of owned dNSName / IP strings */
	size_t nsan;
	time_t not_before;
	time_t not_after;
	char *key_type; /* owned: "RSA", "EC", "ED25519", "ED448", "DSA" */
	int key_bits;
	char *curve;        /* owned, EC curve name or NULL */
	char *sig_alg;      /* owned: "sha256WithRSAEncryption" ... */
	char *serial;       /* owned, hex */
	char *sha256;       /* owned, hex fingerprint of the DER */
	bool self_signed;   /* issuer == subject and self-signature verifies */
	unsigned char *der; /* owned: the certificate as sent (DANE), or NULL */
	size_t der_len;
};

/* protocol versions the raw probes ask about (and TLS 1.3 via OpenSSL) */
enum tls_proto {
	TLS_PROTO_SSL2,
	TLS_PROTO_SSL3,
	TLS_PROTO_TLS10,
	TLS_PROTO_TLS11,
	TLS_PROTO_TLS12,
	TLS_PROTO_TLS13,
	TLS_PROTO_MAX
};

/* the weak cipher families BOD 18-01 and common sense ban */
enum tls_weak {
	TLS_WEAK_RC4,
	TLS_WEAK_3DES, /* and single DES */
	TLS_WEAK_EXPORT,
	TLS_WEAK_NULL,
	TLS_WEAK_ANON,
	TLS_WEAK_MAX
};

#define TLS_PROBE_MAXCIPHERS 128 /* suites listed per version (--ciphers) */

/* every suite a version accepts, in the server's order (--ciphers) */
struct tls_cipher_list {
	uint16_t suites[TLS_PROBE_MAXCIPHERS];
	size_t n;
	signed char server_order; /* 1 the server's order, 0 ours, -1 ? */
};

/* what the protocol and cipher probes found: 1 yes, 0 no, -1 unknown */
struct tls_probe_info {
	bool ran;
	signed char proto[TLS_PROTO_MAX];
	signed char weak[TLS_WEAK_MAX];
	signed char fs; /* a forward-secret suite at TLS <= 1.2 */
	uint16_t weak_suite[TLS_WEAK_MAX];   /* the suite the server chose */
	uint16_t weak_version[TLS_WEAK_MAX]; /* at this version */
	int connections;                     /* probe conversations held */
	bool enumerated; /* the full cipher lists below were asked for */
	struct tls_cipher_list ciphers[TLS_PROTO_MAX];
	uint32_t ssl2_kinds[16]; /* the SSLv2 cipher kinds the server listed */
	size_t nssl2_kinds;
};

/* tls_probe_info_init - nothing known yet (every answer -1) */
void tls_probe_info_init(struct tls_probe_info *pi);
const char *tls_proto_name(enum tls_proto p);
const char *tls_weak_name(enum tls_weak w);

struct tls_info {
	bool attempted; /* a handshake was started */
	bool ok;        /* the handshake completed */
	char *error;    /* owned, why it failed (OpenSSL reason) or NULL */
	char *version;  /* owned: "TLSv1.3" ... */
	char *cipher;   /* owned, IANA/OpenSSL suite name */
	int cipher_bits;
	char *group; /* owned, key exchange group ("X25519") or NULL */
	/* certificate chain as presented, leaf first */
	struct cert_info *chain; /* owned array */
	size_t nchain;
	/* verification against the trust store / --ca-file */
	bool trusted;
	int verify_code; /* X509_V_OK (0) or an X509_V_ERR_* */
	char
	    *verify_error; /* owned, X509_verify_cert_error_string(), or NULL */
	/* the leaf against the MX host name (RFC 7672 3.2.3, RFC 6125) */
	bool name_match;
	char *
	    matched_name; /* owned, the certificate name that matched, or NULL */
};

/*
 * Facts about one SMTP endpoint, gathered once per run and shared by every
 * domain whose MX uses it. Key: (ip, port, MX host name); the name is part
 * of the key because it is the SNI and so may select the certificate.
 */
struct addr_facts {
	int refs;   /* reference count */
	char *ip;   /* owned, presentation form */
	int family; /* 4 or 6 */
	uint16_t port;
	char *sni; /* owned: the MX host name used as SNI and EHLO target */
	bool implicit_tls; /* TLS from the first byte (RFC 8314, port 465) */

	int attempts; /* conversations held (a 421 greeting is retried) */
	bool done;    /* the probe finished; the facts below are final */
	enum smtp_stage fail_stage; /* SMTP_STAGE_NONE when it completed */
	enum smtp_fail fail;        /* why */
	char *fail_detail;          /* owned, human-readable detail or NULL */
	double connect_ms;          /* TCP connect time, or -1 */
	double duration_ms;         /* whole conversation */

	int banner_code;     /* 0 when no banner */
	char *banner;        /* owned, all banner lines joined by '\n' */
	bool ehlo_ok;        /* EHLO answered 250 */
	bool helo_fallback;  /* EHLO refused, HELO used */
	char **capabilities; /* owned, EHLO keywords+params as sent */
	size_t ncapabilities;
	bool starttls_offered;
	bool starttls_mangled;   /* a STARTTLS-shaped keyword like XXXXXXXA */
	char *mangled_token;     /* owned, the keyword seen, or NULL */
	int starttls_code;       /* reply to STARTTLS, 0 when not sent */
	char *starttls_reply;    /* owned, its text */
	bool starttls_leftover;  /* bytes arrived after 220 before TLS */
	char **capabilities_tls; /* owned, EHLO after TLS */
	size_t ncapabilities_tls;
	struct tls_info tls;
	struct tls_probe_info probes; /* raw hello probes, after STARTTLS */

	struct transcript_line *transcript; /* owned array, NULL unless asked */
	size_t ntranscript;
};

struct mx_addr {
	struct addr_facts *facts; /* shared, counted reference */
};

/* DANE (RFC 7672) for one MX host: its TLSA RRset and what it matched */
enum dane_status {
	DANE_STATUS_UNKNOWN = 0, /* not looked up (or the lookup failed) */
	DANE_STATUS_NONE,        /* DNSSEC-secure, and no TLSA records */
	DANE_STATUS_VALID,       /* every address's chain matched */
	DANE_STATUS_MISMATCH,    /* usable records, some chain did not match */
	DANE_STATUS_UNUSABLE,    /* TLSA records, none usable for SMTP */
	DANE_STATUS_BOGUS,       /* the TLSA answer failed validation */
	DANE_STATUS_INSECURE,    /* the MX host's zone is not signed */
};

struct dane_facts {
	bool ran;                      /* TLSA asked for */
	struct dns_answer_info answer; /* _25._tcp.<mx> TLSA (port 25) */
	char **tlsa;                   /* owned: "3 1 1 HEX", as published */
	size_t ntlsa;
	size_t nusable, npkix, nunknown; /* RFC 7672 usability of the set */
	enum dane_status status;
	char *detail; /* owned: why not valid (the first mismatch), or NULL */
};

struct mx_host {
	char *host;     /* owned, lowercase, no trailing dot */
	int preference; /* -1 for the implicit MX */
	char *cname;    /* owned: the alias target when the name is a CNAME */
	bool literal;   /* the MX "name" is an IPv4 or IPv6 address literal */
	struct dns_answer_info a;    /* A lookup */
	struct dns_answer_info aaaa; /* AAAA lookup */
	struct mx_addr *addrs;       /* owned array */
	size_t naddrs;
	struct dane_facts dane;
};

/*
 * MTA-STS (RFC 8461) as published: the _mta-sts TXT record, the policy as
 * fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt, and the
 * policy's fields when it parsed. error is a stable id (docs/findings.md)
 * of the first thing that keeps the domain from having a usable policy.
 */
struct mtasts_facts {
	bool ran;
	struct dns_answer_info txt_answer; /* _mta-sts.<domain> TXT */
	char *txt;   /* owned: the v=STSv1 record as published, or NULL */
	size_t ntxt; /* v=STSv1 records (several: none counts) */
	bool txt_valid;
	char *txt_error;    /* owned: its syntax error, or NULL */
	char *id;           /* owned: its id=, or NULL */
	bool fetched;       /* the policy URL was asked for */
	char *url;          /* owned */
	int http_status;    /* 0 when no HTTP answer */
	char *content_type; /* owned, or NULL */
	char *location;     /* owned: where a redirect pointed, or NULL */
	char *body;         /* owned: the policy as served (capped), or NULL */
	size_t body_len;
	bool valid;        /* a record and a valid policy: senders use it */
	bool policy_valid; /* the policy alone parses without fatal errors */
	int mode;          /* enum mtasts_mode of proto/mtasts.h, 0 unset */
	long long max_age; /* seconds, -1 when absent */
	char **mx;         /* owned: the policy's mx patterns */
	size_t nmx;
	char **problems; /* owned: "line N: message" */
	size_t nproblems;
	const char *error;  /* static stable id, NULL when all is well */
	char *error_detail; /* owned: for a person, or NULL */
};

enum finding_severity {
	SEVERITY_INFO = 0,
	SEVERITY_WARNING,
	SEVERITY_ERROR,
};

struct finding {
	const char *id; /* static, stable identifier ("starttls-missing") */
	enum finding_severity severity;
	char *mx;      /* owned, MX host it concerns, or NULL */
	char *ip;      /* owned, address it concerns, or NULL */
	char *message; /* owned, one sentence for a person */
};

/*
 * What the domain publishes in DNS for mail: SPF (the whole include tree,
 * RFC 7208), DMARC found both ways (RFC 9989's tree walk and RFC 7489's
 * organizational domain), its external report destinations (RFC 7489
 * 7.1), TLS-RPT (RFC 8460). Each is the evaluator's own result.
 */
struct records_facts {
	bool ran;
	bool spf_done, dmarc_done[DMARC_STD_MAX], ext_done, tlsrpt_done;
	struct spf_audit spf;
	struct dmarc_discovery dmarc[DMARC_STD_MAX];
	struct dmarc_external dmarc_ext; /* of the record that applies */
	struct tlsrpt_discovery tlsrpt;
	size_t queries; /* DNS queries it took */
	bool capped;    /* past the query cap: some answers are TEMPFAIL */
};

/*
 * The web side (BOD 18-01, pshtt's rules): the four endpoints
 * http://d/, http://www.d/, https://d/, https://www.d/, each fetched
 * without following redirects, then its redirects followed to where they
 * end. What pshtt concludes from them is check/'s job.
 */
enum web_ep {
	WEB_EP_HTTP_ROOT = 0,
	WEB_EP_HTTP_WWW,
	WEB_EP_HTTPS_ROOT,
	WEB_EP_HTTPS_WWW,
	WEB_EP_MAX
};

#define WEB_MAX_HOPS 10 /* redirects followed from one endpoint */

struct web_hop {
	char *url;      /* owned */
	int status;     /* HTTP status, 0 when the fetch failed */
	char *location; /* owned: Location made absolute, or NULL */
};

struct web_endpoint {
	char *url;          /* owned: "https://www.example.test/" */
	bool https;         /* the scheme */
	bool www;           /* the www. host */
	bool asked;         /* a fetch was made (the host has an address) */
	bool live;          /* an HTTP response arrived (any status) */
	const char *error;  /* static https error id when not live, or NULL */
	char *error_detail; /* owned */
	char *ip;           /* owned: the address that answered */
	int status;         /* the first response's status */
	char *server;       /* owned: its Server header, or NULL */
	char *redirect_to;  /* owned: its Location (absolute), or NULL */
	/* the redirect chain from here: hops[0] is this URL's response */
	struct web_hop hops[WEB_MAX_HOPS + 1];
	size_t nhops;
	char *eventual;      /* owned: the URL the chain ends at, or NULL */
	int eventual_status; /* its status, 0 when the chain broke */
	/* https only: the certificate, judged apart so that each flaw shows */
	bool tls_handshake; /* a TLS session (whatever its validity) */
	bool cert_valid;    /* chain to the trust store and name both good */
	long verify_code;   /* X509_V_OK or the first error */
	char *verify_error; /* owned */
	bool bad_hostname;  /* the leaf does not name the host */
	bool bad_chain;     /* does not chain to the store (not just expired
				  or self-signed) */
	bool expired;       /* the leaf's notAfter has passed */
	bool self_signed;   /* the leaf is self-signed */
	bool client_auth_required;
	size_t chain_len; /* certificates the server sent, 0 unknown */
	char *hsts;       /* owned: the first Strict-Transport-Security
				  value (https only), or NULL */
	size_t nhsts;     /* how many such headers */
};

struct web_facts {
	bool ran;
	struct web_endpoint ep[WEB_EP_MAX];
	/*
	 * TLS facts of port 443 at the canonical host's first address (the
	 * protocol and weak-cipher probes), shared like an MX endpoint's;
	 * counted reference or NULL
	 */
	struct addr_facts *tls443;
	bool preload_list; /* --hsts-preload-list was given */
	bool preloaded, preloaded_via_parent; /* the domain on that list */
	bool base_preloaded; /* its organizational domain on that list */
};

#define WEB_FAILURES_MAX 8

/* what pshtt concludes (docs/pshtt.md), filled by check/ */
struct web_verdicts {
	bool live;
	enum web_ep canonical; /* the canonical endpoint */
	bool valid_https, defaults_https, downgrades_https, strictly_forces;
	bool redirect; /* the domain redirects elsewhere entirely */
	bool https_live, https_full_connection, https_client_auth;
	bool https_bad_chain, https_bad_hostname, https_expired,
	    https_self_signed;
	bool hsts;               /* canonical HTTPS endpoint, max-age > 0 */
	long long hsts_max_age;  /* -1 when none */
	bool hsts_entire_domain; /* includeSubDomains on the root */
	bool hsts_preload_ready;
	bool supports_https, enforces_https;
	signed char strong_hsts; /* 1, 0, -1 (no HSTS: null in pshtt) */
	signed char bod1801;     /* 1 compliant, 0 not, -1 not scored */
	const char *failures[WEB_FAILURES_MAX]; /* static ids */
	size_t nfailures;
};

#define MAIL_FAILURES_MAX 16

/*
 * The conclusions check/ draws from the records and the SMTP facts, for
 * the writers: validity as senders' software sees it, and the BOD 18-01
 * mail verdict with the rules CISA's reporting applied (docs/bod1801.md).
 */
struct mail_verdicts {
	bool spf_valid;
	bool dmarc_valid; /* a usable record applies (RFC 9989 discovery) */
	bool tlsrpt_valid;
	bool base_domain;    /* the domain is its organizational domain */
	signed char bod1801; /* 1 compliant, 0 not, -1 not scored */
	const char *failures[MAIL_FAILURES_MAX]; /* static ids */
	size_t nfailures;
};

struct domain_result {
	char *domain; /* owned, as normalised (lowercase, no trailing dot) */
	struct dns_answer_info mx_answer; /* the MX query */
	enum mx_source mx_source;
	struct mx_host *mx; /* owned array, in preference order */
	size_t nmx;
	size_t mx_dropped; /* MX hosts beyond the probe cap, least preferred */
	struct mtasts_facts mtasts;
	struct records_facts records;
	struct mail_verdicts verdicts; /* filled by check/ */
	struct web_facts web;
	struct web_verdicts web_verdicts; /* filled by check/ */
	struct finding *findings;         /* owned array, filled by check/ */
	size_t nfindings;
	double duration_ms;
	bool timed_out;    /* the whole-domain deadline passed */
	bool mail_checked; /* MX, SMTP and policies were looked at */
};

const char *dnssec_state_name(enum dnssec_state s);
const char *dns_status_name(enum dns_status s);
const char *mx_source_name(enum mx_source s);
const char *smtp_stage_name(enum smtp_stage s);
const char *smtp_fail_name(enum smtp_fail f);
const char *finding_severity_name(enum finding_severity s);

void dns_answer_info_release(struct dns_answer_info *a);
void dane_facts_release(struct dane_facts *d);
void mtasts_facts_release(struct mtasts_facts *m);
void web_facts_release(struct web_facts *w);
void records_facts_init(struct records_facts *f);
void records_facts_release(struct records_facts *f);
const char *dane_status_name(enum dane_status s);
void cert_info_release(struct cert_info *c);
void tls_info_release(struct tls_info *t);

struct addr_facts *addr_facts_new(
    const char *ip, int family, uint16_t port, const char *sni);
struct addr_facts *addr_facts_ref(struct addr_facts *f);
/*
 * addr_facts_clear - forget what a conversation found, before another try;
 * the identity (address, port, name, implicit TLS), the attempt count and
 * the transcript stay.
 */
void addr_facts_clear(struct addr_facts *f);
/* addr_facts_unref - drop a reference; frees at zero. Accepts NULL. */
void addr_facts_unref(struct addr_facts *f);

struct domain_result *domain_result_new(const char *domain);
void domain_result_free(struct domain_result *r);
/* domain_result_add_finding - append a finding; mx, ip may be NULL */
void domain_result_add_finding(struct domain_result *r, const char *id,
    enum finding_severity sev, const char *mx, const char *ip, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));
/* domain_result_worst - highest severity among findings, -1 when none */
int domain_result_worst(const struct domain_result *r);

#endif
