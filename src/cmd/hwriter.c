/* SPDX-License-Identifier: ISC */
/*
 * hwriter - the history writer thread (see the header). One producer (the
 * event loop), one consumer (the thread), a ring of queued documents under a
 * mutex; the consumer commits when it runs dry and its batch is
 * HWRITER_COMMIT_MS old, and at least every second while it is busy
 * (store.c batches the rest).
 */
#include "cmd/hwriter.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

#define HWRITER_QUEUE     4096 /* documents waiting at most */
/*
 * A dry queue is committed once its batch is this old: committing each
 * time the thread catches up (every few documents at 2,000 a second)
 * rewrote the same index pages into the WAL, commit after commit.
 */
#define HWRITER_COMMIT_MS 250

struct hwriter {
	struct store *st; /* borrowed */
	int64_t run;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	json_t *q[HWRITER_QUEUE]; /* owned */
	size_t head, count;
	bool done;       /* no more puts */
	size_t rejected; /* documents the store refused */
};

static bool
hwriter_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *
hwriter_main(void *arg)
{
	struct hwriter *w = arg;
	json_t *doc;
	struct store_err err;
	struct timespec until, now;
	bool dirty = false;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->count == 0 && !w->done) {
			clock_gettime(CLOCK_REALTIME, &now);
			if (dirty && !hwriter_before(&now, &until)) {
				/* dry, and the batch is due: commit, unlocked */
				pthread_mutex_unlock(&w->mu);
				if (store_commit(w->st, &err) != 0)
					log_warnx("history: %s", err.msg);
				dirty = false;
				pthread_mutex_lock(&w->mu);
				continue;
			}
			if (!dirty) {
				until = now;
				until.tv_sec += 1;
			}
			(void)pthread_cond_timedwait(
			    &w->nonempty, &w->mu, &until);
		}
		if (w->count == 0 && w->done)
			break;
		doc = w->q[w->head];
		w->head = (w->head + 1) % HWRITER_QUEUE;
		w->count--;
		pthread_cond_signal(&w->nonfull);
		pthread_mutex_unlock(&w->mu);
		if (store_add_doc(w->st, w->run, doc, &err) != 0) {
			log_warnx("history: %s", err.msg);
			w->rejected++;
		}
		json_decref(doc);
		if (!dirty) {
			/* the batch is committed this long after it began */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += HWRITER_COMMIT_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			dirty = true;
		}
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	if (store_commit(w->st, &err) != 0)
		log_warnx("history: %s", err.msg);
	return NULL;
}

struct hwriter *
hwriter_start(struct store *st, int64_t run)
{
	struct hwriter *w = xcalloc(1, sizeof(*w));
	int rc;

	w->st = st;
	w->run = run;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->nonempty, NULL);
	pthread_cond_init(&w->nonfull, NULL);
	if ((rc = pthread_create(&w->thread, NULL, hwriter_main, w)) != 0)
		log_fatalx(
		    "history: cannot start the writer: %s", strerror(rc));
	return w;
}

void
hwriter_put(struct hwriter *w, json_t *doc)
{
	pthread_mutex_lock(&w->mu);
	while (w->count == HWRITER_QUEUE)
		pthread_cond_wait(&w->nonfull, &w->mu);
	w->q[(w->head + w->count) % HWRITER_QUEUE] = doc;
	w->count++;
	pthread_cond_signal(&w->nonempty);
	pthread_mutex_unlock(&w->mu);
}

size_t
hwriter_finish(struct hwriter *w)
{
	size_t rejected;

	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_signal(&w->nonempty);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	rejected = w->rejected;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->nonempty);
	pthread_cond_destroy(&w->nonfull);
	free(w);
	return rejected;
}
