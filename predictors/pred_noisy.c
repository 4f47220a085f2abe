/* noisy: the true length times a log-normal factor exp(sigma * N(0,1)), for
 * sensitivity studies (reads the label). The draw for a request depends only
 * on (predictor.seed, id), so every policy sees the same noisy prediction for
 * the same request, whatever the order of calls. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "common/rng.h"
#include "predictors/predictor.h"

struct noisy {
	double sigma;
	uint64_t seed;
	int32_t K, bmax;
	gsl_rng *rng; /* re-seeded per request; scratch, not shared state */
};

static int noisy_create(const struct cfg *c, void **state, struct om_err *e)
{
	struct noisy *n = malloc(sizeof *n);
	if (!n)
		return err_set(e, NULL, 0, NULL, "out of memory");
	n->sigma = cfg_real(c, "predictor.noise_sigma");
	n->seed = (uint64_t)cfg_int(c, "predictor.seed");
	pred_buckets_read(c, &n->K, &n->bmax);
	n->rng = rng_stream(n->seed, "predictor.noisy");
	if (!n->rng) {
		free(n);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	*state = n;
	return 0;
}

static void noisy_destroy(void *state)
{
	struct noisy *n = state;
	gsl_rng_free(n->rng);
	free(n);
}

static void noisy_predict(const void *state, const struct pred_sample *s, struct pred_out *o)
{
	const struct noisy *n = state;
	uint64_t k = rng_mix64(n->seed ^ rng_mix64((uint64_t)s->id));
	gsl_rng_set(n->rng, (unsigned long)(k & 0xffffffffUL) | 1UL);
	double f = exp(gsl_ran_gaussian(n->rng, n->sigma));
	double len = round((s->out_tokens > 0 ? s->out_tokens : 0) * f);
	pred_out_of_len(o, len > 1e9 ? 1000000000 : (int32_t)len, (float)n->sigma, n->K, n->bmax);
}

const struct pred_ops pred_noisy = {
	.name = "noisy",
	.help = "true length x lognormal(0, noise_sigma) (reads the label; sensitivity studies)",
	.keys = NULL,
	.wants_truth = true,
	.create = noisy_create,
	.destroy = noisy_destroy,
	.predict = noisy_predict,
};
