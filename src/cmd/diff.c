/* SPDX-License-Identifier: ISC */
/*
 * diff - "mxaudit diff": what changed, per domain, between two runs.
 *
 * The documents of both runs are walked side by side in domain order (two
 * store cursors), so memory holds two documents whatever the size of the
 * runs; store/diff.c says what changed. Domains with a regression are
 * written at once; the others go to a temporary file and follow them, so
 * the output is regressions first without holding it in memory.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/diff.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define DIFF_LINE_MAX (1u << 20) /* bytes of one change's text line */

static const char diff_usage[] =
    "usage: mxaudit diff [options] [RUN_A RUN_B]\n"
    "       mxaudit diff --list [options]\n"
    "\n"
    "What changed, per domain, from run RUN_A to run RUN_B of the history\n"
    "(default: the second newest and the newest finished run). One line per\n"
    "change, domains with a regression first, and in each domain\n"
    "regressions, then improvements, then other changes:\n"
    "  domain-added, domain-removed\n"
    "  bod1801-mail-compliance-lost/-gained, bod1801-web-compliance-lost/-gained\n"
    "  starttls-lost/-gained (every MX address completes STARTTLS)\n"
    "  cert-expired, cert-renewed (an MX address's certificate)\n"
    "  dmarc-weakened/-strengthened (reject > quarantine > none > missing)\n"
    "  spf-invalid, spf-valid\n"
    "  mta-sts-weakened/-strengthened (enforce > testing > none > missing)\n"
    "  web-cert-expired, web-cert-renewed\n"
    "  finding-appeared (a regression when error or warning),\n"
    "  finding-disappeared (an improvement when error or warning)\n"
    "\n"
    "options:\n"
    "  --db FILE              the history database (default\n"
    "                         $XDG_DATA_HOME/mxaudit/mxaudit.db, or\n"
    "                         ~/.local/share/mxaudit/mxaudit.db)\n"
    "  --format text|json     output format (default text; json: {run_a,\n"
    "                         run_b, domains: [{domain, regression, changes:\n"
    "                         [{change, effect, from, to, mx, ip, id,\n"
    "                         severity, message, failures}]}], summary})\n"
    "  --list                 list the runs, newest first, and exit\n"
    "  -h, --help             this help\n"
    "\n"
    "exit status: 0 no regression, 1 a regression, 2 usage or database\n"
    "error\n";

struct diff_cmd {
	struct store *store; /* owned */
	bool json;
	FILE *spool;         /* owned: domains without a regression */
	bool first;          /* JSON: no domain written to stdout yet */
	struct store_diff d; /* the current domain's changes */
	struct buf line;     /* scratch for one text line */
	size_t domains;      /* domains with a change */
	size_t regressed;    /* ... with a regression */
	size_t count[STORE_DIFF_EFFECT_MAX];
	bool failed; /* an error: exit 2 */
};

/* diff_run_json - a run as JSON (argv parsed back into its array) */
static json_t *
diff_run_json(const struct store_run *r)
{
	json_t *o = json_object(), *argv = NULL;

	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "started_at", json_string(r->started_at));
	json_object_set_new(o, "finished_at",
	    r->finished_at != NULL ? json_string(r->finished_at) : json_null());
	json_object_set_new(o, "source", json_string(r->source));
	if (r->argv != NULL)
		argv = json_loads(r->argv, 0, NULL);
	json_object_set_new(o, "argv", argv != NULL ? argv : json_null());
	json_object_set_new(o, "domains", json_integer(r->domains));
	json_object_set_new(o, "rejected", json_integer(r->rejected));
	return o;
}

/* diff_run_text - "run 4 (import, 2026-11-28T16:00:00Z, 1001 domains)" */
static void
diff_run_text(FILE *out, const struct store_run *r)
{
	fprintf(out, "run %" PRId64 " (%s, %s, %" PRId64 " domains%s)", r->id,
	    r->source, r->started_at, r->domains,
	    r->finished_at == NULL ? ", unfinished" : "");
}

/* diff_list_cb - one line (or array element) per run */
static int
diff_list_cb(const struct store_run *r, void *arg)
{
	json_t *arr = arg;

	if (arr != NULL) {
		json_array_append_new(arr, diff_run_json(r));
		return 0;
	}
	printf("%6" PRId64 "  %-20s  %-20s  %-6s  %8" PRId64 "  %8" PRId64 "\n",
	    r->id, r->started_at,
	    r->finished_at != NULL ? r->finished_at : "unfinished", r->source,
	    r->domains, r->rejected);
	return 0;
}

/* diff_list - --list */
static int
diff_list(struct diff_cmd *c)
{
	struct store_err err;
	json_t *arr = c->json ? json_array() : NULL;
	int rc;

	if (!c->json)
		printf("%6s  %-20s  %-20s  %-6s  %8s  %8s\n", "RUN", "STARTED",
		    "FINISHED", "SOURCE", "DOMAINS", "REJECTED");
	rc = store_runs(c->store, 0, 0, diff_list_cb, arr, &err);
	if (rc < 0)
		log_warnx("%s", err.msg);
	if (arr != NULL) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(arr);
	}
	return rc < 0 ? EXIT_USAGE : EXIT_CLEAN;
}

/* diff_parse_run - a run id, > 0 */
static int64_t
diff_parse_run(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v <= 0)
		log_fatalx("not a run id: %s", s);
	return (int64_t)v;
}

/* diff_two_newest_cb - collect the ids, newest first */
static int
diff_two_newest_cb(const struct store_run *r, void *arg)
{
	int64_t *ids = arg;

	if (ids[0] == 0)
		ids[0] = r->id;
	else
		ids[1] = r->id;
	return 0;
}

/* diff_load - a stored document, parsed; NULL (and failed) when it is not */
static json_t *
diff_load(struct diff_cmd *c, const struct store_doc *doc, int64_t run)
{
	json_error_t jerr;
	json_t *j = json_loadb(doc->json, doc->len, JSON_ALLOW_NUL, &jerr);

	if (j == NULL) {
		char *safe = str_escape(doc->domain, strlen(doc->domain));

		log_warnx("run %" PRId64 ": %s: stored document unreadable: %s",
		    run, safe, jerr.text);
		free(safe);
		c->failed = true;
	}
	return j;
}

/* diff_emit - the current domain's changes, to stdout or the spool */
static void
diff_emit(struct diff_cmd *c, const char *domain)
{
	bool regressed = store_diff_regression(&c->d);
	FILE *out = regressed ? stdout : c->spool;
	size_t i, e;

	c->domains++;
	if (regressed)
		c->regressed++;
	for (e = 0; e < STORE_DIFF_EFFECT_MAX; e++)
		c->count[e] += c->d.count[e];
	if (c->json) {
		json_t *o = json_object(), *arr = json_array();

		json_object_set_new(o, "domain", json_string(domain));
		json_object_set_new(o, "regression", json_boolean(regressed));
		for (i = 0; i < c->d.n; i++)
			json_array_append_new(
			    arr, store_diff_change_json(&c->d.changes[i]));
		json_object_set_new(o, "changes", arr);
		/* stdout: a separator after the first; the spool: always */
		if (!regressed || !c->first)
			fputs(",\n", out);
		c->first = c->first && !regressed;
		json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		return;
	}
	for (i = 0; i < c->d.n; i++) {
		buf_reset(&c->line);
		if (store_diff_change_text(
		        &c->line, domain, &c->d.changes[i]) != 0) {
			buf_reset(&c->line);
			(void)buf_printf(&c->line, "%s: %s: %s: (too long)\n",
			    domain,
			    store_diff_effect_name(c->d.changes[i].effect),
			    store_diff_kind_name(c->d.changes[i].kind));
		}
		fwrite(c->line.data, 1, c->line.len, out);
	}
}

/* diff_domain - one domain of the merge; da or db NULL: only in one run */
static void
diff_domain(struct diff_cmd *c, const struct store_doc *da, int64_t run_a,
    const struct store_doc *db, int64_t run_b)
{
	json_t *a = NULL, *b = NULL;

	if (da != NULL && (a = diff_load(c, da, run_a)) == NULL)
		return;
	if (db != NULL && (b = diff_load(c, db, run_b)) == NULL) {
		json_decref(a);
		return;
	}
	store_diff_docs(&c->d, a, b);
	if (c->d.n > 0)
		diff_emit(c, db != NULL ? db->domain : da->domain);
	json_decref(a);
	json_decref(b);
}

/* diff_walk - merge the two runs' documents by domain */
static int
diff_walk(struct diff_cmd *c, int64_t run_a, int64_t run_b)
{
	struct store_cursor *ca, *cb;
	struct store_doc da, db;
	struct store_err err;
	int ha, hb, r;

	if ((ca = store_cursor_open(c->store, run_a, &err)) == NULL)
		goto fail;
	if ((cb = store_cursor_open(c->store, run_b, &err)) == NULL) {
		store_cursor_free(ca);
		goto fail;
	}
	ha = store_cursor_next(ca, &da, &err);
	hb = ha < 0 ? -1 : store_cursor_next(cb, &db, &err);
	while (ha > 0 || hb > 0) {
		if (ha < 0 || hb < 0)
			break;
		r = ha == 0 ? 1 : hb == 0 ? -1 : strcmp(da.domain, db.domain);
		diff_domain(
		    c, r <= 0 ? &da : NULL, run_a, r >= 0 ? &db : NULL, run_b);
		if (r <= 0)
			ha = store_cursor_next(ca, &da, &err);
		if (r >= 0 && ha >= 0)
			hb = store_cursor_next(cb, &db, &err);
	}
	store_cursor_free(ca);
	store_cursor_free(cb);
	if (ha < 0 || hb < 0)
		goto fail;
	return 0;
fail:
	log_warnx("%s", err.msg);
	c->failed = true;
	return -1;
}

/* diff_copy_spool - the domains without regression, after the others */
static void
diff_copy_spool(struct diff_cmd *c)
{
	char chunk[65536];
	size_t n;
	bool skip = c->json && c->first; /* the spool's first ",\n" */

	if (fflush(c->spool) != 0 || fseek(c->spool, 0, SEEK_SET) != 0) {
		log_warnx("temporary file: cannot read it back");
		c->failed = true;
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), c->spool)) > 0) {
		if (skip && n >= 2) {
			fwrite(chunk + 2, 1, n - 2, stdout);
			skip = false;
		} else
			fwrite(chunk, 1, n, stdout);
	}
	if (ferror(c->spool)) {
		log_warnx("temporary file: read error");
		c->failed = true;
	}
}

/* diff_runs - choose and describe the two runs; -1 on error */
static int
diff_runs(struct diff_cmd *c, int argc, char **argv, struct store_run *ra,
    struct store_run *rb)
{
	struct store_err err;
	int64_t ids[2] = { 0, 0 };
	int found;

	if (argc == 2) {
		ids[0] = diff_parse_run(argv[0]);
		ids[1] = diff_parse_run(argv[1]);
	} else {
		int64_t newest[2] = { 0, 0 };

		if (store_runs(c->store, STORE_RUNS_FINISHED, 2,
		        diff_two_newest_cb, newest, &err) < 0) {
			log_warnx("%s", err.msg);
			return -1;
		}
		if (newest[1] == 0) {
			log_warnx("the history has fewer than two finished "
			          "runs: name two with RUN_A RUN_B");
			return -1;
		}
		ids[0] = newest[1];
		ids[1] = newest[0];
	}
	if ((found = store_run_get(c->store, ids[0], ra, &err)) == 1 &&
	    (found = store_run_get(c->store, ids[1], rb, &err)) == 1)
		return 0;
	if (found == 0)
		log_warnx("no run %" PRId64 " in the history",
		    ra->id == 0 ? ids[0] : ids[1]);
	else
		log_warnx("%s", err.msg);
	return -1;
}

/* diff_summary - the closing line (text) or object (JSON) */
static void
diff_summary(struct diff_cmd *c)
{
	if (c->json) {
		json_t *s = json_object();

		json_object_set_new(
		    s, "domains_changed", json_integer((json_int_t)c->domains));
		json_object_set_new(s, "domains_regressed",
		    json_integer((json_int_t)c->regressed));
		json_object_set_new(s, "regressions",
		    json_integer((json_int_t)c->count[STORE_DIFF_REGRESSION]));
		json_object_set_new(s, "improvements",
		    json_integer((json_int_t)c->count[STORE_DIFF_IMPROVEMENT]));
		json_object_set_new(s, "other",
		    json_integer((json_int_t)c->count[STORE_DIFF_NEUTRAL]));
		fputs("\n],\n\"summary\": ", stdout);
		json_dumpf(s, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputs("\n}\n", stdout);
		json_decref(s);
		return;
	}
	if (c->domains == 0) {
		printf("no change\n");
		return;
	}
	printf("%zu domain%s changed, %zu with a regression: %zu "
	       "regression%s, %zu improvement%s, %zu other change%s\n",
	    c->domains, c->domains == 1 ? "" : "s", c->regressed,
	    c->count[STORE_DIFF_REGRESSION],
	    c->count[STORE_DIFF_REGRESSION] == 1 ? "" : "s",
	    c->count[STORE_DIFF_IMPROVEMENT],
	    c->count[STORE_DIFF_IMPROVEMENT] == 1 ? "" : "s",
	    c->count[STORE_DIFF_NEUTRAL],
	    c->count[STORE_DIFF_NEUTRAL] == 1 ? "" : "s");
}

int
cmd_diff(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FORMAT, OPT_LIST };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_run ra, rb;
	struct store_err err;
	struct diff_cmd c;
	const char *db_opt = NULL;
	char *path;
	bool list = false;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				c.json = true;
			else if (strcmp(optarg, "text") == 0)
				c.json = false;
			else
				log_fatalx(
				    "--format: text or json, not %s", optarg);
			break;
		case OPT_LIST:
			list = true;
			break;
		case 'h':
			fputs(diff_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs(diff_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if ((argc - optind != 0 && argc - optind != 2) ||
	    (list && argc - optind != 0)) {
		fputs(diff_usage, stderr);
		return EXIT_USAGE;
	}
	if (db_opt != NULL)
		path = xstrdup(db_opt);
	else if ((path = store_default_path(&err)) == NULL)
		log_fatalx("%s: use --db", err.msg);
	/* a diff reads: no database is an error, not a new empty one */
	if ((c.store = store_open(path, 0, &err)) == NULL)
		log_fatalx("%s", err.msg);
	free(path);
	if (list) {
		rc = diff_list(&c);
		store_close(c.store, NULL);
		return rc;
	}
	if (diff_runs(&c, argc - optind, argv + optind, &ra, &rb) != 0) {
		store_run_clear(&ra);
		store_run_clear(&rb);
		store_close(c.store, NULL);
		return EXIT_USAGE;
	}
	if ((c.spool = tmpfile()) == NULL)
		log_fatal("temporary file");
	store_diff_init(&c.d);
	buf_init(&c.line, DIFF_LINE_MAX);
	c.first = true;
	if (c.json) {
		json_t *r;

		fputs("{\n\"run_a\": ", stdout);
		json_dumpf(r = diff_run_json(&ra), stdout,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(r);
		fputs(",\n\"run_b\": ", stdout);
		json_dumpf(r = diff_run_json(&rb), stdout,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(r);
		fputs(",\n\"domains\": [\n", stdout);
	} else {
		diff_run_text(stdout, &ra);
		fputs(" -> ", stdout);
		diff_run_text(stdout, &rb);
		putchar('\n');
	}
	if (diff_walk(&c, ra.id, rb.id) == 0)
		diff_copy_spool(&c);
	diff_summary(&c);
	fclose(c.spool);
	buf_release(&c.line);
	store_diff_release(&c.d);
	store_run_clear(&ra);
	store_run_clear(&rb);
	if (store_close(c.store, &err) != 0) {
		log_warnx("%s", err.msg);
		c.failed = true;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		c.failed = true;
	if (c.failed)
		return EXIT_USAGE;
	return c.count[STORE_DIFF_REGRESSION] > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
