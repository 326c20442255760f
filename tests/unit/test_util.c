/* SPDX-License-Identifier: ISC */
/* test_util - buf (capped), strmap, str_escape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/strmap.h"
#include "util/timeutil.h"
#include "util/utf8.h"

static void
test_buf_cap(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 8);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_puts(&b, "abcd"), 0);
	assert_int_equal(buf_printf(&b, "%d", 123), 0);
	assert_string_equal(buf_str(&b), "abcd123");
	assert_int_equal(buf_append(&b, "x", 1), 0);
	assert_int_equal(b.len, 8);
	/* past the cap: -1 and the buffer is emptied */
	assert_int_equal(buf_append(&b, "y", 1), -1);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_printf(&b, "%s", "123456789"), -1);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_int_equal(b.data[3], '\0');
	s = buf_detach(&b);
	assert_memory_equal(s, "a\0b", 4);
	assert_int_equal(b.len, 0);
	free(s);
	buf_release(&b);
}

static void
test_buf_long_printf(void **state)
{
	struct buf b;
	char big[1000];

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 4096);
	assert_int_equal(buf_printf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[1000], '>');
	buf_release(&b);
}

static void
test_strmap(void **state)
{
	struct strmap m;
	char key[32];
	int values[2000];
	size_t i;

	(void)state;
	strmap_init(&m);
	for (i = 0; i < 2000; i++) {
		values[i] = (int)i;
		snprintf(key, sizeof(key), "k%zu", i);
		assert_null(strmap_put(&m, key, &values[i]));
	}
	assert_int_equal(m.count, 2000);
	for (i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_ptr_equal(strmap_get(&m, key), &values[i]);
	}
	assert_null(strmap_get(&m, "absent"));
	assert_ptr_equal(strmap_put(&m, "k7", &values[8]), &values[7]);
	assert_ptr_equal(strmap_del(&m, "k7"), &values[8]);
	assert_null(strmap_del(&m, "k7"));
	assert_null(strmap_get(&m, "k7"));
	assert_int_equal(m.count, 1999);
	strmap_release(&m);
}

static void
test_escape(void **state)
{
	char *s;

	(void)state;
	s = str_escape("220 ok\r\n\x1b[31m\\\xff", 15);
	assert_string_equal(s, "220 ok\\x0d\\x0a\\x1b[31m\\\\\\xff");
	free(s);
	s = str_escape("a\0b", 3);
	assert_string_equal(s, "a\\x00b");
	free(s);
	s = str_escape("", 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t len, n, bad;
		uint32_t cp;
	} cases[] = {
		{ "A", 1, 1, 0, 0x41 },
		{ "\xc3\xa9", 2, 2, 0, 0xe9 },
		{ "\xe2\x82\xac", 3, 3, 0, 0x20ac },
		{ "\xf0\x9f\x94\x92", 4, 4, 0, 0x1f512 },
		{ "\xc0\xaf", 2, 0, 1, 0 },         /* overlong */
		{ "\xe0\x80\xaf", 3, 0, 1, 0 },     /* overlong */
		{ "\xed\xa0\x80", 3, 0, 1, 0 },     /* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0, 1, 0 }, /* > U+10FFFF */
		{ "\xe2\x82", 2, 0, 2, 0 },         /* truncated */
		{ "\x80", 1, 0, 1, 0 },             /* lone continuation */
		{ "\xff", 1, 0, 1, 0 },
	};
	uint32_t cp;
	size_t i, n, bad;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cp = 0;
		bad = 0;
		n = utf8_decode((const unsigned char *)cases[i].in,
		    cases[i].len, &cp, &bad);
		assert_int_equal(n, cases[i].n);
		if (n > 0)
			assert_int_equal(cp, cases[i].cp);
		else
			assert_int_equal(bad, cases[i].bad);
	}
}

static void
test_days(void **state)
{
	(void)state;
	assert_int_equal(timeutil_days(0, 86399), 0);
	assert_int_equal(timeutil_days(0, 86400), 1);
	assert_int_equal(timeutil_days(0, -1), -1);
	assert_int_equal(timeutil_days(0, -86400), -1);
	assert_int_equal(timeutil_days(0, -86401), -2);
	assert_int_equal(timeutil_clamp((time_t)1 << 62), TIMEUTIL_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_long_printf),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
