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
/* The short human-readable table printed after a run. */
void report_print(FILE *f, const struct cfg *c, const struct wl_trace *t,
		  const struct run_result *r);

#endif
