/* SPDX-License-Identifier: ISC */
/*
 * dns - asynchronous, validating DNS on the process's event loop.
 *
 * libunbound delivers a whole wire-format answer; proto/dnsmsg parses it.
 * libunbound has its own retry schedule, which can exceed what a scan wants
 * to wait, so every query also arms a timer: on expiry the query is
 * cancelled in libunbound and reported as a timeout. libunbound may answer
 * synchronously (local data); such answers are deferred to a zero timer so
 * the callback never runs inside dns_query().
 */
#include "net/dns.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unbound-event.h>
#include <unbound.h>

#include "util/log.h"
#include "util/xalloc.h"

struct dns {
	struct event_base *base; /* borrowed */
	struct ub_ctx *ub;       /* owned */
	struct timeval timeout;
	struct dns_query *queries; /* pending, doubly linked */
};

struct dns_query {
	struct dns *dns;     /* borrowed */
	int async_id;        /* libunbound's id, 0 when none */
	bool in_start;       /* inside ub_resolve_event() */
	bool answered;       /* libunbound has called back */
	struct event *timer; /* owned: deadline, then deferred delivery */
	dns_cb cb;
	void *arg;
	char *name; /* owned */
	int type;
	/* the answer, kept until delivered */
	int rcode;
	int sec;
	char *why_bogus; /* owned */
	uint8_t *packet; /* owned copy */
	size_t len;
	struct dns_query *prev, *next;
};

static void dns_on_timer(evutil_socket_t fd, short what, void *arg);

struct dns *
dns_new(struct event_base *base, const struct dns_config *cfg, char **errmsg)
{
	struct dns *d;
	const char *ta;
	char n[24];
	int rc;

	*errmsg = NULL;
	d = xcalloc(1, sizeof(*d));
	d->base = base;
	d->timeout.tv_sec = (time_t)cfg->timeout;
	d->timeout.tv_usec =
	    (suseconds_t)((cfg->timeout - (double)d->timeout.tv_sec) * 1e6);
	if ((d->ub = ub_ctx_create_event(base)) == NULL) {
		*errmsg = xstrdup("libunbound: cannot create context");
		free(d);
		return NULL;
	}
	/*
	 * .test is in libunbound's built-in local zones (RFC 6761 names);
	 * the lab serves it, and the real root answers NXDOMAIN anyway.
	 * ("nodefault" is ignored through ub_ctx_set_option in 1.17; a
	 * transparent zone without data has the same effect.)
	 */
	rc = ub_ctx_set_option(d->ub, "local-zone:", "test. transparent");
	/*
	 * A scan has thousands of queries in flight (a dozen names per
	 * domain): libunbound's default of 512 (1024 sockets) drops the rest
	 * until a retry, which made the median answer 80 ms and the slowest
	 * tenth 0.8 s on loopback.
	 */
	snprintf(n, sizeof(n), "%u", cfg->inflight ? cfg->inflight : 4096);
	if (rc == 0)
		rc = ub_ctx_set_option(d->ub, "num-queries-per-thread:", n);
	if (rc == 0)
		rc = ub_ctx_set_option(d->ub, "outgoing-range:", n);
	if (cfg->cache_bytes > 0) {
		snprintf(n, sizeof(n), "%zu", cfg->cache_bytes);
		if (rc == 0)
			rc = ub_ctx_set_option(d->ub, "msg-cache-size:", n);
		if (rc == 0)
			rc = ub_ctx_set_option(d->ub, "rrset-cache-size:", n);
		if (rc == 0)
			rc = ub_ctx_set_option(d->ub, "key-cache-size:", n);
	}
	if (rc == 0 && cfg->resolver != NULL) {
		/* a forwarder on loopback must be allowed to answer */
		rc = ub_ctx_set_option(d->ub, "do-not-query-localhost:", "no");
		if (rc == 0)
			rc = ub_ctx_set_fwd(d->ub, cfg->resolver);
	}
	if (rc == 0 && cfg->root_hints != NULL) {
		rc = ub_ctx_set_option(d->ub, "do-not-query-localhost:", "no");
		if (rc == 0)
			rc = ub_ctx_set_option(
			    d->ub, "root-hints:", cfg->root_hints);
	}
	if (cfg->debug > 0) {
		ub_ctx_debugout(d->ub, stderr);
		ub_ctx_debuglevel(d->ub, cfg->debug);
	}
	ta = cfg->trust_anchor != NULL ? cfg->trust_anchor
	                               : DNS_DEFAULT_TRUST_ANCHOR;
	if (rc == 0)
		rc = ub_ctx_add_ta_file(d->ub, ta);
	if (rc != 0) {
		*errmsg = xasprintf("libunbound: %s (resolver %s, trust anchor "
		                    "%s)",
		    ub_strerror(rc), cfg->resolver ? cfg->resolver : "none",
		    ta);
		ub_ctx_delete(d->ub);
		free(d);
		return NULL;
	}
	return d;
}

static void
dns_query_unlink(struct dns_query *q)
{
	struct dns *d = q->dns;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		d->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void
dns_query_free(struct dns_query *q)
{
	event_free(q->timer);
	free(q->name);
	free(q->why_bogus);
	free(q->packet);
	free(q);
}

void
dns_query_cancel(struct dns_query *q)
{
	if (q == NULL)
		return;
	if (!q->answered && q->async_id != 0)
		ub_cancel(q->dns->ub, q->async_id);
	dns_query_unlink(q);
	dns_query_free(q);
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	while (d->queries != NULL)
		dns_query_cancel(d->queries);
	ub_ctx_delete(d->ub);
	free(d);
}

static enum dns_status
dns_status_from_rcode(int rcode)
{
	switch (rcode) {
	case 0:
		return DNS_STATUS_OK;
	case 2:
		return DNS_STATUS_SERVFAIL;
	case 3:
		return DNS_STATUS_NXDOMAIN;
	case 5:
		return DNS_STATUS_REFUSED;
	default:
		return DNS_STATUS_ERROR;
	}
}

/* dns_deliver - build the reply from what libunbound said and call back */
static void
dns_deliver(struct dns_query *q, bool timed_out)
{
	struct dns_reply reply;
	struct dnsmsg *msg = NULL;
	struct perr err = { 0, NULL };
	char errbuf[128];
	size_t i;
	bool have = false;

	memset(&reply, 0, sizeof(reply));
	reply.rcode = -1;
	reply.dnssec = DNSSEC_UNKNOWN;
	if (timed_out) {
		reply.status = DNS_STATUS_TIMEOUT;
		reply.error = "no answer before the deadline";
	} else {
		reply.rcode = q->rcode;
		reply.dnssec = q->sec == 2 ? DNSSEC_SECURE
		    : q->sec == 1          ? DNSSEC_BOGUS
		                           : DNSSEC_INSECURE;
		reply.why_bogus = q->why_bogus;
		reply.status = dns_status_from_rcode(q->rcode);
		if (q->packet != NULL) {
			msg = xmalloc(sizeof(*msg));
			if (dnsmsg_parse(q->packet, q->len, msg, &err) != 0) {
				snprintf(errbuf, sizeof(errbuf),
				    "malformed answer at byte %zu: %s", err.off,
				    err.msg);
				reply.error = errbuf;
				reply.status = DNS_STATUS_ERROR;
				free(msg);
				msg = NULL;
			} else {
				reply.rcode = msg->rcode;
				reply.status =
				    dns_status_from_rcode(msg->rcode);
			}
		} else if (q->rcode == 0) {
			reply.status = DNS_STATUS_ERROR;
			reply.error = "resolver returned no answer";
		}
		if (msg != NULL && reply.status == DNS_STATUS_OK) {
			for (i = 0; i < msg->nrr; i++)
				if (msg->rr[i].section == 1 &&
				    msg->rr[i].type == q->type)
					have = true;
			if (!have)
				reply.status = DNS_STATUS_NODATA;
		}
		reply.packet = q->packet;
		reply.len = q->len;
		reply.msg = msg;
	}
	dns_query_unlink(q);
	q->cb(q->arg, &reply);
	free(msg);
	dns_query_free(q);
}

static void
dns_on_answer(void *arg, int rcode, void *packet, int packet_len, int sec,
    char *why_bogus, int was_ratelimited)
{
	struct dns_query *q = arg;
	struct timeval now = { 0, 0 };

	(void)was_ratelimited;
	q->answered = true;
	q->rcode = rcode;
	q->sec = sec;
	if (why_bogus != NULL)
		q->why_bogus = xstrdup(why_bogus);
	if (packet != NULL && packet_len > 0) {
		q->packet = xmalloc((size_t)packet_len);
		memcpy(q->packet, packet, (size_t)packet_len);
		q->len = (size_t)packet_len;
	}
	if (q->in_start) {
		/* answered synchronously: deliver from the loop instead */
		evtimer_add(q->timer, &now);
		return;
	}
	dns_deliver(q, false);
}

static void
dns_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dns_query *q = arg;

	(void)fd;
	(void)what;
	if (q->answered) {
		dns_deliver(q, false);
		return;
	}
	log_debug("%s: dns: timeout", q->name);
	ub_cancel(q->dns->ub, q->async_id);
	q->async_id = 0;
	dns_deliver(q, true);
}

struct dns_query *
dns_query(struct dns *d, const char *name, int type, dns_cb cb, void *arg)
{
	struct dns_query *q;
	int rc;

	q = xcalloc(1, sizeof(*q));
	q->dns = d;
	q->cb = cb;
	q->arg = arg;
	q->name = xstrdup(name);
	q->type = type;
	q->timer = evtimer_new(d->base, dns_on_timer, q);
	q->next = d->queries;
	if (d->queries != NULL)
		d->queries->prev = q;
	d->queries = q;
	q->in_start = true;
	rc = ub_resolve_event(
	    d->ub, name, type, 1, q, dns_on_answer, &q->async_id);
	q->in_start = false;
	if (rc != 0) {
		log_warnx("%s: dns: %s", name, ub_strerror(rc));
		dns_query_unlink(q);
		dns_query_free(q);
		return NULL;
	}
	if (!q->answered)
		evtimer_add(q->timer, &d->timeout);
	return q;
}

void
dns_answer_info_set(struct dns_answer_info *a, const struct dns_reply *reply)
{
	dns_answer_info_release(a);
	a->status = reply->status;
	a->dnssec = reply->dnssec;
	a->rcode = reply->rcode;
	a->why_bogus = reply->why_bogus ? xstrdup(reply->why_bogus) : NULL;
	a->error = reply->error ? xstrdup(reply->error) : NULL;
}
