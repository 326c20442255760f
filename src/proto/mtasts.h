/* SPDX-License-Identifier: ISC */
/*
 * mtasts - MTA-STS (RFC 8461): the "_mta-sts" TXT record (3.1), the policy
 * file (3.2) and MX host matching (4.1).
 *
 * Pure: no I/O, no globals, no allocation; every slice points into the
 * caller's input (borrowed: valid while it is). Nothing is read past len and
 * no NUL is needed. Field names and keywords are case-sensitive, as the
 * RFC's ABNF (%s"...") says.
 *
 * Strictness: "valid" means what a conforming sender accepts. The RFC's own
 * leniencies are applied (unknown fields are ignored, a repeated field
 * other than mx counts only the first time, 3.2), and are reported as
 * warnings; every other deviation from the grammar makes the record or the
 * policy invalid, which a sender treats as "no MTA-STS" (3.1, 3.3). The
 * policy parser still reads every line, so the report can name them all.
 */
#ifndef MX_PROTO_MTASTS_H
#define MX_PROTO_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/perr.h"

#define MTASTS_POLICY_MAX  65536    /* policy body cap, bytes (64 KiB) */
#define MTASTS_MAX_AGE_MAX 31557600 /* RFC 8461 3.2, seconds */
#define MTASTS_MAXEXT      16       /* extension fields kept */
#define MTASTS_MAXMX       128      /* mx patterns kept */
#define MTASTS_MAXPROBLEMS 32       /* policy problems kept */

/* a piece of the input (borrowed); len 0 (and p NULL) means absent */
struct mtasts_slice {
	const char *p;
	size_t len;
};

/* an extension field: name and value as written */
struct mtasts_ext {
	struct mtasts_slice name;
	struct mtasts_slice value;
};

/* ---- TXT record (RFC 8461 3.1) ---- */

struct mtasts_txt {
	struct mtasts_slice id;               /* 1-32 letters and digits */
	struct mtasts_ext ext[MTASTS_MAXEXT]; /* other fields, in order */
	size_t next;                          /* entries used in ext */
	bool ext_truncated; /* more than MTASTS_MAXEXT: the rest not kept */
	bool dup_id;        /* a later id= was ignored (RFC 8461 3.2) */
};

/*
 * mtasts_txt_parse - one TXT record (its character-strings concatenated):
 *   "v=STSv1" *WSP ";" *WSP field *(*WSP ";" *WSP field) [*WSP ";" *WSP]
 * where a field is "id=" 1*32(ALPHA / DIGIT), or an extension: a name of
 * a letter or digit and up to 31 of letters, digits, "_", "-", ".", then
 * "=" and 1*(%x21-3A / %x3C / %x3E-7E). The id is required; a second one
 * is ignored (dup_id). *out is overwritten (emptied on error). Returns 0,
 * or -1 with err: "not an mta-sts record" (no "v=STSv1" first), "expected
 * ';'", "bad field name", "field name longer than 32 characters", "expected
 * '='", "empty field value", "empty id", "id has a character other than a
 * letter or digit", "id longer than 32 characters", "missing id".
 */
int mtasts_txt_parse(
    const char *p, size_t len, struct mtasts_txt *out, struct perr *err);

/*
 * mtasts_txt_is_candidate - does the record begin like an MTA-STS record:
 * "v=STSv1", white space, ";" (RFC 8461 3.1 keeps the records that begin
 * with "v=STSv1;"; the space is allowed by its ABNF, as mox does)
 */
bool mtasts_txt_is_candidate(const char *p, size_t len);

enum mtasts_select {
	MTASTS_SELECT_NONE = 0, /* no candidate: the domain has no MTA-STS */
	MTASTS_SELECT_FOUND,    /* exactly one, valid: *out filled */
	MTASTS_SELECT_INVALID,  /* exactly one, with a syntax error: err */
	MTASTS_SELECT_MULTIPLE, /* several candidates: no MTA-STS (3.1) */
};

/*
 * mtasts_txt_select - apply RFC 8461 3.1 to the TXT RRset at
 * "_mta-sts.<domain>" (rr[i], len[i] for i < n, as struct dnsview_rrset
 * holds it): discard the records that are not candidates, then expect
 * exactly one. *index is that record (the first candidate for INVALID, the
 * second one for MULTIPLE; 0 for NONE). err is set only for INVALID.
 * Only FOUND means the sender goes on to fetch the policy.
 */
enum mtasts_select mtasts_txt_select(const char *const *rr, const size_t *len,
    size_t n, struct mtasts_txt *out, size_t *index, struct perr *err);

/* ---- policy file (RFC 8461 3.2) ---- */

enum mtasts_mode {
	MTASTS_MODE_UNSET = 0, /* no valid mode field */
	MTASTS_MODE_ENFORCE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
};

struct mtasts_problem {
	size_t line;     /* 1-based; 0 for the whole body (a missing field) */
	size_t off;      /* byte offset of the problem in the body */
	const char *msg; /* static, lowercase */
	bool fatal;      /* makes the policy invalid; else a warning */
};

struct mtasts_policy {
	struct mtasts_slice version; /* value of the first version field as
					written (also when it is not STSv1) */
	enum mtasts_mode mode;       /* first mode field, UNSET when bad */
	long long max_age; /* seconds from the first max_age field when it is
			      1-10 digits (also above the maximum, which is
			      then a fatal problem); -1 otherwise */
	struct mtasts_slice mx[MTASTS_MAXMX]; /* valid patterns, in order */
	size_t nmx;
	bool mx_truncated; /* more than MTASTS_MAXMX: the rest not kept */
	struct mtasts_ext ext[MTASTS_MAXEXT]; /* unknown fields, in order */
	size_t next;
	bool ext_truncated;
	struct mtasts_problem problems[MTASTS_MAXPROBLEMS]; /* input order,
							      missing fields
							      last */
	size_t nproblems;
	bool problems_truncated; /* more than MTASTS_MAXPROBLEMS */
	size_t nlines;           /* lines seen */
	bool valid;              /* no fatal problem */
};

/*
 * mtasts_policy_parse - the policy body (fetched from
 * https://mta-sts.<domain>/.well-known/mta-sts.txt), *out overwritten.
 *
 * Lines end with LF or CRLF, the last one optionally. Each line is
 * "key:" *WSP value *WSP; the key is a letter or digit and up to 31 of
 * letters, digits, "_", "-", "." (a key that is too long, or a line
 * without ':', with leading white space or empty, is fatal). Known keys:
 *   version  "STSv1"                       required
 *   mode     "enforce", "testing", "none"  required
 *   max_age  1*10 DIGIT, at most 31557600  required
 *   mx       ["*."] domain (RFC 5321: LDH labels, letters or digits at
 *            both ends, at most 63 octets each, 253 in all, A-labels
 *            only, no trailing dot)       one or more unless mode none
 * Other keys are extensions: kept in ext, their value must be printable
 * ASCII or UTF-8 and spaces, not empty. A key that differs from a known
 * one only in case is such an extension, with a warning. A repeated
 * version, mode or max_age is ignored with a warning (RFC 8461 3.2: all
 * but the first SHOULD be ignored). Bad values of known keys are fatal.
 *
 * Returns 0 when the policy is valid, else -1 with err set to the first
 * fatal problem; out is filled in both cases. A body longer than
 * MTASTS_POLICY_MAX is not parsed: -1 with "policy larger than 64 kib" (a
 * fetcher should stop reading there).
 */
int mtasts_policy_parse(
    const char *p, size_t len, struct mtasts_policy *out, struct perr *err);

/* mtasts_mode_name - "enforce", "testing", "none", or "" when UNSET */
const char *mtasts_mode_name(enum mtasts_mode mode);

/* ---- MX matching (RFC 8461 4.1) ---- */

/*
 * mtasts_mx_match - does the MX host name match one policy pattern. The
 * comparison ignores ASCII case and one trailing dot on either side. A
 * pattern "*.rest" matches a host that is one non-empty label (without
 * '*' or '.') followed by ".rest": "*.example.com" matches
 * "mx.example.com", not "example.com" nor "a.b.example.com". Any other
 * pattern matches only the same name. Empty names match nothing.
 */
bool mtasts_mx_match(
    const char *pattern, size_t plen, const char *host, size_t hlen);

/*
 * mtasts_policy_mx_match - does host match any mx pattern of pol; the
 * index of the first that does goes to *index when index is non-NULL.
 */
bool mtasts_policy_mx_match(const struct mtasts_policy *pol, const char *host,
    size_t hlen, size_t *index);

#endif
