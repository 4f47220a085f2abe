/* itl: weighted nearest-rank quantiles against the expanded, sorted gaps:
 * exact below 2^ITL_SUB_BITS ns, otherwise never below the exact value and
 * less than a factor 1 + 2^-ITL_SUB_BITS above it; the order of additions
 * does not matter. */
#include <math.h>
#include <stdlib.h>

#include "tests/support/tu.h"
#include "sim/core/itl.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 33;
}

/* n groups of random gaps (below `span` ns) and weights 1..4. */
static void check_random(uint64_t seed, size_t n, int64_t span)
{
	int64_t *g = malloc(n * sizeof *g), *w = malloc(n * sizeof *w);
	int64_t *all = malloc(4 * n * sizeof *all);
	size_t m = 0;
	struct itl fwd, rev;
	itl_init(&fwd);
	itl_init(&rev);
	for (size_t i = 0; i < n; i++) {
		g[i] = (int64_t)(next(&seed) % (uint64_t)span);
		w[i] = 1 + (int64_t)(next(&seed) % 4);
		for (int64_t k = 0; k < w[i]; k++)
			all[m++] = g[i];
		itl_add(&fwd, g[i], w[i]);
	}
	for (size_t i = n; i-- > 0;)
		itl_add(&rev, g[i], w[i]);
	qsort(all, m, sizeof *all, cmp_i64);
	ck_assert_int_eq(fwd.n, (int64_t)m);
	const int64_t q[][2] = { { 1, 100 }, { 50, 100 }, { 90, 100 }, { 99, 100 }, { 1, 1 } };
	for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
		size_t rank = (size_t)((m * (size_t)q[k][0] + (size_t)q[k][1] - 1)
				       / (size_t)q[k][1]);
		double exact = (double)all[rank - 1] / 1e9;
		double got = itl_quantile_s(&fwd, q[k][0], q[k][1]);
		ck_assert_double_eq(got, itl_quantile_s(&rev, q[k][0], q[k][1]));
		if (all[rank - 1] < ITL_SUB)
			ck_assert_double_eq(got, exact);
		ck_assert_double_ge(got, exact);
		ck_assert_double_lt(got, exact * (1.0 + 1.0 / ITL_SUB) + 1e-18);
	}
	itl_free(&fwd);
	itl_free(&rev);
	free(g), free(w), free(all);
}

START_TEST(quantiles_within_the_stated_resolution)
{
	check_random(1, 1, 1000);
	check_random(2, 7, 1000);
	check_random(3, 1000, 1000);		 /* all exact */
	check_random(4, 1000, 5000000);		 /* ms-scale gaps, rounded */
	check_random(5, 5000, (int64_t)1 << 40); /* many octaves */
}
END_TEST

START_TEST(empty_is_nan_and_huge_weights_do_not_overflow)
{
	struct itl h;
	itl_init(&h);
	ck_assert(isnan(itl_quantile_s(&h, 50, 100)));
	itl_add(&h, 5, 0); /* no weight, no gap */
	ck_assert(isnan(itl_quantile_s(&h, 50, 100)));
	int64_t big = (int64_t)1 << 60;
	itl_add(&h, 7, big);
	itl_add(&h, 9, big);
	ck_assert_double_eq(itl_quantile_s(&h, 50, 100), 7e-9);
	ck_assert_double_eq(itl_quantile_s(&h, 51, 100), 9e-9);
	itl_free(&h);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("itl_hist", quantiles_within_the_stated_resolution,
			   empty_is_nan_and_huge_weights_do_not_overflow);
}
