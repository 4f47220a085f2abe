/* think: workload.output_model, an explicit and labelled assumption for
 * traces whose outputs are reference answers (Alpaca, NQ): no public
 * DeepSeek-R1-Distill generations of their prompts exist, so `think` models
 * a reasoning model's output as the reference answer plus a thinking length
 * drawn, independently of the prompt, from the empirical thinking_tokens
 * column of an R1 trace (workload.think_trace, default simpleqa_r1.csv).
 * `reference` (the default) leaves the lengths as they are.
 * The same transformation is applied wherever output lengths are read: the
 * workload (stream "workload.think") and the training side, i.e. predictor
 * labels, a policy's starting lengths and odma's validation slice (stream
 * "workload.think.train": the same draws for all three). */
#ifndef OM_THINK_H
#define OM_THINK_H

#include "common/cfg.h"
#include "workload/trace.h"

extern const struct cfg_key think_keys[];

#define THINK_STREAM_WORKLOAD "workload.think"
#define THINK_STREAM_TRAIN "workload.think.train"

/* Adds thinking lengths to t's outputs per workload.output_model, drawing
 * with the seeded stream `stream`; no-op for `reference`. */
int think_apply(const struct cfg *c, struct wl_trace *t, const char *stream, struct om_err *e);

/* Reads the thinking_tokens column of the R1 trace at `path` (for tests). */
int think_read_column(const char *path, int32_t **vals, size_t *n, struct om_err *e);

#endif
