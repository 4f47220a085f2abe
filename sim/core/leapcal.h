/* leapcal: a calendar of periodic events for the scheduler's leaps (a
 * paged request grows one block every block_size iterations). Each member,
 * a batch index, has an event every `period` iterations and sits in the
 * slot of its event's iteration modulo the period, in the order it was
 * added: added in index order, a slot lists its members as a heap of keys
 * (iteration, index) would pop them, with no heap work per event. Members
 * never move between slots; a walk over a slot drops those its caller is
 * done with. */
#ifndef OM_LEAPCAL_H
#define OM_LEAPCAL_H

#include <stddef.h>
#include <stdint.h>

#define LEAPCAL_END UINT32_MAX

struct leapcal {
	struct leapcal_slot {
		uint32_t head, tail; /* first and last member; head LEAPCAL_END if none */
	} * slot;
	uint32_t *next; /* per member: the next one in its slot */
	size_t slot_cap, cap;
	int64_t period;
};

void leapcal_free(struct leapcal *c);
/* Empties c for members 0 .. n-1 with events every `period` (>= 1)
 * iterations. 0, or -1 when out of memory. */
int leapcal_reset(struct leapcal *c, int64_t period, size_t n);

/* Adds member i (< n, each once, in increasing order) whose first event is
 * at iteration `at` (>= 0). */
static inline void leapcal_add(struct leapcal *c, uint32_t i, int64_t at)
{
	struct leapcal_slot *sl = &c->slot[at % c->period];
	c->next[i] = LEAPCAL_END;
	if (sl->head == LEAPCAL_END)
		sl->head = i;
	else
		c->next[sl->tail] = i;
	sl->tail = i;
}

/* A walk over slot k: *link is the current member (LEAPCAL_END: done);
 * leapcal_keep steps past it, leapcal_drop removes it. Adding ends all
 * walks (the tails go stale). */
static inline uint32_t *leapcal_walk(struct leapcal *c, size_t k)
{
	return &c->slot[k].head;
}
static inline uint32_t *leapcal_keep(struct leapcal *c, const uint32_t *link)
{
	return &c->next[*link];
}
static inline void leapcal_drop(struct leapcal *c, uint32_t *link)
{
	*link = c->next[*link];
}

#endif
