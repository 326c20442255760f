/* SPDX-License-Identifier: ISC */
/*
 * spf - "mxaudit spf DOMAIN --ip ADDR": the SPF result (RFC 7208
 * check_host) of a client address for a domain, its explanation, and the
 * trace of every term evaluated, so one can see which include matched.
 *
 * proto/spf_eval does the evaluation over a dnsview; probe/dnsview_run
 * feeds it answers from the resolver. JSON output follows
 * docs/spf-result.schema.json.
 */
#include <event2/event.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "net/dns.h"
#include "probe/dnsview_run.h"
#include "proto/domain.h"
#include "proto/spf.h"
#include "proto/spf_eval.h"
#include "report/json.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define SPF_CMD_ARG_MAX 1024 /* bytes of --sender / --helo */

static const char spf_usage[] =
    "usage: mxaudit spf [options] DOMAIN --ip ADDR\n"
    "\n"
    "Evaluate DOMAIN's SPF policy (RFC 7208 check_host) for a client\n"
    "address: the result, the explanation of a fail, and a trace of every\n"
    "term evaluated (which include matched, which lookups were void).\n"
    "\n"
    "options:\n"
    "  --ip ADDR              the client's IPv4 or IPv6 address (required)\n"
    "  --sender ADDR          MAIL FROM address (default postmaster@DOMAIN)\n"
    "  --helo NAME            HELO/EHLO name (default DOMAIN)\n"
    "  --format text|json     output format (default text; json is described\n"
    "                         by docs/spf-result.schema.json)\n"
    "  --resolver ADDR[@PORT] forward DNS queries to this server instead of\n"
    "                         recursing from the root\n"
    "  --trust-anchor FILE    DNSSEC trust anchor(s) replacing the root's\n"
    "                         (default /usr/share/dns/root.key)\n"
    "  --root-hints FILE      root servers for full recursion\n"
    "  --timeout SECONDS      deadline of each DNS query (default 10)\n"
    "  -v, --verbose          log progress on stderr (twice: debug)\n"
    "  -h, --help             this help\n"
    "\n"
    "exit status: 0 a result was computed (whatever it is), 2 usage or\n"
    "operational error\n";

struct spf_cmd {
	struct spf_eval_params params;
	struct spf_eval_result result;
	struct dnsview_run_stats stats;
	struct event_base *base; /* borrowed */
	bool done;
};

static bool
spf_cmd_eval(void *arg, const struct dnsview *view)
{
	struct spf_cmd *c = arg;

	return spf_check_host(view, &c->params, &c->result) !=
	    SPF_RESULT_PENDING;
}

static void
spf_cmd_on_done(void *arg, const struct dnsview_run_stats *stats)
{
	struct spf_cmd *c = arg;

	c->stats = *stats;
	c->done = true;
	event_base_loopexit(c->base, NULL);
}

/* spf_cmd_result - the result to show: an unfinished run is temperror */
static enum spf_result
spf_cmd_result(const struct spf_cmd *c)
{
	if (c->result.result == SPF_RESULT_PENDING)
		return SPF_RESULT_TEMPERROR;
	return c->result.result;
}

static const char *
spf_cmd_reason(const struct spf_cmd *c)
{
	if (c->result.result == SPF_RESULT_PENDING)
		return "evaluation did not complete";
	return c->result.reason;
}

/* spf_cmd_print - an untrusted string, escaped */
static void
spf_cmd_print(FILE *out, const char *s, size_t len)
{
	char *e = str_escape(s, len);

	fputs(e, out);
	free(e);
}

static void
spf_cmd_indent(FILE *out, unsigned n)
{
	while (n-- > 0)
		fputs("  ", out);
}

static void
spf_cmd_text_step(FILE *out, const struct spf_step *s)
{
	bool target;

	switch (s->kind) {
	case SPF_STEP_RECORD:
		spf_cmd_indent(out, 2 * s->depth + 2);
		spf_cmd_print(out, s->domain, strlen(s->domain));
		fputs(": ", out);
		if (s->result != SPF_RESULT_NEUTRAL)
			fprintf(out, "%s: ", spf_result_name(s->result));
		if (s->detail != NULL)
			spf_cmd_print(out, s->detail, strlen(s->detail));
		fputc('\n', out);
		return;
	case SPF_STEP_DEFAULT:
		spf_cmd_indent(out, 2 * s->depth + 3);
		fputs("no term matched: neutral\n", out);
		return;
	default:
		break;
	}
	spf_cmd_indent(out, 2 * s->depth + 3);
	if (s->term != NULL)
		spf_cmd_print(out, s->term, strlen(s->term));
	else
		fputs("(record)", out);
	fprintf(out, "  %s", spf_step_kind_name(s->kind));
	target = s->term != NULL &&
	    (strncasecmp(s->term +
	             (s->term[0] == '+' || s->term[0] == '-' ||
	                 s->term[0] == '~' || s->term[0] == '?'),
	         "include:", 8) == 0 ||
	        s->kind == SPF_STEP_REDIRECT);
	if (s->kind == SPF_STEP_MATCH || s->kind == SPF_STEP_ERROR ||
	    (target && s->result != SPF_RESULT_NONE))
		fprintf(out, " (%s%s)", target ? "target " : "",
		    spf_result_name(s->result));
	if (s->detail != NULL) {
		fputs(": ", out);
		spf_cmd_print(out, s->detail, strlen(s->detail));
	}
	fputc('\n', out);
}

static void
spf_cmd_text(FILE *out, const struct spf_cmd *c)
{
	const struct spf_eval_result *r = &c->result;
	const char *reason = spf_cmd_reason(c);
	size_t i;

	fputs("spf ", out);
	spf_cmd_print(out, c->params.domain, strlen(c->params.domain));
	fprintf(out, ": %s\n", spf_result_name(spf_cmd_result(c)));
	fprintf(out, "  client %s, sender ", c->params.ip);
	spf_cmd_print(out, c->params.sender, strlen(c->params.sender));
	fputs(", helo ", out);
	spf_cmd_print(out, c->params.helo, strlen(c->params.helo));
	fputc('\n', out);
	if (reason != NULL)
		fprintf(out, "  reason: %s\n", reason);
	if (r->record != NULL) {
		fputs("  record: ", out);
		spf_cmd_print(out, r->record, r->record_len);
		fputc('\n', out);
	}
	if (r->explanation != NULL) {
		fputs("  explanation: ", out);
		spf_cmd_print(out, r->explanation, strlen(r->explanation));
		fputc('\n', out);
	}
	fprintf(out, "  dns lookups: %zu of %d, void lookups: %zu of %d\n",
	    r->lookups, SPF_MAX_LOOKUPS, r->void_lookups, SPF_MAX_VOID);
	if (r->ntrace > 0)
		fputs("  trace:\n", out);
	for (i = 0; i < r->ntrace; i++)
		spf_cmd_text_step(out, &r->trace[i]);
	if (r->trace_truncated)
		fputs("      (trace truncated)\n", out);
}

static void
spf_cmd_set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		log_fatalx("json: %s: out of memory", key);
}

static json_t *
spf_cmd_str(const char *s)
{
	return s != NULL ? report_json_string(s, strlen(s)) : json_null();
}

/* spf_cmd_step_result - a step's result, or null where none applies */
static json_t *
spf_cmd_step_result(const struct spf_step *s)
{
	if ((s->kind == SPF_STEP_RECORD && s->result == SPF_RESULT_NEUTRAL) ||
	    ((s->kind == SPF_STEP_NO_MATCH || s->kind == SPF_STEP_VOID) &&
	        s->result == SPF_RESULT_NONE) ||
	    s->result == SPF_RESULT_PENDING)
		return json_null();
	return json_string(spf_result_name(s->result));
}

static int
spf_cmd_json(FILE *out, const struct spf_cmd *c)
{
	const struct spf_eval_result *r = &c->result;
	const struct spf_step *s;
	json_t *doc, *trace, *step;
	size_t i;
	int rc;

	doc = json_object();
	trace = json_array();
	if (doc == NULL || trace == NULL)
		log_fatalx("json: out of memory");
	spf_cmd_set(doc, "domain", spf_cmd_str(c->params.domain));
	spf_cmd_set(doc, "ip", spf_cmd_str(c->params.ip));
	spf_cmd_set(doc, "sender", spf_cmd_str(c->params.sender));
	spf_cmd_set(doc, "helo", spf_cmd_str(c->params.helo));
	spf_cmd_set(
	    doc, "result", json_string(spf_result_name(spf_cmd_result(c))));
	spf_cmd_set(doc, "reason", spf_cmd_str(spf_cmd_reason(c)));
	spf_cmd_set(doc, "explanation", spf_cmd_str(r->explanation));
	spf_cmd_set(doc, "record",
	    r->record != NULL ? report_json_string(r->record, r->record_len)
	                      : json_null());
	spf_cmd_set(doc, "lookups", json_integer((json_int_t)r->lookups));
	spf_cmd_set(
	    doc, "void_lookups", json_integer((json_int_t)r->void_lookups));
	spf_cmd_set(
	    doc, "dns_queries", json_integer((json_int_t)c->stats.queries));
	for (i = 0; i < r->ntrace; i++) {
		s = &r->trace[i];
		if ((step = json_object()) == NULL)
			log_fatalx("json: out of memory");
		spf_cmd_set(step, "depth", json_integer(s->depth));
		spf_cmd_set(step, "domain", spf_cmd_str(s->domain));
		spf_cmd_set(
		    step, "step", json_string(spf_step_kind_name(s->kind)));
		spf_cmd_set(step, "term", spf_cmd_str(s->term));
		spf_cmd_set(step, "result", spf_cmd_step_result(s));
		spf_cmd_set(step, "detail", spf_cmd_str(s->detail));
		if (json_array_append_new(trace, step) != 0)
			log_fatalx("json: out of memory");
	}
	spf_cmd_set(doc, "trace", trace);
	spf_cmd_set(doc, "trace_truncated", json_boolean(r->trace_truncated));
	rc = json_dumpf(doc, out, report_json_dump_flags(0));
	json_decref(doc);
	if (rc != 0 || fputc('\n', out) == EOF)
		return -1;
	return 0;
}

/* spf_cmd_arg - an option value that goes into macros: capped, no
 * control characters */
static const char *
spf_cmd_arg(const char *opt, const char *s)
{
	const char *p;

	if (strlen(s) > SPF_CMD_ARG_MAX)
		log_fatalx("%s: longer than %d bytes", opt, SPF_CMD_ARG_MAX);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			log_fatalx("%s: control character in %s", opt, s);
	return s;
}

int
cmd_spf(int argc, char **argv)
{
	enum {
		OPT_IP = 256,
		OPT_SENDER,
		OPT_HELO,
		OPT_FORMAT,
		OPT_RESOLVER,
		OPT_TRUST_ANCHOR,
		OPT_ROOT_HINTS,
		OPT_TIMEOUT,
	};
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, OPT_IP },
		{ "sender", required_argument, NULL, OPT_SENDER },
		{ "helo", required_argument, NULL, OPT_HELO },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "resolver", required_argument, NULL, OPT_RESOLVER },
		{ "trust-anchor", required_argument, NULL, OPT_TRUST_ANCHOR },
		{ "root-hints", required_argument, NULL, OPT_ROOT_HINTS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dns_config dc;
	struct dnsview_run_config rc;
	struct spf_cmd c;
	struct spf_ip ip;
	struct perr perr;
	struct dns *dns;
	struct dnsview_run *run;
	char name[DOMAIN_MAX + 1], host[256], *err, *sender = NULL;
	const char *ipstr = NULL, *helo = NULL, *sender_arg = NULL;
	bool json = false;
	int ch, verbose = 0, status = EXIT_CLEAN;

	memset(&dc, 0, sizeof(dc));
	dc.timeout = 10;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_IP:
			ipstr = optarg;
			break;
		case OPT_SENDER:
			sender_arg = spf_cmd_arg("--sender", optarg);
			break;
		case OPT_HELO:
			helo = spf_cmd_arg("--helo", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				json = false;
			else if (strcmp(optarg, "json") == 0)
				json = true;
			else
				log_fatalx(
				    "--format: text or json, not %s", optarg);
			break;
		case OPT_RESOLVER:
			dc.resolver = optarg;
			break;
		case OPT_TRUST_ANCHOR:
			dc.trust_anchor = optarg;
			break;
		case OPT_ROOT_HINTS:
			dc.root_hints = optarg;
			break;
		case OPT_TIMEOUT:
			dc.timeout = cmd_parse_seconds("--timeout", optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(spf_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs(spf_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || ipstr == NULL) {
		fputs(spf_usage, stderr);
		return EXIT_USAGE;
	}
	if (domain_normalize(argv[optind], strlen(argv[optind]), name,
	        sizeof(name), &perr) != 0) {
		log_warnx(
		    "%s: invalid domain name: %s", argv[optind], perr.msg);
		return EXIT_USAGE;
	}
	if (spf_ip_parse(ipstr, strlen(ipstr), &ip) != 0) {
		log_warnx("--ip: not an IPv4 or IPv6 address: %s", ipstr);
		return EXIT_USAGE;
	}
	log_set_level(verbose >= 2 ? LOG_LEVEL_DEBUG
	        : verbose == 1     ? LOG_LEVEL_INFO
	                           : LOG_LEVEL_WARN);
	if (verbose >= 3)
		dc.debug = verbose - 2;

	memset(&c, 0, sizeof(c));
	spf_eval_result_init(&c.result);
	sender = sender_arg != NULL ? xstrdup(sender_arg)
	                            : xasprintf("postmaster@%s", name);
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	c.params.ip = ipstr;
	c.params.domain = name;
	c.params.sender = sender;
	c.params.helo = helo != NULL ? helo : name;
	c.params.receiver = host;
	c.params.now = (long long)time(NULL);

	if ((c.base = event_base_new()) == NULL)
		log_fatalx("libevent: cannot create the event loop");
	if ((dns = dns_new(c.base, &dc, &err)) == NULL)
		log_fatalx("%s", err);
	memset(&rc, 0, sizeof(rc));
	rc.base = c.base;
	rc.dns = dns;
	run = dnsview_run_start(&rc, spf_cmd_eval, spf_cmd_on_done, &c);
	if (run == NULL)
		log_fatalx("spf: cannot start the evaluation");
	event_base_dispatch(c.base);
	if (!c.done) {
		/* the loop ran dry before the run ended: cannot happen */
		dnsview_run_cancel(run);
		log_warnx("%s: spf: evaluation did not complete", name);
	}
	log_info("%s: spf: %zu passes, %zu dns queries%s", name, c.stats.passes,
	    c.stats.queries, c.stats.capped ? " (query cap reached)" : "");
	if (json ? spf_cmd_json(stdout, &c) != 0
	         : (spf_cmd_text(stdout, &c), ferror(stdout) != 0))
		status = EXIT_USAGE;
	fflush(stdout);
	spf_eval_result_release(&c.result);
	dns_free(dns);
	event_base_free(c.base);
	free(sender);
	return status;
}
