/* SPDX-License-Identifier: ISC */
/*
 * store - the scan history in SQLite.
 *
 * Design: the statements live in one table (store_sql) and are prepared once,
 * on first use, after the schema is migrated: the SQL is constant and every
 * value is bound. A batch is one BEGIN IMMEDIATE ... COMMIT; each document
 * inside it is a savepoint, so a document that fails (a domain already in
 * the run) is rolled back alone. The columns and findings come from the
 * document by store_row_extract(), which the migrations use too, so a
 * backfilled column holds what store_add would have put there.
 */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* how documents are stored: one line, keys in order, 12.3 as 12.3 */
#define STORE_DUMP_FLAGS \
	(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
/* how texts are read: NUL escapes are legal JSON (report_json_string) */
#define STORE_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

enum store_stmt_id {
	STORE_STMT_BEGIN,
	STORE_STMT_COMMIT,
	STORE_STMT_ROLLBACK,
	STORE_STMT_SAVEPOINT,
	STORE_STMT_RELEASE,
	STORE_STMT_ROLLBACK_TO,
	STORE_STMT_RUN_INSERT,
	STORE_STMT_RUN_COUNTS,
	STORE_STMT_RUN_FINISH,
	STORE_STMT_RUN_GET,
	STORE_STMT_RUNS,
	STORE_STMT_RESULT_INSERT,
	STORE_STMT_FINDING_INSERT,
	STORE_STMT_FAILURE_INSERT,
	STORE_STMT_DELETE_FAILURES,
	STORE_STMT_DELETE_FINDINGS,
	STORE_STMT_DELETE_RESULTS,
	STORE_STMT_DELETE_RUN,
	STORE_STMT_FINDING_COUNTS,
	STORE_STMT_FAILURE_COUNTS,
	STORE_STMT_COUNTS,
	STORE_STMT_MAX
};

static const char *const store_sql[STORE_STMT_MAX] = {
	[STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_STMT_COMMIT] = "COMMIT",
	[STORE_STMT_ROLLBACK] = "ROLLBACK",
	[STORE_STMT_SAVEPOINT] = "SAVEPOINT store_doc",
	[STORE_STMT_RELEASE] = "RELEASE store_doc",
	[STORE_STMT_ROLLBACK_TO] = "ROLLBACK TO store_doc",
	[STORE_STMT_RUN_INSERT] =
	    "INSERT INTO runs (started_at, source, argv) VALUES (?1, ?2, ?3)",
	[STORE_STMT_RUN_COUNTS] =
	    "UPDATE runs SET domains = ?2, rejected = ?3 WHERE id = ?1",
	[STORE_STMT_RUN_FINISH] =
	    "UPDATE runs SET finished_at = ?2, rejected = ?3, domains = "
	    "(SELECT count(*) FROM results WHERE run_id = ?1) WHERE id = ?1",
	[STORE_STMT_RUN_GET] =
	    "SELECT id, started_at, finished_at, source, argv, domains, "
	    "rejected FROM runs WHERE id = ?1",
	[STORE_STMT_RUNS] =
	    "SELECT id, started_at, finished_at, source, argv, domains, "
	    "rejected FROM runs WHERE ?1 = 0 OR finished_at IS NOT NULL "
	    "ORDER BY id DESC LIMIT ?2",
	[STORE_STMT_RESULT_INSERT] =
	    "INSERT INTO results (run_id, domain, scanned_at, status, worst, "
	    "mail_compliant, web_compliant, starttls_all, doc) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STORE_STMT_FINDING_INSERT] =
	    "INSERT INTO findings (run_id, domain, id, severity, mx, ip, "
	    "message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STORE_STMT_FAILURE_INSERT] =
	    "INSERT INTO bod1801_failures (run_id, domain, side, failure) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[STORE_STMT_DELETE_FAILURES] =
	    "DELETE FROM bod1801_failures WHERE run_id = ?1",
	[STORE_STMT_DELETE_FINDINGS] = "DELETE FROM findings WHERE run_id = ?1",
	[STORE_STMT_DELETE_RESULTS] = "DELETE FROM results WHERE run_id = ?1",
	[STORE_STMT_DELETE_RUN] = "DELETE FROM runs WHERE id = ?1",
	[STORE_STMT_FINDING_COUNTS] =
	    "SELECT id, severity, count(*), count(DISTINCT domain) "
	    "FROM findings WHERE run_id = ?1 GROUP BY id, severity "
	    "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 "
	    "ELSE 2 END, count(DISTINCT domain) DESC, id",
	[STORE_STMT_FAILURE_COUNTS] =
	    "SELECT side, failure, count(DISTINCT domain) "
	    "FROM bod1801_failures WHERE run_id = ?1 GROUP BY side, failure "
	    "ORDER BY side, count(DISTINCT domain) DESC, failure",
	[STORE_STMT_COUNTS] =
	    "SELECT count(*), "
	    "sum(status = 'ok'), sum(status = 'error'), "
	    "sum(worst = 'error'), sum(worst = 'warning'), "
	    "sum(worst = 'info'), sum(worst = 'none'), "
	    "sum(starttls_all = 1), "
	    "sum(mail_compliant = 1), sum(mail_compliant = 0), "
	    "sum(mail_compliant IS NULL), "
	    "sum(web_compliant = 1), sum(web_compliant = 0), "
	    "sum(web_compliant IS NULL) "
	    "FROM results WHERE run_id = ?1",
};

struct store {
	sqlite3 *db;                        /* owned */
	char *path;                         /* owned */
	sqlite3_stmt *stmt[STORE_STMT_MAX]; /* owned; prepared on first use */
	int version;                        /* schema version after open */
	int64_t run;                        /* the current run, or 0 */
	int64_t run_domains;                /* documents added to it */
	int64_t run_rejected;               /* documents refused */
	bool in_batch;                      /* a write transaction is open */
	size_t batch_docs;                  /* documents in it */
	struct timespec batch_start;        /* CLOCK_MONOTONIC at BEGIN */
	size_t cursors;                     /* open cursors */
};

struct store_cursor {
	struct store *s;    /* borrowed */
	sqlite3_stmt *stmt; /* owned */
};

/* the columns of one document (every pointer borrowed from it) */
struct store_row {
	json_t *domain;        /* borrowed: a string without NUL */
	json_t *scanned_at;    /* borrowed: bound when a string */
	json_t *status;        /* borrowed: bound when a string */
	json_t *worst;         /* borrowed: bound when a string */
	int mail_compliant;    /* 1, 0, or -1 for NULL */
	int web_compliant;     /* 1, 0, or -1 for NULL */
	int starttls_all;      /* 1, 0, or -1 for NULL */
	json_t *findings;      /* borrowed: valid findings, or NULL */
	json_t *mail_failures; /* borrowed: strings, or NULL */
	json_t *web_failures;  /* borrowed: strings, or NULL */
};

static int store_errf(struct store_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* store_errf - fill *err (when there is one); returns -1 */
static int
store_errf(struct store_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->fatal = false;
	va_start(ap, fmt);
	/* a long message is cut, which is all a person needs */
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* store_sqlerr - "what: SQLite's message"; returns -1 */
static int
store_sqlerr(sqlite3 *db, struct store_err *err, const char *what)
{
	store_errf(err, "%s: %s", what, sqlite3_errmsg(db));
	if (err != NULL)
		err->fatal = true;
	return -1;
}

/* store_now - the current time, RFC 3339 UTC */
static void
store_now(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, len, "1970-01-01T00:00:00Z");
}

/* store_stmt - the prepared statement id, reset and unbound */
static sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt_id id, struct store_err *err)
{
	if (s->stmt[id] == NULL &&
	    sqlite3_prepare_v3(s->db, store_sql[id], -1,
	        SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, "prepare");
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

/* store_done - step st, which returns no row, and reset it */
static int
store_done(
    struct store *s, sqlite3_stmt *st, struct store_err *err, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		store_sqlerr(s->db, err, what);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

/* store_exec - run the parameterless statement id */
static int
store_exec(struct store *s, enum store_stmt_id id, struct store_err *err)
{
	sqlite3_stmt *st = store_stmt(s, id, err);

	if (st == NULL)
		return -1;
	return store_done(s, st, err, store_sql[id]);
}

/* store_bind_json - a string value (with its length), else NULL */
static int
store_bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
	if (!json_is_string(v))
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text64(st, i, json_string_value(v),
	    json_string_length(v), SQLITE_STATIC, SQLITE_UTF8);
}

static int
store_bind_tristate(sqlite3_stmt *st, int i, int v)
{
	if (v < 0)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_int(st, i, v);
}

/* store_column_dup - an owned copy of a text column, or NULL */
static char *
store_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	if (p == NULL)
		return NULL;
	return xmemdup0(p, (size_t)sqlite3_column_bytes(st, i));
}

/* store_column_str - a borrowed text column, "" for NULL */
static const char *
store_column_str(sqlite3_stmt *st, int i)
{
	const unsigned char *p = sqlite3_column_text(st, i);

	return p != NULL ? (const char *)p : "";
}

/* ---- the document's columns ---- */

static int
store_tristate(const json_t *v)
{
	if (json_is_true(v))
		return 1;
	if (json_is_false(v))
		return 0;
	return -1;
}

static bool
store_is_severity(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL &&
	    (strcmp(s, "error") == 0 || strcmp(s, "warning") == 0 ||
	        strcmp(s, "info") == 0);
}

/* store_nonempty - a string of at least one byte and no NUL */
static bool
store_nonempty(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && s[0] != '\0' && strlen(s) == json_string_length(v);
}

/* store_failures - bod1801.<side>.failures: absent, null or strings */
static int
store_failures(
    json_t *side, const char *name, json_t **out, struct store_err *err)
{
	json_t *v = json_object_get(side, "failures");
	size_t i;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return store_errf(
		    err, "bod1801.%s.failures is not an array", name);
	for (i = 0; i < json_array_size(v); i++)
		if (!store_nonempty(json_array_get(v, i)))
			return store_errf(err,
			    "bod1801.%s.failures[%zu] is not a string", name,
			    i);
	*out = v;
	return 0;
}

/*
 * store_row_extract - the columns of doc, checked: an object with a
 * "domain" string; findings, when present, an array of objects with "id"
 * and "severity" strings (and mx, ip, message strings or null)
 */
static int
store_row_extract(json_t *doc, struct store_row *row, struct store_err *err)
{
	json_t *v, *f, *bod, *side;
	const char *keys[] = { "mx", "ip", "message" };
	size_t i, k;

	memset(row, 0, sizeof(*row));
	if (!json_is_object(doc))
		return store_errf(err, "not a JSON object");
	row->domain = json_object_get(doc, "domain");
	if (!store_nonempty(row->domain))
		return store_errf(err, "no \"domain\" string");
	row->scanned_at = json_object_get(doc, "scanned_at");
	row->status = json_object_get(doc, "status");
	v = json_object_get(doc, "summary");
	row->worst = json_object_get(v, "worst");
	row->starttls_all = store_tristate(json_object_get(v, "starttls_all"));
	bod = json_object_get(doc, "bod1801");
	side = json_object_get(bod, "mail");
	row->mail_compliant =
	    store_tristate(json_object_get(side, "compliant"));
	if (store_failures(side, "mail", &row->mail_failures, err) != 0)
		return -1;
	side = json_object_get(bod, "web");
	row->web_compliant = store_tristate(json_object_get(side, "compliant"));
	if (store_failures(side, "web", &row->web_failures, err) != 0)
		return -1;

	v = json_object_get(doc, "findings");
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return store_errf(err, "\"findings\" is not an array");
	for (i = 0; i < json_array_size(v); i++) {
		f = json_array_get(v, i);
		if (!json_is_object(f))
			return store_errf(
			    err, "findings[%zu] is not an object", i);
		if (!store_nonempty(json_object_get(f, "id")))
			return store_errf(
			    err, "findings[%zu] has no \"id\" string", i);
		if (!store_is_severity(json_object_get(f, "severity")))
			return store_errf(err,
			    "findings[%zu]: \"severity\" is not error, "
			    "warning or info",
			    i);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			json_t *x = json_object_get(f, keys[k]);

			if (x != NULL && !json_is_null(x) && !json_is_string(x))
				return store_errf(err,
				    "findings[%zu]: \"%s\" is not a string", i,
				    keys[k]);
		}
	}
	row->findings = v;
	return 0;
}

/* store_insert_failures - one side's failures of the row */
static int
store_insert_failures(struct store *s, int64_t run, const struct store_row *row,
    const char *side, json_t *failures, struct store_err *err)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < json_array_size(failures); i++) {
		if ((st = store_stmt(s, STORE_STMT_FAILURE_INSERT, err)) ==
		    NULL)
			return -1;
		sqlite3_bind_int64(st, 1, run);
		store_bind_json(st, 2, row->domain);
		sqlite3_bind_text(st, 3, side, -1, SQLITE_STATIC);
		store_bind_json(st, 4, json_array_get(failures, i));
		if (store_done(s, st, err, "insert a bod1801 failure") != 0)
			return -1;
	}
	return 0;
}

/* store_insert_findings - the row's findings */
static int
store_insert_findings(struct store *s, int64_t run, const struct store_row *row,
    struct store_err *err)
{
	sqlite3_stmt *st;
	json_t *f;
	size_t i;

	for (i = 0; i < json_array_size(row->findings); i++) {
		f = json_array_get(row->findings, i);
		if ((st = store_stmt(s, STORE_STMT_FINDING_INSERT, err)) ==
		    NULL)
			return -1;
		sqlite3_bind_int64(st, 1, run);
		store_bind_json(st, 2, row->domain);
		store_bind_json(st, 3, json_object_get(f, "id"));
		store_bind_json(st, 4, json_object_get(f, "severity"));
		store_bind_json(st, 5, json_object_get(f, "mx"));
		store_bind_json(st, 6, json_object_get(f, "ip"));
		store_bind_json(st, 7, json_object_get(f, "message"));
		if (store_done(s, st, err, "insert a finding") != 0)
			return -1;
	}
	return 0;
}

/* store_insert_rows - the result row, its findings and failures */
static int
store_insert_rows(struct store *s, int64_t run, const struct store_row *row,
    const char *text, size_t len, struct store_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(s, STORE_STMT_RESULT_INSERT, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	store_bind_json(st, 2, row->domain);
	store_bind_json(st, 3, row->scanned_at);
	store_bind_json(st, 4, row->status);
	store_bind_json(st, 5, row->worst);
	store_bind_tristate(st, 6, row->mail_compliant);
	store_bind_tristate(st, 7, row->web_compliant);
	store_bind_tristate(st, 8, row->starttls_all);
	sqlite3_bind_text64(st, 9, text, len, SQLITE_STATIC, SQLITE_UTF8);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) ==
		    SQLITE_CONSTRAINT_PRIMARYKEY)
			store_errf(err, "already in run %lld", (long long)run);
		else
			store_sqlerr(s->db, err, "insert a result");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (store_insert_findings(s, run, row, err) != 0 ||
	    store_insert_failures(
	        s, run, row, "mail", row->mail_failures, err) != 0 ||
	    store_insert_failures(s, run, row, "web", row->web_failures, err) !=
	        0)
		return -1;
	return 0;
}

/* ---- the schema and its migrations ---- */

/*
 * Version 1: runs, one row per (run, domain) with the whole document, and
 * the findings. Never edit a published migration: add the next one.
 */
static const char store_schema_v1[] =
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
    "INSERT INTO schema_version (version) VALUES (0);"
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
    "CREATE INDEX findings_run_id ON findings (run_id, id);";

/*
 * Version 2: how many documents a run refused, summary.starttls_all as a
 * column, and the BOD 18-01 failures as rows (what a report counts by);
 * both backfilled from the stored documents.
 */
static const char store_schema_v2[] =
    "ALTER TABLE runs ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE results ADD COLUMN starttls_all INTEGER;"
    "CREATE TABLE bod1801_failures ("
    " run_id INTEGER NOT NULL,"
    " domain TEXT NOT NULL,"
    " side TEXT NOT NULL CHECK (side IN ('mail', 'web')),"
    " failure TEXT NOT NULL,"
    " FOREIGN KEY (run_id, domain) REFERENCES results (run_id, domain));"
    "CREATE INDEX bod1801_failures_run"
    " ON bod1801_failures (run_id, side, failure);";

static int
store_migrate_1(struct store *s, struct store_err *err)
{
	if (sqlite3_exec(s->db, store_schema_v1, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s->db, err, "schema version 1");
	return 0;
}

/* store_migrate_2_row - backfill version 2's columns of one result */
static int
store_migrate_2_row(struct store *s, sqlite3_stmt *upd, int64_t rowid,
    int64_t run, const char *text, size_t len, struct store_err *err)
{
	struct store_row row;
	json_t *doc;
	int rc = 0;

	/* a document that no longer parses keeps NULL and no failures */
	if ((doc = json_loadb(text, len, JSON_ALLOW_NUL, NULL)) == NULL)
		return 0;
	if (store_row_extract(doc, &row, NULL) == 0) {
		store_bind_tristate(upd, 1, row.starttls_all);
		sqlite3_bind_int64(upd, 2, rowid);
		if (store_done(s, upd, err, "schema version 2: update") != 0 ||
		    store_insert_failures(
		        s, run, &row, "mail", row.mail_failures, err) != 0 ||
		    store_insert_failures(
		        s, run, &row, "web", row.web_failures, err) != 0)
			rc = -1;
	}
	json_decref(doc);
	return rc;
}

static int
store_migrate_2(struct store *s, struct store_err *err)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int64_t last = 0;
	int rc = -1, step;

	if (sqlite3_exec(s->db, store_schema_v2, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s->db, err, "schema version 2");
	/* one row at a time by rowid: no update under an open scan */
	if (sqlite3_prepare_v2(s->db,
	        "SELECT rowid, run_id, doc FROM results WHERE rowid > ?1 "
	        "ORDER BY rowid LIMIT 1",
	        -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
	        "UPDATE results SET starttls_all = ?1 WHERE rowid = ?2", -1,
	        &upd, NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, "schema version 2: prepare");
		goto out;
	}
	for (;;) {
		char *text;
		size_t len;
		int64_t run;

		sqlite3_bind_int64(sel, 1, last);
		if ((step = sqlite3_step(sel)) == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			store_sqlerr(s->db, err, "schema version 2: select");
			goto out;
		}
		last = sqlite3_column_int64(sel, 0);
		run = sqlite3_column_int64(sel, 1);
		text = store_column_dup(sel, 2);
		len = (size_t)sqlite3_column_bytes(sel, 2);
		sqlite3_reset(sel);
		step = text != NULL
		    ? store_migrate_2_row(s, upd, last, run, text, len, err)
		    : 0;
		free(text);
		if (step != 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

static const struct {
	int (*fn)(struct store *s, struct store_err *err);
} store_migrations[] = {
	{ store_migrate_1 },
	{ store_migrate_2 },
};

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
        STORE_SCHEMA_VERSION,
    "one migration per schema version");

/*
 * store_version - the database's schema version in *version: 0 for an empty
 * database; -1 for one with tables but no schema_version (not ours)
 */
static int
store_version(struct store *s, int *version, struct store_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	bool ours;

	if (sqlite3_prepare_v2(s->db,
	        "SELECT count(*), sum(name = 'schema_version') FROM "
	        "sqlite_master WHERE type = 'table' AND name NOT LIKE "
	        "'sqlite_%'",
	        -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_sqlerr(s->db, err, s->path);
		goto out;
	}
	ours = sqlite3_column_int(st, 1) > 0;
	*version = sqlite3_column_int(st, 0) == 0 ? 0 : -1;
	sqlite3_finalize(st);
	st = NULL;
	if (!ours) {
		rc = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT version FROM schema_version", -1,
	        &st, NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, s->path);
		goto out;
	}
	if ((step = sqlite3_step(st)) != SQLITE_ROW ||
	    sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
	    sqlite3_column_int64(st, 0) < 1 ||
	    sqlite3_column_int64(st, 0) > 1000000) {
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			store_sqlerr(s->db, err, s->path);
		else
			store_errf(err, "%s: no valid schema_version", s->path);
		goto out;
	}
	*version = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* store_migrate - bring the schema to STORE_SCHEMA_VERSION, atomically */
static int
store_migrate(struct store *s, struct store_err *err)
{
	sqlite3_stmt *st = NULL;
	int v, i;

	if (store_version(s, &v, err) != 0)
		return -1;
	if (v == STORE_SCHEMA_VERSION) {
		s->version = v;
		return 0;
	}
	/* take the write lock, then look again: another process may have
	 * migrated in between */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_sqlerr(s->db, err, s->path);
	if (store_version(s, &v, err) != 0)
		goto fail;
	if (v < 0) {
		store_errf(err,
		    "%s: an SQLite database, but not an mxaudit history",
		    s->path);
		goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		store_errf(err,
		    "%s: schema version %d is newer than this mxaudit's (%d)",
		    s->path, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (i = v; i < STORE_SCHEMA_VERSION; i++) {
		if (store_migrations[i].fn(s, err) != 0)
			goto fail;
		if (sqlite3_prepare_v2(s->db,
		        "UPDATE schema_version SET version = ?1", -1, &st,
		        NULL) != SQLITE_OK) {
			store_sqlerr(s->db, err, s->path);
			goto fail;
		}
		sqlite3_bind_int(st, 1, i + 1);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_sqlerr(s->db, err, s->path);
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, s->path);
		goto fail;
	}
	if (v > 0)
		log_info("%s: schema migrated from version %d to %d", s->path,
		    v, STORE_SCHEMA_VERSION);
	s->version = STORE_SCHEMA_VERSION;
	return 0;
fail:
	sqlite3_finalize(st);
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- opening ---- */

char *
store_default_path(struct store_err *err)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	/* the XDG spec: a relative path is invalid and is ignored */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/mxaudit/mxaudit.db", xdg);
	if (home != NULL && home[0] != '\0')
		return xasprintf("%s/.local/share/mxaudit/mxaudit.db", home);
	store_errf(err, "neither XDG_DATA_HOME nor HOME is set");
	return NULL;
}

/* store_mkdirs - the missing directories above path, mode 0700 */
static int
store_mkdirs(const char *path, struct store_err *err)
{
	char *dir = xstrdup(path), *p, c;

	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			store_errf(err, "%s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		if (c == '\0')
			break;
		*p = c;
	}
	free(dir);
	return 0;
}

struct store *
store_open(const char *path, unsigned flags, struct store_err *err)
{
	struct store *s;
	int oflags = SQLITE_OPEN_READWRITE;
	size_t i;

	if (flags & STORE_OPEN_CREATE) {
		oflags |= SQLITE_OPEN_CREATE;
		if (store_mkdirs(path, err) != 0)
			return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		store_errf(err, "%s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* WAL: readers (a report, a diff) never wait for a scan writing */
	if (sqlite3_exec(s->db,
	        "PRAGMA foreign_keys = ON;"
	        "PRAGMA journal_mode = WAL;"
	        "PRAGMA synchronous = NORMAL;",
	        NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, path);
		goto fail;
	}
	if (store_migrate(s, err) != 0)
		goto fail;
	return s;
fail:
	/* a failed migration may have prepared a statement: finalize it, or
	 * the close fails and the connection leaks */
	for (i = 0; i < STORE_STMT_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	return NULL;
}

int
store_close(struct store *s, struct store_err *err)
{
	int rc;
	size_t i;

	if (s == NULL)
		return 0;
	ASSERT(s->cursors == 0);
	rc = store_commit(s, err);
	for (i = 0; i < STORE_STMT_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	if (sqlite3_close(s->db) != SQLITE_OK && rc == 0)
		rc = store_sqlerr(s->db, err, s->path);
	free(s->path);
	free(s);
	return rc;
}

int
store_schema_version(const struct store *s)
{
	return s->version;
}

/* ---- runs ---- */

/*
 * store_json_lossy - a JSON string of s, each ill-formed UTF-8 sequence
 * replaced by U+FFFD (a command line is bytes)
 */
static json_t *
store_json_lossy(const char *str)
{
	const unsigned char *u = (const unsigned char *)str;
	size_t len = strlen(str), i = 0, n, bad;
	struct buf b;
	json_t *j;

	buf_init(&b, 3 * len + 16);
	while (i < len) {
		n = u[i] < 0x80 ? 1 : utf8_decode(u + i, len - i, NULL, &bad);
		if (n > 0)
			(void)buf_append(&b, u + i, n);
		else {
			(void)buf_append(&b, "\xef\xbf\xbd", 3);
			n = bad;
		}
		i += n;
	}
	j = json_stringn(buf_str(&b), b.len);
	buf_release(&b);
	ASSERT(j != NULL);
	return j;
}

int64_t
store_run_begin(struct store *s, int argc, char *const argv[],
    enum store_source source, struct store_err *err)
{
	char now[32], *args;
	sqlite3_stmt *st;
	json_t *a;
	int i, rc;

	if (s->run != 0)
		return store_errf(
		    err, "run %lld is still open", (long long)s->run);
	a = json_array();
	for (i = 0; i < argc; i++)
		json_array_append_new(a, store_json_lossy(argv[i]));
	args = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	store_now(now, sizeof(now));
	if ((st = store_stmt(s, STORE_STMT_RUN_INSERT, err)) == NULL) {
		free(args);
		return -1;
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2,
	    source == STORE_SOURCE_IMPORT ? "import" : "scan", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, args, -1, SQLITE_STATIC);
	rc = store_done(s, st, err, "begin a run");
	free(args);
	if (rc != 0)
		return -1;
	s->run = sqlite3_last_insert_rowid(s->db);
	s->run_domains = 0;
	s->run_rejected = 0;
	return s->run;
}

/* store_run_counts_update - the current run's counts, in the batch */
static int
store_run_counts_update(struct store *s, struct store_err *err)
{
	sqlite3_stmt *st;

	if ((st = store_stmt(s, STORE_STMT_RUN_COUNTS, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, s->run);
	sqlite3_bind_int64(st, 2, s->run_domains);
	sqlite3_bind_int64(st, 3, s->run_rejected);
	return store_done(s, st, err, "count the run");
}

/* store_batch_lost - after SQLite rolled the batch back by itself */
static void
store_batch_lost(struct store *s, struct store_err *err)
{
	size_t n = s->batch_docs;
	size_t used;

	s->run_domains -= (int64_t)n;
	s->in_batch = false;
	s->batch_docs = 0;
	if (err != NULL && n > 0) {
		used = strlen(err->msg);
		(void)snprintf(err->msg + used, sizeof(err->msg) - used,
		    " (the %zu documents of the batch were lost)", n);
	}
}

int
store_commit(struct store *s, struct store_err *err)
{
	if (!s->in_batch)
		return 0;
	if (store_run_counts_update(s, err) != 0 ||
	    store_exec(s, STORE_STMT_COMMIT, err) != 0) {
		if (!sqlite3_get_autocommit(s->db))
			(void)store_exec(s, STORE_STMT_ROLLBACK, NULL);
		store_batch_lost(s, err);
		return -1;
	}
	s->in_batch = false;
	s->batch_docs = 0;
	return 0;
}

/* store_batch_old - has the batch been open for STORE_BATCH_SECONDS? */
static bool
store_batch_old(const struct store *s)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return true;
	return now.tv_sec - s->batch_start.tv_sec >= STORE_BATCH_SECONDS;
}

/* store_insert - one extracted document into the batch, as a savepoint */
static int
store_insert(struct store *s, int64_t run, const struct store_row *row,
    const char *text, size_t len, struct store_err *err)
{
	if (!s->in_batch) {
		if (store_exec(s, STORE_STMT_BEGIN, err) != 0)
			return -1;
		s->in_batch = true;
		s->batch_docs = 0;
		if (clock_gettime(CLOCK_MONOTONIC, &s->batch_start) != 0)
			memset(&s->batch_start, 0, sizeof(s->batch_start));
	}
	if (store_exec(s, STORE_STMT_SAVEPOINT, err) != 0)
		goto lost;
	if (store_insert_rows(s, run, row, text, len, err) != 0) {
		if (sqlite3_get_autocommit(s->db))
			goto lost;
		if (store_exec(s, STORE_STMT_ROLLBACK_TO, NULL) != 0 ||
		    store_exec(s, STORE_STMT_RELEASE, NULL) != 0)
			goto lost;
		return -1;
	}
	if (store_exec(s, STORE_STMT_RELEASE, err) != 0)
		goto lost;
	s->batch_docs++;
	s->run_domains++;
	if (s->batch_docs >= STORE_BATCH_DOCS || store_batch_old(s))
		return store_commit(s, err);
	return 0;
lost:
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, STORE_STMT_ROLLBACK, NULL);
	store_batch_lost(s, err);
	return -1;
}

/* store_check_run - is run the current run? */
static int
store_check_run(const struct store *s, int64_t run, struct store_err *err)
{
	if (s->run == 0 || run != s->run)
		return store_errf(
		    err, "run %lld is not the open run", (long long)run);
	return 0;
}

/* store_add_checked - store_add_doc once the run is known to be open */
static int
store_add_checked(
    struct store *s, int64_t run, json_t *doc, struct store_err *err)
{
	struct store_row row;
	struct store_err e;
	char *text;
	int rc;

	memset(&e, 0, sizeof(e));
	if (store_row_extract(doc, &row, &e) != 0) {
		if (json_is_string(row.domain))
			store_errf(err, "%s: %s", json_string_value(row.domain),
			    e.msg);
		else
			store_errf(err, "%s", e.msg);
		return -1;
	}
	if ((text = json_dumps(doc, STORE_DUMP_FLAGS)) == NULL)
		return store_errf(err, "%s: cannot serialize the document",
		    json_string_value(row.domain));
	rc = store_insert(s, run, &row, text, strlen(text), &e);
	free(text);
	if (rc != 0) {
		store_errf(err, "%s: %s", json_string_value(row.domain), e.msg);
		if (err != NULL)
			err->fatal = e.fatal;
	}
	return rc;
}

int
store_add_doc(struct store *s, int64_t run, json_t *doc, struct store_err *err)
{
	if (store_check_run(s, run, err) != 0)
		return -1;
	if (store_add_checked(s, run, doc, err) != 0) {
		s->run_rejected++;
		return -1;
	}
	return 0;
}

int
store_add(struct store *s, int64_t run, const char *json, size_t len,
    struct store_err *err)
{
	json_error_t jerr;
	json_t *doc;
	int rc;

	if (store_check_run(s, run, err) != 0)
		return -1;
	if (len > STORE_DOC_MAX) {
		s->run_rejected++;
		return store_errf(
		    err, "document larger than %u MiB", STORE_DOC_MAX >> 20);
	}
	if ((doc = json_loadb(json, len, STORE_LOAD_FLAGS, &jerr)) == NULL) {
		s->run_rejected++;
		if (jerr.line <= 1)
			return store_errf(err, "invalid JSON at column %d: %s",
			    jerr.column, jerr.text);
		return store_errf(err,
		    "invalid JSON at line %d, column %d of the document: %s",
		    jerr.line, jerr.column, jerr.text);
	}
	rc = store_add_checked(s, run, doc, err);
	if (rc != 0)
		s->run_rejected++;
	json_decref(doc);
	return rc;
}

int
store_run_end(struct store *s, int64_t run, struct store_err *err)
{
	sqlite3_stmt *st;
	char now[32];
	int rc;

	if (store_check_run(s, run, err) != 0)
		return -1;
	rc = store_commit(s, err);
	store_now(now, sizeof(now));
	if ((st = store_stmt(s, STORE_STMT_RUN_FINISH, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->run_rejected);
	if (store_done(s, st, rc == 0 ? err : NULL, "end the run") != 0)
		rc = -1;
	s->run = 0;
	return rc;
}

int
store_run_delete(struct store *s, int64_t run, struct store_err *err)
{
	static const enum store_stmt_id order[] = {
		STORE_STMT_DELETE_FAILURES,
		STORE_STMT_DELETE_FINDINGS,
		STORE_STMT_DELETE_RESULTS,
		STORE_STMT_DELETE_RUN,
	};
	sqlite3_stmt *st;
	size_t i;

	if (run == s->run)
		return store_errf(err, "run %lld is open", (long long)run);
	if (s->in_batch)
		return store_errf(err, "a batch is pending");
	if (store_exec(s, STORE_STMT_BEGIN, err) != 0)
		return -1;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((st = store_stmt(s, order[i], err)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, run);
		if (store_done(s, st, err, "delete a run") != 0)
			goto fail;
	}
	if (sqlite3_changes(s->db) == 0) {
		store_errf(err, "no run %lld", (long long)run);
		goto fail;
	}
	if (store_exec(s, STORE_STMT_COMMIT, err) != 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(s->db))
		(void)store_exec(s, STORE_STMT_ROLLBACK, NULL);
	return -1;
}

/* store_run_fill - *r from a row of STORE_STMT_RUN_GET / RUNS */
static void
store_run_fill(sqlite3_stmt *st, struct store_run *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->started_at = store_column_dup(st, 1);
	r->finished_at = store_column_dup(st, 2);
	r->source = store_column_dup(st, 3);
	r->argv = store_column_dup(st, 4);
	r->domains = sqlite3_column_int64(st, 5);
	r->rejected = sqlite3_column_int64(st, 6);
}

void
store_run_clear(struct store_run *r)
{
	free(r->started_at);
	free(r->finished_at);
	free(r->source);
	free(r->argv);
	memset(r, 0, sizeof(*r));
}

int
store_run_get(
    struct store *s, int64_t run, struct store_run *out, struct store_err *err)
{
	sqlite3_stmt *st;
	int step;

	memset(out, 0, sizeof(*out));
	if ((st = store_stmt(s, STORE_STMT_RUN_GET, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		store_run_fill(st, out);
	else if (step != SQLITE_DONE)
		store_sqlerr(s->db, err, "read a run");
	sqlite3_reset(st);
	return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

int
store_runs(struct store *s, unsigned flags, size_t limit, store_run_cb cb,
    void *arg, struct store_err *err)
{
	struct store_run r;
	sqlite3_stmt *st;
	int step, rc = 0;

	if ((st = store_stmt(s, STORE_STMT_RUNS, err)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, (flags & STORE_RUNS_FINISHED) != 0);
	/* LIMIT -1: no limit */
	sqlite3_bind_int64(st, 2, limit == 0 ? -1 : (int64_t)limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		store_run_fill(st, &r);
		rc = cb(&r, arg);
		store_run_clear(&r);
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlerr(s->db, err, "list the runs");
	sqlite3_reset(st);
	return rc;
}

/* store_latest_run_cb - keep the first (newest) id */
static int
store_latest_run_cb(const struct store_run *run, void *arg)
{
	*(int64_t *)arg = run->id;
	return 1;
}

int
store_latest_run(
    struct store *s, unsigned flags, int64_t *run, struct store_err *err)
{
	*run = 0;
	return store_runs(s, flags, 1, store_latest_run_cb, run, err) < 0 ? -1
	                                                                  : 0;
}

/* ---- documents ---- */

struct store_cursor *
store_cursor_open(struct store *s, int64_t run, struct store_err *err)
{
	struct store_cursor *c;
	sqlite3_stmt *st;

	/* its own statement, so that two cursors can walk side by side */
	if (sqlite3_prepare_v2(s->db,
	        "SELECT domain, doc FROM results WHERE run_id = ?1 "
	        "ORDER BY domain",
	        -1, &st, NULL) != SQLITE_OK) {
		store_sqlerr(s->db, err, "read the documents");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, run);
	c = xmalloc(sizeof(*c));
	c->s = s;
	c->stmt = st;
	s->cursors++;
	return c;
}

int
store_cursor_next(
    struct store_cursor *c, struct store_doc *doc, struct store_err *err)
{
	int step = sqlite3_step(c->stmt);

	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return store_sqlerr(c->s->db, err, "read the documents");
	doc->domain = store_column_str(c->stmt, 0);
	doc->json = store_column_str(c->stmt, 1);
	doc->len = (size_t)sqlite3_column_bytes(c->stmt, 1);
	return 1;
}

void
store_cursor_free(struct store_cursor *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->stmt);
	c->s->cursors--;
	free(c);
}

int
store_docs(struct store *s, int64_t run, store_doc_cb cb, void *arg,
    struct store_err *err)
{
	struct store_cursor *c;
	struct store_doc doc;
	int rc = 0, n;

	if ((c = store_cursor_open(s, run, err)) == NULL)
		return -1;
	while ((n = store_cursor_next(c, &doc, err)) == 1)
		if ((rc = cb(&doc, arg)) != 0)
			break;
	if (n < 0)
		rc = -1;
	store_cursor_free(c);
	return rc;
}

/* ---- counts ---- */

int
store_finding_counts(struct store *s, int64_t run, store_finding_count_cb cb,
    void *arg, struct store_err *err)
{
	struct store_finding_count c;
	sqlite3_stmt *st;
	int step, rc = 0;

	if ((st = store_stmt(s, STORE_STMT_FINDING_COUNTS, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		c.id = store_column_str(st, 0);
		c.severity = store_column_str(st, 1);
		c.findings = sqlite3_column_int64(st, 2);
		c.domains = sqlite3_column_int64(st, 3);
		if ((rc = cb(&c, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlerr(s->db, err, "count the findings");
	sqlite3_reset(st);
	return rc;
}

int
store_failure_counts(struct store *s, int64_t run, store_failure_count_cb cb,
    void *arg, struct store_err *err)
{
	struct store_failure_count c;
	sqlite3_stmt *st;
	int step, rc = 0;

	if ((st = store_stmt(s, STORE_STMT_FAILURE_COUNTS, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		c.side = store_column_str(st, 0);
		c.failure = store_column_str(st, 1);
		c.domains = sqlite3_column_int64(st, 2);
		if ((rc = cb(&c, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlerr(s->db, err, "count the failures");
	sqlite3_reset(st);
	return rc;
}

int
store_run_counts(struct store *s, int64_t run, struct store_counts *out,
    struct store_err *err)
{
	int64_t *fields[] = {
		&out->domains,
		&out->status_ok,
		&out->status_error,
		&out->worst_error,
		&out->worst_warning,
		&out->worst_info,
		&out->worst_none,
		&out->starttls_all,
		&out->mail_compliant,
		&out->mail_noncompliant,
		&out->mail_unscored,
		&out->web_compliant,
		&out->web_noncompliant,
		&out->web_unscored,
	};
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((st = store_stmt(s, STORE_STMT_COUNTS, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		/* sum() over no row is NULL, which reads as 0 */
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			*fields[i] = sqlite3_column_int64(st, (int)i);
	} else
		rc = store_sqlerr(s->db, err, "count the results");
	sqlite3_reset(st);
	return rc;
}
