/* policy: the KV-cache allocation policy interface. Each policy is one file
 * exporting a struct pol_ops and one line in policy.c's registry; the engine
 * and scheduler never switch on a policy's name.
 *  admit   reserve room for `tokens` KV tokens of a request entering the batch;
 *          POL_NO_ROOM must change nothing, and the answer may depend only on
 *          the policy's state and the request (the scheduler may skip asking
 *          again while nothing was released)
 *  grow    make sure the request can hold `tokens` tokens this iteration; may
 *          move it (charging the copy to `cost`); must change nothing on failure
 *  release give back everything the request holds
 *  layout  add the KV runs that reading the first `tokens` tokens costs
 *  stats   occupancy, for the utilization metrics
 *  check   verify internal invariants (debug/test mode)
 *  finish  (optional) told a request completed, with its final length, just
 *          before its release: the only moment a length is observable
 *  series  (optional) writes a policy time series as CSV into series_file
 *  owned   (optional) the token-slot ranges a request holds, for the checking
 *          mode: the engine verifies that no two requests share a slot
 * Speed hooks (optional; the scheduler uses them only when run.fast_path is
 * on, and results must not depend on it):
 *  grow_free_in_cap  grow(r, t) with t <= r->pol_cap returns POL_OK and
 *          changes nothing, so the scheduler may skip the call
 *  layout_batch  under a linear memory model (dt->lin), adds exactly what
 *          calling layout on every request the policy holds, each at the
 *          tokens it was last admitted or grown to, would add; the scheduler
 *          passes their number and summed tokens. Returns false when it
 *          cannot (the scheduler then calls layout per request). */
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
	/* Only for policies with wants_truth (the labelled oracle upper bound):
	 * true output tokens by sim_req.idx. NULL for every other policy. */
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

struct pol_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys; /* extra [policy] keys, or NULL */
	bool wants_truth;	    /* the oracle exception; see pol_env.truth */
	/* a [policy] key naming a trace whose every row gives pol_env's starting
	 * lengths ("none": none; empty: the predictor's training rows); NULL =
	 * the policy starts from no observed lengths */
	const char *start_lengths_key;
	int (*create)(const struct cfg *c, const struct pol_env *env, void **state,
		      struct om_err *e);
	void (*destroy)(void *state);
	enum pol_rc (*admit)(void *state, struct sim_req *r, int32_t tokens);
	enum pol_rc (*grow)(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost);
	void (*release)(void *state, struct sim_req *r);
	void (*layout)(const void *state, const struct sim_req *r, int32_t tokens,
		       struct it_cost *cost);
	void (*stats)(const void *state, struct pol_stats *s);
	int (*check)(const void *state, struct om_err *e);
	void (*finish)(void *state, const struct sim_req *r, int64_t now);
	const char *series_file;
	void (*series)(const void *state, FILE *f);
	bool grow_free_in_cap;
	bool (*layout_batch)(const void *state, size_t n, int64_t tokens, struct it_cost *cost);
	/* the predictor the policy is built around (`compare` uses it), or NULL */
	const char *predictor;
	/* Writes up to `max` ranges held by r into out and returns how many it
	 * holds (possibly more than max: the engine then asks again with room).
	 * A request that holds nothing returns 0. NULL = not checked. */
	size_t (*owned)(const void *state, const struct sim_req *r, struct pol_range *out,
			size_t max);
};

const struct pol_ops *pol_find(const char *name);
extern const struct pol_ops *const pol_registry[];
/* layout_batch for policies that hold each request in one contiguous region
 * and price it with dt_region. */
bool pol_regions_batch(const struct dev_timing *dt, size_t n, int64_t tokens, struct it_cost *cost);
/* Keys shared by every policy (policy.name, policy.max_model_len). */
extern const struct cfg_key pol_common_keys[];

extern const struct pol_ops pol_static;
extern const struct pol_ops pol_paged;
extern const struct pol_ops pol_s3;
extern const struct pol_ops pol_odma;
extern const struct pol_ops pol_oracle;

#endif
