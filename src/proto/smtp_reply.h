/* SPDX-License-Identifier: ISC */
/*
 * smtp_reply - incremental SMTP reply assembler (RFC 5321 4.2).
 *
 * The caller cuts the input into lines (capping each one) and feeds them
 * without their CRLF; the assembler checks the "NNN-"/"NNN " framing and
 * collects the text of a whole reply under a cap. Pure: no I/O, no globals.
 * The text keeps every byte as received (NUL, 8-bit, control characters):
 * escaping for display is the caller's job.
 */
#ifndef MX_PROTO_SMTP_REPLY_H
#define MX_PROTO_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define SMTP_REPLY_MAXLINES 512
#define SMTP_REPLY_MAXBYTES 65536 /* text of a whole reply */

enum smtp_reply_status {
	SMTP_REPLY_MORE, /* a continuation line: feed the next one */
	SMTP_REPLY_DONE, /* the last line arrived: the reply is complete */
	SMTP_REPLY_ERROR /* see error; feed nothing more before a reset */
};

struct smtp_reply {
	int code; /* 3-digit code of the first line, 0 before any */
	/* owned: each line's text after "NNN-"/"NNN ", joined by '\n' */
	struct buf text;
	size_t nlines;      /* lines accepted so far */
	bool code_mismatch; /* a later line carried a different code */
	const char *error;  /* static message when SMTP_REPLY_ERROR, or NULL */
	enum smtp_reply_status status; /* of the last feed; MORE after reset */
};

/* smtp_reply_init - prepare an empty reply (no allocation yet) */
void smtp_reply_init(struct smtp_reply *r);
/* smtp_reply_release - free the text; r may be initialised again */
void smtp_reply_release(struct smtp_reply *r);
/* smtp_reply_reset - forget the reply, keep the memory: ready for the next */
void smtp_reply_reset(struct smtp_reply *r);

/*
 * smtp_reply_feed - add one line (without CRLF; one trailing '\r' is
 * stripped). The line must start with three ASCII digits, the first in
 * 2..5; its 4th byte is '-' for a continuation, ' ' or nothing for the last
 * line ("250" alone is a final line). Returns MORE, DONE, or ERROR with
 * r->error set to "malformed reply line", "reply too long" (the text would
 * pass SMTP_REPLY_MAXBYTES; the text is then emptied), "too many lines"
 * (more than SMTP_REPLY_MAXLINES) or "reply already complete" (fed after
 * DONE or ERROR without smtp_reply_reset: a caller bug). A code that
 * differs from the first line's sets code_mismatch and is otherwise
 * accepted. line is borrowed for the duration of the call.
 */
enum smtp_reply_status smtp_reply_feed(
    struct smtp_reply *r, const char *line, size_t len);

/* smtp_reply_class - first digit of the code (2..5), or 0 before any line */
int smtp_reply_class(const struct smtp_reply *r);

#endif
