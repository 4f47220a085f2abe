/* pred_odma: odma's training from feature rows computed by the caller, for
 * odma's tuning (sim/core/odma_tune.c), which computes the rows of every
 * train sample once, on two threads, for its own fit and the final one. */
#ifndef OM_PRED_ODMA_H
#define OM_PRED_ODMA_H

#include <stddef.h>

#include "common/err.h"
#include "predictors/linmodel.h"

struct pred_sample;

/* pred_odma's train() on s[0..n) whose feature rows (lm_rows_from_samples
 * with predictor.hash_bits) are `rows`, row i sample i: the same model as
 * train() computing them. rows is taken over (left empty); a view's arrays
 * must outlive the call, and only rows that own their arrays are kept for
 * predicting the samples again. state must be an odma predictor's (not
 * odma_model = gbdt). */
int odma_train_rows(void *state, const struct pred_sample *s, size_t n, struct lm_rows *rows,
		    struct om_err *e);

#endif
