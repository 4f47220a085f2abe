/* s3: stand-in for S3's output-length classifier (Jin et al., NeurIPS 2023):
 * K equal-width buckets of bucket_max/K tokens; predicts a bucket and reports
 * its upper edge as the length (what an S3 allocator reserves). S3 used a
 * fine-tuned DistilBERT; here a linear model over the same prompt features as
 * `odma`, so comparisons isolate bucketing and uncertainty, not features.
 * Model choices (predictor.s3_model): softmax = multinomial logistic
 * regression on the bucket label; ridge = ridge regression of log(1+len),
 * then the bucket of the point estimate. uncertainty = 1 - top class
 * probability (softmax) or 0 (ridge); S3 has no uncertainty flag, so
 * `uncertain` is always false. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predictors/featmemo.h"
#include "predictors/linmodel.h"
#include "predictors/predictor.h"

enum {
	S3_SOFTMAX,
	S3_RIDGE
};

struct s3 {
	int32_t K, bmax;
	int bits;
	int model;
	double lambda;
	int maxit, epochs;
	int64_t min_steps; /* passes = min(epochs, ceil(min_steps / rows)), at least 1 */
	bool bfgs;
	double eta, tol;
	uint64_t seed;
	size_t d;
	double *w; /* d x K (softmax) or d (ridge) */
	bool trained;
	struct feat_memo memo; /* the training rows, for predicting them */
};

static const struct cfg_key s3_keys[] = {
	{ "predictor.s3_model", CFG_ENUM, "softmax", 0, -1, "softmax|ridge",
	  "s3: bucket classifier = multinomial logistic regression, or bucket of a ridge log-length estimate" },
	{ "predictor.s3_fit", CFG_ENUM, "adagrad", 0, -1, "adagrad|bfgs",
	  "s3 softmax: fitted by predictor.epochs passes of sparse AdaGrad, or by full-batch BFGS (predictor.max_iter iterations; slow, kept for comparison)" },
	{ "predictor.epochs", CFG_INT, "2", 1, 1000, NULL,
	  "s3 softmax (adagrad): most passes over the training rows" },
	{ "predictor.sgd_min_steps", CFG_INT, "10000", 0, 1000000000, NULL,
	  "s3 softmax (adagrad): passes stop once this many row steps are done (at least one pass, at most predictor.epochs)" },
	{ "predictor.learning_rate", CFG_REAL, "0.03", 1e-6, 100, NULL,
	  "s3 softmax (adagrad): AdaGrad step size" },
	{ "predictor.max_iter", CFG_INT, "50", 1, 100000, NULL,
	  "s3/odma: iteration cap of the fitting loops (BFGS for softmax, conjugate gradients for ridge)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static size_t wsize(const struct s3 *s)
{
	return s->d * (s->model == S3_SOFTMAX ? (size_t)s->K : 1);
}

static int s3_alloc(struct s3 *s, struct om_err *e)
{
	free(s->w);
	s->d = feat_dim(s->bits);
	s->w = calloc(wsize(s), sizeof *s->w);
	return s->w ? 0 : err_set(e, NULL, 0, NULL, "out of memory");
}

static int s3_create(const struct cfg *c, void **state, struct om_err *e)
{
	struct s3 *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, NULL, 0, NULL, "out of memory");
	s->K = (int32_t)cfg_int(c, "predictor.buckets");
	s->bmax = (int32_t)cfg_int(c, "predictor.bucket_max");
	s->bits = (int)cfg_int(c, "predictor.hash_bits");
	s->lambda = cfg_real(c, "predictor.lambda");
	s->maxit = (int)cfg_int(c, "predictor.max_iter");
	s->epochs = (int)cfg_int(c, "predictor.epochs");
	s->min_steps = cfg_int(c, "predictor.sgd_min_steps");
	s->eta = cfg_real(c, "predictor.learning_rate");
	s->tol = cfg_real(c, "predictor.cg_tol");
	s->seed = (uint64_t)cfg_int(c, "predictor.seed");
	s->bfgs = !strcmp(cfg_str(c, "predictor.s3_fit"), "bfgs");
	s->model = strcmp(cfg_str(c, "predictor.s3_model"), "ridge") ? S3_SOFTMAX : S3_RIDGE;
	*state = s;
	return 0;
}

static void s3_destroy(void *state)
{
	struct s3 *s = state;
	free(s->w);
	feat_memo_free(&s->memo);
	free(s);
}

/* Passes of AdaGrad: a large training set reaches its validation quality in
 * one pass, a small one needs more steps (docs/MODEL.md, "softmax"). */
static int s3_passes(const struct s3 *s, size_t n)
{
	int64_t p = n ? (s->min_steps + (int64_t)n - 1) / (int64_t)n : 1;
	return p < 1 ? 1 : p > s->epochs ? s->epochs : (int)p;
}

static int s3_train(void *state, const struct pred_sample *smp, size_t n, struct om_err *e)
{
	struct s3 *s = state;
	if (s3_alloc(s, e) < 0)
		return -1;
	struct lm_rows r;
	double *y = malloc(n * sizeof *y);
	int *lab = malloc(n * sizeof *lab);
	int rc = -1;
	if (!y || !lab || lm_rows_init(&r, s->d) < 0) {
		free(y);
		free(lab);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (lm_rows_from_samples(&r, smp, n, s->bits) < 0) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		lab[i] = pred_bucket_of(smp[i].out_tokens, s->K, s->bmax);
		y[i] = log1p(smp[i].out_tokens > 0 ? smp[i].out_tokens : 0);
	}
	int it = s->model == S3_RIDGE ? lm_ridge(&r, y, NULL, s->lambda, s->maxit, s->tol, s->w)
		: s->bfgs
		? lm_softmax(&r, lab, s->K, s->lambda, s->maxit, s->w)
		: lm_softmax_sgd(&r, lab, s->K, s->lambda, s3_passes(s, n), s->eta, s->seed, s->w);
	if (it < 0) {
		err_set(e, NULL, 0, NULL, "out of memory while fitting");
		goto out;
	}
	s->trained = true;
	feat_memo_keep(&s->memo, &r, smp, n, s->bits);
	rc = 0;
out:
	lm_rows_free(&r);
	free(y);
	free(lab);
	return rc;
}

static int s3_save(const void *state, FILE *f, struct om_err *e)
{
	const struct s3 *s = state;
	if (!s->trained)
		return err_set(e, NULL, 0, NULL, "s3: nothing to save (not trained)");
	fprintf(f, "odmasim-model s3 1\nmodel %s\nbuckets %d\nbucket_max %d\nhash_bits %d\n",
		s->model == S3_SOFTMAX ? "softmax" : "ridge", s->K, s->bmax, s->bits);
	lm_save(f, "w", s->w, s->d, s->model == S3_SOFTMAX ? (size_t)s->K : 1);
	return 0;
}

static int s3_load(void *state, FILE *f, const char *origin, struct om_err *e)
{
	struct s3 *s = state;
	long line = 0;
	char v[64];
	if (pred_read_kv(f, origin, &line, "odmasim-model", v, sizeof v, e) < 0)
		return -1;
	if (strcmp(v, "s3 1"))
		return err_set(e, origin, line, "odmasim-model",
			       "expected an s3 model (version 1), got '%s'", v);
	if (pred_expect_str(f, origin, &line, "model", s->model == S3_SOFTMAX ? "softmax" : "ridge",
			    "predictor.s3_model", e)
	    < 0)
		return -1;
	/* the policy reads K and the bucket width: a mismatch is an error, not an override */
	if (pred_expect_num(f, origin, &line, "buckets", s->K, "predictor.buckets", e) < 0
	    || pred_expect_num(f, origin, &line, "bucket_max", s->bmax, "predictor.bucket_max", e)
		    < 0
	    || pred_expect_num(f, origin, &line, "hash_bits", s->bits, "predictor.hash_bits", e)
		    < 0)
		return -1;
	if (s3_alloc(s, e) < 0)
		return -1;
	if (lm_load(f, origin, &line, "w", s->w, s->d, s->model == S3_SOFTMAX ? (size_t)s->K : 1, e)
	    < 0)
		return -1;
	if (pred_expect_eof(f, origin, line, e) < 0)
		return -1;
	s->trained = true;
	return 0;
}

static void s3_predict(const void *state, const struct pred_sample *smp, struct pred_out *o)
{
	const struct s3 *s = state;
	if (!s->trained) { /* cannot happen via pred_from_cfg: reserve the most */
		*o = (struct pred_out){ pred_bucket_cap(s->K - 1, s->K, s->bmax), 1.0f, s->K - 1,
					false };
		return;
	}
	struct feat_vec v;
	feat_memo_extract(&s->memo, smp->text, smp->prompt_tokens, s->bits, &v);
	if (s->model == S3_SOFTMAX) {
		double p[1000];
		lm_softmax_prob(&v, s->w, s->K, p);
		int best = 0;
		for (int k = 1; k < s->K; k++)
			if (p[k] > p[best])
				best = k;
		o->bucket = best;
		o->uncertainty = (float)(1.0 - p[best]);
	} else {
		double mu = lm_dot_vec(&v, s->w, 1, 0);
		double len = expm1(mu > 20 ? 20 : mu);
		o->bucket = pred_bucket_of((int32_t)ceil(len > 0 ? len : 0), s->K, s->bmax);
		o->uncertainty = 0;
	}
	o->len = pred_bucket_cap(o->bucket, s->K, s->bmax);
	o->uncertain = false;
}

/* The smallest bucket whose cumulative class probability reaches q (softmax);
 * the ridge model has one operating point, its bucket. */
static int32_t s3_quantile(const void *state, const struct pred_sample *smp, double q)
{
	const struct s3 *s = state;
	struct pred_out o;
	s3_predict(state, smp, &o);
	if (!s->trained || s->model != S3_SOFTMAX)
		return o.len;
	struct feat_vec v;
	feat_memo_extract(&s->memo, smp->text, smp->prompt_tokens, s->bits, &v);
	double p[1000], cum = 0;
	lm_softmax_prob(&v, s->w, s->K, p);
	int b = 0;
	for (; b < s->K - 1; b++)
		if ((cum += p[b]) >= q)
			break;
	return pred_bucket_cap(b, s->K, s->bmax);
}

const struct pred_ops pred_s3 = {
	.name = "s3",
	.help = "S3-style classifier over K equal-width length buckets (len = bucket upper edge)",
	.keys = s3_keys,
	.needs_text = true,
	.create = s3_create,
	.destroy = s3_destroy,
	.train = s3_train,
	.save = s3_save,
	.load = s3_load,
	.predict = s3_predict,
	.quantile = s3_quantile,
};
