/* SPDX-License-Identifier: ISC */
/*
 * x509info - describe X.509 certificates and match them against a host.
 *
 * Design: OpenSSL does all parsing and matching; this file picks flags and
 * output formats. Two OpenSSL habits shape it:
 * - Failed calls (a bad signature, an undecodable extension) push entries
 *   on the thread's error queue, and a stale entry there makes a later
 *   SSL_get_error() on the connection report SSL_ERROR_SSL. Every public
 *   function therefore brackets its work with ERR_set_mark() and
 *   ERR_pop_to_mark() and leaves the queue as it found it.
 * - X509_check_host()'s subject CN fallback is not stable across releases
 *   (3.0 falls back when no dNSName SAN is present; later releases need
 *   X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT), so we decide it ourselves and
 *   pass ALWAYS or NEVER explicitly.
 */
#include "net/x509info.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "util/log.h"
#include "util/xalloc.h"

/* longest host name we try to match, without the trailing dot (RFC 1035) */
#define X509INFO_HOST_MAX 253

/* x509info_hex - owned hex string of len bytes, two digits a byte */
static char *
x509info_hex(const unsigned char *p, size_t len, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *s;
	size_t i;

	s = xreallocarray(NULL, len + 1, 2);
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0x0f];
	}
	s[2 * len] = '\0';
	return s;
}

/*
 * x509info_escape - owned copy of a peer-supplied name with bytes outside
 * 0x21..0x7e, and the escape character itself, written as \xNN.
 */
static char *
x509info_escape(const unsigned char *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s, *q;
	size_t i;

	q = s = xreallocarray(NULL, len + 1, 4);
	for (i = 0; i < len; i++) {
		if (p[i] > 0x20 && p[i] < 0x7f && p[i] != '\\') {
			*q++ = (char)p[i];
			continue;
		}
		*q++ = '\\';
		*q++ = 'x';
		*q++ = digits[p[i] >> 4];
		*q++ = digits[p[i] & 0x0f];
	}
	*q = '\0';
	return s;
}

/* x509info_obj_name - owned short or long name of an OID, else dotted form */
static char *
x509info_obj_name(const ASN1_OBJECT *obj, bool longname)
{
	const char *name = NULL;
	char *s;
	int nid, n;

	if (obj == NULL)
		return xstrdup("unknown");
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		name = longname ? OBJ_nid2ln(nid) : OBJ_nid2sn(nid);
	if (name != NULL)
		return xstrdup(name);
	n = OBJ_obj2txt(NULL, 0, obj, 1);
	if (n <= 0)
		return xstrdup("unknown");
	s = xmalloc((size_t)n + 1);
	if (OBJ_obj2txt(s, n + 1, obj, 1) <= 0) {
		free(s);
		return xstrdup("unknown");
	}
	return s;
}

/* x509info_dn - owned RFC 2253 form of a distinguished name, "" on failure */
static char *
x509info_dn(const X509_NAME *name)
{
	BIO *b;
	char *data = NULL;
	char *s;
	long n;

	if (name == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return xstrdup("");
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(b);
		return xstrdup("");
	}
	n = BIO_get_mem_data(b, &data);
	s = n > 0 && data != NULL ? xmemdup0(data, (size_t)n) : xstrdup("");
	BIO_free(b);
	return s;
}

/* x509info_ip - owned "IP:" form of an iPAddress SAN */
static char *
x509info_ip(const ASN1_OCTET_STRING *ip)
{
	char buf[INET6_ADDRSTRLEN];
	const unsigned char *p = ASN1_STRING_get0_data(ip);
	int len = ASN1_STRING_length(ip);
	char *hex, *s;

	if (len == 4 && inet_ntop(AF_INET, p, buf, sizeof(buf)) != NULL)
		return xasprintf("IP:%s", buf);
	if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof(buf)) != NULL)
		return xasprintf("IP:%s", buf);
	hex = x509info_hex(p, len > 0 ? (size_t)len : 0, false);
	s = xasprintf("IP:#%s", hex);
	free(hex);
	return s;
}

/* x509info_san_add - append an owned string to out->san */
static void
x509info_san_add(struct cert_info *out, char *s, size_t *cap)
{
	if (out->nsan == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		out->san = xreallocarray(out->san, *cap, sizeof(*out->san));
	}
	out->san[out->nsan++] = s;
}

/*
 * x509info_fill_san - collect dNSName and iPAddress entries of every
 * subjectAltName extension. X509_get_ext_d2i() gives up on a certificate
 * with two of them; a report should show what was sent, so walk them all.
 */
static void
x509info_fill_san(X509 *x, struct cert_info *out)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *gen;
	const ASN1_STRING *str;
	size_t cap = 0;
	int loc = -1, i;

	while ((loc = X509_get_ext_by_NID(x, NID_subject_alt_name, loc)) >= 0) {
		gens = X509V3_EXT_d2i(X509_get_ext(x, loc));
		if (gens == NULL)
			continue;
		for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
			gen = sk_GENERAL_NAME_value(gens, i);
			if (gen->type == GEN_DNS) {
				str = gen->d.dNSName;
				x509info_san_add(out,
				    x509info_escape(ASN1_STRING_get0_data(str),
				        (size_t)ASN1_STRING_length(str)),
				    &cap);
			} else if (gen->type == GEN_IPADD) {
				x509info_san_add(
				    out, x509info_ip(gen->d.iPAddress), &cap);
			}
		}
		GENERAL_NAMES_free(gens);
	}
	if (out->nsan == 0) {
		free(out->san);
		out->san = NULL;
	}
}

/* x509info_fill_key - key_type, key_bits and curve of the subject key */
static void
x509info_fill_key(X509 *x, struct cert_info *out)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	ASN1_OBJECT *alg = NULL;
	char group[80];
	size_t glen = 0;
	int id;

	if (pk != NULL) {
		out->key_bits = EVP_PKEY_get_bits(pk);
		id = EVP_PKEY_get_base_id(pk);
	} else {
		/* an algorithm OpenSSL cannot load: name it by its OID */
		out->key_bits = 0;
		id = NID_undef;
	}
	switch (id) {
	case EVP_PKEY_RSA:
		out->key_type = xstrdup("RSA");
		break;
	case EVP_PKEY_EC:
		out->key_type = xstrdup("EC");
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) ==
		        1 &&
		    glen > 0)
			out->curve = xstrdup(group);
		break;
	case EVP_PKEY_ED25519:
		out->key_type = xstrdup("ED25519");
		break;
	case EVP_PKEY_ED448:
		out->key_type = xstrdup("ED448");
		break;
	case EVP_PKEY_DSA:
		out->key_type = xstrdup("DSA");
		break;
	default:
		if (X509_PUBKEY_get0_param(
		        &alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x)) != 1)
			alg = NULL;
		out->key_type = x509info_obj_name(alg, false);
		break;
	}
}

/* x509info_fill_sig - sig_alg: long name of the signature algorithm */
static void
x509info_fill_sig(X509 *x, struct cert_info *out)
{
	const X509_ALGOR *algor = NULL;
	const ASN1_OBJECT *obj = NULL;
	const char *ln;
	int nid;

	nid = X509_get_signature_nid(x);
	if (nid != NID_undef && (ln = OBJ_nid2ln(nid)) != NULL) {
		out->sig_alg = xstrdup(ln);
		return;
	}
	X509_get0_signature(NULL, &algor, x);
	if (algor != NULL)
		X509_ALGOR_get0(&obj, NULL, NULL, algor);
	out->sig_alg = x509info_obj_name(obj, true);
}

/* x509info_fill_serial - serial as `openssl x509 -serial` prints it */
static void
x509info_fill_serial(X509 *x, struct cert_info *out)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	int len = sn != NULL ? ASN1_STRING_length(sn) : 0;
	char *hex;

	if (len <= 0) {
		out->serial = xstrdup("00");
		return;
	}
	hex = x509info_hex(ASN1_STRING_get0_data(sn), (size_t)len, true);
	if (ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER) {
		out->serial = xasprintf("-%s", hex);
		free(hex);
	} else {
		out->serial = hex;
	}
}

/* x509info_fill_der - the certificate as sent, for DANE matching later */
static void
x509info_fill_der(X509 *x, struct cert_info *out)
{
	unsigned char *p;
	int len = i2d_X509(x, NULL);

	if (len <= 0)
		return;
	out->der = p = xmalloc((size_t)len);
	if (i2d_X509(x, &p) != len) {
		free(out->der);
		out->der = NULL;
		return;
	}
	out->der_len = (size_t)len;
}

void
x509info_fill(X509 *x, struct cert_info *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	ASSERT(x != NULL && out != NULL);
	memset(out, 0, sizeof(*out));
	ERR_set_mark();
	out->subject = x509info_dn(X509_get_subject_name(x));
	out->issuer = x509info_dn(X509_get_issuer_name(x));
	x509info_fill_san(x, out);
	out->not_before = x509info_time(X509_get0_notBefore(x));
	out->not_after = x509info_time(X509_get0_notAfter(x));
	x509info_fill_key(x, out);
	x509info_fill_sig(x, out);
	x509info_fill_serial(x, out);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		out->sha256 = x509info_hex(md, mdlen, false);
	else
		out->sha256 = xstrdup("");
	x509info_fill_der(x, out);
	/*
	 * Not X509_check_issued(x, x): it also demands keyCertSign when a
	 * keyUsage extension is present, which would call a self-signed leaf
	 * with keyUsage=digitalSignature "not self-signed".
	 */
	out->self_signed = X509_self_signed(x, 1) == 1;
	ERR_pop_to_mark();
}

struct cert_info *
x509info_chain(STACK_OF(X509) *chain, size_t *n)
{
	struct cert_info *v;
	X509 *x;
	int num, i;

	*n = 0;
	if (chain == NULL || (num = sk_X509_num(chain)) <= 0)
		return NULL;
	v = xcalloc((size_t)num, sizeof(*v));
	for (i = 0; i < num; i++)
		if ((x = sk_X509_value(chain, i)) != NULL)
			x509info_fill(x, &v[(*n)++]);
	if (*n == 0) {
		free(v);
		return NULL;
	}
	return v;
}

/*
 * x509info_host_ok - is (host, len) a name we may hand to X509_check_host?
 * A leading dot would make OpenSSL match every subdomain, and a '*' could
 * match a wildcard pattern literally.
 */
static bool
x509info_host_ok(const char *host, size_t len)
{
	size_t i;

	if (len == 0 || len > X509INFO_HOST_MAX || host[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (host[i] == '*')
			return false;
		if (host[i] == '.' && (i + 1 == len || host[i + 1] == '.'))
			return false;
	}
	return true;
}

/*
 * x509info_has_dns_san - may the subject CN not be used? True when a
 * dNSName SAN exists, and also when a subjectAltName extension is repeated
 * or does not decode: we cannot tell, and OpenSSL ignores such SANs, which
 * would otherwise let the CN match in their place.
 */
static bool
x509info_has_dns_san(X509 *x)
{
	GENERAL_NAMES *gens;
	bool found = false;
	int loc, next, i;

	if ((loc = X509_get_ext_by_NID(x, NID_subject_alt_name, -1)) < 0)
		return false;
	next = X509_get_ext_by_NID(x, NID_subject_alt_name, loc);
	if (next >= 0)
		return true;
	if ((gens = X509V3_EXT_d2i(X509_get_ext(x, loc))) == NULL)
		return true;
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && !found; i++)
		if (sk_GENERAL_NAME_value(gens, i)->type == GEN_DNS)
			found = true;
	GENERAL_NAMES_free(gens);
	return found;
}

bool
x509info_name_match(X509 *x, const char *host, char **matched_name)
{
	unsigned int flags;
	char *peer = NULL;
	char *abs;
	size_t len;
	int rv;

	if (matched_name != NULL)
		*matched_name = NULL;
	if (x == NULL || host == NULL)
		return false;
	len = strlen(host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (!x509info_host_ok(host, len))
		return false;

	ERR_set_mark();
	flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	flags |= x509info_has_dns_san(x) ? X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
	                                 : X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT;
	/* len > 0, so OpenSSL takes it as given and does not strlen() */
	rv = X509_check_host(x, host, len, flags, &peer);
	if (rv != 1) {
		/* a name written absolute ("mx.example.com.") in the cert */
		OPENSSL_free(peer);
		peer = NULL;
		abs = xmalloc(len + 2);
		memcpy(abs, host, len);
		abs[len] = '.';
		abs[len + 1] = '\0';
		rv = X509_check_host(x, abs, len + 1, flags, &peer);
		free(abs);
	}
	if (rv == 1 && matched_name != NULL)
		*matched_name = xstrdup(peer != NULL ? peer : "");
	OPENSSL_free(peer);
	ERR_pop_to_mark();
	return rv == 1;
}

time_t
x509info_time(const ASN1_TIME *t)
{
	struct tm tm;
	int ok;

	/* ASN1_TIME_to_tm(NULL, ...) would give the current time */
	if (t == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	ERR_set_mark();
	ok = ASN1_TIME_to_tm(t, &tm);
	ERR_pop_to_mark();
	if (ok != 1)
		return -1;
	return timegm(&tm);
}
