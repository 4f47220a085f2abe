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

static bool before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int evq_push(struct evq *q, int64_t t, int32_t type, int32_t arg)
{
	if (GROW(q->h, q->cap, q->n + 1, 64) < 0)
		return -1;
	struct ev e = { t, q->next_seq++, type, arg };
	size_t i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(&e, &q->h[p]))
			break;
		q->h[i] = q->h[p];
		i = p;
	}
	q->h[i] = e;
	return 0;
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
		if (l < q->n && before(&q->h[l], best))
			m = l, best = &q->h[l];
		if (r < q->n && before(&q->h[r], best))
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
