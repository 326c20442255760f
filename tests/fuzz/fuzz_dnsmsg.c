/* SPDX-License-Identifier: ISC */
/*
 * fuzz_dnsmsg - parse the input as a DNS message, run every rdata helper on
 * every RR, and decode a name at each of the first offsets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_dnsmsg_check - a decoded name is NUL-terminated within its buffer */
static void
fuzz_dnsmsg_check(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL || s[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsmsg *m;
	struct perr err;
	char name[DNSMSG_NAMEMAX], ip[64], small[8];
	static char txt[65536];
	uint16_t pref;
	size_t i, off, tlen;
	int family;

	/* too big for the stack, and allocated once to keep the fuzzer fast */
	if (m == NULL) {
		m = malloc(sizeof(*m));
		if (m == NULL)
			abort();
	}
	if (dnsmsg_parse(data, size, m, &err) == 0) {
		if (m->nrr > DNSMSG_MAXRR)
			abort();
		for (i = 0; i < m->nrr; i++) {
			const struct dnsmsg_rr *rr = &m->rr[i];

			fuzz_dnsmsg_check(rr->name, sizeof(rr->name));
			if (rr->rdoff + rr->rdlen > size || rr->section < 1 ||
			    rr->section > 3)
				abort();
			if (dnsmsg_rr_mx(data, size, rr, &pref, name,
			        sizeof(name), &err) == 0)
				fuzz_dnsmsg_check(name, sizeof(name));
			if (dnsmsg_rr_addr(data, size, rr, &family, ip,
			        sizeof(ip), &err) == 0)
				fuzz_dnsmsg_check(ip, sizeof(ip));
			(void)dnsmsg_rr_addr(data, size, rr, &family, small,
			    sizeof(small), &err);
			if (dnsmsg_rr_cname(
			        data, size, rr, name, sizeof(name), &err) == 0)
				fuzz_dnsmsg_check(name, sizeof(name));
			(void)dnsmsg_rr_cname(
			    data, size, rr, small, sizeof(small), &err);
			if (dnsmsg_rr_txt(data, size, rr, txt, sizeof(txt),
			        &tlen, &err) == 0 &&
			    (tlen >= rr->rdlen + 1 || txt[tlen] != '\0'))
				abort();
		}
	} else if (err.msg == NULL || err.off > size) {
		abort();
	}
	for (i = 0; i < size && i < 64; i++) {
		off = i;
		if (dnsmsg_name(data, size, &off, name, sizeof(name), &err) ==
		    0) {
			fuzz_dnsmsg_check(name, sizeof(name));
			if (off <= i || off > size)
				abort();
		} else if (off != i) {
			abort();
		}
	}
	return 0;
}
