/* SPDX-License-Identifier: ISC */
/*
 * spf_eval - check_host() of RFC 7208 (4 to 6), and a static audit of a
 * domain's SPF tree, as pure functions over a struct dnsview.
 *
 * Neither function does I/O: every RRset comes from the view. When the
 * view answers DNSVIEW_PENDING the function stops and says so (result
 * SPF_RESULT_PENDING, or spf_audit returning false); the driver fetches
 * what was asked for and calls it again from the start (see
 * proto/dnsview.h). Before stopping, loops over several names (the
 * addresses of an MX or PTR set, the siblings of an audit tree) ask for
 * all of them, so that one round trip fetches them together.
 *
 * Results own their strings (xmalloc): the view's RRsets are borrowed only
 * for the duration of a call. Release them with spf_eval_result_release()
 * and spf_audit_release(); calling again on the same struct releases the
 * previous contents first.
 */
#ifndef MX_PROTO_SPF_EVAL_H
#define MX_PROTO_SPF_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dnsview.h"
#include "proto/spf.h"

#define SPF_MAX_LOOKUPS 10  /* DNS-mechanism terms per check (4.6.4) */
#define SPF_MAX_VOID    2   /* void lookups per check (4.6.4) */
#define SPF_MAX_NAMES   10  /* MX names / PTR names looked at (4.6.4) */
#define SPF_TRACE_MAX   512 /* steps kept in a trace */

enum spf_result {
	SPF_RESULT_NONE = 0,
	SPF_RESULT_NEUTRAL,
	SPF_RESULT_PASS,
	SPF_RESULT_FAIL,
	SPF_RESULT_SOFTFAIL,
	SPF_RESULT_TEMPERROR,
	SPF_RESULT_PERMERROR,
	SPF_RESULT_PENDING, /* the view lacked an answer: run again */
	SPF_RESULT_MAX
};

/* spf_result_name - "none", "neutral", "pass", ... "pending" (static) */
const char *spf_result_name(enum spf_result r);

/* what one step of an evaluation did */
enum spf_step_kind {
	SPF_STEP_RECORD = 0, /* check_host() on a domain: detail is its record
				(or, with result set, why there is none) */
	SPF_STEP_MATCH,      /* the term matched: result is its qualifier's */
	SPF_STEP_NO_MATCH,   /* the term did not match */
	SPF_STEP_VOID,       /* no match, and its lookup was void (4.6.4) */
	SPF_STEP_ERROR,      /* the evaluation stops: result is temperror or
				permerror, detail says why */
	SPF_STEP_REDIRECT,   /* redirect= followed: result is the target's */
	SPF_STEP_DEFAULT,    /* no term matched: neutral */
	SPF_STEP_MAX
};

/* spf_step_kind_name - "record", "match", "no-match", "void", "error",
 * "redirect", "default" (static) */
const char *spf_step_kind_name(enum spf_step_kind k);

struct spf_step {
	unsigned int
	    depth; /* 0 for the domain asked, +1 per include/redirect */
	enum spf_step_kind kind;
	/*
	 * RECORD: none/temperror/permerror when the record is unusable, else
	 * NEUTRAL; MATCH: the qualifier's result; include and redirect: the
	 * target's result (MATCH/NO_MATCH/ERROR/REDIRECT); ERROR: the error
	 */
	enum spf_result result;
	char *domain; /* owned: the <domain> whose record is evaluated */
	char *term;   /* owned: the term as written, NULL for RECORD/DEFAULT */
	char *detail; /* owned: the record, the expanded target, or why; NULL */
};

struct spf_eval_params {
	const char *ip;     /* borrowed: the client's address (IPv4 or IPv6) */
	const char *domain; /* borrowed: <domain>; NULL: the sender's domain */
	/* borrowed: MAIL FROM; NULL or "": "postmaster@" + helo (RFC 7208
	   2.4); no local-part: "postmaster" (4.3) */
	const char *sender;
	const char *helo;        /* borrowed: HELO/EHLO name, may be NULL */
	const char *receiver;    /* borrowed: %{r}; NULL: "unknown" */
	long long now;           /* %{t}: seconds since the epoch */
	const char *default_exp; /* borrowed: explanation of a fail without a
				    usable exp=; NULL: none */
};

struct spf_eval_result {
	enum spf_result result;
	/* static: why the result is none, temperror or permerror; else NULL */
	const char *reason;
	char *domain; /* owned: the <domain> checked */
	char *record; /* owned: its v=spf1 record (NUL-terminated,
				may hold NULs: see record_len), or NULL */
	size_t record_len;
	char *explanation;   /* owned: on fail, the exp= text (or
				default_exp); NULL otherwise */
	size_t lookups;      /* DNS-mechanism terms evaluated, redirect incl. */
	size_t void_lookups; /* void lookups counted */
	struct spf_step *trace; /* owned: ntrace steps, in order */
	size_t ntrace;
	bool trace_truncated; /* more than SPF_TRACE_MAX steps: the rest is
				 lost */
};

/* spf_eval_result_init - an empty result (PENDING, no strings) */
void spf_eval_result_init(struct spf_eval_result *r);
/* spf_eval_result_release - free the strings and the trace; init again */
void spf_eval_result_release(struct spf_eval_result *r);

/*
 * spf_check_host - evaluate the SPF policy of params->domain for
 * params->ip (RFC 7208 4.3 to 6), through view. Fills *out (initialised
 * once by spf_eval_result_init; what it held is released) and returns
 * out->result. Include and redirect recurse; the
 * 10-term limit (include a mx ptr exists redirect), the 2-void-lookup
 * limit and the 10-name limits of mx (more: permerror) and ptr (the rest
 * ignored) apply across the whole check. exp= is fetched and expanded only
 * for a fail of the top record (or of a redirect target), never inside an
 * include. An ip that spf_ip_parse refuses gives permerror ("invalid
 * client address"). SPF_RESULT_PENDING: the view answered PENDING; out
 * then holds a partial trace.
 */
enum spf_result spf_check_host(const struct dnsview *view,
    const struct spf_eval_params *params, struct spf_eval_result *out);

/* ---- the audit: the SPF tree of a domain, without a client address ---- */

#define SPF_AUDIT_MAX_NODES 64 /* records walked per audit */

enum spf_audit_via {
	SPF_AUDIT_VIA_TOP = 0, /* the domain audited */
	SPF_AUDIT_VIA_INCLUDE,
	SPF_AUDIT_VIA_REDIRECT,
};

enum spf_audit_status {
	SPF_AUDIT_OK = 0,    /* one v=spf1 record, and it parses */
	SPF_AUDIT_NONE,      /* no v=spf1 record, NXDOMAIN or a bad name */
	SPF_AUDIT_MULTIPLE,  /* several v=spf1 records (permerror) */
	SPF_AUDIT_SYNTAX,    /* the record does not parse (permerror) */
	SPF_AUDIT_TEMPERROR, /* the TXT lookup failed */
	SPF_AUDIT_LOOP,      /* the target is its own ancestor: not walked */
	SPF_AUDIT_MACRO,     /* the target needs a message: not walked */
	SPF_AUDIT_SKIPPED,   /* past SPF_AUDIT_MAX_NODES: not walked */
	SPF_AUDIT_MAX
};

/* spf_audit_status_name - "ok", "none", "multiple", "syntax",
 * "temperror", "loop", "macro", "skipped" (static) */
const char *spf_audit_status_name(enum spf_audit_status s);

/* one record of the tree, in walk order (parents before children) */
struct spf_audit_node {
	unsigned int depth;
	enum spf_audit_via via;
	enum spf_audit_status status;
	char *domain; /* owned: the name looked up (the target as written for
			 MACRO) */
	char *record; /* owned: the v=spf1 record (first one), or NULL */
	size_t record_len;
	size_t nrecords;   /* v=spf1 records found */
	const char *error; /* static: the parse error (SYNTAX), or NULL */
	size_t error_off;  /* its offset in record */
	size_t lookups;    /* DNS terms of this record alone (a redirect
				that "all" makes dead not counted) */
	bool secure;       /* the TXT answer was DNSSEC-validated */
};

struct spf_audit {
	enum spf_audit_status status; /* of the domain itself */
	char *record;                 /* owned: its record, or NULL */
	size_t record_len;
	size_t nrecords;   /* v=spf1 records at the domain */
	const char *error; /* static: its parse error, or NULL */
	size_t error_off;
	bool secure;         /* its TXT answer was DNSSEC-validated */
	int all;             /* enum spf_qualifier of its "all", -1: none */
	int all_effective;   /* the same after following redirect=, -1 */
	size_t lookups;      /* worst case DNS-mechanism terms over the tree
			       (every include and redirect followed) */
	size_t void_lookups; /* void answers: include/redirect targets without
				TXT, a (A and AAAA) and mx targets without
				data, for targets without macros */
	bool uses_ptr;       /* a ptr mechanism somewhere in the tree */
	bool temperror;      /* a lookup of the walk failed */
	char **no_record;    /* owned: include/redirect targets with no SPF
				record (NONE) */
	size_t nno_record;
	char **loops; /* owned: include/redirect targets that are their
				own ancestors */
	size_t nloops;
	struct spf_audit_node *nodes; /* owned: every record walked */
	size_t nnodes;
	bool truncated; /* SPF_AUDIT_MAX_NODES reached */
};

void spf_audit_init(struct spf_audit *a);
void spf_audit_release(struct spf_audit *a);

/*
 * spf_audit - walk the SPF tree of domain through view: the domain's
 * record, then every include and redirect target, depth first, a target
 * already on the path being a loop. Returns true with *a filled (*a
 * initialised once by spf_audit_init; what it held is released), or false when the view answered PENDING (the driver then
 * fetches and calls again; *a is partial).
 */
bool spf_audit(
    const struct dnsview *view, const char *domain, struct spf_audit *a);

#endif
