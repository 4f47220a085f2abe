/* engine: owns simulated time. It replays a workload through the scheduler
 * and a policy, event by event (arrivals and iteration ends), and is the one
 * place that reads true output lengths: to tell the scheduler when a request
 * has emitted its last token. A request whose true length is 0 still emits
 * one token (its end-of-sequence) and then stops. */
#ifndef OM_ENGINE_H
#define OM_ENGINE_H

#include "common/cfg.h"
#include "device_models/timing.h"
#include "predictors/predictor.h"
#include "workload/trace.h"
#include "sim/core/metrics.h"
#include "sim/policy/policy.h"
#include "sim/core/request.h"
#include "sim/core/sched.h"

struct run_result {
	struct sim_req *reqs; /* in arrival order, as the trace */
	int32_t *replica;     /* reqs[i]'s instance; NULL with one instance (run_replica) */
	size_t n;
	struct metrics met;
	struct summary sum;
	struct dev_timing dt;
	struct pol_stats pol_final; /* summed over instances */
	size_t instances;
	char policy[64];
	char *pol_series;	     /* the policy's series CSV text, or NULL */
	const char *pol_series_file; /* its file name in the results directory */
};

/* The instance request i was routed to, -1 if it never arrived. With one
 * instance the answer needs no array (every arrival goes to instance 0). */
static inline int32_t req_replica(const struct sim_req *reqs, const int32_t *replica, size_t i)
{
	if (replica)
		return replica[i];
	return reqs[i].state == RS_PENDING ? -1 : 0;
}

static inline int32_t run_replica(const struct run_result *r, size_t i)
{
	return req_replica(r->reqs, r->replica, i);
}

extern const struct cfg_key engine_keys[];

/* Every key the engine and the layers under it use, read once when a run is
 * composed (the cfg itself then serves only to name a key in an error). */
struct eng_params {
	int32_t max_new_tokens;	   /* workload.max_new_tokens, 0 = none */
	uint64_t seed;		   /* workload.seed */
	size_t devices;		   /* cluster.devices */
	const char *router;	   /* cluster.router */
	int64_t sample_ns;	   /* run.sample_interval_s */
	bool check;		   /* run.check_invariants */
	int threads;		   /* run.threads, resolved (ncpu_threads) */
	int64_t stall_limit;	   /* run.max_stall_iterations, its default resolved */
	struct pol_params pol;	   /* policy.name, policy.max_model_len */
	struct sched_params sched; /* scheduler.*, run.fast_path */
};
void eng_params_read(const struct cfg *c, struct eng_params *p);

/* Runs one experiment. The trace must be sorted by arrival (wl_build does).
 * `pred` may be NULL or hold no predictor; otherwise every request gets its
 * prediction when it arrives (predictions depend on the prompt only, so they
 * are computed once up front). */
int engine_run(const struct cfg *c, const struct wl_trace *t, const struct pred_handle *pred,
	       struct run_result *out, struct om_err *e);
/* Told as a run goes that requests [0, prefix) are final: finished or
 * rejected, so the run writes none of their fields, nor their replica, again
 * (another thread may then read them, e.g. to write requests.csv during the
 * run). prefix only grows, by at least ENG_WATCH_ROWS between calls but for
 * the last one, which a run that succeeds makes with prefix n before it
 * summarizes. Called from the run's thread, between events. A run that
 * fails calls quit instead before it frees the requests: the watcher must
 * stop reading them before quit returns. */
#define ENG_WATCH_ROWS 4096
struct eng_watch {
	void *ctx;
	void (*final)(void *ctx, const struct sim_req *reqs, const int32_t *replica, size_t prefix);
	void (*quit)(void *ctx);
};
/* engine_run for a trace used once: its rows are dropped (trace_drop_rows)
 * as soon as the engine has its own per-request records, so a run does not
 * hold both (memory per request); watch (which may be NULL) is told. A
 * streamed trace (workload/wl_stream.h) has its rows made by the run's
 * preparation, block by block; engine_run takes one too, once. A row that
 * fails (an arrival past the clock) fails the run with its error. */
int engine_run_watched(const struct cfg *c, struct wl_trace *t, const struct pred_handle *pred,
		       const struct eng_watch *watch, struct run_result *out, struct om_err *e);
void run_result_free(struct run_result *r);

#endif
