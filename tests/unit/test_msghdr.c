/* SPDX-License-Identifier: ISC */
/* test_msghdr - header field walking: folding, CRLF, mbox, junk, body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/msghdr.h"

struct want {
	const char *name;
	const char *value;
};

static void
check(const char *msg, const struct want *want, size_t nwant, size_t skipped)
{
	struct msghdr_iter it;
	struct msghdr_field f;
	size_t n = 0;

	msghdr_iter_init(&it);
	while (msghdr_next(msg, strlen(msg), &it, &f)) {
		assert_true(n < nwant);
		assert_int_equal(f.name_len, strlen(want[n].name));
		assert_memory_equal(f.name, want[n].name, f.name_len);
		assert_int_equal(f.value_len, strlen(want[n].value));
		assert_memory_equal(f.value, want[n].value, f.value_len);
		n++;
	}
	assert_int_equal(n, nwant);
	assert_int_equal(it.skipped, skipped);
	assert_true(it.done);
}

static void
test_folding_lf(void **state)
{
	static const struct want w[] = {
		{ "Received",
		    " from a (b [192.0.2.1])\n\tby c with ESMTPS;\n Sat, 28 Nov 2026" },
		{ "Subject", " hi" },
	};

	(void)state;
	check("Received: from a (b [192.0.2.1])\n\tby c with ESMTPS;\n Sat, "
	      "28 Nov 2026\nSubject: hi\n\nReceived: in the body\n",
	    w, 2, 0);
}

static void
test_crlf_mbox_junk(void **state)
{
	static const struct want w[] = {
		{ "Received", " x\r\n\ty" },
		{ "X-Empty", "" },
		{ "received", "lower" },
	};

	(void)state;
	check("From MAILER-DAEMON Sat Nov 28 17:00:00 2026\r\n"
	      "Received: x\r\n\ty\r\nnot a field\r\nX-Empty:\r\n"
	      "received:lower\r\n\r\nbody",
	    w, 3, 1);
}

static void
test_header_only_and_empty(void **state)
{
	static const struct want w[] = {
		{ "Received", " from a by b" },
	};

	(void)state;
	/* a header pasted alone, without the empty line or a final LF */
	check("Received: from a by b", w, 1, 0);
	check("", NULL, 0, 0);
	check("\n\nReceived: body", NULL, 0, 0);
	/* a space before the colon is not a field name (RFC 5322 3.6.8) */
	check("Bad Name: x\n", NULL, 0, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folding_lf),
		cmocka_unit_test(test_crlf_mbox_junk),
		cmocka_unit_test(test_header_only_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
