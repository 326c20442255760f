/* SPDX-License-Identifier: ISC */
/*
 * json - one domain's result tree as the JSON document of
 * docs/scan-result.schema.json.
 *
 * Pure over the result structs: no I/O except report_json_write(). Every key
 * the schema requires is always present, with null where the fact is
 * unknown. Strings from servers and DNS go in as they came; bytes that are
 * not valid UTF-8 become U+FFFD, so jansson never drops a value.
 * Facts that depend on the time of the report (expired, days_left) are
 * computed against "scanned_at".
 */
#ifndef MX_REPORT_JSON_H
#define MX_REPORT_JSON_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "proto/result.h"

enum report_json_flags {
	REPORT_JSON_TRANSCRIPT = (1 << 0), /* add "transcript" per address */
	REPORT_JSON_COMPACT = (1 << 1),    /* one line (report_json_write) */
};

/*
 * report_json_domain - the document for r, with "scanned_at" = time(NULL).
 * Returns a new reference; never NULL (aborts on OOM, like xmalloc).
 */
json_t *report_json_domain(const struct domain_result *r, unsigned flags);

/* report_json_domain_at - the same, with "scanned_at" = now (for tests) */
json_t *report_json_domain_at(
    const struct domain_result *r, unsigned flags, time_t now);

/*
 * report_json_write - write one document and "\n" to out: pretty (indent 2,
 * keys in insertion order) or, with REPORT_JSON_COMPACT, on one line.
 * Returns 0, or -1 when writing failed (errno from stdio).
 */
int report_json_write(FILE *out, const struct domain_result *r, unsigned flags);

/* report_json_write_at - the same, with "scanned_at" = now */
int report_json_write_at(
    FILE *out, const struct domain_result *r, unsigned flags, time_t now);
/* report_json_write_doc - the same for a document already built */
int report_json_write_doc(FILE *out, const json_t *doc, unsigned flags);

/*
 * report_json_dump_flags - the jansson dump flags report_json_write uses
 * (indent or compact, and a real precision that prints 12.3 as 12.3), for
 * callers that dump report_json_domain() themselves (JSONL, store).
 */
size_t report_json_dump_flags(unsigned flags);

/*
 * report_json_string - a JSON string of the bytes (p, len), with every
 * invalid UTF-8 sequence (maximal subpart, Unicode 3.9) replaced by U+FFFD.
 * Returns a new reference; never NULL.
 */
json_t *report_json_string(const char *p, size_t len);

/* report_json_time - RFC 3339 UTC ("2026-11-28T16:00:00Z"), years clamped
 * to 0000..9999 */
json_t *report_json_time(time_t t);

#endif
