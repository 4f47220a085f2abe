/* odma_bounds: learns ODMA's K capacity classes from observed output lengths.
 * Lengths (output tokens, 1..max_len) go into a histogram over the last
 * `window` observations (a ring buffer; older ones drop out). Candidate
 * boundaries are the bin edges. ob_learn picks K increasing edges c_1..c_K
 * minimising the expected reserved-but-unused memory when every length L is
 * served by the smallest class c >= L (or by a max_len bucket above c_K):
 *   J(c) = sum_L n(L) w(L) (c(L) - L),  w(L) = 1 (tokens) or L (token_time:
 *          a request holds its slack for about L decode iterations)
 * subject to the share of lengths above c_K (the overflow rate if every
 * prediction were exact) being at most eps. Exact dynamic programme over the
 * bins; ties go to the smaller edge, so it is deterministic. While its sums
 * stay exact integers (window * max_len^2 below 2^51) it runs in integers,
 * over the bins up to the highest non-empty one, in O(K * bins) by a
 * monotone lower hull of the candidates (each a line in the edge), with the
 * same bounds as the plain O(K * bins^2) scan over every bin.
 * ob_add_pair files a length under a larger key (e.g. max(predicted, observed),
 * the smallest class a request ended up needing): the key picks the bin (and
 * the overflow share), the length the slack c - L and its weight. */
#ifndef OM_ODMA_BOUNDS_H
#define OM_ODMA_BOUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ob_weight {
	OB_TOKENS,
	OB_TOKEN_TIME
};

struct ob_learner {
	int32_t max_len, bin, nbins;
	size_t window, n, head;
	int32_t *ring;	 /* the last `window` lengths */
	int32_t *bins;	 /* their keys' bins (key >= the length; = it for ob_add) */
	int64_t *count;	 /* per bin, over the ring */
	double *sum_len; /* per bin: sum of lengths */
	double *sum_sq;	 /* per bin: sum of squared lengths */
	/* tests: always scan every candidate (the plain O(K * bins^2) programme)
	 * instead of the hull that gives the same bounds */
	bool reference;
};

int ob_init(struct ob_learner *l, int32_t max_len, int32_t bin, size_t window);
void ob_free(struct ob_learner *l);
void ob_add(struct ob_learner *l, int32_t len);
void ob_add_pair(struct ob_learner *l, int32_t key, int32_t len);
/* Fills bounds[0..k-1]; returns -1 (bounds untouched) with no observations,
 * if k exceeds the number of bins, or on allocation failure. */
int ob_learn(const struct ob_learner *l, int k, enum ob_weight w, double eps, int32_t *bounds);

#endif
