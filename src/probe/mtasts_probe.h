/* SPDX-License-Identifier: ISC */
/*
 * mtasts_probe - gather one domain's MTA-STS facts (RFC 8461): the
 * _mta-sts TXT record, the addresses of mta-sts.<domain>, and the policy
 * fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt under the
 * RFC's rules (3.3): a certificate valid for that name, no redirects,
 * 200 only, text/plain, at most MTASTS_POLICY_MAX bytes, a deadline.
 *
 * The policy is fetched even when no record is published, as long as the
 * policy host resolves: a policy nobody will look for is worth a finding.
 * The facts are filled in; what they mean is check/'s business.
 */
#ifndef MX_PROBE_MTASTS_PROBE_H
#define MX_PROBE_MTASTS_PROBE_H

#include "proto/result.h"

struct dns;
struct https;
struct mtasts_probe;

/* mtasts_probe_cb - facts are final; fires once, never inside start */
typedef void (*mtasts_probe_cb)(void *arg);

struct mtasts_probe_config {
	struct event_base *base; /* borrowed */
	struct dns *dns;         /* borrowed */
	struct https *https;     /* borrowed */
	double timeout;          /* seconds for the policy fetch */
};

/*
 * mtasts_probe_start - look up domain (normalised); facts (borrowed, must
 * outlive the probe) receive what is found. Never fails: a lookup that
 * cannot start is recorded as its error.
 */
struct mtasts_probe *mtasts_probe_start(const struct mtasts_probe_config *cfg,
    const char *domain, struct mtasts_facts *facts, mtasts_probe_cb cb,
    void *arg);
/* mtasts_probe_cancel - stop; cb never fires. Accepts NULL. */
void mtasts_probe_cancel(struct mtasts_probe *p);

/*
 * mtasts_facts_evaluate - set txt_valid, valid, mode, max_age, mx and
 * error from the record and body already in m (pure; the probe calls it,
 * tests may too)
 */
void mtasts_facts_evaluate(struct mtasts_facts *m);

#endif
