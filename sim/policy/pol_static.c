/* static: worst-case contiguous pre-allocation. At admission a request gets
 * one contiguous region of max_model_len tokens (or prompt + its visible
 * output cap), held until it finishes. It never grows, moves or overflows. */
#include <stdlib.h>
#include <string.h>

#include "sim/policy/contig.h"

struct st {
	struct contig a;  /* first: the contig_pol_* entries use it */
	bool per_request; /* reserve prompt + max_output instead of max_model_len */
};

static const struct cfg_key st_keys[] = {
	{ "policy.static_reserve", CFG_ENUM, "max_model_len", 0, -1,
	  "max_model_len|prompt_plus_max_new",
	  "static: reserve max_model_len tokens, or prompt + the request's output cap (workload.max_new_tokens)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int st_create(const struct cfg *c, const struct pol_env *env, void **state, struct om_err *e)
{
	struct st *s = contig_new(sizeof *s, "static", env, e);
	if (!s)
		return -1;
	s->per_request = strcmp(cfg_str(c, "policy.static_reserve"), "prompt_plus_max_new") == 0;
	if (!s->per_request && env->max_model_len > env->pool_tokens) {
		contig_pol_destroy(s);
		return cfg_fail(
			c, "policy.max_model_len", e,
			"one static region of %d tokens does not fit in the KV pool of %lld tokens",
			env->max_model_len, (long long)env->pool_tokens);
	}
	*state = s;
	return 0;
}

static enum pol_rc st_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct st *s = state;
	int64_t cap = s->per_request ? (int64_t)r->prompt_tokens + r->max_output
				     : s->a.env->max_model_len;
	return contig_admit(&s->a, r, cap, tokens);
}

const struct pol_ops pol_static = {
	.name = "static",
	.help = "worst-case contiguous pre-allocation (max_model_len per request)",
	.keys = st_keys,
	.create = st_create,
	.admit = st_admit,
	.grow = contig_pol_grow_fixed,
	CONTIG_POL_OPS,
};
