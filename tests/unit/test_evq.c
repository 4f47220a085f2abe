/* evq: heap order by (time, insertion sequence). */
#include <stdlib.h>

#include "tests/support/tu.h"
#include "sim/core/evq.h"

START_TEST(pops_in_time_order)
{
	struct evq q;
	evq_init(&q);
	int64_t ts[] = { 50, 10, 40, 10, 30, 0, 99, 20 };
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(evq_push(&q, ts[i], 1, i), 0);
	int64_t last = -1;
	struct ev e;
	int n = 0;
	while (evq_pop(&q, &e)) {
		ck_assert_int_ge(e.t, last);
		last = e.t;
		n++;
	}
	ck_assert_int_eq(n, 8);
	evq_free(&q);
}
END_TEST

START_TEST(ties_pop_in_push_order)
{
	struct evq q;
	evq_init(&q);
	for (int i = 0; i < 100; i++)
		evq_push(&q, 7, 0, i);
	evq_push(&q, 3, 0, -1);
	struct ev e;
	ck_assert(evq_pop(&q, &e));
	ck_assert_int_eq(e.arg, -1);
	for (int i = 0; i < 100; i++) {
		ck_assert(evq_pop(&q, &e));
		ck_assert_int_eq(e.arg, i);
	}
	ck_assert(!evq_pop(&q, &e));
	evq_free(&q);
}
END_TEST

START_TEST(random_against_sorted)
{
	struct evq q;
	evq_init(&q);
	unsigned s = 12345;
	int64_t prev_t = -1;
	uint64_t prev_seq = 0;
	/* interleave pushes and pops; popped keys never decrease among those
	 * pushed before the pop */
	for (int round = 0; round < 2000; round++) {
		s = s * 1103515245u + 12345u;
		evq_push(&q, prev_t + 1 + (int64_t)(s % 50), 0, round);
		if (round % 3 == 2) {
			struct ev e;
			ck_assert(evq_pop(&q, &e));
			ck_assert(e.t > prev_t || (e.t == prev_t && e.seq > prev_seq));
			prev_t = e.t;
			prev_seq = e.seq;
		}
	}
	evq_free(&q);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("evq", pops_in_time_order, ties_pop_in_push_order,
			   random_against_sorted);
}
