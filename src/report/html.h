/* SPDX-License-Identifier: ISC */
/*
 * html - one self-contained HTML page over a run's JSON documents
 * (docs/scan-result.schema.json): overall BOD 18-01 compliance, counts per
 * finding id and severity, inline SVG charts, a sortable and filterable
 * table of domains, and each domain's detail.
 *
 * Pure over its inputs: it reads the documents it is handed and writes to
 * the FILE it is given, nothing else (no clock, no network, no files). The
 * page loads no external asset: inline CSS and vanilla JS only, admitted by
 * a Content-Security-Policy that lists their SHA-256 hashes and nothing
 * else.
 *
 * Memory is bounded per domain: each domain's detail is written as soon as
 * its document is added; only a compact row (a capped domain name and a few
 * enums) and the aggregates stay until report_html_end(), which writes the
 * overview and the table. CSS puts the overview and the table above the
 * details, whatever their order in the file.
 *
 * Escaping: every string that came from a document (banners, certificate
 * names, records, messages, URLs, domain names, finding ids) is escaped for
 * HTML text (& < > " ' as character references); control characters, bidi
 * and other invisible format characters are shown visibly (\xNN, U+XXXX),
 * invalid UTF-8 as \xNN per byte, and every other non-ASCII character as a
 * numeric reference, so the whole page is printable ASCII. URLs are shown
 * as text, never as links. Data for the script sits in a
 * <script type="application/json"> block, ASCII with < > & ' and every
 * non-ASCII character \u-escaped, read with JSON.parse; it is never code.
 */
#ifndef MX_REPORT_HTML_H
#define MX_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define REPORT_HTML_DOC_MAX    (16u << 20) /* bytes of one document */
#define REPORT_HTML_DOMAIN_MAX 255         /* bytes of a domain name kept */

/* what the page says about the run (every field may be 0/NULL: unknown) */
struct report_html_run {
	const char *run_id;  /* borrowed; the history's run id, or NULL */
	const char *source;  /* borrowed; the database or file read, or NULL */
	const char *command; /* borrowed; the run's command line, or NULL */
	const char *started; /* borrowed; the run's start (RFC 3339), or NULL */
	const char *finished; /* borrowed; the run's end, or NULL */
	const char *version;  /* borrowed; mxaudit's version, or NULL */
	time_t generated;     /* when the page was made, 0 to leave out */
	size_t domains;       /* documents the run holds, 0 when unknown */
};

struct report_html;

/*
 * report_html_begin - write the page's head and start it on out (borrowed:
 * it must stay open until report_html_end). meta is copied. Never NULL
 * (aborts on OOM).
 */
struct report_html *report_html_begin(
    FILE *out, const struct report_html_run *meta);

/*
 * report_html_add - one domain's document (len bytes, no NUL needed; at most
 * REPORT_HTML_DOC_MAX): its detail is written now, its row and counts kept.
 * Bytes that are not UTF-8 are read as \xNN text. Returns 0, or -1 when the
 * document is not a JSON object with a string "domain" (it is then counted
 * as unreadable on the page, and nothing else is written).
 */
int report_html_add(struct report_html *h, const char *doc, size_t len);

/*
 * report_html_end - write the overview, the table, the data block and the
 * script, and free h. Returns 0, or -1 when any write to out failed.
 */
int report_html_end(struct report_html *h);

/* report_html_free - abandon an unfinished page (NULL is fine) */
void report_html_free(struct report_html *h);

/*
 * report_html_escape - (p, len) as HTML text (attr false: with visible
 * control marks in <span class="ctl">) or as the value of a double-quoted
 * attribute (attr true: the same marks as plain text). Exposed for tests.
 */
void report_html_escape(FILE *out, const char *p, size_t len, int attr);

/*
 * report_html_json_string - (p, len) as a JSON string literal safe inside a
 * <script> element: ASCII only; " \ < > & ' and controls as \u00XX;
 * non-ASCII as \uXXXX (surrogate pairs above U+FFFF; U+2028 and U+2029
 * included); each byte of invalid UTF-8 as the text \xNN, as the page
 * shows it.
 */
void report_html_json_string(FILE *out, const char *p, size_t len);

#endif
