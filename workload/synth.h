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

int synth_generate(struct wl_trace *t, const struct synth_params *p, gsl_rng *rng,
		   struct om_err *e);

#endif
