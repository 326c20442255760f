/* SPDX-License-Identifier: ISC */
/*
 * dnsview_run - drive a pure evaluator with answers from net/dns.
 *
 * Design: a strmap from "type/lower-case name" to an entry that is either
 * known (status, records) or pending (wanted this pass, or in flight).
 * Passes always run from a zero-delay timer, never from the start call nor
 * from inside a DNS callback: the callback of the run may free things the
 * DNS layer still has on its stack.
 */
#include "probe/dnsview_run.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "proto/dnsmsg.h"
#include "util/ascii.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define DNSVIEW_RUN_TXT_MAX 65536 /* bytes of one TXT record */

struct dnsview_run_entry {
	struct dnsview_run *run; /* borrowed: the owner */
	char *name;              /* owned: as the evaluator asked */
	int type;
	enum dnsview_status status; /* PENDING until answered */
	bool secure;
	bool wanted; /* asked this pass, query not sent yet */
	char **rr;   /* owned: n records, each owned */
	size_t *len; /* owned: n lengths */
	size_t n;
	struct dns_query *q;            /* in flight, or NULL */
	struct dnsview_run_entry *next; /* all entries */
};

struct dnsview_run {
	struct dnsview_run_config cfg;
	dnsview_run_eval_fn eval;
	dnsview_run_cb cb;
	void *arg;
	struct strmap cache; /* key -> entry (borrowed: owned by entries) */
	struct dnsview_run_entry *entries; /* owned */
	struct dnsview_run_entry **wanted; /* owned array, borrowed entries */
	size_t nwanted;
	size_t inflight;
	struct event *timer; /* owned: runs the next pass */
	char *txt;           /* owned: TXT decoding scratch, or NULL */
	struct dnsview_run_stats stats;
};

static void
dnsview_run_entry_free(struct dnsview_run_entry *e)
{
	size_t i;

	if (e->q != NULL)
		dns_query_cancel(e->q);
	for (i = 0; i < e->n; i++)
		free(e->rr[i]);
	free(e->rr);
	free(e->len);
	free(e->name);
	free(e);
}

static void
dnsview_run_free(struct dnsview_run *r)
{
	struct dnsview_run_entry *e;

	while ((e = r->entries) != NULL) {
		r->entries = e->next;
		dnsview_run_entry_free(e);
	}
	strmap_release(&r->cache);
	free(r->wanted);
	free(r->txt);
	if (r->timer != NULL)
		event_free(r->timer);
	free(r);
}

void
dnsview_run_cancel(struct dnsview_run *r)
{
	if (r != NULL)
		dnsview_run_free(r);
}

/* dnsview_run_key - "type/name", lower case, one trailing dot dropped */
static char *
dnsview_run_key(const char *name, int type)
{
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	return str_lower(xasprintf("%d/%.*s", type, (int)len, name));
}

static enum dnsview_status
dnsview_run_lookup(
    void *ctx, const char *name, int type, struct dnsview_rrset *out)
{
	struct dnsview_run *r = ctx;
	struct dnsview_run_entry *e;
	char *key = dnsview_run_key(name, type);

	memset(out, 0, sizeof(*out));
	e = strmap_get(&r->cache, key);
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->run = r;
		e->name = xstrdup(name);
		e->type = type;
		e->next = r->entries;
		r->entries = e;
		strmap_put(&r->cache, key, e);
		if (r->stats.queries >= r->cfg.max_queries) {
			e->status = DNSVIEW_TEMPFAIL;
			r->stats.capped = true;
		} else {
			e->status = DNSVIEW_PENDING;
			e->wanted = true;
			r->stats.queries++;
			r->wanted = xreallocarray(
			    r->wanted, r->nwanted + 1, sizeof(*r->wanted));
			r->wanted[r->nwanted++] = e;
		}
	}
	free(key);
	out->status = e->status;
	out->secure = e->secure;
	if (e->status == DNSVIEW_OK) {
		out->n = e->n;
		out->rr = (const char *const *)e->rr;
		out->len = e->len;
	}
	return out->status;
}

/* dnsview_run_add - append one decoded record to e */
static void
dnsview_run_add(struct dnsview_run_entry *e, const char *p, size_t len)
{
	if (e->n >= DNSVIEW_RUN_MAX_RRS)
		return;
	e->rr = xreallocarray(e->rr, e->n + 1, sizeof(*e->rr));
	e->len = xreallocarray(e->len, e->n + 1, sizeof(*e->len));
	e->rr[e->n] = xmemdup0(p, len);
	e->len[e->n] = len;
	e->n++;
}

/* dnsview_run_decode - the answer RRs of e's type, in presentation form */
static void
dnsview_run_decode(struct dnsview_run_entry *e, const struct dns_reply *rp)
{
	const struct dnsmsg *msg = rp->msg;
	const struct dnsmsg_rr *rr;
	char buf[DNSMSG_NAMEMAX];
	uint16_t pref;
	size_t i, len;
	int family, rc;

	for (i = 0; i < msg->nrr; i++) {
		rr = &msg->rr[i];
		/* after a CNAME chain the owner differs: the type decides */
		if (rr->section != 1 || rr->type != e->type)
			continue;
		switch (rr->type) {
		case DNSMSG_TYPE_A:
		case DNSMSG_TYPE_AAAA:
			rc = dnsmsg_rr_addr(rp->packet, rp->len, rr, &family,
			    buf, sizeof(buf), NULL);
			len = rc == 0 ? strlen(buf) : 0;
			break;
		case DNSMSG_TYPE_TXT:
			if (e->run->txt == NULL)
				e->run->txt = xmalloc(DNSVIEW_RUN_TXT_MAX);
			rc = dnsmsg_rr_txt(rp->packet, rp->len, rr, e->run->txt,
			    DNSVIEW_RUN_TXT_MAX, &len, NULL);
			if (rc == 0)
				dnsview_run_add(e, e->run->txt, len);
			continue;
		case DNSMSG_TYPE_MX:
			rc = dnsmsg_rr_mx(rp->packet, rp->len, rr, &pref, buf,
			    sizeof(buf), NULL);
			len = rc == 0 ? strlen(buf) : 0;
			break;
		case DNSMSG_TYPE_PTR:
		case DNSMSG_TYPE_CNAME:
		case DNSMSG_TYPE_NS:
			rc = dnsmsg_rr_cname(
			    rp->packet, rp->len, rr, buf, sizeof(buf), NULL);
			len = rc == 0 ? strlen(buf) : 0;
			break;
		default:
			rc = -1;
			len = 0;
			break;
		}
		if (rc == 0)
			dnsview_run_add(e, buf, len);
	}
}

static void
dnsview_run_on_dns(void *arg, const struct dns_reply *rp)
{
	struct dnsview_run_entry *e = arg;
	struct dnsview_run *r = e->run;
	struct timeval now = { 0, 0 };

	e->q = NULL;
	e->secure = rp->dnssec == DNSSEC_SECURE;
	switch (rp->status) {
	case DNS_STATUS_OK:
		if (rp->msg != NULL)
			dnsview_run_decode(e, rp);
		e->status = e->n > 0 ? DNSVIEW_OK : DNSVIEW_NODATA;
		break;
	case DNS_STATUS_NODATA:
		e->status = DNSVIEW_NODATA;
		break;
	case DNS_STATUS_NXDOMAIN:
		e->status = DNSVIEW_NXDOMAIN;
		break;
	default:
		e->status = DNSVIEW_TEMPFAIL;
		break;
	}
	/* a bogus answer is no answer (dnsview.h) */
	if (rp->dnssec == DNSSEC_BOGUS)
		e->status = DNSVIEW_TEMPFAIL;
	if (e->status != DNSVIEW_OK)
		log_debug("%s: dns type %d: %s", e->name, e->type,
		    rp->error != NULL ? rp->error : "no data");
	if (--r->inflight == 0)
		evtimer_add(r->timer, &now);
}

/*
 * dnsview_run_qname - the name in presentation form for libunbound:
 * SPF-expanded names may hold spaces and other bytes a master file would
 * escape; names from DNS answers already carry their escapes
 */
static char *
dnsview_run_qname(const char *name)
{
	size_t i, len = strlen(name), n = 0;
	unsigned char c;
	char *out = xmalloc(len * 4 + 1);

	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c > 0x20 && c < 0x7f && c != ';' && c != '(' && c != ')' &&
		    c != '"') {
			out[n++] = (char)c;
			continue;
		}
		snprintf(out + n, 5, "\\%03u", c);
		n += 4;
	}
	out[n] = '\0';
	return out;
}

/* dnsview_run_send - query what the last pass wanted */
static void
dnsview_run_send(struct dnsview_run *r)
{
	struct dnsview_run_entry *e;
	char *qname;
	size_t i;

	for (i = 0; i < r->nwanted; i++) {
		e = r->wanted[i];
		e->wanted = false;
		qname = dnsview_run_qname(e->name);
		e->q = dns_query(
		    r->cfg.dns, qname, e->type, dnsview_run_on_dns, e);
		free(qname);
		if (e->q == NULL) {
			e->status = DNSVIEW_TEMPFAIL;
			continue;
		}
		r->inflight++;
	}
	r->nwanted = 0;
}

static void
dnsview_run_finish(struct dnsview_run *r)
{
	r->stats.cached = r->cache.count;
	r->cb(r->arg, &r->stats);
	dnsview_run_free(r);
}

/* dnsview_run_on_timer - one pass, then the queries it needs */
static void
dnsview_run_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dnsview_run *r = arg;
	struct dnsview view = { dnsview_run_lookup, r };
	struct timeval now = { 0, 0 };

	(void)fd;
	(void)what;
	r->stats.passes++;
	if (r->eval(r->arg, &view)) {
		dnsview_run_finish(r);
		return;
	}
	if (r->nwanted == 0 && r->inflight == 0) {
		/* nothing to wait for: rerunning would loop forever */
		log_warnx("dnsview: evaluator pending without a lookup");
		r->stats.stuck = true;
		dnsview_run_finish(r);
		return;
	}
	dnsview_run_send(r);
	/* every query refused at once: the next pass sees TEMPFAILs */
	if (r->inflight == 0)
		evtimer_add(r->timer, &now);
}

struct dnsview_run *
dnsview_run_start(const struct dnsview_run_config *cfg,
    dnsview_run_eval_fn eval, dnsview_run_cb cb, void *arg)
{
	struct dnsview_run *r = xcalloc(1, sizeof(*r));
	struct timeval now = { 0, 0 };

	r->cfg = *cfg;
	if (r->cfg.max_queries == 0)
		r->cfg.max_queries = DNSVIEW_RUN_MAX_QUERIES;
	r->eval = eval;
	r->cb = cb;
	r->arg = arg;
	strmap_init(&r->cache);
	r->timer = evtimer_new(cfg->base, dnsview_run_on_timer, r);
	if (r->timer == NULL || evtimer_add(r->timer, &now) != 0) {
		dnsview_run_free(r);
		return NULL;
	}
	return r;
}
