/* SPDX-License-Identifier: ISC */
/*
 * policy_cache - the policy daemon's per-domain memory (see the header).
 *
 * The database holds one row per cached policy. Rows are written only by
 * policy_cache_flush(), from the dirty set: each dirty domain gets its
 * current state (INSERT OR REPLACE of its policy, or DELETE), all inside
 * one BEGIN IMMEDIATE ... COMMIT, so the batch lands whole or not at all.
 * The schema version is PRAGMA user_version.
 */
#include "policyd/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define POLICY_CACHE_SCHEMA  1
#define POLICY_CACHE_BUSY_MS 200 /* the loop must not wait longer */

enum policy_cache_stmt_id {
	POLICY_CACHE_STMT_BEGIN,
	POLICY_CACHE_STMT_COMMIT,
	POLICY_CACHE_STMT_ROLLBACK,
	POLICY_CACHE_STMT_UPSERT,
	POLICY_CACHE_STMT_DELETE,
	POLICY_CACHE_STMT_DELETE_ALL,
	POLICY_CACHE_STMT_EXPIRE,
	POLICY_CACHE_STMT_MAX
};

static const char *const policy_cache_sql[POLICY_CACHE_STMT_MAX] = {
	[POLICY_CACHE_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[POLICY_CACHE_STMT_COMMIT] = "COMMIT",
	[POLICY_CACHE_STMT_ROLLBACK] = "ROLLBACK",
	[POLICY_CACHE_STMT_UPSERT] =
	    "INSERT OR REPLACE INTO sts_policy (domain, policy_id, "
	    "fetched_at, expires_at, mode, mx, body) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[POLICY_CACHE_STMT_DELETE] = "DELETE FROM sts_policy WHERE domain = ?1",
	[POLICY_CACHE_STMT_DELETE_ALL] = "DELETE FROM sts_policy",
	[POLICY_CACHE_STMT_EXPIRE] =
	    "DELETE FROM sts_policy WHERE expires_at <= ?1",
};

static const char policy_cache_ddl[] =
    "CREATE TABLE IF NOT EXISTS sts_policy ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " policy_id TEXT NOT NULL,"
    " fetched_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " mode TEXT NOT NULL,"
    " mx TEXT NOT NULL," /* the patterns, space-separated */
    " body BLOB NOT NULL);"
    "PRAGMA user_version = 1;";

struct policy_cache_list {
	struct policy_cache_entry *head, *tail; /* borrowed */
	size_t n;
};

struct policy_cache {
	size_t cap;                   /* entries at most */
	struct strmap map;            /* domain -> entry (owned) */
	struct policy_cache_list pol; /* entries with a policy */
	struct policy_cache_list other;
	uint64_t evictions;
	/* persistence */
	sqlite3 *db; /* owned, or NULL: memory only */
	char *path;  /* owned: the file, for messages, or NULL */
	sqlite3_stmt *stmt[POLICY_CACHE_STMT_MAX]; /* owned, prepared at open */
	bool read_only;
	char **dirty; /* owned: domains (owned) to write */
	size_t ndirty, adirty;
	struct strmap dirty_set; /* the same, for uniqueness */
	bool purge_all;          /* DELETE every row first */
	uint64_t db_rows, db_commits, db_errors;
};

static void
policy_cache_policy_free(struct policy_cache_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->id);
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p->body);
	free(p);
}

static void
policy_cache_clear_replies(struct policy_cache_entry *ent)
{
	size_t i;

	for (i = 0; i < POLICY_CACHE_NREPLY; i++) {
		free(ent->reply[i]);
		ent->reply[i] = NULL;
		ent->reply_len[i] = 0;
	}
}

static void
policy_cache_entry_free(struct policy_cache_entry *ent)
{
	policy_cache_policy_free(ent->policy);
	policy_cache_clear_replies(ent);
	free(ent);
}

/* ---- LRU lists ---- */

static struct policy_cache_list *
policy_cache_list_of(struct policy_cache *c, struct policy_cache_entry *ent)
{
	return ent->policy != NULL ? &c->pol : &c->other;
}

static void
policy_cache_unlink(struct policy_cache_list *l, struct policy_cache_entry *e)
{
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		l->head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		l->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
	l->n--;
}

static void
policy_cache_push_head(
    struct policy_cache_list *l, struct policy_cache_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = l->head;
	if (l->head != NULL)
		l->head->lru_prev = e;
	else
		l->tail = e;
	l->head = e;
	l->n++;
}

static void
policy_cache_push_tail(
    struct policy_cache_list *l, struct policy_cache_entry *e)
{
	e->lru_next = NULL;
	e->lru_prev = l->tail;
	if (l->tail != NULL)
		l->tail->lru_next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

/* ---- dirty set ---- */

/* policy_cache_mark - domain's row must be written (or deleted) */
static void
policy_cache_mark(struct policy_cache *c, const char *domain)
{
	if (c->db == NULL || c->read_only)
		return;
	if (strmap_get(&c->dirty_set, domain) != NULL)
		return;
	if (c->ndirty == c->adirty) {
		c->adirty = c->adirty ? 2 * c->adirty : 64;
		c->dirty =
		    xreallocarray(c->dirty, c->adirty, sizeof(*c->dirty));
	}
	c->dirty[c->ndirty] = xstrdup(domain);
	strmap_put(&c->dirty_set, c->dirty[c->ndirty], c->dirty[c->ndirty]);
	c->ndirty++;
}

static void
policy_cache_dirty_clear(struct policy_cache *c)
{
	size_t i;

	strmap_release(&c->dirty_set);
	strmap_init(&c->dirty_set);
	for (i = 0; i < c->ndirty; i++)
		free(c->dirty[i]);
	c->ndirty = 0;
}

size_t
policy_cache_dirty(const struct policy_cache *c)
{
	return c->ndirty + (c->purge_all ? 1 : 0);
}

/* ---- entries ---- */

struct policy_cache *
policy_cache_new(size_t cap)
{
	struct policy_cache *c = xcalloc(1, sizeof(*c));

	c->cap = cap > 0 ? cap : 1;
	strmap_init(&c->map);
	strmap_init(&c->dirty_set);
	return c;
}

/* policy_cache_forget - unlink and free ent; its row goes at the flush */
static void
policy_cache_forget(struct policy_cache *c, struct policy_cache_entry *ent)
{
	policy_cache_unlink(policy_cache_list_of(c, ent), ent);
	strmap_del(&c->map, ent->domain);
	if (ent->stored)
		policy_cache_mark(c, ent->domain);
	policy_cache_entry_free(ent);
}

struct policy_cache_entry *
policy_cache_get(const struct policy_cache *c, const char *domain)
{
	return strmap_get(&c->map, domain);
}

/*
 * policy_cache_evict - drop the LRU entry, one without a policy first
 * (silently: this runs on the answer path)
 */
static void
policy_cache_evict(struct policy_cache *c)
{
	struct policy_cache_entry *victim;

	victim = c->other.tail != NULL ? c->other.tail : c->pol.tail;
	if (victim == NULL)
		return;
	c->evictions++;
	policy_cache_forget(c, victim);
}

/* policy_cache_insert - a new entry, at the head or tail of its list */
static struct policy_cache_entry *
policy_cache_insert(struct policy_cache *c, const char *domain, bool tail)
{
	struct policy_cache_entry *ent;
	size_t n = strlen(domain);

	ASSERT(n <= DOMAIN_MAX);
	ASSERT(strmap_get(&c->map, domain) == NULL);
	while (c->map.count >= c->cap)
		policy_cache_evict(c);
	ent = xcalloc(1, sizeof(*ent));
	memcpy(ent->domain, domain, n + 1);
	strmap_put(&c->map, ent->domain, ent);
	if (tail)
		policy_cache_push_tail(&c->other, ent);
	else
		policy_cache_push_head(&c->other, ent);
	return ent;
}

struct policy_cache_entry *
policy_cache_add(struct policy_cache *c, const char *domain)
{
	return policy_cache_insert(c, domain, false);
}

void
policy_cache_touch(struct policy_cache *c, struct policy_cache_entry *ent)
{
	struct policy_cache_list *l = policy_cache_list_of(c, ent);

	if (l->head == ent)
		return;
	policy_cache_unlink(l, ent);
	policy_cache_push_head(l, ent);
}

void
policy_cache_remove(struct policy_cache *c, struct policy_cache_entry *ent)
{
	policy_cache_forget(c, ent);
}

size_t
policy_cache_purge(struct policy_cache *c)
{
	struct policy_cache_entry *ent, *next;
	size_t n = c->map.count;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		ent = pass == 0 ? c->pol.head : c->other.head;
		for (; ent != NULL; ent = next) {
			next = ent->lru_next;
			ent->stored = false; /* the DELETE below covers it */
			policy_cache_forget(c, ent);
		}
	}
	if (c->db != NULL && !c->read_only) {
		policy_cache_dirty_clear(c);
		c->purge_all = true;
	}
	return n;
}

struct policy_cache_entry *
policy_cache_first(const struct policy_cache *c, bool policies)
{
	return policies ? c->pol.head : c->other.head;
}

/* ---- policies ---- */

/* policy_cache_id_ok - 1*32 ALPHA / DIGIT (RFC 8461 3.1) */
static bool
policy_cache_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		        (id[i] >= 'A' && id[i] <= 'Z') ||
		        (id[i] >= '0' && id[i] <= '9')))
			return false;
	}
	return true;
}

/* policy_cache_parse - a policy record from id and body, or NULL and err */
static struct policy_cache_policy *
policy_cache_parse(const char *id, const char *body, size_t len,
    time_t fetched_at, struct perr *err)
{
	struct mtasts_policy *pol;
	struct policy_cache_policy *p;
	size_t i;

	if (id == NULL || !policy_cache_id_ok(id)) {
		perr_set(err, 0, "bad policy id");
		return NULL;
	}
	pol = xcalloc(1, sizeof(*pol));
	if (mtasts_policy_parse(body, len, pol, err) != 0 ||
	    pol->mode == MTASTS_MODE_UNSET || pol->max_age < 0) {
		if (err != NULL && err->msg == NULL)
			perr_set(err, 0, "invalid policy");
		free(pol);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->id = xstrdup(id);
	p->fetched_at = fetched_at;
	p->max_age = pol->max_age;
	p->expires_at = fetched_at + (time_t)pol->max_age;
	p->mode = pol->mode;
	if (pol->nmx > 0)
		p->mx = xcalloc(pol->nmx, sizeof(*p->mx));
	for (i = 0; i < pol->nmx; i++)
		p->mx[p->nmx++] = xmemdup0(pol->mx[i].p, pol->mx[i].len);
	p->body = xmemdup0(body, len);
	p->body_len = len;
	free(pol);
	return p;
}

/* policy_cache_attach - make p (owned) ent's policy */
static void
policy_cache_attach(struct policy_cache *c, struct policy_cache_entry *ent,
    struct policy_cache_policy *p)
{
	struct policy_cache_list *l = policy_cache_list_of(c, ent);

	policy_cache_unlink(l, ent);
	policy_cache_policy_free(ent->policy);
	policy_cache_clear_replies(ent);
	ent->policy = p;
	policy_cache_push_head(policy_cache_list_of(c, ent), ent);
}

int
policy_cache_set_policy(struct policy_cache *c, struct policy_cache_entry *ent,
    const char *id, const char *body, size_t len, time_t fetched_at,
    struct perr *err)
{
	struct policy_cache_policy *p;

	if ((p = policy_cache_parse(id, body, len, fetched_at, err)) == NULL)
		return -1;
	policy_cache_attach(c, ent, p);
	ent->stored = true;
	policy_cache_mark(c, ent->domain);
	return 0;
}

void
policy_cache_drop_policy(struct policy_cache *c, struct policy_cache_entry *ent)
{
	if (ent->policy == NULL)
		return;
	policy_cache_attach(c, ent, NULL);
	if (ent->stored)
		policy_cache_mark(c, ent->domain);
}

/* ---- database ---- */

/* policy_cache_run - step a prepared statement to its end, then reset */
static int
policy_cache_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
policy_cache_db_error(sqlite3 *db, char **errmsg, const char *path)
{
	if (errmsg != NULL && *errmsg == NULL)
		*errmsg = xasprintf("%s: %s", path != NULL ? path : "cache",
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

/* policy_cache_schema - create the table, or check the version found */
static int
policy_cache_schema(struct policy_cache *c, const char *path, char **errmsg)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		policy_cache_db_error(c->db, errmsg, path);
		return -1;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > POLICY_CACHE_SCHEMA) {
		*errmsg = xasprintf("%s: cache schema version %d is newer than "
		                    "ours (%d)",
		    path, version, POLICY_CACHE_SCHEMA);
		return -1;
	}
	if (version == POLICY_CACHE_SCHEMA)
		return 0;
	if (c->read_only) {
		*errmsg = xasprintf("%s: not a policy cache", path);
		return -1;
	}
	if (sqlite3_exec(c->db, policy_cache_ddl, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		policy_cache_db_error(c->db, errmsg, path);
		return -1;
	}
	return 0;
}

/* policy_cache_load - the rows not expired at now, newest first */
static long
policy_cache_load(
    struct policy_cache *c, const char *path, time_t now, char **errmsg)
{
	sqlite3_stmt *st = NULL;
	struct policy_cache_entry *ent;
	struct policy_cache_policy *p;
	struct perr err;
	const char *domain, *id;
	char norm[DOMAIN_MAX + 1];
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(c->db,
	        "SELECT domain, policy_id, fetched_at, body FROM sts_policy "
	        "WHERE expires_at > ?1 ORDER BY fetched_at DESC, domain",
	        -1, &st, NULL) != SQLITE_OK) {
		policy_cache_db_error(c->db, errmsg, path);
		return -1;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		domain = (const char *)sqlite3_column_text(st, 0);
		id = (const char *)sqlite3_column_text(st, 1);
		memset(&err, 0, sizeof(err));
		p = NULL;
		if (domain == NULL ||
		    domain_normalize(domain, strlen(domain), norm, sizeof(norm),
		        &err) != 0 ||
		    strcmp(norm, domain) != 0)
			perr_set(&err, 0, "not a normalised domain name");
		else
			p = policy_cache_parse(id,
			    (const char *)sqlite3_column_blob(st, 3),
			    (size_t)sqlite3_column_bytes(st, 3),
			    (time_t)sqlite3_column_int64(st, 2), &err);
		if (p == NULL) {
			log_warnx("%s: cache: row of %s dropped: %s", path,
			    domain != NULL ? domain : "(null)", err.msg);
			if (domain != NULL)
				policy_cache_mark(c, domain);
			continue;
		}
		if (c->map.count >= c->cap) {
			/* older than the cap's worth: not kept */
			policy_cache_policy_free(p);
			policy_cache_mark(c, norm);
			continue;
		}
		/* rows come newest first: each goes behind the previous */
		ent = policy_cache_insert(c, norm, true);
		policy_cache_unlink(&c->other, ent);
		ent->policy = p;
		ent->stored = true;
		policy_cache_push_tail(&c->pol, ent);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		policy_cache_db_error(c->db, errmsg, path);
		return -1;
	}
	return n;
}

long
policy_cache_open(struct policy_cache *c, const char *path, bool read_only,
    time_t now, char **errmsg)
{
	sqlite3_stmt *st;
	int oflags, i;
	bool damaged;
	long n;

	*errmsg = NULL;
	ASSERT(c->db == NULL && c->map.count == 0);
	c->read_only = read_only;
	oflags = read_only ? SQLITE_OPEN_READONLY
	                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &c->db, oflags, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(c->db, POLICY_CACHE_BUSY_MS);
	/*
	 * The file is read once, at start, then written in batches: a
	 * 256 KiB page cache instead of SQLite's 2 MiB keeps that memory.
	 */
	(void)sqlite3_exec(
	    c->db, "PRAGMA cache_size = -256;", NULL, NULL, NULL);
	/* WAL: a reader (mxaudit query) never blocks the daemon's writes */
	if (!read_only &&
	    sqlite3_exec(c->db,
	        "PRAGMA journal_mode = WAL;"
	        "PRAGMA synchronous = NORMAL;",
	        NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (policy_cache_schema(c, path, errmsg) != 0)
		goto fail;
	c->path = xstrdup(path);
	for (i = 0; !read_only && i < POLICY_CACHE_STMT_MAX; i++)
		if (sqlite3_prepare_v3(c->db, policy_cache_sql[i], -1,
		        SQLITE_PREPARE_PERSISTENT, &c->stmt[i],
		        NULL) != SQLITE_OK)
			goto fail;
	if ((n = policy_cache_load(c, path, now, errmsg)) < 0)
		goto fail;
	/* expired rows are of no use to anyone */
	if (!read_only) {
		st = c->stmt[POLICY_CACHE_STMT_EXPIRE];
		sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
		if (policy_cache_run(st) != 0)
			goto fail;
	}
	return n;
fail:
	policy_cache_db_error(c->db, errmsg, path);
	damaged = c->db != NULL &&
	    ((sqlite3_errcode(c->db) & 0xff) == SQLITE_NOTADB ||
	        (sqlite3_errcode(c->db) & 0xff) == SQLITE_CORRUPT);
	for (i = 0; i < POLICY_CACHE_STMT_MAX; i++) {
		sqlite3_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	sqlite3_close(c->db);
	c->db = NULL;
	free(c->path);
	c->path = NULL;
	policy_cache_purge(c);
	policy_cache_dirty_clear(c);
	c->purge_all = false;
	return damaged ? POLICY_CACHE_DAMAGED : -1;
}

/* policy_cache_write - one domain's row as its entry says */
static int
policy_cache_write(struct policy_cache *c, const char *domain)
{
	struct policy_cache_entry *ent = policy_cache_get(c, domain);
	struct policy_cache_policy *p;
	sqlite3_stmt *st;
	struct buf mx;
	size_t i;
	int rc;

	if (ent == NULL || ent->policy == NULL) {
		st = c->stmt[POLICY_CACHE_STMT_DELETE];
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
		return policy_cache_run(st);
	}
	p = ent->policy;
	buf_init(&mx, (size_t)MTASTS_POLICY_MAX + 1);
	for (i = 0; i < p->nmx; i++)
		if (buf_puts(&mx, i > 0 ? " " : "") != 0 ||
		    buf_puts(&mx, p->mx[i]) != 0)
			break;
	st = c->stmt[POLICY_CACHE_STMT_UPSERT];
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)p->fetched_at);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)p->expires_at);
	sqlite3_bind_text(st, 5, mtasts_mode_name(p->mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, buf_str(&mx), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, p->body, (int)p->body_len, SQLITE_STATIC);
	rc = policy_cache_run(st);
	buf_release(&mx);
	if (rc == 0)
		ent->stored = true;
	return rc;
}

int
policy_cache_flush(struct policy_cache *c, char **errmsg)
{
	size_t i;

	*errmsg = NULL;
	if (c->db == NULL || c->read_only || (c->ndirty == 0 && !c->purge_all))
		return 0;
	if (policy_cache_run(c->stmt[POLICY_CACHE_STMT_BEGIN]) != 0)
		goto fail;
	if (c->purge_all &&
	    policy_cache_run(c->stmt[POLICY_CACHE_STMT_DELETE_ALL]) != 0)
		goto rollback;
	for (i = 0; i < c->ndirty; i++)
		if (policy_cache_write(c, c->dirty[i]) != 0)
			goto rollback;
	if (policy_cache_run(c->stmt[POLICY_CACHE_STMT_COMMIT]) != 0)
		goto rollback;
	c->db_rows += c->ndirty;
	c->db_commits++;
	c->purge_all = false;
	policy_cache_dirty_clear(c);
	return 0;
rollback:
	policy_cache_db_error(c->db, errmsg, c->path);
	policy_cache_run(c->stmt[POLICY_CACHE_STMT_ROLLBACK]);
	c->db_errors++;
	return -1;
fail:
	policy_cache_db_error(c->db, errmsg, c->path);
	c->db_errors++;
	return -1;
}

void
policy_cache_stats(const struct policy_cache *c, struct policy_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->entries = c->map.count;
	out->policies = c->pol.n;
	out->evictions = c->evictions;
	out->db_rows = c->db_rows;
	out->db_commits = c->db_commits;
	out->db_errors = c->db_errors;
}

void
policy_cache_free(struct policy_cache *c)
{
	char *errmsg = NULL;
	struct policy_cache_entry *ent, *next;
	int pass, i;

	if (c == NULL)
		return;
	if (policy_cache_flush(c, &errmsg) != 0) {
		log_warnx("cache: last write failed: %s", errmsg);
		free(errmsg);
	}
	for (pass = 0; pass < 2; pass++) {
		ent = pass == 0 ? c->pol.head : c->other.head;
		for (; ent != NULL; ent = next) {
			next = ent->lru_next;
			policy_cache_entry_free(ent);
		}
	}
	strmap_release(&c->map);
	policy_cache_dirty_clear(c);
	strmap_release(&c->dirty_set);
	free(c->dirty);
	for (i = 0; i < POLICY_CACHE_STMT_MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}
