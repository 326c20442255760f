/* SPDX-License-Identifier: ISC */
/*
 * test_https - net/https against real servers on 127.0.0.1.
 *
 * tests/unit/https/server.py runs an HTTPS and a plain HTTP server on
 * ephemeral ports, with a CA and certificate made by `openssl req` at run
 * time in a temporary directory it removes on exit; it lives as long as our
 * pipe to its stdin. The peers that never answer or refuse are sockets of
 * this process. Host names are *.https.test, which nothing resolves: a
 * fetch that works shows libcurl used the addresses we gave. Every test
 * skips when python3 or openssl is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/x509v3.h>

#include "net/https.h"

#define GOOD  "good.https.test"
#define OTHER "other.https.test"
#define LOOP  "127.0.0.1"
#define BODY  "hello, world\n"

struct servers {
	bool up;        /* false: python3 or openssl missing, tests skip */
	pid_t pid;      /* server.py */
	int stdin_fd;   /* owned: its stdin; closing it stops it */
	int tls_port;   /* HTTPS */
	int plain_port; /* HTTP */
	char ca[PATH_MAX];
};

static struct servers srv = { .stdin_fd = -1 };

/* what a hop looked like, copied out of the callback (owned strings) */
struct got_hop {
	char *url;
	long status;
	char *location;
	char *redirect_url;
	char *content_type;
	char *hsts[HTTPS_MAX_HSTS];
	size_t nhsts;
	bool capped;
	char *ip;
	long port;
	bool handshake;
	bool verified;
	char *verify_error;
	bool cert;      /* a leaf came with it */
	bool cert_good; /* the leaf names GOOD */
};

struct got {
	bool fired;
	enum https_error error;
	char *error_id;
	char *error_text;
	int curl_code;
	struct got_hop hop[HTTPS_MAX_REDIRECTS + 1];
	size_t nhops;
	char *body;
	size_t body_len;
};

struct tfix {
	struct event_base *base; /* owned */
	struct https *h;         /* owned */
	struct got got;
	int resolves;       /* lookups the test resolver started */
	int pending;        /* lookups not yet answered */
	struct https *h2;   /* owned: a client started from a callback test */
	int second_fired;   /* callbacks of fetches started in a callback */
	struct event *hold; /* owned: keeps the loop going in cancel tests */
};

static struct tfix tf;

#define NEED_SERVERS()          \
	do {                    \
		if (!srv.up)    \
			skip(); \
	} while (0)

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
got_release(struct got *g)
{
	size_t i, j;

	for (i = 0; i < g->nhops; i++) {
		struct got_hop *h = &g->hop[i];

		free(h->url);
		free(h->location);
		free(h->redirect_url);
		free(h->content_type);
		for (j = 0; j < h->nhsts; j++)
			free(h->hsts[j]);
		free(h->ip);
		free(h->verify_error);
	}
	free(g->error_id);
	free(g->error_text);
	free(g->body);
	memset(g, 0, sizeof(*g));
}

static void
got_copy(struct got *g, const struct https_result *r)
{
	size_t i, j;

	got_release(g);
	g->fired = true;
	g->error = r->error;
	g->error_id = strdup(r->error_id);
	g->error_text = strdup(r->error_text);
	g->curl_code = r->curl_code;
	assert_true(r->nhops >= 1);
	assert_true(r->nhops <= HTTPS_MAX_REDIRECTS + 1);
	assert_ptr_equal(r->final, &r->hops[r->nhops - 1]);
	g->nhops = r->nhops;
	for (i = 0; i < r->nhops; i++) {
		const struct https_hop *s = &r->hops[i];
		struct got_hop *d = &g->hop[i];

		d->url = dup_or_null(s->url);
		d->status = s->status;
		d->location = dup_or_null(s->location);
		d->redirect_url = dup_or_null(s->redirect_url);
		d->content_type = dup_or_null(s->content_type);
		assert_true(s->nhsts <= HTTPS_MAX_HSTS);
		for (j = 0; j < s->nhsts; j++)
			d->hsts[j] = strdup(s->hsts[j]);
		d->nhsts = s->nhsts;
		d->capped = s->headers_capped;
		d->ip = dup_or_null(s->ip);
		d->port = s->port;
		d->handshake = s->tls.handshake;
		d->verified = s->tls.verified;
		d->verify_error = dup_or_null(s->tls.verify_error);
		d->cert = s->tls.cert != NULL;
		d->cert_good = s->tls.cert != NULL &&
		    X509_check_host(s->tls.cert, GOOD, 0, 0, NULL) == 1;
		/* verified and a reason exclude each other */
		assert_true(s->tls.verified == (s->tls.verify_error == NULL) ||
		    !s->tls.handshake);
	}
	assert_non_null(r->body);
	assert_int_equal(r->body[r->body_len], '\0');
	g->body = malloc(r->body_len + 1);
	memcpy(g->body, r->body, r->body_len + 1);
	g->body_len = r->body_len;
}

static const struct got_hop *
final(void)
{
	return &tf.got.hop[tf.got.nhops - 1];
}

static void
on_done(void *arg, const struct https_result *r)
{
	struct got *g = arg;

	assert_false(g->fired);
	got_copy(g, r);
	event_base_loopbreak(tf.base);
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(tf.base);
}

/* run_loop - dispatch until a callback breaks the loop, or seconds pass */
static void
run_loop(double seconds)
{
	struct event *guard = evtimer_new(tf.base, on_guard, NULL);
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(guard, &tv);
	event_base_dispatch(tf.base);
	event_free(guard);
}

static const char *
url(const char *scheme, const char *host, int port, const char *path)
{
	static char buf[4][256];
	static int n;
	char *b = buf[n++ % 4];

	snprintf(b, sizeof(buf[0]), "%s://%s:%d%s", scheme, host, port, path);
	return b;
}

struct opts {
	const char *addr; /* one address, or NULL for none */
	unsigned max_redirects;
	enum https_flags flags;
	size_t max_body;
	double timeout;
};

static void
fetch_with(const char *u, const struct opts *o)
{
	struct https_request req;
	const char *addrs[1];

	memset(&req, 0, sizeof(req));
	req.url = u;
	addrs[0] = o->addr;
	req.addrs = addrs;
	req.naddrs = o->addr != NULL ? 1 : 0;
	req.timeout = o->timeout > 0 ? o->timeout : 5;
	req.max_redirects = o->max_redirects;
	req.flags = o->flags;
	req.max_body = o->max_body;
	assert_non_null(https_get(tf.h, &req, on_done, &tf.got));
	/* never inside https_get */
	assert_false(tf.got.fired);
	run_loop(8);
	assert_true(tf.got.fired);
}

static void
fetch(const char *u)
{
	struct opts o = { .addr = LOOP };

	fetch_with(u, &o);
}

/* the test resolver: OTHER is 127.0.0.1, nothing else exists */

struct tres {
	struct event *ev;      /* owned: answers from the loop */
	struct https_fetch *f; /* borrowed */
	char *host;            /* owned */
};

static void
tres_fire(evutil_socket_t fd, short what, void *arg)
{
	struct tres *t = arg;
	const char *addrs[] = { LOOP };

	(void)fd;
	(void)what;
	tf.pending--;
	if (strcmp(t->host, OTHER) == 0)
		https_resolved(t->f, addrs, 1, NULL);
	else
		https_resolved(t->f, NULL, 0, "NXDOMAIN");
	event_free(t->ev);
	free(t->host);
	free(t);
}

static int
tres_start(void *ctx, const char *host, struct https_fetch *f, void **handle)
{
	struct tres *t = calloc(1, sizeof(*t));
	struct timeval zero = { 0, 0 };

	(void)ctx;
	t->f = f;
	t->host = strdup(host);
	t->ev = evtimer_new(tf.base, tres_fire, t);
	evtimer_add(t->ev, &zero);
	tf.resolves++;
	tf.pending++;
	*handle = t;
	return 0;
}

static void
tres_cancel(void *ctx, void *handle)
{
	struct tres *t = handle;

	(void)ctx;
	tf.pending--;
	event_free(t->ev);
	free(t->host);
	free(t);
}

static const struct https_resolver tres = {
	.start = tres_start,
	.cancel = tres_cancel,
	.ctx = NULL,
};

static struct https *
client(const char *ca_file, const struct https_resolver *r)
{
	struct https_config cfg;
	struct https *h;
	char *err = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ca_file = ca_file;
	cfg.user_agent = "mxaudit-test";
	cfg.resolver = r;
	cfg.max_connections = 16;
	cfg.max_host_connections = 4;
	h = https_new(tf.base, &cfg, &err);
	if (h == NULL)
		fail_msg("https_new: %s", err);
	return h;
}

/* server.py */

static bool
python3_found(void)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], file[PATH_MAX + 16];
	const char *p, *colon;
	size_t len;

	for (p = path ? path : "/usr/bin:/bin"; *p != '\0'; p = colon + 1) {
		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		if (len > 0 && len < sizeof(dir)) {
			memcpy(dir, p, len);
			dir[len] = '\0';
			snprintf(file, sizeof(file), "%s/python3", dir);
			if (access(file, X_OK) == 0)
				return true;
		}
		if (colon == NULL)
			break;
	}
	return false;
}

static int
servers_start(void **state)
{
	char script[PATH_MAX], line[PATH_MAX + 64], dir[PATH_MAX];
	const char *slash;
	struct pollfd pfd;
	size_t n = 0;
	ssize_t r;
	int in[2], out[2], status;
	struct stat st;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	slash = strrchr(__FILE__, '/');
	snprintf(script, sizeof(script), "%.*s/https/server.py",
	    slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	if (stat(script, &st) != 0) {
		fprintf(
		    stderr, "test_https: %s: %s\n", script, strerror(errno));
		return -1;
	}
	if (!python3_found()) {
		fprintf(stderr, "test_https: no python3: skipping\n");
		return 0;
	}
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	if ((srv.pid = fork()) < 0)
		return -1;
	if (srv.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp("python3", "python3", script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv.stdin_fd = in[1];
	/* one line, "READY <tls> <plain> <dir>", within 15 s */
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (n < sizeof(line) - 1 && memchr(line, '\n', n) == NULL) {
		if (poll(&pfd, 1, 15000) <= 0)
			break;
		if ((r = read(out[0], line + n, sizeof(line) - 1 - n)) <= 0)
			break;
		n += (size_t)r;
	}
	close(out[0]);
	line[n] = '\0';
	if (sscanf(line, "READY %d %d %4095s", &srv.tls_port, &srv.plain_port,
	        dir) != 3) {
		close(srv.stdin_fd);
		srv.stdin_fd = -1;
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, &status, 0);
		if (WIFEXITED(status) &&
		    (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 127)) {
			fprintf(stderr, "test_https: no openssl: skipping\n");
			return 0;
		}
		fprintf(stderr, "test_https: server.py did not start\n");
		return -1;
	}
	if (snprintf(srv.ca, sizeof(srv.ca), "%.4000s/ca.pem", dir) >=
	    (int)sizeof(srv.ca))
		return -1;
	srv.up = true;
	return 0;
}

static int
servers_stop(void **state)
{
	int status, i;

	(void)state;
	if (srv.stdin_fd < 0)
		return 0;
	close(srv.stdin_fd);
	srv.stdin_fd = -1;
	for (i = 0; i < 300; i++) {
		if (waitpid(srv.pid, &status, WNOHANG) == srv.pid)
			return 0;
		usleep(10000);
	}
	kill(srv.pid, SIGTERM);
	waitpid(srv.pid, &status, 0);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	memset(&tf, 0, sizeof(tf));
	tf.base = event_base_new();
	if (srv.up)
		tf.h = client(srv.ca, &tres);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	https_free(tf.h);
	https_free(tf.h2);
	if (tf.hold != NULL)
		event_free(tf.hold);
	got_release(&tf.got);
	event_base_free(tf.base);
	assert_int_equal(tf.pending, 0);
	return 0;
}

/* the tests */

static void
test_ok(void **state)
{
	const struct got_hop *h;

	(void)state;
	NEED_SERVERS();
	fetch(url("https", GOOD, srv.tls_port, "/ok"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_string_equal(tf.got.error_id, "ok");
	assert_string_equal(tf.got.error_text, "");
	assert_int_equal(tf.got.curl_code, 0);
	assert_int_equal(tf.got.nhops, 1);
	h = final();
	assert_string_equal(h->url, url("https", GOOD, srv.tls_port, "/ok"));
	assert_int_equal(h->status, 200);
	assert_string_equal(h->content_type, "text/plain; charset=utf-8");
	assert_int_equal(tf.got.body_len, strlen(BODY));
	assert_string_equal(tf.got.body, BODY);
	assert_int_equal(h->nhsts, 2);
	assert_string_equal(h->hsts[0], "max-age=31536000");
	assert_string_equal(h->hsts[1], "max-age=0");
	assert_false(h->capped);
	assert_null(h->location);
	assert_null(h->redirect_url);
	assert_string_equal(h->ip, LOOP);
	assert_int_equal(h->port, srv.tls_port);
	assert_true(h->handshake);
	assert_true(h->verified);
	assert_null(h->verify_error);
	assert_true(h->cert);
	assert_true(h->cert_good);
}

static void
test_not_found(void **state)
{
	(void)state;
	NEED_SERVERS();
	fetch(url("https", GOOD, srv.tls_port, "/missing"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->status, 404);
	assert_string_equal(final()->content_type, "text/html");
	assert_string_equal(tf.got.body, "nope\n");
}

static void
test_plain_http(void **state)
{
	(void)state;
	NEED_SERVERS();
	fetch(url("http", GOOD, srv.plain_port, "/ok"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->status, 200);
	assert_string_equal(tf.got.body, BODY);
	assert_int_equal(final()->port, srv.plain_port);
	assert_false(final()->handshake);
	assert_false(final()->verified);
	assert_false(final()->cert);
	assert_null(final()->verify_error);
}

static void
test_ip_literal(void **state)
{
	struct opts o = { .addr = NULL };

	(void)state;
	NEED_SERVERS();
	/* no addresses needed; the certificate has IP:127.0.0.1 */
	fetch_with(url("https", LOOP, srv.tls_port, "/ok"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->status, 200);
	assert_true(final()->verified);
}

static void
test_redirect_not_followed(void **state)
{
	(void)state;
	NEED_SERVERS();
	fetch(url("https", GOOD, srv.tls_port, "/redir"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(tf.got.nhops, 1);
	assert_int_equal(final()->status, 301);
	assert_string_equal(final()->location, "/ok");
	assert_string_equal(
	    final()->redirect_url, url("https", GOOD, srv.tls_port, "/ok"));
	assert_string_equal(tf.got.body, "moved\n");
}

static void
test_redirect_chain(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 5 };
	char want[16];
	int i;

	(void)state;
	NEED_SERVERS();
	fetch_with(url("https", GOOD, srv.tls_port, "/r/3"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(tf.got.nhops, 4);
	for (i = 0; i < 3; i++) {
		const struct got_hop *h = &tf.got.hop[i];

		snprintf(want, sizeof(want), "/r/%d", 3 - i);
		assert_string_equal(
		    h->url, url("https", GOOD, srv.tls_port, want));
		assert_int_equal(h->status, 302);
		snprintf(want, sizeof(want), "/r/%d", 2 - i);
		assert_string_equal(h->location, want);
		assert_string_equal(
		    h->redirect_url, url("https", GOOD, srv.tls_port, want));
		assert_int_equal(h->nhsts, 1);
		snprintf(want, sizeof(want), "max-age=%d", 3 - i);
		assert_string_equal(h->hsts[0], want);
		/* every hop its own connection and handshake */
		assert_true(h->verified);
		assert_true(h->cert_good);
	}
	assert_int_equal(final()->status, 200);
	assert_string_equal(
	    final()->url, url("https", GOOD, srv.tls_port, "/r/0"));
	assert_string_equal(tf.got.body, BODY);
}

static void
test_redirect_too_many(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 2 };

	(void)state;
	NEED_SERVERS();
	fetch_with(url("https", GOOD, srv.tls_port, "/r/3"), &o);
	assert_int_equal(tf.got.error, HTTPS_ERR_REDIRECT);
	assert_string_equal(tf.got.error_id, "redirect");
	assert_int_equal(tf.got.nhops, 3);
	assert_int_equal(final()->status, 302);
	assert_string_equal(final()->location, "/r/0");
	assert_int_equal(tf.got.body_len, 0);
}

static void
test_redirect_http_to_https(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 3 };

	(void)state;
	NEED_SERVERS();
	/* same host, another scheme and port: the same addresses serve */
	fetch_with(url("http", GOOD, srv.plain_port, "/up"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(tf.got.nhops, 2);
	assert_int_equal(tf.got.hop[0].status, 301);
	assert_false(tf.got.hop[0].handshake);
	assert_int_equal(final()->status, 200);
	assert_true(final()->verified);
	assert_int_equal(tf.resolves, 0);
	assert_string_equal(tf.got.body, BODY);
}

static void
test_redirect_other_host(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 3 };

	(void)state;
	NEED_SERVERS();
	fetch_with(url("https", GOOD, srv.tls_port, "/away"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(tf.resolves, 1);
	assert_int_equal(tf.got.nhops, 2);
	assert_int_equal(tf.got.hop[0].status, 302);
	assert_string_equal(
	    final()->url, url("https", OTHER, srv.tls_port, "/ok"));
	assert_int_equal(final()->status, 200);
	assert_true(final()->verified);
	assert_string_equal(tf.got.body, BODY);
}

static void
test_redirect_no_resolver(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 3 };

	(void)state;
	NEED_SERVERS();
	https_free(tf.h);
	tf.h = client(srv.ca, NULL);
	fetch_with(url("https", GOOD, srv.tls_port, "/away"), &o);
	assert_int_equal(tf.got.error, HTTPS_ERR_REDIRECT);
	assert_int_equal(tf.got.nhops, 2);
	assert_int_equal(tf.got.hop[0].status, 302);
	assert_int_equal(final()->status, 0);
}

static void
test_redirect_bad_scheme(void **state)
{
	struct opts o = { .addr = LOOP, .max_redirects = 3 };

	(void)state;
	NEED_SERVERS();
	fetch_with(url("https", GOOD, srv.tls_port, "/ftp"), &o);
	assert_int_equal(tf.got.error, HTTPS_ERR_REDIRECT);
	assert_int_equal(tf.got.hop[0].status, 302);
	assert_string_equal(
	    tf.got.hop[0].location, "ftp://good.https.test/file");
}

static void
test_hsts_capped(void **state)
{
	(void)state;
	NEED_SERVERS();
	fetch(url("https", GOOD, srv.tls_port, "/hsts10"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->nhsts, HTTPS_MAX_HSTS);
	assert_string_equal(final()->hsts[0], "max-age=0");
	assert_string_equal(final()->hsts[7], "max-age=7");
	assert_true(final()->capped);
}

static void
test_header_capped(void **state)
{
	(void)state;
	NEED_SERVERS();
	/* a Location over HTTPS_MAX_HEADER is left out, and said so */
	fetch(url("https", GOOD, srv.tls_port, "/longloc"));
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->status, 302);
	assert_null(final()->location);
	assert_null(final()->redirect_url);
	assert_true(final()->capped);
}

static void
test_address_list(void **state)
{
	struct https_request req;
	const char *addrs[] = { "::1", LOOP };

	(void)state;
	NEED_SERVERS();
	/* IPv6 goes in brackets; nothing listens there, IPv4 answers */
	memset(&req, 0, sizeof(req));
	req.url = url("https", GOOD, srv.tls_port, "/ok");
	req.addrs = addrs;
	req.naddrs = 2;
	req.timeout = 5;
	assert_non_null(https_get(tf.h, &req, on_done, &tf.got));
	run_loop(8);
	assert_true(tf.got.fired);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_string_equal(final()->ip, LOOP);
}

static void
test_too_large(void **state)
{
	static const char *const paths[] = { "/big", "/stream" };
	struct opts o = { .addr = LOOP, .max_body = 1000 };
	size_t i;

	(void)state;
	NEED_SERVERS();
	/* announced by Content-Length, and found while reading */
	for (i = 0; i < 2; i++) {
		fetch_with(url("https", GOOD, srv.tls_port, paths[i]), &o);
		assert_int_equal(tf.got.error, HTTPS_ERR_TOO_LARGE);
		assert_string_equal(tf.got.error_id, "too-large");
		assert_non_null(strstr(tf.got.error_text, "1000"));
		assert_int_equal(final()->status, 200);
		assert_int_equal(tf.got.body_len, 0);
		got_release(&tf.got);
	}
}

static void
test_wrong_name(void **state)
{
	(void)state;
	NEED_SERVERS();
	fetch(url("https", "bad.https.test", srv.tls_port, "/ok"));
	assert_int_equal(tf.got.error, HTTPS_ERR_CERT);
	assert_string_equal(tf.got.error_id, "cert");
	assert_int_not_equal(tf.got.curl_code, 0);
	assert_int_equal(final()->status, 0);
	assert_true(final()->handshake);
	assert_false(final()->verified);
	assert_string_equal(final()->verify_error, "hostname mismatch");
	/* the leaf is there to inspect */
	assert_true(final()->cert_good);
	assert_int_equal(tf.got.body_len, 0);
}

static void
test_wrong_name_report(void **state)
{
	struct opts o = { .addr = LOOP, .flags = HTTPS_VERIFY_REPORT };

	(void)state;
	NEED_SERVERS();
	fetch_with(url("https", "bad.https.test", srv.tls_port, "/ok"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_int_equal(final()->status, 200);
	assert_string_equal(tf.got.body, BODY);
	assert_true(final()->handshake);
	assert_false(final()->verified);
	assert_string_equal(final()->verify_error, "hostname mismatch");
	assert_true(final()->cert_good);
}

static void
test_good_name_report(void **state)
{
	struct opts o = { .addr = LOOP, .flags = HTTPS_VERIFY_REPORT };

	(void)state;
	NEED_SERVERS();
	/* report mode still verifies against the CA file */
	fetch_with(url("https", GOOD, srv.tls_port, "/ok"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_true(final()->verified);
	assert_null(final()->verify_error);
}

static void
test_untrusted(void **state)
{
	struct opts o = { .addr = LOOP, .flags = HTTPS_VERIFY_REPORT };

	(void)state;
	NEED_SERVERS();
	/* the system's anchors do not include the test CA */
	https_free(tf.h);
	tf.h = client(NULL, NULL);
	fetch(url("https", GOOD, srv.tls_port, "/ok"));
	assert_int_equal(tf.got.error, HTTPS_ERR_CERT);
	assert_false(final()->verified);
	assert_int_equal(final()->status, 0);
	assert_non_null(final()->verify_error);
	assert_string_not_equal(final()->verify_error, "hostname mismatch");
	got_release(&tf.got);
	fetch_with(url("https", GOOD, srv.tls_port, "/ok"), &o);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_false(final()->verified);
	assert_non_null(final()->verify_error);
	assert_string_equal(tf.got.body, BODY);
}

/* listener - a socket on 127.0.0.1:0; listening, or only bound */
static int
listener(bool listening, int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (listening)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_timeout(void **state)
{
	struct opts o = { .addr = LOOP, .timeout = 0.3 };
	double t0;
	int fd, port;

	(void)state;
	NEED_SERVERS();
	/* the kernel completes the connection; nobody ever speaks */
	fd = listener(true, &port);
	t0 = now();
	fetch_with(url("https", GOOD, port, "/ok"), &o);
	assert_true(now() - t0 < 2.0);
	assert_int_equal(tf.got.error, HTTPS_ERR_TIMEOUT);
	assert_string_equal(tf.got.error_id, "timeout");
	assert_int_equal(final()->status, 0);
	close(fd);
}

static void
test_refused(void **state)
{
	int fd, port;

	(void)state;
	NEED_SERVERS();
	fd = listener(false, &port);
	fetch(url("https", GOOD, port, "/ok"));
	assert_int_equal(tf.got.error, HTTPS_ERR_CONNECT);
	assert_string_equal(tf.got.error_id, "connect");
	assert_true(strlen(tf.got.error_text) > 0);
	close(fd);
}

static void
on_done_count(void *arg, const struct https_result *r)
{
	struct got *g = arg;

	got_copy(g, r);
	tf.second_fired++;
	if (tf.second_fired == 2)
		event_base_loopbreak(tf.base);
}

static void
test_isolated_addresses(void **state)
{
	struct https_request req;
	struct got other;
	const char *a1[] = { LOOP };
	const char *a2[] = { "127.0.0.2" };

	(void)state;
	NEED_SERVERS();
	/* one name, two address sets at once: neither sees the other's */
	memset(&other, 0, sizeof(other));
	memset(&req, 0, sizeof(req));
	req.url = url("https", GOOD, srv.tls_port, "/ok");
	req.timeout = 5;
	req.addrs = a2;
	req.naddrs = 1;
	assert_non_null(https_get(tf.h, &req, on_done_count, &other));
	req.addrs = a1;
	assert_non_null(https_get(tf.h, &req, on_done_count, &tf.got));
	run_loop(8);
	assert_int_equal(tf.second_fired, 2);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_string_equal(final()->ip, LOOP);
	/* the server listens on 127.0.0.1 only */
	assert_int_equal(other.error, HTTPS_ERR_CONNECT);
	got_release(&other);
}

static void
test_bad_requests(void **state)
{
	struct https_request req;
	const char *bad[] = { "not-an-address" };
	const char *ok[] = { LOOP };

	(void)state;
	NEED_SERVERS();
	memset(&req, 0, sizeof(req));
	/* no address for a name */
	req.url = url("https", GOOD, srv.tls_port, "/ok");
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.addrs = bad;
	req.naddrs = 1;
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.addrs = ok;
	req.naddrs = HTTPS_MAX_ADDRS + 1;
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.naddrs = 1;
	req.url = "ftp://good.https.test/";
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.url = "https://gr\xc3\xbc\xc3\x9f.https.test/";
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.url = "not a url";
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	req.url = NULL;
	assert_null(https_get(tf.h, &req, on_done, &tf.got));
	run_loop(0.05);
	assert_false(tf.got.fired);
}

static void
on_never(void *arg, const struct https_result *r)
{
	(void)arg;
	(void)r;
	fail_msg("a cancelled fetch called back");
}

static void
test_cancel(void **state)
{
	struct https_request req;
	struct https_fetch *f;
	const char *addrs[] = { LOOP };
	double t0;
	int fd, port;

	(void)state;
	NEED_SERVERS();
	fd = listener(true, &port);
	memset(&req, 0, sizeof(req));
	req.addrs = addrs;
	req.naddrs = 1;
	req.timeout = 5;
	/* before anything ran, and mid-transfer */
	req.url = url("https", GOOD, srv.tls_port, "/ok");
	f = https_get(tf.h, &req, on_never, NULL);
	assert_non_null(f);
	https_cancel(f);
	req.url = url("https", GOOD, port, "/ok");
	f = https_get(tf.h, &req, on_never, NULL);
	assert_non_null(f);
	run_loop(0.2);
	https_cancel(f);
	https_cancel(NULL);
	/* outstanding at https_free: a transfer and a lookup */
	assert_non_null(https_get(tf.h, &req, on_never, NULL));
	req.url = url("https", GOOD, srv.tls_port, "/away");
	req.max_redirects = 3;
	assert_non_null(https_get(tf.h, &req, on_never, NULL));
	t0 = now();
	while (tf.resolves == 0 && now() - t0 < 5)
		event_base_loop(tf.base, EVLOOP_ONCE);
	assert_int_equal(tf.pending, 1);
	https_free(tf.h);
	tf.h = NULL;
	assert_int_equal(tf.pending, 0);
	run_loop(0.1);
	close(fd);
}

/* on_done_free - free the client from inside its own callback */
static void
on_done_free(void *arg, const struct https_result *r)
{
	struct got *g = arg;

	got_copy(g, r);
	https_free(tf.h);
	tf.h = NULL;
	event_base_loopbreak(tf.base);
}

/* on_done_again - start another fetch from inside a callback */
static void
on_done_again(void *arg, const struct https_result *r)
{
	struct https_request req;
	const char *addrs[] = { LOOP };

	(void)arg;
	assert_int_equal(r->error, HTTPS_OK);
	memset(&req, 0, sizeof(req));
	req.url = url("https", GOOD, srv.tls_port, "/ok");
	req.addrs = addrs;
	req.naddrs = 1;
	req.timeout = 5;
	assert_non_null(https_get(tf.h, &req, on_done_free, &tf.got));
	assert_false(tf.got.fired);
}

static void
test_reentrant(void **state)
{
	struct https_request req;
	const char *addrs[] = { LOOP };

	(void)state;
	NEED_SERVERS();
	memset(&req, 0, sizeof(req));
	req.url = url("http", GOOD, srv.plain_port, "/ok");
	req.addrs = addrs;
	req.naddrs = 1;
	req.timeout = 5;
	assert_non_null(https_get(tf.h, &req, on_done_again, NULL));
	run_loop(8);
	assert_true(tf.got.fired);
	assert_int_equal(tf.got.error, HTTPS_OK);
	assert_null(tf.h);
}

static void
test_error_names(void **state)
{
	(void)state;
	assert_string_equal(https_error_name(HTTPS_OK), "ok");
	assert_string_equal(https_error_name(HTTPS_ERR_DNS), "dns");
	assert_string_equal(https_error_name(HTTPS_ERR_CONNECT), "connect");
	assert_string_equal(https_error_name(HTTPS_ERR_TIMEOUT), "timeout");
	assert_string_equal(https_error_name(HTTPS_ERR_TLS), "tls");
	assert_string_equal(https_error_name(HTTPS_ERR_CERT), "cert");
	assert_string_equal(https_error_name(HTTPS_ERR_HTTP), "http");
	assert_string_equal(https_error_name(HTTPS_ERR_TOO_LARGE), "too-large");
	assert_string_equal(https_error_name(HTTPS_ERR_REDIRECT), "redirect");
	assert_string_equal(https_error_name(HTTPS_ERR_OTHER), "other");
	assert_string_equal(https_error_name(HTTPS_ERR_MAX), "other");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_names),
		cmocka_unit_test_setup_teardown(test_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_plain_http, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ip_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_http_to_https, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_other_host, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_no_resolver, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_redirect_bad_scheme, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_hsts_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_header_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_address_list, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wrong_name, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_wrong_name_report, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_good_name_report, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_untrusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_isolated_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_reentrant, setup, teardown),
	};

	return cmocka_run_group_tests(tests, servers_start, servers_stop);
}
