/* Helpers shared by the policy tests: configurations with a chosen KV pool,
 * hand-made traces, and two test-only predictors handed to engine_run. */
#ifndef OM_POL_TESTUTIL_H
#define OM_POL_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_models/timing.h"
#include "predictors/predictor.h"
#include "sim/core/engine.h"
#include "sim/core/experiment.h"
#include "workload/trace.h"
#include "workload/workload.h"
#include "testutil.h"

/* DeepSeek-R1-Distill-Qwen-7B: 28 layers * 4 KV heads * 128 * 2 (K, V) * 2 bytes */
#define TU_KV_BYTES_PER_TOKEN 57344.0
#define TU_WEIGHT_BYTES (7.616e9 * 2)

/* A checked cfg on mlu370-x4 whose KV pool holds about `pool` tokens. */
static inline struct cfg *tu_pool_cfg(int64_t pool, const char *const *sets, int n)
{
	char cap[128], *all[64];
	double bytes = TU_WEIGHT_BYTES + ((double)pool + 0.5) * TU_KV_BYTES_PER_TOKEN;
	snprintf(cap, sizeof cap, "device.capacity_gib=%.15g", bytes / 1073741824.0);
	int k = 0;
	all[k++] = cap;
	all[k++] = "device.reserve_frac=0";
	all[k++] = "run.check_invariants=true";
	all[k++] = "run.sample_interval_s=0";
	for (int i = 0; i < n && k < 64; i++)
		all[k++] = (char *)sets[i];
	struct om_err e = { "" };
	struct cfg *c = exp_load(NULL, all, k, &e);
	if (!c)
		ck_abort_msg("cfg: %s", e.msg);
	return c;
}

/* Predicts the truth (a labelled truth-reader, like the oracle predictor). */
static void tu_exact_predict(const void *st, const struct pred_sample *s, struct pred_out *o)
{
	(void)st;
	o->len = s->out_tokens;
	o->uncertainty = 0;
	o->bucket = -1;
	o->uncertain = false;
}

static const struct pred_ops tu_exact = {
	.name = "test_exact",
	.wants_truth = true,
	.predict = tu_exact_predict,
};

/* Predicts the same fixed value (state: struct pred_out) for every request. */
static void tu_fixed_predict(const void *st, const struct pred_sample *s, struct pred_out *o)
{
	(void)s;
	*o = *(const struct pred_out *)st;
}

static const struct pred_ops tu_fixed = {
	.name = "test_fixed",
	.predict = tu_fixed_predict,
};

/* n requests at time `gap_ns * i`, each with the given prompt and output. */
static inline void tu_trace(struct wl_trace *t, size_t n, int64_t gap_ns, int32_t prompt,
			    int32_t out)
{
	struct om_err e;
	trace_init(t);
	snprintf(t->source, sizeof t->source, "test");
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(
			trace_push(t, (int64_t)i, (int64_t)i * gap_ns, prompt, out, NULL, 0, &e),
			0);
	t->has_arrivals = true;
}

static inline void tu_engine_run(const struct cfg *c, const struct wl_trace *t,
			  const struct pred_handle *ph, struct run_result *r)
{
	struct om_err e = { "" };
	if (engine_run(c, t, ph, r, &e) < 0)
		ck_abort_msg("engine_run: %s", e.msg);
}

/* A policy that sizes memory from predictions must refuse predictor.name=none,
 * naming the key. */
static inline void tu_refuses_without_predictor(const char *policy, int64_t pool)
{
	char name[64];
	snprintf(name, sizeof name, "policy.name=%s", policy);
	const char *s[] = { name, "predictor.name=none" };
	struct cfg *c = tu_pool_cfg(pool, s, 2);
	struct wl_trace t;
	tu_trace(&t, 1, 0, 10, 10);
	struct run_result r;
	struct om_err e = { "" };
	ck_assert_int_eq(engine_run(c, &t, NULL, &r, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "predictor.name"));
	trace_free(&t);
	cfg_free(c);
}

#endif
