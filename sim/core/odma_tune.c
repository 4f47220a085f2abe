#include "sim/core/odma_tune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/odma_bounds.h"
#include "common/split.h"
#include "predictors/pred_odma.h"
#include "predictors/predictor.h"
#include "sim/core/experiment.h"
#include "sim/core/pred_setup.h"
#include "sim/core/tune_final.h"
#include "workload/workload.h"

#define OT_VALID_PCT 20 /* width of the validation slice, percent of ids */
#define OT_MIN_ROWS 20	/* below this many rows in either part: no tuning */

/* What `auto` means where the tuning does not apply: the values odma used
 * before it tuned (the uncertainty flag on about 10% of requests). */
#define OT_Q_UNTUNED "0.9"
#define OT_TAU_UNTUNED "0.9"
#define OT_ORIGIN_TUNED "odma validation slice"
#define OT_ORIGIN_AUTO "auto"

static const double ot_q[] = { 0.5, 0.6, 0.7, 0.8, 0.9 };
static const double ot_tau_pct[] = { 0.5, 0.75, 0.9, 0.95, 0.99 };
#define OT_NQ (sizeof ot_q / sizeof ot_q[0])
#define OT_NT (sizeof ot_tau_pct / sizeof ot_tau_pct[0] + 1) /* + never flag */

struct ot_slice {
	struct pred_sample *fit, *val;
	size_t nfit, nval;
	int32_t bounds[64]; /* the classes odma would learn from the fit lengths */
	int k;
	int32_t max_len; /* policy.max_model_len */
	int32_t *pred;	 /* [OT_NQ][nval] */
	float *unc;	 /* [OT_NQ][nval] */
	double tau[OT_NQ][OT_NT];
};

static int cmp_f(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Expected reserved token-iterations of one request under the engineered
 * policy's rules (sim/policy/pol_odma.c): its region (prompt + class) is held
 * while it decodes; the class is the smallest covering min(prediction, top
 * class), or the top class if uncertain; each overflow moves it up the class
 * ladder (to the output limit beyond the top), a copy of the region counted
 * as 2 token-iterations per token held (read + write). Relocation is charged
 * on every move: growing in place is not predictable here. */
static double ot_cost(const struct ot_slice *sl, const struct pred_sample *s, int32_t pred,
		      bool uncertain)
{
	double p = s->prompt_tokens, len = s->out_tokens;
	int32_t top = sl->bounds[sl->k - 1], out = uncertain || pred > top ? top : pred;
	int c = 0;
	while (c < sl->k - 1 && sl->bounds[c] < out)
		c++;
	double cost = 0, done = 0;
	for (;;) {
		double cap = c < sl->k ? sl->bounds[c] : sl->max_len - p;
		if (len <= cap || c == sl->k)
			return cost + (p + cap) * (len - done);
		cost += (p + cap) * (cap - done) + 2.0 * (p + cap);
		done = cap;
		c++;
	}
}

/* Trains one predictor on the fit rows and fills, for every q of the grid,
 * its predictions of the validation rows (pred[qi][i]) and their
 * uncertainties (unc[qi][i]). The fit does not depend on q (only the
 * conformal z does, kept for every q on a 1/200 grid that holds every ot_q
 * exactly), so one training serves the whole grid through pred_ops.quantile:
 * the same lengths as one predictor trained per q. */
static int ot_predict(struct cfg *tmp, const struct ot_slice *sl, struct lm_rows *rows,
		      int32_t *pred, float *unc, struct pred_handle *keep, struct om_err *e)
{
	char set[64];
	snprintf(set, sizeof set, "[predictor]\nquantile = %.17g\n", ot_q[OT_NQ - 1]);
	struct pred_handle h = { .ops = pred_find("odma") };
	if (cfg_load_string(tmp, set, "odma tuning grid", CFG_LVL_DERIVED, e) < 0
	    || cfg_check(tmp, e) < 0 || h.ops->create(tmp, &h.state, e) < 0)
		return -1;
	/* rows: the fit part's feature rows computed with the final training's
	 * (tune_final.h), when there are rows for exactly these samples */
	int rc = rows && rows->n == sl->nfit ? odma_train_rows(h.state, sl->fit, sl->nfit, rows, e)
					     : h.ops->train(h.state, sl->fit, sl->nfit, e);
	for (size_t i = 0; rc == 0 && i < sl->nval; i++) {
		struct pred_sample s = sl->val[i];
		s.out_tokens = -1; /* predicting: the label stays with the scorer */
		struct pred_out o;
		int32_t len[OT_NQ - 1];
		if (h.ops->quantiles) { /* one featurisation for the grid and o */
			h.ops->quantiles(h.state, &s, ot_q, OT_NQ - 1, len, &o);
		} else {
			h.ops->predict(h.state, &s, &o);
			for (size_t qi = 0; qi + 1 < OT_NQ; qi++)
				len[qi] = h.ops->quantile(h.state, &s, ot_q[qi]);
		}
		for (size_t qi = 0; qi < OT_NQ; qi++) {
			pred[qi * sl->nval + i] = qi + 1 < OT_NQ ? len[qi] : o.len;
			unc[qi * sl->nval + i] = o.uncertainty;
		}
	}
	if (rc == 0)
		*keep = h;
	else
		pred_handle_free(&h);
	return rc;
}

/* A scratch copy of c (q and tau as given, then resolved) whose
 * predictor.quantile can be set again and again at the derived layer. */
static struct cfg *ot_scratch(const struct cfg *c, struct om_err *e)
{
	char *text = cfg_write_string(c, e);
	if (!text)
		return NULL;
	struct cfg *t = cfg_new();
	if (!t || exp_declare_keys(t, e) < 0
	    || cfg_load_string(t, text, "odma tuning copy", CFG_LVL_FILE, e) < 0
	    || odma_tune_resolve(t, e) < 0) {
		cfg_free(t);
		t = NULL;
	}
	free(text);
	return t;
}

/* The classes odma starts from when it learns them from these lengths
 * (common/odma_bounds.h, with the policy's own keys). */
static int ot_bounds(const struct cfg *c, struct ot_slice *sl, const int32_t *lens,
		     struct om_err *e)
{
	if (sl->k > (int)(sizeof sl->bounds / sizeof sl->bounds[0]))
		return cfg_fail(c, "policy.odma_classes", e, "too many classes to tune");
	struct ob_learner l;
	if (ob_init(&l, sl->max_len, (int32_t)cfg_int(c, "policy.odma_bin"),
		    sl->nfit ? sl->nfit : 1)
	    < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < sl->nfit; i++)
		ob_add(&l, lens[i]);
	enum ob_weight w = strcmp(cfg_str(c, "policy.odma_objective"), "tokens") ? OB_TOKEN_TIME
										 : OB_TOKENS;
	int rc = ob_learn(&l, sl->k, w, cfg_real(c, "policy.odma_overflow_cap"), sl->bounds);
	ob_free(&l);
	if (rc < 0)
		sl->k = 0; /* cannot learn: no tuning (odma's own create reports why) */
	return 0;
}

/* Splits the train part of t into fit and validation rows; sets the top class. */
static int ot_slice_build(const struct cfg *c, const struct wl_trace *t, struct ot_slice *sl,
			  struct om_err *e)
{
	int test_pct = (int)cfg_int(c, "predictor.split_test_pct");
	size_t n = t->n ? t->n : 1;
	struct pred_sample *all = malloc(n * sizeof *all);
	sl->fit = malloc(n * sizeof *sl->fit);
	sl->val = malloc(n * sizeof *sl->val);
	int32_t *lens = malloc(n * sizeof *lens);
	if (!all || !sl->fit || !sl->val || !lens) {
		free(all), free(lens);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	size_t m = pred_train_samples(t, test_pct, all);
	for (size_t i = 0; i < m; i++) {
		if (split_rank(all[i].id) < test_pct + OT_VALID_PCT)
			sl->val[sl->nval++] = all[i];
		else
			lens[sl->nfit] = all[i].out_tokens, sl->fit[sl->nfit++] = all[i];
	}
	sl->max_len = (int32_t)cfg_int(c, "policy.max_model_len");
	sl->k = (int)cfg_int(c, "policy.odma_classes");
	int rc = ot_bounds(c, sl, lens, e);
	free(all), free(lens);
	return rc;
}

/* Candidate thresholds: percentiles of the slice's uncertainties, then 1
 * (flag nothing). */
static int ot_taus(struct ot_slice *sl, size_t qi, struct om_err *e)
{
	float *u = malloc(sl->nval * sizeof *u);
	if (!u)
		return err_set(e, NULL, 0, NULL, "out of memory");
	memcpy(u, sl->unc + qi * sl->nval, sl->nval * sizeof *u);
	qsort(u, sl->nval, sizeof *u, cmp_f);
	for (size_t j = 0; j + 1 < OT_NT; j++)
		sl->tau[qi][j] = u[(size_t)(ot_tau_pct[j] * (double)(sl->nval - 1))];
	sl->tau[qi][OT_NT - 1] = 1; /* scores are calibrated ranks in [0, 1]: flag nothing */
	free(u);
	return 0;
}

/* The (q, tau) of least total cost; ties keep the earlier (smaller q, tau). */
static void ot_best(const struct ot_slice *sl, size_t *bq, size_t *bt)
{
	double best = -1;
	for (size_t qi = 0; qi < OT_NQ; qi++)
		for (size_t ti = 0; ti < OT_NT; ti++) {
			double cost = 0;
			for (size_t i = 0; i < sl->nval; i++) {
				size_t at = qi * sl->nval + i;
				cost += ot_cost(sl, &sl->val[i], sl->pred[at],
						sl->unc[at] > sl->tau[qi][ti]);
			}
			if (best < 0 || cost < best) {
				best = cost;
				*bq = qi;
				*bt = ti;
			}
		}
}

static bool ot_applies(const struct cfg *c)
{
	return !strcmp(cfg_str(c, "policy.name"), "odma")
		&& !strcmp(cfg_str(c, "policy.odma_variant"), "engineered")
		&& !strcmp(cfg_str(c, "policy.odma_tune"), "validation")
		&& !strcmp(cfg_str(c, "predictor.name"), "odma")
		&& !cfg_str(c, "predictor.model_file")[0] && cfg_is_word(c, "predictor.quantile")
		&& cfg_is_word(c, "predictor.uncertainty_threshold");
}

int odma_tune_resolve(struct cfg *c, struct om_err *e)
{
	static const char *const key[2] = { "quantile", "uncertainty_threshold" };
	static const char *const val[2] = { OT_Q_UNTUNED, OT_TAU_UNTUNED };
	for (int i = 0; i < 2; i++) {
		char full[64], text[96];
		snprintf(full, sizeof full, "predictor.%s", key[i]);
		snprintf(text, sizeof text, "[predictor]\n%s = %s\n", key[i], val[i]);
		if (cfg_is_word(c, full)
		    && cfg_load_string(c, text, OT_ORIGIN_AUTO, CFG_LVL_DERIVED, e) < 0)
			return -1;
	}
	return cfg_check(c, e);
}

bool odma_tuned(const struct cfg *c)
{
	/* the origin of a loaded value carries its line: "<origin>:<line>" */
	return !strncmp(cfg_origin(c, "predictor.quantile"), OT_ORIGIN_TUNED,
			strlen(OT_ORIGIN_TUNED));
}

bool odma_tune_describe(const struct cfg *c, char *buf, size_t n)
{
	const char *p = cfg_str(c, "predictor.name");
	if (strcmp(p, "odma") && strcmp(p, "gbdt"))
		return false; /* the only predictors that read q and tau */
	const char *how = "as given";
	if (odma_tuned(c))
		how = "chosen on the validation slice";
	else if (cfg_is_word(c, "predictor.quantile")
		 || cfg_is_word(c, "predictor.uncertainty_threshold"))
		how = "auto resolved to 0.9: no tuning";
	snprintf(buf, n, "%s: quantile %g, tau %g (%s)", p, cfg_real(c, "predictor.quantile"),
		 cfg_real(c, "predictor.uncertainty_threshold"), how);
	return true;
}

/* Chooses (q, tau) and leaves the tuning's trained predictor in *keep;
 * starts the final training beside it where tune_final_start does. */
static int ot_search(struct cfg *c, const struct wl_trace *t, struct pred_cache *pc,
		     struct ot_slice *sl, struct tune_final *fin, struct pred_handle *keep,
		     struct om_err *e)
{
	struct cfg *tmp = ot_scratch(c, e);
	if (tmp)
		tune_final_start(fin, c, tmp, pc, t,
				 (int)cfg_int(c, "predictor.split_test_pct") + OT_VALID_PCT);
	sl->pred = malloc(OT_NQ * sl->nval * sizeof *sl->pred);
	sl->unc = malloc(OT_NQ * sl->nval * sizeof *sl->unc);
	int rc = -1;
	if (!tmp || !sl->pred || !sl->unc) {
		if (tmp)
			err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (ot_predict(tmp, sl, fin->started ? &fin->fit : NULL, sl->pred, sl->unc, keep, e) < 0)
		goto out;
	for (size_t qi = 0; qi < OT_NQ; qi++)
		if (ot_taus(sl, qi, e) < 0)
			goto out;
	size_t bq = 0, bt = 0;
	ot_best(sl, &bq, &bt);
	char text[160];
	snprintf(text, sizeof text, "[predictor]\nquantile = %g\nuncertainty_threshold = %.9g\n",
		 ot_q[bq], sl->tau[bq][bt]);
	rc = cfg_load_string(c, text, OT_ORIGIN_TUNED, CFG_LVL_DERIVED, e) < 0
			|| cfg_check(c, e) < 0
		? -1
		: 0;
out:
	cfg_free(tmp);
	return rc;
}

int odma_tune(struct cfg *c, struct pred_cache *pc, struct om_err *e)
{
	if (pc)
		pred_cache_set_warm(pc, NULL, NULL); /* none from an earlier config */
	if (!ot_applies(c))
		return 0;
	char path[4096];
	const char *tt = cfg_str(c, "predictor.train_trace");
	if (tt[0] ? wl_resolve(c, "predictor.train_trace", tt, path, sizeof path, e) < 0
		  : wl_trace_path(c, path, sizeof path, e) < 0)
		return -1;
	if (!path[0])
		return 0; /* no trace: pred_from_cfg says what is missing */
	const struct wl_trace *t = NULL;
	struct ot_slice sl = { 0 };
	struct pred_cache own = { 0 };
	struct tune_final fin = { 0 };
	int rc = pred_train_trace(c, pc ? pc : &own, path, &t, e);
	if (rc == 0)
		rc = ot_slice_build(c, t, &sl, e);
	struct pred_handle fit = { 0 };
	if (rc == 0 && sl.nfit >= OT_MIN_ROWS && sl.nval >= OT_MIN_ROWS && sl.k > 0) {
		rc = ot_search(c, t, pc, &sl, &fin, &fit, e);
		tune_final_join(&fin, &fit);
	}
	/* the final training (same trace, every train row) reads this fit's
	 * feature rows, or takes over the final fit made beside the search */
	if (rc == 0 && fit.ops && pc)
		pred_cache_set_warm(pc, &fit, path);
	pred_handle_free(&fit);
	if (rc < 0)
		err_wrap(e, "choosing odma's quantile and tau on the validation slice");
	free(sl.fit), free(sl.val), free(sl.pred), free(sl.unc);
	pred_cache_free(&own);
	return rc;
}
