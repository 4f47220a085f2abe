/* odma_tune: chooses the engineered odma's reservation quantile
 * (predictor.quantile) and uncertainty threshold tau
 * (predictor.uncertainty_threshold) on a validation slice of the training
 * rows: ids whose split rank lies in [test_pct, test_pct + 20) (common/split.h),
 * never the test part. For each quantile of a small grid a predictor is
 * trained on the rest of the train part and predicts the slice; each (q, tau)
 * is scored by the expected reserved token-iterations of the slice plus the
 * relocation copies (docs/MODEL.md#odma says how), and the cheapest is set at
 * the preset layer. Does nothing unless policy.name = odma,
 * policy.odma_variant = engineered, policy.odma_tune = validation and
 * predictor.name = odma, and neither key nor predictor.model_file was given. */
#ifndef OM_ODMA_TUNE_H
#define OM_ODMA_TUNE_H

#include "common/cfg.h"
#include "sim/core/pred_setup.h"

/* pc: the process's predictor cache (may be NULL), which reads the training
 * trace once for this and the training that follows. */
int odma_tune(struct cfg *c, struct pred_cache *pc, struct om_err *e);

#endif
