#include "sim/core/tune_final.h"

#include <stdlib.h>
#include <string.h>

#include "common/ncpu.h"
#include "common/split.h"
#include "predictors/pred_odma.h"

/* Feature entries per prompt reserved up front (as odma's training does):
 * rows within it are never copied by a growing buffer. */
#define TF_NNZ_GUESS 64

struct tf_half {
	const struct pred_sample *s;
	size_t n;
	int bits;
	struct lm_rows r;
	int rc;
};

static void *tf_rows(void *arg)
{
	struct tf_half *h = arg;
	h->rc = lm_rows_expect(&h->r, h->n, h->n * TF_NNZ_GUESS) < 0
			|| lm_rows_from_samples(&h->r, h->s, h->n, h->bits) < 0
		? -1
		: 0;
	return NULL;
}

/* Appends src's rows to dst (both owning their arrays). */
static int tf_append(struct lm_rows *dst, const struct lm_rows *src)
{
	size_t nz = src->ptr[src->n], base = dst->ptr[dst->n];
	if (lm_rows_expect(dst, src->n, nz) < 0)
		return -1;
	memcpy(dst->col + base, src->col, nz * sizeof *src->col);
	memcpy(dst->val + base, src->val, nz * sizeof *src->val);
	for (size_t i = 1; i <= src->n; i++)
		dst->ptr[dst->n + i] = base + src->ptr[i];
	dst->n += src->n;
	dst->nonbin = dst->nonbin || src->nonbin;
	return 0;
}

/* The rows of f->s, the second half computed on a thread. */
static int tf_all_rows(struct tune_final *f, int bits)
{
	size_t d = feat_dim(bits), h = f->n / 2;
	struct tf_half a = { f->s, h, bits, { 0 }, 0 }, b = { f->s + h, f->n - h, bits, { 0 }, 0 };
	if (lm_rows_init(&a.r, d) < 0 || lm_rows_init(&b.r, d) < 0
	    || lm_rows_expect(&a.r, f->n, f->n * TF_NNZ_GUESS) < 0) {
		lm_rows_free(&a.r), lm_rows_free(&b.r);
		return -1;
	}
	pthread_t tid;
	bool two = ncpu_spawn(&tid, tf_rows, &b);
	tf_rows(&a);
	if (two)
		pthread_join(tid, NULL);
	else
		tf_rows(&b);
	int rc = a.rc < 0 || b.rc < 0 || tf_append(&a.r, &b.r) < 0 ? -1 : 0;
	lm_rows_free(&b.r);
	if (rc == 0)
		f->rows = a.r;
	else
		lm_rows_free(&a.r);
	return rc;
}

static void *tf_run(void *arg)
{
	struct tune_final *f = arg;
	f->rc = odma_train_rows(f->h.state, f->s, f->n, &f->rows, &f->e);
	return NULL;
}

static void tf_free(struct tune_final *f)
{
	pred_handle_free(&f->h);
	lm_rows_free(&f->fit);
	lm_rows_free(&f->rows);
	free(f->s);
	f->s = NULL;
}

/* The view of the fit part's rows (split rank >= fit_rank). */
static int tf_fit_view(struct tune_final *f, int fit_rank)
{
	bool *keep = malloc((f->n ? f->n : 1) * sizeof *keep);
	if (!keep)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		keep[i] = split_rank(f->s[i].id) >= fit_rank;
	int rc = lm_rows_select(&f->fit, &f->rows, keep);
	free(keep);
	return rc;
}

void tune_final_start(struct tune_final *f, const struct cfg *c, const struct cfg *scratch,
		      const struct pred_cache *pc, const struct wl_trace *t, int fit_rank)
{
	memset(f, 0, sizeof *f);
	if (!pc || pc->dir || pc->n > 0 || ncpu_threads(cfg_int(c, "run.threads"), 2) < 2
	    || !strcmp(cfg_str(c, "predictor.odma_model"), "gbdt"))
		return;
	struct om_err e = { "" };
	const struct pred_ops *ops = pred_find("odma");
	f->s = malloc((t->n ? t->n : 1) * sizeof *f->s);
	if (!f->s || ops->create(scratch, &f->h.state, &e) < 0) {
		tf_free(f);
		return;
	}
	f->h.ops = ops; /* created: pred_handle_free may destroy it */
	f->n = pred_train_samples(t, (int)cfg_int(c, "predictor.split_test_pct"), f->s);
	f->started = f->n > 0 && tf_all_rows(f, (int)cfg_int(c, "predictor.hash_bits")) == 0
		&& tf_fit_view(f, fit_rank) == 0 && ncpu_spawn(&f->tid, tf_run, f);
	if (!f->started)
		tf_free(f);
}

void tune_final_join(struct tune_final *f, struct pred_handle *fit)
{
	if (!f->started)
		return;
	pthread_join(f->tid, NULL);
	f->started = false;
	if (f->rc == 0) {
		pred_handle_free(fit);
		*fit = f->h;
		f->h = (struct pred_handle){ 0 };
	}
	tf_free(f);
}
