/* SPDX-License-Identifier: ISC */
/* timeutil - calendar arithmetic that cannot overflow. */
#ifndef MX_UTIL_TIMEUTIL_H
#define MX_UTIL_TIMEUTIL_H

#include <time.h>

#define TIMEUTIL_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define TIMEUTIL_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

/* timeutil_clamp - t within years 0000..9999, so differences fit */
long long timeutil_clamp(time_t t);
/* timeutil_days - whole days from a to b, rounded down (negative: past) */
long long timeutil_days(time_t a, time_t b);

#endif
