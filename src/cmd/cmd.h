/* SPDX-License-Identifier: ISC */
/* cmd - the subcommands' entry points. */
#ifndef MX_CMD_CMD_H
#define MX_CMD_CMD_H

/* exit codes of every subcommand */
#define EXIT_CLEAN    0 /* no finding of severity error */
#define EXIT_FINDINGS 1 /* at least one finding of severity error */
#define EXIT_USAGE    2 /* usage or operational error */

int cmd_scan(int argc, char **argv);
int cmd_headers(int argc, char **argv);

#endif
