/* s3: requeue one bucket up on overflow, wasted work counted; oracle: exact
 * reservations, labelled as such. */
#include "pol_testutil.h"
#include "sim/policy/policy.h"

START_TEST(s3_overflow_requeues_one_bucket_up)
{
	/* bucket 0 of width 100 (the s3 predictor's upper edge 100), true 250:
	 * overflows at 101 and 201, each time preempted and recomputed */
	const char *s[] = { "policy.name=s3", "predictor.name=test" };
	struct cfg *c = tu_pool_cfg(20000, s, 2);
	struct wl_trace t;
	tu_trace(&t, 1, 0, 20, 250);
	struct pred_out guess = { 100, 0, 0, false };
	struct pred_handle ph = { &tu_fixed, &guess };
	struct run_result r;
	tu_engine_run(c, &t, &ph, &r);
	ck_assert_int_eq(r.sum.requests_completed, 1);
	ck_assert_int_eq(r.reqs[0].generated, 250);
	ck_assert_int_eq(r.sum.overflows, 2);
	ck_assert_int_eq(r.sum.preemptions, 2);
	ck_assert_int_eq(r.reqs[0].pol_class, 2); /* two bumps */
	/* it overflows needing room for token 101 (then 201): the recompute
	 * covers the prompt and every token generated so far */
	ck_assert_int_eq(r.sum.recomputed_tokens, (20 + 101) + (20 + 201));
	ck_assert_int_eq(r.sum.relocations, 0);
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(s3_requeue_preempts_only_the_overflowing_request)
{
	/* two requests, the older one overflows: only it is preempted */
	const char *s[] = { "policy.name=s3", "predictor.name=test", "policy.s3_bucket_width=64" };
	struct cfg *c = tu_pool_cfg(20000, s, 3);
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	snprintf(t.source, sizeof t.source, "test");
	ck_assert_int_eq(trace_push(&t, 0, 0, 10, 100, NULL, 0, &e), 0);
	ck_assert_int_eq(trace_push(&t, 1, 1000, 10, 30, NULL, 0, &e), 0);
	struct pred_out guess = { 20, 0, -1, false }; /* bucket 0 of width 64 */
	struct pred_handle ph = { &tu_fixed, &guess };
	struct run_result r;
	tu_engine_run(c, &t, &ph, &r);
	ck_assert_int_eq(r.sum.requests_completed, 2);
	ck_assert_int_eq(r.reqs[0].preemptions, 1);
	ck_assert_int_eq(r.reqs[1].preemptions, 0);
	ck_assert_int_eq(r.sum.overflows, 1);
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(s3_refuses_without_predictor)
{
	tu_refuses_without_predictor("s3", 20000);
}
END_TEST

START_TEST(oracle_reserves_exactly_and_says_so)
{
	const char *s[] = { "policy.name=oracle", "workload.num_requests=300", "workload.rate=20" };
	struct cfg *c = tu_pool_cfg(30000, s, 3);
	struct wl_trace t;
	struct om_err e = { "" };
	trace_init(&t);
	ck_assert_msg(wl_build(c, &t, false, &e) == 0, "%s", e.msg);
	struct run_result r;
	tu_engine_run(c, &t, NULL, &r);
	ck_assert_str_eq(r.policy, "oracle");
	ck_assert_int_eq(r.sum.requests_completed + r.sum.requests_rejected, 300);
	ck_assert_int_eq(r.sum.overflows, 0);
	ck_assert_int_eq(r.sum.preemptions, 0); /* exact sizes never need more */
	/* reserved never falls short of live; the gap is only the unwritten tail */
	ck_assert(r.sum.util_packing > 0.4 && r.sum.util_packing <= 1.0);
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("s3_oracle");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, s3_overflow_requeues_one_bucket_up);
	tcase_add_test(tc, s3_requeue_preempts_only_the_overflowing_request);
	tcase_add_test(tc, s3_refuses_without_predictor);
	tcase_add_test(tc, oracle_reserves_exactly_and_says_so);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
