/* SPDX-License-Identifier: ISC */
/*
 * dnsview - the DNS as the pure record evaluators see it (SPF check_host,
 * DMARC discovery, MTA-STS/TLS-RPT discovery).
 *
 * An evaluator never does I/O: it asks a struct dnsview for an RRset and
 * gets it, or DNSVIEW_PENDING when the answer is not known yet. On PENDING
 * the evaluator stops and returns its own "pending" result; the driver
 * (probe/dnsview_run, or a test's fake zone) fetches what was asked for and
 * runs the evaluator again from the start. Evaluations are cheap and their
 * lookups few (RFC 7208 caps SPF at 10 DNS mechanisms), so replaying beats
 * writing every evaluator as a resumable state machine, and a test can feed
 * a whole zone up front and never see PENDING.
 */
#ifndef MX_PROTO_DNSVIEW_H
#define MX_PROTO_DNSVIEW_H

#include <stdbool.h>
#include <stddef.h>

enum dnsview_status {
	DNSVIEW_OK = 0,   /* n >= 1 records */
	DNSVIEW_NODATA,   /* the name exists, no record of the type */
	DNSVIEW_NXDOMAIN, /* the name does not exist */
	DNSVIEW_TEMPFAIL, /* SERVFAIL, timeout, bogus DNSSEC: no answer */
	DNSVIEW_PENDING,  /* not fetched yet: stop, the driver will rerun */
};

/*
 * An RRset in presentation form, borrowed from the view (valid until the
 * evaluation returns). Per type:
 *   A, AAAA  the address as inet_ntop() writes it ("192.0.2.1", "2001:db8::1")
 *   TXT      the record's character-strings concatenated without separator
 *            (RFC 7208 3.3, RFC 7489 6.6.3); bytes kept as sent, NUL
 *            included, hence the lengths
 *   MX       the exchange name (no preference, no trailing dot; "." for a
 *            null MX)
 *   PTR      the target name (no trailing dot)
 * Names are as on the wire (case kept), without a trailing dot.
 */
struct dnsview_rrset {
	enum dnsview_status status;
	size_t n;
	const char *const *rr; /* borrowed: n records */
	const size_t *len;     /* borrowed: n lengths */
	bool secure;           /* DNSSEC-validated answer (or denial) */
};

struct dnsview {
	/*
	 * lookup - (name, type) with type a DNS RR type number (1 A, 12 PTR,
	 * 15 MX, 16 TXT, 28 AAAA). name has no trailing dot. Always fills
	 * out (status PENDING when unknown) and returns out->status.
	 */
	enum dnsview_status (*lookup)(
	    void *ctx, const char *name, int type, struct dnsview_rrset *out);
	void *ctx;
};

#endif
