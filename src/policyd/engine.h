/* SPDX-License-Identifier: ISC */
/*
 * policy_engine - the answers of the Postfix smtp_tls_policy_maps daemon
 * (MTA-STS, RFC 8461, and DANE first, RFC 8461 2), from memory.
 *
 * policy_engine_answer() is what the socketmap server calls per request.
 * It never does I/O: it reads the cache (policyd/cache), formats or reuses
 * the reply, and schedules background work on the event loop, at most one
 * resolution per domain at a time: the _mta-sts TXT record, the policy
 * through probe/mtasts_probe (the scanner's own fetch and parser) when the
 * record's id is new or the policy is due for a refresh, and for zones with
 * dane on, the MX RRset with the A, AAAA and TLSA (_25._tcp) records of
 * each MX host. The cache's life, in short:
 *   - unknown domain: NOTFOUND now, one resolution in the background;
 *   - no policy found: NOTFOUND for negative_ttl without lookups;
 *   - a policy: answered until max_age from its fetch; revalidated in the
 *     background once older than cache_grace (stale-while-revalidate); an
 *     unchanged TXT id does not refetch it and does not extend it; it is
 *     refetched whatever the id once refresh_at has come (before expiry,
 *     with jitter), and proactively when proactive_policy_fetching is on;
 *   - failures (DNS, HTTPS, invalid policy) keep what is cached and back
 *     off per domain (exponentially, 60 s to 1 h; 5 min at least after a
 *     failed fetch, RFC 8461 3.3); DANE lookups back off on their own;
 *   - DANE usable on an MX host and dane on in the zone: "OK dane"; DANE
 *     lookup failures never TEMP, the MTA-STS answer is used instead.
 */
#ifndef MX_POLICYD_ENGINE_H
#define MX_POLICYD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "policyd/cache.h"
#include "proto/policyd_config.h"
#include "util/buf.h"

struct dns;
struct event_base;
struct https;
struct policy_engine;

/* Postfix's socketmap_max_reply_size default, netstring framing excluded */
#define POLICY_ENGINE_REPLY_MAX 100000
#define POLICY_ENGINE_KEY_MAX   1024 /* longer keys are not domain names */

struct policy_engine_config {
	const struct policyd_config *cfg; /* borrowed: outlives the engine */
	struct event_base *base; /* borrowed, or NULL: no background work */
	struct dns *dns;         /* borrowed, or NULL: no lookups (tests) */
	struct https *https;     /* borrowed, or NULL: no policy fetches */
	bool read_only;          /* load the database, never write it */
};

/*
 * policy_engine_new - an engine over cfg; with cache type "sqlite" it
 * opens cache_file and loads its policies. NULL with *errmsg (owned by
 * the caller) when the database cannot be used.
 */
struct policy_engine *policy_engine_new(
    const struct policy_engine_config *ec, char **errmsg);
/*
 * policy_engine_free - cancel background work (no callbacks follow),
 * write what is pending, free. Accepts NULL.
 */
void policy_engine_free(struct policy_engine *e);

/*
 * policy_engine_answer - the reply to the socketmap request "name key"
 * (name selects the zone; both may hold any bytes): "OK secure match=...",
 * "OK dane", "NOTFOUND " or "TEMP policy too long", written into reply
 * (reset first) without netstring framing. Synchronous and I/O-free; a
 * reply that does not fit reply->cap becomes the TEMP one.
 */
void policy_engine_answer(struct policy_engine *e, const char *name,
    size_t nlen, const char *key, size_t klen, struct buf *reply);

/*
 * policy_engine_query - resolve key in the foreground (the event loop runs
 * until the lookups end) and tell out what the daemon would answer and
 * why: the key's normal form, the zone, the cache before and after, the
 * TXT record, the policy fetch, the DANE lookups. The result goes into
 * the cache as a background resolution's would. Returns 0 for an OK
 * answer, 1 for NOTFOUND, 2 for TEMP, -1 when nothing could be looked up
 * (no event loop or resolver).
 */
int policy_engine_query(
    struct policy_engine *e, const char *name, const char *key, FILE *out);

/*
 * policy_engine_dump - one line per cached domain, sorted: "domain state
 * mode id expires dane failures", tab-separated, after a "#" header line.
 * state is policy, negative, unknown or failing; expires in UTC.
 */
void policy_engine_dump(struct policy_engine *e, FILE *out);
/*
 * policy_engine_purge - forget key's domain (a key as in a request), or
 * everything when key is NULL; the rows go at the next write. Returns the
 * number of entries forgotten.
 */
size_t policy_engine_purge(struct policy_engine *e, const char *key);
/* policy_engine_flush - write pending database changes now; 0 or -1 */
int policy_engine_flush(struct policy_engine *e);

/* counters (monotonic) and gauges, for Prometheus */
struct policy_engine_stats {
	uint64_t queries;          /* requests answered */
	uint64_t answers_secure;   /* OK secure ... */
	uint64_t answers_dane;     /* OK dane */
	uint64_t answers_notfound; /* NOTFOUND */
	uint64_t answers_temp;     /* TEMP policy too long */
	uint64_t keys_skipped;     /* parent probes, IP literals, invalid keys:
				   NOTFOUND from the key alone */
	uint64_t cache_hits;       /* a policy in memory */
	uint64_t cache_negative_hits; /* known to have no policy */
	uint64_t cache_misses;        /* nothing known yet (or any more) */
	uint64_t cache_stale;         /* answered while revalidating */
	uint64_t cache_evictions;
	uint64_t txt_lookups, txt_failures;   /* _mta-sts TXT */
	uint64_t fetches_ok, fetches_failed;  /* policy fetches */
	uint64_t policies_changed;            /* new or replaced policies */
	uint64_t dane_lookups, dane_failures; /* MX + TLSA rounds */
	uint64_t jobs_started, jobs_dropped;  /* dropped: queue full */
	uint64_t db_commits, db_rows, db_errors;
	size_t entries, policies; /* gauges: cache size */
	size_t jobs_running, jobs_queued;
};
void policy_engine_stats(
    const struct policy_engine *e, struct policy_engine_stats *out);
/*
 * policy_engine_metrics - the Prometheus text exposition of s
 * (mxaudit_policyd_*), appended to out; -1 when out's cap is reached
 */
int policy_engine_metrics(const struct policy_engine_stats *s, struct buf *out);

/* ---- pure parts, public for tests and the query command ---- */

enum policy_engine_key {
	POLICY_ENGINE_KEY_DOMAIN = 0, /* out holds the domain to look up */
	POLICY_ENGINE_KEY_PARENT,     /* ".example.com": Postfix's parent
					 domain probe, never a policy */
	POLICY_ENGINE_KEY_LITERAL,    /* an IP address, bracketed or not */
	POLICY_ENGINE_KEY_INVALID,    /* not a domain name */
};

/*
 * policy_engine_normalize - the domain a request key asks about, into out
 * (DOMAIN_MAX + 1 bytes at least): blanks around it and one trailing dot
 * dropped, "[host]", "[host]:port" and "host:port" reduced to host (as
 * postfix-mta-sts-resolver does), ASCII lower-cased, U-labels converted to
 * A-labels (libidn2, UTS #46 non-transitional). *why (may be NULL) gets a
 * static reason for INVALID.
 */
enum policy_engine_key policy_engine_normalize(
    const char *key, size_t klen, char *out, size_t outsize, const char **why);
/* policy_engine_key_name - "domain", "parent", "literal", "invalid" */
const char *policy_engine_key_name(enum policy_engine_key k);

/*
 * policy_engine_format - the OK reply for policy p of domain:
 * "OK secure match=P1:P2... [servername=hostname]" where each pattern
 * "*.d" becomes Postfix's ".d" (duplicates once, policy order), and with
 * tlsrpt Postfix 3.10's " policy_type=sts policy_domain=D
 * mx_host_pattern=P..." and one " { policy_string = LINE }" per policy
 * line (lines with braces or bytes outside printable ASCII are left out,
 * Postfix could not parse them). Appended to out; -1 when out's cap is
 * reached (out is then empty).
 */
int policy_engine_format(const char *domain,
    const struct policy_cache_policy *p, bool sni, bool tlsrpt,
    struct buf *out);

/* ---- for tests ---- */

/* policy_engine_cache - the cache (borrowed), to fill entries by hand */
struct policy_cache *policy_engine_cache(struct policy_engine *e);
/* policy_engine_set_now - a fixed clock (seconds), 0 for the real one */
void policy_engine_set_now(struct policy_engine *e, time_t now);

#endif
