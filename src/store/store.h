/* SPDX-License-Identifier: ISC */
/*
 * store - the scan history: runs and every domain's JSON document, in SQLite.
 *
 * Design: one database file (WAL, a busy timeout) holds runs, one row per
 * (run, domain) with the whole document of docs/scan-result.schema.json and
 * the columns a report counts by, and one row per finding. The schema is
 * versioned: a schema_version table, and one function per step N -> N+1,
 * all applied in one transaction at open; a database newer than this code is
 * refused. Documents of a run go in through one write transaction per batch
 * (STORE_BATCH_DOCS documents, or STORE_BATCH_SECONDS), so a million-domain
 * scan is not a million fsyncs; each document is its own savepoint, so a
 * document that cannot be stored leaves the batch intact. Every statement
 * is prepared and bound: no SQL is ever built from data.
 *
 * Errors: functions return 0 (or what their comment says), or -1 with a
 * message in *err (err may be NULL). A bad document is an error for that
 * document only.
 */
#ifndef MX_STORE_STORE_H
#define MX_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define STORE_SCHEMA_VERSION 2           /* what this code reads and writes */
#define STORE_BATCH_DOCS     1000        /* documents per write transaction */
#define STORE_BATCH_SECONDS  2           /* at most this old before a commit */
#define STORE_BUSY_MS        10000       /* wait for another writer's lock */
#define STORE_DOC_MAX        (64u << 20) /* bytes of one document's text */
#define STORE_ERR_MAX        512

struct store;
struct store_cursor;

/* what went wrong */
struct store_err {
	char msg[STORE_ERR_MAX]; /* for a person: lowercase, no full stop */
	bool fatal; /* the database failed (SQLite), not the document */
};

enum store_open_flags {
	/* create the file, and its missing directories with mode 0700 */
	STORE_OPEN_CREATE = (1 << 0),
};

enum store_source { STORE_SOURCE_SCAN, STORE_SOURCE_IMPORT };

enum store_runs_flags {
	STORE_RUNS_FINISHED = (1 << 0), /* only runs that store_run_end ended */
};

/* a run (one scan or one import) */
struct store_run {
	int64_t id;        /* 1, 2, ...: never reused, so newer is larger */
	char *started_at;  /* owned: RFC 3339 UTC */
	char *finished_at; /* owned: RFC 3339 UTC; NULL while running or when
	                      the run was never ended (interrupted) */
	char *source;      /* owned: "scan" or "import" */
	char *argv;       /* owned: the command line as a JSON array, or NULL */
	int64_t domains;  /* documents stored */
	int64_t rejected; /* documents store_add refused */
};

/* one stored document, in domain order */
struct store_doc {
	const char *domain; /* borrowed, NUL-terminated */
	const char *json;   /* borrowed: compact JSON text, NUL-terminated */
	size_t len;         /* bytes of json */
};

/* findings of a run, per finding id and severity */
struct store_finding_count {
	const char *id;       /* borrowed */
	const char *severity; /* borrowed: "error", "warning" or "info" */
	int64_t findings;     /* rows */
	int64_t domains;      /* distinct domains with it */
};

/* BOD 18-01 requirements failed in a run (bod1801.{mail,web}.failures) */
struct store_failure_count {
	const char *side;    /* borrowed: "mail" or "web" */
	const char *failure; /* borrowed: "starttls", "dmarc-rua-dhs" ... */
	int64_t domains;
};

/* what a run's documents say, counted */
struct store_counts {
	int64_t domains;
	int64_t status_ok, status_error;    /* "status" */
	int64_t worst_error, worst_warning; /* "summary.worst" */
	int64_t worst_info, worst_none;
	int64_t starttls_all;                      /* summary.starttls_all */
	int64_t mail_compliant, mail_noncompliant; /* bod1801.mail.compliant */
	int64_t mail_unscored;                   /* null, or mail not checked */
	int64_t web_compliant, web_noncompliant; /* bod1801.web.compliant */
	int64_t web_unscored;
};

/* callbacks: return 0 to go on; anything else stops and is returned */
typedef int (*store_run_cb)(const struct store_run *run, void *arg);
typedef int (*store_doc_cb)(const struct store_doc *doc, void *arg);
typedef int (*store_finding_count_cb)(
    const struct store_finding_count *c, void *arg);
typedef int (*store_failure_count_cb)(
    const struct store_failure_count *c, void *arg);

/*
 * store_default_path - $XDG_DATA_HOME/mxaudit/mxaudit.db, or
 * ~/.local/share/mxaudit/mxaudit.db (XDG_DATA_HOME only when absolute).
 * Returns an owned string, or NULL when neither variable helps.
 */
char *store_default_path(struct store_err *err);

/*
 * store_open - open (with STORE_OPEN_CREATE: create) the history at path,
 * and migrate its schema to STORE_SCHEMA_VERSION in one transaction.
 * Refuses a database of a newer version and an SQLite file that is not an
 * mxaudit history. Returns a new handle, or NULL.
 */
struct store *store_open(
    const char *path, unsigned flags, struct store_err *err);

/*
 * store_close - commit a pending batch (a run not ended stays unfinished)
 * and free s. Every cursor must be freed first. Accepts NULL. Returns -1
 * when the last commit failed (s is freed all the same).
 */
int store_close(struct store *s, struct store_err *err);

/* store_schema_version - the version the open database has (for tests) */
int store_schema_version(const struct store *s);

/*
 * store_run_begin - a new run, committed at once (so an interrupted scan
 * keeps what it stored), with the command line (argc, argv) and its source.
 * One run at a time per handle. Returns its id (> 0), or -1.
 */
int64_t store_run_begin(struct store *s, int argc, char *const argv[],
    enum store_source source, struct store_err *err);

/*
 * store_add - store one document of docs/scan-result.schema.json in run,
 * the current run: its text (len bytes, pretty or compact, whitespace
 * around it allowed: what report_json_write writes) is parsed, the columns
 * and findings extracted, and all of it inserted in the current batch,
 * committed every STORE_BATCH_DOCS documents. The document is stored
 * compact. A text that is not JSON, not an object, without a "domain"
 * string, with malformed findings, or a domain already in the run, is
 * refused (-1, counted in the run's "rejected"); the run goes on. -1 is
 * also an SQLite failure; the message then says so.
 */
int store_add(struct store *s, int64_t run, const char *json, size_t len,
    struct store_err *err);

/* store_add_doc - the same for a parsed document (borrowed) */
int store_add_doc(
    struct store *s, int64_t run, json_t *doc, struct store_err *err);

/* store_commit - commit the pending batch now (a scan that idles) */
int store_commit(struct store *s, struct store_err *err);

/*
 * store_run_end - commit, and mark the run finished with its counts.
 * Afterwards no run is current.
 */
int store_run_end(struct store *s, int64_t run, struct store_err *err);

/* store_run_delete - remove a run (not the current one) and its rows */
int store_run_delete(struct store *s, int64_t run, struct store_err *err);

/*
 * store_run_get - run id into *out (owned strings: store_run_clear).
 * Returns 1, 0 when there is no such run (*out cleared), or -1.
 */
int store_run_get(
    struct store *s, int64_t run, struct store_run *out, struct store_err *err);
void store_run_clear(struct store_run *r);

/*
 * store_runs - call cb for up to limit runs (0: all), newest first; with
 * STORE_RUNS_FINISHED, only ended ones. The run passed to cb is borrowed:
 * valid during the call. Returns 0, cb's non-zero value, or -1.
 */
int store_runs(struct store *s, unsigned flags, size_t limit, store_run_cb cb,
    void *arg, struct store_err *err);

/* store_latest_run - the newest run's id in *run (0 when none) */
int store_latest_run(
    struct store *s, unsigned flags, int64_t *run, struct store_err *err);

/*
 * store_docs - call cb for every document of run, in domain order (bytes,
 * as strcmp). cb must not add to or end runs on s. Returns 0, cb's non-zero
 * value, or -1.
 */
int store_docs(struct store *s, int64_t run, store_doc_cb cb, void *arg,
    struct store_err *err);

/*
 * store_cursor_open - the documents of run in domain order, one at a time:
 * several cursors may be open at once (a merge of two runs). Returns a new
 * cursor (free it before store_close), or NULL.
 */
struct store_cursor *store_cursor_open(
    struct store *s, int64_t run, struct store_err *err);
/*
 * store_cursor_next - the next document into *doc (borrowed until the next
 * call or the free). Returns 1, 0 at the end, or -1.
 */
int store_cursor_next(
    struct store_cursor *c, struct store_doc *doc, struct store_err *err);
void store_cursor_free(struct store_cursor *c);

/*
 * store_finding_counts - per finding id and severity in run: errors first,
 * then warnings, infos; the most widespread first. Returns as store_runs.
 */
int store_finding_counts(struct store *s, int64_t run,
    store_finding_count_cb cb, void *arg, struct store_err *err);

/*
 * store_failure_counts - per BOD 18-01 side and failed requirement in run
 * (mail before web, the most widespread first). Returns as store_runs.
 */
int store_failure_counts(struct store *s, int64_t run,
    store_failure_count_cb cb, void *arg, struct store_err *err);

/* store_run_counts - status, worst severity and compliance counts of run */
int store_run_counts(struct store *s, int64_t run, struct store_counts *out,
    struct store_err *err);

#endif
