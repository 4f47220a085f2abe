/* oracle: predicts the true output length. Upper-bound experiments only:
 * it is the one predictor that reads the label at prediction time. */
#include <stdlib.h>

#include "predictors/predictor.h"

struct oracle {
	int32_t K, bmax;
};

static int oracle_create(const struct cfg *c, void **state, struct om_err *e)
{
	struct oracle *o = malloc(sizeof *o);
	if (!o)
		return err_set(e, NULL, 0, NULL, "out of memory");
	pred_buckets_read(c, &o->K, &o->bmax);
	*state = o;
	return 0;
}

static void oracle_predict(const void *state, const struct pred_sample *s, struct pred_out *out)
{
	const struct oracle *o = state;
	pred_out_of_len(out, s->out_tokens > 0 ? s->out_tokens : 0, 0, o->K, o->bmax);
}

const struct pred_ops pred_oracle = {
	.name = "oracle",
	.help = "the true output length (UPPER BOUND: reads the label)",
	.wants_truth = true,
	.create = oracle_create,
	.destroy = free,
	.predict = oracle_predict,
};
