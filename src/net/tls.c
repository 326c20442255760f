/* SPDX-License-Identifier: ISC */
/*
 * tls - OpenSSL client contexts and what a finished handshake tells.
 *
 * Verification runs apart from the handshake (X509_verify_cert on the
 * presented chain) with a callback that keeps the first error and goes on,
 * so the reason reported is the root cause ("self-signed certificate")
 * rather than the last symptom.
 */
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "net/x509info.h"
#include "util/buf.h"
#include "util/xalloc.h"

SSL_CTX *
tls_client_ctx_new(char **err)
{
	SSL_CTX *ctx;

	*err = NULL;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*err = xstrdup("openssl: cannot create a client context");
		return NULL;
	}
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	if (SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0") !=
	    1)
		SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	/* old servers without RFC 5746 must still be measurable */
	SSL_CTX_set_options(
	    ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

X509_STORE *
tls_store_new(const char *ca_file, char **err)
{
	X509_STORE *store;
	const char *reason;
	int ok;

	*err = NULL;
	if ((store = X509_STORE_new()) == NULL) {
		*err = xstrdup("openssl: cannot create a trust store");
		return NULL;
	}
	if (ca_file != NULL)
		ok = X509_STORE_load_file(store, ca_file);
	else
		ok = X509_STORE_set_default_paths(store);
	if (ok != 1) {
		reason = ERR_reason_error_string(ERR_peek_last_error());
		*err = xasprintf("%s: cannot load trust anchors: %s",
		    ca_file ? ca_file : "system store",
		    reason != NULL ? reason : "unknown error");
		ERR_clear_error();
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

char *
tls_error_string(unsigned long first)
{
	struct buf b;
	unsigned long e;
	char one[256];

	buf_init(&b, 1024);
	for (e = first; e != 0; e = ERR_get_error()) {
		ERR_error_string_n(e, one, sizeof(one));
		if (b.len > 0)
			buf_puts(&b, "; ");
		buf_puts(&b, one);
	}
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* tls_verify_first - verify callback: keep the first error, carry on */
static int
tls_verify_first(int ok, X509_STORE_CTX *ctx)
{
	int *first = X509_STORE_CTX_get_app_data(ctx);

	if (!ok && *first == X509_V_OK)
		*first = X509_STORE_CTX_get_error(ctx);
	return 1;
}

static void
tls_verify(
    X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain, struct tls_info *out)
{
	X509_STORE_CTX *ctx;
	int first = X509_V_OK;

	out->trusted = false;
	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return;
	if (X509_STORE_CTX_init(ctx, store, leaf, chain) != 1) {
		X509_STORE_CTX_free(ctx);
		return;
	}
	X509_STORE_CTX_set_default(ctx, "ssl_server");
	/* judge the chain as a default modern client does */
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 1);
	X509_STORE_CTX_set_app_data(ctx, &first);
	X509_STORE_CTX_set_verify_cb(ctx, tls_verify_first);
	if (X509_verify_cert(ctx) == 1 && first == X509_V_OK)
		out->trusted = true;
	else if (first == X509_V_OK)
		first = X509_STORE_CTX_get_error(ctx);
	out->verify_code = first;
	if (first != X509_V_OK)
		out->verify_error =
		    xstrdup(X509_verify_cert_error_string(first));
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
}

/* tls_group_name - key exchange group of the session ("X25519", "DH 2048") */
static char *
tls_group_name(SSL *ssl)
{
	EVP_PKEY *tmp = NULL;
	const char *name;
	char *out = NULL;
	int nid;

	if (SSL_get_peer_tmp_key(ssl, &tmp) == 1 && tmp != NULL) {
		if (EVP_PKEY_get_base_id(tmp) == EVP_PKEY_DH)
			out = xasprintf("DH %d", EVP_PKEY_get_bits(tmp));
		EVP_PKEY_free(tmp);
		if (out != NULL)
			return out;
	}
	nid = SSL_get_negotiated_group(ssl);
	if (nid == 0 || nid == NID_undef)
		return NULL;
	name = SSL_group_to_name(ssl, nid);
	if (name == NULL)
		name = OBJ_nid2sn(nid & ~TLSEXT_nid_unknown);
	return name != NULL ? xstrdup(name) : NULL;
}

void
tls_info_from_ssl(
    SSL *ssl, X509_STORE *store, const char *host, struct tls_info *out)
{
	const SSL_CIPHER *c;
	STACK_OF(X509) *chain;
	X509 *leaf;
	const char *std;

	out->ok = true;
	out->version = xstrdup(SSL_get_version(ssl));
	if ((c = SSL_get_current_cipher(ssl)) != NULL) {
		std = SSL_CIPHER_standard_name(c);
		out->cipher =
		    xstrdup(std != NULL ? std : SSL_CIPHER_get_name(c));
		out->cipher_bits = SSL_CIPHER_get_bits(c, NULL);
	}
	out->group = tls_group_name(ssl);
	chain = SSL_get_peer_cert_chain(ssl);
	leaf = SSL_get0_peer_certificate(ssl);
	if (chain != NULL && sk_X509_num(chain) > 0)
		out->chain = x509info_chain(chain, &out->nchain);
	else if (leaf != NULL) {
		out->chain = xcalloc(1, sizeof(*out->chain));
		x509info_fill(leaf, &out->chain[0]);
		out->nchain = 1;
	}
	if (leaf != NULL) {
		tls_verify(store, leaf, chain, out);
		out->name_match =
		    x509info_name_match(leaf, host, &out->matched_name);
	}
}
