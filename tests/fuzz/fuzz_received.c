/* SPDX-License-Identifier: ISC */
/*
 * fuzz_received - parse the input as a Received: field value; check that
 * every slice lies inside it, that the verdict follows its rule, that the
 * date and the unfolding agree, and that a validly folded input parses like
 * its unfolded copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_formats[] = { "postfix", "sendmail-style",
	"microsoft", "gmail", "exim-old", "exim-new", "opensmtpd", "courier",
	"qmail-tls", "mox", "ecelerity" };
static const char *const fuzz_norms[] = { "", "1.0", "1.1", "1.2", "1.3",
	"SSL3", "SSL2" };

/* fuzz_slices - the slices of r, in a fixed order */
static void
fuzz_slices(const struct received *r, const struct received_slice *s[15])
{
	s[0] = &r->from;
	s[1] = &r->from_rdns;
	s[2] = &r->from_ip;
	s[3] = &r->from_helo;
	s[4] = &r->by;
	s[5] = &r->via;
	s[6] = &r->with;
	s[7] = &r->with_text;
	s[8] = &r->id;
	s[9] = &r->for_;
	s[10] = &r->envelope_from;
	s[11] = &r->date;
	s[12] = &r->tls_version;
	s[13] = &r->cipher;
	s[14] = &r->verify;
}

static void
fuzz_check(const char *p, size_t len, const struct received *r)
{
	const struct received_slice *s[15];
	size_t i;
	bool found;

	fuzz_slices(r, s);
	for (i = 0; i < 15; i++) {
		if (s[i]->len == 0) {
			if (s[i]->p != NULL)
				abort();
			continue;
		}
		if (s[i]->p < p || s[i]->p >= p + len ||
		    s[i]->len > len - (size_t)(s[i]->p - p))
			abort();
	}
	if (r->tls != RECEIVED_TLS_UNKNOWN && r->tls != RECEIVED_TLS_NO &&
	    r->tls != RECEIVED_TLS_YES)
		abort();
	if ((r->tls == RECEIVED_TLS_YES) !=
	    (r->tls_format != NULL || r->with_says_tls))
		abort();
	if (r->tls == RECEIVED_TLS_UNKNOWN && r->with_text.len != 0)
		abort();
	if (r->with.len != 0 && r->with.p != r->with_text.p)
		abort();
	if (r->with_says_tls && r->with.len == 0)
		abort();
	if (memchr(r->tls_version_norm, '\0', sizeof(r->tls_version_norm)) ==
	    NULL)
		abort();
	found = false;
	for (i = 0; i < sizeof(fuzz_norms) / sizeof(fuzz_norms[0]); i++)
		found =
		    found || strcmp(r->tls_version_norm, fuzz_norms[i]) == 0;
	if (!found || (r->tls_version.len == 0 && r->tls_version_norm[0]))
		abort();
	if (r->tls_format == NULL) {
		if (r->tls_version.len || r->cipher.len || r->verify.len ||
		    r->bits != 0)
			abort();
	} else {
		found = false;
		for (i = 0; i < sizeof(fuzz_formats) / sizeof(fuzz_formats[0]);
		     i++)
			found = found || r->tls_format == fuzz_formats[i] ||
			    strcmp(r->tls_format, fuzz_formats[i]) == 0;
		if (!found)
			abort();
	}
	if (r->bits < 0 || r->time < -1)
		abort();
	if (r->date.len > 0
	        ? r->time != received_date_parse(r->date.p, r->date.len)
	        : r->time != -1)
		abort();
}

/* fuzz_folded - every LF is a fold (followed by SP or HT), as in a field */
static bool
fuzz_folded(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == '\n' &&
		    (i + 1 == len || (p[i + 1] != ' ' && p[i + 1] != '\t')))
			return false;
	return true;
}

/* fuzz_same - a and b agree on everything but the bytes of the slices */
static void
fuzz_same(const struct received *a, const struct received *b)
{
	const struct received_slice *sa[15], *sb[15];
	size_t i;

	fuzz_slices(a, sa);
	fuzz_slices(b, sb);
	for (i = 0; i < 15; i++)
		if ((sa[i]->len == 0) != (sb[i]->len == 0))
			abort();
	if (a->tls != b->tls || a->tls_format != b->tls_format ||
	    strcmp(a->tls_version_norm, b->tls_version_norm) != 0 ||
	    a->bits != b->bits || a->time != b->time ||
	    a->with_says_tls != b->with_says_tls || a->warnings != b->warnings)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct received r, u;
	struct perr err = { 0, NULL };
	char *unfolded;
	size_t n;
	int rc, rc2;

	rc = received_parse(p, size, &r, &err);
	if (rc == -1) {
		if (err.msg == NULL || r.tls != RECEIVED_TLS_UNKNOWN ||
		    r.time != -1 || r.from.len != 0)
			abort();
	} else {
		if (rc != 0 || size > RECEIVED_MAX)
			abort();
		fuzz_check(p, size, &r);
	}
	(void)received_date_parse(p, size);

	unfolded = malloc(size + 1);
	if (unfolded == NULL)
		return 0;
	n = received_unfold(p, size, unfolded, size + 1);
	if (n > size || unfolded[n] != '\0')
		abort();
	rc2 = received_parse(unfolded, n, &u, NULL);
	if (rc2 == 0)
		fuzz_check(unfolded, n, &u);
	if (rc == 0 && fuzz_folded(p, size)) {
		if (rc2 != 0)
			abort();
		fuzz_same(&r, &u);
	}
	free(unfolded);
	return 0;
}
