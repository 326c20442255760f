/* SPDX-License-Identifier: ISC */
/*
 * server - the policy daemon's socketmap server (Postfix socketmap_table(5),
 * as postfix-mta-sts-resolver speaks it) on a libevent event_base.
 *
 * Each request is one netstring "<name> <key>"; each reply one netstring
 * "OK <data>", "NOTFOUND ", "TEMP <reason>", "TIMEOUT <reason>" or
 * "PERM <reason>". The answer comes from a synchronous callback (the
 * engine never blocks on this path), so requests on a connection are
 * answered in order as they arrive; pipelining is allowed, with at most
 * max_pending replies waiting to be sent before the server stops reading
 * from that client.
 *
 * Limits: a request of more than max_request bytes (Postfix's
 * socketmap_max_query_size, 10,000), or a malformed one, is answered
 * "PERM bad request" and the connection closed once the replies before
 * it are sent. A reply longer than max_reply (Postfix's
 * socketmap_max_reply_size, 100,000) is sent as "TEMP reply too long".
 * A connection silent for idle_timeout, or whose replies do not drain
 * for that long, is closed. Beyond max_conns, new connections are
 * accepted and closed at once (Postfix then defers, and retries).
 *
 * Writing to a socket that the client has closed raises SIGPIPE: the
 * program must ignore it (signal(SIGPIPE, SIG_IGN)).
 */
#ifndef MX_POLICYD_SERVER_H
#define MX_POLICYD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct event_base;
struct server;

#define SERVER_MAX_REQUEST  10000  /* bytes, netstring framing excluded */
#define SERVER_MAX_REPLY    100000 /* bytes, netstring framing excluded */
#define SERVER_MAX_PENDING  128    /* replies queued per connection */
#define SERVER_MAX_CONNS    4096
#define SERVER_IDLE_TIMEOUT 60.0 /* seconds */
#define SERVER_BACKLOG      1024
#define SERVER_MAX_LISTEN   16 /* TCP listeners (addresses of host) */

/*
 * policyd_answer_fn - write the reply to the request "name key" into
 * reply (empty, cap max_reply), without framing. Synchronous and
 * non-blocking; name and key are borrowed for the call and may hold any
 * bytes. It must not call server_shutdown() or server_free(). A reply
 * that is empty (what struct buf leaves after an append past its cap) or
 * longer than max_reply is sent as "TEMP reply too long"; one that does
 * not start with a socketmap status word as "TEMP bad reply".
 */
typedef void (*policyd_answer_fn)(void *arg, const char *name, size_t nlen,
    const char *key, size_t klen, struct buf *reply);

/* server_done_cb - the graceful shutdown has finished */
typedef void (*server_done_cb)(void *arg);

struct server_params {
	const char *host;    /* borrowed: TCP address or name, NULL: none */
	int port;            /* 0: a free port (server_port tells which) */
	bool reuse_port;     /* SO_REUSEPORT on the TCP sockets */
	const char *path;    /* borrowed: UNIX socket path, NULL: none */
	int mode;            /* chmod of the UNIX socket, -1: umask's */
	double idle_timeout; /* seconds */
	size_t max_conns;    /* open connections */
	size_t max_pending;  /* replies queued per connection, >= 1 */
	size_t max_request;  /* request bytes, <= NETSTRING_MAX_LIMIT */
	size_t max_reply;    /* reply bytes */
	int backlog;         /* listen(2) */
	policyd_answer_fn answer;
	void *arg; /* borrowed: for answer */
};

/* replies by their status word */
enum server_status {
	SERVER_STATUS_OK,
	SERVER_STATUS_NOTFOUND,
	SERVER_STATUS_TEMP,
	SERVER_STATUS_TIMEOUT,
	SERVER_STATUS_PERM,
	SERVER_STATUS_MAX
};

struct server_stats {
	uint64_t connections; /* accepted and served */
	uint64_t rejected;    /* accepted and closed: over max_conns */
	uint64_t open;        /* connections open now */
	uint64_t requests;    /* well-framed requests */
	uint64_t replies[SERVER_STATUS_MAX]; /* sent, by status */
	uint64_t bad_requests;               /* answered PERM bad request */
	uint64_t too_long;      /* answers replaced by TEMP reply too long */
	uint64_t bad_replies;   /* answers replaced by TEMP bad reply */
	uint64_t idle_timeouts; /* connections closed for inactivity */
	uint64_t aborted;       /* clients gone in the middle of a request */
};

/* server_params_defaults - the limits above, no listener, no callback */
void server_params_defaults(struct server_params *p);

/*
 * server_new - bind the listeners of p (TCP on every address of host, and
 * the UNIX socket, whose stale file is removed: a live socket or another
 * kind of file there is an error) and start accepting on base. NULL on
 * failure, with a line such as "127.0.0.1:8461: bind: Address already in
 * use" in err. p's strings are copied.
 */
struct server *server_new(struct event_base *base,
    const struct server_params *p, char *err, size_t errlen);

/* server_port - the port of the first TCP listener, or -1 */
int server_port(const struct server *s);

/*
 * server_shutdown - stop accepting (listeners closed, the UNIX socket file
 * removed), close idle connections, and let the others finish: a request
 * already begun or received is answered, then the connection is closed once
 * its replies are sent. After timeout seconds the rest are closed. cb fires
 * once when no connection is left, never from inside this call. -1 (cb
 * never fires) when a shutdown is already under way.
 */
int server_shutdown(
    struct server *s, double timeout, server_done_cb cb, void *arg);

/*
 * server_free - close everything at once (no callback fires afterwards)
 * and free. Accepts NULL. May be called from the shutdown callback.
 */
void server_free(struct server *s);

/* server_stats - the counters (borrowed, live) */
const struct server_stats *server_stats(const struct server *s);

/*
 * server_metrics - append the counters to out in the Prometheus text
 * exposition format (version 0.0.4), metric names mxaudit_policyd_*;
 * -1 when out's cap is passed
 */
int server_metrics(const struct server *s, struct buf *out);

/* server_status_name - "ok", "notfound", "temp", "timeout", "perm" */
const char *server_status_name(enum server_status st);

/*
 * server_listen_tcp - listening sockets (non-blocking, close-on-exec) on
 * every address of host at port: up to max of them into fds, their number
 * in *n. With port 0 the first socket's port is used for the others. -1
 * with a line in err (no socket left open).
 */
int server_listen_tcp(const char *host, int port, bool reuse_port, int backlog,
    int *fds, size_t max, size_t *n, char *err, size_t errlen);

#endif
