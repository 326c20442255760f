/* SPDX-License-Identifier: ISC */
/*
 * spf_eval - check_host() (RFC 7208 4 to 6) and the SPF tree audit, over
 * a struct dnsview.
 *
 * check_host() is a recursion over records: spf_eval_record() fetches and
 * parses a domain's record (the whole record first: a syntax error
 * anywhere is a permerror, 4.6), then spf_eval_mech() runs the mechanisms
 * in order; include recurses with explanations off, redirect recurses as a
 * tail call that keeps them on. Every limit is a counter in struct
 * spf_eval, checked before the lookup it guards. A PENDING answer unwinds
 * the recursion with SPF_RESULT_PENDING; nothing is kept between runs, the
 * view caches the answers.
 */
#include "proto/spf_eval.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define SPF_TYPE_A    1
#define SPF_TYPE_PTR  12
#define SPF_TYPE_MX   15
#define SPF_TYPE_TXT  16
#define SPF_TYPE_AAAA 28

static const char *const spf_result_names[SPF_RESULT_MAX] = {
	[SPF_RESULT_NONE] = "none",
	[SPF_RESULT_NEUTRAL] = "neutral",
	[SPF_RESULT_PASS] = "pass",
	[SPF_RESULT_FAIL] = "fail",
	[SPF_RESULT_SOFTFAIL] = "softfail",
	[SPF_RESULT_TEMPERROR] = "temperror",
	[SPF_RESULT_PERMERROR] = "permerror",
	[SPF_RESULT_PENDING] = "pending",
};

static const char *const spf_step_names[SPF_STEP_MAX] = {
	[SPF_STEP_RECORD] = "record",
	[SPF_STEP_MATCH] = "match",
	[SPF_STEP_NO_MATCH] = "no-match",
	[SPF_STEP_VOID] = "void",
	[SPF_STEP_ERROR] = "error",
	[SPF_STEP_REDIRECT] = "redirect",
	[SPF_STEP_DEFAULT] = "default",
};

static const char *const spf_audit_names[SPF_AUDIT_MAX] = {
	[SPF_AUDIT_OK] = "ok",
	[SPF_AUDIT_NONE] = "none",
	[SPF_AUDIT_MULTIPLE] = "multiple",
	[SPF_AUDIT_SYNTAX] = "syntax",
	[SPF_AUDIT_TEMPERROR] = "temperror",
	[SPF_AUDIT_LOOP] = "loop",
	[SPF_AUDIT_MACRO] = "macro",
	[SPF_AUDIT_SKIPPED] = "skipped",
};

_Static_assert(
    sizeof(spf_result_names) / sizeof(spf_result_names[0]) == SPF_RESULT_MAX,
    "spf_result_names");
_Static_assert(
    sizeof(spf_step_names) / sizeof(spf_step_names[0]) == SPF_STEP_MAX,
    "spf_step_names");
_Static_assert(
    sizeof(spf_audit_names) / sizeof(spf_audit_names[0]) == SPF_AUDIT_MAX,
    "spf_audit_names");

const char *
spf_result_name(enum spf_result r)
{
	return (unsigned)r < SPF_RESULT_MAX ? spf_result_names[r] : "?";
}

const char *
spf_step_kind_name(enum spf_step_kind k)
{
	return (unsigned)k < SPF_STEP_MAX ? spf_step_names[k] : "?";
}

const char *
spf_audit_status_name(enum spf_audit_status s)
{
	return (unsigned)s < SPF_AUDIT_MAX ? spf_audit_names[s] : "?";
}

/* ---- shared helpers ---- */

/* spf_lookup - ask the view; out is always filled */
static enum dnsview_status
spf_lookup(const struct dnsview *v, const char *name, int type,
    struct dnsview_rrset *out)
{
	memset(out, 0, sizeof(*out));
	out->status = v->lookup(v->ctx, name, type, out);
	return out->status;
}

/* spf_is_void - an answer that counts as a void lookup (4.6.4) */
static bool
spf_is_void(enum dnsview_status s)
{
	return s == DNSVIEW_NXDOMAIN || s == DNSVIEW_NODATA;
}

/* spf_name_eq - same name, ignoring case and one trailing dot each */
static bool
spf_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (ascii_tolower((unsigned char)a[i]) !=
		    ascii_tolower((unsigned char)b[i]))
			return false;
	return true;
}

/* spf_name_under - name equals domain or is a subdomain of it */
static bool
spf_name_under(const char *name, size_t nlen, const char *dom, size_t dlen)
{
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (dlen > 0 && dom[dlen - 1] == '.')
		dlen--;
	if (dlen == 0 || nlen < dlen)
		return false;
	if (!spf_name_eq(name + nlen - dlen, dlen, dom, dlen))
		return false;
	return nlen == dlen || name[nlen - dlen - 1] == '.';
}

/* spf_strip_dot - copy (p, len) without one trailing dot (owned) */
static char *
spf_strip_dot(const char *p, size_t len)
{
	if (len > 0 && p[len - 1] == '.')
		len--;
	return xmemdup0(p, len);
}

/* spf_rr_has_ip - an A/AAAA RRset holds ip */
static bool
spf_rr_has_ip(const struct dnsview_rrset *rs, const struct spf_ip *ip, int cidr,
    size_t *which)
{
	struct spf_ip a;
	size_t i;

	if (rs->status != DNSVIEW_OK)
		return false;
	for (i = 0; i < rs->n; i++) {
		if (spf_ip_parse(rs->rr[i], rs->len[i], &a) != 0 ||
		    a.family != ip->family)
			continue;
		if (spf_ip_match(ip, a.family, a.addr, cidr)) {
			if (which != NULL)
				*which = i;
			return true;
		}
	}
	return false;
}

/* ---- check_host ---- */

struct spf_eval {
	const struct dnsview *view;           /* borrowed */
	const struct spf_eval_params *params; /* borrowed */
	struct spf_eval_result *out;          /* borrowed */
	struct spf_ip ip;
	char *sender;        /* owned: "local@domain" */
	char *local;         /* owned */
	char *sender_domain; /* owned */
	const char *helo;    /* borrowed: params->helo or "" */
	size_t lookups;
	size_t voids;
	const char *reason; /* static: the last error's why */
};

/* what one mechanism did */
enum spf_m {
	SPF_M_MATCH,
	SPF_M_NO_MATCH,
	SPF_M_VOID,
	SPF_M_ERROR, /* *res holds temperror, permerror or pending */
};

/* spf_trace_add - append a step, or return SIZE_MAX when the trace is
 * full; term and detail are copied */
static size_t
spf_trace_add(struct spf_eval *ev, unsigned depth, enum spf_step_kind kind,
    enum spf_result result, const char *domain, const struct spf_slice *term,
    const char *detail)
{
	struct spf_eval_result *r = ev->out;
	struct spf_step *s;

	if (r->ntrace >= SPF_TRACE_MAX) {
		r->trace_truncated = true;
		return SIZE_MAX;
	}
	r->trace = xreallocarray(r->trace, r->ntrace + 1, sizeof(*r->trace));
	s = &r->trace[r->ntrace];
	s->depth = depth;
	s->kind = kind;
	s->result = result;
	s->domain = xstrdup(domain);
	s->term = term != NULL ? xmemdup0(term->p, term->len) : NULL;
	s->detail = detail != NULL ? xstrdup(detail) : NULL;
	return r->ntrace++;
}

/* spf_trace_set - fill in a step added before its outcome was known;
 * detail is taken over (owned) */
static void
spf_trace_set(struct spf_eval *ev, size_t idx, enum spf_step_kind kind,
    enum spf_result result, char *detail)
{
	struct spf_step *s;

	if (idx == SIZE_MAX) {
		free(detail);
		return;
	}
	s = &ev->out->trace[idx];
	s->kind = kind;
	s->result = result;
	if (detail != NULL) {
		free(s->detail);
		s->detail = detail;
	}
}

/* spf_fail_with - remember why, return the error result */
static enum spf_result
spf_fail_with(struct spf_eval *ev, enum spf_result r, const char *why)
{
	ev->reason = why;
	return r;
}

/*
 * spf_eval_validated - the name %{p} expands to (RFC 7208 7.3): a PTR name
 * of the client whose addresses include it, one under domain preferred;
 * "unknown" when none. Only the first SPF_MAX_NAMES PTR names count.
 * Returns false when the view is pending.
 */
static bool
spf_eval_validated(
    struct spf_eval *ev, const char *domain, char *out, size_t outsize)
{
	struct dnsview_rrset ptr, addr;
	char rev[80];
	size_t i, n, pass;
	bool pending = false;
	int type = ev->ip.family == 4 ? SPF_TYPE_A : SPF_TYPE_AAAA;
	int cidr = ev->ip.family == 4 ? 32 : 128;
	char *name;

	memcpy(out, "unknown", 8);
	spf_ip_reverse(&ev->ip, rev, sizeof(rev));
	if (spf_lookup(ev->view, rev, SPF_TYPE_PTR, &ptr) == DNSVIEW_PENDING)
		return false;
	if (ptr.status != DNSVIEW_OK)
		return true;
	n = ptr.n < SPF_MAX_NAMES ? ptr.n : SPF_MAX_NAMES;
	for (i = 0; i < n; i++) {
		if (!spf_name_valid(ptr.rr[i], ptr.len[i], false))
			continue;
		name = spf_strip_dot(ptr.rr[i], ptr.len[i]);
		if (spf_lookup(ev->view, name, type, &addr) == DNSVIEW_PENDING)
			pending = true;
		free(name);
	}
	if (pending)
		return false;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if (!spf_name_valid(ptr.rr[i], ptr.len[i], false))
				continue;
			if (pass == 0 &&
			    !spf_name_under(
			        ptr.rr[i], ptr.len[i], domain, strlen(domain)))
				continue;
			name = spf_strip_dot(ptr.rr[i], ptr.len[i]);
			spf_lookup(ev->view, name, type, &addr);
			if (spf_rr_has_ip(&addr, &ev->ip, cidr, NULL) &&
			    strlen(name) < outsize) {
				memcpy(out, name, strlen(name) + 1);
				free(name);
				return true;
			}
			free(name);
		}
	}
	return true;
}

/*
 * spf_eval_expand - expand a macro-string for domain (flags as for
 * spf_macro_expand) into out; 1 done, 0 pending (for %{p}), -1 error
 */
static int
spf_eval_expand(struct spf_eval *ev, const char *domain, const char *p,
    size_t len, unsigned flags, char *out, size_t outsize)
{
	struct spf_macro_ctx ctx;
	char validated[SPF_DOMAIN_MAX + 1];

	memset(&ctx, 0, sizeof(ctx));
	ctx.sender = ev->sender;
	ctx.local = ev->local;
	ctx.sender_domain = ev->sender_domain;
	ctx.domain = domain;
	ctx.ip = &ev->ip;
	ctx.helo = ev->helo;
	ctx.receiver = ev->params->receiver;
	ctx.now = ev->params->now;
	if (spf_macro_uses(p, len, 'p')) {
		if (!spf_eval_validated(
		        ev, domain, validated, sizeof(validated)))
			return 0;
		ctx.validated = validated;
	}
	if (spf_macro_expand(p, len, &ctx, flags, out, outsize, NULL, NULL) !=
	    0)
		return -1;
	return 1;
}

/* spf_eval_target - the target name of a term: its domain-spec expanded,
 * or the current domain; 1 done, 0 pending */
static int
spf_eval_target(struct spf_eval *ev, const struct spf_term *t,
    const char *domain, char *out, size_t outsize)
{
	int rc;

	if (t->value.p == NULL) {
		if (strlen(domain) >= outsize)
			out[0] = '\0';
		else
			memcpy(out, domain, strlen(domain) + 1);
		return 1;
	}
	rc = spf_eval_expand(ev, domain, t->value.p, t->value.len,
	    SPF_MACRO_DOMAIN, out, outsize);
	if (rc < 0)
		out[0] = '\0';
	return rc == 0 ? 0 : 1;
}

/* spf_eval_count - one more DNS term; false past the limit */
static bool
spf_eval_count(struct spf_eval *ev)
{
	return ++ev->lookups <= SPF_MAX_LOOKUPS;
}

/* spf_eval_void - one more void lookup: SPF_M_VOID, or a permerror */
static enum spf_m
spf_eval_void(struct spf_eval *ev, enum spf_result *res)
{
	if (++ev->voids <= SPF_MAX_VOID)
		return SPF_M_VOID;
	*res = spf_fail_with(ev, SPF_RESULT_PERMERROR, "too many void lookups");
	return SPF_M_ERROR;
}

static enum spf_result spf_eval_record(
    struct spf_eval *ev, const char *domain, unsigned depth, bool explain);

/* spf_eval_addr - a, and each MX name: look name up, compare */
static enum spf_m
spf_eval_addr(struct spf_eval *ev, const struct spf_term *t, const char *name,
    bool primary, enum spf_result *res, char **detail)
{
	struct dnsview_rrset rs;
	int type = ev->ip.family == 4 ? SPF_TYPE_A : SPF_TYPE_AAAA;
	int cidr = ev->ip.family == 4 ? (t->cidr4 < 0 ? 32 : t->cidr4)
	                              : (t->cidr6 < 0 ? 128 : t->cidr6);
	size_t which;

	switch (spf_lookup(ev->view, name, type, &rs)) {
	case DNSVIEW_PENDING:
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	case DNSVIEW_TEMPFAIL:
		*res = spf_fail_with(
		    ev, SPF_RESULT_TEMPERROR, "dns lookup failed");
		return SPF_M_ERROR;
	case DNSVIEW_NXDOMAIN:
	case DNSVIEW_NODATA:
		return primary ? spf_eval_void(ev, res) : SPF_M_NO_MATCH;
	case DNSVIEW_OK:
		break;
	}
	if (!spf_rr_has_ip(&rs, &ev->ip, cidr, &which))
		return SPF_M_NO_MATCH;
	*detail =
	    xasprintf("%s has %.*s", name, (int)rs.len[which], rs.rr[which]);
	return SPF_M_MATCH;
}

/* spf_eval_mx - RFC 7208 5.4 */
static enum spf_m
spf_eval_mx(struct spf_eval *ev, const struct spf_term *t, const char *name,
    enum spf_result *res, char **detail)
{
	struct dnsview_rrset mx, rs;
	int type = ev->ip.family == 4 ? SPF_TYPE_A : SPF_TYPE_AAAA;
	size_t i, n = 0;
	bool pending = false;
	enum spf_m m;
	char *host;

	switch (spf_lookup(ev->view, name, SPF_TYPE_MX, &mx)) {
	case DNSVIEW_PENDING:
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	case DNSVIEW_TEMPFAIL:
		*res = spf_fail_with(
		    ev, SPF_RESULT_TEMPERROR, "dns lookup failed");
		return SPF_M_ERROR;
	case DNSVIEW_NXDOMAIN:
	case DNSVIEW_NODATA:
		return spf_eval_void(ev, res);
	case DNSVIEW_OK:
		break;
	}
	/* the null MX "." names no host (RFC 7505) */
	for (i = 0; i < mx.n; i++)
		if (spf_name_valid(mx.rr[i], mx.len[i], false))
			n++;
	if (n > SPF_MAX_NAMES) {
		*res = spf_fail_with(
		    ev, SPF_RESULT_PERMERROR, "more than 10 mx names");
		return SPF_M_ERROR;
	}
	/* ask for every address first: one round trip fetches them all */
	for (i = 0; i < mx.n; i++) {
		if (!spf_name_valid(mx.rr[i], mx.len[i], false))
			continue;
		host = spf_strip_dot(mx.rr[i], mx.len[i]);
		if (spf_lookup(ev->view, host, type, &rs) == DNSVIEW_PENDING)
			pending = true;
		free(host);
	}
	if (pending) {
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	}
	for (i = 0; i < mx.n; i++) {
		if (!spf_name_valid(mx.rr[i], mx.len[i], false))
			continue;
		host = spf_strip_dot(mx.rr[i], mx.len[i]);
		m = spf_eval_addr(ev, t, host, false, res, detail);
		free(host);
		if (m != SPF_M_NO_MATCH)
			return m;
	}
	return SPF_M_NO_MATCH;
}

/* spf_eval_ptr - RFC 7208 5.5: a validated PTR name under name */
static enum spf_m
spf_eval_ptr(struct spf_eval *ev, const char *target, enum spf_result *res,
    char **detail)
{
	struct dnsview_rrset ptr, rs;
	int type = ev->ip.family == 4 ? SPF_TYPE_A : SPF_TYPE_AAAA;
	int cidr = ev->ip.family == 4 ? 32 : 128;
	char rev[80], *host;
	size_t i, n, tlen = strlen(target);
	bool pending = false;

	spf_ip_reverse(&ev->ip, rev, sizeof(rev));
	switch (spf_lookup(ev->view, rev, SPF_TYPE_PTR, &ptr)) {
	case DNSVIEW_PENDING:
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	case DNSVIEW_TEMPFAIL:
		/* a DNS error makes ptr fail to match (5.5) */
		*detail = xstrdup("ptr lookup failed");
		return SPF_M_NO_MATCH;
	case DNSVIEW_NXDOMAIN:
	case DNSVIEW_NODATA:
		return spf_eval_void(ev, res);
	case DNSVIEW_OK:
		break;
	}
	n = ptr.n < SPF_MAX_NAMES ? ptr.n : SPF_MAX_NAMES;
	for (i = 0; i < n; i++) {
		if (!spf_name_valid(ptr.rr[i], ptr.len[i], false) ||
		    !spf_name_under(ptr.rr[i], ptr.len[i], target, tlen))
			continue;
		host = spf_strip_dot(ptr.rr[i], ptr.len[i]);
		if (spf_lookup(ev->view, host, type, &rs) == DNSVIEW_PENDING)
			pending = true;
		free(host);
	}
	if (pending) {
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	}
	for (i = 0; i < n; i++) {
		if (!spf_name_valid(ptr.rr[i], ptr.len[i], false) ||
		    !spf_name_under(ptr.rr[i], ptr.len[i], target, tlen))
			continue;
		host = spf_strip_dot(ptr.rr[i], ptr.len[i]);
		/* an address lookup error skips the name (5.5) */
		spf_lookup(ev->view, host, type, &rs);
		if (spf_rr_has_ip(&rs, &ev->ip, cidr, NULL)) {
			*detail = xasprintf("validated %s", host);
			free(host);
			return SPF_M_MATCH;
		}
		free(host);
	}
	return SPF_M_NO_MATCH;
}

/* spf_eval_include - RFC 7208 5.2 */
static enum spf_m
spf_eval_include(struct spf_eval *ev, const char *target, unsigned depth,
    enum spf_result *res)
{
	enum spf_result r = spf_eval_record(ev, target, depth + 1, false);

	*res = r;
	switch (r) {
	case SPF_RESULT_PASS:
		return SPF_M_MATCH;
	case SPF_RESULT_FAIL:
	case SPF_RESULT_SOFTFAIL:
	case SPF_RESULT_NEUTRAL:
		return SPF_M_NO_MATCH;
	case SPF_RESULT_NONE:
		*res = spf_fail_with(ev, SPF_RESULT_PERMERROR,
		    "include target has no spf record");
		return SPF_M_ERROR;
	default:
		return SPF_M_ERROR;
	}
}

/*
 * spf_eval_mech - one mechanism; *res gets the error result (SPF_M_ERROR)
 * or, for include, the target's result; *detail an owned note or NULL
 */
static enum spf_m
spf_eval_mech(struct spf_eval *ev, const struct spf_term *t, const char *domain,
    unsigned depth, size_t step, enum spf_result *res, char **detail)
{
	char target[SPF_DOMAIN_BUF];
	struct dnsview_rrset rs;
	int cidr;

	*detail = NULL;
	switch (t->mech) {
	case SPF_MECH_ALL:
		return SPF_M_MATCH;
	case SPF_MECH_IP4:
		cidr = t->cidr4 < 0 ? 32 : t->cidr4;
		return spf_ip_match(&ev->ip, 4, t->net, cidr) ? SPF_M_MATCH
		                                              : SPF_M_NO_MATCH;
	case SPF_MECH_IP6:
		cidr = t->cidr6 < 0 ? 128 : t->cidr6;
		return spf_ip_match(&ev->ip, 6, t->net, cidr) ? SPF_M_MATCH
		                                              : SPF_M_NO_MATCH;
	default:
		break;
	}
	/* include a mx ptr exists: each costs one of the 10 (4.6.4) */
	if (!spf_eval_count(ev)) {
		*res = spf_fail_with(
		    ev, SPF_RESULT_PERMERROR, "too many dns lookups");
		return SPF_M_ERROR;
	}
	if (spf_eval_target(ev, t, domain, target, sizeof(target)) == 0) {
		*res = SPF_RESULT_PENDING;
		return SPF_M_ERROR;
	}
	if (step != SIZE_MAX) {
		free(ev->out->trace[step].detail);
		ev->out->trace[step].detail = xstrdup(target);
	}
	if (t->mech == SPF_MECH_INCLUDE)
		return spf_eval_include(ev, target, depth, res);
	/* a name no query can carry matches nothing (RFC 7208 4.8, 5/10) */
	if (!spf_name_valid(target, strlen(target), false)) {
		*detail = xasprintf("invalid name \"%s\"", target);
		return SPF_M_NO_MATCH;
	}
	switch (t->mech) {
	case SPF_MECH_A:
		return spf_eval_addr(ev, t, target, true, res, detail);
	case SPF_MECH_MX:
		return spf_eval_mx(ev, t, target, res, detail);
	case SPF_MECH_PTR:
		return spf_eval_ptr(ev, target, res, detail);
	case SPF_MECH_EXISTS:
		switch (spf_lookup(ev->view, target, SPF_TYPE_A, &rs)) {
		case DNSVIEW_PENDING:
			*res = SPF_RESULT_PENDING;
			return SPF_M_ERROR;
		case DNSVIEW_TEMPFAIL:
			*res = spf_fail_with(
			    ev, SPF_RESULT_TEMPERROR, "dns lookup failed");
			return SPF_M_ERROR;
		case DNSVIEW_OK:
			return SPF_M_MATCH;
		default:
			return spf_eval_void(ev, res);
		}
	default:
		return SPF_M_NO_MATCH;
	}
}

/*
 * spf_eval_explain - the explanation of a fail (RFC 7208 6.2): exp=
 * fetched and expanded, or the default. False when pending.
 */
static bool
spf_eval_explain(
    struct spf_eval *ev, const struct spf_record *rec, const char *domain)
{
	const struct spf_term *t;
	struct dnsview_rrset rs;
	char target[SPF_DOMAIN_BUF], *text;
	int rc;

	free(ev->out->explanation);
	ev->out->explanation = NULL;
	if (rec->exp >= 0) {
		t = &rec->terms[rec->exp];
		rc = spf_eval_expand(ev, domain, t->value.p, t->value.len,
		    SPF_MACRO_DOMAIN, target, sizeof(target));
		if (rc == 0)
			return false;
		if (rc < 0 || !spf_name_valid(target, strlen(target), false))
			goto fallback;
		/* not a DNS term: it counts for no limit (4.6.4) */
		if (spf_lookup(ev->view, target, SPF_TYPE_TXT, &rs) ==
		    DNSVIEW_PENDING)
			return false;
		if (rs.status != DNSVIEW_OK || rs.n != 1)
			goto fallback;
		text = xmalloc(SPF_EXP_MAX);
		rc = spf_eval_expand(ev, domain, rs.rr[0], rs.len[0],
		    SPF_MACRO_EXP, text, SPF_EXP_MAX);
		if (rc == 0) {
			free(text);
			return false;
		}
		if (rc > 0) {
			ev->out->explanation = text;
			return true;
		}
		free(text);
	}
fallback:
	if (ev->params->default_exp != NULL)
		ev->out->explanation = xstrdup(ev->params->default_exp);
	return true;
}

static enum spf_result
spf_qual_result(enum spf_qualifier q)
{
	switch (q) {
	case SPF_QUAL_PASS:
		return SPF_RESULT_PASS;
	case SPF_QUAL_FAIL:
		return SPF_RESULT_FAIL;
	case SPF_QUAL_SOFTFAIL:
		return SPF_RESULT_SOFTFAIL;
	case SPF_QUAL_NEUTRAL:
		return SPF_RESULT_NEUTRAL;
	}
	return SPF_RESULT_NEUTRAL;
}

/* spf_eval_terms - the mechanisms in order, then redirect (4.6.2, 6.1) */
static enum spf_result
spf_eval_terms(struct spf_eval *ev, const struct spf_record *rec,
    const char *domain, unsigned depth, bool explain)
{
	char target[SPF_DOMAIN_BUF], *detail;
	const struct spf_term *t;
	enum spf_result r;
	enum spf_m m;
	size_t i, step;

	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		if (t->kind != SPF_TERM_MECH)
			continue;
		/* added first, so an include's own steps come after it */
		step = spf_trace_add(ev, depth, SPF_STEP_NO_MATCH,
		    SPF_RESULT_NONE, domain, &t->text, NULL);
		r = SPF_RESULT_NONE;
		m = spf_eval_mech(ev, t, domain, depth, step, &r, &detail);
		switch (m) {
		case SPF_M_MATCH:
			if (t->mech != SPF_MECH_INCLUDE)
				r = spf_qual_result(t->qual);
			spf_trace_set(ev, step, SPF_STEP_MATCH, r, detail);
			r = spf_qual_result(t->qual);
			if (r == SPF_RESULT_FAIL && explain &&
			    !spf_eval_explain(ev, rec, domain))
				return SPF_RESULT_PENDING;
			return r;
		case SPF_M_NO_MATCH:
			spf_trace_set(ev, step, SPF_STEP_NO_MATCH, r, detail);
			continue;
		case SPF_M_VOID:
			spf_trace_set(ev, step, SPF_STEP_VOID, r, detail);
			continue;
		case SPF_M_ERROR:
			if (r != SPF_RESULT_PENDING)
				spf_trace_set(ev, step, SPF_STEP_ERROR, r,
				    xstrdup(ev->reason != NULL ? ev->reason
				                               : "error"));
			else
				free(detail);
			return r;
		}
	}
	if (rec->redirect < 0) {
		spf_trace_add(ev, depth, SPF_STEP_DEFAULT, SPF_RESULT_NEUTRAL,
		    domain, NULL, NULL);
		return SPF_RESULT_NEUTRAL;
	}
	t = &rec->terms[rec->redirect];
	step = spf_trace_add(ev, depth, SPF_STEP_REDIRECT, SPF_RESULT_NONE,
	    domain, &t->text, NULL);
	if (!spf_eval_count(ev)) {
		r = spf_fail_with(
		    ev, SPF_RESULT_PERMERROR, "too many dns lookups");
		spf_trace_set(ev, step, SPF_STEP_ERROR, r, xstrdup(ev->reason));
		return r;
	}
	if (spf_eval_target(ev, t, domain, target, sizeof(target)) == 0)
		return SPF_RESULT_PENDING;
	spf_trace_set(
	    ev, step, SPF_STEP_REDIRECT, SPF_RESULT_NONE, xstrdup(target));
	r = spf_eval_record(ev, target, depth + 1, explain);
	if (r == SPF_RESULT_NONE)
		r = spf_fail_with(ev, SPF_RESULT_PERMERROR,
		    "redirect target has no spf record");
	if (r != SPF_RESULT_PENDING)
		spf_trace_set(ev, step, SPF_STEP_REDIRECT, r, NULL);
	return r;
}

/* spf_eval_record - check_host() for one domain: 4.3 to 4.7 */
static enum spf_result
spf_eval_record(
    struct spf_eval *ev, const char *domain, unsigned depth, bool explain)
{
	struct dnsview_rrset rs;
	struct spf_record *rec;
	struct perr err = { 0, NULL };
	enum spf_result r;
	size_t n, first = 0, step;
	char *where;

	step = spf_trace_add(
	    ev, depth, SPF_STEP_RECORD, SPF_RESULT_NEUTRAL, domain, NULL, NULL);
	if (!spf_name_valid(domain, strlen(domain), true)) {
		r = spf_fail_with(ev, SPF_RESULT_NONE, "invalid domain name");
		spf_trace_set(
		    ev, step, SPF_STEP_RECORD, r, xstrdup(ev->reason));
		return r;
	}
	switch (spf_lookup(ev->view, domain, SPF_TYPE_TXT, &rs)) {
	case DNSVIEW_PENDING:
		return SPF_RESULT_PENDING;
	case DNSVIEW_TEMPFAIL:
		r = spf_fail_with(ev, SPF_RESULT_TEMPERROR,
		    "dns lookup of the spf record failed");
		spf_trace_set(
		    ev, step, SPF_STEP_RECORD, r, xstrdup(ev->reason));
		return r;
	case DNSVIEW_NXDOMAIN:
		r = spf_fail_with(ev, SPF_RESULT_NONE, "domain does not exist");
		spf_trace_set(
		    ev, step, SPF_STEP_RECORD, r, xstrdup(ev->reason));
		return r;
	case DNSVIEW_NODATA:
	case DNSVIEW_OK:
		break;
	}
	n = rs.status == DNSVIEW_OK ? spf_select(rs.rr, rs.len, rs.n, &first)
	                            : 0;
	if (n != 1) {
		r = spf_fail_with(ev,
		    n == 0 ? SPF_RESULT_NONE : SPF_RESULT_PERMERROR,
		    n == 0 ? "no spf record" : "multiple spf records");
		spf_trace_set(
		    ev, step, SPF_STEP_RECORD, r, xstrdup(ev->reason));
		return r;
	}
	spf_trace_set(ev, step, SPF_STEP_RECORD, SPF_RESULT_NEUTRAL,
	    xmemdup0(rs.rr[first], rs.len[first]));
	if (depth == 0) {
		free(ev->out->record);
		ev->out->record = xmemdup0(rs.rr[first], rs.len[first]);
		ev->out->record_len = rs.len[first];
	}
	rec = xmalloc(sizeof(*rec));
	if (spf_parse(rs.rr[first], rs.len[first], rec, &err) != 0) {
		r = spf_fail_with(ev, SPF_RESULT_PERMERROR, err.msg);
		where = xasprintf("%s at offset %zu", err.msg, err.off);
		spf_trace_add(
		    ev, depth, SPF_STEP_ERROR, r, domain, NULL, where);
		free(where);
		free(rec);
		return r;
	}
	r = spf_eval_terms(ev, rec, domain, depth, explain);
	free(rec);
	return r;
}

void
spf_eval_result_init(struct spf_eval_result *r)
{
	memset(r, 0, sizeof(*r));
	r->result = SPF_RESULT_PENDING;
}

void
spf_eval_result_release(struct spf_eval_result *r)
{
	size_t i;

	for (i = 0; i < r->ntrace; i++) {
		free(r->trace[i].domain);
		free(r->trace[i].term);
		free(r->trace[i].detail);
	}
	free(r->trace);
	free(r->domain);
	free(r->record);
	free(r->explanation);
	spf_eval_result_init(r);
}

/* spf_eval_sender - <sender>, local-part and domain (RFC 7208 2.4, 4.3) */
static void
spf_eval_sender(struct spf_eval *ev, const struct spf_eval_params *p)
{
	const char *s = p->sender, *at;

	if (s == NULL || s[0] == '\0') {
		ev->local = xstrdup("postmaster");
		ev->sender_domain = xstrdup(ev->helo);
	} else if ((at = strrchr(s, '@')) == NULL) {
		ev->local = xstrdup("postmaster");
		ev->sender_domain = xstrdup(s);
	} else {
		ev->local = at == s ? xstrdup("postmaster")
		                    : xmemdup0(s, (size_t)(at - s));
		ev->sender_domain = xstrdup(at + 1);
	}
	ev->sender = xasprintf("%s@%s", ev->local, ev->sender_domain);
}

enum spf_result
spf_check_host(const struct dnsview *view, const struct spf_eval_params *params,
    struct spf_eval_result *out)
{
	struct spf_eval ev;
	const char *domain;
	enum spf_result r;

	spf_eval_result_release(out);
	memset(&ev, 0, sizeof(ev));
	ev.view = view;
	ev.params = params;
	ev.out = out;
	ev.helo = params->helo != NULL ? params->helo : "";
	spf_eval_sender(&ev, params);
	domain = params->domain != NULL ? params->domain : ev.sender_domain;
	out->domain = spf_strip_dot(domain, strlen(domain));
	if (params->ip == NULL ||
	    spf_ip_parse(params->ip, strlen(params->ip), &ev.ip) != 0)
		r = spf_fail_with(
		    &ev, SPF_RESULT_PERMERROR, "invalid client address");
	else
		r = spf_eval_record(&ev, out->domain, 0, true);
	out->result = r;
	out->reason = r == SPF_RESULT_NONE || r == SPF_RESULT_TEMPERROR ||
	        r == SPF_RESULT_PERMERROR
	    ? ev.reason
	    : NULL;
	if (r != SPF_RESULT_FAIL && r != SPF_RESULT_PENDING) {
		free(out->explanation);
		out->explanation = NULL;
	}
	out->lookups = ev.lookups;
	out->void_lookups = ev.voids;
	free(ev.sender);
	free(ev.local);
	free(ev.sender_domain);
	return r;
}

/* ---- the audit ---- */

#define SPF_AUDIT_MAX_DEPTH 32

struct spf_auditor {
	const struct dnsview *view;            /* borrowed */
	struct spf_audit *a;                   /* borrowed */
	const char *path[SPF_AUDIT_MAX_DEPTH]; /* borrowed: names walked into */
	size_t npath;
	bool pending;
};

void
spf_audit_init(struct spf_audit *a)
{
	memset(a, 0, sizeof(*a));
	a->all = a->all_effective = -1;
}

void
spf_audit_release(struct spf_audit *a)
{
	size_t i;

	for (i = 0; i < a->nnodes; i++) {
		free(a->nodes[i].domain);
		free(a->nodes[i].record);
	}
	free(a->nodes);
	for (i = 0; i < a->nno_record; i++)
		free(a->no_record[i]);
	free(a->no_record);
	for (i = 0; i < a->nloops; i++)
		free(a->loops[i]);
	free(a->loops);
	free(a->record);
	spf_audit_init(a);
}

/* spf_audit_list - add name to a list of names unless it is there */
static void
spf_audit_list(char ***list, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (spf_name_eq(
		        (*list)[i], strlen((*list)[i]), name, strlen(name)))
			return;
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = xstrdup(name);
}

/* spf_audit_node - a new node; its index */
static size_t
spf_audit_node(struct spf_audit *a, const char *domain, size_t dlen,
    unsigned depth, enum spf_audit_via via, enum spf_audit_status status)
{
	struct spf_audit_node *n;

	a->nodes = xreallocarray(a->nodes, a->nnodes + 1, sizeof(*a->nodes));
	n = &a->nodes[a->nnodes];
	memset(n, 0, sizeof(*n));
	n->depth = depth;
	n->via = via;
	n->status = status;
	n->domain = spf_strip_dot(domain, dlen);
	return a->nnodes++;
}

/* spf_audit_void - count a void answer for a macro-free a/mx/exists */
static void
spf_audit_void(
    struct spf_auditor *au, const struct spf_term *t, const char *domain)
{
	struct dnsview_rrset rs, rs6;
	enum dnsview_status s, s6;
	char *name;

	if (t->value.p != NULL && memchr(t->value.p, '%', t->value.len))
		return;
	name = t->value.p != NULL ? spf_strip_dot(t->value.p, t->value.len)
	                          : xstrdup(domain);
	if (!spf_name_valid(name, strlen(name), false)) {
		free(name);
		return;
	}
	if (t->mech == SPF_MECH_MX) {
		s = spf_lookup(au->view, name, SPF_TYPE_MX, &rs);
		s6 = DNSVIEW_NODATA;
	} else if (t->mech == SPF_MECH_A) {
		s = spf_lookup(au->view, name, SPF_TYPE_A, &rs);
		s6 = spf_lookup(au->view, name, SPF_TYPE_AAAA, &rs6);
	} else {
		s = spf_lookup(au->view, name, SPF_TYPE_A, &rs);
		s6 = DNSVIEW_NODATA;
	}
	free(name);
	if (s == DNSVIEW_PENDING || s6 == DNSVIEW_PENDING)
		au->pending = true;
	else if (s == DNSVIEW_TEMPFAIL || s6 == DNSVIEW_TEMPFAIL)
		au->a->temperror = true;
	else if (spf_is_void(s) && spf_is_void(s6))
		au->a->void_lookups++;
}

static size_t spf_audit_walk(struct spf_auditor *au, const char *domain,
    size_t dlen, unsigned depth, enum spf_audit_via via, int *all_eff);

/* spf_audit_target - follow an include or redirect term */
static size_t
spf_audit_target(struct spf_auditor *au, const struct spf_term *t,
    unsigned depth, enum spf_audit_via via, int *all_eff)
{
	struct spf_audit *a = au->a;
	size_t i, len = t->value.len, idx;

	*all_eff = -1;
	if (a->nnodes >= SPF_AUDIT_MAX_NODES) {
		a->truncated = true;
		return 0;
	}
	if (memchr(t->value.p, '%', len) != NULL) {
		spf_audit_node(
		    a, t->value.p, len, depth + 1, via, SPF_AUDIT_MACRO);
		return 0;
	}
	for (i = 0; i < au->npath; i++) {
		if (!spf_name_eq(
		        au->path[i], strlen(au->path[i]), t->value.p, len))
			continue;
		idx = spf_audit_node(
		    a, t->value.p, len, depth + 1, via, SPF_AUDIT_LOOP);
		spf_audit_list(&a->loops, &a->nloops, a->nodes[idx].domain);
		return 0;
	}
	return spf_audit_walk(au, t->value.p, len, depth + 1, via, all_eff);
}

/* spf_audit_walk - one record and its subtree; its worst-case lookups */
static size_t
spf_audit_walk(struct spf_auditor *au, const char *domain, size_t dlen,
    unsigned depth, enum spf_audit_via via, int *all_eff)
{
	struct spf_audit *a = au->a;
	struct spf_audit_node *node;
	struct dnsview_rrset rs;
	struct spf_record *rec;
	struct perr err = { 0, NULL };
	const struct spf_term *t;
	size_t idx, n, first = 0, total, i;
	char *name;
	int eff;

	*all_eff = -1;
	if (a->nnodes >= SPF_AUDIT_MAX_NODES ||
	    au->npath >= SPF_AUDIT_MAX_DEPTH) {
		a->truncated = true;
		return 0;
	}
	idx = spf_audit_node(a, domain, dlen, depth, via, SPF_AUDIT_NONE);
	name = a->nodes[idx].domain;
	if (!spf_name_valid(name, strlen(name), true)) {
		if (via != SPF_AUDIT_VIA_TOP)
			spf_audit_list(&a->no_record, &a->nno_record, name);
		return 0;
	}
	switch (spf_lookup(au->view, name, SPF_TYPE_TXT, &rs)) {
	case DNSVIEW_PENDING:
		au->pending = true;
		return 0;
	case DNSVIEW_TEMPFAIL:
		a->nodes[idx].status = SPF_AUDIT_TEMPERROR;
		a->temperror = true;
		return 0;
	case DNSVIEW_NXDOMAIN:
	case DNSVIEW_NODATA:
		if (via != SPF_AUDIT_VIA_TOP) {
			a->void_lookups++;
			spf_audit_list(&a->no_record, &a->nno_record, name);
		}
		a->nodes[idx].secure = rs.secure;
		return 0;
	case DNSVIEW_OK:
		break;
	}
	node = &a->nodes[idx];
	node->secure = rs.secure;
	n = spf_select(rs.rr, rs.len, rs.n, &first);
	node->nrecords = n;
	if (n == 0) {
		if (via != SPF_AUDIT_VIA_TOP)
			spf_audit_list(&a->no_record, &a->nno_record, name);
		return 0;
	}
	node->record = xmemdup0(rs.rr[first], rs.len[first]);
	node->record_len = rs.len[first];
	if (n > 1) {
		node->status = SPF_AUDIT_MULTIPLE;
		return 0;
	}
	rec = xmalloc(sizeof(*rec));
	if (spf_parse(rs.rr[first], rs.len[first], rec, &err) != 0) {
		node->status = SPF_AUDIT_SYNTAX;
		node->error = err.msg;
		node->error_off = err.off;
		free(rec);
		return 0;
	}
	node->status = SPF_AUDIT_OK;
	node->lookups = rec->ndns;
	if (rec->redirect >= 0 && rec->all >= 0)
		node->lookups--; /* dead: "all" always matches first */
	if (rec->all >= 0)
		*all_eff = (int)rec->terms[rec->all].qual;
	if (depth == 0)
		a->all = *all_eff;
	total = node->lookups;
	/* node may move as the array grows: only idx is stable now */
	au->path[au->npath++] = name;
	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		if (t->kind != SPF_TERM_MECH)
			continue;
		switch (t->mech) {
		case SPF_MECH_PTR:
			a->uses_ptr = true;
			break;
		case SPF_MECH_A:
		case SPF_MECH_MX:
		case SPF_MECH_EXISTS:
			spf_audit_void(au, t, name);
			break;
		case SPF_MECH_INCLUDE:
			total += spf_audit_target(
			    au, t, depth, SPF_AUDIT_VIA_INCLUDE, &eff);
			break;
		default:
			break;
		}
	}
	if (rec->redirect >= 0 && rec->all < 0) {
		total += spf_audit_target(au, &rec->terms[rec->redirect], depth,
		    SPF_AUDIT_VIA_REDIRECT, &eff);
		*all_eff = eff;
	}
	au->npath--;
	free(rec);
	return total;
}

bool
spf_audit(const struct dnsview *view, const char *domain, struct spf_audit *a)
{
	struct spf_auditor au;
	const struct spf_audit_node *top;
	int eff;

	spf_audit_release(a);
	memset(&au, 0, sizeof(au));
	au.view = view;
	au.a = a;
	a->lookups = spf_audit_walk(
	    &au, domain, strlen(domain), 0, SPF_AUDIT_VIA_TOP, &eff);
	a->all_effective = eff;
	if (a->nnodes > 0) {
		top = &a->nodes[0];
		a->status = top->status;
		a->nrecords = top->nrecords;
		a->error = top->error;
		a->error_off = top->error_off;
		a->secure = top->secure;
		if (top->record != NULL) {
			a->record = xmemdup0(top->record, top->record_len);
			a->record_len = top->record_len;
		}
	}
	return !au.pending;
}
