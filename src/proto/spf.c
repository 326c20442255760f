/* SPDX-License-Identifier: ISC */
/*
 * spf - one SPF record (RFC 7208): parser, macro expansion, record
 * selection, address helpers.
 *
 * The parser cuts the record at SP into terms and gives each term to one
 * function per shape (modifier, directive); a struct spf_parser carries
 * the sticky error so that the first failure wins and its offset is the
 * record's. Macro expansion writes through a small output window: in
 * domain mode a window that is full drops its left half, which is exactly
 * what the 253-byte truncation rule would remove anyway.
 */
#include "proto/spf.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/ascii.h"

static const char *const spf_mech_names[SPF_MECH_MAX] = {
	[SPF_MECH_ALL] = "all",
	[SPF_MECH_INCLUDE] = "include",
	[SPF_MECH_A] = "a",
	[SPF_MECH_MX] = "mx",
	[SPF_MECH_PTR] = "ptr",
	[SPF_MECH_IP4] = "ip4",
	[SPF_MECH_IP6] = "ip6",
	[SPF_MECH_EXISTS] = "exists",
};

_Static_assert(
    sizeof(spf_mech_names) / sizeof(spf_mech_names[0]) == SPF_MECH_MAX,
    "spf_mech_names");

const char *
spf_mech_name(enum spf_mech m)
{
	if ((unsigned)m >= SPF_MECH_MAX)
		return "?";
	return spf_mech_names[m];
}

int
spf_qualifier_char(enum spf_qualifier q)
{
	switch (q) {
	case SPF_QUAL_PASS:
		return '+';
	case SPF_QUAL_FAIL:
		return '-';
	case SPF_QUAL_SOFTFAIL:
		return '~';
	case SPF_QUAL_NEUTRAL:
		return '?';
	}
	return '?';
}

bool
spf_is_record(const char *p, size_t len)
{
	if (len < 6 || !ascii_eq_nocase(p, 6, "v=spf1"))
		return false;
	return len == 6 || p[6] == ' ';
}

size_t
spf_select(const char *const *rr, const size_t *len, size_t n, size_t *first)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (!spf_is_record(rr[i], len[i]))
			continue;
		if (count++ == 0 && first != NULL)
			*first = i;
	}
	return count;
}

/* ---- macro strings ---- */

/* spf_macro_letter - a macro letter (lower case), or 0 */
static int
spf_macro_letter(int c)
{
	c = ascii_tolower(c);
	return c != 0 && strchr("slodiphvcrt", c) != NULL ? c : 0;
}

static bool
spf_is_delim(int c)
{
	return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
	    c == '_' || c == '=';
}

/* spf_toplabel - RFC 7208 toplabel: alphanumeric with a letter, or
 * alphanumerics and hyphens that neither start nor end with a hyphen */
static bool
spf_toplabel(const char *p, size_t len)
{
	bool alpha = false, hyphen = false;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] == '-')
			hyphen = true;
		else if (ascii_isalpha((unsigned char)p[i]))
			alpha = true;
		else if (!ascii_isdigit((unsigned char)p[i]))
			return false;
	}
	if (!hyphen)
		return alpha;
	return p[0] != '-' && p[len - 1] != '-';
}

/* one macro-expand, as spf_macro_at reads it */
struct spf_macro {
	int letter;      /* as written (case kept); 0 for %% %_ %- */
	int escape;      /* '%', '_' or '-' for the escapes */
	unsigned digits; /* 0: all parts */
	bool reverse;    /* "r" transformer */
	unsigned delims; /* bit per delimiter char (index in ".-+,/_=") */
};

static const char spf_delims[] = ".-+,/_=";

/*
 * spf_macro_at - length of the macro-expand at p[0] (a '%'), or 0 with
 * *err (offset from p); fills *m
 */
static size_t
spf_macro_at(const char *p, size_t len, unsigned int flags, struct spf_macro *m,
    struct perr *err)
{
	size_t j, start;
	int lower;

	memset(m, 0, sizeof(*m));
	if (len < 2) {
		perr_set(err, 0, "invalid macro");
		return 0;
	}
	if (p[1] == '%' || p[1] == '_' || p[1] == '-') {
		m->escape = p[1];
		return 2;
	}
	if (p[1] != '{') {
		perr_set(err, 0, "invalid macro");
		return 0;
	}
	if (len < 3) {
		perr_set(err, 0, "unterminated macro");
		return 0;
	}
	lower = spf_macro_letter((unsigned char)p[2]);
	if (lower == 0) {
		perr_set(err, 2, "unknown macro letter");
		return 0;
	}
	if ((lower == 'c' || lower == 'r' || lower == 't') &&
	    !(flags & SPF_MACRO_EXP)) {
		perr_set(err, 2, "macro letter only allowed in exp text");
		return 0;
	}
	m->letter = (unsigned char)p[2];
	j = 3;
	start = j;
	while (j < len && ascii_isdigit((unsigned char)p[j])) {
		/* saturate: more parts than any name has means "all" */
		if (m->digits < 1000)
			m->digits = m->digits * 10 + (unsigned)(p[j] - '0');
		j++;
	}
	if (j > start && m->digits == 0) {
		perr_set(err, start, "zero digit transformer");
		return 0;
	}
	if (j < len && (p[j] == 'r' || p[j] == 'R')) {
		m->reverse = true;
		j++;
	}
	while (j < len && spf_is_delim((unsigned char)p[j])) {
		m->delims |= 1u << (strchr(spf_delims, p[j]) - spf_delims);
		j++;
	}
	if (j >= len || p[j] != '}') {
		perr_set(err, j < len ? j : 0, "unterminated macro");
		return 0;
	}
	return j + 1;
}

int
spf_macro_check(const char *p, size_t len, unsigned int flags, struct perr *err)
{
	struct spf_macro m;
	size_t i = 0, n, end, dot, expand_end = 0;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)p[i];
		if (c == '%') {
			n = spf_macro_at(p + i, len - i, flags, &m, err);
			if (n == 0) {
				if (err != NULL)
					err->off += i;
				return -1;
			}
			i += n;
			expand_end = i;
			continue;
		}
		if ((c < 0x21 || c > 0x7e) &&
		    !(c == ' ' && (flags & SPF_MACRO_EXP)))
			return perr_set(err, i, "invalid character");
		i++;
	}
	if (!(flags & SPF_MACRO_DOMAIN))
		return 0;
	/* domain-spec = macro-string domain-end */
	if (len == 0)
		return perr_set(err, 0, "empty domain-spec");
	if (expand_end == len)
		return 0; /* ends with a macro-expand */
	end = len;
	if (p[end - 1] == '.')
		end--;
	for (dot = end; dot > expand_end && p[dot - 1] != '.'; dot--)
		;
	if (dot == expand_end || !spf_toplabel(p + dot, end - dot))
		return perr_set(err, dot, "invalid domain-end");
	return 0;
}

bool
spf_macro_uses(const char *p, size_t len, int letter)
{
	size_t i;

	letter = ascii_tolower(letter);
	for (i = 0; i + 2 < len; i++) {
		if (p[i] != '%')
			continue;
		if (p[i + 1] == '{' &&
		    ascii_tolower((unsigned char)p[i + 2]) == letter)
			return true;
		i++; /* skip the escaped char, so "%%{p}" is no macro */
	}
	return false;
}

/* the output of an expansion: a window on its right end in domain mode */
struct spf_out {
	char *buf;    /* borrowed: the caller's out */
	size_t size;  /* bytes of buf */
	size_t len;   /* bytes written, without the NUL */
	bool domain;  /* drop the left half when full */
	bool dropped; /* the first label in buf is cut */
	bool overflow;
};

static void
spf_out_byte(struct spf_out *o, char c)
{
	size_t half;

	if (o->overflow)
		return;
	if (o->len + 1 >= o->size) {
		if (!o->domain) {
			o->overflow = true;
			return;
		}
		half = o->size / 2;
		memmove(o->buf, o->buf + half, o->len - half);
		o->len -= half;
		o->dropped = true;
	}
	o->buf[o->len++] = c;
}

static void
spf_out_bytes(struct spf_out *o, const char *p, size_t n, bool url)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (!url || ascii_isalnum(c) || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			spf_out_byte(o, (char)c);
			continue;
		}
		spf_out_byte(o, '%');
		spf_out_byte(o, hex[c >> 4]);
		spf_out_byte(o, hex[c & 15]);
	}
}

static bool
spf_delim_in(unsigned delims, int c)
{
	const char *d;

	if (c == 0 || (d = strchr(spf_delims, c)) == NULL)
		return false;
	return (delims >> (d - spf_delims)) & 1;
}

/*
 * spf_out_parts - the transformed value (RFC 7208 7.3): split at the
 * delimiters, reverse if asked, keep the right-most digits parts, join
 * with "." (and URL-escape for upper-case letters)
 */
static void
spf_out_parts(
    struct spf_out *o, const char *v, size_t vlen, const struct spf_macro *m)
{
	unsigned delims = m->delims != 0 ? m->delims : 1u; /* "." */
	bool url = ascii_isalpha(m->letter) && m->letter < 'a';
	size_t n = 1, k, i, start, end, count;

	for (i = 0; i < vlen; i++)
		if (spf_delim_in(delims, (unsigned char)v[i]))
			n++;
	k = m->digits == 0 || m->digits > n ? n : m->digits;
	if (!m->reverse) {
		/* parts n-k .. n-1: start after the k-th delimiter from the
		 * right */
		start = 0;
		count = 0;
		for (i = vlen; i > 0 && k < n; i--) {
			if (spf_delim_in(delims, (unsigned char)v[i - 1]) &&
			    ++count == k) {
				start = i;
				break;
			}
		}
		for (i = start; i < vlen; i++) {
			if (spf_delim_in(delims, (unsigned char)v[i]))
				spf_out_byte(o, '.');
			else
				spf_out_bytes(o, v + i, 1, url);
		}
		return;
	}
	/* reversed: parts k-1 .. 0, so the first k parts, backwards */
	end = vlen;
	count = 0;
	for (i = 0; i < vlen; i++) {
		if (spf_delim_in(delims, (unsigned char)v[i]) && ++count == k) {
			end = i;
			break;
		}
	}
	while (1) {
		for (start = end; start > 0 &&
		     !spf_delim_in(delims, (unsigned char)v[start - 1]);
		     start--)
			;
		spf_out_bytes(o, v + start, end - start, url);
		if (start == 0)
			break;
		spf_out_byte(o, '.');
		end = start - 1;
	}
}

/* spf_ip_dotted - the dotted quad, or the IPv6 nibbles "2.0.0.1. ... .1" */
static size_t
spf_ip_dotted(const struct spf_ip *ip, char *out, size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;
	int rc;

	if (ip->family == 4) {
		rc = snprintf(out, outsize, "%u.%u.%u.%u", ip->addr[0],
		    ip->addr[1], ip->addr[2], ip->addr[3]);
		return rc > 0 && (size_t)rc < outsize ? (size_t)rc : 0;
	}
	if (outsize < 64)
		return 0;
	for (i = 0; i < 16; i++) {
		out[n++] = hex[ip->addr[i] >> 4];
		out[n++] = '.';
		out[n++] = hex[ip->addr[i] & 15];
		out[n++] = i < 15 ? '.' : '\0';
	}
	return 63;
}

/* spf_macro_value - the untransformed value of a letter */
static const char *
spf_macro_value(
    const struct spf_macro_ctx *ctx, int letter, char *tmp, size_t tmpsize)
{
	const char *s = NULL;
	int rc;

	switch (ascii_tolower(letter)) {
	case 's':
		s = ctx->sender;
		break;
	case 'l':
		s = ctx->local;
		break;
	case 'o':
		s = ctx->sender_domain;
		break;
	case 'd':
		s = ctx->domain;
		break;
	case 'h':
		s = ctx->helo;
		break;
	case 'p':
		s = ctx->validated != NULL ? ctx->validated : "unknown";
		break;
	case 'r':
		s = ctx->receiver != NULL ? ctx->receiver : "unknown";
		break;
	case 'v':
		s = ctx->ip != NULL && ctx->ip->family == 6 ? "ip6" : "in-addr";
		break;
	case 'i':
		if (ctx->ip != NULL && spf_ip_dotted(ctx->ip, tmp, tmpsize) > 0)
			s = tmp;
		break;
	case 'c':
		if (ctx->ip == NULL)
			break;
		if (ctx->ip->family == 4)
			s = spf_ip_dotted(ctx->ip, tmp, tmpsize) > 0 ? tmp
			                                             : NULL;
		else
			s = inet_ntop(
			    AF_INET6, ctx->ip->addr, tmp, (socklen_t)tmpsize);
		break;
	case 't':
		rc = snprintf(tmp, tmpsize, "%lld", ctx->now);
		if (rc > 0 && (size_t)rc < tmpsize)
			s = tmp;
		break;
	}
	return s != NULL ? s : "";
}

int
spf_macro_expand(const char *p, size_t len, const struct spf_macro_ctx *ctx,
    unsigned int flags, char *out, size_t outsize, size_t *outlen,
    struct perr *err)
{
	struct spf_out o;
	struct spf_macro m;
	char tmp[80];
	const char *v;
	size_t i = 0, n, cut;

	if (outlen != NULL)
		*outlen = 0;
	if (outsize == 0 ||
	    ((flags & SPF_MACRO_DOMAIN) && outsize < SPF_DOMAIN_BUF))
		return perr_set(err, 0, "expansion buffer too small");
	out[0] = '\0';
	if (spf_macro_check(p, len, flags, err) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.buf = out;
	o.size = outsize;
	o.domain = (flags & SPF_MACRO_DOMAIN) != 0;
	while (i < len) {
		if (p[i] != '%') {
			spf_out_byte(&o, p[i++]);
			continue;
		}
		n = spf_macro_at(p + i, len - i, flags, &m, NULL);
		i += n;
		if (m.escape == '%')
			spf_out_byte(&o, '%');
		else if (m.escape == '_')
			spf_out_byte(&o, ' ');
		else if (m.escape == '-')
			spf_out_bytes(&o, "%20", 3, false);
		else {
			v = spf_macro_value(ctx, m.letter, tmp, sizeof(tmp));
			spf_out_parts(&o, v, strlen(v), &m);
		}
	}
	if (o.overflow) {
		out[0] = '\0';
		return perr_set(err, 0, "expansion too long");
	}
	if (o.domain) {
		/* RFC 7208 7.3: a trailing dot is no part of the name; drop
		 * whole labels from the left down to 253 bytes */
		if (o.len > 0 && o.buf[o.len - 1] == '.')
			o.len--;
		while (o.dropped || o.len > SPF_DOMAIN_MAX) {
			for (cut = 0; cut < o.len && o.buf[cut] != '.'; cut++)
				;
			cut = cut < o.len ? cut + 1 : o.len;
			memmove(o.buf, o.buf + cut, o.len - cut);
			o.len -= cut;
			o.dropped = false;
		}
	}
	out[o.len] = '\0';
	if (outlen != NULL)
		*outlen = o.len;
	return 0;
}

bool
spf_name_valid(const char *p, size_t len, bool fqdn)
{
	size_t i, label = 0, labels = 0;

	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0 || len > SPF_DOMAIN_MAX)
		return false;
	if (fqdn && p[0] == '[')
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || p[i] == '.') {
			if (label == 0 || label > 63)
				return false;
			labels++;
			label = 0;
			continue;
		}
		label++;
	}
	return !fqdn || labels >= 2;
}

/* ---- addresses ---- */

/* spf_ip4_strict - RFC 7208 ip4-network: four qnums, no leading zeros */
static int
spf_ip4_strict(const char *p, size_t len, uint8_t out[4])
{
	size_t i = 0, part, start;
	unsigned v;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || p[i] != '.')
				return -1;
			i++;
		}
		start = i;
		v = 0;
		while (i < len && ascii_isdigit((unsigned char)p[i]) &&
		    i - start < 3) {
			v = v * 10 + (unsigned)(p[i] - '0');
			i++;
		}
		if (i == start || v > 255 || (p[start] == '0' && i - start > 1))
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -1;
}

static int
spf_ip6_parse(const char *p, size_t len, uint8_t out[16])
{
	char tmp[64];
	size_t i;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	for (i = 0; i < len; i++)
		if (!(ascii_isdigit((unsigned char)p[i]) ||
		        (ascii_tolower((unsigned char)p[i]) >= 'a' &&
		            ascii_tolower((unsigned char)p[i]) <= 'f') ||
		        p[i] == ':' || p[i] == '.'))
			return -1;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

int
spf_ip_parse(const char *p, size_t len, struct spf_ip *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };

	memset(out, 0, sizeof(*out));
	if (spf_ip4_strict(p, len, out->addr) == 0) {
		out->family = 4;
		return 0;
	}
	if (spf_ip6_parse(p, len, out->addr) != 0)
		return -1;
	out->family = 6;
	if (memcmp(out->addr, mapped, sizeof(mapped)) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
	}
	return 0;
}

bool
spf_ip_match(const struct spf_ip *ip, int family, const uint8_t *net, int cidr)
{
	int bits = family == 4 ? 32 : 128, full, rest;
	uint8_t mask;

	if (ip->family != family || cidr < 0 || cidr > bits)
		return false;
	full = cidr / 8;
	rest = cidr % 8;
	if (memcmp(ip->addr, net, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (ip->addr[full] & mask) == (net[full] & mask);
}

size_t
spf_ip_reverse(const struct spf_ip *ip, char *out, size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i, rc;

	if (ip->family == 4) {
		rc = snprintf(out, outsize, "%u.%u.%u.%u.in-addr.arpa",
		    ip->addr[3], ip->addr[2], ip->addr[1], ip->addr[0]);
		return rc > 0 && (size_t)rc < outsize ? (size_t)rc : 0;
	}
	if (outsize < 74)
		return 0;
	for (i = 15; i >= 0; i--) {
		out[n++] = hex[ip->addr[i] & 15];
		out[n++] = '.';
		out[n++] = hex[ip->addr[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, "ip6.arpa", 9);
	return n + 8;
}

/* ---- the record ---- */

struct spf_parser {
	const char *p; /* borrowed: the record */
	size_t len;
	struct perr *err; /* borrowed, may be NULL */
	bool failed;      /* sticky: the first error wins */
};

static int
spf_fail(struct spf_parser *ps, size_t off, const char *msg)
{
	if (!ps->failed) {
		ps->failed = true;
		perr_set(ps->err, off, msg);
	}
	return -1;
}

/* spf_check_at - spf_macro_check on p[off..off+len), offsets kept */
static int
spf_check_at(struct spf_parser *ps, size_t off, size_t len, unsigned int flags)
{
	struct perr e = { 0, NULL };

	if (spf_macro_check(ps->p + off, len, flags, &e) == 0)
		return 0;
	return spf_fail(ps, off + e.off, e.msg);
}

/* spf_cidr - "/" 1*DIGIT's digits (no leading zero), at most max; -1 */
static int
spf_cidr(const char *p, size_t len, int max)
{
	size_t i;
	int v = 0;

	if (len == 0 || len > 3 || (p[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (!ascii_isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v <= max ? v : -1;
}

/* spf_digits_tail - start of the "/" 1*DIGIT at the end of p[0..len), or
 * len when there is none */
static size_t
spf_digits_tail(const char *p, size_t len)
{
	size_t i = len;

	while (i > 0 && ascii_isdigit((unsigned char)p[i - 1]))
		i--;
	if (i == len || i == 0 || p[i - 1] != '/')
		return len;
	return i - 1;
}

/*
 * spf_dual_cidr - a domain-spec followed by dual-cidr-length in
 * p[off..off+len): sets t->value's length and the two lengths
 */
static int
spf_dual_cidr(struct spf_parser *ps, size_t off, size_t len, struct spf_term *t)
{
	const char *p = ps->p + off;
	size_t s;

	s = spf_digits_tail(p, len);
	if (s < len && s > 0 && p[s - 1] == '/') {
		t->cidr6 = spf_cidr(p + s + 1, len - s - 1, 128);
		if (t->cidr6 < 0)
			return spf_fail(ps, off + s, "invalid cidr length");
		len = s - 1;
		s = spf_digits_tail(p, len);
	}
	if (s < len) {
		t->cidr4 = spf_cidr(p + s + 1, len - s - 1, 32);
		if (t->cidr4 < 0)
			return spf_fail(ps, off + s, "invalid cidr length");
		len = s;
	}
	t->value.len = len;
	return 0;
}

/* spf_mech_lookup - the mechanism named (p, len), or SPF_MECH_MAX */
static enum spf_mech
spf_mech_lookup(const char *p, size_t len)
{
	int m;

	for (m = 0; m < SPF_MECH_MAX; m++)
		if (ascii_eq_nocase(p, len, spf_mech_names[m]))
			return (enum spf_mech)m;
	return SPF_MECH_MAX;
}

/* spf_parse_modifier - name=value at p[off..off+len), '=' at off+eq */
static int
spf_parse_modifier(struct spf_parser *ps, size_t off, size_t len, size_t eq,
    struct spf_term *t)
{
	const char *p = ps->p + off;
	size_t voff = off + eq + 1, vlen = len - eq - 1;

	t->name.p = p;
	t->name.len = eq;
	t->value.p = ps->p + voff;
	t->value.len = vlen;
	if (ascii_eq_nocase(p, eq, "redirect"))
		t->kind = SPF_TERM_REDIRECT;
	else if (ascii_eq_nocase(p, eq, "exp"))
		t->kind = SPF_TERM_EXP;
	else {
		t->kind = SPF_TERM_MODIFIER;
		return spf_check_at(ps, voff, vlen, 0);
	}
	if (vlen == 0)
		return spf_fail(ps, voff, "missing domain-spec");
	return spf_check_at(ps, voff, vlen, SPF_MACRO_DOMAIN);
}

/* spf_parse_ip - ip4/ip6 ":" network [ "/" cidr ] at p[off..off+len) */
static int
spf_parse_ip(struct spf_parser *ps, size_t off, size_t len, struct spf_term *t)
{
	const char *p = ps->p + off;
	size_t slash;
	struct spf_ip ip;
	int cidr;
	bool v4 = t->mech == SPF_MECH_IP4;

	if (len == 0 || p[0] != ':')
		return spf_fail(ps, off,
		    len == 0 ? "missing ip network"
		             : "unexpected text after "
		               "mechanism");
	p++;
	off++;
	len--;
	for (slash = 0; slash < len && p[slash] != '/'; slash++)
		;
	t->value.p = p;
	t->value.len = slash;
	if (v4 ? spf_ip4_strict(p, slash, ip.addr) != 0
	       : spf_ip6_parse(p, slash, ip.addr) != 0)
		return spf_fail(ps, off,
		    v4 ? "invalid ip4 network" : "invalid ip6 network");
	memcpy(t->net, ip.addr, v4 ? 4 : 16);
	if (slash < len) {
		cidr = spf_cidr(p + slash + 1, len - slash - 1, v4 ? 32 : 128);
		if (cidr < 0)
			return spf_fail(ps, off + slash, "invalid cidr length");
		if (v4)
			t->cidr4 = cidr;
		else
			t->cidr6 = cidr;
	}
	return 0;
}

/* spf_parse_directive - [qualifier] mechanism at p[off..off+len) */
static int
spf_parse_directive(
    struct spf_parser *ps, size_t off, size_t len, struct spf_term *t)
{
	const char *p = ps->p + off;
	size_t k = 0, name, rest;

	t->kind = SPF_TERM_MECH;
	switch (p[0]) {
	case '+':
		k = 1;
		break;
	case '-':
		t->qual = SPF_QUAL_FAIL;
		k = 1;
		break;
	case '~':
		t->qual = SPF_QUAL_SOFTFAIL;
		k = 1;
		break;
	case '?':
		t->qual = SPF_QUAL_NEUTRAL;
		k = 1;
		break;
	}
	name = k;
	while (k < len && p[k] != ':' && p[k] != '/')
		k++;
	t->name.p = p + name;
	t->name.len = k - name;
	t->mech = spf_mech_lookup(p + name, k - name);
	if (t->mech == SPF_MECH_MAX)
		return spf_fail(ps, off + name, "unknown mechanism");
	rest = len - k;
	switch (t->mech) {
	case SPF_MECH_ALL:
		if (rest != 0)
			return spf_fail(ps, off + k, "all takes no argument");
		return 0;
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return spf_parse_ip(ps, off + k, rest, t);
	case SPF_MECH_INCLUDE:
	case SPF_MECH_EXISTS:
		if (rest == 0)
			return spf_fail(ps, off + k, "missing domain-spec");
		break;
	case SPF_MECH_A:
	case SPF_MECH_MX:
		if (rest > 0 && p[k] == '/') {
			/* no domain-spec: the whole rest is dual-cidr */
			t->value.p = p + k;
			if (spf_dual_cidr(ps, off + k, rest, t) != 0)
				return -1;
			if (t->value.len != 0)
				return spf_fail(
				    ps, off + k, "invalid cidr length");
			t->value.p = NULL;
			return 0;
		}
		break;
	default:
		break;
	}
	if (rest == 0)
		return 0; /* a, mx, ptr: the current domain */
	if (p[k] != ':')
		return spf_fail(ps, off + k, "unexpected text after mechanism");
	k++;
	rest--;
	t->value.p = p + k;
	t->value.len = rest;
	if ((t->mech == SPF_MECH_A || t->mech == SPF_MECH_MX) &&
	    spf_dual_cidr(ps, off + k, rest, t) != 0)
		return -1;
	if (t->value.len == 0)
		return spf_fail(ps, off + k, "missing domain-spec");
	return spf_check_at(ps, off + k, t->value.len, SPF_MACRO_DOMAIN);
}

/* spf_parse_term - one term at p[off..off+len) into t */
static int
spf_parse_term(
    struct spf_parser *ps, size_t off, size_t len, struct spf_term *t)
{
	const char *p = ps->p + off;
	size_t j;

	memset(t, 0, sizeof(*t));
	t->off = off;
	t->text.p = p;
	t->text.len = len;
	t->cidr4 = t->cidr6 = -1;
	t->qual = SPF_QUAL_PASS;
	/* a modifier is name "=": a name runs up to '=', never past ':' */
	if (ascii_isalpha((unsigned char)p[0])) {
		for (j = 1; j < len &&
		     (ascii_isalnum((unsigned char)p[j]) || p[j] == '-' ||
		         p[j] == '_' || p[j] == '.');
		     j++)
			;
		if (j < len && p[j] == '=')
			return spf_parse_modifier(ps, off, len, j, t);
	}
	return spf_parse_directive(ps, off, len, t);
}

int
spf_parse(const char *p, size_t len, struct spf_record *out, struct perr *err)
{
	struct spf_parser ps = { p, len, err, false };
	struct spf_term *t;
	size_t i, start;
	int idx;

	out->nterms = 0;
	out->redirect = out->exp = out->all = -1;
	out->ndns = 0;
	out->warnings = 0;
	if (len > SPF_MAX_RECORD)
		return spf_fail(&ps, 0, "record too long");
	if (!spf_is_record(p, len))
		return spf_fail(&ps, 0, "not an spf1 record");
	i = 6;
	while (1) {
		while (i < len && p[i] == ' ')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && p[i] != ' ')
			i++;
		if (out->nterms == SPF_MAX_TERMS)
			return spf_fail(&ps, start, "too many terms");
		t = &out->terms[out->nterms];
		if (spf_parse_term(&ps, start, i - start, t) != 0)
			return -1;
		idx = (int)out->nterms++;
		switch (t->kind) {
		case SPF_TERM_MECH:
			if (out->all >= 0)
				out->warnings |= SPF_WARN_AFTER_ALL;
			if (t->mech == SPF_MECH_ALL) {
				if (out->all < 0)
					out->all = idx;
				if (t->qual == SPF_QUAL_PASS)
					out->warnings |= SPF_WARN_PASS_ALL;
			}
			if (t->mech == SPF_MECH_PTR)
				out->warnings |= SPF_WARN_PTR;
			if (t->mech == SPF_MECH_INCLUDE ||
			    t->mech == SPF_MECH_A || t->mech == SPF_MECH_MX ||
			    t->mech == SPF_MECH_PTR ||
			    t->mech == SPF_MECH_EXISTS)
				out->ndns++;
			break;
		case SPF_TERM_REDIRECT:
			if (out->redirect >= 0)
				return spf_fail(
				    &ps, start, "duplicate redirect modifier");
			out->redirect = idx;
			out->ndns++;
			break;
		case SPF_TERM_EXP:
			if (out->exp >= 0)
				return spf_fail(
				    &ps, start, "duplicate exp modifier");
			out->exp = idx;
			break;
		case SPF_TERM_MODIFIER:
			out->warnings |= SPF_WARN_UNKNOWN_MOD;
			break;
		}
	}
	if (out->redirect >= 0 && out->all >= 0)
		out->warnings |= SPF_WARN_DEAD_REDIRECT;
	if (out->ndns > 10)
		out->warnings |= SPF_WARN_LOOKUPS;
	return 0;
}
