/* leapcal: walking slot j mod period for j = 0, 1, 2... meets every
 * member's periodic events in the order a heap of keys (iteration, index)
 * pops them, with members leaving past their last event, and a reset
 * empties it for a new period. */
#include <stdlib.h>

#include "tests/support/tu.h"
#include "sim/core/keyheap.h"
#include "sim/core/leapcal.h"

enum {
	N = 300,
	IBITS = 16
};

/* One leap's worth: members with a first event and a last iteration. */
static void check_against_heap(struct leapcal *c, int64_t period, uint32_t seed)
{
	int64_t at[N], fin[N], want[4 * N * 8], got[4 * N * 8];
	size_t nw = 0, ng = 0;
	struct keyheap q = { 0 };
	ck_assert_int_eq(keyheap_reset(&q, N), 0);
	ck_assert_int_eq(leapcal_reset(c, period, N), 0);
	int64_t last = 0;
	for (uint32_t i = 0; i < N; i++) {
		seed = seed * 1664525u + 1013904223u;
		at[i] = (int64_t)(seed >> 8) % (3 * period);
		fin[i] = at[i] + (int64_t)(seed >> 20) % (8 * period);
		last = fin[i] > last ? fin[i] : last;
		keyheap_push(&q, at[i] << IBITS | i);
		leapcal_add(c, i, at[i]);
	}
	/* the reference: pop, note, queue the next event while within fin */
	int64_t next[N];
	for (uint32_t i = 0; i < N; i++)
		next[i] = at[i];
	while (keyheap_min(&q) != INT64_MAX) {
		int64_t k = keyheap_pop(&q);
		uint32_t i = (uint32_t)(k & ((1 << IBITS) - 1));
		want[nw++] = k;
		next[i] += period;
		if (next[i] <= fin[i])
			keyheap_push(&q, next[i] << IBITS | i);
	}
	/* the calendar: members past fin leave, those due make their event */
	for (uint32_t i = 0; i < N; i++)
		next[i] = at[i];
	for (int64_t j = 0; j <= last + period; j++) {
		for (uint32_t *l = leapcal_walk(c, (size_t)(j % period)); *l != LEAPCAL_END;) {
			uint32_t i = *l;
			if (fin[i] < j) {
				leapcal_drop(c, l);
				continue;
			}
			ck_assert_int_ge(next[i], j); /* none missed */
			if (next[i] == j) {
				got[ng++] = j << IBITS | i;
				next[i] += period;
			}
			l = leapcal_keep(c, l);
		}
	}
	ck_assert_uint_eq(ng, nw);
	for (size_t k = 0; k < nw; k++)
		ck_assert_int_eq(got[k], want[k]);
	/* everyone left by the end */
	for (int64_t k = 0; k < period; k++)
		ck_assert_uint_eq(*leapcal_walk(c, (size_t)k), LEAPCAL_END);
	keyheap_free(&q);
}

START_TEST(walks_in_heap_order)
{
	struct leapcal c = { 0 };
	check_against_heap(&c, 16, 7);
	check_against_heap(&c, 1, 9);  /* every iteration */
	check_against_heap(&c, 5, 21); /* smaller after larger: reset reuses room */
	check_against_heap(&c, 64, 3);
	leapcal_free(&c);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("leapcal", walks_in_heap_order);
}
