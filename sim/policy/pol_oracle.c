/* oracle: contiguous reservation of exactly prompt + true output tokens (capped
 * at the visible output limit). It is the labelled exception that reads the
 * truth (pol_ops.wants_truth): the upper bound for any contiguous scheme,
 * never a deployable policy. Every result it produces says "oracle" in the
 * summary's policy field. */
#include <stdlib.h>
#include <string.h>

#include "sim/policy/contig.h"

struct orc {
	struct contig a; /* first: the contig_pol_* entries use it */
};

static int orc_create(const struct cfg *c, const struct pol_env *env, void **state,
		      struct om_err *e)
{
	(void)c;
	if (!env->truth)
		return err_set(e, NULL, 0, "oracle", "the oracle policy needs the true lengths");
	*state = contig_new(sizeof(struct orc), "oracle", env, e);
	return *state ? 0 : -1;
}

static enum pol_rc orc_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct orc *s = state;
	int64_t out = s->a.env->truth[pol_req_idx(s->a.env, r)];
	if (out > r->max_output)
		out = r->max_output;
	return contig_admit(&s->a, r, (int64_t)r->prompt_tokens + out, tokens);
}

const struct pol_ops pol_oracle = {
	.name = "oracle",
	.help = "UPPER BOUND, reads true lengths: contiguous prompt + true output per request",
	.wants_truth = true,
	.create = orc_create,
	.admit = orc_admit,
	.grow = contig_pol_grow_fixed,
	CONTIG_POL_OPS,
};
