/* SPDX-License-Identifier: ISC */
/* strmap - a string-keyed hash map of borrowed values. */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* strmap_hash - FNV-1a, 64 bits */
static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
strmap_init(struct strmap *m)
{
	m->nbuckets = 64;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	m->count = 0;
}

void
strmap_release(struct strmap *m)
{
	struct strmap_entry *e, *next;
	size_t i;

	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = 0;
	m->count = 0;
}

static struct strmap_entry **
strmap_slot(const struct strmap *m, const char *key)
{
	struct strmap_entry **pe;

	pe = &m->buckets[strmap_hash(key) & (m->nbuckets - 1)];
	while (*pe != NULL && strcmp((*pe)->key, key) != 0)
		pe = &(*pe)->next;
	return pe;
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_entry **old = m->buckets, *e, *next;
	size_t oldn = m->nbuckets, i, h;

	m->nbuckets *= 2;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	for (i = 0; i < oldn; i++) {
		for (e = old[i]; e != NULL; e = next) {
			next = e->next;
			h = strmap_hash(e->key) & (m->nbuckets - 1);
			e->next = m->buckets[h];
			m->buckets[h] = e;
		}
	}
	free(old);
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e = *strmap_slot(m, key);

	return e != NULL ? e->value : NULL;
}

void *
strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_entry **pe = strmap_slot(m, key), *e;
	void *old;

	if (*pe != NULL) {
		old = (*pe)->value;
		(*pe)->value = value;
		return old;
	}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->value = value;
	e->next = NULL;
	*pe = e;
	if (++m->count > m->nbuckets)
		strmap_grow(m);
	return NULL;
}

void *
strmap_del(struct strmap *m, const char *key)
{
	struct strmap_entry **pe = strmap_slot(m, key), *e = *pe;
	void *value;

	if (e == NULL)
		return NULL;
	*pe = e->next;
	value = e->value;
	free(e->key);
	free(e);
	m->count--;
	return value;
}
