/* SPDX-License-Identifier: ISC */
/*
 * received - one Received: trace field (RFC 5321 4.4, RFC 5322 3.6.7),
 * parsed into its clauses and the TLS verdict of its hop.
 *
 * RFC 5321 fixes only the skeleton, "from X (TCP-info) by Y via L with P
 * id I for <A>; date"; MTAs put their TLS details into comments, each in its
 * own syntax (see FORMATS.md of the received conformance set). The parser
 * knows the TLS clauses of Postfix, Sendmail and look-alikes (Proofpoint,
 * IBM, Purelymail), Gmail, Microsoft Exchange, Exim (old and new), OpenSMTPD,
 * Courier (and the MDaemon "SSL:" variant), qmail-tls/qpsmtpd, mox and
 * ecelerity, plus the RFC 3848/6531 with-keywords (ESMTPS, ESMTPSA, ...).
 *
 * Pure: no I/O, no globals, no allocation. Lenient by design: any byte
 * string parses (junk gives empty fields and an UNKNOWN verdict, never an
 * error), comments nest, an unterminated comment or quoted string runs to
 * the end, keywords compare case-insensitively, CR and LF count as white
 * space so folded and unfolded input give the same result. Nothing is read
 * past len and no NUL is needed.
 */
#ifndef MX_PROTO_RECEIVED_H
#define MX_PROTO_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>

#include "util/perr.h"

#define RECEIVED_MAX 65536 /* longest field value we parse, in bytes */

enum received_tls {
	RECEIVED_TLS_UNKNOWN = 0, /* no with-protocol and no TLS clause */
	RECEIVED_TLS_NO,          /* a with-protocol and no sign of TLS */
	RECEIVED_TLS_YES, /* a TLS clause, or a with-keyword saying TLS */
};

/* a piece of the input (borrowed); len 0 (and p NULL) means absent */
struct received_slice {
	const char *p;
	size_t len;
};

/* bits of struct received.warnings: what was odd, for the report */
enum received_warn {
	RECEIVED_WARN_UNTERMINATED = 1 << 0, /* a comment or quote ran out */
	RECEIVED_WARN_NUL = 1 << 1,          /* NUL bytes in the field */
	RECEIVED_WARN_NO_BY = 1 << 2,        /* no "by" clause */
	RECEIVED_WARN_NO_DATE = 1 << 3,      /* no ';', or nothing after it */
	RECEIVED_WARN_BAD_DATE = 1 << 4,     /* a date received_date_parse
						rejects */
};

/*
 * Every slice points into the input given to received_parse (borrowed: valid
 * while it is). Single-token slices hold no white space outside quoted
 * strings and quoted-pairs; date and with_text may span several words and keep the folding (CRLF/LF + WSP) of the input,
 * which received_unfold removes for display.
 */
struct received {
	struct received_slice from;      /* the word after "from" (HELO name for
				       Postfix/Sendmail, rDNS for Exim/qmail) */
	struct received_slice from_rdns; /* reverse-DNS name: "NAME [addr]" in
					    the TCP-info comment, or the
					    from word when the TCP-info names
					    the HELO apart (Exim helo=, qmail
					    HELO); "unknown" is absent */
	struct received_slice from_ip;   /* address from the TCP-info: without
					    brackets, "IPv6:", "::ffff:" (before
					    an IPv4) or ":port"; else the from
					    word when it is an address */
	struct received_slice from_helo; /* HELO named in the TCP-info:
					    "helo=X", "(HELO X)", "EHLO X" */
	struct received_slice by;        /* the word after "by" */
	struct received_slice via;       /* the word after "via" */
	struct received_slice with;      /* protocol keyword as written (ESMTPS,
					    esmtps, LMTP, HTTP ...): only when
					    "with" is followed by one atom */
	struct received_slice with_text; /* all the words after "with", e.g.
					    "Microsoft SMTP Server" */
	struct received_slice id;        /* after "id", without <> */
	struct received_slice for_;      /* after "for", without <> */
	struct received_slice envelope_from; /* "(envelope-from <X>)" or
						"(envelope-sender <X>)"
						comment, without <> */
	struct received_slice date; /* after the last top-level ';', leading
				       comments and white space skipped */
	long long time; /* date as UTC epoch seconds, -1 when absent/bad */

	enum received_tls tls;             /* the verdict for this hop */
	struct received_slice tls_version; /* literal token: TLSv1.3, TLS1_2,
					      TLS1.2, TLS-1.0, TLSv1/SSLv3 */
	/* "1.0" "1.1" "1.2" "1.3" "SSL3" "SSL2", or "" when not derivable
	   (no version, or OpenSSL's "TLSv1/SSLv3" cipher-class label) */
	char tls_version_norm[8];
	struct received_slice cipher; /* as written (OpenSSL/IANA/GnuTLS) */
	int bits;                     /* symmetric key bits, 0 when absent */
	struct received_slice verify; /* client-cert verdict as written:
					 sendmail-style verify= (OK, NO,
					 NOT, FAIL ...) or OpenSMTPD's last
					 field (YES, NO, FAIL) */
	/*
	 * static string naming the syntax of the TLS clause: "postfix",
	 * "sendmail-style", "microsoft" (also Exchange 2013's bare "(TLS)",
	 * which names no version), "gmail", "exim-old", "exim-new",
	 * "opensmtpd", "courier", "qmail-tls", "mox", "ecelerity"; NULL when
	 * TLS shows only through the with-keyword, or not at all
	 */
	const char *tls_format;
	bool with_says_tls;    /* with is an RFC 3848/6531 "...S"/"...SA" one
			       (ESMTPS, ESMTPSA, LMTPS, UTF8SMTPS, SMTPS,
			       HTTPS ...), or Mimecast's "with ESMTP with
			       STARTTLS" */
	unsigned int warnings; /* enum received_warn bits */
};

/*
 * received_parse - fill *out (fully overwritten) from the value of one
 * Received: field: the text after "Received:" (a leading "Received:" is
 * skipped too), folded or not. Clauses are found by their keywords (from,
 * by, via, with, id, for; the first of each counts) anywhere before the last
 * top-level ';', the date after it. TLS clauses are looked for in every
 * top-level comment, also after the ';'; when several match, the most
 * specific format wins (microsoft, gmail, sendmail-style, exim-new,
 * opensmtpd, exim-old, postfix, courier, qmail-tls, mox, ecelerity).
 *
 * Verdict: YES when a TLS clause is present or with_says_tls; else NO when
 * there are words after "with" (an Exchange "with Microsoft SMTP Server"
 * hop without version= is NO); else UNKNOWN (qmail "invoked from network",
 * sendmail /Submit lines).
 *
 * Returns 0, or -1 with err set to "received field too long" (len >
 * RECEIVED_MAX) or "empty received field" (only white space, or only
 * "Received:"); *out is then empty (time -1, verdict UNKNOWN). p is
 * borrowed and need not be NUL-terminated.
 */
int received_parse(
    const char *p, size_t len, struct received *out, struct perr *err);

/*
 * received_date_parse - the RFC 5322 date-time of (p, len) as UTC epoch
 * seconds, or -1 when it cannot be read. Lenient: leading and trailing
 * comments and folding, no day name, 2- and 3-digit years (RFC 5322 4.3),
 * no seconds, fractional seconds, obsolete and unknown alphabetic zones
 * (unknown and military ones count as -0000, RFC 5322 4.3), no zone (UTC),
 * "+hh:mm", asctime() order ("Sun Nov 13 14:50:12 [CET] 2005") and
 * "YYYY-MM-DD hh:mm:ss". Text after the zone is ignored. The day must exist
 * in its month; a wrong day name is ignored.
 */
long long received_date_parse(const char *p, size_t len);

/*
 * received_unfold - copy (p, len) into out without the CRLF or LF of each
 * fold (CRLF/LF followed by SP or HT; the SP/HT stays), RFC 5322 2.2.3.
 * out gets at most outsize - 1 bytes and a NUL (outsize >= len + 1 never
 * truncates; outsize 0 writes nothing). Returns the length written.
 */
size_t received_unfold(const char *p, size_t len, char *out, size_t outsize);

#endif
