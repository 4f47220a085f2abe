#include "sim/core/side.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- the thread's side: replaying a chunk ---- */

static size_t apply_one(struct side *s, const int64_t *w)
{
	struct met_state st;
	switch (w[0]) {
	case SIDE_ADVANCE:
		if (met_advance(s->m, w[1]) < 0)
			s->err = -1;
		return 2;
	case SIDE_SET:
		st = (struct met_state){ .reserved = w[1],
					 .live = w[2],
					 .running = w[3],
					 .waiting = w[4],
					 .safety_used = w[6],
					 .safety_tokens = w[7],
					 .overflows = w[8] };
		memcpy(&st.ext_frag, &w[5], sizeof st.ext_frag);
		met_set(s->m, &st);
		return 9;
	case SIDE_LIVE:
		met_set_live(s->m, w[1]);
		return 2;
	case SIDE_FINISH:
		if (met_finish(s->m, w[1]) < 0)
			s->err = -1;
		return 2;
	default: /* SIDE_ROWS */
		s->watch->final(s->watch->ctx, s->reqs, s->replica, (size_t)w[1]);
		return 2;
	}
}

static void apply(struct side *s, const struct side_chunk *c)
{
	for (size_t i = 0; i < c->n;)
		i += apply_one(s, c->w + i);
}

static void *run_side(void *arg)
{
	struct side *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->n_full && !s->end)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->n_full)
			break;
		struct side_chunk *c = s->full[s->full_head];
		s->full_head = (s->full_head + 1) % SIDE_CHUNKS;
		s->n_full--;
		pthread_mutex_unlock(&s->mu);
		apply(s, c);
		pthread_mutex_lock(&s->mu);
		s->spare[s->n_spare++] = c;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the run's side: appending ---- */

void side_init(struct side *s, struct metrics *m, const struct eng_watch *watch)
{
	*s = (struct side){ .m = m, .watch = watch, .joined = true };
}

/* Waits for a spare chunk if the thread is behind. */
void side_submit(struct side *s)
{
	pthread_mutex_lock(&s->mu);
	s->full[(s->full_head + s->n_full) % SIDE_CHUNKS] = s->cur;
	s->n_full++;
	pthread_cond_broadcast(&s->cv);
	while (!s->n_spare)
		pthread_cond_wait(&s->cv, &s->mu);
	s->cur = s->spare[--s->n_spare];
	pthread_mutex_unlock(&s->mu);
	s->cur->n = 0;
}

void side_start(struct side *s, bool want_thread, const struct sim_req *reqs,
		const int32_t *replica)
{
	s->reqs = reqs;
	s->replica = replica;
	if (!want_thread)
		return;
	s->pool = malloc(SIDE_CHUNKS * sizeof *s->pool);
	if (!s->pool)
		return;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->cur = &s->pool[0];
	s->cur->n = 0;
	for (size_t i = 1; i < SIDE_CHUNKS; i++)
		s->spare[s->n_spare++] = &s->pool[i];
	/* every signal blocked: interrupts go to the run's thread, which
	 * holds them while it writes the results directory */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->threaded = pthread_create(&s->th, NULL, run_side, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->threaded) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s->pool);
		s->pool = NULL;
		return;
	}
	s->joined = false;
}

void side_set(struct side *s, const struct met_state *st)
{
	if (!s->threaded) {
		met_set(s->m, st);
		return;
	}
	int64_t *w = side_room(s, 9);
	w[0] = SIDE_SET, w[1] = st->reserved, w[2] = st->live, w[3] = st->running;
	w[4] = st->waiting;
	memcpy(&w[5], &st->ext_frag, sizeof st->ext_frag);
	w[6] = st->safety_used, w[7] = st->safety_tokens, w[8] = st->overflows;
}

int side_finish(struct side *s, int64_t now)
{
	if (!s->threaded)
		return met_finish(s->m, now);
	int64_t *w = side_room(s, 2);
	w[0] = SIDE_FINISH, w[1] = now;
	return 0;
}

void side_rows(struct side *s, size_t prefix)
{
	if (!s->threaded) {
		s->watch->final(s->watch->ctx, s->reqs, s->replica, prefix);
		return;
	}
	int64_t *w = side_room(s, 2);
	w[0] = SIDE_ROWS, w[1] = (int64_t)prefix;
}

int side_join(struct side *s)
{
	if (s->joined)
		return s->err;
	pthread_mutex_lock(&s->mu);
	s->full[(s->full_head + s->n_full) % SIDE_CHUNKS] = s->cur;
	s->n_full++;
	s->cur = NULL;
	s->end = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	s->joined = true;
	return s->err;
}

void side_free(struct side *s)
{
	if (!s->threaded)
		return;
	side_join(s);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->pool);
	s->pool = NULL;
	s->threaded = false;
}
