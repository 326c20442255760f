/* SPDX-License-Identifier: ISC */
/*
 * scan - the engine: many domains in flight on one event loop.
 *
 * A domain is a job with a count of pending tasks (DNS queries, SMTP
 * conversations it waits for). Facts about an SMTP endpoint (ip, port, MX
 * name) are gathered once per run and shared by every job that needs them;
 * at most per_ip conversations run against one address at a time. When a
 * job's count reaches zero, or its deadline passes, its result goes to the
 * caller and the job is freed, so memory stays bounded by the concurrency.
 */
#ifndef MX_PROBE_SCAN_H
#define MX_PROBE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/result.h"

struct event_base;
struct scan;

struct scan_config {
	const char *resolver; /* borrowed: forwarder "ADDR[@PORT]" or NULL */
	const char *trust_anchor; /* borrowed: DNSSEC anchor file or NULL */
	const char *root_hints;   /* borrowed: root hints file or NULL */
	const char *ca_file; /* borrowed: PEM trust anchors or NULL (system) */
	const char *ehlo_name; /* borrowed */
	double timeout;        /* seconds, per stage and per DNS query */
	double domain_timeout; /* seconds, a whole domain */
	size_t concurrency;    /* domains in flight */
	size_t per_ip;         /* conversations per address at once */
	double per_ip_rate;    /* new connections per second per address, 0:
	                          no limit */
	bool implicit_tls;     /* TLS from the first byte (port 465) */
	uint16_t port;         /* SMTP port, 25 */
	bool transcript;
	bool tls_probes; /* the protocol and weak-cipher probes */
	bool ciphers;    /* and every suite of every version (--ciphers) */
	bool policies;   /* MTA-STS, DANE (and the DNS policy records) */
	bool mail;       /* the mail checks (MX, SMTP, policies) */
	bool web;        /* the web checks (HTTP/HTTPS endpoints, HSTS) */
	int dns_debug;   /* libunbound verbosity, 0 for none */
};

/*
 * scan_result_cb - a domain is finished. The callee owns r (free it with
 * domain_result_free). Findings are not derived yet: that is check/'s job.
 */
typedef void (*scan_result_cb)(struct domain_result *r, void *arg);

/* scan_new - NULL and *err (owned) when the configuration is refused */
struct scan *scan_new(struct event_base *base, const struct scan_config *cfg,
    scan_result_cb cb, void *arg, char **err);
void scan_free(struct scan *s);
/* scan_add - queue a domain (copied); its name must be normalised */
void scan_add(struct scan *s, const char *domain);
/*
 * scan_source_fn - the next normalised domain into out (outsize bytes),
 * or false when there is none left. Asked only when a job slot is free,
 * so a long input is read as the scan goes, never held whole.
 */
typedef bool (*scan_source_fn)(void *arg, char *out, size_t outsize);
/* scan_set_source - after the queued domains, take domains from fn */
void scan_set_source(struct scan *s, scan_source_fn fn, void *arg);
/* scan_run - run the loop until every queued domain has been reported */
void scan_run(struct scan *s);

#endif
