/* SPDX-License-Identifier: ISC */
/*
 * x509info - describe X.509 certificates for the result tree, and match
 * them against an MX host name.
 *
 * Every fact comes from OpenSSL; this module only chooses the flags and
 * formats, so that the report reads the same on every OpenSSL 3.x. Nothing
 * here judges a certificate (expired, weak key ...): that is check/'s job.
 * No function logs, and none keeps a reference to the certificates.
 */
#ifndef MX_NET_X509INFO_H
#define MX_NET_X509INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "proto/result.h"

/*
 * x509info_fill - describe one certificate into *out.
 *
 * *out is overwritten (not released first); every string in it is owned by
 * out and freed by cert_info_release(). x is borrowed and not modified
 * beyond OpenSSL's internal caches. Fields:
 *   subject, issuer  RFC 2253 one-line form (XN_FLAG_RFC2253: most specific
 *                    RDN first, non-ASCII bytes escaped as \XX); "" for an
 *                    empty name
 *   san, nsan        subjectAltName entries in certificate order: a dNSName
 *                    as the plain name, an iPAddress as "IP:" + inet_ntop()
 *                    form ("IP:192.0.2.1", "IP:2001:db8::1"), an iPAddress
 *                    of another length as "IP:#" + lowercase hex; other
 *                    kinds (email, URI ...) are left out. Bytes outside
 *                    0x21..0x7e and '\' are escaped as \xNN, so an embedded
 *                    NUL cannot truncate a name. san is NULL when nsan is 0.
 *                    Every subjectAltName extension is read, even duplicates.
 *   not_before/after UTC, -1 when the field does not parse
 *   key_type         "RSA", "EC", "ED25519", "ED448", "DSA", else the
 *                    OpenSSL short name of the key algorithm ("X25519",
 *                    "RSASSA-PSS") or its dotted OID when OpenSSL does not
 *                    know it
 *   key_bits         EVP_PKEY_get_bits(): 256 for Ed25519, 456 for Ed448,
 *                    253 for X25519; 0 when the key does not decode
 *   curve            OpenSSL group name of an EC key ("prime256v1",
 *                    "secp384r1"), NULL for other keys and explicit curves
 *   sig_alg          OpenSSL long name of the signature algorithm
 *                    ("sha256WithRSAEncryption", "ecdsa-with-SHA256",
 *                    "ED25519"), or its dotted OID
 *   serial           uppercase hex, two digits a byte, "-" first when
 *                    negative, as `openssl x509 -serial` prints it
 *   sha256           lowercase hex SHA-256 of the DER, no colons
 *   self_signed      X509_self_signed(x, 1): subject equals issuer, the
 *                    AKID (if any) names the cert's own key, and the
 *                    signature verifies with the cert's own key. Key usage
 *                    is not consulted (see x509info.c).
 * Only curve may be NULL besides san; the other strings are always set.
 * Errors: none reported; a part that does not decode is shown as above.
 */
void x509info_fill(X509 *x, struct cert_info *out);

/*
 * x509info_chain - describe a chain in its order (leaf first, as
 * SSL_get_peer_cert_chain() gives it on a client).
 *
 * Returns an owned array of *n entries (free each with cert_info_release(),
 * then free() the array), or NULL with *n = 0 when chain is NULL or empty.
 * chain is borrowed.
 */
struct cert_info *x509info_chain(STACK_OF(X509) *chain, size_t *n);

/*
 * x509info_name_match - does the certificate match host, by the rules of
 * RFC 7672 3.2.3 / RFC 6125 6.4.
 *
 * host is an ASCII (A-label) DNS name; case does not matter and one
 * trailing dot is ignored. It is compared with the dNSName SANs; the
 * subject CN is consulted only when the certificate has no dNSName SAN
 * (an undecodable subjectAltName extension counts as having one). A
 * wildcard matches only as the whole left-most label, and only one
 * non-empty label: "*.example.com" matches "mx.example.com", not
 * "a.b.example.com" nor "example.com"; "m*.example.com" matches nothing
 * but itself, and OpenSSL also refuses wildcards with fewer than two
 * labels after them ("*.com", "*.example"). A dNSName written with a
 * trailing dot matches too. iPAddress SANs never match.
 *
 * If matched_name is non-NULL it receives an owned (free()) copy of the
 * certificate's name that matched, as written there ("*.example.com"), or
 * NULL when nothing matched.
 * Errors: a NULL, empty or malformed host (a leading dot, an empty label,
 * a '*') matches nothing, as does an OpenSSL failure.
 */
bool x509info_name_match(X509 *x, const char *host, char **matched_name);

/*
 * x509info_time - convert an ASN1_TIME (UTCTime or GeneralizedTime) to
 * seconds since the epoch, UTC. Returns -1 when t is NULL or malformed (and,
 * unavoidably, for 1969-12-31T23:59:59Z).
 */
time_t x509info_time(const ASN1_TIME *t);

#endif
