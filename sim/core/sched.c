#include "sim/core/sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"

const char *const sched_reject_names[REJ_N] = {
	"none",
	"prompt_too_long",
	"prompt_over_batch",
	"never_fits",
};

const struct cfg_key sched_keys[] = {
	{ "scheduler.max_num_seqs", CFG_INT, "256", 1, 1 << 20, NULL,
	  "most requests in one iteration (vLLM max_num_seqs)" },
	{ "scheduler.max_batched_tokens", CFG_INT, "8192", 1, 1 << 26, NULL,
	  "most tokens computed in one iteration, prefill + decode (vLLM max_num_batched_tokens)" },
	{ "scheduler.chunked_prefill", CFG_BOOL, "true", 0, 0, NULL,
	  "prefill long contexts in chunks within max_batched_tokens, decodes first (vLLM v1)" },
	{ "scheduler.prefix_cache", CFG_BOOL, "false", 0, 0, NULL,
	  "a request preempted by recompute recomputes only the KV the policy did not keep cached "
	  "(paged: its blocks nobody reused; vLLM prefix caching); other policies keep nothing" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

void sched_stats_add(struct sched_stats *a, const struct sched_stats *b)
{
	a->preemptions += b->preemptions;
	a->recomputed_tokens += b->recomputed_tokens;
	a->iterations += b->iterations;
	a->batch_sum += b->batch_sum;
	a->kv_ns_sum += b->kv_ns_sum;
	a->kv_bytes_sum += b->kv_bytes_sum;
	a->kv_runs_sum += b->kv_runs_sum;
	for (int k = 0; k < REJ_N; k++)
		a->rejected[k] += b->rejected[k];
	a->no_room += b->no_room;
	a->no_room_frag_sum += b->no_room_frag_sum;
}

/* Notes the pool's external fragmentation when an admission found no room. */
static void note_no_room(struct sched *s, struct sim_req *r)
{
	if (r->no_room_noted)
		return;
	r->no_room_noted = true;
	struct pol_stats ps;
	pol_stats(s->pol, s->ps, &ps);
	s->st.no_room++;
	if (ps.free_tokens > 0)
		s->st.no_room_frag_sum += 1.0 - (double)ps.largest_free / (double)ps.free_tokens;
}

/* It got room: a later refusal starts a new wait for the room metrics. */
static void note_room(struct sim_req *r)
{
	r->no_room_noted = false;
}

void sched_params_read(const struct cfg *c, struct sched_params *p)
{
	p->max_num_seqs = (int32_t)cfg_int(c, "scheduler.max_num_seqs");
	p->max_batched_tokens = (int32_t)cfg_int(c, "scheduler.max_batched_tokens");
	p->chunked = cfg_bool(c, "scheduler.chunked_prefill");
	p->prefix_cache = cfg_bool(c, "scheduler.prefix_cache");
	p->fast = cfg_bool(c, "run.fast_path");
}

enum {
	SCHED_WQ_MIN = 1024
}; /* first ring size; it doubles when more wait */

int sched_init(struct sched *s, const struct sched_params *p, const struct pol_ops *pol, void *ps,
	       const struct dev_timing *dt, struct sim_req *reqs, size_t n_requests,
	       struct om_err *e)
{
	memset(s, 0, sizeof *s);
	if (n_requests > UINT32_MAX)
		return err_set(e, NULL, 0, "workload",
			       "%zu requests: a run holds at most %u (32-bit request indices)",
			       n_requests, UINT32_MAX);
	s->reqs = reqs;
	s->max_num_seqs = p->max_num_seqs;
	s->max_batched_tokens = p->max_batched_tokens;
	s->pol = pol;
	s->ps = ps;
	s->dt = dt;
	s->fast = p->fast;
	s->chunked = p->chunked;
	s->prefix_cache = p->prefix_cache;
	/* the queue grows to what waits (wq_reserve), not to the run's size */
	s->wq_cap = n_requests && n_requests < SCHED_WQ_MIN ? n_requests : SCHED_WQ_MIN;
	/* admission stops at max_num_seqs, so the batch never holds more */
	s->run_cap = n_requests && n_requests < (size_t)p->max_num_seqs ? n_requests
									: (size_t)p->max_num_seqs;
	s->wq = malloc(s->wq_cap * sizeof *s->wq);
	s->run = malloc(s->run_cap * sizeof *s->run);
	s->stop = malloc(s->run_cap * sizeof *s->stop);
	s->off = malloc(s->run_cap * sizeof *s->off);
	s->cap = malloc(s->run_cap * sizeof *s->cap);
	s->lag = 1;
	s->fit_until = s->fin_from = INT64_MAX;
	if (!s->wq || !s->run || !s->stop || !s->off || !s->cap) {
		sched_free(s);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	return 0;
}

int sched_failed(const struct sched *s, struct om_err *e)
{
	if (s->oom)
		return err_set(e, NULL, 0, NULL, "out of memory");
	if (s->overflowed)
		return err_set(e, NULL, 0, "engine",
			       "request %lld recomputed more than %d tokens after preemptions",
			       (long long)s->overflowed->id, INT32_MAX);
	return 0;
}

void sched_free(struct sched *s)
{
	free(s->wq);
	free(s->run);
	free(s->stop);
	free(s->off);
	free(s->cap);
	keyheap_free(&s->grows);
	leapcal_free(&s->cal);
	free(s->leap);
	lasttok_free(&s->last_tok);
	s->leap = NULL;
	s->wq = NULL;
	s->run = NULL;
	s->stop = NULL;
	s->off = NULL;
	s->cap = NULL;
}

void sched_set_finish(struct sched *s, int64_t (*finish_in)(void *ctx, const struct sim_req *r),
		      void *ctx)
{
	s->finish_in = finish_in;
	s->finish_ctx = ctx;
}

/* Makes room for `need` queued requests, keeping the ring's order. */
static int wq_reserve(struct sched *s, size_t need)
{
	if (need <= s->wq_cap)
		return 0;
	size_t old = s->wq_cap, cap = 2 * old > need ? 2 * old : need;
	uint32_t *wq = realloc(s->wq, cap * sizeof *wq);
	if (!wq)
		return -1;
	/* the part that wrapped to the front goes after the old end (cap >= 2 old) */
	if (s->wq_head + s->wq_len > old)
		memcpy(&wq[old], &wq[0], (s->wq_head + s->wq_len - old) * sizeof *wq);
	s->wq = wq;
	s->wq_cap = cap;
	return 0;
}

/* Every request of this scheduler, waiting or running, has a slot: reserved
 * on arrival (sched_arrive), so a preemption's push cannot fail. */
static void wq_push_back(struct sched *s, const struct sim_req *r)
{
	s->wq[(s->wq_head + s->wq_len) % s->wq_cap] = (uint32_t)(r - s->reqs);
	s->wq_len++;
}

static void wq_push_front(struct sched *s, const struct sim_req *r)
{
	s->wq_head = (s->wq_head + s->wq_cap - 1) % s->wq_cap;
	s->wq[s->wq_head] = (uint32_t)(r - s->reqs);
	s->wq_len++;
}

static struct sim_req *wq_front(const struct sched *s)
{
	return &s->reqs[s->wq[s->wq_head]];
}

static void wq_pop_front(struct sched *s)
{
	s->wq_head = (s->wq_head + 1) % s->wq_cap;
	s->wq_len--;
}

static void reject(struct sched *s, struct sim_req *r, enum sched_reject why, int64_t now)
{
	r->state = RS_REJECTED;
	r->reject_reason = (uint8_t)why;
	r->finish_ns = now;
	s->st.rejected[why]++;
}

int sched_arrive(struct sched *s, struct sim_req *r, int64_t now)
{
	if (r->max_output < 1) {
		reject(s, r, REJ_PROMPT_TOO_LONG, now);
		return 0;
	}
	if (!s->chunked && r->prompt_tokens > s->max_batched_tokens) {
		reject(s, r, REJ_PROMPT_OVER_BATCH, now);
		return 0;
	}
	if (wq_reserve(s, s->wq_len + s->n_run + 1) < 0)
		return -1;
	r->state = RS_WAITING;
	wq_push_back(s, r);
	return 1;
}

/* A region only grows while its request holds it, so the peak of a stay is
 * what it holds when released (finish or preemption): recorded there, not
 * every iteration. */
static void release(struct sched *s, struct sim_req *r)
{
	if (r->pol_cap > r->reserved_peak)
		r->reserved_peak = r->pol_cap;
	pol_release(s->pol, s->ps, r);
}

/* run[i]'s prompt + generated tokens */
static inline int32_t nd_at(const struct sched *s, size_t i)
{
	return (int32_t)(s->off[i] + s->tick);
}

/* Writes run[i]'s generated and ctx (ctx = nd - lag unless partially
 * prefilled: then the record's own) into its record. */
static inline void sync_at(const struct sched *s, size_t i, int32_t lag)
{
	struct sim_req *r = s->run[i];
	r->generated = nd_at(s, i) - r->prompt_tokens;
	if (!r->partial)
		r->ctx = nd_at(s, i) - lag;
}

/* How many running requests are not partially prefilled: all but the
 * newest, when it is. */
static inline size_t n_plain(const struct sched *s)
{
	return s->n_run - (s->n_run && s->run[s->n_run - 1]->partial ? 1 : 0);
}

static inline int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* run[i], running, is no longer (or was never) partially prefilled: it
 * joins off_sum and the bounds. */
static void join_plain(struct sched *s, size_t i)
{
	s->off_sum += s->off[i];
	s->fit_until = min64(s->fit_until, s->cap[i] - s->off[i]);
	s->fin_from = min64(s->fin_from, s->stop[i] - s->off[i]);
}

/* fin_from again after requests left the batch. */
static void fin_refresh(struct sched *s)
{
	int64_t m = INT64_MAX;
	for (size_t i = 0, n = n_plain(s); i < n; i++)
		m = min64(m, s->stop[i] - s->off[i]);
	s->fin_from = m;
}

void sched_sync(struct sched *s)
{
	for (size_t i = 0; i < s->n_run; i++)
		sync_at(s, i, s->lag);
}

/* Moves run[j] (and what sits beside it) to run[i]. */
static inline void move_run(struct sched *s, size_t i, size_t j)
{
	s->run[i] = s->run[j];
	s->stop[i] = s->stop[j];
	s->off[i] = s->off[j];
	s->cap[i] = s->cap[j];
}

/* Preempts run[i], not grown yet this iteration, by recompute, keeping the
 * others in admission order. */
static void preempt_at(struct sched *s, size_t i)
{
	struct sim_req *v = s->run[i];
	sync_at(s, i, 1);
	if (!v->partial)
		s->off_sum -= s->off[i];
	size_t m = s->n_run - i - 1;
	memmove(&s->run[i], &s->run[i + 1], m * sizeof *s->run);
	memmove(&s->stop[i], &s->stop[i + 1], m * sizeof *s->stop);
	memmove(&s->off[i], &s->off[i + 1], m * sizeof *s->off);
	memmove(&s->cap[i], &s->cap[i + 1], m * sizeof *s->cap);
	s->n_run--;
	fin_refresh(s);
	if (s->prefix_cache)
		pol_preempt(s->pol, s->ps, v);
	release(s, v);
	/* it ran in the previous iteration: its last token ended it, unless it
	 * was re-admitted since and has emitted nothing yet */
	if (v->generated > 0 && !v->resumed && lasttok_put(&s->last_tok, v, s->last_end) < 0)
		s->oom = true;
	s->live_tokens -= v->ctx;
	v->ctx = 0;
	v->partial = false;
	v->state = RS_WAITING;
	v->preemptions++;
	s->st.preemptions++;
	s->blocked = false;
	wq_push_front(s, v);
}

static void preempt_last(struct sched *s)
{
	preempt_at(s, s->n_run - 1);
}

/* Grows run[i] to `need` tokens, preempting the newest running requests
 * while the policy has no room. Returns false when run[i] itself left the
 * batch; *rc tells how (POL_REQUEUE: the next request now sits at run[i]). */
static bool grow_one(struct sched *s, size_t i, int32_t need, struct it_cost *cost, bool *preempted,
		     enum pol_rc *rc)
{
	struct sim_req *r = s->run[i];
	while ((*rc = pol_grow(s->pol, s->ps, r, need, cost)) != POL_OK) {
		*preempted = true;
		if (*rc == POL_REQUEUE) { /* the policy's own recovery: r starts over */
			preempt_at(s, i);
			return false;
		}
		bool self = s->run[s->n_run - 1] == r;
		/* alone in the pool and still short of room: re-admitting it on
		 * a first chunk would only come back here */
		r->reserve_all = self && s->n_run == 1 && s->chunked;
		preempt_last(s);
		if (self)
			return false;
	}
	note_room(r);
	return true;
}

/* The record keeps 32 bits of recomputed tokens: past them the run stops
 * (sched_failed) rather than report a wrapped count. */
static void add_recomputed(struct sched *s, struct sim_req *r, int32_t step)
{
	if (r->recomputed_tokens > INT32_MAX - step) {
		if (!s->overflowed)
			s->overflowed = r;
		return;
	}
	r->recomputed_tokens += step;
}

/* Query-key pairs that computing context tokens c0+1 .. c1 adds (causal). */
static double chunk_pairs(int32_t c0, int32_t c1)
{
	return ((double)c1 * (c1 + 1) - (double)c0 * (c0 + 1)) / 2.0;
}

/* Charges the chunk that takes partially prefilled r from ctx to `need`. */
static void count_chunk(struct sched *s, struct sim_req *r, int32_t need, int64_t *budget,
			struct it_cost *cost)
{
	int32_t step = need - r->ctx;
	cost->tokens += step;
	cost->attn_pairs += chunk_pairs(r->ctx, need);
	*budget -= step;
	if (r->generated > 0) {
		add_recomputed(s, r, step);
		s->st.recomputed_tokens += step;
	}
	r->partial = need < r->prompt_tokens + r->generated;
}

/* From run[i] on, the plain decodes (within their room, not partially
 * prefilled: nearly every request) up to the first request grow_running's
 * body must take, which is returned; their pairs added to the cost (integers
 * summed exactly, far below 2^53, so one addition of their total gives the
 * same double) and their room to fit_until. */
static size_t plain_decodes(struct sched *s, size_t i, struct it_cost *cost)
{
	/* only the newest running request can be partially prefilled
	 * (sched_check): the body takes it */
	size_t plain = n_plain(s);
	const int64_t *off = s->off, t = s->tick;
	const int32_t *cap = s->cap;
	int64_t sum = 0, m = s->fit_until;
	size_t from = i;
	for (; i < plain; i++) {
		int64_t room = cap[i] - off[i]; /* nd = off + t fits while t <= room */
		if (room < t)
			break;
		sum += off[i];
		m = min64(m, room);
	}
	s->fit_until = m;
	cost->attn_pairs += (double)(sum + (int64_t)(i - from) * t);
	return i;
}

/* 1. decode: every running request needs one more KV slot; a partially
 * prefilled one (chunked) as many more as the token budget left gives it.
 * Returns whether anything was preempted. */
static bool grow_running(struct sched *s, int64_t *budget, struct it_cost *cost)
{
	bool preempted = false;
	bool free_in_cap = s->fast && pol_grows_free_in_cap(s->pol);
	int64_t decodes = 0; /* plain decodes, added below: each grows ctx by 1 */
	size_t i = 0;
	if (free_in_cap && s->tick <= s->fit_until) {
		/* nobody needs more than its room (shortcut 3): no walk */
		i = n_plain(s);
		decodes = (int64_t)i;
		cost->attn_pairs += (double)(s->off_sum + decodes * s->tick);
	} else {
		s->fit_until = INT64_MAX; /* made again as the batch is walked */
	}
	while (i < s->n_run) {
		if (free_in_cap) {
			size_t from = i;
			i = plain_decodes(s, i, cost);
			decodes += (int64_t)(i - from);
			if (i == s->n_run)
				break;
		}
		sync_at(s, i, 1);
		struct sim_req *r = s->run[i];
		int32_t need = r->prompt_tokens + r->generated;
		cost->tokens += decodes;
		*budget -= decodes;
		s->live_tokens += decodes;
		decodes = 0;
		if (r->partial && need - r->ctx > *budget)
			need = r->ctx + (int32_t)(*budget > 0 ? *budget : 0);
		if (r->partial && need <= r->ctx) { /* decodes took the whole budget */
			i++;
			continue;
		}
		enum pol_rc rc = POL_OK;
		/* a grow the policy promises is a no-op need not be asked */
		bool ask = !s->fast || need > pol_free_grow_limit(s->pol, r);
		if (ask && !grow_one(s, i, need, cost, &preempted, &rc)) {
			if (rc == POL_REQUEUE)
				continue; /* run[i] is now the next request */
			break;		  /* r was the last running request */
		}
		s->cap[i] = r->pol_cap;
		bool was_partial = r->partial;
		if (r->partial) {
			count_chunk(s, r, need, budget, cost);
		} else {
			cost->tokens += 1;
			cost->attn_pairs += need;
			*budget -= 1;
		}
		s->live_tokens += need - r->ctx;
		r->ctx = need;
		if (was_partial && !r->partial)
			join_plain(s, i); /* its last chunk: it decodes from now on */
		else if (!r->partial)
			s->fit_until = min64(s->fit_until, s->cap[i] - s->off[i]);
		i++;
	}
	cost->tokens += decodes;
	*budget -= decodes;
	s->live_tokens += decodes;
	return preempted;
}

/* The generated count at which r, starting to run, finishes: its visible
 * cap, or sooner on the engine's word. */
static int32_t finish_at(const struct sched *s, const struct sim_req *r)
{
	int64_t left = (int64_t)r->max_output - r->generated;
	if (s->finish_in) {
		int64_t fin = s->finish_in(s->finish_ctx, r);
		left = fin < left ? fin : left;
	}
	return r->generated + (int32_t)left;
}

/* Moves the head of the queue, admitted with `need` tokens (its first chunk,
 * or all of its context), into the batch. With the prefix cache, the leading
 * tokens the policy kept cached are not computed (at least one token is, as
 * vLLM needs the last position's logits). Returns the tokens computed. */
static int32_t start_running(struct sched *s, struct sim_req *r, int32_t need, int64_t now,
			     struct it_cost *cost)
{
	int32_t hit = s->prefix_cache ? pol_cached(s->pol, s->ps, r) : 0;
	if (hit > need - 1)
		hit = need > 0 ? need - 1 : 0;
	wq_pop_front(s);
	r->state = RS_RUNNING;
	r->partial = need < r->prompt_tokens + r->generated;
	r->reserve_all = false;
	if (r->first_admit_ns < 0)
		r->first_admit_ns = now;
	if (r->generated > 0) {
		add_recomputed(s, r, need - hit);
		s->st.recomputed_tokens += need - hit;
		if (!r->resumed)
			s->n_resumed++;
		r->resumed = true;
	}
	r->ctx = need;
	s->live_tokens += need;
	s->stop[s->n_run] = r->prompt_tokens + finish_at(s, r);
	s->off[s->n_run] = (int64_t)r->prompt_tokens + r->generated - s->tick;
	s->cap[s->n_run] = r->pol_cap;
	s->run[s->n_run] = r;
	if (!r->partial)
		join_plain(s, s->n_run);
	s->n_run++;
	cost->tokens += need - hit;
	if (hit > 0)
		cost->attn_pairs += chunk_pairs(hit, need);
	else
		cost->attn_pairs += (double)need * (need + 1) / 2.0;
	return need - hit;
}

/* 2. admission, FCFS, skipped in an iteration that preempted (as vLLM v1)
 * unless nothing is left running: then nothing else would ever admit.
 * Returns whether a request with no tokens (that reads no KV) was admitted. */
static bool admit_waiting(struct sched *s, bool preempted, int64_t now, int64_t chunk_budget,
			  struct it_cost *cost)
{
	bool empty_ctx = false;
	int64_t budget = s->chunked ? chunk_budget
				    : (int64_t)s->max_batched_tokens - (int64_t)s->n_run;
	s->blocked = false;
	while ((!preempted || s->n_run == 0) && s->wq_len && s->n_run < (size_t)s->max_num_seqs) {
		struct sim_req *r = wq_front(s);
		int32_t need = r->prompt_tokens + r->generated;
		if (s->chunked && need > budget) {
			if (budget <= 0) {
				/* only a release helps if next iteration's decodes fill it */
				s->blocked = (int64_t)s->n_run >= (int64_t)s->max_batched_tokens;
				break;
			}
			need = (int32_t)budget; /* the first chunk */
		}
		if (need > budget) {
			/* persists only if it exceeds what the next iteration has */
			s->blocked = need > (int64_t)s->max_batched_tokens - (int64_t)s->n_run;
			break;
		}
		int32_t whole = r->prompt_tokens + r->generated;
		enum pol_rc rc = pol_admit(s->pol, s->ps, r, r->reserve_all ? whole : need);
		if (rc == POL_NO_ROOM && s->n_run == 0)
			rc = POL_NEVER; /* the pool is empty and it still does not fit */
		if (rc == POL_NEVER) {
			wq_pop_front(s);
			reject(s, r, REJ_NEVER_FITS, now);
			continue;
		}
		if (rc != POL_OK) {
			s->blocked = rc == POL_NO_ROOM;
			if (s->blocked)
				note_no_room(s, r);
			break;
		}
		note_room(r);
		empty_ctx |= need == 0;
		budget -= start_running(s, r, need, now, cost);
	}
	if (!preempted && s->wq_len && s->n_run >= (size_t)s->max_num_seqs)
		s->blocked = true;
	return empty_ctx;
}

/* The policy's totals for the KV reads of n running requests, when the
 * device's memory model is linear and the policy can say. */
static bool lin_reads(const struct sched *s, size_t n, struct pol_reads *rd)
{
	return s->dt->lin && pol_batch_reads(s->pol, s->ps, n, rd);
}

/* Adds those reads, for a batch holding `tokens` tokens in all, to the cost. */
static void add_reads(const struct sched *s, const struct pol_reads *rd, int64_t tokens,
		      struct it_cost *cost)
{
	dt_lin_add(s->dt, cost, rd->bytes_per_token * (double)tokens, rd->runs);
	if (rd->scale > 0)
		cost->kv_scale = rd->scale;
}

/* The KV reads of n running requests holding `tokens` tokens in all, from
 * the policy's totals priced with the device's linear memory model; false
 * when that does not apply. */
static bool price_batch_reads(const struct sched *s, size_t n, int64_t tokens, struct it_cost *cost)
{
	struct pol_reads rd;
	if (!lin_reads(s, n, &rd))
		return false;
	add_reads(s, &rd, tokens, cost);
	return true;
}

/* kv_ns: dt_kv_ns of the cost, as dt_iter_ns priced it */
static void count_iteration(struct sched *s, int64_t n, const struct it_cost *cost, double kv_ns)
{
	s->st.iterations++;
	s->st.batch_sum += n;
	s->st.kv_ns_sum += kv_ns;
	s->st.kv_bytes_sum += cost->kv_bytes;
	s->st.kv_runs_sum += cost->kv_runs;
}

int64_t sched_begin(struct sched *s, int64_t now, struct it_time *bd)
{
	struct it_cost cost = { 0 };
	int64_t budget = s->max_batched_tokens;
	bool was_partial = s->partial;
	bool preempted = grow_running(s, &budget, &cost);
	/* the partially prefilled request (if still running) and those
	 * admitted now are sched_end's to look at one by one */
	s->tail = s->n_run - (was_partial && s->n_run ? 1 : 0);
	s->lag = 0;
	bool empty_ctx = admit_waiting(s, preempted, now, budget, &cost);
	s->partial = s->n_run && s->run[s->n_run - 1]->partial;
	if (s->n_run == 0)
		return 0;
	/* 3. price it: the policy knows where each request's KV lives */
	if (!s->fast || empty_ctx || !price_batch_reads(s, s->n_run, s->live_tokens, &cost))
		for (size_t i = 0; i < s->n_run; i++) {
			sync_at(s, i, 0);
			pol_layout(s->pol, s->ps, s->run[i], s->run[i]->ctx, &cost);
		}
	struct it_time it;
	int64_t d = dt_iter_ns(s->dt, &cost, &it);
	count_iteration(s, (int64_t)s->n_run, &cost, it.kv_ns);
	if (bd)
		*bd = it;
	return d;
}

/* The gaps of resumed requests emitting a token now, one by one (rare: only
 * after preemptions). Returns how many there were. */
static int64_t resumed_gaps(struct sched *s, int64_t now)
{
	int64_t n = 0;
	for (size_t i = 0; i < s->n_run && s->n_resumed; i++) {
		struct sim_req *r = s->run[i];
		if (!r->resumed || r->partial)
			continue;
		int64_t last;
		if (lasttok_take(&s->last_tok, r, &last) && s->itl)
			itl_add(s->itl, now - last, 1);
		r->resumed = false;
		s->n_resumed--;
		n++;
	}
	return n;
}

/* Ends the stay of r, running and done after emitting its token at `now`. */
static void finish_one(struct sched *s, struct sim_req *r, int64_t now,
		       void (*on_finish)(void *ctx, struct sim_req *r), void *ctx)
{
	s->blocked = false;
	pol_finish(s->pol, s->ps, r, now);
	release(s, r);
	s->live_tokens -= r->ctx;
	r->ctx = 0;
	r->state = RS_FINISHED;
	r->finish_ns = now;
	if (on_finish)
		on_finish(ctx, r);
}

/* Moves run[from .. from + m) (and what sits beside it) to run[to ..). */
static void move_runs(struct sched *s, size_t to, size_t from, size_t m)
{
	if (to == from || m == 0)
		return;
	memmove(&s->run[to], &s->run[from], m * sizeof *s->run);
	memmove(&s->stop[to], &s->stop[from], m * sizeof *s->stop);
	memmove(&s->off[to], &s->off[from], m * sizeof *s->off);
	memmove(&s->cap[to], &s->cap[from], m * sizeof *s->cap);
}

/* The finishes at the end of the iteration, tick t (at `now`), in batch
 * order: those reaching their stop (nd = off + t >= stop; never a partially
 * prefilled one) leave and the batch closes up; fin_from is made again. */
static void end_finishes(struct sched *s, int64_t t, int64_t now,
			 void (*on_finish)(void *ctx, struct sim_req *r), void *ctx)
{
	size_t n = s->n_run, plain = n_plain(s), keep = 0, from = 0;
	const int32_t *stop = s->stop;
	const int64_t *off = s->off;
	int64_t m = INT64_MAX;
	for (size_t i = 0; i < plain; i++) {
		int64_t fin = stop[i] - off[i];
		if (fin > t) {
			m = min64(m, fin);
			continue;
		}
		/* the stretch since the last finish closes up first */
		move_runs(s, keep, from, i - from);
		keep += i - from;
		from = i + 1;
		sync_at(s, i, 1);
		s->off_sum -= off[i];
		finish_one(s, s->run[i], now, on_finish, ctx);
	}
	move_runs(s, keep, from, n - from);
	s->n_run = keep + (n - from);
	s->fin_from = m;
}

void sched_end(struct sched *s, int64_t now, void (*on_finish)(void *ctx, struct sim_req *r),
	       void *ctx)
{
	/* requests emitting a token a whole iteration after their previous one:
	 * all but partial ones, first tokens and resumed ones (counted off, so
	 * there is no work per token) */
	int64_t steady = (int64_t)s->n_run - (s->n_resumed ? resumed_gaps(s, now) : 0);
	size_t n = s->n_run, tail = s->tail < n ? s->tail : n;
	/* every request not partially prefilled gains its token */
	int64_t t = ++s->tick;
	s->lag = 1;
	/* before the tail every request decodes steadily; in it, a partially
	 * prefilled one keeps its count (its first token comes with its last
	 * chunk), and first tokens are stamped */
	for (size_t i = tail; i < n; i++) {
		struct sim_req *r = s->run[i];
		if (r->partial) {
			s->off[i]--;
			steady--;
		} else if (r->first_token_ns < 0) {
			r->first_token_ns = now;
			steady--;
		}
	}
	if (t >= s->fin_from)
		end_finishes(s, t, now, on_finish, ctx);
	if (s->itl)
		itl_add(s->itl, now - s->last_end, steady);
	s->last_end = now;
}

/* Leap events sit in s->grows keyed by (slot, batch index at the leap's
 * start), slot 2j for a grow as leapt iteration j begins and 2j + 1 for a
 * finish as it ends: the order sched_begin and sched_end act in. The index
 * takes the low LEAP_IBITS bits (a mask, not a division, to read it back);
 * slots stay below 2^33 (a finish is at most INT32_MAX tokens away). */
enum {
	LEAP_IBITS = 24
};
static int64_t leap_key(int64_t slot, size_t i)
{
	return (int64_t)((uint64_t)slot << LEAP_IBITS) | (int64_t)i;
}

static size_t leap_index(int64_t key)
{
	return (size_t)(key & ((INT64_C(1) << LEAP_IBITS) - 1));
}

/* The first leapt iteration (from 1) in which a request holding `cap`
 * needs more: iteration j needs nd0 + j - 1 slots (nd0: prompt + generated
 * at the leap's start). */
static inline int64_t leap_grow_at(int32_t cap, int32_t nd0)
{
	return (int64_t)cap - nd0 + 2;
}

static inline int64_t leap_q_grow_at(const struct sched_leap_req *q)
{
	return leap_grow_at(q->r->pol_cap, q->nd0);
}

/* Queues r's next grow if it comes before its finish. */
static inline void leap_queue_grow(struct sched *s, size_t i)
{
	int64_t at = leap_q_grow_at(&s->leap[i]);
	if (at <= s->leap[i].fin)
		keyheap_push(&s->grows, leap_key(2 * at, i));
}

/* Whether a leap over n requests keeps its grows in the calendar: the
 * policy promises a period, short enough that emptying its slots costs no
 * more than queueing the requests. */
static bool leap_cal_setup(struct sched *s, size_t n)
{
	int64_t p = pol_grow_period(s->pol, s->ps);
	s->use_cal = p > 0 && p <= (int64_t)n + 64 && leapcal_reset(&s->cal, p, n) == 0;
	s->cal_slot = s->use_cal ? (size_t)(1 % p) : 0;
	return s->use_cal;
}

/* Snapshots the batch, once the first leapt iteration is known to fit:
 * each request's finish (the iteration at whose end the engine says it
 * emits its last token, or it reaches its visible cap). With requests
 * waiting a finish would let admission in: then the leap spans only
 * iterations before the first one. Returns the span (0: no leap, or out of
 * memory; leap_n 0 when no event falls within it). Nothing is queued yet:
 * leap_queue does that as the leap enters its first iteration (a finish due
 * next iteration needs no queue). */
static int64_t leap_plan(struct sched *s)
{
	size_t n = s->n_run;
	if (n >= (size_t)1 << LEAP_IBITS || GROW(s->leap, s->leap_cap, n, 64) < 0)
		return 0;
	s->leap_n = n;
	/* With nobody waiting, queue only events within a horizon: a leap
	 * stopped there stops as it would for any other reason, and twice the
	 * last leap's length rarely binds while sparing most requests' events. */
	bool waiting = s->wq_len > 0;
	/* with requests waiting the loop's k is fin_from's (exact) less one */
	int64_t span = waiting ? s->fin_from - s->tick - 1 : 2 * s->last_leap + 16;
	if (span <= 0)
		return 0; /* one finishes next iteration: no leap */
	if (s->fin_from - s->tick > span && s->tick + span - 1 <= s->fit_until) {
		/* nobody finishes or outgrows its room (nd + j - 1 <= cap)
		 * in any leapt iteration j <= span: nothing to queue */
		s->leap_n = 0;
		return span;
	}
	int64_t k = waiting ? INT64_MAX : span;
	struct sched_leap_req *q = s->leap;
	struct sim_req *const *run = s->run;
	for (size_t i = 0; i < n; i++) {
		struct sim_req *r = run[i];
		int32_t nd = nd_at(s, i);
		int64_t fin = (int64_t)s->stop[i] - nd;
		q[i] = (struct sched_leap_req){ r, fin, nd };
		if (waiting && fin - 1 < k) {
			k = fin - 1;
			if (k <= 0)
				return 0; /* it finishes next iteration: no leap */
		}
	}
	return k;
}

/* Queues, for a leap spanning k iterations whose first one's grows are
 * made, each request's finish (nobody waiting) and its next grow within
 * the span (in the calendar when the policy has a grow period). -1 when
 * out of memory. */
static int leap_queue(struct sched *s, int64_t k)
{
	size_t n = s->leap_n;
	if (keyheap_reset(&s->grows, 2 * n) < 0)
		return -1;
	if (n == 0) { /* leap_plan found no event within the span */
		s->use_cal = false;
		return 0;
	}
	bool waiting = s->wq_len > 0, cal = leap_cal_setup(s, n);
	struct sched_leap_req *q = s->leap;
	for (size_t i = 0; i < n; i++) {
		if (!waiting && q[i].fin <= k)
			keyheap_push(&s->grows, leap_key(2 * q[i].fin + 1, i));
		if (q[i].fin > k)
			q[i].fin = k; /* no event of it beyond the span */
		if (!cal)
			leap_queue_grow(s, i);
		else if (leap_q_grow_at(&q[i]) <= q[i].fin)
			leapcal_add(&s->cal, (uint32_t)i, leap_q_grow_at(&q[i]));
	}
	return 0;
}

/* Makes r's grow as leapt iteration j begins, due then (leap_grow_at is j:
 * r needs nd0 + j - 1 = pol_cap + 1 slots). The policy sees r's record as
 * of the leap's start. False when it is not plain, or leaves r still short
 * (sched_begin then finds the grows made so far already done). */
static inline bool leap_grow_one(struct sched *s, struct sim_req *r, int32_t nd0, int64_t j,
				 bool *changed)
{
	r->generated = nd0 - r->prompt_tokens;
	r->ctx = nd0 - 1;
	if (!pol_grow_step(s->pol, s->ps, r))
		return false;
	note_room(r);
	*changed = true;
	s->leap_grew = true;
	return leap_grow_at(r->pol_cap, nd0) > j;
}

/* The grows of the first leapt iteration, in batch order, before anything
 * is planned. */
static bool leap_first_grows(struct sched *s, bool *changed)
{
	if (s->tick <= s->fit_until)
		return true; /* none due (fit_until) */
	int64_t m = INT64_MAX;
	for (size_t i = 0; i < s->n_run; i++) {
		if (nd_at(s, i) > s->cap[i]) { /* leap_grow_at(cap, nd) <= 1 */
			bool ok = leap_grow_one(s, s->run[i], nd_at(s, i), 1, changed);
			s->cap[i] = s->run[i]->pol_cap;
			if (!ok)
				return false;
		}
		m = min64(m, s->cap[i] - s->off[i]);
	}
	s->fit_until = m; /* the leap runs no partially prefilled request */
	return true;
}

/* A leap's price of its iterations while the batch and the policy's memory
 * stay put: what sched_begin's pricing takes from them, set again after any
 * grow or finish. */
struct leap_px {
	struct dt_stretch x;
	double bytes_per_token, runs;
	/* what x's terms but runs_half were set from (n = 0: not yet; a leap
	 * prices only a batch that holds someone) */
	size_t n;
	double scale;
};

/* leap_px_set for a new batch size or scale (or the first time): apart,
 * so that the common short path stays small where it is inlined. */
__attribute__((noinline)) static void leap_px_full(const struct sched *s, struct leap_px *px,
						   const struct pol_reads *rd, struct it_cost *cost)
{
	px->n = s->n_run;
	px->scale = rd->scale;
	*cost = (struct it_cost){ .tokens = (double)s->n_run };
	add_reads(s, rd, 0, cost);
	dt_stretch_set(s->dt, &px->x, cost);
	px->runs = cost->kv_runs;
	px->bytes_per_token = rd->bytes_per_token;
}

/* Sets px from the batch and the policy's memory now: the cost sched_begin
 * would build, but for its pairs and bytes. False when it cannot. */
static inline bool leap_px_set(const struct sched *s, struct leap_px *px, struct it_cost *cost)
{
	struct pol_reads rd;
	if (!lin_reads(s, s->n_run, &rd))
		return false;
	if (px->n == s->n_run && px->scale == rd.scale) {
		/* The stretch's terms but runs_half come from the batch size
		 * and the scale alone (a plain grow moves only the runs); the
		 * cost's kv_runs is 0 + runs, as dt_lin_add makes it. */
		px->bytes_per_token = rd.bytes_per_token;
		px->runs = 0.0 + rd.runs;
		px->x.runs_half = px->runs * s->dt->lin_half;
		return true;
	}
	leap_px_full(s, px, &rd, cost);
	return true;
}

/* Prices the next leapt iteration as sched_begin would (each running
 * request decodes one token): price_batch_reads and dt_iter_ns, from px
 * (first set again when `fresh`: the batch or the policy's memory changed
 * since) and the tokens. Fills the cost's KV totals. False when it cannot. */
static inline bool leap_price(const struct sched *s, struct leap_px *px, bool fresh,
			      struct it_cost *cost, int64_t *d, double *kv_ns)
{
	if (fresh && !leap_px_set(s, px, cost))
		return false;
	int64_t next = s->live_tokens + (int64_t)s->n_run;
	cost->kv_bytes = px->bytes_per_token * (double)next;
	cost->kv_runs = px->runs;
	*d = dt_stretch_ns(s->dt, &px->x, (double)next, cost->kv_bytes, kv_ns);
	return *d > 0;
}

/* leap_grows from the calendar: the members of iteration j's slot due at
 * j, in batch order; those past their finish (or the span) leave it. False
 * when a grow is not plain or breaks the promised period: the leap stops
 * before iteration j. */
static inline bool leap_cal_grows(struct sched *s, int64_t j, bool *changed)
{
	struct leapcal *c = &s->cal;
	s->cal_slot = s->cal_slot + 1 == (size_t)c->period ? 0 : s->cal_slot + 1;
	for (uint32_t *l = leapcal_walk(c, s->cal_slot); *l != LEAPCAL_END;) {
		const struct sched_leap_req *q = &s->leap[*l];
		if (q->fin < j) {
			leapcal_drop(c, l);
			continue;
		}
		int64_t at = leap_q_grow_at(q);
		if (at == j
		    && (!leap_grow_one(s, q->r, q->nd0, j, changed)
			|| leap_q_grow_at(q) != j + c->period))
			return false;
		if (at < j)
			return false; /* a grow was missed: cannot happen with a true period */
		l = leapcal_keep(c, l);
	}
	return true;
}

/* Makes the grows of leapt iteration j > 1 from the calendar or the queue,
 * in batch order. False when one is not plain: the leap stops before
 * iteration j. */
static bool leap_grows(struct sched *s, int64_t j, bool *changed)
{
	/* with the calendar the heap holds finishes only (odd slots) */
	while (keyheap_min(&s->grows) < leap_key(2 * j + 1, 0)) {
		size_t i = leap_index(keyheap_pop(&s->grows));
		if (!leap_grow_one(s, s->leap[i].r, s->leap[i].nd0, j, changed))
			return false;
		leap_queue_grow(s, i);
	}
	return !s->use_cal || leap_cal_grows(s, j, changed);
}

/* The finishes at the end of leapt iteration j (at `now`), in batch order,
 * as sched_end makes them; the batch keeps its order. */
static void leap_finishes(struct sched *s, int64_t j, int64_t now, const struct sched_leap_hooks *h,
			  bool *changed)
{
	bool any = false;
	while (keyheap_min(&s->grows) < leap_key(2 * j + 2, 0)) {
		const struct sched_leap_req *q = &s->leap[leap_index(keyheap_pop(&s->grows))];
		struct sim_req *r = q->r;
		r->generated = q->nd0 + (int32_t)j - r->prompt_tokens;
		r->ctx = q->nd0 + (int32_t)j - 1;
		finish_one(s, r, now, h->on_finish, h->ctx);
		any = true;
	}
	if (!any)
		return;
	*changed = true;
	size_t keep = 0;
	int64_t m = INT64_MAX; /* fin_from again: no request is partial */
	for (size_t i = 0; i < s->n_run; i++) {
		if (s->run[i]->state != RS_RUNNING) {
			s->off_sum -= s->off[i];
			continue;
		}
		m = min64(m, s->stop[i] - s->off[i]);
		move_run(s, keep++, i);
	}
	s->n_run = keep;
	s->fin_from = m;
}

int64_t sched_leap(struct sched *s, int64_t *now, int64_t limit, const struct sched_leap_hooks *h)
{
	if (!sched_may_leap(s))
		return 0;
	int64_t done = 0, t = *now, k = 0, d = 0;
	double kv_ns = 0;
	bool changed = false;
	struct it_cost cost;
	struct leap_px px = { 0 };
	s->leap_grew = false;
	/* The first iteration is priced before anything is planned: in a busy
	 * run (an arrival or a finish every iteration or so) most leaps end
	 * there. Its grows, made first, are those sched_begin would make first. */
	if (leap_first_grows(s, &changed) && leap_price(s, &px, true, &cost, &d, &kv_ns)
	    && t + d < limit)
		k = leap_plan(s);
	while (done < k && s->n_run) {
		if (done ? !leap_grows(s, done + 1, &changed)
				    || !leap_price(s, &px, changed, &cost, &d, &kv_ns)
				    || t + d >= limit
			 : leap_queue(s, k) < 0)
			break;
		int64_t n = (int64_t)s->n_run, next = s->live_tokens + n;
		count_iteration(s, n, &cost, kv_ns);
		s->live_tokens = next;
		if (h->on_iter(h->ctx, t, t + d, next, changed) < 0)
			return -1;
		changed = false;
		t += d;
		done++;
		leap_finishes(s, done, t, h, &changed); /* changed: something finished */
		if ((changed || !h->after_finishes_only) && h->after(h->ctx) < 0)
			return -1;
	}
	s->last_leap = done;
	s->tick += done; /* every running request's nd with it */
	for (size_t i = 0; done && s->leap_grew && i < s->n_run; i++)
		s->cap[i] = s->run[i]->pol_cap;
	s->last_end = t;
	*now = t;
	return done;
}

int sched_check(const struct sched *s, struct om_err *e)
{
	int64_t live = 0, off_sum = 0, fit = INT64_MAX, fin = INT64_MAX;
	for (size_t i = 0; i < s->n_run; i++) {
		sync_at(s, i, s->lag);
		const struct sim_req *r = s->run[i];
		if (s->cap[i] != r->pol_cap || nd_at(s, i) >= s->stop[i])
			return err_set(
				e, NULL, 0, "scheduler",
				"INV-10: request %lld: kept room %d (policy: %d), stop at %d "
				"of %d tokens",
				(long long)r->id, s->cap[i], r->pol_cap, s->stop[i], nd_at(s, i));
		if (!r->partial) {
			off_sum += s->off[i];
			fit = min64(fit, s->cap[i] - s->off[i]);
			fin = min64(fin, s->stop[i] - s->off[i]);
		}
		if (r->state != RS_RUNNING)
			return err_set(e, NULL, 0, "scheduler",
				       "INV-9: request %lld is in the batch in state %d",
				       (long long)r->id, r->state);
		int32_t want = r->prompt_tokens + r->generated;
		if (r->partial ? r->ctx <= 0 || r->ctx >= want || i + 1 != s->n_run
			       : r->ctx != want)
			return err_set(
				e, NULL, 0, "scheduler",
				"INV-10: request %lld holds ctx %d for prompt %d + generated "
				"%d (%s)",
				(long long)r->id, r->ctx, r->prompt_tokens, r->generated,
				r->partial ? "partially prefilled" : "prefilled");
		for (size_t j = 0; j < i; j++)
			if (s->run[j] == r)
				return err_set(e, NULL, 0, "scheduler",
					       "INV-9: request %lld is in the batch twice",
					       (long long)r->id);
		live += r->ctx;
	}
	for (size_t i = 0; i < s->wq_len; i++) {
		const struct sim_req *r = sched_waiting_at(s, i);
		if (r->state != RS_WAITING || r->ctx != 0)
			return err_set(e, NULL, 0, "scheduler",
				       "INV-11: queued request %lld is in state %d with ctx %d",
				       (long long)r->id, r->state, r->ctx);
	}
	if (off_sum != s->off_sum || fin != s->fin_from || s->fit_until > fit)
		return err_set(e, NULL, 0, "scheduler",
			       "INV-10: kept sums: offsets %lld (batch %lld), first finish %lld "
			       "(%lld), fits until %lld (%lld)",
			       (long long)s->off_sum, (long long)off_sum, (long long)s->fin_from,
			       (long long)fin, (long long)s->fit_until, (long long)fit);
	if (live != s->live_tokens)
		return err_set(e, NULL, 0, "scheduler",
			       "INV-12: live_tokens %lld but the batch holds %lld",
			       (long long)s->live_tokens, (long long)live);
	return 0;
}

void sched_explain(const struct sched *s, char *buf, size_t n)
{
	if (s->wq_len == 0) {
		snprintf(buf, n, "no request is waiting");
		return;
	}
	const struct sim_req *r = wq_front(s);
	int32_t need = r->prompt_tokens + r->generated;
	int64_t budget = (int64_t)s->max_batched_tokens - (int64_t)s->n_run;
	int w = snprintf(buf, n,
			 "request %lld at the head of the queue (prompt %d, %d generated, "
			 "%d preemptions) ",
			 (long long)r->id, r->prompt_tokens, r->generated, r->preemptions);
	if (w < 0 || (size_t)w >= n)
		return;
	buf += w, n -= (size_t)w;
	struct pol_stats ps;
	pol_stats(s->pol, s->ps, &ps);
	if (s->n_run >= (size_t)s->max_num_seqs)
		snprintf(buf, n, "waits for a batch slot: scheduler.max_num_seqs = %d requests run",
			 s->max_num_seqs);
	else if (s->chunked && budget <= 0)
		snprintf(buf, n,
			 "waits for the token budget: %zu running requests' decodes fill "
			 "scheduler.max_batched_tokens = %d",
			 s->n_run, s->max_batched_tokens);
	else if (!s->chunked && need > budget)
		snprintf(buf, n,
			 "needs %d tokens computed in one iteration, more than "
			 "scheduler.max_batched_tokens = %d leaves beside %zu running requests",
			 need, s->max_batched_tokens, s->n_run);
	else
		snprintf(buf, n,
			 "needs %d KV tokens; the policy has %lld free (largest free run %lld) "
			 "with %lld reserved by %zu running requests",
			 need, (long long)ps.free_tokens, (long long)ps.largest_free,
			 (long long)ps.reserved_tokens, s->n_run);
}
