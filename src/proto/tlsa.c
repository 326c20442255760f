/* SPDX-License-Identifier: ISC */
/*
 * tlsa - TLSA records from wire rdata or presentation form.
 *
 * The presentation parser walks (p, len) with a position and decodes hex
 * straight into the caller's buffer; the buffer size is the only cap it
 * needs, since nothing else grows with the input.
 */
#include "proto/tlsa.h"

#include <string.h>

#include "util/ascii.h"

/* one acronym of RFC 7218 and its value */
struct tlsa_name {
	const char *name;
	uint8_t value;
};

static const struct tlsa_name tlsa_usages[] = { { "PKIX-TA", 0 },
	{ "PKIX-EE", 1 }, { "DANE-TA", 2 }, { "DANE-EE", 3 },
	{ "PrivCert", 255 }, { NULL, 0 } };
static const struct tlsa_name tlsa_selectors[] = { { "Cert", 0 }, { "SPKI", 1 },
	{ "PrivSel", 255 }, { NULL, 0 } };
static const struct tlsa_name tlsa_mtypes[] = { { "Full", 0 },
	{ "SHA2-256", 1 }, { "SHA2-512", 2 }, { "PrivMatch", 255 },
	{ NULL, 0 } };

int
tlsa_parse_rdata(
    const unsigned char *p, size_t len, struct tlsa_rr *out, struct perr *err)
{
	memset(out, 0, sizeof(*out));
	if (len < 3)
		return perr_set(err, len, "tlsa rdata too short");
	if (len > TLSA_RDATA_MAX)
		return perr_set(err, TLSA_RDATA_MAX, "tlsa rdata too long");
	out->usage = p[0];
	out->selector = p[1];
	out->mtype = p[2];
	out->len = len - 3;
	out->data = out->len > 0 ? p + 3 : NULL;
	return 0;
}

/* tlsa_skip_ws - advance *pos past white space */
static void
tlsa_skip_ws(const char *p, size_t len, size_t *pos)
{
	while (*pos < len && ascii_isspace((unsigned char)p[*pos]))
		(*pos)++;
}

/*
 * tlsa_field - read one of the three numeric fields at *pos: a decimal
 * 0..255 or one of the acronyms in names. Returns 0 and advances *pos, or
 * -1 with *pos at the start of the field.
 */
static int
tlsa_field(const char *p, size_t len, size_t *pos,
    const struct tlsa_name *names, uint8_t *out)
{
	size_t start = *pos, end = *pos, i;
	unsigned int v = 0;

	while (end < len && !ascii_isspace((unsigned char)p[end]))
		end++;
	if (end == start)
		return -1;
	if (ascii_isdigit((unsigned char)p[start])) {
		/* at most three digits: "0255" is not an 8-bit decimal */
		if (end - start > 3)
			return -1;
		for (i = start; i < end; i++) {
			if (!ascii_isdigit((unsigned char)p[i]))
				return -1;
			v = v * 10 + (unsigned int)(p[i] - '0');
		}
		if (v > 255)
			return -1;
		*out = (uint8_t)v;
		*pos = end;
		return 0;
	}
	for (i = 0; names[i].name != NULL; i++) {
		if (ascii_eq_nocase(p + start, end - start, names[i].name)) {
			*out = names[i].value;
			*pos = end;
			return 0;
		}
	}
	return -1;
}

/* tlsa_hexval - value of a hex digit, or -1 */
static int
tlsa_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)ascii_tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
tlsa_parse_text(const char *p, size_t len, struct tlsa_rr *out,
    unsigned char *buf, size_t bufsize, struct perr *err)
{
	static const char *const msgs[3] = { "bad tlsa usage",
		"bad tlsa selector", "bad tlsa matching type" };
	const struct tlsa_name *names[3] = { tlsa_usages, tlsa_selectors,
		tlsa_mtypes };
	uint8_t *fields[3];
	size_t pos = 0, n = 0, digit_off = 0;
	int hi = -1, v, i;

	memset(out, 0, sizeof(*out));
	fields[0] = &out->usage;
	fields[1] = &out->selector;
	fields[2] = &out->mtype;
	for (i = 0; i < 3; i++) {
		tlsa_skip_ws(p, len, &pos);
		if (pos == len)
			return perr_set(err, pos, "missing tlsa field");
		if (tlsa_field(p, len, &pos, names[i], fields[i]) == -1)
			return perr_set(err, pos, msgs[i]);
	}
	tlsa_skip_ws(p, len, &pos);
	if (pos == len)
		return perr_set(err, pos, "missing tlsa data");
	for (; pos < len; pos++) {
		if (ascii_isspace((unsigned char)p[pos]))
			continue;
		if ((v = tlsa_hexval((unsigned char)p[pos])) == -1)
			return perr_set(err, pos, "bad hex in tlsa data");
		if (hi == -1) {
			hi = v;
			digit_off = pos;
			continue;
		}
		if (n >= bufsize)
			return perr_set(err, digit_off, "tlsa data too long");
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	if (hi != -1)
		return perr_set(err, digit_off, "odd number of hex digits");
	out->data = buf;
	out->len = n;
	return 0;
}

size_t
tlsa_format(const struct tlsa_rr *rr, char *out, size_t outsize)
{
	static const char digits[] = "0123456789ABCDEF";
	unsigned int vals[3];
	char num[4];
	size_t need = 0, i, k;
	int j;

	vals[0] = rr->usage;
	vals[1] = rr->selector;
	vals[2] = rr->mtype;
	/* numbers first, each followed by a space; then the hex digits */
	for (j = 0; j < 3; j++) {
		k = 0;
		if (vals[j] >= 100)
			num[k++] = (char)('0' + vals[j] / 100);
		if (vals[j] >= 10)
			num[k++] = (char)('0' + vals[j] / 10 % 10);
		num[k++] = (char)('0' + vals[j] % 10);
		num[k++] = ' ';
		for (i = 0; i < k; i++, need++)
			if (need + 1 < outsize)
				out[need] = num[i];
	}
	for (i = 0; i < rr->len; i++) {
		if (need + 1 < outsize)
			out[need] = digits[rr->data[i] >> 4];
		need++;
		if (need + 1 < outsize)
			out[need] = digits[rr->data[i] & 0x0f];
		need++;
	}
	/* no data: drop the separator after the matching type */
	if (rr->len == 0)
		need--;
	if (outsize > 0)
		out[need < outsize ? need : outsize - 1] = '\0';
	return need;
}

enum tlsa_status
tlsa_smtp_status(const struct tlsa_rr *rr)
{
	if (rr->usage == TLSA_USAGE_PKIX_TA || rr->usage == TLSA_USAGE_PKIX_EE)
		return TLSA_UNUSABLE_PKIX;
	if (rr->usage != TLSA_USAGE_DANE_TA && rr->usage != TLSA_USAGE_DANE_EE)
		return TLSA_UNKNOWN_USAGE;
	if (rr->selector > TLSA_SELECTOR_SPKI)
		return TLSA_UNKNOWN_SELECTOR;
	switch (rr->mtype) {
	case TLSA_MTYPE_FULL:
		return rr->len > 0 ? TLSA_USABLE : TLSA_BAD_LENGTH;
	case TLSA_MTYPE_SHA2_256:
		return rr->len == 32 ? TLSA_USABLE : TLSA_BAD_LENGTH;
	case TLSA_MTYPE_SHA2_512:
		return rr->len == 64 ? TLSA_USABLE : TLSA_BAD_LENGTH;
	default:
		return TLSA_UNKNOWN_MTYPE;
	}
}

const char *
tlsa_status_str(enum tlsa_status s)
{
	switch (s) {
	case TLSA_USABLE:
		return "usable";
	case TLSA_UNUSABLE_PKIX:
		return "pkix usage, unusable for smtp";
	case TLSA_UNKNOWN_USAGE:
		return "unknown certificate usage";
	case TLSA_UNKNOWN_SELECTOR:
		return "unknown selector";
	case TLSA_UNKNOWN_MTYPE:
		return "unknown matching type";
	case TLSA_BAD_LENGTH:
		return "wrong data length";
	}
	return "unknown status";
}

/* tlsa_lookup - the acronym of value in names, or NULL */
static const char *
tlsa_lookup(const struct tlsa_name *names, uint8_t value)
{
	size_t i;

	for (i = 0; names[i].name != NULL; i++)
		if (names[i].value == value)
			return names[i].name;
	return NULL;
}

const char *
tlsa_usage_name(uint8_t usage)
{
	return tlsa_lookup(tlsa_usages, usage);
}

const char *
tlsa_selector_name(uint8_t selector)
{
	return tlsa_lookup(tlsa_selectors, selector);
}

const char *
tlsa_mtype_name(uint8_t mtype)
{
	return tlsa_lookup(tlsa_mtypes, mtype);
}
