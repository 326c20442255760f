/* SPDX-License-Identifier: ISC */
/*
 * tls - OpenSSL client contexts and what a finished handshake tells.
 *
 * The scanner's client offers everything OpenSSL still has (TLS 1.0 and up,
 * security level 0) so that it sees what a legacy server negotiates; it
 * never rejects a handshake for a bad certificate. Trust is decided after
 * the handshake by verifying the presented chain against a store, at the
 * security level a modern client uses.
 */
#ifndef MX_NET_TLS_H
#define MX_NET_TLS_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proto/result.h"

/* tls_client_ctx_new - the scanner's SSL_CTX (owned); NULL + *err on failure */
SSL_CTX *tls_client_ctx_new(char **err);
/*
 * tls_store_new - trust store from ca_file, or the system's default paths
 * when ca_file is NULL. NULL and *err (owned) when the file is unusable.
 */
X509_STORE *tls_store_new(const char *ca_file, char **err);
/*
 * tls_info_from_ssl - record version, cipher, group, the presented chain,
 * its verification against store and the leaf's match of host.
 */
void tls_info_from_ssl(
    SSL *ssl, X509_STORE *store, const char *host, struct tls_info *out);
/* tls_error_string - OpenSSL's queued errors as one line (owned), or NULL */
char *tls_error_string(unsigned long first);

#endif
