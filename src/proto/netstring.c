/* SPDX-License-Identifier: ISC */
/*
 * netstring - incremental netstring decoder and encoder.
 *
 * netstring_dec_feed() walks a three-state machine (length digits, payload,
 * comma); netstring_dec_enter() is the only writer of the state. The
 * length is checked against the maximum as each digit arrives, so a peer
 * cannot make us wait for (or buffer) an over-long payload, and a length
 * can never overflow. A payload that lies whole in the chunk, comma
 * included, is returned in place; otherwise it is copied into d->data,
 * whose cap is the maximum.
 */
#include "proto/netstring.h"

#include <stdint.h>
#include <string.h>

#include "util/ascii.h"
#include "util/log.h"

static const char *const netstring_state_names[] = {
	[NETSTRING_STATE_LEN] = "len",
	[NETSTRING_STATE_DATA] = "data",
	[NETSTRING_STATE_COMMA] = "comma",
	[NETSTRING_STATE_ERROR] = "error",
};
_Static_assert(
    sizeof(netstring_state_names) / sizeof(netstring_state_names[0]) ==
        NETSTRING_STATE_MAX,
    "netstring_state_names");

const char *
netstring_state_name(enum netstring_state s)
{
	return s < NETSTRING_STATE_MAX ? netstring_state_names[s] : "?";
}

/* netstring_dec_enter - the only writer of d->state */
static void
netstring_dec_enter(struct netstring_dec *d, enum netstring_state s)
{
	d->state = s;
	if (s == NETSTRING_STATE_LEN) {
		d->len = 0;
		d->ndigits = 0;
	} else if (s == NETSTRING_STATE_DATA) {
		/* the previous payload may be borrowed until now */
		buf_reset(&d->data);
	}
}

/* netstring_dec_fail - record the sticky error at stream offset off */
static enum netstring_status
netstring_dec_fail(struct netstring_dec *d, size_t off, const char *msg)
{
	perr_set(&d->err, off, msg);
	buf_release(&d->data);
	netstring_dec_enter(d, NETSTRING_STATE_ERROR);
	return NETSTRING_ERROR;
}

void
netstring_dec_init(struct netstring_dec *d, size_t max)
{
	ASSERT(max <= NETSTRING_MAX_LIMIT);
	d->max = max;
	buf_init(&d->data, max);
	d->off = 0;
	d->err.off = 0;
	d->err.msg = NULL;
	netstring_dec_enter(d, NETSTRING_STATE_LEN);
}

void
netstring_dec_release(struct netstring_dec *d)
{
	buf_release(&d->data);
}

bool
netstring_dec_partial(const struct netstring_dec *d)
{
	return d->state == NETSTRING_STATE_DATA ||
	    d->state == NETSTRING_STATE_COMMA ||
	    (d->state == NETSTRING_STATE_LEN && d->ndigits > 0);
}

/* netstring_dec_digit - one byte in the length state at position pos */
static enum netstring_status
netstring_dec_digit(struct netstring_dec *d, unsigned char c, size_t pos)
{
	if (c == ':') {
		if (d->ndigits == 0)
			return netstring_dec_fail(
			    d, d->off + pos, "netstring length is empty");
		netstring_dec_enter(d, NETSTRING_STATE_DATA);
		return NETSTRING_MORE;
	}
	if (!ascii_isdigit(c))
		return netstring_dec_fail(
		    d, d->off + pos, "netstring length is not a number");
	if (d->ndigits == 1 && d->len == 0)
		return netstring_dec_fail(
		    d, d->off + pos - 1, "netstring length has a leading zero");
	/* max <= 2^30, so len * 10 + 9 fits in size_t */
	d->len = d->len * 10 + (size_t)(c - '0');
	d->ndigits++;
	if (d->len > d->max)
		return netstring_dec_fail(
		    d, d->off + pos, "netstring longer than the maximum");
	return NETSTRING_MORE;
}

enum netstring_status
netstring_dec_feed(struct netstring_dec *d, const char *p, size_t len,
    size_t *used, const char **out, size_t *outlen)
{
	const char *inplace = NULL;
	size_t pos = 0, take;

	*used = 0;
	*out = NULL;
	*outlen = 0;
	if (d->state == NETSTRING_STATE_ERROR)
		return NETSTRING_ERROR;
	while (pos < len) {
		switch (d->state) {
		case NETSTRING_STATE_LEN:
			if (netstring_dec_digit(d, (unsigned char)p[pos],
			        pos) == NETSTRING_ERROR) {
				d->off += pos;
				*used = pos;
				return NETSTRING_ERROR;
			}
			pos++;
			if (d->state == NETSTRING_STATE_DATA && d->len == 0)
				netstring_dec_enter(d, NETSTRING_STATE_COMMA);
			break;
		case NETSTRING_STATE_DATA:
			take = d->len - d->data.len;
			if (d->data.len == 0 && len - pos > take &&
			    p[pos + take] == ',') {
				/* whole in this chunk: no copy */
				inplace = p + pos;
				pos += take;
				netstring_dec_enter(d, NETSTRING_STATE_COMMA);
				break;
			}
			if (take > len - pos)
				take = len - pos;
			/* cannot fail: data.len + take <= len <= max = cap */
			ASSERT(buf_append(&d->data, p + pos, take) == 0);
			pos += take;
			if (d->data.len == d->len)
				netstring_dec_enter(d, NETSTRING_STATE_COMMA);
			break;
		case NETSTRING_STATE_COMMA:
			if (p[pos] != ',') {
				netstring_dec_fail(d, d->off + pos,
				    "netstring does not end with ','");
				d->off += pos;
				*used = pos;
				return NETSTRING_ERROR;
			}
			pos++;
			if (inplace != NULL)
				*out = inplace;
			else if (d->len > 0)
				*out = d->data.data;
			else
				*out = "";
			*outlen = d->len;
			/* *out stays valid: entering LEN keeps d->data */
			netstring_dec_enter(d, NETSTRING_STATE_LEN);
			d->off += pos;
			*used = pos;
			return NETSTRING_DONE;
		default:
			ASSERT(0);
		}
	}
	d->off += pos;
	*used = pos;
	return NETSTRING_MORE;
}

int
netstring_encode(struct buf *b, const char *p, size_t len)
{
	if (buf_printf(b, "%zu:", len) == -1 || buf_append(b, p, len) == -1 ||
	    buf_append(b, ",", 1) == -1)
		return -1;
	return 0;
}
