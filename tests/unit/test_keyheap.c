/* keyheap: pops ascending, interleaved with pushes (as a leap re-queues a
 * request's next grow), and a reset empties it while keeping its room. */
#include <stdlib.h>

#include "tests/support/tu.h"
#include "sim/core/keyheap.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(pops_ascending_with_pushes_between)
{
	struct keyheap q = { 0 };
	enum {
		N = 500
	};
	int64_t want[2 * N], got[2 * N];
	size_t nw = 0, ng = 0;
	ck_assert_int_eq(keyheap_reset(&q, N), 0);
	ck_assert_int_eq(keyheap_min(&q), INT64_MAX);
	uint32_t s = 11;
	for (int i = 0; i < N; i++) {
		s = s * 1664525u + 1013904223u;
		int64_t k = (int64_t)(s >> 8) * 2 * N + i; /* distinct */
		keyheap_push(&q, k);
		want[nw++] = k;
	}
	for (int i = 0; i < N; i++) {
		got[ng++] = keyheap_pop(&q);
		/* a later key, as a leap queues a request's next event */
		int64_t k = got[ng - 1] + 2 * N * 7 + 1;
		keyheap_push(&q, k);
		want[nw++] = k;
	}
	while (keyheap_min(&q) != INT64_MAX)
		got[ng++] = keyheap_pop(&q);
	qsort(want, nw, sizeof *want, cmp_i64);
	ck_assert_uint_eq(ng, nw);
	for (size_t i = 0; i < nw; i++)
		ck_assert_int_eq(got[i], want[i]);
	/* a reset empties it */
	keyheap_push(&q, 5);
	ck_assert_int_eq(keyheap_reset(&q, N), 0);
	ck_assert_int_eq(keyheap_min(&q), INT64_MAX);
	keyheap_free(&q);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("keyheap", pops_ascending_with_pushes_between);
}
