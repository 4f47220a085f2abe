/* metrics: what a run measured.
 * Occupancy is integrated over time as a step function, so every utilization
 * is time-weighted over [first arrival, last event]:
 *   util_reserved = integral(reserved KV tokens) / (pool tokens * T)
 *   util_live     = integral(live KV tokens)     / (pool tokens * T)
 *   util_packing  = integral(live) / integral(reserved)
 * A utilization time series averages the same quantities over fixed windows
 * (and carries the cumulative overflow count at each window's end).
 * Fragmentation and safety-pool occupancy are time-averaged the same way:
 *   frag_internal    = integral(reserved - live) / (pool tokens * T)
 *   frag_external    = time average of 1 - largest free range / free tokens
 *   safety_occupancy = integral(safety pool held) / (safety pool * T) */
#ifndef OM_METRICS_H
#define OM_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "sim/core/itl.h"
#include "sim/core/request.h"
#include "sim/core/sched.h"

struct met_state {
	int64_t reserved, live;
	int64_t running, waiting;
	double ext_frag; /* 1 - largest free / free, 0 if none free */
	int64_t safety_used, safety_tokens;
	int64_t overflows; /* cumulative, for the series */
};

/* A window as integrated: its end and its token*ns sums; met_row turns it
 * into the averages util.csv prints (at print time, with the arithmetic
 * they always had, so two windows can merge exactly). */
struct met_sample {
	int64_t end;
	double w_reserved, w_live, w_running, w_waiting;
	int64_t overflows; /* cumulative at the window's end */
};

struct met_row {
	double t_s, util_reserved, util_live, running, waiting;
	int64_t overflows;
};

/* The series never holds more windows than this: a run that would (a long
 * simulated span at a fine run.sample_interval_s) merges neighbouring pairs
 * and doubles its window, as often as needed, so memory stays bounded and
 * every row still covers equal time (the last may be partial). */
#define MET_MAX_WINDOWS 1000000

struct metrics {
	int64_t pool_tokens;
	int64_t t0, t_last;
	bool started;
	struct met_state cur;
	double int_reserved, int_live, int_running; /* token*ns */
	double int_ext_frag, int_safety;	    /* ratio*ns, token*ns */
	int64_t safety_tokens;
	/* windowed series */
	int64_t window_ns, win_start;
	double w_reserved, w_live, w_running, w_waiting;
	struct met_sample *series;
	size_t n_series, cap_series;
	struct itl itl; /* inter-token gaps: the leaps' (metlog), the scheduler's merged at the end */
	size_t max_windows; /* MET_MAX_WINDOWS (even; tests set less) */
	int64_t coarsened;  /* times the window doubled */
};

struct summary {
	int64_t requests_total, requests_completed, requests_rejected;
	int64_t rejected[REJ_N];
	int64_t generated_tokens, prompt_tokens;
	double span_s, sim_time_s;
	double rps, tps_generated, tps_total;
	double util_reserved, util_live, util_packing;
	double ttft_p50_s, ttft_p90_s, ttft_p99_s;
	double tpot_p50_s, tpot_p90_s, tpot_p99_s;
	double e2e_p50_s, e2e_p90_s, e2e_p99_s;
	double queue_p50_s, queue_p90_s, queue_p99_s;
	int64_t preemptions, recomputed_tokens, iterations;
	double batch_mean;
	/* KV reads: mean time per iteration, achieved bandwidth, mean run length */
	double kv_ms_per_iter, kv_gbps, kv_run_bytes_mean;
	int64_t pool_tokens;
	double running_mean;
	/* allocation-policy metrics (see the formulas above) */
	int64_t overflows, relocations, relocated_bytes;
	double frag_internal, frag_external, safety_occupancy, large_bucket_share;
	/* completion-time view: over completed requests, sum(prompt + generated)
	 * / sum(largest region held); mean largest region; mean external
	 * fragmentation when an admission found no room */
	double util_packing_at_finish, reserved_tokens_mean, frag_external_no_room;
	int64_t no_room_admissions;
	/* means beside the percentiles; itl: inter-token latency, the gap
	 * between a request's consecutive tokens (its mean is token-weighted:
	 * all gaps of all finished requests). NAN where nothing was measured. */
	double ttft_mean_s, tpot_mean_s, e2e_mean_s, queue_mean_s, itl_mean_s;
	double itl_p50_s, itl_p90_s, itl_p99_s; /* nearest rank, see itl.h */
};

int met_init(struct metrics *m, int64_t pool_tokens, int64_t window_ns);
void met_free(struct metrics *m);
/* Integrates the current state up to `now` (call before changing state). */
int met_advance(struct metrics *m, int64_t now);
void met_set(struct metrics *m, const struct met_state *s);
/* met_set when only the live tokens changed since the last one (a leapt
 * iteration without grows or finishes). */
static inline void met_set_live(struct metrics *m, int64_t live)
{
	m->cur.live = live;
}
/* Closes the last window; call once after the run. */
int met_finish(struct metrics *m, int64_t now);

/* Window i of the series as util.csv prints it. */
struct met_row met_row(const struct metrics *m, size_t i);

/* Fills the summary from the requests and the scheduler's counters;
 * threads (run.threads' count) > 1 lets it use a second thread. */
int met_summarize(const struct metrics *m, const struct sim_req *reqs, size_t n,
		  const struct sched_stats *s, int threads, struct summary *out);

#endif
