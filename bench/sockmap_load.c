/* SPDX-License-Identifier: ISC */
/*
 * sockmap_load - a socketmap load generator shaped like Postfix: C
 * connections, each with one request in flight at a time (an smtp(8)
 * process asks, waits, asks again), keys taken round-robin from a file.
 * Prints requests/second and the latency percentiles of the answers.
 *
 * usage: sockmap_load HOST PORT CONNECTIONS SECONDS KEYFILE [NAME]
 *        (HOST unix:PATH, PORT ignored: a UNIX-domain socket)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 1024
#define MAXKEYS 100000
#define BUFSZ   65536

struct conn {
	int fd;
	char out[1100];
	size_t outlen, outoff;
	char in[BUFSZ];
	size_t inlen;
	double sent;
};

static char *keys[MAXKEYS];
static size_t nkeys, nextkey;
static double *lat;
static size_t nlat, latcap;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
request(struct conn *c, const char *name)
{
	const char *k = keys[nextkey++ % nkeys];
	int n = snprintf(c->out + 16, sizeof(c->out) - 16, "%s %s", name, k);
	int h = snprintf(c->out, 16, "%d:", n);

	memmove(c->out + h, c->out + 16, (size_t)n);
	c->out[h + n] = ',';
	c->outlen = (size_t)(h + n + 1);
	c->outoff = 0;
	c->sent = now();
}

/* complete - a whole netstring reply sits in c->in: consume it */
static int
complete(struct conn *c)
{
	char *colon = memchr(c->in, ':', c->inlen);
	size_t len, total;

	if (colon == NULL)
		return 0;
	len = strtoul(c->in, NULL, 10);
	total = (size_t)(colon - c->in) + 1 + len + 1;
	if (c->inlen < total)
		return 0;
	memmove(c->in, c->in + total, c->inlen - total);
	c->inlen -= total;
	return 1;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct conn conns[MAXCONN];
	struct pollfd pfd[MAXCONN];
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	const char *name = argc > 6 ? argv[6] : "postfix";
	int unixpath = argc > 1 && strncmp(argv[1], "unix:", 5) == 0;
	char line[1024];
	double t0, t1, secs;
	int nc, i, one = 1;
	FILE *fp;

	if (argc < 6) {
		fprintf(stderr,
		    "usage: sockmap_load HOST PORT CONNECTIONS "
		    "SECONDS KEYFILE [NAME]\n");
		return 2;
	}
	nc = (int)strtol(argv[3], NULL, 10);
	secs = strtod(argv[4], NULL);
	if (nc < 1 || nc > MAXCONN || (fp = fopen(argv[5], "r")) == NULL)
		return 2;
	while (nkeys < MAXKEYS && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			keys[nkeys++] = strdup(line);
	}
	fclose(fp);
	if (nkeys == 0)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)strtol(argv[2], NULL, 10));
	inet_pton(AF_INET, argv[1], &sin.sin_addr);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (unixpath)
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1] + 5);
	for (i = 0; i < nc; i++) {
		conns[i].fd =
		    socket(unixpath ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
		if (connect(conns[i].fd,
		        unixpath ? (struct sockaddr *)&sun
		                 : (struct sockaddr *)&sin,
		        unixpath ? sizeof(sun) : sizeof(sin)) != 0) {
			perror("connect");
			return 1;
		}
		if (!unixpath)
			setsockopt(conns[i].fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
		request(&conns[i], name);
	}
	t0 = now();
	t1 = t0 + secs;
	while (now() < t1) {
		for (i = 0; i < nc; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = conns[i].outoff < conns[i].outlen
			    ? POLLOUT
			    : POLLIN;
		}
		if (poll(pfd, (nfds_t)nc, 100) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < nc; i++) {
			struct conn *c = &conns[i];
			ssize_t n;

			if (pfd[i].revents & POLLOUT) {
				n = write(c->fd, c->out + c->outoff,
				    c->outlen - c->outoff);
				if (n > 0)
					c->outoff += (size_t)n;
			} else if (pfd[i].revents & (POLLIN | POLLHUP)) {
				n = read(c->fd, c->in + c->inlen,
				    sizeof(c->in) - c->inlen);
				if (n <= 0) {
					fprintf(stderr, "connection closed\n");
					return 1;
				}
				c->inlen += (size_t)n;
				if (complete(c)) {
					if (nlat == latcap) {
						latcap = latcap ? latcap * 2
						                : 1 << 16;
						lat = realloc(
						    lat, latcap * sizeof(*lat));
					}
					lat[nlat++] = now() - c->sent;
					request(c, name);
					/* as Postfix does: ask again at once,
					 * not after another poll */
					n = write(c->fd, c->out, c->outlen);
					if (n > 0)
						c->outoff = (size_t)n;
				}
			}
		}
	}
	t1 = now();
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("connections %d requests %zu seconds %.2f rate %.0f/s "
	       "p50 %.3f ms p99 %.3f ms max %.3f ms\n",
	    nc, nlat, t1 - t0, (double)nlat / (t1 - t0),
	    nlat ? lat[nlat / 2] * 1000 : 0,
	    nlat ? lat[nlat * 99 / 100] * 1000 : 0,
	    nlat ? lat[nlat - 1] * 1000 : 0);
	return 0;
}
