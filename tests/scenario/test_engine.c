/* engine + scheduler + static policy + metrics on scenarios worked by hand. */
#include <math.h>
#include <string.h>

#include "sim/core/engine.h"
#include "workload/workload.h"
#include "tests/support/tu.h"

/* Three requests at t = 0 on the tiny device (pool 128 tokens, 1000 ns of
 * weights + 1 ns per KV token per iteration), static regions of 48 tokens:
 *   A prompt 10 output 3, B prompt 20 output 2, C prompt 6 output 1.
 * it1 [0,1030)    prefill A,B (C waits: 128-96 < 48)   1000 + 10 + 20
 * it2 [1030,2062) decode A(11) B(21); B ends at 2062   1000 + 32
 * it3 [2062,3080) decode A(12), prefill C(6); both end 1000 + 18 */
START_TEST(three_requests_by_hand)
{
	const char *sets[] = { TINY_DEVICE, "policy.max_model_len=48", "workload.arrival=offline",
			       "run.check_invariants=true", "run.sample_interval_s=0" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	trace_push(&t, 1, 0, 10, 3, NULL, 0, &e);
	trace_push(&t, 2, 0, 20, 2, NULL, 0, &e);
	trace_push(&t, 3, 0, 6, 1, NULL, 0, &e);
	struct run_result r;
	tu_run_sets(sets, sizeof sets / sizeof sets[0], &t, &r);
	const struct summary *s = &r.sum;
	ck_assert_int_eq(s->requests_completed, 3);
	ck_assert_int_eq(s->iterations, 3);
	ck_assert_int_eq(r.reqs[0].finish_ns, 3080);
	ck_assert_int_eq(r.reqs[1].finish_ns, 2062);
	ck_assert_int_eq(r.reqs[2].finish_ns, 3080);
	ck_assert_int_eq(r.reqs[2].first_admit_ns, 2062);
	double span = 3080e-9;
	ck_assert_double_eq_tol(s->rps, 3 / span, 1e-6 * (3 / span));
	ck_assert_double_eq_tol(s->tps_generated, 6 / span, 1e-6 * (6 / span));
	ck_assert_double_eq_tol(s->tps_total, 42 / span, 1e-6 * (42 / span));
	/* reserved: 2 regions of 48 the whole time; live: 30, 32 then 18 tokens */
	ck_assert_double_eq_tol(s->util_reserved, 96.0 / 128.0, 1e-12);
	double live = (30.0 * 1030 + 32.0 * 1032 + 18.0 * 1018) / (128.0 * 3080);
	ck_assert_double_eq_tol(s->util_live, live, 1e-12);
	ck_assert_double_eq_tol(s->util_packing, live * 128.0 / 96.0, 1e-12);
	/* TTFT: 1030, 1030, 3080 ns; TPOT: A (3080-1030)/2, B 1032 */
	ck_assert_double_eq_tol(s->ttft_p50_s, 1030e-9, 1e-15);
	ck_assert_double_eq_tol(s->tpot_p50_s, (1025e-9 + 1032e-9) / 2, 1e-15);
	ck_assert_double_eq_tol(s->queue_p99_s, 0.98 * 2062e-9, 1e-15);
	ck_assert_double_eq_tol(s->batch_mean, 2.0, 1e-12);
	ck_assert_int_eq(s->preemptions, 0);
	run_result_free(&r);
	trace_free(&t);
}
END_TEST

/* A zero-length output still emits its first token, then stops. */
START_TEST(zero_output_emits_one_token)
{
	const char *sets[] = { TINY_DEVICE, "policy.max_model_len=48", "workload.arrival=offline" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	trace_push(&t, 7, 0, 5, 0, NULL, 0, &e);
	struct run_result r;
	tu_run_sets(sets, sizeof sets / sizeof sets[0], &t, &r);
	ck_assert_int_eq(r.sum.requests_completed, 1);
	ck_assert_int_eq(r.reqs[0].generated, 1);
	ck_assert_int_eq(r.reqs[0].finish_ns, 1005);
	run_result_free(&r);
	trace_free(&t);
}
END_TEST

/* max_num_seqs and max_batched_tokens bound each iteration; prompts longer
 * than the model or the batch are rejected at arrival, with a reason. */
START_TEST(limits_and_rejections)
{
	const char *sets[] = { TINY_DEVICE,
			       "policy.max_model_len=32",
			       "workload.arrival=offline",
			       "scheduler.max_num_seqs=2",
			       "scheduler.max_batched_tokens=30",
			       "run.check_invariants=true" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	trace_push(&t, 1, 0, 4, 2, NULL, 0, &e);
	trace_push(&t, 2, 0, 4, 2, NULL, 0, &e);
	trace_push(&t, 3, 0, 4, 2, NULL, 0, &e);  /* third seq waits for max_num_seqs */
	trace_push(&t, 4, 0, 40, 2, NULL, 0, &e); /* prompt >= max_model_len */
	struct run_result r;
	tu_run_sets(sets, sizeof sets / sizeof sets[0], &t, &r);
	ck_assert_int_eq(r.sum.requests_completed, 3);
	ck_assert_int_eq(r.sum.rejected[REJ_PROMPT_TOO_LONG], 1);
	ck_assert_int_eq(r.reqs[3].state, RS_REJECTED);
	ck_assert_int_gt(r.reqs[2].first_admit_ns, 0);
	ck_assert_double_eq_tol(r.sum.batch_mean, (2 + 2 + 1 + 1) / 4.0, 1e-12);
	run_result_free(&r);
	trace_free(&t);
}
END_TEST

/* A synthetic run with invariants checked after every event: every request
 * finishes exactly once and the same seed gives the same numbers. */
START_TEST(invariants_and_determinism)
{
	const char *sets[] = { "workload.num_requests=400", "workload.rate=3",
			       "run.check_invariants=true", "policy.max_model_len=2048" };
	struct cfg *c = tu_cfg(sets, 4);
	struct om_err e;
	struct run_result a, b;
	struct wl_trace t;
	ck_assert_int_eq(wl_build(c, &t, false, &e), 0);
	ck_assert_int_eq(engine_run(c, &t, NULL, &a, &e), 0);
	ck_assert_int_eq(engine_run(c, &t, NULL, &b, &e), 0);
	ck_assert_int_eq(a.sum.requests_completed + a.sum.requests_rejected, 400);
	for (size_t i = 0; i < a.n; i++) {
		ck_assert(a.reqs[i].state == RS_FINISHED || a.reqs[i].state == RS_REJECTED);
		if (a.reqs[i].state == RS_FINISHED) {
			int32_t want = t.out_tokens[i] > 0 ? t.out_tokens[i] : 1;
			if (want > a.reqs[i].max_output)
				want = a.reqs[i].max_output;
			ck_assert_int_eq(a.reqs[i].generated, want);
			ck_assert_int_ge(a.reqs[i].first_token_ns, a.reqs[i].arrival_ns);
			ck_assert_int_ge(a.reqs[i].finish_ns, a.reqs[i].first_token_ns);
		}
	}
	ck_assert_mem_eq(&a.sum, &b.sum, sizeof a.sum);
	ck_assert(a.sum.util_reserved > 0 && a.sum.util_reserved <= 1);
	ck_assert(a.sum.util_live > 0 && a.sum.util_live <= a.sum.util_reserved);
	run_result_free(&a);
	run_result_free(&b);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("engine", three_requests_by_hand, zero_output_emits_one_token,
			   limits_and_rejections, invariants_and_determinism);
}
