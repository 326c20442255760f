/* SPDX-License-Identifier: ISC */
/* fuzz_ehlo - parse the input as the text of an EHLO reply. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ehlo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *line;
	struct ehlo_caps c;
	struct perr err;
	size_t off = 0, linelen, n = 0;

	if (ehlo_parse(text, size, &c, &err) == -1) {
		if (size != 0 || err.msg == NULL)
			abort();
		return 0;
	}
	if (memchr(c.mangled, '\0', sizeof(c.mangled)) == NULL ||
	    c.starttls_mangled != (c.mangled[0] != '\0') ||
	    c.greeting_len > size || (c.size_limit != 0 && !c.size))
		abort();
	while (ehlo_next_line(text, size, &off, &line, &linelen)) {
		if (line < text || linelen == 0 ||
		    linelen > size - (size_t)(line - text) || off > size)
			abort();
		n++;
	}
	if (n != c.nkeywords)
		abort();
	return 0;
}
