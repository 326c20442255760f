/* SPDX-License-Identifier: ISC */
/*
 * policyd_config - mta-sts-daemon.yml (postfix-mta-sts-resolver) and our
 * keys, read with libyaml's document API.
 *
 * Scalars are typed as PyYAML's safe_load (YAML 1.1) types them, since
 * that is what reads these files today: plain true/yes/on and
 * false/no/off are booleans; 0666 is octal, 0x1f hexadecimal, 1_000
 * decimal; ~, null and an empty value are null, and a null value leaves a
 * key at its default. Quoted scalars are strings only. Merge keys ("<<")
 * work as in PyYAML. As in postfix-mta-sts-resolver, a zone under "zones"
 * starts from the built-in defaults, not from default_zone.
 *
 * The walk follows only the keys it knows, at most four levels deep, and
 * counts every node it visits, so neither aliases (the document is a graph,
 * possibly with cycles) nor merge keys can make it loop or blow up.
 * Offsets in errors are bytes; libyaml's marks count characters, so they
 * are converted by walking the UTF-8 input (done once, for the error).
 */
#include "proto/policyd_config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define POLICYD_CONFIG_MAXLEN   (1024 * 1024) /* input bytes */
#define POLICYD_CONFIG_MAXWORK  100000        /* mapping pairs visited */
#define POLICYD_CONFIG_MAXMERGE 8             /* nested merge keys */
#define POLICYD_CONFIG_MAXSTR   4096          /* a string value, bytes */
#define POLICYD_CONFIG_MAXNAME  255           /* a zone name, bytes */
#define POLICYD_CONFIG_MAXPATH  107           /* sun_path minus the NUL */
#define POLICYD_CONFIG_MAXWARN  512           /* a warning, bytes */

/* the walk: input, document, output and what has been visited */
struct policyd_config_cur {
	const char *p; /* borrowed: the input */
	size_t len;
	yaml_document_t *doc;     /* borrowed */
	struct policyd_config *c; /* borrowed: being filled */
	struct perr *err;         /* borrowed: the caller's */
	void (*warn)(void *arg, const char *msg);
	void *arg;
	size_t work;      /* pairs visited */
	size_t cache_off; /* where "cache" was, for the final check */
};

enum policyd_config_type {
	POLICYD_CONFIG_STR,    /* char *, owned */
	POLICYD_CONFIG_BOOL,   /* bool */
	POLICYD_CONFIG_INT,    /* int */
	POLICYD_CONFIG_SIZE,   /* size_t */
	POLICYD_CONFIG_DOUBLE, /* double */
	POLICYD_CONFIG_MODE,   /* int, a file mode */
	POLICYD_CONFIG_UNUSED, /* known to Snawoot, not used by us */
};

/* a scalar key: where it goes and what it accepts */
struct policyd_config_key {
	const char *name;
	enum policyd_config_type type;
	size_t off;      /* offset of the field in its struct */
	double min, max; /* numbers: the range; strings: max bytes */
	const char *msg; /* static: the range error */
	int (*check)(struct policyd_config_cur *, const yaml_node_t *,
	    const char *, size_t);
};

typedef int (*policyd_config_section_fn)(struct policyd_config_cur *cur,
    const char *path, const yaml_node_t *key, const yaml_node_t *val,
    void *ctx);

static int policyd_config_check_metrics(struct policyd_config_cur *cur,
    const yaml_node_t *n, const char *s, size_t len);
static int policyd_config_check_cache_type(struct policyd_config_cur *cur,
    const yaml_node_t *n, const char *s, size_t len);

#define PC_OFF(field) offsetof(struct policyd_config, field)
#define PZ_OFF(field) offsetof(struct policyd_zone, field)
#define PC_STRMAX     ((double)POLICYD_CONFIG_MAXSTR)

static const struct policyd_config_key policyd_config_top_keys[] = {
	{ "host", POLICYD_CONFIG_STR, PC_OFF(host), 0, 255,
	    "host longer than 255 bytes", NULL },
	{ "port", POLICYD_CONFIG_INT, PC_OFF(port), 0, 65535,
	    "port must be 0-65535", NULL },
	{ "path", POLICYD_CONFIG_STR, PC_OFF(path), 0, POLICYD_CONFIG_MAXPATH,
	    "path longer than 107 bytes", NULL },
	{ "mode", POLICYD_CONFIG_MODE, PC_OFF(mode), 0, 07777,
	    "mode must be 0-07777", NULL },
	{ "reuse_port", POLICYD_CONFIG_BOOL, PC_OFF(reuse_port), 0, 0, NULL,
	    NULL },
	{ "shutdown_timeout", POLICYD_CONFIG_DOUBLE, PC_OFF(shutdown_timeout),
	    0, 3600, "shutdown_timeout must be 0-3600 seconds", NULL },
	{ "cache_grace", POLICYD_CONFIG_DOUBLE, PC_OFF(cache_grace), 0,
	    31557600, "cache_grace must be 0-31557600 seconds", NULL },
	{ "negative_ttl", POLICYD_CONFIG_DOUBLE, PC_OFF(negative_ttl), 0, 86400,
	    "negative_ttl must be 0-86400 seconds", NULL },
	{ "resolver", POLICYD_CONFIG_STR, PC_OFF(resolver), 0, 255,
	    "resolver longer than 255 bytes", NULL },
	{ "trust_anchor", POLICYD_CONFIG_STR, PC_OFF(trust_anchor), 0,
	    PC_STRMAX, "trust_anchor longer than 4096 bytes", NULL },
	{ "ca_file", POLICYD_CONFIG_STR, PC_OFF(ca_file), 0, PC_STRMAX,
	    "ca_file longer than 4096 bytes", NULL },
	{ "metrics", POLICYD_CONFIG_STR, PC_OFF(metrics), 0, 255,
	    "metrics longer than 255 bytes", policyd_config_check_metrics },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct policyd_config_key policyd_config_cache_keys[] = {
	{ "type", POLICYD_CONFIG_STR, PC_OFF(cache_type), 0, 255,
	    "cache type must be internal or sqlite",
	    policyd_config_check_cache_type },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct policyd_config_key policyd_config_options_keys[] = {
	{ "cache_size", POLICYD_CONFIG_SIZE, PC_OFF(cache_size), 1, 10000000,
	    "cache_size must be 1-10000000", NULL },
	{ "filename", POLICYD_CONFIG_STR, PC_OFF(cache_file), 0, PC_STRMAX,
	    "filename longer than 4096 bytes", NULL },
	{ "threads", POLICYD_CONFIG_UNUSED, 0, 0, 0, NULL, NULL },
	{ "timeout", POLICYD_CONFIG_UNUSED, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct policyd_config_key policyd_config_proactive_keys[] = {
	{ "enabled", POLICYD_CONFIG_BOOL, PC_OFF(proactive), 0, 0, NULL, NULL },
	{ "interval", POLICYD_CONFIG_DOUBLE, PC_OFF(proactive_interval), 1,
	    31557600, "interval must be 1-31557600 seconds", NULL },
	{ "concurrency_limit", POLICYD_CONFIG_SIZE,
	    PC_OFF(proactive_concurrency), 1, 10000,
	    "concurrency_limit must be 1-10000", NULL },
	{ "grace_ratio", POLICYD_CONFIG_DOUBLE, PC_OFF(proactive_grace_ratio),
	    0.001, 1000000, "grace_ratio must be 0.001-1000000", NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct policyd_config_key policyd_config_zone_keys[] = {
	{ "strict_testing", POLICYD_CONFIG_BOOL, PZ_OFF(strict_testing), 0, 0,
	    NULL, NULL },
	{ "timeout", POLICYD_CONFIG_DOUBLE, PZ_OFF(timeout), 0.001, 3600,
	    "timeout must be 0.001-3600 seconds", NULL },
	{ "require_sni", POLICYD_CONFIG_BOOL, PZ_OFF(require_sni), 0, 0, NULL,
	    NULL },
	{ "tlsrpt", POLICYD_CONFIG_BOOL, PZ_OFF(tlsrpt), 0, 0, NULL, NULL },
	{ "dane", POLICYD_CONFIG_BOOL, PZ_OFF(dane), 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* ---- defaults, release, lookup ---- */

/* policyd_config_zone_defaults - a zone as postfix-mta-sts-resolver's */
static void
policyd_config_zone_defaults(struct policyd_zone *z)
{
	z->name = NULL;
	z->strict_testing = false;
	z->timeout = 4;
	z->require_sni = true;
	z->tlsrpt = false;
	z->dane = true;
}

void
policyd_config_defaults(struct policyd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->host = xstrdup("127.0.0.1");
	c->port = 8461;
	c->path = NULL;
	c->mode = 0666;
	c->reuse_port = true;
	c->shutdown_timeout = 20;
	c->cache_grace = 60;
	c->cache_type = xstrdup("internal");
	c->cache_size = 10000;
	c->cache_file = NULL;
	c->negative_ttl = 300;
	c->proactive = false;
	c->proactive_interval = 86400;
	c->proactive_concurrency = 100;
	c->proactive_grace_ratio = 2.0;
	policyd_config_zone_defaults(&c->default_zone);
	c->nzones = 0;
}

void
policyd_config_release(struct policyd_config *c)
{
	size_t i;

	free(c->host);
	free(c->path);
	free(c->cache_type);
	free(c->cache_file);
	free(c->resolver);
	free(c->trust_anchor);
	free(c->ca_file);
	free(c->metrics);
	free(c->default_zone.name);
	for (i = 0; i < c->nzones && i < POLICYD_MAX_ZONES; i++)
		free(c->zones[i].name);
	memset(c, 0, sizeof(*c));
}

/* policyd_config_index - index of the zone named (name, len), or nzones */
static size_t
policyd_config_index(
    const struct policyd_config *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->nzones; i++)
		if (strlen(c->zones[i].name) == len &&
		    memcmp(c->zones[i].name, name, len) == 0)
			break;
	return i;
}

const struct policyd_zone *
policyd_config_zone(
    const struct policyd_config *c, const char *name, size_t len)
{
	size_t i = policyd_config_index(c, name, len);

	return i < c->nzones ? &c->zones[i] : &c->default_zone;
}

/* ---- errors and warnings ---- */

/* policyd_config_off - byte offset of a libyaml mark (it counts chars) */
static size_t
policyd_config_off(const struct policyd_config_cur *cur, yaml_mark_t m)
{
	size_t i, chars = 0;

	for (i = 0; i < cur->len; i++) {
		/* UTF-8 continuation bytes do not start a character */
		if (((unsigned char)cur->p[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == m.index)
			return i;
	}
	return cur->len;
}

static int
policyd_config_fail(
    struct policyd_config_cur *cur, const yaml_node_t *n, const char *msg)
{
	return perr_set(cur->err,
	    n != NULL ? policyd_config_off(cur, n->start_mark) : 0, msg);
}

/* policyd_config_esc - printable ASCII of (p, len) into dst, cut at 64 */
static void
policyd_config_esc(char *dst, size_t dstlen, const char *p, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < dstlen; i++) {
		if (i == 64) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		dst[o++] = ascii_isprint((unsigned char)p[i]) ? p[i] : '?';
	}
	dst[o] = '\0';
}

static void policyd_config_warnf(
    struct policyd_config_cur *cur, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* policyd_config_warnf - "line N: " and the message, to the callback */
static void
policyd_config_warnf(
    struct policyd_config_cur *cur, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[POLICYD_CONFIG_MAXWARN];
	va_list ap;
	int k;

	if (cur->warn == NULL)
		return;
	k = snprintf(msg, sizeof(msg), "line %zu: ", n->start_mark.line + 1);
	if (k < 0 || (size_t)k >= sizeof(msg))
		return;
	va_start(ap, fmt);
	/* a cut warning is still a warning: truncation is fine here */
	(void)vsnprintf(msg + k, sizeof(msg) - (size_t)k, fmt, ap);
	va_end(ap);
	cur->warn(cur->arg, msg);
}

/* ---- scalars (YAML 1.1 as PyYAML resolves them) ---- */

static bool
policyd_config_is(const yaml_node_t *n, const char *s)
{
	return n->data.scalar.length == strlen(s) &&
	    memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static bool
policyd_config_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool
policyd_config_null(const yaml_node_t *n)
{
	return policyd_config_plain(n) &&
	    (n->data.scalar.length == 0 || policyd_config_is(n, "~") ||
	        policyd_config_is(n, "null") || policyd_config_is(n, "Null") ||
	        policyd_config_is(n, "NULL"));
}

/* policyd_config_bool - 1 true, 0 false, -1 not a boolean */
static int
policyd_config_bool(const yaml_node_t *n)
{
	static const char *const yes[] = { "yes", "Yes", "YES", "true", "True",
		"TRUE", "on", "On", "ON" };
	static const char *const no[] = { "no", "No", "NO", "false", "False",
		"FALSE", "off", "Off", "OFF" };
	size_t i;

	if (!policyd_config_plain(n))
		return -1;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (policyd_config_is(n, yes[i]))
			return 1;
		if (policyd_config_is(n, no[i]))
			return 0;
	}
	return -1;
}

/* policyd_config_digit - value of c in base, or -1 */
static int
policyd_config_digit(unsigned char c, unsigned base)
{
	int v;

	if (ascii_isdigit(c))
		v = c - '0';
	else if (ascii_isalpha(c))
		v = ascii_tolower(c) - 'a' + 10;
	else
		return -1;
	return (unsigned)v < base ? v : -1;
}

/*
 * policyd_config_int - a YAML 1.1 integer: [-+] then 0b..., 0x..., 0o...
 * (YAML 1.2), 0 followed by octal digits, or decimal; '_' may separate
 * digits. Large values saturate (every range here is far smaller).
 */
static int
policyd_config_int(const char *s, size_t len, double *out, bool *octal)
{
	size_t i = 0, ndig = 0;
	unsigned base = 10;
	uint64_t v = 0;
	bool neg = false;
	int d;

	*octal = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	if (s[i] == '0' && len - i > 1) {
		i++;
		if (s[i] == 'b') {
			base = 2;
			i++;
		} else if (s[i] == 'x') {
			base = 16;
			i++;
		} else if (s[i] == 'o') {
			base = 8;
			*octal = true;
			i++;
		} else {
			base = 8;
			*octal = true;
		}
		if (i == len)
			return -1;
	}
	for (; i < len; i++) {
		if (s[i] == '_' && ndig > 0)
			continue;
		if ((d = policyd_config_digit((unsigned char)s[i], base)) < 0)
			return -1;
		ndig++;
		v = v > UINT64_MAX / 32 ? UINT64_MAX / 32
		                        : v * base + (unsigned)d;
	}
	if (ndig == 0)
		return -1;
	*out = neg ? -(double)v : (double)v;
	return 0;
}

/*
 * policyd_config_float - [-+] digits [. digits] [e [-+] digits], or
 * [-+] . digits [e ...]; '_' may separate digits. Our own conversion, so
 * that LC_NUMERIC never matters (strtod would obey it).
 */
static int
policyd_config_float(const char *s, size_t len, double *out)
{
	size_t i = 0, nint = 0, nfrac = 0, nexp = 0;
	uint64_t mant = 0;
	long scale = 0, e = 0;
	bool neg = false, eneg = false;
	double v;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len &&
	     (ascii_isdigit((unsigned char)s[i]) || (s[i] == '_' && nint > 0));
	     i++) {
		if (s[i] == '_')
			continue;
		nint++;
		if (mant < UINT64_MAX / 10 - 9)
			mant = mant * 10 + (uint64_t)(s[i] - '0');
		else
			scale++;
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len &&
		     (ascii_isdigit((unsigned char)s[i]) ||
		         (s[i] == '_' && nfrac > 0));
		     i++) {
			if (s[i] == '_')
				continue;
			nfrac++;
			if (mant < UINT64_MAX / 10 - 9) {
				mant = mant * 10 + (uint64_t)(s[i] - '0');
				scale--;
			}
		}
	}
	if (nint + nfrac == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < len && ascii_isdigit((unsigned char)s[i]); i++) {
			nexp++;
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		}
		if (nexp == 0)
			return -1;
	}
	if (i != len)
		return -1;
	scale += eneg ? -e : e;
	if (mant == 0)
		scale = 0;
	v = (double)mant;
	for (; scale > 0 && v < 1e300; scale--)
		v *= 10;
	for (; scale < 0 && v > 0; scale++)
		v /= 10;
	if (scale > 0)
		v = HUGE_VAL; /* out of every range */
	*out = neg ? -v : v;
	return 0;
}

/* ---- keys ---- */

/* policyd_config_string - a scalar as a string: no NUL, at most max */
static int
policyd_config_string(struct policyd_config_cur *cur, const yaml_node_t *n,
    size_t max, const char *toolong)
{
	if (n->type != YAML_SCALAR_NODE)
		return policyd_config_fail(cur, n, "expected a string");
	if (n->data.scalar.length == 0)
		return policyd_config_fail(cur, n, "empty string");
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
		return policyd_config_fail(cur, n, "string has a nul byte");
	if (n->data.scalar.length > max)
		return policyd_config_fail(cur, n, toolong);
	return 0;
}

/* policyd_config_set - one scalar key into the struct at base */
static int
policyd_config_set(struct policyd_config_cur *cur, const char *path,
    const struct policyd_config_key *k, void *base, const yaml_node_t *key,
    const yaml_node_t *n)
{
	char *field = (char *)base + k->off;
	const char *s;
	size_t len;
	double v;
	bool octal = false;
	int b, rc;

	if (k->type == POLICYD_CONFIG_UNUSED) {
		policyd_config_warnf(cur, key, "%s%s%s: not used by mxaudit",
		    path, *path ? "." : "", k->name);
		return 0;
	}
	/* null leaves the key at its default, as an absent key does */
	if (policyd_config_null(n))
		return 0;
	if (n->type != YAML_SCALAR_NODE && k->type != POLICYD_CONFIG_STR)
		return policyd_config_fail(cur, n, "expected a scalar");
	s = (const char *)n->data.scalar.value;
	len = n->data.scalar.length;
	switch (k->type) {
	case POLICYD_CONFIG_STR:
		if (policyd_config_string(cur, n, (size_t)k->max, k->msg) == -1)
			return -1;
		/* a check returns 1 when it stored a value of its own */
		if (k->check != NULL && (rc = k->check(cur, n, s, len)) != 0)
			return rc == -1 ? -1 : 0;
		free(*(char **)field);
		*(char **)field = xmemdup0(s, len);
		return 0;
	case POLICYD_CONFIG_BOOL:
		if ((b = policyd_config_bool(n)) == -1)
			return policyd_config_fail(
			    cur, n, "expected true or false");
		*(bool *)field = b == 1;
		return 0;
	case POLICYD_CONFIG_INT:
	case POLICYD_CONFIG_SIZE:
	case POLICYD_CONFIG_MODE:
		if (!policyd_config_plain(n) ||
		    policyd_config_int(s, len, &v, &octal) == -1)
			return policyd_config_fail(
			    cur, n, "expected an integer");
		break;
	case POLICYD_CONFIG_DOUBLE:
		if (!policyd_config_plain(n) ||
		    (policyd_config_int(s, len, &v, &octal) == -1 &&
		        policyd_config_float(s, len, &v) == -1))
			return policyd_config_fail(cur, n, "expected a number");
		break;
	default:
		return policyd_config_fail(cur, n, "unknown key type");
	}
	if (!(v >= k->min && v <= k->max))
		return policyd_config_fail(cur, n, k->msg);
	switch (k->type) {
	case POLICYD_CONFIG_MODE:
		if (!octal && v > 7)
			policyd_config_warnf(cur, n,
			    "%s%smode: %.0f is decimal (0%o); octal needs a "
			    "leading 0",
			    path, *path ? "." : "", v, (unsigned)v);
		/* fall through */
	case POLICYD_CONFIG_INT:
		*(int *)field = (int)v;
		break;
	case POLICYD_CONFIG_SIZE:
		*(size_t *)field = (size_t)v;
		break;
	default:
		*(double *)field = v;
		break;
	}
	return 0;
}

/*
 * policyd_config_keys - a key of a table section; false when the table
 * does not have it
 */
static int
policyd_config_keys(struct policyd_config_cur *cur, const char *path,
    const struct policyd_config_key *table, void *base, const yaml_node_t *key,
    const yaml_node_t *val, bool *found)
{
	size_t i;

	for (i = 0; table[i].name != NULL; i++) {
		if (policyd_config_is(key, table[i].name)) {
			*found = true;
			return policyd_config_set(
			    cur, path, &table[i], base, key, val);
		}
	}
	*found = false;
	return 0;
}

static void
policyd_config_unknown(
    struct policyd_config_cur *cur, const char *path, const yaml_node_t *key)
{
	char name[80];

	policyd_config_esc(name, sizeof(name),
	    (const char *)key->data.scalar.value, key->data.scalar.length);
	policyd_config_warnf(
	    cur, key, "%s%s%s: unknown key", path, *path ? "." : "", name);
}

/*
 * policyd_config_map - call fn for each pair of the mapping n: first the
 * pairs merged in by "<<" (so that the mapping's own keys win, later
 * merged mappings losing to earlier ones), then the others in order
 */
static int
policyd_config_map(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *n, policyd_config_section_fn fn, void *ctx, int depth)
{
	const yaml_node_pair_t *pair;
	const yaml_node_item_t *item;
	const yaml_node_t *key, *val, *m;
	int pass;

	if (policyd_config_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return policyd_config_fail(cur, n, "expected a mapping");
	if (depth > POLICYD_CONFIG_MAXMERGE)
		return policyd_config_fail(
		    cur, n, "merge keys nested too deeply");
	for (pass = 0; pass < 2; pass++) {
		for (pair = n->data.mapping.pairs.start;
		     pair < n->data.mapping.pairs.top; pair++) {
			if (++cur->work > POLICYD_CONFIG_MAXWORK)
				return policyd_config_fail(
				    cur, n, "configuration too complex");
			key = yaml_document_get_node(cur->doc, pair->key);
			val = yaml_document_get_node(cur->doc, pair->value);
			if (key == NULL || val == NULL)
				return policyd_config_fail(
				    cur, n, "malformed yaml");
			if (key->type != YAML_SCALAR_NODE)
				return policyd_config_fail(
				    cur, key, "expected a scalar key");
			if (!(policyd_config_plain(key) &&
			        policyd_config_is(key, "<<"))) {
				if (pass == 1 &&
				    fn(cur, path, key, val, ctx) == -1)
					return -1;
				continue;
			}
			if (pass == 1)
				continue;
			if (val->type != YAML_SEQUENCE_NODE) {
				if (policyd_config_map(cur, path, val, fn, ctx,
				        depth + 1) == -1)
					return -1;
				continue;
			}
			for (item = val->data.sequence.items.top;
			     item > val->data.sequence.items.start;) {
				m = yaml_document_get_node(cur->doc, *--item);
				if (m == NULL || m->type != YAML_MAPPING_NODE)
					return policyd_config_fail(cur,
					    m != NULL ? m : val,
					    "expected a mapping");
				if (policyd_config_map(
				        cur, path, m, fn, ctx, depth + 1) == -1)
					return -1;
			}
		}
	}
	return 0;
}

/* ---- sections ---- */

static int
policyd_config_on_zone(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *key, const yaml_node_t *val, void *ctx)
{
	bool found;

	if (policyd_config_keys(cur, path, policyd_config_zone_keys, ctx, key,
	        val, &found) == -1)
		return -1;
	if (!found)
		policyd_config_unknown(cur, path, key);
	return 0;
}

static int
policyd_config_on_zones(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *key, const yaml_node_t *val, void *ctx)
{
	struct policyd_config *c = cur->c;
	struct policyd_zone *z;
	const char *name = (const char *)key->data.scalar.value;
	size_t len = key->data.scalar.length, i;
	char zpath[96], esc[80], *keep;

	(void)path;
	(void)ctx;
	if (policyd_config_null(key) || len == 0)
		return policyd_config_fail(cur, key, "empty zone name");
	if (memchr(name, '\0', len) != NULL)
		return policyd_config_fail(
		    cur, key, "zone name has a nul byte");
	if (memchr(name, ' ', len) != NULL)
		return policyd_config_fail(cur, key, "zone name has a space");
	if (len > POLICYD_CONFIG_MAXNAME)
		return policyd_config_fail(
		    cur, key, "zone name longer than 255 bytes");
	i = policyd_config_index(c, name, len);
	if (i == c->nzones) {
		if (c->nzones == POLICYD_MAX_ZONES)
			return policyd_config_fail(
			    cur, key, "more than 64 zones");
		c->nzones++;
		keep = xmemdup0(name, len);
	} else {
		/* a name given twice: the last one wins, as in PyYAML */
		keep = c->zones[i].name;
	}
	z = &c->zones[i];
	policyd_config_zone_defaults(z);
	z->name = keep;
	policyd_config_esc(esc, sizeof(esc), name, len);
	/* esc is at most 68 bytes: zpath cannot be cut */
	(void)snprintf(zpath, sizeof(zpath), "zones.%s", esc);
	return policyd_config_map(
	    cur, zpath, val, policyd_config_on_zone, z, 0);
}

static int
policyd_config_on_table(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *key, const yaml_node_t *val, void *ctx)
{
	bool found;

	if (policyd_config_keys(cur, path, ctx, cur->c, key, val, &found) == -1)
		return -1;
	if (!found)
		policyd_config_unknown(cur, path, key);
	return 0;
}

static int
policyd_config_on_cache(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *key, const yaml_node_t *val, void *ctx)
{
	(void)ctx;
	if (policyd_config_is(key, "options"))
		return policyd_config_map(cur, "cache.options", val,
		    policyd_config_on_table,
		    (void *)policyd_config_options_keys, 0);
	return policyd_config_on_table(
	    cur, path, key, val, (void *)policyd_config_cache_keys);
}

static int
policyd_config_on_top(struct policyd_config_cur *cur, const char *path,
    const yaml_node_t *key, const yaml_node_t *val, void *ctx)
{
	(void)ctx;
	if (policyd_config_is(key, "cache")) {
		cur->cache_off = policyd_config_off(cur, key->start_mark);
		return policyd_config_map(
		    cur, "cache", val, policyd_config_on_cache, NULL, 0);
	}
	if (policyd_config_is(key, "proactive_policy_fetching"))
		return policyd_config_map(cur, "proactive_policy_fetching", val,
		    policyd_config_on_table,
		    (void *)policyd_config_proactive_keys, 0);
	if (policyd_config_is(key, "default_zone"))
		return policyd_config_map(cur, "default_zone", val,
		    policyd_config_on_zone, &cur->c->default_zone, 0);
	if (policyd_config_is(key, "zones"))
		return policyd_config_map(
		    cur, "zones", val, policyd_config_on_zones, NULL, 0);
	return policyd_config_on_table(
	    cur, path, key, val, (void *)policyd_config_top_keys);
}

/* ---- value checks ---- */

/* policyd_config_check_metrics - HOST:PORT, [V6]:PORT; port 1-65535 */
static int
policyd_config_check_metrics(struct policyd_config_cur *cur,
    const yaml_node_t *n, const char *s, size_t len)
{
	size_t colon = len, i;
	unsigned long port = 0;

	while (colon > 0 && s[colon - 1] != ':')
		colon--;
	if (colon < 2 || colon == len || len - colon > 5)
		return policyd_config_fail(cur, n, "metrics must be HOST:PORT");
	for (i = colon; i < len; i++) {
		if (!ascii_isdigit((unsigned char)s[i]))
			return policyd_config_fail(
			    cur, n, "metrics must be HOST:PORT");
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (port == 0 || port > 65535)
		return policyd_config_fail(
		    cur, n, "metrics port must be 1-65535");
	if (s[0] == '[' && s[colon - 2] != ']')
		return policyd_config_fail(cur, n, "metrics must be HOST:PORT");
	return 0;
}

/*
 * policyd_config_check_cache_type - internal or sqlite; the other
 * backends of postfix-mta-sts-resolver fall back to internal with a
 * warning, so that such a file still loads
 */
static int
policyd_config_check_cache_type(struct policyd_config_cur *cur,
    const yaml_node_t *n, const char *s, size_t len)
{
	static const char *const other[] = { "redis", "redis_sentinel",
		"postgres" };
	char esc[80];
	size_t i;

	if (policyd_config_is(n, "internal") || policyd_config_is(n, "sqlite"))
		return 0;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if (!policyd_config_is(n, other[i]))
			continue;
		policyd_config_esc(esc, sizeof(esc), s, len);
		policyd_config_warnf(cur, n,
		    "cache.type: %s is not supported, using internal", esc);
		free(cur->c->cache_type);
		cur->c->cache_type = xstrdup("internal");
		return 1;
	}
	return policyd_config_fail(
	    cur, n, "cache type must be internal or sqlite");
}

/* ---- entry ---- */

/* policyd_config_yaml_error - libyaml's failure as a struct perr */
static int
policyd_config_yaml_error(
    struct policyd_config_cur *cur, const yaml_parser_t *parser)
{
	const char *msg =
	    parser->problem != NULL ? parser->problem : "malformed yaml";

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return perr_set(cur->err, 0, "out of memory");
	case YAML_READER_ERROR:
		/* the reader's offset is in bytes already */
		return perr_set(cur->err,
		    parser->problem_offset < cur->len ? parser->problem_offset
		                                      : cur->len,
		    msg);
	default:
		return perr_set(cur->err,
		    policyd_config_off(cur, parser->problem_mark), msg);
	}
}

int
policyd_config_parse(const char *p, size_t len, struct policyd_config *c,
    struct perr *err, void (*warn)(void *arg, const char *msg), void *arg)
{
	struct policyd_config_cur cur;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	const yaml_node_t *root;
	int rc = -1;

	if (len > POLICYD_CONFIG_MAXLEN)
		return perr_set(err, POLICYD_CONFIG_MAXLEN,
		    "configuration larger than 1 mib");
	memset(&cur, 0, sizeof(cur));
	cur.p = len > 0 ? p : "";
	cur.len = len;
	cur.doc = &doc;
	cur.c = c;
	cur.err = err;
	cur.warn = warn;
	cur.arg = arg;
	if (!yaml_parser_initialize(&parser))
		return perr_set(err, 0, "out of memory");
	yaml_parser_set_input_string(
	    &parser, (const unsigned char *)cur.p, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	if (!yaml_parser_load(&parser, &doc)) {
		policyd_config_yaml_error(&cur, &parser);
		yaml_parser_delete(&parser);
		return -1;
	}
	if ((root = yaml_document_get_root_node(&doc)) != NULL) {
		if (!yaml_parser_load(&parser, &extra)) {
			policyd_config_yaml_error(&cur, &parser);
			goto out;
		}
		if (yaml_document_get_root_node(&extra) != NULL) {
			perr_set(err,
			    policyd_config_off(&cur, extra.start_mark),
			    "more than one yaml document");
			yaml_document_delete(&extra);
			goto out;
		}
		yaml_document_delete(&extra);
		if (policyd_config_map(
		        &cur, "", root, policyd_config_on_top, NULL, 0) == -1)
			goto out;
	}
	if (c->cache_type != NULL && strcmp(c->cache_type, "sqlite") == 0 &&
	    c->cache_file == NULL) {
		perr_set(err, cur.cache_off,
		    "cache type sqlite needs options.filename");
		goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}
