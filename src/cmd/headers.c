/* SPDX-License-Identifier: ISC */
/*
 * headers - "mxaudit headers": was this message encrypted on every hop?
 *
 * Reads a message (or just its header) from a file or standard input,
 * takes every Received: field, and reports the hops oldest first: the
 * topmost field was written last, by the final receiver.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "proto/msghdr.h"
#include "proto/received.h"
#include "report/headers.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#define HEADERS_INPUT_MAX (64u << 20) /* bytes of message read */
#define HEADERS_MAX_HOPS  1000        /* Received: fields kept */

static const char headers_usage[] =
    "usage: mxaudit headers [options] [FILE|-]\n"
    "\n"
    "Read an RFC 5322 message (or only its header) and report every\n"
    "Received: hop, oldest first: from, by, protocol, TLS version and\n"
    "cipher where the MTA recorded them, and whether the hop was encrypted.\n"
    "\n"
    "options:\n"
    "  --format text|json     output format (default text; json is described\n"
    "                         by docs/headers-result.schema.json)\n"
    "  --color auto|always|never  colour in text output (default auto)\n"
    "  -h, --help             this help\n"
    "\n"
    "exit status: 0 no hop known unencrypted, 1 a hop known unencrypted,\n"
    "2 usage or input error\n";

/* headers_read - the whole input, capped; -1 on error */
static int
headers_read(FILE *in, struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
		if (buf_append(b, chunk, n) != 0)
			return -1;
	return ferror(in) ? -1 : 0;
}

int
cmd_headers(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_COLOR };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct headers_hop *hops = NULL;
	struct headers_summary sum;
	struct msghdr_iter it;
	struct msghdr_field f;
	struct perr err;
	struct buf in;
	const char *source = "-";
	enum cmd_color color = CMD_COLOR_AUTO;
	FILE *fp = stdin;
	bool json = false;
	size_t n = 0, i, total = 0;
	unsigned flags = 0;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				log_fatalx(
				    "--format: text or json, not %s", optarg);
			break;
		case OPT_COLOR:
			color = cmd_parse_color(optarg);
			break;
		case 'h':
			fputs(headers_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs(headers_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(headers_usage, stderr);
		return EXIT_USAGE;
	}
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		source = argv[optind];
		if ((fp = fopen(source, "rb")) == NULL)
			log_fatal("%s", source);
	}
	buf_init(&in, HEADERS_INPUT_MAX);
	if (headers_read(fp, &in) != 0)
		log_fatalx("%s: unreadable or larger than %u MiB", source,
		    HEADERS_INPUT_MAX >> 20);
	if (fp != stdin)
		fclose(fp);
	if (in.len == 0) {
		log_warnx("%s: empty input", source);
		buf_release(&in);
		return EXIT_USAGE;
	}

	/* fields top to bottom; the hops are reported bottom to top */
	msghdr_iter_init(&it);
	while (msghdr_next(in.data, in.len, &it, &f)) {
		if (!ascii_eq_nocase(f.name, f.name_len, "Received"))
			continue;
		if (++total > HEADERS_MAX_HOPS)
			continue;
		hops = xreallocarray(hops, n + 1, sizeof(*hops));
		memset(&hops[n], 0, sizeof(hops[n]));
		hops[n].value = xmalloc(f.value_len + 1);
		hops[n].len = received_unfold(
		    f.value, f.value_len, hops[n].value, f.value_len + 1);
		hops[n].parsed = received_parse(hops[n].value, hops[n].len,
		                     &hops[n].r, &err) == 0;
		n++;
	}
	if (total > HEADERS_MAX_HOPS)
		log_warnx("%s: %zu Received: fields; the first %d are reported",
		    source, total, HEADERS_MAX_HOPS);
	for (i = 0; i < n / 2; i++) {
		struct headers_hop t = hops[i];

		hops[i] = hops[n - 1 - i];
		hops[n - 1 - i] = t;
	}
	if (cmd_color_on(color))
		flags |= REPORT_HEADERS_COLOR;
	if (json)
		report_headers_json(stdout, source, hops, n);
	else
		report_headers_text(stdout, hops, n, flags);
	report_headers_summarize(hops, n, &sum);
	for (i = 0; i < n; i++)
		free(hops[i].value);
	free(hops);
	buf_release(&in);
	return sum.unencrypted > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
