/* timing: the price of one iteration.
 *   iteration = max(compute, memory) + fixed overhead
 *   compute   = (2*params*tokens + 4*layers*heads*head_dim*attn_pairs) / (peak*eff)
 *   memory    = weights/(eta_seq*B_peak) + sum over KV runs of L/B_eff(L) + extra
 * With tensor parallelism over n cards an instance has n times the memory,
 * bandwidth and compute of a card, and each iteration adds (not overlapped)
 * two ring all-reduces per layer of the batch's activations.
 * Callers (the scheduler and the policies, which know the KV layout) fill an
 * it_cost; this module only does arithmetic on it and never sees requests. */
#ifndef OM_TIMING_H
#define OM_TIMING_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cfg.h"
#include "device_models/device.h"
#include "device_models/memmodel.h"

struct dev_timing {
	struct dev_device d;	  /* per instance: tensor parallelism aggregates its cards */
	struct dev_device card;	  /* one card, as configured */
	int32_t tp;		  /* cards per instance (1 unless cluster.mode = tensor_parallel) */
	double card_weight_bytes; /* weights held by each card */
	double card_kv_bytes_per_token; /* KV bytes per token held by each card */
	struct dev_model m;
	struct dev_derived dd;
	const struct mm_ops *mm;
	void *mm_state;
	/* Linear memory models (time of a run = (L + lin_half) / lin_bw): KV
	 * time is priced once per iteration from exact byte and run totals. */
	bool lin;
	double lin_half, lin_bw;
	/* dt_iter_ns's factors that do not change within a run, computed once
	 * by dt_init exactly as the formula groups them (same bits) */
	double flops_per_token, flops_per_pair, flops_rate, weights_ns;
};

struct it_cost {
	double tokens;	   /* tokens computed: prefill tokens + decode tokens */
	double attn_pairs; /* sum over computed tokens of the context they attend to */
	double kv_ns;	   /* time reading/writing KV runs (non-linear models only) */
	double kv_bytes;   /* exact integer totals: under a linear model they */
	double kv_runs;	   /* alone give the KV time (see dt_kv_ns) */
	double kv_scale;   /* multiplies the linear KV time (0 means 1) */
	double extra_ns;   /* other memory traffic (e.g. relocation copies) */
};

struct it_time {
	double compute_ns, weights_ns, kv_ns, extra_ns, memory_ns, comm_ns;
	int64_t total_ns;
};

/* Builds the timing model from a checked cfg (cluster.mode/devices decide
 * whether the instance spans several cards). */
int dt_init(struct dev_timing *t, const struct cfg *c, struct om_err *e);
void dt_free(struct dev_timing *t);

/* Adds `count` runs of `run_bytes` contiguous bytes each to the cost. */
void dt_runs(const struct dev_timing *t, struct it_cost *c, double run_bytes, double count);
/* Adds the KV traffic of one contiguous region holding `tokens` tokens: one
 * run of tokens*head_dim*bytes per (layer, KV head, K or V). */
void dt_region(const struct dev_timing *t, struct it_cost *c, double tokens);
/* Adds `runs` runs totalling `bytes` bytes; linear models only (t->lin),
 * where only the totals matter. Both must be exact integers. Inline, as
 * dt_kv_ns: both run for every iteration, leapt ones included. */
static inline void dt_lin_add(const struct dev_timing *t, struct it_cost *c, double bytes,
			      double runs)
{
	(void)t;
	c->kv_bytes += bytes;
	c->kv_runs += runs;
}
/* The linear KV time kv_ns + scale * (bytes + runs_half) / lin_bw, ns, with
 * runs_half = runs * lin_half: dt_kv_ns's and dt_stretch_ns's one formula. */
static inline double dt_lin_kv_ns(const struct dev_timing *t, double kv_ns, double scale,
				  double bytes, double runs_half)
{
	return kv_ns + scale * (bytes + runs_half) / t->lin_bw * 1e9;
}
/* KV time of the cost so far, ns: kv_ns plus, under a linear model,
 * kv_scale * (kv_bytes + kv_runs * lin_half) / lin_bw: one division per
 * iteration on exact totals, so the result does not depend on how the
 * batch's runs were grouped or ordered when they were added. */
static inline double dt_kv_ns(const struct dev_timing *t, const struct it_cost *c)
{
	if (!t->lin)
		return c->kv_ns;
	double scale = c->kv_scale > 0 ? c->kv_scale : 1.0;
	return dt_lin_kv_ns(t, c->kv_ns, scale, c->kv_bytes, c->kv_runs * t->lin_half);
}
/* Streaming time of `bytes` at eta_seq * B_peak (copies, weights). */
double dt_stream_ns(const struct dev_timing *t, double bytes);
/* Effective bandwidth for runs of L bytes, bytes/s. */
double dt_beff(const struct dev_timing *t, double run_bytes);

/* All-reduce time for one iteration computing `tokens` tokens (0 if tp = 1). */
double dt_comm_ns(const struct dev_timing *t, double tokens);

/* ceil(x), the same value, without a library call where the conversion
 * to an integer is exact (0 < x < 2^52, where x may have a fraction). */
static inline double dt_ceil_pos(double x)
{
	if (!(x > 0 && x < 4503599627370496.0))
		return ceil(x);
	double i = (double)(int64_t)x;
	return i < x ? i + 1 : i;
}

/* The total of an iteration from its flops, KV, extra and communication
 * times (dt_iter_ns's and dt_stretch_ns's one formula); `out` may be NULL. */
static inline int64_t dt_total_ns(const struct dev_timing *t, double flops, double kv_ns,
				  double extra_ns, double comm_ns, struct it_time *out)
{
	struct it_time it;
	it.compute_ns = flops / t->flops_rate * 1e9;
	it.weights_ns = t->weights_ns;
	it.kv_ns = kv_ns;
	it.extra_ns = extra_ns;
	it.memory_ns = it.weights_ns + it.kv_ns + it.extra_ns;
	it.comm_ns = comm_ns;
	double busy = it.compute_ns > it.memory_ns ? it.compute_ns : it.memory_ns;
	/* Saturate instead of overflowing the conversion (UB) on absurdly slow
	 * devices; the engine reports an iteration it cannot fit in time. */
	double total = dt_ceil_pos(busy + it.comm_ns) + (double)t->d.iter_overhead_ns;
	it.total_ns = total < 9.0e18 ? (int64_t)total : INT64_MAX;
	if (out)
		*out = it;
	return it.total_ns;
}

/* Prices an iteration; `out` may be NULL. Returns total ns (ceil'd),
 * saturated at INT64_MAX. The formula above with t's constant factors
 * (dt_init). Inline: the
 * scheduler prices every leapt iteration with it, and inlined the copy to
 * *out of what the caller does not read goes away. */
static inline int64_t dt_iter_ns(const struct dev_timing *t, const struct it_cost *c,
				 struct it_time *out)
{
	double flops = t->flops_per_token * c->tokens + t->flops_per_pair * c->attn_pairs;
	return dt_total_ns(t, flops, dt_kv_ns(t, c), c->extra_ns,
			   t->tp > 1 ? dt_comm_ns(t, c->tokens) : 0, out);
}

/* Iterations that differ only in their attention pairs and KV bytes (a
 * leap's pure decodes while the batch and its KV runs stay put), under a
 * linear model: what does not change, taken once from one iteration's cost
 * (dt_stretch_set) with the operations dt_iter_ns makes of it, so that
 * dt_stretch_ns gives each iteration dt_iter_ns's bits. */
struct dt_stretch {
	double tok_flops, kv_ns, scale, runs_half, extra_ns, comm_ns;
};
static inline void dt_stretch_set(const struct dev_timing *t, struct dt_stretch *x,
				  const struct it_cost *c)
{
	x->tok_flops = t->flops_per_token * c->tokens;
	x->kv_ns = c->kv_ns;
	x->scale = c->kv_scale > 0 ? c->kv_scale : 1.0;
	x->runs_half = c->kv_runs * t->lin_half;
	x->extra_ns = c->extra_ns;
	x->comm_ns = t->tp > 1 ? dt_comm_ns(t, c->tokens) : 0;
}
/* dt_iter_ns of the stretch's cost with attn_pairs and kv_bytes replaced
 * (t->lin only); *kv_ns receives its KV time. */
static inline int64_t dt_stretch_ns(const struct dev_timing *t, const struct dt_stretch *x,
				    double attn_pairs, double kv_bytes, double *kv_ns)
{
	double flops = x->tok_flops + t->flops_per_pair * attn_pairs;
	*kv_ns = dt_lin_kv_ns(t, x->kv_ns, x->scale, kv_bytes, x->runs_half);
	return dt_total_ns(t, flops, *kv_ns, x->extra_ns, x->comm_ns, NULL);
}

#endif
