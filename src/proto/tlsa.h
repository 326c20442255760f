/* SPDX-License-Identifier: ISC */
/*
 * tlsa - one DANE TLSA record (RFC 6698 2.1), from DNS wire rdata or from
 * its presentation form "3 1 1 HEX" (RFC 6698 2.2), and whether SMTP may use
 * it (RFC 7672 3.1).
 *
 * Pure: no I/O, no globals, no allocation. The wire parser points into its
 * input; the presentation parser decodes the hex into a buffer the caller
 * supplies, whose size is the cap. Nothing is read past len and no NUL is
 * needed.
 */
#ifndef MX_PROTO_TLSA_H
#define MX_PROTO_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/perr.h"

/* longest rdata a DNS RR can carry (16-bit RDLENGTH), so the data cap */
#define TLSA_RDATA_MAX 65535
#define TLSA_DATA_MAX  (TLSA_RDATA_MAX - 3)

/* RFC 6698 parameters, with their RFC 7218 acronyms */
#define TLSA_USAGE_PKIX_TA  0
#define TLSA_USAGE_PKIX_EE  1
#define TLSA_USAGE_DANE_TA  2
#define TLSA_USAGE_DANE_EE  3
#define TLSA_SELECTOR_CERT  0
#define TLSA_SELECTOR_SPKI  1
#define TLSA_MTYPE_FULL     0
#define TLSA_MTYPE_SHA2_256 1
#define TLSA_MTYPE_SHA2_512 2
#define TLSA_PRIVATE        255 /* PrivCert, PrivSel, PrivMatch */

struct tlsa_rr {
	uint8_t usage;             /* certificate usage, 0..255 */
	uint8_t selector;          /* 0 full certificate, 1 SPKI */
	uint8_t mtype;             /* 0 exact, 1 SHA-256, 2 SHA-512 */
	const unsigned char *data; /* borrowed: certificate association data;
				      NULL when len is 0 */
	size_t len;                /* bytes of data */
};

/*
 * What an SMTP client may do with a record (RFC 7672 3.1, RFC 7671 4):
 * only DANE-TA(2) and DANE-EE(3) with a known selector and matching type
 * are usable, and a digest must have its algorithm's length. Everything
 * else is "unusable": skipped, never an authentication failure.
 */
enum tlsa_status {
	TLSA_USABLE = 0,
	TLSA_UNUSABLE_PKIX,    /* usage 0 or 1: not for SMTP (RFC 7672 3.1.3) */
	TLSA_UNKNOWN_USAGE,    /* usage 4..255 */
	TLSA_UNKNOWN_SELECTOR, /* selector 2..255 */
	TLSA_UNKNOWN_MTYPE,    /* matching type 3..255 */
	TLSA_BAD_LENGTH,       /* no data, or a digest of the wrong length
				  (SHA-256: 32 bytes, SHA-512: 64 bytes) */
};

/*
 * tlsa_parse_rdata - the rdata of one TLSA RR: usage, selector and
 * matching type (one byte each), then the data up to the end. out->data
 * points into p (borrowed). Errors: "tlsa rdata too short" (len < 3),
 * "tlsa rdata too long" (len > TLSA_RDATA_MAX). Empty data parses (it is
 * TLSA_BAD_LENGTH for tlsa_smtp_status).
 */
int tlsa_parse_rdata(
    const unsigned char *p, size_t len, struct tlsa_rr *out, struct perr *err);

/*
 * tlsa_parse_text - the presentation form: three fields, each a decimal
 * 0..255 or an RFC 7218 acronym (usage PKIX-TA PKIX-EE DANE-TA DANE-EE
 * PrivCert, selector Cert SPKI PrivSel, matching type Full SHA2-256
 * SHA2-512 PrivMatch; case-insensitive), then the data in hexadecimal,
 * which may be split by white space (RFC 6698 2.2). White space around
 * the fields is skipped. The data is decoded into buf (at most bufsize
 * bytes, the cap) and out->data points there. Errors, with err->off the
 * offset in p: "missing tlsa field", "bad tlsa usage", "bad tlsa
 * selector", "bad tlsa matching type", "missing tlsa data", "bad hex in
 * tlsa data", "odd number of hex digits", "tlsa data too long" (more than
 * bufsize bytes).
 */
int tlsa_parse_text(const char *p, size_t len, struct tlsa_rr *out,
    unsigned char *buf, size_t bufsize, struct perr *err);

/*
 * tlsa_format - write rr in presentation form, "3 1 1 0A1B..." (numbers,
 * uppercase hex, no spaces in the data, as dig prints it) into out: at most
 * outsize - 1 bytes and a NUL (nothing when outsize is 0). Returns the
 * length the whole text needs, without the NUL, as snprintf does.
 */
size_t tlsa_format(const struct tlsa_rr *rr, char *out, size_t outsize);

/* tlsa_smtp_status - classify rr for SMTP (see enum tlsa_status) */
enum tlsa_status tlsa_smtp_status(const struct tlsa_rr *rr);

/* tlsa_status_str - static lowercase description of s */
const char *tlsa_status_str(enum tlsa_status s);

/*
 * tlsa_usage_name, tlsa_selector_name, tlsa_mtype_name - the RFC 7218
 * acronym of a value ("DANE-EE", "SPKI", "SHA2-256"), or NULL when the
 * value has none (unassigned).
 */
const char *tlsa_usage_name(uint8_t usage);
const char *tlsa_selector_name(uint8_t selector);
const char *tlsa_mtype_name(uint8_t mtype);

#endif
