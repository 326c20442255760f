/* SPDX-License-Identifier: ISC */
/*
 * tls_suites - the cipher suites a scanner offers and recognises: the IANA
 * TLS Cipher Suites registry (plus the draft, vendor and experimental codes
 * that testssl.sh and sslscan probe for) and the SSLv2 cipher kinds of
 * draft-hickman-netscape-ssl-00.
 *
 * Each suite carries its IANA name, its OpenSSL-style name, how it
 * exchanges keys, authenticates, encrypts and protects integrity, and the
 * protocol versions it can be negotiated in. The table is static and
 * sorted by code; lookups are binary searches. Weak-family predicates (RC4,
 * DES/3DES, EXPORT, NULL, anonymous, forward secrecy) are derived from the
 * fields by tls_suite_flags(), so they cannot disagree with the table.
 * Pure: no I/O, no allocation, no mutable globals.
 */
#ifndef MX_PROTO_TLS_SUITES_H
#define MX_PROTO_TLS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* protocol version codes as they appear on the wire */
#define TLS_SUITE_SSL2  0x0002
#define TLS_SUITE_SSL3  0x0300
#define TLS_SUITE_TLS10 0x0301
#define TLS_SUITE_TLS11 0x0302
#define TLS_SUITE_TLS12 0x0303
#define TLS_SUITE_TLS13 0x0304

/* the signalling cipher suite values (not real suites) */
#define TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV 0x00FF /* RFC 5746 */
#define TLS_SUITE_FALLBACK_SCSV                 0x5600 /* RFC 7507 */

/* key exchange */
enum tls_suite_kx {
	TLS_SUITE_KX_NULL,  /* none: TLS_NULL_WITH_NULL_NULL, the SCSVs */
	TLS_SUITE_KX_RSA,   /* RSA key transport (incl. EXPORT and GOST) */
	TLS_SUITE_KX_DH,    /* static DH from the certificate (DH_DSS/DH_RSA) */
	TLS_SUITE_KX_DHE,   /* ephemeral DH, signed or anonymous (DH_anon) */
	TLS_SUITE_KX_ECDH,  /* static ECDH (ECDH_ECDSA/ECDH_RSA) */
	TLS_SUITE_KX_ECDHE, /* ephemeral ECDH, signed or anonymous */
	TLS_SUITE_KX_PSK,   /* plain pre-shared key */
	TLS_SUITE_KX_DHE_PSK,   /* PSK + ephemeral DH */
	TLS_SUITE_KX_ECDHE_PSK, /* PSK + ephemeral ECDH */
	TLS_SUITE_KX_RSA_PSK,   /* PSK + RSA key transport */
	TLS_SUITE_KX_SRP,       /* SRP (RFC 5054) */
	TLS_SUITE_KX_KRB5,      /* Kerberos (RFC 2712) */
	TLS_SUITE_KX_GOST,      /* GOST R 34.10 VKO */
	TLS_SUITE_KX_ECCPWD,    /* ECC password (RFC 8492) */
	TLS_SUITE_KX_CECPQ1,    /* Google's 2016 post-quantum experiment */
	TLS_SUITE_KX_TLS13,     /* TLS 1.3: negotiated by extensions */
	TLS_SUITE_KX_MAX
};

/* how the server authenticates */
enum tls_suite_auth {
	TLS_SUITE_AUTH_NULL, /* anonymous: no server authentication */
	TLS_SUITE_AUTH_RSA,
	TLS_SUITE_AUTH_DSS,
	TLS_SUITE_AUTH_ECDSA,
	TLS_SUITE_AUTH_DH,   /* static DH certificate */
	TLS_SUITE_AUTH_ECDH, /* static ECDH certificate */
	TLS_SUITE_AUTH_PSK,
	TLS_SUITE_AUTH_SRP,
	TLS_SUITE_AUTH_KRB5,
	TLS_SUITE_AUTH_GOST,
	TLS_SUITE_AUTH_ECCPWD,
	TLS_SUITE_AUTH_TLS13, /* TLS 1.3: by the certificate, not the suite */
	TLS_SUITE_AUTH_MAX
};

/* bulk cipher family; the key size is in struct tls_suite.bits */
enum tls_suite_enc {
	TLS_SUITE_ENC_NULL, /* no encryption */
	TLS_SUITE_ENC_RC4,  /* 40 (EXPORT), 56 (EXPORT1024), 64 (SSLv2), 128 */
	TLS_SUITE_ENC_RC2,  /* 40 (EXPORT), 56, 128 (SSLv2) */
	TLS_SUITE_ENC_DES,  /* single DES: 40 (DES40, EXPORT) or 56 */
	TLS_SUITE_ENC_3DES, /* 3DES EDE CBC, 168 */
	TLS_SUITE_ENC_IDEA,
	TLS_SUITE_ENC_SEED,
	TLS_SUITE_ENC_CAMELLIA_CBC,
	TLS_SUITE_ENC_CAMELLIA_GCM,
	TLS_SUITE_ENC_ARIA_CBC,
	TLS_SUITE_ENC_ARIA_GCM,
	TLS_SUITE_ENC_AES_CBC,
	TLS_SUITE_ENC_AES_GCM,
	TLS_SUITE_ENC_AES_CCM,
	TLS_SUITE_ENC_AES_CCM_8,
	TLS_SUITE_ENC_CHACHA20_POLY1305,
	TLS_SUITE_ENC_GOST28147, /* GOST 28147-89 CNT */
	TLS_SUITE_ENC_KUZNYECHIK_CTR,
	TLS_SUITE_ENC_MAGMA_CTR,
	TLS_SUITE_ENC_KUZNYECHIK_MGM,
	TLS_SUITE_ENC_MAGMA_MGM,
	TLS_SUITE_ENC_SM4_GCM,
	TLS_SUITE_ENC_SM4_CCM,
	TLS_SUITE_ENC_MAX
};

/* record integrity */
enum tls_suite_mac {
	TLS_SUITE_MAC_NULL,
	TLS_SUITE_MAC_MD5,
	TLS_SUITE_MAC_SHA1,
	TLS_SUITE_MAC_SHA256,
	TLS_SUITE_MAC_SHA384,
	TLS_SUITE_MAC_AEAD,        /* the cipher authenticates */
	TLS_SUITE_MAC_GOST28147,   /* GOST 28147-89 IMIT */
	TLS_SUITE_MAC_GOSTR3411,   /* GOST R 34.11-94 HMAC */
	TLS_SUITE_MAC_STREEBOG256, /* GOST R 34.11-2012 HMAC */
	TLS_SUITE_MAC_OMAC,        /* Kuznyechik/Magma OMAC */
	TLS_SUITE_MAC_MAX
};

/*
 * Flags. The first four are stored in the table; the others are derived
 * from the fields by tls_suite_flags().
 */
enum tls_suite_flags {
	TLS_SUITE_F_EXPORT = (1 << 0),   /* an EXPORT or EXPORT1024 suite */
	TLS_SUITE_F_SCSV = (1 << 1),     /* a signalling value, not a suite */
	TLS_SUITE_F_NONIANA = (1 << 2),  /* not in the IANA registry */
	TLS_SUITE_F_OPENSSL3 = (1 << 3), /* OpenSSL 3.0 can negotiate it */
	TLS_SUITE_F_RC4 = (1 << 4),      /* RC4 (RFC 7465) */
	TLS_SUITE_F_DES = (1 << 5),      /* single DES or DES40 */
	TLS_SUITE_F_3DES = (1 << 6),     /* triple DES (Sweet32) */
	TLS_SUITE_F_NULL = (1 << 7),     /* no encryption */
	TLS_SUITE_F_ANON = (1 << 8),     /* no server authentication */
	TLS_SUITE_F_FS = (1 << 9),       /* ephemeral key exchange */
	TLS_SUITE_F_AEAD = (1 << 10),    /* AEAD cipher */
	TLS_SUITE_F_TLS13 = (1 << 11),   /* negotiable only in TLS 1.3 */
	TLS_SUITE_F_PSK = (1 << 12), /* needs a pre-shared key or password */
};

struct tls_suite {
	uint16_t code; /* IANA value, big-endian on the wire */
	/*
	 * static: the IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	 * for a TLS_SUITE_F_NONIANA code the draft or vendor name, or NULL
	 * when none was ever published
	 */
	const char *name;
	/*
	 * static: OpenSSL's name ("ECDHE-RSA-AES128-GCM-SHA256"); for a suite
	 * that OpenSSL 3 no longer has, the name older OpenSSL releases (or
	 * testssl.sh) used; NULL when there is none
	 */
	const char *openssl;
	enum tls_suite_kx kx;
	enum tls_suite_auth auth;
	enum tls_suite_enc enc;
	uint16_t bits; /* secret key bits of the cipher; 0 for NULL */
	enum tls_suite_mac mac;
	/*
	 * wire versions the suite can be negotiated in: from the first
	 * version its specification allows (as OpenSSL and testssl.sh count
	 * it: 0x0300 for the legacy suites, 0x0301 for some PSK and GOST
	 * suites, 0x0303 for SHA-256/384 and AEAD suites) to 0x0303, or
	 * 0x0304..0x0304 for the TLS 1.3 suites. Later deprecations (EXPORT
	 * in TLS 1.1, DES and IDEA in TLS 1.2, RC4 by RFC 7465) are ignored:
	 * a scanner must still offer them to find servers that accept them.
	 */
	uint16_t min_version, max_version;
	uint32_t flags; /* the stored tls_suite_flags: EXPORT..OPENSSL3 */
};

/*
 * tls_suite_lookup - the entry for code, or NULL when the code is unknown
 * (unassigned, GREASE, private use). The pointer is to static storage.
 */
const struct tls_suite *tls_suite_lookup(uint16_t code);

/*
 * tls_suite_table - the whole table, sorted by code, SCSVs included;
 * *count receives the number of entries. Iterate with a plain loop.
 */
const struct tls_suite *tls_suite_table(size_t *count);

/* tls_suite_flags - stored flags plus the derived ones for s */
uint32_t tls_suite_flags(const struct tls_suite *s);

/*
 * tls_suite_name - the best name for display: the IANA name, else the
 * OpenSSL name, else NULL (unknown code or no name at all)
 */
const char *tls_suite_name(uint16_t code);

/* tls_suite_legal - true when s can be negotiated at wire version v */
bool tls_suite_legal(const struct tls_suite *s, uint16_t version);

/* the families of tls_suite_select() */
enum tls_suite_set {
	TLS_SUITE_SET_ALL,    /* every suite (no SCSVs) */
	TLS_SUITE_SET_RC4,    /* TLS_SUITE_F_RC4 */
	TLS_SUITE_SET_3DES,   /* 3DES, and single DES and DES40 too */
	TLS_SUITE_SET_EXPORT, /* TLS_SUITE_F_EXPORT */
	TLS_SUITE_SET_NULL,   /* no encryption */
	TLS_SUITE_SET_ANON,   /* no server authentication */
	TLS_SUITE_SET_MAX
};

/*
 * tls_suite_select - write the codes of set that can be negotiated at wire
 * version (0: any version) into out[0 .. outmax), in table order (by
 * code). SCSVs are never included. Returns how many codes the set has,
 * which may exceed outmax (then only outmax were written, like snprintf);
 * out may be NULL when outmax is 0.
 */
size_t tls_suite_select(
    enum tls_suite_set set, uint16_t version, uint16_t *out, size_t outmax);

/*
 * tls_suite_select_flags - the general form: suites whose
 * tls_suite_flags() has a bit of any (or every suite when any is 0) and
 * no bit of none, negotiable at version (0: any). SCSVs are never included.
 * Same return convention as tls_suite_select().
 */
size_t tls_suite_select_flags(uint32_t any, uint32_t none, uint16_t version,
    uint16_t *out, size_t outmax);

/*
 * names for the enums: static short forms ("ECDHE", "AES_GCM"), or "?"
 * when out of range
 */
const char *tls_suite_kx_name(enum tls_suite_kx kx);
const char *tls_suite_auth_name(enum tls_suite_auth auth);
const char *tls_suite_enc_name(enum tls_suite_enc enc);
const char *tls_suite_mac_name(enum tls_suite_mac mac);

/*
 * SSLv2 cipher kinds (draft-hickman-netscape-ssl-00 C.4): 3-byte values,
 * kept here as 0x00XXYYZZ. A CLIENT-HELLO may also carry TLS suites as
 * 0x0000XXYY (RFC 5246 E.2): tls_suite_ssl2_lookup() does not know those.
 */
#define TLS_SUITE_SSL2_RC4_128_WITH_MD5              0x010080
#define TLS_SUITE_SSL2_RC4_128_EXPORT40_WITH_MD5     0x020080
#define TLS_SUITE_SSL2_RC2_128_CBC_WITH_MD5          0x030080
#define TLS_SUITE_SSL2_RC2_128_CBC_EXPORT40_WITH_MD5 0x040080
#define TLS_SUITE_SSL2_IDEA_128_CBC_WITH_MD5         0x050080
#define TLS_SUITE_SSL2_DES_64_CBC_WITH_MD5           0x060040
#define TLS_SUITE_SSL2_DES_192_EDE3_CBC_WITH_MD5     0x0700C0

struct tls_suite_ssl2 {
	uint32_t kind;       /* 0x00XXYYZZ */
	const char *name;    /* static: "SSL_CK_RC4_128_WITH_MD5" style */
	const char *openssl; /* static: "RC4-MD5" style, or NULL */
	enum tls_suite_enc enc;
	uint16_t bits; /* secret key bits */
	/*
	 * TLS_SUITE_F_EXPORT, _RC4, _DES, _3DES, _NULL, and _NONIANA for the
	 * kinds that are not in the draft (later Netscape/OpenSSL additions)
	 */
	uint32_t flags;
};

/* tls_suite_ssl2_lookup - the entry for an SSLv2 kind, or NULL */
const struct tls_suite_ssl2 *tls_suite_ssl2_lookup(uint32_t kind);

/* tls_suite_ssl2_table - every known SSLv2 kind, sorted; *count entries */
const struct tls_suite_ssl2 *tls_suite_ssl2_table(size_t *count);

/*
 * tls_suite_ssl2_select - the kinds a scanner offers: the seven of the
 * draft plus RC4_64_WITH_MD5, strongest first.
 * Same return convention as tls_suite_select().
 */
size_t tls_suite_ssl2_select(uint32_t *out, size_t outmax);

#endif
