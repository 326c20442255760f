/* SPDX-License-Identifier: ISC */
/*
 * log - diagnostics on stderr for the operator, never for findings.
 *
 * Lines are lowercase and start with the object they concern (Git):
 * "mx1.example.org:25: starttls: handshake timeout". log_fatal appends
 * strerror(errno) and exits 2 (usage/operational error); log_fatalx does not
 * append errno.
 */
#ifndef MX_UTIL_LOG_H
#define MX_UTIL_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void log_fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* ASSERT - always-on check for bugs (SQLite) */
#define ASSERT(x)                                                      \
	do {                                                           \
		if (!(x))                                              \
			log_fatalx("assertion failed: %s (%s:%d)", #x, \
			    __FILE__, __LINE__);                       \
	} while (0)

#endif
