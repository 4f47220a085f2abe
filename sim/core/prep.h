/* prep: a run's per-request preparation (records built, predictions made)
 * done block by block in index order, on a second thread ahead of the run
 * when the run may use two. The run asks for request k before it first
 * reads it (prep_need) and waits only if the preparer has not got that far;
 * blocks are published with release/acquire, so the run sees each prepared
 * record whole. A block writes only its own requests, and the run touches
 * none of them before asking, so the values are those an inline preparation
 * gives: results do not depend on the thread. With one thread, or when no
 * thread can be started, prep_start prepares everything before it returns. */
#ifndef OM_PREP_H
#define OM_PREP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Prepares requests [from, to), returning 0, or -1 when it cannot (e.g. a
 * streamed workload's row fails): then no later block runs and a run that
 * asks for any request from `from` on is told (prep_need). After the last
 * block, `done` (if any) runs once, on the same thread (e.g. to free what
 * only the blocks read), whether or not a block failed. */
typedef int (*prep_block_fn)(void *ctx, size_t from, size_t to);
typedef void (*prep_done_fn)(void *ctx);

struct prep {
	prep_block_fn block;
	prep_done_fn done;
	void *ctx;
	size_t n, rows;	     /* requests, and per block */
	atomic_size_t ready; /* requests [0, ready) are prepared */
	atomic_bool quit;    /* the run failed: stop after the current block */
	atomic_bool failed;  /* a block failed: requests from ready on never come */
	size_t seen;	     /* the run's thread: ready when it last looked */
	pthread_mutex_t mu;  /* with cv: a waiting run sleeps, not spins */
	pthread_cond_t cv;
	bool waiting; /* under mu: the run sleeps on cv */
	pthread_t th;
	bool started, joined;
};

/* Prepares n requests in blocks of `rows`: on a second thread when threaded
 * (falls back to inline when none can be started), else now. */
void prep_start(struct prep *p, size_t n, size_t rows, bool threaded, prep_block_fn block,
		prep_done_fn done, void *ctx);
/* Blocks until request k is prepared (k < n): true; false if it never
 * will be (a block failed). */
bool prep_wait(struct prep *p, size_t k);
static inline bool prep_need(struct prep *p, size_t k)
{
	return k < p->seen || prep_wait(p, k);
}
/* Stops the preparer early if it still runs (a failed run) and waits for
 * it; its done hook has run when this returns. Safe to call twice. */
void prep_end(struct prep *p);

#endif
