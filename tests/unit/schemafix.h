/* SPDX-License-Identifier: ISC */
/*
 * schemafix - validate scan documents against docs/scan-result.schema.json
 * with tests/unit/validate_schema.py (python3 and its jsonschema module;
 * the test is skipped without them).
 *
 * For the unit tests only; include after <cmocka.h>.
 */
#ifndef MX_TESTS_SCHEMAFIX_H
#define MX_TESTS_SCHEMAFIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

#define PYTHON "/usr/bin/python3"

/* srcdir - the source tree: from MXAUDIT_TESTDATA (ctest) or __FILE__ */
static inline void
srcdir(char *out, size_t size)
{
	static const char suffix[] = "tests/unit/schemafix.h";
	const char *data = getenv("MXAUDIT_TESTDATA"), *file = __FILE__;
	size_t n = strlen(file);
	int len;

	if (data != NULL) {
		len = snprintf(out, size, "%s/../..", data);
	} else if (n >= sizeof(suffix) - 1 &&
	    strcmp(&file[n - (sizeof(suffix) - 1)], suffix) == 0) {
		n -= sizeof(suffix) - 1;
		len = snprintf(out, size, "%.*s.", (int)n, file);
	} else {
		len = snprintf(out, size, ".");
	}
	assert_true(len > 0 && (size_t)len < size);
}

/* need_validator - skip unless python3 with jsonschema is there */
static inline void
need_validator(void)
{
	if (access(PYTHON, X_OK) != 0 ||
	    system(PYTHON " -c 'import jsonschema' 2>/dev/null") != 0)
		skip();
}

/* validate - run validate_schema.py on file; its exit status */
static inline int
validate(const char *file)
{
	char dir[1024], cmd[4096];
	int rc, n;

	srcdir(dir, sizeof(dir));
	n = snprintf(cmd, sizeof(cmd),
	    PYTHON " '%s/tests/unit/validate_schema.py' "
	           "'%s/docs/scan-result.schema.json' '%s' >&2",
	    dir, dir, file);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	rc = system(cmd);
	assert_true(rc != -1 && WIFEXITED(rc));
	return WEXITSTATUS(rc);
}

/* temp_file - a new file $TMPDIR/<prefix>.XXXXXX open for writing */
static inline char *
temp_file(const char *prefix, FILE **fp)
{
	const char *tmp = getenv("TMPDIR");
	char *path =
	    xasprintf("%s/%s.XXXXXX", tmp != NULL ? tmp : "/tmp", prefix);
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	*fp = fdopen(fd, "w");
	assert_non_null(*fp);
	return path;
}

#endif
