/* SPDX-License-Identifier: ISC */
/*
 * hsts_preload - Chromium's HSTS preload list (the format of
 * net/http/transport_security_state_static.json) as a set of host names.
 *
 * The file is JSON with "//" comments. The loader blanks the comments out
 * itself (outside strings only: "//" inside a string stays) and parses the
 * rest with jansson. Of the top level only "entries" is read; "pinsets" and
 * anything else are ignored. Of each entry: "name" (the host), "policy",
 * "mode" ("force-https" means HSTS is preloaded for the name) and
 * "include_subdomains" (true: also for every subdomain). Other keys (pins,
 * include_subdomains_for_pinning, expect_ct...) are ignored, but an entry
 * without "mode" is kept: it still takes part in the lookup (see below).
 *
 * Lives in report/ because it needs jansson, which proto/ does not link.
 */
#ifndef MX_REPORT_HSTS_PRELOAD_H
#define MX_REPORT_HSTS_PRELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/perr.h"

#define HSTS_PRELOAD_FILE_MAX (64u << 20) /* bytes; the real list: ~15 MB */
#define HSTS_PRELOAD_NAME_MAX 253         /* octets of a host name */

struct hsts_preload; /* opaque */

/* the answer of a lookup */
struct hsts_preload_hit {
	bool listed;        /* an entry names the host or an ancestor, and
			      decides (the most specific one) */
	bool preloaded;     /* HSTS applies to the host through the list */
	bool via_ancestor;  /* the deciding entry names an ancestor */
	const char *entry;  /* borrowed from the set: the deciding entry's
			      name (lowercase), NULL when !listed */
	const char *policy; /* borrowed from the set: its "policy" ("" when
			       absent), NULL when !listed */
};

struct hsts_preload_stats {
	size_t entries;    /* entries kept */
	size_t hsts;       /* of those, with mode "force-https" */
	size_t skipped;    /* not an object, or without a good name */
	size_t duplicates; /* a name seen before: the first one is kept */
};

/*
 * hsts_preload_load - a set from the list in (p, len), which is not
 * modified (the loader works on a copy). Returns NULL with err on failure:
 * "preload list larger than 64 mib", "json syntax error" (off is where
 * jansson stopped, counted in the input), "not a json object", "no entries
 * array". Entries that are not objects, or whose name is not a host name
 * (1-253 octets of printable ASCII, no empty label), are skipped and
 * counted. Names are lowercased; a trailing dot is removed.
 */
struct hsts_preload *hsts_preload_load(
    const char *p, size_t len, struct perr *err);

/*
 * hsts_preload_load_file - the same from a file; also NULL with "cannot
 * open the preload list" or "cannot read the preload list" (errno says why)
 */
struct hsts_preload *hsts_preload_load_file(const char *path, struct perr *err);

/*
 * hsts_preload_lookup - is host (ptr, len) preloaded? ASCII case is
 * ignored, and one trailing dot. As in Chromium, the most specific entry
 * that names the host or one of its ancestors decides:
 *   - an entry for the host itself: preloaded when its mode is
 *     "force-https";
 *   - else the nearest ancestor with an entry: preloaded (via_ancestor)
 *     when its mode is "force-https" and include_subdomains is true.
 * So an entry without HSTS (pins only, say) shadows an ancestor's
 * include_subdomains. *hit is overwritten; returns hit->preloaded. A host
 * that is empty, longer than 253 octets or has an empty label is never
 * listed.
 */
bool hsts_preload_lookup(const struct hsts_preload *set, const char *host,
    size_t len, struct hsts_preload_hit *hit);

/* hsts_preload_stats - counts from the load */
void hsts_preload_stats(
    const struct hsts_preload *set, struct hsts_preload_stats *st);

/* hsts_preload_free - release the set; NULL is fine */
void hsts_preload_free(struct hsts_preload *set);

#endif
