/* SPDX-License-Identifier: ISC */
/*
 * scan - the engine: many domains in flight on one event loop.
 *
 * Objects: a job per domain in flight; an endpoint per (ip, port, MX name),
 * which owns the shared addr_facts and the SMTP probe that fills them; an
 * ipslot per address, which queues endpoints so that no more than per_ip
 * conversations run against one address. A job waits on endpoints through
 * waiters; an endpoint that finishes releases its waiters one by one.
 *
 * A job ends when nothing is pending or its deadline passes. Ending cancels
 * its DNS queries and detaches its waiters; probes go on for the other jobs
 * that share them (each probe is bounded by its own stage deadlines).
 */
#include "probe/scan.h"

#include <event2/event.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "net/dane.h"
#include "net/dns.h"
#include "net/https.h"
#include "net/tls.h"
#include "proto/dnsmsg.h"
#include "proto/tlsa.h"
#include "probe/mtasts_probe.h"
#include "probe/records_probe.h"
#include "probe/web_probe.h"
#include "probe/smtp_probe.h"
#include "probe/tls_enum.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define SCAN_MAX_MX      32 /* MX hosts probed per domain */
#define SCAN_MAX_ADDRS   16 /* addresses probed per MX host */
#define SCAN_TRIES       3  /* conversations with an endpoint that greets 421 */
#define SCAN_RETRY_DELAY 1.0 /* seconds, times the attempt number */

enum endpoint_state { ENDPOINT_QUEUED, ENDPOINT_RUNNING, ENDPOINT_DONE };

struct waiter {
	struct job *job;         /* borrowed */
	struct endpoint *ep;     /* borrowed */
	struct waiter *next;     /* in the endpoint's list */
	struct waiter *job_next; /* in the job's list */
};

struct endpoint {
	struct scan *scan;        /* borrowed */
	struct addr_facts *facts; /* counted reference */
	struct ipslot *slot;      /* borrowed */
	enum endpoint_state state;
	struct smtp_probe *probe;    /* owned while running */
	struct waiter *waiters;      /* owned */
	struct endpoint *queue_next; /* in the slot's queue */
	struct event *retry; /* owned, NULL until a 421 asks to come back */
	struct event *pace;  /* owned, NULL until the rate holds it back */
	struct tls_enum *tls_enum; /* owned while the TLS probes run */
	const struct smtp_probe_config *cfg; /* borrowed: mail's or web's */
};

/*
 * The protocol and cipher probes of one address and port, shared by every
 * endpoint there: a provider's MX serves thousands of names from a few
 * addresses, and its TLS stack answers the same whatever the SNI. The
 * receiver test (certificate, name) stays per name.
 */
struct probeset {
	struct endpoint *owner; /* borrowed: its facts get the answers */
	bool done;
	struct endpoint **waiting; /* owned array; endpoints borrowed */
	size_t nwaiting;
};

struct ipslot {
	size_t running;
	struct endpoint *head, *tail; /* queued endpoints, borrowed */
	struct timeval next_ok; /* --per-ip-rate: the next connection's time */
};

struct job_query {
	struct job *job;     /* borrowed */
	struct dns_query *q; /* pending query, NULL once answered */
	size_t mx;           /* index into r->mx, for A/AAAA */
	int type;
	struct job_query *next;
};

struct job {
	struct scan *scan;       /* borrowed */
	struct domain_result *r; /* owned until reported */
	size_t pending;
	struct job_query *queries;     /* owned */
	struct waiter *waiters;        /* borrowed; owned by endpoints */
	struct event *deadline;        /* owned */
	struct mtasts_probe *sts;      /* owned while it runs */
	struct records_probe *records; /* owned while it runs */
	struct web_probe *web;         /* owned while it runs */
	struct timeval t0;
	struct job *prev, *next; /* jobs in flight */
};

struct scan {
	struct event_base *base; /* borrowed */
	struct scan_config cfg;
	struct dns *dns;       /* owned */
	struct https *https;   /* owned: MTA-STS policy fetches */
	struct orgdomain *psl; /* owned: public suffix list (DMARC) */
	SSL_CTX *ssl_ctx;      /* owned */
	X509_STORE *store;     /* owned */
	struct smtp_probe_config probe_cfg;
	struct smtp_probe_config web_cfg; /* port 443: TLS only */
	scan_result_cb cb;
	void *arg;
	char **queue; /* owned domains not started */
	size_t nqueue, queue_pos;
	scan_source_fn source; /* then these, or NULL */
	void *source_arg;
	struct job *jobs; /* in flight */
	size_t njobs;
	struct strmap endpoints; /* key "ip|port|name" -> struct endpoint */
	struct strmap slots;     /* ip -> struct ipslot */
	struct strmap probesets; /* "ip|port" -> struct probeset */
};

static void job_finish(struct job *j);
static void job_start_next(struct scan *s);

static double
elapsed_ms(const struct timeval *t0)
{
	struct timeval now, d;

	gettimeofday(&now, NULL);
	timersub(&now, t0, &d);
	return (double)d.tv_sec * 1000.0 + (double)d.tv_usec / 1000.0;
}

static void
seconds_to_tv(double s, struct timeval *tv)
{
	tv->tv_sec = (time_t)s;
	tv->tv_usec = (suseconds_t)((s - (double)tv->tv_sec) * 1e6);
}

/* job_task_done - one pending task of j completed */
static void
job_task_done(struct job *j)
{
	ASSERT(j->pending > 0);
	if (--j->pending == 0)
		job_finish(j);
}

static void endpoint_start(struct endpoint *ep);
static void endpoint_release(struct endpoint *ep);
static void endpoint_on_probes(struct addr_facts *facts, void *arg);
static bool endpoint_probes(struct endpoint *ep);
static double endpoint_slot_pace(void *arg);
static void endpoint_schedule(struct endpoint *ep);

/* endpoint_busy - a 421 greeting: "too busy now", not "no TLS" */
static bool
endpoint_busy(const struct addr_facts *f)
{
	return f->fail_stage == SMTP_STAGE_BANNER && f->banner_code == 421 &&
	    f->attempts < SCAN_TRIES;
}

static void
endpoint_on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct endpoint *ep = arg;

	(void)fd;
	(void)what;
	addr_facts_clear(ep->facts);
	endpoint_schedule(ep);
}

/* endpoint_slot_next - start queued endpoints while the slot has room */
static void
endpoint_slot_next(struct scan *s, struct ipslot *slot)
{
	struct endpoint *next;

	while (slot->running < s->cfg.per_ip && slot->head != NULL) {
		next = slot->head;
		slot->head = next->queue_next;
		if (slot->head == NULL)
			slot->tail = NULL;
		next->queue_next = NULL;
		endpoint_start(next);
	}
}

/* endpoint_slot_acquire - one more connection to ep's address, if free */
static bool
endpoint_slot_acquire(void *arg)
{
	struct endpoint *ep = arg;

	if (ep->slot->running >= ep->scan->cfg.per_ip)
		return false;
	ep->slot->running++;
	return true;
}

static void
endpoint_slot_release(void *arg)
{
	struct endpoint *ep = arg;

	ep->slot->running--;
	endpoint_slot_next(ep->scan, ep->slot);
}

static void
endpoint_on_done(struct addr_facts *facts, void *arg)
{
	struct endpoint *ep = arg;
	struct ipslot *slot = ep->slot;
	struct timeval tv;

	ep->probe = NULL;
	if (!endpoint_busy(facts) && ep->scan->cfg.tls_probes &&
	    (facts->starttls_code == 220 ||
	        (facts->implicit_tls && facts->tls.attempted)) &&
	    !facts->probes.ran && endpoint_probes(ep))
		return;
	slot->running--;
	if (endpoint_busy(facts)) {
		log_info(
		    "%s:%u: greeted 421, trying again", facts->ip, facts->port);
		ep->state = ENDPOINT_QUEUED;
		if (ep->retry == NULL)
			ep->retry =
			    evtimer_new(ep->scan->base, endpoint_on_retry, ep);
		seconds_to_tv(SCAN_RETRY_DELAY * facts->attempts, &tv);
		evtimer_add(ep->retry, &tv);
		endpoint_slot_next(ep->scan, slot);
		return;
	}
	endpoint_release(ep);
}

/*
 * endpoint_probes - the probes of ep's address and port: start them (true:
 * ep waits in its slot), wait for another endpoint's run (true: ep waits
 * without holding a connection), or copy a finished run (false)
 */
static bool
endpoint_probes(struct endpoint *ep)
{
	struct scan *s = ep->scan;
	struct probeset *ps;
	char key[80];

	snprintf(key, sizeof(key), "%s|%u", ep->facts->ip, ep->facts->port);
	if ((ps = strmap_get(&s->probesets, key)) == NULL) {
		/* the protocol and cipher probes, within the same slot */
		struct tls_enum_slots slots = { endpoint_slot_acquire,
			endpoint_slot_release, endpoint_slot_pace, ep };

		ps = xcalloc(1, sizeof(*ps));
		ps->owner = ep;
		strmap_put(&s->probesets, key, ps);
		ep->tls_enum = tls_enum_start(ep->cfg, ep->facts,
		    s->cfg.ciphers ? TLS_ENUM_CIPHERS : 0, &slots,
		    endpoint_on_probes, ep);
		return true;
	}
	if (ps->done) {
		ep->facts->probes = ps->owner->facts->probes;
		return false;
	}
	ps->waiting =
	    xreallocarray(ps->waiting, ps->nwaiting + 1, sizeof(*ps->waiting));
	ps->waiting[ps->nwaiting++] = ep;
	ep->slot->running--;
	endpoint_slot_next(s, ep->slot);
	return true;
}

static void
endpoint_on_probes(struct addr_facts *facts, void *arg)
{
	struct endpoint *ep = arg, *w;
	struct probeset *ps;
	char key[80];
	size_t i;

	ep->tls_enum = NULL;
	ep->slot->running--;
	snprintf(key, sizeof(key), "%s|%u", facts->ip, facts->port);
	ps = strmap_get(&ep->scan->probesets, key);
	endpoint_release(ep);
	if (ps == NULL)
		return;
	ps->done = true;
	for (i = 0; i < ps->nwaiting; i++) {
		w = ps->waiting[i];
		w->facts->probes = facts->probes;
		endpoint_release(w);
	}
	free(ps->waiting);
	ps->waiting = NULL;
	ps->nwaiting = 0;
}

/* endpoint_release - the facts are final: wake the waiting jobs */
static void
endpoint_release(struct endpoint *ep)
{
	struct waiter *w, *list;

	ep->state = ENDPOINT_DONE;
	/* detach first: finishing a job edits waiter lists */
	list = ep->waiters;
	ep->waiters = NULL;
	while ((w = list) != NULL) {
		struct waiter **pw;

		list = w->next;
		for (pw = &w->job->waiters; *pw != w; pw = &(*pw)->job_next)
			;
		*pw = w->job_next;
		job_task_done(w->job);
		free(w);
	}
	endpoint_slot_next(ep->scan, ep->slot);
}

/*
 * ipslot_pace - --per-ip-rate: reserve the next connection to the slot's
 * address; the seconds to wait before opening it (0: now)
 */
static double
ipslot_pace(struct scan *s, struct ipslot *slot)
{
	struct timeval now, step, wait;

	if (s->cfg.per_ip_rate <= 0)
		return 0;
	gettimeofday(&now, NULL);
	if (timercmp(&slot->next_ok, &now, <))
		slot->next_ok = now;
	timersub(&slot->next_ok, &now, &wait);
	seconds_to_tv(1.0 / s->cfg.per_ip_rate, &step);
	timeradd(&slot->next_ok, &step, &slot->next_ok);
	return (double)wait.tv_sec + (double)wait.tv_usec / 1e6;
}

/* endpoint_slot_pace - the same, for the TLS probes of ep's address */
static double
endpoint_slot_pace(void *arg)
{
	struct endpoint *ep = arg;

	return ipslot_pace(ep->scan, ep->slot);
}

static void
endpoint_on_pace(evutil_socket_t fd, short what, void *arg)
{
	struct endpoint *ep = arg;

	(void)fd;
	(void)what;
	ep->probe = smtp_probe_start(ep->cfg, ep->facts, endpoint_on_done, ep);
}

static void
endpoint_start(struct endpoint *ep)
{
	struct timeval tv;
	double d;

	ep->state = ENDPOINT_RUNNING;
	ep->slot->running++;
	ep->facts->attempts++;
	if ((d = ipslot_pace(ep->scan, ep->slot)) > 0) {
		if (ep->pace == NULL)
			ep->pace =
			    evtimer_new(ep->scan->base, endpoint_on_pace, ep);
		seconds_to_tv(d, &tv);
		evtimer_add(ep->pace, &tv);
		return;
	}
	ep->probe = smtp_probe_start(ep->cfg, ep->facts, endpoint_on_done, ep);
}

/* endpoint_schedule - start now, or queue behind the address's limit */
static void
endpoint_schedule(struct endpoint *ep)
{
	struct ipslot *slot = ep->slot;

	if (slot->running < ep->scan->cfg.per_ip) {
		endpoint_start(ep);
		return;
	}
	ep->state = ENDPOINT_QUEUED;
	if (slot->tail != NULL)
		slot->tail->queue_next = ep;
	else
		slot->head = ep;
	slot->tail = ep;
}

/*
 * scan_endpoint - the shared endpoint for (ip, port, name), made on demand;
 * web: port 443, TLS only (the web side's probes), else the mail port
 */
static struct endpoint *
scan_endpoint(
    struct scan *s, const char *ip, int family, const char *name, bool web)
{
	struct endpoint *ep;
	struct ipslot *slot;
	char key[64 + 8 + DNSMSG_NAMEMAX]; /* ip|port|name */
	uint16_t port = web ? 443 : s->cfg.port;

	snprintf(key, sizeof(key), "%s|%u|%s", ip, port, name);
	if ((ep = strmap_get(&s->endpoints, key)) != NULL)
		return ep;
	if ((slot = strmap_get(&s->slots, ip)) == NULL) {
		slot = xcalloc(1, sizeof(*slot));
		strmap_put(&s->slots, ip, slot);
	}
	ep = xcalloc(1, sizeof(*ep));
	ep->scan = s;
	ep->facts = addr_facts_new(ip, family, port, name);
	ep->facts->implicit_tls = web || s->cfg.implicit_tls;
	ep->cfg = web ? &s->web_cfg : &s->probe_cfg;
	ep->slot = slot;
	strmap_put(&s->endpoints, key, ep);
	endpoint_schedule(ep);
	return ep;
}

static void job_wait(struct job *j, struct endpoint *ep);

/* job_add_address - an address of MX mx: share its facts, wait for them */
static void
job_add_address(struct job *j, size_t mx, const char *ip, int family)
{
	struct mx_host *m = &j->r->mx[mx];
	struct endpoint *ep;
	size_t i;

	for (i = 0; i < m->naddrs; i++)
		if (strcmp(m->addrs[i].facts->ip, ip) == 0)
			return;
	if (m->naddrs >= SCAN_MAX_ADDRS)
		return;
	ep = scan_endpoint(j->scan, ip, family, m->host, false);
	m->addrs = xreallocarray(m->addrs, m->naddrs + 1, sizeof(*m->addrs));
	m->addrs[m->naddrs++].facts = addr_facts_ref(ep->facts);
	job_wait(j, ep);
}

/* job_wait - j waits for ep's facts, unless they are final */
static void
job_wait(struct job *j, struct endpoint *ep)
{
	struct waiter *w;

	if (ep->state == ENDPOINT_DONE)
		return;
	w = xcalloc(1, sizeof(*w));
	w->job = j;
	w->ep = ep;
	w->next = ep->waiters;
	ep->waiters = w;
	w->job_next = j->waiters;
	j->waiters = w;
	j->pending++;
}

static void job_on_dns(void *arg, const struct dns_reply *reply);

/*
 * job_on_web - the four web endpoints are known: the TLS probes of port
 * 443 at the address that answered HTTPS (the root's, else www's)
 */
static void
job_on_web(void *arg)
{
	struct job *j = arg;
	struct web_facts *w = &j->r->web;
	const struct web_endpoint *e = NULL;
	struct endpoint *ep;
	struct in6_addr a6;
	char host[DNSMSG_NAMEMAX + 8];

	j->web = NULL;
	if (w->ep[WEB_EP_HTTPS_ROOT].tls_handshake)
		e = &w->ep[WEB_EP_HTTPS_ROOT];
	else if (w->ep[WEB_EP_HTTPS_WWW].tls_handshake)
		e = &w->ep[WEB_EP_HTTPS_WWW];
	if (e != NULL && e->ip != NULL) {
		snprintf(host, sizeof(host), "%s%s", e->www ? "www." : "",
		    j->r->domain);
		ep = scan_endpoint(j->scan, e->ip,
		    inet_pton(AF_INET6, e->ip, &a6) == 1 ? 6 : 4, host, true);
		w->tls443 = addr_facts_ref(ep->facts);
		job_wait(j, ep);
	}
	job_task_done(j);
}

/* job_web - the web side: the four endpoints, then port 443's TLS */
static void
job_web(struct job *j)
{
	struct scan *s = j->scan;
	struct web_probe_config wc;

	wc.base = s->base;
	wc.dns = s->dns;
	wc.https = s->https;
	wc.timeout = s->cfg.timeout;
	j->web = web_probe_start(&wc, j->r->domain, &j->r->web, job_on_web, j);
	j->pending++;
}

static void
job_query(struct job *j, const char *name, int type, size_t mx)
{
	struct job_query *jq = xcalloc(1, sizeof(*jq));

	jq->job = j;
	jq->mx = mx;
	jq->type = type;
	jq->q = dns_query(j->scan->dns, name, type, job_on_dns, jq);
	if (jq->q == NULL) {
		struct dns_reply reply;

		/* record a failed query; no callback will come */
		memset(&reply, 0, sizeof(reply));
		reply.status = DNS_STATUS_ERROR;
		reply.rcode = -1;
		reply.error = "resolver refused the query";
		free(jq);
		if (type == DNS_TYPE_MX)
			dns_answer_info_set(&j->r->mx_answer, &reply);
		else if (type == DNS_TYPE_TLSA)
			dns_answer_info_set(&j->r->mx[mx].dane.answer, &reply);
		else
			dns_answer_info_set(type == DNS_TYPE_A
			        ? &j->r->mx[mx].a
			        : &j->r->mx[mx].aaaa,
			    &reply);
		return;
	}
	jq->next = j->queries;
	j->queries = jq;
	j->pending++;
}

/* scan_is_literal - an IPv4 or IPv6 address where a host name should be */
static bool
scan_is_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static int
mx_cmp(const void *a, const void *b)
{
	const struct mx_host *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->host, y->host);
}

static void
job_on_sts(void *arg)
{
	struct job *j = arg;

	j->sts = NULL;
	job_task_done(j);
}

static void
job_on_records(void *arg)
{
	struct job *j = arg;

	j->records = NULL;
	job_task_done(j);
}

/*
 * job_policies - the domain exists and takes mail: look at what it
 * publishes for senders (MTA-STS). After the MX answer, not with it: a
 * domain that does not exist or takes no mail has no policy to check.
 */
static void
job_policies(struct job *j)
{
	struct scan *s = j->scan;
	struct mtasts_probe_config mc;
	struct records_probe_config rc;

	if (!s->cfg.policies)
		return;
	/* SPF and DMARC: every domain that exists, mail or not (RFC 7505) */
	rc.base = s->base;
	rc.dns = s->dns;
	rc.psl = s->psl;
	j->records = records_probe_start(
	    &rc, j->r->domain, &j->r->records, job_on_records, j);
	if (j->records != NULL)
		j->pending++;
	if (j->r->mx_source != MX_SOURCE_MX &&
	    j->r->mx_source != MX_SOURCE_IMPLICIT)
		return;
	mc.base = s->base;
	mc.dns = s->dns;
	mc.https = s->https;
	mc.timeout = s->cfg.timeout;
	j->sts =
	    mtasts_probe_start(&mc, j->r->domain, &j->r->mtasts, job_on_sts, j);
	j->pending++;
}

/* job_on_mx - the MX answer: build the MX list, ask for its addresses */
static void
job_on_mx(struct job *j, const struct dns_reply *reply)
{
	struct domain_result *r = j->r;
	const struct dnsmsg *msg = reply->msg;
	char host[DNSMSG_NAMEMAX];
	uint16_t pref;
	size_t i, k, nnull = 0;
	bool dup;

	dns_answer_info_set(&r->mx_answer, reply);
	if (reply->dnssec == DNSSEC_BOGUS)
		return;
	if (reply->status == DNS_STATUS_NODATA) {
		/* RFC 5321 5.1: the domain itself is the implicit MX */
		r->mx_source = MX_SOURCE_IMPLICIT;
		r->mx = xcalloc(1, sizeof(*r->mx));
		r->mx[0].host = xstrdup(r->domain);
		r->mx[0].preference = -1;
		r->nmx = 1;
	} else if (reply->status == DNS_STATUS_OK && msg != NULL) {
		r->mx_source = MX_SOURCE_MX;
		for (i = 0; i < msg->nrr; i++) {
			if (msg->rr[i].section != 1 ||
			    msg->rr[i].type != DNS_TYPE_MX)
				continue;
			if (dnsmsg_rr_mx(reply->packet, reply->len, &msg->rr[i],
			        &pref, host, sizeof(host), NULL) != 0)
				continue;
			if (strcmp(host, ".") == 0) {
				nnull++;
				continue;
			}
			str_lower(host);
			for (dup = false, k = 0; k < r->nmx; k++) {
				if (strcmp(r->mx[k].host, host) != 0)
					continue;
				dup = true;
				if (pref < r->mx[k].preference)
					r->mx[k].preference = pref;
			}
			if (dup)
				continue;
			r->mx =
			    xreallocarray(r->mx, r->nmx + 1, sizeof(*r->mx));
			memset(&r->mx[r->nmx], 0, sizeof(r->mx[0]));
			r->mx[r->nmx].host = xstrdup(host);
			r->mx[r->nmx].preference = pref;
			r->nmx++;
		}
		/* RFC 7505: "0 ." alone means the domain takes no mail */
		if (nnull > 0 && r->nmx == 0)
			r->mx_source = MX_SOURCE_NULL;
		if (r->nmx > 1)
			qsort(r->mx, r->nmx, sizeof(*r->mx), mx_cmp);
		/* the cap keeps the most preferred hosts, so it comes last */
		while (r->nmx > SCAN_MAX_MX) {
			free(r->mx[--r->nmx].host);
			r->mx_dropped++;
		}
	} else {
		return;
	}
	job_policies(j);
	for (i = 0; i < r->nmx; i++) {
		r->mx[i].a.rcode = r->mx[i].aaaa.rcode = -1;
		if (scan_is_literal(r->mx[i].host)) {
			/* "10 192.0.2.1.": a name that is no name */
			r->mx[i].literal = true;
			continue;
		}
		job_query(j, r->mx[i].host, DNS_TYPE_A, i);
		job_query(j, r->mx[i].host, DNS_TYPE_AAAA, i);
	}
}

static void
job_on_addr(struct job *j, size_t mx, int type, const struct dns_reply *reply)
{
	struct mx_host *m = &j->r->mx[mx];
	const struct dnsmsg *msg = reply->msg;
	char ip[64], alias[DNSMSG_NAMEMAX];
	int family;
	size_t i;

	dns_answer_info_set(type == DNS_TYPE_A ? &m->a : &m->aaaa, reply);
	if (msg == NULL || reply->dnssec == DNSSEC_BOGUS)
		return;
	for (i = 0; i < msg->nrr && m->cname == NULL; i++) {
		if (msg->rr[i].section != 1 ||
		    msg->rr[i].type != DNS_TYPE_CNAME ||
		    strcasecmp(msg->rr[i].name, m->host) != 0)
			continue;
		if (dnsmsg_rr_cname(reply->packet, reply->len, &msg->rr[i],
		        alias, sizeof(alias), NULL) == 0)
			m->cname = str_lower(xstrdup(alias));
	}
	if (reply->status != DNS_STATUS_OK)
		return;
	for (i = 0; i < msg->nrr; i++) {
		if (msg->rr[i].section != 1 || msg->rr[i].type != type)
			continue;
		if (dnsmsg_rr_addr(reply->packet, reply->len, &msg->rr[i],
		        &family, ip, sizeof(ip), NULL) != 0)
			continue;
		job_add_address(j, mx, ip, family == AF_INET6 ? 6 : 4);
	}
}

/*
 * job_dane_ask - both address answers of MX m are in: ask for its TLSA
 * records when they are DNSSEC-secure (RFC 7672 2.2.1: DANE needs secure
 * address records), else DANE cannot apply.
 */
static void
job_dane_ask(struct job *j, size_t mx)
{
	struct mx_host *m = &j->r->mx[mx];
	const struct dns_answer_info *a = &m->a, *aaaa = &m->aaaa;
	char name[DNSMSG_NAMEMAX + 16];

	if (a->status == DNS_STATUS_NONE || aaaa->status == DNS_STATUS_NONE)
		return; /* the other one is still out */
	if (m->naddrs == 0)
		return;
	if (a->dnssec == DNSSEC_BOGUS || aaaa->dnssec == DNSSEC_BOGUS) {
		m->dane.status = DANE_STATUS_BOGUS;
		return;
	}
	if ((a->status == DNS_STATUS_OK && a->dnssec != DNSSEC_SECURE) ||
	    (aaaa->status == DNS_STATUS_OK && aaaa->dnssec != DNSSEC_SECURE)) {
		m->dane.status = DANE_STATUS_INSECURE;
		return;
	}
	m->dane.ran = true;
	m->dane.answer.rcode = -1;
	snprintf(name, sizeof(name), "_%u._tcp.%s", j->scan->cfg.port,
	    m->cname != NULL ? m->cname : m->host);
	job_query(j, name, DNS_TYPE_TLSA, mx);
}

/* job_on_tlsa - the TLSA RRset of MX mx */
static void
job_on_tlsa(struct job *j, size_t mx, const struct dns_reply *reply)
{
	struct dane_facts *d = &j->r->mx[mx].dane;
	const struct dnsmsg *msg = reply->msg;
	const uint8_t *rd;
	struct tlsa_rr rr;
	char text[2 * 1024 + 16];
	size_t i;

	dns_answer_info_set(&d->answer, reply);
	if (reply->dnssec == DNSSEC_BOGUS) {
		d->status = DANE_STATUS_BOGUS;
		return;
	}
	if (reply->status != DNS_STATUS_OK &&
	    reply->status != DNS_STATUS_NODATA &&
	    reply->status != DNS_STATUS_NXDOMAIN)
		return; /* unknown: the lookup failed */
	if (reply->dnssec != DNSSEC_SECURE) {
		d->status = DANE_STATUS_INSECURE;
		return;
	}
	d->status = DANE_STATUS_NONE;
	for (i = 0; msg != NULL && i < msg->nrr && d->ntlsa < DANE_MAXRR; i++) {
		if (msg->rr[i].section != 1 || msg->rr[i].type != DNS_TYPE_TLSA)
			continue;
		rd = reply->packet + msg->rr[i].rdoff;
		if (msg->rr[i].rdoff + msg->rr[i].rdlen > reply->len ||
		    tlsa_parse_rdata(rd, msg->rr[i].rdlen, &rr, NULL) != 0)
			continue;
		if (tlsa_format(&rr, text, sizeof(text)) >= sizeof(text))
			continue; /* Full(0) data this long: not for SMTP */
		d->tlsa =
		    xreallocarray(d->tlsa, d->ntlsa + 1, sizeof(*d->tlsa));
		d->tlsa[d->ntlsa++] = xstrdup(text);
		switch (tlsa_smtp_status(&rr)) {
		case TLSA_USABLE:
			d->nusable++;
			break;
		case TLSA_UNUSABLE_PKIX:
			d->npkix++;
			break;
		default:
			d->nunknown++;
			break;
		}
	}
	if (d->ntlsa > 0)
		d->status =
		    d->nusable > 0 ? DANE_STATUS_UNKNOWN : DANE_STATUS_UNUSABLE;
}

static void
job_on_dns(void *arg, const struct dns_reply *reply)
{
	struct job_query *jq = arg, **pq;
	struct job *j = jq->job;

	for (pq = &j->queries; *pq != jq; pq = &(*pq)->next)
		;
	*pq = jq->next;
	if (jq->type == DNS_TYPE_MX) {
		job_on_mx(j, reply);
	} else if (jq->type == DNS_TYPE_TLSA) {
		job_on_tlsa(j, jq->mx, reply);
	} else {
		job_on_addr(j, jq->mx, jq->type, reply);
		job_dane_ask(j, jq->mx);
	}
	free(jq);
	job_task_done(j);
}

static void
job_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	log_debug("%s: domain deadline passed", j->r->domain);
	j->r->timed_out = true;
	job_finish(j);
}

/* job_dane_chain - the chain an address presented, or NULL */
static STACK_OF(X509) *
job_dane_chain(const struct tls_info *t)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	const unsigned char *p;
	X509 *x;
	size_t i;

	for (i = 0; sk != NULL && i < t->nchain; i++) {
		p = t->chain[i].der;
		if (p == NULL ||
		    (x = d2i_X509(NULL, &p, (long)t->chain[i].der_len)) ==
		        NULL ||
		    sk_X509_push(sk, x) <= 0) {
			sk_X509_pop_free(sk, X509_free);
			return NULL;
		}
	}
	return sk;
}

/*
 * job_dane_match - each address of each MX with usable TLSA records
 * against them: every one that speaks TLS must match (RFC 7672 2.2)
 */
static void
job_dane_match(struct domain_result *r)
{
	unsigned char(*bufs)[1024];
	struct tlsa_rr rrs[DANE_MAXRR];
	struct dane_params dp;
	struct dane_result res;
	STACK_OF(X509) *sk;
	const struct addr_facts *f;
	struct dane_facts *d;
	size_t i, k, n;
	bool any;

	for (i = 0; i < r->nmx; i++) {
		d = &r->mx[i].dane;
		if (d->status != DANE_STATUS_UNKNOWN || d->nusable == 0)
			continue;
		bufs = xcalloc(d->ntlsa, sizeof(*bufs));
		for (n = k = 0; k < d->ntlsa; k++)
			if (tlsa_parse_text(d->tlsa[k], strlen(d->tlsa[k]),
			        &rrs[n], bufs[n], sizeof(bufs[n]), NULL) == 0)
				n++;
		memset(&dp, 0, sizeof(dp));
		dp.mx = r->mx[i].host;
		dp.next_hop = r->domain;
		dp.rrs = rrs;
		dp.nrrs = n;
		d->status = DANE_STATUS_VALID;
		any = false;
		for (k = 0; k < r->mx[i].naddrs; k++) {
			f = r->mx[i].addrs[k].facts;
			if (!f->done)
				continue;
			if (!f->tls.ok) {
				d->status = DANE_STATUS_MISMATCH;
				free(d->detail);
				d->detail =
				    xasprintf("%s: no TLS to check", f->ip);
				continue;
			}
			if ((sk = job_dane_chain(&f->tls)) == NULL)
				continue;
			if (dane_match_chain(sk, &dp, &res) == 0 &&
			    res.matched) {
				any = true;
			} else if (d->status != DANE_STATUS_MISMATCH) {
				d->status = DANE_STATUS_MISMATCH;
				d->detail = xasprintf("%s: %s", f->ip,
				    res.error != NULL ? res.error : "no match");
			}
			sk_X509_pop_free(sk, X509_free);
		}
		free(bufs);
		if (d->status == DANE_STATUS_VALID && !any)
			d->status = DANE_STATUS_UNKNOWN;
	}
}

/* job_finish - report the domain, release everything the job holds */
static void
job_finish(struct job *j)
{
	struct scan *s = j->scan;
	struct job_query *jq;
	struct waiter *w, **pw;

	while ((jq = j->queries) != NULL) {
		j->queries = jq->next;
		dns_query_cancel(jq->q);
		free(jq);
	}
	while ((w = j->waiters) != NULL) {
		j->waiters = w->job_next;
		for (pw = &w->ep->waiters; *pw != w; pw = &(*pw)->next)
			;
		*pw = w->next;
		free(w);
	}
	event_free(j->deadline);
	mtasts_probe_cancel(j->sts);
	web_probe_cancel(j->web);
	records_probe_cancel(j->records);
	job_dane_match(j->r);
	j->r->duration_ms = elapsed_ms(&j->t0);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		s->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	s->njobs--;
	s->cb(j->r, s->arg);
	free(j);
	job_start_next(s);
}

static void
job_start(struct scan *s, const char *domain)
{
	struct job *j = xcalloc(1, sizeof(*j));
	struct timeval tv;

	j->scan = s;
	j->r = domain_result_new(domain);
	gettimeofday(&j->t0, NULL);
	j->deadline = evtimer_new(s->base, job_on_deadline, j);
	seconds_to_tv(s->cfg.domain_timeout, &tv);
	evtimer_add(j->deadline, &tv);
	j->next = s->jobs;
	if (s->jobs != NULL)
		s->jobs->prev = j;
	s->jobs = j;
	s->njobs++;
	j->pending = 1; /* held until the first query is issued */
	j->r->mail_checked = s->cfg.mail;
	if (s->cfg.mail)
		job_query(j, domain, DNS_TYPE_MX, 0);
	if (s->cfg.web)
		job_web(j);
	job_task_done(j);
}

/* job_start_next - fill the flight up to the concurrency limit */
static void
job_start_next(struct scan *s)
{
	char name[DNSMSG_NAMEMAX];

	while (s->njobs < s->cfg.concurrency) {
		if (s->queue_pos < s->nqueue) {
			char *d = s->queue[s->queue_pos];

			s->queue[s->queue_pos++] = NULL;
			job_start(s, d);
			free(d);
			continue;
		}
		if (s->source == NULL)
			break;
		if (!s->source(s->source_arg, name, sizeof(name))) {
			s->source = NULL;
			break;
		}
		job_start(s, name);
	}
	if (s->njobs == 0 && s->queue_pos == s->nqueue && s->source == NULL)
		event_base_loopexit(s->base, NULL);
}

struct scan *
scan_new(struct event_base *base, const struct scan_config *cfg,
    scan_result_cb cb, void *arg, char **err)
{
	struct scan *s = xcalloc(1, sizeof(*s));
	struct dns_config dc;
	struct https_config hc;
	struct https_resolver resolver;

	*err = NULL;
	s->base = base;
	s->cfg = *cfg;
	s->cb = cb;
	s->arg = arg;
	memset(&dc, 0, sizeof(dc));
	dc.resolver = cfg->resolver;
	dc.trust_anchor = cfg->trust_anchor;
	dc.root_hints = cfg->root_hints;
	dc.timeout = cfg->timeout;
	dc.debug = cfg->dns_debug;
	memset(&hc, 0, sizeof(hc));
	hc.ca_file = cfg->ca_file;
	hc.user_agent = "mxaudit";
	hc.resolver = &resolver;
	if ((s->dns = dns_new(base, &dc, err)) == NULL ||
	    (s->ssl_ctx = tls_client_ctx_new(err)) == NULL ||
	    (s->store = tls_store_new(cfg->ca_file, err)) == NULL) {
		scan_free(s);
		return NULL;
	}
	/* redirect targets are resolved by our resolver, never by curl */
	web_probe_resolver(s->dns, &resolver);
	if ((s->https = https_new(base, &hc, err)) == NULL) {
		scan_free(s);
		return NULL;
	}
	if ((s->psl = orgdomain_new_latest()) == NULL) {
		*err = xstrdup("cannot load the public suffix list "
		               "(Debian package publicsuffix)");
		scan_free(s);
		return NULL;
	}
	s->probe_cfg.base = base;
	s->probe_cfg.ssl_ctx = s->ssl_ctx;
	s->probe_cfg.store = s->store;
	s->probe_cfg.ehlo_name = cfg->ehlo_name;
	s->probe_cfg.timeout = cfg->timeout;
	s->probe_cfg.transcript = cfg->transcript;
	s->probe_cfg.tls_only = cfg->implicit_tls && cfg->port == 443;
	s->web_cfg = s->probe_cfg;
	s->web_cfg.tls_only = true;
	s->web_cfg.transcript = false;
	strmap_init(&s->endpoints);
	strmap_init(&s->probesets);
	strmap_init(&s->slots);
	return s;
}

void
scan_add(struct scan *s, const char *domain)
{
	s->queue = xreallocarray(s->queue, s->nqueue + 1, sizeof(*s->queue));
	s->queue[s->nqueue++] = xstrdup(domain);
}

void
scan_set_source(struct scan *s, scan_source_fn fn, void *arg)
{
	s->source = fn;
	s->source_arg = arg;
}

void
scan_run(struct scan *s)
{
	job_start_next(s);
	if (s->njobs > 0)
		event_base_dispatch(s->base);
}

static void
scan_free_endpoints(struct scan *s)
{
	struct strmap_entry *e;
	struct endpoint *ep;
	struct waiter *w;
	size_t i;

	for (i = 0; i < s->endpoints.nbuckets; i++) {
		for (e = s->endpoints.buckets[i]; e != NULL; e = e->next) {
			ep = e->value;
			smtp_probe_cancel(ep->probe);
			tls_enum_cancel(ep->tls_enum);
			if (ep->retry != NULL)
				event_free(ep->retry);
			if (ep->pace != NULL)
				event_free(ep->pace);
			while ((w = ep->waiters) != NULL) {
				ep->waiters = w->next;
				free(w);
			}
			addr_facts_unref(ep->facts);
			free(ep);
		}
	}
	strmap_release(&s->endpoints);
	for (i = 0; i < s->slots.nbuckets; i++)
		for (e = s->slots.buckets[i]; e != NULL; e = e->next)
			free(e->value);
	strmap_release(&s->slots);
	for (i = 0; i < s->probesets.nbuckets; i++) {
		for (e = s->probesets.buckets[i]; e != NULL; e = e->next) {
			struct probeset *ps = e->value;

			free(ps->waiting);
			free(ps);
		}
	}
	strmap_release(&s->probesets);
}

void
scan_free(struct scan *s)
{
	size_t i;

	if (s == NULL)
		return;
	ASSERT(s->jobs == NULL);
	if (s->endpoints.buckets != NULL)
		scan_free_endpoints(s);
	for (i = s->queue_pos; i < s->nqueue; i++)
		free(s->queue[i]);
	free(s->queue);
	https_free(s->https);
	orgdomain_free(s->psl);
	dns_free(s->dns);
	SSL_CTX_free(s->ssl_ctx);
	X509_STORE_free(s->store);
	free(s);
}
