/* side: a run's second thread (run.threads >= 2), for work done in a fixed
 * order whose results nobody reads before the run ends: the utilization
 * integration (met_set, met_advance and met_finish, replayed in the order
 * the engine called them, so every sum has the same bits) and the engine's
 * watch (requests.csv rows). The engine appends records to a chunk; full
 * chunks go to the thread, which applies them in order. Without the thread
 * every call is made at once. The ITL histogram is not replayed: the
 * scheduler adds to it on the run's thread, and the thread never touches it. */
#ifndef OM_SIDE_H
#define OM_SIDE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/engine.h"
#include "sim/core/metrics.h"

#define SIDE_CHUNKS 4
/* 64 KB of records per chunk: a lock and a wake-up per thousands of
 * iterations */
#define SIDE_WORDS 8192

struct side_chunk {
	size_t n;
	int64_t w[SIDE_WORDS];
};

enum side_rec {
	SIDE_ADVANCE,
	SIDE_SET,
	SIDE_LIVE,
	SIDE_FINISH,
	SIDE_ROWS
};

struct side {
	struct metrics *m;
	const struct eng_watch *watch;
	const struct sim_req *reqs;
	const int32_t *replica;
	bool threaded, joined;
	int err; /* -1 once a replayed call failed (out of memory); read after the join */
	struct side_chunk *cur; /* the run's thread's: the chunk being filled */
	/* under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct side_chunk *full[SIDE_CHUNKS], *spare[SIDE_CHUNKS];
	size_t full_head, n_full, n_spare;
	bool end;
	pthread_t th;
	struct side_chunk *pool;
};

/* Before anything else: the metrics replayed into and the watch (or NULL). */
void side_init(struct side *s, struct metrics *m, const struct eng_watch *watch);
/* Starts the thread when want_thread (falling back to calls made at once if
 * it cannot); reqs and replica are what the watch is given. */
void side_start(struct side *s, bool want_thread, const struct sim_req *reqs,
		const int32_t *replica);
/* met_advance, met_set, met_set_live, met_finish, in order. Without the
 * thread they return what the call returned; with it 0, and a failure shows
 * in side_join. The two made for every leapt iteration are inline. */
void side_set(struct side *s, const struct met_state *st);
int side_finish(struct side *s, int64_t now);

/* Hands the current chunk to the thread and takes a spare one. */
void side_submit(struct side *s);

/* Room for a record of k words in the current chunk. */
static inline int64_t *side_room(struct side *s, size_t k)
{
	if (s->cur->n + k > SIDE_WORDS)
		side_submit(s);
	int64_t *w = s->cur->w + s->cur->n;
	s->cur->n += k;
	return w;
}

static inline int side_advance(struct side *s, int64_t now)
{
	if (!s->threaded)
		return met_advance(s->m, now);
	int64_t *w = side_room(s, 2);
	w[0] = SIDE_ADVANCE, w[1] = now;
	return 0;
}

static inline void side_set_live(struct side *s, int64_t live)
{
	if (!s->threaded) {
		met_set_live(s->m, live);
		return;
	}
	int64_t *w = side_room(s, 2);
	w[0] = SIDE_LIVE, w[1] = live;
}
/* The watch's final(prefix), in order with the rest. */
void side_rows(struct side *s, size_t prefix);
/* Waits until everything appended is done: 0, or -1 if a replayed call
 * failed. Nothing runs on the side afterwards. */
int side_join(struct side *s);
/* side_join (when still needed), then frees. */
void side_free(struct side *s);

#endif
