/* start_lengths: the observed output lengths a policy may start from,
 * read by the composition root so that no policy ever opens a trace. They
 * are the predictor's training rows (the train part of the split of
 * predictor.train_trace, else workload.trace), never its test part; or every
 * row of the trace named by the policy's own key (pol_ops.start_lengths_key),
 * or none when that key says "none" or there is no trace at all. */
#ifndef OM_START_LENGTHS_H
#define OM_START_LENGTHS_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "predictors/predictor.h"

struct start_lengths {
	int32_t *len; /* NULL when there are none */
	size_t n;
	char origin[4096]; /* the trace they came from ("" when none) */
	const char *key;   /* the config key that named it */
};

/* policy_key: the policy's own key (may be NULL). ph (may be NULL): the
 * run's predictor; when it holds the trace it was trained on and that is the
 * source, its rows are used instead of reading the file again (the same
 * rows: both apply the training think stream). Returns 0 or -1 with e set. */
int start_lengths_load(const struct cfg *c, const char *policy_key, const struct pred_handle *ph,
		       struct start_lengths *s, struct om_err *e);
void start_lengths_free(struct start_lengths *s);

#endif
