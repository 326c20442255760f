/* SPDX-License-Identifier: ISC */
/* hostile - an SMTP test server that misbehaves as no real one can. */

/*
 * Usage: lab-hostile [-p pidfile] MODE ADDR PORT
 *        lab-hostile [-p pidfile] MODE:ADDR:PORT [MODE:ADDR:PORT ...]
 *
 * ADDR is a numeric IPv4 or IPv6 address (IPv6 may be written in brackets
 * in the triple form, e.g. mangled:[::1]:2525).  Modes:
 *
 *   silent          accept, never send anything, keep the connection open
 *                   until the client closes it
 *   mangled         EHLO answer with STARTTLS masked to "XXXXXXXA" (what a
 *                   Cisco ASA does); STARTTLS is answered with 502
 *   starttls-error  advertises STARTTLS, answers it with 454
 *   tls-garbage     advertises STARTTLS, answers it with 220, then answers
 *                   the client's first TLS bytes with plain text and closes
 *
 * The pidfile is written once every listener is bound, so its presence
 * means the server is ready.  SIGTERM or SIGINT ends the server cleanly.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS   16
#define LINE_MAX_LEN    1024  /* RFC 5321 allows 512; be lenient */
#define DRAIN_SECONDS   5     /* linger after our last reply */
#define ACCEPT_PAUSE_MS 100   /* back off when out of descriptors */
#define OUT_HIGH_WATER  65536 /* stop reading while this much is unsent */

enum mode {
	MODE_SILENT,
	MODE_MANGLED,
	MODE_STARTTLS_ERROR,
	MODE_TLS_GARBAGE,
	MODE_BUSY
};

enum state {
	ST_SMTP,      /* reading SMTP command lines */
	ST_AWAIT_TLS, /* tls-garbage: 220 sent, waiting for a hello */
	ST_CLOSING,   /* flush the output, then shut down */
	ST_DRAIN      /* write side shut, discard input until EOF */
};

struct listener {
	int fd;
	enum mode mode;
	unsigned long accepted; /* connections so far */
};

struct conn {
	int fd;
	enum mode mode;
	enum state state;
	time_t drain_since;
	size_t inlen;
	int overlong; /* discarding the rest of a long line */
	char in[LINE_MAX_LEN];
	char *out;
	size_t outlen;
	size_t outoff;
	size_t outcap;
};

static const struct {
	const char *name;
	enum mode mode;
	const char *host;
} modes[] = {
	{ "silent", MODE_SILENT, "mx.silent.test" },
	{ "mangled", MODE_MANGLED, "mx.mangled.test" },
	{ "starttls-error", MODE_STARTTLS_ERROR, "mx.starttlserr.test" },
	{ "tls-garbage", MODE_TLS_GARBAGE, "mx.tlsfail.test" },
	{ "busy", MODE_BUSY, "mx.busy.test" },
};

static struct listener listeners[MAX_LISTENERS];
static size_t nlisteners;
static struct conn **conns;
static size_t nconns;
static size_t conncap;
static volatile sig_atomic_t stop;

static void usage(void) __attribute__((noreturn));
static void fatal(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("lab-hostile: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: lab-hostile [-p pidfile] MODE ADDR PORT\n"
	    "       lab-hostile [-p pidfile] MODE:ADDR:PORT ...\n"
	    "modes: silent, mangled, starttls-error, tls-garbage, busy\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
mode_host(enum mode m)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == m)
			return modes[i].host;
	return "mx.hostile.test";
}

static int
parse_mode(const char *s, size_t len, enum mode *m)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strlen(modes[i].name) == len &&
		    strncmp(modes[i].name, s, len) == 0) {
			*m = modes[i].mode;
			return 0;
		}
	}
	return -1;
}

static int
set_nonblock(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void
add_listener(enum mode m, const char *addr, const char *port)
{
	struct addrinfo hints, *res;
	int fd, on = 1, rc;

	if (nlisteners == MAX_LISTENERS)
		fatal("too many listeners (at most %d)", MAX_LISTENERS);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0)
		fatal("%s port %s: %s", addr, port, gai_strerror(rc));
	fd = socket(
	    res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1)
		fatal("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		fatal("SO_REUSEADDR: %s", strerror(errno));
	if (res->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		fatal("IPV6_V6ONLY: %s", strerror(errno));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		fatal("bind %s port %s: %s", addr, port, strerror(errno));
	if (listen(fd, SOMAXCONN) == -1)
		fatal("listen %s port %s: %s", addr, port, strerror(errno));
	if (set_nonblock(fd) == -1)
		fatal("fcntl: %s", strerror(errno));
	freeaddrinfo(res);
	listeners[nlisteners].fd = fd;
	listeners[nlisteners].mode = m;
	nlisteners++;
}

/* add_triple - listen as "MODE:ADDR:PORT"; ADDR may be "[v6]" */
static void
add_triple(const char *arg)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *colon, *a, *p;
	size_t alen;
	enum mode m;

	if ((colon = strchr(arg, ':')) == NULL)
		fatal("%s: expected MODE:ADDR:PORT", arg);
	if (parse_mode(arg, (size_t)(colon - arg), &m) == -1)
		fatal("%s: unknown mode", arg);
	a = colon + 1;
	if (*a == '[') {
		a++;
		if ((p = strchr(a, ']')) == NULL || p[1] != ':')
			fatal("%s: expected [ADDR]:PORT", arg);
		alen = (size_t)(p - a);
		p += 2;
	} else {
		if ((p = strrchr(a, ':')) == NULL || p == a)
			fatal("%s: expected MODE:ADDR:PORT", arg);
		alen = (size_t)(p - a);
		p++;
	}
	if (alen == 0 || alen >= sizeof(addr) || *p == '\0')
		fatal("%s: bad address or port", arg);
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	add_listener(m, addr, p);
}

static void
write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *fp;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		fatal("pidfile path too long");
	if ((fp = fopen(tmp, "w")) == NULL)
		fatal("%s: %s", tmp, strerror(errno));
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF || rename(tmp, path) == -1)
		fatal("%s: %s", path, strerror(errno));
}

static void
conn_free(size_t i)
{
	struct conn *c = conns[i];

	close(c->fd);
	free(c->out);
	free(c);
	conns[i] = conns[--nconns];
}

static void queue_out(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
queue_out(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char line[512];
	char *nout;
	size_t ncap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (c->out == NULL || c->outlen + (size_t)n > c->outcap) {
		ncap = c->outcap ? c->outcap : 512;
		while (ncap < c->outlen + (size_t)n)
			ncap *= 2;
		if ((nout = realloc(c->out, ncap)) == NULL) {
			c->state = ST_CLOSING;
			return;
		}
		c->out = nout;
		c->outcap = ncap;
	}
	memcpy(c->out + c->outlen, line, (size_t)n);
	c->outlen += (size_t)n;
}

static int
verb_is(const char *line, const char *verb)
{
	size_t len = strlen(verb);

	return strncasecmp(line, verb, len) == 0 &&
	    (line[len] == '\0' || line[len] == ' ');
}

static void
ehlo_reply(struct conn *c)
{
	const char *host = mode_host(c->mode);

	if (c->mode == MODE_MANGLED) {
		queue_out(c,
		    "250-%s\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
		    "250-XXXXXXXA\r\n250 8BITMIME\r\n",
		    host);
		return;
	}
	if (c->mode == MODE_BUSY) {
		queue_out(
		    c, "250-%s\r\n250-PIPELINING\r\n250 8BITMIME\r\n", host);
		return;
	}
	queue_out(c,
	    "250-%s\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	    "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n",
	    host);
}

/* smtp_command - answer one command line (CR LF stripped) */
static void
smtp_command(struct conn *c, const char *line)
{
	if (verb_is(line, "EHLO")) {
		ehlo_reply(c);
	} else if (verb_is(line, "HELO")) {
		queue_out(c, "250 %s\r\n", mode_host(c->mode));
	} else if (verb_is(line, "QUIT")) {
		queue_out(c, "221 2.0.0 Bye\r\n");
		c->state = ST_CLOSING;
	} else if (verb_is(line, "STARTTLS")) {
		switch (c->mode) {
		case MODE_STARTTLS_ERROR:
			queue_out(c,
			    "454 4.7.0 TLS not available due to "
			    "local problem\r\n");
			break;
		case MODE_TLS_GARBAGE:
			queue_out(c, "220 2.0.0 Ready to start TLS\r\n");
			c->state = ST_AWAIT_TLS;
			break;
		default:
			queue_out(c,
			    "502 5.5.2 Error: command not "
			    "recognized\r\n");
			break;
		}
	} else if (verb_is(line, "NOOP") || verb_is(line, "RSET") ||
	    verb_is(line, "MAIL") || verb_is(line, "RCPT")) {
		queue_out(c, "250 2.0.0 Ok\r\n");
	} else {
		queue_out(c, "502 5.5.2 Error: command not recognized\r\n");
	}
}

/* process_input - consume the complete lines in the input buffer */
static void
process_input(struct conn *c)
{
	char *nl;
	size_t len;

	while (c->state == ST_SMTP &&
	    (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		len = (size_t)(nl - c->in);
		*nl = '\0';
		if (len > 0 && c->in[len - 1] == '\r')
			c->in[len - 1] = '\0';
		if (c->overlong) {
			c->overlong = 0;
			queue_out(c, "500 5.5.2 Error: line too long\r\n");
		} else
			smtp_command(c, c->in);
		c->inlen -= len + 1;
		memmove(c->in, nl + 1, c->inlen);
	}
	if (c->state == ST_SMTP && c->inlen == sizeof(c->in)) {
		/* No newline in a full buffer: drop it, answer at EOL. */
		c->overlong = 1;
		c->inlen = 0;
	}
	if (c->state == ST_AWAIT_TLS && c->inlen > 0) {
		/* The client's TLS hello (or anything): answer in clear. */
		c->inlen = 0;
		queue_out(c, "this is not TLS\r\n");
		c->state = ST_CLOSING;
	}
	if (c->state != ST_SMTP)
		c->inlen = 0;
}

/* conn_read - read what is there; -1: close the connection */
static int
conn_read(struct conn *c)
{
	char sink[4096];
	char *buf;
	size_t room;
	ssize_t n;

	for (;;) {
		if (c->mode == MODE_SILENT || c->state == ST_DRAIN ||
		    c->state == ST_CLOSING) {
			buf = sink;
			room = sizeof(sink);
		} else {
			if (c->outlen - c->outoff > OUT_HIGH_WATER)
				return 0;
			buf = c->in + c->inlen;
			room = sizeof(c->in) - c->inlen;
		}
		n = read(c->fd, buf, room);
		if (n == 0)
			return -1;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (buf != sink) {
			c->inlen += (size_t)n;
			process_input(c);
		}
	}
}

/* conn_write - send pending output; -1: close the connection */
static int
conn_write(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	if (c->state == ST_CLOSING) {
		/* Half-close so the peer reads our last words, not a RST. */
		if (shutdown(c->fd, SHUT_WR) == -1)
			return -1;
		c->state = ST_DRAIN;
		c->drain_since = time(NULL);
	}
	return 0;
}

static void
conn_accept(struct listener *l)
{
	struct conn **nconns_arr;
	struct conn *c;
	size_t ncap;
	int fd, on = 1;

	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			fprintf(stderr, "lab-hostile: accept: %s\n",
			    strerror(errno));
			poll(NULL, 0, ACCEPT_PAUSE_MS);
		}
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (nconns == conncap) {
		ncap = conncap ? conncap * 2 : 64;
		nconns_arr = realloc(conns, ncap * sizeof(*conns));
		if (nconns_arr == NULL) {
			close(fd);
			return;
		}
		conns = nconns_arr;
		conncap = ncap;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->mode = l->mode;
	c->state = ST_SMTP;
	l->accepted++;
	if (c->mode == MODE_BUSY && l->accepted % 2 == 1) {
		/* busy: every other connection is turned away, as a full
		 * server does (Postfix, Exim: "too many connections") */
		queue_out(c, "421 4.7.0 %s Error: too many connections\r\n",
		    mode_host(c->mode));
		c->state = ST_CLOSING;
	} else if (c->mode != MODE_SILENT) {
		queue_out(c, "220 %s ESMTP\r\n", mode_host(c->mode));
	}
	conns[nconns++] = c;
	/* Try to send the greeting at once; poll() will finish it. */
	if (conn_write(c) == -1)
		conn_free(nconns - 1);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
serve(void)
{
	struct pollfd *pfd = NULL, *npfd;
	size_t pfdcap = 0, i, n;
	sigset_t empty;
	time_t now;
	struct timespec ts, *tsp;
	int rc;

	sigemptyset(&empty);
	while (!stop) {
		n = nlisteners + nconns;
		if (pfd == NULL || n > pfdcap) {
			npfd = realloc(pfd, n * 2 * sizeof(*pfd));
			if (npfd == NULL)
				fatal("out of memory");
			pfd = npfd;
			pfdcap = n * 2;
		}
		for (i = 0; i < nlisteners; i++) {
			pfd[i].fd = listeners[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		tsp = NULL;
		for (i = 0; i < nconns; i++) {
			pfd[nlisteners + i].fd = conns[i]->fd;
			pfd[nlisteners + i].events = 0;
			if (conns[i]->outlen - conns[i]->outoff <=
			    OUT_HIGH_WATER)
				pfd[nlisteners + i].events |= POLLIN;
			if (conns[i]->outoff < conns[i]->outlen)
				pfd[nlisteners + i].events |= POLLOUT;
			pfd[nlisteners + i].revents = 0;
			if (conns[i]->state == ST_DRAIN) {
				ts.tv_sec = 1;
				ts.tv_nsec = 0;
				tsp = &ts;
			}
		}
		/* SIGTERM is blocked except inside ppoll(): no lost wakeup. */
		rc = ppoll(pfd, n, tsp, &empty);
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll: %s", strerror(errno));
		}
		now = time(NULL);
		/* Walk backwards: conn_free() moves the last entry into i. */
		for (i = nconns; i-- > 0;) {
			struct conn *c = conns[i];
			short re = pfd[nlisteners + i].revents;

			if (re & (POLLIN | POLLHUP | POLLERR)) {
				if (conn_read(c) == -1) {
					conn_free(i);
					continue;
				}
			}
			if (c->outoff < c->outlen || c->state == ST_CLOSING) {
				if (conn_write(c) == -1) {
					conn_free(i);
					continue;
				}
			}
			if (c->state == ST_DRAIN &&
			    now - c->drain_since >= DRAIN_SECONDS)
				conn_free(i);
		}
		for (i = 0; i < nlisteners; i++)
			if (pfd[i].revents & POLLIN)
				conn_accept(&listeners[i]);
	}
	free(pfd);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	sigset_t block;
	const char *pidfile = NULL;
	enum mode m;
	int ch, i;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		switch (ch) {
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	if (argc == 3 && strchr(argv[0], ':') == NULL) {
		if (parse_mode(argv[0], strlen(argv[0]), &m) == -1)
			fatal("%s: unknown mode", argv[0]);
		add_listener(m, argv[1], argv[2]);
	} else {
		for (i = 0; i < argc; i++)
			add_triple(argv[i]);
	}

	raise_nofile();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);

	if (pidfile != NULL)
		write_pidfile(pidfile);
	serve();

	while (nconns > 0)
		conn_free(nconns - 1);
	free(conns);
	for (i = 0; i < (int)nlisteners; i++)
		close(listeners[i].fd);
	if (pidfile != NULL)
		(void)unlink(pidfile);
	return 0;
}
