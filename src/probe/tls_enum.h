/* SPDX-License-Identifier: ISC */
/*
 * tls_enum - the protocol and weak-cipher probes of one SMTP endpoint.
 *
 * After the receiver test found STARTTLS, one conversation per question:
 * STARTTLS, then a ClientHello written byte by byte (proto/tls_hello)
 * offering one protocol version, or one weak cipher family, and the
 * server's answer classified. OpenSSL 3 can offer neither SSLv2/SSLv3 nor
 * RC4/3DES, so this is the only way to see them. The conversations run one
 * after another, within the endpoint's share of --per-ip.
 */
#ifndef MX_PROBE_TLS_ENUM_H
#define MX_PROBE_TLS_ENUM_H

#include "probe/smtp_probe.h"
#include "proto/result.h"

struct tls_enum;

/* tls_enum_cb - every probe ran; facts->probes is final */
typedef void (*tls_enum_cb)(struct addr_facts *facts, void *arg);

/*
 * tls_enum_start - probe facts->ip/port/sni with the settings of cfg (its
 * hello fields are ignored). Holds a reference to facts. cb fires exactly
 * once, never from inside tls_enum_start.
 */
enum tls_enum_flags {
	/* also list every suite each version accepts, in the server's order
	 * (one conversation per suite: the n+1 method) */
	TLS_ENUM_CIPHERS = (1 << 0),
};

/*
 * How a run borrows more connections to the address: acquire() says
 * whether one more may be used now (and counts it), release() gives one
 * back. The run holds the endpoint's own connection slot besides.
 */
struct tls_enum_slots {
	bool (*acquire)(void *arg);
	void (*release)(void *arg);
	/*
	 * pace - the address's rate limit (NULL: none): reserve the next
	 * connection and return the seconds to wait before opening it
	 */
	double (*pace)(void *arg);
	void *arg;
};

struct tls_enum *tls_enum_start(const struct smtp_probe_config *cfg,
    struct addr_facts *facts, unsigned flags,
    const struct tls_enum_slots *slots, tls_enum_cb cb, void *arg);
/*
 * tls_enum_cancel - stop now; cb never fires, and the extra slots are not
 * given back (the caller is tearing down). Accepts NULL.
 */
void tls_enum_cancel(struct tls_enum *e);

#endif
