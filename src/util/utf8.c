/* SPDX-License-Identifier: ISC */
/* utf8 - decode one UTF-8 sequence, strictly. */
#include "util/utf8.h"

size_t
utf8_decode(const unsigned char *p, size_t len, uint32_t *cp, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t v;
	size_t n, i;

	if (p[0] < 0x80) {
		n = 1;
		v = p[0];
		goto done;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		v = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		v = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		v = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		if (bad != NULL)
			*bad = 1;
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (i >= len || p[i] < lo || p[i] > hi) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		v = (v << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
done:
	if (cp != NULL)
		*cp = v;
	return n;
}

bool
utf8_printable(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) /* C0, DEL, C1 */
		return false;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f) /* bidi marks */
		return false;
	if (cp >= 0x2028 && cp <= 0x202e) /* separators, embeddings */
		return false;
	if (cp >= 0x2066 && cp <= 0x2069) /* bidi isolates */
		return false;
	return cp != 0xfeff; /* BOM / zero-width no-break space */
}
