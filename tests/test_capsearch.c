/* capsearch: SLO parsing, and the search against known latency curves. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/batch/capsearch.h"
#include "testutil.h"

START_TEST(slo_parsing)
{
	struct cap_slo o;
	struct om_err e;
	ck_assert_int_eq(cap_slo_parse("ttft_p99=2,tpot_p99_s=100ms,reject_frac=0.01", &o, &e), 0);
	ck_assert_uint_eq(o.n, 3);
	ck_assert_str_eq(cap_metric_name(o.m[0]), "ttft_p99");
	ck_assert_double_eq(o.bound[0], 2);
	ck_assert_str_eq(cap_metric_name(o.m[1]), "tpot_p99");
	ck_assert_double_eq_tol(o.bound[1], 0.1, 1e-15);
	ck_assert(!cap_metric_is_time(o.m[2]));
	const char *bad[] = { "",
			      "ttft_p99",
			      "bogus=1",
			      "ttft_p99=",
			      "ttft_p99=-1",
			      "ttft_p99=1,ttft_p99=2",
			      "reject_frac=5ms",
			      "e2e_p99=1x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(cap_slo_parse(bad[i], &o, &e) == -1, "accepted '%s'", bad[i]);
	ck_assert(strstr(e.msg, "e2e_p99") != NULL);
}
END_TEST

START_TEST(violations)
{
	struct cap_slo o;
	struct om_err e;
	ck_assert_int_eq(cap_slo_parse("ttft_p99=1,tpot_p99=0.1,reject_frac=0.5", &o, &e), 0);
	struct summary s = { 0 };
	s.requests_total = 10;
	s.requests_completed = 8;
	s.requests_rejected = 2;
	s.ttft_p99_s = 1.0; /* the bound itself is within */
	s.tpot_p99_s = 0.2;
	ck_assert_uint_eq(cap_slo_violations(&o, &s), 2u);
	char why[64];
	cap_slo_describe(&o, 2u, why, sizeof why);
	ck_assert_str_eq(why, "tpot_p99");
	s.tpot_p99_s = 0.05;
	s.requests_rejected = 6;
	ck_assert_uint_eq(cap_slo_violations(&o, &s), 4u);
	s.requests_rejected = 0;
	s.requests_completed = 0; /* zero latencies of no requests are no success */
	ck_assert_uint_eq(cap_slo_violations(&o, &s), CAP_NOTHING_COMPLETED);
}
END_TEST

/* A queue-like curve: p99 TTFT grows without bound as the rate nears `knee`,
 * and the evaluator rounds rates as the CLI does (%.6g). */
struct curve {
	double knee;
	int calls;
};

static int eval_curve(void *ctx, double rate, struct cap_point *pt, struct om_err *e)
{
	(void)e;
	struct curve *c = ctx;
	char buf[32];
	snprintf(buf, sizeof buf, "%.6g", rate);
	pt->rate = strtod(buf, NULL);
	pt->s.requests_total = pt->s.requests_completed = 100;
	pt->s.ttft_p99_s = pt->rate < c->knee ? 0.1 / (1 - pt->rate / c->knee) : 1e9;
	c->calls++;
	return 0;
}

static void run(double knee, double start, double tol, struct cap_result *r, int *calls)
{
	struct cap_slo o;
	struct om_err e;
	ck_assert_int_eq(cap_slo_parse("ttft_p99=1", &o, &e), 0);
	struct cap_params prm = { start, 0.01, 1000, tol };
	struct curve c = { knee, 0 };
	cap_search(&prm, &o, eval_curve, &c, r);
	*calls = c.calls;
	ck_assert_int_eq(r->evals, c.calls);
}

START_TEST(search_brackets_the_boundary)
{
	/* ttft_p99 = 1 exactly at 0.9 * knee. */
	double knees[] = { 7.3, 0.5, 130 };
	double starts[] = { 1, 4, 100, 0.02 };
	for (size_t k = 0; k < 3; k++)
		for (size_t s = 0; s < 4; s++) {
			struct cap_result r;
			int calls;
			run(knees[k], starts[s], 0.01, &r, &calls);
			double b = 0.9 * knees[k];
			ck_assert_int_eq(r.status, CAP_FOUND);
			/* (at the boundary itself rounding may go either way) */
			ck_assert_msg(r.lo.rate <= b * (1 + 1e-12) && r.hi.rate >= b * (1 - 1e-12),
				      "knee %g start %g: [%g, %g] misses %g", knees[k], starts[s],
				      r.lo.rate, r.hi.rate, b);
			ck_assert(r.hi.rate - r.lo.rate <= 0.01 * r.lo.rate);
			ck_assert_uint_eq(r.lo.viol, 0);
			ck_assert_uint_ne(r.hi.viol, 0);
			/* log2 steps to bracket plus log2(1/tol) bisections, and a few more */
			ck_assert_int_le(calls, 30);
		}
}
END_TEST

START_TEST(search_limits)
{
	struct cap_result r;
	int calls;
	run(0.001, 1, 0.02, &r, &calls); /* misses even at --min */
	ck_assert_int_eq(r.status, CAP_BELOW_MIN);
	ck_assert_double_eq(r.hi.rate, 0.01);
	run(1e6, 1, 0.02, &r, &calls); /* meets even at --max */
	ck_assert_int_eq(r.status, CAP_AT_MAX);
	ck_assert_double_eq(r.lo.rate, 1000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capsearch");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, slo_parsing);
	tcase_add_test(tc, violations);
	tcase_add_test(tc, search_brackets_the_boundary);
	tcase_add_test(tc, search_limits);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
