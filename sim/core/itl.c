#include "sim/core/itl.h"

#include <math.h>
#include <stdlib.h>

void itl_init(struct itl *h)
{
	*h = (struct itl){ 0 };
}

void itl_free(struct itl *h)
{
	for (int b = 0; b < ITL_BLOCKS; b++)
		free(h->block[b]);
	itl_init(h);
}

/* v > 0 */
static int floor_log2(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return 63 - __builtin_clzll(v);
#else
	int e = 0;
	while (v >>= 1)
		e++;
	return e;
#endif
}

void itl_add(struct itl *h, int64_t gap_ns, int64_t weight)
{
	if (weight <= 0)
		return;
	uint64_t v = gap_ns > 0 ? (uint64_t)gap_ns : 0;
	struct itl_bucket *k = h->last;
	if (v - h->last_lo >= h->last_w) { /* not the last one's bucket */
		int b = 0, shift = 0;
		size_t sub = (size_t)v;
		if (v >= ITL_SUB) { /* block e - SUB_BITS + 1 holds [2^e, 2^(e+1)) */
			int e = floor_log2(v);
			b = e - ITL_SUB_BITS + 1;
			shift = e - ITL_SUB_BITS;
			sub = (size_t)((v >> shift) - ITL_SUB);
		}
		if (!h->block[b]) {
			h->block[b] = calloc(ITL_SUB, sizeof *h->block[b]);
			if (!h->block[b]) {
				h->oom = true;
				return;
			}
		}
		k = h->last = &h->block[b][sub];
		h->last_lo = v >> shift << shift;
		h->last_w = (uint64_t)1 << shift;
	}
	k->n += weight;
	if ((int64_t)v > k->max)
		k->max = (int64_t)v;
	h->n += weight;
}

int itl_merge(struct itl *h, const struct itl *src)
{
	h->oom |= src->oom;
	for (int b = 0; b < ITL_BLOCKS && !h->oom; b++) {
		if (!src->block[b])
			continue;
		if (!h->block[b] && !(h->block[b] = calloc(ITL_SUB, sizeof *h->block[b]))) {
			h->oom = true;
			break;
		}
		for (size_t i = 0; i < ITL_SUB; i++) {
			struct itl_bucket *d = &h->block[b][i];
			const struct itl_bucket *s = &src->block[b][i];
			d->n += s->n;
			if (s->max > d->max)
				d->max = s->max;
		}
	}
	h->n += src->n;
	return h->oom ? -1 : 0;
}

double itl_quantile_s(const struct itl *h, int64_t num, int64_t den)
{
	if (h->n <= 0 || num <= 0 || den <= 0)
		return NAN;
	/* ceil(n num / den) without overflow for n below 2^63 / den */
	int64_t rank = h->n / den * num + ((h->n % den) * num + den - 1) / den;
	if (rank < 1)
		rank = 1;
	int64_t cum = 0;
	for (int b = 0; b < ITL_BLOCKS; b++) {
		if (!h->block[b])
			continue;
		for (size_t i = 0; i < ITL_SUB; i++) {
			cum += h->block[b][i].n;
			if (cum >= rank)
				return (double)h->block[b][i].max / 1e9;
		}
	}
	return NAN; /* not reached: the weights sum to n */
}
