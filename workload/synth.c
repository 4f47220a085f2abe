#include "workload/synth.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

static int32_t draw(gsl_rng *rng, double log_median, double sigma, int32_t lo, int32_t hi)
{
	double x = gsl_ran_lognormal(rng, log_median, sigma);
	double r = floor(x + 0.5);
	if (r < lo)
		return lo;
	if (r > hi)
		return hi;
	return (int32_t)r;
}

int synth_generate(struct wl_trace *t, const struct synth_params *p, gsl_rng *rng, struct om_err *e)
{
	snprintf(t->source, sizeof t->source, "synthetic");
	double lp = log(p->prompt_median), lq = log(p->output_median); /* once, not per draw */
	for (size_t i = 0; i < p->n; i++) {
		/* Draw prompt then output for each request so a request's lengths
		 * do not depend on how many requests follow it. */
		int32_t pt = draw(rng, lp, p->prompt_sigma, 1, p->max_tokens);
		int32_t ot = draw(rng, lq, p->output_sigma, 0, p->max_tokens);
		if (trace_push(t, (int64_t)i, 0, pt, ot, NULL, 0, e) < 0)
			return -1;
	}
	return 0;
}
