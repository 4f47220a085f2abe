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
/* Returns -1 on OOM. */
int evq_push(struct evq *q, int64_t t, int32_t type, int32_t arg);
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
