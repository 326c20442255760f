/* SPDX-License-Identifier: ISC */
/*
 * metrics - a tiny HTTP/1.x responder for Prometheus: GET (or HEAD)
 * /metrics on its own listener answers 200 with the text the write
 * callback produces (Content-Type: text/plain; version=0.0.4); other paths
 * are 404, other methods 405, anything malformed 400. One request per
 * connection ("Connection: close"); the request head is capped at
 * METRICS_MAX_HEAD bytes and METRICS_TIMEOUT seconds, connections at
 * METRICS_MAX_CONNS (beyond, accepted and closed).
 */
#ifndef MX_POLICYD_METRICS_H
#define MX_POLICYD_METRICS_H

#include <stddef.h>

struct buf;
struct event_base;
struct metrics;

#define METRICS_MAX_HEAD  8192               /* request line and headers */
#define METRICS_MAX_BODY  (16 * 1024 * 1024) /* the exposition, bytes */
#define METRICS_MAX_CONNS 64
#define METRICS_TIMEOUT   10.0 /* seconds per connection */

/*
 * metrics_write_fn - append the exposition to out (empty, cap
 * METRICS_MAX_BODY); -1 answers 500. Synchronous.
 */
typedef int (*metrics_write_fn)(void *arg, struct buf *out);

/*
 * metrics_new - listen on hostport ("HOST:PORT" or "[V6]:PORT"; port 0:
 * a free one) and serve fn's text. NULL with a line in err on failure.
 */
struct metrics *metrics_new(struct event_base *base, const char *hostport,
    metrics_write_fn fn, void *arg, char *err, size_t errlen);
/* metrics_port - the port listened on (of the first address), or -1 */
int metrics_port(const struct metrics *m);
/* metrics_free - close the listener and every connection; accepts NULL */
void metrics_free(struct metrics *m);

/*
 * metrics_split_hostport - cut "HOST:PORT" / "[V6]:PORT" into host (a
 * NUL-terminated copy in host, hostlen bytes at most) and *port; -1 when
 * malformed
 */
int metrics_split_hostport(
    const char *hostport, char *host, size_t hostlen, int *port);

#endif
