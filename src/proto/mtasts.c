/* SPDX-License-Identifier: ISC */
/*
 * mtasts - MTA-STS TXT record, policy file and MX matching (RFC 8461).
 *
 * The TXT parser stops at the first error (a record is small and one error
 * makes it void). The policy parser cuts the body into lines and judges each
 * on its own, collecting problems with their line numbers, so that a report
 * can list every fault of a policy at once; the first fatal one is also
 * returned as the struct perr.
 */
#include "proto/mtasts.h"

#include <string.h>

#include "util/ascii.h"
#include "util/utf8.h"

#define MTASTS_NAME_MAX    32 /* field names: 1 + 31 characters */
#define MTASTS_ID_MAX      32 /* TXT id: 1..32 letters and digits */
#define MTASTS_AGE_DIGITS  10 /* max_age: 1*10DIGIT */
#define MTASTS_LABEL_MAX   63 /* RFC 1035 2.3.4 */
#define MTASTS_NAME_OCTETS 253

/* mtasts_wsp - WSP of RFC 5234: space or horizontal tab */
static bool
mtasts_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* mtasts_name_char - may c be character i of a field name (3.1, 3.2) */
static bool
mtasts_name_char(unsigned char c, size_t i)
{
	if (ascii_isalnum(c))
		return true;
	return i > 0 && (c == '_' || c == '-' || c == '.');
}

/* mtasts_is - does the slice (p, len) equal the C string s exactly */
static bool
mtasts_is(const char *p, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(p, s, len) == 0;
}

/* mtasts_slice - a slice, NULL when empty */
static struct mtasts_slice
mtasts_slice(const char *p, size_t len)
{
	struct mtasts_slice s;

	s.p = len > 0 ? p : NULL;
	s.len = len;
	return s;
}

/* ---- TXT record ---- */

/* mtasts_txt_value_char - sts-ext-value: %x21-3A / %x3C / %x3E-7E */
static bool
mtasts_txt_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '=' && c != ';';
}

/* mtasts_txt_id - check the value of the first id= field */
static int
mtasts_txt_id(const char *p, size_t start, size_t end, struct perr *err)
{
	size_t i;

	if (start == end)
		return perr_set(err, start, "empty id");
	for (i = start; i < end; i++)
		if (!ascii_isalnum((unsigned char)p[i]))
			return perr_set(err, i,
			    "id has a character other than a letter or digit");
	if (end - start > MTASTS_ID_MAX)
		return perr_set(err, start, "id longer than 32 characters");
	return 0;
}

/* mtasts_txt_fields - the body of mtasts_txt_parse; out starts zeroed */
static int
mtasts_txt_fields(
    const char *p, size_t len, struct mtasts_txt *out, struct perr *err)
{
	size_t pos, start, nend, vstart;
	bool have_id = false;

	if (len < 7 || memcmp(p, "v=STSv1", 7) != 0)
		return perr_set(err, 0, "not an mta-sts record");
	pos = 7;
	for (;;) {
		/* sts-field-delim, or the end (after an optional last one) */
		while (pos < len && mtasts_wsp((unsigned char)p[pos]))
			pos++;
		if (pos == len)
			break;
		if (p[pos] != ';')
			return perr_set(err, pos, "expected ';'");
		pos++;
		while (pos < len && mtasts_wsp((unsigned char)p[pos]))
			pos++;
		if (pos == len)
			break;

		start = pos;
		while (pos < len &&
		    mtasts_name_char((unsigned char)p[pos], pos - start))
			pos++;
		if (pos == start)
			return perr_set(err, pos, "bad field name");
		if (pos - start > MTASTS_NAME_MAX)
			return perr_set(
			    err, start, "field name longer than 32 characters");
		nend = pos;
		if (pos == len || p[pos] != '=')
			return perr_set(err, pos, "expected '='");
		vstart = ++pos;
		while (
		    pos < len && mtasts_txt_value_char((unsigned char)p[pos]))
			pos++;

		if (mtasts_is(p + start, nend - start, "id") && !have_id) {
			if (mtasts_txt_id(p, vstart, pos, err) == -1)
				return -1;
			out->id = mtasts_slice(p + vstart, pos - vstart);
			have_id = true;
			continue;
		}
		if (pos == vstart)
			return perr_set(err, vstart, "empty field value");
		if (mtasts_is(p + start, nend - start, "id")) {
			/* RFC 8461 3.2: repeated fields count once, the first */
			out->dup_id = true;
			continue;
		}
		if (out->next == MTASTS_MAXEXT) {
			out->ext_truncated = true;
			continue;
		}
		out->ext[out->next].name =
		    mtasts_slice(p + start, nend - start);
		out->ext[out->next].value =
		    mtasts_slice(p + vstart, pos - vstart);
		out->next++;
	}
	if (!have_id)
		return perr_set(err, len, "missing id");
	return 0;
}

int
mtasts_txt_parse(
    const char *p, size_t len, struct mtasts_txt *out, struct perr *err)
{
	memset(out, 0, sizeof(*out));
	if (mtasts_txt_fields(p, len, out, err) == -1) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

bool
mtasts_txt_is_candidate(const char *p, size_t len)
{
	size_t pos = 7;

	if (len < 7 || memcmp(p, "v=STSv1", 7) != 0)
		return false;
	while (pos < len && mtasts_wsp((unsigned char)p[pos]))
		pos++;
	return pos < len && p[pos] == ';';
}

enum mtasts_select
mtasts_txt_select(const char *const *rr, const size_t *len, size_t n,
    struct mtasts_txt *out, size_t *index, struct perr *err)
{
	size_t i, found = 0, ncand = 0;

	memset(out, 0, sizeof(*out));
	if (index != NULL)
		*index = 0;
	for (i = 0; i < n; i++) {
		if (!mtasts_txt_is_candidate(rr[i], len[i]))
			continue;
		if (++ncand == 2) {
			if (index != NULL)
				*index = i;
			return MTASTS_SELECT_MULTIPLE;
		}
		found = i;
	}
	if (ncand == 0)
		return MTASTS_SELECT_NONE;
	if (index != NULL)
		*index = found;
	if (mtasts_txt_parse(rr[found], len[found], out, err) == -1)
		return MTASTS_SELECT_INVALID;
	return MTASTS_SELECT_FOUND;
}

/* ---- policy ---- */

/* parse state beside the output */
struct mtasts_pctx {
	struct mtasts_policy *pol; /* borrowed: the output */
	struct perr first;         /* the first fatal problem */
	bool have_fatal;
	bool seen_version, seen_mode, seen_max_age, seen_mx;
};

/* mtasts_problem - record a problem of a line (0: the whole body) */
static void
mtasts_problem(
    struct mtasts_pctx *c, size_t line, size_t off, const char *msg, bool fatal)
{
	struct mtasts_policy *pol = c->pol;

	if (fatal && !c->have_fatal) {
		c->have_fatal = true;
		c->first.off = off;
		c->first.msg = msg;
	}
	if (pol->nproblems == MTASTS_MAXPROBLEMS) {
		pol->problems_truncated = true;
		return;
	}
	pol->problems[pol->nproblems].line = line;
	pol->problems[pol->nproblems].off = off;
	pol->problems[pol->nproblems].msg = msg;
	pol->problems[pol->nproblems].fatal = fatal;
	pol->nproblems++;
}

/*
 * mtasts_ext_value_check - sts-policy-ext-value: printable ASCII, space and
 * UTF-8 (RFC 3629), no controls; NULL when fine, else the problem
 */
static const char *
mtasts_ext_value_check(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] >= 0x20 && u[i] <= 0x7e) {
			i++;
			continue;
		}
		if (u[i] < 0x80)
			return "control character in value";
		if ((n = utf8_decode(u + i, len - i, NULL, NULL)) == 0)
			return "invalid utf-8 in value";
		i += n;
	}
	return NULL;
}

/*
 * mtasts_mx_check - sts-policy-mx-value: ["*."] Domain of RFC 5321 (LDH
 * labels with a letter or digit at each end) in A-labels; NULL when fine,
 * else the problem; *bad is the offset of the fault within (p, len)
 */
static const char *
mtasts_mx_check(const char *p, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, start;

	*bad = 0;
	if (len >= 2 && u[0] == '*' && u[1] == '.')
		i = 2;
	if (i == len)
		return "mx pattern without a domain";
	if (len - i > MTASTS_NAME_OCTETS)
		return "mx name longer than 253 octets";
	for (;;) {
		start = i;
		for (; i < len && u[i] != '.'; i++) {
			*bad = i;
			if (u[i] >= 0x80)
				return "mx pattern not in a-label form";
			if (u[i] == '*')
				return "mx wildcard not the whole left-most "
				       "label";
			if (!ascii_isalnum(u[i]) && u[i] != '-')
				return "bad character in mx pattern";
		}
		*bad = start;
		if (i == start)
			return i == len ? "trailing dot in mx pattern"
			                : "empty label in mx pattern";
		if (i - start > MTASTS_LABEL_MAX)
			return "mx label longer than 63 octets";
		if (u[start] == '-' || u[i - 1] == '-')
			return "mx label starts or ends with '-'";
		if (i == len)
			return NULL;
		i++;
		if (i == len) {
			*bad = i - 1;
			return "trailing dot in mx pattern";
		}
	}
}

/* mtasts_max_age - the value of 1*10DIGIT, or -1 */
static long long
mtasts_max_age(const char *p, size_t len)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > MTASTS_AGE_DIGITS)
		return -1;
	for (i = 0; i < len; i++) {
		if (!ascii_isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* mtasts_known_nocase - does a key differ from a known field in case only */
static bool
mtasts_known_nocase(const char *p, size_t len)
{
	return ascii_eq_nocase(p, len, "version") ||
	    ascii_eq_nocase(p, len, "mode") ||
	    ascii_eq_nocase(p, len, "max_age") || ascii_eq_nocase(p, len, "mx");
}

/* mtasts_policy_field - judge the value (vs, ve) of key (ks, ke) */
static void
mtasts_policy_field(struct mtasts_pctx *c, const char *p, size_t line,
    size_t ks, size_t ke, size_t vs, size_t ve)
{
	struct mtasts_policy *pol = c->pol;
	const char *key = p + ks, *val = p + vs, *msg;
	size_t klen = ke - ks, vlen = ve - vs, bad;
	bool *seen = NULL;

	if (vlen == 0) {
		mtasts_problem(c, line, vs, "empty field value", true);
		if (mtasts_is(key, klen, "mx"))
			c->seen_mx = true;
		return;
	}
	if (mtasts_is(key, klen, "version"))
		seen = &c->seen_version;
	else if (mtasts_is(key, klen, "mode"))
		seen = &c->seen_mode;
	else if (mtasts_is(key, klen, "max_age"))
		seen = &c->seen_max_age;
	if (seen != NULL && *seen) {
		/* RFC 8461 3.2: all but the first SHOULD be ignored; the line
		   must still be a valid field, as an extension is */
		if ((msg = mtasts_ext_value_check(val, vlen)) != NULL)
			mtasts_problem(c, line, vs, msg, true);
		mtasts_problem(c, line, ks, "repeated field ignored", false);
		return;
	}
	if (seen != NULL)
		*seen = true;

	if (mtasts_is(key, klen, "version")) {
		pol->version = mtasts_slice(val, vlen);
		if (!mtasts_is(val, vlen, "STSv1"))
			mtasts_problem(
			    c, line, vs, "version is not STSv1", true);
	} else if (mtasts_is(key, klen, "mode")) {
		if (mtasts_is(val, vlen, "enforce"))
			pol->mode = MTASTS_MODE_ENFORCE;
		else if (mtasts_is(val, vlen, "testing"))
			pol->mode = MTASTS_MODE_TESTING;
		else if (mtasts_is(val, vlen, "none"))
			pol->mode = MTASTS_MODE_NONE;
		else
			mtasts_problem(c, line, vs,
			    "mode is not enforce, testing or none", true);
	} else if (mtasts_is(key, klen, "max_age")) {
		pol->max_age = mtasts_max_age(val, vlen);
		if (pol->max_age == -1)
			mtasts_problem(
			    c, line, vs, "max_age is not 1 to 10 digits", true);
		else if (pol->max_age > MTASTS_MAX_AGE_MAX)
			mtasts_problem(
			    c, line, vs, "max_age larger than 31557600", true);
	} else if (mtasts_is(key, klen, "mx")) {
		c->seen_mx = true;
		if ((msg = mtasts_mx_check(val, vlen, &bad)) != NULL) {
			mtasts_problem(c, line, vs + bad, msg, true);
		} else if (pol->nmx == MTASTS_MAXMX) {
			if (!pol->mx_truncated)
				mtasts_problem(c, line, ks,
				    "too many mx patterns, the rest not kept",
				    false);
			pol->mx_truncated = true;
		} else {
			pol->mx[pol->nmx++] = mtasts_slice(val, vlen);
		}
	} else {
		if ((msg = mtasts_ext_value_check(val, vlen)) != NULL) {
			mtasts_problem(c, line, vs, msg, true);
			return;
		}
		if (mtasts_known_nocase(key, klen))
			mtasts_problem(c, line, ks,
			    "field names are case-sensitive: taken as an "
			    "extension",
			    false);
		if (pol->next == MTASTS_MAXEXT) {
			pol->ext_truncated = true;
			return;
		}
		pol->ext[pol->next].name = mtasts_slice(key, klen);
		pol->ext[pol->next].value = mtasts_slice(val, vlen);
		pol->next++;
	}
}

/* mtasts_policy_line - one line [start, end) without its LF or CRLF */
static void
mtasts_policy_line(
    struct mtasts_pctx *c, const char *p, size_t start, size_t end, size_t line)
{
	size_t pos = start, ke, vs, ve;

	if (start == end) {
		mtasts_problem(c, line, start, "empty line", true);
		return;
	}
	if (start == 0 && end >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		mtasts_problem(c, line, start,
		    "byte order mark before the first field", true);
		return;
	}
	if (mtasts_wsp((unsigned char)p[start])) {
		mtasts_problem(
		    c, line, start, "line starts with white space", true);
		return;
	}
	while (
	    pos < end && mtasts_name_char((unsigned char)p[pos], pos - start))
		pos++;
	if (pos == start ||
	    (pos < end && p[pos] != ':' &&
	        !mtasts_wsp((unsigned char)p[pos]))) {
		mtasts_problem(
		    c, line, pos, "bad character in field name", true);
		return;
	}
	if (pos == end ||
	    (p[pos] != ':' && memchr(p + pos, ':', end - pos) == NULL)) {
		mtasts_problem(c, line, pos, "missing ':'", true);
		return;
	}
	if (p[pos] != ':') {
		mtasts_problem(c, line, pos, "white space before ':'", true);
		return;
	}
	if (pos - start > MTASTS_NAME_MAX) {
		mtasts_problem(c, line, start,
		    "field name longer than 32 characters", true);
		return;
	}
	ke = pos++;
	while (pos < end && mtasts_wsp((unsigned char)p[pos]))
		pos++;
	vs = pos;
	ve = end;
	while (ve > vs && mtasts_wsp((unsigned char)p[ve - 1]))
		ve--;
	mtasts_policy_field(c, p, line, start, ke, vs, ve);
}

int
mtasts_policy_parse(
    const char *p, size_t len, struct mtasts_policy *out, struct perr *err)
{
	struct mtasts_pctx c;
	const char *eol;
	size_t pos = 0, end, next, line = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.pol = out;
	out->max_age = -1;
	if (len > MTASTS_POLICY_MAX) {
		mtasts_problem(&c, 0, MTASTS_POLICY_MAX,
		    "policy larger than 64 kib", true);
		return perr_set(err, c.first.off, c.first.msg);
	}
	while (pos < len) {
		line++;
		eol = memchr(p + pos, '\n', len - pos);
		end = eol != NULL ? (size_t)(eol - p) : len;
		next = eol != NULL ? end + 1 : len;
		if (eol != NULL && end > pos && p[end - 1] == '\r')
			end--;
		mtasts_policy_line(&c, p, pos, end, line);
		pos = next;
	}
	out->nlines = line;

	if (!c.seen_version)
		mtasts_problem(&c, 0, len, "missing version field", true);
	if (!c.seen_mode)
		mtasts_problem(&c, 0, len, "missing mode field", true);
	if (!c.seen_max_age)
		mtasts_problem(&c, 0, len, "missing max_age field", true);
	if (!c.seen_mx && out->mode != MTASTS_MODE_NONE)
		mtasts_problem(&c, 0, len,
		    "missing mx field (required unless mode is none)", true);
	out->valid = !c.have_fatal;
	if (c.have_fatal)
		return perr_set(err, c.first.off, c.first.msg);
	return 0;
}

const char *
mtasts_mode_name(enum mtasts_mode mode)
{
	switch (mode) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_NONE:
		return "none";
	case MTASTS_MODE_UNSET:
		break;
	}
	return "";
}

/* ---- MX matching ---- */

/* mtasts_eq_nocase - two byte ranges of length n equal but for ASCII case */
static bool
mtasts_eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_tolower((unsigned char)a[i]) !=
		    ascii_tolower((unsigned char)b[i]))
			return false;
	return true;
}

bool
mtasts_mx_match(const char *pattern, size_t plen, const char *host, size_t hlen)
{
	size_t i;

	if (plen > 0 && pattern[plen - 1] == '.')
		plen--;
	if (hlen > 0 && host[hlen - 1] == '.')
		hlen--;
	if (plen == 0 || hlen == 0)
		return false;
	if (plen < 2 || pattern[0] != '*' || pattern[1] != '.')
		return plen == hlen && mtasts_eq_nocase(pattern, host, plen);

	/* "*.rest": exactly one more label, on the left */
	pattern += 2;
	plen -= 2;
	if (plen == 0)
		return false;
	for (i = 0; i < hlen && host[i] != '.'; i++)
		if (host[i] == '*')
			return false;
	if (i == 0 || i == hlen)
		return false;
	return hlen - i - 1 == plen &&
	    mtasts_eq_nocase(host + i + 1, pattern, plen);
}

bool
mtasts_policy_mx_match(const struct mtasts_policy *pol, const char *host,
    size_t hlen, size_t *index)
{
	size_t i;

	for (i = 0; i < pol->nmx; i++) {
		if (mtasts_mx_match(pol->mx[i].p, pol->mx[i].len, host, hlen)) {
			if (index != NULL)
				*index = i;
			return true;
		}
	}
	return false;
}
