/* SPDX-License-Identifier: ISC */
/* msghdr - walk the header fields of an RFC 5322 message. */
#include "proto/msghdr.h"

#include <string.h>

#include "util/ascii.h"

void
msghdr_iter_init(struct msghdr_iter *it)
{
	memset(it, 0, sizeof(*it));
}

/* msghdr_eol - offset just past the line starting at off, and its length */
static size_t
msghdr_eol(const char *p, size_t len, size_t off, size_t *linelen)
{
	const char *nl = memchr(p + off, '\n', len - off);
	size_t end = nl != NULL ? (size_t)(nl - p) : len;

	*linelen = end - off;
	if (*linelen > 0 && p[end - 1] == '\r')
		(*linelen)--;
	return nl != NULL ? end + 1 : len;
}

/* msghdr_name_len - length of a field name ending in ':' at p, or 0 */
static size_t
msghdr_name_len(const char *p, size_t linelen)
{
	size_t i;

	/* ftext: printable US-ASCII except ':' (RFC 5322 3.6.8) */
	for (i = 0; i < linelen; i++) {
		if (p[i] == ':')
			return i;
		if (!ascii_isprint((unsigned char)p[i]) || p[i] == ' ')
			return 0;
	}
	return 0;
}

bool
msghdr_next(
    const char *p, size_t len, struct msghdr_iter *it, struct msghdr_field *f)
{
	size_t linelen, next, n;

	while (!it->done && it->off < len) {
		next = msghdr_eol(p, len, it->off, &linelen);
		if (linelen == 0) {
			it->done = true; /* the empty line: the body follows */
			break;
		}
		if (it->off == 0 && linelen >= 5 &&
		    memcmp(p, "From ", 5) == 0) {
			it->off = next; /* mbox separator */
			continue;
		}
		n = msghdr_name_len(p + it->off, linelen);
		if (n == 0) {
			it->skipped++;
			it->off = next;
			continue;
		}
		f->name = p + it->off;
		f->name_len = n;
		f->value = p + it->off + n + 1;
		/* continuation lines belong to this field */
		while (next < len && (p[next] == ' ' || p[next] == '\t'))
			next = msghdr_eol(p, len, next, &linelen);
		f->value_len = (size_t)(p + next - f->value);
		/* without the final line break */
		if (f->value_len > 0 && f->value[f->value_len - 1] == '\n')
			f->value_len--;
		if (f->value_len > 0 && f->value[f->value_len - 1] == '\r')
			f->value_len--;
		it->off = next;
		return true;
	}
	it->done = true;
	return false;
}
