/* SPDX-License-Identifier: ISC */
/* orgdomain - RFC 7489 organizational domain through libpsl. */
#include "proto/orgdomain.h"

#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"
#include "util/xalloc.h"

#define ORGDOMAIN_NAME_MAX 253

struct orgdomain {
	psl_ctx_t *psl; /* owned */
};

static struct orgdomain *
orgdomain_wrap(psl_ctx_t *psl)
{
	struct orgdomain *od;

	if (psl == NULL)
		return NULL;
	od = xmalloc(sizeof(*od));
	od->psl = psl;
	return od;
}

struct orgdomain *
orgdomain_new_latest(void)
{
	return orgdomain_wrap(psl_latest(NULL));
}

struct orgdomain *
orgdomain_load(const char *path)
{
	return orgdomain_wrap(psl_load_file(path));
}

void
orgdomain_free(struct orgdomain *od)
{
	if (od == NULL)
		return;
	psl_free(od->psl);
	free(od);
}

/*
 * orgdomain_lower - name lowercased (ASCII only: libpsl compares bytes and
 * its list is lowercase) without one trailing dot, into buf; false when it
 * is empty, too long or has an empty label
 */
static bool
orgdomain_lower(const char *name, char *buf, size_t size)
{
	size_t i, len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > ORGDOMAIN_NAME_MAX || len >= size)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] == '.' && (i == 0 || name[i - 1] == '.'))
			return false;
		buf[i] = (char)ascii_tolower((unsigned char)name[i]);
	}
	if (buf[len - 1] == '.')
		return false;
	buf[len] = '\0';
	return true;
}

int
orgdomain_get(
    const struct orgdomain *od, const char *name, char *out, size_t outsize)
{
	char buf[ORGDOMAIN_NAME_MAX + 1];
	const char *reg;
	size_t len;

	if (outsize > 0)
		out[0] = '\0';
	if (od == NULL || name == NULL ||
	    !orgdomain_lower(name, buf, sizeof(buf)))
		return -1;
	if ((reg = psl_registrable_domain(od->psl, buf)) == NULL)
		return -1;
	len = strlen(reg);
	if (len + 1 > outsize)
		return -1;
	memcpy(out, reg, len + 1);
	return 0;
}

bool
orgdomain_is_suffix(const struct orgdomain *od, const char *name)
{
	char buf[ORGDOMAIN_NAME_MAX + 1];

	if (od == NULL || name == NULL ||
	    !orgdomain_lower(name, buf, sizeof(buf)))
		return false;
	return psl_is_public_suffix(od->psl, buf) != 0;
}
