/* SPDX-License-Identifier: ISC */
/*
 * smtp_reply - incremental SMTP reply assembler (RFC 5321 4.2).
 *
 * Each accepted line appends its text to a capped buf, so a peer that keeps
 * talking hits SMTP_REPLY_MAXBYTES or SMTP_REPLY_MAXLINES, never memory.
 */
#include "proto/smtp_reply.h"

#include "util/ascii.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	buf_init(&r->text, SMTP_REPLY_MAXBYTES);
	r->nlines = 0;
	r->code_mismatch = false;
	r->error = NULL;
	r->status = SMTP_REPLY_MORE;
}

void
smtp_reply_release(struct smtp_reply *r)
{
	buf_release(&r->text);
	smtp_reply_init(r);
}

void
smtp_reply_reset(struct smtp_reply *r)
{
	r->code = 0;
	buf_reset(&r->text);
	r->nlines = 0;
	r->code_mismatch = false;
	r->error = NULL;
	r->status = SMTP_REPLY_MORE;
}

/* smtp_reply_fail - enter the error state with a static message */
static enum smtp_reply_status
smtp_reply_fail(struct smtp_reply *r, const char *msg)
{
	r->error = msg;
	r->status = SMTP_REPLY_ERROR;
	return r->status;
}

enum smtp_reply_status
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	const unsigned char *u = (const unsigned char *)line;
	bool last;
	int code;

	if (r->status != SMTP_REPLY_MORE)
		return smtp_reply_fail(r, "reply already complete");
	if (len > 0 && u[len - 1] == '\r')
		len--;
	if (len < 3 || !ascii_isdigit(u[0]) || !ascii_isdigit(u[1]) ||
	    !ascii_isdigit(u[2]) || u[0] < '2' || u[0] > '5')
		return smtp_reply_fail(r, "malformed reply line");
	if (len == 3 || u[3] == ' ')
		last = true;
	else if (u[3] == '-')
		last = false;
	else
		return smtp_reply_fail(r, "malformed reply line");
	if (r->nlines >= SMTP_REPLY_MAXLINES)
		return smtp_reply_fail(r, "too many lines");

	code = (u[0] - '0') * 100 + (u[1] - '0') * 10 + (u[2] - '0');
	if (r->nlines == 0)
		r->code = code;
	else if (code != r->code)
		r->code_mismatch = true;

	if (r->nlines > 0 && buf_append(&r->text, "\n", 1) == -1)
		return smtp_reply_fail(r, "reply too long");
	/* always append, even nothing, so that text.data exists after a line */
	if (buf_append(&r->text, line + (len > 3 ? 4 : 3),
	        len > 3 ? len - 4 : 0) == -1)
		return smtp_reply_fail(r, "reply too long");
	r->nlines++;
	r->status = last ? SMTP_REPLY_DONE : SMTP_REPLY_MORE;
	return r->status;
}

int
smtp_reply_class(const struct smtp_reply *r)
{
	if (r->code < 200 || r->code > 599)
		return 0;
	return r->code / 100;
}
