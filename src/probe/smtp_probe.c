/* SPDX-License-Identifier: ISC */
/*
 * smtp_probe - one SMTP conversation with one MX address.
 *
 * A state machine on a libevent bufferevent (OpenSMTPD smtp_client.c, curl
 * smtp.c). smtp_probe_enter() is the only writer of the state: it traces the
 * transition, arms that stage's deadline and runs the stage's entry action.
 * The read callback cuts lines (each capped at SMTP_PROBE_LINEMAX) into the
 * pure smtp_reply assembler; each complete reply goes to
 * smtp_probe_on_reply(), which switches on the state.
 *
 * After STARTTLS's 220 the input must be empty: bytes that arrived before
 * the handshake could only have been injected (CVE-2011-0411 style), so
 * they are recorded and discarded, never parsed. Then the socket is wrapped
 * in an OpenSSL filter bufferevent and, once the handshake is done, the
 * plaintext capabilities are dropped and EHLO is sent again.
 *
 * smtp_probe_finish() is the single exit. The probe is never freed while
 * one of its callbacks is on the stack: finishing inside a callback only
 * marks it, and the outermost callback frees it on the way out.
 */
#include "probe/smtp_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "net/tls.h"
#include "proto/ehlo.h"
#include "proto/smtp_reply.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define SMTP_PROBE_LINEMAX       4096 /* a reply line, CRLF included */
#define SMTP_PROBE_MAXTRANSCRIPT 2000 /* transcript lines kept */
#define SMTP_PROBE_QUIT_TIMEOUT  2.0  /* seconds to wait for 221 */
#define SMTP_PROBE_RAWMAX        (5 + TLS_HELLO_MAXRECLEN + TLS_HELLO_MAXCERT)

struct smtp_probe {
	struct smtp_probe_config cfg; /* borrowed pointers inside */
	struct addr_facts *facts;     /* counted reference */
	smtp_probe_cb cb;
	void *arg;
	enum smtp_stage state;
	struct bufferevent *bev; /* owned: socket, later the TLS filter */
	evutil_socket_t fd;      /* the socket under bev, -1 before */
	struct event *timer; /* owned: the stage deadline, and the kick-off */
	struct smtp_reply reply;
	struct timeval t0; /* when the connection attempt began */
	int depth;         /* our callbacks on the stack */
	bool finished;     /* smtp_probe_finish() ran */
	bool failed;       /* facts->fail is set; the rest is courtesy */
	uint8_t *raw;      /* owned: the raw hello's answer so far */
	size_t rawlen;
};

static void smtp_probe_enter(struct smtp_probe *p, enum smtp_stage s);
static void smtp_probe_on_read(struct bufferevent *bev, void *arg);
static void smtp_probe_on_event(struct bufferevent *bev, short what, void *arg);

static double
smtp_probe_elapsed(const struct smtp_probe *p)
{
	struct timeval now, d;

	gettimeofday(&now, NULL);
	timersub(&now, &p->t0, &d);
	return (double)d.tv_sec + (double)d.tv_usec / 1e6;
}

/* smtp_probe_note - add a transcript line when asked for */
static void
smtp_probe_note(struct smtp_probe *p, char dir, const char *text, size_t len)
{
	struct addr_facts *f = p->facts;
	struct transcript_line *l;

	if (!p->cfg.transcript || f->ntranscript >= SMTP_PROBE_MAXTRANSCRIPT)
		return;
	f->transcript = xreallocarray(
	    f->transcript, f->ntranscript + 1, sizeof(*f->transcript));
	l = &f->transcript[f->ntranscript++];
	l->t = smtp_probe_elapsed(p);
	l->dir = dir;
	l->text = str_escape(text, len);
}

static void smtp_probe_notef(struct smtp_probe *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
smtp_probe_notef(struct smtp_probe *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!p->cfg.transcript)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	smtp_probe_note(p, '*', s, strlen(s));
	free(s);
}

static void
smtp_probe_free(struct smtp_probe *p)
{
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	event_free(p->timer);
	smtp_reply_release(&p->reply);
	free(p->raw);
	addr_facts_unref(p->facts);
	free(p);
}

/* smtp_probe_leave - end of one of our callbacks: free if finished */
static void
smtp_probe_leave(struct smtp_probe *p)
{
	if (--p->depth == 0 && p->finished)
		smtp_probe_free(p);
}

/* smtp_probe_finish - the single exit: disarm, report, free later */
static void
smtp_probe_finish(struct smtp_probe *p)
{
	if (p->finished)
		return;
	p->finished = true;
	evtimer_del(p->timer);
	if (p->bev != NULL) {
		bufferevent_disable(p->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(p->bev, NULL, NULL, NULL, NULL);
	}
	p->facts->duration_ms = smtp_probe_elapsed(p) * 1000.0;
	p->facts->done = true;
	smtp_probe_notef(
	    p, "end (%s)", p->failed ? smtp_fail_name(p->facts->fail) : "ok");
	p->cb(p->facts, p->arg);
	if (p->depth == 0)
		smtp_probe_free(p);
}

/*
 * smtp_probe_fail - record why the conversation stopped at this stage.
 * Only the first failure counts. polite: say QUIT before leaving.
 */
static void smtp_probe_fail(struct smtp_probe *p, enum smtp_fail why,
    bool polite, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
smtp_probe_fail(
    struct smtp_probe *p, enum smtp_fail why, bool polite, const char *fmt, ...)
{
	va_list ap;
	char *detail = NULL;

	if (!p->failed) {
		p->failed = true;
		p->facts->fail = why;
		p->facts->fail_stage = p->state;
		va_start(ap, fmt);
		if (vasprintf(&detail, fmt, ap) < 0)
			detail = NULL;
		va_end(ap);
		p->facts->fail_detail = detail;
		log_debug("%s:%u: %s: %s", p->facts->ip, p->facts->port,
		    smtp_stage_name(p->state), detail ? detail : "");
		smtp_probe_notef(p, "%s failed: %s", smtp_stage_name(p->state),
		    detail ? detail : smtp_fail_name(why));
	}
	if (polite && p->state != SMTP_STAGE_QUIT)
		smtp_probe_enter(p, SMTP_STAGE_QUIT);
	else
		smtp_probe_enter(p, SMTP_STAGE_DONE);
}

static void
smtp_probe_send(struct smtp_probe *p, const char *line)
{
	smtp_probe_note(p, 'C', line, strlen(line));
	bufferevent_write(p->bev, line, strlen(line));
	bufferevent_write(p->bev, "\r\n", 2);
}

static void
smtp_probe_arm(struct smtp_probe *p, double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(p->timer, &tv);
}

/*
 * smtp_probe_on_input - bytes came off the socket (also under the TLS
 * filter): ACK them now. A server that answers in two writes without
 * TCP_NODELAY (Postfix: its TLS 1.3 session tickets, then the EHLO reply)
 * holds the second write until our delayed ACK, 40 ms on Linux; setting
 * TCP_QUICKACK sends a pending ACK at once.
 */
static void
smtp_probe_on_input(
    struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct smtp_probe *p = arg;
	int one = 1;

	(void)buf;
	if (info->n_added > 0 && p->fd >= 0)
		(void)setsockopt(
		    p->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static void
smtp_probe_connect(struct smtp_probe *p)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	evutil_socket_t fd;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (p->facts->family == 6 &&
	    inet_pton(AF_INET6, p->facts->ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p->facts->port);
		sslen = sizeof(*sin6);
	} else if (p->facts->family == 4 &&
	    inet_pton(AF_INET, p->facts->ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p->facts->port);
		sslen = sizeof(*sin);
	} else {
		smtp_probe_fail(p, SMTP_FAIL_UNREACHABLE, false,
		    "not an address: %s", p->facts->ip);
		return;
	}
	smtp_probe_notef(
	    p, "connecting to %s port %u", p->facts->ip, p->facts->port);
	/*
	 * Deferred callbacks: draining the input may make the TLS filter read
	 * on, and without deferral it would call us back from inside our own
	 * read callback.
	 */
	p->bev = bufferevent_socket_new(
	    p->cfg.base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	bufferevent_setcb(
	    p->bev, smtp_probe_on_read, NULL, smtp_probe_on_event, p);
	bufferevent_setwatermark(p->bev, EV_READ, 0, SMTP_PROBE_LINEMAX * 4);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(
	        p->bev, (struct sockaddr *)&ss, (int)sslen) != 0) {
		smtp_probe_fail(p,
		    errno == ENETUNREACH ? SMTP_FAIL_UNREACHABLE
		                         : SMTP_FAIL_RESET,
		    false, "connect: %s", strerror(errno));
		return;
	}
	/*
	 * Every command and handshake flight is one small write waiting for
	 * an answer: Nagle's algorithm would hold back the second write of a
	 * flight (a TLS Finished after ChangeCipherSpec, say) until the
	 * peer's delayed ACK, 40 ms on Linux.
	 */
	p->fd = fd = bufferevent_getfd(p->bev);
	evbuffer_add_cb(bufferevent_get_input(p->bev), smtp_probe_on_input, p);
	if (fd >= 0)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
smtp_probe_handshake(struct smtp_probe *p)
{
	struct bufferevent *tls;
	struct evbuffer *in = bufferevent_get_input(p->bev);
	SSL *ssl;

	if (evbuffer_get_length(in) > 0) {
		/* sent before the handshake: never trust, never parse */
		p->facts->starttls_leftover = true;
		smtp_probe_notef(p,
		    "%zu bytes arrived before the handshake; "
		    "discarded",
		    evbuffer_get_length(in));
		evbuffer_drain(in, evbuffer_get_length(in));
	}
	if (p->cfg.hello != NULL) {
		/* a probe: our own bytes, no OpenSSL */
		smtp_probe_notef(p, "raw hello, %zu bytes", p->cfg.hello_len);
		bufferevent_write(p->bev, p->cfg.hello, p->cfg.hello_len);
		return;
	}
	p->facts->tls.attempted = true;
	if ((ssl = SSL_new(p->cfg.ssl_ctx)) == NULL) {
		smtp_probe_fail(p, SMTP_FAIL_TLS, false, "SSL_new failed");
		return;
	}
	SSL_set_tlsext_host_name(ssl, p->facts->sni);
	if (p->cfg.tls13_suites != NULL &&
	    (SSL_set_min_proto_version(ssl, TLS1_3_VERSION) != 1 ||
	        SSL_set_ciphersuites(ssl, p->cfg.tls13_suites) != 1)) {
		SSL_free(ssl);
		smtp_probe_fail(p, SMTP_FAIL_TLS, false,
		    "cannot restrict the handshake to %s", p->cfg.tls13_suites);
		return;
	}
	tls = bufferevent_openssl_filter_new(p->cfg.base, p->bev, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (tls == NULL) {
		SSL_free(ssl);
		smtp_probe_fail(
		    p, SMTP_FAIL_TLS, false, "cannot start the handshake");
		return;
	}
	p->bev = tls;
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	bufferevent_setcb(
	    tls, smtp_probe_on_read, NULL, smtp_probe_on_event, p);
	bufferevent_setwatermark(tls, EV_READ, 0, SMTP_PROBE_LINEMAX * 4);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	smtp_probe_notef(
	    p, "starting TLS handshake, server name %s", p->facts->sni);
}

/* smtp_probe_enter - the only writer of p->state */
static void
smtp_probe_enter(struct smtp_probe *p, enum smtp_stage s)
{
	const char *ehlo = p->cfg.ehlo_name;
	char line[300];

	log_debug("%s:%u: %s -> %s", p->facts->ip, p->facts->port,
	    smtp_stage_name(p->state), smtp_stage_name(s));
	p->state = s;
	evtimer_del(p->timer);
	if (s == SMTP_STAGE_DONE) {
		if (!p->failed)
			p->facts->fail_stage = SMTP_STAGE_NONE;
		smtp_probe_finish(p);
		return;
	}
	smtp_probe_arm(p,
	    s == SMTP_STAGE_QUIT && p->cfg.timeout > SMTP_PROBE_QUIT_TIMEOUT
	        ? SMTP_PROBE_QUIT_TIMEOUT
	        : p->cfg.timeout);
	smtp_reply_reset(&p->reply);
	switch (s) {
	case SMTP_STAGE_CONNECT:
		smtp_probe_connect(p);
		break;
	case SMTP_STAGE_EHLO:
	case SMTP_STAGE_EHLO_TLS:
		snprintf(line, sizeof(line), "EHLO %s", ehlo);
		smtp_probe_send(p, line);
		break;
	case SMTP_STAGE_HELO:
		snprintf(line, sizeof(line), "HELO %s", ehlo);
		smtp_probe_send(p, line);
		break;
	case SMTP_STAGE_STARTTLS:
		smtp_probe_send(p, "STARTTLS");
		break;
	case SMTP_STAGE_HANDSHAKE:
		smtp_probe_handshake(p);
		break;
	case SMTP_STAGE_QUIT:
		smtp_probe_send(p, "QUIT");
		break;
	default:
		break;
	}
}

/* smtp_probe_capabilities - the EHLO keywords, one string each (owned) */
static char **
smtp_probe_capabilities(const struct smtp_reply *r, size_t *n)
{
	const char *line;
	char **v = NULL;
	size_t len, off = 0;

	*n = 0;
	while (
	    ehlo_next_line(buf_str(&r->text), r->text.len, &off, &line, &len)) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xmemdup0(line, len);
	}
	return v;
}

static void
smtp_probe_on_ehlo(struct smtp_probe *p)
{
	struct addr_facts *f = p->facts;
	struct ehlo_caps caps;
	struct perr err;

	memset(&caps, 0, sizeof(caps));
	if (ehlo_parse(
	        buf_str(&p->reply.text), p->reply.text.len, &caps, &err) != 0)
		memset(&caps, 0, sizeof(caps));
	if (p->state == SMTP_STAGE_EHLO_TLS) {
		f->capabilities_tls =
		    smtp_probe_capabilities(&p->reply, &f->ncapabilities_tls);
		smtp_probe_enter(p, SMTP_STAGE_QUIT);
		return;
	}
	f->ehlo_ok = true;
	f->capabilities = smtp_probe_capabilities(&p->reply, &f->ncapabilities);
	f->starttls_offered = caps.starttls;
	if (caps.starttls_mangled) {
		f->starttls_mangled = true;
		f->mangled_token = xstrdup(caps.mangled);
	}
	smtp_probe_enter(p,
	    caps.starttls && !f->implicit_tls ? SMTP_STAGE_STARTTLS
	                                      : SMTP_STAGE_QUIT);
}

/* smtp_probe_on_reply - a complete reply arrived in the current state */
static void
smtp_probe_on_reply(struct smtp_probe *p)
{
	struct addr_facts *f = p->facts;
	int code = p->reply.code, cls = smtp_reply_class(&p->reply);

	switch (p->state) {
	case SMTP_STAGE_BANNER:
		f->banner_code = code;
		f->banner =
		    xmemdup0(buf_str(&p->reply.text), p->reply.text.len);
		if (code != 220) {
			smtp_probe_fail(
			    p, SMTP_FAIL_REJECTED, true, "banner %d", code);
			return;
		}
		smtp_probe_enter(p, SMTP_STAGE_EHLO);
		break;
	case SMTP_STAGE_EHLO:
		if (cls == 2) {
			smtp_probe_on_ehlo(p);
		} else if (cls == 5) {
			f->helo_fallback = true;
			smtp_probe_enter(p, SMTP_STAGE_HELO);
		} else {
			smtp_probe_fail(p, SMTP_FAIL_REJECTED, true,
			    "EHLO answered %d", code);
		}
		break;
	case SMTP_STAGE_HELO:
		if (cls != 2)
			smtp_probe_fail(p, SMTP_FAIL_REJECTED, true,
			    "HELO answered %d", code);
		else
			smtp_probe_enter(p, SMTP_STAGE_QUIT);
		break;
	case SMTP_STAGE_STARTTLS:
		f->starttls_code = code;
		f->starttls_reply =
		    xmemdup0(buf_str(&p->reply.text), p->reply.text.len);
		if (code != 220)
			smtp_probe_fail(p, SMTP_FAIL_REJECTED, true,
			    "STARTTLS answered %d", code);
		else
			smtp_probe_enter(p, SMTP_STAGE_HANDSHAKE);
		break;
	case SMTP_STAGE_EHLO_TLS:
		if (cls == 2)
			smtp_probe_on_ehlo(p);
		else
			smtp_probe_fail(p, SMTP_FAIL_REJECTED, true,
			    "EHLO after TLS answered %d", code);
		break;
	case SMTP_STAGE_QUIT:
		smtp_probe_enter(p, SMTP_STAGE_DONE);
		break;
	default:
		smtp_probe_fail(
		    p, SMTP_FAIL_PROTOCOL, false, "unexpected reply %d", code);
		break;
	}
}

/*
 * smtp_probe_raw - raw hello mode: gather the answer and parse it; at eof
 * (or the deadline) whatever arrived is final
 */
static void
smtp_probe_raw(struct smtp_probe *p, struct evbuffer *in, bool eof)
{
	size_t n = evbuffer_get_length(in);
	enum tls_hello_status st;

	if (n > SMTP_PROBE_RAWMAX - p->rawlen)
		n = SMTP_PROBE_RAWMAX - p->rawlen;
	if (n > 0) {
		p->raw = xrealloc(p->raw, p->rawlen + n);
		evbuffer_remove(in, p->raw + p->rawlen, n);
		p->rawlen += n;
	}
	evbuffer_drain(in, evbuffer_get_length(in));
	if (p->rawlen == SMTP_PROBE_RAWMAX)
		eof = true;
	st = tls_hello_parse(p->raw, p->rawlen, eof, p->cfg.hello_out);
	if (st == TLS_HELLO_NEED_MORE && !eof)
		return;
	smtp_probe_notef(p, "raw answer, %zu bytes", p->rawlen);
	smtp_probe_enter(p, SMTP_STAGE_DONE);
}

static void
smtp_probe_on_read(struct bufferevent *bev, void *arg)
{
	struct smtp_probe *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t eol_len, n;
	char *line;
	enum smtp_reply_status st;

	p->depth++;
	if (p->state == SMTP_STAGE_HANDSHAKE && p->cfg.hello != NULL)
		smtp_probe_raw(p, in, false);
	while (!p->finished && p->state != SMTP_STAGE_HANDSHAKE) {
		eol =
		    evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > SMTP_PROBE_LINEMAX)
				smtp_probe_fail(p, SMTP_FAIL_PROTOCOL, false,
				    "reply line longer than %d bytes",
				    SMTP_PROBE_LINEMAX);
			break;
		}
		if ((size_t)eol.pos > SMTP_PROBE_LINEMAX) {
			smtp_probe_fail(p, SMTP_FAIL_PROTOCOL, false,
			    "reply line longer than %d bytes",
			    SMTP_PROBE_LINEMAX);
			break;
		}
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL)
			break;
		smtp_probe_note(p, 'S', line, n);
		if (p->state == SMTP_STAGE_QUIT) {
			/* after QUIT any line ends it */
			free(line);
			smtp_probe_enter(p, SMTP_STAGE_DONE);
			continue;
		}
		st = smtp_reply_feed(&p->reply, line, n);
		free(line);
		if (st == SMTP_REPLY_ERROR)
			smtp_probe_fail(p, SMTP_FAIL_PROTOCOL, false, "%s",
			    p->reply.error ? p->reply.error : "bad reply");
		else if (st == SMTP_REPLY_DONE)
			smtp_probe_on_reply(p);
	}
	smtp_probe_leave(p);
}

static void
smtp_probe_on_connected(struct smtp_probe *p)
{
	SSL *ssl;

	if (p->state == SMTP_STAGE_CONNECT) {
		p->facts->connect_ms = smtp_probe_elapsed(p) * 1000.0;
		smtp_probe_notef(p, "connected");
		/* implicit TLS (RFC 8314): the handshake comes first */
		smtp_probe_enter(p,
		    p->facts->implicit_tls ? SMTP_STAGE_HANDSHAKE
		                           : SMTP_STAGE_BANNER);
		return;
	}
	if (p->state != SMTP_STAGE_HANDSHAKE)
		return;
	ssl = bufferevent_openssl_get_ssl(p->bev);
	tls_info_from_ssl(ssl, p->cfg.store, p->facts->sni, &p->facts->tls);
	smtp_probe_notef(p, "TLS established: %s, %s",
	    p->facts->tls.version ? p->facts->tls.version : "?",
	    p->facts->tls.cipher ? p->facts->tls.cipher : "?");
	if (p->cfg.tls13_suites != NULL) {
		/*
		 * a cipher probe: the suite is the answer. An EHLO now would
		 * wait on servers that send their session tickets and the
		 * reply in two writes (Postfix), until our delayed ACK.
		 */
		smtp_probe_enter(p, SMTP_STAGE_DONE);
		return;
	}
	if (p->facts->implicit_tls) {
		/* HTTPS and the like: the TLS facts are the whole test */
		smtp_probe_enter(
		    p, p->cfg.tls_only ? SMTP_STAGE_DONE : SMTP_STAGE_BANNER);
		return;
	}
	/* plaintext-era capabilities are void: ask again (RFC 3207 4.2) */
	smtp_probe_enter(p, SMTP_STAGE_EHLO_TLS);
}

static void
smtp_probe_on_error(struct smtp_probe *p, short what)
{
	int err = EVUTIL_SOCKET_ERROR();
	unsigned long e;
	char *detail;

	if (p->state == SMTP_STAGE_QUIT) {
		smtp_probe_enter(p, SMTP_STAGE_DONE);
		return;
	}
	if (p->state == SMTP_STAGE_HANDSHAKE && p->cfg.hello != NULL) {
		smtp_probe_raw(p, bufferevent_get_input(p->bev), true);
		return;
	}
	if (p->state == SMTP_STAGE_HANDSHAKE) {
		e = bufferevent_get_openssl_error(p->bev);
		detail = tls_error_string(e);
		if (detail == NULL)
			detail = xstrdup((what & BEV_EVENT_EOF)
			        ? "connection closed during the handshake"
			        : (err != 0 ? strerror(err)
			                    : "handshake failed"));
		p->facts->tls.error = xstrdup(detail);
		smtp_probe_fail(p, SMTP_FAIL_TLS, false, "%s", detail);
		free(detail);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		smtp_probe_fail(p, SMTP_FAIL_CLOSED, false,
		    "connection closed by the server");
		return;
	}
	if (p->state == SMTP_STAGE_CONNECT && err == ECONNREFUSED)
		smtp_probe_fail(
		    p, SMTP_FAIL_REFUSED, false, "connection refused");
	else if (p->state == SMTP_STAGE_CONNECT &&
	    (err == ENETUNREACH || err == EHOSTUNREACH))
		smtp_probe_fail(
		    p, SMTP_FAIL_UNREACHABLE, false, "%s", strerror(err));
	else
		smtp_probe_fail(p, SMTP_FAIL_RESET, false, "%s",
		    err != 0 ? strerror(err) : "socket error");
}

static void
smtp_probe_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct smtp_probe *p = arg;

	p->depth++;
	log_debug("%s:%u: event 0x%x in %s, %zu bytes buffered", p->facts->ip,
	    p->facts->port, (unsigned)what, smtp_stage_name(p->state),
	    evbuffer_get_length(bufferevent_get_input(bev)));
	if (what & BEV_EVENT_CONNECTED)
		smtp_probe_on_connected(p);
	else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		/* a final reply may sit in the buffer before the EOF */
		if (p->state != SMTP_STAGE_HANDSHAKE)
			smtp_probe_on_read(bev, p);
		if (!p->finished)
			smtp_probe_on_error(p, what);
	}
	smtp_probe_leave(p);
}

static void
smtp_probe_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_probe *p = arg;

	(void)fd;
	(void)what;
	p->depth++;
	if (p->state == SMTP_STAGE_NONE)
		smtp_probe_enter(p, SMTP_STAGE_CONNECT);
	else if (p->state == SMTP_STAGE_QUIT)
		smtp_probe_enter(p, SMTP_STAGE_DONE);
	else if (p->state == SMTP_STAGE_HANDSHAKE && p->cfg.hello != NULL &&
	    p->rawlen > 0)
		smtp_probe_raw(p, bufferevent_get_input(p->bev), true);
	else {
		/* raw hello mode: silence is not a refusal (tls_enum) */
		if (p->state == SMTP_STAGE_HANDSHAKE && p->cfg.hello == NULL &&
		    p->facts->tls.error == NULL)
			p->facts->tls.error = xasprintf(
			    "no answer within %.1f s", p->cfg.timeout);
		smtp_probe_fail(p, SMTP_FAIL_TIMEOUT, false,
		    "no answer within %.1f s", p->cfg.timeout);
	}
	smtp_probe_leave(p);
}

struct smtp_probe *
smtp_probe_start(const struct smtp_probe_config *cfg, struct addr_facts *facts,
    smtp_probe_cb cb, void *arg)
{
	struct smtp_probe *p = xcalloc(1, sizeof(*p));
	struct timeval now = { 0, 0 };

	p->fd = -1;
	p->cfg = *cfg;
	p->facts = addr_facts_ref(facts);
	p->cb = cb;
	p->arg = arg;
	p->state = SMTP_STAGE_NONE;
	smtp_reply_init(&p->reply);
	gettimeofday(&p->t0, NULL);
	/* kick off from the loop, so cb can never fire inside start */
	p->timer = evtimer_new(cfg->base, smtp_probe_on_timer, p);
	evtimer_add(p->timer, &now);
	return p;
}

void
smtp_probe_cancel(struct smtp_probe *p)
{
	if (p == NULL)
		return;
	ASSERT(p->depth == 0);
	smtp_probe_free(p);
}
