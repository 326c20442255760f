/* SPDX-License-Identifier: ISC */
/*
 * msghdr - walk the header fields of an RFC 5322 message.
 *
 * Pure. The header section ends at the first empty line (or at the end of
 * the input when there is none: a header pasted alone). Lines end in CRLF
 * or LF; a line starting with space or tab continues the field before it
 * (RFC 5322 2.2.3). An mbox "From " line before the first field is skipped.
 * Lines that are neither a field nor a continuation are skipped and
 * counted, never fatal: mail in the wild is messy.
 */
#ifndef MX_PROTO_MSGHDR_H
#define MX_PROTO_MSGHDR_H

#include <stdbool.h>
#include <stddef.h>

struct msghdr_field {
	const char *name; /* borrowed, points into the input */
	size_t name_len;
	const char *value; /* borrowed: after the colon, folding kept */
	size_t value_len;
};

struct msghdr_iter {
	size_t off;     /* where the next field starts */
	bool done;      /* the header section has ended */
	size_t skipped; /* lines that were not header fields */
};

void msghdr_iter_init(struct msghdr_iter *it);
/* msghdr_next - the next field of (p, len); false at the end of the header */
bool msghdr_next(
    const char *p, size_t len, struct msghdr_iter *it, struct msghdr_field *f);

#endif
