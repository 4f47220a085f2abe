/* featmemo: a predictor's training feature rows kept for prediction, so a
 * prompt it trained on is not featurised again when the same process
 * predicts it (a run trains on the train part, then predicts every request).
 * Keyed by the prompt's text content and token count (not by pointer: the
 * workload and the training trace are separate copies); a hit returns the
 * row feat_extract gave that prompt, so results do not depend on the memo. */
#ifndef OM_FEATMEMO_H
#define OM_FEATMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "predictors/features.h"
#include "predictors/linmodel.h"

struct pred_sample;

struct feat_memo {
	struct lm_rows rows; /* row i: sample i's features */
	char *text;	     /* the samples' texts, each NUL-terminated */
	size_t *toff;	     /* n offsets into text */
	int32_t *ptok;	     /* n prompt token counts */
	uint32_t *slot;	     /* open addressing: sample index + 1, 0 = empty */
	size_t mask;
	int bits;
};

/* Keeps rows (taken over: *rows is left empty) as the features of s[0..n)
 * computed with hash_bits. On failure (out of memory) the memo stays empty
 * and rows are freed: prediction then computes every vector. */
void feat_memo_keep(struct feat_memo *m, struct lm_rows *rows, const struct pred_sample *s,
		    size_t n, int hash_bits);
/* feat_extract(text, prompt_tokens, hash_bits, v), from the memo when it
 * holds that prompt. */
void feat_memo_extract(const struct feat_memo *m, const char *text, int32_t prompt_tokens,
		       int hash_bits, struct feat_vec *v);
void feat_memo_free(struct feat_memo *m);
/* The memo's hash of a prompt (text of len bytes, ptok tokens): fast, not
 * for security or across versions. */
uint64_t feat_memo_hash(const char *text, size_t len, int32_t ptok);

#endif
