/* SPDX-License-Identifier: ISC */
/* test_ehlo - EHLO capabilities and the masked-STARTTLS rule, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/ehlo.h"

/* flag bits for the expected capabilities */
enum {
	C_STARTTLS = 1 << 0,
	C_PIPELINING = 1 << 1,
	C_8BITMIME = 1 << 2,
	C_SMTPUTF8 = 1 << 3,
	C_CHUNKING = 1 << 4,
	C_DSN = 1 << 5,
	C_ENHANCED = 1 << 6,
	C_REQUIRETLS = 1 << 7,
	C_SIZE = 1 << 8,
	C_AUTH = 1 << 9,
	C_MANGLED = 1 << 10,
};

struct ehlo_case {
	const char *name;
	const char *text;
	unsigned int caps;
	uint64_t size_limit;
	const char *mangled;
	size_t nkeywords;
	size_t greeting_len;
};

static const struct ehlo_case ehlo_cases[] = {
	{ "postfix",
	    "mail.example.org\nPIPELINING\nSIZE 10240000\nVRFY\nETRN\nSTARTTLS\n"
	    "ENHANCEDSTATUSCODES\n8BITMIME\nDSN\nSMTPUTF8\nCHUNKING",
	    C_PIPELINING | C_SIZE | C_STARTTLS | C_ENHANCED | C_8BITMIME |
	        C_DSN | C_SMTPUTF8 | C_CHUNKING,
	    10240000, "", 10, 16 },
	{ "exim",
	    "mx.example.com Hello client.example.net [192.0.2.7]\nSIZE 52428800\n"
	    "8BITMIME\nPIPELINING\nPIPECONNECT\nAUTH PLAIN LOGIN\nCHUNKING\n"
	    "STARTTLS\nSMTPUTF8\nHELP",
	    C_SIZE | C_8BITMIME | C_PIPELINING | C_AUTH | C_CHUNKING |
	        C_STARTTLS | C_SMTPUTF8,
	    52428800, "", 9, 51 },
	{ "exchange, trailing spaces",
	    "EXCH01.contoso.com Hello [192.0.2.1]\nSIZE 37748736\nPIPELINING\n"
	    "DSN\nENHANCEDSTATUSCODES\nSTARTTLS \nX-ANONYMOUSTLS\nAUTH NTLM \n"
	    "X-EXPS GSSAPI NTLM\n8BITMIME\nBINARYMIME\nCHUNKING\nXRDST\n"
	    "X-LINK2STATE\nXEXCH50",
	    C_SIZE | C_PIPELINING | C_DSN | C_ENHANCED | C_STARTTLS | C_AUTH |
	        C_8BITMIME | C_CHUNKING,
	    37748736, "", 14, 36 },
	{ "gmail",
	    "mx.google.com at your service, [192.0.2.1]\nSIZE 157286400\n"
	    "8BITMIME\nSTARTTLS\nENHANCEDSTATUSCODES\nPIPELINING\nCHUNKING\n"
	    "SMTPUTF8",
	    C_SIZE | C_8BITMIME | C_STARTTLS | C_ENHANCED | C_PIPELINING |
	        C_CHUNKING | C_SMTPUTF8,
	    157286400, "", 7, 42 },
	{ "cisco pix mangled", "mx.example.com\nPIPELINING\nXXXXXXXA\n8BITMIME",
	    C_PIPELINING | C_8BITMIME | C_MANGLED, 0, "XXXXXXXA", 3, 14 },
	{ "postfix xclient/xforward",
	    "mx\nXCLIENT NAME ADDR PROTO HELO\nXFORWARD NAME ADDR PROTO HELO",
	    0, 0, "", 2, 2 },
	{ "lowercase keywords",
	    "mx\nstarttls\nsize 1000\nauth=login\nRequireTLS",
	    C_STARTTLS | C_SIZE | C_AUTH | C_REQUIRETLS, 1000, "", 4, 2 },
	{ "old auth form only", "mx\nAUTH=LOGIN PLAIN", C_AUTH, 0, "", 1, 2 },
	{ "both auth forms", "mx\nAUTH LOGIN PLAIN\nAUTH=LOGIN PLAIN", C_AUTH,
	    0, "", 2, 2 },
	{ "authx is not auth", "mx\nAUTHX\nXAUTH", 0, 0, "", 2, 2 },
	{ "size without parameter", "mx\nSIZE", C_SIZE, 0, "", 1, 2 },
	{ "size zero", "mx\nSIZE 0", C_SIZE, 0, "", 1, 2 },
	{ "size not a number", "mx\nSIZE unlimited", C_SIZE, 0, "", 1, 2 },
	{ "size max", "mx\nSIZE 18446744073709551615", C_SIZE, UINT64_MAX, "",
	    1, 2 },
	{ "size overflow saturates", "mx\nSIZE 99999999999999999999999", C_SIZE,
	    UINT64_MAX, "", 1, 2 },
	{ "first size wins", "mx\nSIZE 100\nSIZE 200", C_SIZE, 100, "", 2, 2 },
	{ "size with tab", "mx\nSIZE\t4096", C_SIZE, 4096, "", 1, 2 },
	{ "greeting only", "mail.example.org", 0, 0, "", 0, 16 },
	{ "greeting mentions starttls", "mx STARTTLS PIPELINING", 0, 0, "", 0,
	    22 },
	{ "empty greeting", "\nSTARTTLS", C_STARTTLS, 0, "", 1, 0 },
	{ "blank lines skipped", "mx\n\n  \nDSN\n\n", C_DSN, 0, "", 1, 2 },
	{ "leading spaces", "mx\n  STARTTLS", C_STARTTLS, 0, "", 1, 2 },
	{ "cr left in lines", "mx\r\nSTARTTLS\r\nDSN\r", C_STARTTLS | C_DSN, 0,
	    "", 2, 3 },
	{ "8-bit junk",
	    "mx\n\xff\xfe\nSTARTTLS\n\x80\x80\x80\x80\x80\x80\x80\x80",
	    C_STARTTLS, 0, "", 3, 2 },
	{ "first mangled kept", "mx\nXXXXXXXX\nXXXXXXXA", C_MANGLED, 0,
	    "XXXXXXXX", 2, 2 },
	{ "mangled with params", "mx\nXXXXXXXA foo", C_MANGLED, 0, "XXXXXXXA",
	    1, 2 },
};

static void
test_ehlo_table(void **state)
{
	struct ehlo_caps c;
	struct perr err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ehlo_cases) / sizeof(ehlo_cases[0]); i++) {
		const struct ehlo_case *t = &ehlo_cases[i];

		print_message("case: %s\n", t->name);
		assert_int_equal(
		    ehlo_parse(t->text, strlen(t->text), &c, &err), 0);
		assert_int_equal(c.starttls, (t->caps & C_STARTTLS) != 0);
		assert_int_equal(c.pipelining, (t->caps & C_PIPELINING) != 0);
		assert_int_equal(c.eightbitmime, (t->caps & C_8BITMIME) != 0);
		assert_int_equal(c.smtputf8, (t->caps & C_SMTPUTF8) != 0);
		assert_int_equal(c.chunking, (t->caps & C_CHUNKING) != 0);
		assert_int_equal(c.dsn, (t->caps & C_DSN) != 0);
		assert_int_equal(
		    c.enhancedstatuscodes, (t->caps & C_ENHANCED) != 0);
		assert_int_equal(c.requiretls, (t->caps & C_REQUIRETLS) != 0);
		assert_int_equal(c.size, (t->caps & C_SIZE) != 0);
		assert_int_equal(c.auth, (t->caps & C_AUTH) != 0);
		assert_int_equal(
		    c.starttls_mangled, (t->caps & C_MANGLED) != 0);
		assert_true(c.size_limit == t->size_limit);
		assert_string_equal(c.mangled, t->mangled);
		assert_int_equal(c.nkeywords, t->nkeywords);
		assert_int_equal(c.greeting_len, t->greeting_len);
	}
}

/* the masked-STARTTLS rule, one keyword at a time */
static const struct {
	const char *kw;
	bool mangled;
} mangled_cases[] = {
	{ "XXXXXXXA", true }, /* Cisco PIX/ASA */
	{ "XXXXXXXX", true },
	{ "xxxxxxxa", true }, /* keywords are case-insensitive */
	{ "XxXxXxXx", true },
	{ "XXXXXAAA", true }, /* five X is "mostly" */
	{ "XXXX-XXX", true },
	{ "AXXXXXXX", true },
	{ "XXXXAAAA", false },       /* four X is not */
	{ "XXXXXXX", false },        /* seven characters */
	{ "XXXXXXXXX", false },      /* nine characters */
	{ "X-EXPS", false },         /* Exchange */
	{ "X-LINK2STATE", false },   /* Exchange */
	{ "XEXCH50", false },        /* Exchange */
	{ "X-ANONYMOUSTLS", false }, /* Exchange */
	{ "XCLIENT", false },        /* Postfix */
	{ "XFORWARD", false },       /* Postfix, 8 characters */
	{ "XRDST", false },
	{ "XVERP", false },
	{ "STARTTLS", false }, /* the real thing */
	{ "CHUNKING", false },
	{ "8BITMIME", false },
	{ "SMTPUTF8", false },
	{ "XXXXX\x01XX", false }, /* not keyword characters */
	{ "XXXXX.XX", false },
};

static void
test_ehlo_mangled(void **state)
{
	struct ehlo_caps c;
	char text[64];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(mangled_cases) / sizeof(mangled_cases[0]); i++) {
		print_message("keyword: %s\n", mangled_cases[i].kw);
		n = snprintf(text, sizeof(text), "mx.example.org\n%s",
		    mangled_cases[i].kw);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		assert_int_equal(ehlo_parse(text, (size_t)n, &c, NULL), 0);
		assert_int_equal(c.starttls_mangled, mangled_cases[i].mangled);
		assert_string_equal(c.mangled,
		    mangled_cases[i].mangled ? mangled_cases[i].kw : "");
		assert_int_equal(c.nkeywords, 1);
	}
}

static void
test_ehlo_empty(void **state)
{
	struct ehlo_caps c;
	struct perr err = { 99, NULL };

	(void)state;
	assert_int_equal(ehlo_parse("", 0, &c, &err), -1);
	assert_string_equal(err.msg, "empty ehlo response");
	assert_int_equal(err.off, 0);
	assert_int_equal(ehlo_parse(NULL, 0, &c, NULL), -1);
	/* a lone newline is an (empty) EHLO text, not nothing */
	assert_int_equal(ehlo_parse("\n", 1, &c, &err), 0);
	assert_int_equal(c.nkeywords, 0);
}

static void
test_ehlo_not_nul_terminated(void **state)
{
	/* len stops before "STARTTLS": nothing past len is looked at */
	static const char text[] = "mx\nDSN\nSTARTTLS";
	struct ehlo_caps c;

	(void)state;
	assert_int_equal(ehlo_parse(text, 7, &c, NULL), 0);
	assert_true(c.dsn);
	assert_false(c.starttls);
	assert_int_equal(c.nkeywords, 1);
	/* a NUL inside a line is just a byte */
	assert_int_equal(ehlo_parse("mx\nDSN\0x\nSIZE 5", 15, &c, NULL), 0);
	assert_false(c.dsn);
	assert_true(c.size);
	assert_true(c.size_limit == 5);
}

static void
test_ehlo_next_line(void **state)
{
	static const char text[] =
	    "greet ing\n PIPELINING \n\nSIZE 10\r\nAUTH=LOGIN";
	static const char *want[] = { "PIPELINING", "SIZE 10", "AUTH=LOGIN" };
	const char *line;
	size_t off = 0, linelen, n = 0;

	(void)state;
	while (ehlo_next_line(text, sizeof(text) - 1, &off, &line, &linelen)) {
		assert_true(n < 3);
		assert_int_equal(linelen, strlen(want[n]));
		assert_memory_equal(line, want[n], linelen);
		n++;
	}
	assert_int_equal(n, 3);
	/* stays at the end */
	assert_false(
	    ehlo_next_line(text, sizeof(text) - 1, &off, &line, &linelen));
	off = 0;
	assert_false(ehlo_next_line("only", 4, &off, &line, &linelen));
	off = 0;
	assert_false(ehlo_next_line("", 0, &off, &line, &linelen));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ehlo_table),
		cmocka_unit_test(test_ehlo_mangled),
		cmocka_unit_test(test_ehlo_empty),
		cmocka_unit_test(test_ehlo_not_nul_terminated),
		cmocka_unit_test(test_ehlo_next_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
