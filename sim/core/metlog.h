/* metlog: a run's metrics integration, logged on the run's thread and
 * replayed in order. The engine appends a compact record per step (time
 * advancing, the state set, a group of inter-token gaps) to a block; a full
 * block is replayed into the metrics with exactly the calls a direct
 * integration makes (met_advance, met_set, met_set_live, itl_add), in the
 * same order, so every floating-point sum is the same. With threads >= 2 the
 * blocks go to a consumer thread (started at the first full block, so short
 * runs never start one); with one thread (or when none can start) the calls
 * are made at once, as they were before the log, which would only add the
 * cost of writing and reading it. Nothing reads the metrics while the run
 * goes; the scheduler's own gaps go to a histogram of the run's thread
 * (ml->itl_run), merged at the end (a histogram does not depend on the order
 * of its additions). */
#ifndef OM_METLOG_H
#define OM_METLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sim/core/itl.h"
#include "sim/core/metrics.h"

enum {
	ML_ADV = 1, /* now: met_advance */
	ML_SET,	    /* the state (ML_SET_WORDS - 1 words): met_set */
	ML_STEP,    /* gap, weight, live, end: itl_add, met_set_live, met_advance */
	ML_MOVE,    /* reserved, running, ext_frag, live, gap, end: met_set of the
		     * state last set with those four replaced, itl_add of gap
		     * weighted running, met_advance */
	ML_SET_WORDS = 9,
	ML_MAX_REC = ML_SET_WORDS
};

struct metlog_pipe;

struct metlog {
	struct metrics *direct; /* the metrics when calls are made at once, no log */
	int64_t *w;		/* the block being filled */
	size_t n, lim;		/* words used; a record starting at or below lim fits */
	struct itl itl_run;	/* the scheduler's gaps, on the run's thread */
	struct metrics *m;
	struct metlog_pipe *pipe; /* the consumer, when threads >= 2 */
	bool failed;		  /* a call on the run's thread ran out of memory */
};

/* ml for the metrics m (initialised, not yet advanced); without memory for a
 * block, the calls are made at once. */
void metlog_open(struct metlog *ml, struct metrics *m, int threads);
/* Hands the full block over (the appenders call it). */
void metlog_flush(struct metlog *ml);
/* Replays the rest, waits for the consumer, merges the scheduler's gaps and
 * closes the series (met_finish at now). 0, or -1 when out of memory (at any
 * step of the run's integration). */
int metlog_finish(struct metlog *ml, int64_t now);
/* Stops the consumer (a run that failed) and frees ml; after metlog_finish
 * too. */
void metlog_close(struct metlog *ml);

/* The calls at once (one thread), out of line so that the logging path
 * stays small where it is inlined. */
void metlog_direct_advance(struct metlog *ml, int64_t now);
void metlog_direct_step(struct metlog *ml, int64_t gap, int64_t weight, int64_t live, int64_t end);

static inline void metlog_put2(struct metlog *ml, int64_t tag, int64_t v)
{
	int64_t *w = ml->w + ml->n;
	w[0] = tag;
	w[1] = v;
	ml->n += 2;
	if (ml->n > ml->lim)
		metlog_flush(ml);
}

static inline void metlog_advance(struct metlog *ml, int64_t now)
{
	if (__builtin_expect(ml->direct != NULL, 0))
		metlog_direct_advance(ml, now);
	else
		metlog_put2(ml, ML_ADV, now);
}

static inline void metlog_set(struct metlog *ml, const struct met_state *s)
{
	if (__builtin_expect(ml->direct != NULL, 0)) {
		met_set(ml->direct, s);
		return;
	}
	int64_t *w = ml->w + ml->n;
	int64_t frag;
	memcpy(&frag, &s->ext_frag, sizeof frag); /* its bits, replayed exactly */
	w[0] = ML_SET;
	w[1] = s->reserved;
	w[2] = s->live;
	w[3] = s->running;
	w[4] = s->waiting;
	w[5] = frag;
	w[6] = s->safety_used;
	w[7] = s->safety_tokens;
	w[8] = s->overflows;
	ml->n += ML_SET_WORDS;
	if (ml->n > ml->lim)
		metlog_flush(ml);
}

/* A leapt iteration after the state was set: weight gaps of gap ns, the live
 * tokens now, time advancing to end. */
static inline void metlog_step(struct metlog *ml, int64_t gap, int64_t weight, int64_t live,
			       int64_t end)
{
	if (__builtin_expect(ml->direct != NULL, 0)) {
		metlog_direct_step(ml, gap, weight, live, end);
		return;
	}
	int64_t *w = ml->w + ml->n;
	w[0] = ML_STEP;
	w[1] = gap;
	w[2] = weight;
	w[3] = live;
	w[4] = end;
	ml->n += 5;
	if (ml->n > ml->lim)
		metlog_flush(ml);
}

/* A leapt iteration whose state s differs from the one set last only in
 * reserved, running, ext_frag and live: metlog_set(s), then metlog_step(gap,
 * s->running, s->live, end), in one record. */
static inline void metlog_move(struct metlog *ml, const struct met_state *s, int64_t gap,
			       int64_t end)
{
	if (__builtin_expect(ml->direct != NULL, 0)) {
		met_set(ml->direct, s);
		metlog_direct_step(ml, gap, s->running, s->live, end);
		return;
	}
	int64_t *w = ml->w + ml->n;
	int64_t frag;
	memcpy(&frag, &s->ext_frag, sizeof frag);
	w[0] = ML_MOVE;
	w[1] = s->reserved;
	w[2] = s->running;
	w[3] = frag;
	w[4] = s->live;
	w[5] = gap;
	w[6] = end;
	ml->n += 7;
	if (ml->n > ml->lim)
		metlog_flush(ml);
}

#endif
