/* SPDX-License-Identifier: ISC */
/*
 * test_x509info - certificate description and host name matching.
 *
 * Certificates are made in-process with the OpenSSL API from a table of
 * specs (keys are generated once per run, in the group setup), so every
 * field is known in advance and no file or clock is involved: validity
 * periods are fixed instants, "expired" and "not yet valid" only relative
 * to today.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "net/x509info.h"
#include "proto/result.h"

#define T2001 ((time_t)978307200)  /* 2001-01-01T00:00:00Z */
#define T2002 ((time_t)1009843200) /* 2002-01-01T00:00:00Z */
#define T2020 ((time_t)1577836800) /* 2020-01-01T00:00:00Z */
#define T2040 ((time_t)2208988800) /* 2040-01-01T00:00:00Z */
#define T2099 ((time_t)4070908800) /* 2099-01-01T00:00:00Z */
#define T2100 ((time_t)4102444800) /* 2100-01-01T00:00:00Z */

#define ROOT_DN "CN=mxaudit test root,O=mxaudit"
#define MAX_RDN 4
#define MAX_SAN 8

enum test_key {
	KEY_EC256,
	KEY_EC256_B,
	KEY_EC384,
	KEY_RSA2048,
	KEY_RSA1024,
	KEY_ED25519,
	KEY_ED448,
	KEY_X25519,
	KEY_MAX
};

struct rdn {
	const char *field; /* borrowed; NULL ends the list */
	const char *value; /* borrowed, UTF-8 */
};

struct cert_spec {
	enum test_key key; /* the certificate's own key */
	struct rdn subject[MAX_RDN];
	bool ca_signed; /* signed by the test root, else by its own key */
	bool issuer_is_subject; /* ca_signed, but issuer name = subject */
	const char *san;        /* borrowed, X509V3 config form, or NULL */
	const char *san2;       /* borrowed, a second SAN extension, or NULL */
	const char *ku;         /* borrowed, keyUsage config value, or NULL */
	bool ca;                /* add basicConstraints CA:TRUE */
	time_t not_before;
	time_t not_after;
	const char *serial;    /* borrowed, hex for BN_hex2bn ("-05") */
	const char *md;        /* borrowed digest name, NULL: SHA256 */
	void (*tweak)(X509 *); /* extra edits before signing, or NULL */
};

struct fixture {
	EVP_PKEY *key[KEY_MAX]; /* owned */
	X509 *root;             /* owned, self-signed EC P-256 CA */
};

static struct fixture fx;

/* test_gen_key - generate one of the test keys */
static EVP_PKEY *
test_gen_key(enum test_key k)
{
	switch (k) {
	case KEY_EC256:
	case KEY_EC256_B:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case KEY_EC384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case KEY_RSA2048:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case KEY_RSA1024:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	case KEY_ED25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case KEY_ED448:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	case KEY_X25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	case KEY_MAX:
		break;
	}
	return NULL;
}

/* test_add_ext - add one extension in OpenSSL config syntax */
static void
test_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* test_make_cert - build and sign a certificate from a spec */
static X509 *
test_make_cert(const struct cert_spec *s, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *signer;
	const EVP_MD *md = NULL;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial;
	size_t i;

	assert_non_null(x);
	assert_non_null(name);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	assert_true(BN_hex2bn(&bn, s->serial) > 0);
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	assert_non_null(serial);
	assert_int_equal(X509_set_serialNumber(x, serial), 1);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	for (i = 0; i < MAX_RDN && s->subject[i].field != NULL; i++)
		assert_int_equal(
		    X509_NAME_add_entry_by_txt(name, s->subject[i].field,
		        MBSTRING_UTF8,
		        (const unsigned char *)s->subject[i].value, -1, -1, 0),
		    1);
	assert_int_equal(X509_set_subject_name(x, name), 1);
	if (!s->ca_signed || s->issuer_is_subject) {
		assert_int_equal(X509_set_issuer_name(x, name), 1);
	} else {
		assert_int_equal(
		    X509_set_issuer_name(x, X509_get_subject_name(issuer)), 1);
	}
	X509_NAME_free(name);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), s->not_before));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), s->not_after));
	assert_int_equal(X509_set_pubkey(x, fx.key[s->key]), 1);
	if (!s->ca_signed)
		issuer = x;
	if (s->ca)
		test_add_ext(
		    x, issuer, NID_basic_constraints, "critical,CA:TRUE");
	if (s->ku != NULL)
		test_add_ext(x, issuer, NID_key_usage, s->ku);
	if (s->san != NULL)
		test_add_ext(x, issuer, NID_subject_alt_name, s->san);
	if (s->san2 != NULL)
		test_add_ext(x, issuer, NID_subject_alt_name, s->san2);
	if (s->tweak != NULL)
		s->tweak(x);
	signer = s->ca_signed ? issuer_key : fx.key[s->key];
	if (EVP_PKEY_get_base_id(signer) != EVP_PKEY_ED25519 &&
	    EVP_PKEY_get_base_id(signer) != EVP_PKEY_ED448) {
		md = EVP_get_digestbyname(s->md != NULL ? s->md : "SHA256");
		assert_non_null(md);
	}
	assert_true(X509_sign(x, signer, md) > 0);
	return x;
}

/* test_tweak_odd_sans - SANs the config syntax cannot express */
static void
test_tweak_odd_sans(X509 *x)
{
	static const unsigned char odd_ip[] = { 192, 0, 2, 1, 0 };
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen;
	ASN1_IA5STRING *ia5;
	ASN1_OCTET_STRING *oct;

	assert_non_null(gens);
	ia5 = ASN1_IA5STRING_new();
	assert_int_equal(ASN1_STRING_set(ia5, "bad\0.example", 12), 1);
	gen = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gens, gen) > 0);
	ia5 = ASN1_IA5STRING_new();
	assert_int_equal(ASN1_STRING_set(ia5, "back\\slash sp.example", -1), 1);
	gen = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gens, gen) > 0);
	oct = ASN1_OCTET_STRING_new();
	assert_int_equal(
	    ASN1_OCTET_STRING_set(oct, odd_ip, (int)sizeof(odd_ip)), 1);
	gen = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(gen, GEN_IPADD, oct);
	assert_true(sk_GENERAL_NAME_push(gens, gen) > 0);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	                     X509V3_ADD_APPEND),
	    1);
	GENERAL_NAMES_free(gens);
}

static const struct cert_spec root_spec = {
	.key = KEY_EC256,
	.subject = { { "O", "mxaudit" }, { "CN", "mxaudit test root" } },
	.ku = "critical,keyCertSign,cRLSign",
	.ca = true,
	.not_before = T2020,
	.not_after = T2040,
	.serial = "1000",
};

static int
group_setup(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < KEY_MAX; k++)
		if ((fx.key[k] = test_gen_key((enum test_key)k)) == NULL)
			return -1;
	fx.root = test_make_cert(&root_spec, NULL, NULL);
	return 0;
}

static int
group_teardown(void **state)
{
	int k;

	(void)state;
	X509_free(fx.root);
	for (k = 0; k < KEY_MAX; k++)
		EVP_PKEY_free(fx.key[k]);
	return 0;
}

/* test_ca_cert - make a certificate from a spec, signed by the root if asked */
static X509 *
test_ca_cert(const struct cert_spec *s)
{
	return test_make_cert(s, fx.root, fx.key[KEY_EC256]);
}

/* test_str_eq - assert two strings are equal, NULL only equal to NULL */
static void
test_str_eq(
    const char *got, const char *want, const char *what, const char *name)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0) {
		fail_msg("%s: %s: got \"%s\", want \"%s\"", name, what,
		    got != NULL ? got : "(null)",
		    want != NULL ? want : "(null)");
	}
}

/* test_sha256_hex - independent fingerprint: hash i2d_X509 ourselves */
static void
test_sha256_hex(X509 *x, char out[65])
{
	unsigned char *der = NULL, md[32];
	unsigned int mdlen = 0;
	int len, i;

	len = i2d_X509(x, &der);
	assert_true(len > 0);
	assert_int_equal(
	    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL), 1);
	assert_int_equal(mdlen, 32);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

/* --- x509info_fill: every field of cert_info --- */

struct fill_case {
	const char *name;
	struct cert_spec spec;
	const char *subject;
	const char *issuer;
	const char *san[MAX_SAN];
	size_t nsan;
	const char *key_type;
	int key_bits;
	const char *curve;
	const char *sig_alg;
	const char *serial;
	bool self_signed;
};

static const struct fill_case fill_cases[] = {
	{
		.name = "ec p-256 leaf, ca-signed, dns+ip sans",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "C", "US" }, { "O", "Example Org" },
			    { "CN", "mx.example.com" } },
			.ca_signed = true,
			.san = "DNS:mx.example.com,DNS:*.example.com,"
			    "IP:192.0.2.1,email:postmaster@example.com,"
			    "IP:2001:db8::1,URI:https://example.com/",
			.ku = "critical,digitalSignature",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "0102AB",
		},
		.subject = "CN=mx.example.com,O=Example Org,C=US",
		.issuer = ROOT_DN,
		.san = { "mx.example.com", "*.example.com", "IP:192.0.2.1",
		    "IP:2001:db8::1" },
		.nsan = 4,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "0102AB",
		.self_signed = false,
	},
	{
		.name = "rsa 2048, self-signed, no san",
		.spec = {
			.key = KEY_RSA2048,
			.subject = { { "CN", "rsa.example.net" } },
			.not_before = T2020,
			.not_after = T2040,
			.serial = "01",
		},
		.subject = "CN=rsa.example.net",
		.issuer = "CN=rsa.example.net",
		.key_type = "RSA",
		.key_bits = 2048,
		.sig_alg = "sha256WithRSAEncryption",
		.serial = "01",
		.self_signed = true,
	},
	{
		.name = "rsa 1024, ca-signed with sha384",
		.spec = {
			.key = KEY_RSA1024,
			.subject = { { "CN", "weak.example.net" } },
			.ca_signed = true,
			.san = "DNS:weak.example.net",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "FF00000000000000000000000000000000000001",
			.md = "SHA384",
		},
		.subject = "CN=weak.example.net",
		.issuer = ROOT_DN,
		.san = { "weak.example.net" },
		.nsan = 1,
		.key_type = "RSA",
		.key_bits = 1024,
		.sig_alg = "ecdsa-with-SHA384",
		.serial = "FF00000000000000000000000000000000000001",
	},
	{
		.name = "rsa 2048, self-signed with sha512",
		.spec = {
			.key = KEY_RSA2048,
			.subject = { { "CN", "rsa512.example.net" } },
			.not_before = T2020,
			.not_after = T2040,
			.serial = "7F",
			.md = "SHA512",
		},
		.subject = "CN=rsa512.example.net",
		.issuer = "CN=rsa512.example.net",
		.key_type = "RSA",
		.key_bits = 2048,
		.sig_alg = "sha512WithRSAEncryption",
		.serial = "7F",
		.self_signed = true,
	},
	{
		.name = "ed25519, self-signed",
		.spec = {
			.key = KEY_ED25519,
			.subject = { { "CN", "ed.example" } },
			.san = "DNS:ed.example",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "80",
		},
		.subject = "CN=ed.example",
		.issuer = "CN=ed.example",
		.san = { "ed.example" },
		.nsan = 1,
		.key_type = "ED25519",
		.key_bits = 256,
		.sig_alg = "ED25519",
		.serial = "80",
		.self_signed = true,
	},
	{
		.name = "ed448, self-signed",
		.spec = {
			.key = KEY_ED448,
			.subject = { { "CN", "ed448.example" } },
			.not_before = T2020,
			.not_after = T2040,
			.serial = "02",
		},
		.subject = "CN=ed448.example",
		.issuer = "CN=ed448.example",
		.key_type = "ED448",
		.key_bits = 456,
		.sig_alg = "ED448",
		.serial = "02",
		.self_signed = true,
	},
	{
		.name = "ec p-384, self-signed ca with sha384",
		.spec = {
			.key = KEY_EC384,
			.subject = { { "O", "Other CA" }, { "CN", "p384 root" } },
			.ku = "critical,keyCertSign",
			.ca = true,
			.not_before = T2020,
			.not_after = T2040,
			.serial = "03",
			.md = "SHA384",
		},
		.subject = "CN=p384 root,O=Other CA",
		.issuer = "CN=p384 root,O=Other CA",
		.key_type = "EC",
		.key_bits = 384,
		.curve = "secp384r1",
		.sig_alg = "ecdsa-with-SHA384",
		.serial = "03",
		.self_signed = true,
	},
	{
		.name = "x25519 key (other type: short name), ca-signed",
		.spec = {
			.key = KEY_X25519,
			.subject = { { "CN", "x25519.example" } },
			.ca_signed = true,
			.not_before = T2020,
			.not_after = T2040,
			.serial = "04",
		},
		.subject = "CN=x25519.example",
		.issuer = ROOT_DN,
		.key_type = "X25519",
		.key_bits = 253,
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "04",
	},
	{
		.name = "expired (2001-2002)",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "CN", "old.example" } },
			.ca_signed = true,
			.san = "DNS:old.example",
			.not_before = T2001,
			.not_after = T2002,
			.serial = "05",
		},
		.subject = "CN=old.example",
		.issuer = ROOT_DN,
		.san = { "old.example" },
		.nsan = 1,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "05",
	},
	{
		.name = "not yet valid (2099-2100, GeneralizedTime)",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "CN", "future.example" } },
			.ca_signed = true,
			.san = "DNS:future.example",
			.not_before = T2099,
			.not_after = T2100,
			.serial = "06",
		},
		.subject = "CN=future.example",
		.issuer = ROOT_DN,
		.san = { "future.example" },
		.nsan = 1,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "06",
	},
	{
		/* X509_check_issued(x, x) would refuse it: no keyCertSign */
		.name = "self-signed leaf with keyUsage digitalSignature only",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "CN", "snakeoil.example" } },
			.san = "DNS:snakeoil.example",
			.ku = "critical,digitalSignature,keyAgreement",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "07",
		},
		.subject = "CN=snakeoil.example",
		.issuer = "CN=snakeoil.example",
		.san = { "snakeoil.example" },
		.nsan = 1,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "07",
		.self_signed = true,
	},
	{
		.name = "self-issued, signed by another key",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "CN", "self-issued.example" } },
			.ca_signed = true,
			.issuer_is_subject = true,
			.not_before = T2020,
			.not_after = T2040,
			.serial = "08",
		},
		.subject = "CN=self-issued.example",
		.issuer = "CN=self-issued.example",
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "08",
		.self_signed = false,
	},
	{
		.name = "escaping: rfc 2253 specials, utf-8, odd sans, negative serial",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "O", "Acme, Inc. +1" },
			    { "CN", "B\xc3\xbc" "cher" } },
			.ca_signed = true,
			.not_before = T2020,
			.not_after = T2040,
			.serial = "-05",
			.tweak = test_tweak_odd_sans,
		},
		.subject = "CN=B\\C3\\BCcher,O=Acme\\, Inc. \\+1",
		.issuer = ROOT_DN,
		.san = { "bad\\x00.example", "back\\x5cslash\\x20sp.example",
		    "IP:#c000020100" },
		.nsan = 3,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "-05",
	},
	{
		.name = "two subjectAltName extensions, both listed",
		.spec = {
			.key = KEY_EC256_B,
			.subject = { { "CN", "dup.example" } },
			.ca_signed = true,
			.san = "DNS:one.example",
			.san2 = "DNS:two.example,IP:::1",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "09",
		},
		.subject = "CN=dup.example",
		.issuer = ROOT_DN,
		.san = { "one.example", "two.example", "IP:::1" },
		.nsan = 3,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "09",
	},
	{
		.name = "empty subject, san only",
		.spec = {
			.key = KEY_EC256_B,
			.ca_signed = true,
			.san = "critical,DNS:nosubject.example",
			.not_before = T2020,
			.not_after = T2040,
			.serial = "0A",
		},
		.subject = "",
		.issuer = ROOT_DN,
		.san = { "nosubject.example" },
		.nsan = 1,
		.key_type = "EC",
		.key_bits = 256,
		.curve = "prime256v1",
		.sig_alg = "ecdsa-with-SHA256",
		.serial = "0A",
	},
};

/* test_check_fill - assert every field of c against the case t */
static void
test_check_fill(const struct cert_info *c, const struct fill_case *t, X509 *x)
{
	char sha[65];
	size_t i;

	test_str_eq(c->subject, t->subject, "subject", t->name);
	test_str_eq(c->issuer, t->issuer, "issuer", t->name);
	if (c->nsan != t->nsan)
		fail_msg("%s: nsan %zu, want %zu", t->name, c->nsan, t->nsan);
	if (t->nsan == 0)
		assert_null(c->san);
	for (i = 0; i < t->nsan; i++)
		test_str_eq(c->san[i], t->san[i], "san", t->name);
	assert_int_equal(c->not_before, t->spec.not_before);
	assert_int_equal(c->not_after, t->spec.not_after);
	test_str_eq(c->key_type, t->key_type, "key_type", t->name);
	if (c->key_bits != t->key_bits)
		fail_msg("%s: key_bits %d, want %d", t->name, c->key_bits,
		    t->key_bits);
	test_str_eq(c->curve, t->curve, "curve", t->name);
	test_str_eq(c->sig_alg, t->sig_alg, "sig_alg", t->name);
	test_str_eq(c->serial, t->serial, "serial", t->name);
	test_sha256_hex(x, sha);
	test_str_eq(c->sha256, sha, "sha256", t->name);
	if (c->self_signed != t->self_signed)
		fail_msg("%s: self_signed %d, want %d", t->name, c->self_signed,
		    t->self_signed);
}

static void
test_fill_table(void **state)
{
	struct cert_info c;
	X509 *x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fill_cases) / sizeof(fill_cases[0]); i++) {
		x = test_ca_cert(&fill_cases[i].spec);
		memset(&c, 0xa5, sizeof(c)); /* fill must not read *out */
		x509info_fill(x, &c);
		test_check_fill(&c, &fill_cases[i], x);
		cert_info_release(&c);
		X509_free(x);
	}
	assert_int_equal(ERR_peek_error(), 0);
}

/* the test root itself: a self-signed CA */
static void
test_fill_root(void **state)
{
	struct cert_info c;
	char sha[65];

	(void)state;
	x509info_fill(fx.root, &c);
	assert_string_equal(c.subject, ROOT_DN);
	assert_string_equal(c.issuer, ROOT_DN);
	assert_int_equal(c.nsan, 0);
	assert_string_equal(c.serial, "1000");
	test_sha256_hex(fx.root, sha);
	assert_string_equal(c.sha256, sha);
	assert_true(c.self_signed);
	cert_info_release(&c);
}

/* the fill survives a DER round trip: what a TLS peer really sends */
static void
test_fill_from_der(void **state)
{
	struct cert_info a, b;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x, *y;
	int len;

	(void)state;
	x = test_ca_cert(&fill_cases[0].spec);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	p = der;
	y = d2i_X509(NULL, &p, len);
	assert_non_null(y);
	x509info_fill(x, &a);
	x509info_fill(y, &b);
	test_check_fill(&b, &fill_cases[0], y);
	assert_string_equal(a.sha256, b.sha256);
	cert_info_release(&a);
	cert_info_release(&b);
	OPENSSL_free(der);
	X509_free(x);
	X509_free(y);
}

/*
 * A self-signed certificate whose signature was damaged in transit: same
 * names, but not self-signed, and the failed verification leaves nothing
 * on the error queue (an entry there would mislead SSL_get_error()).
 */
static void
test_fill_bad_signature(void **state)
{
	const struct cert_spec *s = &fill_cases[1].spec; /* rsa, self-signed */
	struct cert_info c;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x, *y;
	int len;

	(void)state;
	x = test_ca_cert(s);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	der[len - 1] ^= 0x01; /* last byte of the RSA signature */
	p = der;
	y = d2i_X509(NULL, &p, len);
	assert_non_null(y);
	ERR_clear_error();
	x509info_fill(y, &c);
	assert_int_equal(ERR_peek_error(), 0);
	assert_string_equal(c.subject, "CN=rsa.example.net");
	assert_string_equal(c.issuer, "CN=rsa.example.net");
	assert_false(c.self_signed);
	cert_info_release(&c);
	x509info_fill(x, &c);
	assert_true(c.self_signed);
	cert_info_release(&c);
	OPENSSL_free(der);
	X509_free(x);
	X509_free(y);
}

/* an error already queued by the caller is left where it was */
static void
test_error_queue_kept(void **state)
{
	struct cert_info c;
	unsigned long e;
	char *m = NULL;

	(void)state;
	ERR_clear_error();
	ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
	e = ERR_peek_last_error();
	assert_int_not_equal(e, 0);
	x509info_fill(fx.root, &c);
	cert_info_release(&c);
	assert_false(x509info_name_match(fx.root, "nope.example", &m));
	assert_int_equal(x509info_time(NULL), -1);
	assert_int_equal(ERR_peek_last_error(), e);
	ERR_clear_error();
}

/* --- x509info_chain --- */

static const struct cert_spec inter_spec = {
	.key = KEY_EC384,
	.subject = { { "O", "mxaudit" },
	    { "CN", "mxaudit test intermediate" } },
	.ca_signed = true,
	.ku = "critical,keyCertSign",
	.ca = true,
	.not_before = T2020,
	.not_after = T2040,
	.serial = "2000",
};

static const struct cert_spec leaf_spec = {
	.key = KEY_EC256_B,
	.subject = { { "CN", "mx1.example.org" } },
	.ca_signed = true,
	.san = "DNS:mx1.example.org",
	.not_before = T2020,
	.not_after = T2040,
	.serial = "3000",
	.md = "SHA384",
};

static void
test_chain(void **state)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct cert_info *v;
	X509 *inter, *leaf;
	size_t n = 99, i;

	(void)state;
	assert_non_null(sk);
	inter = test_make_cert(&inter_spec, fx.root, fx.key[KEY_EC256]);
	leaf = test_make_cert(&leaf_spec, inter, fx.key[KEY_EC384]);
	assert_true(sk_X509_push(sk, leaf) > 0);
	assert_true(sk_X509_push(sk, inter) > 0);
	assert_true(sk_X509_push(sk, fx.root) > 0);

	v = x509info_chain(sk, &n);
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].subject, "CN=mx1.example.org");
	assert_string_equal(
	    v[0].issuer, "CN=mxaudit test intermediate,O=mxaudit");
	assert_int_equal(v[0].nsan, 1);
	assert_string_equal(v[0].san[0], "mx1.example.org");
	assert_string_equal(v[0].sig_alg, "ecdsa-with-SHA384");
	assert_string_equal(v[0].serial, "3000");
	assert_false(v[0].self_signed);
	assert_string_equal(
	    v[1].subject, "CN=mxaudit test intermediate,O=mxaudit");
	assert_string_equal(v[1].issuer, ROOT_DN);
	assert_string_equal(v[1].curve, "secp384r1");
	assert_false(v[1].self_signed);
	assert_string_equal(v[2].subject, ROOT_DN);
	assert_true(v[2].self_signed);
	for (i = 0; i < n; i++)
		cert_info_release(&v[i]);
	free(v);

	/* the chain is borrowed: the certificates are still ours */
	sk_X509_free(sk);
	X509_free(leaf);
	X509_free(inter);
}

static void
test_chain_empty(void **state)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	size_t n = 99;

	(void)state;
	assert_null(x509info_chain(NULL, &n));
	assert_int_equal(n, 0);
	n = 99;
	assert_null(x509info_chain(sk, &n));
	assert_int_equal(n, 0);
	sk_X509_free(sk);
}

/* --- x509info_name_match --- */

enum name_cert {
	NC_SAN,     /* dNSName + iPAddress SANs and an unrelated CN */
	NC_CN,      /* CN only, no SAN */
	NC_IPONLY,  /* CN plus only an iPAddress SAN */
	NC_PARTIAL, /* partial wildcards only */
	NC_CNWILD,  /* wildcard CN, no SAN */
	NC_DUP,     /* two subjectAltName extensions and a CN */
	NC_MULTICN, /* two CNs, no SAN */
	NC_MAX
};

static const struct cert_spec name_specs[NC_MAX] = {
	[NC_SAN] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "cn-only.example" } },
		.ca_signed = true,
		.san = "DNS:mx.example.com,DNS:*.wild.example.com,"
		    "DNS:xn--bcher-kva.example,DNS:*.xn--bcher-kva.example,"
		    "DNS:dot.example.,DNS:*.example,IP:192.0.2.1",
		.not_before = T2020, .not_after = T2040, .serial = "10",
	},
	[NC_CN] = {
		.key = KEY_EC256_B,
		.subject = { { "O", "Example" }, { "CN", "cn.example.net" } },
		.ca_signed = true,
		.not_before = T2020, .not_after = T2040, .serial = "11",
	},
	[NC_IPONLY] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "ipcn.example.org" } },
		.ca_signed = true,
		.san = "IP:192.0.2.7,email:hostmaster@example.org",
		.not_before = T2020, .not_after = T2040, .serial = "12",
	},
	[NC_PARTIAL] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "partial.example" } },
		.ca_signed = true,
		.san = "DNS:m*.partial.example,DNS:*x.partial.example,"
		    "DNS:f*o.partial.example",
		.not_before = T2020, .not_after = T2040, .serial = "13",
	},
	[NC_CNWILD] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "*.cnwild.example" } },
		.ca_signed = true,
		.not_before = T2020, .not_after = T2040, .serial = "14",
	},
	[NC_DUP] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "cn.dup.example" } },
		.ca_signed = true,
		.san = "DNS:one.example",
		.san2 = "DNS:two.example",
		.not_before = T2020, .not_after = T2040, .serial = "15",
	},
	[NC_MULTICN] = {
		.key = KEY_EC256_B,
		.subject = { { "CN", "first.example" }, { "CN", "second.example" } },
		.ca_signed = true,
		.not_before = T2020, .not_after = T2040, .serial = "16",
	},
};

struct name_case {
	enum name_cert cert;
	const char *host;
	bool match;
	const char *matched; /* the certificate's name, or NULL */
};

static const struct name_case name_cases[] = {
	/* exact, case, trailing dot */
	{ NC_SAN, "mx.example.com", true, "mx.example.com" },
	{ NC_SAN, "MX.Example.COM", true, "mx.example.com" },
	{ NC_SAN, "mx.example.com.", true, "mx.example.com" },
	{ NC_SAN, "MX.EXAMPLE.COM.", true, "mx.example.com" },
	{ NC_SAN, "mx.example.com..", false, NULL },
	{ NC_SAN, "mx2.example.com", false, NULL },
	{ NC_SAN, "example.com", false, NULL },
	{ NC_SAN, "x.example.com", false, NULL },
	/* a dNSName written absolute */
	{ NC_SAN, "dot.example", true, "dot.example." },
	{ NC_SAN, "dot.example.", true, "dot.example." },
	/* malformed hosts match nothing (".x" would match all subdomains) */
	{ NC_SAN, "", false, NULL },
	{ NC_SAN, ".", false, NULL },
	{ NC_SAN, ".example.com", false, NULL },
	{ NC_SAN, ".wild.example.com", false, NULL },
	{ NC_SAN, "mx..example.com", false, NULL },
	{ NC_SAN, "*.wild.example.com", false, NULL },
	/* wildcard: exactly one whole left-most label */
	{ NC_SAN, "a.wild.example.com", true, "*.wild.example.com" },
	{ NC_SAN, "MX-1.Wild.Example.Com", true, "*.wild.example.com" },
	{ NC_SAN, "a.wild.example.com.", true, "*.wild.example.com" },
	{ NC_SAN, "a.b.wild.example.com", false, NULL },
	{ NC_SAN, "wild.example.com", false, NULL },
	{ NC_SAN, "a.wild.example.org", false, NULL },
	/* OpenSSL wants two labels after the '*' */
	{ NC_SAN, "mx.example", false, NULL },
	/* IDN A-labels are plain ASCII names */
	{ NC_SAN, "xn--bcher-kva.example", true, "xn--bcher-kva.example" },
	{ NC_SAN, "XN--BCHER-KVA.EXAMPLE", true, "xn--bcher-kva.example" },
	{ NC_SAN,
	    "b\xc3\xbc"
	    "cher.example",
	    false, NULL },
	{ NC_SAN, "xn--caf-dma.wild.example.com", true, "*.wild.example.com" },
	{ NC_SAN, "mx.xn--bcher-kva.example", true, "*.xn--bcher-kva.example" },
	{ NC_SAN, "xn--bcher-kvb.example", false, NULL },
	/* the CN does not count next to dNSName SANs; IP SANs never do */
	{ NC_SAN, "cn-only.example", false, NULL },
	{ NC_SAN, "192.0.2.1", false, NULL },
	/* CN used when there is no SAN at all ... */
	{ NC_CN, "cn.example.net", true, "cn.example.net" },
	{ NC_CN, "CN.EXAMPLE.NET.", true, "cn.example.net" },
	{ NC_CN, "example.net", false, NULL },
	{ NC_CN, "Example", false, NULL },
	/* ... or only non-DNS SANs */
	{ NC_IPONLY, "ipcn.example.org", true, "ipcn.example.org" },
	{ NC_IPONLY, "192.0.2.7", false, NULL },
	{ NC_IPONLY, "hostmaster@example.org", false, NULL },
	/* partial wildcards are refused, and not compared as patterns */
	{ NC_PARTIAL, "mx.partial.example", false, NULL },
	{ NC_PARTIAL, "m.partial.example", false, NULL },
	{ NC_PARTIAL, "ax.partial.example", false, NULL },
	{ NC_PARTIAL, "foo.partial.example", false, NULL },
	{ NC_PARTIAL, "partial.example", false, NULL },
	/* a wildcard CN follows the same rules */
	{ NC_CNWILD, "a.cnwild.example", true, "*.cnwild.example" },
	{ NC_CNWILD, "a.b.cnwild.example", false, NULL },
	{ NC_CNWILD, "cnwild.example", false, NULL },
	/* repeated SAN extension: neither the SANs nor the CN */
	{ NC_DUP, "one.example", false, NULL },
	{ NC_DUP, "two.example", false, NULL },
	{ NC_DUP, "cn.dup.example", false, NULL },
	/* several CNs: OpenSSL tries each */
	{ NC_MULTICN, "first.example", true, "first.example" },
	{ NC_MULTICN, "second.example", true, "second.example" },
};

static void
test_name_match_table(void **state)
{
	X509 *certs[NC_MAX];
	const struct name_case *t;
	char *m;
	bool got;
	size_t i;

	(void)state;
	for (i = 0; i < NC_MAX; i++)
		certs[i] = test_ca_cert(&name_specs[i]);
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		t = &name_cases[i];
		m = (char *)"sentinel";
		got = x509info_name_match(certs[t->cert], t->host, &m);
		if (got != t->match)
			fail_msg("cert %d host \"%s\": got %d, want %d",
			    (int)t->cert, t->host, got, t->match);
		test_str_eq(m, t->matched, "matched_name", t->host);
		free(m);
		/* and without asking for the name */
		assert_true(x509info_name_match(
		                certs[t->cert], t->host, NULL) == t->match);
	}
	assert_int_equal(ERR_peek_error(), 0);
	for (i = 0; i < NC_MAX; i++)
		X509_free(certs[i]);
}

static void
test_name_match_bad_args(void **state)
{
	char *m = (char *)"sentinel";
	X509 *x;

	(void)state;
	x = test_ca_cert(&name_specs[NC_SAN]);
	assert_false(x509info_name_match(x, NULL, &m));
	assert_null(m);
	m = (char *)"sentinel";
	assert_false(x509info_name_match(NULL, "mx.example.com", &m));
	assert_null(m);
	X509_free(x);
}

/* test_label - append '.' and n copies of c to s */
static void
test_label(char *s, char c, size_t n)
{
	size_t len = strlen(s);

	s[len] = '.';
	memset(s + len + 1, c, n);
	s[len + 1 + n] = '\0';
}

/* 253 octets is the longest name (RFC 1035); a longer host matches nothing */
static void
test_name_match_long(void **state)
{
	struct cert_spec spec = name_specs[NC_SAN];
	char suffix[200] = "", san[210], host[300];
	X509 *x;

	(void)state;
	test_label(suffix, 'b', 61);
	test_label(suffix, 'c', 61);
	test_label(suffix, 'd', 61);
	test_label(suffix, 'e', 7); /* 194 octets with its dots */
	assert_int_equal(strlen(suffix), 194);
	snprintf(san, sizeof(san), "DNS:*%s", suffix);
	spec.san = san;
	x = test_ca_cert(&spec);

	memset(host, 'a', 59);
	memcpy(host + 59, suffix, strlen(suffix) + 1);
	assert_int_equal(strlen(host), 253);
	assert_true(x509info_name_match(x, host, NULL));
	memcpy(host + 253, ".", 2); /* and absolute */
	assert_true(x509info_name_match(x, host, NULL));

	memset(host, 'a', 60);
	memcpy(host + 60, suffix, strlen(suffix) + 1);
	assert_int_equal(strlen(host), 254);
	assert_false(x509info_name_match(x, host, NULL));
	X509_free(x);
}

/* --- x509info_time --- */

struct time_case {
	int type; /* V_ASN1_UTCTIME or V_ASN1_GENERALIZEDTIME */
	const char *s;
	time_t want;
};

static const struct time_case time_cases[] = {
	{ V_ASN1_UTCTIME, "250101000000Z", 1735689600 },
	{ V_ASN1_UTCTIME, "491231235959Z", 2524607999 },
	{ V_ASN1_UTCTIME, "500101000000Z", -631152000 }, /* 1950 */
	{ V_ASN1_UTCTIME, "700101000000Z", 0 },
	{ V_ASN1_UTCTIME, "250101010000+0100", 1735689600 },
	{ V_ASN1_GENERALIZEDTIME, "20500101000000Z", 2524608000 },
	{ V_ASN1_GENERALIZEDTIME, "19700101000000Z", 0 },
	{ V_ASN1_GENERALIZEDTIME, "21000101000000Z", 4102444800 },
	{ V_ASN1_GENERALIZEDTIME, "99991231235959Z", 253402300799 },
	{ V_ASN1_UTCTIME, "notatime", -1 },
	{ V_ASN1_UTCTIME, "251301000000Z", -1 },
	{ V_ASN1_UTCTIME, "250132000000Z", -1 },
	{ V_ASN1_UTCTIME, "", -1 },
	{ V_ASN1_GENERALIZEDTIME, "2025010100000Z", -1 },
	{ V_ASN1_OCTET_STRING, "250101000000Z", -1 },
};

static void
test_time_table(void **state)
{
	ASN1_STRING *t;
	time_t got;
	size_t i;

	(void)state;
	ERR_clear_error();
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		t = ASN1_STRING_type_new(time_cases[i].type);
		assert_non_null(t);
		assert_int_equal(ASN1_STRING_set(t, time_cases[i].s, -1), 1);
		got = x509info_time(t);
		if (got != time_cases[i].want)
			fail_msg("\"%s\": got %lld, want %lld", time_cases[i].s,
			    (long long)got, (long long)time_cases[i].want);
		ASN1_STRING_free(t);
	}
	assert_int_equal(x509info_time(NULL), -1);
	assert_int_equal(ERR_peek_error(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_table),
		cmocka_unit_test(test_fill_root),
		cmocka_unit_test(test_fill_from_der),
		cmocka_unit_test(test_fill_bad_signature),
		cmocka_unit_test(test_error_queue_kept),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_chain_empty),
		cmocka_unit_test(test_name_match_table),
		cmocka_unit_test(test_name_match_bad_args),
		cmocka_unit_test(test_name_match_long),
		cmocka_unit_test(test_time_table),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
