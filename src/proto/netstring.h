/* SPDX-License-Identifier: ISC */
/*
 * netstring - D. J. Bernstein's netstrings (cr.yp.to/proto/netstrings.txt):
 * "<decimal length>:<bytes>,", the framing of Postfix's socketmap protocol.
 *
 * The decoder is incremental: it takes input in chunks of any size (down
 * to one byte) and hands back complete netstrings one at a time, so that
 * pipelined requests come out in order. It is pure apart from one buffer,
 * capped at the maximum payload, for a netstring that spans chunks; a
 * netstring that lies whole in one chunk is returned as a slice of it.
 *
 * The grammar is strict, as Postfix's own reader (dict_sockmap.c) is: the
 * length is 1..20 decimal digits without a leading zero ("0" alone is the
 * empty netstring) and at most the maximum, then ':', the bytes, ','.
 * Anything else is an error, and errors are sticky: the byte stream has
 * lost its framing and nothing after it can be trusted.
 */
#ifndef MX_PROTO_NETSTRING_H
#define MX_PROTO_NETSTRING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/perr.h"

/* the largest maximum a decoder accepts (so length * 10 cannot wrap) */
#define NETSTRING_MAX_LIMIT ((size_t)1 << 30)
/* framing bytes around a payload of at most NETSTRING_MAX_LIMIT */
#define NETSTRING_OVERHEAD  12

enum netstring_state {
	NETSTRING_STATE_LEN,   /* reading the length digits */
	NETSTRING_STATE_DATA,  /* copying the payload */
	NETSTRING_STATE_COMMA, /* expecting the final ',' */
	NETSTRING_STATE_ERROR, /* sticky */
	NETSTRING_STATE_MAX
};

enum netstring_status {
	NETSTRING_MORE,  /* all the input was consumed, no netstring yet */
	NETSTRING_DONE,  /* one netstring is complete */
	NETSTRING_ERROR, /* malformed or too long: sticky */
};

struct netstring_dec {
	size_t max;                 /* largest payload accepted, bytes */
	enum netstring_state state; /* written by netstring_dec_feed only */
	size_t len;                 /* payload length being read */
	size_t ndigits;             /* length digits seen */
	struct buf data;            /* owned: a payload spanning chunks */
	size_t off;                 /* stream bytes consumed so far */
	struct perr err;            /* the sticky error (static message) */
};

/*
 * netstring_dec_init - a decoder for payloads of at most max bytes
 * (max <= NETSTRING_MAX_LIMIT)
 */
void netstring_dec_init(struct netstring_dec *d, size_t max);
void netstring_dec_release(struct netstring_dec *d);

/*
 * netstring_dec_feed - consume bytes of (p, len) until one netstring is
 * complete or the input runs out; *used is the number of bytes consumed.
 *
 * NETSTRING_DONE: the payload is (*out, *outlen), borrowed from p or from
 * the decoder, valid until the next call or netstring_dec_release (*out is
 * never NULL, "" when empty). Feed the rest of the input (p + *used) again
 * for the next netstring.
 * NETSTRING_MORE: *used == len; the decoder holds the partial netstring.
 * NETSTRING_ERROR: d->err says where (stream offset, counting every byte
 * fed since init) and why: "netstring length is empty", "netstring length
 * has a leading zero", "netstring length is not a number", "netstring
 * longer than the maximum", "netstring does not end with ','". *used is 0
 * when the error was already there.
 */
enum netstring_status netstring_dec_feed(struct netstring_dec *d, const char *p,
    size_t len, size_t *used, const char **out, size_t *outlen);

/*
 * netstring_dec_partial - true when part of a netstring has been consumed
 * (the decoder is not at a netstring boundary); false after an error
 */
bool netstring_dec_partial(const struct netstring_dec *d);

/* netstring_state_name - "len", "data", "comma", "error" (for tracing) */
const char *netstring_state_name(enum netstring_state s);

/*
 * netstring_encode - append "<len>:<p>," to b; -1 when b's cap is passed
 * (b is then emptied, as buf_append does)
 */
int netstring_encode(struct buf *b, const char *p, size_t len);

#endif
