/* SPDX-License-Identifier: ISC */
/*
 * spf - one SPF record (RFC 7208): parser, macro expansion, record
 * selection, and the address helpers the evaluator (proto/spf_eval) needs.
 *
 * Pure: no I/O, no globals, no allocation. The parser fills a fixed-size
 * struct spf_record whose slices point into the input; nothing is read
 * past len and no NUL is needed. Syntax follows the ABNF of RFC 7208 12
 * strictly, because RFC 7208 4.6 makes any syntax error anywhere in a
 * record a permerror: terms are separated by SP only, mechanism and
 * modifier names compare case-insensitively, a domain-spec must end in a
 * macro or in "." and a top label, CIDR lengths have no leading zeros.
 * What is legal but unwise (ptr, +all, terms after all, a redirect that all
 * makes dead) comes back as warning bits.
 */
#ifndef MX_PROTO_SPF_H
#define MX_PROTO_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

#define SPF_MAX_RECORD 65535 /* bytes of a record (a TXT RDATA's maximum) */
#define SPF_MAX_TERMS  128   /* terms per record */
#define SPF_DOMAIN_MAX 253   /* expanded domain names (RFC 7208 7.3) */
/* output size spf_macro_expand needs for a domain-spec (name + NUL) */
#define SPF_DOMAIN_BUF 1024
#define SPF_EXP_MAX    4096 /* expanded explanation text, bytes */

enum spf_qualifier {
	SPF_QUAL_PASS = 0, /* "+" or none */
	SPF_QUAL_FAIL,     /* "-" */
	SPF_QUAL_SOFTFAIL, /* "~" */
	SPF_QUAL_NEUTRAL,  /* "?" */
};

enum spf_mech {
	SPF_MECH_ALL = 0,
	SPF_MECH_INCLUDE,
	SPF_MECH_A,
	SPF_MECH_MX,
	SPF_MECH_PTR,
	SPF_MECH_IP4,
	SPF_MECH_IP6,
	SPF_MECH_EXISTS,
	SPF_MECH_MAX
};

enum spf_term_kind {
	SPF_TERM_MECH = 0, /* a directive: [qualifier] mechanism */
	SPF_TERM_REDIRECT, /* redirect=domain-spec */
	SPF_TERM_EXP,      /* exp=domain-spec */
	SPF_TERM_MODIFIER, /* any other name=macro-string (kept, unused) */
};

/* bits of struct spf_record.warnings: legal, but worth a report line */
enum spf_warn {
	SPF_WARN_PTR = 1 << 0,           /* "ptr" (RFC 7208 5.5: SHOULD NOT) */
	SPF_WARN_PASS_ALL = 1 << 1,      /* "+all" or "all": anyone may send */
	SPF_WARN_AFTER_ALL = 1 << 2,     /* mechanisms after "all": dead */
	SPF_WARN_DEAD_REDIRECT = 1 << 3, /* redirect= with "all": ignored */
	SPF_WARN_UNKNOWN_MOD = 1 << 4,   /* an unknown modifier */
	SPF_WARN_LOOKUPS = 1 << 5,       /* > 10 DNS terms in this record */
};

/* a piece of the record (borrowed); len 0 may still point into it */
struct spf_slice {
	const char *p;
	size_t len;
};

struct spf_term {
	enum spf_term_kind kind;
	enum spf_mech mech;      /* SPF_TERM_MECH only */
	enum spf_qualifier qual; /* SPF_TERM_MECH only; PASS when not written */
	size_t off;              /* offset of the term in the record */
	struct spf_slice text;   /* borrowed: the term as written */
	struct spf_slice name;   /* borrowed: mechanism or modifier name */
	/*
	 * borrowed: the domain-spec of a mechanism (without its CIDR
	 * lengths) or of redirect/exp, or the unknown modifier's value;
	 * p is NULL when the mechanism has none ("a", "mx", "ptr")
	 */
	struct spf_slice value;
	int cidr4;       /* a, mx, ip4: prefix length, -1 when not written */
	int cidr6;       /* a, mx, ip6: prefix length, -1 when not written */
	uint8_t net[16]; /* ip4: 4 bytes, ip6: 16 bytes, network order */
};

struct spf_record {
	struct spf_term terms[SPF_MAX_TERMS];
	size_t nterms;
	int redirect;          /* index of the redirect modifier, -1 */
	int exp;               /* index of the exp modifier, -1 */
	int all;               /* index of the first all mechanism, -1 */
	size_t ndns;           /* include a mx ptr exists terms, + redirect */
	unsigned int warnings; /* enum spf_warn bits */
};

/*
 * spf_is_record - (p, len) starts with "v=spf1" (any case) followed by SP
 * or the end (RFC 7208 4.5)
 */
bool spf_is_record(const char *p, size_t len);

/*
 * spf_select - the v=spf1 records of a TXT RRset (rr[i], len[i]): returns
 * how many there are (0: none; more than 1: permerror, RFC 7208 4.5) and
 * sets *first to the index of the first one (when the count is not 0).
 */
size_t spf_select(
    const char *const *rr, const size_t *len, size_t n, size_t *first);

/*
 * spf_parse - parse one record, "v=spf1" included. Fills *out (slices
 * borrowed from p). Returns 0, or -1 with err set (offset into p):
 * "record too long", "not an spf1 record", "too many terms", "unknown
 * mechanism", "all takes no argument", "unexpected text after mechanism",
 * "missing domain-spec", "missing ip network", "invalid cidr length",
 * "invalid ip4 network",
 * "invalid ip6 network", "duplicate redirect modifier", "duplicate exp
 * modifier", and the macro errors of spf_macro_check. *out is then
 * unspecified.
 */
int spf_parse(
    const char *p, size_t len, struct spf_record *out, struct perr *err);

/* bits for spf_macro_check and spf_macro_expand */
enum spf_macro_flags {
	SPF_MACRO_DOMAIN = 1 << 0, /* a domain-spec: needs a domain-end;
				      expansion strips one trailing dot and
				      truncates to 253 (RFC 7208 7.3) */
	SPF_MACRO_EXP = 1 << 1,    /* explanation text: SP and the letters
				      c, r, t are allowed */
};

/*
 * spf_macro_check - syntax of a macro-string (RFC 7208 7.1). Errors:
 * "invalid character", "invalid macro" (a % not followed by {, %, _, -),
 * "unknown macro letter", "macro letter only allowed in exp text",
 * "zero digit transformer", "unterminated macro", "empty domain-spec" and
 * "invalid domain-end" (SPF_MACRO_DOMAIN).
 */
int spf_macro_check(
    const char *p, size_t len, unsigned int flags, struct perr *err);

/* spf_macro_uses - the macro-string (p, len) uses letter (either case) */
bool spf_macro_uses(const char *p, size_t len, int letter);

/* an address; IPv4-mapped IPv6 addresses are IPv4 (RFC 7208 5) */
struct spf_ip {
	int family;       /* 4 or 6 */
	uint8_t addr[16]; /* 4 or 16 bytes, network order */
};

/* spf_ip_parse - IPv4 or IPv6 text (no brackets, no zone); 0 or -1 */
int spf_ip_parse(const char *p, size_t len, struct spf_ip *out);

/* spf_ip_match - ip lies in net/cidr of the given family (4 or 6) */
bool spf_ip_match(
    const struct spf_ip *ip, int family, const uint8_t *net, int cidr);

/*
 * spf_ip_reverse - the PTR query name of ip ("4.3.2.1.in-addr.arpa",
 * nibbles ".ip6.arpa"); out needs 74 bytes. Returns the length.
 */
size_t spf_ip_reverse(const struct spf_ip *ip, char *out, size_t outsize);

/* what the macro letters expand to */
struct spf_macro_ctx {
	const char *sender;        /* borrowed: s, <sender> "local@domain" */
	const char *local;         /* borrowed: l, local-part of <sender> */
	const char *sender_domain; /* borrowed: o, domain of <sender> */
	const char *domain;        /* borrowed: d, <domain> of the record */
	const struct spf_ip *ip;   /* borrowed: i, c, v, the client */
	const char *helo;          /* borrowed: h, HELO/EHLO domain */
	const char *validated;     /* borrowed: p, NULL: "unknown" */
	const char *receiver;      /* borrowed: r, NULL: "unknown" */
	long long now;             /* t: seconds since the epoch */
};

/*
 * spf_macro_expand - expand a macro-string (checked as by
 * spf_macro_check with the same flags) into out, NUL-terminated, length in
 * *outlen. Upper-case letters URL-escape their value (RFC 7208 7.3).
 * With SPF_MACRO_DOMAIN, outsize must be at least SPF_DOMAIN_BUF: the
 * result loses one trailing dot, then whole labels from the left until it
 * is at most 253 bytes (an expansion longer than out keeps its right end);
 * it may come out empty. Otherwise a result that does not fit in outsize
 * is the error "expansion too long". Returns 0 or -1 and *err.
 */
int spf_macro_expand(const char *p, size_t len, const struct spf_macro_ctx *ctx,
    unsigned int flags, char *out, size_t outsize, size_t *outlen,
    struct perr *err);

/*
 * spf_name_valid - (p, len), after one trailing dot is dropped, is a name
 * a DNS query can carry: 1..253 bytes, labels 1..63 bytes; with fqdn, at
 * least two labels and no "[" literal (RFC 7208 4.3)
 */
bool spf_name_valid(const char *p, size_t len, bool fqdn);

/* spf_mech_name - "all", "include", ... (static) */
const char *spf_mech_name(enum spf_mech m);
/* spf_qualifier_char - '+', '-', '~', '?' */
int spf_qualifier_char(enum spf_qualifier q);

#endif
