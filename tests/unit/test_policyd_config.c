/* SPDX-License-Identifier: ISC */
/*
 * test_policyd_config - mta-sts-daemon.yml: the example files that
 * postfix-mta-sts-resolver's Debian package ships (hand-written copies of
 * their content here; the installed files too when
 * /usr/share/doc/postfix-mta-sts-resolver/examples, or $POLICYD_EXAMPLES,
 * exists), PyYAML's
 * scalar typing, our own keys, warnings, and errors with their offsets.
 *
 * Every input is copied into a buffer of exactly its length, so that a read
 * past the end trips ASan.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/policyd_config.h"

#define EXAMPLES "/usr/share/doc/postfix-mta-sts-resolver/examples"

/* the content of the package's mta-sts-daemon.yml.internal */
static const char example_internal[] = "host: 127.0.0.1\n"
                                       "port: 8461\n"
                                       "reuse_port: true\n"
                                       "shutdown_timeout: 20\n"
                                       "cache:\n"
                                       "  type: internal\n"
                                       "  options:\n"
                                       "    cache_size: 10000\n"
                                       "default_zone:\n"
                                       "  strict_testing: false\n"
                                       "  timeout: 4\n"
                                       "zones:\n"
                                       "  myzone:\n"
                                       "    strict_testing: false\n"
                                       "    timeout: 4\n";

/* ... .sqlite_unixsock */
static const char example_unixsock[] =
    "path: \"/var/run/mta-sts.sock\"\n"
    "mode: 0666\n"
    "shutdown_timeout: 20\n"
    "cache:\n"
    "  type: sqlite\n"
    "  options:\n"
    "    filename: \"/var/lib/mta-sts/cache.db\"\n"
    "default_zone:\n"
    "  strict_testing: false\n"
    "  timeout: 4\n"
    "zones:\n"
    "  myzone:\n"
    "    strict_testing: false\n"
    "    timeout: 4\n";

/* ... .redis */
static const char example_redis[] = "host: 127.0.0.1\n"
                                    "port: 8461\n"
                                    "reuse_port: true\n"
                                    "shutdown_timeout: 20\n"
                                    "cache:\n"
                                    "  type: redis\n"
                                    "  options:\n"
                                    "    url: \"redis://127.0.0.1/0\"\n"
                                    "    max_connections: 25\n"
                                    "    socket_timeout: 1.0\n"
                                    "    socket_connect_timeout: 1.0\n"
                                    "default_zone:\n"
                                    "  strict_testing: false\n"
                                    "  timeout: 4\n"
                                    "zones:\n"
                                    "  myzone:\n"
                                    "    strict_testing: false\n"
                                    "    timeout: 4\n";

/* the package's /etc/mta-sts-daemon.yml: comments and a sqlite cache */
static const char example_etc[] =
    "# host: 127.0.0.1\n"
    "# port: 8461\n"
    "# reuse_port: true\n"
    "# shutdown_timeout: 20\n"
    "cache:\n"
    "  type: sqlite\n"
    "  options:\n"
    "    filename: \"/var/lib/mta-sts/cache.db\"\n"
    "# default_zone:\n"
    "#   strict_testing: false\n"
    "#   timeout: 4\n"
    "# zones:\n"
    "#   myzone:\n"
    "#     strict_testing: false\n"
    "#     timeout: 4\n";

/* the example of mta-sts-daemon.yml(5), with proactive fetching */
static const char example_man[] = "host: 127.0.0.1\n"
                                  "port: 8461\n"
                                  "reuse_port: true\n"
                                  "shutdown_timeout: 20\n"
                                  "proactive_policy_fetching:\n"
                                  "  enabled: true\n"
                                  "  interval: 86400\n"
                                  "  concurrency_limit: 100\n"
                                  "  grace_ratio: 2\n"
                                  "cache:\n"
                                  "  type: internal\n"
                                  "  options:\n"
                                  "    cache_size: 10000\n"
                                  "default_zone:\n"
                                  "  strict_testing: false\n"
                                  "  timeout: 4\n"
                                  "zones:\n"
                                  "  myzone:\n"
                                  "    strict_testing: false\n"
                                  "    timeout: 4\n";

struct warnings {
	char msg[16][512];
	size_t n;
};

static void
collect(void *arg, const char *msg)
{
	struct warnings *w = arg;

	assert_non_null(msg);
	if (w->n < 16)
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	w->n++;
}

static bool
warned(const struct warnings *w, const char *msg)
{
	size_t i;

	for (i = 0; i < w->n && i < 16; i++)
		if (strcmp(w->msg[i], msg) == 0)
			return true;
	return false;
}

/* parse - defaults, then text (copied to an exact-size buffer) */
static int
parse(const char *text, struct policyd_config *c, struct perr *err,
    struct warnings *w)
{
	size_t len = strlen(text);
	char *q = malloc(len > 0 ? len : 1);
	int rc;

	assert_non_null(q);
	memcpy(q, text, len);
	policyd_config_defaults(c);
	if (w != NULL)
		memset(w, 0, sizeof(*w));
	err->off = 0;
	err->msg = NULL;
	rc =
	    policyd_config_parse(q, len, c, err, w != NULL ? collect : NULL, w);
	free(q);
	return rc;
}

static void
check_default_zone(const struct policyd_zone *z)
{
	assert_false(z->strict_testing);
	assert_true(z->timeout == 4);
	assert_true(z->require_sni);
	assert_false(z->tlsrpt);
	assert_true(z->dane);
}

static void
test_defaults(void **state)
{
	static const char *const empty[] = { "", "\n", "# nothing\n", "~\n",
		"---\n", "--- ~\n...\n", "{}\n" };
	struct policyd_config c;
	struct perr err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		assert_int_equal(parse(empty[i], &c, &err, NULL), 0);
		assert_string_equal(c.host, "127.0.0.1");
		assert_int_equal(c.port, 8461);
		assert_null(c.path);
		assert_int_equal(c.mode, 0666);
		assert_true(c.reuse_port);
		assert_true(c.shutdown_timeout == 20);
		assert_true(c.cache_grace == 60);
		assert_string_equal(c.cache_type, "internal");
		assert_int_equal(c.cache_size, 10000);
		assert_null(c.cache_file);
		assert_true(c.negative_ttl == 300);
		assert_false(c.proactive);
		assert_true(c.proactive_interval == 86400);
		assert_int_equal(c.proactive_concurrency, 100);
		assert_true(c.proactive_grace_ratio == 2.0);
		assert_null(c.resolver);
		assert_null(c.trust_anchor);
		assert_null(c.ca_file);
		assert_null(c.metrics);
		assert_null(c.default_zone.name);
		check_default_zone(&c.default_zone);
		assert_int_equal(c.nzones, 0);
		policyd_config_release(&c);
		/* release twice is harmless */
		policyd_config_release(&c);
	}
}

static void
test_examples(void **state)
{
	struct policyd_config c;
	struct perr err;
	struct warnings w;

	(void)state;
	assert_int_equal(parse(example_internal, &c, &err, &w), 0);
	assert_int_equal(w.n, 0);
	assert_string_equal(c.host, "127.0.0.1");
	assert_int_equal(c.port, 8461);
	assert_string_equal(c.cache_type, "internal");
	assert_int_equal(c.cache_size, 10000);
	assert_int_equal(c.nzones, 1);
	assert_string_equal(c.zones[0].name, "myzone");
	check_default_zone(&c.zones[0]);
	assert_ptr_equal(policyd_config_zone(&c, "myzone", 6), &c.zones[0]);
	assert_ptr_equal(policyd_config_zone(&c, "myzon", 5), &c.default_zone);
	assert_ptr_equal(
	    policyd_config_zone(&c, "myzone2", 7), &c.default_zone);
	assert_ptr_equal(policyd_config_zone(&c, "MYZONE", 6), &c.default_zone);
	policyd_config_release(&c);

	assert_int_equal(parse(example_unixsock, &c, &err, &w), 0);
	assert_int_equal(w.n, 0);
	assert_string_equal(c.path, "/var/run/mta-sts.sock");
	assert_int_equal(c.mode, 0666);
	assert_string_equal(c.cache_type, "sqlite");
	assert_string_equal(c.cache_file, "/var/lib/mta-sts/cache.db");
	policyd_config_release(&c);

	assert_int_equal(parse(example_etc, &c, &err, &w), 0);
	assert_int_equal(w.n, 0);
	assert_string_equal(c.cache_type, "sqlite");
	assert_int_equal(c.port, 8461);
	policyd_config_release(&c);

	assert_int_equal(parse(example_man, &c, &err, &w), 0);
	assert_int_equal(w.n, 0);
	assert_true(c.proactive);
	assert_true(c.proactive_interval == 86400);
	assert_int_equal(c.proactive_concurrency, 100);
	assert_true(c.proactive_grace_ratio == 2.0);
	policyd_config_release(&c);

	/* redis is not ours: it loads, on the internal cache, with warnings */
	assert_int_equal(parse(example_redis, &c, &err, &w), 0);
	assert_string_equal(c.cache_type, "internal");
	assert_int_equal(w.n, 5);
	assert_true(warned(
	    &w, "line 6: cache.type: redis is not supported, using internal"));
	assert_true(warned(&w, "line 8: cache.options.url: unknown key"));
	assert_true(warned(
	    &w, "line 11: cache.options.socket_connect_timeout: unknown key"));
	policyd_config_release(&c);
}

/* test_installed - the package's own files, when they are installed */
static void
test_installed(void **state)
{
	struct policyd_config c;
	struct perr err;
	struct warnings w;
	struct dirent *de;
	char path[512], *text;
	FILE *f;
	long len;
	const char *dir = getenv("POLICYD_EXAMPLES");
	DIR *d;
	int n = 0;

	(void)state;
	if (dir == NULL)
		dir = EXAMPLES;
	if ((d = opendir(dir)) == NULL)
		skip();
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "mta-sts-daemon.yml", 18) != 0)
			continue;
		assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		                de->d_name) < sizeof(path));
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		len = ftell(f);
		assert_true(len >= 0 && len < 65536);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		assert_non_null(text);
		assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		if (parse(text, &c, &err, &w) != 0)
			fail_msg("%s: %s at %zu", path, err.msg, err.off);
		policyd_config_release(&c);
		free(text);
		n++;
	}
	closedir(d);
	assert_true(n > 0);
}

static void
test_all_keys(void **state)
{
	static const char text[] =
	    "host: ::1\n"
	    "port: 0x20f5\n"
	    "path: /run/mxaudit/policyd.sock\n"
	    "mode: 0o660\n"
	    "reuse_port: off\n"
	    "shutdown_timeout: 2.5\n"
	    "cache_grace: 1_200\n"
	    "negative_ttl: 6e2\n"
	    "resolver: 127.0.0.1@5353\n"
	    "trust_anchor: /var/lib/unbound/root.key\n"
	    "ca_file: /etc/ssl/certs/ca-certificates.crt\n"
	    "metrics: \"[::1]:9100\"\n"
	    "cache:\n"
	    "  type: sqlite\n"
	    "  options:\n"
	    "    filename: /var/lib/mxaudit/policy.db\n"
	    "    cache_size: 500\n"
	    "proactive_policy_fetching:\n"
	    "  enabled: yes\n"
	    "  interval: 3600\n"
	    "  concurrency_limit: 10\n"
	    "  grace_ratio: .5\n"
	    "default_zone: &dz\n"
	    "  strict_testing: On\n"
	    "  timeout: 1.5\n"
	    "  require_sni: NO\n"
	    "  tlsrpt: TRUE\n"
	    "  dane: False\n"
	    "zones:\n"
	    "  postfix310:\n"
	    "    <<: *dz\n"
	    "    timeout: 7\n"
	    "  plain: ~\n"
	    "  \"with:colon\": {tlsrpt: yes}\n"
	    "  1: {}\n";
	struct policyd_config c;
	struct perr err;
	struct warnings w;
	const struct policyd_zone *z;

	(void)state;
	if (parse(text, &c, &err, &w) != 0)
		fail_msg("%s at %zu", err.msg, err.off);
	assert_int_equal(w.n, 0);
	assert_string_equal(c.host, "::1");
	assert_int_equal(c.port, 8437);
	assert_string_equal(c.path, "/run/mxaudit/policyd.sock");
	assert_int_equal(c.mode, 0660);
	assert_false(c.reuse_port);
	assert_true(c.shutdown_timeout == 2.5);
	assert_true(c.cache_grace == 1200);
	assert_true(c.negative_ttl == 600);
	assert_string_equal(c.resolver, "127.0.0.1@5353");
	assert_string_equal(c.trust_anchor, "/var/lib/unbound/root.key");
	assert_string_equal(c.ca_file, "/etc/ssl/certs/ca-certificates.crt");
	assert_string_equal(c.metrics, "[::1]:9100");
	assert_string_equal(c.cache_type, "sqlite");
	assert_string_equal(c.cache_file, "/var/lib/mxaudit/policy.db");
	assert_int_equal(c.cache_size, 500);
	assert_true(c.proactive);
	assert_true(c.proactive_interval == 3600);
	assert_int_equal(c.proactive_concurrency, 10);
	assert_true(c.proactive_grace_ratio == 0.5);
	assert_true(c.default_zone.strict_testing);
	assert_true(c.default_zone.timeout == 1.5);
	assert_false(c.default_zone.require_sni);
	assert_true(c.default_zone.tlsrpt);
	assert_false(c.default_zone.dane);
	assert_int_equal(c.nzones, 4);

	/* a merge key brings default_zone's values; its own keys win */
	z = policyd_config_zone(&c, "postfix310", 10);
	assert_string_equal(z->name, "postfix310");
	assert_true(z->strict_testing);
	assert_true(z->timeout == 7);
	assert_false(z->require_sni);
	assert_true(z->tlsrpt);
	assert_false(z->dane);
	/* otherwise a zone starts from the built-in defaults, as in Snawoot */
	z = policyd_config_zone(&c, "plain", 5);
	assert_string_equal(z->name, "plain");
	check_default_zone(z);
	z = policyd_config_zone(&c, "with:colon", 10);
	assert_string_equal(z->name, "with:colon");
	assert_true(z->tlsrpt);
	assert_true(z->timeout == 4);
	z = policyd_config_zone(&c, "1", 1);
	assert_string_equal(z->name, "1");
	policyd_config_release(&c);
}

struct scalar_case {
	const char *text;
	int port;                /* -1: not checked */
	int mode;                /* -1: not checked */
	double shutdown_timeout; /* < 0: not checked */
	int reuse_port;          /* -1: not checked */
};

static const struct scalar_case scalar_cases[] = {
	{ "port: 25\n", 25, -1, -1, -1 },
	{ "port: +25\n", 25, -1, -1, -1 },
	{ "port: 0\n", 0, -1, -1, -1 },
	{ "port: 010\n", 8, -1, -1, -1 },
	{ "port: 0b11\n", 3, -1, -1, -1 },
	{ "port: 0x1F\n", 31, -1, -1, -1 },
	{ "port: 6_5535\n", 65535, -1, -1, -1 },
	{ "port: 65535 # comment\n", 65535, -1, -1, -1 },
	{ "mode: 0666\n", -1, 0666, -1, -1 },
	{ "mode: 0o600\n", -1, 0600, -1, -1 },
	{ "mode: 0\n", -1, 0, -1, -1 },
	{ "mode: 07777\n", -1, 07777, -1, -1 },
	{ "mode: 438\n", -1, 0666, -1, -1 },
	{ "shutdown_timeout: 0\n", -1, -1, 0, -1 },
	{ "shutdown_timeout: 1.\n", -1, -1, 1, -1 },
	{ "shutdown_timeout: .25\n", -1, -1, 0.25, -1 },
	{ "shutdown_timeout: +1.5e+1\n", -1, -1, 15, -1 },
	{ "shutdown_timeout: 3600.0\n", -1, -1, 3600, -1 },
	{ "shutdown_timeout: 36E2\n", -1, -1, 3600, -1 },
	{ "shutdown_timeout: 0.000000000000000000000000000001\n", -1, -1, 1e-30,
	    -1 },
	{ "shutdown_timeout: 012\n", -1, -1, 10, -1 },
	{ "shutdown_timeout: 1_0.5\n", -1, -1, 10.5, -1 },
	{ "reuse_port: yes\n", -1, -1, -1, 1 },
	{ "reuse_port: Yes\n", -1, -1, -1, 1 },
	{ "reuse_port: ON\n", -1, -1, -1, 1 },
	{ "reuse_port: True\n", -1, -1, -1, 1 },
	{ "reuse_port: no\n", -1, -1, -1, 0 },
	{ "reuse_port: Off\n", -1, -1, -1, 0 },
	{ "reuse_port: FALSE\n", -1, -1, -1, 0 },
	/* null leaves the default */
	{ "reuse_port: ~\nport:\nmode: null\n", 8461, 0666, -1, 1 },
	{ "{port: 1, port: 2}\n", 2, -1, -1, -1 },
	{ "port: &p 99\nshutdown_timeout: *p\n", 99, -1, 99, -1 },
	{ "? port\n: 5\n", 5, -1, -1, -1 },
	{ "\xef\xbb\xbfport: 7\n", 7, -1, -1, -1 },
	{ "port: 7\r\nmode: 0600\r\n", 7, 0600, -1, -1 },
	{ "%YAML 1.1\n---\nport: 7\n...\n", 7, -1, -1, -1 },
};

static void
test_scalars(void **state)
{
	struct policyd_config c;
	struct perr err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(scalar_cases) / sizeof(scalar_cases[0]); i++) {
		const struct scalar_case *t = &scalar_cases[i];

		if (parse(t->text, &c, &err, NULL) != 0)
			fail_msg("%s: %s at %zu", t->text, err.msg, err.off);
		if (t->port >= 0)
			assert_int_equal(c.port, t->port);
		if (t->mode >= 0)
			assert_int_equal(c.mode, t->mode);
		if (t->shutdown_timeout >= 0 &&
		    !(c.shutdown_timeout > t->shutdown_timeout * 0.999999 &&
		        c.shutdown_timeout < t->shutdown_timeout * 1.000001) &&
		    !(t->shutdown_timeout == 0 && c.shutdown_timeout == 0))
			fail_msg("%s: %g", t->text, c.shutdown_timeout);
		if (t->reuse_port >= 0)
			assert_int_equal(c.reuse_port, t->reuse_port);
		policyd_config_release(&c);
	}
}

struct error_case {
	const char *text;
	const char *msg; /* NULL: any message (libyaml's own) */
	size_t off;
};

static const struct error_case error_cases[] = {
	{ "port: 70000\n", "port must be 0-65535", 6 },
	{ "port: -1\n", "port must be 0-65535", 6 },
	{ "port: 1.5\n", "expected an integer", 6 },
	{ "port: \"8461\"\n", "expected an integer", 6 },
	{ "port: 08\n", "expected an integer", 6 },
	{ "port: 0x\n", "expected an integer", 6 },
	{ "port: 1:30\n", "expected an integer", 6 },
	{ "port: [1]\n", "expected a scalar", 6 },
	{ "port: 99999999999999999999999999\n", "port must be 0-65535", 6 },
	{ "mode: 010000\n", "mode must be 0-07777", 6 },
	{ "reuse_port: maybe\n", "expected true or false", 12 },
	{ "reuse_port: \"true\"\n", "expected true or false", 12 },
	{ "reuse_port: y\n", "expected true or false", 12 },
	{ "reuse_port: 1\n", "expected true or false", 12 },
	{ "shutdown_timeout: 3601\n", "shutdown_timeout must be 0-3600 seconds",
	    18 },
	{ "shutdown_timeout: .inf\n", "expected a number", 18 },
	{ "shutdown_timeout: 1e999999\n",
	    "shutdown_timeout must be 0-3600 seconds", 18 },
	{ "shutdown_timeout: 1e\n", "expected a number", 18 },
	{ "shutdown_timeout: twenty\n", "expected a number", 18 },
	{ "cache_grace: -1\n", "cache_grace must be 0-31557600 seconds", 13 },
	{ "negative_ttl: 86401\n", "negative_ttl must be 0-86400 seconds", 14 },
	{ "default_zone:\n  timeout: 0\n", "timeout must be 0.001-3600 seconds",
	    25 },
	{ "zones:\n  z:\n    timeout: 4000\n",
	    "timeout must be 0.001-3600 seconds", 25 },
	{ "proactive_policy_fetching:\n  interval: 0\n",
	    "interval must be 1-31557600 seconds", 39 },
	{ "proactive_policy_fetching:\n  concurrency_limit: 0\n",
	    "concurrency_limit must be 1-10000", 48 },
	{ "proactive_policy_fetching:\n  grace_ratio: 0\n",
	    "grace_ratio must be 0.001-1000000", 42 },
	{ "cache:\n  options:\n    cache_size: 0\n",
	    "cache_size must be 1-10000000", 34 },
	{ "- a\n", "expected a mapping", 0 },
	{ "just text\n", "expected a mapping", 0 },
	{ "cache: [1]\n", "expected a mapping", 7 },
	{ "cache: internal\n", "expected a mapping", 7 },
	{ "zones:\n  z: 1\n", "expected a mapping", 12 },
	{ "host: [a]\n", "expected a string", 6 },
	{ "host: {a: b}\n", "expected a string", 6 },
	{ "host: \"\"\n", "empty string", 6 },
	{ "host: \"a\\0b\"\n", "string has a nul byte", 6 },
	{ "path: /tmp/0123456789012345678901234567890123456789012345678901234"
	  "5678901234567890123456789012345678901234567890123\n",
	    "path longer than 107 bytes", 6 },
	{ "cache:\n  type: memcached\n",
	    "cache type must be internal or sqlite", 15 },
	{ "cache:\n  type: sqlite\n",
	    "cache type sqlite needs options.filename", 0 },
	{ "cache_grace: 1\ncache:\n  type: sqlite\n",
	    "cache type sqlite needs options.filename", 15 },
	{ "metrics: 9100\n", "metrics must be HOST:PORT", 9 },
	{ "metrics: \":9100\"\n", "metrics must be HOST:PORT", 9 },
	{ "metrics: \"h:\"\n", "metrics must be HOST:PORT", 9 },
	{ "metrics: h:0\n", "metrics port must be 1-65535", 9 },
	{ "metrics: h:65536\n", "metrics port must be 1-65535", 9 },
	{ "metrics: h:x1\n", "metrics must be HOST:PORT", 9 },
	{ "metrics: \"[::1:9100\"\n", "metrics must be HOST:PORT", 9 },
	{ "zones:\n  a b: {}\n", "zone name has a space", 9 },
	{ "zones:\n  \"\": {}\n", "empty zone name", 9 },
	{ "zones:\n  ~: {}\n", "empty zone name", 9 },
	{ "zones:\n  \"a\\0\": {}\n", "zone name has a nul byte", 9 },
	{ "zones:\n  [a]: {}\n", "expected a scalar key", 9 },
	{ "--- {}\n--- {}\n", "more than one yaml document", 7 },
	/* offsets are bytes, also after multi-byte characters */
	{ "host: \xc3\xa9\xe2\x82\xac\nport: x\n", "expected an integer", 18 },
	{ "\xef\xbb\xbfport: x\n", "expected an integer", 9 },
	/* libyaml's own messages */
	{ "timeout: [1\n", NULL, 12 },
	{ "host: *nowhere\n", NULL, 6 },
	{ "host: a\n\xff\n", NULL, 8 },
	{ "host: \"a\n", NULL, 9 },
	{ "a:\n\tb: 1\n", NULL, 3 },
	{ "<<: [1]\n", "expected a mapping", 5 },
};

static void
test_errors(void **state)
{
	struct policyd_config c;
	struct perr err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *t = &error_cases[i];

		if (parse(t->text, &c, &err, NULL) != -1)
			fail_msg("%s: accepted", t->text);
		assert_non_null(err.msg);
		if (t->msg != NULL && strcmp(err.msg, t->msg) != 0)
			fail_msg(
			    "%s: \"%s\", not \"%s\"", t->text, err.msg, t->msg);
		if (err.off != t->off)
			fail_msg("%s: %s at %zu, not %zu", t->text, err.msg,
			    err.off, t->off);
		/* a failed parse leaves a config that releases cleanly */
		policyd_config_release(&c);
	}
}

static void
test_limits(void **state)
{
	struct policyd_config c;
	struct perr err;
	struct warnings w;
	char *big;
	size_t i, n;

	(void)state;
	/* 64 zones load, 65 do not */
	big = malloc(65 * 32 + 16);
	assert_non_null(big);
	n = (size_t)snprintf(big, 16, "zones:\n");
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(big + n, 32, "  z%zu: {}\n", i);
	assert_int_equal(parse(big, &c, &err, NULL), 0);
	assert_int_equal(c.nzones, 64);
	assert_string_equal(c.zones[63].name, "z63");
	policyd_config_release(&c);
	n += (size_t)snprintf(big + n, 32, "  z64: {}\n");
	assert_int_equal(parse(big, &c, &err, NULL), -1);
	assert_string_equal(err.msg, "more than 64 zones");
	policyd_config_release(&c);
	free(big);

	/* a zone named twice: the last one wins, once */
	assert_int_equal(parse("zones:\n  a: {timeout: 9, dane: no}\n"
	                       "  a: {timeout: 8}\n",
	                     &c, &err, NULL),
	    0);
	assert_int_equal(c.nzones, 1);
	assert_true(c.zones[0].timeout == 8);
	assert_true(c.zones[0].dane);
	policyd_config_release(&c);

	/* larger than 1 MiB */
	big = malloc(1024 * 1024 + 2);
	assert_non_null(big);
	memset(big, '#', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	assert_int_equal(parse(big, &c, &err, NULL), -1);
	assert_string_equal(err.msg, "configuration larger than 1 mib");
	policyd_config_release(&c);
	free(big);

	/* aliases make a graph: a cycle or a fan-out cannot make it loop */
	(void)parse("a: &a {zones: *a}\nzones: *a\n", &c, &err, &w);
	policyd_config_release(&c);
	big = malloc(200000);
	assert_non_null(big);
	n = (size_t)snprintf(big, 64, "x: &m {");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(big + n, 32, "k%zu: 1, ", i);
	n += (size_t)snprintf(big + n, 64, "}\ndefault_zone: {");
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(big + n, 32, "<<: *m, ");
	snprintf(big + n, 8, "}\n");
	assert_int_equal(parse(big, &c, &err, &w), -1);
	assert_string_equal(err.msg, "configuration too complex");
	policyd_config_release(&c);
	free(big);
	/* merge keys nested through a cycle */
	assert_int_equal(
	    parse("default_zone: &z {<<: *z}\n", &c, &err, NULL), -1);
	policyd_config_release(&c);
}

static void
test_warnings(void **state)
{
	struct policyd_config c;
	struct perr err;
	struct warnings w;

	(void)state;
	assert_int_equal(parse("foo: 1\n"
	                       "cache:\n"
	                       "  bar: 2\n"
	                       "  options:\n"
	                       "    threads: 4\n"
	                       "    timeout: 5\n"
	                       "mode: 666\n"
	                       "zones:\n"
	                       "  z:\n"
	                       "    \"w\\x01\": 1\n"
	                       "default_zone:\n"
	                       "  mx: x\n",
	                     &c, &err, &w),
	    0);
	assert_int_equal(w.n, 7);
	assert_string_equal(w.msg[0], "line 1: foo: unknown key");
	assert_string_equal(w.msg[1], "line 3: cache.bar: unknown key");
	assert_string_equal(
	    w.msg[2], "line 5: cache.options.threads: not used by mxaudit");
	assert_string_equal(
	    w.msg[3], "line 6: cache.options.timeout: not used by mxaudit");
	assert_string_equal(w.msg[4],
	    "line 7: mode: 666 is decimal (01232); octal needs a leading 0");
	assert_string_equal(w.msg[5], "line 10: zones.z.w?: unknown key");
	assert_string_equal(w.msg[6], "line 12: default_zone.mx: unknown key");
	assert_int_equal(c.mode, 01232);
	policyd_config_release(&c);

	/* no callback: warnings are dropped */
	assert_int_equal(parse("foo: 1\n", &c, &err, NULL), 0);
	policyd_config_release(&c);
}

/* parsing twice applies the second file over the first */
static void
test_layered(void **state)
{
	static const char first[] = "port: 1\nzones: {a: {}}\n";
	static const char second[] = "host: h\nzones: {b: {}}\n";
	struct policyd_config c;
	struct perr err;

	(void)state;
	policyd_config_defaults(&c);
	assert_int_equal(
	    policyd_config_parse(first, strlen(first), &c, &err, NULL, NULL),
	    0);
	assert_int_equal(
	    policyd_config_parse(second, strlen(second), &c, &err, NULL, NULL),
	    0);
	assert_int_equal(c.port, 1);
	assert_string_equal(c.host, "h");
	assert_int_equal(c.nzones, 2);
	policyd_config_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_installed),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_layered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
