/* SPDX-License-Identifier: ISC */
/* test_smtp_reply - the SMTP reply assembler, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/smtp_reply.h"

#define MAXL 16

struct reply_case {
	const char *name;
	/* NULL-terminated; "\x01" stands for an empty line */
	const char *lines[MAXL];
	enum smtp_reply_status status; /* after the last line */
	int code;
	const char *text; /* expected text (NULL: not checked) */
	size_t textlen;   /* when text holds NULs, else 0 */
	size_t nlines;
	bool mismatch;
	const char *error;
};

static const struct reply_case reply_cases[] = {
	{ "postfix banner",
	    { "220 mail.example.org ESMTP Postfix (Debian/GNU)" },
	    SMTP_REPLY_DONE, 220, "mail.example.org ESMTP Postfix (Debian/GNU)",
	    0, 1, false, NULL },
	{ "exim multi-line banner",
	    { "220-mx.example.com ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000",
	        "220-We do not authorize the use of this system to transport unsolicited,",
	        "220 and/or bulk e-mail." },
	    SMTP_REPLY_DONE, 220,
	    "mx.example.com ESMTP Exim 4.96 Mon, 01 Jan 2024 10:00:00 +0000\n"
	    "We do not authorize the use of this system to transport unsolicited,\n"
	    "and/or bulk e-mail.",
	    0, 3, false, NULL },
	{ "exchange banner with crlf",
	    { "220 EXCH01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024 10:00:00 +0000\r" },
	    SMTP_REPLY_DONE, 220,
	    "EXCH01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 1 Jan 2024 10:00:00 +0000",
	    0, 1, false, NULL },
	{ "exchange ehlo, trailing spaces kept",
	    { "250-EXCH01.contoso.com Hello [192.0.2.1]", "250-SIZE 37748736",
	        "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES",
	        "250-STARTTLS", "250-X-ANONYMOUSTLS", "250-AUTH NTLM ",
	        "250-X-EXPS GSSAPI NTLM", "250-8BITMIME", "250-BINARYMIME",
	        "250-CHUNKING", "250 XRDST" },
	    SMTP_REPLY_DONE, 250,
	    "EXCH01.contoso.com Hello [192.0.2.1]\nSIZE 37748736\nPIPELINING\n"
	    "DSN\nENHANCEDSTATUSCODES\nSTARTTLS\nX-ANONYMOUSTLS\nAUTH NTLM \n"
	    "X-EXPS GSSAPI NTLM\n8BITMIME\nBINARYMIME\nCHUNKING\nXRDST",
	    0, 13, false, NULL },
	{ "gmail ehlo",
	    { "250-mx.google.com at your service, [192.0.2.1]\r",
	        "250-SIZE 157286400\r", "250-8BITMIME\r", "250-STARTTLS\r",
	        "250-ENHANCEDSTATUSCODES\r", "250-PIPELINING\r",
	        "250-CHUNKING\r", "250 SMTPUTF8\r" },
	    SMTP_REPLY_DONE, 250,
	    "mx.google.com at your service, [192.0.2.1]\nSIZE 157286400\n"
	    "8BITMIME\nSTARTTLS\nENHANCEDSTATUSCODES\nPIPELINING\nCHUNKING\n"
	    "SMTPUTF8",
	    0, 8, false, NULL },
	{ "bare code is a final line", { "250" }, SMTP_REPLY_DONE, 250, "", 0,
	    1, false, NULL },
	{ "bare code after continuation", { "250-a", "250" }, SMTP_REPLY_DONE,
	    250, "a\n", 0, 2, false, NULL },
	{ "empty text after space", { "354 " }, SMTP_REPLY_DONE, 354, "", 0, 1,
	    false, NULL },
	{ "empty continuation", { "250-", "250 x" }, SMTP_REPLY_DONE, 250,
	    "\nx", 0, 2, false, NULL },
	{ "only one cr stripped", { "250 ok\r\r" }, SMTP_REPLY_DONE, 250,
	    "ok\r", 0, 1, false, NULL },
	{ "continuation pending", { "250-first", "250-second" },
	    SMTP_REPLY_MORE, 250, "first\nsecond", 0, 2, false, NULL },
	{ "code mismatch kept lenient", { "250-a", "251 b" }, SMTP_REPLY_DONE,
	    250, "a\nb", 0, 2, true, NULL },
	{ "4xx temp failure", { "421 4.3.2 Service not available" },
	    SMTP_REPLY_DONE, 421, "4.3.2 Service not available", 0, 1, false,
	    NULL },
	{ "5xx with odd middle digit", { "599 whatever" }, SMTP_REPLY_DONE, 599,
	    "whatever", 0, 1, false, NULL },
	{ "8-bit and control bytes verbatim",
	    { "220 caf\xc3\xa9 \x1b[31m\x7f\xff" }, SMTP_REPLY_DONE, 220,
	    "caf\xc3\xa9 \x1b[31m\x7f\xff", 0, 1, false, NULL },
	{ "spaces kept", { "220  two  spaces  " }, SMTP_REPLY_DONE, 220,
	    " two  spaces  ", 0, 1, false, NULL },
	/* malformed */
	{ "empty line", { "\x01" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "lone cr", { "\r" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "two digits", { "25" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "two digits and cr", { "25\r" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0,
	    false, "malformed reply line" },
	{ "letters", { "abc def" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "class 1", { "150 go" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "class 6", { "650 no" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "class 0", { "050 no" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "letter in code", { "2x0 ok" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0,
	    false, "malformed reply line" },
	{ "four digits", { "2500 ok" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0, false,
	    "malformed reply line" },
	{ "tab separator", { "250\tok" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0,
	    false, "malformed reply line" },
	{ "bad second line", { "250-ok", "hello" }, SMTP_REPLY_ERROR, 250, "ok",
	    0, 1, false, "malformed reply line" },
	{ "http answer", { "HTTP/1.1 400 Bad Request" }, SMTP_REPLY_ERROR, 0,
	    NULL, 0, 0, false, "malformed reply line" },
	{ "tls bytes", { "\x16\x03\x01\x02" }, SMTP_REPLY_ERROR, 0, NULL, 0, 0,
	    false, "malformed reply line" },
};

static enum smtp_reply_status
feed_str(struct smtp_reply *r, const char *s)
{
	if (strcmp(s, "\x01") == 0)
		return smtp_reply_feed(r, "", 0);
	return smtp_reply_feed(r, s, strlen(s));
}

static void
test_reply_table(void **state)
{
	struct smtp_reply r;
	enum smtp_reply_status st = SMTP_REPLY_MORE;
	size_t i, j, n;

	(void)state;
	smtp_reply_init(&r);
	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];

		print_message("case: %s\n", c->name);
		smtp_reply_reset(&r);
		for (j = 0; c->lines[j] != NULL; j++) {
			st = feed_str(&r, c->lines[j]);
			/* all lines but the last keep the reply open */
			if (c->lines[j + 1] != NULL)
				assert_int_equal(st, SMTP_REPLY_MORE);
		}
		assert_int_equal(st, c->status);
		assert_int_equal(r.status, c->status);
		assert_int_equal(r.code, c->code);
		assert_int_equal(r.nlines, c->nlines);
		assert_int_equal(r.code_mismatch, c->mismatch);
		if (c->error != NULL)
			assert_string_equal(r.error, c->error);
		else
			assert_null(r.error);
		if (c->text != NULL) {
			n = c->textlen ? c->textlen : strlen(c->text);
			assert_int_equal(r.text.len, n);
			assert_memory_equal(buf_str(&r.text), c->text, n);
		}
	}
	smtp_reply_release(&r);
}

static void
test_reply_nul_in_text(void **state)
{
	struct smtp_reply r;
	static const char line[] = "250 a\0b\0";

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(
	    smtp_reply_feed(&r, line, sizeof(line) - 1), SMTP_REPLY_DONE);
	assert_int_equal(r.text.len, 4);
	assert_memory_equal(r.text.data, "a\0b\0", 5);
	smtp_reply_release(&r);
}

static void
test_reply_class(void **state)
{
	struct smtp_reply r;
	static const struct {
		const char *line;
		int cls;
	} t[] = {
		{ "220 hi", 2 },
		{ "354 go", 3 },
		{ "451 later", 4 },
		{ "554 no", 5 },
		{ "999 bad", 0 },
	};
	size_t i;

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_class(&r), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		smtp_reply_reset(&r);
		(void)smtp_reply_feed(&r, t[i].line, strlen(t[i].line));
		assert_int_equal(smtp_reply_class(&r), t[i].cls);
	}
	smtp_reply_release(&r);
}

static void
test_reply_feed_after_done(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	assert_int_equal(smtp_reply_feed(&r, "220 hi", 6), SMTP_REPLY_DONE);
	assert_int_equal(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_ERROR);
	assert_string_equal(r.error, "reply already complete");
	smtp_reply_reset(&r);
	assert_int_equal(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_DONE);
	assert_int_equal(r.code, 250);
	assert_string_equal(buf_str(&r.text), "ok");

	/* after an error too */
	smtp_reply_reset(&r);
	assert_int_equal(smtp_reply_feed(&r, "xyz", 3), SMTP_REPLY_ERROR);
	assert_int_equal(smtp_reply_feed(&r, "250 ok", 6), SMTP_REPLY_ERROR);
	assert_string_equal(r.error, "reply already complete");
	smtp_reply_release(&r);
}

static void
test_reply_pipelined_sequence(void **state)
{
	/* PIPELINING: several replies back to back, reset between them */
	static const char *lines[] = { "250 2.1.0 Ok", "250 2.1.5 Ok",
		"354 End data with <CR><LF>.<CR><LF>" };
	static const int codes[] = { 250, 250, 354 };
	struct smtp_reply r;
	size_t i;

	(void)state;
	smtp_reply_init(&r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(
		    smtp_reply_feed(&r, lines[i], strlen(lines[i])),
		    SMTP_REPLY_DONE);
		assert_int_equal(r.code, codes[i]);
		assert_int_equal(r.nlines, 1);
		smtp_reply_reset(&r);
	}
	smtp_reply_release(&r);
}

static void
test_reply_too_many_lines(void **state)
{
	struct smtp_reply r;
	size_t i;

	(void)state;
	smtp_reply_init(&r);
	/* exactly the maximum is fine */
	for (i = 0; i + 1 < SMTP_REPLY_MAXLINES; i++)
		assert_int_equal(
		    smtp_reply_feed(&r, "250-x", 5), SMTP_REPLY_MORE);
	assert_int_equal(smtp_reply_feed(&r, "250 x", 5), SMTP_REPLY_DONE);
	assert_int_equal(r.nlines, SMTP_REPLY_MAXLINES);

	smtp_reply_reset(&r);
	for (i = 0; i < SMTP_REPLY_MAXLINES; i++)
		assert_int_equal(
		    smtp_reply_feed(&r, "250-x", 5), SMTP_REPLY_MORE);
	assert_int_equal(smtp_reply_feed(&r, "250 x", 5), SMTP_REPLY_ERROR);
	assert_string_equal(r.error, "too many lines");
	smtp_reply_release(&r);
}

static void
test_reply_too_long(void **state)
{
	struct smtp_reply r;
	char line[1004];
	size_t i;
	enum smtp_reply_status st = SMTP_REPLY_MORE;

	(void)state;
	memset(line, 'a', sizeof(line));
	memcpy(line, "250-", 4);
	smtp_reply_init(&r);
	/* each line adds 1000 bytes plus a '\n' */
	for (i = 0; i < 100 && st == SMTP_REPLY_MORE; i++)
		st = smtp_reply_feed(&r, line, sizeof(line));
	assert_int_equal(st, SMTP_REPLY_ERROR);
	assert_string_equal(r.error, "reply too long");
	assert_int_equal(i, SMTP_REPLY_MAXBYTES / 1001 + 1);
	assert_true(r.text.len <= SMTP_REPLY_MAXBYTES);

	/* a single line of exactly the cap fits */
	smtp_reply_release(&r);
	smtp_reply_init(&r);
	{
		static char big[4 + SMTP_REPLY_MAXBYTES];

		memset(big, 'b', sizeof(big));
		memcpy(big, "250 ", 4);
		assert_int_equal(
		    smtp_reply_feed(&r, big, sizeof(big)), SMTP_REPLY_DONE);
		assert_int_equal(r.text.len, SMTP_REPLY_MAXBYTES);
		smtp_reply_reset(&r);
		assert_int_equal(
		    smtp_reply_feed(&r, big, sizeof(big) - 1), SMTP_REPLY_DONE);
		smtp_reply_reset(&r);
		big[3] = '-';
		assert_int_equal(
		    smtp_reply_feed(&r, big, sizeof(big)), SMTP_REPLY_MORE);
		/* the joining '\n' no longer fits */
		assert_int_equal(
		    smtp_reply_feed(&r, "250", 3), SMTP_REPLY_ERROR);
		assert_string_equal(r.error, "reply too long");
	}
	smtp_reply_release(&r);
}

static void
test_reply_release_unused(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	smtp_reply_release(&r);
	smtp_reply_release(&r);
	assert_string_equal(buf_str(&r.text), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_reply_nul_in_text),
		cmocka_unit_test(test_reply_class),
		cmocka_unit_test(test_reply_feed_after_done),
		cmocka_unit_test(test_reply_pipelined_sequence),
		cmocka_unit_test(test_reply_too_many_lines),
		cmocka_unit_test(test_reply_too_long),
		cmocka_unit_test(test_reply_release_unused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
