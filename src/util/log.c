/* SPDX-License-Identifier: ISC */
/* log - diagnostics on stderr for the operator. */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level log_level = LOG_LEVEL_WARN;

void
log_set_level(enum log_level level)
{
	log_level = level;
}

bool
log_enabled(enum log_level level)
{
	return level <= log_level;
}

static void log_vwrite(const char *fmt, va_list ap, const char *suffix)
    __attribute__((format(printf, 1, 0)));

static void
log_vwrite(const char *fmt, va_list ap, const char *suffix)
{
	fputs("mxaudit: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

#define LOG_FN(name, level)                \
	void name(const char *fmt, ...)    \
	{                                  \
		va_list ap;                \
		if (!log_enabled(level))   \
			return;            \
		va_start(ap, fmt);         \
		log_vwrite(fmt, ap, NULL); \
		va_end(ap);                \
	}

LOG_FN(log_warnx, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

void
log_fatal(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(fmt, ap, err);
	va_end(ap);
	exit(2);
}

void
log_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(fmt, ap, NULL);
	va_end(ap);
	exit(2);
}
