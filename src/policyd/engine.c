/* SPDX-License-Identifier: ISC */
/*
 * policy_engine - the policy daemon's answers and background resolutions
 * (see the header).
 *
 * A resolution ("job") is one domain's lookups, queued FIFO and run at
 * most POLICY_ENGINE_MAX_JOBS at a time: the _mta-sts TXT query and the MX
 * query go out together; a TXT record with a new id (or a policy due for
 * a refresh) starts probe/mtasts_probe, which asks the TXT again (from
 * libunbound's cache) with the policy host's addresses and fetches the
 * policy; a DNSSEC-secure MX RRset starts A, AAAA and TLSA queries per MX
 * host. Every query and the probe count in job->pending; at zero, or at
 * the job's deadline, policy_engine_apply() writes the outcome into the
 * cache entry: it is the only writer of what the cache knows about a
 * domain, besides expiry on the answer path.
 *
 * Jobs are keyed by domain, never by entry: an entry may be evicted while
 * its job runs, and the job then adds it again.
 */
#include "policyd/engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <idn2.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "net/dns.h"
#include "net/https.h"
#include "probe/mtasts_probe.h"
#include "proto/dnsmsg.h"
#include "proto/mtasts.h"
#include "proto/result.h"
#include "proto/tlsa.h"
#include "util/ascii.h"
#include "util/log.h"
#include "util/str.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define POLICY_ENGINE_MAX_JOBS     64    /* resolutions in flight */
#define POLICY_ENGINE_MAX_QUEUE    10000 /* resolutions waiting */
#define POLICY_ENGINE_MAX_MX       16    /* MX hosts looked at for DANE */
#define POLICY_ENGINE_MAX_TXT      16    /* TXT records looked at */
#define POLICY_ENGINE_TXT_MAX      65536 /* bytes of one TXT record */
#define POLICY_ENGINE_BACKOFF_MIN  60    /* seconds after a first failure */
#define POLICY_ENGINE_BACKOFF_MAX  3600
#define POLICY_ENGINE_FETCH_RETRY  300 /* after a failed fetch, RFC 8461 3.3 */
#define POLICY_ENGINE_DANE_TTL_MIN 180 /* DANE state kept, seconds */
#define POLICY_ENGINE_DANE_TTL_MAX 3600
#define POLICY_ENGINE_REFRESH_MAX \
	86400                        /* refetch up to this long before
					    a policy expires */
#define POLICY_ENGINE_FLUSH_SEC   1  /* database writes batched this long */
#define POLICY_ENGINE_REFLUSH_SEC 30 /* after a failed write */
#define POLICY_ENGINE_TICK_SEC    60 /* expiry and proactive sweep */
#define POLICY_ENGINE_TRIM_SEC    10 /* malloc_trim at most this often */
#define POLICY_ENGINE_NSLOT       (2 + 3 * POLICY_ENGINE_MAX_MX)

/* what the MTA-STS half of a job found */
enum policy_engine_sts {
	POLICY_ENGINE_STS_SKIPPED = 0, /* not asked */
	POLICY_ENGINE_STS_PENDING,
	POLICY_ENGINE_STS_NONE,         /* no usable record: no MTA-STS */
	POLICY_ENGINE_STS_UNCHANGED,    /* the cached policy's id */
	POLICY_ENGINE_STS_FETCHED,      /* a valid policy */
	POLICY_ENGINE_STS_DNS_FAILED,   /* the TXT lookup failed */
	POLICY_ENGINE_STS_FETCH_FAILED, /* fetch failed or policy invalid */
	POLICY_ENGINE_STS_MAX
};

static const char *const policy_engine_sts_names[] = {
	"skipped",
	"pending",
	"no policy",
	"unchanged",
	"fetched",
	"dns failed",
	"fetch failed",
};
_Static_assert(
    sizeof(policy_engine_sts_names) / sizeof(policy_engine_sts_names[0]) ==
        POLICY_ENGINE_STS_MAX,
    "policy_engine_sts_names");

/* what the DANE half of a job (or one MX host) found */
enum policy_engine_dane {
	POLICY_ENGINE_DANE_SKIPPED = 0,
	POLICY_ENGINE_DANE_PENDING,
	POLICY_ENGINE_DANE_NO,
	POLICY_ENGINE_DANE_YES,
	POLICY_ENGINE_DANE_FAILED,
	POLICY_ENGINE_DANE_MAX
};

static const char *const policy_engine_dane_names[] = {
	"skipped",
	"pending",
	"no",
	"yes",
	"failed",
};
_Static_assert(
    sizeof(policy_engine_dane_names) / sizeof(policy_engine_dane_names[0]) ==
        POLICY_ENGINE_DANE_MAX,
    "policy_engine_dane_names");

/* the answer given */
enum policy_engine_verdict {
	POLICY_ENGINE_NOTFOUND,
	POLICY_ENGINE_SECURE,
	POLICY_ENGINE_DANE,
	POLICY_ENGINE_TEMP,
};

enum policy_engine_job_flags {
	POLICY_ENGINE_JOB_STS = (1 << 0),   /* MTA-STS discovery */
	POLICY_ENGINE_JOB_DANE = (1 << 1),  /* MX, addresses, TLSA */
	POLICY_ENGINE_JOB_FORCE = (1 << 2), /* fetch the policy whatever id */
	POLICY_ENGINE_JOB_PROACTIVE = (1 << 3),  /* started by the sweep */
	POLICY_ENGINE_JOB_FOREGROUND = (1 << 4), /* policy_engine_query */
};

/* the queries of an MX host */
enum {
	POLICY_ENGINE_HQ_A,
	POLICY_ENGINE_HQ_AAAA,
	POLICY_ENGINE_HQ_TLSA,
	POLICY_ENGINE_HQ_MAX
};

struct policy_engine_host {
	char *name; /* owned: the MX host, lower case */
	enum dns_status status[POLICY_ENGINE_HQ_MAX];
	enum dnssec_state sec[POLICY_ENGINE_HQ_MAX];
	unsigned ntlsa;   /* TLSA records */
	unsigned nusable; /* of which DANE-TA(2) or DANE-EE(3), usable */
	enum policy_engine_dane verdict;
	const char *why; /* static */
};

/* one query of a job: the callback argument */
struct policy_engine_slot {
	struct policy_engine_job *job; /* borrowed */
	struct dns_query *q;           /* pending, or NULL */
	int host;                      /* index in job->host, -1: domain */
	int hq;                        /* POLICY_ENGINE_HQ_*, or the type */
};

struct policy_engine_job {
	struct policy_engine *e; /* borrowed */
	char domain[DOMAIN_MAX + 1];
	unsigned flags;                  /* enum policy_engine_job_flags */
	double timeout;                  /* seconds, the zone's */
	bool running;                    /* started (else queued) */
	bool done;                       /* applied */
	struct policy_engine_job *qnext; /* borrowed: the queue */
	struct event *timer;             /* owned: deadline, or end */
	int pending;                     /* queries and probe running */
	/* owned, POLICY_ENGINE_NSLOT of them from the start on: thousands
	 * of jobs may wait in the queue, a few dozen run */
	struct policy_engine_slot *slot;
	/* MTA-STS */
	enum policy_engine_sts sts;
	const char *sts_why;        /* static */
	struct dns_answer_info txt; /* the _mta-sts TXT answer */
	char *txt_record;           /* owned: escaped, or NULL */
	char *txt_id;               /* owned, or NULL */
	struct mtasts_probe *probe; /* running, or NULL */
	struct mtasts_facts facts;  /* the probe's */
	/* DANE */
	enum policy_engine_dane dane;
	const char *dane_why; /* static */
	enum dns_status mx_status;
	enum dnssec_state mx_sec;
	bool mx_implicit; /* no MX: the domain itself (RFC 5321 5.1) */
	struct policy_engine_host *host; /* owned: MAX_MX, from the start on */
	size_t nhost;
	uint32_t ttl; /* smallest TTL of the DANE answers, seconds */
};

struct policy_engine {
	const struct policyd_config *cfg; /* borrowed */
	struct event_base *base;          /* borrowed, or NULL */
	struct dns *dns;                  /* borrowed, or NULL */
	struct https *https;              /* borrowed, or NULL */
	struct policy_cache *cache;       /* owned */
	struct strmap jobs;               /* domain -> background job (owned) */
	struct policy_engine_job *qhead, *qtail; /* borrowed: waiting */
	size_t nqueued, nrunning, nproactive;
	struct event *pump;  /* owned: starts queued jobs */
	struct event *flush; /* owned: writes the database batch */
	struct event *tick;  /* owned: expiry and proactive sweep */
	bool dane_any;       /* some zone has dane on */
	bool trim;           /* jobs ended since the last trim */
	time_t trimmed_at;   /* the last malloc_trim */
	time_t fixed_now;    /* tests: the clock, 0 for the real one */
	uint64_t rng;        /* jitter: xorshift64 state */
	struct policy_engine_stats st;
};

static void policy_engine_job_finish(struct policy_engine_job *job);
static void policy_engine_trim(struct policy_engine *e, time_t now);
static void policy_engine_on_dns(void *arg, const struct dns_reply *reply);

/* ---- small helpers ---- */

static time_t
policy_engine_now(const struct policy_engine *e)
{
	return e->fixed_now != 0 ? e->fixed_now : time(NULL);
}

void
policy_engine_set_now(struct policy_engine *e, time_t now)
{
	e->fixed_now = now;
}

struct policy_cache *
policy_engine_cache(struct policy_engine *e)
{
	return e->cache;
}

/* policy_engine_rand - jitter, not secrets: xorshift64 */
static uint64_t
policy_engine_rand(struct policy_engine *e)
{
	uint64_t x = e->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	e->rng = x;
	return x;
}

/* policy_engine_time - t as UTC ISO 8601, "-" for 0 */
static const char *
policy_engine_time(time_t t, char *s, size_t n)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(s, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(s, n, "-");
	return s;
}

/* ---- keys ---- */

const char *
policy_engine_key_name(enum policy_engine_key k)
{
	switch (k) {
	case POLICY_ENGINE_KEY_DOMAIN:
		return "domain";
	case POLICY_ENGINE_KEY_PARENT:
		return "parent";
	case POLICY_ENGINE_KEY_LITERAL:
		return "literal";
	default:
		return "invalid";
	}
}

/* policy_engine_port_ok - 1 to 5 digits */
static bool
policy_engine_port_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > 5)
		return false;
	for (i = 0; i < n; i++)
		if (!ascii_isdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* policy_engine_is_ip - an IPv4 or IPv6 address in text form */
static bool
policy_engine_is_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

enum policy_engine_key
policy_engine_normalize(
    const char *key, size_t klen, char *out, size_t outsize, const char **why)
{
	const char *p = key, *end = key + klen, *host, *hend, *rb, *colon;
	const char *src, *dummy;
	char tmp[POLICY_ENGINE_KEY_MAX + 1], *ascii = NULL;
	struct perr err = { 0, NULL };
	size_t i, n;
	bool eight = false, digits;
	int rc;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n > POLICY_ENGINE_KEY_MAX || memchr(p, '\0', n) != NULL) {
		*why = n == 0 ? "empty key" : "not a domain name";
		return POLICY_ENGINE_KEY_INVALID;
	}
	if (*p == '.')
		return POLICY_ENGINE_KEY_PARENT;
	if (*p == '[') {
		/* a nexthop "[host]" or "[host]:port", or an address */
		if ((rb = memchr(p, ']', n)) == NULL) {
			*why = "unbalanced bracket";
			return POLICY_ENGINE_KEY_INVALID;
		}
		host = p + 1;
		hend = rb;
		if (rb + 1 < end &&
		    (rb[1] != ':' ||
		        !policy_engine_port_ok(
		            rb + 2, (size_t)(end - rb - 2)))) {
			*why = "bad port";
			return POLICY_ENGINE_KEY_INVALID;
		}
		if (hend - host >= 5 && ascii_eq_nocase(host, 5, "ipv6:"))
			return POLICY_ENGINE_KEY_LITERAL;
	} else {
		host = p;
		hend = end;
		colon = memchr(host, ':', n);
		if (colon != NULL &&
		    memchr(colon + 1, ':', (size_t)(end - colon - 1)) == NULL) {
			/* "host:port" */
			if (!policy_engine_port_ok(
			        colon + 1, (size_t)(end - colon - 1))) {
				*why = "bad port";
				return POLICY_ENGINE_KEY_INVALID;
			}
			hend = colon;
		}
	}
	n = (size_t)(hend - host);
	if (n == 0) {
		*why = "empty host name";
		return POLICY_ENGINE_KEY_INVALID;
	}
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	if (policy_engine_is_ip(tmp))
		return POLICY_ENGINE_KEY_LITERAL;
	for (i = 0; i < n; i++)
		eight = eight || (unsigned char)tmp[i] >= 0x80;
	src = tmp;
	if (eight) {
		rc = idn2_to_ascii_8z(
		    tmp, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK || ascii == NULL) {
			*why = "not a valid internationalized domain name";
			return POLICY_ENGINE_KEY_INVALID;
		}
		src = ascii;
	}
	rc = domain_normalize(src, strlen(src), out, outsize, &err);
	if (ascii != NULL)
		idn2_free(ascii);
	if (rc != 0) {
		*why = err.msg != NULL ? err.msg : "not a domain name";
		return POLICY_ENGINE_KEY_INVALID;
	}
	/* "192.0.2.1." and the like: a top-level label is never numeric */
	p = strrchr(out, '.');
	p = p != NULL ? p + 1 : out;
	for (digits = true; *p != '\0'; p++)
		digits = digits && ascii_isdigit((unsigned char)*p);
	if (digits)
		return POLICY_ENGINE_KEY_LITERAL;
	return POLICY_ENGINE_KEY_DOMAIN;
}

/* ---- replies ---- */

/* policy_engine_put - append unless an earlier append failed */
static void
policy_engine_put(struct buf *b, int *rc, const char *s, size_t n)
{
	if (*rc == 0)
		*rc = buf_append(b, s, n);
}

static void
policy_engine_puts(struct buf *b, int *rc, const char *s)
{
	policy_engine_put(b, rc, s, strlen(s));
}

/* policy_engine_match_name - the Postfix match= form of an mx pattern */
static const char *
policy_engine_match_name(const char *pattern)
{
	return pattern[0] == '*' && pattern[1] == '.' ? pattern + 1 : pattern;
}

/* policy_engine_line_ok - a policy line Postfix can take in { } */
static bool
policy_engine_line_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '{' || p[i] == '}')
			return false;
	return true;
}

int
policy_engine_format(const char *domain, const struct policy_cache_policy *p,
    bool sni, bool tlsrpt, struct buf *out)
{
	const char *m, *line, *lend, *end, *nl;
	size_t i, k, written = 0;
	bool dup;
	int rc = 0;

	policy_engine_puts(out, &rc, "OK secure match=");
	for (i = 0; i < p->nmx; i++) {
		m = policy_engine_match_name(p->mx[i]);
		for (dup = false, k = 0; k < i && !dup; k++)
			dup = strcasecmp(
			          policy_engine_match_name(p->mx[k]), m) == 0;
		if (dup)
			continue;
		if (written++ > 0)
			policy_engine_puts(out, &rc, ":");
		policy_engine_puts(out, &rc, m);
	}
	if (sni)
		policy_engine_puts(out, &rc, " servername=hostname");
	if (tlsrpt) {
		policy_engine_puts(out, &rc, " policy_type=sts policy_domain=");
		policy_engine_puts(out, &rc, domain);
		for (i = 0; i < p->nmx; i++) {
			policy_engine_puts(out, &rc, " mx_host_pattern=");
			policy_engine_puts(out, &rc, p->mx[i]);
		}
		/* RFC 8460 4.4: the policy lines, as published */
		end = p->body + p->body_len;
		for (line = p->body; line < end; line = nl) {
			lend = memchr(line, '\n', (size_t)(end - line));
			nl = lend != NULL ? lend + 1 : end;
			if (lend == NULL)
				lend = end;
			while (lend > line &&
			    (lend[-1] == '\r' || lend[-1] == ' ' ||
			        lend[-1] == '\t'))
				lend--;
			if (lend == line ||
			    !policy_engine_line_ok(line, (size_t)(lend - line)))
				continue;
			policy_engine_puts(out, &rc, " { policy_string = ");
			policy_engine_put(
			    out, &rc, line, (size_t)(lend - line));
			policy_engine_puts(out, &rc, " }");
		}
	}
	if (rc != 0)
		buf_reset(out);
	return rc;
}

static const char policy_engine_notfound[] = "NOTFOUND ";
static const char policy_engine_toolong[] = "TEMP policy too long";

/*
 * policy_engine_set - reply (reset) is s; a reply buffer too small for it
 * is left empty, which the server sends as a TEMP
 */
static void
policy_engine_set(struct buf *reply, const char *s, size_t n)
{
	buf_reset(reply);
	(void)buf_append(reply, s, n);
}

/*
 * policy_engine_reply - what ent answers in zone z at now, into reply; the
 * OK replies are formatted once per (require_sni, tlsrpt) and kept in ent
 */
static enum policy_engine_verdict
policy_engine_reply(struct policy_cache_entry *ent,
    const struct policyd_zone *z, time_t now, struct buf *reply)
{
	const struct policy_cache_policy *p = ent->policy;
	struct buf b;
	int idx;

	if (z->dane && ent->dane == POLICY_CACHE_DANE_YES &&
	    now < ent->dane_expires) {
		policy_engine_set(reply, "OK dane", 7);
		return POLICY_ENGINE_DANE;
	}
	if (p == NULL || now >= p->expires_at || p->mode == MTASTS_MODE_NONE ||
	    (p->mode == MTASTS_MODE_TESTING && !z->strict_testing) ||
	    (p->mode != MTASTS_MODE_ENFORCE &&
	        p->mode != MTASTS_MODE_TESTING)) {
		policy_engine_set(reply, policy_engine_notfound,
		    sizeof(policy_engine_notfound) - 1);
		return POLICY_ENGINE_NOTFOUND;
	}
	idx = (z->require_sni ? 1 : 0) | (z->tlsrpt ? 2 : 0);
	if (ent->reply[idx] == NULL) {
		buf_init(&b, POLICY_ENGINE_REPLY_MAX);
		if (policy_engine_format(
		        ent->domain, p, z->require_sni, z->tlsrpt, &b) != 0) {
			log_warnx("%s: mta-sts: reply longer than %d bytes",
			    ent->domain, POLICY_ENGINE_REPLY_MAX);
			buf_puts(&b, policy_engine_toolong);
		}
		ent->reply_len[idx] = b.len;
		ent->reply[idx] = buf_detach(&b);
	}
	buf_reset(reply);
	if (buf_append(reply, ent->reply[idx], ent->reply_len[idx]) != 0 ||
	    strncmp(ent->reply[idx], "TEMP ", 5) == 0) {
		policy_engine_set(reply, policy_engine_toolong,
		    sizeof(policy_engine_toolong) - 1);
		return POLICY_ENGINE_TEMP;
	}
	return POLICY_ENGINE_SECURE;
}

/* ---- scheduling ---- */

static void
policy_engine_arm(struct event *ev, int sec)
{
	struct timeval tv = { sec, 0 };

	if (ev != NULL && !evtimer_pending(ev, NULL))
		evtimer_add(ev, &tv);
}

static void
policy_engine_arm_flush(struct policy_engine *e)
{
	if (policy_cache_dirty(e->cache) > 0)
		policy_engine_arm(e->flush, POLICY_ENGINE_FLUSH_SEC);
}

static struct policy_engine_job *
policy_engine_job_new(
    struct policy_engine *e, const char *domain, unsigned flags, double timeout)
{
	struct policy_engine_job *job = xcalloc(1, sizeof(*job));

	job->e = e;
	snprintf(job->domain, sizeof(job->domain), "%s", domain);
	job->flags = flags;
	job->timeout = timeout > 0 ? timeout : 4;
	job->txt.rcode = -1;
	job->ttl = POLICY_ENGINE_DANE_TTL_MAX;
	return job;
}

static void
policy_engine_job_free(struct policy_engine_job *job)
{
	size_t i;

	for (i = 0; job->slot != NULL && i < POLICY_ENGINE_NSLOT; i++)
		dns_query_cancel(job->slot[i].q);
	free(job->slot);
	mtasts_probe_cancel(job->probe);
	if (job->timer != NULL)
		event_free(job->timer);
	dns_answer_info_release(&job->txt);
	free(job->txt_record);
	free(job->txt_id);
	mtasts_facts_release(&job->facts);
	for (i = 0; i < job->nhost; i++)
		free(job->host[i].name);
	free(job->host);
	free(job);
}

/*
 * policy_engine_schedule - a background resolution of domain, unless one
 * is queued or running already (a queued one takes the new flags)
 */
static void
policy_engine_schedule(
    struct policy_engine *e, const char *domain, unsigned flags, double timeout)
{
	struct policy_engine_job *job;

	if (e->dns == NULL || e->base == NULL)
		return;
	if ((job = strmap_get(&e->jobs, domain)) != NULL) {
		if (!job->running)
			job->flags |= flags & ~POLICY_ENGINE_JOB_PROACTIVE;
		return;
	}
	if (e->nqueued >= POLICY_ENGINE_MAX_QUEUE) {
		e->st.jobs_dropped++;
		return;
	}
	job = policy_engine_job_new(e, domain, flags, timeout);
	strmap_put(&e->jobs, job->domain, job);
	if (e->qtail != NULL)
		e->qtail->qnext = job;
	else
		e->qhead = job;
	e->qtail = job;
	e->nqueued++;
	if (flags & POLICY_ENGINE_JOB_PROACTIVE)
		e->nproactive++;
	policy_engine_arm(e->pump, 0);
}

/*
 * policy_engine_dane_due - DANE state unknown, or half its life gone, and
 * not backing off
 */
static bool
policy_engine_dane_due(const struct policy_cache_entry *ent, time_t now)
{
	if (now < ent->dane_retry_at)
		return false;
	return ent->dane == POLICY_CACHE_DANE_UNKNOWN ||
	    now >= ent->dane_checked_at +
	        (ent->dane_expires - ent->dane_checked_at) / 2;
}

/*
 * policy_engine_due - on a query: expire, count, and schedule what is due
 * (a revalidation older than cache_grace, a negative that ran out, a
 * domain never resolved, a DANE state to renew), unless backing off
 */
static void
policy_engine_due(struct policy_engine *e, struct policy_cache_entry *ent,
    const struct policyd_zone *z, time_t now)
{
	double age = (double)(now - ent->checked_at);
	unsigned flags = 0;

	/* no log line here: nothing on this path writes anywhere */
	if (ent->policy != NULL && now >= ent->policy->expires_at) {
		policy_cache_drop_policy(e->cache, ent);
		policy_engine_arm_flush(e);
	}
	if (ent->policy != NULL) {
		e->st.cache_hits++;
		if (age >= e->cfg->cache_grace)
			flags |= POLICY_ENGINE_JOB_STS;
	} else if (ent->neg_expires > now) {
		e->st.cache_negative_hits++;
	} else {
		e->st.cache_misses++;
		if (ent->checked_at == 0 || age >= e->cfg->cache_grace)
			flags |= POLICY_ENGINE_JOB_STS;
	}
	if (now < ent->retry_at)
		flags = 0;
	if (z->dane && policy_engine_dane_due(ent, now))
		flags |= POLICY_ENGINE_JOB_DANE;
	if (flags == 0)
		return;
	if (ent->policy != NULL && (flags & POLICY_ENGINE_JOB_STS))
		e->st.cache_stale++;
	policy_engine_schedule(e, ent->domain, flags, z->timeout);
}

void
policy_engine_answer(struct policy_engine *e, const char *name, size_t nlen,
    const char *key, size_t klen, struct buf *reply)
{
	const struct policyd_zone *z = policyd_config_zone(e->cfg, name, nlen);
	char domain[DOMAIN_MAX + 1];
	struct policy_cache_entry *ent;
	time_t now;

	e->st.queries++;
	if (policy_engine_normalize(key, klen, domain, sizeof(domain), NULL) !=
	    POLICY_ENGINE_KEY_DOMAIN) {
		e->st.keys_skipped++;
		e->st.answers_notfound++;
		policy_engine_set(reply, policy_engine_notfound,
		    sizeof(policy_engine_notfound) - 1);
		return;
	}
	now = policy_engine_now(e);
	if ((ent = policy_cache_get(e->cache, domain)) == NULL)
		ent = policy_cache_add(e->cache, domain);
	else
		policy_cache_touch(e->cache, ent);
	policy_engine_due(e, ent, z, now);
	switch (policy_engine_reply(ent, z, now, reply)) {
	case POLICY_ENGINE_SECURE:
		e->st.answers_secure++;
		break;
	case POLICY_ENGINE_DANE:
		e->st.answers_dane++;
		break;
	case POLICY_ENGINE_TEMP:
		e->st.answers_temp++;
		break;
	default:
		e->st.answers_notfound++;
		break;
	}
}

/* ---- applying a resolution ---- */

/* policy_engine_backoff - seconds to wait after n failures in a row */
static time_t
policy_engine_backoff(unsigned n)
{
	time_t d = POLICY_ENGINE_BACKOFF_MIN;
	unsigned i;

	for (i = 1; i < n && d < POLICY_ENGINE_BACKOFF_MAX; i++)
		d *= 2;
	return d < POLICY_ENGINE_BACKOFF_MAX ? d : POLICY_ENGINE_BACKOFF_MAX;
}

/*
 * policy_engine_set_refresh - when to refetch ent's policy whatever its
 * TXT id says: while min(max_age / 2, 1 day) of it is left, earlier with
 * proactive fetching (once older than interval / grace_ratio, as
 * postfix-mta-sts-resolver's passes do), minus up to a tenth of that
 * margin of jitter so that policies fetched together spread out
 */
static void
policy_engine_set_refresh(
    struct policy_engine *e, struct policy_cache_entry *ent)
{
	const struct policyd_config *c = e->cfg;
	const struct policy_cache_policy *p = ent->policy;
	long long margin, jitter;
	double ratio, age;
	time_t due;

	margin = p->max_age / 2;
	if (margin > POLICY_ENGINE_REFRESH_MAX)
		margin = POLICY_ENGINE_REFRESH_MAX;
	due = p->expires_at - (time_t)margin;
	if (c->proactive && c->proactive_interval > 0) {
		ratio = c->proactive_grace_ratio >= 1 ? c->proactive_grace_ratio
		                                      : 1;
		age = c->proactive_interval / ratio;
		if ((double)(due - p->fetched_at) > age)
			due = p->fetched_at + (time_t)age;
	}
	jitter = margin / 10;
	if (jitter > 0)
		due -= (time_t)(policy_engine_rand(e) % (uint64_t)(jitter + 1));
	ent->refresh_at = due;
}

static time_t
policy_engine_dane_ttl(const struct policy_engine_job *job)
{
	uint32_t t = job->ttl;

	if (t < POLICY_ENGINE_DANE_TTL_MIN)
		t = POLICY_ENGINE_DANE_TTL_MIN;
	if (t > POLICY_ENGINE_DANE_TTL_MAX)
		t = POLICY_ENGINE_DANE_TTL_MAX;
	return (time_t)t;
}

/*
 * policy_engine_check_size - warn, off the answer path, when the policy's
 * longest reply (with the TLSRPT attributes) passes Postfix's limit: zones
 * with tlsrpt will answer TEMP for it
 */
static void
policy_engine_check_size(const struct policy_cache_entry *ent)
{
	struct buf b;

	buf_init(&b, POLICY_ENGINE_REPLY_MAX);
	if (policy_engine_format(ent->domain, ent->policy, true, true, &b) != 0)
		log_warnx("%s: mta-sts: the reply with tlsrpt attributes is "
		          "longer than %d bytes: TEMP in zones with tlsrpt",
		    ent->domain, POLICY_ENGINE_REPLY_MAX);
	buf_release(&b);
}

/* policy_engine_apply_sts - the MTA-STS outcome into ent; true: failed */
static bool
policy_engine_apply_sts(struct policy_engine *e, struct policy_engine_job *job,
    struct policy_cache_entry *ent, time_t now, bool *fetch_failed)
{
	const struct mtasts_facts *m = &job->facts;
	struct perr err = { 0, NULL };
	char when[32];
	bool changed;

	switch (job->sts) {
	case POLICY_ENGINE_STS_FETCHED:
		changed = ent->policy == NULL ||
		    strcmp(ent->policy->id, m->id) != 0 ||
		    ent->policy->body_len != m->body_len ||
		    memcmp(ent->policy->body, m->body, m->body_len) != 0;
		if (policy_cache_set_policy(e->cache, ent, m->id, m->body,
		        m->body_len, now, &err) != 0) {
			ent->last_error = "policy-invalid";
			*fetch_failed = true;
			return true;
		}
		ent->neg_expires = 0;
		ent->checked_at = now;
		policy_engine_set_refresh(e, ent);
		if (changed) {
			policy_engine_check_size(ent);
			e->st.policies_changed++;
			log_info("%s: mta-sts: policy id %s, mode %s, max_age "
			         "%lld",
			    ent->domain, m->id,
			    mtasts_mode_name(ent->policy->mode),
			    ent->policy->max_age);
		}
		return false;
	case POLICY_ENGINE_STS_UNCHANGED:
		/*
		 * The TXT check alone does not extend the policy: RFC 8461
		 * 3.3 caches it "up to max_age from last policy fetch"; the
		 * refetch at refresh_at does that.
		 */
		ent->checked_at = now;
		return false;
	case POLICY_ENGINE_STS_NONE:
		/* no record: a cached policy stays until it expires (3.1) */
		ent->checked_at = now;
		if (ent->policy == NULL)
			ent->neg_expires = now + (time_t)e->cfg->negative_ttl;
		return false;
	case POLICY_ENGINE_STS_FETCH_FAILED:
		*fetch_failed = true;
		/* FALLTHROUGH */
	case POLICY_ENGINE_STS_DNS_FAILED:
		ent->last_error = job->sts_why;
		if (ent->policy != NULL &&
		    ent->policy->mode != MTASTS_MODE_NONE)
			log_warnx("%s: mta-sts: refresh failed: %s%s%s; the "
			          "cached policy applies until %s",
			    ent->domain, job->sts_why,
			    m->error_detail != NULL ? ": " : "",
			    m->error_detail != NULL ? m->error_detail : "",
			    policy_engine_time(
			        ent->policy->expires_at, when, sizeof(when)));
		else
			log_debug("%s: mta-sts: %s", ent->domain, job->sts_why);
		return true;
	default:
		return false;
	}
}

/* policy_engine_apply_dane - the DANE outcome into ent */
static void
policy_engine_apply_dane(
    struct policy_engine_job *job, struct policy_cache_entry *ent, time_t now)
{
	size_t i;

	switch (job->dane) {
	case POLICY_ENGINE_DANE_YES:
	case POLICY_ENGINE_DANE_NO:
		ent->dane = job->dane == POLICY_ENGINE_DANE_YES
		    ? POLICY_CACHE_DANE_YES
		    : POLICY_CACHE_DANE_NO;
		ent->dane_checked_at = now;
		ent->dane_expires = now + policy_engine_dane_ttl(job);
		ent->dane_mx = (unsigned)job->nhost;
		ent->dane_usable = 0;
		for (i = 0; i < job->nhost; i++)
			if (job->host[i].verdict == POLICY_ENGINE_DANE_YES)
				ent->dane_usable++;
		ent->dane_nfail = 0;
		ent->dane_retry_at = 0;
		ent->dane_error = NULL;
		break;
	case POLICY_ENGINE_DANE_FAILED:
		/* keep what was known while it lasts; never TEMP for it */
		if (now >= ent->dane_expires)
			ent->dane = POLICY_CACHE_DANE_UNKNOWN;
		ent->dane_nfail++;
		ent->dane_retry_at =
		    now + policy_engine_backoff(ent->dane_nfail);
		ent->dane_error = job->dane_why;
		log_debug("%s: dane: %s", ent->domain, job->dane_why);
		break;
	default:
		break;
	}
}

/*
 * policy_engine_apply - the only writer of a resolution's outcome; MTA-STS
 * and DANE back off separately, so that a domain with broken DNSSEC on
 * its MX hosts still gets its policy refreshed in time
 */
static void
policy_engine_apply(struct policy_engine *e, struct policy_engine_job *job)
{
	struct policy_cache_entry *ent;
	time_t now = policy_engine_now(e), delay;
	bool fetch_failed = false;

	if ((ent = policy_cache_get(e->cache, job->domain)) == NULL)
		ent = policy_cache_add(e->cache, job->domain);
	if (policy_engine_apply_sts(e, job, ent, now, &fetch_failed)) {
		ent->nfail++;
		delay = policy_engine_backoff(ent->nfail);
		if (fetch_failed && delay < POLICY_ENGINE_FETCH_RETRY)
			delay = POLICY_ENGINE_FETCH_RETRY;
		ent->retry_at = now + delay;
	} else if (job->sts != POLICY_ENGINE_STS_SKIPPED) {
		ent->nfail = 0;
		ent->retry_at = 0;
		ent->last_error = NULL;
	}
	policy_engine_apply_dane(job, ent, now);
	policy_engine_arm_flush(e);
}

/* ---- resolutions ---- */

/* policy_engine_ask - start query (name, type) in slot i; false: no */
static bool
policy_engine_ask(struct policy_engine_job *job, size_t i, const char *name,
    int type, int host, int hq)
{
	struct policy_engine_slot *s = &job->slot[i];

	s->host = host;
	s->hq = hq;
	s->q = dns_query(job->e->dns, name, type, policy_engine_on_dns, s);
	if (s->q == NULL)
		return false;
	job->pending++;
	return true;
}

/* policy_engine_answered - the name was looked up: data or none */
static bool
policy_engine_answered(enum dns_status s)
{
	return s == DNS_STATUS_OK || s == DNS_STATUS_NODATA ||
	    s == DNS_STATUS_NXDOMAIN;
}

/* policy_engine_min_ttl - the DANE state lives no longer than its data */
static void
policy_engine_min_ttl(struct policy_engine_job *job, const struct dns_reply *r)
{
	size_t i;

	for (i = 0; r->msg != NULL && i < r->msg->nrr; i++)
		if (r->msg->rr[i].section == 1 && r->msg->rr[i].ttl < job->ttl)
			job->ttl = r->msg->rr[i].ttl;
}

static void
policy_engine_on_probe(void *arg)
{
	struct policy_engine_job *job = arg;
	struct policy_engine *e = job->e;
	const struct mtasts_facts *m = &job->facts;

	job->probe = NULL;
	if (m->valid && m->body != NULL && m->id != NULL) {
		job->sts = POLICY_ENGINE_STS_FETCHED;
		e->st.fetches_ok++;
	} else if (m->error != NULL &&
	    strcmp(m->error, "txt-lookup-failed") == 0) {
		job->sts = POLICY_ENGINE_STS_DNS_FAILED;
		job->sts_why = "txt-lookup-failed";
		e->st.txt_failures++;
	} else if (!m->txt_valid) {
		/* the record changed between the two looks */
		job->sts = POLICY_ENGINE_STS_NONE;
		job->sts_why = m->error != NULL ? m->error : "no record";
	} else {
		job->sts = POLICY_ENGINE_STS_FETCH_FAILED;
		job->sts_why = m->error != NULL ? m->error : "fetch-other";
		e->st.fetches_failed++;
	}
	if (--job->pending == 0)
		policy_engine_job_finish(job);
}

/* policy_engine_on_txt - the _mta-sts TXT RRset (RFC 8461 3.1) */
static void
policy_engine_on_txt(struct policy_engine_job *job, const struct dns_reply *r)
{
	struct policy_engine *e = job->e;
	struct policy_cache_entry *ent;
	struct mtasts_probe_config mc;
	struct mtasts_txt txt;
	struct perr err = { 0, NULL };
	char *buf, *rr[POLICY_ENGINE_MAX_TXT];
	size_t len[POLICY_ENGINE_MAX_TXT], n = 0, i, idx = 0;
	enum mtasts_select sel;
	time_t now;

	dns_answer_info_set(&job->txt, r);
	if (r->dnssec == DNSSEC_BOGUS || !policy_engine_answered(r->status)) {
		job->sts = POLICY_ENGINE_STS_DNS_FAILED;
		job->sts_why = "txt-lookup-failed";
		e->st.txt_failures++;
		return;
	}
	buf = xmalloc(POLICY_ENGINE_TXT_MAX);
	for (i = 0;
	     r->msg != NULL && i < r->msg->nrr && n < POLICY_ENGINE_MAX_TXT;
	     i++) {
		if (r->msg->rr[i].section != 1 ||
		    r->msg->rr[i].type != DNS_TYPE_TXT ||
		    dnsmsg_rr_txt(r->packet, r->len, &r->msg->rr[i], buf,
		        POLICY_ENGINE_TXT_MAX, &len[n], NULL) != 0)
			continue;
		rr[n] = xmemdup0(buf, len[n]);
		n++;
	}
	free(buf);
	sel = mtasts_txt_select(
	    (const char *const *)rr, len, n, &txt, &idx, &err);
	if (sel != MTASTS_SELECT_NONE)
		job->txt_record = str_escape(rr[idx], len[idx]);
	if (sel == MTASTS_SELECT_FOUND)
		job->txt_id = xmemdup0(txt.id.p, txt.id.len);
	for (i = 0; i < n; i++)
		free(rr[i]);
	switch (sel) {
	case MTASTS_SELECT_FOUND:
		break;
	case MTASTS_SELECT_INVALID:
		job->sts = POLICY_ENGINE_STS_NONE;
		job->sts_why = "txt-invalid";
		return;
	case MTASTS_SELECT_MULTIPLE:
		job->sts = POLICY_ENGINE_STS_NONE;
		job->sts_why = "txt-multiple";
		return;
	default:
		job->sts = POLICY_ENGINE_STS_NONE;
		job->sts_why = "no record";
		return;
	}
	now = policy_engine_now(e);
	ent = policy_cache_get(e->cache, job->domain);
	if (!(job->flags & POLICY_ENGINE_JOB_FORCE) && ent != NULL &&
	    ent->policy != NULL && strcmp(ent->policy->id, job->txt_id) == 0 &&
	    now < ent->refresh_at && now < ent->policy->expires_at) {
		job->sts = POLICY_ENGINE_STS_UNCHANGED;
		job->sts_why = "id unchanged";
		return;
	}
	if (e->https == NULL) {
		job->sts = POLICY_ENGINE_STS_FETCH_FAILED;
		job->sts_why = "fetch-other";
		e->st.fetches_failed++;
		return;
	}
	memset(&mc, 0, sizeof(mc));
	mc.base = e->base;
	mc.dns = e->dns;
	mc.https = e->https;
	mc.timeout = job->timeout;
	job->probe = mtasts_probe_start(
	    &mc, job->domain, &job->facts, policy_engine_on_probe, job);
	job->pending++;
}

/* policy_engine_add_host - an MX host to look at for DANE, once */
static void
policy_engine_add_host(struct policy_engine_job *job, const char *name)
{
	size_t i;

	for (i = 0; i < job->nhost; i++)
		if (strcmp(job->host[i].name, name) == 0)
			return;
	if (job->nhost == POLICY_ENGINE_MAX_MX)
		return;
	job->host[job->nhost].name = str_lower(xstrdup(name));
	job->nhost++;
}

/*
 * policy_engine_on_mx - the MX RRset: DANE needs it DNSSEC-secure (RFC
 * 7672 2.2.1); then each host's addresses and TLSA records are asked for
 */
static void
policy_engine_on_mx(struct policy_engine_job *job, const struct dns_reply *r)
{
	struct policy_engine *e = job->e;
	char host[DNSMSG_NAMEMAX], name[DNSMSG_NAMEMAX + 16];
	uint16_t pref;
	size_t i, base;

	job->mx_status = r->status;
	job->mx_sec = r->dnssec;
	if (r->dnssec == DNSSEC_BOGUS || !policy_engine_answered(r->status)) {
		job->dane = POLICY_ENGINE_DANE_FAILED;
		job->dane_why = r->dnssec == DNSSEC_BOGUS
		    ? "mx: dnssec validation failed"
		    : "mx: lookup failed";
		e->st.dane_failures++;
		return;
	}
	if (r->status == DNS_STATUS_NXDOMAIN) {
		job->dane = POLICY_ENGINE_DANE_NO;
		job->dane_why = "no such domain";
		return;
	}
	if (r->dnssec != DNSSEC_SECURE) {
		job->dane = POLICY_ENGINE_DANE_NO;
		job->dane_why = "mx not dnssec-signed";
		return;
	}
	policy_engine_min_ttl(job, r);
	if (r->status == DNS_STATUS_NODATA) {
		job->mx_implicit = true;
		policy_engine_add_host(job, job->domain);
	}
	for (i = 0;
	     r->status == DNS_STATUS_OK && r->msg != NULL && i < r->msg->nrr;
	     i++) {
		if (r->msg->rr[i].section != 1 ||
		    r->msg->rr[i].type != DNS_TYPE_MX ||
		    dnsmsg_rr_mx(r->packet, r->len, &r->msg->rr[i], &pref, host,
		        sizeof(host), NULL) != 0 ||
		    strcmp(host, ".") == 0)
			continue;
		policy_engine_add_host(job, host);
	}
	if (job->nhost == 0) {
		job->dane = POLICY_ENGINE_DANE_NO;
		job->dane_why = "null mx";
		return;
	}
	for (i = 0; i < job->nhost; i++) {
		base = 2 + POLICY_ENGINE_HQ_MAX * i;
		snprintf(name, sizeof(name), "_25._tcp.%s", job->host[i].name);
		if (!policy_engine_ask(job, base + POLICY_ENGINE_HQ_A,
		        job->host[i].name, DNS_TYPE_A, (int)i,
		        POLICY_ENGINE_HQ_A))
			job->host[i].status[POLICY_ENGINE_HQ_A] =
			    DNS_STATUS_ERROR;
		if (!policy_engine_ask(job, base + POLICY_ENGINE_HQ_AAAA,
		        job->host[i].name, DNS_TYPE_AAAA, (int)i,
		        POLICY_ENGINE_HQ_AAAA))
			job->host[i].status[POLICY_ENGINE_HQ_AAAA] =
			    DNS_STATUS_ERROR;
		if (!policy_engine_ask(job, base + POLICY_ENGINE_HQ_TLSA, name,
		        DNS_TYPE_TLSA, (int)i, POLICY_ENGINE_HQ_TLSA))
			job->host[i].status[POLICY_ENGINE_HQ_TLSA] =
			    DNS_STATUS_ERROR;
	}
}

/* policy_engine_on_host - an address or TLSA answer of an MX host */
static void
policy_engine_on_host(struct policy_engine_job *job,
    const struct policy_engine_slot *s, const struct dns_reply *r)
{
	struct policy_engine_host *h = &job->host[s->host];
	const struct dnsmsg *msg = r->msg;
	struct tlsa_rr rr;
	size_t i;

	h->status[s->hq] = r->status;
	h->sec[s->hq] = r->dnssec;
	if (r->dnssec == DNSSEC_SECURE)
		policy_engine_min_ttl(job, r);
	if (s->hq != POLICY_ENGINE_HQ_TLSA || r->status != DNS_STATUS_OK ||
	    r->dnssec != DNSSEC_SECURE || msg == NULL)
		return;
	for (i = 0; i < msg->nrr; i++) {
		if (msg->rr[i].section != 1 ||
		    msg->rr[i].type != DNS_TYPE_TLSA ||
		    msg->rr[i].rdoff + msg->rr[i].rdlen > r->len ||
		    tlsa_parse_rdata(r->packet + msg->rr[i].rdoff,
		        msg->rr[i].rdlen, &rr, NULL) != 0)
			continue;
		h->ntlsa++;
		if (tlsa_smtp_status(&rr) == TLSA_USABLE)
			h->nusable++;
	}
}

static void
policy_engine_on_dns(void *arg, const struct dns_reply *reply)
{
	struct policy_engine_slot *s = arg;
	struct policy_engine_job *job = s->job;

	s->q = NULL;
	if (s->host >= 0)
		policy_engine_on_host(job, s, reply);
	else if (s->hq == DNS_TYPE_TXT)
		policy_engine_on_txt(job, reply);
	else
		policy_engine_on_mx(job, reply);
	if (--job->pending == 0)
		policy_engine_job_finish(job);
}

/*
 * policy_engine_host_verdict - may Postfix do DANE with this MX host:
 * secure addresses (RFC 7672 2.2.2) and a secure TLSA RRset with a usable
 * record (3.1); FAILED when a lookup failed or did not validate
 */
static void
policy_engine_host_verdict(struct policy_engine_host *h)
{
	enum dns_status a = h->status[POLICY_ENGINE_HQ_A];
	enum dns_status aaaa = h->status[POLICY_ENGINE_HQ_AAAA];
	enum dns_status t = h->status[POLICY_ENGINE_HQ_TLSA];
	int k;

	h->verdict = POLICY_ENGINE_DANE_FAILED;
	for (k = 0; k < POLICY_ENGINE_HQ_MAX; k++) {
		if (h->sec[k] == DNSSEC_BOGUS) {
			h->why = "dnssec validation failed";
			return;
		}
	}
	if (!policy_engine_answered(a) || !policy_engine_answered(aaaa)) {
		h->why = "address lookup failed";
		return;
	}
	h->verdict = POLICY_ENGINE_DANE_NO;
	if (a != DNS_STATUS_OK && aaaa != DNS_STATUS_OK) {
		h->why = "no address";
		return;
	}
	if ((a == DNS_STATUS_OK &&
	        h->sec[POLICY_ENGINE_HQ_A] != DNSSEC_SECURE) ||
	    (aaaa == DNS_STATUS_OK &&
	        h->sec[POLICY_ENGINE_HQ_AAAA] != DNSSEC_SECURE)) {
		h->why = "addresses not dnssec-signed";
		return;
	}
	if (!policy_engine_answered(t)) {
		h->verdict = POLICY_ENGINE_DANE_FAILED;
		h->why = "tlsa lookup failed";
		return;
	}
	if (h->sec[POLICY_ENGINE_HQ_TLSA] != DNSSEC_SECURE) {
		h->why = "tlsa not dnssec-signed";
		return;
	}
	if (t != DNS_STATUS_OK || h->ntlsa == 0) {
		h->why = "no tlsa records";
		return;
	}
	if (h->nusable == 0) {
		h->why = "no usable tlsa records";
		return;
	}
	h->verdict = POLICY_ENGINE_DANE_YES;
	h->why = "usable tlsa records";
}

/*
 * policy_engine_dane_verdict - the domain's: YES when any MX host has
 * usable DANE (Postfix then authenticates those hosts by DANE, RFC 8461
 * 2: MTA-STS never overrides DANE), NO when none has, FAILED when one
 * could not be told
 */
static void
policy_engine_dane_verdict(struct policy_engine_job *job)
{
	bool yes = false, unknown = false;
	size_t i;

	if (job->nhost == 0) {
		job->dane = POLICY_ENGINE_DANE_FAILED;
		job->dane_why = "mx: no answer";
		job->e->st.dane_failures++;
		return;
	}
	for (i = 0; i < job->nhost; i++) {
		policy_engine_host_verdict(&job->host[i]);
		yes = yes || job->host[i].verdict == POLICY_ENGINE_DANE_YES;
		unknown = unknown ||
		    job->host[i].verdict == POLICY_ENGINE_DANE_FAILED;
	}
	if (yes) {
		job->dane = POLICY_ENGINE_DANE_YES;
		job->dane_why = "usable tlsa records";
	} else if (unknown) {
		job->dane = POLICY_ENGINE_DANE_FAILED;
		job->dane_why = "mx host lookups failed";
		job->e->st.dane_failures++;
	} else {
		job->dane = POLICY_ENGINE_DANE_NO;
		job->dane_why = "no mx host with usable tlsa records";
	}
}

/* policy_engine_job_on_timer - the deadline passed, or nothing started */
static void
policy_engine_job_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct policy_engine_job *job = arg;
	size_t i;

	(void)fd;
	(void)what;
	if (job->pending > 0) {
		log_debug("%s: resolution: deadline passed", job->domain);
		for (i = 0; i < POLICY_ENGINE_NSLOT; i++) {
			dns_query_cancel(job->slot[i].q);
			job->slot[i].q = NULL;
		}
		if (job->probe != NULL) {
			mtasts_probe_cancel(job->probe);
			job->probe = NULL;
			job->sts = POLICY_ENGINE_STS_FETCH_FAILED;
			job->sts_why = "fetch-timeout";
			job->e->st.fetches_failed++;
		}
		if (job->sts == POLICY_ENGINE_STS_PENDING) {
			job->sts = POLICY_ENGINE_STS_DNS_FAILED;
			job->sts_why = "txt-lookup-failed";
			job->e->st.txt_failures++;
		}
		job->pending = 0;
	}
	policy_engine_job_finish(job);
}

static void
policy_engine_job_start(struct policy_engine_job *job)
{
	struct policy_engine *e = job->e;
	struct timeval tv = { 0, 0 };
	char name[DOMAIN_MAX + 16];
	double limit;
	size_t i;

	job->slot = xcalloc(POLICY_ENGINE_NSLOT, sizeof(*job->slot));
	for (i = 0; i < POLICY_ENGINE_NSLOT; i++) {
		job->slot[i].job = job;
		job->slot[i].host = -1;
	}
	job->host = xcalloc(POLICY_ENGINE_MAX_MX, sizeof(*job->host));
	job->running = true;
	e->st.jobs_started++;
	if (!(job->flags & POLICY_ENGINE_JOB_FOREGROUND))
		e->nrunning++;
	job->timer = evtimer_new(e->base, policy_engine_job_on_timer, job);
	if (job->flags & POLICY_ENGINE_JOB_STS) {
		job->sts = POLICY_ENGINE_STS_PENDING;
		e->st.txt_lookups++;
		snprintf(name, sizeof(name), "_mta-sts.%s", job->domain);
		if (!policy_engine_ask(
		        job, 0, name, DNS_TYPE_TXT, -1, DNS_TYPE_TXT)) {
			job->sts = POLICY_ENGINE_STS_DNS_FAILED;
			job->sts_why = "txt-lookup-failed";
			e->st.txt_failures++;
		}
	}
	if (job->flags & POLICY_ENGINE_JOB_DANE) {
		job->dane = POLICY_ENGINE_DANE_PENDING;
		e->st.dane_lookups++;
		if (!policy_engine_ask(
		        job, 1, job->domain, DNS_TYPE_MX, -1, DNS_TYPE_MX)) {
			job->dane = POLICY_ENGINE_DANE_FAILED;
			job->dane_why = "mx: lookup failed";
			e->st.dane_failures++;
		}
	}
	/*
	 * TXT, then the probe's DNS and fetch; the DANE queries run beside;
	 * the whole gets three timeouts and a second
	 */
	if (job->pending > 0) {
		limit = 3 * job->timeout + 1;
		tv.tv_sec = (time_t)limit;
		tv.tv_usec = (suseconds_t)((limit - (double)tv.tv_sec) * 1e6);
	}
	evtimer_add(job->timer, &tv);
}

static void
policy_engine_job_finish(struct policy_engine_job *job)
{
	struct policy_engine *e = job->e;

	evtimer_del(job->timer);
	if (job->dane == POLICY_ENGINE_DANE_PENDING)
		policy_engine_dane_verdict(job);
	log_debug("%s: resolution: mta-sts %s%s%s, dane %s", job->domain,
	    policy_engine_sts_names[job->sts], job->sts_why != NULL ? ": " : "",
	    job->sts_why != NULL ? job->sts_why : "",
	    policy_engine_dane_names[job->dane]);
	policy_engine_apply(e, job);
	job->done = true;
	if (job->flags & POLICY_ENGINE_JOB_FOREGROUND)
		return; /* policy_engine_query reads it, then frees it */
	strmap_del(&e->jobs, job->domain);
	e->nrunning--;
	e->trim = true;
	if (job->flags & POLICY_ENGINE_JOB_PROACTIVE)
		e->nproactive--;
	policy_engine_job_free(job);
	if (e->qhead != NULL)
		policy_engine_arm(e->pump, 0);
	else
		policy_engine_trim(e, policy_engine_now(e));
}

/*
 * policy_engine_trim - once the jobs are all done, give the pages between
 * the surviving cache entries back to the system: a burst of new domains
 * queues thousands of jobs. At most every POLICY_ENGINE_TRIM_SEC (the
 * tick catches the rest), as it takes a moment of the answer path.
 */
static void
policy_engine_trim(struct policy_engine *e, time_t now)
{
	if (!e->trim || e->nrunning != 0 || e->nqueued != 0 ||
	    now - e->trimmed_at < POLICY_ENGINE_TRIM_SEC)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	e->trim = false;
	e->trimmed_at = now;
}

/* policy_engine_on_pump - start queued jobs while there is room */
static void
policy_engine_on_pump(evutil_socket_t fd, short what, void *arg)
{
	struct policy_engine *e = arg;
	struct policy_engine_job *job;

	(void)fd;
	(void)what;
	while (e->qhead != NULL && e->nrunning < POLICY_ENGINE_MAX_JOBS) {
		job = e->qhead;
		e->qhead = job->qnext;
		if (e->qhead == NULL)
			e->qtail = NULL;
		job->qnext = NULL;
		e->nqueued--;
		policy_engine_job_start(job);
	}
}

static void
policy_engine_on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct policy_engine *e = arg;

	(void)fd;
	(void)what;
	if (policy_engine_flush(e) != 0)
		policy_engine_arm(e->flush, POLICY_ENGINE_REFLUSH_SEC);
}

/*
 * policy_engine_on_tick - drop expired policies; with proactive fetching,
 * refetch those whose refresh_at has come, at most proactive_concurrency
 * at a time
 */
static void
policy_engine_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct policy_engine *e = arg;
	const struct policyd_config *c = e->cfg;
	struct policy_cache_entry *ent, *next;
	time_t now = policy_engine_now(e);
	unsigned flags;

	(void)fd;
	(void)what;
	for (ent = policy_cache_first(e->cache, true); ent != NULL;
	     ent = next) {
		next = ent->lru_next;
		if (now >= ent->policy->expires_at) {
			log_info(
			    "%s: mta-sts: cached policy expired", ent->domain);
			policy_cache_drop_policy(e->cache, ent);
			continue;
		}
		if (!c->proactive || now < ent->refresh_at ||
		    now < ent->retry_at ||
		    e->nproactive >= c->proactive_concurrency)
			continue;
		flags = POLICY_ENGINE_JOB_STS | POLICY_ENGINE_JOB_PROACTIVE;
		if (e->dane_any && policy_engine_dane_due(ent, now))
			flags |= POLICY_ENGINE_JOB_DANE;
		policy_engine_schedule(
		    e, ent->domain, flags, c->default_zone.timeout);
	}
	policy_engine_arm_flush(e);
	policy_engine_trim(e, now);
	policy_engine_arm(e->tick, POLICY_ENGINE_TICK_SEC);
}

/* ---- life ---- */

/*
 * policy_engine_cache_aside - the cache file is damaged: keep it (and its
 * WAL) beside under a dated name for whoever wants to look, so that the
 * daemon starts with an empty cache rather than not at all. A cache is
 * an optimisation; refusing to start would hold every outgoing mail.
 */
static int
policy_engine_cache_aside(const char *path, time_t now)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char stamp[32];
	struct tm tm;
	size_t i;
	int rc = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *from = xasprintf("%s%s", path, sfx[i]);
		char *to = xasprintf("%s.damaged-%s%s", path, stamp, sfx[i]);

		if (rename(from, to) == 0)
			log_warnx("%s: damaged cache moved to %s", from, to);
		else if (errno != ENOENT)
			rc = -1;
		free(from);
		free(to);
	}
	return rc;
}

struct policy_engine *
policy_engine_new(const struct policy_engine_config *ec, char **errmsg)
{
	const struct policyd_config *c = ec->cfg;
	struct policy_engine *e = xcalloc(1, sizeof(*e));
	struct policy_cache_entry *ent;
	time_t now = time(NULL);
	long n;
	size_t i;

	*errmsg = NULL;
	e->cfg = c;
	e->base = ec->base;
	e->dns = ec->dns;
	e->https = ec->https;
	e->cache = policy_cache_new(c->cache_size);
	strmap_init(&e->jobs);
	e->rng =
	    ((uint64_t)now << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)e;
	if (e->rng == 0)
		e->rng = 0x9e3779b97f4a7c15ULL;
	e->dane_any = c->default_zone.dane;
	for (i = 0; i < c->nzones; i++)
		e->dane_any = e->dane_any || c->zones[i].dane;
	if (c->cache_type != NULL && strcmp(c->cache_type, "sqlite") == 0) {
		if (c->cache_file == NULL) {
			*errmsg = xstrdup("cache: type sqlite needs a file");
			policy_engine_free(e);
			return NULL;
		}
		n = policy_cache_open(
		    e->cache, c->cache_file, ec->read_only, now, errmsg);
		if (n == POLICY_CACHE_DAMAGED && !ec->read_only &&
		    policy_engine_cache_aside(c->cache_file, now) == 0) {
			log_warnx("%s; starting with an empty cache", *errmsg);
			free(*errmsg);
			n = policy_cache_open(
			    e->cache, c->cache_file, false, now, errmsg);
		}
		if (n < 0) {
			policy_engine_free(e);
			return NULL;
		}
		log_info("%s: cache: %ld policies loaded", c->cache_file, n);
		for (ent = policy_cache_first(e->cache, true); ent != NULL;
		     ent = ent->lru_next)
			policy_engine_set_refresh(e, ent);
	}
	if (e->base != NULL) {
		e->pump = evtimer_new(e->base, policy_engine_on_pump, e);
		e->flush = evtimer_new(e->base, policy_engine_on_flush, e);
		e->tick = evtimer_new(e->base, policy_engine_on_tick, e);
		policy_engine_arm(e->tick, POLICY_ENGINE_TICK_SEC);
		policy_engine_arm_flush(e);
	}
	return e;
}

void
policy_engine_free(struct policy_engine *e)
{
	struct strmap_entry *me;
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->jobs.nbuckets; i++)
		for (me = e->jobs.buckets[i]; me != NULL; me = me->next)
			policy_engine_job_free(me->value);
	strmap_release(&e->jobs);
	if (e->pump != NULL)
		event_free(e->pump);
	if (e->flush != NULL)
		event_free(e->flush);
	if (e->tick != NULL)
		event_free(e->tick);
	policy_cache_free(e->cache);
	free(e);
}

int
policy_engine_flush(struct policy_engine *e)
{
	char *errmsg = NULL;

	if (policy_cache_flush(e->cache, &errmsg) == 0)
		return 0;
	log_warnx("cache: write failed: %s", errmsg);
	free(errmsg);
	return -1;
}

/* ---- inspection ---- */

/* policy_engine_state - one word for an entry */
static const char *
policy_engine_state(const struct policy_cache_entry *ent, time_t now)
{
	if (ent->policy != NULL && now < ent->policy->expires_at)
		return "policy";
	if (ent->neg_expires > now)
		return "negative";
	if (ent->nfail > 0)
		return "failing";
	return "unknown";
}

static const char *
policy_engine_dane_state(const struct policy_cache_entry *ent, time_t now)
{
	if (ent->dane == POLICY_CACHE_DANE_UNKNOWN || now >= ent->dane_expires)
		return "unknown";
	return ent->dane == POLICY_CACHE_DANE_YES ? "yes" : "no";
}

static void
policy_engine_print_entry(FILE *out, const char *label,
    const struct policy_cache_entry *ent, time_t now)
{
	const struct policy_cache_policy *p;
	char t1[32], t2[32], t3[32];
	size_t i;

	if (ent == NULL) {
		fprintf(out, "%s: not cached\n", label);
		return;
	}
	fprintf(out, "%s: %s", label, policy_engine_state(ent, now));
	if ((p = ent->policy) != NULL) {
		fprintf(out, ", mode %s, id %s, fetched %s, expires %s",
		    mtasts_mode_name(p->mode), p->id,
		    policy_engine_time(p->fetched_at, t1, sizeof(t1)),
		    policy_engine_time(p->expires_at, t2, sizeof(t2)));
		fprintf(out, ", refetch from %s, mx",
		    policy_engine_time(ent->refresh_at, t3, sizeof(t3)));
		for (i = 0; i < p->nmx; i++)
			fprintf(out, " %s", p->mx[i]);
	}
	if (ent->neg_expires > now)
		fprintf(out, ", no policy until %s",
		    policy_engine_time(ent->neg_expires, t1, sizeof(t1)));
	fprintf(out, ", checked %s; dane %s",
	    policy_engine_time(ent->checked_at, t1, sizeof(t1)),
	    policy_engine_dane_state(ent, now));
	if (ent->dane != POLICY_CACHE_DANE_UNKNOWN && ent->dane_mx > 0)
		fprintf(out, " (usable on %u of %u mx hosts)", ent->dane_usable,
		    ent->dane_mx);
	if (ent->dane != POLICY_CACHE_DANE_UNKNOWN)
		fprintf(out, " until %s",
		    policy_engine_time(ent->dane_expires, t2, sizeof(t2)));
	if (ent->nfail > 0)
		fprintf(out, "; mta-sts: %u failures, last %s, retry from %s",
		    ent->nfail, ent->last_error != NULL ? ent->last_error : "?",
		    policy_engine_time(ent->retry_at, t3, sizeof(t3)));
	if (ent->dane_nfail > 0)
		fprintf(out, "; dane: %u failures, last %s, retry from %s",
		    ent->dane_nfail,
		    ent->dane_error != NULL ? ent->dane_error : "?",
		    policy_engine_time(ent->dane_retry_at, t3, sizeof(t3)));
	fprintf(out, "\n");
}

static const char *
policy_engine_status_name(const struct dns_answer_info *a)
{
	return a->status == DNS_STATUS_NONE ? "no answer"
	                                    : dns_status_name(a->status);
}

/* policy_engine_print_job - what a foreground resolution found */
static void
policy_engine_print_job(FILE *out, const struct policy_engine_job *job)
{
	const struct mtasts_facts *m = &job->facts;
	const struct policy_engine_host *h;
	size_t i;
	int k;

	fprintf(out, "txt: _mta-sts.%s: %s, %s", job->domain,
	    policy_engine_status_name(&job->txt),
	    dnssec_state_name(job->txt.dnssec));
	if (job->txt_record != NULL)
		fprintf(out, ": \"%s\"", job->txt_record);
	if (job->txt_id != NULL)
		fprintf(out, " (id %s)", job->txt_id);
	fprintf(out, "\n");
	fprintf(out, "mta-sts: %s", policy_engine_sts_names[job->sts]);
	if (job->sts_why != NULL)
		fprintf(out, " (%s)", job->sts_why);
	fprintf(out, "\n");
	if (m->url != NULL) {
		fprintf(out, "policy: %s: HTTP %d, %s\n", m->url,
		    m->http_status,
		    m->content_type != NULL ? m->content_type
		                            : "no content type");
		if (m->error_detail != NULL)
			fprintf(out, "policy: %s\n", m->error_detail);
		if (m->policy_valid || m->nproblems > 0)
			fprintf(out,
			    "policy: %s: mode %s, max_age %lld, %zu mx\n",
			    m->policy_valid ? "valid" : "invalid",
			    mtasts_mode_name((enum mtasts_mode)m->mode),
			    m->max_age, m->nmx);
		for (i = 0; i < m->nproblems; i++)
			fprintf(out, "policy: %s\n", m->problems[i]);
	}
	fprintf(out, "dane: %s", policy_engine_dane_names[job->dane]);
	if (job->dane_why != NULL)
		fprintf(out, " (%s)", job->dane_why);
	if (job->dane != POLICY_ENGINE_DANE_SKIPPED)
		fprintf(out, "; mx %s, %s%s", dns_status_name(job->mx_status),
		    dnssec_state_name(job->mx_sec),
		    job->mx_implicit ? ", implicit" : "");
	fprintf(out, "\n");
	for (i = 0; i < job->nhost; i++) {
		h = &job->host[i];
		fprintf(out, "dane: %s:", h->name);
		for (k = 0; k < POLICY_ENGINE_HQ_MAX; k++)
			fprintf(out, " %s %s %s",
			    k == POLICY_ENGINE_HQ_A          ? "a"
			        : k == POLICY_ENGINE_HQ_AAAA ? "aaaa"
			                                     : "tlsa",
			    h->status[k] == DNS_STATUS_NONE
			        ? "no-answer"
			        : dns_status_name(h->status[k]),
			    dnssec_state_name(h->sec[k]));
		fprintf(out, "; %u tlsa, %u usable: %s\n", h->ntlsa, h->nusable,
		    h->why != NULL ? h->why : "?");
	}
}

int
policy_engine_query(
    struct policy_engine *e, const char *name, const char *key, FILE *out)
{
	const struct policyd_zone *z =
	    policyd_config_zone(e->cfg, name, strlen(name));
	struct policy_engine_job *job;
	struct policy_cache_entry *ent;
	char domain[DOMAIN_MAX + 1], *k;
	enum policy_engine_key kind;
	enum policy_engine_verdict v;
	const char *why = NULL;
	struct buf reply;
	time_t now = policy_engine_now(e);
	int rc;

	k = str_escape(key, strlen(key));
	fprintf(out, "key: %s\n", k);
	free(k);
	fprintf(out,
	    "zone: %s (strict_testing %s, require_sni %s, tlsrpt %s, "
	    "dane %s, timeout %g s)\n",
	    z->name != NULL ? z->name : "default",
	    z->strict_testing ? "yes" : "no", z->require_sni ? "yes" : "no",
	    z->tlsrpt ? "yes" : "no", z->dane ? "yes" : "no", z->timeout);
	kind = policy_engine_normalize(
	    key, strlen(key), domain, sizeof(domain), &why);
	if (kind != POLICY_ENGINE_KEY_DOMAIN) {
		fprintf(out, "domain: none, %s\n",
		    kind == POLICY_ENGINE_KEY_PARENT
		        ? "a parent-domain probe (RFC 8461 3.4: no policy "
		          "from a parent domain)"
		        : kind == POLICY_ENGINE_KEY_LITERAL ? "an IP address"
		                                            : why);
		fprintf(out, "answer: NOTFOUND \n");
		return 1;
	}
	fprintf(out, "domain: %s\n", domain);
	buf_init(&reply, POLICY_ENGINE_REPLY_MAX);
	ent = policy_cache_get(e->cache, domain);
	policy_engine_print_entry(out, "cache before", ent, now);
	if (ent != NULL) {
		policy_engine_reply(ent, z, now, &reply);
		fprintf(out, "answer before: %s\n", buf_str(&reply));
	}
	rc = -1;
	if (e->dns != NULL && e->base != NULL) {
		job = policy_engine_job_new(e, domain,
		    POLICY_ENGINE_JOB_STS | POLICY_ENGINE_JOB_DANE |
		        POLICY_ENGINE_JOB_FORCE | POLICY_ENGINE_JOB_FOREGROUND,
		    z->timeout);
		policy_engine_job_start(job);
		while (!job->done)
			if (event_base_loop(e->base, EVLOOP_ONCE) != 0)
				break;
		if (!job->done) /* the loop failed: end it here */
			policy_engine_job_on_timer(-1, 0, job);
		policy_engine_print_job(out, job);
		policy_engine_job_free(job);
		rc = 0;
		now = policy_engine_now(e);
	} else {
		fprintf(out, "lookups: none (no resolver)\n");
	}
	if ((ent = policy_cache_get(e->cache, domain)) == NULL)
		ent = policy_cache_add(e->cache, domain);
	policy_engine_print_entry(out, "cache after", ent, now);
	v = policy_engine_reply(ent, z, now, &reply);
	fprintf(out, "answer: %s\n", buf_str(&reply));
	buf_release(&reply);
	if (z->dane && v != POLICY_ENGINE_DANE &&
	    ent->dane == POLICY_CACHE_DANE_UNKNOWN)
		fprintf(out,
		    "note: dane state unknown: the mta-sts answer "
		    "stands (never TEMP for dane)\n");
	if (rc < 0)
		return -1;
	return v == POLICY_ENGINE_NOTFOUND ? 1
	    : v == POLICY_ENGINE_TEMP      ? 2
	                                   : 0;
}

static int
policy_engine_cmp(const void *a, const void *b)
{
	const struct policy_cache_entry *const *x = a, *const *y = b;

	return strcmp((*x)->domain, (*y)->domain);
}

void
policy_engine_dump(struct policy_engine *e, FILE *out)
{
	struct policy_cache_stats cs;
	struct policy_cache_entry **v, *ent;
	const struct policy_cache_policy *p;
	time_t now = policy_engine_now(e), exp;
	char t[32];
	size_t n = 0, i;
	int pass;

	policy_cache_stats(e->cache, &cs);
	v = xcalloc(cs.entries + 1, sizeof(*v));
	for (pass = 0; pass < 2; pass++)
		for (ent = policy_cache_first(e->cache, pass == 0);
		     ent != NULL && n < cs.entries; ent = ent->lru_next)
			v[n++] = ent;
	qsort(v, n, sizeof(*v), policy_engine_cmp);
	fprintf(out, "# domain\tstate\tmode\tid\texpires\tdane\tfailures\n");
	for (i = 0; i < n; i++) {
		ent = v[i];
		p = ent->policy;
		exp = p != NULL ? p->expires_at : ent->neg_expires;
		fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%u\n", ent->domain,
		    policy_engine_state(ent, now),
		    p != NULL ? mtasts_mode_name(p->mode) : "-",
		    p != NULL ? p->id : "-",
		    policy_engine_time(exp, t, sizeof(t)),
		    policy_engine_dane_state(ent, now), ent->nfail);
	}
	free(v);
}

size_t
policy_engine_purge(struct policy_engine *e, const char *key)
{
	struct policy_cache_entry *ent;
	char domain[DOMAIN_MAX + 1];
	size_t n;

	if (key == NULL) {
		n = policy_cache_purge(e->cache);
	} else {
		if (policy_engine_normalize(key, strlen(key), domain,
		        sizeof(domain), NULL) != POLICY_ENGINE_KEY_DOMAIN ||
		    (ent = policy_cache_get(e->cache, domain)) == NULL)
			return 0;
		policy_cache_remove(e->cache, ent);
		n = 1;
	}
	log_info("cache: %zu entries purged", n);
	policy_engine_arm_flush(e);
	return n;
}

void
policy_engine_stats(
    const struct policy_engine *e, struct policy_engine_stats *out)
{
	struct policy_cache_stats cs;

	policy_cache_stats(e->cache, &cs);
	*out = e->st;
	out->cache_evictions = cs.evictions;
	out->db_commits = cs.db_commits;
	out->db_rows = cs.db_rows;
	out->db_errors = cs.db_errors;
	out->entries = cs.entries;
	out->policies = cs.policies;
	out->jobs_running = e->nrunning;
	out->jobs_queued = e->nqueued;
}

/* one Prometheus sample: family, label (may be NULL), value */
struct policy_engine_metric {
	const char *name;
	const char *type; /* NULL: same family as the previous line */
	const char *help;
	const char *label;
	uint64_t value;
};

int
policy_engine_metrics(const struct policy_engine_stats *s, struct buf *out)
{
	const struct policy_engine_metric m[] = {
		{ "queries_total", "counter", "Socketmap requests answered.",
		    NULL, s->queries },
		{ "answers_total", "counter", "Replies by kind.",
		    "answer=\"secure\"", s->answers_secure },
		{ "answers_total", NULL, NULL, "answer=\"dane\"",
		    s->answers_dane },
		{ "answers_total", NULL, NULL, "answer=\"notfound\"",
		    s->answers_notfound },
		{ "answers_total", NULL, NULL, "answer=\"temp\"",
		    s->answers_temp },
		{ "keys_skipped_total", "counter",
		    "Parent-domain probes, IP literals and invalid keys.", NULL,
		    s->keys_skipped },
		{ "cache_requests_total", "counter",
		    "Cache lookups of a domain by result.", "result=\"hit\"",
		    s->cache_hits },
		{ "cache_requests_total", NULL, NULL, "result=\"negative\"",
		    s->cache_negative_hits },
		{ "cache_requests_total", NULL, NULL, "result=\"miss\"",
		    s->cache_misses },
		{ "cache_stale_total", "counter",
		    "Answers from a policy being revalidated.", NULL,
		    s->cache_stale },
		{ "cache_evictions_total", "counter",
		    "Entries dropped for room.", NULL, s->cache_evictions },
		{ "txt_lookups_total", "counter", "_mta-sts TXT lookups.",
		    "result=\"ok\"", s->txt_lookups - s->txt_failures },
		{ "txt_lookups_total", NULL, NULL, "result=\"failed\"",
		    s->txt_failures },
		{ "fetches_total", "counter", "MTA-STS policy fetches.",
		    "result=\"ok\"", s->fetches_ok },
		{ "fetches_total", NULL, NULL, "result=\"failed\"",
		    s->fetches_failed },
		{ "policies_changed_total", "counter",
		    "New or replaced policies.", NULL, s->policies_changed },
		{ "dane_lookups_total", "counter",
		    "DANE lookups (MX, addresses, TLSA) of a domain.",
		    "result=\"ok\"", s->dane_lookups - s->dane_failures },
		{ "dane_lookups_total", NULL, NULL, "result=\"failed\"",
		    s->dane_failures },
		{ "resolutions_total", "counter", "Background resolutions.",
		    "result=\"started\"", s->jobs_started },
		{ "resolutions_total", NULL, NULL, "result=\"dropped\"",
		    s->jobs_dropped },
		{ "db_commits_total", "counter", "Cache database commits.",
		    NULL, s->db_commits },
		{ "db_rows_total", "counter", "Cache database rows written.",
		    NULL, s->db_rows },
		{ "db_errors_total", "counter", "Failed database writes.", NULL,
		    s->db_errors },
		{ "cache_entries", "gauge", "Domains in memory.", NULL,
		    s->entries },
		{ "cache_policies", "gauge", "Policies in memory.", NULL,
		    s->policies },
		{ "resolutions_running", "gauge", "Resolutions running.", NULL,
		    s->jobs_running },
		{ "resolutions_queued", "gauge", "Resolutions waiting.", NULL,
		    s->jobs_queued },
	};
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(m) / sizeof(m[0]) && rc == 0; i++) {
		if (m[i].type != NULL)
			rc = buf_printf(out,
			    "# HELP mxaudit_policyd_%s %s\n"
			    "# TYPE mxaudit_policyd_%s %s\n",
			    m[i].name, m[i].help, m[i].name, m[i].type);
		if (rc == 0)
			rc = buf_printf(out, "mxaudit_policyd_%s%s%s%s %llu\n",
			    m[i].name, m[i].label != NULL ? "{" : "",
			    m[i].label != NULL ? m[i].label : "",
			    m[i].label != NULL ? "}" : "",
			    (unsigned long long)m[i].value);
	}
	return rc;
}
