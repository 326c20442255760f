/* SPDX-License-Identifier: ISC */
/*
 * sqlfix - fixtures of the unit tests that keep an SQLite file: a
 * temporary directory per test, and queries on a connection of their own.
 *
 * For the unit tests only; include after <cmocka.h> and <sqlite3.h>.
 */
#ifndef MX_TESTS_SQLFIX_H
#define MX_TESTS_SQLFIX_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/xalloc.h"

struct tmp {
	char dir[64];   /* the temporary directory */
	char path[128]; /* dir/<file> */
};

/* tmp_make - *state: a new directory /tmp/<prefix>.XXXXXX; path in it */
static inline int
tmp_make(void **state, const char *prefix, const char *file)
{
	struct tmp *t = xcalloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	*state = t;
	return 0;
}

/* tmp_teardown - the directory, its files, and *state */
static inline int
tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char *cmd = xasprintf("rm -rf '%s'", t->dir);

	/* the directory is ours, made by mkdtemp: no quote in its name */
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t->dir);
	free(cmd);
	free(t);
	return 0;
}

/* sql_int - the integer a query returns, on another connection */
static inline int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* sql_exec - statements on another connection */
static inline void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

#endif
