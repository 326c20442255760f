/* SPDX-License-Identifier: ISC */
/*
 * sockmap_null - the cheapest socketmap server there is: one thread,
 * epoll, every complete netstring answered "NOTFOUND " at once, no
 * lookup. The ceiling a load generator on the same machine allows.
 *
 * usage: sockmap_null PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXEV 64

int
main(int argc, char **argv)
{
	static const char reply[] = "9:NOTFOUND ,";
	struct epoll_event ev, evs[MAXEV];
	struct sockaddr_in sin;
	int lfd, ep, one = 1, n, i;
	char buf[4096];

	if (argc < 2)
		return 2;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(lfd, 128) != 0) {
		perror("listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, MAXEV, -1);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			ssize_t r;
			char *p, *end;

			if (fd == lfd) {
				int c = accept(lfd, NULL, NULL);

				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				ev.events = EPOLLIN;
				ev.data.fd = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r <= 0) {
				close(fd);
				continue;
			}
			/* one request in flight per connection: one reply per
			 * ',' that ends a netstring */
			for (p = buf, end = buf + r; p < end; p++)
				if (*p == ',' &&
				    send(fd, reply, sizeof(reply) - 1, 0) < 0)
					break;
		}
	}
}
