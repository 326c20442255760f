/* SPDX-License-Identifier: ISC */
/* domain - normalise a domain name given by a user. */
#include "proto/domain.h"

#include "util/ascii.h"

int
domain_normalize(
    const char *p, size_t len, char *out, size_t outsize, struct perr *err)
{
	size_t i, start = 0, end = len, n = 0, label = 0;
	int c;

	while (start < end && ascii_isspace((unsigned char)p[start]))
		start++;
	while (end > start && ascii_isspace((unsigned char)p[end - 1]))
		end--;
	if (end > start && p[end - 1] == '.')
		end--;
	if (end == start)
		return perr_set(err, start, "empty domain name");
	if (end - start > DOMAIN_MAX)
		return perr_set(err, start + DOMAIN_MAX,
		    "domain name longer than 253 octets");
	if (outsize < end - start + 1)
		return perr_set(err, start, "output buffer too small");
	for (i = start; i < end; i++) {
		c = (unsigned char)p[i];
		if (c == '.') {
			if (label == 0)
				return perr_set(err, i, "empty label");
			label = 0;
		} else if (ascii_isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return perr_set(
				    err, i, "label longer than 63 octets");
		} else {
			return perr_set(
			    err, i, "character not allowed in a host name");
		}
		out[n++] = (char)ascii_tolower(c);
	}
	if (label == 0)
		return perr_set(err, end, "empty label");
	out[n] = '\0';
	return 0;
}
