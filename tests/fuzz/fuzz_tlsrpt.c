/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tlsrpt - parse the input as an _smtp._tls record and check the
 * invariants of the result; split it at '\n' into a TXT RRset for
 * tlsrpt_select and run tlsrpt_discover over it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LINES 8

static void
fuzz_inside(const char *p, size_t len, const char *s, size_t slen)
{
	if (slen == 0)
		return;
	if (s < p || s > p + len || slen > len - (size_t)(s - p))
		abort();
}

static void
fuzz_check(const char *p, size_t len, const struct tlsrpt_record *r, int rc)
{
	size_t i, nusable = 0;
	bool fatal = false;

	if (r->nuri > TLSRPT_URI_MAX || r->next > TLSRPT_EXT_MAX ||
	    r->nproblem > TLSRPT_PROBLEM_MAX)
		abort();
	for (i = 0; i < r->nuri; i++) {
		fuzz_inside(
		    p, len, r->uri[i].uri.text.p, r->uri[i].uri.text.len);
		fuzz_inside(
		    p, len, r->uri[i].uri.host.p, r->uri[i].uri.host.len);
		if (r->uri[i].field >= r->nrua || r->uri[i].uri.has_size)
			abort();
		if (r->uri[i].uri.usable && !r->uri[i].uri.valid)
			abort();
		nusable += r->uri[i].uri.usable;
	}
	if (nusable != r->nusable)
		abort();
	for (i = 0; i < r->next; i++) {
		if (r->ext[i].name.len == 0 ||
		    r->ext[i].name.len > TLSRPT_EXT_NAME_MAX ||
		    r->ext[i].value.len == 0)
			abort();
		fuzz_inside(p, len, r->ext[i].name.p, r->ext[i].name.len);
		fuzz_inside(p, len, r->ext[i].value.p, r->ext[i].value.len);
		if (memchr(r->ext[i].value.p, ';', r->ext[i].value.len) ||
		    memchr(r->ext[i].value.p, '=', r->ext[i].value.len))
			abort();
	}
	for (i = 0; i < r->nproblem; i++) {
		if (r->problem[i].msg == NULL ||
		    (r->problem[i].off > len &&
		        r->problem[i].off != TLSRPT_RECORD_MAX))
			abort();
		fatal = fatal || r->problem[i].fatal;
	}
	if (r->valid != (rc == 0) || r->valid == fatal)
		abort();
	if (r->valid &&
	    (!r->is_tlsrpt || r->nrua == 0 || r->nusable == 0 || len < 10 ||
	        memcmp(p, "v=TLSRPTv1", 10) != 0))
		abort();
}

struct fuzz_view {
	const char *const *rr;
	const size_t *len;
	size_t n;
};

static enum dnsview_status
fuzz_lookup(void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	struct fuzz_view *f = ctx;

	memset(out, 0, sizeof(*out));
	if (type != 16 || strcmp(name, "_smtp._tls.example.com") != 0)
		abort();
	out->status = f->n > 0 ? DNSVIEW_OK : DNSVIEW_NODATA;
	out->n = f->n;
	out->rr = f->rr;
	out->len = f->len;
	return out->status;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *rr[FUZZ_LINES];
	size_t len[FUZZ_LINES], n = 0, start = 0, i, idx = 0;
	struct tlsrpt_record r;
	struct tlsrpt_discovery d;
	struct perr err = { 0, NULL };
	struct fuzz_view f;
	struct dnsview view;
	enum tlsrpt_select sel;
	enum tlsrpt_status st;
	int rc;

	rc = tlsrpt_parse(p, size, &r, &err);
	fuzz_check(p, size, &r, rc);
	if (rc != 0 && err.msg == NULL)
		abort();

	for (i = 0; i <= size && n < FUZZ_LINES; i++) {
		if (i == size || p[i] == '\n') {
			rr[n] = p + start;
			len[n++] = i - start;
			start = i + 1;
		}
	}
	sel = tlsrpt_select(rr, len, n, &idx);
	if (sel == TLSRPT_SELECT_ONE &&
	    (idx >= n || !tlsrpt_is_record(rr[idx], len[idx])))
		abort();
	f.rr = rr;
	f.len = len;
	f.n = n;
	view.lookup = fuzz_lookup;
	view.ctx = &f;
	st = tlsrpt_discover("example.com", &view, &d);
	if ((d.raw != NULL) !=
	    (st == TLSRPT_STATUS_FOUND || st == TLSRPT_STATUS_INVALID))
		abort();
	if (d.raw != NULL) {
		fuzz_check(
		    d.raw, d.raw_len, &d.record, d.record.valid ? 0 : -1);
		if ((st == TLSRPT_STATUS_FOUND) != d.record.valid)
			abort();
	}
	if ((st == TLSRPT_STATUS_MULTIPLE) != (sel == TLSRPT_SELECT_MULTIPLE))
		abort();
	tlsrpt_discovery_release(&d);
	return 0;
}
