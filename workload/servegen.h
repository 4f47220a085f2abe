/* servegen: a workload generated from ServeGen's DeepSeek-R1 production
 * characterisation (servegen_r1_rates.csv, servegen_r1_lengths.csv in the
 * shared traces; SOURCES.md). Chosen clients (workload.servegen_clients:
 * "top:N" = the N busiest over the span, or a comma list of ids) send
 * requests over [start, start + span): per client and 600-s window, gaps drawn
 * from the window's fitted inter-arrival family (Gamma or Weibull) with the
 * fitted shape and the mean set by the window's rate (times the rate scale);
 * exponential where no family was fitted. Input and output lengths are drawn
 * from the client's per-6-h-window pmfs. The data gives marginals only:
 * workload.servegen_lengths_corr = independent (default) draws them
 * independently; comonotone from one uniform (ServeGen's own generator).
 * The reasoning ratio is not used: output lengths already include the
 * reasoning. No prompt text: text-based predictors cannot train on it. */
#ifndef OM_SERVEGEN_H
#define OM_SERVEGEN_H

#include <stdbool.h>

#include "common/cfg.h"
#include "workload/trace.h"

extern const struct cfg_key servegen_keys[];

/* True when workload.servegen_clients asks for this workload. */
bool servegen_wanted(const struct cfg *c);
/* Fills t (initialised, empty) with the requests, timestamps set. */
int servegen_build(const struct cfg *c, struct wl_trace *t, struct om_err *e);

#endif
