/* policy: the KV-cache allocation policy interface. Each policy is one file
 * exporting a struct pol_ops and one line in policy.c's registry; the engine
 * and scheduler never switch on a policy's name.
 *  admit   reserve room for `tokens` KV tokens of a request entering the batch
 *  grow    make sure the request can hold `tokens` tokens this iteration; may
 *          move it (charging the copy to `cost`); must change nothing on failure
 *  release give back everything the request holds
 *  layout  add the KV runs that reading the first `tokens` tokens costs
 *  stats   occupancy, for the utilization metrics
 *  check   verify internal invariants (debug/test mode)
 *  owned   optional, for the checking mode: the token-slot ranges a request
 *          holds, so the engine can verify that no two requests share a slot */
#ifndef OM_POLICY_H
#define OM_POLICY_H

#include <stdint.h>

#include "../common/cfg.h"
#include "../device_models/timing.h"
#include "request.h"

enum pol_rc {
	POL_OK = 0,
	POL_NO_ROOM,  /* not now; may fit once memory is released */
	POL_NEVER,    /* cannot fit even in an empty pool */
};

struct pol_env {
	const struct dev_timing *dt;
	int64_t pool_tokens;
	int32_t max_model_len;
	uint64_t seed;
	/* Only for policies with wants_truth (the labelled oracle upper bound):
	 * true output tokens by sim_req.idx. NULL for every other policy. */
	const int32_t *truth;
};

/* A run of token slots [off, off + len) in the KV pool. */
struct pol_range {
	int64_t off, len;
};

struct pol_stats {
	int64_t reserved_tokens;  /* held by requests, whether or not written */
	int64_t free_tokens;
	int64_t largest_free;     /* longest contiguous free range, tokens */
	int64_t relocations;
	int64_t relocated_bytes;
	int64_t overflows;
};

struct pol_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys;  /* extra [policy] keys, or NULL */
	bool wants_truth;            /* the oracle exception; see pol_env.truth */
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
	/* Writes up to `max` ranges held by r into out and returns how many it
	 * holds (possibly more than max: the engine then asks again with room).
	 * A request that holds nothing returns 0. NULL = not checked. */
	size_t (*owned)(const void *state, const struct sim_req *r, struct pol_range *out,
			size_t max);
};

const struct pol_ops *pol_find(const char *name);
extern const struct pol_ops *const pol_registry[];
/* Keys shared by every policy (policy.name, policy.max_model_len). */
extern const struct cfg_key pol_common_keys[];

extern const struct pol_ops pol_static;
extern const struct pol_ops pol_paged;

#endif
