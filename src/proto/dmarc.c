/* SPDX-License-Identifier: ISC */
/*
 * dmarc - DMARC records under RFC 7489 and RFC 9989: parse, select,
 * discover, verify external destinations.
 *
 * The parser cuts the record at ';' into tags, each "name *WSP = *WSP
 * value" (RFC 6376 3.2 tag-list, as both DMARC grammars use it), checks
 * every known tag's value against both standards, and only then judges the
 * record twice (dmarc_parse_judge): tag problems are warnings; whether a
 * missing or bad policy leaves the record usable (rua fallback) is decided
 * once per standard.
 */
#include "proto/dmarc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/str.h"
#include "util/xalloc.h"

#define DMARC_TYPE_MX  15
#define DMARC_TYPE_TXT 16

static const char *const dmarc_tag_names[DMARC_TAG_MAX] = { "v", "p", "sp",
	"np", "psd", "t", "pct", "rua", "ruf", "adkim", "aspf", "fo", "rf",
	"ri" };

#define DMARC_BIT(t) (1u << (t))
#define DMARC_B7489  DMARC_STD_BIT(DMARC_RFC7489)
#define DMARC_B9989  DMARC_STD_BIT(DMARC_RFC9989)

const char *
dmarc_tag_name(enum dmarc_tag t)
{
	return (unsigned)t < DMARC_TAG_MAX ? dmarc_tag_names[t] : "";
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	default:
		return "";
	}
}

const char *
dmarc_std_name(enum dmarc_std s)
{
	return s == DMARC_RFC7489 ? "RFC 7489" : "RFC 9989";
}

/* ---- small helpers ---- */

static bool
dmarc_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* dmarc_trim - (p, len) without leading and trailing SP/HTAB */
static struct dmarc_slice
dmarc_trim(const char *p, size_t len)
{
	struct dmarc_slice s = { p, len };

	str_trim_wsp(&s.p, &s.len);
	return s;
}

static bool
dmarc_is(struct dmarc_slice s, const char *word)
{
	return s.len > 0 && ascii_eq_nocase(s.p, s.len, word);
}

/* dmarc_same - two slices equal, ASCII case ignored */
static bool
dmarc_same(struct dmarc_slice a, struct dmarc_slice b)
{
	size_t i;

	if (a.len != b.len)
		return false;
	for (i = 0; i < a.len; i++)
		if (ascii_tolower((unsigned char)a.p[i]) !=
		    ascii_tolower((unsigned char)b.p[i]))
			return false;
	return true;
}

static bool
dmarc_ishex(int c)
{
	return ascii_isdigit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * dmarc_hostname - a DNS host name: labels of letters, digits, '-' and '_'
 * (as real zones have), 1..63 bytes, 253 in all, no trailing dot; with
 * dotted, at least two labels
 */
static bool
dmarc_hostname(const char *p, size_t len, bool dotted)
{
	size_t i, label = 0, nlabels = 1;
	int c;

	if (len == 0 || len > DOMAIN_MAX)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			nlabels++;
		} else if (ascii_isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && (!dotted || nlabels >= 2);
}

/* ---- problems ---- */

/* dmarc_add - record a problem; a full list keeps room for fatal ones */
static void
dmarc_add(struct dmarc_record *r, const char *tag, size_t off,
    enum dmarc_sev sev, unsigned std, const char *msg)
{
	struct dmarc_problem *pr;

	if (r->nproblem == DMARC_PROBLEM_MAX) {
		r->problems_truncated = true;
		if (sev != DMARC_SEV_FATAL)
			return;
		r->nproblem--;
	}
	pr = &r->problem[r->nproblem++];
	pr->tag = tag;
	pr->msg = msg;
	pr->off = off;
	pr->sev = sev;
	pr->std = std;
}

/* ---- URIs ---- */

/*
 * dmarc_uri_char - a byte a DMARC/TLS-RPT URI may hold unencoded: RFC 3986
 * unreserved, sub-delims but ',' '!' ';' (the record's separators), and
 * ':' '@' '/' '?' '#' '[' ']'
 */
static bool
dmarc_uri_char(int c)
{
	if (ascii_isalnum(c))
		return true;
	switch (c) {
	case '-':
	case '.':
	case '_':
	case '~':
	case '$':
	case '&':
	case '\'':
	case '(':
	case ')':
	case '*':
	case '+':
	case '=':
	case ':':
	case '@':
	case '/':
	case '?':
	case '#':
	case '[':
	case ']':
		return true;
	default:
		return false;
	}
}

/* dmarc_atext - RFC 5322 atext, plus '%' (a percent-encoded octet) */
static bool
dmarc_atext(int c)
{
	if (ascii_isalnum(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* dmarc_uri_mailto - (p, len) after "mailto:" holds one address */
static const char *
dmarc_uri_mailto(const char *p, size_t len, struct dmarc_slice *host)
{
	const char *q, *at = NULL;
	size_t i, llen, dlen;

	q = memchr(p, '?', len);
	if (q != NULL)
		len = (size_t)(q - p);
	for (i = 0; i < len; i++)
		if (p[i] == '@')
			at = p + i;
	if (at == NULL)
		return "mailto: address without '@'";
	llen = (size_t)(at - p);
	dlen = len - llen - 1;
	if (llen == 0 || llen > 64)
		return "mailto: bad local part";
	if (p[0] == '"') {
		if (llen < 2 || p[llen - 1] != '"')
			return "mailto: bad local part";
	} else {
		for (i = 0; i < llen; i++) {
			if (p[i] == '.') {
				if (i == 0 || i + 1 == llen || p[i - 1] == '.')
					return "mailto: bad local part";
			} else if (!dmarc_atext((unsigned char)p[i])) {
				return "mailto: bad local part";
			}
		}
	}
	if (dlen >= 2 && at[1] == '[' && at[dlen] == ']')
		return NULL; /* an address literal: valid, no host name */
	if (!dmarc_hostname(at + 1, dlen, true))
		return "mailto: bad domain";
	host->p = at + 1;
	host->len = dlen;
	return NULL;
}

/* dmarc_uri_https - (p, len) after "https:" has "//" and a host */
static const char *
dmarc_uri_https(const char *p, size_t len, struct dmarc_slice *host)
{
	size_t i, end, start, hend;

	if (len < 2 || p[0] != '/' || p[1] != '/')
		return "https: uri without host";
	for (end = 2; end < len; end++)
		if (p[end] == '/' || p[end] == '?' || p[end] == '#')
			break;
	start = 2;
	for (i = 2; i < end; i++)
		if (p[i] == '@')
			start = i + 1;
	if (start < end && p[start] == '[') {
		for (hend = start; hend < end && p[hend] != ']'; hend++)
			;
		if (hend == end)
			return "https: bad host";
		hend++;
	} else {
		for (hend = start; hend < end && p[hend] != ':'; hend++)
			;
		if (!dmarc_hostname(p + start, hend - start, false))
			return "https: bad host";
		host->p = p + start;
		host->len = hend - start;
	}
	if (hend < end) {
		if (p[hend] != ':')
			return "https: bad host";
		for (i = hend + 1; i < end; i++)
			if (!ascii_isdigit((unsigned char)p[i]))
				return "https: bad port";
	}
	return NULL;
}

/* dmarc_uri_size - "!<digits>[kmgt]" after a URI into out; false if bad */
static bool
dmarc_uri_size(const char *p, size_t len, struct dmarc_uri *out)
{
	size_t i;
	uint64_t n = 0, d;
	int c;

	if (len == 0 || !ascii_isdigit((unsigned char)p[0]))
		return false;
	for (i = 0; i < len && ascii_isdigit((unsigned char)p[i]); i++) {
		d = (uint64_t)(p[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	if (i < len) {
		c = ascii_tolower((unsigned char)p[i]);
		if (i + 1 != len || strchr("kmgt", c) == NULL || c == '\0')
			return false;
		out->size_unit = (char)c;
	}
	out->has_size = true;
	out->size = n;
	return true;
}

void
dmarc_uri_check(
    const char *p, size_t len, bool size_suffix, struct dmarc_uri *out)
{
	const char *bang, *err = NULL;
	size_t i, slen;
	int c;

	memset(out, 0, sizeof(*out));
	out->text.p = len > 0 ? p : NULL;
	out->text.len = len;
	if (len == 0) {
		out->error = "empty uri";
		return;
	}
	bang = memchr(p, '!', len);
	if (bang != NULL) {
		if (!size_suffix) {
			out->error = "'!' must be percent-encoded";
			return;
		}
		if (!dmarc_uri_size(
		        bang + 1, len - (size_t)(bang + 1 - p), out)) {
			out->error = "bad size suffix (!<digits>[kmgt])";
			return;
		}
		len = (size_t)(bang - p);
		out->text.len = len;
	}
	for (slen = 0; slen < len && p[slen] != ':'; slen++)
		;
	if (slen == len || slen == 0 || !ascii_isalpha((unsigned char)p[0])) {
		out->error = "no uri scheme";
		return;
	}
	for (i = 1; i < slen; i++) {
		c = (unsigned char)p[i];
		if (!ascii_isalnum(c) && c != '+' && c != '-' && c != '.') {
			out->error = "no uri scheme";
			return;
		}
	}
	for (i = slen + 1; i < len; i++) {
		c = (unsigned char)p[i];
		if (c == '%') {
			if (i + 2 >= len ||
			    !dmarc_ishex((unsigned char)p[i + 1]) ||
			    !dmarc_ishex((unsigned char)p[i + 2])) {
				out->error = "bad percent-encoding in uri";
				return;
			}
			i += 2;
		} else if (!dmarc_uri_char(c)) {
			out->error = c == ',' ? "',' must be percent-encoded"
			    : c == ';'        ? "';' must be percent-encoded"
			               : "character not allowed in a uri";
			return;
		}
	}
	out->valid = true;
	if (ascii_eq_nocase(p, slen, "mailto")) {
		out->scheme = DMARC_URI_MAILTO;
		err =
		    dmarc_uri_mailto(p + slen + 1, len - slen - 1, &out->host);
	} else if (ascii_eq_nocase(p, slen, "https")) {
		out->scheme = DMARC_URI_HTTPS;
		err = dmarc_uri_https(p + slen + 1, len - slen - 1, &out->host);
	} else if (ascii_eq_nocase(p, slen, "http")) {
		err = "http: is not supported (mailto: or https:)";
	} else {
		err = "unsupported uri scheme (mailto: or https:)";
	}
	out->error = err;
	out->usable = err == NULL;
	if (!out->usable) {
		out->host.p = NULL;
		out->host.len = 0;
	}
}

/* ---- tag values ---- */

static enum dmarc_policy
dmarc_policy_parse(struct dmarc_slice v)
{
	if (dmarc_is(v, "none"))
		return DMARC_POLICY_NONE;
	if (dmarc_is(v, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (dmarc_is(v, "reject"))
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* dmarc_uint - 1*DIGIT of at most maxdigits, at most max; -1 if not */
static long long
dmarc_uint(struct dmarc_slice v, size_t maxdigits, long long max)
{
	long long n = 0;
	size_t i;

	if (v.len == 0 || v.len > maxdigits)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (!ascii_isdigit((unsigned char)v.p[i]))
			return -1;
		n = n * 10 + (v.p[i] - '0');
		if (n > max)
			return -1;
	}
	return n;
}

/*
 * dmarc_fo_parse - fo values ("0", "1", "d", "s", colon-separated, white
 * space around ':' tolerated) as bits; -1 when the syntax is bad. *strict
 * is false when RFC 9989's grammar rejects it (0 with 1, a repeat).
 */
static int
dmarc_fo_parse(struct dmarc_slice v, bool *strict)
{
	struct dmarc_slice item;
	size_t i = 0, start;
	int bits = 0, bit;

	*strict = true;
	if (v.len == 0)
		return -1;
	while (i <= v.len) {
		start = i;
		while (i < v.len && v.p[i] != ':')
			i++;
		item = dmarc_trim(v.p + start, i - start);
		if (dmarc_is(item, "0"))
			bit = DMARC_FO_0;
		else if (dmarc_is(item, "1"))
			bit = DMARC_FO_1;
		else if (dmarc_is(item, "d"))
			bit = DMARC_FO_D;
		else if (dmarc_is(item, "s"))
			bit = DMARC_FO_S;
		else
			return -1;
		if (bits & bit)
			*strict = false;
		bits |= bit;
		i++;
	}
	if ((bits & DMARC_FO_0) && (bits & DMARC_FO_1))
		*strict = false;
	return bits;
}

/*
 * dmarc_rf_parse - rf: RFC 5321 Keywords, colon-separated; -1 when the
 * syntax is bad, else 1 when "afrf" is among them, 0 when not; *other when
 * a format other than afrf is named
 */
static int
dmarc_rf_parse(struct dmarc_slice v, bool *other)
{
	struct dmarc_slice item;
	size_t i = 0, k, start;
	int afrf = 0, c;

	*other = false;
	if (v.len == 0)
		return -1;
	while (i <= v.len) {
		start = i;
		while (i < v.len && v.p[i] != ':')
			i++;
		item = dmarc_trim(v.p + start, i - start);
		if (item.len == 0 || item.p[item.len - 1] == '-')
			return -1;
		for (k = 0; k < item.len; k++) {
			c = (unsigned char)item.p[k];
			if (!ascii_isalnum(c) && c != '-')
				return -1;
		}
		if (dmarc_is(item, "afrf"))
			afrf = 1;
		else
			*other = true;
		i++;
	}
	return afrf;
}

/* dmarc_uri_list - rua or ruf: comma-separated URIs */
static void
dmarc_uri_list(struct dmarc_record *r, enum dmarc_tag tag, size_t off,
    struct dmarc_slice v, const char *base)
{
	struct dmarc_uri *list = tag == DMARC_TAG_RUA ? r->rua : r->ruf;
	size_t *n = tag == DMARC_TAG_RUA ? &r->nrua : &r->nruf;
	const char *name = dmarc_tag_names[tag];
	struct dmarc_slice item;
	size_t i = 0, start, nvalid = 0;
	struct dmarc_uri *u;

	if (v.len == 0) {
		dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_STD_BOTH,
		    "empty uri list");
		r->bad |= DMARC_BIT(tag);
		return;
	}
	while (i <= v.len) {
		start = i;
		while (i < v.len && v.p[i] != ',')
			i++;
		item = dmarc_trim(v.p + start, i - start);
		i++;
		if (*n == DMARC_URI_MAX) {
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_STD_BOTH,
			    "too many uris: the rest ignored");
			break;
		}
		u = &list[(*n)++];
		dmarc_uri_check(item.p, item.len, true, u);
		if (u->valid)
			nvalid++;
		if (!u->usable)
			dmarc_add(r, name,
			    item.p != NULL ? (size_t)(item.p - base) : off,
			    DMARC_SEV_WARN, DMARC_STD_BOTH, u->error);
		if (u->has_size) {
			r->diffs |= DMARC_DIFF_SIZE;
			dmarc_add(r, name, (size_t)(item.p - base),
			    DMARC_SEV_INFO, DMARC_B9989,
			    "size limit (!size) is obsolete: ignored "
			    "(RFC 9989)");
		}
	}
	if (nvalid == 0)
		r->bad |= DMARC_BIT(tag);
}

/*
 * dmarc_new_tag - np, psd, t: unknown to RFC 7489 (ignored there); returns
 * whether the value is one of the allowed letters (in allowed), its
 * lowercase in *c
 */
static bool
dmarc_new_tag(struct dmarc_record *r, enum dmarc_tag tag, size_t off,
    struct dmarc_slice v, const char *allowed, int *c)
{
	r->diffs |= tag == DMARC_TAG_NP ? DMARC_DIFF_NP
	    : tag == DMARC_TAG_PSD      ? DMARC_DIFF_PSD
	                                : DMARC_DIFF_T;
	dmarc_add(r, dmarc_tag_names[tag], off, DMARC_SEV_INFO, DMARC_B7489,
	    "not an RFC 7489 tag: ignored by its receivers");
	if (allowed == NULL)
		return true;
	*c = v.len == 1 ? ascii_tolower((unsigned char)v.p[0]) : 0;
	return *c != 0 && strchr(allowed, *c) != NULL;
}

/* dmarc_removed - pct, rf, ri: removed by RFC 9989 (ignored there) */
static void
dmarc_removed(
    struct dmarc_record *r, enum dmarc_tag tag, size_t off, unsigned diff)
{
	r->diffs |= diff;
	dmarc_add(r, dmarc_tag_names[tag], off, DMARC_SEV_INFO, DMARC_B9989,
	    "removed by RFC 9989: ignored by its receivers");
}

/* dmarc_value - check the value of a known tag (not v) */
static void
dmarc_value(struct dmarc_record *r, enum dmarc_tag tag, size_t off,
    struct dmarc_slice v, const char *base)
{
	const char *name = dmarc_tag_names[tag];
	enum dmarc_policy pol;
	long long n;
	bool strict, other;
	int bits, c = 0;

	switch (tag) {
	case DMARC_TAG_P:
	case DMARC_TAG_SP:
	case DMARC_TAG_NP:
		if (tag == DMARC_TAG_NP)
			(void)dmarc_new_tag(r, tag, off, v, NULL, &c);
		pol = dmarc_policy_parse(v);
		if (pol == DMARC_POLICY_UNSET) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN,
			    tag == DMARC_TAG_NP ? DMARC_B9989 : DMARC_STD_BOTH,
			    "invalid policy (none, quarantine, reject)");
		}
		if (tag == DMARC_TAG_P)
			r->p = pol;
		else if (tag == DMARC_TAG_SP)
			r->sp = pol;
		else
			r->np = pol;
		break;
	case DMARC_TAG_PSD:
		if (dmarc_new_tag(r, tag, off, v, "ynu", &c)) {
			r->psd = (char)c;
		} else {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B9989,
			    "invalid psd (y, n, u): u used");
		}
		break;
	case DMARC_TAG_T:
		if (dmarc_new_tag(r, tag, off, v, "yn", &c)) {
			r->t = c == 'y';
		} else {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B9989,
			    "invalid t (y, n): n used");
		}
		break;
	case DMARC_TAG_PCT:
		dmarc_removed(r, tag, off, DMARC_DIFF_PCT);
		if ((n = dmarc_uint(v, 3, 100)) < 0) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B7489,
			    "pct must be an integer 0..100: 100 used");
		} else {
			r->pct = (int)n;
		}
		break;
	case DMARC_TAG_RI:
		dmarc_removed(r, tag, off, DMARC_DIFF_RI);
		if ((n = dmarc_uint(v, 10, 4294967295LL)) < 0) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B7489,
			    "ri must be a number of seconds: 86400 used");
		} else {
			r->ri = (uint32_t)n;
		}
		break;
	case DMARC_TAG_RF:
		dmarc_removed(r, tag, off, DMARC_DIFF_RF);
		bits = dmarc_rf_parse(v, &other);
		if (bits < 0) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B7489,
			    "invalid rf (colon-separated formats): afrf used");
		} else if (bits == 0) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_B7489,
			    "rf names no supported format (afrf)");
		} else if (other) {
			dmarc_add(r, name, off, DMARC_SEV_INFO, DMARC_B7489,
			    "unknown report format ignored (only afrf)");
		}
		r->rf_afrf = bits != 0;
		break;
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		if (!dmarc_is(v, "r") && !dmarc_is(v, "s")) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_STD_BOTH,
			    "invalid alignment mode (r, s): r used");
		} else if (tag == DMARC_TAG_ADKIM) {
			r->adkim_strict = dmarc_is(v, "s");
		} else {
			r->aspf_strict = dmarc_is(v, "s");
		}
		break;
	case DMARC_TAG_FO:
		bits = dmarc_fo_parse(v, &strict);
		if (bits < 0) {
			r->bad |= DMARC_BIT(tag);
			dmarc_add(r, name, off, DMARC_SEV_WARN, DMARC_STD_BOTH,
			    "invalid fo (0, 1, d, s, colon-separated): 0 used");
		} else {
			r->fo = (unsigned)bits;
			if (!strict) {
				r->diffs |= DMARC_DIFF_FO;
				dmarc_add(r, name, off, DMARC_SEV_WARN,
				    DMARC_B9989,
				    "fo: 0 and 1 exclude each other, each "
				    "option at most once: 0 used (RFC 9989)");
			}
		}
		break;
	case DMARC_TAG_RUA:
	case DMARC_TAG_RUF:
		dmarc_uri_list(r, tag, off, v, base);
		break;
	default:
		break;
	}
}

/* ---- the record ---- */

/* dmarc_tag_lookup - the known tag named (p, len), or DMARC_TAG_MAX */
static enum dmarc_tag
dmarc_tag_lookup(struct dmarc_slice name)
{
	int t;

	for (t = 0; t < DMARC_TAG_MAX; t++)
		if (dmarc_is(name, dmarc_tag_names[t]))
			return (enum dmarc_tag)t;
	return DMARC_TAG_MAX;
}

/* dmarc_tag_name_ok - RFC 6376 tag-name: ALPHA *(ALPHA / DIGIT / "_") */
static bool
dmarc_tag_name_ok(struct dmarc_slice name)
{
	size_t i;
	int c;

	if (name.len == 0 || !ascii_isalpha((unsigned char)name.p[0]))
		return false;
	for (i = 1; i < name.len; i++) {
		c = (unsigned char)name.p[i];
		if (!ascii_isalnum(c) && c != '_')
			return false;
	}
	return true;
}

/* dmarc_version - the first tag: v=DMARC1, else a fatal problem */
static bool
dmarc_version(struct dmarc_record *r, struct dmarc_slice name,
    struct dmarc_slice v, size_t off)
{
	const char *msg;

	if (!dmarc_is(name, "v"))
		msg = "not a dmarc record: v=DMARC1 must come first";
	else if (v.len == 6 && memcmp(v.p, "DMARC1", 6) == 0)
		msg = NULL;
	else if (v.len > 6 && memcmp(v.p, "DMARC1", 6) == 0 &&
	    dmarc_wsp((unsigned char)v.p[6]))
		msg = "v=DMARC1 must be followed by ';'";
	else if (dmarc_is(v, "DMARC1"))
		msg = "the version is case-sensitive: DMARC1";
	else if (v.len >= 4 && ascii_eq_nocase(v.p, 4, "spf1"))
		msg = "an spf record, not a dmarc record";
	else
		msg = "not a dmarc record: the version is not DMARC1";
	if (msg != NULL) {
		dmarc_add(r, "v", off, DMARC_SEV_FATAL, DMARC_STD_BOTH, msg);
		return false;
	}
	r->is_dmarc = true;
	r->seen |= DMARC_BIT(DMARC_TAG_V);
	r->value[DMARC_TAG_V] = v;
	return true;
}

/* the reasons a policy fails, in the order they are reported */
enum dmarc_why {
	DMARC_WHY_OK,
	DMARC_WHY_P_MISSING,
	DMARC_WHY_P_INVALID,
	DMARC_WHY_P_POSITION,
	DMARC_WHY_SP,
	DMARC_WHY_NP,
};

static const char *const dmarc_why_fallback[] = { "",
	"no p tag: acts as p=none (rua is valid)",
	"invalid p: acts as p=none (rua is valid)",
	"p not right after v: acts as p=none (rua is valid)",
	"invalid sp: acts as p=none (rua is valid)",
	"invalid np: acts as p=none (rua is valid)" };
static const char *const dmarc_why_fatal[] = { "",
	"no p tag and no valid rua: record unusable",
	"invalid p and no valid rua: record unusable",
	"p not right after v and no valid rua: record unusable",
	"invalid sp and no valid rua: record unusable",
	"invalid np and no valid rua: record unusable" };
static const char *const dmarc_why_tag[] = { "", "p", "p", "p", "sp", "np" };

/* dmarc_judge - the verdict of one standard; returns why p was refused */
static enum dmarc_why
dmarc_judge(struct dmarc_record *r, enum dmarc_std s, bool broken)
{
	struct dmarc_verdict *v = &r->verdict[s];
	enum dmarc_why why;
	bool rua_ok = false;
	size_t i;

	memset(v, 0, sizeof(*v));
	if (!r->is_dmarc || broken)
		return DMARC_WHY_OK;
	for (i = 0; i < r->nrua; i++)
		rua_ok = rua_ok || r->rua[i].valid;
	if (!(r->seen & DMARC_BIT(DMARC_TAG_P)))
		why = DMARC_WHY_P_MISSING;
	else if (r->p == DMARC_POLICY_UNSET)
		why = DMARC_WHY_P_INVALID;
	else if (s == DMARC_RFC7489 && r->p_index != 1)
		why = DMARC_WHY_P_POSITION;
	else if (r->bad & DMARC_BIT(DMARC_TAG_SP))
		why = DMARC_WHY_SP;
	else if (s == DMARC_RFC9989 && (r->bad & DMARC_BIT(DMARC_TAG_NP)))
		why = DMARC_WHY_NP;
	else
		why = DMARC_WHY_OK;
	if (why == DMARC_WHY_OK) {
		v->usable = true;
		v->p = r->p;
		v->sp = r->sp != DMARC_POLICY_UNSET ? r->sp : r->p;
		v->np = s == DMARC_RFC9989 && r->np != DMARC_POLICY_UNSET
		    ? r->np
		    : v->sp;
	} else if (rua_ok) {
		v->usable = true;
		v->fallback = true;
		v->p = v->sp = v->np = DMARC_POLICY_NONE;
	}
	return why;
}

/* dmarc_parse_judge - both verdicts, their problems, the verdict diff */
static void
dmarc_parse_judge(struct dmarc_record *r, bool broken, const char *base)
{
	const struct dmarc_slice *at;
	enum dmarc_why why[DMARC_STD_MAX];
	const struct dmarc_verdict *v;
	bool same;
	int s;

	for (s = 0; s < DMARC_STD_MAX; s++)
		why[s] = dmarc_judge(r, (enum dmarc_std)s, broken);
	same = why[0] == why[1] && r->verdict[0].usable == r->verdict[1].usable;
	for (s = 0; s < DMARC_STD_MAX; s++) {
		v = &r->verdict[s];
		if (why[s] == DMARC_WHY_OK || (same && s == 1))
			continue;
		at = &r->value[why[s] == DMARC_WHY_SP ? DMARC_TAG_SP
		        : why[s] == DMARC_WHY_NP      ? DMARC_TAG_NP
		                                      : DMARC_TAG_P];
		dmarc_add(r, dmarc_why_tag[why[s]],
		    at->p != NULL ? (size_t)(at->p - base) : 0,
		    v->usable ? DMARC_SEV_WARN : DMARC_SEV_FATAL,
		    same ? DMARC_STD_BOTH : DMARC_STD_BIT(s),
		    v->usable ? dmarc_why_fallback[why[s]]
		              : dmarc_why_fatal[why[s]]);
	}
	v = r->verdict;
	if (v[0].usable != v[1].usable || v[0].fallback != v[1].fallback ||
	    v[0].p != v[1].p || v[0].sp != v[1].sp || v[0].np != v[1].np)
		r->diffs |= DMARC_DIFF_VERDICT;
}

int
dmarc_parse(
    const char *p, size_t len, struct dmarc_record *out, struct perr *err)
{
	struct dmarc_slice names[DMARC_TAGS_MAX], name, v, seg;
	size_t i, k, start, end, eq;
	enum dmarc_tag tag;
	bool broken = false;
	int s;

	memset(out, 0, sizeof(*out));
	out->psd = 'u';
	out->pct = 100;
	out->fo = DMARC_FO_0;
	out->rf_afrf = true;
	out->ri = 86400;
	if (len > DMARC_RECORD_MAX) {
		dmarc_add(out, "", DMARC_RECORD_MAX, DMARC_SEV_FATAL,
		    DMARC_STD_BOTH, "record too long");
		goto done;
	}
	for (i = 0; i < len && dmarc_wsp((unsigned char)p[i]); i++)
		;
	if (i > 0 && i < len) {
		out->leading_space = true;
		dmarc_add(out, "v", 0, DMARC_SEV_INFO, DMARC_STD_BOTH,
		    "white space before v=DMARC1");
	}
	for (start = i; start <= len; start = end + 1) {
		for (end = start; end < len && p[end] != ';'; end++)
			;
		seg = dmarc_trim(p + start, end - start);
		if (seg.len == 0) {
			if (out->ntags == 0) {
				dmarc_add(out, "v", start, DMARC_SEV_FATAL,
				    DMARC_STD_BOTH,
				    "not a dmarc record: v=DMARC1 must come "
				    "first");
				goto done;
			}
			if (end < len)
				dmarc_add(out, "", start, DMARC_SEV_WARN,
				    DMARC_STD_BOTH,
				    "empty tag (two ';' in a row)");
			continue;
		}
		if (out->ntags == DMARC_TAGS_MAX) {
			dmarc_add(out, "", start, DMARC_SEV_FATAL,
			    DMARC_STD_BOTH, "too many tags");
			broken = true;
			break;
		}
		for (eq = 0; eq < seg.len && seg.p[eq] != '='; eq++)
			;
		name = dmarc_trim(seg.p, eq);
		v = eq < seg.len ? dmarc_trim(seg.p + eq + 1, seg.len - eq - 1)
		                 : dmarc_trim(seg.p, 0);
		if (out->ntags == 0) {
			if (eq == seg.len)
				name.len = 0;
			if (!dmarc_version(out, name, v, start))
				goto done;
			names[out->ntags++] = name;
			continue;
		}
		if (eq == seg.len || !dmarc_tag_name_ok(name)) {
			dmarc_add(out, "", (size_t)(seg.p - p), DMARC_SEV_WARN,
			    DMARC_STD_BOTH,
			    eq == seg.len ? "tag without '=': ignored"
			                  : "bad tag name: tag ignored");
			/* not a tag: never a duplicate of a real one */
			names[out->ntags].p = NULL;
			names[out->ntags++].len = 0;
			continue;
		}
		tag = dmarc_tag_lookup(name);
		for (k = 0; k < out->ntags; k++) {
			if (dmarc_same(names[k], name)) {
				dmarc_add(out,
				    tag < DMARC_TAG_MAX ? dmarc_tag_names[tag]
				                        : "",
				    (size_t)(seg.p - p), DMARC_SEV_FATAL,
				    DMARC_STD_BOTH,
				    "tag given twice: record invalid (RFC 6376 "
				    "3.2)");
				broken = true;
				break;
			}
		}
		names[out->ntags++] = name;
		if (k < out->ntags - 1)
			continue;
		if (tag == DMARC_TAG_MAX) {
			if (out->nunknown < DMARC_UNKNOWN_MAX) {
				out->unknown[out->nunknown].name = name;
				out->unknown[out->nunknown].value = v;
				out->nunknown++;
			}
			continue;
		}
		out->seen |= DMARC_BIT(tag);
		out->value[tag] = v;
		if (tag == DMARC_TAG_V) {
			/* caught by the duplicate test above */
			continue;
		}
		if (tag == DMARC_TAG_P) {
			out->p_index = out->ntags - 1;
			if (out->p_index != 1) {
				out->diffs |= DMARC_DIFF_P_POSITION;
				dmarc_add(out, "p", (size_t)(seg.p - p),
				    DMARC_SEV_WARN, DMARC_B7489,
				    "p must come right after v (RFC 7489)");
			}
		}
		dmarc_value(out, tag, (size_t)(seg.p - p), v, p);
	}
done:
	dmarc_parse_judge(out, broken, p);
	for (s = 0; s < DMARC_STD_MAX; s++)
		if (out->verdict[s].usable)
			return 0;
	for (i = 0; i < out->nproblem; i++)
		if (out->problem[i].sev == DMARC_SEV_FATAL)
			return perr_set(
			    err, out->problem[i].off, out->problem[i].msg);
	return perr_set(err, 0, "record unusable");
}

bool
dmarc_is_record(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && dmarc_wsp((unsigned char)p[i]))
		i++;
	if (i == len || ascii_tolower((unsigned char)p[i]) != 'v')
		return false;
	for (i++; i < len && dmarc_wsp((unsigned char)p[i]); i++)
		;
	if (i == len || p[i] != '=')
		return false;
	for (i++; i < len && dmarc_wsp((unsigned char)p[i]); i++)
		;
	if (len - i < 6 || memcmp(p + i, "DMARC1", 6) != 0)
		return false;
	i += 6;
	return i == len || p[i] == ';' || dmarc_wsp((unsigned char)p[i]);
}

enum dmarc_select
dmarc_select(const char *const *rr, const size_t *len, size_t n, size_t *index)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++) {
		if (!dmarc_is_record(rr[i], len[i]))
			continue;
		if (found++ == 0 && index != NULL)
			*index = i;
	}
	return found == 0 ? DMARC_SELECT_NONE
	    : found == 1  ? DMARC_SELECT_ONE
	                  : DMARC_SELECT_MULTIPLE;
}

/* ---- discovery ---- */

/* dmarc_labels - the number of labels of a normalised name */
static size_t
dmarc_labels(const char *name)
{
	size_t n = 1;

	for (; *name != '\0'; name++)
		n += *name == '.';
	return n;
}

/* dmarc_suffix - the last k labels of name (k >= 1) */
static const char *
dmarc_suffix(const char *name, size_t k)
{
	size_t n = dmarc_labels(name);

	while (n > k) {
		name = strchr(name, '.') + 1;
		n--;
	}
	return name;
}

/*
 * dmarc_walk_names - the names a tree walk asks for (RFC 9989 4.10 steps
 * 3-7): the name, then, while labels remain, the name less its first label,
 * where a name of 8 or more labels drops to its last 7
 */
static size_t
dmarc_walk_names(const char *domain, const char *names[DMARC_WALK_MAX])
{
	size_t x = dmarc_labels(domain), n = 0;

	names[n++] = domain;
	while (x > 1 && n < DMARC_WALK_MAX) {
		x = x >= 8 ? 7 : x - 1;
		names[n++] = dmarc_suffix(domain, x);
	}
	return n;
}

/* dmarc_copy - a NUL-terminated copy of s into out[size], "" if too long */
static void
dmarc_copy(char *out, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size)
		len = 0;
	memcpy(out, s, len);
	out[len] = '\0';
}

/*
 * dmarc_query - the TXT RRset of "_dmarc." name, classified into step;
 * *rr and *rrlen get the selected record (borrowed from the view). Returns
 * false when the answer is PENDING.
 */
static bool
dmarc_query(const struct dnsview *view, const char *name,
    struct dmarc_step *step, const char **rr, size_t *rrlen)
{
	char qname[DMARC_NAME_MAX + 1];
	struct dnsview_rrset rs;
	struct dmarc_record rec;
	size_t idx = 0;
	int n;

	memset(step, 0, sizeof(*step));
	dmarc_copy(step->name, sizeof(step->name), name);
	*rr = NULL;
	*rrlen = 0;
	n = snprintf(qname, sizeof(qname), "_dmarc.%s", name);
	if (n < 0 || (size_t)n > DOMAIN_MAX)
		return true; /* no such name can exist: nothing there */
	memset(&rs, 0, sizeof(rs));
	switch (view->lookup(view->ctx, qname, DMARC_TYPE_TXT, &rs)) {
	case DNSVIEW_PENDING:
		return false;
	case DNSVIEW_TEMPFAIL:
		step->result = DMARC_STEP_TEMPFAIL;
		return true;
	case DNSVIEW_OK:
		break;
	default:
		step->secure = rs.secure;
		return true;
	}
	step->secure = rs.secure;
	switch (dmarc_select(rs.rr, rs.len, rs.n, &idx)) {
	case DMARC_SELECT_ONE:
		step->result = DMARC_STEP_RECORD;
		*rr = rs.rr[idx];
		*rrlen = rs.len[idx];
		(void)dmarc_parse(*rr, *rrlen, &rec, NULL);
		step->psd = rec.psd;
		break;
	case DMARC_SELECT_MULTIPLE:
		step->result = DMARC_STEP_MULTIPLE;
		break;
	default:
		break;
	}
	return true;
}

/* a tree walk in progress (RFC 9989 4.10) */
struct dmarc_walk {
	struct dmarc_step step[DMARC_WALK_MAX];
	const char *rr[DMARC_WALK_MAX]; /* borrowed: the RECORD steps' text */
	size_t rrlen[DMARC_WALK_MAX];
	size_t n;
	bool tempfail;            /* the last step failed */
	bool multiple;            /* some step had several records */
	char org[DOMAIN_MAX + 1]; /* 4.10.2 organizational domain */
};

/*
 * dmarc_walk - walk from domain (normalised) until a record with psd=y or
 * psd=n, a DNS failure, or the top; then choose the organizational domain
 * (4.10.2). Returns false when an answer is PENDING.
 */
static bool
dmarc_walk(const struct dnsview *view, const char *domain, struct dmarc_walk *w)
{
	const char *names[DMARC_WALK_MAX];
	struct dmarc_step *st;
	size_t i, n;
	int last = -1;

	memset(w, 0, sizeof(*w));
	n = dmarc_walk_names(domain, names);
	for (i = 0; i < n; i++) {
		st = &w->step[w->n];
		if (!dmarc_query(
		        view, names[i], st, &w->rr[w->n], &w->rrlen[w->n]))
			return false;
		w->n++;
		if (st->result == DMARC_STEP_MULTIPLE)
			w->multiple = true;
		if (st->result == DMARC_STEP_TEMPFAIL) {
			w->tempfail = true;
			break;
		}
		if (st->result == DMARC_STEP_RECORD &&
		    (st->psd == 'y' || st->psd == 'n'))
			break;
	}
	for (i = 0; i < w->n; i++)
		if (w->step[i].result == DMARC_STEP_RECORD)
			last = (int)i;
	if (last < 0)
		dmarc_copy(w->org, sizeof(w->org), domain);
	else if (w->step[last].psd == 'y' && last > 0)
		dmarc_copy(w->org, sizeof(w->org),
		    dmarc_suffix(domain, dmarc_labels(w->step[last].name) + 1));
	else /* psd=n, or the shortest name with a record */
		dmarc_copy(w->org, sizeof(w->org), w->step[last].name);
	return true;
}

/*
 * dmarc_found - the record (rr, len) found at name applies: copy it, parse
 * it, set status and policy
 */
static enum dmarc_status
dmarc_found(struct dmarc_discovery *out, const char *name, const char *rr,
    size_t len, bool secure, enum dmarc_applies applies)
{
	const struct dmarc_verdict *v;

	dmarc_copy(out->policy_domain, sizeof(out->policy_domain), name);
	(void)snprintf(
	    out->record_name, sizeof(out->record_name), "_dmarc.%s", name);
	out->applies = applies;
	out->secure = secure;
	out->raw = xmemdup0(rr, len);
	out->raw_len = len;
	(void)dmarc_parse(out->raw, out->raw_len, &out->record, NULL);
	v = &out->record.verdict[out->mode];
	if (!v->usable) {
		out->status = DMARC_STATUS_UNUSABLE;
		out->error = "the record is unusable";
		return out->status;
	}
	out->policy = applies == DMARC_APPLIES_DOMAIN ? v->p
	    : applies == DMARC_APPLIES_NXDOMAIN       ? v->np
	                                              : v->sp;
	out->status = DMARC_STATUS_FOUND;
	return out->status;
}

static enum dmarc_status
dmarc_status(struct dmarc_discovery *out, enum dmarc_status st, const char *e)
{
	out->status = st;
	out->error = e;
	return st;
}

static enum dmarc_status
dmarc_discover_7489(struct dmarc_discovery *out, const struct dnsview *view,
    const struct orgdomain *psl)
{
	const char *rr;
	size_t i, rrlen;
	struct dmarc_step *st;

	if (orgdomain_get(psl, out->domain, out->org_domain,
	        sizeof(out->org_domain)) != 0)
		out->org_domain[0] = '\0';
	for (i = 0; i < 2; i++) {
		if (i == 1 &&
		    (out->org_domain[0] == '\0' ||
		        strcmp(out->org_domain, out->domain) == 0))
			break;
		st = &out->step[out->nsteps];
		if (!dmarc_query(view, i == 0 ? out->domain : out->org_domain,
		        st, &rr, &rrlen))
			return dmarc_status(out, DMARC_STATUS_PENDING, NULL);
		out->nsteps++;
		switch (st->result) {
		case DMARC_STEP_TEMPFAIL:
			return dmarc_status(out, DMARC_STATUS_TEMPFAIL,
			    "dns failure looking for the record");
		case DMARC_STEP_MULTIPLE:
			/* 6.6.3 step 5: several records end the discovery */
			out->multiple_seen = true;
			return dmarc_status(out, DMARC_STATUS_MULTIPLE,
			    "several dmarc records at one name");
		case DMARC_STEP_RECORD:
			return dmarc_found(out, st->name, rr, rrlen, st->secure,
			    i == 0 ? DMARC_APPLIES_DOMAIN
			           : DMARC_APPLIES_SUBDOMAIN);
		default:
			break;
		}
	}
	return dmarc_status(out, DMARC_STATUS_NONE, "no dmarc record");
}

static enum dmarc_status
dmarc_discover_9989(struct dmarc_discovery *out, const struct dnsview *view)
{
	struct dmarc_walk w;
	struct dnsview_rrset rs;
	enum dnsview_status ds;
	size_t i;
	int pol = -1;

	if (!dmarc_walk(view, out->domain, &w))
		return dmarc_status(out, DMARC_STATUS_PENDING, NULL);
	memcpy(out->step, w.step, w.n * sizeof(w.step[0]));
	out->nsteps = w.n;
	out->multiple_seen = w.multiple;
	out->org_uncertain = w.tempfail;
	memcpy(out->org_domain, w.org, sizeof(out->org_domain));
	if (w.step[0].result == DMARC_STEP_RECORD)
		return dmarc_found(out, out->domain, w.rr[0], w.rrlen[0],
		    w.step[0].secure, DMARC_APPLIES_DOMAIN);
	if (w.tempfail) {
		/* the failed name might hold the policy */
		out->org_domain[0] = '\0';
		return dmarc_status(out, DMARC_STATUS_TEMPFAIL,
		    "dns failure during the tree walk");
	}
	/* 4.10.1: the organizational domain's record, else the PSD's */
	for (i = 0; i < w.n; i++)
		if (w.step[i].result == DMARC_STEP_RECORD &&
		    strcmp(w.step[i].name, w.org) == 0)
			pol = (int)i;
	if (pol < 0 && w.n > 0 && w.step[w.n - 1].result == DMARC_STEP_RECORD &&
	    w.step[w.n - 1].psd == 'y') {
		pol = (int)w.n - 1;
		out->psd_record = true;
	}
	if (pol < 0)
		return w.multiple
		    ? dmarc_status(out, DMARC_STATUS_MULTIPLE,
		          "several dmarc records at one name: all discarded")
		    : dmarc_status(out, DMARC_STATUS_NONE, "no dmarc record");
	/* sp or np: does the domain exist (RFC 8020 NXDOMAIN)? */
	memset(&rs, 0, sizeof(rs));
	ds = view->lookup(view->ctx, out->domain, DMARC_TYPE_MX, &rs);
	if (ds == DNSVIEW_PENDING)
		return dmarc_status(out, DMARC_STATUS_PENDING, NULL);
	return dmarc_found(out, w.step[pol].name, w.rr[pol], w.rrlen[pol],
	    w.step[pol].secure,
	    ds == DNSVIEW_NXDOMAIN ? DMARC_APPLIES_NXDOMAIN
	                           : DMARC_APPLIES_SUBDOMAIN);
}

enum dmarc_status
dmarc_discover(const char *domain, const struct dnsview *view,
    enum dmarc_std mode, const struct orgdomain *psl,
    struct dmarc_discovery *out)
{
	memset(out, 0, sizeof(*out));
	out->mode = mode == DMARC_RFC7489 ? DMARC_RFC7489 : DMARC_RFC9989;
	if (domain == NULL || view == NULL ||
	    domain_normalize(domain, strlen(domain), out->domain,
	        sizeof(out->domain), NULL) != 0)
		return dmarc_status(out, DMARC_STATUS_ERROR, "bad domain name");
	if (out->mode == DMARC_RFC7489) {
		if (psl == NULL)
			return dmarc_status(
			    out, DMARC_STATUS_ERROR, "no public suffix list");
		return dmarc_discover_7489(out, view, psl);
	}
	return dmarc_discover_9989(out, view);
}

void
dmarc_discovery_release(struct dmarc_discovery *d)
{
	if (d == NULL)
		return;
	free(d->raw);
	d->raw = NULL;
	d->raw_len = 0;
	memset(&d->record, 0, sizeof(d->record));
}

unsigned
dmarc_compare(const struct dmarc_discovery *a, const struct dmarc_discovery *b)
{
	unsigned cmp = 0;

	if (a->status != b->status)
		cmp |= DMARC_CMP_STATUS;
	if (strcmp(a->policy_domain, b->policy_domain) != 0)
		cmp |= DMARC_CMP_LOCATION;
	if (a->applies != b->applies)
		cmp |= DMARC_CMP_APPLIES;
	if (a->policy != b->policy)
		cmp |= DMARC_CMP_POLICY;
	if (strcmp(a->org_domain, b->org_domain) != 0)
		cmp |= DMARC_CMP_ORG;
	return cmp;
}

const char *
dmarc_compare_text(unsigned cmp, char *buf, size_t size)
{
	static const char *const names[] = { "status", "record location",
		"applied tag", "policy", "organizational domain" };
	size_t i, len = 0;
	int n;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (cmp == 0) {
		(void)snprintf(buf, size, "agree");
		return buf;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(cmp & (1u << i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s",
		    len == 0 ? "differ: " : ", ", names[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* ---- external report destinations ---- */

bool
dmarc_external_authorizes(const struct dnsview_rrset *rrset)
{
	size_t i;

	if (rrset == NULL || rrset->status != DNSVIEW_OK)
		return false;
	for (i = 0; i < rrset->n; i++)
		if (dmarc_is_record(rrset->rr[i], rrset->len[i]))
			return true;
	return false;
}

/* dmarc_ext_add - the host of u into out, once; lowercased */
static void
dmarc_ext_add(struct dmarc_external *out, const struct dmarc_uri *u, bool rua)
{
	char host[DOMAIN_MAX + 1];
	struct dmarc_ext_dest *d;
	size_t i;

	if (!u->usable || u->host.len == 0 || u->host.len > DOMAIN_MAX)
		return;
	for (i = 0; i < u->host.len; i++)
		host[i] = (char)ascii_tolower((unsigned char)u->host.p[i]);
	host[i] = '\0';
	for (i = 0; i < out->n; i++)
		if (strcmp(out->dest[i].host, host) == 0)
			break;
	if (i == out->n) {
		if (out->n == DMARC_EXT_MAX) {
			out->truncated = true;
			return;
		}
		d = &out->dest[out->n++];
		memcpy(d->host, host, sizeof(host));
	}
	d = &out->dest[i];
	if (rua)
		d->rua = true;
	else
		d->ruf = true;
}

enum dnsview_status
dmarc_verify_external(const struct dmarc_discovery *disc,
    const struct dnsview *view, const struct orgdomain *psl,
    struct dmarc_external *out)
{
	char porg[DOMAIN_MAX + 1], qname[DOMAIN_MAX + 2];
	struct dmarc_ext_dest *d;
	struct dnsview_rrset rs;
	struct dmarc_walk w;
	size_t i;
	int n;

	memset(out, 0, sizeof(*out));
	if (disc == NULL || disc->raw == NULL || view == NULL)
		return DNSVIEW_OK;
	for (i = 0; i < disc->record.nrua; i++)
		dmarc_ext_add(out, &disc->record.rua[i], true);
	for (i = 0; i < disc->record.nruf; i++)
		dmarc_ext_add(out, &disc->record.ruf[i], false);
	if (disc->mode == DMARC_RFC7489) {
		if (orgdomain_get(
		        psl, disc->policy_domain, porg, sizeof(porg)) != 0)
			dmarc_copy(porg, sizeof(porg), disc->policy_domain);
	} else {
		dmarc_copy(porg, sizeof(porg),
		    disc->org_domain[0] != '\0' ? disc->org_domain
		                                : disc->policy_domain);
	}
	for (i = 0; i < out->n; i++) {
		d = &out->dest[i];
		if (disc->mode == DMARC_RFC7489) {
			if (orgdomain_get(psl, d->host, d->host_org,
			        sizeof(d->host_org)) != 0)
				dmarc_copy(
				    d->host_org, sizeof(d->host_org), d->host);
		} else {
			if (!dmarc_walk(view, d->host, &w))
				return DNSVIEW_PENDING;
			if (w.tempfail) {
				d->status = DMARC_EXT_TEMPFAIL;
				continue;
			}
			memcpy(d->host_org, w.org, sizeof(d->host_org));
		}
		if (strcmp(d->host_org, porg) == 0) {
			d->status = DMARC_EXT_SAME_ORG;
			continue;
		}
		n = snprintf(qname, sizeof(qname), "%s._report._dmarc.%s",
		    disc->policy_domain, d->host);
		if (n < 0 || (size_t)n > DOMAIN_MAX) {
			d->status = DMARC_EXT_NAME_TOO_LONG;
			continue;
		}
		memcpy(d->query, qname, (size_t)n + 1);
		memset(&rs, 0, sizeof(rs));
		switch (view->lookup(view->ctx, qname, DMARC_TYPE_TXT, &rs)) {
		case DNSVIEW_PENDING:
			return DNSVIEW_PENDING;
		case DNSVIEW_TEMPFAIL:
			d->status = DMARC_EXT_TEMPFAIL;
			break;
		default:
			d->status = dmarc_external_authorizes(&rs)
			    ? DMARC_EXT_AUTHORIZED
			    : DMARC_EXT_UNAUTHORIZED;
			break;
		}
	}
	return DNSVIEW_OK;
}
