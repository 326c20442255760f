/* SPDX-License-Identifier: ISC */
/* common - what several subcommands parse the same way. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/log.h"

enum cmd_color
cmd_parse_color(const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		return CMD_COLOR_AUTO;
	if (strcmp(arg, "always") == 0)
		return CMD_COLOR_ALWAYS;
	if (strcmp(arg, "never") == 0)
		return CMD_COLOR_NEVER;
	log_fatalx("--color: auto, always or never, not %s", arg);
}

bool
cmd_color_on(enum cmd_color mode)
{
	return mode == CMD_COLOR_ALWAYS ||
	    (mode == CMD_COLOR_AUTO && isatty(STDOUT_FILENO));
}

double
cmd_parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0.0) || v > 86400.0)
		log_fatalx("%s: not a number of seconds: %s", opt, s);
	return v;
}
