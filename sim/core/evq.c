#include "sim/core/evq.h"

#include <stdlib.h>

#include "common/grow.h"

void evq_init(struct evq *q)
{
	q->h = NULL;
	q->n = q->cap = 0;
	q->next_seq = 0;
}

void evq_free(struct evq *q)
{
	free(q->h);
	evq_init(q);
}

int evq_reserve(struct evq *q)
{
	return GROW(q->h, q->cap, q->n + 1, 64);
}

bool evq_pop(struct evq *q, struct ev *out)
{
	if (q->n == 0)
		return false;
	*out = q->h[0];
	struct ev last = q->h[--q->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ev *best = &last;
		if (l < q->n && evq_before(&q->h[l], best))
			m = l, best = &q->h[l];
		if (r < q->n && evq_before(&q->h[r], best))
			m = r;
		if (m == i)
			break;
		q->h[i] = q->h[m];
		i = m;
	}
	if (q->n)
		q->h[i] = last;
	return true;
}
