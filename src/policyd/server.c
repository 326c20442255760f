/* SPDX-License-Identifier: ISC */
/*
 * server - socketmap server: listeners, connections, framing, limits.
 *
 * A connection is a bufferevent and a netstring decoder. The read callback
 * feeds the input buffer's chunks to the decoder in place and answers each
 * complete request at once through the engine's callback, so replies leave
 * in request order. Backpressure: after max_pending replies (or
 * SERVER_OUTPUT_HIGH bytes) are queued, reading stops until the output has
 * drained; the client's own socket buffers then hold the rest.
 *
 * A connection ends through server_conn_close() only. "closing" means no
 * more requests are read: the connection closes as soon as its output is
 * empty (after PERM bad request, EOF, or the last request during a
 * shutdown). libevent keeps a bufferevent alive while its callback runs,
 * and nothing touches the connection after server_conn_close(), so it can
 * be closed from its own callbacks. The server itself is freed from its
 * shutdown callback only after that callback returns (s->depth).
 */
#include "policyd/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto/netstring.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#define SERVER_OUTPUT_HIGH  (256 * 1024) /* queued reply bytes: throttle */
#define SERVER_INPUT_HIGH   (64 * 1024)  /* unread input bytes: stop */
#define SERVER_ACCEPT_PAUSE 1.0 /* seconds without accept after EMFILE */

static const char *const server_status_names[] = {
	[SERVER_STATUS_OK] = "ok",
	[SERVER_STATUS_NOTFOUND] = "notfound",
	[SERVER_STATUS_TEMP] = "temp",
	[SERVER_STATUS_TIMEOUT] = "timeout",
	[SERVER_STATUS_PERM] = "perm",
};
_Static_assert(sizeof(server_status_names) / sizeof(server_status_names[0]) ==
        SERVER_STATUS_MAX,
    "server_status_names");

/* the status words as they appear on the wire */
static const char *const server_status_words[] = {
	[SERVER_STATUS_OK] = "OK",
	[SERVER_STATUS_NOTFOUND] = "NOTFOUND",
	[SERVER_STATUS_TEMP] = "TEMP",
	[SERVER_STATUS_TIMEOUT] = "TIMEOUT",
	[SERVER_STATUS_PERM] = "PERM",
};
_Static_assert(sizeof(server_status_words) / sizeof(server_status_words[0]) ==
        SERVER_STATUS_MAX,
    "server_status_words");

struct server_conn {
	struct server *s;         /* borrowed */
	struct bufferevent *bev;  /* owned */
	struct netstring_dec dec; /* the request being read */
	uint64_t id;              /* for the log */
	size_t nout;              /* replies queued since output was empty */
	bool closing;             /* read nothing more; close when flushed */
	bool throttled;           /* reading paused: too much queued */
	bool eof;                 /* the client has sent all it will send */
	TAILQ_ENTRY(server_conn) entry;
};

TAILQ_HEAD(server_conns, server_conn);

struct server {
	struct event_base *base; /* borrowed */
	struct server_params p;  /* host and path owned */
	struct evconnlistener *listeners[SERVER_MAX_LISTEN + 1]; /* owned */
	size_t nlisteners;
	int tcp_fd;      /* first TCP listener's socket, or -1 */
	bool unix_bound; /* p.path is our socket file */
	dev_t unix_dev;  /* its identity, checked before unlink */
	ino_t unix_ino;
	struct event *pause; /* owned: accept again after EMFILE */
	struct server_conns conns;
	size_t nconns;
	uint64_t next_id;
	struct buf reply; /* the answer being built (cap max_reply) */
	struct buf frame; /* the answer framed */
	struct server_stats stats;
	/* shutdown */
	bool draining;
	server_done_cb done_cb;
	void *done_arg;
	struct event *deadline; /* owned: shutdown timeout */
	struct event *done;     /* owned: fires done_cb */
	bool done_fired;
	int depth;         /* done_cb on the stack */
	bool free_pending; /* server_free() called from done_cb */
	bool in_answer;    /* the answer callback is on the stack */
};

static void server_conn_process(struct server_conn *c);

const char *
server_status_name(enum server_status st)
{
	return st < SERVER_STATUS_MAX ? server_status_names[st] : "?";
}

void
server_params_defaults(struct server_params *p)
{
	memset(p, 0, sizeof(*p));
	p->host = NULL;
	p->port = 0;
	p->reuse_port = false;
	p->path = NULL;
	p->mode = -1;
	p->idle_timeout = SERVER_IDLE_TIMEOUT;
	p->max_conns = SERVER_MAX_CONNS;
	p->max_pending = SERVER_MAX_PENDING;
	p->max_request = SERVER_MAX_REQUEST;
	p->max_reply = SERVER_MAX_REPLY;
	p->backlog = SERVER_BACKLOG;
}

static struct timeval
server_tv(double seconds)
{
	struct timeval tv;

	if (!(seconds > 0))
		seconds = 0;
	if (seconds > 1e9)
		seconds = 1e9;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* ---- connections ---- */

/* server_schedule_done - fire done_cb from the loop, once */
static void
server_schedule_done(struct server *s)
{
	struct timeval zero = { 0, 0 };

	if (s->draining && s->nconns == 0 && !s->done_fired && s->done != NULL)
		evtimer_add(s->done, &zero);
}

/* server_conn_close - the only way a connection ends */
static void
server_conn_close(struct server_conn *c)
{
	struct server *s = c->s;

	TAILQ_REMOVE(&s->conns, c, entry);
	s->nconns--;
	s->stats.open--;
	bufferevent_free(c->bev);
	netstring_dec_release(&c->dec);
	free(c);
	server_schedule_done(s);
}

/* server_conn_flushed - close a closing connection once output is empty */
static bool
server_conn_flushed(struct server_conn *c)
{
	if (c->closing &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		server_conn_close(c);
		return true;
	}
	return false;
}

/* server_status_of - the status word of a reply, or SERVER_STATUS_MAX */
static enum server_status
server_status_of(const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len);
	size_t wlen = sp != NULL ? (size_t)(sp - p) : len;
	size_t i;

	for (i = 0; i < SERVER_STATUS_MAX; i++)
		if (strlen(server_status_words[i]) == wlen &&
		    memcmp(server_status_words[i], p, wlen) == 0)
			return (enum server_status)i;
	return SERVER_STATUS_MAX;
}

/*
 * server_conn_send - send one framed reply, or queue it. With nothing
 * queued before it, the reply goes straight to the socket, which nearly
 * always takes it whole: no write event is armed and disarmed per reply
 * (two epoll_ctl calls and a loop turn). What the socket does not take
 * is queued, and EV_WRITE is enabled until the queue has drained.
 */
static void
server_conn_send(
    struct server_conn *c, const char *p, size_t len, enum server_status st)
{
	struct server *s = c->s;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const char *rest;
	size_t nrest;
	ssize_t n;

	buf_reset(&s->frame);
	/* cannot fail: frame's cap is max_reply plus the framing */
	ASSERT(netstring_encode(&s->frame, p, len) == 0);
	rest = s->frame.data;
	nrest = s->frame.len;
	if (evbuffer_get_length(out) == 0) {
		n = send(bufferevent_getfd(c->bev), rest, nrest,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			/* the peer is gone: nothing more can reach it */
			log_debug("policyd: conn %llu: %s",
			    (unsigned long long)c->id, strerror(errno));
			c->closing = true;
			return;
		}
		if (n > 0) {
			rest += n;
			nrest -= (size_t)n;
		}
	}
	s->stats.replies[st]++;
	if (nrest == 0)
		return;
	if (bufferevent_write(c->bev, rest, nrest) == -1) {
		log_warnx("policyd: conn %llu: cannot queue a reply",
		    (unsigned long long)c->id);
		c->closing = true;
		return;
	}
	bufferevent_enable(c->bev, EV_WRITE);
	c->nout++;
	if (c->nout >= s->p.max_pending ||
	    evbuffer_get_length(out) >= SERVER_OUTPUT_HIGH)
		c->throttled = true;
}

/* server_conn_bad - PERM, then close once the earlier replies are out */
static void
server_conn_bad(struct server_conn *c, const char *why)
{
	static const char perm[] = "PERM bad request";

	c->s->stats.bad_requests++;
	log_debug("policyd: conn %llu: bad request: %s",
	    (unsigned long long)c->id, why);
	server_conn_send(c, perm, sizeof(perm) - 1, SERVER_STATUS_PERM);
	c->closing = true;
}

/* server_conn_request - answer one request "name key" */
static void
server_conn_request(struct server_conn *c, const char *req, size_t len)
{
	static const char too_long[] = "TEMP reply too long";
	static const char bad_reply[] = "TEMP bad reply";
	struct server *s = c->s;
	const char *sp = memchr(req, ' ', len);
	size_t nlen;
	enum server_status st;

	if (sp == NULL || sp == req) {
		server_conn_bad(c, "not \"name key\"");
		return;
	}
	s->stats.requests++;
	nlen = (size_t)(sp - req);
	buf_reset(&s->reply);
	s->in_answer = true;
	s->p.answer(s->p.arg, req, nlen, sp + 1, len - nlen - 1, &s->reply);
	s->in_answer = false;
	if (s->reply.len == 0 || s->reply.len > s->p.max_reply) {
		s->stats.too_long++;
		server_conn_send(
		    c, too_long, sizeof(too_long) - 1, SERVER_STATUS_TEMP);
		return;
	}
	st = server_status_of(s->reply.data, s->reply.len);
	if (st == SERVER_STATUS_MAX) {
		s->stats.bad_replies++;
		server_conn_send(
		    c, bad_reply, sizeof(bad_reply) - 1, SERVER_STATUS_TEMP);
		return;
	}
	server_conn_send(c, s->reply.data, s->reply.len, st);
}

/*
 * server_conn_process - answer the complete requests in the input buffer,
 * as long as the connection may read; then stop reading if it must, and
 * close it if it is done
 */
static void
server_conn_process(struct server_conn *c)
{
	struct server *s = c->s;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec v;
	enum netstring_status st;
	const char *chunk, *req;
	size_t pos, used, rlen;

	while (!c->closing && !c->throttled) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
			break;
		chunk = v.iov_base;
		pos = 0;
		while (pos < v.iov_len && !c->closing && !c->throttled) {
			st = netstring_dec_feed(&c->dec, chunk + pos,
			    v.iov_len - pos, &used, &req, &rlen);
			pos += used;
			if (st == NETSTRING_DONE)
				server_conn_request(c, req, rlen);
			else if (st == NETSTRING_ERROR)
				server_conn_bad(c, c->dec.err.msg);
		}
		/* req pointed into the chunk: drained only now */
		evbuffer_drain(in, pos);
	}
	/*
	 * after EOF, once the input is answered: done (a request cut short
	 * is abandoned); during a shutdown: the last request is answered
	 */
	if (c->eof && !c->closing && !c->throttled) {
		if (netstring_dec_partial(&c->dec))
			s->stats.aborted++;
		c->closing = true;
	}
	if (s->draining && !c->throttled && !netstring_dec_partial(&c->dec))
		c->closing = true;
	if (c->closing) {
		bufferevent_disable(c->bev, EV_READ);
		evbuffer_drain(in, evbuffer_get_length(in));
		(void)server_conn_flushed(c);
		return;
	}
	if (c->throttled)
		bufferevent_disable(c->bev, EV_READ);
}

static void
server_conn_on_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	server_conn_process(arg);
}

/* server_conn_on_write - the output has drained */
static void
server_conn_on_write(struct bufferevent *bev, void *arg)
{
	struct server_conn *c = arg;

	(void)bev;
	/* enabled by server_conn_send() only while replies are queued */
	bufferevent_disable(c->bev, EV_WRITE);
	c->nout = 0;
	if (server_conn_flushed(c))
		return;
	if (c->throttled) {
		c->throttled = false;
		if (!c->eof)
			bufferevent_enable(c->bev, EV_READ);
		server_conn_process(c);
	}
}

static void
server_conn_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct server_conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		/* answer what was received, send it, then close */
		c->eof = true;
		bufferevent_disable(c->bev, EV_READ);
		server_conn_process(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		c->s->stats.idle_timeouts++;
		log_debug("policyd: conn %llu: idle timeout",
		    (unsigned long long)c->id);
	} else if (what & BEV_EVENT_ERROR) {
		if (netstring_dec_partial(&c->dec))
			c->s->stats.aborted++;
		log_debug("policyd: conn %llu: %s", (unsigned long long)c->id,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	server_conn_close(c);
}

static void
server_on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct server *s = arg;
	struct server_conn *c;
	struct timeval idle;
	int one = 1;

	(void)l;
	(void)salen;
	if (s->draining || s->nconns >= s->p.max_conns) {
		s->stats.rejected++;
		evutil_closesocket(fd);
		return;
	}
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->id = ++s->next_id;
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("policyd: cannot make a bufferevent");
		evutil_closesocket(fd);
		free(c);
		return;
	}
	netstring_dec_init(&c->dec, s->p.max_request);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	s->nconns++;
	s->stats.open++;
	s->stats.connections++;
	idle = server_tv(s->p.idle_timeout);
	bufferevent_setcb(c->bev, server_conn_on_read, server_conn_on_write,
	    server_conn_on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, SERVER_INPUT_HIGH);
	/* a zero timeout would fire at once: 0 means none */
	if (s->p.idle_timeout > 0)
		bufferevent_set_timeouts(c->bev, &idle, &idle);
	/* EV_WRITE only while replies are queued: server_conn_send() */
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_enable(c->bev, EV_READ);
}

/* server_on_pause_end - accept again after running out of descriptors */
static void
server_on_pause_end(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < s->nlisteners; i++)
		evconnlistener_enable(s->listeners[i]);
}

static void
server_on_accept_error(struct evconnlistener *l, void *arg)
{
	struct server *s = arg;
	struct timeval tv = server_tv(SERVER_ACCEPT_PAUSE);
	int e = EVUTIL_SOCKET_ERROR();
	size_t i;

	(void)l;
	log_warnx("policyd: accept: %s", evutil_socket_error_to_string(e));
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
		return;
	/* the listener would spin: pause all of them for a while */
	for (i = 0; i < s->nlisteners; i++)
		evconnlistener_disable(s->listeners[i]);
	evtimer_add(s->pause, &tv);
}

/* ---- listeners ---- */

static int server_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* server_errf - format err (cut if need be: it is a log line); -1 */
static int
server_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* server_sockaddr_port - the port of a bound socket, or -1 */
static int
server_sockaddr_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* server_set_port - the port of a getaddrinfo address */
static void
server_set_port(struct sockaddr *sa, int port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

int
server_listen_tcp(const char *host, int port, bool reuse_port, int backlog,
    int *fds, size_t max, size_t *n, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd, gai, one = 1, bound = port, e;
	size_t i;

	*n = 0;
	if (port < 0 || port > 65535)
		return server_errf(err, errlen, "%s:%d: bad port", host, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	(void)snprintf(portstr, sizeof(portstr), "%d", port);
	if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0)
		return server_errf(
		    err, errlen, "%s:%d: %s", host, port, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (*n == max) {
			server_errf(err, errlen,
			    "%s:%d: more than %zu addresses", host, port, max);
			goto fail;
		}
		if (bound != 0)
			server_set_port(ai->ai_addr, bound);
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			server_errf(err, errlen, "%s:%d: socket: %s", host,
			    port, strerror(errno));
			goto fail;
		}
		fds[(*n)++] = fd;
		(void)setsockopt(
		    fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (reuse_port &&
		    setsockopt(
		        fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
			server_errf(err, errlen, "%s:%d: SO_REUSEPORT: %s",
			    host, port, strerror(errno));
			goto fail;
		}
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(
			    fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		    listen(fd, backlog) != 0) {
			server_errf(err, errlen, "%s:%d: bind: %s", host, bound,
			    strerror(errno));
			goto fail;
		}
		if (bound == 0)
			bound = server_sockaddr_port(fd);
	}
	freeaddrinfo(res);
	if (*n == 0)
		return server_errf(
		    err, errlen, "%s:%d: no address", host, port);
	return 0;
fail:
	e = errno;
	for (i = 0; i < *n; i++)
		close(fds[i]);
	*n = 0;
	freeaddrinfo(res);
	errno = e;
	return -1;
}

/*
 * server_unix_stale - may a socket be bound at path: absent, or a socket
 * nobody listens on (removed here)
 */
static int
server_unix_stale(
    const char *path, const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return server_errf(
		    err, errlen, "%s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return server_errf(
		    err, errlen, "%s: exists and is not a socket", path);
	/* non-blocking, so that a live socket with a full backlog answers */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return server_errf(
		    err, errlen, "%s: socket: %s", path, strerror(errno));
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		return server_errf(
		    err, errlen, "%s: in use by another process", path);
	}
	close(fd);
	if (errno != ECONNREFUSED)
		return server_errf(
		    err, errlen, "%s: connect: %s", path, strerror(errno));
	if (unlink(path) != 0 && errno != ENOENT)
		return server_errf(
		    err, errlen, "%s: unlink: %s", path, strerror(errno));
	log_info("policyd: %s: removed a stale socket", path);
	return 0;
}

/* server_listen_unix - bind, chmod, listen; the fd or -1 */
static int
server_listen_unix(struct server *s, char *err, size_t errlen)
{
	const char *path = s->p.path;
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return server_errf(err, errlen, "%s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path));
	if (server_unix_stale(path, &sun, err, errlen) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return server_errf(
		    err, errlen, "%s: socket: %s", path, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		server_errf(err, errlen, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* before listen(2): nobody can connect with the umask's mode */
	if ((s->p.mode >= 0 && chmod(path, (mode_t)s->p.mode) != 0) ||
	    lstat(path, &st) != 0 || listen(fd, s->p.backlog) != 0) {
		server_errf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	s->unix_bound = true;
	s->unix_dev = st.st_dev;
	s->unix_ino = st.st_ino;
	return fd;
}

/* server_add_listener - wrap a listening socket (owned from now on) */
static int
server_add_listener(struct server *s, int fd, char *err, size_t errlen)
{
	struct evconnlistener *l;

	ASSERT(s->nlisteners < sizeof(s->listeners) / sizeof(s->listeners[0]));
	l = evconnlistener_new(s->base, server_on_accept, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (l == NULL) {
		close(fd);
		return server_errf(err, errlen, "cannot make a listener");
	}
	evconnlistener_set_error_cb(l, server_on_accept_error);
	s->listeners[s->nlisteners++] = l;
	return 0;
}

/* server_unlisten - close the listeners and remove our socket file */
static void
server_unlisten(struct server *s)
{
	struct stat st;
	size_t i;

	for (i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i]);
	s->nlisteners = 0;
	s->tcp_fd = -1;
	if (s->pause != NULL)
		evtimer_del(s->pause);
	/* only if it is still ours: a new instance may have replaced it */
	if (s->unix_bound && lstat(s->p.path, &st) == 0 &&
	    st.st_dev == s->unix_dev && st.st_ino == s->unix_ino)
		(void)unlink(s->p.path);
	s->unix_bound = false;
}

struct server *
server_new(struct event_base *base, const struct server_params *p, char *err,
    size_t errlen)
{
	struct server *s;
	int fds[SERVER_MAX_LISTEN];
	size_t n = 0, i;
	int fd;

	if (p->answer == NULL || p->max_pending == 0 || p->max_reply == 0 ||
	    p->max_request > NETSTRING_MAX_LIMIT ||
	    p->max_reply > NETSTRING_MAX_LIMIT) {
		server_errf(err, errlen, "policyd: bad server parameters");
		return NULL;
	}
	if (p->host == NULL && p->path == NULL) {
		server_errf(err, errlen, "policyd: no address to listen on");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->p = *p;
	s->p.host = p->host != NULL ? xstrdup(p->host) : NULL;
	s->p.path = p->path != NULL ? xstrdup(p->path) : NULL;
	s->tcp_fd = -1;
	TAILQ_INIT(&s->conns);
	buf_init(&s->reply, p->max_reply);
	buf_init(&s->frame, p->max_reply + NETSTRING_OVERHEAD);
	s->pause = evtimer_new(base, server_on_pause_end, s);
	if (s->pause == NULL) {
		server_errf(err, errlen, "policyd: cannot make a timer");
		goto fail;
	}
	if (s->p.host != NULL) {
		if (server_listen_tcp(s->p.host, p->port, p->reuse_port,
		        p->backlog, fds, SERVER_MAX_LISTEN, &n, err,
		        errlen) == -1)
			goto fail;
		for (i = 0; i < n; i++) {
			if (i == 0)
				s->tcp_fd = fds[0];
			if (server_add_listener(s, fds[i], err, errlen) == -1) {
				while (++i < n)
					close(fds[i]);
				goto fail;
			}
		}
	}
	if (s->p.path != NULL) {
		if ((fd = server_listen_unix(s, err, errlen)) == -1 ||
		    server_add_listener(s, fd, err, errlen) == -1)
			goto fail;
	}
	return s;
fail:
	server_free(s);
	return NULL;
}

int
server_port(const struct server *s)
{
	return s->tcp_fd >= 0 ? server_sockaddr_port(s->tcp_fd) : -1;
}

const struct server_stats *
server_stats(const struct server *s)
{
	return &s->stats;
}

/* ---- shutdown ---- */

static void server_destroy(struct server *s);

static void
server_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	if (s->done_fired)
		return;
	s->done_fired = true;
	if (s->deadline != NULL)
		evtimer_del(s->deadline);
	s->depth++;
	s->done_cb(s->done_arg);
	s->depth--;
	if (s->free_pending)
		server_destroy(s);
}

/* server_on_deadline - shutdown_timeout has passed: close the rest */
static void
server_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;
	struct server_conn *c;

	(void)fd;
	(void)what;
	if (s->nconns > 0)
		log_info(
		    "policyd: shutdown: closing %zu connections", s->nconns);
	while ((c = TAILQ_FIRST(&s->conns)) != NULL)
		server_conn_close(c);
	server_schedule_done(s);
}

int
server_shutdown(struct server *s, double timeout, server_done_cb cb, void *arg)
{
	struct server_conn *c, *next;
	struct timeval tv = server_tv(timeout);

	ASSERT(!s->in_answer);
	if (s->draining)
		return -1;
	s->done = evtimer_new(s->base, server_on_done, s);
	s->deadline = evtimer_new(s->base, server_on_deadline, s);
	if (s->done == NULL || s->deadline == NULL)
		log_fatalx("policyd: cannot make a timer");
	s->draining = true;
	s->done_cb = cb;
	s->done_arg = arg;
	server_unlisten(s);
	evtimer_add(s->deadline, &tv);
	/* each one closes now if idle, or after its last reply */
	for (c = TAILQ_FIRST(&s->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		server_conn_process(c);
	}
	server_schedule_done(s);
	return 0;
}

static void
server_destroy(struct server *s)
{
	struct server_conn *c;

	server_unlisten(s);
	while ((c = TAILQ_FIRST(&s->conns)) != NULL) {
		TAILQ_REMOVE(&s->conns, c, entry);
		bufferevent_free(c->bev);
		netstring_dec_release(&c->dec);
		free(c);
	}
	if (s->pause != NULL)
		event_free(s->pause);
	if (s->deadline != NULL)
		event_free(s->deadline);
	if (s->done != NULL)
		event_free(s->done);
	buf_release(&s->reply);
	buf_release(&s->frame);
	free((char *)s->p.host);
	free((char *)s->p.path);
	free(s);
}

void
server_free(struct server *s)
{
	if (s == NULL)
		return;
	ASSERT(!s->in_answer);
	if (s->depth > 0) {
		s->free_pending = true;
		return;
	}
	server_destroy(s);
}

/* ---- metrics ---- */

/* server_metric - one counter or gauge with its HELP and TYPE lines */
static int
server_metric(struct buf *out, const char *name, const char *type,
    const char *help, uint64_t v)
{
	return buf_printf(out,
	    "# HELP mxaudit_policyd_%s %s\n# TYPE mxaudit_policyd_%s %s\n"
	    "mxaudit_policyd_%s %llu\n",
	    name, help, name, type, name, (unsigned long long)v);
}

int
server_metrics(const struct server *s, struct buf *out)
{
	const struct server_stats *st = &s->stats;
	size_t i;

	if (server_metric(out, "connections_total", "counter",
	        "Connections accepted and served.", st->connections) == -1 ||
	    server_metric(out, "connections_rejected_total", "counter",
	        "Connections closed at once: too many open.",
	        st->rejected) == -1 ||
	    server_metric(out, "connections_open", "gauge",
	        "Connections open now.", st->open) == -1 ||
	    server_metric(out, "requests_total", "counter",
	        "Socketmap requests received.", st->requests) == -1 ||
	    server_metric(out, "bad_requests_total", "counter",
	        "Malformed or over-long requests (PERM, connection closed).",
	        st->bad_requests) == -1 ||
	    server_metric(out, "replies_too_long_total", "counter",
	        "Answers over the reply limit, sent as TEMP.",
	        st->too_long) == -1 ||
	    server_metric(out, "bad_replies_total", "counter",
	        "Answers without a status word, sent as TEMP.",
	        st->bad_replies) == -1 ||
	    server_metric(out, "idle_timeouts_total", "counter",
	        "Connections closed for inactivity.",
	        st->idle_timeouts) == -1 ||
	    server_metric(out, "aborted_total", "counter",
	        "Connections closed by the client in the middle of a request.",
	        st->aborted) == -1)
		return -1;
	if (buf_puts(out,
	        "# HELP mxaudit_policyd_replies_total Socketmap replies sent, "
	        "by status.\n"
	        "# TYPE mxaudit_policyd_replies_total counter\n") == -1)
		return -1;
	for (i = 0; i < SERVER_STATUS_MAX; i++)
		if (buf_printf(out,
		        "mxaudit_policyd_replies_total{status=\"%s\"} %llu\n",
		        server_status_names[i],
		        (unsigned long long)st->replies[i]) == -1)
			return -1;
	return 0;
}
