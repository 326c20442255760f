/* SPDX-License-Identifier: ISC */
/*
 * dmarc - DMARC policy records (RFC 7489 and RFC 9989): parse one record,
 * select it from a TXT RRset, discover the record that applies to a domain
 * (RFC 7489 6.6.3 public-suffix lookup, or the RFC 9989 4.10 DNS tree walk)
 * and check external report destinations (RFC 7489 7.1).
 *
 * One parse judges a record under both standards: every problem carries
 * the standards it applies to, and struct dmarc_record has one verdict per
 * standard (usable or not, the policies a receiver would apply), plus a
 * bit set of the points where the standards part (tags one of them does not
 * know, RFC 7489's "p directly after v", RFC 9989's exclusive fo=0/1).
 *
 * The rules, both standards (7489 6.3, 9989 4.7-4.8 and 4.10.1):
 * - v=DMARC1 first (tag name any case, value exact), else the record is
 *   not DMARC; a tag given twice makes the tag-list invalid (RFC 6376 3.2);
 * - unknown tags are ignored; a bad value of an optional tag is ignored in
 *   favour of its default (a warning);
 * - no valid p (or an invalid sp, or under 9989 np): if rua holds at least
 *   one syntactically valid URI the record acts as p=none, otherwise the
 *   record is unusable (no DMARC processing).
 * White space around '=' and ';', a trailing ';', and upper-case tag names
 * and keyword values are accepted, as both grammars do.
 *
 * Pure: no I/O, no globals. dmarc_parse never allocates (slices point into
 * the input); discovery copies the record it returns (owned, released with
 * dmarc_discovery_release). Evaluations over struct dnsview return PENDING
 * when an answer is missing: the driver fetches and reruns them.
 */
#ifndef MX_PROTO_DMARC_H
#define MX_PROTO_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dnsview.h"
#include "proto/domain.h"
#include "proto/orgdomain.h"
#include "util/perr.h"

#define DMARC_RECORD_MAX  4096 /* longest record parsed, in bytes */
#define DMARC_TAGS_MAX    64   /* tags per record */
#define DMARC_URI_MAX     16   /* URIs kept per rua or ruf */
#define DMARC_UNKNOWN_MAX 16   /* unknown tags kept for display */
#define DMARC_PROBLEM_MAX 48   /* problems kept per record */
#define DMARC_WALK_MAX    8    /* RFC 9989 4.10: queries of a tree walk */
#define DMARC_EXT_MAX     16   /* external destination hosts checked */
#define DMARC_NAME_MAX    (DOMAIN_MAX + 8) /* "_dmarc." + a domain */

/* the two standards; index of struct dmarc_record.verdict */
enum dmarc_std {
	DMARC_RFC7489 = 0, /* 2015, public suffix list */
	DMARC_RFC9989 = 1, /* DMARCbis, DNS tree walk */
	DMARC_STD_MAX,
};
#define DMARC_STD_BIT(s) (1u << (s))
#define DMARC_STD_BOTH \
	(DMARC_STD_BIT(DMARC_RFC7489) | DMARC_STD_BIT(DMARC_RFC9989))

/* the tags either standard defines; bit (1 << tag) in seen/bad */
enum dmarc_tag {
	DMARC_TAG_V,
	DMARC_TAG_P,
	DMARC_TAG_SP,
	DMARC_TAG_NP,  /* 9989 only */
	DMARC_TAG_PSD, /* 9989 only */
	DMARC_TAG_T,   /* 9989 only */
	DMARC_TAG_PCT, /* 7489 only (removed by 9989) */
	DMARC_TAG_RUA,
	DMARC_TAG_RUF,
	DMARC_TAG_ADKIM,
	DMARC_TAG_ASPF,
	DMARC_TAG_FO,
	DMARC_TAG_RF, /* 7489 only (removed by 9989) */
	DMARC_TAG_RI, /* 7489 only (removed by 9989) */
	DMARC_TAG_MAX,
};

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0, /* absent or invalid (or no verdict) */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT,
};

enum dmarc_sev {
	DMARC_SEV_INFO,  /* style, obsolete syntax: changes nothing */
	DMARC_SEV_WARN,  /* a value ignored for its default, a bad URI */
	DMARC_SEV_FATAL, /* the record is unusable */
};

/* bits of struct dmarc_record.fo */
enum dmarc_fo {
	DMARC_FO_0 = 1 << 0,
	DMARC_FO_1 = 1 << 1,
	DMARC_FO_D = 1 << 2,
	DMARC_FO_S = 1 << 3,
};

/* bits of struct dmarc_record.diffs: where RFC 7489 and RFC 9989 part */
enum dmarc_diff {
	DMARC_DIFF_PCT = 1 << 0,        /* pct given: removed by 9989 */
	DMARC_DIFF_RF = 1 << 1,         /* rf given: removed by 9989 */
	DMARC_DIFF_RI = 1 << 2,         /* ri given: removed by 9989 */
	DMARC_DIFF_NP = 1 << 3,         /* np given: unknown to 7489 */
	DMARC_DIFF_PSD = 1 << 4,        /* psd given: unknown to 7489 */
	DMARC_DIFF_T = 1 << 5,          /* t given: unknown to 7489 */
	DMARC_DIFF_P_POSITION = 1 << 6, /* p not right after v: 7489 invalid */
	DMARC_DIFF_SIZE = 1 << 7,       /* a URI has "!size": 9989 obsolete */
	DMARC_DIFF_FO = 1 << 8,         /* fo has 0 and 1 or a repeat: 9989
					   invalid */
	DMARC_DIFF_VERDICT = 1 << 9, /* usable or effective policies differ */
};

/* a piece of the input (borrowed); len 0 means absent */
struct dmarc_slice {
	const char *p;
	size_t len;
};

enum dmarc_uri_scheme {
	DMARC_URI_OTHER = 0, /* anything else (flagged): ftp:, http: ... */
	DMARC_URI_MAILTO,
	DMARC_URI_HTTPS,
};

/* one reporting URI of rua/ruf (or of a TLS-RPT rua) */
struct dmarc_uri {
	struct dmarc_slice text; /* as written, without the !size suffix */
	struct dmarc_slice host; /* mailto: the address's domain; https: the
				    host; empty otherwise (borrowed) */
	enum dmarc_uri_scheme scheme;
	bool valid;        /* RFC 3986 syntax, ',' '!' ';' encoded */
	bool usable;       /* valid, and mailto: with a valid address or
			       https: with a host name */
	const char *error; /* static: why not usable; NULL when usable */
	bool has_size;     /* a "!<n>[kmgt]" suffix (obsolete in 9989) */
	uint64_t size;     /* its number */
	char size_unit;    /* 'k' 'm' 'g' 't' (lowercased) or '\0' */
};

/* an unknown tag, kept for display */
struct dmarc_unknown {
	struct dmarc_slice name, value;
};

struct dmarc_problem {
	const char *tag; /* static tag name ("p", "rua" ...); "" for the
			       record as a whole or an unnamed tag */
	const char *msg; /* static, lowercase, no final full stop */
	size_t off;      /* byte offset into the record */
	enum dmarc_sev sev;
	unsigned std; /* DMARC_STD_BIT()s: the standards it holds for */
};

/*
 * what a receiver following one standard makes of the record; pct (7489)
 * and t=y (9989), which soften the policy, are left to the caller
 */
struct dmarc_verdict {
	bool usable;   /* DMARC applies with this record */
	bool fallback; /* p missing or invalid (or sp/np invalid), rua valid:
			   the record acts as "p=none" (7489 6.6.3, 9989
			   4.10.1) */
	enum dmarc_policy p;  /* for the domain itself; UNSET if !usable */
	enum dmarc_policy sp; /* for existing subdomains */
	enum dmarc_policy np; /* for non-existent subdomains (7489: sp) */
};

/*
 * A parsed record. Slices point into the input given to dmarc_parse
 * (borrowed: valid while it is). Tag values keep their defaults when absent
 * or invalid; seen/bad say which.
 */
struct dmarc_record {
	bool is_dmarc;      /* starts with v=DMARC1: the rest is meaningful */
	bool leading_space; /* white space before "v" */
	unsigned seen;      /* 1 << enum dmarc_tag: tags present */
	unsigned bad;       /* 1 << enum dmarc_tag: present, value invalid */
	struct dmarc_slice value[DMARC_TAG_MAX]; /* values as written */
	size_t p_index; /* position of p among the tags (v is 0) */

	enum dmarc_policy p, sp, np; /* as published; UNSET if absent/bad */
	char psd;          /* 'y', 'n' or 'u' (default, also when bad) */
	bool t;            /* t=y (testing) */
	int pct;           /* 0..100, default 100 */
	bool adkim_strict; /* adkim=s (default r) */
	bool aspf_strict;  /* aspf=s (default r) */
	unsigned fo;       /* enum dmarc_fo bits, default DMARC_FO_0 */
	bool rf_afrf;      /* rf names afrf (default) */
	uint32_t ri;       /* seconds, default 86400 */

	struct dmarc_uri rua[DMARC_URI_MAX];
	size_t nrua;
	struct dmarc_uri ruf[DMARC_URI_MAX];
	size_t nruf;
	struct dmarc_unknown unknown[DMARC_UNKNOWN_MAX];
	size_t nunknown;
	size_t ntags; /* tags in the record, v included */

	struct dmarc_problem problem[DMARC_PROBLEM_MAX];
	size_t nproblem;
	bool problems_truncated; /* more than DMARC_PROBLEM_MAX */

	unsigned diffs; /* enum dmarc_diff bits */
	struct dmarc_verdict verdict[DMARC_STD_MAX];
};

/*
 * dmarc_parse - parse one DMARC record (the TXT strings concatenated) and
 * judge it under both standards. *out is fully overwritten. Returns 0 when
 * the record is usable under at least one standard, else -1 with err (may
 * be NULL) set to the first fatal problem. p is borrowed, need not be
 * NUL-terminated, and is never read past len.
 */
int dmarc_parse(
    const char *p, size_t len, struct dmarc_record *out, struct perr *err);

/*
 * dmarc_uri_check - check one reporting URI (p, len) into *out: RFC 3986
 * syntax with ',', ';' and '!' percent-encoded, the scheme, a mailto:
 * address (RFC 6068, local@domain with a dotted host name) or an https:
 * host. With size_suffix, a trailing "!<digits>[kmgtKMGT]" is split off
 * (RFC 7489's size limit). Shared with tlsrpt (same URI rules).
 */
void dmarc_uri_check(
    const char *p, size_t len, bool size_suffix, struct dmarc_uri *out);

/* dmarc_is_record - (p, len) starts, after optional white space, with
   "v" *WSP "=" *WSP "DMARC1" followed by ';', white space or the end */
bool dmarc_is_record(const char *p, size_t len);

enum dmarc_select {
	DMARC_SELECT_NONE,     /* no record starts with v=DMARC1 */
	DMARC_SELECT_ONE,      /* exactly one: *index */
	DMARC_SELECT_MULTIPLE, /* several: all are discarded */
};

/*
 * dmarc_select - the DMARC record among the TXT records rr[0..n) (lengths
 * len[]); RFC 7489 6.6.3 steps 2 and 5, RFC 9989 4.10 step 2
 */
enum dmarc_select dmarc_select(
    const char *const *rr, const size_t *len, size_t n, size_t *index);

/* names for reports: "none", "quarantine", "reject", "" for UNSET */
const char *dmarc_policy_name(enum dmarc_policy p);
/* "v", "p", "sp" ... */
const char *dmarc_tag_name(enum dmarc_tag t);
/* "RFC 7489", "RFC 9989" */
const char *dmarc_std_name(enum dmarc_std s);

/* ---- discovery ---- */

enum dmarc_status {
	DMARC_STATUS_NONE = 0, /* no record applies: DMARC not in use */
	DMARC_STATUS_FOUND,    /* a usable record applies */
	DMARC_STATUS_UNUSABLE, /* the record that applies is unusable under the
				  mode (no DMARC processing) */
	DMARC_STATUS_MULTIPLE, /* several records where one was needed */
	DMARC_STATUS_TEMPFAIL, /* a DNS failure left the answer open */
	DMARC_STATUS_PENDING,  /* an answer is missing: fetch and rerun */
	DMARC_STATUS_ERROR,    /* bad domain name, no public suffix list */
};

/* which policy tag of the record applies to the domain */
enum dmarc_applies {
	DMARC_APPLIES_NONE = 0,
	DMARC_APPLIES_DOMAIN,    /* the domain's own record: p */
	DMARC_APPLIES_SUBDOMAIN, /* inherited, the domain exists: sp */
	DMARC_APPLIES_NXDOMAIN,  /* inherited, the domain does not exist
				    (RFC 9989): np */
};

enum dmarc_step_result {
	DMARC_STEP_NONE = 0, /* no v=DMARC1 record (or no name) */
	DMARC_STEP_RECORD,   /* exactly one */
	DMARC_STEP_MULTIPLE, /* several: discarded */
	DMARC_STEP_TEMPFAIL, /* no answer */
};

/* one _dmarc query of a discovery */
struct dmarc_step {
	char name[DOMAIN_MAX + 1]; /* the domain, without "_dmarc." */
	enum dmarc_step_result result;
	char psd;    /* the record's psd ('y' 'n' 'u') when RECORD */
	bool secure; /* DNSSEC-validated answer */
};

struct dmarc_discovery {
	enum dmarc_std mode;
	enum dmarc_status status;
	const char *error; /* static: why NONE/MULTIPLE/TEMPFAIL/ERROR */
	char domain[DOMAIN_MAX + 1];          /* normalised input */
	char org_domain[DOMAIN_MAX + 1];      /* "" when unknown */
	bool org_uncertain;                   /* 9989: a DNS failure cut the
					       walk short */
	char policy_domain[DOMAIN_MAX + 1];   /* where the record was found */
	char record_name[DMARC_NAME_MAX + 1]; /* "_dmarc." policy_domain */
	enum dmarc_applies applies;
	bool psd_record;          /* 9989: the record is a PSD's (psd=y) */
	bool multiple_seen;       /* some name had several records */
	enum dmarc_policy policy; /* effective, under mode; UNSET if none */
	bool secure;              /* the record's answer was DNSSEC-validated */
	char *raw; /* owned: the record as published, NUL added */
	size_t raw_len;
	struct dmarc_record record; /* raw, parsed (slices into raw) */
	struct dmarc_step step[DMARC_WALK_MAX + 1];
	size_t nsteps;
};

/*
 * dmarc_discover - the DMARC record that applies to domain under mode.
 * RFC 7489: _dmarc.<domain>, then _dmarc.<organizational domain> from the
 * public suffix list psl (required). RFC 9989: the DNS tree walk of 4.10
 * (at most 8 queries; a name of more than 8 labels jumps to its 7 last
 * ones), stopping at a record with psd=y or psd=n; the policy record is the
 * domain's own, else its organizational domain's, else a PSD's (4.10.1);
 * the organizational domain is chosen as in 4.10.2 (psd=n, the name under
 * psd=y, else the shortest name with a record, else the domain). An
 * inherited 9989 policy needs to know whether the domain exists: its MX
 * RRset is asked for (NXDOMAIN means np applies). psl may be NULL in 9989
 * mode.
 *
 * *out is overwritten; on DMARC_STATUS_PENDING it owns nothing, otherwise
 * release it with dmarc_discovery_release. Returns out->status.
 */
enum dmarc_status dmarc_discover(const char *domain, const struct dnsview *view,
    enum dmarc_std mode, const struct orgdomain *psl,
    struct dmarc_discovery *out);

/* dmarc_discovery_release - free what d owns; d may be NULL */
void dmarc_discovery_release(struct dmarc_discovery *d);

/* bits of dmarc_compare: how two discoveries differ */
enum dmarc_cmp {
	DMARC_CMP_STATUS = 1 << 0,   /* found / none / unusable ... */
	DMARC_CMP_LOCATION = 1 << 1, /* the record comes from another name */
	DMARC_CMP_APPLIES = 1 << 2,  /* p vs sp vs np */
	DMARC_CMP_POLICY = 1 << 3,   /* the effective policy */
	DMARC_CMP_ORG = 1 << 4,      /* the organizational domain */
};

/* dmarc_compare - enum dmarc_cmp bits where a and b differ; 0: they agree */
unsigned dmarc_compare(
    const struct dmarc_discovery *a, const struct dmarc_discovery *b);

/*
 * dmarc_compare_text - "agree", or "differ: " and the names of the bits
 * ("status, record location, applied tag, policy, organizational
 * domain"), into buf (always NUL-terminated, truncated to size). Returns
 * buf.
 */
const char *dmarc_compare_text(unsigned cmp, char *buf, size_t size);

/* ---- external report destinations (RFC 7489 7.1) ---- */

enum dmarc_ext_status {
	DMARC_EXT_SAME_ORG = 0,  /* same organizational domain: no check */
	DMARC_EXT_AUTHORIZED,    /* a v=DMARC1 record at the query name */
	DMARC_EXT_UNAUTHORIZED,  /* none: receivers drop these reports */
	DMARC_EXT_TEMPFAIL,      /* no answer */
	DMARC_EXT_NAME_TOO_LONG, /* the query name passes 253 bytes */
};

struct dmarc_ext_dest {
	char host[DOMAIN_MAX + 1];     /* destination host, lowercase */
	char host_org[DOMAIN_MAX + 1]; /* its organizational domain */
	char query[DOMAIN_MAX + 1];    /* <policy domain>._report._dmarc.
					  <host>; "" when not queried */
	bool rua, ruf;                 /* the lists naming the host */
	enum dmarc_ext_status status;
};

struct dmarc_external {
	struct dmarc_ext_dest dest[DMARC_EXT_MAX];
	size_t n;
	bool truncated; /* more than DMARC_EXT_MAX hosts */
};

/*
 * dmarc_verify_external - for each usable mailto: or https: URI of the
 * discovered record's rua and ruf, whose host has another organizational
 * domain than the domain the record was found at, ask for the TXT RRset of
 * "<policy domain>._report._dmarc.<host>" and judge it with
 * dmarc_external_authorizes. The organizational domains follow disc->mode:
 * the public suffix list psl under RFC 7489 (required), the tree walk under
 * RFC 9989. Hosts are checked once each. *out is overwritten. Returns
 * DNSVIEW_PENDING when an answer is missing (fetch and rerun), else
 * DNSVIEW_OK (also when disc has no record: out->n is then 0).
 */
enum dnsview_status dmarc_verify_external(const struct dmarc_discovery *disc,
    const struct dnsview *view, const struct orgdomain *psl,
    struct dmarc_external *out);

/*
 * dmarc_external_authorizes - the TXT RRset of a _report._dmarc name holds
 * at least one record starting with v=DMARC1 (RFC 7489 7.1 steps 5-7)
 */
bool dmarc_external_authorizes(const struct dnsview_rrset *rrset);

#endif
