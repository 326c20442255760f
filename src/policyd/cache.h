/* SPDX-License-Identifier: ISC */
/*
 * policy_cache - what the policy daemon knows per recipient domain: its
 * MTA-STS policy (or that it has none), its DANE state and its failure
 * backoff, in memory, capped, with the policies persisted in SQLite.
 *
 * Design: a hash map (util/strmap) from the domain to its entry, and two
 * LRU lists, one for entries that hold a policy and one for the others
 * (negatives, unknowns, DANE-only), so that eviction takes the least
 * recently used entry without a policy first. Only policies are persisted:
 * a negative or a DANE state is cheap to learn again. Writes never happen
 * when an entry changes: the domain is marked dirty, and
 * policy_cache_flush() writes every dirty domain's current state in one
 * transaction (BEGIN IMMEDIATE ... COMMIT, WAL, synchronous=NORMAL), so a
 * crash at any point leaves the file as it was after the last commit. The
 * engine (engine.c) decides what the fields mean; this module keeps them.
 */
#ifndef MX_POLICYD_CACHE_H
#define MX_POLICYD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/domain.h"
#include "proto/mtasts.h"
#include "util/perr.h"

/* memoized replies per entry: require_sni (1) x tlsrpt (2) */
#define POLICY_CACHE_NREPLY 4

struct policy_cache;

/* DANE state of a domain's MX hosts, as learned in the background */
enum policy_cache_dane {
	POLICY_CACHE_DANE_UNKNOWN = 0, /* not looked up, or the lookup failed */
	POLICY_CACHE_DANE_NO,          /* no MX host has usable secure TLSA */
	POLICY_CACHE_DANE_YES,         /* one or more have: Postfix does DANE */
};

/* a cached MTA-STS policy (RFC 8461 3.2), fetched under a TXT id */
struct policy_cache_policy {
	char *id;              /* owned: the _mta-sts TXT record's id= */
	time_t fetched_at;     /* seconds since the epoch */
	time_t expires_at;     /* fetched_at + max_age */
	long long max_age;     /* seconds, as published */
	enum mtasts_mode mode; /* enforce, testing or none */
	char **mx;             /* owned: the mx patterns, in policy order */
	size_t nmx;
	char *body;      /* owned: the policy as served, NUL-terminated */
	size_t body_len; /* bytes, at most MTASTS_POLICY_MAX */
};

struct policy_cache_entry {
	char domain[DOMAIN_MAX + 1];        /* A-labels, lower case */
	struct policy_cache_policy *policy; /* owned, or NULL */
	time_t neg_expires; /* known to have no policy until then; 0: not */
	time_t checked_at;  /* last discovery that answered, 0: never */
	time_t refresh_at;  /* refetch the policy from then on, whatever id */
	unsigned nfail;     /* failed MTA-STS discoveries in a row */
	time_t retry_at;    /* no new discovery before then (backoff) */
	const char *last_error; /* static: why the last one failed */
	enum policy_cache_dane dane;
	time_t dane_checked_at; /* when dane was learned */
	time_t dane_expires;    /* dane is used until then */
	unsigned dane_mx;       /* MX hosts looked at */
	unsigned dane_usable;   /* of which with usable TLSA */
	unsigned dane_nfail;    /* failed DANE lookups in a row */
	time_t dane_retry_at;   /* no DANE lookup before then (backoff) */
	const char *dane_error; /* static: why the last one failed */
	char *reply[POLICY_CACHE_NREPLY]; /* owned: memoized, or NULL */
	size_t reply_len[POLICY_CACHE_NREPLY];
	bool stored; /* the database may hold a row for it */
	struct policy_cache_entry *lru_prev, *lru_next; /* borrowed: its list,
							   most recent first */
};

/* policy_cache_new - an empty cache of at most cap entries (1 at least) */
struct policy_cache *policy_cache_new(size_t cap);
/* policy_cache_free - flush what is dirty, close, free. Accepts NULL. */
void policy_cache_free(struct policy_cache *c);

/*
 * policy_cache_open - persist to the SQLite file path (created when
 * missing unless read_only) and load the policies it holds that have not
 * expired at now, newest first, up to the cap; rows that do not parse are
 * dropped. Call it once, on an empty cache. Returns the number of
 * policies loaded, or -1 with *errmsg (owned by the caller) when the file
 * cannot be opened, its schema is newer than ours, or a read fails;
 * POLICY_CACHE_DAMAGED (also with *errmsg) when SQLite says the file is
 * not a database or is corrupt. read_only: never write (mxaudit query,
 * dump).
 */
#define POLICY_CACHE_DAMAGED (-2)
long policy_cache_open(struct policy_cache *c, const char *path, bool read_only,
    time_t now, char **errmsg);

/*
 * policy_cache_flush - write every dirty domain's current state (its
 * policy, or no row) in one transaction. 0 also when there is nothing to
 * do or no database; -1 with *errmsg (owned) after a failure, the dirty
 * set kept for the next try.
 */
int policy_cache_flush(struct policy_cache *c, char **errmsg);
/* policy_cache_dirty - domains waiting for policy_cache_flush */
size_t policy_cache_dirty(const struct policy_cache *c);

/* policy_cache_get - the entry of domain (normalised), or NULL */
struct policy_cache_entry *policy_cache_get(
    const struct policy_cache *c, const char *domain);
/*
 * policy_cache_add - a new, empty entry for domain, which must not be
 * cached; evicts the least recently used entry (one without a policy
 * first) when the cache is full. The entry returned is borrowed: valid
 * until the next add, remove or purge.
 */
struct policy_cache_entry *policy_cache_add(
    struct policy_cache *c, const char *domain);
/* policy_cache_touch - ent was used: make it the most recent of its list */
void policy_cache_touch(struct policy_cache *c, struct policy_cache_entry *ent);
/* policy_cache_remove - forget ent (and its row); ent is freed */
void policy_cache_remove(
    struct policy_cache *c, struct policy_cache_entry *ent);
/* policy_cache_purge - forget everything (and every row); the count */
size_t policy_cache_purge(struct policy_cache *c);

/*
 * policy_cache_set_policy - parse body (len bytes, a policy fetched under
 * TXT id at fetched_at) and make it ent's policy, replacing any other;
 * the memoized replies are dropped and the domain is marked dirty. -1
 * with err when id or body is not valid (RFC 8461 3.1, 3.2): ent is left
 * as it was.
 */
int policy_cache_set_policy(struct policy_cache *c,
    struct policy_cache_entry *ent, const char *id, const char *body,
    size_t len, time_t fetched_at, struct perr *err);
/* policy_cache_drop_policy - ent has no policy any more (expired) */
void policy_cache_drop_policy(
    struct policy_cache *c, struct policy_cache_entry *ent);

/*
 * policy_cache_first - the most recently used entry with a policy
 * (policies true) or without one; follow lru_next for the others. Adding
 * or removing entries invalidates the walk except at the entry removed
 * (take lru_next first).
 */
struct policy_cache_entry *policy_cache_first(
    const struct policy_cache *c, bool policies);

/* counters */
struct policy_cache_stats {
	size_t entries;     /* entries held */
	size_t policies;    /* of which with a policy */
	uint64_t evictions; /* entries dropped for room */
	uint64_t db_rows;   /* rows written or deleted */
	uint64_t db_commits;
	uint64_t db_errors; /* failed flushes */
};
void policy_cache_stats(
    const struct policy_cache *c, struct policy_cache_stats *out);

#endif
