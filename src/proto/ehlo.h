/* SPDX-License-Identifier: ISC */
/*
 * ehlo - the text of a 250 reply to EHLO, turned into capabilities
 * (RFC 5321 4.1.1.1, 2.2.2).
 *
 * Input is smtp_reply.text: lines joined by '\n', the first being the
 * server's greeting (domain and free text), the others "KEYWORD [params]".
 * Keywords compare case-insensitively. Lenient by design: unknown keywords,
 * odd spacing and junk lines are tolerated, because an auditor reports
 * rather than rejects. Pure: no I/O, no globals, no allocation.
 */
#ifndef MX_PROTO_EHLO_H
#define MX_PROTO_EHLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

struct ehlo_caps {
	bool starttls, pipelining, eightbitmime, smtputf8, chunking, dsn,
	    enhancedstatuscodes, requiretls, size, auth;
	/*
	 * octets, the parameter of the first SIZE line: 0 when none, 0
	 * (unlimited) or not a number, UINT64_MAX when it overflows
	 */
	uint64_t size_limit;
	bool starttls_mangled; /* a keyword shaped like a masked STARTTLS */
	/* that keyword (the first one, truncated, NUL-terminated), or "" */
	char mangled[64];
	size_t nkeywords;    /* non-empty capability lines after the greeting */
	size_t greeting_len; /* bytes of the greeting line (first in text) */
};

/*
 * ehlo_parse - fill *out (fully overwritten) from the text of an EHLO reply.
 * Keywords end at a space, a tab or '='. "AUTH=mech" (old form) counts as
 * AUTH. starttls_mangled is set for an unknown 8-character keyword of
 * letters, digits and '-' with at least five 'X' (either case): middleboxes
 * such as Cisco PIX/ASA "ESMTP inspection" overwrite STARTTLS like
 * "XXXXXXXA". Returns 0, or -1 with err set ("empty ehlo response") only
 * when len is 0. text is borrowed and need not be NUL-terminated.
 */
int ehlo_parse(
    const char *text, size_t len, struct ehlo_caps *out, struct perr *err);

/*
 * ehlo_next_line - iterate over the capability lines of text, skipping the
 * greeting line and empty lines. Start with *off = 0. Each call sets *line
 * (pointing into text, borrowed) and *linelen to the next line with its
 * leading and trailing whitespace removed and returns true, or returns
 * false at the end. Useful to keep the "keywords+params as sent".
 */
bool ehlo_next_line(const char *text, size_t len, size_t *off,
    const char **line, size_t *linelen);

#endif
