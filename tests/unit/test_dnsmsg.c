/* SPDX-License-Identifier: ISC */
/* test_dnsmsg - DNS wire-format parser: messages, names, rdata helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pkt.h"

#include "proto/dnsmsg.h"

/* putname - dotted name, uncompressed; returns its offset */
static size_t
putname(struct pkt *p, const char *name)
{
	size_t off = p->n;
	const char *dot;
	size_t l;

	while (*name != '\0') {
		dot = strchr(name, '.');
		l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		put8(p, (unsigned int)l);
		putbytes(p, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
	put8(p, 0);
	return off;
}

static void
putptr(struct pkt *p, size_t off)
{
	put16(p, 0xc000 | (unsigned int)off);
}

static void
header(struct pkt *p, unsigned int id, unsigned int flags, unsigned int qd,
    unsigned int an, unsigned int ns, unsigned int ar)
{
	p->n = 0;
	put16(p, id);
	put16(p, flags);
	put16(p, qd);
	put16(p, an);
	put16(p, ns);
	put16(p, ar);
}

/* rrhead - owner already written: type, class, ttl, rdlength */
static void
rrhead(struct pkt *p, unsigned int type, unsigned int cls, uint32_t ttl,
    unsigned int rdlen)
{
	put16(p, type);
	put16(p, cls);
	put32(p, ttl);
	put16(p, rdlen);
}

/*
 * build_full - example.com MX answer with MX, A, AAAA, CNAME, TXT, an NS in
 * authority and an OPT in additional, all names compressed.
 */
static void
build_full(struct pkt *p)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	static const uint8_t aaaa[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 1 };
	size_t qname, mx1;

	header(p, 0x1234, 0x8180, 1, 5, 1, 1);
	qname = putname(p, "example.com");
	put16(p, DNSMSG_TYPE_MX);
	put16(p, 1);
	/* MX 10 mx1.example.com */
	putptr(p, qname);
	rrhead(p, DNSMSG_TYPE_MX, 1, 3600, 2 + 4 + 2);
	put16(p, 10);
	mx1 = p->n;
	put8(p, 3);
	putbytes(p, "mx1", 3);
	putptr(p, qname);
	/* mx1 A, AAAA */
	putptr(p, mx1);
	rrhead(p, DNSMSG_TYPE_A, 1, 300, 4);
	putbytes(p, a, 4);
	putptr(p, mx1);
	rrhead(p, DNSMSG_TYPE_AAAA, 1, 300, 16);
	putbytes(p, aaaa, 16);
	/* www CNAME mx1 */
	put8(p, 3);
	putbytes(p, "www", 3);
	putptr(p, qname);
	rrhead(p, DNSMSG_TYPE_CNAME, 1, 60, 2);
	putptr(p, mx1);
	/* TXT "v=spf1 " "-all" */
	putptr(p, qname);
	rrhead(p, DNSMSG_TYPE_TXT, 1, 0xffffffff, 13);
	putbytes(p, "\7v=spf1 \4-all", 13);
	/* authority: NS ns1 */
	putptr(p, qname);
	rrhead(p, DNSMSG_TYPE_NS, 1, 86400, 6);
	put8(p, 3);
	putbytes(p, "ns1", 3);
	putptr(p, qname);
	/* additional: OPT, 1232-byte payload, DO */
	put8(p, 0);
	rrhead(p, DNSMSG_TYPE_OPT, 1232, 0x8000, 0);
}

static struct dnsmsg *
newmsg(void)
{
	struct dnsmsg *m = malloc(sizeof(*m));

	assert_non_null(m);
	return m;
}

static void
test_dnsmsg_full(void **state)
{
	struct pkt p;
	struct dnsmsg *m = newmsg();
	struct perr err;
	char name[DNSMSG_NAMEMAX], txt[256];
	uint16_t pref;
	int family;
	size_t tlen;
	static const struct {
		const char *name;
		uint16_t type;
		uint32_t ttl;
		int section;
	} want[] = {
		{ "example.com", DNSMSG_TYPE_MX, 3600, 1 },
		{ "mx1.example.com", DNSMSG_TYPE_A, 300, 1 },
		{ "mx1.example.com", DNSMSG_TYPE_AAAA, 300, 1 },
		{ "www.example.com", DNSMSG_TYPE_CNAME, 60, 1 },
		{ "example.com", DNSMSG_TYPE_TXT, 0xffffffff, 1 },
		{ "example.com", DNSMSG_TYPE_NS, 86400, 2 },
		{ ".", DNSMSG_TYPE_OPT, 0x8000, 3 },
	};
	size_t i;

	(void)state;
	build_full(&p);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(m->id, 0x1234);
	assert_int_equal(m->flags, 0x8180);
	assert_true(m->qr && m->rd && m->ra);
	assert_false(m->aa || m->tc || m->ad || m->cd);
	assert_int_equal(m->rcode, 0);
	assert_int_equal(m->opcode, 0);
	assert_int_equal(m->qdcount, 1);
	assert_int_equal(m->ancount, 5);
	assert_int_equal(m->nscount, 1);
	assert_int_equal(m->arcount, 1);
	assert_string_equal(m->qname, "example.com");
	assert_int_equal(m->qtype, DNSMSG_TYPE_MX);
	assert_int_equal(m->qclass, 1);
	assert_int_equal(m->nrr, 7);
	assert_false(m->truncated_rrs);
	for (i = 0; i < 7; i++) {
		assert_string_equal(m->rr[i].name, want[i].name);
		assert_int_equal(m->rr[i].type, want[i].type);
		assert_true(m->rr[i].ttl == want[i].ttl);
		assert_int_equal(m->rr[i].section, want[i].section);
		assert_true(m->rr[i].rdoff + m->rr[i].rdlen <= p.n);
	}
	assert_int_equal(m->rr[6].rclass, 1232);
	assert_int_equal(m->rr[6].rdlen, 0);
	assert_int_equal(m->rr[6].rdoff, p.n);

	assert_int_equal(
	    dnsmsg_rr_mx(p.b, p.n, &m->rr[0], &pref, name, sizeof(name), &err),
	    0);
	assert_int_equal(pref, 10);
	assert_string_equal(name, "mx1.example.com");
	assert_int_equal(dnsmsg_rr_addr(p.b, p.n, &m->rr[1], &family, name,
	                     sizeof(name), &err),
	    0);
	assert_int_equal(family, AF_INET);
	assert_string_equal(name, "192.0.2.1");
	assert_int_equal(dnsmsg_rr_addr(p.b, p.n, &m->rr[2], &family, name,
	                     sizeof(name), &err),
	    0);
	assert_int_equal(family, AF_INET6);
	assert_string_equal(name, "2001:db8::1");
	assert_int_equal(
	    dnsmsg_rr_cname(p.b, p.n, &m->rr[3], name, sizeof(name), &err), 0);
	assert_string_equal(name, "mx1.example.com");
	assert_int_equal(
	    dnsmsg_rr_txt(p.b, p.n, &m->rr[4], txt, sizeof(txt), &tlen, &err),
	    0);
	assert_int_equal(tlen, 11);
	assert_string_equal(txt, "v=spf1 -all");
	assert_int_equal(
	    dnsmsg_rr_cname(p.b, p.n, &m->rr[5], name, sizeof(name), &err), 0);
	assert_string_equal(name, "ns1.example.com");

	/* each helper refuses the other types */
	for (i = 0; i < 7; i++) {
		if (m->rr[i].type != DNSMSG_TYPE_MX) {
			assert_int_equal(dnsmsg_rr_mx(p.b, p.n, &m->rr[i],
			                     &pref, name, sizeof(name), &err),
			    -1);
			assert_string_equal(err.msg, "wrong record type");
		}
		if (m->rr[i].type != DNSMSG_TYPE_A &&
		    m->rr[i].type != DNSMSG_TYPE_AAAA)
			assert_int_equal(dnsmsg_rr_addr(p.b, p.n, &m->rr[i],
			                     &family, name, sizeof(name), &err),
			    -1);
		if (m->rr[i].type != DNSMSG_TYPE_CNAME &&
		    m->rr[i].type != DNSMSG_TYPE_NS)
			assert_int_equal(dnsmsg_rr_cname(p.b, p.n, &m->rr[i],
			                     name, sizeof(name), &err),
			    -1);
		if (m->rr[i].type != DNSMSG_TYPE_TXT)
			assert_int_equal(dnsmsg_rr_txt(p.b, p.n, &m->rr[i], txt,
			                     sizeof(txt), &tlen, &err),
			    -1);
	}
	free(m);
}

/* every strict prefix of a valid message fails cleanly, in its own buffer */
static void
test_dnsmsg_every_prefix(void **state)
{
	struct pkt p;
	struct dnsmsg *m = newmsg();
	struct perr err;
	uint8_t *copy;
	size_t n;

	(void)state;
	build_full(&p);
	for (n = 0; n <= p.n; n++) {
		/* exactly n bytes on the heap: ASan sees any over-read */
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, p.b, n);
		err.msg = NULL;
		if (n < p.n) {
			assert_int_equal(dnsmsg_parse(copy, n, m, &err), -1);
			assert_non_null(err.msg);
			assert_true(err.off <= n);
		} else {
			assert_int_equal(dnsmsg_parse(copy, n, m, &err), 0);
			assert_int_equal(m->nrr, 7);
		}
		free(copy);
	}
	/* trailing bytes after the last RR are ignored */
	put32(&p, 0xdeadbeef);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(m->nrr, 7);
	free(m);
}

static void
test_dnsmsg_flags(void **state)
{
	static const struct {
		uint16_t flags;
		bool qr, aa, tc, rd, ra, ad, cd;
		int opcode, rcode;
	} t[] = {
		{ 0x0000, false, false, false, false, false, false, false, 0,
		    0 },
		{ 0x8180, true, false, false, true, true, false, false, 0, 0 },
		{ 0x8183, true, false, false, true, true, false, false, 0, 3 },
		{ 0x8582, true, true, false, true, true, false, false, 0, 2 },
		{ 0x83a0, true, false, true, true, true, true, false, 0, 0 },
		{ 0x8190, true, false, false, true, true, false, true, 0, 0 },
		{ 0x2800, false, false, false, false, false, false, false, 5,
		    0 },
		{ 0xffff, true, true, true, true, true, true, true, 15, 15 },
	};
	struct dnsmsg *m = newmsg();
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		header(&p, 7, t[i].flags, 0, 0, 0, 0);
		assert_int_equal(dnsmsg_parse(p.b, p.n, m, NULL), 0);
		assert_int_equal(m->flags, t[i].flags);
		assert_int_equal(m->qr, t[i].qr);
		assert_int_equal(m->aa, t[i].aa);
		assert_int_equal(m->tc, t[i].tc);
		assert_int_equal(m->rd, t[i].rd);
		assert_int_equal(m->ra, t[i].ra);
		assert_int_equal(m->ad, t[i].ad);
		assert_int_equal(m->cd, t[i].cd);
		assert_int_equal(m->opcode, t[i].opcode);
		assert_int_equal(m->rcode, t[i].rcode);
		assert_string_equal(m->qname, "");
		assert_int_equal(m->nrr, 0);
	}
	free(m);
}

struct name_case {
	const char *name;
	const char *msg; /* wire bytes */
	size_t len;
	size_t start;
	const char *want; /* presentation form, or NULL for an error */
	size_t end;       /* *off afterwards */
	const char *error;
};

#define W(s) s, sizeof(s) - 1

static const struct name_case name_cases[] = {
	{ "plain", W("\3www\7example\3com\0"), 0, "www.example.com", 17, NULL },
	{ "root", W("\0"), 0, ".", 1, NULL },
	{ "case kept", W("\3WwW\2Ex\0"), 0, "WwW.Ex", 8, NULL },
	{ "escapes",
	    W("\x09"
	      "a.b\\c \0\xff"
	      "A\0"),
	    0, "a\\.b\\\\c\\032\\000\\255A", 11, NULL },
	{ "tilde and bang kept", W("\2!~\0"), 0, "!~", 4, NULL },
	{ "del escaped", W("\1\x7f\0"), 0, "\\127", 3, NULL },
	{ "pointer", W("\3com\0\7example\xc0\x00"), 5, "example.com", 15,
	    NULL },
	{ "pointer to root", W("\0\xc0\x00"), 1, ".", 3, NULL },
	{ "pointer chain", W("\3com\0\xc0\x00\3www\xc0\x05"), 7, "www.com", 13,
	    NULL },
	{ "bytes after the name", W("\1a\0\xff\xff"), 0, "a", 3, NULL },
	{ "self pointer", W("\xc0\x00"), 0, NULL, 0,
	    "forward compression pointer" },
	{ "forward pointer", W("\xc0\x02\3com\0"), 0, NULL, 0,
	    "forward compression pointer" },
	{ "pointer pair", W("\xc0\x02\xc0\x00"), 2, NULL, 0,
	    "forward compression pointer" },
	{ "label then pointer loop", W("\1a\xc0\x00"), 0, NULL, 0,
	    "name too long" },
	{ "label 64",
	    W("\x40"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0"),
	    0, NULL, 0, "bad label type" },
	{ "label type 0x80", W("\x80\0"), 0, NULL, 0, "bad label type" },
	{ "truncated label", W("\3co"), 0, NULL, 0, "truncated name" },
	{ "missing root", W("\3com"), 0, NULL, 0, "truncated name" },
	{ "half pointer", W("\1a\xc0"), 0, NULL, 0, "truncated name" },
	{ "empty", W(""), 0, NULL, 0, "truncated name" },
	{ "start past end", W("\0"), 5, NULL, 0, "truncated name" },
};

static void
test_dnsmsg_name_table(void **state)
{
	char out[DNSMSG_NAMEMAX];
	struct perr err;
	uint8_t *copy;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *t = &name_cases[i];

		print_message("case: %s\n", t->name);
		copy = malloc(t->len ? t->len : 1);
		assert_non_null(copy);
		memcpy(copy, t->msg, t->len);
		off = t->start;
		err.msg = NULL;
		if (t->want != NULL) {
			assert_int_equal(dnsmsg_name(copy, t->len, &off, out,
			                     sizeof(out), &err),
			    0);
			assert_string_equal(out, t->want);
			assert_int_equal(off, t->end);
		} else {
			assert_int_equal(dnsmsg_name(copy, t->len, &off, out,
			                     sizeof(out), &err),
			    -1);
			assert_string_equal(err.msg, t->error);
			assert_int_equal(off, t->start);
		}
		free(copy);
	}
}

/* name_of - n labels of the given lengths filled with c, then the root */
static size_t
name_of(uint8_t *b, const size_t *labels, size_t n, uint8_t c)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		b[o++] = (uint8_t)labels[i];
		memset(b + o, c, labels[i]);
		o += labels[i];
	}
	b[o++] = 0;
	return o;
}

static void
test_dnsmsg_name_limits(void **state)
{
	static const size_t l255[] = { 63, 63, 63, 61 };
	static const size_t l256[] = { 63, 63, 63, 62 };
	static const size_t l257[] = { 63, 63, 63, 63 };
	uint8_t b[600];
	char out[DNSMSG_NAMEMAX];
	struct perr err;
	size_t n, off, i;

	(void)state;
	/* 255 octets in wire form is the maximum */
	n = name_of(b, l255, 4, 'a');
	assert_int_equal(n, 255);
	off = 0;
	assert_int_equal(dnsmsg_name(b, n, &off, out, sizeof(out), &err), 0);
	assert_int_equal(strlen(out), 253);
	assert_int_equal(off, 255);
	n = name_of(b, l256, 4, 'a');
	off = 0;
	assert_int_equal(dnsmsg_name(b, n, &off, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "name too long");
	n = name_of(b, l257, 4, 'a');
	off = 0;
	assert_int_equal(dnsmsg_name(b, n, &off, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "name too long");

	/* the longest presentation form fits DNSMSG_NAMEMAX */
	n = name_of(b, l255, 4, 0xff);
	off = 0;
	assert_int_equal(dnsmsg_name(b, n, &off, out, sizeof(out), &err), 0);
	assert_int_equal(strlen(out), 250 * 4 + 3);

	/* 255 octets reached through a pointer: 64 + 191 */
	n = name_of(b, l255 + 1, 3, 'b');
	assert_int_equal(n, 191);
	b[n] = 63;
	memset(b + n + 1, 'c', 63);
	b[n + 64] = 0xc0;
	b[n + 65] = 0;
	off = n;
	assert_int_equal(
	    dnsmsg_name(b, n + 66, &off, out, sizeof(out), &err), 0);
	assert_int_equal(off, n + 66);
	assert_int_equal(strlen(out), 253);
	/* 256 octets: 64 + 192 */
	n = name_of(b, l256 + 1, 3, 'b');
	assert_int_equal(n, 192);
	b[n] = 63;
	memset(b + n + 1, 'c', 63);
	b[n + 64] = 0xc0;
	b[n + 65] = 0;
	off = n;
	assert_int_equal(
	    dnsmsg_name(b, n + 66, &off, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "name too long");

	/* a chain of pointers, each two bytes further back */
	b[0] = 0;
	for (i = 0; i < 200; i++) {
		b[1 + 2 * i] = 0xc0;
		b[2 + 2 * i] = (uint8_t)(i == 0 ? 0 : 2 * i - 1);
	}
	off = 1 + 2 * (DNSMSG_MAXJUMPS - 1);
	assert_int_equal(dnsmsg_name(b, 401, &off, out, sizeof(out), &err), 0);
	assert_string_equal(out, ".");
	assert_int_equal(off, 1 + 2 * DNSMSG_MAXJUMPS);
	off = 1 + 2 * DNSMSG_MAXJUMPS;
	assert_int_equal(dnsmsg_name(b, 401, &off, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "too many compression pointers");
}

static void
test_dnsmsg_name_outsize(void **state)
{
	static const uint8_t www[] = "\3www\7example\3com";
	static const uint8_t esc[] = "\1\x01";
	static const struct {
		const uint8_t *msg;
		size_t len;
		size_t outsize;
		int rc;
	} t[] = {
		{ www, sizeof(www), 16, 0 },
		{ www, sizeof(www), 15, -1 },
		{ www, sizeof(www), 4, -1 },
		{ www, sizeof(www), 3, -1 },
		{ (const uint8_t *)"", 1, 2, 0 },
		{ (const uint8_t *)"", 1, 1, -1 },
		{ (const uint8_t *)"", 1, 0, -1 },
		{ esc, sizeof(esc), 5, 0 },
		{ esc, sizeof(esc), 4, -1 },
	};
	char out[32];
	struct perr err;
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		off = 0;
		memset(out, 'Z', sizeof(out));
		assert_int_equal(dnsmsg_name(t[i].msg, t[i].len, &off, out,
		                     t[i].outsize, &err),
		    t[i].rc);
		if (t[i].rc == -1) {
			assert_string_equal(err.msg, "name buffer too small");
			assert_int_equal(off, 0);
		}
		/* nothing written past outsize */
		assert_int_equal(out[t[i].outsize], 'Z');
	}
}

/* one_rr - a response with one answer RR whose rdata is given */
static void
one_rr(struct pkt *p, unsigned int type, const void *rd, size_t rdlen)
{
	size_t q;

	header(p, 1, 0x8180, 1, 1, 0, 0);
	q = putname(p, "example.org");
	put16(p, type);
	put16(p, 1);
	putptr(p, q);
	rrhead(p, type, 1, 60, (unsigned int)rdlen);
	putbytes(p, rd, rdlen);
}

struct rr_case {
	const char *name;
	unsigned int type;
	const char *rd;
	size_t rdlen;
	int rc;
	const char *want; /* host / ip / name / txt (memcmp'ed by length) */
	size_t wantlen;
	const char *error;
};

static const struct rr_case rr_cases[] = {
	{ "null mx", DNSMSG_TYPE_MX, W("\0\0\0"), 0, ".", 1, NULL },
	{ "mx compressed to the qname", DNSMSG_TYPE_MX, W("\0\5\xc0\x0c"), 0,
	    "example.org", 11, NULL },
	{ "mx uncompressed", DNSMSG_TYPE_MX, W("\xff\xff\2mx\0"), 0, "mx", 2,
	    NULL },
	{ "mx trailing rdata ignored", DNSMSG_TYPE_MX, W("\0\1\0\xaa"), 0, ".",
	    1, NULL },
	{ "mx short", DNSMSG_TYPE_MX, W("\0\1"), -1, NULL, 0,
	    "short mx rdata" },
	{ "mx name runs past rdata", DNSMSG_TYPE_MX, W("\0\1\4mx"), -1, NULL, 0,
	    "truncated name" },
	{ "mx pointer into itself", DNSMSG_TYPE_MX, W("\0\1\xc0\x2b"), -1, NULL,
	    0, "forward compression pointer" },
	{ "a", DNSMSG_TYPE_A, W("\x0a\0\0\x01"), 0, "10.0.0.1", 8, NULL },
	{ "a too long", DNSMSG_TYPE_A, W("\x0a\0\0\x01\x02"), -1, NULL, 0,
	    "bad address length" },
	{ "a too short", DNSMSG_TYPE_A, W("\x0a\0\0"), -1, NULL, 0,
	    "bad address length" },
	{ "aaaa v4-mapped", DNSMSG_TYPE_AAAA,
	    W("\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\2\1"), 0, "::ffff:192.0.2.1",
	    16, NULL },
	{ "aaaa short", DNSMSG_TYPE_AAAA, W("\x20\x01"), -1, NULL, 0,
	    "bad address length" },
	{ "cname", DNSMSG_TYPE_CNAME, W("\3foo\xc0\x0c"), 0, "foo.example.org",
	    15, NULL },
	{ "cname empty rdata", DNSMSG_TYPE_CNAME, W(""), -1, NULL, 0,
	    "truncated name" },
	{ "ptr", DNSMSG_TYPE_PTR, W("\1h\0"), 0, "h", 1, NULL },
	{ "txt one string", DNSMSG_TYPE_TXT, W("\5hello"), 0, "hello", 5,
	    NULL },
	{ "txt joined without space", DNSMSG_TYPE_TXT, W("\3abc\0\3def"), 0,
	    "abcdef", 6, NULL },
	{ "txt with nul", DNSMSG_TYPE_TXT, W("\3a\0b"), 0, "a\0b", 3, NULL },
	{ "txt empty rdata", DNSMSG_TYPE_TXT, W(""), 0, "", 0, NULL },
	{ "txt empty string", DNSMSG_TYPE_TXT, W("\0"), 0, "", 0, NULL },
	{ "txt string past rdata", DNSMSG_TYPE_TXT, W("\3ab"), -1, NULL, 0,
	    "truncated character-string" },
	{ "txt second string past rdata", DNSMSG_TYPE_TXT, W("\1a\5b"), -1,
	    NULL, 0, "truncated character-string" },
	{ "spf type", DNSMSG_TYPE_SPF, W("\6v=spf1"), 0, "v=spf1", 6, NULL },
};

static void
test_dnsmsg_rr_table(void **state)
{
	struct dnsmsg *m = newmsg();
	struct pkt p;
	struct perr err;
	char out[DNSMSG_NAMEMAX];
	uint16_t pref;
	size_t i, olen;
	int rc, family;

	(void)state;
	for (i = 0; i < sizeof(rr_cases) / sizeof(rr_cases[0]); i++) {
		const struct rr_case *t = &rr_cases[i];

		print_message("case: %s\n", t->name);
		one_rr(&p, t->type, t->rd, t->rdlen);
		assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
		assert_int_equal(m->nrr, 1);
		err.msg = NULL;
		olen = 0;
		switch (t->type) {
		case DNSMSG_TYPE_MX:
			rc = dnsmsg_rr_mx(
			    p.b, p.n, &m->rr[0], &pref, out, sizeof(out), &err);
			olen = strlen(out);
			break;
		case DNSMSG_TYPE_A:
		case DNSMSG_TYPE_AAAA:
			rc = dnsmsg_rr_addr(p.b, p.n, &m->rr[0], &family, out,
			    sizeof(out), &err);
			olen = strlen(out);
			break;
		case DNSMSG_TYPE_TXT:
		case DNSMSG_TYPE_SPF:
			rc = dnsmsg_rr_txt(
			    p.b, p.n, &m->rr[0], out, sizeof(out), &olen, &err);
			break;
		default:
			rc = dnsmsg_rr_cname(
			    p.b, p.n, &m->rr[0], out, sizeof(out), &err);
			olen = strlen(out);
			break;
		}
		assert_int_equal(rc, t->rc);
		if (rc == 0) {
			assert_int_equal(olen, t->wantlen);
			assert_memory_equal(out, t->want, olen);
			assert_int_equal(out[olen], '\0');
		} else {
			assert_string_equal(err.msg, t->error);
			assert_true(err.off <= p.n);
		}
	}
	free(m);
}

static void
test_dnsmsg_rr_misc(void **state)
{
	struct dnsmsg *m = newmsg();
	struct dnsmsg_rr rr;
	struct pkt p;
	struct perr err;
	char out[64];
	uint16_t pref;
	size_t olen;
	int family;

	(void)state;
	/* rdata outside the message (a forged or stale rr) */
	one_rr(&p, DNSMSG_TYPE_A, "\1\2\3\4", 4);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	rr = m->rr[0];
	rr.rdlen = 5;
	assert_int_equal(
	    dnsmsg_rr_addr(p.b, p.n, &rr, &family, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "rdata outside message");
	rr.rdoff = p.n + 10;
	rr.rdlen = 0;
	assert_int_equal(
	    dnsmsg_rr_addr(p.b, p.n, &rr, &family, out, sizeof(out), &err), -1);
	assert_string_equal(err.msg, "rdata outside message");
	rr.rdoff = SIZE_MAX;
	rr.rdlen = SIZE_MAX;
	assert_int_equal(
	    dnsmsg_rr_txt(p.b, p.n, &rr, out, sizeof(out), &olen, &err), -1);
	assert_int_equal(
	    dnsmsg_rr_mx(p.b, p.n, &rr, &pref, out, sizeof(out), &err), -1);
	assert_int_equal(
	    dnsmsg_rr_cname(p.b, p.n, &rr, out, sizeof(out), &err), -1);

	/* address buffer too small */
	assert_int_equal(
	    dnsmsg_rr_addr(p.b, p.n, &m->rr[0], &family, out, 7, &err), -1);
	assert_string_equal(err.msg, "address buffer too small");
	assert_int_equal(
	    dnsmsg_rr_addr(p.b, p.n, &m->rr[0], &family, out, 8, &err), 0);
	assert_string_equal(out, "1.2.3.4");

	/* txt buffer: the bytes plus a NUL */
	one_rr(&p, DNSMSG_TYPE_TXT, "\3abc\2de", 7);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(
	    dnsmsg_rr_txt(p.b, p.n, &m->rr[0], out, 6, &olen, &err), 0);
	assert_int_equal(olen, 5);
	assert_int_equal(
	    dnsmsg_rr_txt(p.b, p.n, &m->rr[0], out, 5, &olen, &err), -1);
	assert_string_equal(err.msg, "txt buffer too small");
	assert_int_equal(
	    dnsmsg_rr_txt(p.b, p.n, &m->rr[0], out, 0, &olen, &err), -1);

	/* the MX host buffer */
	one_rr(&p, DNSMSG_TYPE_MX, "\0\1\xc0\x0c", 4);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(
	    dnsmsg_rr_mx(p.b, p.n, &m->rr[0], &pref, out, 11, &err), -1);
	assert_string_equal(err.msg, "name buffer too small");
	assert_int_equal(
	    dnsmsg_rr_mx(p.b, p.n, &m->rr[0], &pref, out, 12, &err), 0);
	assert_string_equal(out, "example.org");
	free(m);
}

static void
test_dnsmsg_messages(void **state)
{
	struct dnsmsg *m = newmsg();
	struct pkt p;
	struct perr err;
	size_t i, q;

	(void)state;
	/* NXDOMAIN with an SOA in authority */
	header(&p, 9, 0x8183, 1, 0, 1, 0);
	q = putname(&p, "nope.example");
	put16(&p, DNSMSG_TYPE_MX);
	put16(&p, 1);
	putptr(&p, q + 5);
	rrhead(&p, 6, 1, 900, 2 + 2 + 20);
	putptr(&p, q + 5);
	putptr(&p, q + 5);
	for (i = 0; i < 5; i++)
		put32(&p, (uint32_t)i);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(m->rcode, 3);
	assert_string_equal(m->qname, "nope.example");
	assert_int_equal(m->nrr, 1);
	assert_int_equal(m->rr[0].section, 2);
	assert_string_equal(m->rr[0].name, "example");

	/* two questions: both checked, the first kept */
	header(&p, 9, 0x0100, 2, 0, 0, 0);
	putname(&p, "a.example");
	put32(&p, 0x00010001);
	putname(&p, "b.example");
	put32(&p, 0x001c0001);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_string_equal(m->qname, "a.example");
	assert_int_equal(m->qtype, 1);
	p.n -= 3;
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), -1);
	assert_string_equal(err.msg, "truncated message");

	/* counts larger than the message */
	header(&p, 9, 0x8180, 0, 1, 0, 0);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), -1);
	assert_string_equal(err.msg, "truncated name");
	assert_int_equal(err.off, 12);

	/* rdlength past the end */
	header(&p, 9, 0x8180, 0, 1, 0, 0);
	put8(&p, 0);
	rrhead(&p, 1, 1, 0, 4);
	put16(&p, 0);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), -1);
	assert_string_equal(err.msg, "truncated rdata");
	assert_int_equal(err.off, 23);

	/* a bad owner name in the answer */
	header(&p, 9, 0x8180, 0, 1, 0, 0);
	putptr(&p, 12);
	rrhead(&p, 1, 1, 0, 0);
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), -1);
	assert_string_equal(err.msg, "forward compression pointer");

	/* more RRs than DNSMSG_MAXRR: the first ones are kept */
	header(&p, 9, 0x8180, 0, 600, 0, 0);
	for (i = 0; i < 600; i++) {
		put8(&p, 0);
		rrhead(&p, 1, 1, (uint32_t)i, 0);
	}
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(m->nrr, DNSMSG_MAXRR);
	assert_true(m->truncated_rrs);
	assert_true(m->rr[DNSMSG_MAXRR - 1].ttl == DNSMSG_MAXRR - 1);

	/* exactly DNSMSG_MAXRR is not truncated */
	header(&p, 9, 0x8180, 0, DNSMSG_MAXRR, 0, 0);
	for (i = 0; i < DNSMSG_MAXRR; i++) {
		put8(&p, 0);
		rrhead(&p, 1, 1, 0, 0);
	}
	assert_int_equal(dnsmsg_parse(p.b, p.n, m, &err), 0);
	assert_int_equal(m->nrr, DNSMSG_MAXRR);
	assert_false(m->truncated_rrs);

	/* short header */
	assert_int_equal(dnsmsg_parse(p.b, 11, m, &err), -1);
	assert_string_equal(err.msg, "truncated message");
	assert_int_equal(dnsmsg_parse(NULL, 0, m, &err), -1);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnsmsg_full),
		cmocka_unit_test(test_dnsmsg_every_prefix),
		cmocka_unit_test(test_dnsmsg_flags),
		cmocka_unit_test(test_dnsmsg_name_table),
		cmocka_unit_test(test_dnsmsg_name_limits),
		cmocka_unit_test(test_dnsmsg_name_outsize),
		cmocka_unit_test(test_dnsmsg_rr_table),
		cmocka_unit_test(test_dnsmsg_rr_misc),
		cmocka_unit_test(test_dnsmsg_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
