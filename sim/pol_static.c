/* static: worst-case contiguous pre-allocation. At admission a request gets
 * one contiguous region of max_model_len tokens (or prompt + its visible
 * output cap), held until it finishes. It never grows, moves or overflows. */
#include <stdlib.h>
#include <string.h>

#include "kvmem.h"
#include "policy.h"

struct st {
	const struct pol_env *env;
	struct kvmem mem;
	bool per_request;  /* reserve prompt + max_output instead of max_model_len */
	int64_t reserved;
};

static const struct cfg_key st_keys[] = {
	{ "policy.static_reserve", CFG_ENUM, "max_model_len", 0, -1, "max_model_len|prompt_plus_max_new",
	  "static: reserve max_model_len tokens, or prompt + the request's output cap (workload.max_new_tokens)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int st_create(const struct cfg *c, const struct pol_env *env, void **state,
		     struct om_err *e)
{
	struct st *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, NULL, 0, NULL, "out of memory");
	s->env = env;
	s->per_request = strcmp(cfg_str(c, "policy.static_reserve"), "prompt_plus_max_new") == 0;
	if (kvmem_init(&s->mem, env->pool_tokens) < 0) {
		free(s);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (!s->per_request && env->max_model_len > env->pool_tokens) {
		kvmem_free_all(&s->mem);
		free(s);
		return cfg_fail(c, "policy.max_model_len", e,
				"one static region of %d tokens does not fit in the KV pool of %lld tokens",
				env->max_model_len, (long long)env->pool_tokens);
	}
	*state = s;
	return 0;
}

static void st_destroy(void *state)
{
	struct st *s = state;
	if (!s)
		return;
	kvmem_free_all(&s->mem);
	free(s);
}

static enum pol_rc st_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct st *s = state;
	int64_t cap = s->per_request ? (int64_t)r->prompt_tokens + r->max_output
				     : s->env->max_model_len;
	if (cap < tokens)
		cap = tokens;
	if (cap > s->mem.total)
		return POL_NEVER;
	int64_t off = kvmem_alloc(&s->mem, cap);
	if (off < 0)
		return POL_NO_ROOM;
	r->pol_off = off;
	r->pol_cap = (int32_t)cap;
	s->reserved += cap;
	return POL_OK;
}

static enum pol_rc st_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	(void)state, (void)cost;
	return tokens <= r->pol_cap ? POL_OK : POL_NEVER;
}

static void st_release(void *state, struct sim_req *r)
{
	struct st *s = state;
	if (r->pol_cap <= 0)
		return;
	if (kvmem_release(&s->mem, r->pol_off, r->pol_cap) < 0)
		abort(); /* double release: a scheduler bug, never a user error */
	s->reserved -= r->pol_cap;
	r->pol_cap = 0;
	r->pol_off = -1;
}

static void st_layout(const void *state, const struct sim_req *r, int32_t tokens,
		      struct it_cost *cost)
{
	const struct st *s = state;
	(void)r;
	dt_region(s->env->dt, cost, tokens);
}

static bool st_layout_batch(const void *state, size_t n, int64_t tokens, struct it_cost *cost)
{
	const struct st *s = state;
	return pol_regions_batch(s->env->dt, n, tokens, cost);
}

static void st_stats(const void *state, struct pol_stats *ps)
{
	const struct st *s = state;
	memset(ps, 0, sizeof *ps);
	ps->reserved_tokens = s->reserved;
	ps->free_tokens = s->mem.free_tokens;
	ps->largest_free = kvmem_largest(&s->mem);
}

static int st_check(const void *state, struct om_err *e)
{
	const struct st *s = state;
	if (kvmem_check(&s->mem, e) < 0)
		return -1;
	if (s->reserved + s->mem.free_tokens != s->mem.total)
		return err_set(e, NULL, 0, "static", "reserved %lld + free %lld != pool %lld",
			       (long long)s->reserved, (long long)s->mem.free_tokens,
			       (long long)s->mem.total);
	return 0;
}

static size_t st_owned(const void *state, const struct sim_req *r, struct pol_range *out,
		       size_t max)
{
	(void)state;
	if (r->pol_cap <= 0)
		return 0;
	if (max >= 1)
		out[0] = (struct pol_range){ r->pol_off, r->pol_cap };
	return 1;
}

const struct pol_ops pol_static = {
	.name = "static",
	.help = "worst-case contiguous pre-allocation (max_model_len per request)",
	.keys = st_keys,
	.create = st_create,
	.destroy = st_destroy,
	.admit = st_admit,
	.grow = st_grow,
	.release = st_release,
	.layout = st_layout,
	.layout_batch = st_layout_batch,
	.grow_free_in_cap = true,
	.stats = st_stats,
	.check = st_check,
	.owned = st_owned,
};
