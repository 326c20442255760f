/* SPDX-License-Identifier: ISC */
/*
 * test_policyd_engine - the policy daemon's answers and its cache.
 *
 * The engine runs without an event loop or resolver, so nothing is ever
 * looked up: entries are filled by hand through the cache API, the clock
 * is fixed, and what would be scheduled shows in the counters. The SQLite
 * tests get a temporary directory each; the crash test kills a child
 * process (SIGKILL) while it rewrites every row batch after batch, then
 * checks that the file is intact and holds exactly one whole batch.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "policyd/cache.h"
#include "policyd/engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include "sqlfix.h"

#define NOW ((time_t)1800000000) /* the fixed clock: 2027-01-15 */

/* ---- fixtures ---- */

static char cache_internal[] = "internal";
static char cache_sqlite[] = "sqlite";
static char zone_strict[] = "strict";
static char zone_tlsrpt[] = "tlsrpt";
static char zone_nosni[] = "nosni";
static char zone_nodane[] = "nodane";

/* test_config - the defaults of mta-sts-daemon.yml, and four zones */
static void
test_config(struct policyd_config *c, size_t cache_size)
{
	struct policyd_zone z = { NULL, false, 4, true, false, true };

	memset(c, 0, sizeof(*c));
	c->cache_grace = 60;
	c->cache_type = cache_internal;
	c->cache_size = cache_size;
	c->negative_ttl = 300;
	c->proactive_interval = 86400;
	c->proactive_concurrency = 100;
	c->proactive_grace_ratio = 2;
	c->default_zone = z;
	c->zones[0] = z;
	c->zones[0].name = zone_strict;
	c->zones[0].strict_testing = true;
	c->zones[1] = z;
	c->zones[1].name = zone_tlsrpt;
	c->zones[1].tlsrpt = true;
	c->zones[2] = z;
	c->zones[2].name = zone_nosni;
	c->zones[2].require_sni = false;
	c->zones[3] = z;
	c->zones[3].name = zone_nodane;
	c->zones[3].dane = false;
	c->nzones = 4;
}

static struct policy_engine *
engine_ok(const struct policyd_config *c, bool read_only)
{
	struct policy_engine_config ec;
	struct policy_engine *e;
	char *errmsg = NULL;

	memset(&ec, 0, sizeof(ec));
	ec.cfg = c;
	ec.read_only = read_only;
	if ((e = policy_engine_new(&ec, &errmsg)) == NULL)
		fail_msg("policy_engine_new: %s", errmsg);
	policy_engine_set_now(e, NOW);
	return e;
}

static const char enforce_body[] = "version: STSv1\r\n"
                                   "mode: enforce\r\n"
                                   "mx: mail.example.com\r\n"
                                   "mx: *.example.net\r\n"
                                   "mx: backupmx.example.com\r\n"
                                   "max_age: 604800\r\n";

/* put - a policy for domain, fetched at fetched_at */
static struct policy_cache_entry *
put(struct policy_cache *c, const char *domain, const char *id,
    const char *body, time_t fetched_at)
{
	struct policy_cache_entry *ent = policy_cache_get(c, domain);
	struct perr err = { 0, NULL };

	if (ent == NULL)
		ent = policy_cache_add(c, domain);
	if (policy_cache_set_policy(
	        c, ent, id, body, strlen(body), fetched_at, &err) != 0)
		fail_msg("set_policy %s: %s", domain, err.msg);
	ent->checked_at = fetched_at;
	ent->refresh_at = fetched_at + 100000;
	return ent;
}

/* ask - the reply to "name key", as a string (static buffer) */
static const char *
ask(struct policy_engine *e, const char *name, const char *key)
{
	static char out[POLICY_ENGINE_REPLY_MAX + 1];
	struct buf b;

	buf_init(&b, POLICY_ENGINE_REPLY_MAX);
	policy_engine_answer(e, name, strlen(name), key, strlen(key), &b);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

static int
tmp_setup(void **state)
{
	return tmp_make(state, "test_policyd", "cache.db");
}

static void
sql_text(const char *path, const char *sql, char *out, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(
		    out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- keys ---- */

struct key_case {
	const char *key;
	size_t len; /* 0: strlen */
	enum policy_engine_key kind;
	const char *domain; /* for KEY_DOMAIN */
};

static const struct key_case key_cases[] = {
	{ "example.com", 0, POLICY_ENGINE_KEY_DOMAIN, "example.com" },
	{ "Example.COM", 0, POLICY_ENGINE_KEY_DOMAIN, "example.com" },
	{ "example.com.", 0, POLICY_ENGINE_KEY_DOMAIN, "example.com" },
	{ " example.com\t", 0, POLICY_ENGINE_KEY_DOMAIN, "example.com" },
	{ "[mx.Example.com]", 0, POLICY_ENGINE_KEY_DOMAIN, "mx.example.com" },
	{ "[mx.example.com]:587", 0, POLICY_ENGINE_KEY_DOMAIN,
	    "mx.example.com" },
	{ "mx.example.com:25", 0, POLICY_ENGINE_KEY_DOMAIN, "mx.example.com" },
	{ "xn--bcher-kva.example", 0, POLICY_ENGINE_KEY_DOMAIN,
	    "xn--bcher-kva.example" },
	{ "_srv.example", 0, POLICY_ENGINE_KEY_DOMAIN, "_srv.example" },
	{ "localhost", 0, POLICY_ENGINE_KEY_DOMAIN, "localhost" },
	{ ".example.com", 0, POLICY_ENGINE_KEY_PARENT, NULL },
	{ ".com", 0, POLICY_ENGINE_KEY_PARENT, NULL },
	{ ".", 0, POLICY_ENGINE_KEY_PARENT, NULL },
	{ "192.0.2.1", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "192.0.2.1.", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[192.0.2.1]", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[192.0.2.1]:25", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[1.2.3.4]", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "2001:db8::1", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[2001:db8::1]", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[2001:db8::1]:25", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "[IPv6:2001:db8::1]", 0, POLICY_ENGINE_KEY_LITERAL, NULL },
	{ "", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "   ", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "exa mple.com", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "example..com", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "example.com..", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "[example.com", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "[example.com]x", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "[example.com]:", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "[]", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "example.com:smtp", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "example.com:123456", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "a:b:c", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "ex\0ample.com", 12, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "exa/mple.com", 0, POLICY_ENGINE_KEY_INVALID, NULL },
	{ "\xff\xfe.example", 0, POLICY_ENGINE_KEY_INVALID, NULL },
};

static void
test_normalize(void **state)
{
	char out[DOMAIN_MAX + 1], *k;
	const char *why;
	enum policy_engine_key kind;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		len = key_cases[i].len ? key_cases[i].len
		                       : strlen(key_cases[i].key);
		/* an exact-size copy: a read past the end trips ASan */
		k = xmalloc(len + 1);
		memcpy(k, key_cases[i].key, len);
		kind = policy_engine_normalize(k, len, out, sizeof(out), &why);
		if (kind != key_cases[i].kind)
			fail_msg("%s: %s, want %s (%s)", key_cases[i].key,
			    policy_engine_key_name(kind),
			    policy_engine_key_name(key_cases[i].kind),
			    why != NULL ? why : "");
		if (kind == POLICY_ENGINE_KEY_DOMAIN)
			assert_string_equal(out, key_cases[i].domain);
		if (kind == POLICY_ENGINE_KEY_INVALID)
			assert_non_null(why);
		free(k);
	}
}

static void
test_normalize_lengths(void **state)
{
	char key[POLICY_ENGINE_KEY_MAX + 8], out[DOMAIN_MAX + 1];
	size_t i;

	(void)state;
	/* 63-octet label yes, 64 no */
	memset(key, 'a', 63);
	memcpy(key + 63, ".example", 9);
	assert_int_equal(
	    policy_engine_normalize(key, strlen(key), out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_DOMAIN);
	memset(key, 'a', 64);
	memcpy(key + 64, ".example", 9);
	assert_int_equal(
	    policy_engine_normalize(key, strlen(key), out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_INVALID);
	/* 253 octets yes, 254 no */
	for (i = 0; i < 253; i++)
		key[i] = i % 2 == 0 ? 'a' : '.';
	key[253] = '\0';
	assert_int_equal(
	    policy_engine_normalize(key, 253, out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_DOMAIN);
	key[253] = 'b';
	key[254] = '\0';
	assert_int_equal(
	    policy_engine_normalize(key, 254, out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_INVALID);
	/* a key past the cap is not even looked at */
	memset(key, 'a', sizeof(key));
	assert_int_equal(
	    policy_engine_normalize(key, sizeof(key), out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_INVALID);
}

static void
test_normalize_idn(void **state)
{
	char out[DOMAIN_MAX + 1];
	const char *why = NULL,
	           *k = "B\xc3\xbc"
	                "cher.Example";

	(void)state;
	if (policy_engine_normalize(k, strlen(k), out, sizeof(out), &why) ==
	        POLICY_ENGINE_KEY_INVALID &&
	    why != NULL && strcmp(why, "no idn support") == 0)
		skip(); /* libidn2 not linked into this binary */
	assert_string_equal(out, "xn--bcher-kva.example");
	k = "[m\xc3\xbcnchen.example]:25";
	assert_int_equal(
	    policy_engine_normalize(k, strlen(k), out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_DOMAIN);
	assert_string_equal(out, "xn--mnchen-3ya.example");
	/* not UTF-8 */
	k = "m\xfcnchen.example";
	assert_int_equal(
	    policy_engine_normalize(k, strlen(k), out, sizeof(out), NULL),
	    POLICY_ENGINE_KEY_INVALID);
}

/* ---- replies ---- */

static struct policy_cache_policy *
parse_policy(const char *body)
{
	struct policy_cache *c = policy_cache_new(4);
	struct policy_cache_entry *ent = put(c, "x.example", "id1", body, NOW);
	struct policy_cache_policy *p = ent->policy;

	/* keep the policy, drop the cache around it */
	ent->policy = NULL;
	policy_cache_free(c);
	return p;
}

static void
policy_free(struct policy_cache_policy *p)
{
	size_t i;

	free(p->id);
	for (i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p->body);
	free(p);
}

static void
test_format(void **state)
{
	struct policy_cache_policy *p = parse_policy(enforce_body);
	struct buf b;

	(void)state;
	buf_init(&b, POLICY_ENGINE_REPLY_MAX);
	assert_int_equal(
	    policy_engine_format("example.com", p, true, false, &b), 0);
	assert_string_equal(buf_str(&b),
	    "OK secure match=mail.example.com:.example.net:"
	    "backupmx.example.com servername=hostname");
	buf_reset(&b);
	assert_int_equal(
	    policy_engine_format("example.com", p, false, false, &b), 0);
	assert_string_equal(buf_str(&b),
	    "OK secure match=mail.example.com:.example.net:"
	    "backupmx.example.com");
	/* Postfix's TLSRPT_README example, to the byte */
	buf_reset(&b);
	assert_int_equal(
	    policy_engine_format("example.com", p, true, true, &b), 0);
	assert_string_equal(buf_str(&b),
	    "OK secure match=mail.example.com:.example.net:"
	    "backupmx.example.com servername=hostname policy_type=sts "
	    "policy_domain=example.com mx_host_pattern=mail.example.com "
	    "mx_host_pattern=*.example.net "
	    "mx_host_pattern=backupmx.example.com "
	    "{ policy_string = version: STSv1 } "
	    "{ policy_string = mode: enforce } "
	    "{ policy_string = mx: mail.example.com } "
	    "{ policy_string = mx: *.example.net } "
	    "{ policy_string = mx: backupmx.example.com } "
	    "{ policy_string = max_age: 604800 }");
	policy_free(p);

	/* duplicates once; braces and trailing blanks kept out */
	p = parse_policy("version: STSv1\nmode: testing\nmx: a.example\n"
	                 "mx: *.b.example\nmx: a.example\nmax_age: 86400  \n"
	                 "ext: x{y}\nother: ok\n");
	buf_reset(&b);
	assert_int_equal(
	    policy_engine_format("d.example", p, true, true, &b), 0);
	assert_string_equal(buf_str(&b),
	    "OK secure match=a.example:.b.example servername=hostname "
	    "policy_type=sts policy_domain=d.example "
	    "mx_host_pattern=a.example mx_host_pattern=*.b.example "
	    "mx_host_pattern=a.example "
	    "{ policy_string = version: STSv1 } "
	    "{ policy_string = mode: testing } "
	    "{ policy_string = mx: a.example } "
	    "{ policy_string = mx: *.b.example } "
	    "{ policy_string = mx: a.example } "
	    "{ policy_string = max_age: 86400 } "
	    "{ policy_string = other: ok }");
	/* too long for the buffer: -1 and empty */
	buf_release(&b);
	buf_init(&b, 40);
	assert_int_equal(
	    policy_engine_format("d.example", p, true, false, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	policy_free(p);
}

static void
test_answer_modes(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_cache *c;
	struct policy_engine_stats st;
	struct policy_cache_entry *ent;
	const char *secure = "OK secure match=mail.example.com:.example.net:"
	                     "backupmx.example.com servername=hostname";

	(void)state;
	test_config(&cfg, 100);
	e = engine_ok(&cfg, false);
	c = policy_engine_cache(e);
	put(c, "enforce.example", "e1", enforce_body, NOW - 10);
	put(c, "testing.example", "t1",
	    "version: STSv1\nmode: testing\nmx: mx.testing.example\n"
	    "max_age: 86400\n",
	    NOW - 10);
	put(c, "none.example", "n1",
	    "version: STSv1\nmode: none\nmax_age: 86400\n", NOW - 10);
	put(c, "expired.example", "x1",
	    "version: STSv1\nmode: enforce\nmx: mx.expired.example\n"
	    "max_age: 3600\n",
	    NOW - 3600);

	/* enforce, in every spelling of the key */
	assert_string_equal(ask(e, "postfix", "enforce.example"), secure);
	assert_string_equal(ask(e, "postfix", "ENFORCE.Example."), secure);
	assert_string_equal(ask(e, "postfix", "[enforce.example]:25"), secure);
	assert_string_equal(ask(e, "nosni", "enforce.example"),
	    "OK secure match=mail.example.com:.example.net:"
	    "backupmx.example.com");
	assert_int_equal(strncmp(ask(e, "tlsrpt", "enforce.example"),
	                     "OK secure match=mail.example.com:.example.net:"
	                     "backupmx.example.com servername=hostname "
	                     "policy_type=sts policy_domain=enforce.example "
	                     "mx_host_pattern=mail.example.com ",
	                     150),
	    0);
	/* parent probes and literals: no lookup, no entry */
	assert_string_equal(ask(e, "postfix", ".enforce.example"), "NOTFOUND ");
	assert_string_equal(ask(e, "postfix", "[192.0.2.1]"), "NOTFOUND ");
	assert_string_equal(ask(e, "postfix", "bad key"), "NOTFOUND ");
	/* testing: NOTFOUND unless strict_testing */
	assert_string_equal(ask(e, "postfix", "testing.example"), "NOTFOUND ");
	assert_string_equal(ask(e, "strict", "testing.example"),
	    "OK secure match=mx.testing.example servername=hostname");
	/* none: NOTFOUND everywhere */
	assert_string_equal(ask(e, "postfix", "none.example"), "NOTFOUND ");
	assert_string_equal(ask(e, "strict", "none.example"), "NOTFOUND ");
	/* expired: NOTFOUND, and the policy is gone */
	assert_string_equal(ask(e, "strict", "expired.example"), "NOTFOUND ");
	ent = policy_cache_get(c, "expired.example");
	assert_non_null(ent);
	assert_null(ent->policy);
	/* unknown: NOTFOUND now, an entry to resolve */
	assert_null(policy_cache_get(c, "new.example"));
	assert_string_equal(ask(e, "postfix", "new.example"), "NOTFOUND ");
	ent = policy_cache_get(c, "new.example");
	assert_non_null(ent);
	assert_null(ent->policy);
	/* negative: NOTFOUND without a miss */
	ent->neg_expires = NOW + 100;
	ent->checked_at = NOW - 10;
	assert_string_equal(ask(e, "postfix", "new.example"), "NOTFOUND ");

	policy_engine_stats(e, &st);
	assert_int_equal(st.queries, 15);
	assert_int_equal(st.keys_skipped, 3);
	assert_int_equal(st.answers_secure, 6);
	assert_int_equal(st.answers_notfound, 9);
	assert_int_equal(st.cache_hits, 9);
	assert_int_equal(st.cache_misses, 2);
	assert_int_equal(st.cache_negative_hits, 1);
	assert_int_equal(st.cache_stale, 0);
	assert_int_equal(st.entries, 5);
	assert_int_equal(st.policies, 3);
	policy_engine_free(e);
}

static void
test_stale_while_revalidate(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_cache_entry *ent;
	struct policy_engine_stats st;
	const char *secure = "OK secure match=mail.example.com:.example.net:"
	                     "backupmx.example.com servername=hostname";

	(void)state;
	test_config(&cfg, 100);
	e = engine_ok(&cfg, false);
	ent = put(policy_engine_cache(e), "d.example", "a1", enforce_body,
	    NOW - 1000);
	/* checked within cache_grace: answered, nothing due */
	ent->checked_at = NOW - 59;
	assert_string_equal(ask(e, "nodane", "d.example"), secure);
	policy_engine_stats(e, &st);
	assert_int_equal(st.cache_stale, 0);
	/* older than cache_grace: still answered, revalidation due */
	ent->checked_at = NOW - 61;
	assert_string_equal(ask(e, "nodane", "d.example"), secure);
	policy_engine_stats(e, &st);
	assert_int_equal(st.cache_stale, 1);
	/* backing off after failures: answered, nothing due */
	ent->retry_at = NOW + 300;
	ent->nfail = 2;
	assert_string_equal(ask(e, "nodane", "d.example"), secure);
	policy_engine_stats(e, &st);
	assert_int_equal(st.cache_stale, 1);
	/* the answer never waits for anything: no resolver at all here */
	assert_int_equal(st.jobs_started, 0);
	assert_int_equal(st.jobs_queued, 0);
	policy_engine_free(e);
}

static void
test_dane_precedence(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_cache *c;
	struct policy_cache_entry *ent;
	struct policy_engine_stats st;
	const char *secure = "OK secure match=mail.example.com:.example.net:"
	                     "backupmx.example.com servername=hostname";

	(void)state;
	test_config(&cfg, 100);
	e = engine_ok(&cfg, false);
	c = policy_engine_cache(e);
	ent = put(c, "both.example", "b1", enforce_body, NOW - 10);
	ent->dane = POLICY_CACHE_DANE_YES;
	ent->dane_checked_at = NOW - 10;
	ent->dane_expires = NOW + 3000;
	/* DANE first; not in a zone without dane */
	assert_string_equal(ask(e, "postfix", "both.example"), "OK dane");
	assert_string_equal(ask(e, "strict", "both.example"), "OK dane");
	assert_string_equal(ask(e, "nodane", "both.example"), secure);
	/* DANE state expired (lookups failing since): MTA-STS, never TEMP */
	ent->dane_expires = NOW - 1;
	assert_string_equal(ask(e, "postfix", "both.example"), secure);
	/* unknown or no DANE: MTA-STS */
	ent->dane = POLICY_CACHE_DANE_UNKNOWN;
	assert_string_equal(ask(e, "postfix", "both.example"), secure);
	ent->dane = POLICY_CACHE_DANE_NO;
	ent->dane_expires = NOW + 3000;
	assert_string_equal(ask(e, "postfix", "both.example"), secure);
	/* DANE without MTA-STS */
	ent = policy_cache_add(c, "daneonly.example");
	ent->neg_expires = NOW + 300;
	ent->checked_at = NOW;
	ent->dane = POLICY_CACHE_DANE_YES;
	ent->dane_checked_at = NOW;
	ent->dane_expires = NOW + 3000;
	assert_string_equal(ask(e, "postfix", "daneonly.example"), "OK dane");
	assert_string_equal(ask(e, "nodane", "daneonly.example"), "NOTFOUND ");
	/* DANE over a testing policy too (RFC 8461 2) */
	ent = put(c, "testing.example", "t1",
	    "version: STSv1\nmode: testing\nmx: mx.testing.example\n"
	    "max_age: 86400\n",
	    NOW - 10);
	ent->dane = POLICY_CACHE_DANE_YES;
	ent->dane_checked_at = NOW;
	ent->dane_expires = NOW + 3000;
	assert_string_equal(ask(e, "strict", "testing.example"), "OK dane");
	policy_engine_stats(e, &st);
	assert_int_equal(st.answers_dane, 4);
	policy_engine_free(e);
}

static void
test_reply_cap(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_engine_stats st;
	struct buf body, small;
	char label[64];
	const char *r;
	size_t i;

	(void)state;
	/* 128 mx patterns of ~250 bytes, extensions up to 64 KiB */
	buf_init(&body, 65536);
	buf_puts(&body, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
	for (i = 0; i < 128; i++) {
		memset(label, 'a' + (int)(i % 26), 60);
		label[60] = '\0';
		assert_int_equal(
		    buf_printf(&body, "mx: m%zu.%s.%s.%s.example\n", i, label,
		        label, label),
		    0);
	}
	while (body.len < 64000)
		assert_int_equal(
		    buf_printf(&body, "ext%zu: %0300d\n", body.len, 0), 0);
	test_config(&cfg, 10);
	e = engine_ok(&cfg, false);
	put(policy_engine_cache(e), "big.example", "big1", buf_str(&body),
	    NOW - 10);
	/* without TLSRPT it fits; with it, over 100,000 bytes: TEMP */
	r = ask(e, "postfix", "big.example");
	assert_int_equal(strncmp(r, "OK secure match=m0.", 19), 0);
	assert_true(strlen(r) < POLICY_ENGINE_REPLY_MAX);
	assert_string_equal(
	    ask(e, "tlsrpt", "big.example"), "TEMP policy too long");
	assert_string_equal(
	    ask(e, "tlsrpt", "big.example"), "TEMP policy too long");
	/* a caller's buffer smaller than the reply: TEMP too */
	buf_init(&small, 64);
	policy_engine_answer(e, "postfix", 7, "big.example", 11, &small);
	assert_string_equal(buf_str(&small), "TEMP policy too long");
	buf_release(&small);
	policy_engine_stats(e, &st);
	assert_int_equal(st.answers_temp, 3);
	assert_int_equal(st.answers_secure, 1);
	policy_engine_free(e);
	buf_release(&body);
}

static void
test_set_policy_invalid(void **state)
{
	struct policy_cache *c = policy_cache_new(4);
	struct policy_cache_entry *ent = policy_cache_add(c, "d.example");
	struct perr err = { 0, NULL };
	const char *bad = "version: STSv1\nmode: enforce\nmax_age: 86400\n";

	(void)state;
	/* enforce without mx */
	assert_int_equal(
	    policy_cache_set_policy(c, ent, "id1", bad, strlen(bad), NOW, &err),
	    -1);
	assert_non_null(err.msg);
	assert_null(ent->policy);
	/* an id that is not 1-32 letters and digits */
	assert_int_equal(policy_cache_set_policy(c, ent, "id-1", enforce_body,
	                     strlen(enforce_body), NOW, &err),
	    -1);
	assert_null(ent->policy);
	assert_int_equal(policy_cache_set_policy(c, ent, "id1", enforce_body,
	                     strlen(enforce_body), NOW, &err),
	    0);
	assert_non_null(ent->policy);
	assert_int_equal(ent->policy->mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(ent->policy->max_age, 604800);
	assert_int_equal(ent->policy->expires_at, NOW + 604800);
	assert_int_equal(ent->policy->nmx, 3);
	assert_string_equal(ent->policy->mx[1], "*.example.net");
	policy_cache_free(c);
}

static void
test_lru_eviction(void **state)
{
	struct policy_cache *c = policy_cache_new(4);
	struct policy_cache_stats st;

	(void)state;
	put(c, "p1.example", "a", enforce_body, NOW);
	put(c, "p2.example", "a", enforce_body, NOW);
	policy_cache_add(c, "n1.example");
	policy_cache_add(c, "n2.example");
	/* full: a new entry evicts the oldest one without a policy */
	policy_cache_touch(c, policy_cache_get(c, "n1.example"));
	policy_cache_add(c, "n3.example");
	assert_null(policy_cache_get(c, "n2.example"));
	assert_non_null(policy_cache_get(c, "n1.example"));
	policy_cache_add(c, "n4.example");
	assert_null(policy_cache_get(c, "n1.example"));
	/* a policy replacing the negatives: they go first */
	put(c, "p3.example", "a", enforce_body, NOW);
	assert_null(policy_cache_get(c, "n3.example"));
	put(c, "p4.example", "a", enforce_body, NOW);
	assert_null(policy_cache_get(c, "n4.example"));
	/* only policies left: the least recently used one goes */
	policy_cache_touch(c, policy_cache_get(c, "p1.example"));
	policy_cache_add(c, "n5.example");
	assert_null(policy_cache_get(c, "p2.example"));
	assert_non_null(policy_cache_get(c, "p1.example"));
	policy_cache_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.policies, 3);
	assert_int_equal(st.evictions, 5);
	policy_cache_free(c);
}

static void
test_dump_purge_metrics(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_engine_stats st;
	struct policy_cache_entry *ent;
	struct buf m;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	test_config(&cfg, 100);
	e = engine_ok(&cfg, false);
	put(policy_engine_cache(e), "b.example", "id7", enforce_body, NOW - 10);
	ent = policy_cache_add(policy_engine_cache(e), "a.example");
	ent->neg_expires = NOW + 300;
	ent = policy_cache_add(policy_engine_cache(e), "c.example");
	ent->nfail = 2;
	fp = open_memstream(&text, &len);
	policy_engine_dump(e, fp);
	fclose(fp);
	assert_string_equal(text,
	    "# domain\tstate\tmode\tid\texpires\tdane\tfailures\n"
	    "a.example\tnegative\t-\t-\t2027-01-15T08:05:00Z\tunknown\t0\n"
	    "b.example\tpolicy\tenforce\tid7\t2027-01-22T07:59:50Z\tunknown\t0\n"
	    "c.example\tfailing\t-\t-\t-\tunknown\t2\n");
	free(text);
	ask(e, "postfix", "b.example");
	ask(e, "postfix", ".b.example");
	policy_engine_stats(e, &st);
	buf_init(&m, 65536);
	assert_int_equal(policy_engine_metrics(&st, &m), 0);
	assert_non_null(strstr(buf_str(&m),
	    "# TYPE mxaudit_policyd_queries_total counter\n"
	    "mxaudit_policyd_queries_total 2\n"));
	assert_non_null(strstr(buf_str(&m),
	    "mxaudit_policyd_answers_total{answer=\"secure\"} 1\n"));
	assert_non_null(strstr(buf_str(&m),
	    "mxaudit_policyd_cache_requests_total{result=\"hit\"} 1\n"));
	assert_non_null(
	    strstr(buf_str(&m), "mxaudit_policyd_cache_entries 3\n"));
	buf_release(&m);
	buf_init(&m, 100);
	assert_int_equal(policy_engine_metrics(&st, &m), -1);
	buf_release(&m);
	/* purge one (any key form), then all */
	assert_int_equal(policy_engine_purge(e, "[B.example]:25"), 1);
	assert_null(policy_cache_get(policy_engine_cache(e), "b.example"));
	assert_int_equal(policy_engine_purge(e, "nothere.example"), 0);
	assert_int_equal(policy_engine_purge(e, NULL), 2);
	policy_engine_stats(e, &st);
	assert_int_equal(st.entries, 0);
	policy_engine_free(e);
}

static void
test_query_offline(void **state)
{
	struct policyd_config cfg;
	struct policy_engine *e;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	test_config(&cfg, 100);
	e = engine_ok(&cfg, false);
	put(policy_engine_cache(e), "q.example", "q1", enforce_body, NOW - 10);
	fp = open_memstream(&text, &len);
	assert_int_equal(
	    policy_engine_query(e, "postfix", ".q.example", fp), 1);
	assert_int_equal(
	    policy_engine_query(e, "postfix", "Q.example", fp), -1);
	fclose(fp);
	assert_non_null(strstr(text, "domain: none, a parent-domain probe"));
	assert_non_null(strstr(text, "domain: q.example\n"));
	assert_non_null(
	    strstr(text, "cache before: policy, mode enforce, id q1"));
	assert_non_null(strstr(text,
	    "answer: OK secure match=mail.example.com:.example.net:"
	    "backupmx.example.com servername=hostname\n"));
	free(text);
	policy_engine_free(e);
}

/* ---- persistence ---- */

static void
test_sqlite_roundtrip(void **state)
{
	struct tmp *t = *state;
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_cache *c;
	struct policy_cache_entry *ent;
	struct policy_engine_stats st;
	char text[256];
	time_t now = time(NULL);

	test_config(&cfg, 100);
	cfg.cache_type = cache_sqlite;
	cfg.cache_file = t->path;
	e = engine_ok(&cfg, false);
	policy_engine_set_now(e, 0);
	c = policy_engine_cache(e);
	put(c, "a.example", "ida", enforce_body, now - 100);
	put(c, "b.example", "idb",
	    "version: STSv1\nmode: testing\nmx: mx.b.example\nmax_age: 86400\n",
	    now - 200);
	put(c, "gone.example", "idg", enforce_body, now - 100);
	put(c, "old.example", "ido",
	    "version: STSv1\nmode: enforce\nmx: mx.old.example\nmax_age: 60\n",
	    now - 100);
	/* nothing is written until the batch goes */
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 0);
	assert_int_equal(policy_engine_flush(e), 0);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 4);
	sql_text(t->path,
	    "SELECT mx FROM sts_policy WHERE domain = 'a.example'", text,
	    sizeof(text));
	assert_string_equal(
	    text, "mail.example.com *.example.net backupmx.example.com");
	sql_text(t->path,
	    "SELECT mode || ' ' || policy_id || ' ' || (expires_at - "
	    "fetched_at) FROM sts_policy WHERE domain = 'b.example'",
	    text, sizeof(text));
	assert_string_equal(text, "testing idb 86400");
	/* a removal is a write too */
	assert_int_equal(policy_engine_purge(e, "gone.example"), 1);
	policy_engine_free(e);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 3);
	assert_int_equal(sql_int(t->path, "PRAGMA user_version"), 1);
	sql_text(t->path, "PRAGMA journal_mode", text, sizeof(text));
	assert_string_equal(text, "wal");

	/* reopen: the policies that have not expired (at real time) */
	cfg.cache_size = 100;
	e = engine_ok(&cfg, false);
	policy_engine_set_now(e, 0);
	c = policy_engine_cache(e);
	assert_null(policy_cache_get(c, "old.example"));
	assert_null(policy_cache_get(c, "gone.example"));
	ent = policy_cache_get(c, "a.example");
	assert_non_null(ent);
	assert_non_null(ent->policy);
	assert_string_equal(ent->policy->id, "ida");
	assert_int_equal(ent->policy->fetched_at, now - 100);
	assert_int_equal(ent->policy->expires_at, now - 100 + 604800);
	assert_int_equal(ent->policy->body_len, strlen(enforce_body));
	assert_memory_equal(
	    ent->policy->body, enforce_body, strlen(enforce_body));
	assert_int_equal(ent->checked_at, 0); /* revalidated on first use */
	assert_true(ent->refresh_at < ent->policy->expires_at);
	ent = policy_cache_get(c, "b.example");
	assert_non_null(ent);
	assert_int_equal(ent->policy->mode, MTASTS_MODE_TESTING);
	policy_engine_stats(e, &st);
	assert_int_equal(st.policies, 2);
	policy_engine_free(e);
	/* the expired row was deleted at the open */
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 2);
}

static void
test_sqlite_load_rules(void **state)
{
	struct tmp *t = *state;
	struct policyd_config cfg;
	struct policy_engine *e;
	struct policy_engine_config ec;
	struct policy_cache *c;
	char *errmsg = NULL, *sql;
	time_t now = time(NULL);
	int i;

	test_config(&cfg, 100);
	cfg.cache_type = cache_sqlite;
	cfg.cache_file = t->path;
	e = engine_ok(&cfg, false);
	c = policy_engine_cache(e);
	for (i = 0; i < 5; i++) {
		sql = xasprintf("p%d.example", i);
		put(c, sql, "id", enforce_body, now - 1000 + i);
		free(sql);
	}
	policy_engine_free(e);
	/* a row that does not parse, one with a name not normalised */
	sql = xasprintf("INSERT INTO sts_policy VALUES ('bad.example', 'x', "
	                "%lld, %lld, 'enforce', '', 'mode: enforce');"
	                "INSERT INTO sts_policy VALUES ('UP.example', 'x', "
	                "%lld, %lld, 'enforce', '', 'x');",
	    (long long)now, (long long)now + 1000, (long long)now,
	    (long long)now + 1000);
	sql_exec(t->path, sql);
	free(sql);

	/* read-only: loads, never writes, even what it would delete */
	cfg.cache_size = 3;
	e = engine_ok(&cfg, true);
	c = policy_engine_cache(e);
	/* the newest three */
	assert_null(policy_cache_get(c, "p0.example"));
	assert_null(policy_cache_get(c, "p1.example"));
	assert_non_null(policy_cache_get(c, "p4.example"));
	assert_null(policy_cache_get(c, "bad.example"));
	put(c, "new.example", "n", enforce_body, now);
	assert_int_equal(policy_engine_flush(e), 0);
	policy_engine_free(e);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 7);

	/* read-write: the rows past the cap and the bad ones go */
	e = engine_ok(&cfg, false);
	policy_engine_free(e);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 3);

	/* a schema from the future is refused */
	sql_exec(t->path, "PRAGMA user_version = 2");
	memset(&ec, 0, sizeof(ec));
	ec.cfg = &cfg;
	assert_null(policy_engine_new(&ec, &errmsg));
	assert_non_null(strstr(errmsg, "newer"));
	free(errmsg);
	errmsg = NULL;
	/* so is sqlite without a file */
	cfg.cache_file = NULL;
	assert_null(policy_engine_new(&ec, &errmsg));
	assert_non_null(errmsg);
	free(errmsg);
}

/*
 * A damaged cache file: the daemon moves it aside and starts empty (mail
 * flows, the policies are fetched again); mxaudit query, read-only, only
 * says what is wrong; a file that cannot be opened at all stays an error.
 */
static void
test_sqlite_damaged(void **state)
{
	struct tmp *t = *state;
	static const char junk[] = "this is not an SQLite database, at all. "
	                           "0123456789abcdef0123456789abcdef";
	struct policyd_config cfg;
	struct policy_engine_config ec;
	struct policy_engine *e;
	char *errmsg = NULL, *cmd;
	FILE *fp;
	int found;

	assert_non_null(fp = fopen(t->path, "w"));
	assert_int_equal(
	    fwrite(junk, 1, sizeof(junk) - 1, fp), sizeof(junk) - 1);
	assert_int_equal(fclose(fp), 0);
	test_config(&cfg, 100);
	cfg.cache_type = cache_sqlite;
	cfg.cache_file = t->path;
	memset(&ec, 0, sizeof(ec));
	ec.cfg = &cfg;
	ec.read_only = true;
	assert_null(policy_engine_new(&ec, &errmsg));
	assert_non_null(strstr(errmsg, "not a database"));
	free(errmsg);
	errmsg = NULL;

	e = engine_ok(&cfg, false);
	put(policy_engine_cache(e), "a.example", "id1", enforce_body,
	    time(NULL));
	assert_int_equal(policy_engine_flush(e), 0);
	policy_engine_free(e);
	assert_int_equal(
	    sql_int(t->path, "SELECT count(*) FROM sts_policy"), 1);
	/* the damaged bytes are kept, beside, for whoever wants them */
	cmd = xasprintf(
	    "grep -q 'not an SQLite' '%s'/cache.db.damaged-*Z", t->dir);
	found = system(cmd);
	free(cmd);
	assert_int_equal(found, 0);

	/* a directory where the file should be cannot be moved aside */
	cfg.cache_file = t->dir;
	ec.read_only = false;
	assert_null(policy_engine_new(&ec, &errmsg));
	assert_non_null(errmsg);
	free(errmsg);
}

#define CRASH_ROWS 2000

/*
 * crash_child - rewrite every row with the policy id "g<N>", one batch
 * (one transaction) per N, forever; one byte on fd after the first
 */
static void
crash_child(const char *path, int fd, int start)
{
	struct policy_cache *c = policy_cache_new(CRASH_ROWS + 1);
	struct policy_cache_entry *ent;
	char *errmsg = NULL, domain[64], id[32];
	struct perr err;
	int g, i;

	if (policy_cache_open(c, path, false, time(NULL), &errmsg) < 0)
		_exit(3);
	for (g = start;; g++) {
		snprintf(id, sizeof(id), "g%d", g);
		for (i = 0; i < CRASH_ROWS; i++) {
			snprintf(domain, sizeof(domain), "d%d.example", i);
			if ((ent = policy_cache_get(c, domain)) == NULL)
				ent = policy_cache_add(c, domain);
			if (policy_cache_set_policy(c, ent, id, enforce_body,
			        strlen(enforce_body), time(NULL), &err) != 0)
				_exit(4);
		}
		if (policy_cache_flush(c, &errmsg) != 0)
			_exit(5);
		if (g == start && write(fd, "x", 1) != 1)
			_exit(6);
	}
}

static void
test_sqlite_crash(void **state)
{
	struct tmp *t = *state;
	static const int delays_us[] = { 0, 2000, 4000, 7000, 11000, 16000,
		22000, 29000 };
	struct policy_cache *c;
	char *errmsg = NULL, text[64];
	int fds[2], status, round;
	pid_t pid;
	char x;

	for (round = 0; round < 8; round++) {
		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			crash_child(t->path, fds[1], 1000 * (round + 1));
		}
		close(fds[1]);
		assert_int_equal(read(fds[0], &x, 1), 1);
		close(fds[0]);
		/* the child is inside its next batch, or about to be */
		usleep((useconds_t)delays_us[round]);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);

		/* intact, and exactly one whole batch: never a mix */
		sql_text(t->path, "PRAGMA integrity_check", text, sizeof(text));
		assert_string_equal(text, "ok");
		assert_int_equal(
		    sql_int(t->path, "SELECT count(*) FROM sts_policy"),
		    CRASH_ROWS);
		assert_int_equal(sql_int(t->path,
		                     "SELECT count(DISTINCT "
		                     "policy_id) FROM sts_policy"),
		    1);
		/* and the cache opens it */
		c = policy_cache_new(CRASH_ROWS + 10);
		if (policy_cache_open(c, t->path, false, time(NULL), &errmsg) !=
		    CRASH_ROWS)
			fail_msg(
			    "reopen: %s", errmsg != NULL ? errmsg : "count");
		policy_cache_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_lengths),
		cmocka_unit_test(test_normalize_idn),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_answer_modes),
		cmocka_unit_test(test_stale_while_revalidate),
		cmocka_unit_test(test_dane_precedence),
		cmocka_unit_test(test_reply_cap),
		cmocka_unit_test(test_set_policy_invalid),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_dump_purge_metrics),
		cmocka_unit_test(test_query_offline),
		cmocka_unit_test_setup_teardown(
		    test_sqlite_roundtrip, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sqlite_load_rules, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sqlite_damaged, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_sqlite_crash, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
