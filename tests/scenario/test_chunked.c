/* chunked prefill (scheduler.chunked_prefill) on scenarios worked by hand. */
#include "sim/core/engine.h"
#include "workload/workload.h"
#include "tests/support/tu.h"

/* The tiny device (pool 128 tokens; an iteration costs 1000 ns of weights
 * plus 1 ns per KV token read, compute staying below that), static regions
 * of 48 tokens, a budget of 8 tokens per iteration:
 *   A prompt 20 output 2, B prompt 4 output 3, both at t = 0.
 * it1 [0,1008)     A chunk 1..8 (budget spent; B waits)  1000 + 8
 * it2 [1008,2024)  A chunk 9..16                         1000 + 16
 * it3 [2024,3048)  A chunk 17..20, B whole prompt (4)    1000 + 20 + 4
 *                  both emit their first token at 3048
 * it4 [3048,4074)  decode A(21) B(5); A ends             1000 + 26
 * it5 [4074,5080)  decode B(6); B ends                   1000 + 6 */
/* Runs A (prompt 20, output 2) and B (prompt 4, output 3), both at t = 0, on
 * the tiny device with a budget of 8 tokens per iteration. */
static void run_ab(const char *chunked, struct run_result *r)
{
	const char *sets[] = { TINY_DEVICE,
			       "policy.max_model_len=48",
			       "workload.arrival=offline",
			       "scheduler.max_batched_tokens=8",
			       chunked,
			       "run.check_invariants=true",
			       "run.sample_interval_s=0" };
	const int32_t prompt_output[2][2] = { { 20, 2 }, { 4, 3 } };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(trace_push(&t, i + 1, 0, prompt_output[i][0], prompt_output[i][1],
					    NULL, 0, &e),
				 0);
	tu_run_sets(sets, sizeof sets / sizeof sets[0], &t, r);
	trace_free(&t);
}

START_TEST(chunks_by_hand)
{
	struct run_result r;
	run_ab("scheduler.chunked_prefill=true", &r);
	const struct summary *s = &r.sum;
	ck_assert_int_eq(s->requests_completed, 2);
	ck_assert_int_eq(s->iterations, 5);
	/* first admitted, first token, finished; ns */
	const int64_t want[2][3] = { { 0, 3048, 4074 }, { 2024, 3048, 5080 } };
	for (int i = 0; i < 2; i++) {
		const struct sim_req *q = &r.reqs[i];
		const int64_t got[3] = { q->first_admit_ns, q->first_token_ns, q->finish_ns };
		for (int k = 0; k < 3; k++)
			ck_assert_int_eq(got[k], want[i][k]);
	}
	/* batches of 1, 1, 2, 2, 1 requests */
	ck_assert_double_eq_tol(s->batch_mean, 7.0 / 5.0, 1e-12);
	ck_assert_int_eq(s->rejected[REJ_PROMPT_OVER_BATCH], 0);
	run_result_free(&r);
}
END_TEST

/* Without chunked prefill the same 20-token prompt can never be computed in
 * one 8-token iteration: it is refused at arrival, B runs alone
 * (it1 [0,1004) prefill, it2 +1005, it3 +1006). */
START_TEST(unchunked_refuses_long_prompt)
{
	struct run_result r;
	run_ab("scheduler.chunked_prefill=false", &r);
	ck_assert_int_eq(r.sum.requests_completed, 1);
	ck_assert_int_eq(r.sum.rejected[REJ_PROMPT_OVER_BATCH], 1);
	ck_assert_int_eq(r.reqs[0].state, RS_REJECTED);
	ck_assert_int_eq(r.reqs[1].first_token_ns, 1004);
	ck_assert_int_eq(r.reqs[1].finish_ns, 1004 + 1005 + 1006);
	run_result_free(&r);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("chunked", chunks_by_hand, unchunked_refuses_long_prompt);
}
