/* Inter-token latency percentiles on runs whose gaps are known by
 * construction, with the fast path (leaps) on and off. On the tiny device an
 * iteration takes 1000 ns of weights + 1 ns per KV token (under 2^10 ns of
 * difference, so the histogram is exact here): a request of prompt P alone
 * waits 1000 + P + j - 1 ns for its token j >= 2. */
#include <math.h>
#include <stdlib.h>

#include "sim/core/engine.h"
#include "workload/workload.h"
#include "tests/support/tu.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The ceil(n p / 100)-th smallest of v (sorted in place), in seconds. */
static double nearest_rank(int64_t *v, size_t n, int p)
{
	qsort(v, n, sizeof *v, cmp_i64);
	size_t rank = (n * (size_t)p + 99) / 100;
	return (double)v[rank - 1] / 1e9;
}

static void check_pcts(const struct summary *s, int64_t *gaps, size_t n)
{
	ck_assert_double_eq(s->itl_p50_s, nearest_rank(gaps, n, 50));
	ck_assert_double_eq(s->itl_p90_s, nearest_rank(gaps, n, 90));
	ck_assert_double_eq(s->itl_p99_s, nearest_rank(gaps, n, 99));
}

/* Every gap of every completed request counted once. */
static void check_weight(const struct run_result *r)
{
	int64_t want = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->reqs[i].state == RS_FINISHED)
			want += r->reqs[i].generated - 1;
	ck_assert_int_eq(r->met.itl.n, want);
}

/* Runs t on the tiny device with `extra` settings, invariants checked, the
 * fast path on or off. */
static void run_tiny(const struct wl_trace *t, const char *const *extra, size_t n, bool fast,
		     struct run_result *r)
{
	const char *sets[32] = { TINY_DEVICE };
	size_t k = 0;
	while (sets[k])
		k++;
	ck_assert_uint_le(k + n + 3, 32);
	for (size_t i = 0; i < n; i++)
		sets[k++] = extra[i];
	sets[k++] = "run.sample_interval_s=0";
	sets[k++] = "run.check_invariants=true";
	sets[k++] = fast ? "run.fast_path=true" : "run.fast_path=false";
	tu_run_sets(sets, (int)k, t, r);
}

/* Requests of prompt 10 and 101 output tokens spaced 1 ms apart, so each
 * runs alone: 100 gaps each, 1011 .. 1110 ns. */
START_TEST(alone_gaps_by_hand)
{
	const char *extra[] = { "policy.max_model_len=128", "workload.arrival=trace" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	int64_t gaps[300];
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		trace_push(&t, i, (int64_t)i * 1000000, 10, 101, NULL, 0, &e);
		for (int j = 2; j <= 101; j++)
			gaps[n++] = 1000 + 10 + j - 1;
	}
	for (int fast = 0; fast < 2; fast++) {
		struct run_result r;
		run_tiny(&t, extra, 2, fast, &r);
		ck_assert_int_eq(r.sum.requests_completed, 3);
		check_weight(&r);
		check_pcts(&r.sum, gaps, n);
		ck_assert_double_eq(r.sum.itl_p50_s, 1060e-9);
		ck_assert_double_eq(r.sum.itl_p99_s, 1109e-9);
		run_result_free(&r);
	}
	trace_free(&t);
}
END_TEST

/* Two requests of prompt 10 at t = 0 (regions of 64), outputs 21 and 51:
 * both decode together until the first finishes (each of its gaps twice, at
 * 1000 + 2 (10 + j - 1) ns), then the second alone (1000 + 10 + j - 1). */
START_TEST(shared_iterations_weigh_every_request)
{
	const char *extra[] = { "policy.max_model_len=64", "workload.arrival=offline" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	trace_push(&t, 1, 0, 10, 21, NULL, 0, &e);
	trace_push(&t, 2, 0, 10, 51, NULL, 0, &e);
	int64_t gaps[100];
	size_t n = 0;
	for (int j = 2; j <= 51; j++) {
		if (j <= 21) {
			gaps[n++] = 1000 + 2 * (10 + j - 1);
			gaps[n++] = 1000 + 2 * (10 + j - 1);
		} else {
			gaps[n++] = 1000 + 10 + j - 1;
		}
	}
	for (int fast = 0; fast < 2; fast++) {
		struct run_result r;
		run_tiny(&t, extra, 2, fast, &r);
		ck_assert_int_eq(r.sum.requests_completed, 2);
		check_weight(&r);
		check_pcts(&r.sum, gaps, n);
		run_result_free(&r);
	}
	trace_free(&t);
}
END_TEST

/* With preemption by recompute (three requests in a pool for two, paged),
 * a resumed request's gap spans its wait: still one gap per token after the
 * first, and the same percentiles with and without leaps. */
START_TEST(preempted_gaps_fast_and_slow_agree)
{
	const char *extra[] = { "policy.name=paged", "policy.block_size=16",
				"policy.max_model_len=128", "workload.arrival=offline" };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	for (int i = 0; i < 3; i++)
		trace_push(&t, i + 1, 0, 30, 40, NULL, 0, &e);
	double p[2][3];
	for (int fast = 0; fast < 2; fast++) {
		struct run_result r;
		run_tiny(&t, extra, 4, fast, &r);
		ck_assert_int_eq(r.sum.preemptions, 2);
		check_weight(&r);
		/* the longest gap is a resumed request's: more than 10 iterations */
		ck_assert_double_gt(itl_quantile_s(&r.met.itl, 1, 1), 10 * 1000e-9);
		p[fast][0] = r.sum.itl_p50_s;
		p[fast][1] = r.sum.itl_p90_s;
		p[fast][2] = r.sum.itl_p99_s;
		run_result_free(&r);
	}
	trace_free(&t);
	for (int k = 0; k < 3; k++)
		ck_assert_double_eq(p[0][k], p[1][k]);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("itl", alone_gaps_by_hand, shared_iterations_weigh_every_request,
			   preempted_gaps_fast_and_slow_agree);
}
