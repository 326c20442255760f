/* SPDX-License-Identifier: ISC */
/*
 * orgdomain - the RFC 7489 organizational domain of a name, through the
 * public suffix list (libpsl).
 *
 * RFC 7489 3.2: the organizational domain is the longest public suffix
 * matching the name plus one more label: the "registrable domain" of the
 * Public Suffix List, which libpsl computes (wildcard and exception rules,
 * the default rule "*", ICANN and private sections, U-labels and A-labels).
 * A name that is itself a public suffix has none.
 *
 * Loading reads a file once (at startup); a lookup is pure and never
 * allocates, so one loaded list serves every domain of a run (the peers
 * re-parsed the list per domain).
 */
#ifndef MX_PROTO_ORGDOMAIN_H
#define MX_PROTO_ORGDOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* opaque: the loaded list */
struct orgdomain;

/*
 * orgdomain_new_latest - the newest list the system has: Debian's
 * /usr/share/publicsuffix/public_suffix_list.{dafsa,dat} (package
 * publicsuffix) or libpsl's built-in copy, whichever is newer
 * (psl_latest). NULL when there is none. Free with orgdomain_free.
 */
struct orgdomain *orgdomain_new_latest(void);

/*
 * orgdomain_load - the list in the file path (public_suffix_list.dat
 * format, or a DAFSA). NULL when the file cannot be read or parsed.
 */
struct orgdomain *orgdomain_load(const char *path);

/* orgdomain_free - release the list; od may be NULL */
void orgdomain_free(struct orgdomain *od);

/*
 * orgdomain_get - the organizational domain of name into out (NUL-
 * terminated, lowercase ASCII, the form of the input kept: U-labels stay
 * U-labels, A-labels stay A-labels). name may end with one dot and may use
 * upper case. Returns 0, or -1 when there is none: name is empty, longer
 * than 253 bytes, has an empty label (".example.com", "a..b"), is itself
 * a public suffix ("com", "co.uk", an unlisted TLD), or out is too small.
 * out gets "" on -1.
 */
int orgdomain_get(
    const struct orgdomain *od, const char *name, char *out, size_t outsize);

/* orgdomain_is_suffix - name is a public suffix (e.g. "com", "co.uk") */
bool orgdomain_is_suffix(const struct orgdomain *od, const char *name);

#endif
