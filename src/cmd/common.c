/* SPDX-License-Identifier: ISC */
/* common - what several subcommands parse the same way. */
#include <stdbool.h>
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
