/* SPDX-License-Identifier: ISC */
/*
 * report - "mxaudit report": one self-contained HTML page over a run.
 *
 * The documents come from the history (store_docs, in domain order) or,
 * with --input, from a file of scan results: JSONL, or the pretty documents
 * of "mxaudit scan --format json" one after another. The page is written
 * to a temporary file beside the output and renamed over it once complete,
 * so a failed run never leaves half a report.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "report/html.h"
#include "store/store.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

static const char report_usage[] =
    "usage: mxaudit report [--db FILE] [--run ID] -o FILE\n"
    "       mxaudit report --input FILE -o FILE\n"
    "\n"
    "Write one self-contained HTML page (no external assets, no network)\n"
    "over a run: BOD 18-01 compliance, findings per id and severity,\n"
    "charts, a sortable and filterable table of domains and each domain's\n"
    "detail.\n"
    "\n"
    "options:\n"
    "  --db FILE        the history (default "
    "$XDG_DATA_HOME/mxaudit/mxaudit.db)\n"
    "  --run ID         the run to report (default the latest finished)\n"
    "  --input FILE     read scan results from FILE instead (JSONL, or\n"
    "                   'mxaudit scan --format json' output; - for stdin)\n"
    "  -o, --output FILE  the page to write (- for standard output)\n"
    "  -h, --help       this help\n"
    "\n"
    "The table's filter is also read from the address: report.html#filter=\n"
    "WORDS&sort=COLUMN&dir=asc|desc (e.g. #filter=bodmail:fail).\n"
    "\n"
    "exit status: 0 written, 2 usage, input or output error\n";

/* what the documents went through */
struct report_state {
	struct report_html *html; /* borrowed */
	const char *source;       /* borrowed: for messages */
	size_t added, skipped;
};

/* report_add - one document into the page; a bad one is told and skipped */
static void
report_add(struct report_state *st, const char *doc, size_t len, size_t line)
{
	if (report_html_add(st->html, doc, len) == 0) {
		st->added++;
		return;
	}
	st->skipped++;
	if (line > 0)
		log_warnx(
		    "%s:%zu: not a scan result, skipped", st->source, line);
	else
		log_warnx("%s: a document that is not a scan result, skipped",
		    st->source);
}

/* the cutter of --input: top-level JSON objects, one after another */
struct report_cut {
	struct buf doc;  /* the object being read (capped) */
	size_t depth;    /* brackets open */
	bool in_str;     /* inside a string */
	bool esc;        /* after a backslash in a string */
	bool junk;       /* skipping a line that holds no object */
	bool oversize;   /* the object passed the cap: skipped */
	size_t line;     /* of the input, from 1 */
	size_t doc_line; /* where the object began */
};

/* report_cut_byte - one byte of the input */
static void
report_cut_byte(struct report_state *st, struct report_cut *c, int ch)
{
	if (ch == '\n')
		c->line++;
	if (c->depth == 0) {
		if (c->junk) {
			c->junk = ch != '\n';
			return;
		}
		if (ascii_isspace(ch))
			return;
		if (ch != '{') {
			log_warnx("%s:%zu: not a JSON object, line skipped",
			    st->source, c->line);
			st->skipped++;
			c->junk = ch != '\n';
			return;
		}
		buf_reset(&c->doc);
		c->doc_line = c->line;
		c->oversize = false;
	}
	if (!c->oversize) {
		char b = (char)ch;

		if (buf_append(&c->doc, &b, 1) != 0)
			c->oversize = true;
	}
	if (c->in_str) {
		if (c->esc)
			c->esc = false;
		else if (ch == '\\')
			c->esc = true;
		else if (ch == '"')
			c->in_str = false;
		return;
	}
	if (ch == '"') {
		c->in_str = true;
	} else if (ch == '{' || ch == '[') {
		c->depth++;
	} else if ((ch == '}' || ch == ']') && --c->depth == 0) {
		if (c->oversize) {
			log_warnx(
			    "%s:%zu: document larger than %u MiB, skipped",
			    st->source, c->doc_line, REPORT_HTML_DOC_MAX >> 20);
			st->skipped++;
		} else {
			report_add(st, c->doc.data, c->doc.len, c->doc_line);
		}
		buf_reset(&c->doc);
	}
}

/* report_read_input - every document of path ("-": stdin) into the page */
static int
report_read_input(struct report_state *st, const char *path)
{
	struct report_cut c;
	char chunk[65536];
	FILE *fp = stdin;
	size_t n, i;
	int rc = 0;

	if (strcmp(path, "-") != 0 && (fp = fopen(path, "rb")) == NULL) {
		log_warnx("%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&c, 0, sizeof(c));
	buf_init(&c.doc, REPORT_HTML_DOC_MAX);
	c.line = 1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		for (i = 0; i < n; i++)
			report_cut_byte(st, &c, (unsigned char)chunk[i]);
	if (ferror(fp)) {
		log_warnx("%s: read error", path);
		rc = -1;
	} else if (c.depth > 0) {
		log_warnx("%s:%zu: document cut short at the end, skipped",
		    st->source, c.doc_line);
		st->skipped++;
	}
	buf_release(&c.doc);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static int
report_on_doc(const struct store_doc *doc, void *arg)
{
	report_add(arg, doc->json, doc->len, 0);
	return 0;
}

/* report_parse_run - --run's argument, a positive integer */
static int64_t
report_parse_run(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (end == s || *end != '\0' || v <= 0)
		log_fatalx("--run: not a run id: %s", s);
	return v;
}

/* report_open_output - the temporary file beside path (owned name) */
static FILE *
report_open_output(const char *path, char **tmp)
{
	FILE *fp;
	mode_t mask;
	int fd;

	*tmp = NULL;
	if (strcmp(path, "-") == 0)
		return stdout;
	*tmp = xasprintf("%s.XXXXXX", path);
	if ((fd = mkstemp(*tmp)) == -1)
		log_fatal("%s", *tmp);
	/* mkstemp makes 0600; the page gets what any new file would */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0)
		log_fatal("%s", *tmp);
	if ((fp = fdopen(fd, "w")) == NULL)
		log_fatal("%s", *tmp);
	return fp;
}

int
cmd_report(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_RUN, OPT_INPUT };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_html_run meta;
	struct report_state st;
	struct store_run run;
	struct store_err serr;
	struct store *db = NULL;
	char *db_path = NULL, *tmp = NULL, *run_text = NULL;
	const char *input = NULL, *output = NULL;
	int64_t run_id = 0;
	bool have_run = false;
	FILE *out;
	int ch, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			free(db_path);
			db_path = xstrdup(optarg);
			break;
		case OPT_RUN:
			run_id = report_parse_run(optarg);
			break;
		case OPT_INPUT:
			input = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			free(db_path);
			return EXIT_CLEAN;
		default:
			fputs(report_usage, stderr);
			free(db_path);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || output == NULL ||
	    (input != NULL && (db_path != NULL || run_id != 0))) {
		if (input != NULL && (db_path != NULL || run_id != 0))
			log_warnx(
			    "report: --input reads no history: no --db or "
			    "--run with it");
		fputs(report_usage, stderr);
		free(db_path);
		return EXIT_USAGE;
	}

	memset(&meta, 0, sizeof(meta));
	memset(&run, 0, sizeof(run));
	meta.version = MXAUDIT_VERSION;
	meta.generated = time(NULL);
	if (input != NULL) {
		meta.source =
		    strcmp(input, "-") == 0 ? "standard input" : input;
	} else {
		if (db_path == NULL &&
		    (db_path = store_default_path(&serr)) == NULL)
			log_fatalx("report: %s", serr.msg);
		if ((db = store_open(db_path, 0, &serr)) == NULL)
			log_fatalx("%s: %s", db_path, serr.msg);
		if (run_id == 0 &&
		    (store_latest_run(
		         db, STORE_RUNS_FINISHED, &run_id, &serr) != 0 ||
		        (run_id == 0 &&
		            store_latest_run(db, 0, &run_id, &serr) != 0)))
			log_fatalx("%s: %s", db_path, serr.msg);
		if (run_id == 0)
			log_fatalx("%s: no run in the history", db_path);
		switch (store_run_get(db, run_id, &run, &serr)) {
		case 1:
			have_run = true;
			break;
		case 0:
			log_fatalx("%s: no run %" PRId64, db_path, run_id);
		default:
			log_fatalx("%s: %s", db_path, serr.msg);
		}
		if (run.finished_at == NULL)
			log_warnx("%s: run %" PRId64
			          " did not finish: the report "
			          "shows what it stored",
			    db_path, run_id);
		run_text = xasprintf("%" PRId64 " (%s)", run_id,
		    run.source != NULL ? run.source : "?");
		meta.run_id = run_text;
		meta.source = db_path;
		meta.command = run.argv;
		meta.started = run.started_at;
		meta.finished = run.finished_at;
		meta.domains = run.domains > 0 ? (size_t)run.domains : 0;
	}

	out = report_open_output(output, &tmp);
	memset(&st, 0, sizeof(st));
	st.html = report_html_begin(out, &meta);
	if (input != NULL) {
		st.source = meta.source;
		if (report_read_input(&st, input) != 0)
			rc = -1;
	} else {
		st.source = db_path;
		if (store_docs(db, run_id, report_on_doc, &st, &serr) != 0) {
			log_warnx("%s: %s", db_path, serr.msg);
			rc = -1;
		}
	}
	if (report_html_end(st.html) != 0) {
		log_warnx("%s: write error", tmp != NULL ? tmp : "stdout");
		rc = -1;
	}
	if (tmp != NULL && fclose(out) != 0) {
		log_warnx("%s: write error", tmp);
		rc = -1;
	}
	if (tmp != NULL) {
		if (rc == 0 && rename(tmp, output) != 0) {
			log_warnx("%s: cannot rename to %s", tmp, output);
			rc = -1;
		}
		if (rc != 0)
			unlink(tmp);
	}
	if (rc == 0 && st.added == 0)
		log_warnx("report: no scan result read: the page is empty");
	if (rc == 0)
		log_info("%s: %zu domains%s", output, st.added,
		    st.skipped > 0 ? ", some documents skipped" : "");
	if (have_run)
		store_run_clear(&run);
	if (db != NULL && store_close(db, &serr) != 0)
		log_warnx("%s: %s", db_path, serr.msg);
	free(run_text);
	free(tmp);
	free(db_path);
	return rc == 0 ? EXIT_CLEAN : EXIT_USAGE;
}
