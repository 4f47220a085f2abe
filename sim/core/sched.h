/* sched: iteration-level continuous batching, vLLM style.
 * Each iteration first grows every running request by one token (preempting
 * the most recently admitted request, by recompute, when the policy has no
 * room, or the request itself when the policy answers POL_REQUEUE), then,
 * if nothing was preempted, admits waiting requests FCFS while
 * the policy accepts them and max_num_seqs / max_batched_tokens hold.
 * With scheduler.chunked_prefill (vLLM v1's only mode) the token budget goes
 * to decodes first, then to the next chunk of the partially prefilled request
 * (always the newest running one), then to first chunks of waiting requests;
 * a prompt (plus tokens generated before a preemption) is computed chunk by
 * chunk, the policy asked to admit the first chunk and to grow by each later
 * one, and the request emits its first token when the last chunk lands (a
 * request that could not grow while running alone is re-admitted asking for
 * its whole context at once).
 * Without it a newly admitted request prefills its whole context at once.
 * With scheduler.prefix_cache the policy is told of each preemption
 * (pol_preempt) and asked at re-admission how much of the context it kept
 * cached (pol_cached); that part is not computed again.
 * The scheduler never sees a true output length: as a request starts
 * running the engine tells it, through a callback (sched_set_finish), after
 * how many more tokens the request emits its last one; the scheduler keeps
 * that word beside the batch as the token count to stop at, and ends the
 * request's stay when it gets there (a leap reads there in how many
 * iterations a request will, and ends its stay only when that iteration
 * ends). */
#ifndef OM_SCHED_H
#define OM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cfg.h"
#include "sim/policy/policy.h"
#include "sim/core/itl.h"
#include "sim/core/keyheap.h"
#include "sim/core/lasttok.h"
#include "sim/core/leapcal.h"
#include "sim/core/request.h"

enum sched_reject {
	REJ_NONE,
	REJ_PROMPT_TOO_LONG,   /* prompt >= max_model_len */
	REJ_PROMPT_OVER_BATCH, /* prompt > max_batched_tokens: could never be prefilled */
	REJ_NEVER_FITS,	       /* the policy cannot hold it even in an empty pool */
	REJ_N
};
_Static_assert(REJ_N <= 8, "sim_req.reject_reason has 3 bits");
extern const char *const sched_reject_names[REJ_N];

struct sched_stats {
	int64_t preemptions, recomputed_tokens, iterations, batch_sum;
	double kv_ns_sum, kv_bytes_sum, kv_runs_sum; /* KV reads, summed over iterations */
	int64_t rejected[REJ_N];
	/* admissions refused for room (each wait of a request counted once, so
	 * the count does not depend on how often a blocked queue is re-asked),
	 * and the summed external fragmentation (1 - largest free range / free)
	 * at those moments */
	int64_t no_room;
	double no_room_frag_sum;
};

/* Adds b's counters into a. */
void sched_stats_add(struct sched_stats *a, const struct sched_stats *b);

/* The scheduler's keys, read once by whoever composes the run. */
struct sched_params {
	int32_t max_num_seqs, max_batched_tokens;
	bool chunked;	   /* scheduler.chunked_prefill */
	bool prefix_cache; /* scheduler.prefix_cache */
	bool fast;	   /* run.fast_path: use the policy's speed promises */
};
void sched_params_read(const struct cfg *c, struct sched_params *p);

struct sched {
	int32_t max_num_seqs, max_batched_tokens;
	const struct pol_ops *pol;
	void *ps;
	const struct dev_timing *dt;
	/* waiting: ring buffer of request indices (4 bytes, not a pointer's 8:
	 * a saturated run queues most of its requests), FCFS with preempted
	 * requests at the head */
	struct sim_req *reqs; /* the run's requests: the queue holds indices into it */
	uint32_t *wq;
	size_t wq_head, wq_len, wq_cap;
	/* running: in admission order (the last is the preemption victim) */
	struct sim_req **run;
	size_t n_run, run_cap;
	/* Arrays parallel to run[], so the per-iteration loops read no request:
	 * run[i]'s prompt + generated tokens (nd) is off[i] + tick, tick
	 * counting the iterations ended (a partially prefilled request's off
	 * drops as tick grows); the record's generated and, unless partially
	 * prefilled, ctx lag behind: sync_at writes them before anything else
	 * reads them, ctx being nd - lag. cap[i] is its pol_cap, read again
	 * after every grow; stop[i] is the nd at which it finishes: prompt +
	 * the smaller of its visible cap and the engine's word at its admission
	 * (finish_in) */
	int32_t *stop, *cap;
	int64_t *off;
	int64_t tick;
	/* over the running requests not partially prefilled: the sum of off
	 * (their pairs are off_sum + n tick), a tick up to which none needs
	 * more than its cap (nd <= cap while tick <= fit_until; a lower bound,
	 * made exact whenever the batch is walked) and the first tick at which
	 * one finishes (min of stop - off, exact) */
	int64_t off_sum, fit_until, fin_from;
	/* 1 from an iteration's end to the next one's grows (ctx = nd - 1), 0
	 * from then to its end (ctx = nd) */
	int32_t lag;
	/* from this index on, sched_end looks at each request itself (partial
	 * chunks, first tokens); before it every request decodes steadily */
	size_t tail;
	int64_t (*finish_in)(void *ctx, const struct sim_req *r);
	void *finish_ctx;
	int64_t live_tokens; /* sum of ctx over running requests */
	bool fast;	     /* run.fast_path: use the policy's speed hooks */
	bool chunked;	     /* scheduler.chunked_prefill */
	bool prefix_cache;   /* scheduler.prefix_cache */
	bool partial;	     /* a running request is partially prefilled */
	/* the last admission stopped on something only a release can change
	 * (no room, batch token budget, max_num_seqs) with requests waiting */
	bool blocked;
	struct sched_stats st;
	/* where sched_end adds each token's gap since the request's previous
	 * token (NULL: nowhere); sched_leap leaves its gaps to its caller. Every
	 * request that got a token at the end of the previous iteration
	 * (last_end) waited one iteration; the n_resumed re-admitted ones waited
	 * since the time last_tok kept for them at their preemption. */
	struct itl *itl;
	struct lasttok last_tok;
	int64_t last_end;
	size_t n_resumed;
	/* leap scratch: the batch at the leap's start (with each request's
	 * finishing iteration and generated tokens then) and its pending
	 * grows and finishes */
	struct sched_leap_req {
		struct sim_req *r;
		int64_t fin;
		int32_t nd0;
	} * leap;
	size_t leap_cap, leap_n;
	int64_t last_leap; /* iterations the last leap made */
	struct keyheap grows;
	/* with a policy's grow period (pol_grow_period): the leap's grows in
	 * a calendar instead of the heap (cal.period; 0 when not), and the
	 * calendar slot of the last iteration whose grows were made */
	struct leapcal cal;
	bool use_cal;
	size_t cal_slot;
	bool leap_grew; /* a grow made in this leap: cap[] is read again */
	/* failures noticed where nothing returns an error (sched_failed) */
	bool oom;
	const struct sim_req *overflowed; /* recomputed past 32 bits */
};

extern const struct cfg_key sched_keys[];

int sched_init(struct sched *s, const struct sched_params *p, const struct pol_ops *pol, void *ps,
	       const struct dev_timing *dt, struct sim_req *reqs, size_t n_requests,
	       struct om_err *e);
/* -1 (with the reason) once the scheduler hit what it cannot carry on from
 * where it noticed it: out of memory, a count past its record's width. */
int sched_failed(const struct sched *s, struct om_err *e);
void sched_free(struct sched *s);

/* An arriving request joins the back of the queue (returns 1), or is
 * rejected (returns 0) if it can never be served; -1: out of memory. */
int sched_arrive(struct sched *s, struct sim_req *r, int64_t now);

/* Forms and prices the next iteration. Returns its duration in ns, or 0 when
 * there is nothing to run. `bd` (may be NULL) receives the cost breakdown. */
int64_t sched_begin(struct sched *s, int64_t now, struct it_time *bd);

/* The engine's word on when a request finishes, asked once each time it
 * starts running: finish_in(ctx, r) is how many more output tokens r emits,
 * its last one included (>= 1). Without it (NULL, the default) a request
 * runs to its visible cap. */
void sched_set_finish(struct sched *s, int64_t (*finish_in)(void *ctx, const struct sim_req *r),
		      void *ctx);

/* Ends the iteration begun by sched_begin: every request in the batch that
 * is not still partially prefilled gains one output token; those that
 * reached their finish (the engine's word) or their visible cap finish and
 * release their memory. `on_finish` (may be NULL) is told about each
 * finished request. */
void sched_end(struct sched *s, int64_t now, void (*on_finish)(void *ctx, struct sim_req *r),
	       void *ctx);

/* Whether sched_leap could do anything now (cheap; no per-request work). */
static inline bool sched_may_leap(const struct sched *s)
{
	return s->fast && s->n_run && !s->partial && (!s->wq_len || s->blocked) && s->dt->lin
		&& pol_decode_is_batchable(s->pol);
}

/* What a leap asks of, and tells, the engine (ctx is passed back). */
struct sched_leap_hooks {
	void *ctx;
	/* an iteration leapt over: [begin, end), live_tokens as an observer
	 * would see them once it began, changed: the policy's memory or the
	 * batch changed since the last call; a negative return aborts */
	int (*on_iter)(void *ctx, int64_t begin, int64_t end, int64_t live, bool changed);
	/* r finished at the end of that iteration (may be NULL) */
	void (*on_finish)(void *ctx, struct sim_req *r);
	/* after each iteration's finishes (the stall check); negative aborts */
	int (*after)(void *ctx);
	/* call `after` only after iterations in which a request finished (the
	 * engine's choice when nothing else can change its answer) */
	bool after_finishes_only;
};

/* Multi-iteration leap (fast path), called right after sched_end at `*now`
 * instead of beginning the next iteration. If no request waits (or
 * admission is blocked and nothing was released since) and the policy has
 * the speed hooks under a linear memory model, it runs whole pure-decode
 * iterations (each request one token, no admission) while they end before
 * `limit` (exclusive), pricing each exactly as sched_begin would and
 * updating the statistics the same way. Per-request events keep it going:
 * a request crossing its room is grown, in batch order, when the policy
 * promises that grow is plain (pol_grow_is_plain; otherwise the leap stops
 * before that iteration), and with nobody waiting a request finishes
 * (as sched_end would finish it) at the end of the iteration the engine
 * named at its admission (sched_set_finish); with requests waiting the
 * leap stops before any finish. The grows of the iteration a leap stops
 * before may already be made: sched_begin, at the same time, then finds
 * them done (no-op grows). Advances *now to the last leapt iteration's end
 * and returns their number (-1 when a hook aborted). */
int64_t sched_leap(struct sched *s, int64_t *now, int64_t limit, const struct sched_leap_hooks *h);

/* Writes every running request's generated and ctx, which the scheduler
 * keeps beside the batch while it runs (see struct sched's off and tick),
 * into its record: for whoever reads running requests (checks, the run's
 * end). */
void sched_sync(struct sched *s);

/* Checking mode (syncs the batch first, as sched_sync): every queued
 * request is waiting and every running one is running, no request is in
 * both, live_tokens is the sum of running ctx, a running request holds its
 * whole context unless partially prefilled (then some but not all of it,
 * and it is the newest running request), and what the scheduler keeps
 * beside the batch agrees with the records (INV-10). */
int sched_check(const struct sched *s, struct om_err *e);

/* One sentence on why the request at the head of the queue is not running
 * (which request, what it needs, which limit stops it); for stall reports. */
void sched_explain(const struct sched *s, char *buf, size_t n);

static inline size_t sched_waiting(const struct sched *s)
{
	return s->wq_len;
}
static inline size_t sched_running(const struct sched *s)
{
	return s->n_run;
}
/* Sum of the running requests' context, tokens. */
static inline int64_t sched_live_tokens(const struct sched *s)
{
	return s->live_tokens;
}
/* Counters so far (rejections include those at arrival). */
static inline const struct sched_stats *sched_stats(const struct sched *s)
{
	return &s->st;
}
/* The i-th waiting request (0 = the head of the queue), i < sched_waiting. */
static inline const struct sim_req *sched_waiting_at(const struct sched *s, size_t i)
{
	return &s->reqs[s->wq[(s->wq_head + i) % s->wq_cap]];
}
/* The i-th running request in admission order, i < sched_running (its
 * generated and ctx as of the last sched_sync). */
static inline const struct sim_req *sched_running_at(const struct sched *s, size_t i)
{
	return s->run[i];
}

#endif
