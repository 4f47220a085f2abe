/* gbdt: gradient-boosted regression trees (XGBoost, through its C API) on
 * the same prompt features as s3 and odma (the library is loaded when a gbdt
 * predictor is created: predictors/xgb_dl.h), predicting t = log(1+len), with
 * split-conformal quantiles (predictors/conformal.h): the mean booster is
 * fitted on the proper-training part, a second booster on its absolute
 * residuals gives the spread s, and the calibration slice gives z_q, so
 * len = exp(mu + z_q s) - 1 covers q of held-out requests. uncertainty =
 * the calibrated rank of s; `uncertain` = above predictor.uncertainty_threshold.
 * Training is single-threaded with a fixed seed, so it is deterministic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "predictors/conformal.h"
#include "predictors/linmodel.h"
#include "predictors/predictor.h"
#include "predictors/xgb_dl.h"

struct gbdt {
	int bits, rounds, depth, calib_pct;
	double eta, tau;
	uint64_t seed;
	size_t d;
	BoosterHandle mean, spread;
	struct xgb_api x; /* loaded at create */
	struct conf cal;
	bool trained;
};

static const struct cfg_key gbdt_keys[] = {
	{ "predictor.gbdt_rounds", CFG_INT, "100", 1, 100000, NULL,
	  "gbdt: boosting rounds (trees per booster)" },
	{ "predictor.gbdt_depth", CFG_INT, "6", 1, 20, NULL,
	  "gbdt: maximum tree depth (XGBoost's default)" },
	{ "predictor.gbdt_eta", CFG_REAL, "0.3", 1e-4, 1, NULL,
	  "gbdt: learning rate (XGBoost's default)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int xg_fail(const struct gbdt *g, struct om_err *e, const char *what)
{
	return err_set(e, NULL, 0, NULL, "xgboost: %s: %s", what, g->x.last_error());
}

static int gbdt_create(const struct cfg *c, void **state, struct om_err *e)
{
	struct gbdt *g = calloc(1, sizeof *g);
	if (!g)
		return err_set(e, NULL, 0, NULL, "out of memory");
	g->bits = (int)cfg_int(c, "predictor.hash_bits");
	g->d = feat_dim(g->bits);
	g->rounds = (int)cfg_int(c, "predictor.gbdt_rounds");
	g->depth = (int)cfg_int(c, "predictor.gbdt_depth");
	g->eta = cfg_real(c, "predictor.gbdt_eta");
	g->calib_pct = (int)cfg_int(c, "predictor.calib_pct");
	g->seed = (uint64_t)cfg_int(c, "predictor.seed");
	if (pred_q_tau(c, &g->cal.q, &g->tau, e) < 0 || xgb_open(&g->x, e) < 0) {
		free(g);
		return -1;
	}
	*state = g;
	return 0;
}

static void gbdt_destroy(void *state)
{
	struct gbdt *g = state;
	if (g->mean)
		g->x.booster_free(g->mean);
	if (g->spread)
		g->x.booster_free(g->spread);
	xgb_close(&g->x);
	free(g);
}

/* A DMatrix of rows r (values as floats), labels y (may be NULL). */
static int dmat(const struct gbdt *g, const struct lm_rows *r, const double *y, DMatrixHandle *m,
		struct om_err *e)
{
	size_t nz = r->ptr[r->n];
	float *v = malloc((nz ? nz : 1) * sizeof *v), *fy = malloc((r->n ? r->n : 1) * sizeof *fy);
	int rc = -1;
	if (!v || !fy) {
		rc = err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nz; i++)
		v[i] = (float)r->val[i];
	if (g->x.dmatrix_csr(r->ptr, r->col, v, r->n + 1, nz, r->d, m) != 0) {
		rc = xg_fail(g, e, "building the feature matrix");
		goto out;
	}
	for (size_t i = 0; y && i < r->n; i++)
		fy[i] = (float)y[i];
	if (y && g->x.dmatrix_set_float(*m, "label", fy, r->n) != 0) {
		g->x.dmatrix_free(*m);
		rc = xg_fail(g, e, "setting labels");
		goto out;
	}
	rc = 0;
out:
	free(v);
	free(fy);
	return rc;
}

static int boost(const struct gbdt *g, DMatrixHandle m, BoosterHandle *b, struct om_err *e)
{
	char v[64];
	if (g->x.booster_create(&m, 1, b) != 0)
		return xg_fail(g, e, "creating a booster");
	snprintf(v, sizeof v, "%d", g->depth);
	int bad = g->x.booster_set_param(*b, "max_depth", v);
	snprintf(v, sizeof v, "%.17g", g->eta);
	bad |= g->x.booster_set_param(*b, "eta", v);
	snprintf(v, sizeof v, "%llu", (unsigned long long)(g->seed % 2147483647u));
	bad |= g->x.booster_set_param(*b, "seed", v);
	bad |= g->x.booster_set_param(*b, "objective", "reg:squarederror");
	bad |= g->x.booster_set_param(*b, "tree_method", "exact");
	bad |= g->x.booster_set_param(*b, "nthread", "1");
	bad |= g->x.booster_set_param(*b, "verbosity", "0");
	for (int it = 0; !bad && it < g->rounds; it++)
		bad = g->x.booster_update(*b, it, m);
	return bad ? xg_fail(g, e, "training") : 0;
}

/* Predictions of booster b for every row of m into out. */
static int predict_all(const struct gbdt *g, BoosterHandle b, DMatrixHandle m, double *out,
		       size_t n, struct om_err *e)
{
	bst_ulong len;
	const float *p;
	if (g->x.booster_predict(b, m, 0, 0, 0, &len, &p) != 0 || len != n)
		return xg_fail(g, e, "predicting");
	for (size_t i = 0; i < n; i++)
		out[i] = p[i];
	return 0;
}

struct gb_fit {
	struct lm_rows all, prop, cal;
	DMatrixHandle mp, mc;
	double *y, *res, *mu, *s;
	bool *keep;
};

static void fit_free(const struct gbdt *g, struct gb_fit *t)
{
	if (t->mp)
		g->x.dmatrix_free(t->mp);
	if (t->mc)
		g->x.dmatrix_free(t->mc);
	lm_rows_free(&t->all);
	lm_rows_free(&t->prop);
	lm_rows_free(&t->cal);
	free(t->y), free(t->res), free(t->mu), free(t->s), free(t->keep);
}

/* Mean and spread boosters on the proper part; calibration on the rest. */
static int fit(struct gbdt *g, const struct pred_sample *smp, size_t n, struct gb_fit *t,
	       struct om_err *e)
{
	size_t np = 0, nc = 0;
	for (size_t i = 0; i < n; i++) {
		t->keep[i] = !conf_is_calib(smp[i].id, g->calib_pct);
		double y = log1p(smp[i].out_tokens > 0 ? smp[i].out_tokens : 0);
		if (t->keep[i])
			t->y[np++] = y;
		else
			t->res[nc++] = y;
	}
	if (np < 2 || nc < 1)
		return err_set(
			e, NULL, 0, NULL,
			"gbdt: %zu training rows leave %zu to fit and %zu to calibrate (predictor.calib_pct = %d)",
			n, np, nc, g->calib_pct);
	if (lm_rows_subset(&t->prop, &t->all, t->keep) < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		t->keep[i] = !t->keep[i];
	if (lm_rows_subset(&t->cal, &t->all, t->keep) < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	if (dmat(g, &t->prop, t->y, &t->mp, e) < 0 || boost(g, t->mp, &g->mean, e) < 0
	    || predict_all(g, g->mean, t->mp, t->mu, np, e) < 0)
		return -1;
	double sum = 0;
	for (size_t i = 0; i < np; i++)
		sum += (t->mu[i] = fabs(t->y[i] - t->mu[i]));
	g->cal.smin = sum > 0 ? 0.25 * sum / (double)np : 1e-9; /* as odma's floor */
	if (g->x.dmatrix_set_float(t->mp, "label", NULL, 0) != 0)
		return xg_fail(g, e, "clearing labels");
	float *fl = malloc(np * sizeof *fl);
	if (!fl)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < np; i++)
		fl[i] = (float)t->mu[i];
	int bad = g->x.dmatrix_set_float(t->mp, "label", fl, np);
	free(fl);
	if (bad)
		return xg_fail(g, e, "setting residual labels");
	if (boost(g, t->mp, &g->spread, e) < 0 || dmat(g, &t->cal, NULL, &t->mc, e) < 0
	    || predict_all(g, g->mean, t->mc, t->mu, nc, e) < 0
	    || predict_all(g, g->spread, t->mc, t->s, nc, e) < 0)
		return -1;
	for (size_t i = 0; i < nc; i++) {
		t->s[i] = conf_spread(&g->cal, t->s[i]);
		t->res[i] = (t->res[i] - t->mu[i]) / t->s[i];
	}
	conf_fit(&g->cal, t->res, t->s, nc);
	return 0;
}

static int gbdt_train(void *state, const struct pred_sample *smp, size_t n, struct om_err *e)
{
	struct gbdt *g = state;
	struct gb_fit t = { 0 };
	size_t m = n ? n : 1;
	t.y = malloc(m * sizeof *t.y);
	t.res = malloc(m * sizeof *t.res);
	t.mu = malloc(m * sizeof *t.mu);
	t.s = malloc(m * sizeof *t.s);
	t.keep = malloc(m * sizeof *t.keep);
	int rc = -1;
	if (!t.y || !t.res || !t.mu || !t.s || !t.keep || lm_rows_init(&t.all, g->d) < 0
	    || lm_rows_from_samples(&t.all, smp, n, g->bits) < 0)
		err_set(e, NULL, 0, NULL, "out of memory");
	else
		rc = fit(g, smp, n, &t, e);
	fit_free(g, &t);
	g->trained = rc == 0;
	return rc;
}

static int save_booster(const struct gbdt *g, FILE *f, const char *name, BoosterHandle b,
			struct om_err *e)
{
	bst_ulong len;
	const char *buf;
	if (g->x.booster_save(b, "{\"format\": \"json\"}", &len, &buf) != 0)
		return xg_fail(g, e, "saving");
	if (memchr(buf, '\n', len))
		return err_set(e, NULL, 0, NULL, "xgboost: saved model is not one line");
	fprintf(f, "booster %s %llu\n", name, (unsigned long long)len);
	fwrite(buf, 1, len, f);
	fputc('\n', f);
	return 0;
}

static int gbdt_save(const void *state, FILE *f, struct om_err *e)
{
	const struct gbdt *g = state;
	if (!g->trained)
		return err_set(e, NULL, 0, NULL, "gbdt: nothing to save (not trained)");
	fprintf(f,
		"odmasim-model gbdt 1\nhash_bits %d\nquantile %.17g\ncalib_pct %d\nrounds %d\ndepth %d\neta %.17g\n",
		g->bits, g->cal.q, g->calib_pct, g->rounds, g->depth, g->eta);
	conf_save(&g->cal, f);
	return save_booster(g, f, "mean", g->mean, e) < 0
			|| save_booster(g, f, "spread", g->spread, e) < 0
		? -1
		: 0;
}

static int load_booster(const struct gbdt *g, FILE *f, const char *origin, long *line,
			const char *name, BoosterHandle *b, struct om_err *e)
{
	char head[128], nm[32];
	unsigned long long len;
	if (!fgets(head, sizeof head, f))
		return err_set(e, origin, *line + 1, name, "file ends; expected 'booster %s LEN'",
			       name);
	++*line;
	if (sscanf(head, "booster %31s %llu", nm, &len) != 2 || strcmp(nm, name) || len == 0
	    || len > (1ull << 31))
		return err_set(e, origin, *line, name, "expected 'booster %s LEN'", name);
	char *buf = malloc(len + 1);
	if (!buf)
		return err_set(e, origin, *line, name, "out of memory");
	int rc = -1;
	++*line;
	if (fread(buf, 1, len, f) != len || fgetc(f) != '\n')
		err_set(e, origin, *line, name, "booster text is shorter than %llu bytes", len);
	else if (g->x.booster_create(NULL, 0, b) != 0 || g->x.booster_load(*b, buf, len) != 0)
		err_set(e, origin, *line, name, "xgboost cannot load it: %s", g->x.last_error());
	else
		rc = g->x.booster_set_param(*b, "nthread", "1") == 0 ? 0 : xg_fail(g, e, "loading");
	free(buf);
	return rc;
}

static int gbdt_load(void *state, FILE *f, const char *origin, struct om_err *e)
{
	struct gbdt *g = state;
	long line = 0;
	char v[64];
	if (pred_read_kv(f, origin, &line, "odmasim-model", v, sizeof v, e) < 0)
		return -1;
	if (strcmp(v, "gbdt 1"))
		return err_set(e, origin, line, "odmasim-model",
			       "expected a gbdt model (version 1), got '%s'", v);
	if (pred_expect_num(f, origin, &line, "hash_bits", g->bits, "predictor.hash_bits", e) < 0
	    || pred_expect_num(f, origin, &line, "quantile", g->cal.q, "predictor.quantile", e) < 0
	    || pred_expect_num(f, origin, &line, "calib_pct", g->calib_pct, "predictor.calib_pct",
			       e)
		    < 0
	    || pred_expect_num(f, origin, &line, "rounds", g->rounds, "predictor.gbdt_rounds", e)
		    < 0
	    || pred_expect_num(f, origin, &line, "depth", g->depth, "predictor.gbdt_depth", e) < 0
	    || pred_expect_num(f, origin, &line, "eta", g->eta, "predictor.gbdt_eta", e) < 0
	    || conf_load(&g->cal, f, origin, &line, e) < 0
	    || load_booster(g, f, origin, &line, "mean", &g->mean, e) < 0
	    || load_booster(g, f, origin, &line, "spread", &g->spread, e) < 0
	    || pred_expect_eof(f, origin, line, e) < 0)
		return -1;
	g->trained = true;
	return 0;
}

/* mu and s of one prompt; false if xgboost fails (then nothing is known). */
static bool mu_s(const struct gbdt *g, const struct pred_sample *smp, double *mu, double *s)
{
	struct feat_vec v;
	feat_extract(smp->text, smp->prompt_tokens, g->bits, &v);
	float x[FEAT_MAX_NNZ];
	for (size_t i = 0; i < v.nnz; i++)
		x[i] = (float)v.val[i];
	size_t ptr[2] = { 0, v.nnz };
	DMatrixHandle m;
	if (g->x.dmatrix_csr(ptr, v.idx, x, 2, v.nnz, g->d, &m) != 0)
		return false;
	bst_ulong len;
	const float *p;
	bool ok = g->x.booster_predict(g->mean, m, 0, 0, 0, &len, &p) == 0 && len == 1;
	if (ok)
		*mu = p[0];
	ok = ok && g->x.booster_predict(g->spread, m, 0, 0, 0, &len, &p) == 0 && len == 1;
	if (ok)
		*s = conf_spread(&g->cal, p[0]);
	g->x.dmatrix_free(m);
	return ok;
}

static int32_t clamp_len(double t)
{
	double len = round(expm1(t > 20 ? 20 : t));
	return len < 1 ? 1 : len > 1e9 ? 1000000000 : (int32_t)len;
}

static void gbdt_predict(const void *state, const struct pred_sample *smp, struct pred_out *out)
{
	const struct gbdt *g = state;
	double mu, s;
	if (!g->trained || !mu_s(g, smp, &mu, &s)) { /* be loud, not wrong */
		*out = (struct pred_out){ 0, INFINITY, -1, true };
		return;
	}
	out->len = clamp_len(mu + g->cal.z * s);
	out->uncertainty = (float)conf_rank(&g->cal, s);
	out->bucket = -1;
	out->uncertain = out->uncertainty > g->tau;
}

static int32_t gbdt_quantile(const void *state, const struct pred_sample *smp, double q)
{
	const struct gbdt *g = state;
	double mu, s;
	if (!g->trained || !mu_s(g, smp, &mu, &s))
		return 0;
	return clamp_len(mu + conf_z(&g->cal, q) * s);
}

const struct pred_ops pred_gbdt = {
	.name = "gbdt",
	.help = "gradient-boosted trees (XGBoost) of log length + spread booster; split-conformal quantiles",
	.keys = gbdt_keys,
	.needs_text = true,
	.create = gbdt_create,
	.destroy = gbdt_destroy,
	.train = gbdt_train,
	.save = gbdt_save,
	.load = gbdt_load,
	.predict = gbdt_predict,
	.quantile = gbdt_quantile,
};
