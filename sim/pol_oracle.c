/* oracle: contiguous reservation of exactly prompt + true output tokens (capped
 * at the visible output limit). It is the labelled exception that reads the
 * truth (pol_ops.wants_truth): the upper bound for any contiguous scheme,
 * never a deployable policy. Every result it produces says "oracle" in the
 * summary's policy field. */
#include <stdlib.h>
#include <string.h>

#include "kvmem.h"
#include "policy.h"

struct orc {
	const struct pol_env *env;
	struct kvmem mem;
	int64_t reserved, admissions;
};

static int orc_create(const struct cfg *c, const struct pol_env *env, void **state,
		      struct om_err *e)
{
	(void)c;
	if (!env->truth)
		return err_set(e, NULL, 0, "oracle", "the oracle policy needs the true lengths");
	struct orc *s = calloc(1, sizeof *s);
	if (!s || kvmem_init(&s->mem, env->pool_tokens) < 0) {
		free(s);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	s->env = env;
	*state = s;
	return 0;
}

static void orc_destroy(void *state)
{
	struct orc *s = state;
	if (!s)
		return;
	kvmem_free_all(&s->mem);
	free(s);
}

static enum pol_rc orc_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct orc *s = state;
	int64_t out = s->env->truth[r->idx];
	if (out > r->max_output)
		out = r->max_output;
	int64_t cap = (int64_t)r->prompt_tokens + out;
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
	s->admissions++;
	return POL_OK;
}

static enum pol_rc orc_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	(void)state, (void)cost;
	return tokens <= r->pol_cap ? POL_OK : POL_NEVER; /* exact sizes never overflow */
}

static void orc_release(void *state, struct sim_req *r)
{
	struct orc *s = state;
	if (r->pol_cap <= 0)
		return;
	if (kvmem_release(&s->mem, r->pol_off, r->pol_cap) < 0)
		abort(); /* double release: a scheduler bug */
	s->reserved -= r->pol_cap;
	r->pol_cap = 0;
	r->pol_off = -1;
}

static void orc_layout(const void *state, const struct sim_req *r, int32_t tokens,
		       struct it_cost *cost)
{
	const struct orc *s = state;
	(void)r;
	dt_region(s->env->dt, cost, tokens);
}

static void orc_stats(const void *state, struct pol_stats *ps)
{
	const struct orc *s = state;
	memset(ps, 0, sizeof *ps);
	ps->reserved_tokens = s->reserved;
	ps->free_tokens = s->mem.free_tokens;
	ps->largest_free = kvmem_largest(&s->mem);
	ps->admissions = s->admissions;
}

static int orc_check(const void *state, struct om_err *e)
{
	const struct orc *s = state;
	if (kvmem_check(&s->mem, e) < 0)
		return -1;
	if (s->reserved + s->mem.free_tokens != s->mem.total)
		return err_set(e, NULL, 0, "oracle", "reserved %lld + free %lld != pool %lld",
			       (long long)s->reserved, (long long)s->mem.free_tokens,
			       (long long)s->mem.total);
	return 0;
}

const struct pol_ops pol_oracle = {
	.name = "oracle",
	.help = "UPPER BOUND, reads true lengths: contiguous prompt + true output per request",
	.wants_truth = true,
	.create = orc_create,
	.destroy = orc_destroy,
	.admit = orc_admit,
	.grow = orc_grow,
	.release = orc_release,
	.layout = orc_layout,
	.stats = orc_stats,
	.check = orc_check,
};
