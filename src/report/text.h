/* SPDX-License-Identifier: ISC */
/*
 * text - one domain's result tree for a person at a terminal.
 *
 * A header line with the verdict (OK, WARN, FAIL), one line per MX and per
 * address (STARTTLS, TLS version and cipher, certificate state), then the
 * findings. Every byte that came from a server or DNS and is not printable
 * (C0 and C1 controls, DEL, invalid UTF-8, bidi overrides) is written as
 * \xNN, so a hostile banner cannot drive the terminal.
 */
#ifndef MX_REPORT_TEXT_H
#define MX_REPORT_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "proto/result.h"

enum report_text_flags {
	REPORT_TEXT_COLOR = (1 << 0),      /* ANSI colours on the verdicts */
	REPORT_TEXT_TRANSCRIPT = (1 << 1), /* the SMTP transcript per address */
};

/* report_text_domain - write the report of r to out; days count from now */
void report_text_domain(
    FILE *out, const struct domain_result *r, unsigned flags);

/* report_text_domain_at - the same, with certificate days counted from now */
void report_text_domain_at(
    FILE *out, const struct domain_result *r, unsigned flags, time_t now);

/* counts for the final summary; zero-initialise, then add each domain */
struct report_text_summary {
	size_t domains;  /* domains reported */
	size_t ok;       /* verdict OK */
	size_t warnings; /* verdict WARN: worst finding a warning */
	size_t errors;   /* verdict FAIL: lookup failed or an error finding */
};

void report_text_summary_add(
    struct report_text_summary *s, const struct domain_result *r);

/*
 * report_text_summary - one line:
 * "3 domains, 1 ok, 1 with warnings, 1 with errors"
 */
void report_text_summary(
    FILE *out, const struct report_text_summary *s, unsigned flags);

#endif
