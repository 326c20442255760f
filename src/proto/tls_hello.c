/* SPDX-License-Identifier: ISC */
/*
 * tls_hello - ClientHello encoders and the server-first-flight parser.
 *
 * Encoders go through a writer that counts every byte even past the end of
 * the buffer, so the size checks happen once at the end. The parser reads
 * the TLS handshake stream through a cursor that steps over record headers
 * (so messages may be split over records or share them) and carries a
 * sticky state (OpenSMTPD unpack): once it needs more input, stops at a
 * record of another type, or fails, every read returns 0 and the code
 * checks the state at the points where it matters.
 */
#include "proto/tls_hello.h"

#include <string.h>

#include "proto/tls_suites.h"
#include "util/ascii.h"

#define TLS_HELLO_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define TLS_HELLO_CT_CCS       20
#define TLS_HELLO_CT_ALERT     21
#define TLS_HELLO_CT_HANDSHAKE 22
#define TLS_HELLO_CT_APPDATA   23
#define TLS_HELLO_CT_HEARTBEAT 24

#define TLS_HELLO_HS_HELLO_REQUEST 0
#define TLS_HELLO_HS_CLIENT_HELLO  1
#define TLS_HELLO_HS_SERVER_HELLO  2
#define TLS_HELLO_HS_CERTIFICATE   11

#define TLS_HELLO_SSL2_MT_ERROR        0
#define TLS_HELLO_SSL2_MT_CLIENT_HELLO 1
#define TLS_HELLO_SSL2_MT_SERVER_HELLO 4
#define TLS_HELLO_SSL2_MAXRECORD       32767

/* ServerHello body without session id and extensions: 2+32+1+2+1 */
#define TLS_HELLO_SH_MIN 38
/* the longest ServerHello body: 38 + 255 (lenient session id) + 2 + 2^16 */
#define TLS_HELLO_SH_MAX (TLS_HELLO_SH_MIN + 255 + 2 + 65535)
/* the F5 range of RFC 7685 and where padding takes the record */
#define TLS_HELLO_F5_LO  256
#define TLS_HELLO_F5_HI  511
#define TLS_HELLO_PAD_TO 512

/* tls_hello_groups - supported_groups, strongest and commonest first */
static const uint16_t tls_hello_groups[] = {
	29,  /* x25519 */
	23,  /* secp256r1 */
	30,  /* x448 */
	25,  /* secp521r1 */
	24,  /* secp384r1 */
	28,  /* brainpoolP512r1 */
	27,  /* brainpoolP384r1 */
	26,  /* brainpoolP256r1 */
	22,  /* secp256k1 */
	21,  /* secp224r1 */
	19,  /* secp192r1 */
	14,  /* sect571r1 */
	13,  /* sect571k1 */
	12,  /* sect409r1 */
	11,  /* sect409k1 */
	10,  /* sect283r1 */
	9,   /* sect283k1 */
	256, /* ffdhe2048 */
	257, /* ffdhe3072 */
	258, /* ffdhe4096 */
	259, /* ffdhe6144 */
	260, /* ffdhe8192 */
};

/* tls_hello_sigalgs - signature_algorithms (RFC 5246 7.4.1.4.1, 8446) */
static const uint16_t tls_hello_sigalgs[] = {
	0x0403, /* ecdsa_secp256r1_sha256 */
	0x0503, /* ecdsa_secp384r1_sha384 */
	0x0603, /* ecdsa_secp521r1_sha512 */
	0x0807, /* ed25519 */
	0x0808, /* ed448 */
	0x0804, /* rsa_pss_rsae_sha256 */
	0x0805, /* rsa_pss_rsae_sha384 */
	0x0806, /* rsa_pss_rsae_sha512 */
	0x0809, /* rsa_pss_pss_sha256 */
	0x080a, /* rsa_pss_pss_sha384 */
	0x080b, /* rsa_pss_pss_sha512 */
	0x0401, /* rsa_pkcs1_sha256 */
	0x0501, /* rsa_pkcs1_sha384 */
	0x0601, /* rsa_pkcs1_sha512 */
	0x0402, /* sha256, dsa */
	0x0502, /* sha384, dsa */
	0x0602, /* sha512, dsa */
	0x0303, /* sha224, ecdsa */
	0x0301, /* sha224, rsa */
	0x0302, /* sha224, dsa */
	0x0203, /* ecdsa_sha1 */
	0x0201, /* rsa_pkcs1_sha1 */
	0x0202, /* sha1, dsa */
	0x0101, /* md5, rsa */
};

/* the Random of a HelloRetryRequest: SHA-256("HelloRetryRequest") */
static const uint8_t tls_hello_hrr_random[TLS_HELLO_RANDOM_LEN] = { 0xcf, 0x21,
	0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65,
	0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e,
	0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c };

/* the error of an empty answer, compared by address in classify */
static const char tls_hello_err_empty[] = "empty response";

/* "DOWNGRD" and a last byte of 1 (TLS 1.2) or 0 (below): RFC 8446 4.1.3 */
static const uint8_t tls_hello_downgrade[7] = { 0x44, 0x4f, 0x57, 0x4e, 0x47,
	0x52, 0x44 };

/*
 * Encoding
 */

/* tls_hello_w - output buffer; n counts past size, nothing is written there */
struct tls_hello_w {
	uint8_t *p;  /* borrowed: the caller's buffer */
	size_t size; /* bytes in p */
	size_t n;    /* bytes produced so far */
};

static void
tls_hello_put8(struct tls_hello_w *w, unsigned int v)
{
	if (w->n < w->size)
		w->p[w->n] = (uint8_t)v;
	w->n++;
}

static void
tls_hello_put16(struct tls_hello_w *w, unsigned int v)
{
	tls_hello_put8(w, v >> 8 & 0xff);
	tls_hello_put8(w, v & 0xff);
}

static void
tls_hello_put24(struct tls_hello_w *w, size_t v)
{
	tls_hello_put8(w, (unsigned int)(v >> 16 & 0xff));
	tls_hello_put16(w, (unsigned int)(v & 0xffff));
}

static void
tls_hello_putbytes(struct tls_hello_w *w, const void *v, size_t len)
{
	const uint8_t *b = v;
	size_t i;

	for (i = 0; i < len; i++)
		tls_hello_put8(w, b[i]);
}

/* tls_hello_patch16 - write a length field reserved earlier at off */
static void
tls_hello_patch16(struct tls_hello_w *w, size_t off, size_t v)
{
	if (off + 2 <= w->size) {
		w->p[off] = (uint8_t)(v >> 8 & 0xff);
		w->p[off + 1] = (uint8_t)(v & 0xff);
	}
}

static void
tls_hello_patch24(struct tls_hello_w *w, size_t off, size_t v)
{
	if (off + 3 <= w->size) {
		w->p[off] = (uint8_t)(v >> 16 & 0xff);
		w->p[off + 1] = (uint8_t)(v >> 8 & 0xff);
		w->p[off + 2] = (uint8_t)(v & 0xff);
	}
}

/* tls_hello_is_ip - an IPv4 or IPv6 literal, which SNI must not carry */
static bool
tls_hello_is_ip(const char *h, size_t len)
{
	size_t i;
	bool digits_dots = true;

	for (i = 0; i < len; i++) {
		if (h[i] == ':' || h[i] == '[')
			return true;
		if (!ascii_isdigit((unsigned char)h[i]) && h[i] != '.')
			digits_dots = false;
	}
	return digits_dots;
}

static bool
tls_hello_has_suite(const uint16_t *s, size_t n, uint16_t code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == code)
			return true;
	return false;
}

int
tls_hello_encode(const struct tls_hello_client *c, uint8_t *out, size_t outsize,
    struct perr *err)
{
	struct tls_hello_w w = { out, outsize, 0 };
	const char *host = NULL;
	size_t hlen = 0, i, ncs, rec, hs, extl = 0, ext = 0, unpadded, pad;
	bool exts, reneg_scsv, add_reneg, add_fallback, reneg_ext;
	uint16_t rv;

	if (c->suites == NULL || c->nsuites == 0)
		return perr_set(err, 0, "no cipher suites");
	if (c->version < TLS_SUITE_SSL3 || c->version > 0x03ff)
		return perr_set(err, 0, "unsupported version");
	if (c->random == NULL)
		return perr_set(err, 0, "no random");
	exts = !(c->flags & TLS_HELLO_F_NO_EXTENSIONS) &&
	    (c->version > TLS_SUITE_SSL3 ||
	        (c->flags & TLS_HELLO_F_SSL3_EXTENSIONS));
	reneg_scsv = !exts || (c->flags & TLS_HELLO_F_RENEG_SCSV);
	reneg_ext = exts && !reneg_scsv;
	add_reneg = reneg_scsv &&
	    !tls_hello_has_suite(
	        c->suites, c->nsuites, TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV);
	add_fallback = (c->flags & TLS_HELLO_F_FALLBACK_SCSV) &&
	    !tls_hello_has_suite(
	        c->suites, c->nsuites, TLS_SUITE_FALLBACK_SCSV);
	if (c->nsuites > TLS_HELLO_MAXRECORD / 2)
		return perr_set(err, 0, "hello too long");
	ncs = c->nsuites + add_reneg + add_fallback;

	if (exts && c->version > TLS_SUITE_SSL3 && c->host != NULL) {
		hlen = strlen(c->host);
		if (hlen > 0 && c->host[hlen - 1] == '.')
			hlen--;
		if (hlen > 255)
			return perr_set(err, 0, "host name too long");
		if (hlen > 0 && !tls_hello_is_ip(c->host, hlen))
			host = c->host;
	}

	rv = c->record_version;
	if (rv == 0)
		rv = c->version == TLS_SUITE_SSL3 ? TLS_SUITE_SSL3
		                                  : TLS_SUITE_TLS10;
	tls_hello_put8(&w, TLS_HELLO_CT_HANDSHAKE);
	tls_hello_put16(&w, rv);
	rec = w.n;
	tls_hello_put16(&w, 0);
	tls_hello_put8(&w, TLS_HELLO_HS_CLIENT_HELLO);
	hs = w.n;
	tls_hello_put24(&w, 0);
	tls_hello_put16(&w, c->version);
	tls_hello_putbytes(&w, c->random, TLS_HELLO_RANDOM_LEN);
	tls_hello_put8(&w, 0); /* session id */
	tls_hello_put16(&w, (unsigned int)(ncs * 2));
	for (i = 0; i < c->nsuites; i++)
		tls_hello_put16(&w, c->suites[i]);
	if (add_reneg)
		tls_hello_put16(&w, TLS_SUITE_EMPTY_RENEGOTIATION_INFO_SCSV);
	if (add_fallback)
		tls_hello_put16(&w, TLS_SUITE_FALLBACK_SCSV);
	tls_hello_put8(&w, 1); /* compression methods: null */
	tls_hello_put8(&w, 0);

	if (exts) {
		extl = w.n;
		tls_hello_put16(&w, 0);
		ext = w.n;
		if (host != NULL) {
			tls_hello_put16(&w, TLS_HELLO_EXT_SERVER_NAME);
			tls_hello_put16(&w, (unsigned int)(hlen + 5));
			tls_hello_put16(&w, (unsigned int)(hlen + 3));
			tls_hello_put8(&w, 0); /* host_name */
			tls_hello_put16(&w, (unsigned int)hlen);
			tls_hello_putbytes(&w, host, hlen);
		}
		tls_hello_put16(&w, TLS_HELLO_EXT_SUPPORTED_GROUPS);
		tls_hello_put16(&w,
		    (unsigned int)(2 + 2 * TLS_HELLO_NELEM(tls_hello_groups)));
		tls_hello_put16(
		    &w, (unsigned int)(2 * TLS_HELLO_NELEM(tls_hello_groups)));
		for (i = 0; i < TLS_HELLO_NELEM(tls_hello_groups); i++)
			tls_hello_put16(&w, tls_hello_groups[i]);
		tls_hello_put16(&w, TLS_HELLO_EXT_EC_POINT_FORMATS);
		tls_hello_put16(&w, 4);
		tls_hello_put8(&w, 3);
		tls_hello_put8(&w, 0); /* uncompressed */
		tls_hello_put8(&w, 1); /* ansiX962_compressed_prime */
		tls_hello_put8(&w, 2); /* ansiX962_compressed_char2 */
		if (c->version >= TLS_SUITE_TLS12) {
			tls_hello_put16(&w, TLS_HELLO_EXT_SIGNATURE_ALGORITHMS);
			tls_hello_put16(&w,
			    (unsigned int)(2 +
			        2 * TLS_HELLO_NELEM(tls_hello_sigalgs)));
			tls_hello_put16(&w,
			    (unsigned int)(2 *
			        TLS_HELLO_NELEM(tls_hello_sigalgs)));
			for (i = 0; i < TLS_HELLO_NELEM(tls_hello_sigalgs); i++)
				tls_hello_put16(&w, tls_hello_sigalgs[i]);
		}
		if (!(c->flags & TLS_HELLO_F_NO_EMS)) {
			tls_hello_put16(
			    &w, TLS_HELLO_EXT_EXTENDED_MASTER_SECRET);
			tls_hello_put16(&w, 0);
		}
		/* record length if no padding: renegotiation_info is 5 */
		unpadded = w.n - 5 + (reneg_ext ? 5 : 0);
		if (!(c->flags & TLS_HELLO_F_NO_PADDING) &&
		    unpadded >= TLS_HELLO_F5_LO &&
		    unpadded <= TLS_HELLO_F5_HI) {
			pad = TLS_HELLO_PAD_TO - unpadded;
			pad = pad >= 4 ? pad - 4 : 0;
			tls_hello_put16(&w, TLS_HELLO_EXT_PADDING);
			tls_hello_put16(&w, (unsigned int)pad);
			for (i = 0; i < pad; i++)
				tls_hello_put8(&w, 0);
		}
		if (reneg_ext) {
			tls_hello_put16(&w, TLS_HELLO_EXT_RENEGOTIATION_INFO);
			tls_hello_put16(&w, 1);
			tls_hello_put8(&w, 0);
		}
	}

	if (w.n - 5 > TLS_HELLO_MAXRECORD)
		return perr_set(err, 0, "hello too long");
	if (w.n > outsize)
		return perr_set(err, outsize, "buffer too small");
	tls_hello_patch16(&w, rec, w.n - 5);
	tls_hello_patch24(&w, hs, w.n - hs - 3);
	if (exts)
		tls_hello_patch16(&w, extl, w.n - ext);
	return (int)w.n;
}

int
tls_hello_encode_ssl2(const struct tls_hello_ssl2_client *c, uint8_t *out,
    size_t outsize, struct perr *err)
{
	struct tls_hello_w w = { out, outsize, 0 };
	size_t i, body;

	if (c->kinds == NULL || c->nkinds == 0)
		return perr_set(err, 0, "no cipher kinds");
	for (i = 0; i < c->nkinds; i++)
		if (c->kinds[i] > 0xffffff)
			return perr_set(err, i, "bad cipher kind");
	if (c->challenge == NULL || c->challenge_len < 16 ||
	    c->challenge_len > 32)
		return perr_set(err, 0, "bad challenge length");
	if (c->nkinds > TLS_HELLO_SSL2_MAXRECORD / 3)
		return perr_set(err, 0, "hello too long");
	body = 9 + 3 * c->nkinds + c->challenge_len;
	if (body > TLS_HELLO_SSL2_MAXRECORD)
		return perr_set(err, 0, "hello too long");
	if (2 + body > outsize)
		return perr_set(err, outsize, "buffer too small");
	tls_hello_put16(&w, (unsigned int)(0x8000 | body));
	tls_hello_put8(&w, TLS_HELLO_SSL2_MT_CLIENT_HELLO);
	tls_hello_put16(&w, c->version != 0 ? c->version : TLS_SUITE_SSL2);
	tls_hello_put16(&w, (unsigned int)(3 * c->nkinds));
	tls_hello_put16(&w, 0); /* session id */
	tls_hello_put16(&w, (unsigned int)c->challenge_len);
	for (i = 0; i < c->nkinds; i++) {
		tls_hello_put8(&w, c->kinds[i] >> 16 & 0xff);
		tls_hello_put16(&w, c->kinds[i] & 0xffff);
	}
	tls_hello_putbytes(&w, c->challenge, c->challenge_len);
	return (int)w.n;
}

/*
 * Parsing
 */

enum tls_hello_cur_state {
	TLS_HELLO_CUR_OK,
	TLS_HELLO_CUR_MORE, /* input ended: need is set */
	TLS_HELLO_CUR_STOP, /* a record of another type at stop */
	TLS_HELLO_CUR_ERR   /* err, erroff */
};

/* tls_hello_cur - reader over the handshake stream of a TLS connection */
struct tls_hello_cur {
	const uint8_t *p; /* borrowed: the input */
	size_t len;       /* input bytes */
	size_t pos;       /* next input byte */
	size_t rec_end;   /* end of the current record (may pass len) */
	size_t nrec;      /* handshake records entered */
	size_t hs;        /* handshake-stream bytes read so far */
	enum tls_hello_cur_state state;
	size_t need; /* MORE: input bytes still needed */
	size_t stop; /* STOP: input offset of that record */
	const char *err;
	size_t erroff;
	struct tls_hello_result *out; /* borrowed: warnings, record version */
};

static void
tls_hello_cur_fail(struct tls_hello_cur *c, size_t off, const char *msg)
{
	if (c->state == TLS_HELLO_CUR_OK) {
		c->state = TLS_HELLO_CUR_ERR;
		c->err = msg;
		c->erroff = off;
	}
}

static uint16_t
tls_hello_be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/*
 * tls_hello_cur_enter - step over record headers at pos (the current
 * record being exhausted) into the next non-empty handshake record
 */
static bool
tls_hello_cur_enter(struct tls_hello_cur *c)
{
	size_t rlen;
	uint16_t ver;

	for (;;) {
		if (c->len - c->pos < 5) {
			c->state = TLS_HELLO_CUR_MORE;
			c->need = 5 - (c->len - c->pos);
			return false;
		}
		if (c->p[c->pos] != TLS_HELLO_CT_HANDSHAKE) {
			c->state = TLS_HELLO_CUR_STOP;
			c->stop = c->pos;
			return false;
		}
		if (c->p[c->pos + 1] != 3) {
			tls_hello_cur_fail(c, c->pos, "bad record version");
			return false;
		}
		ver = tls_hello_be16(c->p + c->pos + 1);
		rlen = tls_hello_be16(c->p + c->pos + 3);
		if (rlen > TLS_HELLO_MAXRECLEN) {
			tls_hello_cur_fail(c, c->pos, "record too long");
			return false;
		}
		if (++c->nrec > TLS_HELLO_MAXRECORDS) {
			tls_hello_cur_fail(c, c->pos, "too many records");
			return false;
		}
		if (rlen > TLS_HELLO_MAXRECORD)
			c->out->warnings |= TLS_HELLO_W_RECORD_LONG;
		if (c->out->record_version == 0)
			c->out->record_version = ver;
		else if (ver != c->out->record_version)
			c->out->warnings |= TLS_HELLO_W_RECORD_VERSION;
		c->pos += 5;
		c->rec_end = c->pos + rlen;
		if (rlen > 0)
			return true;
		c->out->warnings |= TLS_HELLO_W_EMPTY_RECORD;
	}
}

/* tls_hello_cur_avail - can one more handshake byte be read at pos? */
static bool
tls_hello_cur_avail(struct tls_hello_cur *c)
{
	if (c->state != TLS_HELLO_CUR_OK)
		return false;
	if (c->pos == c->rec_end && !tls_hello_cur_enter(c))
		return false;
	if (c->pos >= c->len) {
		c->state = TLS_HELLO_CUR_MORE;
		c->need = c->rec_end - c->len;
		return false;
	}
	return true;
}

static unsigned int
tls_hello_get8(struct tls_hello_cur *c)
{
	if (!tls_hello_cur_avail(c))
		return 0;
	c->hs++;
	return c->p[c->pos++];
}

static unsigned int
tls_hello_get16(struct tls_hello_cur *c)
{
	unsigned int v = tls_hello_get8(c) << 8;

	return v | tls_hello_get8(c);
}

static size_t
tls_hello_get24(struct tls_hello_cur *c)
{
	size_t v = (size_t)tls_hello_get8(c) << 16;

	return v | tls_hello_get16(c);
}

static void
tls_hello_skip(struct tls_hello_cur *c, size_t n)
{
	size_t end, k;

	while (n > 0 && tls_hello_cur_avail(c)) {
		end = c->rec_end < c->len ? c->rec_end : c->len;
		k = end - c->pos < n ? end - c->pos : n;
		c->pos += k;
		c->hs += k;
		n -= k;
	}
}

static void
tls_hello_getbytes(struct tls_hello_cur *c, uint8_t *dst, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (uint8_t)tls_hello_get8(c);
}

/* tls_hello_add_ext - remember an extension type, flag duplicates */
static void
tls_hello_add_ext(struct tls_hello_result *out, uint16_t type)
{
	size_t i;

	for (i = 0; i < out->next; i++)
		if (out->ext[i] == type)
			out->warnings |= TLS_HELLO_W_DUP_EXT;
	if (out->next < TLS_HELLO_MAXEXT)
		out->ext[out->next++] = type;
	else
		out->warnings |= TLS_HELLO_W_MANY_EXT;
}

/* tls_hello_ext_data - read one extension's data (len bytes) */
static void
tls_hello_ext_data(struct tls_hello_cur *c, uint16_t type, size_t len)
{
	struct tls_hello_result *out = c->out;
	size_t used = 0, inner;

	switch (type) {
	case TLS_HELLO_EXT_SERVER_NAME:
		out->sni_ack = true;
		break;
	case TLS_HELLO_EXT_STATUS_REQUEST:
		out->status_request = true;
		break;
	case TLS_HELLO_EXT_EC_POINT_FORMATS:
		out->ec_point_formats = true;
		break;
	case TLS_HELLO_EXT_HEARTBEAT:
		out->heartbeat = true;
		break;
	case TLS_HELLO_EXT_ALPN:
		out->alpn = true;
		break;
	case TLS_HELLO_EXT_ENCRYPT_THEN_MAC:
		out->encrypt_then_mac = true;
		break;
	case TLS_HELLO_EXT_EXTENDED_MASTER_SECRET:
		out->ems = true;
		break;
	case TLS_HELLO_EXT_SESSION_TICKET:
		out->session_ticket = true;
		break;
	case TLS_HELLO_EXT_SUPPORTED_VERSIONS:
		out->supported_versions = true;
		if (len >= 2) {
			out->selected_version = (uint16_t)tls_hello_get16(c);
			used = 2;
		}
		if (len != 2)
			out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
		break;
	case TLS_HELLO_EXT_KEY_SHARE:
		/* ServerHello: group and key; HelloRetryRequest: group */
		if (len >= 2) {
			out->key_share_group = (uint16_t)tls_hello_get16(c);
			used = 2;
		}
		break;
	case TLS_HELLO_EXT_RENEGOTIATION_INFO:
		out->reneg_info = true;
		if (len >= 1) {
			inner = tls_hello_get8(c);
			used = 1;
			if (inner != 0)
				out->warnings |= TLS_HELLO_W_RENEG_NOT_EMPTY;
			if (inner != len - 1)
				out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
		} else {
			out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
		}
		break;
	default:
		break;
	}
	tls_hello_skip(c, len - used);
}

/* tls_hello_server_hello - the body of a ServerHello of mlen bytes */
static void
tls_hello_server_hello(struct tls_hello_cur *c, size_t mlen, size_t moff)
{
	struct tls_hello_result *out = c->out;
	size_t end = c->hs + mlen, sid, keep, elen, xlen;
	uint16_t type;

	if (mlen < TLS_HELLO_SH_MIN) {
		tls_hello_cur_fail(c, moff, "short server hello");
		return;
	}
	if (mlen > TLS_HELLO_SH_MAX) {
		tls_hello_cur_fail(c, moff, "server hello too long");
		return;
	}
	out->server_version = (uint16_t)tls_hello_get16(c);
	tls_hello_getbytes(c, out->random, TLS_HELLO_RANDOM_LEN);
	sid = tls_hello_get8(c);
	/* fixed fields read: 35 bytes; 3 more after the session id */
	if (sid > mlen - TLS_HELLO_SH_MIN) {
		tls_hello_cur_fail(c, moff, "short server hello");
		return;
	}
	if (sid > sizeof(out->session_id))
		out->warnings |= TLS_HELLO_W_SESSION_ID_LONG;
	out->session_id_len = sid;
	keep = sid < sizeof(out->session_id) ? sid : sizeof(out->session_id);
	tls_hello_getbytes(c, out->session_id, keep);
	tls_hello_skip(c, sid - keep);
	out->cipher_suite = (uint16_t)tls_hello_get16(c);
	out->compression = (uint8_t)tls_hello_get8(c);
	if (c->state != TLS_HELLO_CUR_OK)
		return;
	if (end - c->hs >= 2) {
		out->has_extensions = true;
		elen = tls_hello_get16(c);
		if (elen > end - c->hs) {
			out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
			elen = end - c->hs;
		}
		while (elen >= 4 && c->state == TLS_HELLO_CUR_OK) {
			type = (uint16_t)tls_hello_get16(c);
			xlen = tls_hello_get16(c);
			elen -= 4;
			if (c->state != TLS_HELLO_CUR_OK)
				return;
			tls_hello_add_ext(out, type);
			if (xlen > elen) {
				out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
				xlen = elen;
			}
			tls_hello_ext_data(c, type, xlen);
			elen -= xlen;
		}
		if (elen > 0) {
			out->warnings |= TLS_HELLO_W_EXT_MALFORMED;
			tls_hello_skip(c, elen);
		}
	}
	if (c->state == TLS_HELLO_CUR_OK && c->hs < end) {
		out->warnings |= TLS_HELLO_W_TRAILING;
		tls_hello_skip(c, end - c->hs);
	}
	if (c->state != TLS_HELLO_CUR_OK)
		return;
	out->hrr = memcmp(out->random, tls_hello_hrr_random,
	               TLS_HELLO_RANDOM_LEN) == 0;
	if (memcmp(out->random + 24, tls_hello_downgrade,
	        sizeof(tls_hello_downgrade)) == 0) {
		if (out->random[31] == 1)
			out->downgrade = 12;
		else if (out->random[31] == 0)
			out->downgrade = 11;
	}
}

/*
 * tls_hello_certificate - after the header of a Certificate of mlen bytes:
 * find the first certificate. Returns false when more input is needed.
 */
static bool
tls_hello_certificate(struct tls_hello_cur *c, size_t mlen)
{
	struct tls_hello_result *out = c->out;
	size_t clen, start, rec;

	if (mlen < 3) {
		out->warnings |= TLS_HELLO_W_CERT_MALFORMED;
		return true;
	}
	out->cert_list_len = tls_hello_get24(c);
	if (out->cert_list_len == 0)
		return c->state == TLS_HELLO_CUR_OK;
	if (out->cert_list_len + 3 != mlen || out->cert_list_len < 3) {
		out->warnings |= TLS_HELLO_W_CERT_MALFORMED;
		if (out->cert_list_len < 3 || mlen < 6)
			return c->state == TLS_HELLO_CUR_OK;
	}
	clen = tls_hello_get24(c);
	if (c->state != TLS_HELLO_CUR_OK)
		return false;
	if (clen == 0 || clen > mlen - 6) {
		out->warnings |= TLS_HELLO_W_CERT_MALFORMED;
		return true;
	}
	if (clen > TLS_HELLO_MAXCERT) {
		out->warnings |= TLS_HELLO_W_CERT_TOO_BIG;
		return true;
	}
	if (!tls_hello_cur_avail(c))
		return false;
	start = c->pos;
	rec = c->nrec;
	tls_hello_skip(c, clen);
	if (c->state != TLS_HELLO_CUR_OK)
		return false;
	if (c->nrec == rec) {
		out->cert_off = start;
		out->cert_len = clen;
	} else {
		out->warnings |= TLS_HELLO_W_CERT_SPLIT;
	}
	return true;
}

/* tls_hello_set_error - finish with ERROR */
static enum tls_hello_status
tls_hello_set_error(struct tls_hello_result *out, size_t off, const char *msg)
{
	out->status = TLS_HELLO_ERROR;
	out->error = msg;
	out->error_off = off;
	return out->status;
}

static enum tls_hello_status
tls_hello_need(struct tls_hello_result *out, size_t need)
{
	out->status = TLS_HELLO_NEED_MORE;
	out->need = need > 0 ? need : 1;
	return out->status;
}

static enum tls_hello_status
tls_hello_done(struct tls_hello_result *out, size_t used)
{
	out->status = TLS_HELLO_DONE;
	out->used = used;
	return out->status;
}

/*
 * tls_hello_alert_at - an alert record at off, its header already known to
 * be complete. Sets the alert fields; returns the record end, or 0 when the
 * record is not all there yet (*need set) or too short (error set).
 */
static size_t
tls_hello_alert_at(const uint8_t *p, size_t len, size_t off,
    struct tls_hello_result *out, size_t *need, const char **error)
{
	size_t rlen = tls_hello_be16(p + off + 3);

	if (rlen > TLS_HELLO_MAXRECLEN) {
		*error = "record too long";
		return 0;
	}
	if (rlen < 2) {
		*error = "short alert";
		return 0;
	}
	if (len - off - 5 < 2) {
		*need = 2 - (len - off - 5);
		return 0;
	}
	out->alert = true;
	out->alert_level = p[off + 5];
	out->alert_desc = p[off + 6];
	if (rlen > 2)
		out->warnings |= TLS_HELLO_W_ALERT_LONG;
	return off + 5 + rlen;
}

/* tls_hello_is_tls_record - could a TLS record start at p[0..n)? */
static bool
tls_hello_is_tls_record(const uint8_t *p, size_t n)
{
	if (n >= 1 &&
	    (p[0] < TLS_HELLO_CT_CCS || p[0] > TLS_HELLO_CT_HEARTBEAT))
		return false;
	return n < 2 || p[1] == 3;
}

/* tls_hello_tls - the TLS/SSLv3 path: alerts, then the handshake */
static enum tls_hello_status
tls_hello_tls(
    const uint8_t *p, size_t len, bool eof, struct tls_hello_result *out)
{
	struct tls_hello_cur c;
	const char *error = NULL;
	size_t off = 0, end, need = 0, mlen, moff;
	unsigned int type;

	/* leading alert records: a warning alert lets the server go on */
	for (;;) {
		if (len - off < 5) {
			if (off > 0 && eof)
				return tls_hello_done(out, off);
			if (eof)
				return tls_hello_set_error(
				    out, len, "truncated record");
			return tls_hello_need(out, 5 - (len - off));
		}
		if (!tls_hello_is_tls_record(p + off, 2))
			return tls_hello_set_error(
			    out, off, "unexpected record type");
		if (p[off] != TLS_HELLO_CT_ALERT)
			break;
		out->kind = TLS_HELLO_KIND_ALERT;
		if (out->record_version == 0)
			out->record_version = tls_hello_be16(p + off + 1);
		end = tls_hello_alert_at(p, len, off, out, &need, &error);
		if (error != NULL)
			return tls_hello_set_error(out, off, error);
		if (end == 0) {
			if (eof)
				return tls_hello_set_error(
				    out, len, "truncated record");
			return tls_hello_need(out, need);
		}
		if (out->alert_level != 1 ||
		    out->alert_desc == TLS_HELLO_ALERT_CLOSE_NOTIFY)
			return tls_hello_done(out, end < len ? end : len);
		if (end > len) {
			/* the rest of a long warning alert record */
			if (eof)
				return tls_hello_done(out, len);
			return tls_hello_need(out, end - len);
		}
		off = end;
		if (len - off == 0 && eof)
			return tls_hello_done(out, off);
	}
	if (p[off] != TLS_HELLO_CT_HANDSHAKE)
		return tls_hello_set_error(out, off, "unexpected record type");
	if (out->alert)
		out->alert_before_hello = true;
	out->kind = TLS_HELLO_KIND_SERVER_HELLO;

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.len = len;
	c.pos = c.rec_end = off;
	c.out = out;

	/* the ServerHello, after any HelloRequest */
	for (;;) {
		/* enter the record first, so moff is the message's offset */
		(void)tls_hello_cur_avail(&c);
		moff = c.pos;
		type = tls_hello_get8(&c);
		mlen = tls_hello_get24(&c);
		if (c.state != TLS_HELLO_CUR_OK)
			break;
		if (type == TLS_HELLO_HS_HELLO_REQUEST && mlen == 0) {
			out->warnings |= TLS_HELLO_W_HELLO_REQUEST;
			continue;
		}
		if (type != TLS_HELLO_HS_SERVER_HELLO)
			return tls_hello_set_error(
			    out, moff, "unexpected handshake message");
		tls_hello_server_hello(&c, mlen, moff);
		break;
	}
	switch (c.state) {
	case TLS_HELLO_CUR_OK:
		break;
	case TLS_HELLO_CUR_MORE:
		if (eof)
			return tls_hello_set_error(
			    out, len, "truncated server hello");
		return tls_hello_need(out, c.need);
	case TLS_HELLO_CUR_STOP:
		/* the server gave up in mid-hello: report its alert */
		if (p[c.stop] == TLS_HELLO_CT_ALERT &&
		    tls_hello_is_tls_record(p + c.stop, 2)) {
			out->kind = TLS_HELLO_KIND_ALERT;
			end = tls_hello_alert_at(
			    p, len, c.stop, out, &need, &error);
			if (error != NULL)
				return tls_hello_set_error(out, c.stop, error);
			if (end == 0) {
				if (eof)
					return tls_hello_set_error(
					    out, len, "truncated record");
				return tls_hello_need(out, need);
			}
			return tls_hello_done(out, end < len ? end : len);
		}
		return tls_hello_set_error(
		    out, c.stop, "unexpected record type");
	case TLS_HELLO_CUR_ERR:
		return tls_hello_set_error(out, c.erroff, c.err);
	}

	/* TLS 1.3 (or a HelloRetryRequest): the rest is encrypted */
	if (out->hrr || out->selected_version >= TLS_SUITE_TLS13 ||
	    out->server_version >= TLS_SUITE_TLS13)
		return tls_hello_done(out, c.pos);

	/* what follows the ServerHello */
	type = tls_hello_get8(&c);
	mlen = tls_hello_get24(&c);
	if (c.state == TLS_HELLO_CUR_OK) {
		out->next_msg = (int)type;
		if (type != TLS_HELLO_HS_CERTIFICATE)
			return tls_hello_done(out, c.pos);
		out->certificate = true;
		if (tls_hello_certificate(&c, mlen))
			return tls_hello_done(out, c.pos);
	}
	switch (c.state) {
	case TLS_HELLO_CUR_MORE:
		if (eof) {
			out->warnings |= TLS_HELLO_W_FLIGHT_TRUNCATED;
			return tls_hello_done(out, len);
		}
		return tls_hello_need(out, c.need);
	case TLS_HELLO_CUR_STOP:
		if (p[c.stop] == TLS_HELLO_CT_ALERT && len - c.stop >= 7 &&
		    tls_hello_be16(p + c.stop + 3) >= 2) {
			out->alert = true;
			out->alert_level = p[c.stop + 5];
			out->alert_desc = p[c.stop + 6];
		}
		return tls_hello_done(out, c.stop);
	case TLS_HELLO_CUR_ERR:
		/* the ServerHello stands; what follows it is broken */
		out->warnings |= TLS_HELLO_W_FLIGHT_TRUNCATED;
		return tls_hello_done(out, c.erroff);
	case TLS_HELLO_CUR_OK:
		break;
	}
	return tls_hello_done(out, c.pos);
}

/* tls_hello_ssl2 - an SSLv2 record with a 2-byte header */
static enum tls_hello_status
tls_hello_ssl2(
    const uint8_t *p, size_t len, bool eof, struct tls_hello_result *out)
{
	size_t rlen, clen, slen, ilen, off, i, n;
	uint32_t kind;

	rlen = (size_t)(p[0] & 0x7f) << 8 | p[1];
	if (p[2] == TLS_HELLO_SSL2_MT_ERROR) {
		out->kind = TLS_HELLO_KIND_SSL2_ERROR;
		if (rlen < 3)
			return tls_hello_set_error(out, 0, "short ssl2 record");
	} else {
		out->kind = TLS_HELLO_KIND_SSL2_HELLO;
		if (rlen < 11)
			return tls_hello_set_error(out, 0, "short ssl2 record");
	}
	if (len - 2 < rlen) {
		if (eof)
			return tls_hello_set_error(
			    out, len, "truncated ssl2 record");
		return tls_hello_need(out, rlen - (len - 2));
	}
	if (out->kind == TLS_HELLO_KIND_SSL2_ERROR) {
		out->ssl2_error = tls_hello_be16(p + 3);
		if (rlen > 3)
			out->warnings |= TLS_HELLO_W_TRAILING;
		return tls_hello_done(out, 2 + rlen);
	}
	out->ssl2_session_id_hit = p[3] != 0;
	out->ssl2_cert_type = p[4];
	out->ssl2_version = tls_hello_be16(p + 5);
	clen = tls_hello_be16(p + 7);
	slen = tls_hello_be16(p + 9);
	ilen = tls_hello_be16(p + 11);
	if (clen + slen + ilen > rlen - 11)
		return tls_hello_set_error(
		    out, 7, "ssl2 lengths exceed record");
	if (clen + slen + ilen < rlen - 11)
		out->warnings |= TLS_HELLO_W_TRAILING;
	/* we never send a session id, so a hit is the server's bug */
	if (out->ssl2_session_id_hit)
		out->warnings |= TLS_HELLO_W_SSL2_SESSION_HIT;
	off = 13;
	out->cert_off = clen > 0 ? off : 0;
	out->cert_len = clen;
	off += clen;
	if (slen % 3 != 0)
		out->warnings |= TLS_HELLO_W_SSL2_SPECS_LEN;
	n = slen / 3;
	out->ssl2_specs_total = n;
	for (i = 0; i < n; i++) {
		kind = (uint32_t)p[off + 3 * i] << 16 |
		    (uint32_t)p[off + 3 * i + 1] << 8 | p[off + 3 * i + 2];
		if (out->nssl2_specs < TLS_HELLO_MAXSPECS)
			out->ssl2_specs[out->nssl2_specs++] = kind;
		else
			out->warnings |= TLS_HELLO_W_SSL2_MANY_SPECS;
	}
	off += slen;
	out->ssl2_conn_id_off = off;
	out->ssl2_conn_id_len = ilen;
	if (ilen < 16 || ilen > 32)
		out->warnings |= TLS_HELLO_W_SSL2_CONN_ID;
	return tls_hello_done(out, 2 + rlen);
}

/* tls_hello_garbage - describe the first bytes of a non-TLS answer */
static enum tls_hello_status
tls_hello_garbage(
    const uint8_t *p, size_t len, bool eof, struct tls_hello_result *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len < TLS_HELLO_PEEK ? len : TLS_HELLO_PEEK, i, o = 0;
	bool text = true;
	int ch;

	out->kind = TLS_HELLO_KIND_GARBAGE;
	out->garbage_len = n;
	for (i = 0; i < n; i++) {
		ch = p[i];
		if (!ascii_isprint(ch) && ch != '\r' && ch != '\n' &&
		    ch != '\t')
			text = false;
		if (ch == '\\' || ch == '\r' || ch == '\n' || ch == '\t') {
			out->excerpt[o++] = '\\';
			out->excerpt[o++] = ch == '\\' ? '\\'
			    : ch == '\r'               ? 'r'
			    : ch == '\n'               ? 'n'
			                               : 't';
		} else if (ascii_isprint(ch)) {
			out->excerpt[o++] = (char)ch;
		} else {
			out->excerpt[o++] = '\\';
			out->excerpt[o++] = 'x';
			out->excerpt[o++] = hex[ch >> 4];
			out->excerpt[o++] = hex[ch & 0xf];
		}
	}
	out->excerpt[o] = '\0';
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		out->garbage = TLS_HELLO_GARBAGE_HTTP;
	else if (n >= 4 && ascii_isdigit(p[0]) && ascii_isdigit(p[1]) &&
	    ascii_isdigit(p[2]) &&
	    (p[3] == ' ' || p[3] == '-' || p[3] == '\r' || p[3] == '\n'))
		out->garbage = TLS_HELLO_GARBAGE_SMTP;
	else if (text)
		out->garbage = TLS_HELLO_GARBAGE_TEXT;
	else
		out->garbage = TLS_HELLO_GARBAGE_BINARY;
	if (n < TLS_HELLO_PEEK && !eof && memchr(p, '\n', n) == NULL)
		return tls_hello_need(out, 1);
	return tls_hello_done(out, n);
}

enum tls_hello_status
tls_hello_parse(
    const uint8_t *p, size_t len, bool eof, struct tls_hello_result *out)
{
	memset(out, 0, sizeof(*out));
	out->next_msg = -1;
	if (len == 0) {
		if (eof)
			return tls_hello_set_error(out, 0, tls_hello_err_empty);
		return tls_hello_need(out, 1);
	}
	if (p[0] >= TLS_HELLO_CT_CCS && p[0] <= TLS_HELLO_CT_HEARTBEAT) {
		if (len < 2 && !eof)
			return tls_hello_need(out, 1);
		if (len >= 2 && p[1] == 3)
			return tls_hello_tls(p, len, eof, out);
		if (len < 2)
			return tls_hello_set_error(
			    out, len, "truncated record");
	} else if (p[0] & 0x80) {
		if (len < 3 && !eof)
			return tls_hello_need(out, 3 - len);
		if (len >= 3 &&
		    (p[2] == TLS_HELLO_SSL2_MT_SERVER_HELLO ||
		        p[2] == TLS_HELLO_SSL2_MT_ERROR))
			return tls_hello_ssl2(p, len, eof, out);
	}
	return tls_hello_garbage(p, len, eof, out);
}

/*
 * Classification
 */

void
tls_hello_classify(const struct tls_hello_result *r,
    const struct tls_hello_offer *offer, struct tls_hello_verdict *v)
{
	const struct tls_suite *s;
	size_t i, j;
	uint16_t ver;
	bool offered;

	memset(v, 0, sizeof(*v));
	if (r->status == TLS_HELLO_NEED_MORE) {
		v->outcome = TLS_HELLO_INCOMPLETE;
		return;
	}
	if (r->status == TLS_HELLO_ERROR) {
		v->outcome = r->error == tls_hello_err_empty
		    ? TLS_HELLO_CLOSED
		    : TLS_HELLO_MALFORMED;
		return;
	}
	switch (r->kind) {
	case TLS_HELLO_KIND_ALERT:
		v->outcome = TLS_HELLO_REJECTED_ALERT;
		v->version = r->record_version;
		return;
	case TLS_HELLO_KIND_SSL2_ERROR:
		v->outcome = offer->version == TLS_SUITE_SSL2
		    ? TLS_HELLO_REJECTED_SSL2_ERROR
		    : TLS_HELLO_OTHER_PROTOCOL;
		v->version = TLS_SUITE_SSL2;
		return;
	case TLS_HELLO_KIND_GARBAGE:
		v->outcome = TLS_HELLO_GARBAGE;
		return;
	case TLS_HELLO_KIND_SSL2_HELLO:
		v->version = r->ssl2_version;
		if (offer->version != TLS_SUITE_SSL2) {
			v->outcome = TLS_HELLO_OTHER_PROTOCOL;
			return;
		}
		for (i = 0; i < r->nssl2_specs; i++)
			for (j = 0; j < offer->nkinds; j++)
				if (r->ssl2_specs[i] == offer->kinds[j]) {
					if (v->nshared++ == 0)
						v->cipher = r->ssl2_specs[i];
					break;
				}
		if (v->nshared > 0)
			v->outcome = TLS_HELLO_ACCEPTED;
		else if (r->ssl2_specs_total == 0)
			v->outcome = TLS_HELLO_SSL2_NO_CIPHERS;
		else
			v->outcome = TLS_HELLO_ACCEPTED_UNOFFERED;
		return;
	case TLS_HELLO_KIND_SERVER_HELLO:
		break;
	default:
		v->outcome = TLS_HELLO_MALFORMED;
		return;
	}
	ver = r->supported_versions && r->selected_version != 0
	    ? r->selected_version
	    : r->server_version;
	v->version = ver;
	v->cipher = r->cipher_suite;
	if (offer->version == TLS_SUITE_SSL2) {
		v->outcome = TLS_HELLO_OTHER_PROTOCOL;
		return;
	}
	if (ver < offer->version) {
		v->outcome = TLS_HELLO_REJECTED_VERSION;
		return;
	}
	if (ver > offer->version) {
		v->outcome = TLS_HELLO_VERSION_HIGHER;
		return;
	}
	offered = false;
	for (i = 0; i < offer->nsuites; i++)
		if (offer->suites[i] == r->cipher_suite)
			offered = true;
	v->outcome =
	    offered ? TLS_HELLO_ACCEPTED : TLS_HELLO_ACCEPTED_UNOFFERED;
	s = tls_suite_lookup(r->cipher_suite);
	v->cipher_not_legal = s == NULL || (s->flags & TLS_SUITE_F_SCSV) ||
	    !tls_suite_legal(s, ver);
}

/*
 * Names
 */

static const struct {
	uint8_t desc;
	const char *name;
} tls_hello_alerts[] = {
	{ 0, "close_notify" },
	{ 10, "unexpected_message" },
	{ 20, "bad_record_mac" },
	{ 21, "decryption_failed" },
	{ 22, "record_overflow" },
	{ 30, "decompression_failure" },
	{ 40, "handshake_failure" },
	{ 41, "no_certificate" },
	{ 42, "bad_certificate" },
	{ 43, "unsupported_certificate" },
	{ 44, "certificate_revoked" },
	{ 45, "certificate_expired" },
	{ 46, "certificate_unknown" },
	{ 47, "illegal_parameter" },
	{ 48, "unknown_ca" },
	{ 49, "access_denied" },
	{ 50, "decode_error" },
	{ 51, "decrypt_error" },
	{ 60, "export_restriction" },
	{ 70, "protocol_version" },
	{ 71, "insufficient_security" },
	{ 80, "internal_error" },
	{ 86, "inappropriate_fallback" },
	{ 90, "user_canceled" },
	{ 100, "no_renegotiation" },
	{ 109, "missing_extension" },
	{ 110, "unsupported_extension" },
	{ 111, "certificate_unobtainable" },
	{ 112, "unrecognized_name" },
	{ 113, "bad_certificate_status_response" },
	{ 114, "bad_certificate_hash_value" },
	{ 115, "unknown_psk_identity" },
	{ 116, "certificate_required" },
	{ 120, "no_application_protocol" },
	{ 121, "ech_required" },
};

static const struct {
	uint16_t type;
	const char *name;
} tls_hello_exts[] = {
	{ 0, "server_name" },
	{ 1, "max_fragment_length" },
	{ 5, "status_request" },
	{ 10, "supported_groups" },
	{ 11, "ec_point_formats" },
	{ 13, "signature_algorithms" },
	{ 15, "heartbeat" },
	{ 16, "application_layer_protocol_negotiation" },
	{ 17, "status_request_v2" },
	{ 18, "signed_certificate_timestamp" },
	{ 21, "padding" },
	{ 22, "encrypt_then_mac" },
	{ 23, "extended_master_secret" },
	{ 27, "compress_certificate" },
	{ 28, "record_size_limit" },
	{ 35, "session_ticket" },
	{ 41, "pre_shared_key" },
	{ 42, "early_data" },
	{ 43, "supported_versions" },
	{ 44, "cookie" },
	{ 45, "psk_key_exchange_modes" },
	{ 51, "key_share" },
	{ 13172, "next_protocol_negotiation" },
	{ 0xff01, "renegotiation_info" },
};

static const char *const tls_hello_kind_names[] = { "none", "server-hello",
	"alert", "ssl2-server-hello", "ssl2-error", "garbage" };
_Static_assert(TLS_HELLO_NELEM(tls_hello_kind_names) == TLS_HELLO_KIND_MAX,
    "tls_hello_kind_names");

static const char *const tls_hello_garbage_names[] = { "binary", "text", "smtp",
	"http" };
_Static_assert(
    TLS_HELLO_NELEM(tls_hello_garbage_names) == TLS_HELLO_GARBAGE_MAX,
    "tls_hello_garbage_names");

static const char *const tls_hello_outcome_names[] = { "accepted",
	"accepted-unoffered", "ssl2-no-ciphers", "rejected-version",
	"rejected-alert", "rejected-ssl2-error", "version-higher",
	"other-protocol", "garbage", "malformed", "closed", "incomplete" };
_Static_assert(
    TLS_HELLO_NELEM(tls_hello_outcome_names) == TLS_HELLO_OUTCOME_MAX,
    "tls_hello_outcome_names");

/* tls_hello_warning_names - indexed by bit number */
static const char *const tls_hello_warning_names[] = { "record-version",
	"record-long", "empty-record", "hello-request", "session-id-long",
	"ext-malformed", "dup-ext", "many-ext", "trailing", "reneg-not-empty",
	"alert-long", "cert-split", "cert-too-big", "cert-malformed",
	"flight-truncated", "ssl2-specs-len", "ssl2-many-specs", "ssl2-conn-id",
	"ssl2-session-hit" };
_Static_assert(
    TLS_HELLO_NELEM(tls_hello_warning_names) == 19, "tls_hello_warning_names");

const char *
tls_hello_alert_name(uint8_t desc)
{
	size_t i;

	for (i = 0; i < TLS_HELLO_NELEM(tls_hello_alerts); i++)
		if (tls_hello_alerts[i].desc == desc)
			return tls_hello_alerts[i].name;
	return NULL;
}

const char *
tls_hello_alert_level_name(uint8_t level)
{
	if (level == 1)
		return "warning";
	if (level == 2)
		return "fatal";
	return NULL;
}

const char *
tls_hello_ssl2_error_name(uint16_t code)
{
	switch (code) {
	case TLS_HELLO_SSL2_NO_CIPHER:
		return "no_cipher";
	case TLS_HELLO_SSL2_NO_CERTIFICATE:
		return "no_certificate";
	case TLS_HELLO_SSL2_BAD_CERTIFICATE:
		return "bad_certificate";
	case TLS_HELLO_SSL2_UNSUPPORTED_CERTIFICATE_TYPE:
		return "unsupported_certificate_type";
	default:
		return NULL;
	}
}

const char *
tls_hello_version_name(uint16_t version)
{
	switch (version) {
	case TLS_SUITE_SSL2:
		return "SSLv2";
	case TLS_SUITE_SSL3:
		return "SSLv3";
	case TLS_SUITE_TLS10:
		return "TLSv1.0";
	case TLS_SUITE_TLS11:
		return "TLSv1.1";
	case TLS_SUITE_TLS12:
		return "TLSv1.2";
	case TLS_SUITE_TLS13:
		return "TLSv1.3";
	default:
		return NULL;
	}
}

const char *
tls_hello_ext_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < TLS_HELLO_NELEM(tls_hello_exts); i++)
		if (tls_hello_exts[i].type == type)
			return tls_hello_exts[i].name;
	return NULL;
}

const char *
tls_hello_kind_name(enum tls_hello_kind kind)
{
	return (unsigned int)kind < TLS_HELLO_KIND_MAX
	    ? tls_hello_kind_names[kind]
	    : "?";
}

const char *
tls_hello_garbage_name(enum tls_hello_garbage g)
{
	return (unsigned int)g < TLS_HELLO_GARBAGE_MAX
	    ? tls_hello_garbage_names[g]
	    : "?";
}

const char *
tls_hello_outcome_name(enum tls_hello_outcome o)
{
	return (unsigned int)o < TLS_HELLO_OUTCOME_MAX
	    ? tls_hello_outcome_names[o]
	    : "?";
}

const char *
tls_hello_warning_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < TLS_HELLO_NELEM(tls_hello_warning_names); i++)
		if (bit == (uint32_t)1 << i)
			return tls_hello_warning_names[i];
	return NULL;
}
