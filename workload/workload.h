/* workload: builds the request stream of an experiment from its [workload]
 * config: trace file or built-in synthetic, sampling, arrival process.
 * The result is sorted by arrival time (stable, so ties keep trace order). */
#ifndef OM_WORKLOAD_H
#define OM_WORKLOAD_H

#include <stdbool.h>

#include "common/cfg.h"
#include "workload/trace.h"

extern const struct cfg_key wl_keys[];

/* Resolves workload.trace to a path: a bare file name is looked up in
 * workload.trace_dir, $ODMASIM_TRACES, $XDG_DATA_HOME/odmasim/traces
 * (default ~/.local/share), <prefix>/share/odmasim/traces, then
 * ../shared/traces (a development checkout); the first readable one wins,
 * and the error lists where it looked. Writes "" for the synthetic workload. */
int wl_trace_path(const struct cfg *c, char *out, size_t n, struct om_err *e);
/* The one trace-name lookup: `name` with a '/' is a path; a bare name is
 * looked up in the directories above (c may be NULL: no trace_dir).
 * Errors (path too long) name `key`. */
int wl_resolve(const struct cfg *c, const char *key, const char *name, char *out, size_t n,
	       struct om_err *e);

int wl_build(const struct cfg *c, struct wl_trace *t, bool keep_text, struct om_err *e);

/* A trace file already read in this process, as trace_read gives it with
 * prompt texts kept and no length changed (the training side's copy when
 * workload.output_model leaves lengths alone: sim/core/pred_setup.h). */
struct wl_preread {
	const char *path;
	const struct wl_trace *t;
};
/* wl_build, taking the rows of a single-trace workload from pre (may be NULL)
 * instead of parsing the file again when keep_text is set and workload.trace
 * resolves to pre->path: the same rows, so the same workload. */
int wl_build_pre(const struct cfg *c, struct wl_trace *t, bool keep_text,
		 const struct wl_preread *pre, struct om_err *e);

/* Whether c's workload can be streamed: the built-in synthetic one (not
 * ServeGen) with workload.sampling = head and an arrival process drawn
 * request by request (auto, poisson, gamma, offline). */
bool wl_streams(const struct cfg *c);
/* For a workload that streams: a streamed trace (wl_stream.h) with the n,
 * source and arrival names wl_build gives and no rows; they are made as a
 * run reads them, the rows wl_build would give. An arrival past the clock
 * is found when its row is made. */
int wl_build_stream(const struct cfg *c, struct wl_trace *t, struct om_err *e);

#endif
