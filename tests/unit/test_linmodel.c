/* linmodel: the ridge solver (preconditioned conjugate gradients in centred
 * coordinates) reaches the optimum a direct solve of the normal equations
 * gives, with and without row weights, from zero and from a warm start. */
#include <gsl/gsl_linalg.h>
#include <math.h>

#include "tests/support/tu.h"
#include "common/rng.h"
#include "predictors/linmodel.h"

enum {
	N = 60,
	D = FEAT_NDENSE + 12
};

/* A small problem: bias, two dense columns, sparse binary hashed columns
 * (each row holds a few, some columns common, so the means are far from 0). */
static void make_rows(struct lm_rows *r, double *y, double *w)
{
	static struct feat_vec v;
	ck_assert_int_eq(lm_rows_init(r, D), 0);
	uint64_t s = 7;
	for (int i = 0; i < N; i++) {
		v.nnz = 0;
		v.idx[v.nnz] = 0, v.val[v.nnz++] = 1.0;
		double a = (double)(i % 7) / 3.0;
		v.idx[v.nnz] = 1, v.val[v.nnz++] = 1.0 + a;
		v.idx[v.nnz] = 2, v.val[v.nnz++] = (1.0 + a) * (1.0 + a);
		double t = 2.0 + 0.5 * a;
		for (uint32_t j = FEAT_NDENSE; j < D; j++) {
			s = rng_mix64(s + j);
			if (j < FEAT_NDENSE + 3 ? (s & 3) != 0 : (s & 7) == 0) {
				v.idx[v.nnz] = j, v.val[v.nnz++] = 1.0;
				t += 0.1 * (double)(j % 5) - 0.2;
			}
		}
		lm_rows_push(r, &v);
		y[i] = t + 0.05 * (double)((s >> 20) % 11) - 0.25;
		w[i] = 0.5 + (double)(i % 3);
	}
}

/* b = argmin (1/n) sum w_i (x_i.b - y_i)^2 + lambda |b_1..|^2, directly. */
static void direct(const struct lm_rows *r, const double *y, const double *w, double lambda,
		   double *b)
{
	gsl_matrix *A = gsl_matrix_calloc(D, D);
	gsl_vector *rhs = gsl_vector_calloc(D), *x = gsl_vector_alloc(D);
	gsl_permutation *p = gsl_permutation_alloc(D);
	for (size_t i = 0; i < r->n; i++) {
		double wi = (w ? w[i] : 1.0) / (double)r->n;
		for (size_t a = r->ptr[i]; a < r->ptr[i + 1]; a++) {
			*gsl_vector_ptr(rhs, r->col[a]) += wi * r->val[a] * y[i];
			for (size_t c = r->ptr[i]; c < r->ptr[i + 1]; c++)
				*gsl_matrix_ptr(A, r->col[a], r->col[c]) += wi * r->val[a]
					* r->val[c];
		}
	}
	for (size_t j = 1; j < D; j++)
		*gsl_matrix_ptr(A, j, j) += lambda;
	int sg;
	gsl_linalg_LU_decomp(A, p, &sg);
	gsl_linalg_LU_solve(A, p, rhs, x);
	for (size_t j = 0; j < D; j++)
		b[j] = gsl_vector_get(x, j);
	gsl_matrix_free(A), gsl_vector_free(rhs), gsl_vector_free(x), gsl_permutation_free(p);
}

START_TEST(ridge_reaches_direct_optimum)
{
	struct lm_rows r;
	double y[N], w[N], want[D], got[D], warm[D];
	make_rows(&r, y, w);
	for (int wt = 0; wt < 2; wt++) {
		const double *wp = wt ? w : NULL;
		direct(&r, y, wp, 1e-3, want);
		int it = lm_ridge(&r, y, wp, 1e-3, 1000, 1e-12, got);
		ck_assert_int_gt(it, 0);
		for (int j = 0; j < D; j++)
			ck_assert_double_eq_tol(got[j], want[j], 1e-7 * (1 + fabs(want[j])));
		/* from a perturbed start: the same optimum */
		for (int j = 0; j < D; j++)
			warm[j] = want[j] + 0.3 * (double)((j % 3) - 1);
		ck_assert_int_ge(lm_ridge_from(&r, y, wp, 1e-3, 1000, 1e-12, warm, got), 0);
		for (int j = 0; j < D; j++)
			ck_assert_double_eq_tol(got[j], want[j], 1e-7 * (1 + fabs(want[j])));
		/* started at the optimum: (almost) nothing left to do */
		ck_assert_int_le(lm_ridge_from(&r, y, wp, 1e-3, 1000, 1e-6, want, got), 1);
	}
	lm_rows_free(&r);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("linmodel", ridge_reaches_direct_optimum);
}
