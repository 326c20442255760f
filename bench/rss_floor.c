/* SPDX-License-Identifier: ISC */
/*
 * rss_floor - the resident memory of a process that links the libraries
 * mxaudit policyd needs (OpenSSL, libcurl, libunbound, SQLite) before it
 * does any work of its own: at main(), then after initialising each.
 * The floor under the daemon's RSS figure in RESULTS.md.
 *
 * usage: cc -O2 -o rss_floor bench/rss_floor.c -lssl -lcrypto -lcurl \
 *            -lunbound -lsqlite3 && ./rss_floor
 */
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unbound.h>

static void
show(const char *what)
{
	char line[256];
	long rss = -1, anon = -1, file = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		(void)(sscanf(line, "VmRSS: %ld", &rss) == 1 ||
		    sscanf(line, "RssAnon: %ld", &anon) == 1 ||
		    sscanf(line, "RssFile: %ld", &file) == 1);
	}
	fclose(fp);
	printf("%-36s VmRSS %6ld kB  RssAnon %6ld kB  RssFile %6ld kB\n", what,
	    rss, anon, file);
}

int
main(void)
{
	struct ub_ctx *ub;
	SSL_CTX *ctx;
	CURLM *multi;
	sqlite3 *db;

	show("at main()");
	OPENSSL_init_ssl(0, NULL);
	show("+ OPENSSL_init_ssl");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	show("+ curl_global_init, a multi handle");
	ub = ub_ctx_create();
	show("+ ub_ctx_create");
	if (sqlite3_open(":memory:", &db) == SQLITE_OK)
		sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(1);",
		    NULL, NULL, NULL);
	show("+ an SQLite database");
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_default_verify_paths(ctx);
	show("+ an SSL_CTX with the system CAs");
	SSL_CTX_free(ctx);
	sqlite3_close(db);
	ub_ctx_delete(ub);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	return 0;
}
