/* SPDX-License-Identifier: ISC */
/*
 * dns - asynchronous, validating DNS on the process's event loop.
 *
 * A thin layer over libunbound's event API (ub_ctx_create_event): every
 * query runs on the caller's event_base, carries its own deadline, and
 * completes with a parsed message and its DNSSEC state. By default the
 * context recurses from the root and validates against Debian's root trust
 * anchor; a forwarder and other anchors can replace both.
 */
#ifndef MX_NET_DNS_H
#define MX_NET_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/result.h"
#include "proto/dnsmsg.h"

struct event_base;
struct dns;
struct dns_query;

#define DNS_DEFAULT_TRUST_ANCHOR "/usr/share/dns/root.key"

enum dns_rrtype {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_TLSA = 52,
};

struct dns_config {
	const char
	    *resolver; /* borrowed: "ADDR[@PORT]" to forward to, or NULL */
	const char *trust_anchor; /* borrowed: anchor file, NULL for default */
	const char
	    *root_hints;   /* borrowed: root hints file, NULL for built-in */
	double timeout;    /* seconds per query */
	int debug;         /* libunbound's verbosity on stderr, 0 for none */
	unsigned inflight; /* queries in flight at most; 0: a scan's 4096 */
	/* libunbound's message, RRset and key caches, each; 0: its 4 MiB */
	size_t cache_bytes;
};

/* what a query came back with; valid only during the callback */
struct dns_reply {
	enum dns_status status;
	enum dnssec_state dnssec;
	int rcode;             /* -1 when no answer */
	const char *why_bogus; /* NULL unless bogus */
	const char *error;     /* resolver or parse error, or NULL */
	const uint8_t *packet; /* the raw answer, or NULL */
	size_t len;
	const struct dnsmsg *msg; /* parsed answer, or NULL */
};

/* dns_cb - a query completed; fires exactly once, never inside dns_query() */
typedef void (*dns_cb)(void *arg, const struct dns_reply *reply);

/*
 * dns_new - a resolver context on base. Returns NULL and sets *errmsg
 * (owned by the caller) when the configuration is refused.
 */
struct dns *dns_new(
    struct event_base *base, const struct dns_config *cfg, char **errmsg);
/* dns_free - cancel outstanding queries (their callbacks never fire) */
void dns_free(struct dns *d);

/*
 * dns_query - ask (name, type, IN). Returns NULL when the query could not
 * be started (cb never fires), else a handle valid until cb fires or
 * dns_query_cancel().
 */
struct dns_query *dns_query(
    struct dns *d, const char *name, int type, dns_cb cb, void *arg);
/* dns_query_cancel - abandon a pending query; cb never fires */
void dns_query_cancel(struct dns_query *q);

/* dns_answer_info_set - record a reply's outcome into a result-tree answer */
void dns_answer_info_set(
    struct dns_answer_info *a, const struct dns_reply *reply);

#endif
