/* SPDX-License-Identifier: ISC */
/*
 * check - derive findings from a domain's result tree.
 *
 * Pure: no I/O, no clock (the caller passes "now"), no globals. Every
 * finding has a stable identifier and a severity; docs/findings.md lists
 * them. The engine never decides policy; this module does.
 */
#ifndef MX_CHECK_CHECK_H
#define MX_CHECK_CHECK_H

#include <time.h>

#include "proto/result.h"

/* certificates expiring within this many days earn a warning */
#define CHECK_CERT_EXPIRY_WARN_DAYS 30

/* check_domain - append the findings of r (judged at time now) to r */
void check_domain(struct domain_result *r, time_t now);

/* check_sts.c: MTA-STS (RFC 8461) and DANE (RFC 7672) */
void check_mtasts(struct domain_result *r);
void check_dane(struct domain_result *r, const struct mx_host *m);

/* check_records.c: SPF, DMARC, TLS-RPT and the BOD 18-01 mail verdict */
void check_records(struct domain_result *r);

/*
 * check_web.c: when r->web.ran, pshtt's conclusions (r->web_verdicts), the
 * BOD 18-01 web verdict and the web-* findings (docs/pshtt.md)
 */
void check_web(struct domain_result *r);

#endif
