/* metrics: the percentiles met_summarize reports equal GSL's quantiles of the
 * fully sorted values, for any input order, ties and small counts (it selects
 * order statistics instead of sorting). */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "sim/core/metrics.h"

static double sorted_q(const double *v, size_t n, double f)
{
	double *c = malloc(n * sizeof *c);
	memcpy(c, v, n * sizeof *c);
	gsl_sort(c, 1, n);
	double q = gsl_stats_quantile_from_sorted_data(c, 1, n, f);
	free(c);
	return q;
}

/* e2e of request i is e2e_ns[i] (arrival 0, first token at 1 ns) */
static void check_pattern(const int64_t *e2e_ns, size_t n)
{
	struct sim_req *r = calloc(n, sizeof *r);
	double *want = malloc(n * sizeof *want);
	for (size_t i = 0; i < n; i++) {
		r[i].state = RS_FINISHED;
		r[i].generated = 1;
		r[i].first_admit_ns = 0;
		r[i].first_token_ns = 1;
		r[i].finish_ns = e2e_ns[i];
		want[i] = (double)e2e_ns[i] / 1e9;
	}
	struct metrics m;
	met_init(&m, 100, 0);
	struct sched_stats st = { 0 };
	struct summary o;
	ck_assert_int_eq(met_summarize(&m, r, n, &st, 1, &o), 0);
	struct summary o2; /* the second thread's half: the same bits */
	ck_assert_int_eq(met_summarize(&m, r, n, &st, 2, &o2), 0);
	ck_assert(memcmp(&o, &o2, sizeof o) == 0);
	ck_assert(o.e2e_p50_s == sorted_q(want, n, 0.50));
	ck_assert(o.e2e_p90_s == sorted_q(want, n, 0.90));
	ck_assert(o.e2e_p99_s == sorted_q(want, n, 0.99));
	met_free(&m);
	free(r);
	free(want);
}

START_TEST(percentiles_match_full_sort)
{
	size_t sizes[] = { 1, 2, 3, 4, 5, 7, 10, 11, 100, 101, 1000, 4099 };
	uint64_t s = 12345;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t n = sizes[k];
		int64_t *v = malloc(n * sizeof *v);
		for (int pat = 0; pat < 5; pat++) {
			for (size_t i = 0; i < n; i++) {
				s = s * 6364136223846793005u + 1442695040888963407u;
				switch (pat) {
				case 0:
					v[i] = 10 + (int64_t)i;
					break; /* sorted */
				case 1:
					v[i] = 10 + (int64_t)(n - i);
					break; /* reversed */
				case 2:
					v[i] = 10 + (int64_t)(s >> 40);
					break; /* random */
				case 3:
					v[i] = 10 + (int64_t)(s >> 61);
					break; /* many ties */
				default:
					v[i] = 7;
					break; /* all equal */
				}
			}
			check_pattern(v, n);
		}
		free(v);
	}
}
END_TEST

/* Drives m through steps of 1..7 ns with integer states up to t_end. */
static void drive(struct metrics *m, int64_t t_end)
{
	int64_t t = 0;
	for (int k = 0; t < t_end; k++) {
		met_advance(m, t);
		struct met_state st = { .reserved = k % 11,
					.live = k % 5,
					.running = k % 3,
					.waiting = k % 4,
					.overflows = k / 9 };
		met_set(m, &st);
		t += 1 + k % 7;
	}
	ck_assert_int_eq(met_finish(m, t), 0);
}

/* A series longer than its cap merges pairs of windows: every row is the one
 * a run with the coarser window from the start prints, and it never holds
 * more than the cap. */
START_TEST(series_coarsens_exactly)
{
	struct metrics a, b;
	met_init(&a, 10, 4);
	a.max_windows = 8;
	drive(&a, 1000);
	ck_assert_int_eq(a.coarsened, 6); /* 4 ns -> 256 ns windows */
	ck_assert_uint_le(a.n_series, 8);
	met_init(&b, 10, 256);
	drive(&b, 1000);
	ck_assert_int_eq(b.coarsened, 0);
	ck_assert_uint_eq(a.n_series, b.n_series);
	for (size_t i = 0; i < a.n_series; i++) {
		struct met_row x = met_row(&a, i), y = met_row(&b, i);
		ck_assert(x.t_s == y.t_s && x.util_reserved == y.util_reserved);
		ck_assert(x.util_live == y.util_live && x.running == y.running);
		ck_assert(x.waiting == y.waiting && x.overflows == y.overflows);
	}
	met_free(&a);
	met_free(&b);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("metrics", percentiles_match_full_sort, series_coarsens_exactly);
}
