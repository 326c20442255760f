/* SPDX-License-Identifier: ISC */
/*
 * dane - DANE authentication of a captured chain with OpenSSL's verifier.
 *
 * Design: the records are screened here first (tlsa_smtp_status), so
 * OpenSSL only ever sees DANE-TA/DANE-EE records with known parameters and
 * sane digest lengths; what it still refuses (Full(0) data that does not
 * decode) counts as malformed. Verification runs on a store context of our
 * own rather than inside a handshake, so it works on any chain, at any
 * time, and the match data can be read back even when verification fails
 * (by resetting the SSL's verify result to OK before asking, as danetest.c
 * does). The SSL_CTX's trust store stays empty: DANE-TA/EE need none.
 */
#include "net/dane.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* dane_fail - set the ERROR verdict with a static message; returns -1 */
static int
dane_fail(struct dane_result *out, const char *msg)
{
	out->verdict = DANE_VERDICT_ERROR;
	out->matched = false;
	out->error = msg;
	return -1;
}

/* dane_add_records - screen and hand the usable records to OpenSSL */
static int
dane_add_records(SSL *ssl, const struct dane_params *p, struct dane_result *out)
{
	const struct tlsa_rr *rr;
	size_t i;
	int r;

	for (i = 0; i < p->nrrs; i++) {
		if (i == DANE_MAXRR) {
			out->truncated = true;
			break;
		}
		rr = &p->rrs[i];
		switch (tlsa_smtp_status(rr)) {
		case TLSA_USABLE:
			break;
		case TLSA_UNUSABLE_PKIX:
			out->n_pkix++;
			continue;
		case TLSA_UNKNOWN_USAGE:
		case TLSA_UNKNOWN_SELECTOR:
		case TLSA_UNKNOWN_MTYPE:
			out->n_unknown++;
			continue;
		case TLSA_BAD_LENGTH:
			out->n_malformed++;
			continue;
		}
		r = SSL_dane_tlsa_add(
		    ssl, rr->usage, rr->selector, rr->mtype, rr->data, rr->len);
		if (r < 0)
			return -1;
		if (r == 0)
			out->n_malformed++;
		else
			out->n_usable++;
	}
	return 0;
}

/* dane_find - index of the usable record with these fields, or -1 */
static int
dane_find(const struct dane_params *p, uint8_t usage, uint8_t selector,
    uint8_t mtype, const unsigned char *data, size_t dlen)
{
	const struct tlsa_rr *rr;
	size_t i;

	for (i = 0; i < p->nrrs && i < DANE_MAXRR; i++) {
		rr = &p->rrs[i];
		if (rr->usage == usage && rr->selector == selector &&
		    rr->mtype == mtype && rr->len == dlen && dlen > 0 &&
		    memcmp(rr->data, data, dlen) == 0 &&
		    tlsa_smtp_status(rr) == TLSA_USABLE)
			return (int)i;
	}
	return -1;
}

/* dane_verify - run the verification; the caller brackets the error queue */
static int
dane_verify(
    STACK_OF(X509) *chain, const struct dane_params *p, struct dane_result *out)
{
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	X509_STORE_CTX *sctx = NULL;
	X509_VERIFY_PARAM *vpm;
	const char *peer;
	const unsigned char *data = NULL;
	size_t dlen = 0;
	uint8_t usage, selector, mtype;
	int rc = -1, ok, depth;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_dane_enable(ctx) <= 0) {
		dane_fail(out, "openssl failure");
		goto done;
	}
	/* RFC 7672 3.1.1: DANE-EE(3) binds the key, not a name */
	SSL_CTX_dane_set_flags(ctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	if ((ssl = SSL_new(ctx)) == NULL) {
		dane_fail(out, "openssl failure");
		goto done;
	}
	SSL_set_connect_state(ssl);
	if (SSL_dane_enable(ssl, p->mx) <= 0) {
		dane_fail(out, "bad mx name");
		goto done;
	}
	/* RFC 7672 3.2.3: a wildcard is a whole left-most label */
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (p->next_hop != NULL && p->next_hop[0] != '\0' &&
	    SSL_add1_host(ssl, p->next_hop) != 1) {
		dane_fail(out, "bad next-hop name");
		goto done;
	}
	if (dane_add_records(ssl, p, out) == -1) {
		dane_fail(out, "openssl failure");
		goto done;
	}
	if (out->n_usable == 0) {
		out->verdict = DANE_VERDICT_NO_USABLE;
		out->error = "no usable TLSA records";
		rc = 0;
		goto done;
	}

	if ((sctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(ctx),
	        sk_X509_value(chain, 0), chain) != 1 ||
	    X509_STORE_CTX_set_default(sctx, "ssl_server") != 1) {
		dane_fail(out, "openssl failure");
		goto done;
	}
	vpm = X509_STORE_CTX_get0_param(sctx);
	if (X509_VERIFY_PARAM_set1(vpm, SSL_get0_param(ssl)) != 1) {
		dane_fail(out, "openssl failure");
		goto done;
	}
	if (p->at != 0)
		X509_VERIFY_PARAM_set_time(vpm, p->at);
	X509_STORE_CTX_set0_dane(sctx, SSL_get0_dane(ssl));

	ok = X509_verify_cert(sctx);
	out->x509_err = X509_STORE_CTX_get_error(sctx);
	if (ok <= 0 && out->x509_err == X509_V_OK) {
		/* -1: OpenSSL could not even try */
		dane_fail(out, "openssl failure");
		goto done;
	}
	if (ok <= 0)
		out->err_depth = X509_STORE_CTX_get_error_depth(sctx);
	if ((peer = X509_VERIFY_PARAM_get0_peername(vpm)) != NULL &&
	    strlen(peer) < sizeof(out->peername))
		memcpy(out->peername, peer, strlen(peer) + 1);

	/* match data is hidden unless the verify result is OK: peek */
	SSL_set_verify_result(ssl, X509_V_OK);
	depth =
	    SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, &data, &dlen);
	if (depth >= 0) {
		out->depth = depth;
		out->usage = usage;
		out->selector = selector;
		out->mtype = mtype;
		out->record = dane_find(p, usage, selector, mtype, data, dlen);
	}
	if (ok > 0 && out->x509_err == X509_V_OK) {
		out->verdict = DANE_VERDICT_MATCH;
		out->matched = true;
		out->error = NULL;
	} else {
		out->verdict = DANE_VERDICT_NO_MATCH;
		out->error = X509_verify_cert_error_string(out->x509_err);
	}
	rc = 0;
done:
	X509_STORE_CTX_free(sctx);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return rc;
}

int
dane_match_chain(
    STACK_OF(X509) *chain, const struct dane_params *p, struct dane_result *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->verdict = DANE_VERDICT_ERROR;
	out->record = out->usage = out->selector = out->mtype = -1;
	out->depth = out->err_depth = -1;
	out->x509_err = X509_V_OK;
	if (chain == NULL || sk_X509_num(chain) < 1)
		return dane_fail(out, "no peer certificate");
	if (p->mx == NULL || p->mx[0] == '\0')
		return dane_fail(out, "no mx name");
	if (p->nrrs > 0 && p->rrs == NULL)
		return dane_fail(out, "no tlsa records");

	ERR_set_mark();
	rc = dane_verify(chain, p, out);
	ERR_pop_to_mark();
	return rc;
}

const char *
dane_verdict_name(enum dane_verdict v)
{
	switch (v) {
	case DANE_VERDICT_MATCH:
		return "match";
	case DANE_VERDICT_NO_MATCH:
		return "no-match";
	case DANE_VERDICT_NO_USABLE:
		return "no-usable-tlsa";
	case DANE_VERDICT_ERROR:
		break;
	}
	return "error";
}
