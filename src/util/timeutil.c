/* SPDX-License-Identifier: ISC */
/* timeutil - calendar arithmetic that cannot overflow. */
#include "util/timeutil.h"

long long
timeutil_clamp(time_t t)
{
	long long v = (long long)t;

	if (v < TIMEUTIL_MIN)
		return TIMEUTIL_MIN;
	if (v > TIMEUTIL_MAX)
		return TIMEUTIL_MAX;
	return v;
}

long long
timeutil_days(time_t a, time_t b)
{
	long long d = timeutil_clamp(b) - timeutil_clamp(a);

	if (d >= 0)
		return d / 86400;
	return -((-d + 86399) / 86400);
}
