/* SPDX-License-Identifier: ISC */
/*
 * fuzz_smtp_reply - feed the input to the SMTP reply assembler, one line per
 * '\n', resetting after each complete or failed reply, and check its caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	enum smtp_reply_status st;
	const char *p = (const char *)data, *nl;
	size_t left = size, len;

	smtp_reply_init(&r);
	while (left > 0) {
		nl = memchr(p, '\n', left);
		len = nl != NULL ? (size_t)(nl - p) : left;
		st = smtp_reply_feed(&r, p, len);
		if (r.text.len > SMTP_REPLY_MAXBYTES ||
		    r.nlines > SMTP_REPLY_MAXLINES || st != r.status)
			abort();
		if (st == SMTP_REPLY_DONE) {
			if (smtp_reply_class(&r) < 2 || r.error != NULL ||
			    strlen(buf_str(&r.text)) > r.text.len)
				abort();
			/* a finished reply refuses more until reset */
			if (smtp_reply_feed(&r, "250 x", 5) != SMTP_REPLY_ERROR)
				abort();
		}
		if (st != SMTP_REPLY_MORE) {
			if (st == SMTP_REPLY_ERROR && r.error == NULL)
				abort();
			smtp_reply_reset(&r);
		}
		if (nl == NULL)
			break;
		left -= len + 1;
		p = nl + 1;
	}
	smtp_reply_release(&r);
	return 0;
}
