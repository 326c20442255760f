/* SPDX-License-Identifier: ISC */
/*
 * test_store - the history database and the diff of two documents.
 *
 * Each store test gets its own temporary directory and database file. A
 * version 1 database is written here with version 1's DDL, frozen as it was
 * published, to test the migration the way a user's file meets it. A second
 * SQLite connection looks at the file the way another process would: what
 * it sees is what was committed, which is how the batching is checked. The
 * diff tests build pairs of small documents by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/diff.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include "sqlfix.h"

/* ---- fixtures ---- */

static int
tmp_setup(void **state)
{
	return tmp_make(state, "test_store", "h.db");
}

/* a small document; findings is the JSON of the array */
static char *
mkdoc(const char *domain, const char *worst, const char *findings)
{
	return xasprintf(
	    "{\"domain\": \"%s\", \"scanned_at\": \"2026-11-28T16:00:00Z\", "
	    "\"status\": \"ok\", \"findings\": %s, \"summary\": "
	    "{\"mx_count\": 1, \"addresses\": 1, \"starttls_all\": true, "
	    "\"worst\": \"%s\"}, \"bod1801\": {\"mail\": {\"compliant\": false, "
	    "\"failures\": [\"dmarc\", \"spf\"], \"base_domain\": true}, "
	    "\"web\": null}}",
	    domain, findings, worst);
}

static struct store *
open_ok(const char *path, unsigned flags)
{
	struct store_err err;
	struct store *s = store_open(path, flags, &err);

	if (s == NULL)
		fail_msg("store_open: %s", err.msg);
	return s;
}

static void
add_ok(struct store *s, int64_t run, const char *text)
{
	struct store_err err;

	if (store_add(s, run, text, strlen(text), &err) != 0)
		fail_msg("store_add: %s", err.msg);
}

static char *const test_argv[] = { "scan", "--db", "x.db", "a.test" };

/* ---- opening and migrations ---- */

static void
test_open_empty_file(void **state)
{
	struct tmp *t = *state;
	struct store *s;
	FILE *fp;

	/* a zero-byte file is an empty SQLite database */
	assert_non_null(fp = fopen(t->path, "w"));
	fclose(fp);
	s = open_ok(t->path, 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(store_close(s, NULL), 0);
	assert_int_equal(sql_int(t->path, "SELECT version FROM schema_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(sql_int(t->path,
	                     "SELECT count(*) FROM sqlite_master WHERE name IN "
	                     "('runs', 'results', 'findings', "
	                     "'findings_run_id', 'bod1801_failures')"),
	    5);
	/* WAL is a property of the file */
	assert_int_equal(sql_int(t->path,
	                     "SELECT journal_mode = 'wal' FROM "
	                     "pragma_journal_mode"),
	    1);
	/* opening again migrates nothing */
	s = open_ok(t->path, 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	store_close(s, NULL);
}

static void
test_open_missing(void **state)
{
	struct tmp *t = *state;
	struct store_err err;

	/* without STORE_OPEN_CREATE, no file is made */
	assert_null(store_open(t->path, 0, &err));
	assert_int_equal(access(t->path, F_OK), -1);
}

static void
test_default_path(void **state)
{
	struct tmp *t = *state;
	struct store_err err;
	struct store *s;
	struct stat sb;
	char *xdg = xasprintf("%s/xdg", t->dir), *p, *want;
	char *old_xdg = getenv("XDG_DATA_HOME") != NULL
	    ? xstrdup(getenv("XDG_DATA_HOME"))
	    : NULL;
	char *old_home =
	    getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;

	setenv("XDG_DATA_HOME", xdg, 1);
	assert_non_null(p = store_default_path(&err));
	want = xasprintf("%s/mxaudit/mxaudit.db", xdg);
	assert_string_equal(p, want);
	s = open_ok(p, STORE_OPEN_CREATE);
	store_close(s, NULL);
	free(want);
	want = xasprintf("%s/mxaudit", xdg);
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(xdg, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(want);
	free(p);

	/* a relative XDG_DATA_HOME is ignored (XDG spec) */
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	assert_non_null(p = store_default_path(&err));
	assert_string_equal(p, "/home/someone/.local/share/mxaudit/mxaudit.db");
	free(p);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_null(store_default_path(&err));

	if (old_xdg != NULL)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	if (old_home != NULL)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
	free(xdg);
}

/* version 1 as published: never edit, the migration test depends on it */
static const char schema_v1[] =
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
    "INSERT INTO schema_version (version) VALUES (1);"
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " started_at TEXT NOT NULL,"
    " finished_at TEXT,"
    " source TEXT NOT NULL CHECK (source IN ('scan', 'import')),"
    " argv TEXT,"
    " domains INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE results ("
    " run_id INTEGER NOT NULL REFERENCES runs (id),"
    " domain TEXT NOT NULL,"
    " scanned_at TEXT,"
    " status TEXT,"
    " worst TEXT,"
    " mail_compliant INTEGER,"
    " web_compliant INTEGER,"
    " doc TEXT NOT NULL,"
    " PRIMARY KEY (run_id, domain));"
    "CREATE TABLE findings ("
    " run_id INTEGER NOT NULL,"
    " domain TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " mx TEXT,"
    " ip TEXT,"
    " message TEXT,"
    " FOREIGN KEY (run_id, domain) REFERENCES results (run_id, domain));"
    "CREATE INDEX findings_run_id ON findings (run_id, id);"
    "PRAGMA journal_mode = WAL;"
    "INSERT INTO runs (started_at, finished_at, source, argv, domains) "
    "VALUES ('2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z', 'scan', "
    "'[\"scan\"]', 3);"
    "INSERT INTO results VALUES (1, 'a.test', '2026-11-01T00:00:00Z', "
    "'ok', 'error', 0, NULL, '{\"domain\":\"a.test\",\"summary\":"
    "{\"starttls_all\":true,\"worst\":\"error\"},\"bod1801\":{\"mail\":"
    "{\"compliant\":false,\"failures\":[\"spf\",\"dmarc\"]},\"web\":"
    "{\"compliant\":false,\"failures\":[\"https\"]}},\"findings\":"
    "[{\"id\":\"spf-missing\",\"severity\":\"error\",\"mx\":null,"
    "\"ip\":null,\"message\":\"no SPF\"}]}');"
    "INSERT INTO findings VALUES (1, 'a.test', 'spf-missing', 'error', "
    "NULL, NULL, 'no SPF');"
    "INSERT INTO results VALUES (1, 'b.test', NULL, 'ok', 'none', 1, "
    "NULL, '{\"domain\":\"b.test\",\"summary\":{\"starttls_all\":false}}');"
    "INSERT INTO results VALUES (1, 'c.test', NULL, NULL, NULL, NULL, "
    "NULL, 'not json at all');";

static int
count_failure_cb(const struct store_failure_count *c, void *arg)
{
	struct buf *b = arg;

	buf_printf(
	    b, "%s/%s=%lld;", c->side, c->failure, (long long)c->domains);
	return 0;
}

static void
test_migrate_from_v1(void **state)
{
	struct tmp *t = *state;
	struct store_run r;
	struct store *s;
	struct buf b;

	sql_exec(t->path, schema_v1);
	s = open_ok(t->path, 0);
	assert_int_equal(store_schema_version(s), 2);
	/* the data of version 1 is all there, and the new columns are filled */
	assert_int_equal(store_run_get(s, 1, &r, NULL), 1);
	assert_int_equal(r.domains, 3);
	assert_int_equal(r.rejected, 0);
	assert_string_equal(r.source, "scan");
	store_run_clear(&r);
	buf_init(&b, 4096);
	assert_int_equal(
	    store_failure_counts(s, 1, count_failure_cb, &b, NULL), 0);
	assert_string_equal(
	    buf_str(&b), "mail/dmarc=1;mail/spf=1;web/https=1;");
	buf_release(&b);
	store_close(s, NULL);
	assert_int_equal(sql_int(t->path,
	                     "SELECT starttls_all FROM results WHERE "
	                     "domain = 'a.test'"),
	    1);
	assert_int_equal(sql_int(t->path,
	                     "SELECT starttls_all FROM results WHERE "
	                     "domain = 'b.test'"),
	    0);
	/* a document that does not parse keeps NULL, and did not stop it */
	assert_int_equal(sql_int(t->path,
	                     "SELECT starttls_all IS NULL FROM results "
	                     "WHERE domain = 'c.test'"),
	    1);
	assert_int_equal(
	    sql_int(t->path, "SELECT version FROM schema_version"), 2);
}

static void
test_refuse_newer(void **state)
{
	struct tmp *t = *state;
	struct store_err err;
	struct store *s;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	store_close(s, NULL);
	sql_exec(t->path, "UPDATE schema_version SET version = 99");
	assert_null(store_open(t->path, 0, &err));
	assert_non_null(strstr(err.msg, "newer"));
	/* and left it alone */
	assert_int_equal(
	    sql_int(t->path, "SELECT version FROM schema_version"), 99);
}

static void
test_refuse_foreign(void **state)
{
	struct tmp *t = *state;
	struct store_err err;
	char *junk = xasprintf("%s/junk", t->dir);
	FILE *fp;

	sql_exec(t->path, "CREATE TABLE cookies (name TEXT)");
	assert_null(store_open(t->path, 0, &err));
	assert_non_null(strstr(err.msg, "not an mxaudit history"));
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sqlite_master"), 1);
	/* not SQLite at all */
	assert_non_null(fp = fopen(junk, "w"));
	fputs("this is not a database, but it is long enough to look like "
	      "one to a reader that only checks the size of the file ....\n",
	    fp);
	fclose(fp);
	assert_null(store_open(junk, 0, &err));
	free(junk);
}

/* ---- runs and documents ---- */

struct collect {
	struct buf b;
	int stop_after; /* stop the walk after this many (0: never) */
	int n;
};

static int
collect_doc_cb(const struct store_doc *doc, void *arg)
{
	struct collect *c = arg;

	assert_int_equal(strlen(doc->json), doc->len);
	buf_printf(&c->b, "%s|%s\n", doc->domain, doc->json);
	return ++c->n == c->stop_after ? 7 : 0;
}

static int
collect_run_cb(const struct store_run *r, void *arg)
{
	struct collect *c = arg;

	buf_printf(&c->b, "%lld:%s:%s:%lld:%lld;", (long long)r->id, r->source,
	    r->finished_at != NULL ? "done" : "open", (long long)r->domains,
	    (long long)r->rejected);
	return 0;
}

static void
test_add_iterate_list(void **state)
{
	struct tmp *t = *state;
	struct collect c;
	struct store_err err;
	struct store_run r;
	struct store *s;
	int64_t run1, run2, run3, latest;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	assert_int_equal(store_latest_run(s, 0, &latest, NULL), 0);
	assert_int_equal(latest, 0);
	run1 = store_run_begin(s, 4, test_argv, STORE_SOURCE_SCAN, &err);
	assert_int_equal(run1, 1);
	/* one run at a time */
	assert_int_equal(
	    store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, &err), -1);
	/* pretty, with the newline report_json_write ends with, out of order */
	add_ok(s, run1,
	    "{\n  \"domain\": \"b.test\",\n  \"duration_ms\": 12.3,\n"
	    "  \"findings\": []\n}\n");
	add_ok(s, run1, "  {\"domain\": \"a.test\", \"x\": \"\\u00e9\"}  ");
	assert_int_equal(store_run_end(s, run1, &err), 0);
	/* no run is open now */
	assert_int_equal(
	    store_add(s, run1, "{\"domain\":\"c.test\"}", 19, &err), -1);

	run2 = store_run_begin(s, 4, test_argv, STORE_SOURCE_IMPORT, &err);
	assert_int_equal(run2, 2);
	add_ok(s, run2, "{\"domain\": \"c.test\"}");
	assert_int_equal(store_run_end(s, run2, &err), 0);
	run3 = store_run_begin(s, 4, test_argv, STORE_SOURCE_SCAN, &err);
	add_ok(s, run3, "{\"domain\": \"d.test\"}");
	assert_int_equal(store_commit(s, &err), 0);

	/* documents in domain order, stored compact */
	memset(&c, 0, sizeof(c));
	buf_init(&c.b, 1 << 16);
	assert_int_equal(store_docs(s, run1, collect_doc_cb, &c, &err), 0);
	assert_string_equal(buf_str(&c.b),
	    "a.test|{\"domain\":\"a.test\",\"x\":\"\xc3\xa9\"}\n"
	    "b.test|{\"domain\":\"b.test\",\"duration_ms\":12.3,"
	    "\"findings\":[]}\n");
	/* the callback stops the walk and its value comes back */
	buf_reset(&c.b);
	c.n = 0;
	c.stop_after = 1;
	assert_int_equal(store_docs(s, run1, collect_doc_cb, &c, &err), 7);
	assert_int_equal(c.n, 1);

	/* runs newest first; the open one is left out when asked */
	buf_reset(&c.b);
	assert_int_equal(store_runs(s, 0, 0, collect_run_cb, &c, &err), 0);
	assert_string_equal(buf_str(&c.b),
	    "3:scan:open:1:0;2:import:done:1:0;1:scan:done:2:0;");
	buf_reset(&c.b);
	assert_int_equal(
	    store_runs(s, STORE_RUNS_FINISHED, 1, collect_run_cb, &c, &err), 0);
	assert_string_equal(buf_str(&c.b), "2:import:done:1:0;");
	assert_int_equal(store_latest_run(s, 0, &latest, &err), 0);
	assert_int_equal(latest, run3);
	assert_int_equal(
	    store_latest_run(s, STORE_RUNS_FINISHED, &latest, &err), 0);
	assert_int_equal(latest, run2);

	assert_int_equal(store_run_get(s, run1, &r, &err), 1);
	assert_string_equal(r.argv, "[\"scan\",\"--db\",\"x.db\",\"a.test\"]");
	assert_non_null(r.finished_at);
	store_run_clear(&r);
	assert_int_equal(store_run_get(s, 42, &r, &err), 0);

	/* deleting a run takes its rows; the open one cannot go */
	assert_int_equal(store_run_delete(s, run3, &err), -1);
	assert_int_equal(store_run_delete(s, run1, &err), 0);
	assert_int_equal(store_run_get(s, run1, &r, &err), 0);
	assert_int_equal(store_run_delete(s, run1, &err), -1);
	buf_release(&c.b);
	/* closing with run 3 open keeps its document, unfinished */
	assert_int_equal(store_close(s, &err), 0);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM results WHERE run_id = 3"),
	    1);
	assert_int_equal(sql_int(t->path,
	                     "SELECT finished_at IS NULL FROM runs WHERE "
	                     "id = 3"),
	    1);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM results WHERE run_id = 1"),
	    0);
}

static void
test_two_cursors(void **state)
{
	struct tmp *t = *state;
	struct store_cursor *ca, *cb;
	struct store_doc da, db;
	struct store *s;
	int64_t r1, r2;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	r1 = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, NULL);
	add_ok(s, r1, "{\"domain\": \"b\"}");
	add_ok(s, r1, "{\"domain\": \"a\"}");
	store_run_end(s, r1, NULL);
	r2 = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, NULL);
	add_ok(s, r2, "{\"domain\": \"c\"}");
	store_run_end(s, r2, NULL);
	assert_non_null(ca = store_cursor_open(s, r1, NULL));
	assert_non_null(cb = store_cursor_open(s, r2, NULL));
	assert_int_equal(store_cursor_next(ca, &da, NULL), 1);
	assert_int_equal(store_cursor_next(cb, &db, NULL), 1);
	assert_string_equal(da.domain, "a");
	assert_string_equal(db.domain, "c");
	assert_int_equal(store_cursor_next(ca, &da, NULL), 1);
	assert_string_equal(da.domain, "b");
	assert_int_equal(store_cursor_next(cb, &db, NULL), 0);
	assert_int_equal(store_cursor_next(ca, &da, NULL), 0);
	store_cursor_free(ca);
	store_cursor_free(cb);
	store_close(s, NULL);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *reason; /* a part of the message */
	} bad[] = {
		{ "", "invalid JSON" },
		{ "not json", "invalid JSON" },
		{ "{\"domain\": \"x.test\"", "invalid JSON" },
		{ "{\"domain\": \"x.test\"} {}", "invalid JSON" },
		{ "{\"domain\": \"x.test\", \"domain\": \"y.test\"}",
		    "invalid JSON" },
		{ "[1, 2]", "not a JSON object" },
		{ "\"a.test\"", "invalid JSON" },
		{ "{}", "no \"domain\"" },
		{ "{\"domain\": 5}", "no \"domain\"" },
		{ "{\"domain\": \"\"}", "no \"domain\"" },
		{ "{\"domain\": \"a\\u0000b\"}", "no \"domain\"" },
		{ "{\"domain\": \"x.test\", \"findings\": {}}",
		    "not an array" },
		{ "{\"domain\": \"x.test\", \"findings\": [1]}",
		    "findings[0] is not an object" },
		{ "{\"domain\": \"x.test\", \"findings\": [{\"severity\": "
		  "\"error\"}]}",
		    "findings[0] has no \"id\"" },
		{ "{\"domain\": \"x.test\", \"findings\": [{\"id\": \"a\", "
		  "\"severity\": \"fatal\"}]}",
		    "x.test: findings[0]: \"severity\"" },
		{ "{\"domain\": \"x.test\", \"findings\": [{\"id\": \"a\", "
		  "\"severity\": \"info\", \"mx\": 3}]}",
		    "\"mx\" is not a string" },
		{ "{\"domain\": \"x.test\", \"bod1801\": {\"mail\": "
		  "{\"failures\": [null]}}}",
		    "bod1801.mail.failures[0]" },
		{ "{\"domain\": \"a.test\"}", "already in run 1" },
		{ "{\"domain\": \"a.test\"\n,\"x\": tru}", "line 2, column" },
	};
	struct tmp *t = *state;
	struct store_err err;
	struct store_run r;
	struct store *s;
	int64_t run;
	size_t i;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	run = store_run_begin(s, 0, NULL, STORE_SOURCE_IMPORT, &err);
	add_ok(s, run,
	    "{\"domain\": \"a.test\", \"findings\": [{\"id\": "
	    "\"x\", \"severity\": \"error\"}]}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    store_add(s, run, bad[i].text, strlen(bad[i].text), &err),
		    -1);
		assert_false(err.fatal);
		if (strstr(err.msg, bad[i].reason) == NULL)
			fail_msg("%zu: \"%s\" not in \"%s\"", i, bad[i].reason,
			    err.msg);
	}
	/* bytes past len are never read */
	assert_int_equal(
	    store_add(s, run, "{\"domain\": \"z.test\"}", 5, &err), -1);
	add_ok(s, run, "{\"domain\": \"b.test\"}");
	assert_int_equal(store_run_end(s, run, &err), 0);
	assert_int_equal(store_run_get(s, run, &r, &err), 1);
	assert_int_equal(r.domains, 2);
	assert_int_equal(r.rejected, sizeof(bad) / sizeof(bad[0]) + 1);
	store_run_clear(&r);
	store_close(s, NULL);
	/* the rejected duplicate left the first a.test and its finding */
	assert_int_equal(sql_int(t->path, "SELECT count(*) FROM findings"), 1);
	assert_int_equal(sql_int(t->path, "SELECT count(*) FROM results"), 2);
}

static void
test_add_doc_example(void **state)
{
	struct tmp *t = *state;
	const char *dir = getenv("MXAUDIT_TESTDATA");
	struct store_err err;
	struct store *s;
	json_error_t jerr;
	json_t *doc;
	char *path;
	int64_t run;

	path =
	    xasprintf("%s/scan-example.json", dir != NULL ? dir : "tests/data");
	doc = json_load_file(path, 0, &jerr);
	free(path);
	if (doc == NULL)
		skip();
	s = open_ok(t->path, STORE_OPEN_CREATE);
	run = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, &err);
	assert_int_equal(store_add_doc(s, run, doc, &err), 0);
	/* the same document again is a duplicate, and the run goes on */
	assert_int_equal(store_add_doc(s, run, doc, &err), -1);
	json_decref(doc);
	store_run_end(s, run, NULL);
	store_close(s, NULL);
	assert_int_equal(sql_int(t->path,
	                     "SELECT count(*) FROM findings WHERE id = "
	                     "'starttls-missing' AND mx = 'mx2.example.test' "
	                     "AND ip = '127.0.0.20' AND severity = 'error'"),
	    1);
	assert_int_equal(sql_int(t->path,
	                     "SELECT (worst = 'error') + 2 * (status = 'ok') + "
	                     "4 * (mail_compliant IS NULL) + 8 * "
	                     "(web_compliant IS NULL) + 16 * (starttls_all = 0)"
	                     " FROM results"),
	    31);
}

/* ---- counts ---- */

static int
count_finding_cb(const struct store_finding_count *c, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s/%s=%lld/%lld;", c->id, c->severity,
	    (long long)c->findings, (long long)c->domains);
	return 0;
}

static void
test_counts(void **state)
{
	struct tmp *t = *state;
	struct store_counts n;
	struct store *s;
	struct buf b;
	int64_t run, other;
	char *d;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	run = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, NULL);
	d = mkdoc("a.test", "error",
	    "[{\"id\": \"starttls-missing\", \"severity\": \"error\", "
	    "\"mx\": \"mx1\", \"ip\": \"192.0.2.1\", \"message\": \"m\"},"
	    "{\"id\": \"starttls-missing\", \"severity\": \"error\", "
	    "\"mx\": \"mx2\", \"ip\": \"192.0.2.2\", \"message\": \"m\"},"
	    "{\"id\": \"mta-sts-missing\", \"severity\": \"info\", "
	    "\"mx\": null, \"ip\": null, \"message\": \"m\"}]");
	add_ok(s, run, d);
	free(d);
	d = mkdoc("b.test", "warning",
	    "[{\"id\": \"proto-tls10\", \"severity\": \"warning\", "
	    "\"mx\": \"mx1\", \"ip\": \"192.0.2.1\", \"message\": \"m\"},"
	    "{\"id\": \"starttls-missing\", \"severity\": \"error\", "
	    "\"mx\": \"mx1\", \"ip\": \"192.0.2.1\", \"message\": \"m\"}]");
	add_ok(s, run, d);
	free(d);
	add_ok(s, run,
	    "{\"domain\": \"c.test\", \"status\": \"error\", \"summary\": "
	    "{\"worst\": \"none\", \"starttls_all\": false}, \"bod1801\": "
	    "{\"mail\": {\"compliant\": true, \"failures\": []}, \"web\": "
	    "{\"compliant\": false, \"failures\": [\"https\", "
	    "\"strong-hsts\"]}}}");
	store_run_end(s, run, NULL);
	/* another run does not count */
	other = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, NULL);
	d = mkdoc("a.test", "error", "[]");
	add_ok(s, other, d);
	free(d);
	store_run_end(s, other, NULL);

	buf_init(&b, 4096);
	assert_int_equal(
	    store_finding_counts(s, run, count_finding_cb, &b, NULL), 0);
	assert_string_equal(buf_str(&b),
	    "starttls-missing/error=3/2;proto-tls10/warning=1/1;"
	    "mta-sts-missing/info=1/1;");
	buf_reset(&b);
	assert_int_equal(
	    store_failure_counts(s, run, count_failure_cb, &b, NULL), 0);
	assert_string_equal(buf_str(&b),
	    "mail/dmarc=2;mail/spf=2;web/https=1;web/strong-hsts=1;");
	buf_release(&b);

	assert_int_equal(store_run_counts(s, run, &n, NULL), 0);
	assert_int_equal(n.domains, 3);
	assert_int_equal(n.status_ok, 2);
	assert_int_equal(n.status_error, 1);
	assert_int_equal(n.worst_error, 1);
	assert_int_equal(n.worst_warning, 1);
	assert_int_equal(n.worst_info, 0);
	assert_int_equal(n.worst_none, 1);
	assert_int_equal(n.starttls_all, 2);
	assert_int_equal(n.mail_compliant, 1);
	assert_int_equal(n.mail_noncompliant, 2);
	assert_int_equal(n.mail_unscored, 0);
	assert_int_equal(n.web_compliant, 0);
	assert_int_equal(n.web_noncompliant, 1);
	assert_int_equal(n.web_unscored, 2);
	/* a run with nothing counts zeros */
	assert_int_equal(store_run_counts(s, 99, &n, NULL), 0);
	assert_int_equal(n.domains, 0);
	assert_int_equal(n.status_ok, 0);
	store_close(s, NULL);
}

/*
 * test_bulk - 10,000 documents; another connection sees nothing until a
 * batch commits, and everything after the run ends
 */
static void
test_bulk(void **state)
{
	struct tmp *t = *state;
	struct store_err err;
	struct store *s;
	char domain[64], *d;
	int64_t run;
	int i;

	s = open_ok(t->path, STORE_OPEN_CREATE);
	run = store_run_begin(s, 0, NULL, STORE_SOURCE_SCAN, &err);
	for (i = 0; i < 10000; i++) {
		snprintf(domain, sizeof(domain), "d%05d.test", i);
		d = mkdoc(domain, "error",
		    "[{\"id\": \"starttls-missing\", \"severity\": \"error\", "
		    "\"mx\": \"mx\", \"ip\": \"192.0.2.1\", \"message\": "
		    "\"m\"}]");
		add_ok(s, run, d);
		free(d);
		/* the first document is in a batch nobody else sees yet */
		if (i == 0)
			assert_int_equal(
			    sql_int(t->path, "SELECT count(*) FROM results"),
			    0);
		/* by the end of the first full batch, one has committed */
		if (i == STORE_BATCH_DOCS - 1)
			assert_true(sql_int(t->path,
			                "SELECT count(*) FROM results") > 0);
	}
	assert_int_equal(store_run_end(s, run, &err), 0);
	store_close(s, NULL);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM results"), 10000);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM findings"), 10000);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM bod1801_failures"), 20000);
	assert_int_equal(sql_int(t->path, "SELECT domains FROM runs"), 10000);
}

/* ---- diff ---- */

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return j;
}

/* diff_text - the diff of two documents as text lines */
static char *
diff_text(const char *a, const char *b, struct store_diff *d)
{
	json_t *ja = a != NULL ? J(a) : NULL, *jb = b != NULL ? J(b) : NULL;
	struct buf out;
	size_t i;

	buf_init(&out, 1 << 16);
	store_diff_docs(d, ja, jb);
	for (i = 0; i < d->n; i++)
		assert_int_equal(
		    store_diff_change_text(&out, "x.test", &d->changes[i]), 0);
	json_decref(ja);
	json_decref(jb);
	/* the changes' strings pointed into ja/jb: only the text is kept */
	return buf_detach(&out);
}

static void
expect_diff(const char *a, const char *b, const char *want, bool regression)
{
	struct store_diff d;
	char *got;

	store_diff_init(&d);
	got = diff_text(a, b, &d);
	if (strcmp(got, want) != 0)
		fail_msg(
		    "diff\n  %s\n  %s\ngot:\n%swant:\n%s", a, b, got, want);
	assert_int_equal(store_diff_regression(&d), regression);
	free(got);
	store_diff_release(&d);
}

static void
test_diff_domain(void **state)
{
	(void)state;
	expect_diff(
	    "{\"domain\": \"x.test\"}", "{\"domain\": \"x.test\"}", "", false);
	expect_diff(NULL, "{\"domain\": \"x.test\"}",
	    "x.test: change: domain-added: only in the newer run\n", false);
	expect_diff("{\"domain\": \"x.test\"}", NULL,
	    "x.test: change: domain-removed: only in the older run\n", false);
	expect_diff(NULL, NULL, "", false);
}

static void
test_diff_starttls(void **state)
{
	(void)state;
	expect_diff("{\"summary\": {\"starttls_all\": true}}",
	    "{\"summary\": {\"starttls_all\": false}}",
	    "x.test: regression: starttls-lost: not every MX address "
	    "completes STARTTLS any more\n",
	    true);
	expect_diff("{\"summary\": {\"starttls_all\": false}}",
	    "{\"summary\": {\"starttls_all\": true}}",
	    "x.test: improvement: starttls-gained: every MX address now "
	    "completes STARTTLS\n",
	    false);
	/* unknown on one side: no change */
	expect_diff("{\"summary\": {\"starttls_all\": true}}",
	    "{\"summary\": {}}", "", false);
}

#define ADDR(host, ip, expired, not_after)                               \
	"{\"host\": \"" host "\", \"addresses\": [{\"ip\": \"" ip "\", " \
	"\"tls\": {\"cert\": {\"expired\": " expired ", \"not_after\": " \
	"\"" not_after "\"}}}]}"

static void
test_diff_cert(void **state)
{
	(void)state;
	expect_diff("{\"mx\": [" ADDR("mx1", "192.0.2.1", "false",
	                "2026-11-01") ", " ADDR("mx2", "192.0.2.2", "false",
	                "2027-01-01") "]}",
	    "{\"mx\": [" ADDR(
	        "mx2", "192.0.2.2", "false", "2027-01-01") ", " ADDR("mx1",
	        "192.0.2.1", "true", "2026-11-01") "]}",
	    "x.test: regression: cert-expired: mx1 192.0.2.1: the "
	    "certificate has expired (not after 2026-11-01)\n",
	    true);
	/* a new address that comes with an expired certificate */
	expect_diff("{\"mx\": []}",
	    "{\"mx\": [" ADDR("mx1", "192.0.2.9", "true", "2026-11-01") "]}",
	    "x.test: regression: cert-expired: mx1 192.0.2.9: the "
	    "certificate has expired (not after 2026-11-01)\n",
	    true);
	expect_diff(
	    "{\"mx\": [" ADDR("mx1", "192.0.2.1", "true", "2026-11-01") "]}",
	    "{\"mx\": [" ADDR("mx1", "192.0.2.1", "false", "2027-11-01") "]}",
	    "x.test: improvement: cert-renewed: mx1 192.0.2.1: the "
	    "certificate is no longer expired (not after 2027-11-01)\n",
	    false);
	/* expired in both, or the address gone: no change */
	expect_diff(
	    "{\"mx\": [" ADDR("mx1", "192.0.2.1", "true", "2026-11-01") "]}",
	    "{\"mx\": [" ADDR("mx1", "192.0.2.1", "true", "2026-11-01") "]}",
	    "", false);
	expect_diff(
	    "{\"mx\": [" ADDR("mx1", "192.0.2.1", "true", "2026-11-01") "]}",
	    "{\"mx\": []}", "", false);
	/* the web side */
	expect_diff("{\"web\": {\"https_expired_cert\": false}}",
	    "{\"web\": {\"https_expired_cert\": true}}",
	    "x.test: regression: web-cert-expired: the HTTPS certificate has "
	    "expired\n",
	    true);
	expect_diff("{\"web\": {\"https_expired_cert\": true}}",
	    "{\"web\": {\"https_expired_cert\": false}}",
	    "x.test: improvement: web-cert-renewed: the HTTPS certificate is "
	    "no longer expired\n",
	    false);
}

static void
test_diff_policies(void **state)
{
	(void)state;
	expect_diff("{\"dmarc\": {\"policy\": \"reject\"}}",
	    "{\"dmarc\": {\"policy\": \"quarantine\"}}",
	    "x.test: regression: dmarc-weakened: DMARC policy reject -> "
	    "quarantine\n",
	    true);
	expect_diff("{\"dmarc\": {\"policy\": \"none\"}}",
	    "{\"dmarc\": {\"policy\": \"reject\"}}",
	    "x.test: improvement: dmarc-strengthened: DMARC policy none -> "
	    "reject\n",
	    false);
	/* no record at all is below p=none */
	expect_diff("{\"dmarc\": {\"policy\": \"none\"}}", "{\"dmarc\": null}",
	    "x.test: regression: dmarc-weakened: DMARC policy none -> "
	    "missing\n",
	    true);
	expect_diff("{\"dmarc\": {\"policy\": null}}",
	    "{\"dmarc\": {\"policy\": \"quarantine\"}}",
	    "x.test: improvement: dmarc-strengthened: DMARC policy missing -> "
	    "quarantine\n",
	    false);
	/* not checked in one of the runs: no change */
	expect_diff("{\"dmarc\": {\"policy\": \"reject\"}}", "{}", "", false);

	expect_diff("{\"spf\": {\"valid\": true, \"status\": \"ok\"}}",
	    "{\"spf\": {\"valid\": false, \"status\": \"syntax\"}}",
	    "x.test: regression: spf-invalid: SPF no longer valid: status ok "
	    "-> syntax\n",
	    true);
	expect_diff("{\"spf\": {\"valid\": true, \"status\": \"ok\"}}",
	    "{\"spf\": null}",
	    "x.test: regression: spf-invalid: SPF no longer valid: status ok "
	    "-> missing\n",
	    true);
	expect_diff("{\"spf\": {\"valid\": false, \"status\": \"none\"}}",
	    "{\"spf\": {\"valid\": true, \"status\": \"ok\"}}",
	    "x.test: improvement: spf-valid: SPF now valid: status none -> "
	    "ok\n",
	    false);

	expect_diff("{\"mta_sts\": {\"mode\": \"enforce\"}}",
	    "{\"mta_sts\": {\"mode\": \"testing\"}}",
	    "x.test: regression: mta-sts-weakened: MTA-STS mode enforce -> "
	    "testing\n",
	    true);
	expect_diff("{\"mta_sts\": null}",
	    "{\"mta_sts\": {\"mode\": \"none\"}}",
	    "x.test: improvement: mta-sts-strengthened: MTA-STS mode missing "
	    "-> none\n",
	    false);
	/* an unknown mode counts as missing, and is never printed */
	expect_diff("{\"mta_sts\": {\"mode\": \"\\u001b[2J\"}}",
	    "{\"mta_sts\": null}", "", false);
}

static void
test_diff_bod1801(void **state)
{
	(void)state;
	expect_diff("{\"bod1801\": {\"mail\": {\"compliant\": true}, "
	            "\"web\": {\"compliant\": false}}}",
	    "{\"bod1801\": {\"mail\": {\"compliant\": false, \"failures\": "
	    "[\"dmarc-policy-reject\", \"spf\"]}, \"web\": {\"compliant\": "
	    "true}}}",
	    "x.test: regression: bod1801-mail-compliance-lost: BOD 18-01 "
	    "mail: no longer compliant (fails: dmarc-policy-reject, spf)\n"
	    "x.test: improvement: bod1801-web-compliance-gained: BOD 18-01 "
	    "web: now compliant\n",
	    true);
	expect_diff("{\"bod1801\": {\"mail\": {\"compliant\": false}, "
	            "\"web\": {\"compliant\": true}}}",
	    "{\"bod1801\": {\"mail\": {\"compliant\": true}, \"web\": "
	    "{\"compliant\": false, \"failures\": []}}}",
	    "x.test: regression: bod1801-web-compliance-lost: BOD 18-01 web: "
	    "no longer compliant\n"
	    "x.test: improvement: bod1801-mail-compliance-gained: BOD 18-01 "
	    "mail: now compliant\n",
	    true);
	/* not scored (null) on one side: no change */
	expect_diff("{\"bod1801\": {\"mail\": {\"compliant\": true}}}",
	    "{\"bod1801\": {\"mail\": {\"compliant\": null}}}", "", false);
}

#define FINDING(id, sev, mx, ip, msg)                                 \
	"{\"id\": \"" id "\", \"severity\": \"" sev "\", \"mx\": " mx \
	", \"ip\": " ip ", \"message\": \"" msg "\"}"

static void
test_diff_findings(void **state)
{
	(void)state;
	expect_diff(
	    "{\"findings\": [" FINDING("cert-expires-soon", "warning",
	        "\"mx1\"", "\"192.0.2.1\"",
	        "expires in 12 days") ", " FINDING("mta-sts-missing", "info",
	        "null", "null", "no MTA-STS") ", " FINDING("proto-tls10",
	        "warning", "\"mx1\"", "\"192.0.2.1\"", "TLS 1.0") "]}",
	    "{\"findings\": [" FINDING("proto-tls10", "warning", "\"mx1\"",
	        "\"192.0.2.1\"", "TLS 1.0") ", " FINDING("cert-expires-soon",
	        "warning", "\"mx1\"", "\"192.0.2.1\"",
	        "expires in 5 days") ", " FINDING("starttls-missing", "error",
	        "\"mx2\"", "\"192.0.2.2\"",
	        "no STARTTLS") ", " FINDING("tlsrpt-"
	                                    "missing",
	        "info", "null", "null", "no TLS-RPT") ", " FINDING("starttls-"
	                                                           "missing",
	        "error", "\"mx2\"", "\"192.0.2.2\"", "no STARTTLS") "]}",
	    /* the message changed: no change; a duplicate counts once */
	    "x.test: regression: finding-appeared: error starttls-missing mx2 "
	    "192.0.2.2: no STARTTLS\n"
	    "x.test: change: finding-appeared: info tlsrpt-missing: no "
	    "TLS-RPT\n"
	    "x.test: change: finding-disappeared: info mta-sts-missing: no "
	    "MTA-STS\n",
	    true);
	/* same id, other address: one disappears, one appears */
	expect_diff("{\"findings\": [" FINDING("proto-tls10", "warning",
	                "\"mx1\"", "\"192.0.2.1\"", "a") "]}",
	    "{\"findings\": [" FINDING(
	        "proto-tls10", "warning", "\"mx1\"", "\"192.0.2.3\"", "a") "]}",
	    "x.test: regression: finding-appeared: warning proto-tls10 mx1 "
	    "192.0.2.3: a\n"
	    "x.test: improvement: finding-disappeared: warning proto-tls10 "
	    "mx1 192.0.2.1: a\n",
	    true);
	/* a severity that changed is two changes */
	expect_diff("{\"findings\": [" FINDING(
	                "x", "warning", "null", "null", "a") "]}",
	    "{\"findings\": [" FINDING("x", "error", "null", "null", "a") "]}",
	    "x.test: regression: finding-appeared: error x: a\n"
	    "x.test: improvement: finding-disappeared: warning x: a\n",
	    true);
}

static void
test_diff_order_and_output(void **state)
{
	static const char *const names[] = { "dmarc-weakened",
		"finding-appeared", "starttls-gained", "finding-disappeared" };
	struct store_diff d;
	json_t *a, *b, *j;
	struct buf out;
	size_t i;

	(void)state;
	a = J(
	    "{\"summary\": {\"starttls_all\": false}, \"dmarc\": {\"policy\": "
	    "\"reject\"}, \"findings\": [" FINDING(
	        "old", "error", "null", "null", "gone") "]}");
	b = J("{\"summary\": {\"starttls_all\": true}, \"dmarc\": {\"policy\": "
	      "\"none\"}, \"findings\": [" FINDING("new", "error", "\"mx\"",
	          "null", "bad \\u001b]0;title\\u0007 \\u202e x \\u00e9") "]}");
	store_diff_init(&d);
	store_diff_docs(&d, a, b);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.count[STORE_DIFF_REGRESSION], 2);
	assert_int_equal(d.count[STORE_DIFF_IMPROVEMENT], 2);
	assert_int_equal(d.count[STORE_DIFF_NEUTRAL], 0);
	/* regressions first; in each, the named transitions before findings */
	assert_int_equal(d.changes[0].kind, STORE_DIFF_DMARC_WEAKENED);
	assert_int_equal(d.changes[1].kind, STORE_DIFF_FINDING_APPEARED);
	assert_int_equal(d.changes[2].kind, STORE_DIFF_STARTTLS_GAINED);
	assert_int_equal(d.changes[3].kind, STORE_DIFF_FINDING_DISAPPEARED);
	for (i = 0; i < d.n; i++)
		assert_string_equal(
		    store_diff_kind_name(d.changes[i].kind), names[i]);

	/* text: controls and bidi overrides escaped, UTF-8 letters kept */
	buf_init(&out, 4096);
	assert_int_equal(
	    store_diff_change_text(&out, "x\x1b.test", &d.changes[1]), 0);
	assert_string_equal(buf_str(&out),
	    "x\\x1B.test: regression: finding-appeared: error new mx: bad "
	    "\\x1B]0;title\\x07 \\xE2\\x80\\xAE x \xc3\xa9\n");
	buf_release(&out);

	/* JSON: every key, null where not known */
	j = store_diff_change_json(&d.changes[0]);
	assert_string_equal(
	    json_string_value(json_object_get(j, "change")), "dmarc-weakened");
	assert_string_equal(
	    json_string_value(json_object_get(j, "effect")), "regression");
	assert_string_equal(
	    json_string_value(json_object_get(j, "from")), "reject");
	assert_string_equal(
	    json_string_value(json_object_get(j, "to")), "none");
	assert_true(json_is_null(json_object_get(j, "id")));
	assert_true(json_is_null(json_object_get(j, "failures")));
	assert_int_equal(json_object_size(j), 10);
	json_decref(j);
	j = store_diff_change_json(&d.changes[1]);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "new");
	assert_string_equal(
	    json_string_value(json_object_get(j, "severity")), "error");
	assert_string_equal(json_string_value(json_object_get(j, "mx")), "mx");
	assert_true(json_is_null(json_object_get(j, "ip")));
	json_decref(j);

	/* the list is reused for the next domain */
	store_diff_docs(&d, a, a);
	assert_int_equal(d.n, 0);
	assert_false(store_diff_regression(&d));
	store_diff_release(&d);
	json_decref(a);
	json_decref(b);
}

static void
test_diff_garbage(void **state)
{
	static const char *const docs[] = {
		"{}",
		"[]",
		"5",
		"null",
		"{\"findings\": 5, \"mx\": {}, \"summary\": [], \"bod1801\": 1}",
		"{\"findings\": [1, null, {}, {\"id\": 1}, {\"id\": \"a\"}], "
		"\"mx\": [1, {\"addresses\": 2}, {\"addresses\": [1, {\"tls\": "
		"5}, {\"tls\": {\"cert\": {\"expired\": true}}}]}]}",
		"{\"dmarc\": 5, \"spf\": [], \"mta_sts\": \"enforce\", \"web\": "
		"3, \"bod1801\": {\"mail\": {\"compliant\": false, \"failures\": "
		"[1, null]}}}",
		"{\"bod1801\": {\"mail\": {\"compliant\": true}}}",
	};
	struct store_diff d;
	struct buf out;
	size_t i, j, k;
	json_t *a, *b;

	(void)state;
	store_diff_init(&d);
	buf_init(&out, 1 << 16);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		for (j = 0; j < sizeof(docs) / sizeof(docs[0]); j++) {
			a = json_loads(docs[i], JSON_DECODE_ANY, NULL);
			b = json_loads(docs[j], JSON_DECODE_ANY, NULL);
			store_diff_docs(&d, a, b);
			for (k = 0; k < d.n; k++) {
				buf_reset(&out);
				assert_int_equal(store_diff_change_text(
				                     &out, "x", &d.changes[k]),
				    0);
				json_decref(
				    store_diff_change_json(&d.changes[k]));
			}
			json_decref(a);
			json_decref(b);
		}
	buf_release(&out);
	store_diff_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_open_empty_file, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_open_missing, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_default_path, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrate_from_v1, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refuse_newer, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refuse_foreign, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_add_iterate_list, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_two_cursors, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_malformed, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_add_doc_example, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_counts, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_bulk, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_diff_domain),
		cmocka_unit_test(test_diff_starttls),
		cmocka_unit_test(test_diff_cert),
		cmocka_unit_test(test_diff_policies),
		cmocka_unit_test(test_diff_bod1801),
		cmocka_unit_test(test_diff_findings),
		cmocka_unit_test(test_diff_order_and_output),
		cmocka_unit_test(test_diff_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
