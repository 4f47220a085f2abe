/* odma: a lightweight regressor of the output length with an uncertainty
 * score, standing in for ODMA's length predictor.
 *  mean:   ridge regression of t(len) on the prompt features, where
 *          t = log(1+len) (model logridge) or t = len (model ridge);
 *  spread: ridge regression of |residual| on the same features, fitted on
 *          cross-fitted residuals (two folds by id hash, so the spread is not
 *          the optimistic in-sample one);
 *  len:    t^-1(mu + z_q * s), z_q = the q-quantile of the cross-fitted
 *          standardised residuals r/s (predictor.quantile; 0.5 ~ median);
 *  uncertainty: s in log-length units (logridge) or s/max(mu,1) (ridge);
 *          `uncertain` = uncertainty > predictor.uncertainty_threshold. */
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "predictors/linmodel.h"
#include "predictors/predictor.h"

enum {
	OD_LOGRIDGE,
	OD_RIDGE
};

#define OD_SMIN 1e-3 /* floor on the spread so r/s stays finite */

struct odma {
	int model;
	int bits;
	double lambda, q, tau, z;
	int maxit;
	size_t d;
	double *beta, *gamma;
	bool trained;
};

static const struct cfg_key odma_keys[] = {
	{ "predictor.odma_model", CFG_ENUM, "logridge", 0, -1, "logridge|ridge",
	  "odma: ridge regression of log(1+len) or of len itself" },
	{ "predictor.quantile", CFG_REAL, "0.9", 0.01, 0.999, NULL,
	  "odma: predicted length = this quantile of the (cross-fitted) conditional length distribution" },
	{ "predictor.max_iter", CFG_INT, "50", 1, 100000, NULL,
	  "s3/odma: iteration cap of the fitting loops (BFGS for softmax, conjugate gradients for ridge)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static double fwd(const struct odma *o, int32_t len)
{
	double x = len > 0 ? len : 0;
	return o->model == OD_LOGRIDGE ? log1p(x) : x;
}

static double inv(const struct odma *o, double t)
{
	if (o->model == OD_LOGRIDGE)
		return expm1(t > 20 ? 20 : t);
	return t;
}

static int od_alloc(struct odma *o, struct om_err *e)
{
	free(o->beta);
	free(o->gamma);
	o->d = feat_dim(o->bits);
	o->beta = calloc(o->d, sizeof *o->beta);
	o->gamma = calloc(o->d, sizeof *o->gamma);
	return o->beta && o->gamma ? 0 : err_set(e, NULL, 0, NULL, "out of memory");
}

static int odma_create(const struct cfg *c, void **state, struct om_err *e)
{
	struct odma *o = calloc(1, sizeof *o);
	if (!o)
		return err_set(e, NULL, 0, NULL, "out of memory");
	o->model = strcmp(cfg_str(c, "predictor.odma_model"), "ridge") ? OD_LOGRIDGE : OD_RIDGE;
	o->bits = (int)cfg_int(c, "predictor.hash_bits");
	o->lambda = cfg_real(c, "predictor.lambda");
	o->q = cfg_real(c, "predictor.quantile");
	o->tau = cfg_real(c, "predictor.uncertainty_threshold");
	o->maxit = (int)cfg_int(c, "predictor.max_iter");
	*state = o;
	return 0;
}

static void odma_destroy(void *state)
{
	struct odma *o = state;
	free(o->beta);
	free(o->gamma);
	free(o);
}

static double spread(double s)
{
	return s > OD_SMIN ? s : OD_SMIN;
}

static int odma_train(void *state, const struct pred_sample *smp, size_t n, struct om_err *e)
{
	struct odma *o = state;
	if (od_alloc(o, e) < 0)
		return -1;
	struct lm_rows r;
	double *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w),
	       *res = malloc(n * sizeof *res), *bf = malloc(o->d * sizeof *bf);
	int rc = -1;
	if (!y || !w || !res || !bf || lm_rows_init(&r, o->d) < 0) {
		free(y), free(w), free(res), free(bf);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (lm_rows_from_samples(&r, smp, n, o->bits) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++)
		y[i] = fwd(o, smp[i].out_tokens);
	/* cross-fitting: fold f is predicted by a model fitted on the other fold.
	 * Weights 0/2 keep the objective's scale equal to a fit on half the rows. */
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < n; i++)
			w[i] = (int)(rng_mix64((uint64_t)smp[i].id ^ 0xf01dULL) & 1) == f ? 0.0
											  : 2.0;
		if (lm_ridge(&r, y, w, o->lambda, o->maxit, bf) < 0)
			goto oom;
		for (size_t i = 0; i < n; i++)
			if (w[i] == 0.0)
				res[i] = y[i] - lm_dot(&r, i, bf, 1, 0);
	}
	if (lm_ridge(&r, y, NULL, o->lambda, o->maxit, o->beta) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++)
		w[i] = fabs(res[i]);
	if (lm_ridge(&r, w, NULL, o->lambda, o->maxit, o->gamma) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++)
		res[i] /= spread(lm_dot(&r, i, o->gamma, 1, 0));
	gsl_sort(res, 1, n);
	o->z = gsl_stats_quantile_from_sorted_data(res, 1, n, o->q);
	o->trained = true;
	rc = 0;
	goto out;
oom:
	err_set(e, NULL, 0, NULL, "out of memory while fitting");
out:
	lm_rows_free(&r);
	free(y), free(w), free(res), free(bf);
	return rc;
}

static int odma_save(const void *state, FILE *f, struct om_err *e)
{
	const struct odma *o = state;
	if (!o->trained)
		return err_set(e, NULL, 0, NULL, "odma: nothing to save (not trained)");
	fprintf(f, "odmasim-model odma 1\nmodel %s\nhash_bits %d\nquantile %.17g\nz %.17g\n",
		o->model == OD_LOGRIDGE ? "logridge" : "ridge", o->bits, o->q, o->z);
	lm_save(f, "beta", o->beta, o->d, 1);
	lm_save(f, "gamma", o->gamma, o->d, 1);
	return 0;
}

static int odma_load(void *state, FILE *f, const char *origin, struct om_err *e)
{
	struct odma *o = state;
	long line = 0;
	char v[64];
	double x;
	if (pred_read_kv(f, origin, &line, "odmasim-model", v, sizeof v, e) < 0)
		return -1;
	if (strcmp(v, "odma 1"))
		return err_set(e, origin, line, "odmasim-model",
			       "expected an odma model (version 1), got '%s'", v);
	if (pred_expect_str(f, origin, &line, "model",
			    o->model == OD_LOGRIDGE ? "logridge" : "ridge", "predictor.odma_model",
			    e)
	    < 0)
		return -1;
	if (pred_read_num(f, origin, &line, "hash_bits", &x, e) < 0)
		return -1;
	if (x != o->bits)
		return err_set(
			e, origin, line, "hash_bits",
			"model has %g but the configuration says %d (set predictor.hash_bits = %g)",
			x, o->bits, x);
	/* the quantile is baked into z; a different predictor.quantile needs retraining */
	if (pred_read_num(f, origin, &line, "quantile", &x, e) < 0)
		return -1;
	if (fabs(x - o->q) > 1e-12)
		return err_set(e, origin, line, "quantile",
			       "model was calibrated for quantile %g but predictor.quantile is %g",
			       x, o->q);
	if (pred_read_num(f, origin, &line, "z", &o->z, e) < 0)
		return -1;
	if (od_alloc(o, e) < 0)
		return -1;
	if (lm_load(f, origin, &line, "beta", o->beta, o->d, 1, e) < 0
	    || lm_load(f, origin, &line, "gamma", o->gamma, o->d, 1, e) < 0
	    || pred_expect_eof(f, origin, line, e) < 0)
		return -1;
	o->trained = true;
	return 0;
}

static void odma_predict(const void *state, const struct pred_sample *smp, struct pred_out *out)
{
	const struct odma *o = state;
	if (!o->trained) { /* cannot happen via pred_from_cfg; be loud, not wrong */
		*out = (struct pred_out){ 0, INFINITY, -1, true };
		return;
	}
	struct feat_vec v;
	feat_extract(smp->text, smp->prompt_tokens, o->bits, &v);
	double mu = lm_dot_vec(&v, o->beta, 1, 0);
	double s = spread(lm_dot_vec(&v, o->gamma, 1, 0));
	double len = round(inv(o, mu + o->z * s));
	out->len = len < 1 ? 1 : len > 1e9 ? 1000000000 : (int32_t)len;
	double m = inv(o, mu);
	out->uncertainty = (float)(o->model == OD_LOGRIDGE ? s : s / (m > 1 ? m : 1));
	out->bucket = -1;
	out->uncertain = out->uncertainty > o->tau;
}

const struct pred_ops pred_odma = {
	.name = "odma",
	.help = "ridge regressor of log length + spread model; len = predictor.quantile estimate",
	.keys = odma_keys,
	.needs_text = true,
	.create = odma_create,
	.destroy = odma_destroy,
	.train = odma_train,
	.save = odma_save,
	.load = odma_load,
	.predict = odma_predict,
};
