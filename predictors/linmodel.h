/* linmodel: linear models over sparse feature rows, fitted with GSL.
 *  - ridge: minimises (1/n) sum w_i (x_i.b - y_i)^2 + lambda |b|^2 (bias not
 *    penalised) by conjugate gradients on the normal equations (gsl_vector,
 *    gsl_blas), written in centred coordinates (an exact change of variables
 *    that keeps the optimum) and preconditioned by their dense block
 *    (exactly, through its Cholesky factor) and diagonal; cost per
 *    iteration is one pass over the non-zeros.
 *  - softmax: multinomial logistic regression over K classes, minimising the
 *    mean cross-entropy + lambda |B|^2 with GSL's BFGS minimiser
 *    (gsl_multimin_fdfminimizer_vector_bfgs2), or by sparse AdaGrad epochs.
 * Both are deterministic: no randomness, fixed iteration order. */
#ifndef OM_LINMODEL_H
#define OM_LINMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "predictors/features.h"

/* Rows in compressed sparse row form. */
struct lm_rows {
	size_t n, d;
	size_t *ptr; /* n + 1 */
	uint32_t *col;
	double *val;
	size_t cap, pcap;
	/* Some entry at a column >= FEAT_NDENSE is not 1.0. While false (hashed
	 * features are binary), the ridge kernel adds those entries' weights
	 * without multiplying: the same sums, fewer loads. */
	bool nonbin;
	/* NULL, or a view (lm_rows_select): row k is the borrowed arrays' row
	 * sel[k]; only sel is the view's own. Ridge fits, lm_dot and
	 * lm_rows_subset read views; the softmax fits do not. */
	uint32_t *sel;
};

int lm_rows_init(struct lm_rows *r, size_t d);
int lm_rows_push(struct lm_rows *r, const struct feat_vec *v);
/* Room for `rows` more rows of `nnz` entries in all, reserved at once: rows
 * pushed within it are never copied by a growing buffer, and memory reserved
 * but never written costs no page. */
int lm_rows_expect(struct lm_rows *r, size_t rows, size_t nnz);
void lm_rows_free(struct lm_rows *r);
/* out = the rows i of r with keep[i], in order (out is initialised here). */
int lm_rows_subset(struct lm_rows *out, const struct lm_rows *r, const bool *keep);

/* out = a view of the rows i of r with keep[i], in order: the same rows as
 * lm_rows_subset's copy without copying them (out borrows r's arrays, or
 * the arrays r borrows when r is a view: they must outlive it). */
int lm_rows_select(struct lm_rows *out, const struct lm_rows *r, const bool *keep);

/* x_i . b for row i; b has r->d entries (stride `stride`, offset k). */
double lm_dot(const struct lm_rows *r, size_t i, const double *b, size_t stride, size_t k);
double lm_dot_vec(const struct feat_vec *v, const double *b, size_t stride, size_t k);

/* Fits b (d entries). `w` (n weights) may be NULL = all ones. Stops when the
 * residual norm of the centred system falls below tol x the norm of its
 * right-hand side, or after maxit iterations. Returns the number of CG iterations used, or -1 on OOM. */
int lm_ridge(const struct lm_rows *r, const double *y, const double *w, double lambda, int maxit,
	     double tol, double *b);
/* The same fit started from b0 (d entries; NULL = zeros), stopping at the
 * same residual norm: a start near the optimum saves iterations. b0 may
 * alias b. */
int lm_ridge_from(const struct lm_rows *r, const double *y, const double *w, double lambda,
		  int maxit, double tol, const double *b0, double *b);
/* lm_ridge_from for y, then for y2 from zeros into b2: two
 * targets on the same rows, weights and penalty share the column means and
 * the preconditioner. Returns the second fit's iterations, or -1. */
int lm_ridge_pair(const struct lm_rows *r, const double *y, const double *y2, const double *w,
		  double lambda, int maxit, double tol, const double *b0, double *b, double *b2);

/* Fits B (d x K, row-major) for labels in [0,K). Returns iterations or -1. */
int lm_softmax(const struct lm_rows *r, const int *label, int K, double lambda, int maxit,
	       double *B);

/* The same objective fitted by `epochs` passes of AdaGrad over the rows in
 * a seeded random order (step eta / sqrt(sum of squared gradients)); the
 * L2 term is applied lazily to the weights a row touches. Cost per epoch is
 * one pass over the non-zeros x K. Returns epochs run or -1 on OOM. */
int lm_softmax_sgd(const struct lm_rows *r, const int *label, int K, double lambda, int epochs,
		   double eta, uint64_t seed, double *B);

/* Class probabilities for one vector (p has K entries). */
void lm_softmax_prob(const struct feat_vec *v, const double *B, int K, double *p);

/* Weight tables as text: "weights NAME d k" then one line "index w..." per
 * row that has a non-zero entry, then "end". Loading checks every field and
 * names file and line on error. */
void lm_save(FILE *f, const char *name, const double *B, size_t d, size_t k);
int lm_load(FILE *f, const char *origin, long *line, const char *name, double *B, size_t d,
	    size_t k, struct om_err *e);

struct pred_sample;
/* Appends the feature rows of n samples (prompt text + prompt tokens). */
int lm_rows_from_samples(struct lm_rows *r, const struct pred_sample *s, size_t n, int hash_bits);

#endif
