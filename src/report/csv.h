/* SPDX-License-Identifier: ISC */
/*
 * csv - one row per domain with trustymail's 33 columns, names and order
 * (cisagov/trustymail Domain.generate_results()), so pipelines built on
 * trustymail read ours unchanged: booleans True/False, lists joined with
 * ", ", an empty list or an unknown value an empty cell, RFC 4180 quoting
 * with CRLF line ends as Python's csv module writes them. Where our values
 * differ because trustymail is wrong, docs/bod1801.md says so.
 */
#ifndef MX_REPORT_CSV_H
#define MX_REPORT_CSV_H

#include <stdio.h>

#include "proto/result.h"

#define REPORT_CSV_COLUMNS 33

/*
 * report_csv_write_row - cells[0 .. ncells) (NULL: an empty cell) as one
 * row of ncols cells, RFC 4180 quoting, CRLF-ended; frees the cells. Also
 * the writer of report/csv_pshtt. -1 on a write error.
 */
int report_csv_write_row(FILE *out, char **cells, int ncells, int ncols);

/* report_csv_header - the header row; -1 on a write error */
int report_csv_header(FILE *out);
/* report_csv_domain - r's row (after check_domain); -1 on a write error */
int report_csv_domain(FILE *out, const struct domain_result *r);

#endif
