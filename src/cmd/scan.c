/* SPDX-License-Identifier: ISC */
/*
 * scan - "mxaudit scan": options, the engine, checks, output.
 */
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include <unistd.h>

#include "check/check.h"
#include "cmd/cmd.h"
#include "cmd/hwriter.h"
#include "cmd/input.h"
#include "probe/scan.h"
#include "proto/domain.h"
#include "report/json.h"
#include "proto/orgdomain.h"
#include "report/csv.h"
#include "report/csv_pshtt.h"
#include "report/hsts_preload.h"
#include "report/text.h"
#include "store/store.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/xalloc.h"

enum scan_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_JSONL, FORMAT_CSV };

struct scan_cmd {
	enum scan_format format;
	struct input *in; /* borrowed: the domains */
	bool progress;    /* a progress line on stderr (a TTY) */
	size_t total;     /* domains expected, 0 when unknown */
	size_t done, errors;
	struct timeval t0, last;
	struct hsts_preload *preload; /* owned: --hsts-preload-list, or NULL */
	struct orgdomain *psl;        /* owned, with the preload list */
	struct store *store;          /* owned: the history, or NULL */
	struct hwriter *writer;       /* owned: its writer thread */
	int64_t run;                  /* this scan's run in it */
	bool pshtt; /* CSV: pshtt's columns (--checks web), else trustymail's */
	unsigned json_flags;
	unsigned text_flags;
	int worst; /* highest severity seen, -1 for none */
	struct report_text_summary summary;
};

static const char scan_usage[] =
    "usage: mxaudit scan [options] [DOMAIN...] [--input FILE|-]\n"
    "\n"
    "Find each domain's mail exchangers and test every address: SMTP banner,\n"
    "EHLO, STARTTLS, the TLS handshake and the certificate.\n"
    "\n"
    "options:\n"
    "  --format text|json|jsonl|csv  output format (default text; json: one\n"
    "                         document per domain, docs/scan-result.schema.json;\n"
    "                         jsonl: the same, one line each, as each finishes;\n"
    "                         csv: trustymail's 33 columns, docs/bod1801.md;\n"
    "                         with --checks web, pshtt's 37, docs/pshtt.md)\n"
    "  --checks mail,web|all  what to audit (default mail: MX, SMTP, TLS,\n"
    "                         MTA-STS, DANE, SPF, DMARC, TLS-RPT; web: HTTP and\n"
    "                         HTTPS of the domain and www, HSTS, port 443's TLS)\n"
    "  --hsts-preload-list FILE  a local copy of Chromium's HSTS preload list\n"
    "                         (transport_security_state_static.json)\n"
    "  --input FILE           read domains from FILE too (- for stdin): one per\n"
    "                         line, # comments, or CSV with a domain column\n"
    "  --shard K/N            scan only the K-th of N parts of the input\n"
    "                         (0 <= K < N; by a hash of the domain)\n"
    "  --db FILE              the history database (default\n"
    "                         ~/.local/share/mxaudit/mxaudit.db)\n"
    "  --no-db                keep no history of this scan\n"
    "  --transcript           include each SMTP conversation, timestamped\n"
    "  --ciphers              list every cipher suite each protocol version\n"
    "                         accepts, in the server's order\n"
    "  --no-tls-probes        skip the protocol and weak-cipher probes (SSLv2,\n"
    "                         SSLv3, TLS 1.0/1.1, RC4, 3DES, EXPORT, NULL, anon)\n"
    "  --resolver ADDR[@PORT] forward DNS queries to this server instead of\n"
    "                         recursing from the root\n"
    "  --trust-anchor FILE    DNSSEC trust anchor(s) replacing the root's\n"
    "                         (default /usr/share/dns/root.key)\n"
    "  --root-hints FILE      root servers for full recursion\n"
    "  --ca-file FILE         PEM trust anchors replacing the system store\n"
    "  --timeout SECONDS      deadline of each stage and DNS query (default 10)\n"
    "  --domain-timeout SECONDS  deadline of a whole domain (default 120)\n"
    "  --concurrency N        domains in flight (default 100)\n"
    "  --per-ip N             connections at once to one address (default 2)\n"
    "  --per-ip-rate R        new connections per second to one address\n"
    "                         (SMTP sessions and TLS probes; default: no limit)\n"
    "  --port N               SMTP port (default 25; 587 uses STARTTLS, 465\n"
    "                         implicit TLS; 443: the TLS handshake and probes\n"
    "                         only, no SMTP)\n"
    "  --implicit-tls         TLS from the first byte, on any --port\n"
    "  --ehlo-name NAME       name sent in EHLO (default: this host's name)\n"
    "  --color auto|always|never  colour in text output (default auto: on a TTY)\n"
    "  -v, --verbose          log progress on stderr (twice: debug; three\n"
    "                         times and more: libunbound's own log too)\n"
    "  -h, --help             this help\n"
    "\n"
    "exit status: 0 no error finding, 1 an error finding, 2 usage or\n"
    "operational error\n";

/* scan_cmd_checks - --checks mail,web | all */
static void
scan_cmd_checks(const char *arg, struct scan_config *cfg)
{
	const char *p = arg, *end;
	size_t n;

	cfg->mail = cfg->web = false;
	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 4 && strncmp(p, "mail", 4) == 0)
			cfg->mail = true;
		else if (n == 3 && strncmp(p, "web", 3) == 0)
			cfg->web = true;
		else if (n == 3 && strncmp(p, "all", 3) == 0)
			cfg->mail = cfg->web = true;
		else
			log_fatalx(
			    "--checks: mail, web or all, not %.*s", (int)n, p);
		if (end == NULL)
			break;
		p = end + 1;
	}
}

/*
 * scan_cmd_preload - the domain, and its organizational domain, on the
 * local copy of the HSTS preload list
 */
static void
scan_cmd_preload(struct scan_cmd *c, struct domain_result *r)
{
	struct hsts_preload_hit hit;
	char base[DOMAIN_MAX + 1];

	if (c->preload == NULL || !r->web.ran)
		return;
	r->web.preload_list = true;
	if (hsts_preload_lookup(
	        c->preload, r->domain, strlen(r->domain), &hit)) {
		r->web.preloaded = hit.preloaded;
		r->web.preloaded_via_parent = hit.preloaded && hit.via_ancestor;
	}
	if (orgdomain_get(c->psl, r->domain, base, sizeof(base)) == 0 &&
	    hsts_preload_lookup(c->preload, base, strlen(base), &hit))
		r->web.base_preloaded = hit.preloaded;
}

/* scan_cmd_next - the scan engine asks for the next domain */
static bool
scan_cmd_next(void *arg, char *out, size_t outsize)
{
	struct scan_cmd *c = arg;

	return input_next(c->in, out, outsize);
}

/* scan_cmd_progress - "done/total, rate, ETA, errors" on a TTY */
static void
scan_cmd_progress(struct scan_cmd *c, bool force)
{
	struct timeval now, d;
	double secs, rate;

	gettimeofday(&now, NULL);
	timersub(&now, &c->last, &d);
	if (!force && d.tv_sec == 0 && d.tv_usec < 250000)
		return;
	c->last = now;
	timersub(&now, &c->t0, &d);
	secs = (double)d.tv_sec + (double)d.tv_usec / 1e6;
	rate = secs > 0 ? (double)c->done / secs : 0;
	fprintf(stderr, "\r\033[K%zu", c->done);
	if (c->total > 0)
		fprintf(stderr, "/%zu", c->total);
	fprintf(stderr, " domains, %.0f/s", rate);
	if (c->total > c->done && rate > 0)
		fprintf(stderr, ", ETA %.0f s",
		    (double)(c->total - c->done) / rate);
	fprintf(stderr, ", %zu with errors", c->errors);
	fflush(stderr);
}

/*
 * scan_cmd_open_store - the history database: --db FILE (a failure is
 * fatal), or the default one (a failure is a warning: the scan goes on)
 */
static void
scan_cmd_open_store(struct scan_cmd *c, const char *path, int argc, char **argv)
{
	struct store_err err;
	char *def = NULL;

	if (path == NULL && (path = def = store_default_path(&err)) == NULL) {
		log_warnx("history: %s (scanning without it)", err.msg);
		return;
	}
	c->store = store_open(path, STORE_OPEN_CREATE, &err);
	if (c->store != NULL)
		c->run = store_run_begin(
		    c->store, argc, argv, STORE_SOURCE_SCAN, &err);
	if (c->store == NULL || c->run <= 0) {
		if (def == NULL)
			log_fatalx("--db %s: %s", path, err.msg);
		log_warnx(
		    "history %s: %s (scanning without it)", path, err.msg);
		if (c->store != NULL)
			store_close(c->store, &err);
		c->store = NULL;
	}
	free(def);
}

static void
scan_cmd_on_result(struct domain_result *r, void *arg)
{
	struct scan_cmd *c = arg;
	time_t now = time(NULL);
	json_t *doc = NULL;
	unsigned jf = 0;
	int worst;

	scan_cmd_preload(c, r);
	/* one clock for the verdicts and the document that shows them */
	check_domain(r, now);
	worst = domain_result_worst(r);
	if (worst > c->worst)
		c->worst = worst;
	c->done++;
	if (worst >= (int)SEVERITY_ERROR)
		c->errors++;
	if (c->format == FORMAT_JSON || c->format == FORMAT_JSONL) {
		jf = c->json_flags |
		    (c->format == FORMAT_JSONL ? REPORT_JSON_COMPACT : 0);
		doc = report_json_domain_at(r, jf, now);
		(void)report_json_write_doc(stdout, doc, jf);
	} else if (c->format == FORMAT_CSV && c->pshtt)
		report_csv_pshtt_domain(stdout, r);
	else if (c->format == FORMAT_CSV)
		report_csv_domain(stdout, r);
	else {
		report_text_domain_at(stdout, r, c->text_flags, now);
		report_text_summary_add(&c->summary, r);
	}
	fflush(stdout);
	if (c->store != NULL) {
		/* the same document, unless it shows the transcript */
		if (doc == NULL || (jf & REPORT_JSON_TRANSCRIPT)) {
			json_decref(doc);
			doc = report_json_domain_at(r, 0, now);
		}
		hwriter_put(c->writer, doc); /* the writer's from here */
		doc = NULL;
	}
	json_decref(doc);
	domain_result_free(r);
	if (c->progress)
		scan_cmd_progress(c, false);
}

static size_t
parse_count(const char *opt, const char *s, size_t max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end != '\0' || v == 0 || v > max)
		log_fatalx("%s: not a number from 1 to %zu: %s", opt, max, s);
	return (size_t)v;
}

int
cmd_scan(int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_TRANSCRIPT,
		OPT_RESOLVER,
		OPT_TRUST_ANCHOR,
		OPT_ROOT_HINTS,
		OPT_CA_FILE,
		OPT_TIMEOUT,
		OPT_DOMAIN_TIMEOUT,
		OPT_CONCURRENCY,
		OPT_PER_IP,
		OPT_PORT,
		OPT_EHLO_NAME,
		OPT_COLOR,
		OPT_NO_TLS_PROBES,
		OPT_CIPHERS,
		OPT_IMPLICIT_TLS,
		OPT_CHECKS,
		OPT_HSTS_PRELOAD_LIST,
		OPT_INPUT,
		OPT_SHARD,
		OPT_DB,
		OPT_NO_DB,
		OPT_PER_IP_RATE,
	};
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "transcript", no_argument, NULL, OPT_TRANSCRIPT },
		{ "resolver", required_argument, NULL, OPT_RESOLVER },
		{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
		{ "root-hints", required_argument, NULL, OPT_ROOT_HINTS },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "domain-timeout", required_argument, NULL,
		    OPT_DOMAIN_TIMEOUT },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "per-ip", required_argument, NULL, OPT_PER_IP },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "ehlo-name", required_argument, NULL, OPT_EHLO_NAME },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "no-tls-probes", no_argument, NULL, OPT_NO_TLS_PROBES },
		{ "ciphers", no_argument, NULL, OPT_CIPHERS },
		{ "implicit-tls", no_argument, NULL, OPT_IMPLICIT_TLS },
		{ "checks", required_argument, NULL, OPT_CHECKS },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "db", required_argument, NULL, OPT_DB },
		{ "per-ip-rate", required_argument, NULL, OPT_PER_IP_RATE },
		{ "no-db", no_argument, NULL, OPT_NO_DB },
		{ "hsts-preload-list", required_argument, NULL,
		    OPT_HSTS_PRELOAD_LIST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_config cfg;
	struct scan_cmd c;
	struct event_base *base;
	struct scan *s;
	struct input *in;
	const char **files = NULL;
	size_t nfiles = 0;
	uint32_t shard_k = 0, shard_n = 0;
	const char *db_path = NULL;
	bool no_db = false;
	char host[256], *err;
	const char *preload_file = NULL; /* --hsts-preload-list */
	enum cmd_color color = CMD_COLOR_AUTO;
	int ch, i, verbose = 0;
	size_t ndomains, bad;
	bool implicit = false;

	memset(&cfg, 0, sizeof(cfg));
	memset(&c, 0, sizeof(c));
	c.worst = -1;
	cfg.timeout = 10;
	cfg.domain_timeout = 120;
	cfg.concurrency = 100;
	cfg.per_ip = 2;
	cfg.port = 25;
	cfg.tls_probes = true;
	cfg.policies = true;
	cfg.mail = true;
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	cfg.ehlo_name = host;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				c.format = FORMAT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				c.format = FORMAT_JSON;
			else if (strcmp(optarg, "jsonl") == 0)
				c.format = FORMAT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				c.format = FORMAT_CSV;
			else
				log_fatalx(
				    "--format: text, json, jsonl or csv, not %s",
				    optarg);
			break;
		case OPT_INPUT:
			files =
			    xreallocarray(files, nfiles + 1, sizeof(*files));
			files[nfiles++] = optarg;
			break;
		case OPT_PER_IP_RATE: {
			char *end;

			cfg.per_ip_rate = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(cfg.per_ip_rate > 0) || cfg.per_ip_rate > 1e6)
				log_fatalx(
				    "--per-ip-rate: connections per second "
				    "(> 0), not %s",
				    optarg);
			break;
		}
		case OPT_DB:
			db_path = optarg;
			break;
		case OPT_NO_DB:
			no_db = true;
			break;
		case OPT_SHARD:
			if (!input_parse_shard(optarg, &shard_k, &shard_n))
				log_fatalx(
				    "--shard: K/N with 0 <= K < N, not %s",
				    optarg);
			break;
		case OPT_CHECKS:
			scan_cmd_checks(optarg, &cfg);
			break;
		case OPT_HSTS_PRELOAD_LIST:
			preload_file = optarg;
			break;
		case OPT_TRANSCRIPT:
			cfg.transcript = true;
			break;
		case OPT_RESOLVER:
			cfg.resolver = optarg;
			break;
		case OPT_TRUST_ANCHOR:
			cfg.trust_anchor = optarg;
			break;
		case OPT_ROOT_HINTS:
			cfg.root_hints = optarg;
			break;
		case OPT_CA_FILE:
			cfg.ca_file = optarg;
			break;
		case OPT_TIMEOUT:
			cfg.timeout = cmd_parse_seconds("--timeout", optarg);
			break;
		case OPT_DOMAIN_TIMEOUT:
			cfg.domain_timeout =
			    cmd_parse_seconds("--domain-timeout", optarg);
			break;
		case OPT_CONCURRENCY:
			cfg.concurrency =
			    parse_count("--concurrency", optarg, 100000);
			break;
		case OPT_PER_IP:
			cfg.per_ip = parse_count("--per-ip", optarg, 1000);
			break;
		case OPT_PORT:
			cfg.port =
			    (uint16_t)parse_count("--port", optarg, 65535);
			break;
		case OPT_EHLO_NAME:
			cfg.ehlo_name = optarg;
			if (strlen(optarg) > 255 || strpbrk(optarg, " \r\n"))
				log_fatalx(
				    "--ehlo-name: not a host name: %s", optarg);
			break;
		case OPT_NO_TLS_PROBES:
			cfg.tls_probes = false;
			break;
		case OPT_CIPHERS:
			cfg.ciphers = true;
			break;
		case OPT_IMPLICIT_TLS:
			implicit = true;
			break;
		case OPT_COLOR:
			color = cmd_parse_color(optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(scan_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs(scan_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc && nfiles == 0) {
		fputs(scan_usage, stderr);
		return EXIT_USAGE;
	}
	log_set_level(verbose >= 2 ? LOG_LEVEL_DEBUG
	        : verbose == 1     ? LOG_LEVEL_INFO
	                           : LOG_LEVEL_WARN);
	/* RFC 8314: port 465 speaks TLS from the first byte */
	cfg.implicit_tls = implicit || cfg.port == 465 || cfg.port == 443;
	if (verbose >= 3)
		cfg.dns_debug = verbose - 2;
	if (cfg.transcript) {
		c.json_flags |= REPORT_JSON_TRANSCRIPT;
		c.text_flags |= REPORT_TEXT_TRANSCRIPT;
	}
	if (cmd_color_on(color))
		c.text_flags |= REPORT_TEXT_COLOR;
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		log_fatalx("libevent: cannot create the event loop");
	if ((s = scan_new(base, &cfg, scan_cmd_on_result, &c, &err)) == NULL)
		log_fatalx("%s", err);
	if (!no_db)
		scan_cmd_open_store(&c, db_path, argc, argv);
	in = input_new(shard_k, shard_n);
	for (i = optind; i < argc; i++)
		input_add_name(in, argv[i]);
	for (i = 0; i < (int)nfiles; i++)
		input_add_file(in, files[i]);
	free(files);
	c.in = in;
	c.progress = isatty(STDERR_FILENO) && verbose == 0;
	c.total = input_total_hint(in);
	gettimeofday(&c.t0, NULL);
	scan_set_source(s, scan_cmd_next, &c);
	if (c.store != NULL)
		c.writer = hwriter_start(c.store, c.run);
	if (preload_file != NULL) {
		struct perr perr2;

		c.preload = hsts_preload_load_file(preload_file, &perr2);
		if (c.preload == NULL)
			log_fatalx("--hsts-preload-list: %s: %s", preload_file,
			    perr2.msg != NULL ? perr2.msg : "cannot load");
		if ((c.psl = orgdomain_new_latest()) == NULL)
			log_fatalx("cannot load the public suffix list");
	}
	c.pshtt = cfg.web && !cfg.mail;
	if (c.format == FORMAT_CSV && c.pshtt)
		report_csv_pshtt_header(stdout);
	else if (c.format == FORMAT_CSV)
		report_csv_header(stdout);
	scan_run(s);
	scan_free(s);
	if (c.store != NULL) {
		struct store_err serr;

		hwriter_finish(c.writer);
		if (store_run_end(c.store, c.run, &serr) != 0 ||
		    store_close(c.store, &serr) != 0)
			log_warnx("history: %s", serr.msg);
	}
	hsts_preload_free(c.preload);
	orgdomain_free(c.psl);
	event_base_free(base);
	if (c.progress)
		fputs("\r\033[K", stderr);
	ndomains = input_stats(in)->given;
	bad = input_stats(in)->invalid;
	input_free(in);
	if (c.format == FORMAT_TEXT && ndomains > 1)
		report_text_summary(stdout, &c.summary, c.text_flags);
	if (bad > 0 && ndomains == 0)
		return EXIT_USAGE;
	return c.worst >= SEVERITY_ERROR || bad > 0 ? EXIT_FINDINGS
	                                            : EXIT_CLEAN;
}
