/* SPDX-License-Identifier: ISC */
/*
 * main - dispatch "mxaudit SUBCOMMAND ...".
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "scan", cmd_scan, "audit the mail transport security of domains" },
	{ "headers", cmd_headers,
	    "was a message encrypted on every hop? (Received: fields)" },
	{ "spf", cmd_spf,
	    "evaluate a domain's SPF policy for a client address" },
	{ "import", cmd_import, "load JSONL scan output into the history" },
	{ "diff", cmd_diff, "what changed between two runs of the history" },
	{ "report", cmd_report, "write an HTML report of a run (one file)" },
	{ "policyd", cmd_policyd,
	    "the Postfix MTA-STS policy daemon (smtp_tls_policy_maps)" },
	{ "query", cmd_policyd,
	    "what the policy daemon answers for a domain, and why" },
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: mxaudit COMMAND [options] ...\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(
		    out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'mxaudit COMMAND --help' describes a command.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mxaudit %s\n", MXAUDIT_VERSION);
		return EXIT_CLEAN;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "mxaudit: unknown command: %s\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
