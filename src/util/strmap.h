/* SPDX-License-Identifier: ISC */
/*
 * strmap - a string-keyed hash map of borrowed values.
 *
 * Keys are copied (owned by the map); values are borrowed. Chained buckets,
 * doubling at load 1. Iteration order is unspecified.
 */
#ifndef MX_UTIL_STRMAP_H
#define MX_UTIL_STRMAP_H

#include <stddef.h>

struct strmap_entry {
	char *key;   /* owned */
	void *value; /* borrowed */
	struct strmap_entry *next;
};

struct strmap {
	struct strmap_entry **buckets; /* owned */
	size_t nbuckets;
	size_t count;
};

void strmap_init(struct strmap *m);
/* strmap_release - free the map; values are left to the caller */
void strmap_release(struct strmap *m);
void *strmap_get(const struct strmap *m, const char *key);
/* strmap_put - insert or replace; returns the previous value or NULL */
void *strmap_put(struct strmap *m, const char *key, void *value);
/* strmap_del - remove; returns the value or NULL */
void *strmap_del(struct strmap *m, const char *key);

#endif
