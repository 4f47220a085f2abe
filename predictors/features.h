/* features: a sparse feature vector computed from a prompt alone (text and
 * token count), with no external model. Dense features sit at fixed indices
 * [0, FEAT_NDENSE); words are hashed (64-bit FNV-1a of a namespaced string)
 * into FEAT_NDENSE + [0, 2^hash_bits). Hashing is a pure function of the
 * text, so the same prompt gives the same vector in every run and platform.
 * Features: bias, log prompt tokens (and its square), input block present,
 * input length, first word / first two words, question words, instruction
 * verbs, instruction unigrams and bigrams, input-block unigrams (first 64),
 * digits present, ends with '?'. Hashed features are binary (presence). */
#ifndef OM_FEATURES_H
#define OM_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#define FEAT_NDENSE 8
#define FEAT_MAX_NNZ 512 /* features per prompt, after merging duplicates */

struct feat_vec {
	size_t nnz;
	uint32_t idx[FEAT_MAX_NNZ]; /* ascending, distinct */
	double val[FEAT_MAX_NNZ];
};

/* Total dimension for a hash width. */
static inline size_t feat_dim(int hash_bits)
{
	return (size_t)FEAT_NDENSE + ((size_t)1 << hash_bits);
}

/* Hashed index of a namespaced token ("u:write"), in [FEAT_NDENSE, feat_dim). */
uint32_t feat_hash(const char *s, size_t n, int hash_bits);

/* Fills v from one prompt. text may be "" or NULL (then dense features only). */
void feat_extract(const char *text, int32_t prompt_tokens, int hash_bits, struct feat_vec *v);

#endif
