/* SPDX-License-Identifier: ISC */
/* str - small string helpers for untrusted bytes. */
#include "util/str.h"

#include "util/ascii.h"
#include "util/xalloc.h"

char *
str_escape(const char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out, *o;
	size_t i;
	unsigned char c;

	out = o = xmalloc(len * 4 + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (ascii_isprint(c)) {
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
str_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		*p = (char)ascii_tolower((unsigned char)*p);
	return s;
}

void
str_trim_wsp(const char **p, size_t *len)
{
	const char *q = *p;
	size_t n = *len;

	while (n > 0 && (q[0] == ' ' || q[0] == '\t')) {
		q++;
		n--;
	}
	while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t'))
		n--;
	*p = n > 0 ? q : NULL;
	*len = n;
}
