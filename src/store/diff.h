/* SPDX-License-Identifier: ISC */
/*
 * diff - what changed for one domain between two scan documents.
 *
 * Pure: two documents of docs/scan-result.schema.json in (jansson, borrowed),
 * a sorted list of changes out, regressions first. A change is a finding
 * that appeared or disappeared (matched by id, severity, mx and ip; the
 * message may differ), or one of the named transitions an auditor asks
 * about: STARTTLS on every MX (summary.starttls_all), a certificate now
 * expired or renewed (per MX address; the web's canonical endpoint), the
 * DMARC policy (reject > quarantine > none > missing), SPF validity, the
 * MTA-STS mode (enforce > testing > none > missing), BOD 18-01 mail and web
 * compliance. A transition is judged only when both documents hold the
 * facts: a key absent from either (an older scan, --checks) is no change.
 */
#ifndef MX_STORE_DIFF_H
#define MX_STORE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"

/* in display order, within each effect */
enum store_diff_kind {
	STORE_DIFF_DOMAIN_ADDED,
	STORE_DIFF_DOMAIN_REMOVED,
	STORE_DIFF_MAIL_COMPLIANCE_LOST,
	STORE_DIFF_MAIL_COMPLIANCE_GAINED,
	STORE_DIFF_WEB_COMPLIANCE_LOST,
	STORE_DIFF_WEB_COMPLIANCE_GAINED,
	STORE_DIFF_STARTTLS_LOST,
	STORE_DIFF_STARTTLS_GAINED,
	STORE_DIFF_CERT_EXPIRED,
	STORE_DIFF_CERT_RENEWED,
	STORE_DIFF_DMARC_WEAKENED,
	STORE_DIFF_DMARC_STRENGTHENED,
	STORE_DIFF_SPF_INVALID,
	STORE_DIFF_SPF_VALID,
	STORE_DIFF_MTA_STS_WEAKENED,
	STORE_DIFF_MTA_STS_STRENGTHENED,
	STORE_DIFF_WEB_CERT_EXPIRED,
	STORE_DIFF_WEB_CERT_RENEWED,
	STORE_DIFF_FINDING_APPEARED,
	STORE_DIFF_FINDING_DISAPPEARED,
	STORE_DIFF_KIND_MAX
};

enum store_diff_effect {
	STORE_DIFF_REGRESSION,  /* worse: what makes "mxaudit diff" exit 1 */
	STORE_DIFF_IMPROVEMENT, /* better */
	STORE_DIFF_NEUTRAL,     /* a domain added or removed, an info finding */
	STORE_DIFF_EFFECT_MAX
};

/*
 * one change; every string is borrowed from the documents or static, so
 * the documents must outlive the diff
 */
struct store_diff_change {
	enum store_diff_kind kind;
	enum store_diff_effect effect;
	const char *from;       /* the value in the older document, or NULL */
	const char *to;         /* the value in the newer document, or NULL */
	const char *mx;         /* the MX host concerned, or NULL */
	const char *ip;         /* its address, or NULL */
	const char *id;         /* findings: the id, else NULL */
	const char *severity;   /* findings: "error", "warning", "info" */
	const char *message;    /* findings: the sentence (of the newer
	                           document when it has one) */
	const json_t *failures; /* compliance lost: the newer document's
	                           bod1801.<side>.failures, or NULL */
	size_t seq;             /* order of discovery: the sort's last key */
};

struct store_diff {
	struct store_diff_change *changes; /* owned: n, sorted */
	size_t n;
	size_t alloc;
	size_t count[STORE_DIFF_EFFECT_MAX]; /* changes per effect */
};

void store_diff_init(struct store_diff *d);
void store_diff_release(struct store_diff *d);

/*
 * store_diff_docs - the changes from a (older) to b (newer), replacing d's.
 * a NULL: the domain was added; b NULL: removed (the other document is not
 * read). Documents of any shape are safe: what is missing or mistyped
 * counts as absent.
 */
void store_diff_docs(struct store_diff *d, const json_t *a, const json_t *b);

/* store_diff_regression - does d hold a regression? */
bool store_diff_regression(const struct store_diff *d);

/* "finding-appeared", "dmarc-weakened" ...; stable identifiers */
const char *store_diff_kind_name(enum store_diff_kind kind);
/* "regression", "improvement", "change" */
const char *store_diff_effect_name(enum store_diff_effect effect);

/*
 * store_diff_change_text - one line, "DOMAIN: EFFECT: KIND: words\n",
 * appended to b; bytes a terminal must not see (controls, bidi overrides,
 * ill-formed UTF-8) are written as \xNN. Returns buf_append's result.
 */
int store_diff_change_text(
    struct buf *b, const char *domain, const struct store_diff_change *c);

/*
 * store_diff_change_json - {"change", "effect", "from", "to", "mx", "ip",
 * "id", "severity", "message", "failures"}, null where not known; a new
 * reference
 */
json_t *store_diff_change_json(const struct store_diff_change *c);

#endif
