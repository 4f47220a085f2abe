#include "sim/core/prep.h"

#include "common/ncpu.h"

/* Wakes a run sleeping in prep_wait: it sleeps only after seeing ready
 * too small (and no failure) under mu, so taking mu here orders its check
 * before this wake-up. */
static void wake(struct prep *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->waiting)
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *preparer(void *arg)
{
	struct prep *p = arg;
	for (size_t from = 0; from < p->n && !atomic_load_explicit(&p->quit, memory_order_relaxed);
	     from += p->rows) {
		size_t to = p->n - from > p->rows ? from + p->rows : p->n;
		if (p->block(p->ctx, from, to) < 0) {
			atomic_store_explicit(&p->failed, true, memory_order_release);
			wake(p);
			break;
		}
		atomic_store_explicit(&p->ready, to, memory_order_release);
		wake(p);
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
	atomic_init(&p->failed, false);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->started = threaded && n > rows && ncpu_spawn(&p->th, preparer, p);
	if (!p->started) {
		preparer(p);
		p->joined = true;
	}
	p->seen = atomic_load_explicit(&p->ready, memory_order_acquire);
}

bool prep_wait(struct prep *p, size_t k)
{
	/* failed first: once it is seen, ready is final */
	bool failed = atomic_load_explicit(&p->failed, memory_order_acquire);
	size_t r = atomic_load_explicit(&p->ready, memory_order_acquire);
	if (r <= k && !failed && p->block) {
		pthread_mutex_lock(&p->mu);
		p->waiting = true;
		while (!(failed = atomic_load_explicit(&p->failed, memory_order_acquire))
		       && (r = atomic_load_explicit(&p->ready, memory_order_acquire)) <= k)
			pthread_cond_wait(&p->cv, &p->mu);
		p->waiting = false;
		pthread_mutex_unlock(&p->mu);
		r = atomic_load_explicit(&p->ready, memory_order_acquire);
	}
	p->seen = r;
	if (r == p->n || failed)
		prep_end(p); /* its last act (done) follows at once */
	return r > k;
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
