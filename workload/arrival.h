/* arrival: arrival processes that stamp request i with its arrival time.
 * One registry entry per process; the workload builder looks them up by name. */
#ifndef OM_ARRIVAL_H
#define OM_ARRIVAL_H

#include <gsl/gsl_rng.h>

#include "workload/trace.h"

struct arr_params {
	double rate;		 /* requests per second (poisson, gamma) */
	double cv;		 /* coefficient of variation of gaps (gamma) */
	const char *rate_origin; /* where workload.rate was set, for messages */
};

/* Latest arrival any process may stamp, in seconds: the trace reader's bound,
 * which leaves the engine's int64 nanosecond clock room to run. */
#define ARR_MAX_S 9.0e9

struct arr_ops {
	const char *name;
	const char *help;
	/* Sets t->req[i].arrival_ns for all i, non-decreasing in i. */
	int (*assign)(struct wl_trace *t, const struct arr_params *p, gsl_rng *rng,
		      struct om_err *e);
};

const struct arr_ops *arr_find(const char *name);
extern const struct arr_ops *const arr_registry[];

#endif
