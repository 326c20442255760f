/* SPDX-License-Identifier: ISC */
/*
 * domain - normalise a domain name given by a user.
 *
 * Pure. Lowercases ASCII, drops one trailing dot and surrounding blanks,
 * and checks the shape of a host name (RFC 1035 2.3.4, RFC 1123 2.1): at
 * most 253 octets, labels of 1..63 letters, digits, hyphens (underscores
 * are tolerated, as real zones have them).
 */
#ifndef MX_PROTO_DOMAIN_H
#define MX_PROTO_DOMAIN_H

#include <stddef.h>

#include "util/perr.h"

#define DOMAIN_MAX 253

/* domain_normalize - out needs DOMAIN_MAX + 1 bytes; 0, or -1 and *err */
int domain_normalize(
    const char *p, size_t len, char *out, size_t outsize, struct perr *err);

#endif
