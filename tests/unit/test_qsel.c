/* qsel: the mean and quantiles it finds in passes are bit for bit those of
 * collecting every value, summing in order and sorting for GSL, on random
 * and adversarial inputs (ties, values a few ulps apart, both signs,
 * subnormals, n = 1 and 2), whether the buffer holds everything or forces
 * narrowing down to single keys; qsel_stats_held on the values held at once
 * gives the same. */
#include <float.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "sim/core/qsel.h"

struct arr {
	const double *v;
	size_t n;
	size_t passes;
};

/* Hands out the array in uneven pieces, so chunking cannot matter. */
static size_t arr_fill(const void *ctx, size_t *cursor, double *buf, size_t cap)
{
	const struct arr *a = ctx;
	size_t k = a->n - *cursor;
	size_t piece = 1 + (*cursor * 7 + 3) % 97;
	if (k > cap)
		k = cap;
	if (k > piece)
		k = piece;
	if (*cursor == 0)
		((struct arr *)(uintptr_t)ctx)->passes++;
	memcpy(buf, a->v + *cursor, k * sizeof *buf);
	*cursor += k;
	return k;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static const double F[] = { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 };
/* the same out of order: ranks that fall back as well as climb */
static const double F_MIXED[] = { 0.99, 0.0, 1.0, 0.5, 0.999, 0.9 };
enum {
	NF = sizeof F / sizeof F[0],
	N = 20000 /* values in the big cases */
};

/* qsel on v[0..n) with buffer cap equals the reference, bit for bit. */
static void check_f(const double *v, size_t n, size_t cap, const double *f)
{
	double want_mean = NAN, want[NF];
	double *s = malloc((n ? n : 1) * sizeof *s);
	ck_assert_ptr_nonnull(s);
	memcpy(s, v, n * sizeof *s);
	if (n) {
		double sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += v[i];
		want_mean = sum / (double)n;
	}
	qsort(s, n, sizeof *s, cmp_d);
	for (int i = 0; i < NF; i++)
		want[i] = n ? gsl_stats_quantile_from_sorted_data(s, 1, n, f[i]) : NAN;
	free(s);
	struct arr a = { v, n, 0 };
	struct qsel_src src = { arr_fill, &a };
	double mean, q[NF];
	size_t count;
	ck_assert_int_eq(qsel_stats(&src, f, NF, cap, &count, &mean, q), 0);
	ck_assert_uint_eq(count, n);
	ck_assert_int_eq(isnan(mean), isnan(want_mean));
	if (n)
		ck_assert_mem_eq(&mean, &want_mean, sizeof mean);
	for (int i = 0; i < NF; i++) {
		if (!n) {
			ck_assert(isnan(q[i]));
			continue;
		}
		if (memcmp(&q[i], &want[i], sizeof q[i]) != 0)
			ck_abort_msg("n %zu cap %zu f %g: %.17g, want %.17g", n, cap, f[i], q[i],
				     want[i]);
	}
	/* the values held at once: the same answers */
	double *h = malloc((n ? n : 1) * sizeof *h);
	ck_assert_ptr_nonnull(h);
	memcpy(h, v, n * sizeof *h);
	ck_assert_int_eq(qsel_stats_held(h, n, f, NF, &mean, q), 0);
	free(h);
	ck_assert_int_eq(isnan(mean), isnan(want_mean));
	if (n)
		ck_assert_mem_eq(&mean, &want_mean, sizeof mean);
	for (int i = 0; i < NF; i++) {
		if (!n)
			ck_assert(isnan(q[i]));
		else if (memcmp(&q[i], &want[i], sizeof q[i]) != 0)
			ck_abort_msg("held: n %zu f %g: %.17g, want %.17g", n, f[i], q[i], want[i]);
	}
}

static void check(const double *v, size_t n, size_t cap)
{
	check_f(v, n, cap, F);
	check_f(v, n, cap, F_MIXED);
}

static void check_caps(const double *v, size_t n)
{
	check(v, n, 64);
	check(v, n, 1000);
	check(v, n, n + 64);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

START_TEST(small_and_empty)
{
	double v[3] = { 2.5, -1.0, 0.0 };
	check(v, 0, 64);
	check(v, 1, 64);
	check(v, 2, 64);
	check(v, 3, 64);
	double same[2] = { 7.0, 7.0 };
	check(same, 2, 64);
}
END_TEST

START_TEST(random_and_adversarial)
{
	double *v = malloc(N * sizeof *v);
	ck_assert_ptr_nonnull(v);
	uint64_t s = 0x1234567u;
	for (int kind = 0; kind < 8; kind++) {
		for (size_t i = 0; i < N; i++) {
			uint64_t x = rnd(&s);
			switch (kind) {
			case 0: /* latencies: positive, spread */
				v[i] = (double)(x % 100000000000u) / 1e9;
				break;
			case 1: /* heavy ties */
				v[i] = (double)(x % 5);
				break;
			case 2: /* a few ulps apart: narrowing to single keys */
				v[i] = nextafter(1.0, 2.0) + (double)(x % 9) * DBL_EPSILON;
				break;
			case 3: /* both signs, zeros, subnormals, huge */
				v[i] = (x % 4 == 0)    ? 0.0
					: (x % 4 == 1) ? -(double)(x >> 20) * 1e-310
					: (x % 4 == 2) ? (double)(x >> 11) * 1e280
						       : -(double)(x % 1000) / 7.0;
				break;
			case 4: /* ascending */
				v[i] = (double)i * 0.001;
				break;
			case 5: /* descending */
				v[i] = (double)(N - i) * 0.001;
				break;
			case 6: /* all equal */
				v[i] = 0.125;
				break;
			default: /* one crowded value among spread ones */
				v[i] = x % 3 ? 3.0 : (double)(x % 1000000) / 1e3;
				break;
			}
		}
		check_caps(v, N);
		check_caps(v, 1 + (size_t)(rnd(&s) % 300));
	}
	free(v);
}
END_TEST

/* The formula qsel evaluates is GSL's own, for any size and fraction. */
START_TEST(gsl_formula_matches)
{
	uint64_t s = 99;
	double v[257];
	for (size_t n = 1; n <= 257; n++) {
		for (size_t i = 0; i < n; i++)
			v[i] = (double)(rnd(&s) % 1000) / 3.0;
		qsort(v, n, sizeof *v, cmp_d);
		for (int t = 0; t < 20; t++) {
			double f = t < 19 ? (double)(rnd(&s) % 10001) / 10000.0 : 1.0;
			size_t lhs = (size_t)(int)(f * (double)(n - 1));
			double got = qsel_gsl_quantile(v[lhs], lhs + 1 < n ? v[lhs + 1] : NAN, n,
						       f);
			double want = gsl_stats_quantile_from_sorted_data(v, 1, n, f);
			ck_assert_mem_eq(&got, &want, sizeof got);
		}
	}
}
END_TEST

/* A crowded neighbourhood costs passes, never memory beyond the cap: with
 * 64 held at most, 20000 values a few ulps apart still resolve. */
START_TEST(narrowing_takes_passes)
{
	double *v = malloc(N * sizeof *v);
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < N; i++)
		v[i] = 1.0 + (double)(i * 7919 % N) * DBL_EPSILON;
	struct arr a = { v, N, 0 };
	struct qsel_src src = { arr_fill, &a };
	double mean, q[NF];
	size_t count;
	ck_assert_int_eq(qsel_stats(&src, F, NF, 64, &count, &mean, q), 0);
	ck_assert_uint_gt(a.passes, 2);
	a.passes = 0;
	ck_assert_int_eq(qsel_stats(&src, F, NF, N, &count, &mean, q), 0);
	ck_assert_uint_eq(a.passes, 2); /* count, then collect */
	free(v);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("qsel", small_and_empty, random_and_adversarial, gsl_formula_matches,
			   narrowing_takes_passes);
}
