/* policy: the KV-cache allocation policy interface. The engine and the
 * scheduler never switch on a policy's name, and never call a pol_ops member
 * directly: they go through the pol_* wrappers below, which also give the
 * optional hooks their do-nothing defaults.
 * Adding a policy: one new file sim/policy/pol_<name>.c exporting a struct
 * pol_ops, its entry in pol_registry (policy.c) and its extern declaration
 * at the bottom of this header; no other line changes. Its keys are
 * declared, its predictor chosen and its contract tested
 * (tests/test_policy_contract.c) by walking pol_registry.
 * The contract (every policy):
 *  admit   reserve room for `tokens` KV tokens of a request entering the batch;
 *          POL_NO_ROOM changes nothing, and the answer depends only on the
 *          policy's state and the request (the scheduler may skip asking
 *          again while nothing was released)
 *  grow    make sure the request can hold `tokens` tokens this iteration; may
 *          move it (charging the copy to `cost`); on failure changes neither
 *          memory nor the request (an overflow counter may count the event)
 *  release give back everything the request holds (stats return to what
 *          they were before its admit, apart from the event counters)
 *  layout  add the KV runs that reading the first `tokens` tokens costs
 *  stats   occupancy, for the utilization metrics
 * Optional hooks (NULL = the wrapper's default):
 *  check   verify internal invariants (checking mode)        default: fine
 *  finish  told a request completed, just before its release: the only
 *          moment a final length is observable               default: nothing
 *  series  writes a time series as CSV into series_file      default: none
 *  owned   the token-slot ranges a request holds, for the checking mode
 *          (no two requests may share a slot)                default: unchecked
 *  preempt told r is preempted by recompute, just before its release (only
 *          with scheduler.prefix_cache): a policy with a prefix cache may
 *          keep the released KV cached until its memory is reused
 *                                                            default: nothing
 *  cached  after an admit that returned POL_OK: how many leading tokens of
 *          r's context the admission found still cached (never recomputed)
 *                                                            default: 0
 * Speed promises (struct pol_speed, optional) let run.fast_path skip work;
 * results must not depend on them. */
#ifndef OM_POLICY_H
#define OM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cfg.h"
#include "device_models/timing.h"
#include "sim/core/request.h"

enum pol_rc {
	POL_OK = 0,
	POL_NO_ROOM, /* not now; may fit once memory is released */
	POL_NEVER,   /* cannot fit even in an empty pool */
	POL_REQUEUE, /* grow only: preempt this very request and requeue it (S3) */
};

struct pol_env {
	const struct dev_timing *dt;
	int64_t pool_tokens;
	int32_t max_model_len;
	uint64_t seed;
	/* The run's request array: a request's index is its offset in it
	 * (pol_req_idx), so the record need not carry it. */
	const struct sim_req *reqs;
	/* Only for policies with wants_truth (the labelled oracle upper bound):
	 * true output tokens by request index. NULL for every other policy. */
	const int32_t *truth;
	/* For policies with a start_lengths_key: observed output lengths to
	 * start from (sim/core/start_lengths.h: training rows only, never the
	 * test part), where they came from and which key named it. start_origin
	 * is NULL or "" when there are none. */
	const int32_t *start_lengths;
	size_t n_start_lengths;
	const char *start_origin;
	const char *start_key;
};

/* The index of request r in the run's array (engine arrays, policy tables). */
static inline uint32_t pol_req_idx(const struct pol_env *env, const struct sim_req *r)
{
	return (uint32_t)(r - env->reqs);
}

/* A run of token slots [off, off + len) in the KV pool. */
struct pol_range {
	int64_t off, len;
};

struct pol_stats {
	int64_t reserved_tokens; /* held by requests, whether or not written */
	int64_t free_tokens;
	int64_t largest_free; /* longest contiguous free range, tokens */
	int64_t relocations;
	int64_t relocated_bytes;
	int64_t overflows;
	int64_t safety_tokens;	    /* size of a reserved safety pool, 0 if none */
	int64_t safety_used_tokens; /* part of it held by requests */
	int64_t admissions;	    /* admits (re-admissions after preemption count) */
	int64_t large_admissions;   /* of those, sent to a max_model_len bucket */
};

/* What reading the KV of a whole batch holding `tokens` tokens costs, as
 * totals: bytes_per_token * (double)tokens bytes (that product) in `runs`
 * contiguous runs (exact integers), the linear KV time multiplied by `scale`
 * (0 = leave the iteration's factor as it is). The scheduler prices it; none
 * depends on the tokens, so a leap takes it once while the policy's memory
 * and the batch stay put. */
struct pol_reads {
	double bytes_per_token, runs, scale;
};

struct pol_speed {
	/* grow(r, t) with t <= r->pol_cap returns POL_OK and changes nothing,
	 * so the scheduler may skip the call */
	bool grow_free_in_cap;
	/* Under a linear memory model: the totals that calling layout on every
	 * request the policy holds, each at the tokens it was last admitted or
	 * grown to, would add (struct pol_reads: for their summed tokens,
	 * whatever those are); the scheduler passes their number. False when
	 * it cannot say (layout is then called per request). */
	bool (*batch_reads)(const void *state, size_t n, struct pol_reads *out);
	/* Whether grow(r, tokens), for a running r with tokens > r->pol_cap,
	 * would now return POL_OK, charge nothing to its cost, move nothing, and
	 * change only r's room and the totals that stats and batch_reads
	 * report; so a multi-iteration leap may make that grow itself. NULL:
	 * never (the leap stops short of any grow). */
	bool (*grow_plain)(const void *state, const struct sim_req *r, int32_t tokens);
	/* The period of a decoding request's plain grows: a plain grow of a
	 * running r to r->pol_cap + 1 tokens leaves r->pol_cap exactly that
	 * many tokens larger, so r next grows that many iterations later. NULL
	 * or 0: no period (a leap then keeps each next grow in a heap). */
	int64_t (*grow_period)(const void *state);
	/* grow_plain and grow in one, for the grow a leap makes (running r to
	 * r->pol_cap + 1 tokens): makes it and returns true when it is plain,
	 * else changes nothing and returns false. NULL: the two calls. */
	bool (*grow_step)(void *state, struct sim_req *r);
	/* For a policy whose stats but reserved_tokens, free_tokens and
	 * largest_free never change over a run: writes those three as stats
	 * does (s keeps the rest); asked on every leapt iteration after a grow
	 * or finish. NULL: other fields may change. */
	void (*stats_moved)(const void *state, struct pol_stats *s);
};

struct pol_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys; /* extra [policy] keys, or NULL */
	/* the predictor the policy is built around (`compare` uses it), or NULL */
	const char *predictor;
	bool wants_truth; /* the oracle exception; see pol_env.truth */
	/* a [policy] key naming a trace whose every row gives pol_env's starting
	 * lengths ("none": none; empty: the predictor's training rows); NULL =
	 * the policy starts from no observed lengths */
	const char *start_lengths_key;
	/* reads the policy's own keys from c, once, into its state */
	int (*create)(const struct cfg *c, const struct pol_env *env, void **state,
		      struct om_err *e);
	void (*destroy)(void *state);
	enum pol_rc (*admit)(void *state, struct sim_req *r, int32_t tokens);
	enum pol_rc (*grow)(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost);
	void (*release)(void *state, struct sim_req *r);
	void (*layout)(const void *state, const struct sim_req *r, int32_t tokens,
		       struct it_cost *cost);
	void (*stats)(const void *state, struct pol_stats *s);
	/* optional hooks */
	int (*check)(const void *state, struct om_err *e);
	void (*finish)(void *state, const struct sim_req *r, int64_t now);
	const char *series_file;
	void (*series)(const void *state, FILE *f);
	/* Writes up to `max` ranges held by r into out and returns how many it
	 * holds (possibly more than max: ask again with room); 0 if none. */
	size_t (*owned)(const void *state, const struct sim_req *r, struct pol_range *out,
			size_t max);
	const struct pol_speed *speed; /* NULL: no promises */
	void (*preempt)(void *state, const struct sim_req *r);
	int32_t (*cached)(const void *state, const struct sim_req *r);
};

/* The one way in: p is the policy, st its state. */
static inline int pol_create(const struct pol_ops *p, const struct cfg *c,
			     const struct pol_env *env, void **st, struct om_err *e)
{
	return p->create(c, env, st, e);
}
static inline void pol_destroy(const struct pol_ops *p, void *st)
{
	if (st)
		p->destroy(st);
}
static inline enum pol_rc pol_admit(const struct pol_ops *p, void *st, struct sim_req *r,
				    int32_t tokens)
{
	return p->admit(st, r, tokens);
}
static inline enum pol_rc pol_grow(const struct pol_ops *p, void *st, struct sim_req *r,
				   int32_t tokens, struct it_cost *cost)
{
	return p->grow(st, r, tokens, cost);
}
static inline void pol_release(const struct pol_ops *p, void *st, struct sim_req *r)
{
	p->release(st, r);
}
static inline void pol_layout(const struct pol_ops *p, const void *st, const struct sim_req *r,
			      int32_t tokens, struct it_cost *cost)
{
	p->layout(st, r, tokens, cost);
}
static inline void pol_stats(const struct pol_ops *p, const void *st, struct pol_stats *s)
{
	p->stats(st, s);
}
static inline int pol_check(const struct pol_ops *p, const void *st, struct om_err *e)
{
	return p->check ? p->check(st, e) : 0;
}
static inline void pol_finish(const struct pol_ops *p, void *st, const struct sim_req *r,
			      int64_t now)
{
	if (p->finish)
		p->finish(st, r, now);
}
/* The series' file name, or NULL when the policy writes none. */
static inline const char *pol_series_file(const struct pol_ops *p)
{
	return p->series ? p->series_file : NULL;
}
static inline void pol_series(const struct pol_ops *p, const void *st, FILE *f)
{
	if (p->series)
		p->series(st, f);
}
/* Whether pol_owned answers (the checking mode verifies ranges only then). */
static inline bool pol_reports_owned(const struct pol_ops *p)
{
	return p->owned != NULL;
}
static inline size_t pol_owned(const struct pol_ops *p, const void *st, const struct sim_req *r,
			       struct pol_range *out, size_t max)
{
	return p->owned ? p->owned(st, r, out, max) : 0;
}
static inline void pol_preempt(const struct pol_ops *p, void *st, const struct sim_req *r)
{
	if (p->preempt)
		p->preempt(st, r);
}
static inline int32_t pol_cached(const struct pol_ops *p, const void *st, const struct sim_req *r)
{
	return p->cached ? p->cached(st, r) : 0;
}
/* Speed promises. The most tokens r may grow to with a grow the policy
 * promises changes nothing (so need not be called); -1 without that promise. */
static inline int64_t pol_free_grow_limit(const struct pol_ops *p, const struct sim_req *r)
{
	return p->speed && p->speed->grow_free_in_cap ? r->pol_cap : -1;
}
/* Whether the policy makes that promise (pol_free_grow_limit >= 0). */
static inline bool pol_grows_free_in_cap(const struct pol_ops *p)
{
	return p->speed && p->speed->grow_free_in_cap;
}
/* Whether pure decode needs no per-request call at all: no-op grows within
 * the room and batch totals (under a linear memory model). */
static inline bool pol_decode_is_batchable(const struct pol_ops *p)
{
	return p->speed && p->speed->grow_free_in_cap && p->speed->batch_reads;
}
/* Whether grow(r, tokens) is plain now (see struct pol_speed); false when
 * the policy makes no such promise. */
static inline bool pol_grow_is_plain(const struct pol_ops *p, const void *st,
				     const struct sim_req *r, int32_t tokens)
{
	return p->speed && p->speed->grow_plain && p->speed->grow_plain(st, r, tokens);
}
/* Grows running r to r->pol_cap + 1 tokens if that grow is plain (see
 * struct pol_speed) and returns true; false, changing nothing, if not. */
static inline bool pol_grow_step(const struct pol_ops *p, void *st, struct sim_req *r)
{
	if (p->speed && p->speed->grow_step)
		return p->speed->grow_step(st, r);
	int32_t need = r->pol_cap + 1;
	struct it_cost none = { 0 };
	return pol_grow_is_plain(p, st, r, need) && p->grow(st, r, need, &none) == POL_OK;
}
/* The period of r's plain grows while decoding (see struct pol_speed); 0
 * when the policy promises none. */
static inline int64_t pol_grow_period(const struct pol_ops *p, const void *st)
{
	return p->speed && p->speed->grow_period ? p->speed->grow_period(st) : 0;
}
/* Whether only reserved_tokens, free_tokens and largest_free of the stats
 * ever change (see struct pol_speed). */
static inline bool pol_stats_movable(const struct pol_ops *p)
{
	return p->speed && p->speed->stats_moved;
}
/* Brings s, filled by pol_stats for this state earlier, up to date; only
 * when pol_stats_movable. */
static inline void pol_stats_moved(const struct pol_ops *p, const void *st, struct pol_stats *s)
{
	p->speed->stats_moved(st, s);
}
/* The batch's KV reads as totals (see struct pol_speed); false if unknown. */
static inline bool pol_batch_reads(const struct pol_ops *p, const void *st, size_t n,
				   struct pol_reads *out)
{
	return p->speed && p->speed->batch_reads && p->speed->batch_reads(st, n, out);
}

const struct pol_ops *pol_find(const char *name);
extern const struct pol_ops *const pol_registry[];
/* For policies that hold each request in one contiguous region read as
 * dt_region reads it, and whose state BEGINS with its `const struct pol_env *`:
 * their layout, and their speed promises (grow is a no-op within pol_cap;
 * batch reads are one region per request). */
void pol_region_layout(const void *state, const struct sim_req *r, int32_t tokens,
		       struct it_cost *cost);
extern const struct pol_speed pol_region_speed;
/* Keys shared by every policy, and what they say (read once, by the caller
 * composing the run). */
extern const struct cfg_key pol_common_keys[];
struct pol_params {
	const char *name; /* policy.name */
	int32_t max_model_len;
};
void pol_params_read(const struct cfg *c, struct pol_params *p);

extern const struct pol_ops pol_static;
extern const struct pol_ops pol_paged;
extern const struct pol_ops pol_s3;
extern const struct pol_ops pol_odma;
extern const struct pol_ops pol_oracle;

#endif
