/* SPDX-License-Identifier: ISC */
/*
 * hsts - HTTP Strict Transport Security (RFC 6797): the
 * Strict-Transport-Security header field value (6.1), the max-age clamps of
 * the browsers, and the readiness of a domain for the HSTS preload list
 * (the submission requirements of hstspreload.org).
 *
 * Pure: no I/O, no globals, no allocation. Nothing is read past len and no
 * NUL is needed. Problems carry static messages and byte offsets.
 *
 * Strictness: "valid" means what a conforming UA applies. The grammar of
 * 6.1 is followed to the letter (with the implied linear white space of RFC
 * 2616 2.1, which is how the RFC writes it), and every other deviation
 * makes the header invalid, as rule 4 of 6.1 says a UA must then ignore it.
 * The parser still reads the whole value, so a report can show everything
 * that was there; the fields describe what was read even when the header
 * is invalid, which a caller must check first.
 */
#ifndef MX_PROTO_HSTS_H
#define MX_PROTO_HSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

#define HSTS_MAXPROBLEMS   16 /* problems kept per header */
#define HSTS_MAXDIRECTIVES 32 /* directive names kept to find repeats */

/* ---- the header field value (RFC 6797 6.1) ---- */

struct hsts_problem {
	size_t off;      /* byte offset in the value */
	const char *msg; /* static, lowercase */
	bool fatal;      /* makes the header invalid; else a warning */
};

struct hsts_header {
	bool valid;              /* a UA applies this header (6.1 rules 1-5) */
	bool has_max_age;        /* a max-age with a good value was read */
	uint64_t max_age;        /* seconds as sent (0 unless has_max_age) */
	bool max_age_saturated;  /* the value did not fit: max_age is
				   UINT64_MAX (the overflow rule of
				   delta-seconds, RFC 7234 1.2.1) */
	bool include_subdomains; /* a valueless includeSubDomains was read */
	bool preload;            /* a valueless preload was read */
	size_t ndirectives;      /* directives read, empty ones not counted */
	size_t nunknown;         /* of those, unknown ones (ignored, rule 5) */
	struct hsts_problem problems[HSTS_MAXPROBLEMS]; /* input order, a
							   missing max-age
							   last */
	size_t nproblems;
	bool problems_truncated; /* more than HSTS_MAXPROBLEMS */
};

/*
 * hsts_parse - one Strict-Transport-Security field value (without the
 * field name and ':'), *out overwritten. The grammar, RFC 6797 6.1:
 *
 *   value     = [ directive ] *( ";" [ directive ] )
 *   directive = directive-name [ "=" directive-value ]
 *   directive-name  = token
 *   directive-value = token / quoted-string
 *
 * with token, quoted-string (and its quoted-pair) from RFC 2616 2.2 and
 * linear white space (SP, HTAB, or CRLF followed by SP or HTAB) allowed
 * between any two of these elements, and at either end. Then:
 *   - directive names are compared ignoring ASCII case (rule 3);
 *   - each directive may appear once: a second one of any name, known or
 *     not, makes the header invalid (rule 2);
 *   - empty directives (";;", a leading or trailing ";") are allowed by the
 *     grammar (one warning);
 *   - max-age is required; its value, after quoted-string unescaping, is
 *     1*DIGIT (6.1.1); a value larger than UINT64_MAX is kept as
 *     UINT64_MAX with max_age_saturated and a warning;
 *   - includeSubDomains has no value (6.1.2);
 *   - preload (not in the RFC: the preload list's convention, valueless):
 *     sets preload; with a value it is an unknown directive (warning);
 *   - other directives are ignored (rule 5), with a warning each.
 *
 * Returns 0 when the header is valid, else -1 with err set to the first
 * fatal problem ("expected ';'", "bad directive name", "missing directive
 * value", "bad directive value", "unterminated quoted-string", "bad
 * character in quoted-string", "repeated directive", "max-age without a
 * value", "max-age is not a number", "includesubdomains takes no value",
 * "missing max-age"). out is filled in both cases. After a syntax error
 * the parser skips to the next ';' that is not inside a quoted-string and
 * goes on.
 */
int hsts_parse(
    const char *p, size_t len, struct hsts_header *out, struct perr *err);

/* ---- browsers ---- */

enum hsts_browser {
	HSTS_BROWSER_CHROMIUM = 0,
	HSTS_BROWSER_FIREFOX,
	HSTS_BROWSER_MAX,
};

#define HSTS_CHROMIUM_MAX_AGE UINT64_C(31536000)   /* 365 days */
#define HSTS_FIREFOX_MAX_AGE  UINT64_C(3153600000) /* 100 * 365 days */

/* hsts_browser_cap - the largest max-age the browser keeps, in seconds */
uint64_t hsts_browser_cap(enum hsts_browser b);

/*
 * hsts_clamp - the max-age the browser applies for a raw value: the value
 * itself, or the browser's cap when it is larger (a saturated value is
 * larger than either cap)
 */
uint64_t hsts_clamp(uint64_t max_age, enum hsts_browser b);

/* hsts_browser_name - "chromium", "firefox" ("" when out of range) */
const char *hsts_browser_name(enum hsts_browser b);

/* ---- preload readiness (hstspreload.org) ---- */

#define HSTS_PRELOAD_MIN_AGE       UINT64_C(31536000) /* one year */
#define HSTS_PRELOAD_MAX_REDIRECTS 3 /* per chain, from http or https */

/* the first answer to http://<domain>/ */
enum hsts_http {
	HSTS_HTTP_UNCHECKED = 0, /* not known: counts as unmet */
	HSTS_HTTP_CLOSED,        /* nothing listens on port 80: allowed */
	HSTS_HTTP_SAME_HOST,     /* a redirect to https://<domain>/... */
	HSTS_HTTP_NO_REDIRECT,   /* an answer that is not a redirect */
	HSTS_HTTP_WWW_FIRST,     /* a redirect to http(s)://www.<domain> */
	HSTS_HTTP_ELSEWHERE,     /* to http://, or to another host */
};

/*
 * Facts that the caller gathered about <domain>. A zeroed struct meets
 * nothing that needs a fact (cert_valid, registrable, http) and breaks none
 * of the rules the flags report.
 */
struct hsts_ready_facts {
	bool registrable; /* <domain> is a registrable domain (eTLD+1): not
			     a subdomain, nor a public suffix */
	bool cert_valid;  /* https://<domain>/ verifies: chain, name, dates */
	enum hsts_http http;    /* first answer to http://<domain>/ */
	bool redirect_insecure; /* a later hop of the redirects from
				   http:// or https://<domain>/ is http:// */
	bool redirect_too_many; /* either chain has more than
				   HSTS_PRELOAD_MAX_REDIRECTS redirects */
	bool www_exists;        /* www.<domain> has an address record */
	bool www_https;         /* and https://www.<domain>/ handshakes with
				   a valid certificate (read only when
				   www_exists) */
	size_t nheaders; /* Strict-Transport-Security fields on the answer
			    to https://<domain>/ (the one parsed is the
			    first, RFC 6797 8.1) */
};

/* the requirements, in the order hstspreload.org lists them */
enum hsts_req {
	HSTS_REQ_DOMAIN = 0,      /* registrable: not a subdomain or suffix */
	HSTS_REQ_CERT,            /* 1. serve a valid certificate */
	HSTS_REQ_HTTP_REDIRECT,   /* 2. http:// redirects to https:// */
	HSTS_REQ_HTTP_SAME_HOST,  /* 2. ... on the same host, first */
	HSTS_REQ_REDIRECT_SECURE, /* 2. no redirect back to http:// */
	HSTS_REQ_REDIRECT_COUNT,  /* 2. at most 3 redirects per chain */
	HSTS_REQ_WWW,             /* 3. www has HTTPS if it exists */
	HSTS_REQ_HEADER,          /* 4. one valid header on https://<domain>/ */
	HSTS_REQ_MAX_AGE,         /* 4. max-age >= 31536000 */
	HSTS_REQ_INCLUDE_SUBDOMAINS, /* 4. includeSubDomains */
	HSTS_REQ_PRELOAD,            /* 4. preload */
	HSTS_REQ_MAX,
};

struct hsts_readiness {
	bool ready;                       /* every requirement met */
	unsigned unmet;                   /* (1u << HSTS_REQ_x) per unmet */
	enum hsts_req list[HSTS_REQ_MAX]; /* the unmet ones, in enum order */
	size_t nunmet;                    /* entries used in list */
};

/*
 * hsts_ready_check - is <domain> ready for the HSTS preload list? hdr is
 * the parsed first Strict-Transport-Security field of the answer to
 * https://<domain>/ (borrowed for the call), or NULL when there was none;
 * f holds the facts gathered by the caller. *out is overwritten.
 *
 * The criteria of hstspreload.org, as implemented:
 *   domain    the name is a registrable domain (the form only accepts those)
 *   cert      https://<domain>/ serves a valid certificate
 *   http      http://<domain>/ redirects (if anything listens on port 80),
 *             and its first redirect goes to https://<domain>/ (not to
 *             www first, nor to another host, nor to http://);
 *             no later redirect of the chains from http:// or https://
 *             goes to http://; at most 3 redirects in each chain
 *   www       if www.<domain> exists, it serves HTTPS
 *   header    exactly one Strict-Transport-Security field, valid (a
 *             missing header also fails max-age, includeSubDomains and
 *             preload), with
 *   max-age   at least 31536000 seconds (one year),
 *   includeSubDomains and preload
 * hdr->valid false fails "header" alone when its fields meet the rest.
 */
void hsts_ready_check(const struct hsts_header *hdr,
    const struct hsts_ready_facts *f, struct hsts_readiness *out);

/* hsts_req_name - stable identifier ("max-age", ...); "" when out of range */
const char *hsts_req_name(enum hsts_req r);

/* hsts_req_msg - one lowercase line for a report; "" when out of range */
const char *hsts_req_msg(enum hsts_req r);

#endif
