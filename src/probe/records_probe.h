/* SPDX-License-Identifier: ISC */
/*
 * records_probe - what one domain publishes in DNS for mail: its SPF tree,
 * DMARC (both discoveries) with the external report destinations, and
 * TLS-RPT. The pure evaluators (proto/spf_eval, dmarc, tlsrpt) run over one
 * dnsview_run, so every answer is fetched once and shared between them.
 */
#ifndef MX_PROBE_RECORDS_PROBE_H
#define MX_PROBE_RECORDS_PROBE_H

#include "proto/orgdomain.h"
#include "proto/result.h"

struct dns;
struct event_base;
struct records_probe;

/* records_probe_cb - facts are final; fires once, never inside start */
typedef void (*records_probe_cb)(void *arg);

struct records_probe_config {
	struct event_base *base;     /* borrowed */
	struct dns *dns;             /* borrowed */
	const struct orgdomain *psl; /* borrowed: the public suffix list */
};

/*
 * records_probe_start - evaluate domain (normalised); f (borrowed, must
 * outlive the probe) receives the results. NULL when the run cannot start
 * (cb never fires; f->ran stays false).
 */
struct records_probe *records_probe_start(
    const struct records_probe_config *cfg, const char *domain,
    struct records_facts *f, records_probe_cb cb, void *arg);
/* records_probe_cancel - stop; cb never fires. Accepts NULL. */
void records_probe_cancel(struct records_probe *p);

#endif
