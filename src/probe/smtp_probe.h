/* SPDX-License-Identifier: ISC */
/*
 * smtp_probe - one SMTP conversation with one MX address: the receiver test.
 *
 * connect, banner, EHLO (HELO when EHLO is refused), STARTTLS when offered,
 * TLS handshake with SNI, EHLO again over TLS, QUIT. Every stage has its own
 * deadline; every failure becomes a fact in the addr_facts it fills, never
 * an exit.
 */
#ifndef MX_PROBE_SMTP_PROBE_H
#define MX_PROBE_SMTP_PROBE_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include "proto/result.h"
#include "proto/tls_hello.h"

struct event_base;
struct smtp_probe;

struct smtp_probe_config {
	struct event_base *base; /* borrowed */
	SSL_CTX *ssl_ctx;        /* borrowed */
	X509_STORE *store;       /* borrowed: trust anchors for verification */
	const char *ehlo_name;   /* borrowed */
	double timeout;          /* seconds, per stage */
	bool transcript;         /* record the conversation */
	bool tls_only; /* implicit TLS without SMTP inside (port 443) */
	/*
	 * Raw hello mode (the protocol and cipher probes): after STARTTLS's
	 * 220, write these bytes instead of starting OpenSSL, read the answer
	 * into hello_out (tls_hello_parse) and hang up. NULL: a normal probe.
	 */
	/*
	 * TLS 1.3 only, offering just these suites (OpenSSL's
	 * SSL_set_ciphersuites syntax): the --ciphers list of TLS 1.3, which
	 * raw hellos cannot ask. NULL: no restriction.
	 */
	const char *tls13_suites; /* borrowed */
	const uint8_t *hello;     /* borrowed */
	size_t hello_len;
	struct tls_hello_result *hello_out; /* borrowed, filled before cb */
};

/* smtp_probe_cb - the conversation ended; facts->done is set */
typedef void (*smtp_probe_cb)(struct addr_facts *facts, void *arg);

/*
 * smtp_probe_start - begin the conversation with facts->ip, facts->port,
 * using facts->sni as the TLS server name. The probe holds a reference to
 * facts. cb fires exactly once, never from inside smtp_probe_start.
 */
struct smtp_probe *smtp_probe_start(const struct smtp_probe_config *cfg,
    struct addr_facts *facts, smtp_probe_cb cb, void *arg);
/* smtp_probe_cancel - stop now; cb never fires. Accepts NULL. */
void smtp_probe_cancel(struct smtp_probe *p);

#endif
