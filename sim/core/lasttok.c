#include "sim/core/lasttok.h"

#include <stdlib.h>

void lasttok_init(struct lasttok *m)
{
	*m = (struct lasttok){ 0 };
}

void lasttok_free(struct lasttok *m)
{
	free(m->slot);
	lasttok_init(m);
}

static size_t lt_home(const struct lasttok *m, const void *key)
{
	/* Fibonacci hashing: records sit a fixed stride apart, and the
	 * multiplication spreads such keys over the high bits */
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 32) & (m->cap - 1);
}

static size_t lt_find(const struct lasttok *m, const void *key)
{
	size_t i = lt_home(m, key);
	while (m->slot[i].key && m->slot[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Keeps the load at most one half: probes stay short. */
static int lt_grow(struct lasttok *m)
{
	struct lasttok old = *m;
	size_t cap = old.cap ? 2 * old.cap : 16;
	struct lasttok_slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	m->slot = s;
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].key)
			m->slot[lt_find(m, old.slot[i].key)] = old.slot[i];
	free(old.slot);
	return 0;
}

int lasttok_put(struct lasttok *m, const void *key, int64_t t)
{
	if (2 * (m->n + 1) > m->cap && lt_grow(m) < 0)
		return -1;
	size_t i = lt_find(m, key);
	if (!m->slot[i].key) {
		m->slot[i].key = key;
		m->n++;
	}
	m->slot[i].t = t;
	return 0;
}

bool lasttok_take(struct lasttok *m, const void *key, int64_t *t)
{
	if (m->n == 0)
		return false;
	size_t i = lt_find(m, key);
	if (!m->slot[i].key)
		return false;
	*t = m->slot[i].t;
	m->n--;
	/* backward-shift deletion: no tombstones, so a probe still stops at
	 * the first empty slot */
	size_t hole = i, j = i;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (!m->slot[j].key)
			break;
		size_t home = lt_home(m, m->slot[j].key);
		/* j may fill the hole unless its home lies in (hole, j] */
		bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (!stays) {
			m->slot[hole] = m->slot[j];
			hole = j;
		}
	}
	m->slot[hole] = (struct lasttok_slot){ NULL, 0 };
	return true;
}
