/* SPDX-License-Identifier: ISC */
/*
 * https - HTTP(S) GET on the process's event loop (libcurl multi socket API).
 *
 * Every fetch runs on the caller's event_base, connects only to addresses
 * the caller resolved (libcurl never resolves a name itself), has a total
 * deadline and a body cap, and reports what a web check needs: status,
 * the headers Location, Content-Type and Strict-Transport-Security, the
 * redirect chain hop by hop, and per hop the TLS facts (did the chain and
 * name verify, why not, the peer's leaf certificate, the address used).
 * Redirects are followed here, one curl transfer per hop, so a redirect to
 * another host is resolved through the caller's resolver too.
 */
#ifndef MX_NET_HTTPS_H
#define MX_NET_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct event_base;
struct https;
struct https_fetch;

#define HTTPS_DEFAULT_TIMEOUT  30.0      /* seconds, whole fetch */
#define HTTPS_DEFAULT_MAX_BODY (1 << 20) /* bytes */
#define HTTPS_MAX_REDIRECTS    20   /* cap on https_request.max_redirects */
#define HTTPS_MAX_ADDRS        16   /* addresses per host */
#define HTTPS_MAX_HSTS         8    /* Strict-Transport-Security kept per hop */
#define HTTPS_MAX_HEADER       8192 /* bytes of one header value kept */

/* https_error - why a fetch ended; names are stable ids (https_error_name) */
enum https_error {
	HTTPS_OK,            /* "ok": a response arrived, whatever its status */
	HTTPS_ERR_DNS,       /* "dns": no address for a host */
	HTTPS_ERR_CONNECT,   /* "connect": refused, unreachable */
	HTTPS_ERR_TIMEOUT,   /* "timeout": total or connect deadline passed */
	HTTPS_ERR_TLS,       /* "tls": handshake failed */
	HTTPS_ERR_CERT,      /* "cert": peer chain or name did not verify */
	HTTPS_ERR_HTTP,      /* "http": malformed, empty or cut response */
	HTTPS_ERR_TOO_LARGE, /* "too-large": body over max_body */
	HTTPS_ERR_REDIRECT,  /* "redirect": too many, or to an unusable URL */
	HTTPS_ERR_OTHER,     /* "other": anything else libcurl reports */
	HTTPS_ERR_MAX
};

enum https_flags {
	/*
	 * verify, report, continue: a certificate that does not verify does
	 * not stop the fetch; tls.verified says false and the body arrives.
	 * Without it such a fetch ends with HTTPS_ERR_CERT.
	 */
	HTTPS_VERIFY_REPORT = (1 << 0),
};

/*
 * https_resolved - deliver the addresses of the host a resolver was asked
 * about: numeric IPv4/IPv6 strings (copied), naddrs 0 with error (borrowed,
 * may be NULL) when there are none. Call it exactly once per started lookup,
 * never from inside https_resolver.start; the fetch goes on from the loop.
 */
void https_resolved(struct https_fetch *f, const char *const *addrs,
    size_t naddrs, const char *error);

/* https_resolver - how a redirect to a host without addresses is resolved */
struct https_resolver {
	/*
	 * start - look host up (A and AAAA) for fetch f. Return 0 and set
	 * *handle, then call https_resolved(f, ...) once, later; or return -1
	 * (the fetch ends with HTTPS_ERR_DNS).
	 */
	int (*start)(
	    void *ctx, const char *host, struct https_fetch *f, void **handle);
	/* cancel - abandon a started lookup; https_resolved must not follow */
	void (*cancel)(void *ctx, void *handle);
	void *ctx; /* borrowed */
};

struct https_config {
	const char *ca_file;    /* borrowed: PEM trust anchors, NULL: system */
	const char *user_agent; /* borrowed, NULL: "mxaudit" */
	long max_connections;   /* total open connections, 0: no limit */
	long max_host_connections; /* per host name and port, 0: no limit */
	/* borrowed: resolves redirect targets, NULL: such redirects fail */
	const struct https_resolver *resolver;
};

struct https_request {
	const char *url; /* borrowed: http:// or https://, ASCII host */
	/*
	 * borrowed: numeric addresses of the URL's host (at least one unless
	 * the host is an IP literal), tried in order
	 */
	const char *const *addrs;
	size_t naddrs;          /* at most HTTPS_MAX_ADDRS */
	double timeout;         /* seconds for the whole fetch, redirects
	                            included; <= 0: HTTPS_DEFAULT_TIMEOUT */
	double connect_timeout; /* seconds per connection, <= 0: timeout */
	size_t max_body;        /* bytes, 0: HTTPS_DEFAULT_MAX_BODY */
	unsigned max_redirects; /* 0: report a redirect, do not follow */
	enum https_flags flags;
};

/* what a TLS connection showed; all zero for http:// */
struct https_tls {
	bool handshake;           /* the peer presented a certificate */
	bool verified;            /* chain to ca_file and host name both good */
	long verify_code;         /* X509_V_OK or the first X509_V_ERR_* */
	const char *verify_error; /* borrowed: X509_verify_cert_error_string()
	                             or curl's text, NULL when verified */
	X509 *cert;               /* borrowed: the peer's leaf, or NULL;
	                             X509_up_ref() it to keep it */
};

/*
 * one request/response of a fetch; header values are as the server sent
 * them (not escaped), NULL when absent
 */
struct https_hop {
	const char *url;          /* borrowed: the URL requested */
	long status;              /* HTTP status, 0 when no response */
	const char *location;     /* borrowed: Location */
	const char *redirect_url; /* borrowed: Location made absolute */
	const char *content_type; /* borrowed: Content-Type */
	const char *server;       /* borrowed: Server */
	const char *const *hsts;  /* borrowed: each Strict-Transport-Security */
	size_t nhsts;             /* at most HTTPS_MAX_HSTS */
	/*
	 * a value above was longer than HTTPS_MAX_HEADER, or HSTS came more
	 * than HTTPS_MAX_HSTS times: the excess is left out
	 */
	bool headers_capped;
	const char *ip; /* borrowed: the address connected to */
	long port;      /* its port, 0 when no connection */
	struct https_tls tls;
};

/* how a fetch ended; valid only during the callback */
struct https_result {
	enum https_error error;
	const char *error_id;   /* borrowed, static: https_error_name(error) */
	int curl_code;          /* CURLcode of the last transfer, 0 when none */
	const char *error_text; /* borrowed: what went wrong, "" when ok */
	const struct https_hop *hops; /* borrowed: the chain, first to last */
	size_t nhops;                 /* >= 1 */
	/* borrowed: hops[nhops - 1], the final URL, status, headers, TLS */
	const struct https_hop *final;
	/*
	 * borrowed: the final response's body, NUL-terminated; empty
	 * for a redirect followed, an error and HTTPS_ERR_TOO_LARGE
	 */
	const uint8_t *body;
	size_t body_len;
};

/* https_cb - a fetch ended; fires exactly once, never inside https_get() */
typedef void (*https_cb)(void *arg, const struct https_result *res);

/*
 * https_new - a client on base. Returns NULL and sets *errmsg (owned by the
 * caller) when libcurl lacks what we need or the CA file is unreadable.
 */
struct https *https_new(
    struct event_base *base, const struct https_config *cfg, char **errmsg);
/* https_free - cancel outstanding fetches (their callbacks never fire) */
void https_free(struct https *h);

/*
 * https_get - start fetching req->url. Returns NULL when the request is
 * unusable (scheme, host, no or malformed addresses; logged) and cb never
 * fires; else a handle valid until cb fires or https_cancel(). req is not
 * kept. cb may call https_get, https_cancel on other fetches and
 * https_free.
 */
struct https_fetch *https_get(
    struct https *h, const struct https_request *req, https_cb cb, void *arg);
/* https_cancel - abandon a fetch; cb never fires */
void https_cancel(struct https_fetch *f);

/* https_error_name - the stable id of e ("ok", "timeout", "too-large" ...) */
const char *https_error_name(enum https_error e);

#endif
