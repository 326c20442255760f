/* SPDX-License-Identifier: ISC */
/* ascii - locale-free character classes for untrusted bytes. */
#include "util/ascii.h"

#include <string.h>

bool
ascii_eq_nocase(const char *p, size_t len, const char *s)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (ascii_tolower((unsigned char)p[i]) !=
		    ascii_tolower((unsigned char)s[i]))
			return false;
	return true;
}
