/* SPDX-License-Identifier: ISC */
/*
 * web_probe - the four web endpoints of a domain, as pshtt defines them:
 * http://d/, http://www.d/, https://d/ and https://www.d/. Each is fetched
 * (GET, addresses from our resolver) and its redirects followed, hop by
 * hop, to where they end (at most WEB_MAX_HOPS; other hosts are resolved
 * by our resolver too). Certificates are verified and, when they fail,
 * the fetch goes on so the flaws can be told apart: a wrong name, an
 * expired or self-signed leaf, a chain that does not verify.
 */
#ifndef MX_PROBE_WEB_PROBE_H
#define MX_PROBE_WEB_PROBE_H

#include "proto/result.h"

struct dns;
struct event_base;
struct https;
struct web_probe;

/* web_probe_cb - facts are final; fires once, never inside start */
typedef void (*web_probe_cb)(void *arg);

struct web_probe_config {
	struct event_base *base; /* borrowed */
	struct dns *dns;         /* borrowed */
	struct https *https;     /* borrowed */
	double timeout;          /* seconds per endpoint (its whole chain) */
};

/* web_probe_start - w (borrowed, must outlive the probe) gets the facts */
struct web_probe *web_probe_start(const struct web_probe_config *cfg,
    const char *domain, struct web_facts *w, web_probe_cb cb, void *arg);
/* web_probe_cancel - stop; cb never fires. Accepts NULL. */
void web_probe_cancel(struct web_probe *p);

struct https_resolver;
/*
 * web_probe_resolver - the resolver net/https asks for the addresses of
 * redirect targets on other hosts: our own, through dns
 */
void web_probe_resolver(struct dns *dns, struct https_resolver *out);

#endif
