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

void synth_gen_init(struct synth_gen *g, const struct synth_params *p)
{
	g->p = *p;
	g->lp = log(p->prompt_median); /* once, not per draw */
	g->lq = log(p->output_median);
}

void synth_next(const struct synth_gen *g, gsl_rng *rng, int32_t *prompt, int32_t *output)
{
	/* Draw prompt then output for each request so a request's lengths
	 * do not depend on how many requests follow it. */
	*prompt = draw(rng, g->lp, g->p.prompt_sigma, 1, g->p.max_tokens);
	*output = draw(rng, g->lq, g->p.output_sigma, 0, g->p.max_tokens);
}

int synth_generate(struct wl_trace *t, const struct synth_params *p, gsl_rng *rng, struct om_err *e)
{
	snprintf(t->source, sizeof t->source, "synthetic");
	struct synth_gen g;
	synth_gen_init(&g, p);
	for (size_t i = 0; i < p->n; i++) {
		int32_t pt, ot;
		synth_next(&g, rng, &pt, &ot);
		if (trace_push(t, (int64_t)i, 0, pt, ot, NULL, 0, e) < 0)
			return -1;
	}
	return 0;
}
