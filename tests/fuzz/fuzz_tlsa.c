/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tlsa - parse the input as TLSA wire rdata and as presentation text;
 * whatever parses must print with tlsa_format() and parse back to the same
 * record, a short output buffer must hold a prefix of the full text, and
 * the SMTP classification must follow its rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tlsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BUF 4096 /* data cap for the text parser */

/* fuzz_status - the classification, recomputed from its definition */
static void
fuzz_status(const struct tlsa_rr *rr)
{
	enum tlsa_status s = tlsa_smtp_status(rr), want;

	if (rr->usage < 2)
		want = TLSA_UNUSABLE_PKIX;
	else if (rr->usage > 3)
		want = TLSA_UNKNOWN_USAGE;
	else if (rr->selector > 1)
		want = TLSA_UNKNOWN_SELECTOR;
	else if (rr->mtype > 2)
		want = TLSA_UNKNOWN_MTYPE;
	else if (rr->len == 0 || (rr->mtype == 1 && rr->len != 32) ||
	    (rr->mtype == 2 && rr->len != 64))
		want = TLSA_BAD_LENGTH;
	else
		want = TLSA_USABLE;
	if (s != want || tlsa_status_str(s) == NULL)
		abort();
	if ((rr->usage <= 3 || rr->usage == 255) &&
	    tlsa_usage_name(rr->usage) == NULL)
		abort();
}

/* fuzz_roundtrip - format rr, parse the text back, compare */
static void
fuzz_roundtrip(const struct tlsa_rr *rr)
{
	static unsigned char buf[FUZZ_BUF];
	struct tlsa_rr back;
	struct perr err = { 0, NULL };
	char small[16];
	char *text;
	size_t need, n;

	need = tlsa_format(rr, NULL, 0);
	text = malloc(need + 1);
	if (text == NULL)
		return;
	if (tlsa_format(rr, text, need + 1) != need || text[need] != '\0' ||
	    strlen(text) != need)
		abort();
	n = tlsa_format(rr, small, sizeof(small));
	if (n != need || strncmp(small, text, sizeof(small) - 1) != 0 ||
	    strlen(small) != (need < sizeof(small) ? need : sizeof(small) - 1))
		abort();
	if (rr->len == 0) {
		/* no data: the text lacks the data field */
		if (tlsa_parse_text(
		        text, need, &back, buf, sizeof(buf), &err) != -1)
			abort();
	} else if (rr->len <= sizeof(buf)) {
		if (tlsa_parse_text(
		        text, need, &back, buf, sizeof(buf), &err) != 0)
			abort();
		if (back.usage != rr->usage || back.selector != rr->selector ||
		    back.mtype != rr->mtype || back.len != rr->len ||
		    memcmp(back.data, rr->data, rr->len) != 0)
			abort();
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[FUZZ_BUF];
	struct tlsa_rr rr;
	struct perr err = { 0, NULL };
	/* an empty input may come as a NULL pointer */
	const uint8_t *p = size > 0 ? data : (const uint8_t *)"";

	if (tlsa_parse_rdata(p, size, &rr, &err) == 0) {
		if (size < 3 || rr.usage != p[0] || rr.selector != p[1] ||
		    rr.mtype != p[2] || rr.len != size - 3 ||
		    (rr.len > 0 && rr.data != p + 3) ||
		    (rr.len == 0 && rr.data != NULL))
			abort();
		fuzz_status(&rr);
		fuzz_roundtrip(&rr);
	} else if (err.msg == NULL || (size >= 3 && size <= TLSA_RDATA_MAX)) {
		abort();
	}

	err.msg = NULL;
	if (tlsa_parse_text(
	        (const char *)p, size, &rr, buf, sizeof(buf), &err) == 0) {
		if (rr.data != buf || rr.len == 0 || rr.len > sizeof(buf))
			abort();
		fuzz_status(&rr);
		fuzz_roundtrip(&rr);
	} else if (err.msg == NULL || err.off > size) {
		abort();
	}
	return 0;
}
