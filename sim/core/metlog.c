#include "sim/core/metlog.h"

#include <pthread.h>
#include <stdlib.h>

#include "common/ncpu.h"

/* big blocks make the hand-overs (a lock, maybe a wake-up) rare */
#define ML_PIPE_WORDS 32768
#define ML_PIPE_BLOCKS 4

struct metlog_pipe {
	int64_t *blk[ML_PIPE_BLOCKS];
	size_t len[ML_PIPE_BLOCKS];
	pthread_mutex_t mu;
	pthread_cond_t filled_cv, freed_cv;
	pthread_t th;
	bool started, joined;
	/* under mu: blocks handed over and replayed so far; end: no more come */
	uint64_t filled, replayed;
	bool end, quit;
	bool failed; /* the consumer's: an integration step ran out of memory */
};

/* The calls a direct integration makes, record by record. Stops at the first
 * failure (the run then fails, as it did at that step). */
static bool replay(struct metrics *m, const int64_t *w, size_t n)
{
	for (size_t i = 0; i < n;) {
		switch (w[i]) {
		case ML_ADV:
			if (met_advance(m, w[i + 1]) < 0)
				return false;
			i += 2;
			break;
		case ML_STEP:
			itl_add(&m->itl, w[i + 1], w[i + 2]);
			met_set_live(m, w[i + 3]);
			if (met_advance(m, w[i + 4]) < 0)
				return false;
			i += 5;
			break;
		case ML_MOVE: {
			struct met_state s = m->cur; /* as last set; live since */
			s.reserved = w[i + 1];
			s.running = w[i + 2];
			memcpy(&s.ext_frag, &w[i + 3], sizeof s.ext_frag);
			s.live = w[i + 4];
			met_set(m, &s);
			itl_add(&m->itl, w[i + 5], s.running);
			if (met_advance(m, w[i + 6]) < 0)
				return false;
			i += 7;
			break;
		}
		default: { /* ML_SET */
			struct met_state s = {
				.reserved = w[i + 1],
				.live = w[i + 2],
				.running = w[i + 3],
				.waiting = w[i + 4],
				.safety_used = w[i + 6],
				.safety_tokens = w[i + 7],
				.overflows = w[i + 8],
			};
			memcpy(&s.ext_frag, &w[i + 5], sizeof s.ext_frag);
			met_set(m, &s);
			i += ML_SET_WORDS;
			break;
		}
		}
	}
	return true;
}

static void *consumer(void *arg)
{
	struct metlog *ml = arg;
	struct metlog_pipe *p = ml->pipe;
	bool ok = true;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->replayed == p->filled && !p->end && !p->quit)
			pthread_cond_wait(&p->filled_cv, &p->mu);
		if (p->quit || p->replayed == p->filled)
			break;
		size_t k = (size_t)(p->replayed % ML_PIPE_BLOCKS);
		pthread_mutex_unlock(&p->mu);
		if (ok)
			ok = replay(ml->m, p->blk[k], p->len[k]);
		pthread_mutex_lock(&p->mu);
		p->replayed++;
		p->failed = !ok;
		pthread_cond_signal(&p->freed_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static bool start(struct metlog *ml)
{
	struct metlog_pipe *p = ml->pipe;
	for (int k = 1; k < ML_PIPE_BLOCKS; k++)
		if (!p->blk[k] && !(p->blk[k] = malloc(ML_PIPE_WORDS * sizeof *p->blk[k])))
			return false;
	p->started = ncpu_spawn(&p->th, consumer, ml);
	return p->started;
}

static void free_pipe(struct metlog_pipe *p)
{
	for (int k = 0; k < ML_PIPE_BLOCKS; k++)
		free(p->blk[k]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->filled_cv);
	pthread_cond_destroy(&p->freed_cv);
	free(p);
}

void metlog_open(struct metlog *ml, struct metrics *m, int threads)
{
	*ml = (struct metlog){ .m = m, .direct = m };
	itl_init(&ml->itl_run);
	if (threads < 2 || !(ml->pipe = calloc(1, sizeof *ml->pipe)))
		return;
	struct metlog_pipe *p = ml->pipe;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->filled_cv, NULL);
	pthread_cond_init(&p->freed_cv, NULL);
	if (!(p->blk[0] = malloc(ML_PIPE_WORDS * sizeof *p->blk[0]))) {
		free_pipe(p);
		ml->pipe = NULL;
		return;
	}
	ml->direct = NULL;
	ml->w = p->blk[0];
	ml->lim = ML_PIPE_WORDS - ML_MAX_REC;
}

/* Hands the block over (its ml->n words) and, unless it is the last, takes
 * the next free one, waiting for the consumer when all are full. */
static void hand_over(struct metlog *ml, bool last)
{
	struct metlog_pipe *p = ml->pipe;
	pthread_mutex_lock(&p->mu);
	p->len[p->filled % ML_PIPE_BLOCKS] = ml->n;
	p->filled++;
	p->end = last;
	pthread_cond_signal(&p->filled_cv);
	while (!last && p->filled - p->replayed >= ML_PIPE_BLOCKS)
		pthread_cond_wait(&p->freed_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	ml->w = p->blk[p->filled % ML_PIPE_BLOCKS];
	ml->n = 0;
}

void metlog_direct_advance(struct metlog *ml, int64_t now)
{
	ml->failed |= met_advance(ml->direct, now) < 0;
}

void metlog_direct_step(struct metlog *ml, int64_t gap, int64_t weight, int64_t live, int64_t end)
{
	itl_add(&ml->direct->itl, gap, weight);
	met_set_live(ml->direct, live);
	ml->failed |= met_advance(ml->direct, end) < 0;
}

void metlog_flush(struct metlog *ml)
{
	struct metlog_pipe *p = ml->pipe;
	if (p->started || start(ml)) {
		hand_over(ml, false);
		return;
	}
	/* no thread: this block now, the rest as it comes */
	ml->failed = !replay(ml->m, ml->w, ml->n);
	ml->n = 0;
	ml->direct = ml->m;
}

int metlog_finish(struct metlog *ml, int64_t now)
{
	struct metlog_pipe *p = ml->pipe;
	bool ok;
	if (p && p->started) {
		hand_over(ml, true);
		pthread_join(p->th, NULL);
		p->joined = true;
		ok = !p->failed;
	} else {
		ok = !ml->failed && replay(ml->m, ml->w, ml->n);
	}
	ml->n = 0;
	if (!ok || itl_merge(&ml->m->itl, &ml->itl_run) < 0)
		return -1;
	return met_finish(ml->m, now);
}

void metlog_close(struct metlog *ml)
{
	struct metlog_pipe *p = ml->pipe;
	if (p && p->started && !p->joined) {
		pthread_mutex_lock(&p->mu);
		p->quit = true;
		pthread_cond_signal(&p->filled_cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	if (p)
		free_pipe(p); /* ml->w is one of its blocks */
	itl_free(&ml->itl_run);
	*ml = (struct metlog){ 0 };
}
