/* SPDX-License-Identifier: ISC */
/*
 * dnsmsg - DNS wire-format message parser (RFC 1035 4.1).
 *
 * A cursor with a sticky error (OpenSMTPD unpack) keeps dnsmsg_parse()
 * linear: each read checks the length and, once something failed, does
 * nothing, so the error is reported once at the end with its offset.
 */
#include "proto/dnsmsg.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#define DNSMSG_HEADERLEN 12
#define DNSMSG_WIREMAX   255 /* octets of a name in wire form */

struct dnsmsg_cur {
	const uint8_t *p; /* borrowed: the message */
	size_t len;       /* bytes in the message */
	size_t off;       /* next byte to read */
	const char *err;  /* static, the first error, or NULL */
	size_t erroff;    /* where it happened */
};

/* dnsmsg_fail - record the first error only */
static void
dnsmsg_fail(struct dnsmsg_cur *c, size_t off, const char *msg)
{
	if (c->err == NULL) {
		c->err = msg;
		c->erroff = off;
	}
}

static uint16_t
dnsmsg_get16(struct dnsmsg_cur *c)
{
	uint16_t v;

	if (c->err != NULL)
		return 0;
	if (c->len - c->off < 2) {
		dnsmsg_fail(c, c->off, "truncated message");
		return 0;
	}
	v = (uint16_t)(c->p[c->off] << 8 | c->p[c->off + 1]);
	c->off += 2;
	return v;
}

static uint32_t
dnsmsg_get32(struct dnsmsg_cur *c)
{
	uint32_t v;

	if (c->err != NULL)
		return 0;
	if (c->len - c->off < 4) {
		dnsmsg_fail(c, c->off, "truncated message");
		return 0;
	}
	v = (uint32_t)c->p[c->off] << 24 | (uint32_t)c->p[c->off + 1] << 16 |
	    (uint32_t)c->p[c->off + 2] << 8 | (uint32_t)c->p[c->off + 3];
	c->off += 4;
	return v;
}

static void
dnsmsg_get_name(struct dnsmsg_cur *c, char *out, size_t outsize)
{
	struct perr e;

	if (c->err != NULL)
		return;
	if (dnsmsg_name(c->p, c->len, &c->off, out, outsize, &e) == -1)
		dnsmsg_fail(c, e.off, e.msg);
}

/* dnsmsg_put_byte - one label byte in presentation form; -1 when full */
static int
dnsmsg_put_byte(char *out, size_t outsize, size_t *o, uint8_t b)
{
	char tmp[4];
	size_t n;

	if (b == '.' || b == '\\') {
		tmp[0] = '\\';
		tmp[1] = (char)b;
		n = 2;
	} else if (b < 0x21 || b > 0x7e) {
		tmp[0] = '\\';
		tmp[1] = (char)('0' + b / 100);
		tmp[2] = (char)('0' + b / 10 % 10);
		tmp[3] = (char)('0' + b % 10);
		n = 4;
	} else {
		tmp[0] = (char)b;
		n = 1;
	}
	/* keep room for the NUL */
	if (n >= outsize - *o)
		return -1;
	memcpy(out + *o, tmp, n);
	*o += n;
	return 0;
}

int
dnsmsg_name(const uint8_t *msg, size_t msglen, size_t *off, char *out,
    size_t outsize, struct perr *err)
{
	size_t pos = *off, next = 0, wire = 0, o = 0, ptr, i;
	unsigned int jumps = 0;
	uint8_t c;

	if (outsize < 2)
		return perr_set(err, pos, "name buffer too small");
	for (;;) {
		if (pos >= msglen)
			return perr_set(err, pos, "truncated name");
		c = msg[pos];
		if ((c & 0xc0) == 0xc0) {
			if (msglen - pos < 2)
				return perr_set(err, pos, "truncated name");
			ptr = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			/* strictly backwards: every jump lands earlier */
			if (ptr >= pos)
				return perr_set(
				    err, pos, "forward compression pointer");
			if (++jumps > DNSMSG_MAXJUMPS)
				return perr_set(
				    err, pos, "too many compression pointers");
			if (jumps == 1)
				next = pos + 2;
			pos = ptr;
			continue;
		}
		if ((c & 0xc0) != 0)
			return perr_set(err, pos, "bad label type");
		if (c == 0)
			break;
		/* a label and the root that must still follow */
		wire += 1 + (size_t)c;
		if (wire + 1 > DNSMSG_WIREMAX)
			return perr_set(err, pos, "name too long");
		if (msglen - pos - 1 < c)
			return perr_set(err, pos, "truncated name");
		if (o > 0) {
			if (outsize - o < 2)
				return perr_set(
				    err, pos, "name buffer too small");
			out[o++] = '.';
		}
		for (i = 0; i < c; i++)
			if (dnsmsg_put_byte(
			        out, outsize, &o, msg[pos + 1 + i]) == -1)
				return perr_set(
				    err, pos, "name buffer too small");
		pos += 1 + (size_t)c;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	*off = jumps > 0 ? next : pos + 1;
	return 0;
}

int
dnsmsg_parse(const uint8_t *p, size_t len, struct dnsmsg *out, struct perr *err)
{
	struct dnsmsg_cur c = { p, len, 0, NULL, 0 };
	struct dnsmsg_rr *rr;
	char scratch[DNSMSG_NAMEMAX];
	size_t i, total, rdlen;

	out->id = out->flags = 0;
	out->opcode = out->rcode = 0;
	out->qr = out->aa = out->tc = out->rd = out->ra = out->ad = out->cd =
	    false;
	out->qdcount = out->ancount = out->nscount = out->arcount = 0;
	out->qname[0] = '\0';
	out->qtype = out->qclass = 0;
	out->nrr = 0;
	out->truncated_rrs = false;

	if (len < DNSMSG_HEADERLEN)
		return perr_set(err, len, "truncated message");
	out->id = dnsmsg_get16(&c);
	out->flags = dnsmsg_get16(&c);
	out->qdcount = dnsmsg_get16(&c);
	out->ancount = dnsmsg_get16(&c);
	out->nscount = dnsmsg_get16(&c);
	out->arcount = dnsmsg_get16(&c);
	out->qr = (out->flags & 0x8000) != 0;
	out->opcode = (out->flags >> 11) & 0xf;
	out->aa = (out->flags & 0x0400) != 0;
	out->tc = (out->flags & 0x0200) != 0;
	out->rd = (out->flags & 0x0100) != 0;
	out->ra = (out->flags & 0x0080) != 0;
	out->ad = (out->flags & 0x0020) != 0;
	out->cd = (out->flags & 0x0010) != 0;
	out->rcode = out->flags & 0xf;

	for (i = 0; i < out->qdcount && c.err == NULL; i++) {
		if (i == 0) {
			dnsmsg_get_name(&c, out->qname, sizeof(out->qname));
			out->qtype = dnsmsg_get16(&c);
			out->qclass = dnsmsg_get16(&c);
		} else {
			dnsmsg_get_name(&c, scratch, sizeof(scratch));
			(void)dnsmsg_get32(&c);
		}
	}

	total = (size_t)out->ancount + out->nscount + out->arcount;
	for (i = 0; i < total && c.err == NULL; i++) {
		if (out->nrr == DNSMSG_MAXRR) {
			out->truncated_rrs = true;
			break;
		}
		rr = &out->rr[out->nrr];
		if (i < out->ancount)
			rr->section = 1;
		else if (i < (size_t)out->ancount + out->nscount)
			rr->section = 2;
		else
			rr->section = 3;
		dnsmsg_get_name(&c, rr->name, sizeof(rr->name));
		rr->type = dnsmsg_get16(&c);
		rr->rclass = dnsmsg_get16(&c);
		rr->ttl = dnsmsg_get32(&c);
		rdlen = dnsmsg_get16(&c);
		if (c.err != NULL)
			break;
		if (rdlen > len - c.off) {
			dnsmsg_fail(&c, c.off, "truncated rdata");
			break;
		}
		rr->rdoff = c.off;
		rr->rdlen = rdlen;
		c.off += rdlen;
		out->nrr++;
	}
	if (c.err != NULL)
		return perr_set(err, c.erroff, c.err);
	return 0;
}

/* dnsmsg_rr_check - rdata within the message and of the given type */
static int
dnsmsg_rr_check(
    size_t msglen, const struct dnsmsg_rr *rr, bool type_ok, struct perr *err)
{
	if (rr->rdoff > msglen || rr->rdlen > msglen - rr->rdoff)
		return perr_set(err, rr->rdoff, "rdata outside message");
	if (!type_ok)
		return perr_set(err, rr->rdoff, "wrong record type");
	return 0;
}

int
dnsmsg_rr_mx(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    uint16_t *pref, char *host, size_t hostsize, struct perr *err)
{
	size_t off;

	if (dnsmsg_rr_check(msglen, rr, rr->type == DNSMSG_TYPE_MX, err) == -1)
		return -1;
	if (rr->rdlen < 3)
		return perr_set(err, rr->rdoff, "short mx rdata");
	*pref = (uint16_t)(msg[rr->rdoff] << 8 | msg[rr->rdoff + 1]);
	off = rr->rdoff + 2;
	/*
	 * Pointers only go backwards, so bounding the message at the end of
	 * the rdata keeps the name inside it without forbidding compression.
	 */
	return dnsmsg_name(
	    msg, rr->rdoff + rr->rdlen, &off, host, hostsize, err);
}

int
dnsmsg_rr_addr(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    int *family, char *ip, size_t ipsize, struct perr *err)
{
	size_t want;
	int af;

	if (dnsmsg_rr_check(msglen, rr,
	        rr->type == DNSMSG_TYPE_A || rr->type == DNSMSG_TYPE_AAAA,
	        err) == -1)
		return -1;
	af = rr->type == DNSMSG_TYPE_A ? AF_INET : AF_INET6;
	want = rr->type == DNSMSG_TYPE_A ? 4 : 16;
	if (rr->rdlen != want)
		return perr_set(err, rr->rdoff, "bad address length");
	if (ipsize > (size_t)UINT32_MAX)
		ipsize = UINT32_MAX;
	if (inet_ntop(af, msg + rr->rdoff, ip, (socklen_t)ipsize) == NULL)
		return perr_set(err, rr->rdoff, "address buffer too small");
	*family = af;
	return 0;
}

int
dnsmsg_rr_cname(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    char *out, size_t outsize, struct perr *err)
{
	size_t off;
	bool ok;

	ok = rr->type == DNSMSG_TYPE_CNAME || rr->type == DNSMSG_TYPE_NS ||
	    rr->type == DNSMSG_TYPE_PTR || rr->type == DNSMSG_TYPE_DNAME;
	if (dnsmsg_rr_check(msglen, rr, ok, err) == -1)
		return -1;
	off = rr->rdoff;
	return dnsmsg_name(msg, rr->rdoff + rr->rdlen, &off, out, outsize, err);
}

int
dnsmsg_rr_txt(const uint8_t *msg, size_t msglen, const struct dnsmsg_rr *rr,
    char *out, size_t outsize, size_t *outlen, struct perr *err)
{
	size_t pos, end, o = 0, n;

	if (dnsmsg_rr_check(msglen, rr,
	        rr->type == DNSMSG_TYPE_TXT || rr->type == DNSMSG_TYPE_SPF,
	        err) == -1)
		return -1;
	if (outsize == 0)
		return perr_set(err, rr->rdoff, "txt buffer too small");
	pos = rr->rdoff;
	end = rr->rdoff + rr->rdlen;
	while (pos < end) {
		n = msg[pos];
		if (n > end - pos - 1)
			return perr_set(err, pos, "truncated character-string");
		if (n >= outsize - o)
			return perr_set(err, pos, "txt buffer too small");
		memcpy(out + o, msg + pos + 1, n);
		o += n;
		pos += 1 + n;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}
