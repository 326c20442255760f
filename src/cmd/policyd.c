/* SPDX-License-Identifier: ISC */
/*
 * policyd - `mxaudit policyd`, the Postfix smtp_tls_policy_maps daemon
 * (socketmap), and `mxaudit query`, what it would answer and why.
 *
 * The main only wires the pieces: the configuration (postfix-mta-sts-
 * resolver's YAML, proto/policyd_config), the resolver and the HTTPS
 * client, the policy engine (policyd/engine: answers from memory, does the
 * lookups in the background), the socketmap server (policyd/server) and
 * the metrics listener. Signals: SIGTERM/SIGINT shut down gracefully
 * (replies in progress are sent), SIGHUP reloads the configuration (a
 * new engine over the same cache file; the listeners stay), SIGUSR1 writes
 * the cache to standard error.
 */
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "net/dns.h"
#include "net/https.h"
#include "policyd/engine.h"
#include "policyd/metrics.h"
#include "policyd/server.h"
#include "proto/policyd_config.h"
#include "util/log.h"
#include "util/xalloc.h"

#define POLICYD_DEFAULT_CONFIG "/etc/mta-sts-daemon.yml"
/* descriptors kept from connections: the resolver's 256 sockets
 * (policyd_net), the policy fetches, listeners, metrics, the database */
#define POLICYD_FD_RESERVE     512

static const char policyd_usage[] =
    "usage: mxaudit policyd [-c FILE] [options]\n"
    "       mxaudit policyd dump|purge [DOMAIN] [-c FILE]\n"
    "       mxaudit query [-c FILE] [--zone NAME] DOMAIN\n"
    "\n"
    "A Postfix smtp_tls_policy_maps daemon (socketmap) that enforces MTA-STS\n"
    "(RFC 8461) and defers to DANE; postfix-mta-sts-resolver's\n"
    "mta-sts-daemon.yml works unchanged (docs/policyd.md). In main.cf:\n"
    "  smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix\n"
    "\n"
    "options:\n"
    "  -c, --config FILE      configuration (default " POLICYD_DEFAULT_CONFIG
    ";\n"
    "                         missing: every default)\n"
    "  --check-config         load the configuration, report, exit\n"
    "  --resolver ADDR[@PORT] forward DNS queries here (config: resolver)\n"
    "  --trust-anchor FILE    DNSSEC trust anchor (config: trust_anchor)\n"
    "  --ca-file FILE         PEM trust anchors for policy hosts (ca_file)\n"
    "  --zone NAME            query: the socketmap name (default postfix)\n"
    "  -u, --user USER        drop to this user after binding\n"
    "  -g, --group GROUP      and this group\n"
    "  -v, --verbose          one log line per decision (twice: debug)\n"
    "  -h, --help             this help\n";

struct policyd {
	struct event_base *base;
	const char *path; /* borrowed: the configuration file */
	struct policyd_config cfg;
	struct dns *dns;
	struct https *https;
	struct policy_engine *engine; /* owned: the current one */
	struct server *server;
	struct metrics *metrics;
	struct event *sigterm, *sigint, *sighup, *sigusr1;
	bool stopping;
};

static void
policyd_on_warn(void *arg, const char *msg)
{
	log_warnx("%s: %s", (const char *)arg, msg);
}

/* policyd_load - the configuration file over the defaults; -1 on error */
static int
policyd_load(const char *path, struct policyd_config *c, bool must_exist)
{
	struct perr err;
	FILE *fp;
	char *text;
	size_t len, cap = 1 << 20;
	int rc;

	policyd_config_defaults(c);
	if ((fp = fopen(path, "r")) == NULL) {
		if (!must_exist)
			return 0;
		log_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	text = xmalloc(cap + 1);
	len = fread(text, 1, cap + 1, fp);
	fclose(fp);
	if (len > cap) {
		log_warnx("%s: larger than 1 MiB", path);
		free(text);
		return -1;
	}
	memset(&err, 0, sizeof(err));
	rc = policyd_config_parse(
	    text, len, c, &err, policyd_on_warn, (void *)path);
	if (rc != 0)
		log_warnx("%s: byte %zu: %s", path, err.off,
		    err.msg != NULL ? err.msg : "invalid");
	free(text);
	return rc;
}

static void
policyd_answer(void *arg, const char *name, size_t nlen, const char *key,
    size_t klen, struct buf *reply)
{
	struct policyd *d = arg;

	policy_engine_answer(d->engine, name, nlen, key, klen, reply);
	if (log_enabled(LOG_LEVEL_INFO))
		log_info("%.*s %.*s -> %s", (int)(nlen > 64 ? 64 : nlen), name,
		    (int)(klen > 256 ? 256 : klen), key, buf_str(reply));
}

static int
policyd_metrics(void *arg, struct buf *out)
{
	struct policyd *d = arg;
	struct policy_engine_stats st;

	if (server_metrics(d->server, out) != 0)
		return -1;
	policy_engine_stats(d->engine, &st);
	return policy_engine_metrics(&st, out);
}

/* policyd_engine - an engine over d->cfg */
static struct policy_engine *
policyd_engine(struct policyd *d, const struct policyd_config *cfg)
{
	struct policy_engine_config ec;
	struct policy_engine *e;
	char *err = NULL;

	memset(&ec, 0, sizeof(ec));
	ec.cfg = cfg;
	ec.base = d->base;
	ec.dns = d->dns;
	ec.https = d->https;
	if ((e = policy_engine_new(&ec, &err)) == NULL) {
		log_warnx("cache: %s", err != NULL ? err : "cannot open");
		free(err);
	}
	return e;
}

static void
policyd_on_prime(void *arg, const struct dns_reply *reply)
{
	(void)arg;
	log_debug("resolver primed: %s", dns_status_name(reply->status));
}

/* policyd_net - the resolver and the HTTPS client of cfg */
static void
policyd_net(struct policyd *d)
{
	struct dns_config dc;
	struct https_config hc;
	char *err = NULL;

	memset(&dc, 0, sizeof(dc));
	dc.resolver = d->cfg.resolver;
	dc.trust_anchor = d->cfg.trust_anchor;
	dc.timeout = d->cfg.default_zone.timeout;
	/*
	 * The daemon keeps what it learns in its own cache, with the TTLs
	 * that matter: the resolver's only has to serve the fetches under
	 * way, so it need not grow to a scan's size (RSS, bench/RESULTS.md).
	 */
	dc.inflight = 256;
	dc.cache_bytes = 512 * 1024;
	if ((d->dns = dns_new(d->base, &dc, &err)) == NULL)
		log_fatalx("%s", err);
	/*
	 * libunbound sets itself up (trust anchor, sockets) at its first
	 * query: let that be now, not on the time of a Postfix request.
	 */
	(void)dns_query(d->dns, ".", DNS_TYPE_NS, policyd_on_prime, NULL);
	memset(&hc, 0, sizeof(hc));
	hc.ca_file = d->cfg.ca_file;
	hc.user_agent = "mxaudit policyd";
	if ((d->https = https_new(d->base, &hc, &err)) == NULL)
		log_fatalx("%s", err);
}

static void
policyd_on_down(void *arg)
{
	struct policyd *d = arg;

	event_base_loopexit(d->base, NULL);
}

static void
policyd_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct policyd *d = arg;
	struct policyd_config next;
	struct policy_engine *e;

	(void)what;
	if (sig == SIGUSR1) {
		policy_engine_dump(d->engine, stderr);
		return;
	}
	if (sig == SIGHUP) {
		/* a new engine over the new zones; the cache file is reread */
		if (policyd_load(d->path, &next, false) != 0) {
			log_warnx("reload: keeping the old configuration");
			policyd_config_release(&next);
			return;
		}
		policy_engine_flush(d->engine);
		if ((e = policyd_engine(d, &next)) == NULL) {
			policyd_config_release(&next);
			return;
		}
		policy_engine_free(d->engine);
		policyd_config_release(&d->cfg);
		d->cfg = next;
		d->engine = e;
		log_warnx("reloaded %s", d->path);
		return;
	}
	if (d->stopping) {
		event_base_loopexit(d->base, NULL); /* a second signal: now */
		return;
	}
	d->stopping = true;
	log_warnx("shutting down");
	if (server_shutdown(
	        d->server, d->cfg.shutdown_timeout, policyd_on_down, d) != 0)
		event_base_loopexit(d->base, NULL);
}

/* policyd_drop - -u/-g after binding, as mta-sts-daemon offers */
static void
policyd_drop(const char *user, const char *group)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL;

	if (user == NULL && group == NULL)
		return;
	if (user != NULL && (pw = getpwnam(user)) == NULL)
		log_fatalx("-u %s: no such user", user);
	if (group != NULL && (gr = getgrnam(group)) == NULL)
		log_fatalx("-g %s: no such group", group);
	if (gr != NULL || pw != NULL) {
		gid_t gid = gr != NULL ? gr->gr_gid : pw->pw_gid;

		if (setgroups(1, &gid) != 0 || setgid(gid) != 0)
			log_fatal("setgid");
	}
	if (pw != NULL && setuid(pw->pw_uid) != 0)
		log_fatal("setuid");
}

/* policyd_notify - tell systemd (Type=notify) we are ready */
static void
policyd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len =
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sun, len);
	close(fd);
}

static void
policyd_free(struct policyd *d)
{
	if (d->sigterm != NULL) {
		event_free(d->sigterm);
		event_free(d->sigint);
		event_free(d->sighup);
		event_free(d->sigusr1);
	}
	metrics_free(d->metrics);
	server_free(d->server);
	policy_engine_free(d->engine);
	https_free(d->https);
	dns_free(d->dns);
	policyd_config_release(&d->cfg);
	if (d->base != NULL)
		event_base_free(d->base);
}

/*
 * policyd_nofile - raise the descriptor limit to its hard limit (systemd
 * starts services at a soft 1024), and keep the connection cap below it
 * with room for the resolver's sockets, the policy fetches and the
 * database: past the limit, accept() fails, new clients wait in the
 * listen queue, and lookups cannot open sockets.
 */
static void
policyd_nofile(struct server_params *p)
{
	const rlim_t reserve = POLICYD_FD_RESERVE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 ||
		    getrlimit(RLIMIT_NOFILE, &rl) != 0)
			return;
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= (rlim_t)p->max_conns + reserve)
		return;
	p->max_conns = rl.rlim_cur > 2 * reserve
	    ? (size_t)(rl.rlim_cur - reserve)
	    : (size_t)(rl.rlim_cur / 2);
	log_warnx("%zu connections at most: %llu descriptors (RLIMIT_NOFILE), "
	          "%llu kept for lookups",
	    p->max_conns, (unsigned long long)rl.rlim_cur,
	    (unsigned long long)(rl.rlim_cur - p->max_conns));
}

/* policyd_serve - the daemon: bind, drop privileges, answer until told */
static int
policyd_serve(struct policyd *d, const char *user, const char *group)
{
	struct server_params p;
	char err[256];

	server_params_defaults(&p);
	if (d->cfg.path != NULL) {
		p.path = d->cfg.path;
		p.mode = d->cfg.mode;
	} else {
		p.host = d->cfg.host;
		p.port = d->cfg.port;
		p.reuse_port = d->cfg.reuse_port;
	}
	p.answer = policyd_answer;
	p.arg = d;
	policyd_nofile(&p);
	if ((d->server = server_new(d->base, &p, err, sizeof(err))) == NULL)
		log_fatalx("%s", err);
	if (d->cfg.metrics != NULL &&
	    (d->metrics = metrics_new(d->base, d->cfg.metrics, policyd_metrics,
	         d, err, sizeof(err))) == NULL)
		log_fatalx("metrics %s: %s", d->cfg.metrics, err);
	policyd_drop(user, group);
	policyd_net(d);
	if ((d->engine = policyd_engine(d, &d->cfg)) == NULL)
		return EXIT_USAGE;
	d->sigterm = evsignal_new(d->base, SIGTERM, policyd_on_signal, d);
	d->sigint = evsignal_new(d->base, SIGINT, policyd_on_signal, d);
	d->sighup = evsignal_new(d->base, SIGHUP, policyd_on_signal, d);
	d->sigusr1 = evsignal_new(d->base, SIGUSR1, policyd_on_signal, d);
	evsignal_add(d->sigterm, NULL);
	evsignal_add(d->sigint, NULL);
	evsignal_add(d->sighup, NULL);
	evsignal_add(d->sigusr1, NULL);
	log_warnx("answering on %s%s%s", d->cfg.path != NULL ? d->cfg.path : "",
	    d->cfg.path != NULL ? "" : d->cfg.host,
	    d->cfg.path != NULL ? "" : "");
	policyd_notify("READY=1");
	event_base_dispatch(d->base);
	policyd_notify("STOPPING=1");
	return EXIT_CLEAN;
}

int
cmd_policyd(int argc, char **argv)
{
	enum {
		OPT_CHECK = 256,
		OPT_RESOLVER,
		OPT_TRUST_ANCHOR,
		OPT_CA_FILE,
		OPT_ZONE,
	};
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "resolver", required_argument, NULL, OPT_RESOLVER },
		{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "zone", required_argument, NULL, OPT_ZONE },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policyd d;
	const char *user = NULL, *group = NULL, *zone = "postfix";
	const char *resolver = NULL, *anchor = NULL, *ca = NULL;
	bool check = false, query = strcmp(argv[0], "query") == 0;
	bool explicit_cfg = false;
	int ch, verbose = 0, rc;

	memset(&d, 0, sizeof(d));
	d.path = POLICYD_DEFAULT_CONFIG;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:u:g:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.path = optarg;
			explicit_cfg = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_RESOLVER:
			resolver = optarg;
			break;
		case OPT_TRUST_ANCHOR:
			anchor = optarg;
			break;
		case OPT_CA_FILE:
			ca = optarg;
			break;
		case OPT_ZONE:
			zone = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(policyd_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs(policyd_usage, stderr);
			return EXIT_USAGE;
		}
	}
	log_set_level(verbose >= 2 ? LOG_LEVEL_DEBUG
	        : verbose == 1     ? LOG_LEVEL_INFO
	                           : LOG_LEVEL_WARN);
	if (policyd_load(d.path, &d.cfg, explicit_cfg) != 0)
		return EXIT_USAGE;
	if (check) {
		printf("%s: ok (%s, %zu zones, cache %s)\n", d.path,
		    d.cfg.path != NULL ? d.cfg.path : d.cfg.host, d.cfg.nzones,
		    d.cfg.cache_type);
		policyd_config_release(&d.cfg);
		return EXIT_CLEAN;
	}
	/* the command line over the file */
	if (resolver != NULL) {
		free(d.cfg.resolver);
		d.cfg.resolver = xstrdup(resolver);
	}
	if (anchor != NULL) {
		free(d.cfg.trust_anchor);
		d.cfg.trust_anchor = xstrdup(anchor);
	}
	if (ca != NULL) {
		free(d.cfg.ca_file);
		d.cfg.ca_file = xstrdup(ca);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((d.base = event_base_new()) == NULL)
		log_fatalx("libevent: cannot create the event loop");
	if (query ||
	    (optind < argc &&
	        (strcmp(argv[optind], "dump") == 0 ||
	            strcmp(argv[optind], "purge") == 0))) {
		struct policy_engine_config ec;
		char *err = NULL;

		if (query && optind + 1 != argc) {
			fputs(policyd_usage, stderr);
			policyd_free(&d);
			return EXIT_USAGE;
		}
		if (query)
			policyd_net(&d);
		if (query && d.cfg.cache_file != NULL &&
		    access(d.cfg.cache_file, R_OK) != 0) {
			/* no daemon's cache to read: a query of its own */
			free(d.cfg.cache_type);
			d.cfg.cache_type = xstrdup("internal");
		}
		memset(&ec, 0, sizeof(ec));
		ec.cfg = &d.cfg;
		ec.base = d.base;
		ec.dns = d.dns;
		ec.https = d.https;
		ec.read_only = query;
		if ((d.engine = policy_engine_new(&ec, &err)) == NULL)
			log_fatalx(
			    "cache: %s", err != NULL ? err : "cannot open");
		if (query) {
			rc = policy_engine_query(
			    d.engine, zone, argv[optind], stdout);
			rc = rc == 0  ? EXIT_CLEAN
			    : rc == 1 ? EXIT_FINDINGS
			              : EXIT_USAGE;
		} else if (strcmp(argv[optind], "dump") == 0) {
			policy_engine_dump(d.engine, stdout);
			rc = EXIT_CLEAN;
		} else {
			printf("%zu forgotten\n",
			    policy_engine_purge(d.engine,
			        optind + 1 < argc ? argv[optind + 1] : NULL));
			rc = policy_engine_flush(d.engine) == 0 ? EXIT_CLEAN
			                                        : EXIT_USAGE;
		}
		policyd_free(&d);
		return rc;
	}
	if (optind != argc) {
		fputs(policyd_usage, stderr);
		policyd_free(&d);
		return EXIT_USAGE;
	}
	rc = policyd_serve(&d, user, group);
	policyd_free(&d);
	return rc;
}
