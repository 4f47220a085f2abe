/* s3: fixed equal-width output-length buckets (S3, Jin et al. 2023). A request
 * gets one contiguous region of prompt + the upper edge of its predicted
 * bucket. When it outgrows that, it is preempted by recompute and requeued
 * one bucket up (S3's recovery): the discarded work shows up as preemptions
 * and recomputed tokens, and each such event counts as an overflow.
 * The bucket width comes from the s3 predictor (its upper edge divided by
 * bucket index + 1), or policy.s3_bucket_width if set, else (a predictor
 * without buckets) max_model_len / 10, S3's default of ten buckets.
 * pol_class holds the number of bumps; it survives preemption on purpose. */
#include <stdlib.h>
#include <string.h>

#include "kvmem.h"
#include "policy.h"

struct s3 {
	const struct pol_env *env;
	struct kvmem mem;
	int64_t width;  /* 0: take it from the predictor's bucket */
	int64_t reserved, admissions, overflows;
};

static const struct cfg_key s3_keys[] = {
	{ "policy.s3_bucket_width", CFG_INT, "0", 0, 1 << 24, NULL,
	  "s3: bucket width in output tokens; 0 = the s3 predictor's (predictor.bucket_max / predictor.buckets), or max_model_len/10 for predictors without buckets" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int s3_create(const struct cfg *c, const struct pol_env *env, void **state,
		     struct om_err *e)
{
	const char *pred = cfg_str(c, "predictor.name");
	if (!strcmp(pred, "none"))
		return cfg_fail(c, "predictor.name", e,
				"policy s3 sizes memory from predicted lengths: set predictor.name (normally s3)");
	struct s3 *s = calloc(1, sizeof *s);
	if (!s || kvmem_init(&s->mem, env->pool_tokens) < 0) {
		free(s);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	s->env = env;
	s->width = cfg_int(c, "policy.s3_bucket_width");
	*state = s;
	return 0;
}

static void s3_destroy(void *state)
{
	struct s3 *s = state;
	if (!s)
		return;
	kvmem_free_all(&s->mem);
	free(s);
}

/* Output tokens the request may hold: the upper edge of its (bumped) bucket. */
static int64_t s3_out_cap(const struct s3 *s, const struct sim_req *r)
{
	int64_t p = r->predicted_len > 0 ? r->predicted_len : 0;
	int64_t w, b;
	if (s->width > 0) {
		w = s->width;
		b = p / w;
	} else if (r->pred_bucket >= 0) {
		b = r->pred_bucket;
		w = (p + b) / (b + 1); /* the edge is (b + 1) * w */
	} else {
		/* a predictor without buckets: S3's default of 10 over max_model_len */
		w = (s->env->max_model_len + 9) / 10;
		b = p / w;
	}
	if (w < 1)
		w = 1;
	int64_t cap = (b + 1 + r->pol_class) * w;
	/* after a requeue it must at least hold what it already generated */
	while (cap <= r->generated)
		cap += w;
	return cap < r->max_output ? cap : r->max_output;
}

static enum pol_rc s3_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct s3 *s = state;
	int64_t cap = (int64_t)r->prompt_tokens + s3_out_cap(s, r);
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

static enum pol_rc s3_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	struct s3 *s = state;
	(void)cost;
	if (tokens <= r->pol_cap)
		return POL_OK;
	s->overflows++;
	r->pol_class++;
	return POL_REQUEUE;
}

static void s3_release(void *state, struct sim_req *r)
{
	struct s3 *s = state;
	if (r->pol_cap <= 0)
		return;
	if (kvmem_release(&s->mem, r->pol_off, r->pol_cap) < 0)
		abort(); /* double release: a scheduler bug */
	s->reserved -= r->pol_cap;
	r->pol_cap = 0;
	r->pol_off = -1;
}

static void s3_layout(const void *state, const struct sim_req *r, int32_t tokens,
		      struct it_cost *cost)
{
	const struct s3 *s = state;
	(void)r;
	dt_region(s->env->dt, cost, tokens);
}

static void s3_stats(const void *state, struct pol_stats *ps)
{
	const struct s3 *s = state;
	memset(ps, 0, sizeof *ps);
	ps->reserved_tokens = s->reserved;
	ps->free_tokens = s->mem.free_tokens;
	ps->largest_free = kvmem_largest(&s->mem);
	ps->overflows = s->overflows;
	ps->admissions = s->admissions;
}

static int s3_check(const void *state, struct om_err *e)
{
	const struct s3 *s = state;
	if (kvmem_check(&s->mem, e) < 0)
		return -1;
	if (s->reserved + s->mem.free_tokens != s->mem.total)
		return err_set(e, NULL, 0, "s3", "reserved %lld + free %lld != pool %lld",
			       (long long)s->reserved, (long long)s->mem.free_tokens,
			       (long long)s->mem.total);
	return 0;
}

const struct pol_ops pol_s3 = {
	.name = "s3",
	.help = "S3: contiguous region of the predicted equal-width bucket; overflow = requeue one bucket up",
	.keys = s3_keys,
	.create = s3_create,
	.destroy = s3_destroy,
	.admit = s3_admit,
	.grow = s3_grow,
	.release = s3_release,
	.layout = s3_layout,
	.stats = s3_stats,
	.check = s3_check,
	.predictor = "s3",
};
