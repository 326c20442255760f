/* SPDX-License-Identifier: ISC */
/*
 * mtasts_probe - one domain's MTA-STS record and policy (see the header).
 *
 * Three DNS questions go out at once (_mta-sts TXT, mta-sts A and AAAA);
 * when the last is answered the policy is fetched from the addresses our
 * resolver found, or the probe ends. One writer of the facts per stage;
 * the callback runs from the loop, never from inside start.
 */
#include "probe/mtasts_probe.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "net/https.h"
#include "proto/dnsmsg.h"
#include "proto/mtasts.h"
#include "util/ascii.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define MTASTS_PROBE_MAXTXT 16 /* TXT records at _mta-sts looked at */
#define MTASTS_PROBE_TXTMAX 65536

enum mtasts_probe_qtype {
	MTASTS_Q_TXT,
	MTASTS_Q_A,
	MTASTS_Q_AAAA,
	MTASTS_Q_MAX
};

/* a query's callback argument: whose, and which */
struct mtasts_probe_q {
	struct mtasts_probe *p;
	int which; /* enum mtasts_probe_qtype */
};

struct mtasts_probe {
	struct mtasts_probe_config cfg;
	struct mtasts_facts *m;            /* borrowed */
	char *host;                        /* owned: mta-sts.<domain> */
	struct dns_query *q[MTASTS_Q_MAX]; /* pending queries */
	struct mtasts_probe_q qarg[MTASTS_Q_MAX];
	int pending;
	char *addrs[HTTPS_MAX_ADDRS]; /* owned: the policy host's addresses */
	size_t naddrs;
	char *addr_error; /* owned: why the host has no address, or NULL */
	struct https_fetch *fetch;
	struct event *done; /* owned: ends the probe from the loop */
	mtasts_probe_cb cb;
	void *arg;
};

static void
mtasts_probe_free(struct mtasts_probe *p)
{
	size_t i;

	for (i = 0; i < MTASTS_Q_MAX; i++)
		dns_query_cancel(p->q[i]);
	https_cancel(p->fetch);
	for (i = 0; i < p->naddrs; i++)
		free(p->addrs[i]);
	free(p->addr_error);
	free(p->host);
	if (p->done != NULL)
		event_free(p->done);
	free(p);
}

static void
mtasts_probe_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct mtasts_probe *p = arg;
	mtasts_probe_cb cb = p->cb;
	void *cbarg = p->arg;

	(void)fd;
	(void)what;
	mtasts_facts_evaluate(p->m);
	mtasts_probe_free(p);
	cb(cbarg);
}

/* mtasts_probe_end - report from the loop */
static void
mtasts_probe_end(struct mtasts_probe *p)
{
	struct timeval now = { 0, 0 };

	evtimer_add(p->done, &now);
}

/* mtasts_probe_txt - the TXT records at _mta-sts.<domain> */
static void
mtasts_probe_txt(struct mtasts_probe *p, const struct dns_reply *reply)
{
	struct mtasts_facts *m = p->m;
	const struct dnsmsg *msg = reply->msg;
	char *buf, *rr[MTASTS_PROBE_MAXTXT];
	size_t len[MTASTS_PROBE_MAXTXT], n = 0, i, idx = 0;
	struct mtasts_txt txt;
	struct perr err;
	enum mtasts_select sel;

	dns_answer_info_set(&m->txt_answer, reply);
	if (reply->status != DNS_STATUS_OK || msg == NULL)
		return;
	buf = xmalloc(MTASTS_PROBE_TXTMAX);
	for (i = 0; i < msg->nrr && n < MTASTS_PROBE_MAXTXT; i++) {
		if (msg->rr[i].section != 1 || msg->rr[i].type != DNS_TYPE_TXT)
			continue;
		if (dnsmsg_rr_txt(reply->packet, reply->len, &msg->rr[i], buf,
		        MTASTS_PROBE_TXTMAX, &len[n], NULL) != 0)
			continue;
		rr[n] = xmemdup0(buf, len[n]);
		n++;
	}
	free(buf);
	memset(&err, 0, sizeof(err));
	sel = mtasts_txt_select(
	    (const char *const *)rr, len, n, &txt, &idx, &err);
	for (i = 0; i < n; i++)
		if (mtasts_txt_is_candidate(rr[i], len[i]))
			m->ntxt++;
	switch (sel) {
	case MTASTS_SELECT_FOUND:
		m->txt = str_escape(rr[idx], len[idx]);
		m->id = xmemdup0(txt.id.p, txt.id.len);
		break;
	case MTASTS_SELECT_INVALID:
		m->txt = str_escape(rr[idx], len[idx]);
		m->txt_error = xstrdup(err.msg != NULL ? err.msg : "invalid");
		break;
	case MTASTS_SELECT_MULTIPLE:
		for (i = 0; i < n; i++) {
			if (!mtasts_txt_is_candidate(rr[i], len[i]))
				continue;
			m->txt = str_escape(rr[i], len[i]);
			break;
		}
		break;
	default:
		break;
	}
	for (i = 0; i < n; i++)
		free(rr[i]);
}

/* mtasts_probe_addr - the policy host's A or AAAA records */
static void
mtasts_probe_addr(
    struct mtasts_probe *p, int type, const struct dns_reply *reply)
{
	const struct dnsmsg *msg = reply->msg;
	char ip[64];
	int family;
	size_t i;

	if (reply->status != DNS_STATUS_OK || msg == NULL ||
	    reply->dnssec == DNSSEC_BOGUS) {
		if (p->addr_error == NULL && reply->status != DNS_STATUS_NODATA)
			p->addr_error = xstrdup(reply->dnssec == DNSSEC_BOGUS
			        ? "DNSSEC validation failed"
			        : dns_status_name(reply->status));
		return;
	}
	for (i = 0; i < msg->nrr && p->naddrs < HTTPS_MAX_ADDRS; i++) {
		if (msg->rr[i].section != 1 || msg->rr[i].type != type)
			continue;
		if (dnsmsg_rr_addr(reply->packet, reply->len, &msg->rr[i],
		        &family, ip, sizeof(ip), NULL) != 0)
			continue;
		p->addrs[p->naddrs++] = xstrdup(ip);
	}
}

static void
mtasts_probe_on_fetch(void *arg, const struct https_result *res)
{
	struct mtasts_probe *p = arg;
	struct mtasts_facts *m = p->m;
	const struct https_hop *h = res->final;

	p->fetch = NULL;
	m->http_status = (int)h->status;
	if (h->content_type != NULL)
		m->content_type =
		    str_escape(h->content_type, strlen(h->content_type));
	if (h->location != NULL)
		m->location = str_escape(h->location, strlen(h->location));
	if (res->error != HTTPS_OK) {
		m->error = res->error_id; /* provisional: evaluate decides */
		if (res->error == HTTPS_ERR_CERT && h->tls.verify_error != NULL)
			m->error_detail = xstrdup(h->tls.verify_error);
		else
			m->error_detail = xstrdup(res->error_text);
	} else if (res->body != NULL) {
		m->body = xmemdup0((const char *)res->body, res->body_len);
		m->body_len = res->body_len;
	}
	mtasts_probe_end(p);
}

/* mtasts_probe_fetch - all DNS answered: fetch the policy, or end */
static void
mtasts_probe_fetch(struct mtasts_probe *p)
{
	struct mtasts_facts *m = p->m;
	struct https_request req;
	char url[DNSMSG_NAMEMAX + 64];

	snprintf(
	    url, sizeof(url), "https://%s/.well-known/mta-sts.txt", p->host);
	m->url = xstrdup(url);
	if (p->naddrs == 0) {
		m->error = "dns";
		m->error_detail = p->addr_error != NULL
		    ? xstrdup(p->addr_error)
		    : xstrdup("the policy host has no address");
		mtasts_probe_end(p);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.url = m->url;
	req.addrs = (const char *const *)p->addrs;
	req.naddrs = p->naddrs;
	req.timeout = p->cfg.timeout;
	req.max_body = MTASTS_POLICY_MAX;
	req.max_redirects = 0; /* RFC 8461 3.3: never follow */
	m->fetched = true;
	p->fetch = https_get(p->cfg.https, &req, mtasts_probe_on_fetch, p);
	if (p->fetch == NULL) {
		m->error = "other";
		m->error_detail = xstrdup("the fetch could not start");
		mtasts_probe_end(p);
	}
}

static void
mtasts_probe_on_dns(void *arg, const struct dns_reply *reply)
{
	struct mtasts_probe_q *pq = arg;
	struct mtasts_probe *p = pq->p;
	int which = pq->which;

	p->q[which] = NULL;
	if (which == MTASTS_Q_TXT)
		mtasts_probe_txt(p, reply);
	else
		mtasts_probe_addr(
		    p, which == MTASTS_Q_A ? DNS_TYPE_A : DNS_TYPE_AAAA, reply);
	if (--p->pending == 0)
		mtasts_probe_fetch(p);
}

struct mtasts_probe *
mtasts_probe_start(const struct mtasts_probe_config *cfg, const char *domain,
    struct mtasts_facts *facts, mtasts_probe_cb cb, void *arg)
{
	struct mtasts_probe *p = xcalloc(1, sizeof(*p));
	static const int types[MTASTS_Q_MAX] = { DNS_TYPE_TXT, DNS_TYPE_A,
		DNS_TYPE_AAAA };
	char name[DNSMSG_NAMEMAX];
	int i;

	p->cfg = *cfg;
	p->m = facts;
	p->cb = cb;
	p->arg = arg;
	p->done = evtimer_new(cfg->base, mtasts_probe_on_done, p);
	facts->ran = true;
	facts->txt_answer.rcode = -1;
	facts->max_age = -1;
	p->host = xasprintf("mta-sts.%s", domain);
	snprintf(name, sizeof(name), "_mta-sts.%s", domain);
	for (i = 0; i < MTASTS_Q_MAX; i++) {
		p->qarg[i].p = p;
		p->qarg[i].which = i;
		p->q[i] =
		    dns_query(cfg->dns, i == MTASTS_Q_TXT ? name : p->host,
		        types[i], mtasts_probe_on_dns, &p->qarg[i]);
		if (p->q[i] != NULL)
			p->pending++;
	}
	if (p->pending == 0) {
		facts->txt_answer.status = DNS_STATUS_ERROR;
		facts->error = "dns";
		facts->error_detail = xstrdup("the queries could not start");
		mtasts_probe_end(p);
	}
	return p;
}

void
mtasts_probe_cancel(struct mtasts_probe *p)
{
	if (p != NULL)
		mtasts_probe_free(p);
}

/* mtasts_plain - a Content-Type of text/plain, parameters allowed */
static bool
mtasts_plain(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	return n == 10 && strncasecmp(ct, "text/plain", 10) == 0;
}

/* mtasts_parse_body - fill the policy fields from m->body */
static void
mtasts_parse_body(struct mtasts_facts *m)
{
	struct mtasts_policy *pol = xcalloc(1, sizeof(*pol));
	struct perr err;
	char line[256];
	size_t i;

	memset(&err, 0, sizeof(err));
	if (mtasts_policy_parse(m->body, m->body_len, pol, &err) != 0 &&
	    pol->nproblems == 0) {
		m->problems = xcalloc(1, sizeof(*m->problems));
		m->problems[m->nproblems++] =
		    xstrdup(err.msg != NULL ? err.msg : "unparseable");
	}
	m->policy_valid = pol->valid;
	m->mode = (int)pol->mode;
	m->max_age = pol->max_age;
	if (pol->nmx > 0)
		m->mx = xcalloc(pol->nmx, sizeof(*m->mx));
	for (i = 0; i < pol->nmx; i++)
		m->mx[m->nmx++] = str_escape(pol->mx[i].p, pol->mx[i].len);
	if (pol->nproblems > 0)
		m->problems = xreallocarray(m->problems,
		    m->nproblems + pol->nproblems, sizeof(*m->problems));
	for (i = 0; i < pol->nproblems; i++) {
		if (pol->problems[i].line > 0)
			snprintf(line, sizeof(line), "line %zu: %s%s",
			    pol->problems[i].line, pol->problems[i].msg,
			    pol->problems[i].fatal ? "" : " (ignored)");
		else
			snprintf(line, sizeof(line), "%s%s",
			    pol->problems[i].msg,
			    pol->problems[i].fatal ? "" : " (ignored)");
		m->problems[m->nproblems++] = xstrdup(line);
	}
	free(pol);
}

/* mtasts_fetch_id - the stable id of a failed fetch of kind k */
static const char *
mtasts_fetch_id(const char *k)
{
	static const char *const ids[] = { "fetch-dns", "fetch-connect",
		"fetch-timeout", "fetch-tls", "fetch-cert", "fetch-http",
		"fetch-too-large", "fetch-redirect", "fetch-status",
		"fetch-content-type" };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(ids[i] + 6, k) == 0)
			return ids[i];
	return "fetch-other";
}

/*
 * The error ids, first match wins (docs/findings.md has the findings):
 * txt-lookup-failed, txt-multiple, txt-invalid, then the fetch's
 * fetch-<https error> / fetch-redirect / fetch-status /
 * fetch-content-type, then policy-invalid; with no record at all,
 * policy-without-record when a valid policy is served anyway.
 */
void
mtasts_facts_evaluate(struct mtasts_facts *m)
{
	const char *fetch = m->error;
	bool lookup_ok = m->txt_answer.status == DNS_STATUS_OK ||
	    m->txt_answer.status == DNS_STATUS_NODATA ||
	    m->txt_answer.status == DNS_STATUS_NXDOMAIN;
	bool served;

	m->txt_valid = m->ntxt == 1 && m->txt_error == NULL && m->id != NULL;
	/* what the fetch gave, as an id of its own */
	if (fetch == NULL && m->fetched) {
		if (m->http_status >= 300 && m->http_status < 400)
			fetch = "redirect";
		else if (m->http_status != 200)
			fetch = "status";
		else if (!mtasts_plain(m->content_type))
			fetch = "content-type";
	}
	served = m->fetched && fetch == NULL && m->body != NULL;
	if (served)
		mtasts_parse_body(m);
	m->error = NULL;
	m->valid = false;
	if (!lookup_ok) {
		m->error = "txt-lookup-failed";
	} else if (m->ntxt == 0) {
		if (served && m->policy_valid)
			m->error = "policy-without-record";
	} else if (m->ntxt > 1) {
		m->error = "txt-multiple";
	} else if (!m->txt_valid) {
		m->error = "txt-invalid";
	} else if (fetch != NULL) {
		m->error = mtasts_fetch_id(fetch);
	} else if (!m->policy_valid) {
		m->error = "policy-invalid";
	} else {
		m->valid = true;
	}
	/* a detail only for the error reported */
	if (m->error == NULL || strncmp(m->error, "fetch-", 6) != 0) {
		free(m->error_detail);
		m->error_detail = NULL;
	}
	if (m->error_detail != NULL || m->error == NULL)
		return;
	if (strcmp(m->error, "fetch-redirect") == 0)
		m->error_detail = xasprintf("HTTP %d to %s", m->http_status,
		    m->location != NULL ? m->location : "?");
	else if (strcmp(m->error, "fetch-status") == 0)
		m->error_detail = xasprintf("HTTP %d", m->http_status);
	else if (strcmp(m->error, "fetch-content-type") == 0)
		m->error_detail = xasprintf("Content-Type %s",
		    m->content_type != NULL ? m->content_type : "missing");
}
