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

#include "sim/policy/contig.h"

struct s3 {
	struct contig a; /* first: the contig_pol_* entries use it */
	int64_t width;	 /* 0: take it from the predictor's bucket */
};

static const struct cfg_key s3_keys[] = {
	{ "policy.s3_bucket_width", CFG_INT, "0", 0, 1 << 24, NULL,
	  "s3: bucket width in output tokens; 0 = the s3 predictor's (predictor.bucket_max / predictor.buckets), or max_model_len/10 for predictors without buckets" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int s3_create(const struct cfg *c, const struct pol_env *env, void **state, struct om_err *e)
{
	const char *pred = cfg_str(c, "predictor.name");
	if (!strcmp(pred, "none"))
		return cfg_fail(
			c, "predictor.name", e,
			"policy s3 sizes memory from predicted lengths: set predictor.name (normally s3)");
	struct s3 *s = contig_new(sizeof *s, "s3", env, e);
	if (!s)
		return -1;
	s->width = cfg_int(c, "policy.s3_bucket_width");
	*state = s;
	return 0;
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
		w = (s->a.env->max_model_len + 9) / 10;
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
	return contig_admit(&s->a, r, (int64_t)r->prompt_tokens + s3_out_cap(s, r), tokens);
}

static enum pol_rc s3_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	struct s3 *s = state;
	(void)cost;
	if (tokens <= r->pol_cap)
		return POL_OK;
	s->a.overflows++;
	r->overflows++;
	r->pol_class++;
	return POL_REQUEUE;
}

const struct pol_ops pol_s3 = {
	.name = "s3",
	.help = "S3: contiguous region of the predicted equal-width bucket; overflow = requeue one bucket up",
	.keys = s3_keys,
	.create = s3_create,
	.admit = s3_admit,
	.grow = s3_grow,
	CONTIG_POL_OPS,
	.predictor = "s3",
};
