/* SPDX-License-Identifier: ISC */
/* fuzz_msghdr - libFuzzer harness for the header field walker. */
#include <stdint.h>
#include <string.h>

#include "proto/msghdr.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct msghdr_iter it;
	struct msghdr_field f;
	size_t last = 0, n = 0;

	msghdr_iter_init(&it);
	while (msghdr_next(p, size, &it, &f)) {
		ASSERT(f.name >= p && f.name + f.name_len <= p + size);
		ASSERT(f.value >= p && f.value + f.value_len <= p + size);
		ASSERT(
		    f.name_len > 0 && memchr(f.name, ':', f.name_len) == NULL);
		ASSERT(it.off > last);
		last = it.off;
		n++;
	}
	ASSERT(n <= size);
	return 0;
}
