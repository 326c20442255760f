/* SPDX-License-Identifier: ISC */
/*
 * metrics - GET /metrics over HTTP/1.x, one request per connection.
 *
 * The request head is read until the blank line (capped), only its first
 * line is parsed ("METHOD SP TARGET SP HTTP/1.x"), the answer is queued
 * with "Connection: close", and the connection closes once it has drained.
 * Headers and any body the client sends are ignored. A connection ends
 * only through metrics_conn_close().
 */
#include "policyd/metrics.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "policyd/server.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#define METRICS_MAX_LISTEN 8

struct metrics_conn {
	struct metrics *m;       /* borrowed */
	struct bufferevent *bev; /* owned */
	bool answered;           /* the reply is queued: close when sent */
	TAILQ_ENTRY(metrics_conn) entry;
};

TAILQ_HEAD(metrics_conns, metrics_conn);

struct metrics {
	struct event_base *base; /* borrowed */
	metrics_write_fn fn;
	void *arg; /* borrowed: for fn */
	struct evconnlistener *listeners[METRICS_MAX_LISTEN]; /* owned */
	size_t nlisteners;
	int fd0; /* the first listening socket */
	struct metrics_conns conns;
	size_t nconns;
};

static void
metrics_conn_close(struct metrics_conn *c)
{
	TAILQ_REMOVE(&c->m->conns, c, entry);
	c->m->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

/* metrics_respond - queue a whole response; body may be NULL */
static void
metrics_respond(struct metrics_conn *c, const char *status, const char *ctype,
    const char *extra, const char *body, size_t len, bool head)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	evbuffer_add_printf(out,
	    "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "%sConnection: close\r\n\r\n",
	    status, ctype, len, extra);
	if (!head && len > 0)
		evbuffer_add(out, body, len);
	c->answered = true;
	bufferevent_disable(c->bev, EV_READ);
}

static void
metrics_error(struct metrics_conn *c, const char *status, const char *extra)
{
	char body[64];
	int n;

	n = snprintf(body, sizeof(body), "%s\n", status);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	metrics_respond(c, status, "text/plain; charset=utf-8", extra, body,
	    (size_t)n, false);
}

/* metrics_is - does the slice (p, len) equal s */
static bool
metrics_is(const char *p, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(p, s, len) == 0;
}

/* metrics_request - answer the request line (p, len), CRLF excluded */
static void
metrics_request(struct metrics_conn *c, const char *p, size_t len)
{
	const char *sp1, *sp2, *target, *version;
	size_t mlen, tlen, vlen, plen;
	struct buf body;
	bool head;

	sp1 = memchr(p, ' ', len);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - p))
	                  : NULL;
	if (sp1 == NULL || sp2 == NULL) {
		metrics_error(c, "400 Bad Request", "");
		return;
	}
	mlen = (size_t)(sp1 - p);
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	version = sp2 + 1;
	vlen = len - (size_t)(version - p);
	if (!metrics_is(version, vlen, "HTTP/1.0") &&
	    !metrics_is(version, vlen, "HTTP/1.1")) {
		metrics_error(c, "400 Bad Request", "");
		return;
	}
	head = metrics_is(p, mlen, "HEAD");
	if (!head && !metrics_is(p, mlen, "GET")) {
		metrics_error(
		    c, "405 Method Not Allowed", "Allow: GET, HEAD\r\n");
		return;
	}
	/* the path, without a query string */
	for (plen = 0; plen < tlen && target[plen] != '?'; plen++)
		;
	if (!metrics_is(target, plen, "/metrics")) {
		metrics_error(c, "404 Not Found", "");
		return;
	}
	buf_init(&body, METRICS_MAX_BODY);
	if (c->m->fn(c->m->arg, &body) == -1) {
		buf_release(&body);
		metrics_error(c, "500 Internal Server Error", "");
		return;
	}
	metrics_respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
	    "", body.data, body.len, head);
	buf_release(&body);
}

static void
metrics_on_read(struct bufferevent *bev, void *arg)
{
	struct metrics_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end, eol;
	const char *line;

	if (c->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1) {
		/* also a bare "\n\n", as lenient servers take it */
		end = evbuffer_search(in, "\n\n", 2, NULL);
	}
	if (end.pos == -1) {
		if (evbuffer_get_length(in) > METRICS_MAX_HEAD)
			metrics_error(
			    c, "431 Request Header Fields Too Large", "");
		return;
	}
	if ((size_t)end.pos > METRICS_MAX_HEAD) {
		metrics_error(c, "431 Request Header Fields Too Large", "");
		return;
	}
	eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_CRLF);
	line = (const char *)evbuffer_pullup(in, eol.pos);
	metrics_request(c, line != NULL ? line : "", (size_t)eol.pos);
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
metrics_on_write(struct bufferevent *bev, void *arg)
{
	struct metrics_conn *c = arg;

	(void)bev;
	if (c->answered)
		metrics_conn_close(c);
}

static void
metrics_on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	/* EOF, error or timeout: nothing more will be sent or answered */
	metrics_conn_close(arg);
}

static void
metrics_on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct metrics *m = arg;
	struct metrics_conn *c;
	struct timeval tv;

	(void)l;
	(void)sa;
	(void)salen;
	if (m->nconns >= METRICS_MAX_CONNS) {
		evutil_closesocket(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->m = m;
	c->bev = bufferevent_socket_new(m->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&m->conns, c, entry);
	m->nconns++;
	tv.tv_sec = (time_t)METRICS_TIMEOUT;
	tv.tv_usec = 0;
	bufferevent_setcb(
	    c->bev, metrics_on_read, metrics_on_write, metrics_on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, METRICS_MAX_HEAD + 1);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
metrics_split_hostport(
    const char *hostport, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(hostport, ':'), *h = hostport;
	size_t len;
	long v = 0;
	const char *q;

	if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) > 5)
		return -1;
	for (q = colon + 1; *q != '\0'; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		v = v * 10 + (*q - '0');
	}
	if (v > 65535)
		return -1;
	len = (size_t)(colon - hostport);
	if (len > 0 && h[0] == '[') {
		if (len < 2 || h[len - 1] != ']')
			return -1;
		h++;
		len -= 2;
	}
	if (len == 0 || len >= hostlen || memchr(h, '\0', len) != NULL)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (int)v;
	return 0;
}

struct metrics *
metrics_new(struct event_base *base, const char *hostport, metrics_write_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct metrics *m;
	struct evconnlistener *l;
	char host[256];
	int fds[METRICS_MAX_LISTEN], port;
	size_t n, i;

	if (metrics_split_hostport(hostport, host, sizeof(host), &port) == -1) {
		if (err != NULL && errlen > 0)
			(void)snprintf(err, errlen,
			    "%s: metrics address must be HOST:PORT", hostport);
		return NULL;
	}
	if (server_listen_tcp(host, port, false, SERVER_BACKLOG, fds,
	        METRICS_MAX_LISTEN, &n, err, errlen) == -1)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->fn = fn;
	m->arg = arg;
	m->fd0 = fds[0];
	TAILQ_INIT(&m->conns);
	for (i = 0; i < n; i++) {
		l = evconnlistener_new(base, metrics_on_accept, m,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fds[i]);
		if (l == NULL) {
			for (; i < n; i++)
				close(fds[i]);
			if (err != NULL && errlen > 0)
				(void)snprintf(err, errlen,
				    "%s: cannot make a listener", hostport);
			metrics_free(m);
			return NULL;
		}
		m->listeners[m->nlisteners++] = l;
	}
	return m;
}

int
metrics_port(const struct metrics *m)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(m->fd0, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

void
metrics_free(struct metrics *m)
{
	struct metrics_conn *c;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nlisteners; i++)
		evconnlistener_free(m->listeners[i]);
	while ((c = TAILQ_FIRST(&m->conns)) != NULL)
		metrics_conn_close(c);
	free(m);
}
