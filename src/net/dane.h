/* SPDX-License-Identifier: ISC */
/*
 * dane - DANE authentication of an SMTP server's certificate chain
 * (RFC 7672, RFC 7671, RFC 6698) with OpenSSL's own DANE verifier.
 *
 * Meant for after the handshake: the probe captures the peer chain, the
 * resolver the (DNSSEC-validated) TLSA RRset, and this module tells whether
 * they match, as an RFC 7672 SMTP client would decide it. It builds a
 * throwaway SSL_CTX/SSL with SSL_dane_enable() + SSL_dane_tlsa_add() and
 * runs X509_verify_cert() on the chain with X509_STORE_CTX_set0_dane(), as
 * OpenSSL's test/danetest.c does. The SMTP rules applied:
 *   - only DANE-TA(2) and DANE-EE(3) records are used; PKIX-TA(0) and
 *     PKIX-EE(1) are unusable (RFC 7672 3.1.3), and so are unknown
 *     usages, selectors and matching types and malformed data: all are
 *     skipped and counted, never a failure;
 *   - DANE-EE(3) ignores the names and validity dates of the leaf
 *     (RFC 7672 3.1.1, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
 *   - DANE-TA(2) checks the chain up to the matched trust anchor, its
 *     dates, and the leaf's names against the MX host name and, when
 *     given, the next-hop domain (RFC 7672 3.2.2), with wildcards only as
 *     a whole left-most label (3.2.3);
 *   - digest agility (RFC 7671 9): among records of one usage and
 *     selector, only those of the strongest matching type present count
 *     (SHA2-512 over SHA2-256), OpenSSL's default.
 * No trust store is consulted. Nothing is logged; OpenSSL's error queue is
 * left as it was found.
 */
#ifndef MX_NET_DANE_H
#define MX_NET_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "proto/tlsa.h"

#define DANE_MAXRR   256 /* TLSA records looked at; the rest are ignored */
#define DANE_NAMEMAX 256 /* peername buffer: a DNS name and its NUL */

enum dane_verdict {
	DANE_VERDICT_MATCH = 0, /* DANE-authenticated */
	DANE_VERDICT_NO_MATCH,  /* usable records, verification failed:
				   x509_err says why */
	DANE_VERDICT_NO_USABLE, /* no usable record: RFC 7672 2.2 says use
				   TLS without authentication */
	DANE_VERDICT_ERROR,     /* not decided: bad arguments or an OpenSSL
				   failure */
};

struct dane_params {
	/* borrowed: MX host name (the TLSA base domain), ASCII: the reference
	   identifier */
	const char *mx;
	/* borrowed: a second reference identifier (the next-hop domain), or
	   NULL */
	const char *next_hop;
	const struct tlsa_rr *rrs; /* borrowed: the TLSA RRset */
	size_t nrrs;
	time_t at; /* verification time for DANE-TA(2) chains; 0: now */
};

struct dane_result {
	enum dane_verdict verdict;
	bool matched;  /* verdict == DANE_VERDICT_MATCH */
	int record;    /* index in rrs of the record that matched, -1 */
	int usage;     /* of that record, -1 when none */
	int selector;  /* of that record, -1 when none */
	int mtype;     /* of that record, -1 when none */
	int depth;     /* chain depth the record matched (0 the leaf; may
			   be one past the peer's chain when the anchor is the
			   TLSA data itself), -1 when none; also set when a
			   record matched but verification failed later */
	int x509_err;  /* X509_V_OK when matched, else the X509_V_ERR_*
			   of the verification (X509_V_ERR_DANE_NO_MATCH,
			   X509_V_ERR_HOSTNAME_MISMATCH ...); X509_V_OK when
			   nothing was verified */
	int err_depth; /* depth of the certificate x509_err is about, -1 */
	char peername[DANE_NAMEMAX]; /* the certificate's name that matched
					a reference identifier, as written
					there ("*.example.com"); "" when no
					name was checked (DANE-EE) */
	const char *error;  /* static: why not matched, NULL when matched */
	size_t n_usable;    /* records handed to OpenSSL and accepted */
	size_t n_pkix;      /* usage 0/1: unusable for SMTP */
	size_t n_unknown;   /* unknown usage, selector or matching type */
	size_t n_malformed; /* bad digest length, empty data, or Full(0)
			       data that does not decode */
	bool truncated;     /* more than DANE_MAXRR records: rest ignored */
};

/*
 * dane_match_chain - verify chain (leaf first, as SSL_get_peer_cert_chain()
 * gives it on a client; borrowed, not modified) against p->rrs by the
 * rules above, filling *out (overwritten).
 *
 * Returns 0 when a verdict was reached (MATCH, NO_MATCH or NO_USABLE), -1
 * with verdict ERROR and out->error set when not: "no peer certificate"
 * (chain NULL or empty), "no mx name", "bad mx name" (OpenSSL refused it as
 * a reference identifier), "bad next-hop name", "no tlsa records" (nrrs
 * > 0 but rrs NULL), or "openssl failure".
 * out->error on NO_USABLE is "no usable TLSA records"; on NO_MATCH it is
 * OpenSSL's text for x509_err.
 */
int dane_match_chain(STACK_OF(X509) *chain, const struct dane_params *p,
    struct dane_result *out);

/* dane_verdict_name - "match", "no-match", "no-usable-tlsa", "error" */
const char *dane_verdict_name(enum dane_verdict v);

#endif
