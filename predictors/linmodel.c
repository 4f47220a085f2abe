#include "predictors/linmodel.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/decparse.h"
#include "common/rng.h"
#include "predictors/predictor.h"

int lm_rows_init(struct lm_rows *r, size_t d)
{
	memset(r, 0, sizeof *r);
	r->d = d;
	r->ptr = malloc(sizeof *r->ptr * 1024);
	if (!r->ptr)
		return -1;
	r->ptr[0] = 0;
	r->pcap = 1024;
	return 0;
}

/* Capacity for cap entries and pcap - 1 rows (never shrinks). */
static int lm_rows_grow(struct lm_rows *r, size_t cap, size_t pcap)
{
	if (cap > r->cap) {
		uint32_t *c = realloc(r->col, cap * sizeof *c);
		if (!c)
			return -1;
		r->col = c;
		double *x = realloc(r->val, cap * sizeof *x);
		if (!x)
			return -1;
		r->val = x;
		r->cap = cap;
	}
	if (pcap > r->pcap) {
		size_t *p = realloc(r->ptr, pcap * sizeof *p);
		if (!p)
			return -1;
		r->ptr = p;
		r->pcap = pcap;
	}
	return 0;
}

/* Room for one more row of nnz entries. */
static int lm_rows_reserve(struct lm_rows *r, size_t nnz)
{
	size_t nz = r->ptr[r->n], nc = r->cap, np = r->pcap;
	if (nz + nnz > nc) {
		nc = nc ? nc * 2 : 1 << 16;
		while (nc < nz + nnz)
			nc *= 2;
	}
	if (r->n + 2 > np)
		np *= 2;
	return lm_rows_grow(r, nc, np);
}

int lm_rows_expect(struct lm_rows *r, size_t rows, size_t nnz)
{
	return lm_rows_grow(r, r->ptr[r->n] + nnz, r->n + rows + 1);
}

int lm_rows_push(struct lm_rows *r, const struct feat_vec *v)
{
	if (lm_rows_reserve(r, v->nnz) < 0)
		return -1;
	size_t nz = r->ptr[r->n];
	memcpy(r->col + nz, v->idx, v->nnz * sizeof *v->idx);
	memcpy(r->val + nz, v->val, v->nnz * sizeof *v->val);
	for (size_t j = 0; j < v->nnz && !r->nonbin; j++)
		r->nonbin = v->idx[j] >= FEAT_NDENSE && v->val[j] != 1.0;
	r->ptr[++r->n] = nz + v->nnz;
	return 0;
}

void lm_rows_free(struct lm_rows *r)
{
	if (!r->sel) {
		free(r->ptr);
		free(r->col);
		free(r->val);
	}
	free(r->sel);
	memset(r, 0, sizeof *r);
}

/* Row k's entries [*a, *b) in r's arrays. */
static inline void row_span(const struct lm_rows *r, size_t k, size_t *a, size_t *b)
{
	size_t i = r->sel ? r->sel[k] : k;
	*a = r->ptr[i];
	*b = r->ptr[i + 1];
}

double lm_dot(const struct lm_rows *r, size_t i, const double *b, size_t stride, size_t k)
{
	double s = 0;
	size_t a, e;
	row_span(r, i, &a, &e);
	for (size_t j = a; j < e; j++)
		s += r->val[j] * b[(size_t)r->col[j] * stride + k];
	return s;
}

double lm_dot_vec(const struct feat_vec *v, const double *b, size_t stride, size_t k)
{
	double s = 0;
	for (size_t j = 0; j < v->nnz; j++)
		s += v->val[j] * b[(size_t)v->idx[j] * stride + k];
	return s;
}

/* The first entry in [a, b) at a column >= FEAT_NDENSE (columns ascend). */
static size_t first_hashed(const struct lm_rows *r, size_t a, size_t b)
{
	while (a < b && r->col[a] < FEAT_NDENSE)
		a++;
	return a;
}

/* The ridge system in centred coordinates. With the bias unpenalised,
 * replacing every other column x_j by x_j - m_j (m_j its weighted mean) and
 * moving m.b into the bias is an exact change of variables: the same
 * objective, the same optimum b. Centred, the bias column is orthogonal to
 * the others, which removes the large eigenvalue the shared mean puts in
 * X^T W X (every hashed column is 0/1, so they all share a positive mean);
 * conjugate gradients then need far fewer iterations. X is never centred
 * in memory: (x_i - m).p = x_i.p - m.p, and X~^T z = X^T z - m sum(z). */
struct ridge_sys {
	const struct lm_rows *r;
	const double *w; /* NULL = all ones */
	double lambda;
	double *m; /* d column means (m[0] = 0: the bias stays) */
	/* n: row i's dense entries (its first hashed one is ptr + nd[i]), found
	 * once per fit instead of in every product; NULL = search them */
	uint8_t *nd;
};

/* out = (X~^T W X~ / n + lambda P) p, with P = I except the bias entry.
 * With binary hashed entries (!r->nonbin) their products 1.0 * x are the x
 * themselves, so skipping them changes no bit of the result. */
/* s + p[c[0]] + p[c[1]] + ... added in that order (unrolled by hand: the
 * compiler does not unroll at -O2, and a binary row is mostly this loop). */
static inline double sum_at(const double *p, const uint32_t *c, size_t n, double s)
{
	size_t j = 0;
	for (; j + 4 <= n; j += 4)
		s = s + p[c[j]] + p[c[j + 1]] + p[c[j + 2]] + p[c[j + 3]];
	for (; j < n; j++)
		s += p[c[j]];
	return s;
}

/* o[c[j]] += z for the n distinct columns c (unrolled by hand). */
static inline void add_at(double *o, const uint32_t *c, size_t n, double z)
{
	size_t j = 0;
	for (; j + 4 <= n; j += 4) {
		o[c[j]] += z;
		o[c[j + 1]] += z;
		o[c[j + 2]] += z;
		o[c[j + 3]] += z;
	}
	for (; j < n; j++)
		o[c[j]] += z;
}

/* o[c] += x * z for the entries (c, x) in [a, b) of r: a binary hashed
 * entry adds z itself (1.0 * z is z), without the product. */
static inline void scatter_entries(const struct lm_rows *r, size_t a, size_t b, double *o, double z)
{
	size_t h = r->nonbin ? b : first_hashed(r, a, b);
	for (size_t j = a; j < h; j++)
		o[r->col[j]] += r->val[j] * z;
	add_at(o, r->col + h, b - h, z);
}

static void normal_mul(const struct ridge_sys *S, const gsl_vector *p, gsl_vector *out)
{
	const struct lm_rows *r = S->r;
	const double *w = S->w, *m = S->m;
	gsl_vector_set_zero(out);
	double inv = 1.0 / (double)r->n;
	const double *pd = p->data;
	double *od = out->data;
	const uint32_t *col = r->col;
	double mu = 0, zsum = 0;
	const uint8_t *nd = r->nonbin ? NULL : S->nd;
	for (size_t j = 1; j < r->d; j++)
		mu += m[j] * pd[j];
	for (size_t i = 0; i < r->n; i++) {
		size_t a, b;
		row_span(r, i, &a, &b);
		size_t h = nd ? a + nd[i] : r->nonbin ? b : first_hashed(r, a, b);
		double s = -mu;
		for (size_t j = a; j < h; j++)
			s += r->val[j] * pd[col[j]];
		s = sum_at(pd, col + h, b - h, s);
		double z = w ? s * inv * w[i] : s * inv; /* s * inv * 1.0 is s * inv */
		zsum += z;
		for (size_t j = a; j < h; j++)
			od[col[j]] += r->val[j] * z;
		add_at(od, col + h, b - h, z);
	}
	for (size_t j = 1; j < r->d; j++)
		od[j] += S->lambda * pd[j] - m[j] * zsum;
}

int lm_ridge(const struct lm_rows *r, const double *y, const double *w, double lambda, int maxit,
	     double tol, double *b)
{
	return lm_ridge_from(r, y, w, lambda, maxit, tol, NULL, b);
}

/* m = the weighted column means (bias excluded); -1 on OOM. */
static int ridge_means(struct ridge_sys *S)
{
	const struct lm_rows *r = S->r;
	S->m = calloc(r->d, sizeof *S->m);
	if (!S->m)
		return -1;
	double W = 0;
	for (size_t i = 0; i < r->n; i++) {
		double wi = S->w ? S->w[i] : 1.0;
		size_t a, b;
		row_span(r, i, &a, &b);
		W += wi;
		scatter_entries(r, a, b, S->m, wi);
	}
	S->m[0] = 0;
	for (size_t j = 1; j < r->d; j++)
		S->m[j] = W > 0 ? S->m[j] / W : 0;
	return 0;
}

/* GSL's error handler is one per process: fits on two threads (odma's
 * tuning and final training) swap it under this lock, the one piece of
 * process-wide state, because the library's own setting is process-wide. */
static pthread_mutex_t lm_gsl_handler = PTHREAD_MUTEX_INITIALIZER;

/* The preconditioner: the centred system's dense block (columns below
 * FEAT_NDENSE: bias, log prompt length and its square..., strongly
 * correlated with one another) inverted exactly through its Cholesky
 * factor, and the diagonal elsewhere (hashed columns). */
#define ND FEAT_NDENSE
struct ridge_pre {
	double *dg;    /* d: the diagonal */
	gsl_matrix *L; /* ND x ND Cholesky factor of the dense block; NULL = diagonal */
};

/* Diagonal: sum_i w_i (x_ij - m_j)^2 / n + lambda = (sum_i w_i x_ij^2 -
 * m_j^2 W) / n + lambda (bias: W / n); the dense block likewise, from the
 * columns' true weighted means M (the bias is not centred: its
 * off-diagonal entries are 0). */
static int ridge_pre_init(const struct ridge_sys *S, struct ridge_pre *P)
{
	const struct lm_rows *r = S->r;
	double W = 0, M[ND] = { 0 }, SD[ND][ND] = { { 0 } };
	P->dg = calloc(r->d, sizeof *P->dg);
	P->L = NULL;
	if (!P->dg)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		double wi = S->w ? S->w[i] : 1.0;
		size_t a, b;
		row_span(r, i, &a, &b);
		size_t h = first_hashed(r, a, b);
		W += wi;
		/* a binary hashed entry adds 1.0 * 1.0 * wi = wi */
		size_t hb = r->nonbin ? b : h;
		for (size_t j = a; j < hb; j++)
			P->dg[r->col[j]] += r->val[j] * r->val[j] * wi;
		add_at(P->dg, r->col + hb, b - hb, wi);
		/* the upper triangle only: x_k * x_j rounds as x_j * x_k, so the
		 * lower one is its mirror, bit for bit */
		for (size_t j = a; j < h; j++) {
			M[r->col[j]] += r->val[j] * wi;
			for (size_t k = j; k < h; k++)
				SD[r->col[j]][r->col[k]] += r->val[j] * r->val[k] * wi;
		}
	}
	double inv = 1.0 / (double)r->n;
	P->dg[0] = W * inv;
	for (size_t j = 1; j < r->d; j++)
		P->dg[j] = (P->dg[j] - S->m[j] * S->m[j] * W) * inv + S->lambda;
	for (size_t j = 0; j < r->d; j++)
		if (!(P->dg[j] > 0))
			P->dg[j] = 1;
	if (r->d < ND || !(W > 0))
		return 0;
	P->L = gsl_matrix_alloc(ND, ND);
	if (!P->L)
		return 0; /* the diagonal alone */
	for (size_t j = 0; j < ND; j++)
		for (size_t k = 0; k < j; k++)
			SD[j][k] = SD[k][j];
	for (size_t j = 0; j < ND; j++)
		for (size_t k = 0; k < ND; k++) {
			double v = j == 0 || k == 0 ? (j == k ? W * inv : 0)
						    : (SD[j][k] - M[j] * M[k] / W) * inv;
			gsl_matrix_set(P->L, j, k, v + (j == k && j > 0 ? S->lambda : 0));
		}
	pthread_mutex_lock(&lm_gsl_handler);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int bad = gsl_linalg_cholesky_decomp1(P->L) != GSL_SUCCESS;
	gsl_set_error_handler(old);
	pthread_mutex_unlock(&lm_gsl_handler);
	if (bad) {
		gsl_matrix_free(P->L); /* not positive definite (lambda = 0): diagonal */
		P->L = NULL;
	}
	return 0;
}

/* z = M^-1 res; returns res.z. */
static double ridge_pre_apply(const struct ridge_pre *P, const double *res, double *z, size_t d)
{
	double rz = 0;
	for (size_t j = P->L ? ND : 0; j < d; j++) {
		z[j] = res[j] / P->dg[j];
		rz += res[j] * z[j];
	}
	if (P->L) {
		gsl_vector_const_view rv = gsl_vector_const_view_array(res, ND);
		gsl_vector_view zv = gsl_vector_view_array(z, ND);
		gsl_linalg_cholesky_solve(P->L, &rv.vector, &zv.vector);
		for (size_t j = 0; j < ND; j++)
			rz += res[j] * z[j];
	}
	return rz;
}

/* Preconditioned conjugate gradients on A x = res (res holds rhs - A x on
 * entry). */
static int ridge_cg(const struct ridge_sys *S, const struct ridge_pre *P, gsl_vector *x,
		    gsl_vector *res, gsl_vector *p, gsl_vector *ap, double bnorm, int maxit,
		    double tol)
{
	size_t d = S->r->d;
	double *zv = malloc(d * sizeof *zv);
	if (!zv)
		return -1;
	double rz = ridge_pre_apply(P, res->data, zv, d), rr;
	memcpy(p->data, zv, d * sizeof *zv);
	gsl_blas_ddot(res, res, &rr);
	int it;
	for (it = 0; it < maxit && rr > tol * tol * bnorm && rr > 0; it++) {
		normal_mul(S, p, ap);
		double pap;
		gsl_blas_ddot(p, ap, &pap);
		if (pap <= 0)
			break;
		double alpha = rz / pap;
		gsl_blas_daxpy(alpha, p, x);
		gsl_blas_daxpy(-alpha, ap, res);
		double rz2 = ridge_pre_apply(P, res->data, zv, d);
		for (size_t j = 0; j < d; j++)
			p->data[j] = zv[j] + rz2 / rz * p->data[j];
		rz = rz2;
		gsl_blas_ddot(res, res, &rr);
	}
	free(zv);
	return it;
}

/* What a fit on rows r with weights w and penalty lambda needs whatever
 * its target: the column means, the rows' dense counts and the
 * preconditioner. -1 on OOM. */
static int ridge_setup(struct ridge_sys *S, struct ridge_pre *P)
{
	const struct lm_rows *r = S->r;
	P->dg = NULL;
	P->L = NULL;
	if (ridge_means(S) < 0)
		return -1;
	if (!r->nonbin && (S->nd = malloc(r->n ? r->n : 1)) != NULL)
		for (size_t i = 0; i < r->n; i++) {
			size_t a, e;
			row_span(r, i, &a, &e);
			S->nd[i] = (uint8_t)(first_hashed(r, a, e) - a); /* <= FEAT_NDENSE */
		}
	return ridge_pre_init(S, P);
}

static void ridge_teardown(struct ridge_sys *S, struct ridge_pre *P)
{
	free(S->m);
	free(S->nd);
	free(P->dg);
	gsl_matrix_free(P->L);
}

/* One fit on a set-up system: the target y, the start b0 (NULL = zeros). */
static int ridge_solve(const struct ridge_sys *S, const struct ridge_pre *P, const double *y,
		       int maxit, double tol, const double *b0, double *b)
{
	const struct lm_rows *r = S->r;
	const double *w = S->w;
	size_t d = r->d;
	gsl_vector *x = gsl_vector_calloc(d), *res = gsl_vector_calloc(d), *p = gsl_vector_alloc(d),
		   *ap = gsl_vector_alloc(d);
	int it = -1;
	if (!x || !res || !p || !ap)
		goto out;
	/* rhs = X~^T W y / n */
	double ysum = 0;
	for (size_t i = 0; i < r->n; i++) {
		double z = y[i] * (w ? w[i] : 1.0) / (double)r->n;
		size_t a, e;
		row_span(r, i, &a, &e);
		ysum += z;
		scatter_entries(r, a, e, res->data, z);
	}
	for (size_t j = 1; j < d; j++)
		res->data[j] -= S->m[j] * ysum;
	double bnorm;
	gsl_blas_ddot(res, res, &bnorm);
	if (b0) { /* the start in centred coordinates; tol stays relative to |rhs| */
		memcpy(x->data, b0, d * sizeof *b0);
		for (size_t j = 1; j < d; j++)
			x->data[0] += S->m[j] * b0[j];
		normal_mul(S, x, ap);
		gsl_vector_sub(res, ap);
	}
	it = ridge_cg(S, P, x, res, p, ap, bnorm, maxit, tol);
	memcpy(b, x->data, d * sizeof *b);
	for (size_t j = 1; j < d; j++) /* back from centred coordinates */
		b[0] -= S->m[j] * x->data[j];
out:
	gsl_vector_free(x);
	gsl_vector_free(res);
	gsl_vector_free(p);
	gsl_vector_free(ap);
	return it;
}

int lm_ridge_from(const struct lm_rows *r, const double *y, const double *w, double lambda,
		  int maxit, double tol, const double *b0, double *b)
{
	struct ridge_sys S = { r, w, lambda, NULL, NULL };
	struct ridge_pre P;
	int it = ridge_setup(&S, &P) == 0 ? ridge_solve(&S, &P, y, maxit, tol, b0, b) : -1;
	ridge_teardown(&S, &P);
	return it;
}

int lm_ridge_pair(const struct lm_rows *r, const double *y, const double *y2, const double *w,
		  double lambda, int maxit, double tol, const double *b0, double *b, double *b2)
{
	struct ridge_sys S = { r, w, lambda, NULL, NULL };
	struct ridge_pre P;
	int it = -1;
	if (ridge_setup(&S, &P) == 0) {
		it = ridge_solve(&S, &P, y, maxit, tol, b0, b);
		if (it >= 0)
			it = ridge_solve(&S, &P, y2, maxit, tol, NULL, b2);
	}
	ridge_teardown(&S, &P);
	return it;
}

struct smx {
	const struct lm_rows *r;
	const int *label;
	int K;
	double lambda;
	double *z; /* K scratch */
};

static double smx_fdf(const gsl_vector *B, void *par, gsl_vector *g)
{
	struct smx *s = par;
	const struct lm_rows *r = s->r;
	int K = s->K;
	double f = 0, inv = 1.0 / (double)r->n;
	if (g)
		gsl_vector_set_zero(g);
	for (size_t i = 0; i < r->n; i++) {
		/* feature-major: each feature's K weights are contiguous */
		for (int k = 0; k < K; k++)
			s->z[k] = 0;
		for (size_t j = r->ptr[i]; j < r->ptr[i + 1]; j++) {
			const double *br = B->data + (size_t)r->col[j] * (size_t)K;
			for (int k = 0; k < K; k++)
				s->z[k] += r->val[j] * br[k];
		}
		double mx = -INFINITY;
		for (int k = 0; k < K; k++)
			if (s->z[k] > mx)
				mx = s->z[k];
		double sum = 0;
		for (int k = 0; k < K; k++)
			sum += exp(s->z[k] - mx);
		// cppcheck-suppress invalidFunctionArg ; sum >= 1: the largest z adds exp(0)
		f += (log(sum) + mx - s->z[s->label[i]]) * inv;
		if (!g)
			continue;
		for (int k = 0; k < K; k++)
			s->z[k] = (exp(s->z[k] - mx) / sum - (k == s->label[i])) * inv;
		for (size_t j = r->ptr[i]; j < r->ptr[i + 1]; j++) {
			double *gr = g->data + (size_t)r->col[j] * (size_t)K;
			for (int k = 0; k < K; k++)
				gr[k] += r->val[j] * s->z[k];
		}
	}
	/* L2 on everything but the bias row */
	for (size_t j = (size_t)K; j < B->size; j++) {
		f += s->lambda * B->data[j] * B->data[j];
		if (g)
			g->data[j] += 2 * s->lambda * B->data[j];
	}
	return f;
}

static double smx_f(const gsl_vector *B, void *par)
{
	return smx_fdf(B, par, NULL);
}

static void smx_df(const gsl_vector *B, void *par, gsl_vector *g)
{
	(void)smx_fdf(B, par, g);
}

static void smx_both(const gsl_vector *B, void *par, double *f, gsl_vector *g)
{
	*f = smx_fdf(B, par, g);
}

int lm_softmax(const struct lm_rows *r, const int *label, int K, double lambda, int maxit,
	       double *B)
{
	size_t dim = r->d * (size_t)K;
	struct smx s = { r, label, K, lambda, malloc((size_t)K * sizeof(double)) };
	gsl_vector *x = gsl_vector_calloc(dim);
	gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(
		gsl_multimin_fdfminimizer_vector_bfgs2, dim);
	int it = -1;
	if (!s.z || !x || !m)
		goto out;
	/* start from the class prior in the bias row: a sensible, deterministic point */
	double *cnt = calloc((size_t)K, sizeof *cnt);
	if (!cnt)
		goto out;
	for (size_t i = 0; i < r->n; i++)
		cnt[label[i]] += 1;
	for (int k = 0; k < K; k++)
		x->data[k] = log((cnt[k] + 0.5) / ((double)r->n + 0.5 * K));
	free(cnt);
	gsl_multimin_function_fdf fn = { smx_f, smx_df, smx_both, dim, &s };
	gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1);
	for (it = 0; it < maxit; it++) {
		if (gsl_multimin_fdfminimizer_iterate(m))
			break; /* no further progress possible */
		if (gsl_multimin_test_gradient(m->gradient, 1e-6) == GSL_SUCCESS)
			break;
	}
	memcpy(B, m->x->data, dim * sizeof *B);
out:
	gsl_multimin_fdfminimizer_free(m);
	gsl_vector_free(x);
	free(s.z);
	return it;
}

/* One AdaGrad step on row i: the gradient of its cross-entropy plus the L2
 * term on the rows it touches (lazy regularisation: untouched weights are
 * not decayed, which is what keeps a step sparse). */
/* The AdaGrad update of row i's weights given the K gradients z of the
 * logits; x the entry's value. One accumulator per feature (the sum over its
 * K weights' squared gradients): one square root per non-zero instead of K,
 * same step sizes up to a per-feature constant. */
static inline void sgd_update(double *b, double *Gf, double x, double l2, int K, const double *z,
			      double eta, double *g)
{
	double gg = 0;
	for (int k = 0; k < K; k++) {
		g[k] = x * z[k] + l2 * b[k];
		gg += g[k] * g[k];
	}
	*Gf += gg / K;
	double step = eta / (sqrt(*Gf) + 1e-8);
	for (int k = 0; k < K; k++)
		b[k] -= step * g[k];
}

/* As sgd_update with x = 1.0 (a binary hashed entry): 1.0 * z is z, so the
 * same values without the products. */
static inline void sgd_update1(double *b, double *Gf, double l2, int K, const double *z, double eta,
			       double *g)
{
	double gg = 0;
	for (int k = 0; k < K; k++) {
		g[k] = z[k] + l2 * b[k];
		gg += g[k] * g[k];
	}
	*Gf += gg / K;
	double step = eta / (sqrt(*Gf) + 1e-8);
	for (int k = 0; k < K; k++)
		b[k] -= step * g[k];
}

static void sgd_step(const struct lm_rows *r, size_t i, int label, int K, double lambda, double eta,
		     double *B, double *G, double *z /* 2K scratch */)
{
	size_t a = r->ptr[i], e = r->ptr[i + 1], h = r->nonbin ? e : first_hashed(r, a, e);
	for (int k = 0; k < K; k++)
		z[k] = 0;
	for (size_t j = a; j < h; j++) {
		const double *br = B + (size_t)r->col[j] * (size_t)K;
		for (int k = 0; k < K; k++)
			z[k] += r->val[j] * br[k];
	}
	for (size_t j = h; j < e; j++) {
		const double *br = B + (size_t)r->col[j] * (size_t)K;
		for (int k = 0; k < K; k++)
			z[k] += br[k];
	}
	double mx = z[0], sum = 0;
	for (int k = 1; k < K; k++)
		mx = z[k] > mx ? z[k] : mx;
	for (int k = 0; k < K; k++)
		sum += (z[k] = exp(z[k] - mx));
	for (int k = 0; k < K; k++)
		z[k] = z[k] / sum - (k == label);
	for (size_t j = a; j < h; j++) {
		size_t f = r->col[j];
		sgd_update(B + f * (size_t)K, &G[f], r->val[j], f ? 2 * lambda : 0, K, z, eta,
			   z + K);
	}
	for (size_t j = h; j < e; j++) { /* hashed: never the (unpenalised) bias */
		size_t f = r->col[j];
		sgd_update1(B + f * (size_t)K, &G[f], 2 * lambda, K, z, eta, z + K);
	}
}

int lm_softmax_sgd(const struct lm_rows *r, const int *label, int K, double lambda, int epochs,
		   double eta, uint64_t seed, double *B)
{
	size_t dim = r->d * (size_t)K;
	double *G = calloc(r->d, sizeof *G), *z = malloc(2 * (size_t)K * sizeof *z);
	double *cnt = calloc((size_t)K, sizeof *cnt);
	size_t *perm = malloc((r->n ? r->n : 1) * sizeof *perm);
	gsl_rng *g = rng_stream(seed, "predictor.sgd");
	int rc = -1;
	if (!G || !z || !cnt || !perm || !g)
		goto out;
	memset(B, 0, dim * sizeof *B);
	/* start from the class prior in the bias row, as the BFGS fit did */
	for (size_t i = 0; i < r->n; i++)
		cnt[label[i]] += 1;
	for (int k = 0; k < K; k++)
		B[k] = log((cnt[k] + 0.5) / ((double)r->n + 0.5 * K));
	for (size_t i = 0; i < r->n; i++)
		perm[i] = i;
	for (rc = 0; rc < epochs; rc++) {
		gsl_ran_shuffle(g, perm, r->n, sizeof *perm);
		for (size_t i = 0; i < r->n; i++)
			sgd_step(r, perm[i], label[perm[i]], K, lambda, eta, B, G, z);
	}
out:
	gsl_rng_free(g);
	free(G);
	free(z);
	free(cnt);
	free(perm);
	return rc;
}

void lm_softmax_prob(const struct feat_vec *v, const double *B, int K, double *p)
{
	/* feature-major: each feature's K weights are contiguous; every p[k]
	 * sums its terms in the order lm_dot_vec would */
	for (int k = 0; k < K; k++)
		p[k] = 0;
	for (size_t j = 0; j < v->nnz; j++) {
		const double *br = B + (size_t)v->idx[j] * (size_t)K;
		if (v->val[j] == 1.0) /* a binary hashed entry: 1.0 * x is x */
			for (int k = 0; k < K; k++)
				p[k] += br[k];
		else
			for (int k = 0; k < K; k++)
				p[k] += v->val[j] * br[k];
	}
	double mx = -INFINITY, sum = 0;
	for (int k = 0; k < K; k++)
		if (p[k] > mx)
			mx = p[k];
	for (int k = 0; k < K; k++)
		sum += (p[k] = exp(p[k] - mx));
	for (int k = 0; k < K; k++)
		p[k] /= sum;
}

void lm_save(FILE *f, const char *name, const double *B, size_t d, size_t k)
{
	fprintf(f, "weights %s %zu %zu\n", name, d, k);
	for (size_t i = 0; i < d; i++) {
		bool any = false;
		for (size_t j = 0; j < k && !any; j++)
			any = B[i * k + j] != 0;
		if (!any)
			continue;
		fprintf(f, "%zu", i);
		for (size_t j = 0; j < k; j++)
			fprintf(f, " %.17g", B[i * k + j]);
		fputc('\n', f);
	}
	fprintf(f, "end\n");
}

int lm_load(FILE *f, const char *origin, long *line, const char *name, double *B, size_t d,
	    size_t k, struct om_err *e)
{
	char buf[8192];
	memset(B, 0, d * k * sizeof *B);
	if (!fgets(buf, sizeof buf, f))
		return err_set(e, origin, *line + 1, name, "missing weights table");
	++*line;
	char nm[64];
	size_t fd, fk;
	if (sscanf(buf, "weights %63s %zu %zu", nm, &fd, &fk) != 3 || strcmp(nm, name))
		return err_set(e, origin, *line, name, "expected 'weights %s D K'", name);
	if (fd != d || fk != k)
		return err_set(e, origin, *line, name,
			       "table is %zu x %zu but this configuration needs %zu x %zu", fd, fk,
			       d, k);
	long prev = -1;
	while (fgets(buf, sizeof buf, f)) {
		++*line;
		if (!strcmp(buf, "end\n") || !strcmp(buf, "end"))
			return 0;
		char *p = buf, *end;
		long i = strtol(p, &end, 10);
		if (end == p || i <= prev || (size_t)i >= d)
			return err_set(e, origin, *line, name, "bad or out-of-order row index");
		prev = i;
		p = end;
		for (size_t j = 0; j < k; j++) {
			double x = decparse(p, &end);
			if (end == p || !isfinite(x))
				return err_set(e, origin, *line, name,
					       "weight %zu: not a finite number", j + 1);
			B[(size_t)i * k + j] = x;
			p = end;
		}
		while (*p == ' ' || *p == '\r' || *p == '\n')
			p++;
		if (*p)
			return err_set(e, origin, *line, name, "extra text after %zu weights", k);
	}
	return err_set(e, origin, *line, name, "file ends before 'end'");
}

int lm_rows_subset(struct lm_rows *out, const struct lm_rows *r, const bool *keep)
{
	if (lm_rows_init(out, r->d) < 0)
		return -1;
	out->nonbin = r->nonbin;
	for (size_t i = 0; i < r->n; i++) {
		if (!keep[i])
			continue;
		size_t a, b;
		row_span(r, i, &a, &b);
		size_t nnz = b - a;
		if (lm_rows_reserve(out, nnz) < 0)
			return -1;
		size_t nz = out->ptr[out->n];
		memcpy(out->col + nz, r->col + a, nnz * sizeof *r->col);
		memcpy(out->val + nz, r->val + a, nnz * sizeof *r->val);
		out->ptr[++out->n] = nz + nnz;
	}
	return 0;
}

int lm_rows_select(struct lm_rows *out, const struct lm_rows *r, const bool *keep)
{
	memset(out, 0, sizeof *out);
	size_t m = 0;
	for (size_t i = 0; i < r->n; i++)
		m += keep[i];
	out->sel = malloc((m ? m : 1) * sizeof *out->sel);
	if (!out->sel || r->n >= UINT32_MAX) {
		free(out->sel);
		out->sel = NULL;
		return -1;
	}
	for (size_t i = 0; i < r->n; i++)
		if (keep[i]) /* a view of a view: the stored row */
			out->sel[out->n++] = r->sel ? r->sel[i] : (uint32_t)i;
	out->d = r->d;
	out->ptr = r->ptr;
	out->col = r->col;
	out->val = r->val;
	out->nonbin = r->nonbin;
	return 0;
}

int lm_rows_from_samples(struct lm_rows *r, const struct pred_sample *s, size_t n, int hash_bits)
{
	struct feat_vec *v = malloc(sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		feat_extract(s[i].text, s[i].prompt_tokens, hash_bits, v);
		if (lm_rows_push(r, v) < 0) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}
