/* SPDX-License-Identifier: ISC */
/* test_domain - domain_normalize cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/domain.h"

static const struct {
	const char *in;
	const char *out; /* NULL when refused */
} cases[] = {
	{ "example.com", "example.com" },
	{ "Example.COM.", "example.com" },
	{ "  good.test\t", "good.test" },
	{ "_dmarc.example.com", "_dmarc.example.com" },
	{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
	{ "localhost", "localhost" },
	{ "", NULL },
	{ ".", NULL },
	{ "a..b", NULL },
	{ ".a", NULL },
	{ "a b.test", NULL },
	{ "exa\xc3\xa9mple.com", NULL },
	{ "a@b.test", NULL },
	{ "a.test..", NULL },
	{ "123456789012345678901234567890123456789012345678901234567890123"
	  ".test",
	    "123456789012345678901234567890123456789012345678901234567890123"
	    ".test" },
	{ "1234567890123456789012345678901234567890123456789012345678901234"
	  ".test",
	    NULL },
};

static void
test_cases(void **state)
{
	char out[DOMAIN_MAX + 1];
	struct perr err;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = domain_normalize(
		    cases[i].in, strlen(cases[i].in), out, sizeof(out), &err);
		if (cases[i].out == NULL) {
			assert_int_equal(rc, -1);
			assert_non_null(err.msg);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(out, cases[i].out);
		}
	}
}

static void
test_length_limit(void **state)
{
	char in[300], out[DOMAIN_MAX + 1];
	struct perr err;
	size_t i;

	(void)state;
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253: the longest name */
	memset(in, 'a', sizeof(in));
	in[63] = in[127] = in[191] = '.';
	assert_int_equal(domain_normalize(in, 253, out, sizeof(out), &err), 0);
	assert_int_equal(strlen(out), 253);
	assert_int_equal(domain_normalize(in, 254, out, sizeof(out), &err), -1);
	for (i = 0; i < 253; i++)
		assert_true(out[i] == 'a' || out[i] == '.');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
