/* SPDX-License-Identifier: ISC */
/*
 * received - one Received: field value, parsed into clauses and a TLS
 * verdict.
 *
 * Two levels of tokens, both bounded by len: the top level cuts the field
 * into words (quoted strings included), comments (kept whole, nesting
 * counted, never recursed into) and ';'; inside a top-level comment, words
 * and nested comments. A first pass finds the last top-level ';' (the date follows
 * it), the second walks the tokens through the clause keywords. Every
 * top-level comment goes through the TLS clause recognizers, the best match
 * by format rank is kept; in the from clause the others feed the TCP-info
 * reader. Each byte is looked at a bounded number of times, so hostile
 * input costs linear time.
 */
#include "proto/received.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "util/ascii.h"

enum received_tok_kind {
	RECEIVED_TOK_WORD,
	RECEIVED_TOK_COMMENT,
	RECEIVED_TOK_SEMI,
};

struct received_tok {
	enum received_tok_kind kind;
	size_t start; /* offset of the first byte */
	size_t end;   /* offset past the last byte (past ')' or '"') */
	bool open;    /* a comment or quoted string that the input cut */
};

/* the words and nested comments of one top-level comment */
#define RECEIVED_CTOKS 16
struct received_ctoks {
	struct received_tok t[RECEIVED_CTOKS];
	size_t n;     /* tokens stored */
	size_t total; /* tokens seen: n, or RECEIVED_CTOKS + 1 for "more" */
};

enum received_clause {
	RECEIVED_CL_NONE,
	RECEIVED_CL_FROM,
	RECEIVED_CL_BY,
	RECEIVED_CL_VIA,
	RECEIVED_CL_WITH,
	RECEIVED_CL_ID,
	RECEIVED_CL_FOR,
	RECEIVED_CL_MAX
};

/* received_clause_names - the keyword of each clause */
static const char *const received_clause_names[RECEIVED_CL_MAX] = { "", "from",
	"by", "via", "with", "id", "for" };

/* TLS clause formats, most specific first: a lower rank wins */
enum received_fmt {
	RECEIVED_FMT_MICROSOFT,
	RECEIVED_FMT_GMAIL,
	RECEIVED_FMT_SENDMAIL,
	RECEIVED_FMT_EXIM_NEW,
	RECEIVED_FMT_OPENSMTPD,
	RECEIVED_FMT_EXIM_OLD,
	RECEIVED_FMT_POSTFIX,
	RECEIVED_FMT_COURIER,
	RECEIVED_FMT_QMAIL,
	RECEIVED_FMT_MOX,
	RECEIVED_FMT_ECELERITY,
	RECEIVED_FMT_NONE
};

static const char *const received_fmt_names[RECEIVED_FMT_NONE] = { "microsoft",
	"gmail", "sendmail-style", "exim-new", "opensmtpd", "exim-old",
	"postfix", "courier", "qmail-tls", "mox", "ecelerity" };
_Static_assert(sizeof(received_fmt_names) / sizeof(received_fmt_names[0]) ==
        RECEIVED_FMT_NONE,
    "one name per format");

/* a TLS clause found in one comment */
struct received_match {
	enum received_fmt fmt;
	struct received_slice version, cipher, verify;
	int bits;
};

struct received_parser {
	const char *p;
	struct received *out;
	enum received_clause clause; /* the clause the next tokens belong to */
	unsigned int seen;           /* 1 << clause for each keyword met */
	bool want;                   /* the clause still waits for its value */
	bool tls_word;               /* exim-new: the last word was "tls" */
	bool from_ip_word;           /* the ip came from "NAME [addr]" */
	bool helo_named;             /* the TCP-info names the HELO */
	bool verified;               /* CommuniGate "([addr] verified)" */
	size_t with_words;           /* words after "with" */
	bool with_ext;               /* Mimecast: "with ESMTP with STARTTLS" */
	bool with_starttls;          /* ... and that phrase names STARTTLS */
	size_t with_start, with_end; /* offsets of the first and last */
	struct received_match best;  /* best TLS clause so far */
	struct received_match exim;  /* exim-new: "(TLS1.3)", "tls CIPHER" */
};

static struct received_slice
received_sl(const char *p, size_t s, size_t e)
{
	struct received_slice r = { NULL, 0 };

	if (e > s) {
		r.p = p + s;
		r.len = e - s;
	}
	return r;
}

/* received_prefix - (p, n) starts with s, ignoring case */
static bool
received_prefix(const char *p, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= n ||
		    ascii_tolower((unsigned char)p[i]) != ascii_tolower(s[i]))
			return false;
	return true;
}

static bool
received_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ascii_isdigit((unsigned char)p[i]))
			return false;
	return n > 0;
}

/* received_int - leading decimal digits of (p, n), saturating at INT_MAX */
static int
received_int(const char *p, size_t n)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n && ascii_isdigit((unsigned char)p[i]); i++) {
		if (v > (INT_MAX - 9) / 10)
			return INT_MAX;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * received_qp_len - bytes of the quoted-pair at p[i] ('\\'): a fold right
 * after the backslash belongs to it, since RFC 5322 unfolds before it lexes
 */
static size_t
received_qp_len(const char *p, size_t end, size_t i)
{
	size_t n = end - i;

	if (n >= 4 && p[i + 1] == '\r' && p[i + 2] == '\n' &&
	    (p[i + 3] == ' ' || p[i + 3] == '\t'))
		return 4;
	if (n >= 3 && p[i + 1] == '\n' && (p[i + 2] == ' ' || p[i + 2] == '\t'))
		return 3;
	return n >= 2 ? 2 : n;
}

/* received_comment_end - past the ')' matching the '(' at i, or end */
static size_t
received_comment_end(const char *p, size_t end, size_t i, bool *open)
{
	size_t depth = 0;

	while (i < end) {
		if (p[i] == '\\') {
			i += received_qp_len(p, end, i);
			continue;
		}
		if (p[i] == '(') {
			depth++;
		} else if (p[i] == ')') {
			depth--;
			if (depth == 0)
				return i + 1;
		}
		i++;
	}
	*open = true;
	return end;
}

/* received_quoted_end - past the '"' closing the one at i, or end */
static size_t
received_quoted_end(const char *p, size_t end, size_t i, bool *open)
{
	i++;
	while (i < end) {
		if (p[i] == '\\') {
			i += received_qp_len(p, end, i);
			continue;
		}
		if (p[i] == '"')
			return i + 1;
		i++;
	}
	*open = true;
	return end;
}

/*
 * received_tok_next - the next top-level token of p[*off, end): false at the
 * end. A stray ')' is skipped. Quoted strings are parts of words, so that
 * <"a;b"@c> stays one word and its ';' is no separator.
 */
static bool
received_tok_next(
    const char *p, size_t end, size_t *off, struct received_tok *t)
{
	size_t i = *off;
	int c;

	while (i < end && (ascii_isspace((unsigned char)p[i]) || p[i] == ')'))
		i++;
	if (i >= end) {
		*off = end;
		return false;
	}
	t->start = i;
	t->open = false;
	switch (p[i]) {
	case '(':
		t->kind = RECEIVED_TOK_COMMENT;
		i = received_comment_end(p, end, i, &t->open);
		break;
	case ';':
		t->kind = RECEIVED_TOK_SEMI;
		i++;
		break;
	default:
		t->kind = RECEIVED_TOK_WORD;
		while (i < end) {
			c = (unsigned char)p[i];
			if (c == '"') {
				i = received_quoted_end(p, end, i, &t->open);
				continue;
			}
			if (ascii_isspace(c) || c == '(' || c == ')' ||
			    c == ';')
				break;
			i++;
		}
		break;
	}
	t->end = i;
	*off = i;
	return true;
}

/* received_ctoks_read - the tokens of the comment body p[s, e) */
static void
received_ctoks_read(const char *p, size_t s, size_t e, struct received_ctoks *c)
{
	struct received_tok t;
	size_t i = s;
	int ch;

	c->n = 0;
	c->total = 0;
	for (;;) {
		while (i < e &&
		    (ascii_isspace((unsigned char)p[i]) || p[i] == ')'))
			i++;
		if (i >= e || c->total > RECEIVED_CTOKS)
			return;
		t.start = i;
		t.open = false;
		if (p[i] == '(') {
			t.kind = RECEIVED_TOK_COMMENT;
			i = received_comment_end(p, e, i, &t.open);
		} else {
			t.kind = RECEIVED_TOK_WORD;
			while (i < e) {
				ch = (unsigned char)p[i];
				if (ascii_isspace(ch) || ch == '(' || ch == ')')
					break;
				if (ch == '\\')
					i += received_qp_len(p, e, i);
				else
					i++;
			}
		}
		t.end = i;
		if (c->n < RECEIVED_CTOKS)
			c->t[c->n++] = t;
		c->total++;
	}
}

/* received_word - token i of c when it is a word, as (start, end) */
static bool
received_word(const struct received_ctoks *c, size_t i, size_t *s, size_t *e)
{
	if (i >= c->n || c->t[i].kind != RECEIVED_TOK_WORD)
		return false;
	*s = c->t[i].start;
	*e = c->t[i].end;
	return true;
}

static bool
received_word_is(
    const char *p, const struct received_ctoks *c, size_t i, const char *s)
{
	size_t ws, we;

	return received_word(c, i, &ws, &we) &&
	    ascii_eq_nocase(p + ws, we - ws, s);
}

/* received_trim - drop trailing bytes of set from p[s, *e) */
static void
received_trim(const char *p, size_t s, size_t *e, const char *set)
{
	while (*e > s && strchr(set, p[*e - 1]) != NULL && p[*e - 1] != '\0')
		(*e)--;
}

/* received_unbracket - p[*s, *e) without a trailing ',' and one <> pair */
static void
received_unbracket(const char *p, size_t *s, size_t *e)
{
	received_trim(p, *s, e, ",");
	if (*e > *s && p[*e - 1] == '>')
		(*e)--;
	if (*e > *s && p[*s] == '<')
		(*s)++;
}

/*
 * received_version_core - one "TLS"/"SSL", optional 'v' or '-', a digit and
 * ('.' | '_') digit groups at the start of (p, n): its length, or 0.
 */
static size_t
received_version_core(
    const char *p, size_t n, bool *ssl, int *major, int *minor)
{
	size_t i = 3;

	if (n < 4)
		return 0;
	if (received_prefix(p, n, "TLS"))
		*ssl = false;
	else if (received_prefix(p, n, "SSL"))
		*ssl = true;
	else
		return 0;
	if (p[i] == 'v' || p[i] == 'V' || p[i] == '-')
		i++;
	if (i >= n || !ascii_isdigit((unsigned char)p[i]))
		return 0;
	*major = p[i++] - '0';
	*minor = -1;
	while (i + 1 < n && (p[i] == '.' || p[i] == '_') &&
	    ascii_isdigit((unsigned char)p[i + 1])) {
		if (*minor < 0)
			*minor = p[i + 1] - '0';
		i += 2;
	}
	return i;
}

/* received_is_version - TLSv1.2, TLS1_3, TLS-1.0, SSLv3, TLSv1/SSLv3 ... */
static bool
received_is_version(const char *p, size_t n)
{
	size_t i, j;
	bool ssl;
	int major, minor;

	i = received_version_core(p, n, &ssl, &major, &minor);
	if (i == 0)
		return false;
	if (i == n)
		return true;
	if (p[i] != '/')
		return false;
	j = received_version_core(p + i + 1, n - i - 1, &ssl, &major, &minor);
	return j != 0 && i + 1 + j == n;
}

/* received_norm - "1.0".."1.3", "SSL3", "SSL2" or "" for a version token */
static void
received_norm(const char *p, size_t n, char out[8])
{
	size_t i;
	bool ssl;
	int major, minor;

	out[0] = '\0';
	i = received_version_core(p, n, &ssl, &major, &minor);
	/* "TLSv1/SSLv3" is OpenSSL's cipher class: the version is unknown */
	if (i == 0 || i != n)
		return;
	if (!ssl && major == 1 && minor <= 3) {
		out[0] = '1';
		out[1] = '.';
		out[2] = (char)('0' + (minor < 0 ? 0 : minor));
		out[3] = '\0';
	} else if (ssl && (major == 2 || major == 3)) {
		memcpy(out, major == 3 ? "SSL3" : "SSL2", 5);
	}
}

/* received_with_is_tls - an RFC 3848/6531 "...S" or "...SA" keyword */
static bool
received_with_is_tls(const char *p, size_t n)
{
	static const char *const bases[] = { "ESMTP", "SMTP", "LMTP",
		"UTF8SMTP", "UTF8LMTP", "HTTP" };
	size_t i;

	if (n >= 2 && ascii_toupper((unsigned char)p[n - 2]) == 'S' &&
	    ascii_toupper((unsigned char)p[n - 1]) == 'A')
		n -= 2;
	else if (n >= 1 && ascii_toupper((unsigned char)p[n - 1]) == 'S')
		n -= 1;
	else
		return false;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (ascii_eq_nocase(p, n, bases[i]))
			return true;
	return false;
}

/* received_is_atom - a protocol-keyword-like word */
static bool
received_is_atom(const char *p, size_t n)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (!ascii_isalnum(c) && c != '-' && c != '_' && c != '.' &&
		    c != '+' && c != '/')
			return false;
	}
	return n > 0;
}

/* received_ipv4_len - length of a dotted quad at the start of (p, n), or 0 */
static size_t
received_ipv4_len(const char *p, size_t n)
{
	size_t i = 0, nd;
	int group, v;

	for (group = 0; group < 4; group++) {
		if (group > 0) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
		for (nd = 0, v = 0;
		     i < n && nd < 3 && ascii_isdigit((unsigned char)p[i]);
		     nd++, i++)
			v = v * 10 + (p[i] - '0');
		if (nd == 0 || v > 255)
			return 0;
	}
	/* a fourth group of more than three digits is no address */
	if (i < n && ascii_isdigit((unsigned char)p[i]))
		return 0;
	return i;
}

/*
 * received_addr - p[s, e) as an address: an IPv4 (optionally after
 * "::ffff:", optionally followed by ":port" or ".port") or hex digits,
 * ':' and '.' with at least two ':'. Sets the address part in *as, *ae.
 */
static bool
received_addr(const char *p, size_t s, size_t e, size_t *as, size_t *ae)
{
	size_t i, n4, colons = 0;

	if (e - s > 7 && received_prefix(p + s, e - s, "::ffff:") &&
	    received_ipv4_len(p + s + 7, e - s - 7) > 0)
		s += 7;
	n4 = received_ipv4_len(p + s, e - s);
	if (n4 > 0 &&
	    (s + n4 == e ||
	        ((p[s + n4] == ':' || p[s + n4] == '.') &&
	            received_digits(p + s + n4 + 1, e - s - n4 - 1)))) {
		*as = s;
		*ae = s + n4;
		return true;
	}
	for (i = s; i < e; i++) {
		if (p[i] == ':')
			colons++;
		else if (p[i] != '.' &&
		    !(ascii_isdigit((unsigned char)p[i]) ||
		        (ascii_tolower((unsigned char)p[i]) >= 'a' &&
		            ascii_tolower((unsigned char)p[i]) <= 'f')))
			return false;
	}
	if (colons < 2)
		return false;
	*as = s;
	*ae = e;
	return true;
}

/* received_bracket_addr - the address in "[...]" at p[s] (see above) */
static bool
received_bracket_addr(const char *p, size_t s, size_t e, size_t *as, size_t *ae)
{
	size_t i = s + 1, j;

	for (j = i; j < e && p[j] != ']'; j++)
		;
	if (j - i > 5 && received_prefix(p + i, j - i, "IPv6:"))
		i += 5;
	return received_addr(p, i, j, as, ae);
}

/* received_offer - keep m when it beats the best TLS clause so far */
static void
received_offer(struct received_parser *ps, const struct received_match *m)
{
	if (m->fmt < ps->best.fmt)
		ps->best = *m;
}

/*
 * received_fmt_kv - "version=V cipher=C [bits=N[/M]] [verify=W]":
 * Microsoft when a ',' follows V, Gmail when V is TLS1 or TLS1_x (no 'v',
 * no '.'), sendmail-style otherwise.
 */
static bool
received_fmt_kv(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t i, s, e, k, ve;
	bool comma = false;

	if (!received_word(c, 0, &s, &e) ||
	    !received_prefix(p + s, e - s, "version="))
		return false;
	for (i = 0; received_word(c, i, &s, &e); i++) {
		while (s < e && p[s] == ',')
			s++;
		for (k = s; k < e && p[k] != '='; k++)
			;
		if (k == e)
			continue;
		ve = e;
		received_trim(p, k + 1, &ve, ",");
		if (ascii_eq_nocase(p + s, k - s, "version") &&
		    m->version.len == 0) {
			m->version = received_sl(p, k + 1, ve);
			comma = ve < e ||
			    (i + 1 < c->n &&
			        c->t[i + 1].kind == RECEIVED_TOK_WORD &&
			        p[c->t[i + 1].start] == ',');
		} else if (ascii_eq_nocase(p + s, k - s, "cipher") &&
		    m->cipher.len == 0) {
			m->cipher = received_sl(p, k + 1, ve);
		} else if (ascii_eq_nocase(p + s, k - s, "bits") &&
		    m->bits == 0) {
			m->bits = received_int(p + k + 1, ve - k - 1);
		} else if (ascii_eq_nocase(p + s, k - s, "verify") &&
		    m->verify.len == 0) {
			m->verify = received_sl(p, k + 1, ve);
		}
	}
	if (m->version.len == 0 || m->cipher.len == 0)
		return false;
	if (comma)
		m->fmt = RECEIVED_FMT_MICROSOFT;
	else if (m->version.len >= 4 &&
	    received_prefix(m->version.p, m->version.len, "TLS") &&
	    ascii_isdigit((unsigned char)m->version.p[3]) &&
	    memchr(m->version.p, '.', m->version.len) == NULL)
		m->fmt = RECEIVED_FMT_GMAIL;
	else
		m->fmt = RECEIVED_FMT_SENDMAIL;
	return true;
}

/*
 * received_fmt_colon - one word "V:CIPHER:BITS" (Exim < 4.92) or
 * "V:CIPHER:BITS:VERIFY" (OpenSMTPD)
 */
static bool
received_fmt_colon(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t f[5][2], nf = 0, i, s, e;

	if (c->total != 1 || !received_word(c, 0, &s, &e))
		return false;
	f[0][0] = s;
	for (i = s; i <= e; i++) {
		if (i < e && p[i] != ':')
			continue;
		f[nf][1] = i;
		nf++;
		if (nf == 5)
			return false;
		f[nf][0] = i + 1;
	}
	if ((nf != 3 && nf != 4) ||
	    !received_is_version(p + f[0][0], f[0][1] - f[0][0]) ||
	    f[1][1] == f[1][0] ||
	    !received_digits(p + f[2][0], f[2][1] - f[2][0]))
		return false;
	if (nf == 4) {
		for (i = f[3][0]; i < f[3][1]; i++)
			if (!ascii_isalpha((unsigned char)p[i]))
				return false;
		if (f[3][1] == f[3][0])
			return false;
		m->verify = received_sl(p, f[3][0], f[3][1]);
	}
	m->fmt = nf == 4 ? RECEIVED_FMT_OPENSMTPD : RECEIVED_FMT_EXIM_OLD;
	m->version = received_sl(p, f[0][0], f[0][1]);
	m->cipher = received_sl(p, f[1][0], f[1][1]);
	m->bits = received_int(p + f[2][0], f[2][1] - f[2][0]);
	return true;
}

/*
 * received_fmt_postfix - "using V with cipher C (USE/ALG bits) ..."; the
 * key-exchange and signature parts of Postfix >= 3.4 are not needed
 */
static bool
received_fmt_postfix(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t vs, ve, cs, ce, i;

	if (!received_word_is(p, c, 0, "using") ||
	    !received_word(c, 1, &vs, &ve) ||
	    !received_word_is(p, c, 2, "with") ||
	    !received_word_is(p, c, 3, "cipher") ||
	    !received_word(c, 4, &cs, &ce))
		return false;
	m->fmt = RECEIVED_FMT_POSTFIX;
	m->version = received_sl(p, vs, ve);
	m->cipher = received_sl(p, cs, ce);
	if (c->n > 5 && c->t[5].kind == RECEIVED_TOK_COMMENT) {
		for (i = c->t[5].start + 1;
		     i < c->t[5].end && ascii_isspace((unsigned char)p[i]); i++)
			;
		m->bits = received_int(p + i, c->t[5].end - i);
	}
	return true;
}

/*
 * received_fmt_courier - "[AUTH: ..., ]TLS: V,NNNbits,CIPHER" (Courier),
 * "SSL: V,NNNbits,CIPHER" (the same shape, seen from MDaemon)
 */
static bool
received_fmt_courier(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t i, s, e, f[3][2], nf = 0, k;

	for (i = 0; i + 1 < c->n; i++)
		if (received_word_is(p, c, i, "TLS:") ||
		    received_word_is(p, c, i, "SSL:"))
			break;
	if (i + 1 >= c->n || !received_word(c, i + 1, &s, &e))
		return false;
	f[0][0] = s;
	for (k = s; k <= e && nf < 3; k++) {
		if (k < e && (p[k] != ',' || nf == 2))
			continue;
		f[nf][1] = k;
		nf++;
		if (nf < 3)
			f[nf][0] = k + 1;
	}
	if (nf != 3 || !received_is_version(p + f[0][0], f[0][1] - f[0][0]))
		return false;
	received_trim(p, f[2][0], &f[2][1], ",");
	if (f[2][1] == f[2][0])
		return false;
	m->fmt = RECEIVED_FMT_COURIER;
	m->version = received_sl(p, f[0][0], f[0][1]);
	m->bits = received_int(p + f[1][0], f[1][1] - f[1][0]);
	m->cipher = received_sl(p, f[2][0], f[2][1]);
	return true;
}

/*
 * received_fmt_pair - two words: "CIPHER encrypted" (qmail-tls, qpsmtpd:
 * "with (C encrypted) SMTP") or "V CIPHER" (mox)
 */
static bool
received_fmt_pair(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t s0, e0, s1, e1;

	if (c->total != 2 || !received_word(c, 0, &s0, &e0) ||
	    !received_word(c, 1, &s1, &e1))
		return false;
	if (ascii_eq_nocase(p + s1, e1 - s1, "encrypted")) {
		m->fmt = RECEIVED_FMT_QMAIL;
		m->cipher = received_sl(p, s0, e0);
		return true;
	}
	if (!received_is_version(p + s0, e0 - s0))
		return false;
	m->fmt = RECEIVED_FMT_MOX;
	m->version = received_sl(p, s0, e0);
	m->cipher = received_sl(p, s1, e1);
	return true;
}

/* received_fmt_ecelerity - "cipher=C [subject=...]" */
static bool
received_fmt_ecelerity(
    const char *p, const struct received_ctoks *c, struct received_match *m)
{
	size_t s, e;

	if (!received_word(c, 0, &s, &e) ||
	    !received_prefix(p + s, e - s, "cipher="))
		return false;
	received_trim(p, s, &e, ",");
	if (e <= s + 7)
		return false;
	m->fmt = RECEIVED_FMT_ECELERITY;
	m->cipher = received_sl(p, s + 7, e);
	return true;
}

/*
 * received_fmt_x - Exim's log syntax "X=V:CIPHER:BITS" ($tls_in_cipher
 * after "X="), which operators put in a customised received_header_text,
 * in a comment or as a bare word: p[s, e) is that word
 */
static bool
received_fmt_x(struct received_parser *ps, size_t s, size_t e)
{
	struct received_ctoks c;
	struct received_match m;

	if (e - s < 3 || !received_prefix(ps->p + s, e - s, "X="))
		return false;
	memset(&c, 0, sizeof(c));
	c.n = c.total = 1;
	c.t[0].kind = RECEIVED_TOK_WORD;
	c.t[0].start = s + 2;
	c.t[0].end = e;
	memset(&m, 0, sizeof(m));
	if (!received_fmt_colon(ps->p, &c, &m))
		return false;
	m.fmt = RECEIVED_FMT_EXIM_OLD;
	received_offer(ps, &m);
	return true;
}

/* received_tls_clause - try the TLS recognizers on one comment */
static bool
received_tls_clause(struct received_parser *ps, const struct received_ctoks *c)
{
	static bool (*const fmts[])(const char *, const struct received_ctoks *,
	    struct received_match *) = {
		received_fmt_kv,
		received_fmt_colon,
		received_fmt_postfix,
		received_fmt_courier,
		received_fmt_pair,
		received_fmt_ecelerity,
	};
	struct received_match m;
	size_t i, s, e;

	/* Exchange 2013: "with Microsoft SMTP Server (TLS) id 15.0..." */
	if (c->total == 1 && received_word_is(ps->p, c, 0, "TLS")) {
		memset(&m, 0, sizeof(m));
		m.fmt = RECEIVED_FMT_MICROSOFT;
		received_offer(ps, &m);
		return true;
	}
	/* "(X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no)" */
	if (received_word(c, 0, &s, &e) && received_fmt_x(ps, s, e))
		return true;
	/* exim >= 4.92: "(TLS1.3)" alone; the cipher follows as "tls C" */
	if (c->total == 1 && received_word(c, 0, &s, &e) &&
	    received_is_version(ps->p + s, e - s)) {
		if (ps->exim.version.len == 0)
			ps->exim.version = received_sl(ps->p, s, e);
		return true;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&m, 0, sizeof(m));
		if (fmts[i](ps->p, c, &m)) {
			received_offer(ps, &m);
			return true;
		}
	}
	return false;
}

/*
 * received_bare_tls - OpenSMTPD before 6.0 wrote its TLS facts as a line
 * of bare words, not a comment: "TLS version=V cipher=C bits=N verify=W;"
 * (ending in ';' like its other lines). *off is just past the word "TLS";
 * on a match the key=value words are consumed.
 */
static bool
received_bare_tls(struct received_parser *ps, size_t end, size_t *off)
{
	struct received_ctoks c;
	struct received_match m;
	struct received_tok t;
	size_t o = *off, last = *off;

	c.n = 0;
	while (c.n < RECEIVED_CTOKS && received_tok_next(ps->p, end, &o, &t) &&
	    t.kind == RECEIVED_TOK_WORD &&
	    memchr(ps->p + t.start, '=', t.end - t.start) != NULL) {
		c.t[c.n++] = t;
		last = o;
	}
	c.total = c.n;
	memset(&m, 0, sizeof(m));
	if (c.n == 0 || !received_fmt_kv(ps->p, &c, &m))
		return false;
	m.fmt = RECEIVED_FMT_OPENSMTPD;
	received_offer(ps, &m);
	*off = last;
	return true;
}

/* received_is_logfield - an Exim log field word: "CV=no", "DN=..." */
static bool
received_is_logfield(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 4 && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	return i > 0 && i < n && p[i] == '=';
}

/*
 * received_bare_x - "X=V:C:B" as a bare word, and the log fields written
 * after it ("CV=no"): consumed, so that they do not read as the with
 * clause's protocol
 */
static bool
received_bare_x(struct received_parser *ps, const struct received_tok *t,
    size_t end, size_t *off)
{
	struct received_tok n;
	size_t o = *off;

	if (!received_fmt_x(ps, t->start, t->end))
		return false;
	while (received_tok_next(ps->p, end, &o, &n) &&
	    n.kind == RECEIVED_TOK_WORD &&
	    received_is_logfield(ps->p + n.start, n.end - n.start))
		*off = o;
	return true;
}

/* received_envelope - "(envelope-from <X>)", "(envelope-sender <X>)" */
static bool
received_envelope(struct received_parser *ps, const struct received_ctoks *c)
{
	size_t s, e;

	if (!received_word_is(ps->p, c, 0, "envelope-from") &&
	    !received_word_is(ps->p, c, 0, "envelope-sender"))
		return false;
	if (ps->out->envelope_from.len == 0 && received_word(c, 1, &s, &e)) {
		received_unbracket(ps->p, &s, &e);
		ps->out->envelope_from = received_sl(ps->p, s, e);
	}
	return true;
}

/* received_is_helo_kw - the word before a HELO name in a TCP-info */
static bool
received_is_helo_kw(const char *p, size_t n)
{
	return ascii_eq_nocase(p, n, "HELO") || ascii_eq_nocase(p, n, "EHLO") ||
	    ascii_eq_nocase(p, n, "LHLO") || ascii_eq_nocase(p, n, "HELLO");
}

/*
 * received_tcpinfo - a comment of the from clause: "(NAME [addr])",
 * "(user@NAME [addr] (may be forged))", "([addr]:port helo=H)",
 * "(HELO H)", "(ident@addr)", "(addr)", "(account A HELO H)" ...
 */
static void
received_tcpinfo(struct received_parser *ps, const struct received_ctoks *c)
{
	struct received *out = ps->out;
	const char *p = ps->p;
	size_t i, s, e, as, ae, rs, re, k, helo_at = SIZE_MAX;

	for (i = 0; i < c->n; i++) {
		if (!received_word(c, i, &s, &e))
			continue;
		if (received_is_helo_kw(p + s, e - s)) {
			ps->helo_named = true;
			if (received_word(c, i + 1, &rs, &re)) {
				if (out->from_helo.len == 0)
					out->from_helo = received_sl(p, rs, re);
				i++;
				helo_at = i;
			}
			continue;
		}
		if (ascii_eq_nocase(p + s, e - s, "verified")) {
			ps->verified = ps->verified ||
			    !(i > 0 && received_word_is(p, c, i - 1, "not"));
			continue;
		}
		if (received_prefix(p + s, e - s, "helo=")) {
			ps->helo_named = true;
			re = e;
			received_trim(p, s + 5, &re, ",");
			if (out->from_helo.len == 0)
				out->from_helo = received_sl(p, s + 5, re);
			continue;
		}
		if (p[s] == '[') {
			if (out->from_ip.len != 0 ||
			    !received_bracket_addr(p, s, e, &as, &ae))
				continue;
			out->from_ip = received_sl(p, as, ae);
			/* "NAME [addr]": the receiver's reverse lookup */
			if (i > 0 && i - 1 != helo_at &&
			    out->from_rdns.len == 0 &&
			    received_word(c, i - 1, &rs, &re) &&
			    memchr(p + rs, '=', re - rs) == NULL &&
			    p[rs] != '[') {
				for (k = re; k > rs && p[k - 1] != '@'; k--)
					;
				if (!ascii_eq_nocase(p + k, re - k, "unknown"))
					out->from_rdns = received_sl(p, k, re);
			}
			continue;
		}
		if (out->from_ip.len != 0)
			continue;
		/* "(addr)", "(ident@addr)", "(addr:port)" */
		for (k = e; k > s && p[k - 1] != '@'; k--)
			;
		if (received_addr(p, k, e, &as, &ae)) {
			out->from_ip = received_sl(p, as, ae);
			continue;
		}
		/* "(Not Verified[addr])": a bracket glued to a word */
		for (k = s; k < e && p[k] != '['; k++)
			;
		if (k < e && received_bracket_addr(p, k, e, &as, &ae))
			out->from_ip = received_sl(p, as, ae);
	}
}

/* received_on_comment - a top-level comment; body: before the date */
static void
received_on_comment(
    struct received_parser *ps, const struct received_tok *t, bool body)
{
	struct received_ctoks c;

	received_ctoks_read(
	    ps->p, t->start + 1, t->open ? t->end : t->end - 1, &c);
	if (received_tls_clause(ps, &c) || received_envelope(ps, &c))
		return;
	if (body && ps->clause == RECEIVED_CL_FROM)
		received_tcpinfo(ps, &c);
}

/* received_keyword - the clause a word opens, or RECEIVED_CL_NONE */
static enum received_clause
received_keyword(const char *p, size_t n)
{
	int i;

	for (i = RECEIVED_CL_FROM; i < RECEIVED_CL_MAX; i++)
		if (ascii_eq_nocase(p, n, received_clause_names[i]))
			return (enum received_clause)i;
	return RECEIVED_CL_NONE;
}

/* received_on_word - a word before the date */
static void
received_on_word(struct received_parser *ps, const struct received_tok *t)
{
	struct received *out = ps->out;
	const char *p = ps->p;
	size_t s = t->start, e = t->end, as, ae;
	enum received_clause cl = received_keyword(p + s, e - s);

	if (cl != RECEIVED_CL_NONE && (ps->seen & (1u << cl)) == 0) {
		ps->seen |= 1u << cl;
		ps->clause = cl;
		ps->want = true;
		ps->tls_word = false;
		return;
	}
	switch (ps->clause) {
	case RECEIVED_CL_FROM:
		if (ps->want) {
			received_trim(p, s, &e, ",");
			out->from = received_sl(p, s, e);
			ps->want = false;
		} else if (p[s] == '[' && out->from_ip.len == 0 &&
		    received_bracket_addr(p, s, e, &as, &ae)) {
			/* "from NAME [addr]" without a comment */
			out->from_ip = received_sl(p, as, ae);
			ps->from_ip_word = true;
		}
		break;
	case RECEIVED_CL_BY:
	case RECEIVED_CL_VIA:
		if (ps->want) {
			received_trim(p, s, &e, ",");
			if (ps->clause == RECEIVED_CL_BY)
				out->by = received_sl(p, s, e);
			else
				out->via = received_sl(p, s, e);
			ps->want = false;
		}
		break;
	case RECEIVED_CL_ID:
	case RECEIVED_CL_FOR:
		if (ps->want) {
			received_unbracket(p, &s, &e);
			if (ps->clause == RECEIVED_CL_ID)
				out->id = received_sl(p, s, e);
			else
				out->for_ = received_sl(p, s, e);
			ps->want = false;
		}
		break;
	case RECEIVED_CL_WITH:
		if (ps->tls_word) {
			/* exim >= 4.92: "with esmtps (TLS1.3) tls CIPHER" */
			if (ps->exim.cipher.len == 0)
				ps->exim.cipher = received_sl(p, s, e);
			ps->tls_word = false;
			break;
		}
		if (ps->with_words > 0 &&
		    ascii_eq_nocase(p + s, e - s, "tls")) {
			ps->tls_word = true;
			break;
		}
		/*
		 * Mimecast: "with ESMTP with STARTTLS", "with ESMTP with
		 * both STARTTLS and AUTH": the protocol is the first word
		 */
		if (ps->with_words > 0 &&
		    ascii_eq_nocase(p + s, e - s, "with")) {
			ps->with_ext = true;
			break;
		}
		if (ps->with_ext) {
			if (ascii_eq_nocase(p + s, e - s, "STARTTLS"))
				ps->with_starttls = true;
			break;
		}
		received_trim(p, s, &e, ",");
		if (e == s)
			break;
		if (ps->with_words == 0)
			ps->with_start = s;
		ps->with_end = e;
		ps->with_words++;
		break;
	default:
		break;
	}
}

/* received_finish - the address fallbacks, the with-keyword, the verdict */
static void
received_finish(struct received_parser *ps)
{
	struct received *out = ps->out;
	const char *p = ps->p;
	size_t fs, fe, as, ae;
	bool literal = false;

	if (out->from.len > 0) {
		fs = (size_t)(out->from.p - p);
		fe = fs + out->from.len;
		literal = p[fs] == '['
		    ? received_bracket_addr(p, fs, fe, &as, &ae)
		    : received_addr(p, fs, fe, &as, &ae);
		if (literal && out->from_ip.len == 0)
			out->from_ip = received_sl(p, as, ae);
		/*
		 * Exim ("NAME ([addr] helo=H)"), qmail ("NAME (HELO H)
		 * (addr)"), CommuniGate ("NAME ([addr] verified)") and
		 * "NAME [addr]" put the reverse name first
		 */
		if ((ps->helo_named || ps->verified || ps->from_ip_word) &&
		    !literal && p[fs] != '[' && out->from_rdns.len == 0 &&
		    !ascii_eq_nocase(out->from.p, out->from.len, "unknown"))
			out->from_rdns = out->from;
	}

	if (ps->with_words > 0) {
		out->with_text = received_sl(p, ps->with_start, ps->with_end);
		if (ps->with_words == 1 &&
		    received_is_atom(out->with_text.p, out->with_text.len))
			out->with = out->with_text;
	}
	out->with_says_tls = ps->with_starttls ||
	    (out->with.len > 0 &&
	        received_with_is_tls(out->with.p, out->with.len));

	if (ps->exim.version.len > 0 || ps->exim.cipher.len > 0) {
		ps->exim.fmt = RECEIVED_FMT_EXIM_NEW;
		received_offer(ps, &ps->exim);
	}
	if (ps->best.fmt != RECEIVED_FMT_NONE) {
		out->tls_format = received_fmt_names[ps->best.fmt];
		out->tls_version = ps->best.version;
		out->cipher = ps->best.cipher;
		out->bits = ps->best.bits;
		out->verify = ps->best.verify;
		received_norm(out->tls_version.p, out->tls_version.len,
		    out->tls_version_norm);
	}

	if (out->tls_format != NULL || out->with_says_tls)
		out->tls = RECEIVED_TLS_YES;
	else if (out->with_text.len > 0)
		out->tls = RECEIVED_TLS_NO;
	else
		out->tls = RECEIVED_TLS_UNKNOWN;
	if ((ps->seen & (1u << RECEIVED_CL_BY)) == 0)
		out->warnings |= RECEIVED_WARN_NO_BY;
}

int
received_parse(
    const char *p, size_t len, struct received *out, struct perr *err)
{
	struct received_parser ps;
	struct received_tok t;
	size_t off = 0, start, semi, end;
	bool have_semi = false, open = false;

	memset(out, 0, sizeof(*out));
	out->time = -1;
	if (len == 0)
		return perr_set(err, 0, "empty received field");
	if (len > RECEIVED_MAX)
		return perr_set(err, RECEIVED_MAX, "received field too long");
	while (off < len && ascii_isspace((unsigned char)p[off]))
		off++;
	if (received_prefix(p + off, len - off, "Received:"))
		off += 9;
	while (off < len && ascii_isspace((unsigned char)p[off]))
		off++;
	if (off == len)
		return perr_set(err, off, "empty received field");
	if (memchr(p, '\0', len) != NULL)
		out->warnings |= RECEIVED_WARN_NUL;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.out = out;
	ps.best.fmt = RECEIVED_FMT_NONE;

	/* pass 1: the last top-level ';' starts the date */
	start = off;
	semi = len;
	while (received_tok_next(p, len, &off, &t)) {
		if (t.kind == RECEIVED_TOK_SEMI) {
			semi = t.start;
			have_semi = true;
		}
		open = open || t.open;
	}
	if (open)
		out->warnings |= RECEIVED_WARN_UNTERMINATED;

	/* pass 2: the clauses; an earlier ';' is junk */
	off = start;
	while (received_tok_next(p, semi, &off, &t)) {
		if (t.kind == RECEIVED_TOK_COMMENT)
			received_on_comment(&ps, &t, true);
		else if (t.kind == RECEIVED_TOK_WORD &&
		    ascii_eq_nocase(p + t.start, t.end - t.start, "TLS") &&
		    received_bare_tls(&ps, semi, &off))
			continue;
		else if (t.kind == RECEIVED_TOK_WORD &&
		    received_bare_x(&ps, &t, semi, &off))
			continue;
		else if (t.kind != RECEIVED_TOK_SEMI)
			received_on_word(&ps, &t);
	}

	/* the date, and the TLS clauses written after it (IBM) */
	if (have_semi) {
		off = semi + 1;
		while (received_tok_next(p, len, &off, &t))
			if (t.kind == RECEIVED_TOK_COMMENT)
				received_on_comment(&ps, &t, false);
		start = semi + 1;
		for (;;) {
			while (start < len &&
			    ascii_isspace((unsigned char)p[start]))
				start++;
			if (start >= len || p[start] != '(')
				break;
			start = received_comment_end(p, len, start, &open);
		}
		end = len;
		while (end > start && ascii_isspace((unsigned char)p[end - 1]))
			end--;
		out->date = received_sl(p, start, end);
	}
	if (out->date.len > 0) {
		out->time = received_date_parse(out->date.p, out->date.len);
		if (out->time == -1)
			out->warnings |= RECEIVED_WARN_BAD_DATE;
	} else {
		out->warnings |= RECEIVED_WARN_NO_DATE;
	}
	received_finish(&ps);
	return 0;
}

/* ---- dates ---- */

struct received_dcur {
	const char *p;
	size_t i, len;
};

/* received_dskip - white space (folding included) and comments */
static void
received_dskip(struct received_dcur *d)
{
	bool open = false;

	for (;;) {
		while (
		    d->i < d->len && ascii_isspace((unsigned char)d->p[d->i]))
			d->i++;
		if (d->i >= d->len || d->p[d->i] != '(')
			return;
		d->i = received_comment_end(d->p, d->len, d->i, &open);
	}
}

/* received_dnum - 1..max digits: their value, and how many in *nd */
static bool
received_dnum(struct received_dcur *d, size_t max, int *v, size_t *nd)
{
	size_t n = 0;

	*v = 0;
	while (d->i < d->len && n < max &&
	    ascii_isdigit((unsigned char)d->p[d->i])) {
		*v = *v * 10 + (d->p[d->i] - '0');
		d->i++;
		n++;
	}
	if (nd != NULL)
		*nd = n;
	/* more digits than allowed is no number of ours */
	if (d->i < d->len && ascii_isdigit((unsigned char)d->p[d->i]))
		return false;
	return n > 0;
}

/* received_dword - the letters at the cursor, consumed: their length */
static size_t
received_dword(struct received_dcur *d, const char **w)
{
	size_t s = d->i;

	*w = d->p + s;
	while (d->i < d->len && ascii_isalpha((unsigned char)d->p[d->i]))
		d->i++;
	return d->i - s;
}

/* received_dname - index of a 3-letter prefix in names, or -1 */
static int
received_dname(const char *w, size_t n, const char *names)
{
	size_t i;

	if (n < 3)
		return -1;
	for (i = 0; names[i] != '\0'; i += 3)
		if (ascii_tolower((unsigned char)w[0]) == names[i] &&
		    ascii_tolower((unsigned char)w[1]) == names[i + 1] &&
		    ascii_tolower((unsigned char)w[2]) == names[i + 2])
			return (int)(i / 3);
	return -1;
}

static const char received_months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
static const char received_wdays[] = "montuewedthufrisatsun";

/* received_dmonth - a month name at the cursor: 1..12, or 0 */
static int
received_dmonth(struct received_dcur *d)
{
	const char *w;
	size_t n = received_dword(d, &w);

	return received_dname(w, n, received_months) + 1;
}

/* received_dtime - hh:mm[:ss[.frac]] */
static bool
received_dtime(struct received_dcur *d, int *h, int *mi, int *s)
{
	*s = 0;
	if (!received_dnum(d, 2, h, NULL) || d->i >= d->len ||
	    d->p[d->i] != ':')
		return false;
	d->i++;
	if (!received_dnum(d, 2, mi, NULL))
		return false;
	if (d->i < d->len && d->p[d->i] == ':') {
		d->i++;
		if (!received_dnum(d, 2, s, NULL))
			return false;
		if (d->i < d->len && d->p[d->i] == '.') {
			d->i++;
			while (d->i < d->len &&
			    ascii_isdigit((unsigned char)d->p[d->i]))
				d->i++;
		}
	}
	return *h <= 23 && *mi <= 59 && *s <= 60;
}

/* received_dzone_name - offset of an alphabetic zone in seconds */
static int
received_dzone_name(const char *w, size_t n)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = { { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };
	size_t i;

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (ascii_eq_nocase(w, n, zones[i].name))
			return zones[i].hours * 3600;
	/* military and unknown zones mean -0000 (RFC 5322 4.3) */
	return 0;
}

/*
 * received_dzone - "+hhmm", "-hh:mm", "+hh", an alphabetic zone, or none
 * (0); *ok false when a sign is not followed by a usable offset
 */
static int
received_dzone(struct received_dcur *d, bool *ok)
{
	const char *w;
	size_t n, nd;
	int sign, v, hh, mm = 0;

	*ok = true;
	received_dskip(d);
	if (d->i >= d->len)
		return 0;
	if (d->p[d->i] == '+' || d->p[d->i] == '-') {
		sign = d->p[d->i] == '-' ? -1 : 1;
		d->i++;
		if (!received_dnum(d, 4, &v, &nd) || (nd != 4 && nd != 2)) {
			*ok = false;
			return 0;
		}
		if (nd == 4) {
			hh = v / 100;
			mm = v % 100;
		} else {
			hh = v;
			if (d->i < d->len && d->p[d->i] == ':') {
				d->i++;
				if (!received_dnum(d, 2, &mm, &nd) || nd != 2) {
					*ok = false;
					return 0;
				}
			}
		}
		if (mm > 59) {
			*ok = false;
			return 0;
		}
		return sign * (hh * 3600 + mm * 60);
	}
	n = received_dword(d, &w);
	return n > 0 ? received_dzone_name(w, n) : 0;
}

/* received_days - days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static long long
received_days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
received_mdays(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* received_year - a 2- or 3-digit year as RFC 5322 4.3 reads it */
static int
received_year(int y, size_t nd)
{
	if (nd == 2)
		return y < 50 ? 2000 + y : 1900 + y;
	if (nd == 3)
		return 1900 + y;
	return y;
}

long long
received_date_parse(const char *p, size_t len)
{
	struct received_dcur d = { p, 0, len };
	const char *w;
	size_t n, nd, save;
	int y = 0, mo = 0, day = 0, h = 0, mi = 0, s = 0, zone = 0, v;
	bool ok = true;
	long long t;

	if (p == NULL)
		return -1;
	received_dskip(&d);
	/* a day name, with or without its comma */
	save = d.i;
	n = received_dword(&d, &w);
	if (received_dname(w, n, received_wdays) >= 0) {
		received_dskip(&d);
		if (d.i < d.len && d.p[d.i] == ',')
			d.i++;
		received_dskip(&d);
	} else {
		d.i = save;
	}
	if (d.i < d.len && ascii_isdigit((unsigned char)d.p[d.i])) {
		if (!received_dnum(&d, 4, &v, &nd))
			return -1;
		if (nd == 4 && d.i < d.len && d.p[d.i] == '-') {
			/* 2018-04-22 02:54:17 */
			y = v;
			d.i++;
			if (!received_dnum(&d, 2, &mo, NULL) || d.i >= d.len ||
			    d.p[d.i] != '-')
				return -1;
			d.i++;
			if (!received_dnum(&d, 2, &day, NULL))
				return -1;
			if (d.i < d.len && (d.p[d.i] == 'T' || d.p[d.i] == 't'))
				d.i++;
		} else {
			/* RFC 5322: day month year time zone */
			if (nd > 2)
				return -1;
			day = v;
			received_dskip(&d);
			mo = received_dmonth(&d);
			if (mo == 0)
				return -1;
			received_dskip(&d);
			if (!received_dnum(&d, 4, &y, &nd) || nd < 2)
				return -1;
			y = received_year(y, nd);
		}
		received_dskip(&d);
		if (!received_dtime(&d, &h, &mi, &s))
			return -1;
		zone = received_dzone(&d, &ok);
	} else {
		/* asctime: month day time [zone] year [zone] */
		mo = received_dmonth(&d);
		if (mo == 0)
			return -1;
		received_dskip(&d);
		if (!received_dnum(&d, 2, &day, NULL))
			return -1;
		received_dskip(&d);
		if (!received_dtime(&d, &h, &mi, &s))
			return -1;
		received_dskip(&d);
		n = received_dword(&d, &w);
		if (n > 0)
			zone = received_dzone_name(w, n);
		received_dskip(&d);
		if (!received_dnum(&d, 4, &y, &nd) || nd < 2)
			return -1;
		y = received_year(y, nd);
		if (n == 0)
			zone = received_dzone(&d, &ok);
	}
	if (!ok || mo < 1 || mo > 12 || day < 1 || day > received_mdays(y, mo))
		return -1;
	t = received_days(y, mo, day) * 86400LL + h * 3600LL + mi * 60LL + s -
	    zone;
	return t < 0 ? -1 : t;
}

size_t
received_unfold(const char *p, size_t len, char *out, size_t outsize)
{
	size_t i, n = 0;

	if (outsize == 0)
		return 0;
	for (i = 0; i < len && n + 1 < outsize; i++) {
		if (p[i] == '\r' && len - i > 2 && p[i + 1] == '\n' &&
		    (p[i + 2] == ' ' || p[i + 2] == '\t')) {
			i++;
			continue;
		}
		if (p[i] == '\n' && len - i > 1 &&
		    (p[i + 1] == ' ' || p[i + 1] == '\t'))
			continue;
		out[n++] = p[i];
	}
	out[n] = '\0';
	return n;
}
