/* arrival: arrival processes that stamp request i with its arrival time.
 * One registry entry per process; the workload builder looks them up by name. */
#ifndef OM_ARRIVAL_H
#define OM_ARRIVAL_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

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
	/* On a trace without timestamps: whether the times are drawn request
	 * by request (then a workload can be made as it is read: arr_seq),
	 * with which gaps (NULL: every request at t = 0), and the process's
	 * name there (what assign writes to t->arrival). */
	bool sequential;
	double (*gap)(gsl_rng *rng, const struct arr_params *p);
	const char *runs_as;
};

const struct arr_ops *arr_find(const char *name);

/* An arrival process drawn one request at a time, in order, for a trace
 * without timestamps of its own: the times `assign` stamps, made as each
 * request is made (a workload generated block by block). */
struct arr_seq {
	double (*gap)(gsl_rng *rng, const struct arr_params *p); /* arr_ops.gap */
	struct arr_params p;
	double now; /* seconds, before rounding */
};
/* Sets up process `name` for a trace without timestamps and gives the name
 * it runs as (arr_ops.runs_as); false if it is not drawn request by request
 * (arr_ops.sequential: trace) or not known. */
bool arr_seq_init(struct arr_seq *s, const char *name, const struct arr_params *p,
		  const char **resolved);
/* Request i's time (i counts from 0, in order), or the error `assign`
 * gives when it would pass ARR_MAX_S. */
int arr_seq_next(struct arr_seq *s, gsl_rng *rng, size_t i, int64_t *ns, struct om_err *e);
extern const struct arr_ops *const arr_registry[];

#endif
