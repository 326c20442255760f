/* SPDX-License-Identifier: ISC */
/*
 * tls_hello - hand-written ClientHellos out, the server's first flight in:
 * the raw path that finds SSLv2, SSLv3, RC4, 3DES and EXPORT, which
 * OpenSSL 3 can no longer offer (RFC 6101, RFC 5246, RFC 6066, RFC 8422,
 * RFC 7507, RFC 7685, draft-hickman-netscape-ssl-00).
 *
 * Encoders write a complete record into a caller buffer: an SSLv2
 * CLIENT-HELLO, or an SSLv3/TLS 1.0-1.2 ClientHello. Randomness comes from
 * the caller. The parser reads what the server sent back (TLS/SSLv3
 * ServerHello and the start of its Certificate, alerts, SSLv2 SERVER-HELLO
 * and ERROR, or anything else as GARBAGE), and is incremental in the
 * simplest way: the caller keeps appending to one buffer and calls
 * tls_hello_parse() on all of it until the status is not NEED_MORE. It is
 * stateless, so it can be called again on a longer buffer at any time.
 * tls_hello_classify() turns a result and what was offered into a verdict.
 *
 * Lenient: RFC violations that do not stop the parse come back as warning
 * bits; only inputs that cannot be read at all are errors. Every length is
 * checked against the input and capped. Pure: no I/O, no globals, no
 * allocation; results point into the caller's buffer by offset only.
 * TLS 1.3 is not spoken here (the engine uses OpenSSL for it), but a
 * ServerHello that selects it is recognised.
 */
#ifndef MX_PROTO_TLS_HELLO_H
#define MX_PROTO_TLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

#define TLS_HELLO_RANDOM_LEN 32
#define TLS_HELLO_MAXRECORD  16384 /* TLSPlaintext.length (RFC 5246 6.2.1) */
/* the longest record the parser accepts (TLSCiphertext: 2^14 + 2048) */
#define TLS_HELLO_MAXRECLEN  18432
/* a buffer this big holds any hello the encoders can produce */
#define TLS_HELLO_BUFSIZE    (5 + TLS_HELLO_MAXRECORD)
#define TLS_HELLO_MAXRECORDS 64 /* records before the first certificate ends */
#define TLS_HELLO_MAXEXT     32 /* extension types kept from a ServerHello */
#define TLS_HELLO_MAXSPECS   64 /* cipher kinds kept from an SSLv2 hello */
#define TLS_HELLO_MAXCERT    65536 /* longest first certificate waited for */
#define TLS_HELLO_PEEK       64    /* bytes of garbage examined and kept */

/* TLS alert descriptions (RFC 8446 6, RFC 5246 7.2) the probe meets */
#define TLS_HELLO_ALERT_CLOSE_NOTIFY           0
#define TLS_HELLO_ALERT_HANDSHAKE_FAILURE      40
#define TLS_HELLO_ALERT_ILLEGAL_PARAMETER      47
#define TLS_HELLO_ALERT_DECODE_ERROR           50
#define TLS_HELLO_ALERT_PROTOCOL_VERSION       70
#define TLS_HELLO_ALERT_INSUFFICIENT_SECURITY  71
#define TLS_HELLO_ALERT_INTERNAL_ERROR         80
#define TLS_HELLO_ALERT_INAPPROPRIATE_FALLBACK 86
#define TLS_HELLO_ALERT_UNRECOGNIZED_NAME      112

/* SSLv2 ERROR codes (draft C.3) */
#define TLS_HELLO_SSL2_NO_CIPHER                    0x0001
#define TLS_HELLO_SSL2_NO_CERTIFICATE               0x0002
#define TLS_HELLO_SSL2_BAD_CERTIFICATE              0x0004
#define TLS_HELLO_SSL2_UNSUPPORTED_CERTIFICATE_TYPE 0x0006

/* extension types the parser reports by name */
#define TLS_HELLO_EXT_SERVER_NAME            0
#define TLS_HELLO_EXT_STATUS_REQUEST         5
#define TLS_HELLO_EXT_SUPPORTED_GROUPS       10
#define TLS_HELLO_EXT_EC_POINT_FORMATS       11
#define TLS_HELLO_EXT_SIGNATURE_ALGORITHMS   13
#define TLS_HELLO_EXT_HEARTBEAT              15
#define TLS_HELLO_EXT_ALPN                   16
#define TLS_HELLO_EXT_PADDING                21
#define TLS_HELLO_EXT_ENCRYPT_THEN_MAC       22
#define TLS_HELLO_EXT_EXTENDED_MASTER_SECRET 23
#define TLS_HELLO_EXT_SESSION_TICKET         35
#define TLS_HELLO_EXT_SUPPORTED_VERSIONS     43
#define TLS_HELLO_EXT_KEY_SHARE              51
#define TLS_HELLO_EXT_RENEGOTIATION_INFO     0xff01

/*
 * Encoding
 */

enum tls_hello_flags {
	/* append TLS_FALLBACK_SCSV (RFC 7507) to the cipher list */
	TLS_HELLO_F_FALLBACK_SCSV = (1 << 0),
	/*
	 * signal secure renegotiation with TLS_EMPTY_RENEGOTIATION_INFO_SCSV
	 * instead of the renegotiation_info extension (RFC 5746 3.3); the
	 * SCSV is always used when no extensions are sent
	 */
	TLS_HELLO_F_RENEG_SCSV = (1 << 1),
	/* send no extensions at all (the default for SSLv3) */
	TLS_HELLO_F_NO_EXTENSIONS = (1 << 2),
	/* send the extensions with an SSLv3 hello too */
	TLS_HELLO_F_SSL3_EXTENSIONS = (1 << 3),
	/* leave out extended_master_secret (RFC 7627) */
	TLS_HELLO_F_NO_EMS = (1 << 4),
	/* never add the RFC 7685 padding extension */
	TLS_HELLO_F_NO_PADDING = (1 << 5),
};

struct tls_hello_client {
	/*
	 * client_version: 0x0300 (SSLv3) .. 0x0303 (TLS 1.2); anything up to
	 * 0x03ff is written as given, to test version tolerance
	 */
	uint16_t version;
	/* record-layer version; 0 means 0x0300 for SSLv3, 0x0301 above */
	uint16_t record_version;
	const uint16_t *suites; /* borrowed: cipher suites, in order */
	size_t nsuites;         /* at least 1 */
	/*
	 * borrowed, NUL-terminated: the server_name (RFC 6066 3), sent when
	 * extensions are and the version is above SSLv3. NULL, "" and IP
	 * literals (which RFC 6066 forbids there: names of digits and dots
	 * only, or with ':' or '[') send none; one trailing dot is dropped
	 */
	const char *host;
	const uint8_t *random; /* borrowed: TLS_HELLO_RANDOM_LEN bytes */
	unsigned int flags;    /* enum tls_hello_flags */
};

/*
 * tls_hello_encode - write one handshake record holding a ClientHello into
 * out[0 .. outsize) and return its length, or -1 with err set.
 *
 * The hello has an empty session id, the null compression method only,
 * and the caller's suites (plus TLS_EMPTY_RENEGOTIATION_INFO_SCSV when no
 * extensions are sent or TLS_HELLO_F_RENEG_SCSV is given, and
 * TLS_FALLBACK_SCSV last with TLS_HELLO_F_FALLBACK_SCSV; neither is added
 * twice). Unless TLS_HELLO_F_NO_EXTENSIONS (and, for SSLv3, unless
 * TLS_HELLO_F_SSL3_EXTENSIONS) the extensions are, in this order:
 *   server_name          when host is usable (see above);
 *   supported_groups     x25519, secp256r1, x448, secp521r1, secp384r1,
 *                        brainpoolP512r1/384r1/256r1, secp256k1,
 *                        secp224r1, secp192r1, sect571r1/k1, sect409r1/k1,
 *                        sect283r1/k1, ffdhe2048..ffdhe8192, so that a
 *                        server can pick ECDHE (RFC 8422 4) or a named DH
 *                        group;
 *   ec_point_formats     uncompressed, ansiX962_compressed_prime and _char2;
 *   signature_algorithms for TLS 1.2 and above only: the RSA-PSS, EdDSA,
 *                        ECDSA, RSA and DSA schemes with SHA-512 down to
 *                        SHA-1 and MD5, so that old servers find a pair;
 *   extended_master_secret unless TLS_HELLO_F_NO_EMS;
 *   padding              see below;
 *   renegotiation_info   empty (RFC 5746), unless TLS_HELLO_F_RENEG_SCSV;
 *                        kept last because some servers reject a hello
 *                        whose last extension is empty.
 *
 * Size: some F5 BIG-IP versions hang on a ClientHello record whose length
 * (TLSPlaintext.length) is 256..511 bytes. Rather than shrink the cipher
 * list, the encoder follows RFC 7685: when extensions are sent and the
 * record would fall in that range, a padding extension brings it to
 * exactly 512 bytes (TLS_HELLO_F_NO_PADDING turns this off). A hello
 * without extensions cannot be padded: its record is 43 + 2 * n bytes for
 * n cipher-list entries (SCSVs included), so the caller keeps n <= 106 or
 * n >= 235 (SSLv3 scans split their list into chunks of 100).
 *
 * Errors: "no cipher suites", "unsupported version" (outside
 * 0x0300..0x03ff), "no random", "host name too long" (over 255 bytes),
 * "hello too long" (record over TLS_HELLO_MAXRECORD), "buffer too small".
 */
int tls_hello_encode(const struct tls_hello_client *c, uint8_t *out,
    size_t outsize, struct perr *err);

struct tls_hello_ssl2_client {
	/*
	 * 0 means 0x0002 (SSLv2); 0x0300 and above make a version-2
	 * compatible hello as old SSLv3/TLS clients sent (RFC 5246 E.2)
	 */
	uint16_t version;
	/* borrowed: kinds 0x00XXYYZZ; TLS suites go in as 0x0000XXYY */
	const uint32_t *kinds;
	size_t nkinds;            /* at least 1 */
	const uint8_t *challenge; /* borrowed: challenge_len random bytes */
	size_t challenge_len;     /* 16..32; 16 is what servers expect */
};

/*
 * tls_hello_encode_ssl2 - write an SSLv2 CLIENT-HELLO (2-byte record
 * header with the high bit set, no session id) into out[0 .. outsize) and
 * return its length, or -1 with err set: "no cipher kinds", "bad cipher
 * kind" (above 0xffffff), "bad challenge length", "hello too long" (record
 * over 32767 bytes), "buffer too small".
 */
int tls_hello_encode_ssl2(const struct tls_hello_ssl2_client *c, uint8_t *out,
    size_t outsize, struct perr *err);

/*
 * Parsing
 */

enum tls_hello_status {
	TLS_HELLO_NEED_MORE, /* call again with more bytes; see need */
	TLS_HELLO_DONE,      /* see kind */
	TLS_HELLO_ERROR      /* see error; the response is malformed */
};

enum tls_hello_kind {
	TLS_HELLO_KIND_NONE,         /* nothing recognised yet */
	TLS_HELLO_KIND_SERVER_HELLO, /* TLS or SSLv3 ServerHello */
	TLS_HELLO_KIND_ALERT,        /* a TLS/SSLv3 alert instead */
	TLS_HELLO_KIND_SSL2_HELLO,   /* SSLv2 SERVER-HELLO */
	TLS_HELLO_KIND_SSL2_ERROR,   /* SSLv2 ERROR message */
	TLS_HELLO_KIND_GARBAGE,      /* not SSL/TLS at all */
	TLS_HELLO_KIND_MAX
};

/* what garbage looked like */
enum tls_hello_garbage {
	TLS_HELLO_GARBAGE_BINARY, /* anything else */
	TLS_HELLO_GARBAGE_TEXT,   /* printable ASCII, CR, LF, TAB only */
	TLS_HELLO_GARBAGE_SMTP,   /* "NNN " / "NNN-": an SMTP reply */
	TLS_HELLO_GARBAGE_HTTP,   /* "HTTP/" */
	TLS_HELLO_GARBAGE_MAX
};

/* RFC violations that did not stop the parse */
enum tls_hello_warning {
	TLS_HELLO_W_RECORD_VERSION = (1 << 0),  /* records differ in version */
	TLS_HELLO_W_RECORD_LONG = (1 << 1),     /* a record over 2^14 bytes */
	TLS_HELLO_W_EMPTY_RECORD = (1 << 2),    /* a zero-length record */
	TLS_HELLO_W_HELLO_REQUEST = (1 << 3),   /* skipped before ServerHello */
	TLS_HELLO_W_SESSION_ID_LONG = (1 << 4), /* session id over 32 bytes */
	TLS_HELLO_W_EXT_MALFORMED = (1 << 5),   /* lengths inside extensions */
	TLS_HELLO_W_DUP_EXT = (1 << 6),         /* an extension type twice */
	TLS_HELLO_W_MANY_EXT = (1 << 7),        /* over TLS_HELLO_MAXEXT */
	TLS_HELLO_W_TRAILING = (1 << 8),        /* bytes after the last field */
	TLS_HELLO_W_RENEG_NOT_EMPTY = (1 << 9), /* renegotiation_info data */
	TLS_HELLO_W_ALERT_LONG = (1 << 10),     /* alert record over 2 bytes */
	TLS_HELLO_W_CERT_SPLIT = (1 << 11),     /* first cert spans records */
	TLS_HELLO_W_CERT_TOO_BIG = (1 << 12),   /* over TLS_HELLO_MAXCERT */
	TLS_HELLO_W_CERT_MALFORMED = (1 << 13), /* certificate lengths */
	TLS_HELLO_W_FLIGHT_TRUNCATED = (1 << 14), /* eof after ServerHello */
	TLS_HELLO_W_SSL2_SPECS_LEN = (1 << 15),   /* not a multiple of 3 */
	TLS_HELLO_W_SSL2_MANY_SPECS = (1 << 16),  /* over TLS_HELLO_MAXSPECS */
	TLS_HELLO_W_SSL2_CONN_ID = (1 << 17),     /* connection id not 16..32 */
	TLS_HELLO_W_SSL2_SESSION_HIT = (1 << 18), /* hit with no session */
};

/* about 830 bytes: fine on the stack */
struct tls_hello_result {
	enum tls_hello_status status; /* also the return value */
	/*
	 * what the response is; already set while NEED_MORE when known
	 * (e.g. ALERT after a warning alert, GARBAGE while waiting for more
	 * of it), so a caller that times out can still report it
	 */
	enum tls_hello_kind kind;
	/*
	 * NEED_MORE: how many more bytes (>= 1) complete the record, or
	 * record header, being read (1 while a garbage line is awaited). A
	 * reader asking for at most this many never reads past that record;
	 * the parser may conclude sooner, so call it again whenever bytes
	 * arrive.
	 */
	size_t need;
	size_t used;       /* DONE: bytes of input the result covers */
	const char *error; /* ERROR: static message */
	size_t error_off;  /* ERROR: where, in the input */
	uint32_t warnings; /* enum tls_hello_warning bits */

	/* TLS_HELLO_KIND_SERVER_HELLO */
	uint16_t record_version; /* of the first record */
	uint16_t server_version;
	uint8_t random[TLS_HELLO_RANDOM_LEN];
	uint8_t session_id[32];
	size_t session_id_len; /* as sent (may exceed 32: the rest dropped) */
	uint16_t cipher_suite;
	uint8_t compression; /* 0 null, 1 deflate (CRIME) */
	bool has_extensions; /* an extensions block was present, maybe empty */
	uint16_t ext[TLS_HELLO_MAXEXT]; /* extension types in order */
	size_t next;                    /* entries of ext[] */
	bool reneg_info;                /* renegotiation_info (RFC 5746) */
	bool ems;                       /* extended_master_secret (RFC 7627) */
	bool sni_ack; /* empty server_name: the host name was used */
	bool ec_point_formats, session_ticket, status_request, encrypt_then_mac,
	    heartbeat, alpn;
	bool supported_versions;   /* sent although TLS 1.3 was not offered? */
	uint16_t selected_version; /* supported_versions value, else 0 */
	uint16_t key_share_group;  /* key_share group (TLS 1.3), else 0 */
	bool hrr;                  /* random is the HelloRetryRequest value */
	/*
	 * random ends in the RFC 8446 4.1.3 downgrade sentinel: a TLS 1.3
	 * server answering with TLS 1.2 (12) or 1.1 and below (11), else 0
	 */
	int downgrade;
	/*
	 * the handshake message after the ServerHello: its type, or -1 when
	 * none was seen (TLS 1.3, end of data, another record type)
	 */
	int next_msg;
	bool certificate; /* that message is a Certificate */
	/*
	 * the first certificate's DER, as input offset and length, when it
	 * lies whole in one record; cert_len is 0 otherwise (see warnings)
	 * -- also used for the SSLv2 SERVER-HELLO certificate
	 */
	size_t cert_off, cert_len;
	size_t cert_list_len; /* certificate_list length as declared */

	/* an alert: the answer (KIND_ALERT), or one around a ServerHello */
	bool alert;
	uint8_t alert_level; /* 1 warning, 2 fatal */
	uint8_t alert_desc;
	bool alert_before_hello; /* a warning alert came first */

	/* TLS_HELLO_KIND_SSL2_HELLO and _SSL2_ERROR */
	bool ssl2_session_id_hit;
	uint8_t ssl2_cert_type; /* 1: X.509 */
	uint16_t ssl2_version;
	uint32_t ssl2_specs[TLS_HELLO_MAXSPECS];   /* 0x00XXYYZZ kinds */
	size_t nssl2_specs;                        /* entries kept */
	size_t ssl2_specs_total;                   /* kinds the server sent */
	size_t ssl2_conn_id_off, ssl2_conn_id_len; /* in the input */
	uint16_t ssl2_error;                       /* ERROR code */

	/* TLS_HELLO_KIND_GARBAGE */
	enum tls_hello_garbage garbage;
	size_t garbage_len; /* bytes examined, from offset 0 */
	/*
	 * those bytes escaped for display: printable ASCII as is, \r \n \t
	 * \\ and \xNN for the rest; NUL-terminated
	 */
	char excerpt[TLS_HELLO_PEEK * 4 + 1];
};

/*
 * tls_hello_parse - parse the server's answer p[0 .. len): everything
 * received so far on the connection, from its first byte. eof says that
 * no more will come (connection closed, or the caller gives up).
 * Fills *out (fully overwritten) and returns out->status:
 *
 * NEED_MORE - more bytes are needed (out->need completes the current
 *             record); never returned with eof.
 * DONE      - out->kind is set:
 *   SERVER_HELLO once the ServerHello is whole and the next step is known:
 *     the header of the next handshake message (and, for a Certificate,
 *     its first certificate in full unless longer than
 *     TLS_HELLO_MAXCERT: DER at p + cert_off, cert_len bytes), another
 *     record type, a TLS 1.3 selection or HelloRetryRequest (nothing more
 *     is readable), or eof (TLS_HELLO_W_FLIGHT_TRUNCATED). Handshake
 *     messages may be fragmented over records and share records.
 *   ALERT on a fatal alert, close_notify, or an alert at eof. A warning
 *     alert (e.g. unrecognized_name) before the ServerHello is recorded
 *     and parsing goes on with the next record.
 *   SSL2_HELLO / SSL2_ERROR once the whole SSLv2 record is in (only the
 *     2-byte header form, which is what servers send in the clear).
 *   GARBAGE when the first bytes cannot start any of the above: decided
 *     on TLS_HELLO_PEEK bytes, a '\n', or eof.
 * ERROR     - out->error and out->error_off: "empty response" (eof with
 *   no byte), "truncated record", "truncated server hello", "truncated
 *   ssl2 record", "unexpected record type", "bad record version", "record
 *   too long", "too many records", "short alert", "unexpected handshake
 *   message", "short server hello", "server hello too long", "short ssl2
 *   record", "ssl2 lengths exceed record". kind says what was being read.
 *
 * Nothing past len is read; p may be NULL when len is 0.
 */
enum tls_hello_status tls_hello_parse(
    const uint8_t *p, size_t len, bool eof, struct tls_hello_result *out);

/*
 * Classification
 */

/* what the client offered in the hello the result answers */
struct tls_hello_offer {
	uint16_t version;       /* client_version, or 0x0002 for SSLv2 */
	const uint16_t *suites; /* borrowed: TLS suites offered */
	size_t nsuites;
	const uint32_t *kinds; /* borrowed: SSLv2 kinds offered */
	size_t nkinds;
};

enum tls_hello_outcome {
	/* the offered version and an offered suite (SSLv2: at least one
	 * offered kind listed) */
	TLS_HELLO_ACCEPTED,
	/* the offered version, but a suite (or only kinds) not offered */
	TLS_HELLO_ACCEPTED_UNOFFERED,
	/* an SSLv2 SERVER-HELLO listing no kind at all: SSLv2 still on */
	TLS_HELLO_SSL2_NO_CIPHERS,
	/* a lower version: the offered one is rejected, that one accepted */
	TLS_HELLO_REJECTED_VERSION,
	TLS_HELLO_REJECTED_ALERT,      /* an alert */
	TLS_HELLO_REJECTED_SSL2_ERROR, /* an SSLv2 ERROR */
	TLS_HELLO_VERSION_HIGHER,      /* a version above the offer (a bug) */
	TLS_HELLO_OTHER_PROTOCOL,      /* SSLv2 answer to SSLv3/TLS or back */
	TLS_HELLO_GARBAGE,             /* not SSL/TLS */
	TLS_HELLO_MALFORMED,           /* ERROR status */
	TLS_HELLO_CLOSED,              /* eof before any byte */
	TLS_HELLO_INCOMPLETE,          /* NEED_MORE: the caller timed out */
	TLS_HELLO_OUTCOME_MAX
};

struct tls_hello_verdict {
	enum tls_hello_outcome outcome;
	uint16_t version; /* the version the server answered with, or 0 */
	/* the suite it chose, or the first offered SSLv2 kind it listed */
	uint32_t cipher;
	size_t nshared;        /* SSLv2: offered kinds the server listed */
	bool cipher_not_legal; /* the suite cannot be negotiated at version */
};

/*
 * tls_hello_classify - judge r (as left by tls_hello_parse, any status)
 * against offer. The version is the ServerHello's server_version, or its
 * supported_versions value when present. A ServerHello at the offered
 * version is ACCEPTED even with an alert after it.
 */
void tls_hello_classify(const struct tls_hello_result *r,
    const struct tls_hello_offer *offer, struct tls_hello_verdict *v);

/*
 * Names (static strings; NULL for unknown values unless noted)
 */

/* tls_hello_alert_name - "handshake_failure" for 40, ... (RFC 8446 6) */
const char *tls_hello_alert_name(uint8_t desc);
/* tls_hello_alert_level_name - "warning", "fatal" */
const char *tls_hello_alert_level_name(uint8_t level);
/* tls_hello_ssl2_error_name - "no_cipher", "no_certificate", ... */
const char *tls_hello_ssl2_error_name(uint16_t code);
/* tls_hello_version_name - "SSLv2", "SSLv3", "TLSv1.0" .. "TLSv1.3" */
const char *tls_hello_version_name(uint16_t version);
/* tls_hello_ext_name - "renegotiation_info", "supported_versions", ... */
const char *tls_hello_ext_name(uint16_t type);
/* never NULL ("?" when out of range) */
const char *tls_hello_kind_name(enum tls_hello_kind kind);
const char *tls_hello_garbage_name(enum tls_hello_garbage g);
const char *tls_hello_outcome_name(enum tls_hello_outcome o);
/* tls_hello_warning_name - the name of one warning bit ("dup-ext") */
const char *tls_hello_warning_name(uint32_t bit);

#endif
