/* SPDX-License-Identifier: ISC */
/*
 * dnsmsg - DNS wire-format message parser (RFC 1035 4.1), for the raw
 * answer packets that libunbound's ub_resolve_event() hands back.
 *
 * dnsmsg_parse() walks the header, the question and every resource record,
 * checking each length against the message; rdata is left in place (rdoff,
 * rdlen) and decoded on demand by the dnsmsg_rr_* helpers, which check the
 * record type. Names come out in presentation form: labels joined by '.',
 * no trailing dot, "." for the root, case kept as on the wire, and '.' and
 * '\' escaped as "\." and "\\", bytes outside 0x21..0x7e as \DDD (RFC 4343
 * 2.1). Compression pointers must point backwards (which also rules out
 * loops) and at most DNSMSG_MAXJUMPS of them are followed per name; labels
 * are at most 63 octets and names at most 255 octets in wire form.
 * Pure: no I/O, no globals, no allocation; nothing is read past len.
 * Errors are -1 with a struct perr (static message, offset in the message).
 */
#ifndef MX_PROTO_DNSMSG_H
#define MX_PROTO_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

#define DNSMSG_NAMEMAX  1025 /* presentation form incl. escapes, NUL */
#define DNSMSG_MAXRR    512
#define DNSMSG_MAXJUMPS 128 /* compression pointers followed per name */

/* record types the helpers know */
#define DNSMSG_TYPE_A     1
#define DNSMSG_TYPE_NS    2
#define DNSMSG_TYPE_CNAME 5
#define DNSMSG_TYPE_PTR   12
#define DNSMSG_TYPE_MX    15
#define DNSMSG_TYPE_TXT   16
#define DNSMSG_TYPE_AAAA  28
#define DNSMSG_TYPE_DNAME 39
#define DNSMSG_TYPE_OPT   41
#define DNSMSG_TYPE_SPF   99

struct dnsmsg_rr {
	char name[DNSMSG_NAMEMAX]; /* owner, presentation form */
	uint16_t type, rclass;
	uint32_t ttl;        /* seconds */
	size_t rdoff, rdlen; /* rdata within the message, bytes */
	int section;         /* 1 answer, 2 authority, 3 additional */
};

/*
 * Big (about 530 KB): heap-allocate it. Only the fields below and
 * rr[0 .. nrr-1] are written; after a -1 return the contents are undefined.
 */
struct dnsmsg {
	uint16_t id, flags;
	int opcode; /* header opcode (0..15) */
	int rcode;  /* header rcode (0..15) */
	bool qr, aa, tc, rd, ra, ad, cd;
	uint16_t qdcount, ancount, nscount, arcount;
	char qname[DNSMSG_NAMEMAX]; /* first question, "" when qdcount is 0 */
	uint16_t qtype, qclass;     /* first question, 0 when qdcount is 0 */
	/* answer, authority, additional RRs in order */
	struct dnsmsg_rr rr[DNSMSG_MAXRR];
	size_t nrr;
	/* more RRs than DNSMSG_MAXRR: kept the first ones, the rest unchecked */
	bool truncated_rrs;
};

/*
 * dnsmsg_parse - parse the message p[0..len). Every question is checked
 * (the first one is kept), then every RR up to DNSMSG_MAXRR. Bytes after
 * the last RR are ignored. Errors: "truncated message", "truncated rdata"
 * and the name errors of dnsmsg_name().
 */
int dnsmsg_parse(
    const uint8_t *p, size_t len, struct dnsmsg *out, struct perr *err);

/*
 * dnsmsg_name - decode a possibly-compressed name at *off into out
 * (NUL-terminated, presentation form) and advance *off past it (past the
 * first pointer when compressed). *off is unchanged on error. Errors:
 * "truncated name", "forward compression pointer", "too many compression
 * pointers", "bad label type" (a length byte 0x40..0xbf, i.e. > 63),
 * "name too long" (> 255 octets), "name buffer too small".
 */
int dnsmsg_name(const uint8_t *msg, size_t msglen, size_t *off, char *out,
    size_t outsize, struct perr *err);

/*
 * The rdata helpers take the message and an RR from dnsmsg_parse() (rdoff
 * and rdlen are checked again against msglen). Names inside rdata may be
 * compressed but must end within the rdata; trailing rdata bytes are
 * ignored. Common errors: "rdata outside message", "wrong record type".
 */

/* dnsmsg_rr_mx - MX preference and exchange; the null MX (RFC 7505) gives
 * "."; errors also "short mx rdata" */
int dnsmsg_rr_mx(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    uint16_t *pref, char *host, size_t hostsize, struct perr *err);

/* dnsmsg_rr_addr - A or AAAA in inet_ntop form; *family is AF_INET or
 * AF_INET6; errors also "bad address length", "address buffer too small" */
int dnsmsg_rr_addr(const uint8_t *msg, size_t msglen,
    const struct dnsmsg_rr *rr, int *family, char *ip, size_t ipsize,
    struct perr *err);

/* dnsmsg_rr_cname - the target name of a CNAME (also NS, PTR and DNAME,
 * whose rdata is one name too) */
int dnsmsg_rr_cname(const uint8_t *msg, size_t msglen,
    const struct dnsmsg_rr *rr, char *out, size_t outsize, struct perr *err);

/*
 * dnsmsg_rr_txt - TXT (or SPF type 99): the character-strings concatenated
 * without separators (RFC 7208 3.3); the byte count goes to *outlen and out
 * is also NUL-terminated, so it needs outsize > that count (65536 always
 * suffices). NULs are copied as they are. Errors also "truncated
 * character-string", "txt buffer too small".
 */
int dnsmsg_rr_txt(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    char *out, size_t outsize, size_t *outlen, struct perr *err);

#endif
