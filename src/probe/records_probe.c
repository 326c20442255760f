/* SPDX-License-Identifier: ISC */
/*
 * records_probe - SPF, DMARC and TLS-RPT of one domain (see the header).
 *
 * Each pass of the evaluator runs what is not finished yet; an evaluator
 * that meets a missing answer says so and the driver fetches it (with the
 * others missing in that pass) and runs the pass again. A finished part is
 * kept and never rerun.
 */
#include "probe/records_probe.h"

#include <stdlib.h>
#include <string.h>

#include "probe/dnsview_run.h"
#include "util/xalloc.h"

/* a whole domain's records: SPF's 10 + void + includes, 2 DMARC walks */
#define RECORDS_PROBE_MAX_QUERIES 160

struct records_probe {
	struct records_facts *f; /* borrowed */
	char *domain;            /* owned */
	const struct orgdomain *psl;
	struct dnsview_run *run;
	records_probe_cb cb;
	void *arg;
};

/* records_probe_dmarc - the discovery whose record applies, or NULL */
static const struct dmarc_discovery *
records_probe_applies(const struct records_facts *f)
{
	if (f->dmarc_done[DMARC_RFC9989] &&
	    f->dmarc[DMARC_RFC9989].status == DMARC_STATUS_FOUND)
		return &f->dmarc[DMARC_RFC9989];
	if (f->dmarc_done[DMARC_RFC7489] &&
	    f->dmarc[DMARC_RFC7489].status == DMARC_STATUS_FOUND)
		return &f->dmarc[DMARC_RFC7489];
	return NULL;
}

static bool
records_probe_eval(void *arg, const struct dnsview *view)
{
	struct records_probe *p = arg;
	struct records_facts *f = p->f;
	struct dmarc_discovery d;
	const struct dmarc_discovery *applies;
	int std;

	if (!f->spf_done)
		f->spf_done = spf_audit(view, p->domain, &f->spf);
	for (std = 0; std < DMARC_STD_MAX; std++) {
		if (f->dmarc_done[std])
			continue;
		if (dmarc_discover(p->domain, view, (enum dmarc_std)std, p->psl,
		        &d) == DMARC_STATUS_PENDING)
			continue;
		f->dmarc[std] = d;
		f->dmarc_done[std] = true;
	}
	if (!f->tlsrpt_done) {
		struct tlsrpt_discovery t;

		if (tlsrpt_discover(p->domain, view, &t) !=
		    TLSRPT_STATUS_PENDING) {
			f->tlsrpt = t;
			f->tlsrpt_done = true;
		}
	}
	if (!f->ext_done && f->dmarc_done[DMARC_RFC9989] &&
	    f->dmarc_done[DMARC_RFC7489]) {
		applies = records_probe_applies(f);
		if (applies == NULL)
			f->ext_done = true;
		else if (dmarc_verify_external(applies, view, p->psl,
		             &f->dmarc_ext) != DNSVIEW_PENDING)
			f->ext_done = true;
	}
	return f->spf_done && f->dmarc_done[DMARC_RFC9989] &&
	    f->dmarc_done[DMARC_RFC7489] && f->tlsrpt_done && f->ext_done;
}

static void
records_probe_on_done(void *arg, const struct dnsview_run_stats *stats)
{
	struct records_probe *p = arg;
	records_probe_cb cb = p->cb;
	void *cbarg = p->arg;

	p->run = NULL;
	p->f->queries = stats->queries;
	p->f->capped = stats->capped;
	free(p->domain);
	free(p);
	cb(cbarg);
}

struct records_probe *
records_probe_start(const struct records_probe_config *cfg, const char *domain,
    struct records_facts *f, records_probe_cb cb, void *arg)
{
	struct records_probe *p = xcalloc(1, sizeof(*p));
	struct dnsview_run_config rc;

	p->f = f;
	p->domain = xstrdup(domain);
	p->psl = cfg->psl;
	p->cb = cb;
	p->arg = arg;
	memset(&rc, 0, sizeof(rc));
	rc.base = cfg->base;
	rc.dns = cfg->dns;
	rc.max_queries = RECORDS_PROBE_MAX_QUERIES;
	f->ran = true;
	p->run = dnsview_run_start(
	    &rc, records_probe_eval, records_probe_on_done, p);
	if (p->run == NULL) {
		f->ran = false;
		free(p->domain);
		free(p);
		return NULL;
	}
	return p;
}

void
records_probe_cancel(struct records_probe *p)
{
	if (p == NULL)
		return;
	dnsview_run_cancel(p->run);
	free(p->domain);
	free(p);
}
