/* tune_final: odma's final training run beside its validation tuning
 * (sim/core/odma_tune.h) on a second thread, when run.threads allows two.
 * The feature rows of every train sample are computed once, half on each
 * thread; the final training fits all of them (exactly as pred_from_cfg's
 * training of the tuned config would: only the conformal z depends on q,
 * and odma's warm redoes it), while the tuning fits a view of the rows of
 * its fit part. Neither changes a result: the rows are the vectors
 * feat_extract gives, each fit sums them in the same order. */
#ifndef OM_TUNE_FINAL_H
#define OM_TUNE_FINAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/cfg.h"
#include "predictors/linmodel.h"
#include "predictors/predictor.h"
#include "sim/core/pred_setup.h"

struct tune_final {
	struct pred_handle h;  /* the final training's predictor */
	struct pred_sample *s; /* every train sample, in the split's order */
	size_t n;
	struct lm_rows rows; /* their rows until the thread takes them */
	struct lm_rows fit;  /* a view: the rows of the tuning's fit part */
	int rc;
	struct om_err e; /* unread: a failure is reported by the final training */
	pthread_t tid;
	bool started;
};

/* Starts the final training when it pays: run.threads allows two, pc will
 * hand it to pred_from_cfg_cached (no model cached in memory or on disk
 * that could serve instead) and odma fits ridge models (not gbdt). scratch:
 * a copy of c (q and tau resolved) to create the predictor from. Samples
 * whose split rank is below fit_rank are the tuning's validation slice; the
 * others its fit part (f->fit). Leaves f->started false otherwise, or when
 * memory or a thread is short. */
void tune_final_start(struct tune_final *f, const struct cfg *c, const struct cfg *scratch,
		      const struct pred_cache *pc, const struct wl_trace *t, int fit_rank);

/* Waits for the final training; its predictor replaces *fit (the tuning's)
 * as what pc keeps for pred_from_cfg_cached. One that failed is dropped:
 * the final training then runs as with one thread and reports the same
 * error. Frees what f holds. */
void tune_final_join(struct tune_final *f, struct pred_handle *fit);

#endif
