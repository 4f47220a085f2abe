#include "sim/core/prep.h"

#include "common/ncpu.h"

static void *preparer(void *arg)
{
	struct prep *p = arg;
	for (size_t from = 0; from < p->n && !atomic_load_explicit(&p->quit, memory_order_relaxed);
	     from += p->rows) {
		size_t to = p->n - from > p->rows ? from + p->rows : p->n;
		p->block(p->ctx, from, to);
		atomic_store_explicit(&p->ready, to, memory_order_release);
		/* the run sleeps only after seeing ready too small under mu:
		 * taking mu here orders its check before this wake-up */
		pthread_mutex_lock(&p->mu);
		if (p->waiting)
			pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	if (p->done)
		p->done(p->ctx);
	return NULL;
}

void prep_start(struct prep *p, size_t n, size_t rows, bool threaded, prep_block_fn block,
		prep_done_fn done, void *ctx)
{
	*p = (struct prep){ .block = block, .done = done, .ctx = ctx, .n = n, .rows = rows };
	atomic_init(&p->ready, 0);
	atomic_init(&p->quit, false);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->started = threaded && n > rows && ncpu_spawn(&p->th, preparer, p);
	if (!p->started) {
		preparer(p);
		p->joined = true;
	}
	p->seen = atomic_load_explicit(&p->ready, memory_order_acquire);
}

void prep_wait(struct prep *p, size_t k)
{
	size_t r = atomic_load_explicit(&p->ready, memory_order_acquire);
	if (r <= k) {
		pthread_mutex_lock(&p->mu);
		p->waiting = true;
		while ((r = atomic_load_explicit(&p->ready, memory_order_acquire)) <= k)
			pthread_cond_wait(&p->cv, &p->mu);
		p->waiting = false;
		pthread_mutex_unlock(&p->mu);
	}
	p->seen = r;
	if (r == p->n)
		prep_end(p); /* its last act (done) follows at once */
}

void prep_end(struct prep *p)
{
	if (!p->block)
		return; /* never started */
	if (p->started && !p->joined) {
		atomic_store_explicit(&p->quit, true, memory_order_relaxed);
		pthread_join(p->th, NULL);
		p->joined = true;
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	p->block = NULL;
}
