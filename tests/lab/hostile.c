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
 *   busy            every other connection gets 421 "too many connections";
 *                   the others a plain ESMTP server without STARTTLS
 *   sslv2           advertises STARTTLS, answers it with 220, then speaks
 *                   SSL 2.0 as far as SERVER-HELLO (see sslv2_hello()):
 *                   the one emulated protocol, as nothing in Debian 12
 *                   implements SSLv2 any more.  Needs -c CERT.der.
 *
 * The reliability modes: servers that try to hang a client, make it lose
 * results or exhaust its memory (tests/lab/test_hostile.py).
 *
 *   drip            a normal server that sends everything one byte per
 *                   second, the greeting first
 *   endless         EHLO is answered by 250- continuation lines that never
 *                   end, as fast as the client reads them
 *   longline        the greeting is a 1 MiB line without CR LF; then
 *                   silence
 *   garbage         the greeting is binary garbage (NUL, ESC, bytes over
 *                   0x7f) ending in CR LF; then silence
 *   tlsalert        STARTTLS 220, then a hand-written TLS 1.2 ServerHello
 *                   choosing the client's first TLS 1.2 suite, followed at
 *                   once by a fatal handshake_failure alert
 *   tlsreset        STARTTLS 220; once the ClientHello record is in, the
 *                   connection is reset (SO_LINGER 0, close: a TCP RST)
 *   tlsstall        STARTTLS 220, then the ClientHello is never answered:
 *                   the connection is held, input discarded, for 30 s
 *   v2stall         STARTTLS 220; an SSLv3/TLS hello gets a fatal
 *                   handshake_failure alert, an SSLv2 hello silence (held
 *                   as tlsstall): a server that ignores what it does not
 *                   speak, but answers the rest
 *   endlesshttp     plain HTTP: any request gets a 200 text/plain MTA-STS
 *                   policy whose mx: lines never end (no Content-Length,
 *                   ended by close only).  The lab's nginx speaks TLS in
 *                   front of it for the MTA-STS policy host.
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

#define MAX_LISTENERS   32
#define LINE_MAX_LEN    1024  /* RFC 5321 allows 512; be lenient */
#define DRAIN_SECONDS   5     /* linger after our last reply */
#define ACCEPT_PAUSE_MS 100   /* back off when out of descriptors */
#define OUT_HIGH_WATER  65536 /* stop reading while this much is unsent */
#define HOLD_SECONDS    30    /* ST_HOLD: wait this long for the client */
#define CERT_MAX        16384 /* sslv2: largest DER certificate served */
#define DRIP_MS         1000  /* drip: one byte per this many ms */
#define LONGLINE_LEN    (1024 * 1024) /* longline: the greeting's length */
#define GARBAGE_LEN     512           /* garbage: bytes before the CR LF */
#define STREAM_LOW      16384 /* endless*: refill below this much unsent */
#define TLS_REC_MAX     (5 + 16384 + 2048) /* a TLS record, header included */

enum mode {
	MODE_SILENT,
	MODE_MANGLED,
	MODE_STARTTLS_ERROR,
	MODE_TLS_GARBAGE,
	MODE_BUSY,
	MODE_SSLV2,
	MODE_INJECT,     /* bytes after STARTTLS's 220, before the handshake */
	MODE_NOEHLO,     /* EHLO unknown (502), HELO only */
	MODE_REJECT,     /* greets with 554 */
	MODE_XSS,        /* a banner with markup, quotes and control bytes */
	MODE_DRIP,       /* everything one byte per second */
	MODE_ENDLESS,    /* EHLO continuation lines that never end */
	MODE_LONGLINE,   /* a 1 MiB greeting without CR LF */
	MODE_GARBAGE,    /* binary garbage as the greeting */
	MODE_TLSALERT,   /* ServerHello, then a fatal alert */
	MODE_TLSRESET,   /* TCP reset after the ClientHello */
	MODE_TLSSTALL,   /* the ClientHello never answered */
	MODE_V2STALL,    /* TLS hellos refused, SSLv2 hellos ignored */
	MODE_ENDLESSHTTP /* HTTP: an MTA-STS policy that never ends */
};

enum state {
	ST_SMTP,        /* reading SMTP command lines */
	ST_AWAIT_TLS,   /* tls-garbage: 220 sent, waiting for a hello */
	ST_AWAIT_V2,    /* sslv2: 220 sent, reading a CLIENT-HELLO */
	ST_HOLD,        /* discard input until EOF (at most HOLD_SECONDS) */
	ST_AWAIT_HELLO, /* tlsalert, tlsreset: reading the ClientHello */
	ST_STREAM,      /* endless*: send lines forever, discard input */
	ST_RESET,       /* tlsreset: close with a TCP RST */
	ST_CLOSING,     /* flush the output, then shut down */
	ST_DRAIN        /* write side shut, discard input until EOF */
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
	time_t drain_since; /* ST_DRAIN and ST_HOLD: since when */
	size_t inlen;
	int overlong; /* discarding the rest of a long line */
	char in[LINE_MAX_LEN];
	char *out;
	size_t outlen;
	size_t outoff;
	size_t outcap;
	unsigned char *rec; /* sslv2: the record read so far */
	size_t reclen;
	size_t recneed;      /* its full length, header included; 0: unknown */
	long long next_drip; /* drip: when the next byte may go, ms */
	unsigned long lines; /* endless*: lines queued so far */
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
	{ "sslv2", MODE_SSLV2, "mx.sslv2.test" },
	{ "inject", MODE_INJECT, "mx.inject.test" },
	{ "noehlo", MODE_NOEHLO, "mx.noehlo.test" },
	{ "reject", MODE_REJECT, "mx.reject.test" },
	{ "xss", MODE_XSS, "mx.xss.test" },
	{ "drip", MODE_DRIP, "mx.drip.hostile.test" },
	{ "endless", MODE_ENDLESS, "mx.endless.hostile.test" },
	{ "longline", MODE_LONGLINE, "mx.longline.hostile.test" },
	{ "garbage", MODE_GARBAGE, "mx.garbage.hostile.test" },
	{ "tlsalert", MODE_TLSALERT, "mx.tlsalert.hostile.test" },
	{ "tlsreset", MODE_TLSRESET, "mx.tlsreset.hostile.test" },
	{ "tlsstall", MODE_TLSSTALL, "mx.tlsstall.hostile.test" },
	{ "v2stall", MODE_V2STALL, "mx.v2stall.hostile.test" },
	{ "endlesshttp", MODE_ENDLESSHTTP, "mta-sts.stsendless.hostile.test" },
};

/*
 * SSL 2.0 (draft-hickman-netscape-ssl-00): the cipher kinds lab-hostile
 * "supports", in its order of preference, and the codes it uses.
 */
static const unsigned char v2_ciphers[][3] = {
	{ 0x01, 0x00, 0x80 }, /* SSL_CK_RC4_128_WITH_MD5 */
	{ 0x02, 0x00, 0x80 }, /* SSL_CK_RC4_128_EXPORT40_WITH_MD5 */
	{ 0x07, 0x00, 0xc0 }, /* SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */
	{ 0x06, 0x00, 0x40 }, /* SSL_CK_DES_64_CBC_WITH_MD5 */
};

#define V2_MT_ERROR        0
#define V2_MT_CLIENT_HELLO 1
#define V2_MT_SERVER_HELLO 4
#define V2_ERR_NO_CIPHER   0x0001
#define V2_CERT_X509       1
#define V2_VERSION         0x0002
#define V2_CONN_ID_LEN     16

static struct listener listeners[MAX_LISTENERS];
static unsigned char *v2_cert; /* -c: DER certificate for sslv2 */
static size_t v2_certlen;
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
	    "usage: lab-hostile [-p pidfile] [-c cert.der] MODE ADDR PORT\n"
	    "       lab-hostile [-p pidfile] [-c cert.der] MODE:ADDR:PORT ...\n"
	    "modes: silent, mangled, starttls-error, tls-garbage, busy, inject, noehlo, reject, xss, "
	    "sslv2,\n"
	    "       drip, endless, longline, garbage, tlsalert, tlsreset, tlsstall, v2stall, endlesshttp\n");
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

/* mono_ms - a monotonic clock in milliseconds */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* load_cert - read the DER certificate that sslv2 serves */
static void
load_cert(const char *path)
{
	unsigned char buf[CERT_MAX + 1];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		fatal("%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), fp);
	if (ferror(fp))
		fatal("%s: %s", path, strerror(errno));
	fclose(fp);
	/* DER: a SEQUENCE (0x30) */
	if (n < 2 || buf[0] != 0x30)
		fatal("%s: not a DER certificate", path);
	if (n > CERT_MAX)
		fatal("%s: larger than %d bytes", path, CERT_MAX);
	if ((v2_cert = malloc(n)) == NULL)
		fatal("out of memory");
	memcpy(v2_cert, buf, n);
	v2_certlen = n;
}

static void
conn_free(size_t i)
{
	struct conn *c = conns[i];

	close(c->fd);
	free(c->out);
	free(c->rec);
	free(c);
	conns[i] = conns[--nconns];
}

/* queue_bytes - append LEN bytes to the output */
static void
queue_bytes(struct conn *c, const void *data, size_t len)
{
	char *nout;
	size_t ncap;

	if (c->out == NULL || c->outlen + len > c->outcap) {
		ncap = c->outcap ? c->outcap : 512;
		while (ncap < c->outlen + len)
			ncap *= 2;
		if ((nout = realloc(c->out, ncap)) == NULL) {
			c->state = ST_CLOSING;
			return;
		}
		c->out = nout;
		c->outcap = ncap;
	}
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
}

static void queue_out(struct conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
queue_out(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char line[512];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	queue_bytes(c, line, (size_t)n);
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
	if (c->mode == MODE_ENDLESS) {
		/* the rest comes from stream_refill(), forever */
		queue_out(c, "250-%s\r\n", host);
		c->state = ST_STREAM;
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
	if (c->mode == MODE_REJECT && !verb_is(line, "QUIT")) {
		queue_out(c, "503 5.5.1 Error: no service\r\n");
	} else if (verb_is(line, "EHLO") && c->mode == MODE_NOEHLO) {
		queue_out(c, "502 5.5.2 Error: command not recognized\r\n");
	} else if (verb_is(line, "EHLO")) {
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
		case MODE_SSLV2:
			queue_out(c, "220 2.0.0 Ready to start TLS\r\n");
			c->state = ST_AWAIT_V2;
			break;
		case MODE_INJECT:
			/* a reply the client never asked for, in the same
			 * segment: what a STARTTLS injection looks like
			 * (CVE-2011-0411); then no TLS at all */
			queue_out(c,
			    "220 2.0.0 Ready to start TLS\r\n"
			    "250 2.0.0 injected\r\n");
			c->state = ST_AWAIT_TLS;
			break;
		case MODE_TLSALERT:
		case MODE_TLSRESET:
		case MODE_V2STALL:
			queue_out(c, "220 2.0.0 Ready to start TLS\r\n");
			c->state = ST_AWAIT_HELLO;
			break;
		case MODE_TLSSTALL:
			queue_out(c, "220 2.0.0 Ready to start TLS\r\n");
			c->state = ST_HOLD;
			c->drain_since = time(NULL);
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

/* v2_error - an SSLv2 ERROR message with CODE, then close */
static void
v2_error(struct conn *c, unsigned code)
{
	unsigned char msg[5];

	msg[0] = 0x80; /* 2-byte header, length 3 */
	msg[1] = 3;
	msg[2] = V2_MT_ERROR;
	msg[3] = (unsigned char)(code >> 8);
	msg[4] = (unsigned char)code;
	queue_bytes(c, msg, sizeof(msg));
	c->state = ST_CLOSING;
}

/* put16 - a big-endian 16-bit number at P */
static unsigned char *
put16(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
	return p + 2;
}

/*
 * sslv2_hello - answer the CLIENT-HELLO in c->rec (complete, 2-byte
 * header) with a SERVER-HELLO: no session-id hit, an X.509 certificate,
 * version 2, the cipher kinds of v2_ciphers that the client offered (in
 * that order), a random 16-byte connection id.  With no kind in common:
 * ERROR NO-CIPHER-ERROR, as SSLv2 servers did.  Malformed: close.  The
 * handshake goes no further: after SERVER-HELLO the server holds the
 * connection, discarding what comes (CLIENT-MASTER-KEY), until the
 * client closes it.
 */
static void
sslv2_hello(struct conn *c)
{
	unsigned char specs[sizeof(v2_ciphers)], id[V2_CONN_ID_LEN];
	unsigned char *msg, *p;
	const unsigned char *h = c->rec + 2;
	size_t bodylen = c->reclen - 2, speclen, sidlen, challen, nspecs = 0;
	size_t i, j, len;
	unsigned version;

	/* MSG-CLIENT-HELLO, version, three lengths: 9 bytes */
	if (bodylen < 9 || h[0] != V2_MT_CLIENT_HELLO) {
		c->state = ST_CLOSING;
		return;
	}
	version = (unsigned)h[1] << 8 | h[2];
	speclen = (size_t)h[3] << 8 | h[4];
	sidlen = (size_t)h[5] << 8 | h[6];
	challen = (size_t)h[7] << 8 | h[8];
	if (version < V2_VERSION || speclen == 0 || speclen % 3 != 0 ||
	    (sidlen != 0 && sidlen != 16) || challen < 16 || challen > 32 ||
	    9 + speclen + sidlen + challen != bodylen) {
		c->state = ST_CLOSING;
		return;
	}
	for (i = 0; i < sizeof(v2_ciphers) / sizeof(v2_ciphers[0]); i++)
		for (j = 0; j < speclen; j += 3)
			if (memcmp(h + 9 + j, v2_ciphers[i], 3) == 0) {
				memcpy(specs + 3 * nspecs++, v2_ciphers[i], 3);
				break;
			}
	if (nspecs == 0) {
		v2_error(c, V2_ERR_NO_CIPHER);
		return;
	}
	if (getentropy(id, sizeof(id)) == -1)
		memset(id, 0x5a, sizeof(id));

	len = 11 + v2_certlen + 3 * nspecs + sizeof(id);
	if ((msg = malloc(2 + len)) == NULL) {
		c->state = ST_CLOSING;
		return;
	}
	p = put16(msg, 0x8000 | len); /* len < CERT_MAX + 39 < 0x8000 */
	*p++ = V2_MT_SERVER_HELLO;
	*p++ = 0; /* SESSION-ID-HIT */
	*p++ = V2_CERT_X509;
	p = put16(p, V2_VERSION);
	p = put16(p, v2_certlen);
	p = put16(p, 3 * nspecs);
	p = put16(p, sizeof(id));
	memcpy(p, v2_cert, v2_certlen);
	p += v2_certlen;
	memcpy(p, specs, 3 * nspecs);
	p += 3 * nspecs;
	memcpy(p, id, sizeof(id));
	queue_bytes(c, msg, 2 + len);
	free(msg);
	if (c->state == ST_AWAIT_V2) {
		c->state = ST_HOLD;
		c->drain_since = time(NULL);
	}
}

/*
 * sslv2_input - take the client's bytes after "220 Ready to start TLS":
 * an SSLv2 record (first byte with the high bit set: 2-byte header) is
 * collected, then answered by sslv2_hello().  A TLS record (0x16, the
 * hello of a client that does not offer SSLv2) gets a fatal
 * handshake_failure alert in the client's record version; anything else
 * is closed without a word.
 */
static void
sslv2_input(struct conn *c)
{
	const unsigned char *in = (const unsigned char *)c->in;
	unsigned char alert[7];
	unsigned char *nrec;
	size_t off = 0, take;

	if (c->reclen == 0 && in[0] == 0x16) {
		alert[0] = 0x15; /* alert */
		alert[1] = c->inlen >= 3 ? in[1] : 3;
		alert[2] = c->inlen >= 3 ? in[2] : 1;
		alert[3] = 0;
		alert[4] = 2;
		alert[5] = 2;  /* fatal */
		alert[6] = 40; /* handshake_failure */
		queue_bytes(c, alert, sizeof(alert));
		c->state = ST_CLOSING;
		return;
	}
	if (c->reclen == 0 && (in[0] & 0x80) == 0) {
		c->state = ST_CLOSING;
		return;
	}
	if (c->recneed == 0) {
		/* the 2-byte header: high bit, then a 15-bit length */
		if (c->rec == NULL && (c->rec = malloc(2)) == NULL) {
			c->state = ST_CLOSING;
			return;
		}
		take = 2 - c->reclen;
		if (take > c->inlen)
			take = c->inlen;
		memcpy(c->rec + c->reclen, in, take);
		c->reclen += take;
		off = take;
		if (c->reclen < 2) {
			c->inlen = 0;
			return;
		}
		c->recneed = 2 + (((size_t)c->rec[0] & 0x7f) << 8 | c->rec[1]);
		if ((nrec = realloc(c->rec, c->recneed)) == NULL) {
			c->state = ST_CLOSING;
			return;
		}
		c->rec = nrec;
	}
	take = c->recneed - c->reclen;
	if (take > c->inlen - off)
		take = c->inlen - off;
	memcpy(c->rec + c->reclen, in + off, take);
	c->reclen += take;
	c->inlen = 0; /* anything after the CLIENT-HELLO: ignored */
	if (c->reclen == c->recneed)
		sslv2_hello(c);
}

/*
 * tls_collect - gather the client's first TLS record (5-byte header, then
 * its length) from the input into c->rec.  1: complete, 0: more to come,
 * -1: not a TLS handshake record (an SSLv2 hello, plain text) or too long.
 */
static int
tls_collect(struct conn *c)
{
	const unsigned char *in = (const unsigned char *)c->in;
	size_t take;

	if (c->reclen == 0 && in[0] != 0x16)
		return -1;
	if (c->rec == NULL && (c->rec = malloc(TLS_REC_MAX)) == NULL)
		return -1;
	take = TLS_REC_MAX - c->reclen;
	if (take > c->inlen)
		take = c->inlen;
	memcpy(c->rec + c->reclen, in, take);
	c->reclen += take;
	c->inlen = 0; /* anything after the record: ignored */
	if (c->recneed == 0 && c->reclen >= 5) {
		c->recneed = 5 + ((size_t)c->rec[3] << 8 | c->rec[4]);
		if (c->recneed > TLS_REC_MAX)
			return -1;
	}
	return c->recneed != 0 && c->reclen >= c->recneed;
}

/*
 * tls_pick_suite - the first suite of a ClientHello (c->rec, complete)
 * that a TLS 1.2 server may choose: not TLS 1.3 (0x13xx), not a signalling
 * value (0x00ff, 0x5600), not GREASE.  *ri: the client asked for secure
 * renegotiation (0x00ff or the renegotiation_info extension), which
 * OpenSSL 3 clients require in the answer.  -1: malformed, or no suite.
 */
static int
tls_pick_suite(const struct conn *c, unsigned *suite, int *ri)
{
	const unsigned char *h = c->rec + 5;
	size_t n = c->recneed - 5, off, cslen, extlen, end, i;
	unsigned s, type;
	int found = 0;

	*ri = 0;
	/* ClientHello (1), 3-byte length, version, random, session id */
	if (n < 4 + 2 + 32 + 1 || h[0] != 1)
		return -1;
	off = 4 + 2 + 32;
	off += 1 + h[off];
	if (off + 2 > n)
		return -1;
	cslen = (size_t)h[off] << 8 | h[off + 1];
	off += 2;
	if (off + cslen > n || cslen % 2 != 0)
		return -1;
	for (i = 0; i < cslen; i += 2) {
		s = (unsigned)h[off + i] << 8 | h[off + i + 1];
		if (s == 0x00ff)
			*ri = 1;
		if (found || (s >> 8) == 0x13 || s == 0x00ff || s == 0x5600 ||
		    (s & 0x0f0f) == 0x0a0a)
			continue;
		*suite = s;
		found = 1;
	}
	off += cslen;
	/* compression methods, then the extensions, if any */
	if (off < n)
		off += 1 + h[off];
	if (off + 2 <= n) {
		extlen = (size_t)h[off] << 8 | h[off + 1];
		off += 2;
		end = off + extlen < n ? off + extlen : n;
		while (off + 4 <= end) {
			type = (unsigned)h[off] << 8 | h[off + 1];
			if (type == 0xff01)
				*ri = 1;
			off += 4 + ((size_t)h[off + 2] << 8 | h[off + 3]);
		}
	}
	return found ? 0 : -1;
}

/*
 * tlsalert_answer - a minimal TLS 1.2 ServerHello (no session id, the
 * chosen suite, no compression, renegotiation_info when asked for) in a
 * record of its own, then a fatal handshake_failure alert: the handshake
 * a client cannot finish.  No usable suite: the alert alone.
 */
static void
tlsalert_answer(struct conn *c)
{
	static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
		0x02, 40 };
	unsigned char msg[5 + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 5], *p;
	unsigned suite = 0;
	size_t bodylen;
	int ri;

	if (tls_pick_suite(c, &suite, &ri) == 0) {
		bodylen = 2 + 32 + 1 + 2 + 1 + (ri ? 2 + 5 : 0);
		p = msg;
		*p++ = 0x16; /* handshake */
		p = put16(p, 0x0303);
		p = put16(p, 4 + bodylen);
		*p++ = 2; /* ServerHello */
		*p++ = 0;
		p = put16(p, bodylen);
		p = put16(p, 0x0303);
		if (getentropy(p, 32) == -1)
			memset(p, 0x5a, 32);
		p += 32;
		*p++ = 0; /* no session id */
		p = put16(p, suite);
		*p++ = 0; /* null compression */
		if (ri) {
			p = put16(p, 5);
			p = put16(p, 0xff01); /* renegotiation_info, empty */
			p = put16(p, 1);
			*p++ = 0;
		}
		queue_bytes(c, msg, (size_t)(p - msg));
	}
	queue_bytes(c, alert, sizeof(alert));
	c->state = ST_CLOSING;
}

/* tls_reset - end the connection with a TCP RST, not a FIN */
static void
tls_reset(struct conn *c)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	c->state = ST_RESET;
}

/* tls_refuse - a fatal handshake_failure alert, nothing else, and close */
static void
tls_refuse(struct conn *c)
{
	static const unsigned char alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02,
		0x02, 40 };

	queue_bytes(c, alert, sizeof(alert));
	c->state = ST_CLOSING;
}

/*
 * hello_input - tlsalert, tlsreset and v2stall: the client's bytes after
 * "220 Ready to start TLS".  Once its first record is complete, tlsalert
 * answers it, tlsreset resets the connection, v2stall refuses it.  Not
 * TLS: tlsalert closes without a word, tlsreset resets at once, v2stall
 * holds the connection in silence.
 */
static void
hello_input(struct conn *c)
{
	int rc = tls_collect(c);

	if (rc == 0)
		return;
	if (c->mode == MODE_V2STALL && rc == 1) {
		tls_refuse(c);
	} else if (c->mode == MODE_V2STALL) {
		c->inlen = 0;
		c->state = ST_HOLD;
		c->drain_since = time(NULL);
	} else if (c->mode == MODE_TLSRESET)
		tls_reset(c);
	else if (rc == 1)
		tlsalert_answer(c);
	else
		c->state = ST_CLOSING;
}

/*
 * http_input - endlesshttp: once the request's header is in (or the
 * buffer is full), answer 200 with the start of a valid policy; the
 * never-ending mx: lines come from stream_refill().  HTTP/1.0 without
 * Content-Length: the body ends when the connection does, i.e. never.
 */
static void
http_input(struct conn *c)
{
	if (c->inlen < sizeof(c->in) &&
	    memmem(c->in, c->inlen, "\r\n\r\n", 4) == NULL &&
	    memmem(c->in, c->inlen, "\n\n", 2) == NULL)
		return;
	c->inlen = 0;
	queue_out(c,
	    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
	    "version: STSv1\r\nmode: enforce\r\nmx: mx.good.test\r\n"
	    "max_age: 604800\r\n");
	c->state = ST_STREAM;
}

/*
 * stream_refill - endless and endlesshttp: keep at least STREAM_LOW bytes
 * queued, so the client can read as fast as it likes, forever.
 */
static void
stream_refill(struct conn *c)
{
	while (c->state == ST_STREAM && c->outlen - c->outoff < STREAM_LOW) {
		c->lines++;
		if (c->mode == MODE_ENDLESS)
			queue_out(
			    c, "250-X-ENDLESS-%010lu never ends\r\n", c->lines);
		else
			queue_out(c, "mx: mx%010lu.stsendless.hostile.test\r\n",
			    c->lines);
	}
}

/* process_input - consume the complete lines in the input buffer */
static void
process_input(struct conn *c)
{
	char *nl;
	size_t len;

	if (c->mode == MODE_ENDLESSHTTP) {
		if (c->state == ST_SMTP)
			http_input(c);
		c->inlen = 0;
		return;
	}
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
	if (c->state == ST_AWAIT_V2 && c->inlen > 0)
		sslv2_input(c);
	if (c->state == ST_AWAIT_HELLO && c->inlen > 0)
		hello_input(c);
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
		    c->state == ST_CLOSING || c->state == ST_HOLD ||
		    c->state == ST_STREAM || c->state == ST_RESET) {
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
			if (c->state == ST_RESET)
				return -1;
		}
	}
}

/* conn_write - send pending output; -1: close the connection */
static int
conn_write(struct conn *c)
{
	size_t len;
	ssize_t n;

	while (c->outoff < c->outlen) {
		len = c->outlen - c->outoff;
		if (c->mode == MODE_DRIP) {
			/* one byte, then wait: poll()'s timeout wakes us */
			if (mono_ms() < c->next_drip)
				return 0;
			len = 1;
		}
		n = send(c->fd, c->out + c->outoff, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->outoff += (size_t)n;
		if (c->mode == MODE_DRIP)
			c->next_drip = mono_ms() + DRIP_MS;
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

/* longline_greeting - "220 " and 1 MiB of text, no CR LF; then silence */
static void
longline_greeting(struct conn *c)
{
	char *line;

	if ((line = malloc(LONGLINE_LEN)) == NULL) {
		c->state = ST_CLOSING;
		return;
	}
	memset(line, 'x', LONGLINE_LEN);
	memcpy(line, "220 ", 4);
	queue_bytes(c, line, LONGLINE_LEN);
	free(line);
	if (c->state == ST_SMTP) {
		c->state = ST_HOLD;
		c->drain_since = time(NULL);
	}
}

/*
 * garbage_greeting - GARBAGE_LEN pseudo-random bytes (the same each time:
 * NUL, ESC, DEL, bytes over 0x7f; no CR or LF), then CR LF, so that a
 * client gets one complete "line" of it; then silence
 */
static void
garbage_greeting(struct conn *c)
{
	unsigned char junk[GARBAGE_LEN + 2];
	unsigned long x = 20240601;
	size_t i;

	for (i = 0; i < GARBAGE_LEN; i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (unsigned char)(x >> 16);
		if (junk[i] == '\r' || junk[i] == '\n')
			junk[i] ^= 0x80;
	}
	junk[0] = 0; /* a C string ends here */
	junk[1] = 0x1b;
	junk[GARBAGE_LEN] = '\r';
	junk[GARBAGE_LEN + 1] = '\n';
	queue_bytes(c, junk, sizeof(junk));
	c->state = ST_HOLD;
	c->drain_since = time(NULL);
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
	} else if (c->mode == MODE_REJECT) {
		queue_out(c, "554 5.7.1 %s no SMTP service here\r\n",
		    mode_host(c->mode));
	} else if (c->mode == MODE_XSS) {
		/* what a report must show as text, never run or lose */
		queue_out(c,
		    "220-%s <script>document.body.setAttribute("
		    "'data-pwned','1')</script>\r\n"
		    "220-\"quoted\" 'single' </td></tr></table> "
		    "<img src=x onerror=alert(1)> \x01\x1b[31m\x7f\r\n"
		    "220 ESMTP & \xe2\x80\xa8 </script><!--\r\n",
		    mode_host(c->mode));
	} else if (c->mode == MODE_LONGLINE) {
		longline_greeting(c);
	} else if (c->mode == MODE_GARBAGE) {
		garbage_greeting(c);
	} else if (c->mode != MODE_SILENT && c->mode != MODE_ENDLESSHTTP) {
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
	long long wait_ms, t, ms;
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
		wait_ms = -1;
		t = mono_ms();
		for (i = 0; i < nconns; i++) {
			stream_refill(conns[i]);
			pfd[nlisteners + i].fd = conns[i]->fd;
			pfd[nlisteners + i].events = 0;
			if (conns[i]->outlen - conns[i]->outoff <=
			    OUT_HIGH_WATER)
				pfd[nlisteners + i].events |= POLLIN;
			pfd[nlisteners + i].revents = 0;
			ms = -1;
			if (conns[i]->outoff < conns[i]->outlen) {
				/* drip: the clock says when, not POLLOUT */
				if (conns[i]->mode != MODE_DRIP)
					pfd[nlisteners + i].events |= POLLOUT;
				else
					ms = conns[i]->next_drip > t
					    ? conns[i]->next_drip - t
					    : 0;
			}
			if (conns[i]->state == ST_DRAIN ||
			    conns[i]->state == ST_HOLD)
				ms = ms == -1 || ms > 1000 ? 1000 : ms;
			if (ms != -1 && (wait_ms == -1 || ms < wait_ms))
				wait_ms = ms;
		}
		tsp = NULL;
		if (wait_ms != -1) {
			ts.tv_sec = (time_t)(wait_ms / 1000);
			ts.tv_nsec = (long)(wait_ms % 1000) * 1000000;
			tsp = &ts;
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
			else if (c->state == ST_HOLD &&
			    now - c->drain_since >= HOLD_SECONDS)
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
	size_t l;

	while ((ch = getopt(argc, argv, "c:p:")) != -1) {
		switch (ch) {
		case 'c':
			load_cert(optarg);
			break;
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

	for (l = 0; l < nlisteners; l++)
		if (listeners[l].mode == MODE_SSLV2 && v2_cert == NULL)
			fatal("mode sslv2 needs a certificate (-c cert.der)");

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
	free(v2_cert);
	for (i = 0; i < (int)nlisteners; i++)
		close(listeners[i].fd);
	if (pidfile != NULL)
		(void)unlink(pidfile);
	return 0;
}
