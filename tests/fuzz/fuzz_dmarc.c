/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dmarc - parse the input as a DMARC record and check the invariants
 * of the result; check it as one reporting URI; split it at '\n' into a TXT
 * RRset for dmarc_select; and run both discoveries and the external check
 * over a fake DNS in which the input (after its first byte) is the record
 * at the _dmarc names the first byte's bits choose.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dmarc.h"
#include "proto/orgdomain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LINES 8

static void
fuzz_inside(const char *p, size_t len, struct dmarc_slice s)
{
	if (s.len == 0)
		return;
	if (s.p < p || s.p > p + len || s.len > len - (size_t)(s.p - p))
		abort();
}

static void
fuzz_uri(const char *p, size_t len, const struct dmarc_uri *u)
{
	fuzz_inside(p, len, u->text);
	fuzz_inside(p, len, u->host);
	if (u->usable && (!u->valid || u->error != NULL))
		abort();
	if (!u->usable && u->error == NULL)
		abort();
	if (u->host.len > 0 && !u->usable)
		abort();
	if (u->size_unit != '\0' && !u->has_size)
		abort();
}

static void
fuzz_record(const char *p, size_t len, const struct dmarc_record *r, int rc)
{
	const struct dmarc_verdict *v;
	size_t i;
	int s;
	bool any = false;

	if (r->nrua > DMARC_URI_MAX || r->nruf > DMARC_URI_MAX ||
	    r->nunknown > DMARC_UNKNOWN_MAX ||
	    r->nproblem > DMARC_PROBLEM_MAX || r->ntags > DMARC_TAGS_MAX)
		abort();
	for (i = 0; i < DMARC_TAG_MAX; i++)
		fuzz_inside(p, len, r->value[i]);
	for (i = 0; i < r->nrua; i++)
		fuzz_uri(p, len, &r->rua[i]);
	for (i = 0; i < r->nruf; i++)
		fuzz_uri(p, len, &r->ruf[i]);
	for (i = 0; i < r->nunknown; i++) {
		fuzz_inside(p, len, r->unknown[i].name);
		fuzz_inside(p, len, r->unknown[i].value);
	}
	for (i = 0; i < r->nproblem; i++) {
		if (r->problem[i].msg == NULL || r->problem[i].tag == NULL ||
		    r->problem[i].std == 0 ||
		    (r->problem[i].std & ~DMARC_STD_BOTH) != 0 ||
		    r->problem[i].sev > DMARC_SEV_FATAL)
			abort();
		if (r->problem[i].off > len &&
		    r->problem[i].off != DMARC_RECORD_MAX)
			abort();
	}
	if (r->psd != 'y' && r->psd != 'n' && r->psd != 'u')
		abort();
	if (r->pct < 0 || r->pct > 100 || (r->fo & ~0xfu) != 0 || r->fo == 0)
		abort();
	if ((r->bad & ~r->seen) != 0)
		abort();
	for (s = 0; s < DMARC_STD_MAX; s++) {
		v = &r->verdict[s];
		any = any || v->usable;
		if (v->usable != (v->p != DMARC_POLICY_UNSET) ||
		    v->usable != (v->sp != DMARC_POLICY_UNSET) ||
		    v->usable != (v->np != DMARC_POLICY_UNSET))
			abort();
		if (v->fallback && (!v->usable || v->p != DMARC_POLICY_NONE))
			abort();
		if (v->usable && !r->is_dmarc)
			abort();
	}
	if ((rc == 0) != any)
		abort();
	if (((r->diffs & DMARC_DIFF_VERDICT) != 0) !=
	    (r->verdict[0].usable != r->verdict[1].usable ||
	        r->verdict[0].fallback != r->verdict[1].fallback ||
	        r->verdict[0].p != r->verdict[1].p ||
	        r->verdict[0].sp != r->verdict[1].sp ||
	        r->verdict[0].np != r->verdict[1].np))
		abort();
}

/* a zone of _dmarc.<names[i]> = the record when bit i of mask is set */
static const char *const fuzz_names[] = { "a.b.c.d.e.f.g.h.i.example.com",
	"g.h.i.example.com", "h.i.example.com", "i.example.com", "example.com",
	"com", "thirdparty.example", "example" };

struct fuzz_view {
	unsigned mask;
	const char *rr[1];
	size_t len[1];
};

static enum dnsview_status
fuzz_lookup(void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	struct fuzz_view *f = ctx;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->status = DNSVIEW_NXDOMAIN;
	if (type == 16 && strncmp(name, "_dmarc.", 7) == 0) {
		for (i = 0; i < 8; i++)
			if ((f->mask & (1u << i)) &&
			    strcmp(name + 7, fuzz_names[i]) == 0)
				out->status = DNSVIEW_OK;
	} else if (type == 16 && strstr(name, "._report._dmarc.") != NULL) {
		out->status = (f->mask & 0x100) ? DNSVIEW_OK : DNSVIEW_TEMPFAIL;
	} else if (type == 15 && (f->mask & 0x200)) {
		out->status = DNSVIEW_NODATA;
	}
	if (out->status == DNSVIEW_OK) {
		out->n = 1;
		out->rr = f->rr;
		out->len = f->len;
	}
	return out->status;
}

static void
fuzz_discover(const char *p, size_t len, unsigned mask)
{
	static struct orgdomain *psl;
	static bool loaded;
	struct fuzz_view f;
	struct dnsview view;
	struct dmarc_discovery d[2];
	struct dmarc_external ext;
	char buf[160];
	int s;

	if (!loaded) {
		loaded = true;
		psl = orgdomain_new_latest();
	}
	f.mask = mask;
	f.rr[0] = p;
	f.len[0] = len;
	view.lookup = fuzz_lookup;
	view.ctx = &f;
	for (s = 0; s < DMARC_STD_MAX; s++) {
		(void)dmarc_discover(
		    fuzz_names[mask & 1 ? 0 : 1 + (mask >> 10) % 4], &view,
		    (enum dmarc_std)s, psl, &d[s]);
		if (d[s].status == DMARC_STATUS_PENDING ||
		    d[s].nsteps > DMARC_WALK_MAX)
			abort();
		if ((d[s].raw != NULL) !=
		    (d[s].status == DMARC_STATUS_FOUND ||
		        d[s].status == DMARC_STATUS_UNUSABLE))
			abort();
		if ((d[s].status == DMARC_STATUS_FOUND) !=
		    (d[s].policy != DMARC_POLICY_UNSET))
			abort();
		if (d[s].raw != NULL)
			fuzz_record(d[s].raw, d[s].raw_len, &d[s].record,
			    d[s].record.verdict[0].usable ||
			            d[s].record.verdict[1].usable
			        ? 0
			        : -1);
		if (dmarc_verify_external(&d[s], &view, psl, &ext) !=
		        DNSVIEW_OK ||
		    ext.n > DMARC_EXT_MAX)
			abort();
	}
	if (memchr(dmarc_compare_text(
	               dmarc_compare(&d[0], &d[1]), buf, sizeof(buf)),
	        '\0', sizeof(buf)) == NULL)
		abort();
	dmarc_discovery_release(&d[0]);
	dmarc_discovery_release(&d[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *rr[FUZZ_LINES];
	size_t len[FUZZ_LINES], n = 0, start = 0, i, idx = 0;
	struct dmarc_record r;
	struct dmarc_uri u;
	struct perr err = { 0, NULL };
	enum dmarc_select sel;
	int rc;

	rc = dmarc_parse(p, size, &r, &err);
	fuzz_record(p, size, &r, rc);
	if (rc != 0 && err.msg == NULL)
		abort();
	dmarc_uri_check(p, size, true, &u);
	fuzz_uri(p, size, &u);
	dmarc_uri_check(p, size, false, &u);
	fuzz_uri(p, size, &u);

	for (i = 0; i <= size && n < FUZZ_LINES; i++) {
		if (i == size || p[i] == '\n') {
			rr[n] = p + start;
			len[n++] = i - start;
			start = i + 1;
		}
	}
	sel = dmarc_select(rr, len, n, &idx);
	if (sel == DMARC_SELECT_ONE &&
	    (idx >= n || !dmarc_is_record(rr[idx], len[idx])))
		abort();

	if (size >= 2)
		fuzz_discover(p + 2, size - 2,
		    (unsigned)data[0] | ((unsigned)data[1] << 8));
	return 0;
}
