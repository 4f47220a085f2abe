#include "workload/arrival.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"

static double exp_gap(gsl_rng *rng, const struct arr_params *p)
{
	return gsl_ran_exponential(rng, 1.0 / p->rate);
}

static double gamma_gap(gsl_rng *rng, const struct arr_params *p)
{
	double k = 1.0 / (p->cv * p->cv); /* shape; mean k*theta = 1/rate */
	return gsl_ran_gamma(rng, k, 1.0 / (p->rate * k));
}

/* Gap-based processes accumulate in double seconds and round once per
 * request, so rounding error does not build up over a million arrivals. */
int arr_seq_next(struct arr_seq *s, gsl_rng *rng, size_t i, int64_t *ns, struct om_err *e)
{
	if (!s->gap) {
		*ns = 0; /* offline */
		return 0;
	}
	s->now += s->gap(rng, &s->p);
	if (!(s->now <= ARR_MAX_S))
		return err_set(e, s->p.rate_origin, 0, "workload.rate",
			       "request %zu would arrive at %g s, past the %g s the "
			       "simulated clock allows; raise workload.rate",
			       i + 1, s->now, ARR_MAX_S);
	*ns = llround(s->now * 1e9);
	return 0;
}

static int stamp_seq(struct wl_trace *t, struct arr_seq *s, gsl_rng *rng, struct om_err *e)
{
	for (size_t i = 0; i < t->n; i++)
		if (arr_seq_next(s, rng, i, &t->req[i].arrival_ns, e) < 0)
			return -1;
	return 0;
}

static int assign_poisson(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
			  struct om_err *e)
{
	struct arr_seq s = { exp_gap, *p, 0.0 };
	return stamp_seq(t, &s, rng, e);
}

static int assign_gamma(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
			struct om_err *e)
{
	struct arr_seq s = { gamma_gap, *p, 0.0 };
	return stamp_seq(t, &s, rng, e);
}

static int assign_offline(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
			  struct om_err *e)
{
	struct arr_seq s = { NULL, *p, 0.0 };
	return stamp_seq(t, &s, rng, e);
}

static int assign_trace(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
			struct om_err *e)
{
	(void)p, (void)rng;
	if (!t->has_arrivals)
		return err_set(e, t->source, 0, "workload.arrival",
			       "'trace' needs timestamps, but this trace has no arrival_s "
			       "or arrived_at column (use poisson, gamma or offline)");
	snprintf(t->arrival, sizeof t->arrival, "trace");
	return 0; /* times were read from the file; the builder sorts by them */
}

/* The default: a trace's own timestamps are the most faithful arrival
 * process when it has them; a trace without them (or the synthetic
 * workload) gets Poisson arrivals at workload.rate. */
static int assign_auto(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
		       struct om_err *e)
{
	if (t->has_arrivals)
		return assign_trace(t, p, rng, e);
	snprintf(t->arrival, sizeof t->arrival, "poisson");
	return assign_poisson(t, p, rng, e);
}

static const struct arr_ops arr_auto = {
	.name = "auto",
	.help = "the trace's timestamps when it has them, else poisson",
	.assign = assign_auto,
	.sequential = true, /* on a trace without timestamps, poisson (assign_auto) */
	.gap = exp_gap,
	.runs_as = "poisson",
};
static const struct arr_ops arr_trace = {
	.name = "trace",
	.help = "the trace's own timestamps (arrival_s or Vidur's arrived_at)",
	.assign = assign_trace,
	.runs_as = "trace",
};
static const struct arr_ops arr_offline = {
	.name = "offline",
	.help = "every request at t = 0",
	.assign = assign_offline,
	.sequential = true,
	.runs_as = "offline",
};
static const struct arr_ops arr_poisson = {
	.name = "poisson",
	.help = "exponential gaps with mean 1/rate",
	.assign = assign_poisson,
	.sequential = true,
	.gap = exp_gap,
	.runs_as = "poisson",
};
static const struct arr_ops arr_gamma = {
	.name = "gamma",
	.help = "gamma gaps with mean 1/rate and coefficient of variation cv",
	.assign = assign_gamma,
	.sequential = true,
	.gap = gamma_gap,
	.runs_as = "gamma",
};

/* clang-format off: one registry line per entry */
const struct arr_ops *const arr_registry[] = {
	&arr_auto, &arr_trace, &arr_offline, &arr_poisson, &arr_gamma, NULL,
};
/* clang-format on */

bool arr_seq_init(struct arr_seq *s, const char *name, const struct arr_params *p,
		  const char **resolved)
{
	const struct arr_ops *o = arr_find(name);
	if (!o || !o->sequential)
		return false;
	*s = (struct arr_seq){ o->gap, *p, 0.0 };
	*resolved = o->runs_as;
	return true;
}

const struct arr_ops *arr_find(const char *name)
{
	_Static_assert(offsetof(struct arr_ops, name) == 0,
		       "registry entries start with their name");
	return reg_find(REG(arr_registry), name);
}
