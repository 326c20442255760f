/* SPDX-License-Identifier: ISC */
/*
 * ehlo - the text of a 250 reply to EHLO, turned into capabilities.
 *
 * A line is cut into its keyword and the rest; known keywords set a flag
 * through a table, and unknown ones go through the masked-STARTTLS check.
 */
#include "proto/ehlo.h"

#include <string.h>

#include "util/ascii.h"

/* ehlo_keywords - known keywords and the flag each one sets */
static const struct {
	const char *name;
	size_t flag; /* offsetof the bool in struct ehlo_caps */
} ehlo_keywords[] = {
	{ "STARTTLS", offsetof(struct ehlo_caps, starttls) },
	{ "PIPELINING", offsetof(struct ehlo_caps, pipelining) },
	{ "8BITMIME", offsetof(struct ehlo_caps, eightbitmime) },
	{ "SMTPUTF8", offsetof(struct ehlo_caps, smtputf8) },
	{ "CHUNKING", offsetof(struct ehlo_caps, chunking) },
	{ "DSN", offsetof(struct ehlo_caps, dsn) },
	{ "ENHANCEDSTATUSCODES",
	    offsetof(struct ehlo_caps, enhancedstatuscodes) },
	{ "REQUIRETLS", offsetof(struct ehlo_caps, requiretls) },
	{ "SIZE", offsetof(struct ehlo_caps, size) },
	{ "AUTH", offsetof(struct ehlo_caps, auth) },
};

bool
ehlo_next_line(const char *text, size_t len, size_t *off, const char **line,
    size_t *linelen)
{
	size_t i = *off, start, end;

	if (i == 0) {
		/* skip the greeting; afterwards *off is always > 0 */
		while (i < len && text[i] != '\n')
			i++;
		if (i == len) {
			*off = len;
			return false;
		}
		i++;
	}
	while (i < len) {
		start = i;
		while (i < len && text[i] != '\n')
			i++;
		end = i;
		if (i < len)
			i++;
		while (start < end && ascii_isspace((unsigned char)text[start]))
			start++;
		while (
		    end > start && ascii_isspace((unsigned char)text[end - 1]))
			end--;
		if (end > start) {
			*off = i;
			*line = text + start;
			*linelen = end - start;
			return true;
		}
	}
	*off = i;
	return false;
}

/* ehlo_size - SIZE parameter: leading decimal digits, saturating */
static uint64_t
ehlo_size(const char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;
	int d;

	for (i = 0; i < len && ascii_isdigit((unsigned char)p[i]); i++) {
		d = p[i] - '0';
		if (v > (UINT64_MAX - (uint64_t)d) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)d;
	}
	return v;
}

/* ehlo_is_mangled - an 8-character keyword made mostly of 'X' */
static bool
ehlo_is_mangled(const char *kw, size_t len)
{
	size_t i, nx = 0;
	int c;

	if (len != 8)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)kw[i];
		if (!ascii_isalnum(c) && c != '-')
			return false;
		if (c == 'X' || c == 'x')
			nx++;
	}
	return nx >= 5;
}

int
ehlo_parse(
    const char *text, size_t len, struct ehlo_caps *out, struct perr *err)
{
	const char *line, *params;
	size_t off = 0, linelen, kwlen, plen, i;
	bool known, seen_size = false;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return perr_set(err, 0, "empty ehlo response");
	while (out->greeting_len < len && text[out->greeting_len] != '\n')
		out->greeting_len++;

	while (ehlo_next_line(text, len, &off, &line, &linelen)) {
		out->nkeywords++;
		for (kwlen = 0; kwlen < linelen; kwlen++)
			if (line[kwlen] == ' ' || line[kwlen] == '\t' ||
			    line[kwlen] == '=')
				break;
		params = line + kwlen;
		plen = linelen - kwlen;
		while (plen > 0 &&
		    (*params == ' ' || *params == '\t' || *params == '=')) {
			params++;
			plen--;
		}

		known = false;
		for (i = 0;
		     i < sizeof(ehlo_keywords) / sizeof(ehlo_keywords[0]);
		     i++) {
			if (ascii_eq_nocase(
			        line, kwlen, ehlo_keywords[i].name)) {
				*(bool *)((char *)out + ehlo_keywords[i].flag) =
				    true;
				known = true;
				break;
			}
		}
		if (known && ascii_eq_nocase(line, kwlen, "SIZE") &&
		    !seen_size) {
			seen_size = true;
			out->size_limit = ehlo_size(params, plen);
		}
		if (!known && !out->starttls_mangled &&
		    ehlo_is_mangled(line, kwlen)) {
			out->starttls_mangled = true;
			/* kwlen is 8 here, well under sizeof(mangled) */
			memcpy(out->mangled, line, kwlen);
			out->mangled[kwlen] = '\0';
		}
	}
	return 0;
}
