/* SPDX-License-Identifier: ISC */
/*
 * tlsrpt - the SMTP TLS Reporting policy record, _smtp._tls.<domain> TXT
 * (RFC 8460 3).
 *
 *   tlsrpt-record    = %s"v=TLSRPTv1" 1*(field-delim tlsrpt-field)
 *                      [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-field     = %s"rua=" uri *(*WSP "," *WSP uri) / ext-name "="
 *                      ext-value
 *   ext-name         = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   ext-value        = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * RFC 8460 has no "ignore what you cannot read" rule for the record itself,
 * and reporters that parse strictly (mox) drop a record that breaks the
 * grammar: every syntax error is fatal here (valid false), as is a record
 * without rua or without a usable URI. A valid URI of an unsupported scheme
 * is a warning. Extensions are kept; several rua fields are grammatical
 * (each keeps its index). Trailing white space is accepted. URIs are checked
 * by dmarc_uri_check (same rules: ',' '!' ';' percent-encoded).
 *
 * Pure: tlsrpt_parse never allocates (slices point into the input);
 * tlsrpt_discover copies the record it returns (owned, released with
 * tlsrpt_discovery_release).
 */
#ifndef MX_PROTO_TLSRPT_H
#define MX_PROTO_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dmarc.h"
#include "proto/dnsview.h"
#include "proto/domain.h"
#include "util/perr.h"

#define TLSRPT_RECORD_MAX   4096 /* longest record parsed, in bytes */
#define TLSRPT_URI_MAX      16   /* URIs kept, all rua fields together */
#define TLSRPT_EXT_MAX      16   /* extensions kept */
#define TLSRPT_PROBLEM_MAX  24   /* problems kept */
#define TLSRPT_EXT_NAME_MAX 32   /* RFC 8460: 1 + 31 characters */

/* a piece of the input (borrowed) */
struct tlsrpt_slice {
	const char *p;
	size_t len;
};

struct tlsrpt_uri {
	struct dmarc_uri uri; /* checked URI (slices borrowed) */
	size_t field;         /* which rua field (0 = the first) holds it */
};

/* an extension field, name=value */
struct tlsrpt_ext {
	struct tlsrpt_slice name, value;
};

struct tlsrpt_problem {
	const char *msg; /* static, lowercase */
	size_t off;      /* byte offset into the record */
	bool fatal;      /* the record is invalid */
};

struct tlsrpt_record {
	bool valid;     /* reporters use it */
	bool is_tlsrpt; /* starts with v=TLSRPTv1 */
	size_t nrua;    /* rua fields */
	struct tlsrpt_uri uri[TLSRPT_URI_MAX];
	size_t nuri;
	size_t nusable; /* usable mailto:/https: URIs */
	struct tlsrpt_ext ext[TLSRPT_EXT_MAX];
	size_t next;
	struct tlsrpt_problem problem[TLSRPT_PROBLEM_MAX];
	size_t nproblem;
	bool problems_truncated;
};

/*
 * tlsrpt_parse - parse one record (the TXT strings concatenated). *out is
 * fully overwritten. Returns 0 when valid, else -1 with err (may be NULL)
 * at the first fatal problem. p is borrowed and need not be NUL-terminated.
 */
int tlsrpt_parse(
    const char *p, size_t len, struct tlsrpt_record *out, struct perr *err);

/* tlsrpt_is_record - (p, len) starts with "v=TLSRPTv1" followed by ';',
   white space or the end */
bool tlsrpt_is_record(const char *p, size_t len);

enum tlsrpt_select {
	TLSRPT_SELECT_NONE,
	TLSRPT_SELECT_ONE,      /* *index */
	TLSRPT_SELECT_MULTIPLE, /* RFC 8460 3: no TLSRPT then */
};

/* tlsrpt_select - the TLSRPTv1 record among TXT records rr[0..n) */
enum tlsrpt_select tlsrpt_select(
    const char *const *rr, const size_t *len, size_t n, size_t *index);

enum tlsrpt_status {
	TLSRPT_STATUS_NONE = 0, /* no record: TLS-RPT not in use */
	TLSRPT_STATUS_FOUND,    /* one valid record */
	TLSRPT_STATUS_INVALID,  /* one record, invalid */
	TLSRPT_STATUS_MULTIPLE, /* several TLSRPTv1 records: none applies */
	TLSRPT_STATUS_TEMPFAIL, /* DNS failure */
	TLSRPT_STATUS_PENDING,  /* an answer is missing: fetch and rerun */
	TLSRPT_STATUS_ERROR,    /* bad domain name */
};

struct tlsrpt_discovery {
	enum tlsrpt_status status;
	const char *error;         /* static, for NONE..ERROR */
	char name[DOMAIN_MAX + 1]; /* _smtp._tls.<domain> */
	bool secure;               /* DNSSEC-validated answer */
	char *raw;                 /* owned: the record, NUL added */
	size_t raw_len;
	struct tlsrpt_record record; /* raw, parsed (slices into raw) */
};

/*
 * tlsrpt_discover - ask the view for the TXT RRset of _smtp._tls.<domain>,
 * select and parse the record. *out is overwritten; on PENDING it owns
 * nothing, otherwise release it with tlsrpt_discovery_release. Returns
 * out->status.
 */
enum tlsrpt_status tlsrpt_discover(const char *domain,
    const struct dnsview *view, struct tlsrpt_discovery *out);

/* tlsrpt_discovery_release - free what d owns; d may be NULL */
void tlsrpt_discovery_release(struct tlsrpt_discovery *d);

#endif
