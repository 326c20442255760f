/* SPDX-License-Identifier: ISC */
/*
 * test_policyd_server - the socketmap server and the metrics responder
 * with real sockets (TCP on 127.0.0.1 with a free port, and a UNIX socket
 * in a temporary directory) and a fake answer callback; and the netstring
 * codec they frame with.
 *
 * One thread: the clients are non-blocking sockets, and every wait turns
 * the server's event loop (pump) while it polls them, so the counters can
 * be read at any time without races.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "policyd/metrics.h"
#include "policyd/server.h"
#include "proto/netstring.h"
#include "util/buf.h"

#define WAIT_MS 3000 /* the most any wait may take before a test fails */

/* ---- netstring codec ---- */

struct ns_case {
	const char *in;
	size_t n;        /* netstrings decoded before the end or the error */
	const char *err; /* NULL: none */
	size_t off;      /* its stream offset */
	bool partial;    /* input ends inside a netstring */
};

static const struct ns_case ns_cases[] = {
	{ "0:,", 1, NULL, 0, false },
	{ "3:abc,", 1, NULL, 0, false },
	{ "3:abc,0:,1:x,", 3, NULL, 0, false },
	{ "3:abc", 0, NULL, 0, true },
	{ "3:ab", 0, NULL, 0, true },
	{ "12", 0, NULL, 0, true },
	{ "", 0, NULL, 0, false },
	{ ":,", 0, "netstring length is empty", 0, false },
	{ "01:a,", 0, "netstring length has a leading zero", 0, false },
	{ "3:abc,00:", 1, "netstring length has a leading zero", 6, false },
	{ "a:", 0, "netstring length is not a number", 0, false },
	{ "1 :a,", 0, "netstring length is not a number", 1, false },
	{ "-1:", 0, "netstring length is not a number", 0, false },
	{ "3:abc;", 0, "netstring does not end with ','", 5, false },
	{ "3:abcd,", 0, "netstring does not end with ','", 5, false },
	{ "10001:", 0, "netstring longer than the maximum", 4, false },
	{ "10000:", 0, NULL, 0, true },
	{ "99999999999999999999999:", 0, "netstring longer than the maximum", 4,
	    false },
	{ "1:a,GET / HTTP/1.0\r\n", 1, "netstring length is not a number", 4,
	    false },
};

/* ns_run - decode in chunks of step bytes (0: all at once) */
static void
ns_run(const struct ns_case *t, size_t step)
{
	struct netstring_dec d;
	enum netstring_status st = NETSTRING_MORE;
	size_t len = strlen(t->in), pos = 0, n = 0, used, outlen, chunk;
	const char *out;
	char *in = malloc(len > 0 ? len : 1);

	assert_non_null(in);
	memcpy(in, t->in, len);
	netstring_dec_init(&d, SERVER_MAX_REQUEST);
	while (pos < len && st != NETSTRING_ERROR) {
		chunk = step == 0 || step > len - pos ? len - pos : step;
		/* an exact-size copy of the chunk, so over-reads trip ASan */
		char *c = malloc(chunk);
		size_t cpos = 0;

		assert_non_null(c);
		memcpy(c, in + pos, chunk);
		while (cpos < chunk) {
			st = netstring_dec_feed(
			    &d, c + cpos, chunk - cpos, &used, &out, &outlen);
			cpos += used;
			if (st == NETSTRING_DONE)
				n++;
			else
				break;
		}
		free(c);
		pos += cpos;
	}
	assert_int_equal(n, t->n);
	if (t->err != NULL) {
		assert_int_equal(st, NETSTRING_ERROR);
		assert_string_equal(d.err.msg, t->err);
		assert_int_equal(d.err.off, t->off);
		/* sticky */
		assert_int_equal(
		    netstring_dec_feed(&d, "0:,", 3, &used, &out, &outlen),
		    NETSTRING_ERROR);
		assert_int_equal(used, 0);
		assert_string_equal(netstring_state_name(d.state), "error");
	} else {
		assert_int_not_equal(st, NETSTRING_ERROR);
		assert_int_equal(netstring_dec_partial(&d), t->partial);
	}
	netstring_dec_release(&d);
	free(in);
}

static void
test_netstring(void **state)
{
	struct netstring_dec d;
	struct buf b;
	const char *out;
	size_t i, used, outlen;
	static const char two[] = "5:hello,5:world,";

	(void)state;
	for (i = 0; i < sizeof(ns_cases) / sizeof(ns_cases[0]); i++) {
		ns_run(&ns_cases[i], 0);
		ns_run(&ns_cases[i], 1);
		ns_run(&ns_cases[i], 2);
		ns_run(&ns_cases[i], 3);
	}

	/* whole in the chunk: a slice of it; split: a copy, same bytes */
	netstring_dec_init(&d, 100);
	assert_int_equal(
	    netstring_dec_feed(&d, two, sizeof(two) - 1, &used, &out, &outlen),
	    NETSTRING_DONE);
	assert_int_equal(used, 8);
	assert_ptr_equal(out, two + 2);
	assert_int_equal(outlen, 5);
	assert_int_equal(
	    netstring_dec_feed(&d, two + 8, 4, &used, &out, &outlen),
	    NETSTRING_MORE);
	assert_true(netstring_dec_partial(&d));
	assert_int_equal(
	    netstring_dec_feed(&d, two + 12, 4, &used, &out, &outlen),
	    NETSTRING_DONE);
	assert_int_equal(outlen, 5);
	assert_memory_equal(out, "world", 5);
	assert_false(netstring_dec_partial(&d));
	assert_int_equal(d.off, sizeof(two) - 1);
	netstring_dec_release(&d);

	/* the encoder, and its cap */
	buf_init(&b, 20);
	assert_int_equal(netstring_encode(&b, "OK secure", 9), 0);
	assert_int_equal(netstring_encode(&b, "", 0), 0);
	assert_string_equal(buf_str(&b), "9:OK secure,0:,");
	assert_int_equal(netstring_encode(&b, "xxxx", 4), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

/* ---- the fake engine ---- */

struct fake {
	size_t calls;
	char last[256]; /* "name|key" of the last request */
};

static void
fake_answer(void *arg, const char *name, size_t nlen, const char *key,
    size_t klen, struct buf *reply)
{
	struct fake *f = arg;
	char *big;

	f->calls++;
	snprintf(f->last, sizeof(f->last), "%.*s|%.*s", (int)nlen, name,
	    (int)klen, key);
	if (klen == 3 && memcmp(key, "max", 3) == 0) {
		/* exactly the limit */
		big = malloc(reply->cap);
		assert_non_null(big);
		memset(big, 'x', reply->cap);
		memcpy(big, "OK ", 3);
		assert_int_equal(buf_append(reply, big, reply->cap), 0);
		free(big);
	} else if (klen == 4 && memcmp(key, "huge", 4) == 0) {
		/* one byte too many: the buf refuses and empties */
		big = malloc(reply->cap + 1);
		assert_non_null(big);
		memset(big, 'x', reply->cap + 1);
		memcpy(big, "OK ", 3);
		assert_int_equal(buf_append(reply, big, reply->cap + 1), -1);
		free(big);
	} else if (klen == 3 && memcmp(key, "bad", 3) == 0) {
		buf_puts(reply, "secure match=.example");
	} else if (klen > 0 && key[0] == '.') {
		buf_puts(reply, "NOTFOUND ");
	} else {
		buf_printf(
		    reply, "OK %.*s/%.*s", (int)nlen, name, (int)klen, key);
	}
}

/* ---- a server and its clients in one thread ---- */

struct env {
	struct event_base *base;
	struct server *s;
	struct server_params p;
	struct fake f;
	char dir[64];
	char path[128];
	int port;
	bool done;
};

static struct env *
env_new(void (*tweak)(struct server_params *))
{
	struct env *e = calloc(1, sizeof(*e));
	char err[256];

	assert_non_null(e);
	e->base = event_base_new();
	assert_non_null(e->base);
	snprintf(e->dir, sizeof(e->dir), "/tmp/policyd-test.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/policyd.sock", e->dir);
	server_params_defaults(&e->p);
	e->p.host = "127.0.0.1";
	e->p.port = 0;
	e->p.reuse_port = true;
	e->p.path = e->path;
	e->p.mode = 0600;
	e->p.idle_timeout = 5;
	e->p.answer = fake_answer;
	e->p.arg = &e->f;
	if (tweak != NULL)
		tweak(&e->p);
	e->s = server_new(e->base, &e->p, err, sizeof(err));
	if (e->s == NULL)
		fail_msg("server_new: %s", err);
	e->port = server_port(e->s);
	assert_true(e->port > 0);
	return e;
}

static void
env_free(struct env *e)
{
	struct stat st;

	server_free(e->s);
	/* the socket file goes with the server */
	assert_int_equal(lstat(e->path, &st), -1);
	rmdir(e->dir);
	event_base_free(e->base);
	free(e);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pump - run the server's loop for about ms milliseconds */
static void
pump(struct env *e, int ms)
{
	int64_t end = now_ms() + ms;

	do {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	} while (now_ms() < end);
}

static int
client_tcp(struct env *e)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)e->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* the kernel completes it into the backlog: no loop needed */
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

static int
client_unix(struct env *e)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, e->path, strlen(e->path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

static void
client_send(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			poll(NULL, 0, 1);
			continue;
		}
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

static void
client_sendz(int fd, const char *s)
{
	client_send(fd, s, strlen(s));
}

/*
 * client_read - pump and read until want bytes arrived (want 0: until
 * EOF); true when the connection was closed (EOF or reset)
 */
static bool
client_read(struct env *e, int fd, struct buf *got, size_t want)
{
	int64_t end = now_ms() + WAIT_MS;
	char tmp[65536];
	ssize_t n;

	while (now_ms() < end) {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		n = recv(fd, tmp, sizeof(tmp), 0);
		if (n > 0) {
			assert_int_equal(buf_append(got, tmp, (size_t)n), 0);
			if (want > 0 && got->len >= want)
				return false;
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		assert_true(errno == EAGAIN);
		poll(NULL, 0, 1);
	}
	fail_msg("client_read: timed out with %zu bytes", got->len);
	return false;
}

/* expect - read exactly the bytes of want, not closed */
static void
expect(struct env *e, int fd, const char *want)
{
	struct buf got;

	buf_init(&got, 1 << 20);
	assert_false(client_read(e, fd, &got, strlen(want)));
	assert_string_equal(buf_str(&got), want);
	buf_release(&got);
}

/* expect_close - read the bytes of want, then EOF */
static void
expect_close(struct env *e, int fd, const char *want)
{
	struct buf got;

	buf_init(&got, 1 << 20);
	assert_true(client_read(e, fd, &got, 0));
	assert_string_equal(buf_str(&got), want);
	buf_release(&got);
}

/* ---- tests ---- */

static void
test_one_request(void **state)
{
	struct env *e = env_new(NULL);
	int fd;

	(void)state;
	fd = client_tcp(e);
	client_sendz(fd, "22:postfix example.com:25,");
	expect(e, fd, "25:OK postfix/example.com:25,");
	assert_string_equal(e->f.last, "postfix|example.com:25");
	/* the same connection goes on */
	client_sendz(fd, "16:postfix .example,");
	expect(e, fd, "9:NOTFOUND ,");
	/* an empty key is the engine's business */
	client_sendz(fd, "2:x ,");
	expect(e, fd, "5:OK x/,");
	close(fd);
	pump(e, 20);
	assert_int_equal(server_stats(e->s)->open, 0);
	assert_int_equal(server_stats(e->s)->connections, 1);
	assert_int_equal(server_stats(e->s)->requests, 3);
	assert_int_equal(server_stats(e->s)->replies[SERVER_STATUS_OK], 2);
	assert_int_equal(
	    server_stats(e->s)->replies[SERVER_STATUS_NOTFOUND], 1);
	env_free(e);
}

static void
test_unix(void **state)
{
	struct env *e = env_new(NULL);
	struct server_params p = e->p;
	struct sockaddr_un sun;
	struct stat st;
	char err[256];
	int fd, lfd;

	(void)state;
	assert_int_equal(lstat(e->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	fd = client_unix(e);
	client_sendz(fd, "5:z a.b,");
	expect(e, fd, "8:OK z/a.b,");
	close(fd);

	/* a live socket is not taken over */
	p.host = NULL;
	assert_null(server_new(e->base, &p, err, sizeof(err)));
	assert_non_null(strstr(err, "in use by another process"));
	env_free(e);

	/* a stale one (nobody listening) is replaced */
	e = env_new(NULL);
	p = e->p;
	server_free(e->s);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, e->path, strlen(e->path));
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(lfd);
	p.host = NULL;
	p.mode = 0666;
	e->s = server_new(e->base, &p, err, sizeof(err));
	if (e->s == NULL)
		fail_msg("%s", err);
	assert_int_equal(lstat(e->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_int_equal(server_port(e->s), -1);
	fd = client_unix(e);
	client_sendz(fd, "5:z a.b,");
	expect(e, fd, "8:OK z/a.b,");
	close(fd);
	server_free(e->s);

	/* a file that is not a socket is left alone */
	lfd = open(e->path, O_CREAT | O_WRONLY, 0600);
	assert_true(lfd >= 0);
	close(lfd);
	e->s = server_new(e->base, &p, err, sizeof(err));
	assert_null(e->s);
	assert_non_null(strstr(err, "exists and is not a socket"));
	assert_int_equal(unlink(e->path), 0);

	/* a TCP port in use without SO_REUSEPORT */
	p.host = "127.0.0.1";
	p.path = NULL;
	p.reuse_port = false;
	e->s = server_new(e->base, &p, err, sizeof(err));
	assert_non_null(e->s);
	p.port = server_port(e->s);
	assert_null(server_new(e->base, &p, err, sizeof(err)));
	assert_non_null(strstr(err, "bind: Address already in use"));
	env_free(e);
}

static void
test_reuse_port(void **state)
{
	struct env *e = env_new(NULL);
	struct server_params p = e->p;
	struct server *twin;
	char err[256];

	(void)state;
	/* with SO_REUSEPORT a second instance shares the port */
	p.path = NULL;
	p.port = e->port;
	twin = server_new(e->base, &p, err, sizeof(err));
	if (twin == NULL)
		fail_msg("%s", err);
	assert_int_equal(server_port(twin), e->port);
	server_free(twin);
	env_free(e);
}

static void
test_pipelined(void **state)
{
	struct env *e = env_new(NULL);
	int fd;

	(void)state;
	fd = client_tcp(e);
	client_sendz(fd, "5:q a.t,5:q b.t,6:q .b.t,5:q c.t,");
	expect(e, fd, "8:OK q/a.t,8:OK q/b.t,9:NOTFOUND ,8:OK q/c.t,");
	close(fd);
	env_free(e);
}

static void
small_queue(struct server_params *p)
{
	p->max_pending = 4;
}

static void
test_pipelined_backpressure(void **state)
{
	struct env *e = env_new(small_queue);
	struct buf req, want;
	int fd, i;

	(void)state;
	buf_init(&req, 1 << 20);
	buf_init(&want, 1 << 20);
	for (i = 0; i < 1000; i++) {
		char k[32];

		snprintf(k, sizeof(k), "n d%d.example", i);
		assert_int_equal(netstring_encode(&req, k, strlen(k)), 0);
		snprintf(k, sizeof(k), "OK n/d%d.example", i);
		assert_int_equal(netstring_encode(&want, k, strlen(k)), 0);
	}
	fd = client_tcp(e);
	client_send(fd, req.data, req.len);
	/* the client reads slowly: the server stops and resumes */
	pump(e, 20);
	expect(e, fd, buf_str(&want));
	assert_int_equal(e->f.calls, 1000);
	close(fd);
	buf_release(&req);
	buf_release(&want);
	env_free(e);
}

static void
test_split(void **state)
{
	struct env *e = env_new(NULL);
	static const char req[] = "21:postfix [relay.t]:587,";
	size_t i;
	int fd;

	(void)state;
	fd = client_unix(e);
	for (i = 0; i < sizeof(req) - 1; i++) {
		client_send(fd, req + i, 1);
		pump(e, 1);
	}
	expect(e, fd, "24:OK postfix/[relay.t]:587,");
	/* and two requests cut across each other */
	client_sendz(fd, "3:a b,3:a");
	pump(e, 5);
	client_sendz(fd, " c,");
	expect(e, fd, "6:OK a/b,6:OK a/c,");
	close(fd);
	env_free(e);
}

static void
test_bad_requests(void **state)
{
	struct env *e = env_new(NULL);
	static const char *const bad[] = {
		"abc", "GET / HTTP/1.0\r\n\r\n",
		"10001:", "99999999999999999999999999:", "01:a,", ":,",
		"3:a b;", "3:abc,", /* no space: not "name key" */
		"2: a,",            /* empty name */
	};
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = client_tcp(e);
		client_sendz(fd, bad[i]);
		expect_close(e, fd, "16:PERM bad request,");
		close(fd);
	}
	/* the replies before the bad one are sent first */
	fd = client_tcp(e);
	client_sendz(fd, "3:a b,3:a c,x3:a d,");
	expect_close(e, fd, "6:OK a/b,6:OK a/c,16:PERM bad request,");
	close(fd);
	/* a request of exactly the limit is fine */
	{
		char *big = malloc(SERVER_MAX_REQUEST + 16);
		int n;

		assert_non_null(big);
		n = snprintf(big, 16, "%d:a ", SERVER_MAX_REQUEST);
		memset(big + n, 'k', SERVER_MAX_REQUEST - 2);
		big[n + SERVER_MAX_REQUEST - 2] = ',';
		fd = client_tcp(e);
		client_send(fd, big, (size_t)n + SERVER_MAX_REQUEST - 1);
		free(big);
		{
			struct buf got;

			buf_init(&got, 1 << 20);
			assert_false(client_read(e, fd, &got, 10010));
			assert_int_equal(got.len, 10010);
			assert_memory_equal(got.data, "10003:OK a/kkk", 14);
			buf_release(&got);
		}
		close(fd);
	}
	pump(e, 20);
	assert_int_equal(
	    server_stats(e->s)->bad_requests, sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(server_stats(e->s)->replies[SERVER_STATUS_PERM],
	    sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(server_stats(e->s)->open, 0);
	env_free(e);
}

static void
test_reply_limits(void **state)
{
	struct env *e = env_new(NULL);
	struct buf got;
	int fd;

	(void)state;
	fd = client_tcp(e);
	client_sendz(fd, "5:z max,");
	buf_init(&got, 1 << 20);
	assert_false(client_read(e, fd, &got, SERVER_MAX_REPLY + 8));
	assert_int_equal(got.len, SERVER_MAX_REPLY + 8);
	assert_memory_equal(got.data, "100000:OK xx", 12);
	assert_int_equal(got.data[got.len - 1], ',');
	buf_release(&got);
	client_sendz(fd, "6:z huge,");
	expect(e, fd, "19:TEMP reply too long,");
	client_sendz(fd, "5:z bad,");
	expect(e, fd, "14:TEMP bad reply,");
	client_sendz(fd, "5:z a.b,");
	expect(e, fd, "8:OK z/a.b,");
	close(fd);
	assert_int_equal(server_stats(e->s)->too_long, 1);
	assert_int_equal(server_stats(e->s)->bad_replies, 1);
	assert_int_equal(server_stats(e->s)->replies[SERVER_STATUS_TEMP], 2);
	env_free(e);
}

#define NCONC 500

static void
test_concurrent(void **state)
{
	struct env *e = env_new(NULL);
	struct rlimit rl;
	static int fds[NCONC];
	struct buf got;
	char req[64], want[64];
	int i;

	(void)state;
	/* 500 clients and 500 server sockets need more than 1024 fds */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 2 * NCONC + 64) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
		if (rl.rlim_cur < 2 * NCONC + 64)
			skip();
	}
	for (i = 0; i < NCONC; i++) {
		fds[i] = i % 2 == 0 ? client_tcp(e) : client_unix(e);
		if (i % 64 == 0)
			pump(e, 1);
	}
	for (i = 0; i < NCONC; i++) {
		char k[32];
		struct buf b;

		snprintf(k, sizeof(k), "c d%d.t", i);
		buf_init(&b, sizeof(req) - 1);
		assert_int_equal(netstring_encode(&b, k, strlen(k)), 0);
		client_send(fds[i], b.data, b.len);
		buf_release(&b);
	}
	for (i = 0; i < NCONC; i++) {
		struct buf b;

		snprintf(req, sizeof(req), "OK c/d%d.t", i);
		buf_init(&b, sizeof(want) - 1);
		assert_int_equal(netstring_encode(&b, req, strlen(req)), 0);
		buf_init(&got, 1024);
		assert_false(client_read(e, fds[i], &got, b.len));
		assert_string_equal(buf_str(&got), buf_str(&b));
		buf_release(&got);
		buf_release(&b);
	}
	assert_int_equal(server_stats(e->s)->open, NCONC);
	for (i = 0; i < NCONC; i++)
		close(fds[i]);
	pump(e, 50);
	assert_int_equal(server_stats(e->s)->open, 0);
	assert_int_equal(server_stats(e->s)->connections, NCONC);
	assert_int_equal(server_stats(e->s)->requests, NCONC);
	env_free(e);
}

static void
test_client_abort(void **state)
{
	struct env *e = env_new(NULL);
	int fd;

	(void)state;
	fd = client_tcp(e);
	client_sendz(fd, "10:abc");
	pump(e, 10);
	close(fd);
	fd = client_unix(e);
	client_sendz(fd, "100:");
	pump(e, 10);
	close(fd);
	pump(e, 20);
	assert_int_equal(server_stats(e->s)->open, 0);
	assert_int_equal(server_stats(e->s)->aborted, 2);
	assert_int_equal(e->f.calls, 0);
	/* a client that stops sending after its request gets its reply */
	fd = client_tcp(e);
	client_sendz(fd, "3:a b,3:a c,");
	shutdown(fd, SHUT_WR);
	expect_close(e, fd, "6:OK a/b,6:OK a/c,");
	close(fd);
	/* and one that leaves without reading its replies costs nothing */
	fd = client_tcp(e);
	client_sendz(fd, "3:a b,3:a c,");
	close(fd);
	pump(e, 20);
	assert_int_equal(server_stats(e->s)->open, 0);
	/* the server still serves */
	fd = client_tcp(e);
	client_sendz(fd, "3:a b,");
	expect(e, fd, "6:OK a/b,");
	close(fd);
	env_free(e);
}

static void
short_idle(struct server_params *p)
{
	p->idle_timeout = 0.2;
}

static void
test_idle_timeout(void **state)
{
	struct env *e = env_new(short_idle);
	int64_t t0;
	int a, b, c;

	(void)state;
	t0 = now_ms();
	a = client_tcp(e);
	b = client_unix(e);
	client_sendz(b, "10:abc");
	c = client_tcp(e);
	client_sendz(c, "3:a b,");
	expect(e, c, "6:OK a/b,");
	expect_close(e, a, "");
	expect_close(e, b, "");
	expect_close(e, c, "");
	assert_true(now_ms() - t0 >= 150);
	assert_true(now_ms() - t0 < 2000);
	close(a);
	close(b);
	close(c);
	assert_int_equal(server_stats(e->s)->idle_timeouts, 3);
	assert_int_equal(server_stats(e->s)->open, 0);
	env_free(e);
}

static void
three_conns(struct server_params *p)
{
	p->max_conns = 3;
}

static void
test_conn_cap(void **state)
{
	struct env *e = env_new(three_conns);
	int fd[4], i;

	(void)state;
	for (i = 0; i < 3; i++)
		fd[i] = client_tcp(e);
	pump(e, 10);
	assert_int_equal(server_stats(e->s)->open, 3);
	fd[3] = client_unix(e);
	expect_close(e, fd[3], "");
	assert_int_equal(server_stats(e->s)->rejected, 1);
	/* the three are served */
	client_sendz(fd[2], "3:a b,");
	expect(e, fd[2], "6:OK a/b,");
	for (i = 0; i < 4; i++)
		close(fd[i]);
	pump(e, 10);
	/* and there is room again */
	fd[0] = client_tcp(e);
	client_sendz(fd[0], "3:a b,");
	expect(e, fd[0], "6:OK a/b,");
	close(fd[0]);
	env_free(e);
}

static void
on_done(void *arg)
{
	struct env *e = arg;

	e->done = true;
	/* freeing from the callback is allowed */
	server_free(e->s);
	e->s = NULL;
}

static bool
connect_refused(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc == -1 && errno == ECONNREFUSED;
}

static void
test_shutdown(void **state)
{
	struct env *e = env_new(NULL);
	struct stat st;
	int idle, partial, busy, late;
	int64_t t0;

	(void)state;
	idle = client_tcp(e);
	partial = client_unix(e);
	client_sendz(partial, "5:a b");
	busy = client_tcp(e);
	client_sendz(busy, "3:a c,");
	late = client_tcp(e);
	pump(e, 10);
	/* busy's request is answered before the shutdown */
	assert_int_equal(server_stats(e->s)->requests, 1);
	assert_int_equal(server_shutdown(e->s, 2.0, on_done, e), 0);
	assert_false(e->done);
	assert_int_equal(server_shutdown(e->s, 2.0, on_done, e), -1);
	/* no more listeners */
	assert_true(connect_refused(e->port));
	assert_int_equal(lstat(e->path, &st), -1);
	/* idle ones close at once; pending replies are still sent */
	expect_close(e, idle, "");
	expect_close(e, busy, "6:OK a/c,");
	expect_close(e, late, "");
	/* a request begun is finished and answered */
	t0 = now_ms();
	client_sendz(partial, ".t,");
	expect_close(e, partial, "8:OK a/b.t,");
	assert_true(now_ms() - t0 < 1000);
	pump(e, 10);
	assert_true(e->done);
	close(idle);
	close(partial);
	close(busy);
	close(late);
	event_base_free(e->base);
	rmdir(e->dir);
	free(e);
}

static void
test_shutdown_deadline(void **state)
{
	struct env *e = env_new(NULL);
	int stuck, fast;
	int64_t t0;

	(void)state;
	stuck = client_tcp(e);
	client_sendz(stuck, "6:a b");
	fast = client_tcp(e);
	pump(e, 10);
	t0 = now_ms();
	assert_int_equal(server_shutdown(e->s, 0.3, on_done, e), 0);
	expect_close(e, fast, "");
	assert_false(e->done);
	/* the stuck one is closed at the deadline */
	expect_close(e, stuck, "");
	assert_true(now_ms() - t0 >= 250);
	pump(e, 10);
	assert_true(e->done);
	close(stuck);
	close(fast);
	event_base_free(e->base);
	rmdir(e->dir);
	free(e);

	/* without connections the callback comes from the loop, soon */
	e = env_new(NULL);
	assert_int_equal(server_shutdown(e->s, 10, on_done, e), 0);
	assert_false(e->done);
	pump(e, 10);
	assert_true(e->done);
	event_base_free(e->base);
	rmdir(e->dir);
	free(e);
}

static int
metrics_write(void *arg, struct buf *out)
{
	struct env *e = arg;

	if (server_metrics(e->s, out) == -1)
		return -1;
	return buf_puts(out, "mxaudit_policyd_engine_test 1\n");
}

/* http - one request to the metrics port; the whole response */
static void
http(struct env *e, int port, const char *req, struct buf *got)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	client_sendz(fd, req);
	assert_true(client_read(e, fd, got, 0));
	close(fd);
}

static void
test_metrics(void **state)
{
	struct env *e = env_new(NULL);
	struct metrics *m;
	struct buf out;
	char err[256], host[64];
	int fd, port;

	(void)state;
	fd = client_tcp(e);
	client_sendz(fd, "3:a b,6:a .b.c,3:a");
	expect(e, fd, "6:OK a/b,9:NOTFOUND ,");
	close(fd);
	fd = client_tcp(e);
	client_sendz(fd, "x");
	expect_close(e, fd, "16:PERM bad request,");
	close(fd);
	pump(e, 10);

	buf_init(&out, 1 << 16);
	assert_int_equal(server_metrics(e->s, &out), 0);
	assert_non_null(strstr(out.data,
	    "# TYPE mxaudit_policyd_connections_total counter\n"
	    "mxaudit_policyd_connections_total 2\n"));
	assert_non_null(strstr(out.data,
	    "# TYPE mxaudit_policyd_connections_open gauge\n"
	    "mxaudit_policyd_connections_open 0\n"));
	assert_non_null(strstr(out.data, "mxaudit_policyd_requests_total 2\n"));
	assert_non_null(
	    strstr(out.data, "mxaudit_policyd_bad_requests_total 1\n"));
	assert_non_null(strstr(out.data, "mxaudit_policyd_aborted_total 1\n"));
	assert_non_null(strstr(
	    out.data, "mxaudit_policyd_replies_total{status=\"ok\"} 1\n"));
	assert_non_null(strstr(out.data,
	    "mxaudit_policyd_replies_total{status=\"notfound\"} 1\n"));
	assert_non_null(strstr(
	    out.data, "mxaudit_policyd_replies_total{status=\"perm\"} 1\n"));
	assert_non_null(strstr(
	    out.data, "mxaudit_policyd_replies_total{status=\"timeout\"} 0\n"));
	buf_release(&out);
	/* a cap too small: -1 */
	buf_init(&out, 100);
	assert_int_equal(server_metrics(e->s, &out), -1);
	buf_release(&out);

	/* the HTTP side */
	assert_int_equal(
	    metrics_split_hostport("127.0.0.1:9100", host, sizeof(host), &port),
	    0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 9100);
	assert_int_equal(
	    metrics_split_hostport("[::1]:0", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(
	    metrics_split_hostport("9100", host, sizeof(host), &port), -1);
	assert_int_equal(
	    metrics_split_hostport(":9100", host, sizeof(host), &port), -1);
	assert_int_equal(
	    metrics_split_hostport("h:99999", host, sizeof(host), &port), -1);
	assert_int_equal(
	    metrics_split_hostport("[::1:1", host, sizeof(host), &port), -1);
	assert_null(metrics_new(
	    e->base, "nowhere", metrics_write, e, err, sizeof(err)));
	m = metrics_new(
	    e->base, "127.0.0.1:0", metrics_write, e, err, sizeof(err));
	if (m == NULL)
		fail_msg("%s", err);
	port = metrics_port(m);
	assert_true(port > 0);

	buf_init(&out, 1 << 20);
	http(e, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 200 OK\r\n", 17);
	assert_non_null(strstr(out.data,
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(out.data, "Connection: close\r\n"));
	assert_non_null(strstr(out.data, "\r\n\r\n# HELP mxaudit_policyd_"));
	assert_non_null(strstr(out.data, "mxaudit_policyd_engine_test 1\n"));
	buf_reset(&out);
	http(e, port, "GET /metrics?x=1 HTTP/1.0\n\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 200 OK\r\n", 17);
	buf_reset(&out);
	http(e, port, "HEAD /metrics HTTP/1.1\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(out.data[out.len - 1], '\n');
	assert_null(strstr(out.data, "# HELP"));
	buf_reset(&out);
	http(e, port, "GET / HTTP/1.1\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 404 Not Found\r\n", 24);
	buf_reset(&out);
	http(e, port, "POST /metrics HTTP/1.1\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 405 ", 13);
	assert_non_null(strstr(out.data, "Allow: GET, HEAD\r\n"));
	buf_reset(&out);
	http(e, port, "hello\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 400 ", 13);
	buf_reset(&out);
	http(e, port, "GET /metrics SMTP/1.0\r\n\r\n", &out);
	assert_memory_equal(out.data, "HTTP/1.1 400 ", 13);
	buf_reset(&out);
	{
		char *big = malloc(METRICS_MAX_HEAD + 64);

		assert_non_null(big);
		memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
		memset(big + 26, 'a', METRICS_MAX_HEAD + 10);
		big[26 + METRICS_MAX_HEAD + 10] = '\0';
		http(e, port, big, &out);
		free(big);
		assert_memory_equal(out.data, "HTTP/1.1 431 ", 13);
	}
	buf_release(&out);
	metrics_free(m);
	env_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstring),
		cmocka_unit_test(test_one_request),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_reuse_port),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_pipelined_backpressure),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_reply_limits),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_client_abort),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_conn_cap),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_shutdown_deadline),
		cmocka_unit_test(test_metrics),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
