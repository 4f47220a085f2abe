/* kvmem: the device's KV address range, in token slots, managed first-fit
 * with immediate coalescing. A slot is one token's K and V for every layer
 * and head; slot s sits at the same offset in every (layer, head) array, so
 * a range of slots is a contiguous run in each of them.
 * The free list is kept sorted by address, so fragmentation is observable. */
#ifndef OM_KVMEM_H
#define OM_KVMEM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct kv_range {
	int64_t off, len;
};

struct kvmem {
	int64_t total;
	int64_t free_tokens;
	struct kv_range *fr; /* free ranges, sorted, disjoint, never adjacent */
	size_t nfr, cap;
	/* the longest free range's length and how many ranges have it, kept
	 * as ranges change (a scan only when the last such range shrinks) */
	int64_t largest;
	size_t n_largest;
};

int kvmem_init(struct kvmem *m, int64_t total_tokens);
void kvmem_free_all(struct kvmem *m);
/* First fit; returns the offset, or -1 if no free range is long enough. */
int64_t kvmem_alloc(struct kvmem *m, int64_t len);
/* Size-segregated fit: free ranges fall in size classes split at the
 * increasing edges[0..n-1] (class c: edges[c-1] < len <= edges[c]; class n
 * above all); the request takes the lowest-addressed range that holds it in
 * the smallest class that has one, so a small request does not split a large
 * range while a smaller one fits (segregated free lists, searched in order).
 * Returns the offset, or -1 if no free range is long enough. */
int64_t kvmem_alloc_seg(struct kvmem *m, int64_t len, const int64_t *edges, int n);
/* Returns a range; -1 (and no change) if any of it is already free or out of bounds. */
int kvmem_release(struct kvmem *m, int64_t off, int64_t len);
/* Grows the held range [off, off + len) in place by `more` tokens taken from
 * the free range that starts right at its end; -1 (and no change) if that
 * range is absent or shorter. */
int kvmem_extend(struct kvmem *m, int64_t off, int64_t len, int64_t more);
/* Largest free range, tokens (O(1)). */
int64_t kvmem_largest(const struct kvmem *m);
/* External fragmentation: 1 - largest free range / free tokens (0 if nothing free). */
double kvmem_ext_frag(const struct kvmem *m);
/* Verifies the free list is sorted, disjoint, coalesced and sums to
 * free_tokens, and that the kept largest range matches it. */
int kvmem_check(const struct kvmem *m, struct om_err *e);

#endif
