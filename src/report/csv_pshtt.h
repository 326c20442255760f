/* SPDX-License-Identifier: ISC */
/*
 * csv_pshtt - one row per domain with pshtt's 37 columns, names and order
 * (cisagov/pshtt HEADERS), so pipelines built on pshtt's CSV read ours
 * unchanged: Python's csv module formatting (True/False, minimal RFC 4180
 * quoting, CRLF line ends) and pshtt's None rule (an unknown value is
 * False, except HSTS Header, HSTS Max Age and Redirect To, and the HSTS
 * columns when no HTTPS connection completed, which stay empty).
 *
 * The values are those of the "web" JSON object (report_json_web), so the
 * two outputs never disagree; docs/pshtt.md says where ours differ from
 * pshtt's and why.
 */
#ifndef MX_REPORT_CSV_PSHTT_H
#define MX_REPORT_CSV_PSHTT_H

#include <stdio.h>

#include "proto/result.h"

#define REPORT_CSV_PSHTT_COLUMNS 37

/* report_csv_pshtt_header - the header row; -1 on a write error */
int report_csv_pshtt_header(FILE *out);

/*
 * report_csv_pshtt_domain - r's row (after check_web); a domain whose web
 * side did not run gets the row of one where nothing answered. -1 on a
 * write error.
 */
int report_csv_pshtt_domain(FILE *out, const struct domain_result *r);

#endif
