/* SPDX-License-Identifier: ISC */
/*
 * diff - what changed for one domain between two scan documents.
 *
 * Design: each transition is a small function reading one fact from both
 * documents; findings and MX addresses are gathered into arrays, sorted by
 * their key and merged, so a document with many of them costs n log n.
 * store_diff_add() is the only writer of the change list; the list is
 * sorted once at the end: effect, kind, severity, key, order of discovery.
 */
#include "store/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "util/xalloc.h"

static const char *const store_diff_kind_names[STORE_DIFF_KIND_MAX] = {
	[STORE_DIFF_DOMAIN_ADDED] = "domain-added",
	[STORE_DIFF_DOMAIN_REMOVED] = "domain-removed",
	[STORE_DIFF_MAIL_COMPLIANCE_LOST] = "bod1801-mail-compliance-lost",
	[STORE_DIFF_MAIL_COMPLIANCE_GAINED] = "bod1801-mail-compliance-gained",
	[STORE_DIFF_WEB_COMPLIANCE_LOST] = "bod1801-web-compliance-lost",
	[STORE_DIFF_WEB_COMPLIANCE_GAINED] = "bod1801-web-compliance-gained",
	[STORE_DIFF_STARTTLS_LOST] = "starttls-lost",
	[STORE_DIFF_STARTTLS_GAINED] = "starttls-gained",
	[STORE_DIFF_CERT_EXPIRED] = "cert-expired",
	[STORE_DIFF_CERT_RENEWED] = "cert-renewed",
	[STORE_DIFF_DMARC_WEAKENED] = "dmarc-weakened",
	[STORE_DIFF_DMARC_STRENGTHENED] = "dmarc-strengthened",
	[STORE_DIFF_SPF_INVALID] = "spf-invalid",
	[STORE_DIFF_SPF_VALID] = "spf-valid",
	[STORE_DIFF_MTA_STS_WEAKENED] = "mta-sts-weakened",
	[STORE_DIFF_MTA_STS_STRENGTHENED] = "mta-sts-strengthened",
	[STORE_DIFF_WEB_CERT_EXPIRED] = "web-cert-expired",
	[STORE_DIFF_WEB_CERT_RENEWED] = "web-cert-renewed",
	[STORE_DIFF_FINDING_APPEARED] = "finding-appeared",
	[STORE_DIFF_FINDING_DISAPPEARED] = "finding-disappeared",
};

static const char *const store_diff_effect_names[STORE_DIFF_EFFECT_MAX] = {
	[STORE_DIFF_REGRESSION] = "regression",
	[STORE_DIFF_IMPROVEMENT] = "improvement",
	[STORE_DIFF_NEUTRAL] = "change",
};

_Static_assert(
    sizeof(store_diff_kind_names) / sizeof(store_diff_kind_names[0]) ==
        STORE_DIFF_KIND_MAX,
    "a name per kind");

/*
 * a finding, or an MX address's certificate, of one document; the strings
 * are borrowed from it
 */
struct store_diff_item {
	const char *id;        /* borrowed; findings */
	const char *severity;  /* borrowed; findings */
	const char *mx;        /* borrowed */
	const char *ip;        /* borrowed */
	const char *message;   /* borrowed; findings */
	const char *not_after; /* borrowed; addresses */
	int expired;           /* addresses: 1, 0 (-1 unknown: left out) */
};

struct store_diff_items {
	struct store_diff_item *v; /* owned: n entries */
	size_t n;
};

const char *
store_diff_kind_name(enum store_diff_kind kind)
{
	return kind < STORE_DIFF_KIND_MAX ? store_diff_kind_names[kind] : "?";
}

const char *
store_diff_effect_name(enum store_diff_effect effect)
{
	return effect < STORE_DIFF_EFFECT_MAX ? store_diff_effect_names[effect]
	                                      : "?";
}

void
store_diff_init(struct store_diff *d)
{
	memset(d, 0, sizeof(*d));
}

void
store_diff_release(struct store_diff *d)
{
	free(d->changes);
	store_diff_init(d);
}

bool
store_diff_regression(const struct store_diff *d)
{
	return d->count[STORE_DIFF_REGRESSION] > 0;
}

/* store_diff_add - the only writer of d->changes; returns the new change */
static struct store_diff_change *
store_diff_add(struct store_diff *d, enum store_diff_kind kind,
    enum store_diff_effect effect, const char *from, const char *to)
{
	struct store_diff_change *c;

	if (d->n == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 8;
		d->changes =
		    xreallocarray(d->changes, d->alloc, sizeof(*d->changes));
	}
	c = &d->changes[d->n];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->effect = effect;
	c->from = from;
	c->to = to;
	c->seq = d->n++;
	d->count[effect]++;
	return c;
}

/* ---- reading the documents ---- */

/* store_diff_str - o[key] when a string, else NULL */
static const char *
store_diff_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* store_diff_bool - 1, 0, or -1 when not a boolean */
static int
store_diff_bool(const json_t *v)
{
	return json_is_true(v) ? 1 : json_is_false(v) ? 0 : -1;
}

/* store_diff_get2 - o[a][b], or NULL */
static json_t *
store_diff_get2(const json_t *o, const char *a, const char *b)
{
	return json_object_get(json_object_get(o, a), b);
}

/* store_diff_has - do both documents hold key (even as null)? */
static bool
store_diff_has(const json_t *a, const json_t *b, const char *key)
{
	return json_object_get(a, key) != NULL &&
	    json_object_get(b, key) != NULL;
}

/* store_diff_strcmp - NULL before every string */
static int
store_diff_strcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
store_diff_severity_rank(const char *s)
{
	if (s == NULL)
		return 3;
	if (strcmp(s, "error") == 0)
		return 0;
	if (strcmp(s, "warning") == 0)
		return 1;
	if (strcmp(s, "info") == 0)
		return 2;
	return 3;
}

/* ---- transitions ---- */

/*
 * store_diff_flip - a boolean fact turned over: to_false when it went from
 * true to false, to_true the other way; good says which value is better.
 * failures (or NULL) goes with the regression.
 */
static void
store_diff_flip(struct store_diff *d, const json_t *va, const json_t *vb,
    enum store_diff_kind to_false, enum store_diff_kind to_true, bool good,
    const json_t *failures)
{
	int a = store_diff_bool(va), b = store_diff_bool(vb);
	struct store_diff_change *c;

	if (a < 0 || b < 0 || a == b)
		return;
	if (a == 1)
		c = store_diff_add(d, to_false,
		    good ? STORE_DIFF_REGRESSION : STORE_DIFF_IMPROVEMENT,
		    "true", "false");
	else
		c = store_diff_add(d, to_true,
		    good ? STORE_DIFF_IMPROVEMENT : STORE_DIFF_REGRESSION,
		    "false", "true");
	if (c->effect == STORE_DIFF_REGRESSION && json_is_array(failures))
		c->failures = failures;
}

/* store_diff_rank - the rank of v among names (best first); 0: missing */
static int
store_diff_rank(const char *v, const char *const *names, int n)
{
	int i;

	if (v == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return n - i;
	return 0;
}

/*
 * store_diff_ranked - a policy with an order: weaker is a regression.
 * obj/key: where the value lives; an object that is null or a value that is
 * not one of names is "missing".
 */
static void
store_diff_ranked(struct store_diff *d, const json_t *a, const json_t *b,
    const char *obj, const char *key, const char *const *names, int n,
    enum store_diff_kind weaker, enum store_diff_kind stronger)
{
	const char *va, *vb;
	int ra, rb;

	if (!store_diff_has(a, b, obj))
		return;
	va = json_string_value(store_diff_get2(a, obj, key));
	vb = json_string_value(store_diff_get2(b, obj, key));
	ra = store_diff_rank(va, names, n);
	rb = store_diff_rank(vb, names, n);
	/* the names the rank stands for, not a string outside the enum */
	va = ra > 0 ? names[n - ra] : "missing";
	vb = rb > 0 ? names[n - rb] : "missing";
	if (rb < ra)
		store_diff_add(d, weaker, STORE_DIFF_REGRESSION, va, vb);
	else if (rb > ra)
		store_diff_add(d, stronger, STORE_DIFF_IMPROVEMENT, va, vb);
}

/* store_diff_spf - spf.valid true -> not (false, or spf null) */
static void
store_diff_spf(struct store_diff *d, const json_t *a, const json_t *b)
{
	const json_t *sa, *sb;
	const char *from, *to;
	bool va, vb;

	if (!store_diff_has(a, b, "spf"))
		return;
	sa = json_object_get(a, "spf");
	sb = json_object_get(b, "spf");
	va = json_is_true(json_object_get(sa, "valid"));
	vb = json_is_true(json_object_get(sb, "valid"));
	from = json_is_object(sa) ? store_diff_str(sa, "status") : "missing";
	to = json_is_object(sb) ? store_diff_str(sb, "status") : "missing";
	if (va && !vb)
		store_diff_add(
		    d, STORE_DIFF_SPF_INVALID, STORE_DIFF_REGRESSION, from, to);
	else if (!va && vb)
		store_diff_add(
		    d, STORE_DIFF_SPF_VALID, STORE_DIFF_IMPROVEMENT, from, to);
}

/* ---- findings and addresses ---- */

static void
store_diff_items_push(
    struct store_diff_items *it, const struct store_diff_item *x)
{
	/* n + 1 allocations would be quadratic: grow by powers of two */
	if ((it->n & (it->n - 1)) == 0)
		it->v = xreallocarray(
		    it->v, it->n == 0 ? 1 : 2 * it->n, sizeof(*it->v));
	it->v[it->n++] = *x;
}

/* store_diff_finding_cmp - the key of a finding: id, severity, mx, ip */
static int
store_diff_finding_cmp(const void *pa, const void *pb)
{
	const struct store_diff_item *a = pa, *b = pb;
	int r;

	if ((r = store_diff_strcmp(a->id, b->id)) != 0 ||
	    (r = store_diff_strcmp(a->severity, b->severity)) != 0 ||
	    (r = store_diff_strcmp(a->mx, b->mx)) != 0)
		return r;
	return store_diff_strcmp(a->ip, b->ip);
}

/* store_diff_addr_cmp - the key of an address: mx, ip */
static int
store_diff_addr_cmp(const void *pa, const void *pb)
{
	const struct store_diff_item *a = pa, *b = pb;
	int r;

	if ((r = store_diff_strcmp(a->mx, b->mx)) != 0)
		return r;
	return store_diff_strcmp(a->ip, b->ip);
}

/* store_diff_findings_of - doc's well-formed findings, sorted */
static void
store_diff_findings_of(const json_t *doc, struct store_diff_items *it)
{
	const json_t *arr = json_object_get(doc, "findings"), *f;
	struct store_diff_item x;
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		f = json_array_get(arr, i);
		memset(&x, 0, sizeof(x));
		x.id = store_diff_str(f, "id");
		x.severity = store_diff_str(f, "severity");
		if (x.id == NULL || x.severity == NULL)
			continue;
		x.mx = store_diff_str(f, "mx");
		x.ip = store_diff_str(f, "ip");
		x.message = store_diff_str(f, "message");
		store_diff_items_push(it, &x);
	}
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), store_diff_finding_cmp);
}

/* store_diff_addrs_of - every MX address with a certificate, sorted */
static void
store_diff_addrs_of(const json_t *doc, struct store_diff_items *it)
{
	const json_t *mxs = json_object_get(doc, "mx"), *m, *addrs, *cert;
	struct store_diff_item x;
	size_t i, j;

	for (i = 0; i < json_array_size(mxs); i++) {
		m = json_array_get(mxs, i);
		addrs = json_object_get(m, "addresses");
		for (j = 0; j < json_array_size(addrs); j++) {
			cert = store_diff_get2(
			    json_array_get(addrs, j), "tls", "cert");
			memset(&x, 0, sizeof(x));
			x.expired =
			    store_diff_bool(json_object_get(cert, "expired"));
			if (x.expired < 0)
				continue;
			x.mx = store_diff_str(m, "host");
			x.ip = store_diff_str(json_array_get(addrs, j), "ip");
			x.not_after = store_diff_str(cert, "not_after");
			store_diff_items_push(it, &x);
		}
	}
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), store_diff_addr_cmp);
}

/* store_diff_finding - one finding that appeared or disappeared */
static void
store_diff_finding(
    struct store_diff *d, const struct store_diff_item *x, bool appeared)
{
	struct store_diff_change *c;
	enum store_diff_effect e = STORE_DIFF_NEUTRAL;

	if (store_diff_severity_rank(x->severity) <= 1)
		e = appeared ? STORE_DIFF_REGRESSION : STORE_DIFF_IMPROVEMENT;
	c = store_diff_add(d,
	    appeared ? STORE_DIFF_FINDING_APPEARED
	             : STORE_DIFF_FINDING_DISAPPEARED,
	    e, NULL, NULL);
	c->id = x->id;
	c->severity = x->severity;
	c->mx = x->mx;
	c->ip = x->ip;
	c->message = x->message;
}

/* store_diff_skip - the index past every copy of the key at i */
static size_t
store_diff_skip(const struct store_diff_items *it, size_t i)
{
	size_t k = i;

	while (k < it->n && store_diff_finding_cmp(&it->v[k], &it->v[i]) == 0)
		k++;
	return k;
}

/* store_diff_findings - merge the two sorted sets (duplicates count once) */
static void
store_diff_findings(struct store_diff *d, const json_t *a, const json_t *b)
{
	struct store_diff_items fa = { NULL, 0 }, fb = { NULL, 0 };
	size_t i = 0, j = 0;
	int r;

	store_diff_findings_of(a, &fa);
	store_diff_findings_of(b, &fb);
	while (i < fa.n || j < fb.n) {
		if (i == fa.n)
			r = 1;
		else if (j == fb.n)
			r = -1;
		else
			r = store_diff_finding_cmp(&fa.v[i], &fb.v[j]);
		if (r < 0)
			store_diff_finding(d, &fa.v[i], false);
		else if (r > 0)
			store_diff_finding(d, &fb.v[j], true);
		if (r <= 0)
			i = store_diff_skip(&fa, i);
		if (r >= 0)
			j = store_diff_skip(&fb, j);
	}
	free(fa.v);
	free(fb.v);
}

/* store_diff_certs - per MX address present in b: now expired, renewed */
static void
store_diff_certs(struct store_diff *d, const json_t *a, const json_t *b)
{
	struct store_diff_items xa = { NULL, 0 }, xb = { NULL, 0 };
	struct store_diff_change *c;
	const struct store_diff_item *old;
	size_t i, j = 0;

	store_diff_addrs_of(a, &xa);
	store_diff_addrs_of(b, &xb);
	for (i = 0; i < xb.n; i++) {
		/* the same address twice (an MX listed twice) counts once */
		if (i > 0 && store_diff_addr_cmp(&xb.v[i - 1], &xb.v[i]) == 0)
			continue;
		while (j < xa.n && store_diff_addr_cmp(&xa.v[j], &xb.v[i]) < 0)
			j++;
		old = j < xa.n && store_diff_addr_cmp(&xa.v[j], &xb.v[i]) == 0
		    ? &xa.v[j]
		    : NULL;
		c = NULL;
		/* an address new in b with an expired certificate is news */
		if (xb.v[i].expired == 1 && (old == NULL || old->expired == 0))
			c = store_diff_add(d, STORE_DIFF_CERT_EXPIRED,
			    STORE_DIFF_REGRESSION,
			    old != NULL ? old->not_after : NULL,
			    xb.v[i].not_after);
		else if (xb.v[i].expired == 0 && old != NULL &&
		    old->expired == 1)
			c = store_diff_add(d, STORE_DIFF_CERT_RENEWED,
			    STORE_DIFF_IMPROVEMENT, old->not_after,
			    xb.v[i].not_after);
		if (c != NULL) {
			c->mx = xb.v[i].mx;
			c->ip = xb.v[i].ip;
		}
	}
	free(xa.v);
	free(xb.v);
}

/* ---- the whole ---- */

/* store_diff_cmp - effect, kind, severity, key, order of discovery */
static int
store_diff_cmp(const void *pa, const void *pb)
{
	const struct store_diff_change *a = pa, *b = pb;
	int r;

	if (a->effect != b->effect)
		return a->effect < b->effect ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	r = store_diff_severity_rank(a->severity) -
	    store_diff_severity_rank(b->severity);
	if (r != 0 || (r = store_diff_strcmp(a->id, b->id)) != 0 ||
	    (r = store_diff_strcmp(a->mx, b->mx)) != 0 ||
	    (r = store_diff_strcmp(a->ip, b->ip)) != 0)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void
store_diff_docs(struct store_diff *d, const json_t *a, const json_t *b)
{
	static const char *const dmarc[] = { "reject", "quarantine", "none" };
	static const char *const sts[] = { "enforce", "testing", "none" };
	const json_t *ba, *bb;

	d->n = 0;
	memset(d->count, 0, sizeof(d->count));
	if (a == NULL && b == NULL)
		return;
	if (a == NULL) {
		store_diff_add(
		    d, STORE_DIFF_DOMAIN_ADDED, STORE_DIFF_NEUTRAL, NULL, NULL);
		return;
	}
	if (b == NULL) {
		store_diff_add(d, STORE_DIFF_DOMAIN_REMOVED, STORE_DIFF_NEUTRAL,
		    NULL, NULL);
		return;
	}
	ba = json_object_get(a, "bod1801");
	bb = json_object_get(b, "bod1801");
	store_diff_flip(d, store_diff_get2(ba, "mail", "compliant"),
	    store_diff_get2(bb, "mail", "compliant"),
	    STORE_DIFF_MAIL_COMPLIANCE_LOST, STORE_DIFF_MAIL_COMPLIANCE_GAINED,
	    true, store_diff_get2(bb, "mail", "failures"));
	store_diff_flip(d, store_diff_get2(ba, "web", "compliant"),
	    store_diff_get2(bb, "web", "compliant"),
	    STORE_DIFF_WEB_COMPLIANCE_LOST, STORE_DIFF_WEB_COMPLIANCE_GAINED,
	    true, store_diff_get2(bb, "web", "failures"));
	store_diff_flip(d, store_diff_get2(a, "summary", "starttls_all"),
	    store_diff_get2(b, "summary", "starttls_all"),
	    STORE_DIFF_STARTTLS_LOST, STORE_DIFF_STARTTLS_GAINED, true, NULL);
	store_diff_certs(d, a, b);
	store_diff_ranked(d, a, b, "dmarc", "policy", dmarc, 3,
	    STORE_DIFF_DMARC_WEAKENED, STORE_DIFF_DMARC_STRENGTHENED);
	store_diff_spf(d, a, b);
	store_diff_ranked(d, a, b, "mta_sts", "mode", sts, 3,
	    STORE_DIFF_MTA_STS_WEAKENED, STORE_DIFF_MTA_STS_STRENGTHENED);
	store_diff_flip(d, store_diff_get2(a, "web", "https_expired_cert"),
	    store_diff_get2(b, "web", "https_expired_cert"),
	    STORE_DIFF_WEB_CERT_RENEWED, STORE_DIFF_WEB_CERT_EXPIRED, false,
	    NULL);
	store_diff_findings(d, a, b);
	if (d->n > 1)
		qsort(d->changes, d->n, sizeof(*d->changes), store_diff_cmp);
}

/* ---- output ---- */

/* store_diff_put - s for a terminal (NULL: "?"); -1 past b's cap */
static int
store_diff_put(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s != NULL ? s : "?");
	size_t len = strlen((const char *)u), i = 0, n, k;
	uint32_t cp;
	int rc = 0;

	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			/* runs of printable ASCII in one append */
			for (n = i; n < len && u[n] >= 0x20 && u[n] < 0x7f; n++)
				;
			rc |= buf_append(b, u + i, n - i);
			i = n;
			continue;
		}
		n = u[i] >= 0x80 ? utf8_decode(u + i, len - i, &cp, NULL) : 0;
		if (n > 0 && utf8_printable(cp)) {
			rc |= buf_append(b, u + i, n);
			i += n;
			continue;
		}
		/* one ill-formed byte, or every byte of a control */
		if (n == 0)
			n = 1;
		for (k = 0; k < n; k++)
			rc |= buf_printf(b, "\\x%02X", u[i + k]);
		i += n;
	}
	return rc;
}

/* store_diff_where - " MX IP:" of a change, or nothing */
static int
store_diff_where(struct buf *b, const struct store_diff_change *c)
{
	int rc = 0;

	if (c->mx != NULL) {
		rc |= buf_puts(b, " ");
		rc |= store_diff_put(b, c->mx);
	}
	if (c->ip != NULL) {
		rc |= buf_puts(b, " ");
		rc |= store_diff_put(b, c->ip);
	}
	if (c->mx != NULL || c->ip != NULL)
		rc |= buf_puts(b, ":");
	return rc;
}

/* store_diff_from_to - " FROM -> TO" */
static int
store_diff_from_to(
    struct buf *b, const char *what, const struct store_diff_change *c)
{
	int rc = buf_printf(b, " %s ", what);

	rc |= store_diff_put(b, c->from);
	rc |= buf_puts(b, " -> ");
	rc |= store_diff_put(b, c->to);
	return rc;
}

/* store_diff_failures - " (fails: a, b)" */
static int
store_diff_failures(struct buf *b, const json_t *failures)
{
	size_t i, n = json_array_size(failures);
	int rc = 0;

	if (n == 0)
		return 0;
	rc |= buf_puts(b, " (fails:");
	for (i = 0; i < n; i++) {
		rc |= buf_puts(b, i == 0 ? " " : ", ");
		rc |= store_diff_put(
		    b, json_string_value(json_array_get(failures, i)));
	}
	return rc | buf_puts(b, ")");
}

int
store_diff_change_text(
    struct buf *b, const char *domain, const struct store_diff_change *c)
{
	int rc = store_diff_put(b, domain);

	rc |= buf_printf(b, ": %s: %s:", store_diff_effect_name(c->effect),
	    store_diff_kind_name(c->kind));
	switch (c->kind) {
	case STORE_DIFF_DOMAIN_ADDED:
		rc |= buf_puts(b, " only in the newer run");
		break;
	case STORE_DIFF_DOMAIN_REMOVED:
		rc |= buf_puts(b, " only in the older run");
		break;
	case STORE_DIFF_MAIL_COMPLIANCE_LOST:
		rc |= buf_puts(b, " BOD 18-01 mail: no longer compliant");
		rc |= store_diff_failures(b, c->failures);
		break;
	case STORE_DIFF_MAIL_COMPLIANCE_GAINED:
		rc |= buf_puts(b, " BOD 18-01 mail: now compliant");
		break;
	case STORE_DIFF_WEB_COMPLIANCE_LOST:
		rc |= buf_puts(b, " BOD 18-01 web: no longer compliant");
		rc |= store_diff_failures(b, c->failures);
		break;
	case STORE_DIFF_WEB_COMPLIANCE_GAINED:
		rc |= buf_puts(b, " BOD 18-01 web: now compliant");
		break;
	case STORE_DIFF_STARTTLS_LOST:
		rc |= buf_puts(
		    b, " not every MX address completes STARTTLS any more");
		break;
	case STORE_DIFF_STARTTLS_GAINED:
		rc |= buf_puts(b, " every MX address now completes STARTTLS");
		break;
	case STORE_DIFF_CERT_EXPIRED:
		rc |= store_diff_where(b, c);
		rc |= buf_puts(b, " the certificate has expired (not after ");
		rc |= store_diff_put(b, c->to);
		rc |= buf_puts(b, ")");
		break;
	case STORE_DIFF_CERT_RENEWED:
		rc |= store_diff_where(b, c);
		rc |= buf_puts(b,
		    " the certificate is no longer expired "
		    "(not after ");
		rc |= store_diff_put(b, c->to);
		rc |= buf_puts(b, ")");
		break;
	case STORE_DIFF_DMARC_WEAKENED:
	case STORE_DIFF_DMARC_STRENGTHENED:
		rc |= store_diff_from_to(b, "DMARC policy", c);
		break;
	case STORE_DIFF_SPF_INVALID:
		rc |= store_diff_from_to(b, "SPF no longer valid: status", c);
		break;
	case STORE_DIFF_SPF_VALID:
		rc |= store_diff_from_to(b, "SPF now valid: status", c);
		break;
	case STORE_DIFF_MTA_STS_WEAKENED:
	case STORE_DIFF_MTA_STS_STRENGTHENED:
		rc |= store_diff_from_to(b, "MTA-STS mode", c);
		break;
	case STORE_DIFF_WEB_CERT_EXPIRED:
		rc |= buf_puts(b, " the HTTPS certificate has expired");
		break;
	case STORE_DIFF_WEB_CERT_RENEWED:
		rc |=
		    buf_puts(b, " the HTTPS certificate is no longer expired");
		break;
	case STORE_DIFF_FINDING_APPEARED:
	case STORE_DIFF_FINDING_DISAPPEARED:
		rc |= buf_puts(b, " ");
		rc |= store_diff_put(b, c->severity);
		rc |= buf_puts(b, " ");
		rc |= store_diff_put(b, c->id);
		rc |= store_diff_where(b, c);
		if (c->mx == NULL && c->ip == NULL)
			rc |= buf_puts(b, ":");
		rc |= buf_puts(b, " ");
		rc |= store_diff_put(b, c->message);
		break;
	case STORE_DIFF_KIND_MAX:
		break;
	}
	return rc | buf_puts(b, "\n");
}

/* store_diff_jstr - a JSON string, or null */
static json_t *
store_diff_jstr(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

json_t *
store_diff_change_json(const struct store_diff_change *c)
{
	json_t *o = json_object();

	json_object_set_new(
	    o, "change", json_string(store_diff_kind_name(c->kind)));
	json_object_set_new(
	    o, "effect", json_string(store_diff_effect_name(c->effect)));
	json_object_set_new(o, "from", store_diff_jstr(c->from));
	json_object_set_new(o, "to", store_diff_jstr(c->to));
	json_object_set_new(o, "mx", store_diff_jstr(c->mx));
	json_object_set_new(o, "ip", store_diff_jstr(c->ip));
	json_object_set_new(o, "id", store_diff_jstr(c->id));
	json_object_set_new(o, "severity", store_diff_jstr(c->severity));
	json_object_set_new(o, "message", store_diff_jstr(c->message));
	json_object_set_new(o, "failures",
	    c->failures != NULL ? json_deep_copy(c->failures) : json_null());
	return o;
}
