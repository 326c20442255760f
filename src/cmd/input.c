/* SPDX-License-Identifier: ISC */
/*
 * input - the scan's domains, read lazily (see the header).
 */
#include "cmd/input.h"

#include <errno.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/ascii.h"
#include "util/log.h"
#include "util/xalloc.h"

#define INPUT_LINE_MAX 4096 /* longer lines are reported and skipped */

struct input {
	uint32_t shard_k, shard_n;
	char **names; /* owned: from the command line */
	size_t nnames, name_pos;
	char **files; /* owned: paths still to read */
	size_t nfiles, file_pos;
	FILE *fp;         /* the file being read, or NULL */
	const char *path; /* borrowed: its name, for messages */
	size_t line;      /* its line number */
	int csv_column;   /* -1: one name per line; else the domain column */
	bool header_seen; /* the first content line was looked at */
	uint64_t *seen;   /* owned: open addressing set of name hashes */
	size_t seen_cap, seen_count;
	size_t total_hint;
	struct input_stats stats;
};

uint64_t
input_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return h;
}

bool
input_parse_shard(const char *arg, uint32_t *k, uint32_t *n)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(arg, &end, 10);
	if (end == arg || *end != '/' || errno != 0)
		return false;
	arg = end + 1;
	b = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || b == 0 || b > 100000 ||
	    a >= b)
		return false;
	*k = (uint32_t)a;
	*n = (uint32_t)b;
	return true;
}

struct input *
input_new(uint32_t shard_k, uint32_t shard_n)
{
	struct input *in = xcalloc(1, sizeof(*in));

	in->shard_k = shard_k;
	in->shard_n = shard_n;
	in->csv_column = -1;
	return in;
}

void
input_free(struct input *in)
{
	size_t i;

	if (in == NULL)
		return;
	for (i = 0; i < in->nnames; i++)
		free(in->names[i]);
	free(in->names);
	for (i = 0; i < in->nfiles; i++)
		free(in->files[i]);
	free(in->files);
	if (in->fp != NULL && in->fp != stdin)
		fclose(in->fp);
	free(in->seen);
	free(in);
}

void
input_add_name(struct input *in, const char *name)
{
	in->names =
	    xreallocarray(in->names, in->nnames + 1, sizeof(*in->names));
	in->names[in->nnames++] = xstrdup(name);
	in->total_hint++;
}

/* input_count_lines - a regular file's lines, for the progress line */
static size_t
input_count_lines(const char *path)
{
	char buf[65536];
	struct stat st;
	size_t n = 0, got, i;
	FILE *fp;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode) || (fp = fopen(path, "r")) == NULL)
		return 0;
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (i = 0; i < got; i++)
			n += buf[i] == '\n';
	fclose(fp);
	return n;
}

void
input_add_file(struct input *in, const char *path)
{
	in->files =
	    xreallocarray(in->files, in->nfiles + 1, sizeof(*in->files));
	in->files[in->nfiles++] = xstrdup(path);
	in->total_hint += input_count_lines(path);
}

const struct input_stats *
input_stats(const struct input *in)
{
	return &in->stats;
}

size_t
input_total_hint(const struct input *in)
{
	return in->total_hint;
}

/* input_seen - add h to the set; true when it was there already */
static bool
input_seen(struct input *in, uint64_t h)
{
	uint64_t *old = in->seen;
	size_t cap = in->seen_cap, i, mask;

	if (h == 0)
		h = 1; /* 0 marks an empty slot */
	if (in->seen_count * 2 >= in->seen_cap) {
		in->seen_cap = cap == 0 ? 1024 : cap * 2;
		in->seen = xcalloc(in->seen_cap, sizeof(*in->seen));
		in->seen_count = 0;
		for (i = 0; i < cap; i++)
			if (old[i] != 0)
				(void)input_seen(in, old[i]);
		free(old);
	}
	mask = in->seen_cap - 1;
	for (i = h & mask; in->seen[i] != 0; i = (i + 1) & mask)
		if (in->seen[i] == h)
			return true;
	in->seen[i] = h;
	in->seen_count++;
	return false;
}

/* input_trim - (p, len) without white space and one pair of quotes */
static const char *
input_trim(const char *p, size_t *len)
{
	size_t n = *len;

	while (n > 0 && ascii_isspace((unsigned char)p[0])) {
		p++;
		n--;
	}
	while (n > 0 && ascii_isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	*len = n;
	return p;
}

/*
 * input_field - the column'th comma-separated field of line (quotes kept
 * simple: a field in double quotes may hold commas), or NULL
 */
static const char *
input_field(const char *line, int column, size_t *len)
{
	const char *p = line, *start;
	bool quoted;
	int col = 0;

	for (;;) {
		start = p;
		quoted = false;
		while (*p != '\0' && (quoted || *p != ',')) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (col == column) {
			*len = (size_t)(p - start);
			return input_trim(start, len);
		}
		if (*p == '\0')
			return NULL;
		p++;
		col++;
	}
}

/* input_header - a CSV header with a "domain" column: its index, or -1 */
static int
input_header(const char *line)
{
	const char *f;
	size_t len;
	int col;

	if (strchr(line, ',') == NULL)
		return ascii_eq_nocase(line, strlen(line), "domain") ? 0 : -1;
	for (col = 0; (f = input_field(line, col, &len)) != NULL; col++)
		if (ascii_eq_nocase(f, len, "domain"))
			return col;
	return -1;
}

/*
 * input_normalize - p[0 .. len) into out: IDN to A-labels, then the
 * host-name rules of proto/domain; false with why set when invalid
 */
static bool
input_normalize(
    const char *p, size_t len, char *out, size_t outsize, const char **why)
{
	char *raw = xmemdup0(p, len), *ascii = NULL;
	struct perr err;
	bool ok, eight = false;
	size_t i;
	int rc;

	for (i = 0; i < len; i++)
		eight = eight || (unsigned char)p[i] >= 0x80;
	if (eight) {
		rc = idn2_to_ascii_8z(
		    raw, &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			*why = idn2_strerror(rc);
			free(raw);
			return false;
		}
	}
	memset(&err, 0, sizeof(err));
	ok = domain_normalize(ascii != NULL ? ascii : raw,
	         strlen(ascii != NULL ? ascii : raw), out, outsize, &err) == 0;
	if (!ok)
		*why = err.msg != NULL ? err.msg : "invalid name";
	idn2_free(ascii);
	free(raw);
	return ok;
}

/* input_take - one candidate name: normalise, dedupe, shard */
static bool
input_take(struct input *in, const char *p, size_t len, char *out,
    size_t outsize, const char *where, size_t line)
{
	const char *why = NULL;
	uint64_t h;

	in->stats.read++;
	if (!input_normalize(p, len, out, outsize, &why)) {
		in->stats.invalid++;
		if (line > 0)
			log_warnx("%s:%zu: invalid domain name \"%.*s\": %s",
			    where, line, (int)(len > 80 ? 80 : len), p, why);
		else
			log_warnx("invalid domain name \"%.*s\": %s",
			    (int)(len > 80 ? 80 : len), p, why);
		return false;
	}
	h = input_hash(out);
	if (in->shard_n > 1 && h % in->shard_n != in->shard_k) {
		in->stats.other_shard++;
		return false;
	}
	if (input_seen(in, h)) {
		in->stats.duplicates++;
		return false;
	}
	in->stats.given++;
	return true;
}

/* input_open_next - the next file, or false when none is left */
static bool
input_open_next(struct input *in)
{
	const char *path;

	while (in->file_pos < in->nfiles) {
		path = in->files[in->file_pos++];
		in->line = 0;
		in->csv_column = -1;
		in->header_seen = false;
		in->path = path;
		if (strcmp(path, "-") == 0) {
			in->fp = stdin;
			in->path = "(stdin)";
			return true;
		}
		if ((in->fp = fopen(path, "r")) != NULL)
			return true;
		log_warnx("%s: %s", path, strerror(errno));
	}
	return false;
}

bool
input_next(struct input *in, char *out, size_t outsize)
{
	char line[INPUT_LINE_MAX];
	const char *p;
	size_t len;

	while (in->name_pos < in->nnames) {
		p = in->names[in->name_pos++];
		if (input_take(in, p, strlen(p), out, outsize, NULL, 0))
			return true;
	}
	for (;;) {
		if (in->fp == NULL && !input_open_next(in))
			return false;
		if (fgets(line, sizeof(line), in->fp) == NULL) {
			if (in->fp != stdin)
				fclose(in->fp);
			in->fp = NULL;
			continue;
		}
		in->line++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int c;

			log_warnx("%s:%zu: line too long, skipped", in->path,
			    in->line);
			while ((c = fgetc(in->fp)) != EOF && c != '\n')
				;
			in->stats.invalid++;
			continue;
		}
		p = input_trim(line, &len);
		if (len == 0 || p[0] == '#')
			continue;
		if (!in->header_seen) {
			char hdr[INPUT_LINE_MAX];

			in->header_seen = true;
			memcpy(hdr, p, len);
			hdr[len] = '\0';
			if ((in->csv_column = input_header(hdr)) >= 0)
				continue; /* the header row itself */
		}
		if (in->csv_column >= 0) {
			char row[INPUT_LINE_MAX];

			memcpy(row, p, len);
			row[len] = '\0';
			p = input_field(row, in->csv_column, &len);
			if (p == NULL || len == 0) {
				log_warnx("%s:%zu: no domain column", in->path,
				    in->line);
				in->stats.invalid++;
				continue;
			}
			if (input_take(
			        in, p, len, out, outsize, in->path, in->line))
				return true;
			continue;
		}
		if (input_take(in, p, len, out, outsize, in->path, in->line))
			return true;
	}
}
