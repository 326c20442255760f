/* SPDX-License-Identifier: ISC */
/*
 * hsts - Strict-Transport-Security header values (RFC 6797 6.1), browser
 * max-age clamps and HSTS preload readiness.
 *
 * The header parser is a cursor over (p, len) that reads one directive at a
 * time: name, optional "=" and value, then ";" or the end, with linear white
 * space skipped between elements. A syntax error is recorded (the first one
 * also goes to the struct perr) and the cursor skips to the next ';' outside
 * a quoted-string, so that one bad directive does not hide the others.
 */
#include "proto/hsts.h"

#include <string.h>

#include "util/ascii.h"

/* parse state beside the output */
struct hsts_ctx {
	const char *p;         /* borrowed: the input */
	size_t len;            /* its length */
	size_t pos;            /* cursor */
	struct hsts_header *h; /* borrowed: the output */
	struct perr first;     /* the first fatal problem */
	bool have_fatal;
	bool seen_max_age, seen_isd, seen_preload;
	bool warned_empty, warned_names;
	size_t name_off[HSTS_MAXDIRECTIVES]; /* unknown directive names */
	size_t name_len[HSTS_MAXDIRECTIVES];
	size_t nnames;
};

/* hsts_problem - record a problem at off */
static void
hsts_problem(struct hsts_ctx *c, size_t off, const char *msg, bool fatal)
{
	struct hsts_header *h = c->h;

	if (fatal && !c->have_fatal) {
		c->have_fatal = true;
		c->first.off = off;
		c->first.msg = msg;
	}
	if (h->nproblems == HSTS_MAXPROBLEMS) {
		h->problems_truncated = true;
		return;
	}
	h->problems[h->nproblems].off = off;
	h->problems[h->nproblems].msg = msg;
	h->problems[h->nproblems].fatal = fatal;
	h->nproblems++;
}

/* hsts_token_char - RFC 2616 2.2: a CHAR that is no CTL and no separator */
static bool
hsts_token_char(unsigned char ch)
{
	if (ch <= 0x20 || ch >= 0x7f)
		return false;
	return strchr("()<>@,;:\\\"/[]?={}", ch) == NULL;
}

/* hsts_wsp - SP or HTAB */
static bool
hsts_wsp(unsigned char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * hsts_lws_at - the length of the linear white space unit at pos (RFC 2616
 * 2.2: [CRLF] 1*( SP | HT ), taken one SP, HTAB or folded CRLF at a time),
 * 0 when there is none
 */
static size_t
hsts_lws_at(const char *p, size_t len, size_t pos)
{
	if (pos < len && hsts_wsp((unsigned char)p[pos]))
		return 1;
	if (len - pos >= 3 && p[pos] == '\r' && p[pos + 1] == '\n' &&
	    hsts_wsp((unsigned char)p[pos + 2]))
		return 3;
	return 0;
}

/* hsts_skip_lws - move the cursor past linear white space */
static void
hsts_skip_lws(struct hsts_ctx *c)
{
	size_t n;

	while ((n = hsts_lws_at(c->p, c->len, c->pos)) > 0)
		c->pos += n;
}

/*
 * hsts_quoted - the cursor is on '"': move it past the quoted-string (RFC
 * 2616 2.2: qdtext is TEXT, so octets above 0x7f and folded white space,
 * but no other control; a quoted-pair is "\" and any CHAR). Returns NULL,
 * or the problem with *bad its offset; on a problem the cursor is left
 * where it stopped.
 */
static const char *
hsts_quoted(struct hsts_ctx *c, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)c->p;
	size_t start = c->pos, n;

	c->pos++;
	for (;;) {
		if (c->pos == c->len) {
			*bad = start;
			return "unterminated quoted-string";
		}
		if (u[c->pos] == '"') {
			c->pos++;
			return NULL;
		}
		if (u[c->pos] == '\\') {
			if (c->pos + 1 == c->len) {
				*bad = start;
				return "unterminated quoted-string";
			}
			if (u[c->pos + 1] >= 0x80) {
				*bad = c->pos;
				return "bad character in quoted-string";
			}
			c->pos += 2;
			continue;
		}
		if ((n = hsts_lws_at(c->p, c->len, c->pos)) > 0) {
			c->pos += n;
			continue;
		}
		if (u[c->pos] < 0x20 || u[c->pos] == 0x7f) {
			*bad = c->pos;
			return "bad character in quoted-string";
		}
		c->pos++;
	}
}

/*
 * hsts_resync - after a syntax error: move the cursor to the next ';' that
 * is not inside a quoted-string, or to the end
 */
static void
hsts_resync(struct hsts_ctx *c)
{
	while (c->pos < c->len && c->p[c->pos] != ';') {
		if (c->p[c->pos] != '"') {
			c->pos++;
			continue;
		}
		/* a quoted-string, bad or not, up to its closing quote */
		c->pos++;
		while (c->pos < c->len && c->p[c->pos] != '"') {
			if (c->p[c->pos] == '\\' && c->pos + 1 < c->len)
				c->pos++;
			c->pos++;
		}
		if (c->pos < c->len)
			c->pos++;
	}
}

/* hsts_name_eq - do two directive names match, ignoring ASCII case */
static bool
hsts_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (ascii_tolower((unsigned char)a[i]) !=
		    ascii_tolower((unsigned char)b[i]))
			return false;
	return true;
}

/*
 * hsts_max_age - the value [vs, ve) of max-age, quoted or not: after
 * quoted-string unescaping it must be 1*DIGIT (RFC 6797 6.1.1). A value
 * that does not fit saturates at UINT64_MAX.
 */
static void
hsts_max_age(struct hsts_ctx *c, size_t vs, size_t ve)
{
	struct hsts_header *h = c->h;
	uint64_t v = 0;
	size_t i = vs, ndigits = 0;
	bool quoted = c->p[vs] == '"', saturated = false;
	unsigned d;

	if (quoted) {
		i++;
		ve--;
	}
	for (; i < ve; i++) {
		if (quoted && c->p[i] == '\\')
			i++;
		if (!ascii_isdigit((unsigned char)c->p[i])) {
			hsts_problem(c, i, "max-age is not a number", true);
			return;
		}
		d = (unsigned)(c->p[i] - '0');
		if (saturated || v > (UINT64_MAX - d) / 10) {
			saturated = true;
			v = UINT64_MAX;
		} else {
			v = v * 10 + d;
		}
		ndigits++;
	}
	if (ndigits == 0) {
		hsts_problem(c, vs, "max-age is not a number", true);
		return;
	}
	h->has_max_age = true;
	h->max_age = v;
	h->max_age_saturated = saturated;
	if (saturated)
		hsts_problem(c, vs,
		    "max-age too large: taken as the largest value", false);
}

/*
 * hsts_unknown - an unknown directive at ns: ignored (rule 5), unless its
 * name came before (rule 2)
 */
static void
hsts_unknown(struct hsts_ctx *c, size_t ns, size_t nlen)
{
	size_t i;

	for (i = 0; i < c->nnames; i++) {
		if (hsts_name_eq(c->p + c->name_off[i], c->name_len[i],
		        c->p + ns, nlen)) {
			hsts_problem(c, ns, "repeated directive", true);
			return;
		}
	}
	c->h->nunknown++;
	hsts_problem(c, ns, "unknown directive ignored", false);
	if (c->nnames < HSTS_MAXDIRECTIVES) {
		c->name_off[c->nnames] = ns;
		c->name_len[c->nnames] = nlen;
		c->nnames++;
	} else if (!c->warned_names) {
		c->warned_names = true;
		hsts_problem(c, ns,
		    "too many directives: later ones not checked for repeats",
		    false);
	}
}

/*
 * hsts_directive - apply one directive: name [ns, ns + nlen), value
 * [vs, ve) as written (quotes included) when has_value
 */
static void
hsts_directive(struct hsts_ctx *c, size_t ns, size_t nlen, bool has_value,
    size_t vs, size_t ve)
{
	const char *name = c->p + ns;

	c->h->ndirectives++;
	if (ascii_eq_nocase(name, nlen, "max-age")) {
		if (c->seen_max_age) {
			hsts_problem(c, ns, "repeated directive", true);
			return;
		}
		c->seen_max_age = true;
		if (!has_value)
			hsts_problem(c, ns, "max-age without a value", true);
		else
			hsts_max_age(c, vs, ve);
	} else if (ascii_eq_nocase(name, nlen, "includeSubDomains")) {
		if (c->seen_isd) {
			hsts_problem(c, ns, "repeated directive", true);
			return;
		}
		c->seen_isd = true;
		if (has_value)
			hsts_problem(
			    c, vs, "includesubdomains takes no value", true);
		else
			c->h->include_subdomains = true;
	} else if (ascii_eq_nocase(name, nlen, "preload")) {
		if (c->seen_preload) {
			hsts_problem(c, ns, "repeated directive", true);
			return;
		}
		c->seen_preload = true;
		if (has_value) {
			/* not the preload list's directive: an unknown one */
			c->h->nunknown++;
			hsts_problem(c, vs,
			    "preload with a value: ignored as unknown", false);
		} else {
			c->h->preload = true;
		}
	} else {
		hsts_unknown(c, ns, nlen);
	}
}

/*
 * hsts_next - read one directive, or an empty one, at the cursor (after
 * white space); the cursor ends past its ';' or at the end
 */
static void
hsts_next(struct hsts_ctx *c)
{
	const char *msg;
	size_t ns, nlen, vs = 0, ve = 0, bad;
	bool has_value = false;

	if (c->p[c->pos] == ';') {
		if (!c->warned_empty) {
			c->warned_empty = true;
			hsts_problem(c, c->pos, "empty directive", false);
		}
		c->pos++;
		return;
	}
	ns = c->pos;
	while (c->pos < c->len && hsts_token_char((unsigned char)c->p[c->pos]))
		c->pos++;
	if (c->pos == ns) {
		hsts_problem(c, ns, "bad directive name", true);
		goto resync;
	}
	nlen = c->pos - ns;
	hsts_skip_lws(c);
	if (c->pos < c->len && c->p[c->pos] == '=') {
		c->pos++;
		hsts_skip_lws(c);
		vs = c->pos;
		if (c->pos == c->len || c->p[c->pos] == ';') {
			hsts_problem(c, vs, "missing directive value", true);
			goto resync;
		}
		if (c->p[c->pos] == '"') {
			if ((msg = hsts_quoted(c, &bad)) != NULL) {
				hsts_problem(c, bad, msg, true);
				goto resync;
			}
		} else {
			while (c->pos < c->len &&
			    hsts_token_char((unsigned char)c->p[c->pos]))
				c->pos++;
			if (c->pos == vs) {
				hsts_problem(
				    c, vs, "bad directive value", true);
				goto resync;
			}
		}
		ve = c->pos;
		has_value = true;
		hsts_skip_lws(c);
	}
	/* what was read is taken even when junk follows, for the report */
	hsts_directive(c, ns, nlen, has_value, vs, ve);
	if (c->pos == c->len)
		return;
	if (c->p[c->pos] == ';') {
		c->pos++;
		return;
	}
	hsts_problem(c, c->pos, "expected ';'", true);
resync:
	hsts_resync(c);
	if (c->pos < c->len)
		c->pos++;
}

int
hsts_parse(const char *p, size_t len, struct hsts_header *out, struct perr *err)
{
	struct hsts_ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.len = len;
	c.h = out;
	for (;;) {
		hsts_skip_lws(&c);
		if (c.pos == c.len)
			break;
		hsts_next(&c);
	}
	if (!c.seen_max_age)
		hsts_problem(&c, len, "missing max-age", true);
	out->valid = !c.have_fatal;
	if (c.have_fatal)
		return perr_set(err, c.first.off, c.first.msg);
	return 0;
}

/* ---- browsers ---- */

uint64_t
hsts_browser_cap(enum hsts_browser b)
{
	switch (b) {
	case HSTS_BROWSER_CHROMIUM:
		return HSTS_CHROMIUM_MAX_AGE;
	case HSTS_BROWSER_FIREFOX:
		return HSTS_FIREFOX_MAX_AGE;
	case HSTS_BROWSER_MAX:
		break;
	}
	return UINT64_MAX;
}

uint64_t
hsts_clamp(uint64_t max_age, enum hsts_browser b)
{
	uint64_t cap = hsts_browser_cap(b);

	return max_age > cap ? cap : max_age;
}

const char *
hsts_browser_name(enum hsts_browser b)
{
	switch (b) {
	case HSTS_BROWSER_CHROMIUM:
		return "chromium";
	case HSTS_BROWSER_FIREFOX:
		return "firefox";
	case HSTS_BROWSER_MAX:
		break;
	}
	return "";
}

/* ---- preload readiness ---- */

/* names and report lines, indexed by enum hsts_req */
static const struct {
	const char *name;
	const char *msg;
} hsts_reqs[] = {
	[HSTS_REQ_DOMAIN] = { "domain",
	    "only a registrable domain can be submitted, not a subdomain or "
	    "a public suffix" },
	[HSTS_REQ_CERT] = { "cert", "the certificate is not valid" },
	[HSTS_REQ_HTTP_REDIRECT] = { "http-redirect",
	    "http does not redirect to https" },
	[HSTS_REQ_HTTP_SAME_HOST] = { "http-same-host",
	    "the first redirect from http does not go to https on the same "
	    "host" },
	[HSTS_REQ_REDIRECT_SECURE] = { "redirect-secure",
	    "a redirect goes back to http" },
	[HSTS_REQ_REDIRECT_COUNT] = { "redirect-count",
	    "more than 3 redirects" },
	[HSTS_REQ_WWW] = { "www-https",
	    "the www subdomain exists but does not serve https" },
	[HSTS_REQ_HEADER] = { "header",
	    "no single valid strict-transport-security header on the https "
	    "answer" },
	[HSTS_REQ_MAX_AGE] = { "max-age", "max-age is below 31536000 seconds" },
	[HSTS_REQ_INCLUDE_SUBDOMAINS] = { "include-subdomains",
	    "includesubdomains is missing" },
	[HSTS_REQ_PRELOAD] = { "preload", "preload is missing" },
};
_Static_assert(sizeof(hsts_reqs) / sizeof(hsts_reqs[0]) == HSTS_REQ_MAX,
    "hsts_reqs covers enum hsts_req");
_Static_assert(HSTS_REQ_MAX <= 32, "enum hsts_req fits an unsigned mask");

/* hsts_unmet - add a requirement to the list (callers go in enum order) */
static void
hsts_unmet(struct hsts_readiness *out, enum hsts_req r)
{
	out->unmet |= 1u << r;
	out->list[out->nunmet++] = r;
}

void
hsts_ready_check(const struct hsts_header *hdr,
    const struct hsts_ready_facts *f, struct hsts_readiness *out)
{
	memset(out, 0, sizeof(*out));
	if (!f->registrable)
		hsts_unmet(out, HSTS_REQ_DOMAIN);
	if (!f->cert_valid)
		hsts_unmet(out, HSTS_REQ_CERT);
	switch (f->http) {
	case HSTS_HTTP_CLOSED:
	case HSTS_HTTP_SAME_HOST:
		break;
	case HSTS_HTTP_WWW_FIRST:
	case HSTS_HTTP_ELSEWHERE:
		hsts_unmet(out, HSTS_REQ_HTTP_SAME_HOST);
		break;
	case HSTS_HTTP_UNCHECKED:
	case HSTS_HTTP_NO_REDIRECT:
	default:
		hsts_unmet(out, HSTS_REQ_HTTP_REDIRECT);
		break;
	}
	if (f->redirect_insecure)
		hsts_unmet(out, HSTS_REQ_REDIRECT_SECURE);
	if (f->redirect_too_many)
		hsts_unmet(out, HSTS_REQ_REDIRECT_COUNT);
	if (f->www_exists && !f->www_https)
		hsts_unmet(out, HSTS_REQ_WWW);
	if (hdr == NULL || !hdr->valid || f->nheaders > 1)
		hsts_unmet(out, HSTS_REQ_HEADER);
	if (hdr == NULL || !hdr->has_max_age ||
	    hdr->max_age < HSTS_PRELOAD_MIN_AGE)
		hsts_unmet(out, HSTS_REQ_MAX_AGE);
	if (hdr == NULL || !hdr->include_subdomains)
		hsts_unmet(out, HSTS_REQ_INCLUDE_SUBDOMAINS);
	if (hdr == NULL || !hdr->preload)
		hsts_unmet(out, HSTS_REQ_PRELOAD);
	out->ready = out->nunmet == 0;
}

const char *
hsts_req_name(enum hsts_req r)
{
	if ((unsigned)r >= HSTS_REQ_MAX)
		return "";
	return hsts_reqs[r].name;
}

const char *
hsts_req_msg(enum hsts_req r)
{
	if ((unsigned)r >= HSTS_REQ_MAX)
		return "";
	return hsts_reqs[r].msg;
}
