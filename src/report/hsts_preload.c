/* SPDX-License-Identifier: ISC */
/*
 * hsts_preload - load Chromium's HSTS preload list and look host names up.
 *
 * The comments are blanked out with spaces (newlines stay), so jansson's
 * error positions still count in the caller's input. The entries live in
 * one array; a strmap from the lowercase name to the array slot answers
 * lookups, one probe per label of the host, most specific first.
 */
#include "report/hsts_preload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define HSTS_PRELOAD_LABEL_MAX 63

struct hsts_preload_entry {
	char *name;   /* owned: lowercase, no trailing dot */
	char *policy; /* owned: "" when absent */
	bool force_https;
	bool include_subdomains;
};

struct hsts_preload {
	struct hsts_preload_entry *entries; /* owned: nentries slots */
	size_t nentries;
	struct strmap byname; /* name -> borrowed slot of entries */
	struct hsts_preload_stats stats;
};

/*
 * hsts_preload_strip - blank out "//" comments, to the end of their line,
 * outside JSON strings (a backslash escapes the next byte in a string)
 */
static void
hsts_preload_strip(char *p, size_t len)
{
	size_t i = 0;
	bool in_string = false;

	while (i < len) {
		if (in_string) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_string = false;
			i++;
			continue;
		}
		if (p[i] == '"') {
			in_string = true;
			i++;
			continue;
		}
		if (p[i] == '/' && i + 1 < len && p[i + 1] == '/') {
			while (i < len && p[i] != '\n')
				p[i++] = ' ';
			continue;
		}
		i++;
	}
}

/*
 * hsts_preload_name - normalize a host name (p, len) into out (at least
 * HSTS_PRELOAD_NAME_MAX + 1 bytes): one trailing dot removed, lowercase,
 * NUL-terminated. Returns -1 when it is not a name: empty, too long, an
 * empty or too long label, a byte outside printable ASCII.
 */
static int
hsts_preload_name(const char *p, size_t len, char *out)
{
	size_t i, label = 0;

	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0 || len > HSTS_PRELOAD_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (!ascii_isprint((unsigned char)p[i]) || p[i] == ' ' ||
		    ++label > HSTS_PRELOAD_LABEL_MAX) {
			return -1;
		}
		out[i] = (char)ascii_tolower((unsigned char)p[i]);
	}
	if (label == 0)
		return -1;
	out[len] = '\0';
	return 0;
}

/* hsts_preload_add - one element of "entries" */
static void
hsts_preload_add(struct hsts_preload *set, json_t *e)
{
	struct hsts_preload_entry *slot;
	char name[HSTS_PRELOAD_NAME_MAX + 1];
	json_t *v;
	const char *policy = "";

	v = json_object_get(e, "name");
	if (!json_is_string(v) ||
	    hsts_preload_name(
	        json_string_value(v), json_string_length(v), name) == -1) {
		set->stats.skipped++;
		return;
	}
	if (strmap_get(&set->byname, name) != NULL) {
		set->stats.duplicates++;
		return;
	}
	v = json_object_get(e, "policy");
	if (json_is_string(v))
		policy = json_string_value(v);

	slot = &set->entries[set->nentries++];
	slot->name = xstrdup(name);
	slot->policy = xstrdup(policy);
	v = json_object_get(e, "mode");
	slot->force_https = json_is_string(v) &&
	    strcmp(json_string_value(v), "force-https") == 0;
	slot->include_subdomains =
	    json_is_true(json_object_get(e, "include_subdomains"));
	strmap_put(&set->byname, slot->name, slot);
	set->stats.entries++;
	set->stats.hsts += slot->force_https;
}

struct hsts_preload *
hsts_preload_load(const char *p, size_t len, struct perr *err)
{
	struct hsts_preload *set;
	json_error_t jerr;
	json_t *root, *entries, *e;
	char *copy;
	size_t i;

	if (len > HSTS_PRELOAD_FILE_MAX) {
		perr_set(err, HSTS_PRELOAD_FILE_MAX,
		    "preload list larger than 64 mib");
		return NULL;
	}
	copy = xmalloc(len + 1);
	if (len > 0)
		memcpy(copy, p, len);
	copy[len] = '\0';
	hsts_preload_strip(copy, len);
	root = json_loadb(copy, len, 0, &jerr);
	free(copy);
	if (root == NULL) {
		perr_set(err,
		    jerr.position >= 0 && (size_t)jerr.position <= len
		        ? (size_t)jerr.position
		        : len,
		    "json syntax error");
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		perr_set(err, 0, "not a json object");
		return NULL;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries)) {
		json_decref(root);
		perr_set(err, 0, "no entries array");
		return NULL;
	}

	set = xcalloc(1, sizeof(*set));
	set->entries =
	    xcalloc(json_array_size(entries) + 1, sizeof(*set->entries));
	strmap_init(&set->byname);
	json_array_foreach(entries, i, e)
	{
		if (!json_is_object(e)) {
			set->stats.skipped++;
			continue;
		}
		hsts_preload_add(set, e);
	}
	json_decref(root);
	return set;
}

struct hsts_preload *
hsts_preload_load_file(const char *path, struct perr *err)
{
	struct hsts_preload *set;
	struct buf b;
	char chunk[65536];
	size_t n;
	FILE *fp;
	int saved;

	if ((fp = fopen(path, "rb")) == NULL) {
		perr_set(err, 0, "cannot open the preload list");
		return NULL;
	}
	buf_init(&b, HSTS_PRELOAD_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf_append(&b, chunk, n) == -1) {
			fclose(fp);
			buf_release(&b);
			perr_set(err, HSTS_PRELOAD_FILE_MAX,
			    "preload list larger than 64 mib");
			return NULL;
		}
	}
	if (ferror(fp)) {
		saved = errno;
		fclose(fp);
		buf_release(&b);
		errno = saved;
		perr_set(err, 0, "cannot read the preload list");
		return NULL;
	}
	fclose(fp);
	set = hsts_preload_load(buf_str(&b), b.len, err);
	buf_release(&b);
	return set;
}

bool
hsts_preload_lookup(const struct hsts_preload *set, const char *host,
    size_t len, struct hsts_preload_hit *hit)
{
	char name[HSTS_PRELOAD_NAME_MAX + 1];
	const struct hsts_preload_entry *e;
	size_t i;

	memset(hit, 0, sizeof(*hit));
	if (set == NULL || hsts_preload_name(host, len, name) == -1)
		return false;
	/* the host, then each ancestor: the first entry found decides */
	for (i = 0; name[i] != '\0'; i++) {
		if (i > 0 && name[i - 1] != '.')
			continue;
		if ((e = strmap_get(&set->byname, name + i)) == NULL)
			continue;
		hit->listed = true;
		hit->via_ancestor = i > 0;
		hit->entry = e->name;
		hit->policy = e->policy;
		hit->preloaded =
		    e->force_https && (i == 0 || e->include_subdomains);
		return hit->preloaded;
	}
	return false;
}

void
hsts_preload_stats(
    const struct hsts_preload *set, struct hsts_preload_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (set != NULL)
		*st = set->stats;
}

void
hsts_preload_free(struct hsts_preload *set)
{
	size_t i;

	if (set == NULL)
		return;
	strmap_release(&set->byname);
	for (i = 0; i < set->nentries; i++) {
		free(set->entries[i].name);
		free(set->entries[i].policy);
	}
	free(set->entries);
	free(set);
}
