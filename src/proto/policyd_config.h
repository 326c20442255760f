/* SPDX-License-Identifier: ISC */
/*
 * policyd_config - the policy daemon's configuration: the keys of
 * postfix-mta-sts-resolver's mta-sts-daemon.yml where they apply (so its
 * file works unchanged), plus our own (resolver, trust anchor, CA file,
 * DANE, negative cache, metrics). docs/policyd.md lists every key and
 * where we differ. Loaded with libyaml from bytes: policyd_config_parse()
 * is pure and fuzzed.
 */
#ifndef MX_PROTO_POLICYD_CONFIG_H
#define MX_PROTO_POLICYD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/perr.h"

#define POLICYD_MAX_ZONES 64

/* per socketmap name (Snawoot "zones"; default_zone for any other name) */
struct policyd_zone {
	char *name;          /* owned; NULL for default_zone */
	bool strict_testing; /* treat mode testing as enforce (default no) */
	double timeout;      /* seconds for DNS and HTTPS (default 4) */
	bool require_sni;    /* add servername=hostname (default yes) */
	bool tlsrpt; /* Postfix >= 3.10 TLSRPT attributes (default no) */
	bool dane;   /* answer "dane" when the MX has usable DNSSEC
	                        TLSA records (default yes) */
};

struct policyd_config {
	/* listening: path (a UNIX socket) wins over host and port */
	char *host;      /* owned, default "127.0.0.1" */
	int port;        /* default 8461 */
	char *path;      /* owned, or NULL */
	int mode;        /* UNIX socket file mode, default 0666; -1 unset */
	bool reuse_port; /* SO_REUSEPORT, default yes */
	double shutdown_timeout; /* seconds, default 20 */
	double cache_grace;      /* seconds before a cached policy is
	                            revalidated in the background (default 60) */
	/* cache: "internal" (memory) or "sqlite" (memory, persisted) */
	char *cache_type;    /* owned, default "internal" */
	size_t cache_size;   /* entries kept, default 10000 */
	char *cache_file;    /* owned: sqlite filename, or NULL */
	double negative_ttl; /* seconds a "no policy" answer is kept, 300 */
	/* proactive_policy_fetching */
	bool proactive;               /* default no */
	double proactive_interval;    /* seconds, default 86400 */
	size_t proactive_concurrency; /* default 100 */
	double proactive_grace_ratio; /* default 2.0 */
	/* ours */
	char *resolver;     /* owned: "ADDR[@PORT]", or NULL (recursion) */
	char *trust_anchor; /* owned, or NULL (the root's) */
	char *ca_file;      /* owned, or NULL (the system store) */
	char *metrics;      /* owned: "HOST:PORT" for Prometheus, or NULL */
	struct policyd_zone default_zone;
	struct policyd_zone zones[POLICYD_MAX_ZONES];
	size_t nzones;
};

/* policyd_config_defaults - every field at its default (owned strings) */
void policyd_config_defaults(struct policyd_config *c);
/*
 * policyd_config_parse - YAML text (p, len) over the defaults already in
 * c; -1 with err (message, offset) on malformed YAML or a bad value.
 * Unknown keys are warnings (returned through warn, may be NULL), not
 * errors: a Snawoot file with keys we do not implement still loads.
 */
int policyd_config_parse(const char *p, size_t len, struct policyd_config *c,
    struct perr *err, void (*warn)(void *arg, const char *msg), void *arg);
/* policyd_config_zone - the zone for a socketmap name (default_zone) */
const struct policyd_zone *policyd_config_zone(
    const struct policyd_config *c, const char *name, size_t len);
void policyd_config_release(struct policyd_config *c);

#endif
