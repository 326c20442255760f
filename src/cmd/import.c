/* SPDX-License-Identifier: ISC */
/*
 * import - "mxaudit import FILE...": scan output into the history.
 *
 * Every invocation is one new run (source "import"). The input is what
 * "mxaudit scan" writes as JSON: one document per line (--format jsonl), or
 * documents pretty-printed one after another (--format json), which start
 * with a line "{" and end with a line "}" (jansson indents everything in
 * between, so a line in column 0 before the "}" means the document was cut
 * and the next one begins). A rejected document is reported with the line
 * it starts on and the reason; the others are loaded all the same.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define IMPORT_CHUNK 65536 /* bytes read at once */

static const char import_usage[] =
    "usage: mxaudit import [--db FILE] FILE...\n"
    "\n"
    "Load scan results (docs/scan-result.schema.json) into the history as\n"
    "one new run: JSONL, one document per line (mxaudit scan --format jsonl),\n"
    "or the pretty-printed documents of mxaudit scan --format json. FILE -\n"
    "reads standard input. A document that cannot be loaded (not JSON, no\n"
    "domain, malformed findings, a domain already in the run) is reported\n"
    "as FILE:LINE: reason on standard error; the others are loaded.\n"
    "\n"
    "options:\n"
    "  --db FILE    the history database (default\n"
    "               $XDG_DATA_HOME/mxaudit/mxaudit.db, or\n"
    "               ~/.local/share/mxaudit/mxaudit.db)\n"
    "  -h, --help   this help\n"
    "\n"
    "exit status: 0 every document loaded, 1 some rejected, 2 usage,\n"
    "input or database error\n";

/* a line reader over a FILE with a capped line */
struct import_reader {
	FILE *fp;                 /* borrowed */
	const char *name;         /* borrowed: for messages */
	char chunk[IMPORT_CHUNK]; /* bytes read, not yet cut */
	size_t pos, len;          /* the unread part of chunk */
	unsigned long line;       /* lines read so far */
	bool eof;
};

/* the state of one invocation */
struct import_cmd {
	struct store *store; /* owned */
	int64_t run;
	size_t loaded;
	size_t rejected;
	bool failed; /* the database or an input failed: exit 2 */
};

/*
 * import_getline - the next line, without its "\n", into b; *toolong when
 * it passed b's cap (the rest of it is skipped). Returns 1, or 0 at the end.
 */
static int
import_getline(struct import_reader *r, struct buf *b, bool *toolong)
{
	const char *nl;
	bool any = false;
	size_t n;

	buf_reset(b);
	*toolong = false;
	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				break;
			r->len = fread(r->chunk, 1, sizeof(r->chunk), r->fp);
			r->pos = 0;
			if (r->len == 0) {
				r->eof = true;
				continue;
			}
		}
		any = true;
		nl = memchr(r->chunk + r->pos, '\n', r->len - r->pos);
		n = nl != NULL ? (size_t)(nl - (r->chunk + r->pos))
		               : r->len - r->pos;
		if (!*toolong && buf_append(b, r->chunk + r->pos, n) != 0)
			*toolong = true;
		r->pos += n;
		if (nl != NULL) {
			r->pos++;
			break;
		}
	}
	if (!any)
		return 0;
	r->line++;
	return 1;
}

/* import_reject - "FILE:LINE: reason" */
static void
import_reject(struct import_cmd *c, const struct import_reader *r,
    unsigned long line, const char *reason)
{
	char *safe = str_escape(reason, strlen(reason));

	fprintf(stderr, "%s:%lu: %s\n", r->name, line, safe);
	free(safe);
	c->rejected++;
}

/* import_doc - one document's text, starting on line */
static void
import_doc(struct import_cmd *c, const struct import_reader *r,
    unsigned long line, const char *text, size_t len)
{
	struct store_err err;

	if (c->failed)
		return;
	if (store_add(c->store, c->run, text, len, &err) == 0) {
		c->loaded++;
		return;
	}
	if (err.fatal) {
		log_warnx("%s:%lu: %s", r->name, line, err.msg);
		c->failed = true;
		return;
	}
	import_reject(c, r, line, err.msg);
}

/* import_trim - the length of p without trailing white space */
static size_t
import_trim(const char *p, size_t len)
{
	while (len > 0 &&
	    (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	return len;
}

/* import_is - is the (trimmed) line exactly the character ch, at column 0? */
static bool
import_is(const char *p, size_t len, char ch)
{
	return import_trim(p, len) == 1 && p[0] == ch;
}

/* import_file - every document of one input */
static void
import_file(struct import_cmd *c, FILE *fp, const char *name)
{
	struct import_reader *r = xcalloc(1, sizeof(*r));
	struct buf line, doc;
	unsigned long start = 0; /* first line of the pending document */
	bool toolong, doctoolong = false;
	const char *p;
	size_t len;

	r->fp = fp;
	r->name = name;
	buf_init(&line, STORE_DOC_MAX);
	buf_init(&doc, STORE_DOC_MAX);
	while (!c->failed && import_getline(r, &line, &toolong)) {
		p = buf_str(&line);
		len = line.len;
		if (r->line == 1 && len >= 3 &&
		    memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3; /* a byte order mark */
			len -= 3;
		}
		if (start > 0 && len > 0 && p[0] != ' ' && p[0] != '\t' &&
		    !import_is(p, len, '}')) {
			/*
			 * inside a pretty-printed document every line but the
			 * last is indented: this one starts the next document
			 */
			import_reject(c, r, start, "incomplete document");
			start = 0;
		}
		if (start > 0) {
			if (!doctoolong &&
			    (toolong || buf_append(&doc, "\n", 1) != 0 ||
			        buf_append(&doc, p, len) != 0))
				doctoolong = true;
			if (!import_is(p, len, '}'))
				continue;
			if (doctoolong)
				import_reject(c, r, start,
				    "document larger than the maximum");
			else
				import_doc(c, r, start, doc.data, doc.len);
			start = 0;
			continue;
		}
		if (toolong) {
			import_reject(
			    c, r, r->line, "line larger than the maximum");
			continue;
		}
		if (import_trim(p, len) == 0)
			continue;
		if (import_is(p, len, '{')) {
			/* the first line of a pretty-printed document */
			start = r->line;
			doctoolong = false;
			buf_reset(&doc);
			(void)buf_append(&doc, p, len);
			continue;
		}
		import_doc(c, r, r->line, p, len);
	}
	if (start > 0 && !c->failed)
		import_reject(c, r, start, "incomplete document at the end");
	if (ferror(fp)) {
		log_warnx("%s: read error", name);
		c->failed = true;
	}
	buf_release(&line);
	buf_release(&doc);
	free(r);
}

int
cmd_import(int argc, char **argv)
{
	enum { OPT_DB = 256 };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_cmd c;
	struct store_err err;
	FILE **fps;
	char *path = NULL;
	int ch, i, n, rc;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DB:
			free(path);
			path = xstrdup(optarg);
			break;
		case 'h':
			fputs(import_usage, stdout);
			free(path);
			return EXIT_CLEAN;
		default:
			fputs(import_usage, stderr);
			free(path);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(import_usage, stderr);
		free(path);
		return EXIT_USAGE;
	}
	if (path == NULL && (path = store_default_path(&err)) == NULL)
		log_fatalx("%s: use --db", err.msg);

	/* every input opens, or nothing is recorded */
	n = argc - optind;
	fps = xcalloc((size_t)n, sizeof(*fps));
	for (i = 0; i < n; i++) {
		const char *name = argv[optind + i];

		if (strcmp(name, "-") == 0)
			fps[i] = stdin;
		else if ((fps[i] = fopen(name, "rb")) == NULL)
			log_fatal("%s", name);
	}
	if ((c.store = store_open(path, STORE_OPEN_CREATE, &err)) == NULL)
		log_fatalx("%s", err.msg);
	if ((c.run = store_run_begin(
	         c.store, argc, argv, STORE_SOURCE_IMPORT, &err)) < 0)
		log_fatalx("%s: %s", path, err.msg);

	for (i = 0; i < n; i++) {
		const char *name = argv[optind + i];

		import_file(&c, fps[i], strcmp(name, "-") == 0 ? "-" : name);
		if (fps[i] != stdin)
			fclose(fps[i]);
	}
	free(fps);

	if (store_run_end(c.store, c.run, &err) != 0) {
		log_warnx("%s: %s", path, err.msg);
		c.failed = true;
	}
	if (c.loaded == 0 && !c.failed) {
		/* a run of nothing would only hide the last real one */
		if (store_run_delete(c.store, c.run, &err) != 0) {
			log_warnx("%s: %s", path, err.msg);
			c.failed = true;
		}
		printf("no document loaded, %zu rejected: no run recorded\n",
		    c.rejected);
	} else
		printf("run %lld: %zu document%s loaded, %zu rejected\n",
		    (long long)c.run, c.loaded, c.loaded == 1 ? "" : "s",
		    c.rejected);
	if (store_close(c.store, &err) != 0) {
		log_warnx("%s: %s", path, err.msg);
		c.failed = true;
	}
	free(path);
	rc = c.failed        ? EXIT_USAGE
	    : c.rejected > 0 ? EXIT_FINDINGS
	                     : EXIT_CLEAN;
	return rc;
}
