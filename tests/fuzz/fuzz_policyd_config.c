/* SPDX-License-Identifier: ISC */
/*
 * fuzz_policyd_config - load the input as mta-sts-daemon.yml over the
 * defaults and check what the parser promises: an error has a static
 * message and an offset inside the input; a success leaves every value in
 * its documented range, every zone named (non-empty, no space, no NUL) and
 * found again by name; warnings are short non-empty strings; and nothing
 * leaks (ASan) whether it fails or not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/policyd_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_warn(void *arg, const char *msg)
{
	size_t *n = arg;
	size_t len;

	if (msg == NULL)
		abort();
	len = strlen(msg);
	if (len == 0 || len >= 512)
		abort();
	(*n)++;
}

static void
fuzz_string(const char *s, size_t max)
{
	if (s == NULL)
		return;
	if (s[0] == '\0' || strlen(s) > max)
		abort();
}

static void
fuzz_zone(const struct policyd_zone *z)
{
	if (!(z->timeout >= 0.001 && z->timeout <= 3600))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an empty input may come as a NULL pointer */
	const char *p = size > 0 ? (const char *)data : "";
	struct policyd_config c;
	struct perr err = { 0, NULL };
	size_t nwarn = 0, i;
	int rc;

	policyd_config_defaults(&c);
	rc = policyd_config_parse(p, size, &c, &err, fuzz_warn, &nwarn);
	if (rc == -1) {
		if (err.msg == NULL || err.off > size)
			abort();
		policyd_config_release(&c);
		return 0;
	}
	if (rc != 0)
		abort();
	if (c.host == NULL || c.cache_type == NULL)
		abort();
	fuzz_string(c.host, 255);
	fuzz_string(c.path, 107);
	fuzz_string(c.cache_file, 4096);
	fuzz_string(c.resolver, 255);
	fuzz_string(c.trust_anchor, 4096);
	fuzz_string(c.ca_file, 4096);
	fuzz_string(c.metrics, 255);
	if (strcmp(c.cache_type, "internal") != 0 &&
	    strcmp(c.cache_type, "sqlite") != 0)
		abort();
	if (strcmp(c.cache_type, "sqlite") == 0 && c.cache_file == NULL)
		abort();
	if (c.port < 0 || c.port > 65535 || c.mode < 0 || c.mode > 07777)
		abort();
	if (!(c.shutdown_timeout >= 0 && c.shutdown_timeout <= 3600) ||
	    !(c.cache_grace >= 0 && c.cache_grace <= 31557600) ||
	    !(c.negative_ttl >= 0 && c.negative_ttl <= 86400) ||
	    !(c.proactive_interval >= 1 && c.proactive_interval <= 31557600) ||
	    !(c.proactive_grace_ratio >= 0.001 &&
	        c.proactive_grace_ratio <= 1000000))
		abort();
	if (c.cache_size < 1 || c.cache_size > 10000000 ||
	    c.proactive_concurrency < 1 || c.proactive_concurrency > 10000)
		abort();
	fuzz_zone(&c.default_zone);
	if (c.default_zone.name != NULL || c.nzones > POLICYD_MAX_ZONES)
		abort();
	for (i = 0; i < c.nzones; i++) {
		const struct policyd_zone *z = &c.zones[i];
		size_t len;

		if (z->name == NULL)
			abort();
		len = strlen(z->name);
		if (len == 0 || len > 255 || memchr(z->name, ' ', len) != NULL)
			abort();
		fuzz_zone(z);
		if (policyd_config_zone(&c, z->name, len) != z)
			abort();
	}
	/* a name that cannot be a zone gets the default */
	if (policyd_config_zone(&c, "a b", 3) != &c.default_zone)
		abort();
	policyd_config_release(&c);
	return 0;
}
