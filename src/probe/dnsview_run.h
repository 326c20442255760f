/* SPDX-License-Identifier: ISC */
/*
 * dnsview_run - drive a pure evaluator (proto/dnsview.h: SPF check_host,
 * the SPF audit, DMARC or TLS-RPT discovery) with answers fetched through
 * net/dns.
 *
 * The driver runs the evaluator against a cache. Every (name, type) the
 * cache lacks answers DNSVIEW_PENDING and is remembered; when the pass
 * returns unfinished, all of them are queried at once, and when the last
 * answer is in, the evaluator runs again from the start. Answers are
 * decoded into the view's presentation form (A/AAAA text, TXT strings
 * joined, MX exchange, PTR/CNAME/NS target) and kept for the whole run, so
 * every pass sees the same data. A cap on queries bounds what a hostile
 * zone can make us send: past it, new lookups answer DNSVIEW_TEMPFAIL.
 */
#ifndef MX_PROBE_DNSVIEW_RUN_H
#define MX_PROBE_DNSVIEW_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/dnsview.h"

struct event_base;
struct dns;
struct dnsview_run;

#define DNSVIEW_RUN_MAX_QUERIES 64  /* default query cap per run */
#define DNSVIEW_RUN_MAX_RRS     128 /* records kept per RRset */

struct dnsview_run_config {
	struct event_base *base; /* borrowed: the loop */
	struct dns *dns;         /* borrowed: the resolver, outlives the run */
	size_t max_queries;      /* 0: DNSVIEW_RUN_MAX_QUERIES */
};

struct dnsview_run_stats {
	size_t passes;  /* evaluator runs */
	size_t queries; /* DNS queries sent (or refused by the resolver) */
	size_t cached;  /* (name, type) pairs known at the end */
	bool capped;    /* some lookups answered TEMPFAIL for the cap */
	bool stuck;     /* the evaluator said unfinished without asking for
			   anything new: the run was abandoned (a bug) */
};

/*
 * dnsview_run_eval_fn - one pass of the evaluator over view: true when it
 * finished (and has stored its result through arg), false when it stopped
 * on DNSVIEW_PENDING. The view and its RRsets are valid during the call.
 */
typedef bool (*dnsview_run_eval_fn)(void *arg, const struct dnsview *view);

/*
 * dnsview_run_cb - the run is over: the last pass finished (or the run was
 * stuck, see stats). Fires exactly once, from the event loop, never inside
 * dnsview_run_start(); the run is freed when it returns, so it must not
 * call dnsview_run_cancel().
 */
typedef void (*dnsview_run_cb)(
    void *arg, const struct dnsview_run_stats *stats);

/*
 * dnsview_run_start - run eval until it finishes. The first pass runs from
 * the loop, as do the next ones. Returns NULL when the run cannot be set
 * up (cb never fires), else a handle valid until cb fires or
 * dnsview_run_cancel().
 */
struct dnsview_run *dnsview_run_start(const struct dnsview_run_config *cfg,
    dnsview_run_eval_fn eval, dnsview_run_cb cb, void *arg);

/* dnsview_run_cancel - stop: queries are cancelled, cb never fires; not
 * from inside eval or cb; NULL is accepted */
void dnsview_run_cancel(struct dnsview_run *r);

#endif
