/* SPDX-License-Identifier: ISC */
/*
 * input - the domains a scan reads: command-line arguments, then files
 * (--input FILE, "-" for standard input), read lazily one at a time so a
 * million-line input costs no more memory than a short one (but for the
 * set of names seen, 16 bytes a name, which deduplication needs).
 *
 * A file holds one domain per line, "#" comments and blank lines allowed,
 * or is a CSV file whose header row has a "domain" column (as trustymail,
 * pshtt and most inventories write them). Every name is normalised: white
 * space trimmed, IDN U-labels to A-labels (libidn2, UTS #46 non-transitional),
 * lower case, one trailing dot dropped, checked as a host name. An invalid
 * name is reported (file:line: why) and skipped, never fatal.
 *
 * --shard K/N keeps the names whose FNV-1a hash of the normalised name is
 * K modulo N (0 <= K < N): N workers given the same input and K = 0 .. N-1
 * each take a disjoint part, and together the whole.
 */
#ifndef MX_CMD_INPUT_H
#define MX_CMD_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/domain.h"

struct input;

struct input_stats {
	size_t read;        /* names looked at */
	size_t invalid;     /* reported and skipped */
	size_t duplicates;  /* seen before */
	size_t other_shard; /* left to the other shards */
	size_t given;       /* handed to the scan */
};

/* input_new - no sources yet; shard_n 0 or 1: no sharding */
struct input *input_new(uint32_t shard_k, uint32_t shard_n);
void input_free(struct input *in);
/* input_add_name - a name from the command line */
void input_add_name(struct input *in, const char *name);
/* input_add_file - a file to read after the names; "-" is stdin */
void input_add_file(struct input *in, const char *path);
/*
 * input_next - the next name to scan into out (DOMAIN_MAX + 1 bytes);
 * false at the end. A file that cannot be opened is reported and skipped.
 */
bool input_next(struct input *in, char *out, size_t outsize);
const struct input_stats *input_stats(const struct input *in);
/* input_count_hint - names still to come if known (files only), else 0 */
size_t input_total_hint(const struct input *in);

/* input_parse_shard - "K/N" into k and n; false when malformed */
bool input_parse_shard(const char *arg, uint32_t *k, uint32_t *n);
/* input_hash - FNV-1a (64 bits) of a normalised name: the shard key */
uint64_t input_hash(const char *name);

#endif
