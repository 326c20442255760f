/* SPDX-License-Identifier: ISC */
/*
 * hwriter - the scan's history writer: documents go to the SQLite history
 * on a thread of their own, so the disk never stalls the event loop (the
 * loop only builds each document and queues it; the thread serialises
 * it). The queue is
 * bounded: when the disk cannot keep up, put() waits.
 */
#ifndef MX_CMD_HWRITER_H
#define MX_CMD_HWRITER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct hwriter;

/* hwriter_start - a writer of run's documents into st (borrowed) */
struct hwriter *hwriter_start(struct store *st, int64_t run);
/*
 * hwriter_put - queue one document (its reference is the writer's from
 * here: the loop must not touch it again; jansson objects are not shared
 * between threads, but one may pass from one thread to another)
 */
void hwriter_put(struct hwriter *w, json_t *doc);
/* hwriter_finish - write what is queued, commit, stop; rejected count */
size_t hwriter_finish(struct hwriter *w);

#endif
