/* odma_tune: chooses the engineered odma's reservation quantile
 * (predictor.quantile) and uncertainty threshold tau
 * (predictor.uncertainty_threshold) on a validation slice of the training
 * rows: ids whose split rank lies in [test_pct, test_pct + 20) (common/split.h),
 * never the test part. For each quantile of a small grid a predictor is
 * trained on the rest of the train part and predicts the slice; each (q, tau)
 * is scored by the expected reserved token-iterations of the slice plus the
 * relocation copies (docs/MODEL.md#odma says how), and the cheapest is set at
 * the derived layer (common/cfg.h: config.ini keeps `auto`, so its rerun
 * tunes again). It tunes only when policy.name = odma, policy.odma_variant =
 * engineered, policy.odma_tune = validation, predictor.name = odma, no
 * predictor.model_file, and both keys are `auto`; otherwise `auto` stays
 * resolved to 0.9 (odma_tune_resolve, which exp_load applies to every
 * configuration, so no predictor or policy ever reads `auto`). With
 * run.threads >= 2 the final training runs beside the search
 * (sim/core/tune_final.h): the same model, sooner. */
#ifndef OM_ODMA_TUNE_H
#define OM_ODMA_TUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/cfg.h"
#include "sim/core/pred_setup.h"

/* pc: the process's predictor cache (may be NULL), which reads the training
 * trace once for this and the training that follows. */
int odma_tune(struct cfg *c, struct pred_cache *pc, struct om_err *e);
/* Resolves q and tau given as `auto` to 0.9 at the derived layer. */
int odma_tune_resolve(struct cfg *c, struct om_err *e);
/* Whether odma_tune chose q and tau for c. */
bool odma_tuned(const struct cfg *c);
/* One banner line on the q and tau a run used and where they came from;
 * false when its predictor reads neither. */
bool odma_tune_describe(const struct cfg *c, char *buf, size_t n);

#endif
