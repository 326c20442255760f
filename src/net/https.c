/* SPDX-License-Identifier: ISC */
/*
 * https - HTTP(S) GET on the process's event loop.
 *
 * libcurl's multi socket API drives the transfers: curl tells us which
 * sockets to watch (https_on_curl_socket) and when to call it back
 * (https_on_curl_timer); libevent calls curl_multi_socket_action() when one
 * of those fires, and finished transfers are collected from
 * curl_multi_info_read() afterwards, outside every curl callback.
 *
 * A fetch is a chain of hops, one curl transfer each: curl never follows a
 * redirect, so every hop's status, headers and TLS facts are ours to keep,
 * and a redirect to another host asks the caller's resolver instead of
 * letting curl resolve it. Names reach curl only as CURLOPT_RESOLVE entries
 * in a DNS cache private to the transfer (a CURLSH per transfer), so
 * concurrent fetches of one name through different addresses cannot see
 * each other's entries; a resolver-start callback refuses any name curl
 * would still look up. Connections and TLS sessions are never reused: each
 * hop handshakes afresh with the addresses it was given.
 *
 * TLS facts come from OpenSSL directly: an SSL_CTX callback names the
 * expected host in the context's verify parameters (so a wrong name is an
 * ordinary verification error, "hostname mismatch") and installs a verify
 * callback that keeps the leaf certificate and the first error. In the
 * report-but-continue mode curl verifies nothing and loads no CA, so the
 * callback loads the CA itself; OpenSSL still verifies and we record it.
 *
 * The caller's callback runs from a zero timer (the step event), never
 * inside https_get() nor below curl_multi_socket_action(), so it may free
 * anything, this client included.
 */
#include "net/https.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#define HTTPS_DEADLINE_GRACE 0.2 /* seconds: let curl's own timeout speak */
#define HTTPS_MAX_HOST       255 /* bytes of a host name */
#define HTTPS_MAX_URL        8192

enum https_fetch_state {
	HTTPS_FETCH_STATE_NEW,
	HTTPS_FETCH_STATE_TRANSFER, /* a curl transfer runs the current hop */
	HTTPS_FETCH_STATE_RESOLVE,  /* the resolver looks up the hop's host */
	HTTPS_FETCH_STATE_RESOLVED, /* addresses came; the hop starts soon */
	HTTPS_FETCH_STATE_DONE,     /* the result waits for delivery */
	HTTPS_FETCH_STATE_MAX
};

static const char *const https_fetch_state_names[] = {
	"new",
	"transfer",
	"resolve",
	"resolved",
	"done",
};
_Static_assert(
    sizeof(https_fetch_state_names) / sizeof(https_fetch_state_names[0]) ==
        HTTPS_FETCH_STATE_MAX,
    "https_fetch_state_names");

static const char *const https_error_names[] = {
	"ok",
	"dns",
	"connect",
	"timeout",
	"tls",
	"cert",
	"http",
	"too-large",
	"redirect",
	"other",
};
_Static_assert(
    sizeof(https_error_names) / sizeof(https_error_names[0]) == HTTPS_ERR_MAX,
    "https_error_names");

struct https {
	struct event_base *base; /* borrowed */
	CURLM *multi;            /* owned */
	struct event *timer;     /* owned: curl's timeout */
	char *ca_file; /* owned: the CA file to trust, NULL: curl's default */
	char *verify_file; /* owned: the CA file report mode loads, or NULL */
	char *
	    verify_path; /* owned: the CA directory report mode loads, or NULL */
	char *user_agent; /* owned */
	struct https_resolver resolver;
	bool has_resolver;
	struct https_fetch *fetches; /* owned: pending, doubly linked */
	struct https_sock *socks;    /* owned: watched for curl, linked */
};

/* https_sock - one socket curl asked us to watch */
struct https_sock {
	struct https *h;  /* borrowed */
	curl_socket_t fd; /* curl's */
	struct event *ev; /* owned */
	struct https_sock *prev, *next;
};

/* https_host - a host name and the addresses to connect to for it */
struct https_host {
	char *name;   /* owned: lowercase, no final dot */
	char **addrs; /* owned: numeric addresses */
	size_t naddrs;
};

/* https_hopdata - what one hop showed; owned strings, NULL when absent */
struct https_hopdata {
	char *url;  /* owned */
	char *host; /* owned: as curl parses the URL, without brackets */
	long port;  /* from the URL, scheme default applied */
	bool ip_literal;
	long status;
	char *location;             /* owned */
	char *redirect_url;         /* owned */
	char *content_type;         /* owned */
	char *server;               /* owned */
	char *hsts[HTTPS_MAX_HSTS]; /* owned */
	size_t nhsts;
	bool headers_capped;
	char *ip; /* owned */
	long ip_port;
	bool tls_seen;     /* the verify callback ran */
	bool cert_failed;  /* curl refused the peer's certificate */
	long verify_code;  /* the first X509_V_ERR_*, or X509_V_OK */
	char *verify_text; /* owned: curl's words when verify_code says OK */
	X509 *cert;        /* owned reference: the peer's leaf */
};

struct https_fetch {
	struct https *h; /* borrowed */
	enum https_fetch_state state;
	https_cb cb;
	void *arg;              /* borrowed: for cb */
	double deadline_at;     /* monotonic seconds */
	double connect_timeout; /* seconds */
	unsigned max_redirects;
	enum https_flags flags;
	struct event *deadline; /* owned: the whole fetch's deadline */
	struct event *step;     /* owned: zero timer for deferred work */
	struct https_host hosts[HTTPS_MAX_REDIRECTS + 1];
	size_t nhosts;
	struct https_hopdata hops[HTTPS_MAX_REDIRECTS + 1];
	size_t nhops;
	/* the current transfer */
	CURL *easy;                 /* owned, NULL between transfers */
	CURLSH *share;              /* owned: the transfer's DNS cache */
	struct curl_slist *resolve; /* owned: its CURLOPT_RESOLVE entries */
	char errbuf[CURL_ERROR_SIZE];
	struct buf body;      /* the current hop's body, capped at max_body */
	bool too_large;       /* the body passed the cap */
	bool curl_resolving;  /* curl wanted to resolve a name itself */
	void *resolve_handle; /* borrowed: the resolver's, in STATE_RESOLVE */
	/* the outcome */
	enum https_error error;
	int curl_code;
	char *error_text; /* owned, or NULL */
	struct https_fetch *prev, *next;
};

static int https_ex_index = -1; /* SSL_CTX ex_data slot for the fetch */

static void https_on_timer(evutil_socket_t fd, short what, void *arg);
static void https_fetch_on_step(evutil_socket_t fd, short what, void *arg);
static void https_fetch_on_deadline(evutil_socket_t fd, short what, void *arg);
static int https_transfer_start(struct https_fetch *f);

const char *
https_error_name(enum https_error e)
{
	if ((unsigned)e >= HTTPS_ERR_MAX)
		return "other";
	return https_error_names[e];
}

static double
https_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timeval
https_tv(double seconds)
{
	struct timeval tv;

	if (seconds < 0)
		seconds = 0;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* https_addr_family - AF_INET or AF_INET6 for a numeric address, else 0 */
static int
https_addr_family(const char *a)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, a, tmp) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, a, tmp) == 1)
		return AF_INET6;
	return 0;
}

/* https_host_key - the form host names are compared in (owned) */
static char *
https_host_key(const char *host)
{
	size_t len = strlen(host);
	char *k;
	size_t i;

	if (len > 1 && host[len - 1] == '.')
		len--;
	k = xmemdup0(host, len);
	for (i = 0; i < len; i++)
		k[i] = (char)ascii_tolower((unsigned char)k[i]);
	return k;
}

static struct https_host *
https_host_find(struct https_fetch *f, const char *host)
{
	struct https_host *found = NULL;
	char *k = https_host_key(host);
	size_t i;

	for (i = 0; i < f->nhosts && found == NULL; i++)
		if (strcmp(f->hosts[i].name, k) == 0)
			found = &f->hosts[i];
	free(k);
	return found;
}

/*
 * https_host_add - record the numeric addresses among addrs for host; returns
 * how many were not numeric (left out)
 */
static size_t
https_host_add(struct https_fetch *f, const char *host,
    const char *const *addrs, size_t naddrs)
{
	struct https_host *e;
	size_t i, bad = 0;

	if ((e = https_host_find(f, host)) == NULL) {
		ASSERT(f->nhosts < sizeof(f->hosts) / sizeof(f->hosts[0]));
		e = &f->hosts[f->nhosts++];
		e->name = https_host_key(host);
	}
	for (i = 0; i < naddrs; i++) {
		if (addrs[i] == NULL || https_addr_family(addrs[i]) == 0) {
			bad++;
			continue;
		}
		if (e->naddrs == HTTPS_MAX_ADDRS)
			break;
		e->addrs =
		    xreallocarray(e->addrs, e->naddrs + 1, sizeof(*e->addrs));
		e->addrs[e->naddrs++] = xstrdup(addrs[i]);
	}
	return bad;
}

/* https_host_ok - an ASCII host name curl will use as written */
static bool
https_host_ok(const char *host)
{
	size_t i, len = strlen(host);

	if (len == 0 || len > HTTPS_MAX_HOST)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];

		if (!ascii_isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

/*
 * https_url_parse - host and port of an http(s) URL as curl will use them.
 * Returns -1 and a static reason when the URL is not one we fetch.
 */
static int
https_url_parse(struct https_hopdata *hop, const char **why)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *end;
	size_t len;
	int rc = -1;

	*why = "malformed or unsupported URL";
	if (strlen(hop->url) > HTTPS_MAX_URL) {
		*why = "URL too long";
		return -1;
	}
	u = curl_url();
	ASSERT(u != NULL);
	if (curl_url_set(u, CURLUPART_URL, hop->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK)
		goto out;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		*why = "scheme is not http or https";
		goto out;
	}
	errno = 0;
	hop->port = strtol(port, &end, 10);
	if (errno != 0 || *end != '\0' || hop->port < 1 || hop->port > 65535)
		goto out;
	len = strlen(host);
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		hop->host = xmemdup0(host + 1, len - 2);
		if (https_addr_family(hop->host) != AF_INET6) {
			*why = "IPv6 literal with a zone or malformed";
			goto out;
		}
		hop->ip_literal = true;
	} else {
		hop->host = xstrdup(host);
		hop->ip_literal = https_addr_family(host) == AF_INET;
		if (!hop->ip_literal && !https_host_ok(host)) {
			*why = "host name is not plain ASCII";
			goto out;
		}
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* https_capped - an owned copy of a header value, or NULL past the cap */
static char *
https_capped(struct https_hopdata *hop, const char *s)
{
	if (s == NULL)
		return NULL;
	if (strnlen(s, HTTPS_MAX_HEADER + 1) > HTTPS_MAX_HEADER) {
		hop->headers_capped = true;
		return NULL;
	}
	return xstrdup(s);
}

static void
https_hop_release(struct https_hopdata *hop)
{
	size_t i;

	free(hop->url);
	free(hop->host);
	free(hop->location);
	free(hop->redirect_url);
	free(hop->content_type);
	free(hop->server);
	for (i = 0; i < hop->nhsts; i++)
		free(hop->hsts[i]);
	free(hop->ip);
	free(hop->verify_text);
	X509_free(hop->cert);
	memset(hop, 0, sizeof(*hop));
}

static struct https_hopdata *
https_hop_current(struct https_fetch *f)
{
	ASSERT(f->nhops > 0);
	return &f->hops[f->nhops - 1];
}

/* https_hop_add - append a hop for url; -1 and f->error when unusable */
static int
https_hop_add(struct https_fetch *f, const char *url, enum https_error err)
{
	struct https_hopdata *hop;
	const char *why;

	ASSERT(f->nhops < sizeof(f->hops) / sizeof(f->hops[0]));
	hop = &f->hops[f->nhops++];
	memset(hop, 0, sizeof(*hop));
	hop->url = xstrdup(url);
	if (https_url_parse(hop, &why) != 0) {
		f->error = err;
		free(f->error_text);
		f->error_text = xstrdup(why);
		return -1;
	}
	return 0;
}

/* https_fetch_set_error - record the outcome unless one is recorded */
static void
https_fetch_set_error(
    struct https_fetch *f, enum https_error err, const char *text)
{
	if (f->error != HTTPS_OK)
		return;
	f->error = err;
	free(f->error_text);
	f->error_text = xstrdup(text);
}

/* https_fetch_enter - the only writer of f->state */
static void
https_fetch_enter(struct https_fetch *f, enum https_fetch_state s)
{
	struct timeval zero = { 0, 0 };

	log_debug("%s: https: %s -> %s",
	    f->nhops > 0 ? https_hop_current(f)->url : "-",
	    https_fetch_state_names[f->state], https_fetch_state_names[s]);
	f->state = s;
	switch (s) {
	case HTTPS_FETCH_STATE_RESOLVED:
		evtimer_add(f->step, &zero);
		break;
	case HTTPS_FETCH_STATE_DONE:
		evtimer_del(f->deadline);
		evtimer_add(f->step, &zero);
		break;
	default:
		break;
	}
}

/* curl plumbing: sockets and the timer, after curl's hiperfifo design */

static void
https_sock_free(struct https_sock *s)
{
	struct https *h = s->h;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		h->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	event_free(s->ev);
	free(s);
}

static void https_drain(struct https *h);

/* https_on_sock - a watched socket is ready: tell curl */
static void
https_on_sock(evutil_socket_t fd, short what, void *arg)
{
	struct https_sock *s = arg;
	struct https *h = s->h;
	int action = 0, running;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* s may be gone after this: curl can drop the socket */
	curl_multi_socket_action(h->multi, fd, action, &running);
	https_drain(h);
}

static void
https_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct https *h = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	https_drain(h);
}

/* https_on_curl_socket - CURLMOPT_SOCKETFUNCTION: (un)watch a socket */
static int
https_on_curl_socket(
    CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct https *h = userp;
	struct https_sock *s = socketp;
	short kind = EV_PERSIST;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			https_sock_free(s);
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->h = h;
		s->fd = fd;
		s->next = h->socks;
		if (h->socks != NULL)
			h->socks->prev = s;
		h->socks = s;
		curl_multi_assign(h->multi, fd, s);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		kind |= EV_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		kind |= EV_WRITE;
	/* safe inside s->ev's own callback: nothing touches it afterwards */
	if (s->ev != NULL)
		event_free(s->ev);
	s->ev = event_new(h->base, fd, kind, https_on_sock, s);
	ASSERT(s->ev != NULL);
	event_add(s->ev, NULL);
	return 0;
}

/* https_on_curl_timer - CURLMOPT_TIMERFUNCTION: (re)arm or stop our timer */
static int
https_on_curl_timer(CURLM *m, long ms, void *userp)
{
	struct https *h = userp;
	struct timeval tv;

	(void)m;
	if (ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
	return 0;
}

struct https *
https_new(
    struct event_base *base, const struct https_config *cfg, char **errmsg)
{
	const curl_version_info_data *vi;
	struct curl_header *hd;
	struct https *h;
	CURL *probe;
	CURLHcode hc;
	char *def_file = NULL, *def_path = NULL;
	FILE *fp;

	*errmsg = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*errmsg = xstrdup("libcurl: cannot initialise");
		return NULL;
	}
	vi = curl_version_info(CURLVERSION_NOW);
	if (vi->ssl_version == NULL ||
	    strncmp(vi->ssl_version, "OpenSSL/", 8) != 0) {
		*errmsg = xasprintf("libcurl %s: TLS by %s, OpenSSL needed",
		    vi->version, vi->ssl_version ? vi->ssl_version : "nothing");
		curl_global_cleanup();
		return NULL;
	}
	if ((probe = curl_easy_init()) == NULL) {
		*errmsg = xstrdup("libcurl: cannot create a handle");
		curl_global_cleanup();
		return NULL;
	}
	hc = curl_easy_header(probe, "Location", 0, CURLH_HEADER, -1, &hd);
	curl_easy_getinfo(probe, CURLINFO_CAINFO, &def_file);
	curl_easy_getinfo(probe, CURLINFO_CAPATH, &def_path);
	h = xcalloc(1, sizeof(*h));
	if (cfg->ca_file == NULL) {
		h->verify_file = def_file ? xstrdup(def_file) : NULL;
		h->verify_path = def_path ? xstrdup(def_path) : NULL;
	}
	curl_easy_cleanup(probe);
	if (hc == CURLHE_NOT_BUILT_IN) {
		*errmsg = xasprintf(
		    "libcurl %s: built without the header API", vi->version);
		goto fail;
	}
	if (cfg->ca_file != NULL) {
		if ((fp = fopen(cfg->ca_file, "r")) == NULL) {
			*errmsg =
			    xasprintf("%s: %s", cfg->ca_file, strerror(errno));
			goto fail;
		}
		fclose(fp);
		h->ca_file = xstrdup(cfg->ca_file);
		h->verify_file = xstrdup(cfg->ca_file);
	}
	if (https_ex_index < 0)
		https_ex_index =
		    SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (https_ex_index < 0) {
		*errmsg = xstrdup("openssl: no ex_data slot");
		goto fail;
	}
	h->base = base;
	h->user_agent = xstrdup(cfg->user_agent ? cfg->user_agent : "mxaudit");
	if (cfg->resolver != NULL) {
		h->resolver = *cfg->resolver;
		h->has_resolver = true;
	}
	h->timer = evtimer_new(base, https_on_timer, h);
	if ((h->multi = curl_multi_init()) == NULL) {
		*errmsg = xstrdup("libcurl: cannot create a multi handle");
		goto fail;
	}
	curl_multi_setopt(
	    h->multi, CURLMOPT_SOCKETFUNCTION, https_on_curl_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(
	    h->multi, CURLMOPT_TIMERFUNCTION, https_on_curl_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	if (cfg->max_connections > 0)
		curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
		    cfg->max_connections);
	if (cfg->max_host_connections > 0)
		curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    cfg->max_host_connections);
	return h;
fail:
	if (h->timer != NULL)
		event_free(h->timer);
	free(h->ca_file);
	free(h->verify_file);
	free(h->verify_path);
	free(h->user_agent);
	free(h);
	curl_global_cleanup();
	return NULL;
}

/* fetches */

static void
https_fetch_unlink(struct https_fetch *f)
{
	struct https *h = f->h;

	if (f->prev != NULL)
		f->prev->next = f->next;
	else if (h->fetches == f)
		h->fetches = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
}

/* https_transfer_detach - end the current curl transfer, if any */
static void
https_transfer_detach(struct https_fetch *f)
{
	if (f->easy == NULL)
		return;
	curl_multi_remove_handle(f->h->multi, f->easy);
	curl_easy_cleanup(f->easy);
	curl_share_cleanup(f->share);
	curl_slist_free_all(f->resolve);
	f->easy = NULL;
	f->share = NULL;
	f->resolve = NULL;
}

static void
https_fetch_free(struct https_fetch *f)
{
	size_t i, j;

	https_transfer_detach(f);
	event_free(f->deadline);
	event_free(f->step);
	for (i = 0; i < f->nhops; i++)
		https_hop_release(&f->hops[i]);
	for (i = 0; i < f->nhosts; i++) {
		for (j = 0; j < f->hosts[i].naddrs; j++)
			free(f->hosts[i].addrs[j]);
		free(f->hosts[i].addrs);
		free(f->hosts[i].name);
	}
	buf_release(&f->body);
	free(f->error_text);
	free(f);
}

void
https_cancel(struct https_fetch *f)
{
	if (f == NULL)
		return;
	if (f->state == HTTPS_FETCH_STATE_RESOLVE &&
	    f->h->resolver.cancel != NULL)
		f->h->resolver.cancel(f->h->resolver.ctx, f->resolve_handle);
	https_fetch_unlink(f);
	https_fetch_free(f);
}

void
https_free(struct https *h)
{
	if (h == NULL)
		return;
	while (h->fetches != NULL)
		https_cancel(h->fetches);
	curl_multi_cleanup(h->multi);
	while (h->socks != NULL)
		https_sock_free(h->socks);
	event_free(h->timer);
	free(h->ca_file);
	free(h->verify_file);
	free(h->verify_path);
	free(h->user_agent);
	free(h);
	curl_global_cleanup();
}

/* curl's per-transfer callbacks: they only record, never call out */

/* https_on_body - CURLOPT_WRITEFUNCTION: keep the body up to the cap */
static size_t
https_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct https_fetch *f = arg;
	size_t len = size * n;

	if (buf_append(&f->body, p, len) != 0) {
		f->too_large = true;
		return 0; /* len > 0 here: curl ends the transfer */
	}
	return len;
}

/* https_on_resolver_start - curl is about to resolve a name: refuse */
static int
https_on_resolver_start(void *resolver, void *reserved, void *arg)
{
	struct https_fetch *f = arg;

	(void)resolver;
	(void)reserved;
	/* an IP literal is "resolved" without DNS */
	if (https_hop_current(f)->ip_literal)
		return 0;
	f->curl_resolving = true;
	return 1;
}

/* https_on_verify - OpenSSL's verify callback: keep the leaf, first error */
static int
https_on_verify(int ok, X509_STORE_CTX *sctx)
{
	struct https_hopdata *hop;
	struct https_fetch *f;
	SSL *ssl;
	X509 *leaf;

	ssl = X509_STORE_CTX_get_ex_data(
	    sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL)
		return ok;
	f = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), https_ex_index);
	if (f == NULL || f->nhops == 0)
		return ok;
	hop = https_hop_current(f);
	hop->tls_seen = true;
	leaf = X509_STORE_CTX_get0_cert(sctx);
	if (hop->cert == NULL && leaf != NULL && X509_up_ref(leaf) == 1)
		hop->cert = leaf;
	if (!ok && hop->verify_code == X509_V_OK)
		hop->verify_code = X509_STORE_CTX_get_error(sctx);
	/* unchanged: curl's SSL_VERIFY_PEER or _NONE decides what failure does */
	return ok;
}

/* https_on_sslctx - CURLOPT_SSL_CTX_FUNCTION: expected name, our callback */
static CURLcode
https_on_sslctx(CURL *e, void *sslctx, void *arg)
{
	struct https_fetch *f = arg;
	struct https_hopdata *hop = https_hop_current(f);
	SSL_CTX *ctx = sslctx;
	X509_VERIFY_PARAM *param;
	char *name;
	int ok;

	(void)e;
	param = SSL_CTX_get0_param(ctx);
	if (hop->ip_literal) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, hop->host);
	} else {
		name = https_host_key(hop->host);
		X509_VERIFY_PARAM_set_hostflags(
		    param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = X509_VERIFY_PARAM_set1_host(param, name, 0);
		free(name);
	}
	if (ok != 1)
		return CURLE_SSL_CONNECT_ERROR;
	/* curl loads no trust anchors when it is not to verify */
	if ((f->flags & HTTPS_VERIFY_REPORT) &&
	    (f->h->verify_file != NULL || f->h->verify_path != NULL) &&
	    SSL_CTX_load_verify_locations(
	        ctx, f->h->verify_file, f->h->verify_path) != 1)
		log_debug("%s: https: cannot load trust anchors", hop->url);
	if (SSL_CTX_set_ex_data(ctx, https_ex_index, f) != 1)
		return CURLE_SSL_CONNECT_ERROR;
	SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), https_on_verify);
	return CURLE_OK;
}

/* transfers */

/*
 * https_resolve_list - CURLOPT_RESOLVE entries for the hop: the host as
 * written, lowercased, and with and without a final dot, so that whatever
 * form curl looks up is in its cache
 */
static struct curl_slist *
https_resolve_list(
    const struct https_hopdata *hop, const struct https_host *host)
{
	struct curl_slist *list = NULL;
	struct buf addrs;
	char *forms[4], *entry;
	size_t i, j, n = 0, len;
	bool v6, dup;

	buf_init(&addrs, HTTPS_MAX_ADDRS * (INET6_ADDRSTRLEN + 3));
	for (i = 0; i < host->naddrs; i++) {
		v6 = https_addr_family(host->addrs[i]) == AF_INET6;
		if (buf_printf(&addrs, "%s%s%s%s", i > 0 ? "," : "",
		        v6 ? "[" : "", host->addrs[i], v6 ? "]" : "") != 0)
			break;
	}
	forms[n++] = xstrdup(hop->host);
	forms[n++] = https_host_key(hop->host);
	for (i = 0, len = n; i < len; i++) {
		if (forms[i][strlen(forms[i]) - 1] == '.')
			forms[n++] = xmemdup0(forms[i], strlen(forms[i]) - 1);
		else
			forms[n++] = xasprintf("%s.", forms[i]);
	}
	for (i = 0; i < n; i++) {
		dup = false;
		for (j = 0; j < i; j++)
			dup = dup || strcmp(forms[i], forms[j]) == 0;
		if (!dup) {
			entry = xasprintf(
			    "%s:%ld:%s", forms[i], hop->port, buf_str(&addrs));
			list = curl_slist_append(list, entry);
			ASSERT(list != NULL);
			free(entry);
		}
	}
	for (i = 0; i < n; i++)
		free(forms[i]);
	buf_release(&addrs);
	return list;
}

/* https_transfer_start - run the current hop; -1 and f->error on failure */
static int
https_transfer_start(struct https_fetch *f)
{
	struct https_hopdata *hop = https_hop_current(f);
	struct https *h = f->h;
	const struct https_host *host = NULL;
	double left;
	long total_ms, connect_ms;
	bool report = (f->flags & HTTPS_VERIFY_REPORT) != 0;
	CURLcode rc = CURLE_OK;
	CURL *e;

	ASSERT(f->easy == NULL);
	if (!hop->ip_literal &&
	    ((host = https_host_find(f, hop->host)) == NULL ||
	        host->naddrs == 0)) {
		https_fetch_set_error(f, HTTPS_ERR_DNS, "no address for host");
		return -1;
	}
	left = f->deadline_at - https_now();
	total_ms = left > 0.001 ? (long)(left * 1000) : 1;
	connect_ms = (long)(f->connect_timeout * 1000);
	if (connect_ms < 1 || connect_ms > total_ms)
		connect_ms = total_ms;
	if ((e = curl_easy_init()) == NULL ||
	    (f->share = curl_share_init()) == NULL) {
		curl_easy_cleanup(e);
		https_fetch_set_error(
		    f, HTTPS_ERR_OTHER, "libcurl: cannot create a handle");
		return -1;
	}
	f->easy = e;
	f->resolve = host != NULL ? https_resolve_list(hop, host) : NULL;
	f->errbuf[0] = '\0';
	f->too_large = false;
	f->curl_resolving = false;
	buf_release(&f->body);

	curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	rc |= curl_easy_setopt(e, CURLOPT_URL, hop->url);
	rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)f);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= curl_easy_setopt(e, CURLOPT_PROXY, "");
	rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
	/* names: only ours, in a cache no other transfer sees */
	rc |= curl_easy_setopt(e, CURLOPT_SHARE, f->share);
	rc |= curl_easy_setopt(e, CURLOPT_RESOLVE, f->resolve);
	rc |= curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	rc |= curl_easy_setopt(
	    e, CURLOPT_RESOLVER_START_FUNCTION, https_on_resolver_start);
	rc |= curl_easy_setopt(e, CURLOPT_RESOLVER_START_DATA, (void *)f);
	/* a fresh connection and handshake for every hop */
	rc |= curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total_ms);
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, https_on_body);
	rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)f);
	rc |= curl_easy_setopt(
	    e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->body.cap);
	if (h->ca_file != NULL) {
		rc |= curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
		rc |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, report ? 0L : 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, report ? 0L : 2L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, https_on_sslctx);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, (void *)f);
	if (rc != CURLE_OK || curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		https_transfer_detach(f);
		https_fetch_set_error(
		    f, HTTPS_ERR_OTHER, "libcurl refused the transfer");
		return -1;
	}
	https_fetch_enter(f, HTTPS_FETCH_STATE_TRANSFER);
	return 0;
}

/* https_hop_collect - what the finished transfer says about the hop */
static void
https_hop_collect(struct https_fetch *f, struct https_hopdata *hop)
{
	struct curl_header *hd;
	CURL *e = f->easy;
	char *s;
	long n;
	size_t i, count;

	n = 0;
	if (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &n) == CURLE_OK)
		hop->status = n;
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &s) == CURLE_OK &&
	    s != NULL && *s != '\0' && hop->ip == NULL)
		hop->ip = xstrdup(s);
	n = 0;
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &n) == CURLE_OK)
		hop->ip_port = n;
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK &&
	    hop->content_type == NULL)
		hop->content_type = https_capped(hop, s);
	s = NULL;
	if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &s) == CURLE_OK &&
	    hop->redirect_url == NULL)
		hop->redirect_url = https_capped(hop, s);
	if (hop->location == NULL &&
	    curl_easy_header(e, "Location", 0, CURLH_HEADER, -1, &hd) ==
	        CURLHE_OK)
		hop->location = https_capped(hop, hd->value);
	if (hop->server == NULL &&
	    curl_easy_header(e, "Server", 0, CURLH_HEADER, -1, &hd) ==
	        CURLHE_OK)
		hop->server = https_capped(hop, hd->value);
	if (hop->nhsts == 0 &&
	    curl_easy_header(e, "Strict-Transport-Security", 0, CURLH_HEADER,
	        -1, &hd) == CURLHE_OK) {
		count = hd->amount;
		for (i = 0; i < count; i++) {
			if (hop->nhsts == HTTPS_MAX_HSTS) {
				hop->headers_capped = true;
				break;
			}
			if (curl_easy_header(e, "Strict-Transport-Security", i,
			        CURLH_HEADER, -1, &hd) != CURLHE_OK)
				break;
			if ((s = https_capped(hop, hd->value)) != NULL)
				hop->hsts[hop->nhsts++] = s;
		}
	}
}

static enum https_error
https_error_from_curl(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return HTTPS_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTPS_ERR_DNS;
	case CURLE_COULDNT_CONNECT:
		return HTTPS_ERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPS_ERR_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return HTTPS_ERR_CERT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return HTTPS_ERR_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return HTTPS_ERR_TOO_LARGE;
	case CURLE_TOO_MANY_REDIRECTS:
		return HTTPS_ERR_REDIRECT;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_BAD_CONTENT_ENCODING:
		return HTTPS_ERR_HTTP;
	default:
		return HTTPS_ERR_OTHER;
	}
}

static bool
https_is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/*
 * https_hop_next - follow the hop's redirect. Returns 0 when the next hop is
 * under way, -1 (f->error set) when the fetch ends.
 */
static int
https_hop_next(struct https_fetch *f, const char *url)
{
	struct https_hopdata *hop;
	struct https *h = f->h;
	void *handle = NULL;
	char *text;

	if (f->nhops > f->max_redirects) {
		text = xasprintf("more than %u redirects", f->max_redirects);
		https_fetch_set_error(f, HTTPS_ERR_REDIRECT, text);
		free(text);
		return -1;
	}
	if (https_hop_add(f, url, HTTPS_ERR_REDIRECT) != 0)
		return -1;
	hop = https_hop_current(f);
	if (hop->ip_literal || https_host_find(f, hop->host) != NULL)
		return https_transfer_start(f);
	if (!h->has_resolver || h->resolver.start == NULL) {
		https_fetch_set_error(f, HTTPS_ERR_REDIRECT,
		    "redirect to another host, and no resolver");
		return -1;
	}
	https_fetch_enter(f, HTTPS_FETCH_STATE_RESOLVE);
	if (h->resolver.start(h->resolver.ctx, hop->host, f, &handle) != 0) {
		https_fetch_set_error(
		    f, HTTPS_ERR_DNS, "cannot resolve the redirect's host");
		return -1;
	}
	/* https_resolved() may have come already, against the contract */
	if (f->state == HTTPS_FETCH_STATE_RESOLVE)
		f->resolve_handle = handle;
	return 0;
}

/* https_transfer_done - curl finished the current hop */
static void
https_transfer_done(struct https_fetch *f, CURLcode code)
{
	struct https_hopdata *hop = https_hop_current(f);
	enum https_error err;
	const char *text;
	char *msg = NULL;
	long vr;

	https_hop_collect(f, hop);
	f->curl_code = (int)code;
	err = https_error_from_curl(code);
	text = f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(code);
	if (f->too_large) {
		err = HTTPS_ERR_TOO_LARGE;
		msg = xasprintf("body larger than %zu bytes", f->body.cap);
		text = msg;
	} else if (err == HTTPS_ERR_TOO_LARGE) {
		msg = xasprintf(
		    "body larger than %zu bytes (%s)", f->body.cap, text);
		text = msg;
	} else if (f->curl_resolving) {
		err = HTTPS_ERR_DNS;
		msg = xasprintf("no address for %s", hop->host);
		text = msg;
	}
	if (err == HTTPS_ERR_CERT) {
		hop->cert_failed = true;
		vr = X509_V_OK;
		if (hop->verify_code == X509_V_OK &&
		    curl_easy_getinfo(
		        f->easy, CURLINFO_SSL_VERIFYRESULT, &vr) == CURLE_OK)
			hop->verify_code = vr;
		if (hop->verify_code == X509_V_OK)
			hop->verify_text = xstrdup(text);
	}
	https_transfer_detach(f);
	if (err != HTTPS_OK) {
		buf_release(&f->body);
		https_fetch_set_error(f, err, text);
		free(msg);
		https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
		return;
	}
	free(msg);
	if (f->max_redirects > 0 && https_is_redirect(hop->status) &&
	    hop->redirect_url != NULL) {
		buf_release(&f->body);
		if (https_hop_next(f, hop->redirect_url) == 0)
			return;
		https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
		return;
	}
	https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
}

/* https_drain - collect finished transfers; outside every curl callback */
static void
https_drain(struct https *h)
{
	struct https_fetch *f;
	CURLMsg *msg;
	CURLcode code;
	char *priv;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		code = msg->data.result;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		f = (struct https_fetch *)(void *)priv;
		if (f == NULL || f->easy != msg->easy_handle)
			continue;
		/* msg is invalid from here: the handle goes */
		https_transfer_done(f, code);
	}
}

void
https_resolved(struct https_fetch *f, const char *const *addrs, size_t naddrs,
    const char *error)
{
	struct https_hopdata *hop = https_hop_current(f);
	struct https_host *host;
	char *text;

	ASSERT(f->state == HTTPS_FETCH_STATE_RESOLVE);
	f->resolve_handle = NULL;
	https_host_add(f, hop->host, addrs, naddrs);
	host = https_host_find(f, hop->host);
	if (host == NULL || host->naddrs == 0) {
		text = xasprintf("no address for %s%s%s", hop->host,
		    error ? ": " : "", error ? error : "");
		https_fetch_set_error(f, HTTPS_ERR_DNS, text);
		free(text);
		https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
		return;
	}
	https_fetch_enter(f, HTTPS_FETCH_STATE_RESOLVED);
}

/* delivery */

static void
https_hop_public(const struct https_hopdata *hop, struct https_hop *out)
{
	memset(out, 0, sizeof(*out));
	out->url = hop->url;
	out->status = hop->status;
	out->location = hop->location;
	out->redirect_url = hop->redirect_url;
	out->content_type = hop->content_type;
	out->server = hop->server;
	out->hsts = (const char *const *)hop->hsts;
	out->nhsts = hop->nhsts;
	out->headers_capped = hop->headers_capped;
	out->ip = hop->ip;
	out->port = hop->ip != NULL ? hop->ip_port : 0;
	out->tls.handshake = hop->cert != NULL;
	out->tls.verify_code = hop->verify_code;
	out->tls.verified = hop->tls_seen && hop->cert != NULL &&
	    hop->verify_code == X509_V_OK && !hop->cert_failed;
	out->tls.cert = hop->cert;
	if (hop->verify_code != X509_V_OK)
		out->tls.verify_error =
		    X509_verify_cert_error_string(hop->verify_code);
	else if (hop->cert_failed)
		out->tls.verify_error = hop->verify_text;
}

static void
https_fetch_deliver(struct https_fetch *f)
{
	struct https_result res;
	struct https_hop *hops;
	size_t i;

	ASSERT(f->nhops > 0);
	hops = xcalloc(f->nhops, sizeof(*hops));
	for (i = 0; i < f->nhops; i++)
		https_hop_public(&f->hops[i], &hops[i]);
	memset(&res, 0, sizeof(res));
	res.error = f->error;
	res.error_id = https_error_name(f->error);
	res.curl_code = f->curl_code;
	res.error_text = f->error_text != NULL ? f->error_text : "";
	res.hops = hops;
	res.nhops = f->nhops;
	res.final = &hops[f->nhops - 1];
	res.body = (const uint8_t *)buf_str(&f->body);
	res.body_len = f->body.len;
	https_fetch_unlink(f);
	/* f belongs to nobody now: cb may free the client, f stays ours */
	f->cb(f->arg, &res);
	free(hops);
	https_fetch_free(f);
}

static void
https_fetch_on_step(evutil_socket_t fd, short what, void *arg)
{
	struct https_fetch *f = arg;

	(void)fd;
	(void)what;
	switch (f->state) {
	case HTTPS_FETCH_STATE_RESOLVED:
		if (https_transfer_start(f) != 0)
			https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
		break;
	case HTTPS_FETCH_STATE_DONE:
		https_fetch_deliver(f);
		break;
	default:
		break;
	}
}

static void
https_fetch_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct https_fetch *f = arg;
	struct https *h = f->h;

	(void)fd;
	(void)what;
	switch (f->state) {
	case HTTPS_FETCH_STATE_TRANSFER:
		https_hop_collect(f, https_hop_current(f));
		https_transfer_detach(f);
		break;
	case HTTPS_FETCH_STATE_RESOLVE:
		if (h->resolver.cancel != NULL)
			h->resolver.cancel(h->resolver.ctx, f->resolve_handle);
		f->resolve_handle = NULL;
		break;
	case HTTPS_FETCH_STATE_DONE:
		return;
	default:
		break;
	}
	buf_release(&f->body);
	https_fetch_set_error(f, HTTPS_ERR_TIMEOUT, "fetch deadline passed");
	https_fetch_enter(f, HTTPS_FETCH_STATE_DONE);
}

struct https_fetch *
https_get(
    struct https *h, const struct https_request *req, https_cb cb, void *arg)
{
	struct https_fetch *f;
	struct https_hopdata *hop;
	struct timeval tv;
	double timeout;
	const char *why = NULL;

	f = xcalloc(1, sizeof(*f));
	f->h = h;
	f->cb = cb;
	f->arg = arg;
	timeout = req->timeout > 0 ? req->timeout : HTTPS_DEFAULT_TIMEOUT;
	f->deadline_at = https_now() + timeout;
	f->connect_timeout =
	    req->connect_timeout > 0 ? req->connect_timeout : timeout;
	f->max_redirects = req->max_redirects < HTTPS_MAX_REDIRECTS
	    ? req->max_redirects
	    : HTTPS_MAX_REDIRECTS;
	f->flags = req->flags;
	buf_init(&f->body,
	    req->max_body > 0 ? req->max_body : HTTPS_DEFAULT_MAX_BODY);
	f->deadline = evtimer_new(h->base, https_fetch_on_deadline, f);
	f->step = evtimer_new(h->base, https_fetch_on_step, f);
	f->next = h->fetches;
	if (h->fetches != NULL)
		h->fetches->prev = f;
	h->fetches = f;

	if (req->url == NULL) {
		why = "no URL";
		goto fail;
	}
	if (https_hop_add(f, req->url, HTTPS_ERR_OTHER) != 0)
		goto fail;
	hop = https_hop_current(f);
	if (!hop->ip_literal && req->naddrs == 0) {
		why = "no address for the host";
		goto fail;
	}
	if (req->naddrs > HTTPS_MAX_ADDRS) {
		why = "too many addresses";
		goto fail;
	}
	if (req->naddrs > 0 &&
	    https_host_add(f, hop->host, req->addrs, req->naddrs) != 0) {
		why = "an address is not numeric";
		goto fail;
	}
	tv = https_tv(timeout + HTTPS_DEADLINE_GRACE);
	evtimer_add(f->deadline, &tv);
	if (https_transfer_start(f) != 0)
		goto fail;
	return f;
fail:
	log_warnx("%s: https: %s", req->url ? req->url : "-",
	    why                 ? why
	        : f->error_text ? f->error_text
	                        : "cannot start");
	https_fetch_unlink(f);
	https_fetch_free(f);
	return NULL;
}
