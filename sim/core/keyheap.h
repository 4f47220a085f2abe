/* keyheap: a binary min-heap of int64 keys, for the scheduler's leaps (the
 * next grow of each running request). The caller reserves room for every
 * key it will hold at once, so pushing never fails; keys are expected
 * distinct (equal keys pop in no particular order). */
#ifndef OM_KEYHEAP_H
#define OM_KEYHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keyheap {
	int64_t *h;
	size_t n, cap;
};

void keyheap_free(struct keyheap *q);
/* Empties q and makes room for `cap` keys. 0, or -1 when out of memory (q
 * is then empty with its old room). */
int keyheap_reset(struct keyheap *q, size_t cap);

/* The smallest key, INT64_MAX if none. */
static inline int64_t keyheap_min(const struct keyheap *q)
{
	return q->n ? q->h[0] : INT64_MAX;
}

/* Adds k; the caller reserved room for it. */
static inline void keyheap_push(struct keyheap *q, int64_t k)
{
	size_t i = q->n++;
	while (i > 0 && q->h[(i - 1) / 2] > k) {
		q->h[i] = q->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->h[i] = k;
}

/* Removes and returns the smallest key; q must not be empty. Bottom-up:
 * the hole at the root sinks along the smaller children to a leaf (one
 * comparison per level), then the last key rises from there (rarely far:
 * it came from the bottom). */
static inline int64_t keyheap_pop(struct keyheap *q)
{
	int64_t *h = q->h;
	int64_t top = h[0], last = h[--q->n];
	size_t n = q->n, i = 0;
	if (n == 0)
		return top;
	for (size_t c = 1; c < n; c = 2 * i + 1) {
		if (c + 1 < n && h[c + 1] < h[c])
			c++;
		h[i] = h[c];
		i = c;
	}
	while (i > 0 && h[(i - 1) / 2] > last) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = last;
	return top;
}

#endif
