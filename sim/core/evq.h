/* evq: the engine's event queue, a binary min-heap ordered by
 * (time_ns, insertion sequence), so events at equal times pop in the order
 * they were pushed and every run replays identically. */
#ifndef OM_EVQ_H
#define OM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev {
	int64_t t;    /* ns */
	uint64_t seq; /* assigned by evq_push */
	int32_t type;
	int32_t arg;
};

struct evq {
	struct ev *h;
	size_t n, cap;
	uint64_t next_seq;
};

void evq_init(struct evq *q);
void evq_free(struct evq *q);
/* Room for one more event; -1 on OOM (the queue as it was). */
int evq_reserve(struct evq *q);

static inline bool evq_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Returns -1 on OOM. Inline: the engine pushes once per event, into a heap
 * of a few events (one arrival, one iteration end per instance). */
static inline int evq_push(struct evq *q, int64_t t, int32_t type, int32_t arg)
{
	if (q->n == q->cap && evq_reserve(q) < 0)
		return -1;
	struct ev e = { t, q->next_seq++, type, arg };
	size_t i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!evq_before(&e, &q->h[p]))
			break;
		q->h[i] = q->h[p];
		i = p;
	}
	q->h[i] = e;
	return 0;
}

/* Pops the earliest event into *out; false if empty. */
bool evq_pop(struct evq *q, struct ev *out);
static inline size_t evq_len(const struct evq *q)
{
	return q->n;
}
/* Time of the earliest event, INT64_MAX if none. */
static inline int64_t evq_next_t(const struct evq *q)
{
	return q->n ? q->h[0].t : INT64_MAX;
}

#endif
