/* pred_setup: builds a run's predictor from its config (the composition
 * root's half of predictors/): loads a saved model, or reads the training
 * trace and trains on the TRAIN part of the deterministic split only, so
 * held-out requests are never trained on. predictors/ itself never reads a
 * trace file. */
#ifndef OM_PRED_SETUP_H
#define OM_PRED_SETUP_H

#include "common/cfg.h"
#include "predictors/predictor.h"
#include "workload/trace.h"

/* Builds the predictor named by predictor.name ("none" leaves h->ops NULL),
 * ready to predict: a predictor with a train() loads predictor.model_file if
 * set, else trains on the TRAIN part of predictor.train_trace (empty = the
 * run's workload.trace). Only the split's train part is used even when
 * train_trace names another file. */
int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e);

/* Trains `h` (already created) on the train part of the trace at `path`
 * (read with prompt texts). */
int pred_train_on_file(const struct cfg *c, struct pred_handle *h, const char *path,
		       struct om_err *e);

/* The key below, declared with every module's keys (experiment.c). */
extern const struct cfg_key pred_setup_keys[];

/* Refuses a predictor that reads prompt texts on a workload without any
 * (it would give every request the same prediction, silently), unless
 * predictor.allow_no_text is set. h may have no predictor. */
int pred_check_text(const struct cfg *c, const struct pred_handle *h, const struct wl_trace *t,
		    struct om_err *e);

#endif
