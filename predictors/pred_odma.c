/* odma: a lightweight regressor of the output length with an uncertainty
 * score, standing in for ODMA's length predictor. The train part is split
 * (by id hash) into a proper-training part and a calibration slice of
 * predictor.calib_pct percent (split-conformal calibration):
 *  mean:   ridge regression of t(len) on the prompt features, where
 *          t = log(1+len) (model logridge) or t = len (model ridge), fitted
 *          on the proper-training part;
 *  spread: ridge regression of |residual| on the same features, fitted on
 *          cross-fitted residuals (two folds by id hash, each fitted on its
 *          own half, so the spread is not the optimistic in-sample one);
 *  z_q:    the conformal q-quantile of the scores (t - mu) / s on the
 *          calibration slice (the ceil((m+1)q)-th smallest of m), so that
 *          t^-1(mu + z_q s) covers q of exchangeable held-out requests;
 *  len:    t^-1(mu + z_q s) at q = predictor.quantile; any other q through
 *          pred_ops.quantile (z_q on a grid of 1/200 steps, interpolated);
 *  uncertainty: (z_0.9 - z_0.5) s, the calibrated log-ratio of the 90%
 *          quantile to the median (logridge), divided by max(median,1)
 *          (ridge); `uncertain` = uncertainty > predictor.uncertainty_threshold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "predictors/conformal.h"
#include "predictors/featmemo.h"
#include "predictors/linmodel.h"
#include "predictors/pred_odma.h"
#include "predictors/predictor.h"

enum {
	OD_LOGRIDGE,
	OD_RIDGE,
	OD_GBDT /* every operation forwarded to the gbdt predictor */
};

extern const struct pred_ops pred_gbdt;

/* Floor on the spread, as a fraction of the mean absolute cross-fitted
 * residual: a row the spread model calls near-certain must not turn a
 * moderate error into an unbounded calibration score (validation: see
 * docs/MODEL.md#odma). */
#define OD_SFLOOR_FRAC 0.25

/* Feature entries per prompt reserved up front (30 on Alpaca's prompts):
 * more is room never touched, fewer only grows the rows as before. */
#define OD_NNZ_GUESS 64

struct odma {
	int model;
	int bits;
	double lambda, tau, tol;
	int maxit, calib_pct;
	size_t d;
	double *beta, *gamma;
	struct conf cal;
	bool trained;
	void *gb;		/* OD_GBDT: the gbdt predictor's state */
	struct feat_memo wmemo; /* feature rows the next training may read */
	struct feat_memo memo;	/* the training rows, for predicting them */
	/* The calibration slice's scores and spreads (sorted), and a
	 * fingerprint of the samples trained on: what a later training of the
	 * same samples with another q needs to take this fit over (odma_warm). */
	double *cal_sc, *cal_sp;
	size_t cal_m;
	uint64_t fp;
	bool adopted; /* beta, gamma, smin, cal_* taken over from a warm state */
};

static const struct cfg_key odma_keys[] = {
	{ "predictor.odma_model", CFG_ENUM, "logridge", 0, -1, "logridge|ridge|gbdt",
	  "odma: ridge regression of log(1+len) or of len itself, or the gbdt predictor's boosted trees" },
	{ "predictor.quantile", CFG_REAL, "auto", 0.01, 0.999, "auto",
	  "odma: predicted length = this quantile of the (cross-fitted) conditional length distribution; auto = chosen on a validation slice when odma tunes (policy.odma_tune), else 0.9" },
	{ "predictor.calib_pct", CFG_INT, "20", 1, 90, NULL,
	  "odma: percent of the train part (by id hash) held back to calibrate the quantiles (split-conformal)" },
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
	if (pred_q_tau(c, &o->cal.q, &o->tau, e) < 0) {
		free(o);
		return -1;
	}
	const char *mk = cfg_str(c, "predictor.odma_model");
	o->model = !strcmp(mk, "ridge") ? OD_RIDGE : !strcmp(mk, "gbdt") ? OD_GBDT : OD_LOGRIDGE;
	if (o->model == OD_GBDT && pred_gbdt.create(c, &o->gb, e) < 0) {
		free(o);
		return -1;
	}
	o->bits = (int)cfg_int(c, "predictor.hash_bits");
	o->lambda = cfg_real(c, "predictor.lambda");
	o->maxit = (int)cfg_int(c, "predictor.max_iter");
	o->tol = cfg_real(c, "predictor.cg_tol");
	o->calib_pct = (int)cfg_int(c, "predictor.calib_pct");
	*state = o;
	return 0;
}

static void odma_destroy(void *state)
{
	struct odma *o = state;
	if (o->gb)
		pred_gbdt.destroy(o->gb);
	free(o->beta);
	free(o->gamma);
	free(o->cal_sc);
	free(o->cal_sp);
	feat_memo_free(&o->memo);
	feat_memo_free(&o->wmemo);
	free(o);
}

struct od_fit {
	/* all: the samples' rows in their order (owned, or a view); prop: a
	 * view of the proper-training part's rows; half: of each fold's */
	struct lm_rows all, prop, half[2];
	double *y, *yp, *res, *bf, *b0; /* b0: the full fit's start */
	bool *keep;
};

static void fit_free(struct od_fit *t)
{
	lm_rows_free(&t->all);
	lm_rows_free(&t->prop);
	lm_rows_free(&t->half[0]);
	lm_rows_free(&t->half[1]);
	free(t->y), free(t->yp), free(t->res), free(t->bf), free(t->b0), free(t->keep);
}

static int fold_of(int64_t id)
{
	return (int)(rng_mix64((uint64_t)id ^ 0xf01dULL) & 1);
}

/* Mean and spread on the proper-training part (rows of t->prop). */
static int fit_mean_spread(struct odma *o, const struct pred_sample *smp, size_t n,
			   struct od_fit *t)
{
	size_t np = t->prop.n;
	int64_t *pid = malloc((np ? np : 1) * sizeof *pid);
	if (!pid)
		return -1;
	for (size_t i = 0, m = 0; i < n; i++)
		if (!conf_is_calib(smp[i].id, o->calib_pct))
			pid[m++] = smp[i].id;
	int rc = -1;
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < np; i++)
			t->keep[i] = fold_of(pid[i]) == f;
		double *yh = t->res; /* the fold's labels, then overwritten below */
		size_t m = 0;
		for (size_t i = 0; i < np; i++)
			if (t->keep[i])
				yh[m++] = t->yp[i];
		const double *start = f ? t->bf : NULL;
		if (lm_rows_select(&t->half[f], &t->prop, t->keep) < 0
		    || lm_ridge_from(&t->half[f], yh, NULL, o->lambda, o->maxit, o->tol, start,
				     t->bf)
			    < 0)
			goto out;
		/* (fold 1 starts from fold 0's fit: the same target, other rows)
		 * predict the other fold with this fold's model (stash in y of the
		 * rows not kept; res is rebuilt once both folds are done) */
		for (size_t i = 0; i < np; i++)
			if (!t->keep[i])
				t->y[i] = t->yp[i] - lm_dot(&t->prop, i, t->bf, 1, 0);
		/* the mean of the two half fits: where the full fit starts */
		for (size_t j = 0; j < o->d; j++)
			t->b0[j] = f ? t->b0[j] + 0.5 * t->bf[j] : 0.5 * t->bf[j];
	}
	double sum = 0;
	for (size_t i = 0; i < np; i++)
		sum += (t->res[i] = fabs(t->y[i]));
	o->cal.smin = OD_SFLOOR_FRAC * sum / (double)np;
	if (!(o->cal.smin > 0))
		o->cal.smin = 1e-9; /* all residuals zero: any positive floor keeps r/s finite */
	/* mean and spread: the same rows, one setup */
	if (lm_ridge_pair(&t->prop, t->yp, t->res, NULL, o->lambda, o->maxit, o->tol, t->b0,
			  o->beta, o->gamma)
	    < 0)
		goto out;
	rc = 0;
out:
	free(pid);
	return rc;
}

/* The feature rows of the n samples, from the tuning fit's memo where it
 * holds them. */
static int rows_of(const struct odma *o, const struct pred_sample *smp, size_t n, struct lm_rows *r)
{
	if (lm_rows_expect(r, n, n * OD_NNZ_GUESS) < 0)
		return -1;
	if (!o->wmemo.slot)
		return lm_rows_from_samples(r, smp, n, o->bits);
	struct feat_vec *v = malloc(sizeof *v);
	int rc = v ? 0 : -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		feat_memo_extract(&o->wmemo, smp[i].text, smp[i].prompt_tokens, o->bits, v);
		rc = lm_rows_push(r, v);
	}
	free(v);
	return rc;
}

/* What a fit depends on in the samples: ids (the fold and calibration
 * splits), labels, prompt token counts and texts (the features). */
static uint64_t samples_fp(const struct pred_sample *smp, size_t n)
{
	uint64_t h = rng_mix64(n);
	for (size_t i = 0; i < n; i++) {
		const char *t = smp[i].text ? smp[i].text : "";
		h = rng_mix64(h ^ (uint64_t)smp[i].id);
		h = rng_mix64(h ^ (uint64_t)(uint32_t)smp[i].out_tokens);
		h = rng_mix64(h ^ feat_memo_hash(t, strlen(t), smp[i].prompt_tokens));
	}
	return h;
}

/* Keeps the calibration slice's sorted scores and spreads (m of each). */
static int keep_cal(struct odma *o, const double *sc, const double *sp, size_t m)
{
	free(o->cal_sc);
	free(o->cal_sp);
	o->cal_sc = malloc((m ? m : 1) * sizeof *o->cal_sc);
	o->cal_sp = malloc((m ? m : 1) * sizeof *o->cal_sp);
	if (!o->cal_sc || !o->cal_sp)
		return -1;
	memcpy(o->cal_sc, sc, m * sizeof *sc);
	memcpy(o->cal_sp, sp, m * sizeof *sp);
	o->cal_m = m;
	return 0;
}

/* The fit taken over from a warm state trained on these very samples:
 * beta, gamma and the floor are as this training would compute them (the
 * fitting settings are equal, odma_warm checked); only z depends on q, so
 * the calibration is redone at this state's q from the same scores. */
static int train_adopted(struct odma *o, const struct pred_sample *smp, size_t n)
{
	double *sc = malloc((o->cal_m ? o->cal_m : 1) * sizeof *sc);
	double *sp = malloc((o->cal_m ? o->cal_m : 1) * sizeof *sp);
	int rc = sc && sp ? 0 : -1;
	if (rc == 0) {
		memcpy(sc, o->cal_sc, o->cal_m * sizeof *sc);
		memcpy(sp, o->cal_sp, o->cal_m * sizeof *sp);
		conf_fit(&o->cal, sc, sp, o->cal_m);
		o->trained = true;
		feat_memo_free(&o->memo);
		o->memo = o->wmemo; /* the rows of these samples, in order */
		memset(&o->wmemo, 0, sizeof o->wmemo);
		o->fp = samples_fp(smp, n);
	}
	free(sc);
	free(sp);
	return rc;
}

/* Fits beta, gamma and the calibration on t->all, the rows of smp[0..n)
 * in order; keeps them as the memo when t->all owns its arrays. */
static int fit_rows(struct odma *o, const struct pred_sample *smp, size_t n, struct od_fit *t,
		    struct om_err *e)
{
	t->y = malloc((n ? n : 1) * sizeof *t->y);
	t->yp = malloc((n ? n : 1) * sizeof *t->yp);
	t->res = malloc((n ? n : 1) * sizeof *t->res);
	t->keep = malloc((n ? n : 1) * sizeof *t->keep);
	t->bf = malloc(o->d * sizeof *t->bf);
	t->b0 = malloc(o->d * sizeof *t->b0);
	if (!t->y || !t->yp || !t->res || !t->keep || !t->bf || !t->b0)
		return -1;
	size_t np = 0, nc = 0;
	for (size_t i = 0; i < n; i++) {
		t->keep[i] = !conf_is_calib(smp[i].id, o->calib_pct);
		if (t->keep[i])
			t->yp[np++] = fwd(o, smp[i].out_tokens);
		nc += !t->keep[i];
	}
	if (np < 2 || nc < 1)
		return err_set(
			e, NULL, 0, NULL,
			"odma: %zu training rows leave %zu to fit and %zu to calibrate (predictor.calib_pct = %d); need at least 2 and 1",
			n, np, nc, o->calib_pct);
	if (lm_rows_select(&t->prop, &t->all, t->keep) < 0 || fit_mean_spread(o, smp, n, t) < 0)
		return -1;
	/* scores and spreads on the calibration slice (res and y are free again) */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!conf_is_calib(smp[i].id, o->calib_pct))
			continue;
		double s = conf_spread(&o->cal, lm_dot(&t->all, i, o->gamma, 1, 0));
		t->res[m] = (fwd(o, smp[i].out_tokens) - lm_dot(&t->all, i, o->beta, 1, 0)) / s;
		t->y[m++] = s;
	}
	conf_fit(&o->cal, t->res, t->y, m);
	if (keep_cal(o, t->res, t->y, m) < 0)
		return -1;
	o->fp = samples_fp(smp, n);
	o->trained = true;
	if (!t->all.sel) /* the views of it own only their selections */
		feat_memo_keep(&o->memo, &t->all, smp, n, o->bits);
	return 0;
}

/* Trains on the given rows (odma_train_rows) or on rows computed here. */
static int od_train(struct odma *o, const struct pred_sample *smp, size_t n, struct lm_rows *rows,
		    struct om_err *e)
{
	e->msg[0] = 0; /* set below: a failure without a message is memory */
	if (od_alloc(o, e) < 0) {
		if (rows)
			lm_rows_free(rows);
		return -1;
	}
	struct od_fit t = { 0 };
	int rc = 0;
	if (rows) {
		t.all = *rows;
		memset(rows, 0, sizeof *rows);
	} else if (lm_rows_init(&t.all, o->d) < 0 || rows_of(o, smp, n, &t.all) < 0) {
		rc = -1;
	}
	feat_memo_free(&o->wmemo); /* read (or not needed): peak memory */
	if (rc == 0)
		rc = fit_rows(o, smp, n, &t, e);
	if (rc < 0 && !e->msg[0])
		err_set(e, NULL, 0, NULL, "out of memory while fitting");
	fit_free(&t);
	return rc;
}

static int odma_train(void *state, const struct pred_sample *smp, size_t n, struct om_err *e)
{
	struct odma *o = state;
	if (o->gb)
		return pred_gbdt.train(o->gb, smp, n, e);
	if (o->adopted) {
		o->adopted = false;
		if (o->fp == samples_fp(smp, n))
			return train_adopted(o, smp, n) < 0
				? err_set(e, NULL, 0, NULL, "out of memory while fitting")
				: 0;
		/* other samples: fit them (the rows still serve where they match) */
	}
	return od_train(o, smp, n, NULL, e);
}

int odma_train_rows(void *state, const struct pred_sample *s, size_t n, struct lm_rows *rows,
		    struct om_err *e)
{
	struct odma *o = state;
	o->adopted = false;
	return od_train(o, s, n, rows, e);
}

static int odma_save(const void *state, FILE *f, struct om_err *e)
{
	const struct odma *o = state;
	if (o->gb)
		return pred_gbdt.save(o->gb, f, e);
	if (!o->trained)
		return err_set(e, NULL, 0, NULL, "odma: nothing to save (not trained)");
	fprintf(f, "odmasim-model odma 2\nmodel %s\nhash_bits %d\nquantile %.17g\ncalib_pct %d\n",
		o->model == OD_LOGRIDGE ? "logridge" : "ridge", o->bits, o->cal.q, o->calib_pct);
	conf_save(&o->cal, f);
	lm_save(f, "beta", o->beta, o->d, 1);
	lm_save(f, "gamma", o->gamma, o->d, 1);
	return 0;
}

static int odma_load(void *state, FILE *f, const char *origin, struct om_err *e)
{
	struct odma *o = state;
	if (o->gb)
		return pred_gbdt.load(o->gb, f, origin, e);
	long line = 0;
	char v[64];
	if (pred_read_kv(f, origin, &line, "odmasim-model", v, sizeof v, e) < 0)
		return -1;
	if (strcmp(v, "odma 2"))
		return err_set(e, origin, line, "odmasim-model",
			       "expected an odma model (version 2), got '%s'", v);
	/* the quantile is baked into z, the calibration slice into every weight */
	if (pred_expect_str(f, origin, &line, "model",
			    o->model == OD_LOGRIDGE ? "logridge" : "ridge", "predictor.odma_model",
			    e)
		    < 0
	    || pred_expect_num(f, origin, &line, "hash_bits", o->bits, "predictor.hash_bits", e) < 0
	    || pred_expect_num(f, origin, &line, "quantile", o->cal.q, "predictor.quantile", e) < 0
	    || pred_expect_num(f, origin, &line, "calib_pct", o->calib_pct, "predictor.calib_pct",
			       e)
		    < 0
	    || conf_load(&o->cal, f, origin, &line, e) < 0 || od_alloc(o, e) < 0)
		return -1;
	if (lm_load(f, origin, &line, "beta", o->beta, o->d, 1, e) < 0
	    || lm_load(f, origin, &line, "gamma", o->gamma, o->d, 1, e) < 0
	    || pred_expect_eof(f, origin, line, e) < 0)
		return -1;
	o->trained = true;
	return 0;
}

static int32_t clamp_len(double len)
{
	len = round(len);
	return len < 1 ? 1 : len > 1e9 ? 1000000000 : (int32_t)len;
}

/* predict()'s output from the prompt's mean and floored spread. */
static void od_out(const struct odma *o, double mu, double s, struct pred_out *out)
{
	out->len = clamp_len(inv(o, mu + o->cal.z * s));
	out->uncertainty = (float)conf_rank(&o->cal, s);
	out->bucket = -1;
	out->uncertain = out->uncertainty > o->tau;
}

static void odma_predict(const void *state, const struct pred_sample *smp, struct pred_out *out)
{
	const struct odma *o = state;
	if (o->gb) {
		pred_gbdt.predict(o->gb, smp, out);
		return;
	}
	if (!o->trained) { /* cannot happen via pred_from_cfg; be loud, not wrong */
		*out = (struct pred_out){ 0, INFINITY, -1, true };
		return;
	}
	struct feat_vec v;
	feat_memo_extract(&o->memo, smp->text, smp->prompt_tokens, o->bits, &v);
	double mu = lm_dot_vec(&v, o->beta, 1, 0);
	od_out(o, mu, conf_spread(&o->cal, lm_dot_vec(&v, o->gamma, 1, 0)), out);
}

static void odma_quantiles(const void *state, const struct pred_sample *smp, const double *q,
			   size_t nq, int32_t *out, struct pred_out *po)
{
	const struct odma *o = state;
	if (o->gb || !o->trained) {
		for (size_t i = 0; i < nq; i++)
			out[i] = o->gb ? pred_gbdt.quantile(o->gb, smp, q[i]) : 0;
		if (po)
			odma_predict(state, smp, po);
		return;
	}
	struct feat_vec v;
	feat_memo_extract(&o->memo, smp->text, smp->prompt_tokens, o->bits, &v);
	double mu = lm_dot_vec(&v, o->beta, 1, 0);
	double s = conf_spread(&o->cal, lm_dot_vec(&v, o->gamma, 1, 0));
	for (size_t i = 0; i < nq; i++)
		out[i] = clamp_len(inv(o, mu + conf_z(&o->cal, q[i]) * s));
	if (po)
		od_out(o, mu, s, po);
}

static int32_t odma_quantile(const void *state, const struct pred_sample *smp, double q)
{
	int32_t len;
	odma_quantiles(state, smp, &q, 1, &len, NULL);
	return len;
}

/* The next training reads the feature rows `from` kept (e.g. odma's tuning
 * fit, trained on most of these rows) instead of computing them again: the
 * same vectors (featmemo.h). When `from` was fitted on exactly the samples
 * that training gets, with the same fitting settings (not q: only the
 * calibration's z depends on it), its fit is taken over too: the weights
 * that training would compute, so the model does not depend on whether a
 * tuning ran (a run's config.ini, which records the tuned values and so
 * does not tune, reruns byte-identically). Otherwise only the rows: a fit
 * started where `from`'s ended would end elsewhere. */
static void odma_warm(void *state, void *from)
{
	struct odma *o = state;
	struct odma *f = from;
	feat_memo_free(&o->wmemo);
	o->adopted = false;
	if (o->gb || f->gb || f->bits != o->bits || f->model != o->model)
		return;
	o->wmemo = f->memo;
	memset(&f->memo, 0, sizeof f->memo);
	if (!f->trained || !f->cal_sc || f->lambda != o->lambda || f->maxit != o->maxit
	    || f->tol != o->tol || f->calib_pct != o->calib_pct)
		return;
	free(o->beta), free(o->gamma), free(o->cal_sc), free(o->cal_sp);
	o->d = f->d;
	o->beta = f->beta, o->gamma = f->gamma;
	o->cal_sc = f->cal_sc, o->cal_sp = f->cal_sp, o->cal_m = f->cal_m;
	o->cal.smin = f->cal.smin;
	o->fp = f->fp;
	f->beta = f->gamma = f->cal_sc = f->cal_sp = NULL;
	o->adopted = true;
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
	.quantile = odma_quantile,
	.quantiles = odma_quantiles,
	.warm = odma_warm,
};
