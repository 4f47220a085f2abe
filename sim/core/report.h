/* report: writes a run's results. Every file goes into a temporary directory
 * that is renamed into place only when all of them are complete:
 *   config.ini    the effective configuration (rerunnable as is)
 *   summary.json  one object of headline metrics
 *   summary.csv   the same, as a header and one row
 *   requests.csv  one row per request
 *   util.csv      utilization time series (windowed averages)
 *   <policy series> e.g. boundaries.csv, when the policy keeps one */
#ifndef OM_REPORT_H
#define OM_REPORT_H

#include <stdio.h>

#include "common/cfg.h"
#include "workload/trace.h"
#include "sim/core/engine.h"

int report_write(const char *dir, const struct cfg *c, const struct wl_trace *t,
		 const struct run_result *r, struct om_err *e);
/* The same, requests.csv excepted when rows is not NULL: an unnamed file
 * (outdir_unnamed) already holding all of it, which is given its name (and
 * closed, whatever happens). */
int report_write_rows(const char *dir, const struct cfg *c, const struct wl_trace *t,
		      const struct run_result *r, FILE *rows, struct om_err *e);
/* requests.csv's rows [from, to) of reqs (replica: each one's instance, or
 * NULL), after its header when from is 0: the one formatter of those bytes,
 * however the file is written. */
void report_request_rows(FILE *f, const struct sim_req *reqs, const int32_t *replica, size_t from,
			 size_t to);
/* The short human-readable table printed after a run. */
void report_print(FILE *f, const struct cfg *c, const struct wl_trace *t,
		  const struct run_result *r);

#endif
