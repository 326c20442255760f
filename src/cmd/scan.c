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
#include <unistd.h>

#include "check/check.h"
#include "cmd/cmd.h"
#include "probe/scan.h"
#include "proto/domain.h"
#include "report/json.h"
#include "proto/orgdomain.h"
#include "report/csv.h"
#include "report/csv_pshtt.h"
#include "report/hsts_preload.h"
#include "report/text.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/xalloc.h"

enum scan_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };

struct scan_cmd {
	enum scan_format format;
	struct hsts_preload *preload; /* owned: --hsts-preload-list, or NULL */
	struct orgdomain *psl;        /* owned, with the preload list */
	bool pshtt; /* CSV: pshtt's columns (--checks web), else trustymail's */
	unsigned json_flags;
	unsigned text_flags;
	int worst; /* highest severity seen, -1 for none */
	struct report_text_summary summary;
};

static const char scan_usage[] =
    "usage: mxaudit scan [options] DOMAIN...\n"
    "\n"
    "Find each domain's mail exchangers and test every address: SMTP banner,\n"
    "EHLO, STARTTLS, the TLS handshake and the certificate.\n"
    "\n"
    "options:\n"
    "  --format text|json|csv output format (default text; json: one\n"
    "                         document per domain, docs/scan-result.schema.json;\n"
    "                         csv: trustymail's 33 columns, docs/bod1801.md;\n"
    "                         with --checks web, pshtt's 37, docs/pshtt.md)\n"
    "  --checks mail,web|all  what to audit (default mail: MX, SMTP, TLS,\n"
    "                         MTA-STS, DANE, SPF, DMARC, TLS-RPT; web: HTTP and\n"
    "                         HTTPS of the domain and www, HSTS, port 443's TLS)\n"
    "  --hsts-preload-list FILE  a local copy of Chromium's HSTS preload list\n"
    "                         (transport_security_state_static.json)\n"
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

static void
scan_cmd_on_result(struct domain_result *r, void *arg)
{
	struct scan_cmd *c = arg;
	time_t now = time(NULL);
	int worst;

	scan_cmd_preload(c, r);
	/* one clock for the verdicts and the document that shows them */
	check_domain(r, now);
	worst = domain_result_worst(r);
	if (worst > c->worst)
		c->worst = worst;
	if (c->format == FORMAT_JSON)
		report_json_write_at(stdout, r, c->json_flags, now);
	else if (c->format == FORMAT_CSV && c->pshtt)
		report_csv_pshtt_domain(stdout, r);
	else if (c->format == FORMAT_CSV)
		report_csv_domain(stdout, r);
	else {
		report_text_domain_at(stdout, r, c->text_flags, now);
		report_text_summary_add(&c->summary, r);
	}
	fflush(stdout);
	domain_result_free(r);
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
	struct perr perr;
	struct strmap seen;
	char host[256], name[DOMAIN_MAX + 1], *err;
	const char *preload_file = NULL; /* --hsts-preload-list */
	enum cmd_color color = CMD_COLOR_AUTO;
	int ch, i, verbose = 0, ndomains = 0, bad = 0;
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
			else if (strcmp(optarg, "csv") == 0)
				c.format = FORMAT_CSV;
			else
				log_fatalx(
				    "--format: text, json or csv, not %s",
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
	if (optind >= argc) {
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
	strmap_init(&seen);
	for (i = optind; i < argc; i++) {
		if (domain_normalize(argv[i], strlen(argv[i]), name,
		        sizeof(name), &perr) != 0) {
			log_warnx(
			    "%s: invalid domain name: %s", argv[i], perr.msg);
			bad++;
			continue;
		}
		if (strmap_put(&seen, name, &seen) != NULL)
			continue;
		scan_add(s, name);
		ndomains++;
	}
	strmap_release(&seen);
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
	hsts_preload_free(c.preload);
	orgdomain_free(c.psl);
	event_base_free(base);
	if (c.format == FORMAT_TEXT && ndomains > 1)
		report_text_summary(stdout, &c.summary, c.text_flags);
	if (bad > 0 && ndomains == 0)
		return EXIT_USAGE;
	return c.worst >= SEVERITY_ERROR || bad > 0 ? EXIT_FINDINGS
	                                            : EXIT_CLEAN;
}
