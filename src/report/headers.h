/* SPDX-License-Identifier: ISC */
/*
 * headers - text and JSON for "mxaudit headers": one row per Received: hop.
 *
 * Pure over the parsed hops; the caller orders them oldest first.
 */
#ifndef MX_REPORT_HEADERS_H
#define MX_REPORT_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proto/received.h"

struct headers_hop {
	char *value; /* owned: the unfolded field value */
	size_t len;
	struct received r; /* slices into value */
	bool parsed;       /* received_parse accepted it; r.time is the date */
};

struct headers_summary {
	size_t hops, encrypted, unencrypted, unknown;
};

enum report_headers_flags { REPORT_HEADERS_COLOR = (1 << 0) };

void report_headers_summarize(
    const struct headers_hop *hops, size_t n, struct headers_summary *s);
void report_headers_text(
    FILE *out, const struct headers_hop *hops, size_t n, unsigned flags);
/* report_headers_json - one document (docs/headers-result.schema.json) */
int report_headers_json(
    FILE *out, const char *source, const struct headers_hop *hops, size_t n);

#endif
