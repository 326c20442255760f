/* SPDX-License-Identifier: ISC */
/*
 * fuzz_spf - the input is a few lines: each is parsed as an SPF record and
 * run through the macro checker and expander; then check_host() and the
 * audit evaluate line 1 as the record of "fuzz.test" against a tiny fake
 * DNS built from the input: every other (name, type) gets an answer chosen
 * by a hash of the name (NXDOMAIN, no data, a timeout, or records: lines
 * of the input for TXT, made-up addresses and names otherwise), behind the
 * PENDING protocol a driver plays. Checks: slices stay inside their input,
 * expansions respect their caps, limits hold, the PENDING replay ends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/spf.h"
#include "proto/spf_eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_LINES 16
#define FUZZ_POOL      (256 * 1024)
#define FUZZ_MAX_KEYS  512

struct fuzz_zone {
	const char *line[FUZZ_MAX_LINES]; /* borrowed: the input's lines */
	size_t len[FUZZ_MAX_LINES];
	size_t nlines;
	char pool[FUZZ_POOL]; /* RRsets handed out during one pass */
	size_t used;
	uint32_t fetched[FUZZ_MAX_KEYS]; /* key hashes already "fetched" */
	size_t nfetched;
	uint32_t asked[FUZZ_MAX_KEYS];
	size_t nasked;
	bool pending_mode;
};

static struct fuzz_zone fz;

static void *
fuzz_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (fz.used + n > sizeof(fz.pool))
		return NULL;
	p = fz.pool + fz.used;
	fz.used += n;
	return p;
}

static uint32_t
fuzz_hash(const char *name, int type)
{
	uint32_t h = 2166136261u ^ (uint32_t)type;
	const unsigned char *p;
	unsigned char c;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		c = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32) : *p;
		if (c == '.' && p[1] == '\0')
			break;
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static bool
fuzz_in(const uint32_t *set, size_t n, uint32_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == k)
			return true;
	return false;
}

/* fuzz_records - n made-up records of a type, in the pool */
static enum dnsview_status
fuzz_records(int type, uint32_t h, struct dnsview_rrset *out)
{
	const char **rr;
	size_t *len, n, i;
	char *s;

	n = 1 + (h >> 8) % (type == 15 || type == 12 ? 12 : 3);
	rr = fuzz_alloc(n * sizeof(*rr));
	len = fuzz_alloc(n * sizeof(*len));
	if (rr == NULL || len == NULL)
		return out->status = DNSVIEW_TEMPFAIL;
	for (i = 0; i < n; i++) {
		if (type == 16) {
			rr[i] = fz.line[(h + i) % fz.nlines];
			len[i] = fz.len[(h + i) % fz.nlines];
			continue;
		}
		if ((s = fuzz_alloc(64)) == NULL)
			return out->status = DNSVIEW_TEMPFAIL;
		switch (type) {
		case 1:
			snprintf(s, 64, "192.0.2.%u", (unsigned)((h + i) % 4));
			break;
		case 28:
			snprintf(
			    s, 64, "2001:db8::%x", (unsigned)((h + i) % 4));
			break;
		case 15:
			snprintf(s, 64,
			    (h >> 4) % 7 == 0 ? "." : "mx%u.fuzz.test",
			    (unsigned)((h + i) % 5));
			break;
		default:
			snprintf(
			    s, 64, "h%u.Fuzz.Test.", (unsigned)((h + i) % 5));
			break;
		}
		rr[i] = s;
		len[i] = strlen(s);
	}
	out->status = DNSVIEW_OK;
	out->n = n;
	out->rr = rr;
	out->len = len;
	return DNSVIEW_OK;
}

static enum dnsview_status
fuzz_lookup(void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	uint32_t h = fuzz_hash(name, type);

	(void)ctx;
	memset(out, 0, sizeof(*out));
	if (fz.pending_mode && !fuzz_in(fz.fetched, fz.nfetched, h)) {
		if (!fuzz_in(fz.asked, fz.nasked, h) &&
		    fz.nasked < FUZZ_MAX_KEYS)
			fz.asked[fz.nasked++] = h;
		return out->status = DNSVIEW_PENDING;
	}
	out->secure = (h & 1) != 0;
	if (type == 16 && fuzz_hash(name, 0) == fuzz_hash("fuzz.test", 0)) {
		out->status = DNSVIEW_OK;
		out->n = 1;
		out->rr = fz.line;
		out->len = fz.len;
		return DNSVIEW_OK;
	}
	switch (h % 8) {
	case 0:
		return out->status = DNSVIEW_NXDOMAIN;
	case 1:
		return out->status = DNSVIEW_NODATA;
	case 2:
		return out->status = DNSVIEW_TEMPFAIL;
	default:
		return fuzz_records(type, h, out);
	}
}

static void
fuzz_check_record(const char *p, size_t len, const struct spf_record *r)
{
	const struct spf_term *t;
	size_t i;

	if (r->nterms > SPF_MAX_TERMS || r->redirect >= (int)r->nterms ||
	    r->exp >= (int)r->nterms || r->all >= (int)r->nterms)
		abort();
	for (i = 0; i < r->nterms; i++) {
		t = &r->terms[i];
		if (t->text.p != p + t->off || t->off + t->text.len > len ||
		    t->text.len == 0)
			abort();
		if (t->value.p != NULL &&
		    (t->value.p < t->text.p ||
		        t->value.p + t->value.len > t->text.p + t->text.len))
			abort();
		if (t->cidr4 > 32 || t->cidr6 > 128 || t->cidr4 < -1 ||
		    t->cidr6 < -1)
			abort();
		if (t->kind == SPF_TERM_REDIRECT && (int)i != r->redirect)
			abort();
	}
}

static void
fuzz_macros(const char *p, size_t len)
{
	static const unsigned flags[] = { 0, SPF_MACRO_DOMAIN, SPF_MACRO_EXP };
	static char out[SPF_EXP_MAX];
	struct spf_ip ip;
	struct spf_macro_ctx ctx = { "l@fuzz.test", "l", "fuzz.test",
		"a.b.fuzz.test", &ip, "helo.fuzz.test", NULL, NULL, 1 };
	struct perr err;
	size_t i, n;
	int ok, rc;

	if (spf_ip_parse(len > 0 && p[0] == '6' ? "2001:db8::1" : "192.0.2.1",
	        len > 0 && p[0] == '6' ? 11 : 9, &ip) != 0)
		abort();
	for (i = 0; i < 3; i++) {
		ok = spf_macro_check(p, len, flags[i], &err) == 0;
		if (!ok && (err.msg == NULL || err.off > len))
			abort();
		rc = spf_macro_expand(p, len, &ctx, flags[i], out,
		    flags[i] == SPF_MACRO_DOMAIN ? SPF_DOMAIN_BUF : sizeof(out),
		    &n, &err);
		if (rc == 0 && !ok)
			abort();
		if (rc != 0 && ok && strcmp(err.msg, "expansion too long") != 0)
			abort();
		if (rc == 0 &&
		    (out[n] != '\0' ||
		        (flags[i] == SPF_MACRO_DOMAIN && n > SPF_DOMAIN_MAX)))
			abort();
	}
	(void)spf_ip_parse(p, len, &ip);
}

static void
fuzz_eval(const struct dnsview *v, bool pending)
{
	static const char *const ips[] = { "192.0.2.1", "2001:db8::2",
		"::ffff:192.0.2.3" };
	struct spf_eval_params params;
	struct spf_eval_result r;
	struct spf_audit a;
	enum spf_result res;
	size_t pass, i;
	bool done;

	memset(&params, 0, sizeof(params));
	params.ip = ips[fz.len[0] % 3];
	params.sender = fz.nlines > 2 ? "user-x+y@fuzz.test" : "";
	params.helo = "fuzz.test";
	params.default_exp = "DEFAULT";
	params.now = 1700000000;
	spf_eval_result_init(&r);
	fz.pending_mode = pending;
	fz.nfetched = 0;
	for (pass = 0; pass < 200; pass++) {
		fz.used = 0;
		fz.nasked = 0;
		res = spf_check_host(v, &params, &r);
		if (res != SPF_RESULT_PENDING)
			break;
		if (fz.nasked == 0)
			abort(); /* pending without asking */
		for (i = 0; i < fz.nasked && fz.nfetched < FUZZ_MAX_KEYS; i++)
			fz.fetched[fz.nfetched++] = fz.asked[i];
		if (fz.nfetched >= FUZZ_MAX_KEYS)
			break;
	}
	if (r.result >= SPF_RESULT_MAX || r.lookups > SPF_MAX_LOOKUPS + 1 ||
	    r.void_lookups > SPF_MAX_VOID + 1 || r.ntrace > SPF_TRACE_MAX)
		abort();
	if (r.explanation != NULL && r.result != SPF_RESULT_FAIL &&
	    r.result != SPF_RESULT_PENDING)
		abort();
	if ((r.result == SPF_RESULT_NONE || r.result == SPF_RESULT_PERMERROR ||
	        r.result == SPF_RESULT_TEMPERROR) &&
	    r.reason == NULL)
		abort();
	spf_eval_result_release(&r);

	spf_audit_init(&a);
	fz.nfetched = 0;
	for (pass = 0; pass < 200; pass++) {
		fz.used = 0;
		fz.nasked = 0;
		done = spf_audit(v, "fuzz.test", &a);
		if (done)
			break;
		if (fz.nasked == 0)
			abort();
		for (i = 0; i < fz.nasked && fz.nfetched < FUZZ_MAX_KEYS; i++)
			fz.fetched[fz.nfetched++] = fz.asked[i];
		if (fz.nfetched >= FUZZ_MAX_KEYS)
			break;
	}
	if (a.nnodes > SPF_AUDIT_MAX_NODES)
		abort();
	spf_audit_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spf_record rec;
	const char *p = (const char *)data, *nl;
	struct dnsview v = { fuzz_lookup, NULL };
	struct perr err;
	size_t i, off = 0, first;

	if (size > 8192)
		return 0;
	fz.nlines = 0;
	while (fz.nlines < FUZZ_MAX_LINES) {
		nl = memchr(p + off, '\n', size - off);
		fz.line[fz.nlines] = p + off;
		fz.len[fz.nlines] =
		    nl != NULL ? (size_t)(nl - (p + off)) : size - off;
		fz.nlines++;
		if (nl == NULL)
			break;
		off = (size_t)(nl - p) + 1;
	}
	for (i = 0; i < fz.nlines; i++) {
		if (spf_parse(fz.line[i], fz.len[i], &rec, &err) == 0)
			fuzz_check_record(fz.line[i], fz.len[i], &rec);
		else if (err.msg == NULL || err.off > fz.len[i])
			abort();
		fuzz_macros(fz.line[i], fz.len[i]);
	}
	if (spf_select(fz.line, fz.len, fz.nlines, &first) > 0 &&
	    !spf_is_record(fz.line[first], fz.len[first]))
		abort();
	fuzz_eval(&v, false);
	fuzz_eval(&v, true);
	return 0;
}
