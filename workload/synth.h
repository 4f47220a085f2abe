/* synth: the built-in synthetic workload, so odmasim runs with no files.
 * Prompt and output lengths are independent log-normals given by their
 * median and log-space sigma, rounded and clamped (see docs/MODEL.md). */
#ifndef OM_SYNTH_H
#define OM_SYNTH_H

#include <gsl/gsl_rng.h>

#include "workload/trace.h"

struct synth_params {
	size_t n;
	double prompt_median, prompt_sigma;
	double output_median, output_sigma;
	int32_t max_tokens; /* clamp for both lengths */
};

/* The draws of one request at a time, in order (synth_generate's rows, for a
 * workload generated block by block). */
struct synth_gen {
	struct synth_params p;
	double lp, lq; /* log medians */
};
void synth_gen_init(struct synth_gen *g, const struct synth_params *p);
void synth_next(const struct synth_gen *g, gsl_rng *rng, int32_t *prompt, int32_t *output);

int synth_generate(struct wl_trace *t, const struct synth_params *p, gsl_rng *rng,
		   struct om_err *e);

#endif
