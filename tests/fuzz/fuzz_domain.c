/* SPDX-License-Identifier: ISC */
/* fuzz_domain - libFuzzer harness for domain_normalize. */
#include <stdint.h>
#include <string.h>

#include "proto/domain.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DOMAIN_MAX + 1];
	struct perr err;
	size_t i;

	if (domain_normalize(
	        (const char *)data, size, out, sizeof(out), &err) == 0) {
		ASSERT(strlen(out) <= DOMAIN_MAX);
		for (i = 0; out[i] != '\0'; i++)
			ASSERT(out[i] != '.' || out[i + 1] != '.');
	} else {
		ASSERT(err.msg != NULL && err.off <= size);
	}
	return 0;
}
