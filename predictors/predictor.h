/* predictor: maps a request's prompt to a predicted output length, an
 * uncertainty score and (for bucketed predictors) a bucket index.
 * Each predictor is one file exporting a struct pred_ops, listed in
 * predictor.c. Predictors may be trained (on samples that carry the true
 * output length: the only place outside the engine that sees it), saved to
 * and loaded from a small text file. At prediction time `out_tokens` of the
 * sample is -1 unless the predictor is a labelled truth-reader (oracle,
 * noisy), which exist for upper bounds and sensitivity studies only. */
#ifndef OM_PREDICTOR_H
#define OM_PREDICTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/cfg.h"

struct pred_sample {
	int64_t id;
	const char *text;       /* prompt text, "" if the trace has none */
	int32_t prompt_tokens;
	int32_t out_tokens;     /* label when training; -1 when predicting (see above) */
};

struct pred_out {
	int32_t len;            /* predicted output tokens, >= 0 */
	float uncertainty;      /* predictor-specific score; larger = less sure */
	int32_t bucket;         /* bucket index, or -1 if not bucketed */
	bool uncertain;         /* uncertainty above the predictor's threshold */
};

struct pred_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys;   /* extra [predictor] keys, or NULL */
	bool wants_truth;             /* oracle/noisy: sees out_tokens when predicting */
	bool needs_text;              /* reads prompt text (trace must keep it) */
	int (*create)(const struct cfg *c, void **state, struct om_err *e);
	void (*destroy)(void *state);
	/* Fits the model; may be NULL for predictors that need no training. */
	int (*train)(void *state, const struct pred_sample *s, size_t n, struct om_err *e);
	/* Writes / reads the trained model as text. May be NULL if nothing to save. */
	int (*save)(const void *state, FILE *f, struct om_err *e);
	int (*load)(void *state, FILE *f, const char *origin, struct om_err *e);
	void (*predict)(const void *state, const struct pred_sample *s, struct pred_out *o);
};

struct pred_handle {
	const struct pred_ops *ops;  /* NULL: no predictor configured */
	void *state;
};

/* Builds the predictor named by predictor.name ("none" leaves h->ops NULL),
 * ready to predict (trained or loaded as its keys say). */
int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e);
void pred_handle_free(struct pred_handle *h);

const struct pred_ops *pred_find(const char *name);
extern const struct pred_ops *const pred_registry[];
extern const struct cfg_key pred_common_keys[];

#endif
