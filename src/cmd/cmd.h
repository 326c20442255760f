/* SPDX-License-Identifier: ISC */
/* cmd - the subcommands' entry points. */
#ifndef MX_CMD_CMD_H
#define MX_CMD_CMD_H

/* exit codes of every subcommand */
#define EXIT_CLEAN    0 /* no finding of severity error */
#define EXIT_FINDINGS 1 /* at least one finding of severity error */
#define EXIT_USAGE    2 /* usage or operational error */

#include <stdbool.h>

/* --color: colour in text output */
enum cmd_color { CMD_COLOR_AUTO, CMD_COLOR_ALWAYS, CMD_COLOR_NEVER };

/* cmd_parse_color - --color's argument; a bad one exits 2 */
enum cmd_color cmd_parse_color(const char *arg);
/* cmd_color_on - colour standard output? (auto: when it is a terminal) */
bool cmd_color_on(enum cmd_color mode);

/* cmd_parse_seconds - a duration option, 0 < s <= 86400; else exits 2 */
double cmd_parse_seconds(const char *opt, const char *s);

int cmd_scan(int argc, char **argv);
int cmd_headers(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_policyd(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
