/* prep: a reader that asks for item k before reading it sees item k
 * prepared, whether the preparer runs ahead, behind (slow blocks) or inline;
 * blocks come in order, each once, and the done hook runs once after the
 * last; ending early (a failed run) stops the preparer after its current
 * block and still runs done; a block that fails ends the preparation there:
 * the reader is told for every item from that block on, and for none
 * before it. */
#include <stdatomic.h>
#include <time.h>

#include "tests/support/tu.h"
#include "sim/core/prep.h"

struct items {
	int64_t *v;
	size_t next; /* the next block's first item: blocks come in order */
	int out_of_order, done_calls;
	long sleep_ns;	  /* per block: the reader catches up */
	size_t fail_from; /* the block starting here fails (0 = none) */
};

/* What fill writes for item i. */
static int64_t item(size_t i)
{
	return (int64_t)(i * 2654435761u) ^ 7;
}

static int fill(void *ctx, size_t from, size_t to)
{
	struct items *it = ctx;
	if (it->fail_from && from == it->fail_from)
		return -1;
	if (from != it->next)
		it->out_of_order++;
	it->next = to;
	if (it->sleep_ns) {
		struct timespec ts = { 0, it->sleep_ns };
		nanosleep(&ts, NULL);
	}
	for (size_t i = from; i < to; i++)
		it->v[i] = item(i);
	return 0;
}

static void done(void *ctx)
{
	((struct items *)ctx)->done_calls++;
}

/* Reads every item once asked for; returns how many were wrong. */
static size_t read_all(size_t n, size_t rows, bool threaded, long sleep_ns)
{
	struct items it = { .v = calloc(n, sizeof(int64_t)), .sleep_ns = sleep_ns };
	ck_assert_ptr_nonnull(it.v);
	struct prep p;
	prep_start(&p, n, rows, threaded, fill, done, &it);
	size_t wrong = 0;
	for (size_t k = 0; k < n; k++) {
		prep_need(&p, k);
		wrong += it.v[k] != item(k);
	}
	prep_end(&p);
	prep_end(&p); /* twice is safe */
	ck_assert_int_eq(it.out_of_order, 0);
	ck_assert_uint_eq(it.next, n);
	ck_assert_int_eq(it.done_calls, 1);
	free(it.v);
	return wrong;
}

START_TEST(reader_sees_prepared_items)
{
	ck_assert_uint_eq(read_all(100000, 1000, true, 0), 0);
	ck_assert_uint_eq(read_all(100000, 1000, false, 0), 0);
	ck_assert_uint_eq(read_all(20000, 1000, true, 200000), 0); /* reader waits */
	ck_assert_uint_eq(read_all(999, 1000, true, 0), 0);	   /* one block: inline */
	ck_assert_uint_eq(read_all(1001, 1000, true, 0), 0);	   /* a short last block */
}
END_TEST

START_TEST(early_end_stops_after_a_block)
{
	size_t n = 100000, rows = 1000;
	struct items it = { .v = calloc(n, sizeof(int64_t)), .sleep_ns = 2000000 };
	ck_assert_ptr_nonnull(it.v);
	struct prep p;
	prep_start(&p, n, rows, true, fill, done, &it);
	prep_need(&p, 0);
	prep_end(&p); /* the run failed: no more blocks after the current one */
	ck_assert_int_eq(it.done_calls, 1);
	ck_assert_uint_lt(it.next, n);
	ck_assert_int_eq(it.out_of_order, 0);
	free(it.v);
}
END_TEST

/* Asks for every item in order, as a run does, until told one never comes;
 * returns how many it got, each checked. */
static size_t read_until_failure(size_t n, size_t rows, bool threaded, size_t fail_from)
{
	struct items it = { .v = calloc(n, sizeof(int64_t)),
			    .fail_from = fail_from,
			    .sleep_ns = threaded ? 100000 : 0 };
	ck_assert_ptr_nonnull(it.v);
	struct prep p;
	prep_start(&p, n, rows, threaded, fill, done, &it);
	size_t k = 0;
	for (; k < n && prep_need(&p, k); k++)
		ck_assert(it.v[k] == item(k));
	ck_assert(!prep_need(&p, k)); /* asked again: still never */
	prep_end(&p);
	ck_assert_int_eq(it.done_calls, 1);
	ck_assert_int_eq(it.out_of_order, 0);
	ck_assert_uint_eq(it.next, fail_from);
	free(it.v);
	return k;
}

START_TEST(failed_block_ends_the_preparation)
{
	ck_assert_uint_eq(read_until_failure(10000, 1000, true, 3000), 3000);
	ck_assert_uint_eq(read_until_failure(10000, 1000, false, 3000), 3000);
	ck_assert_uint_eq(read_until_failure(10000, 1000, true, 9000), 9000); /* the last */
	ck_assert_uint_eq(read_until_failure(10000, 1000, false, 1000), 1000);
}
END_TEST

START_TEST(end_without_start_is_a_no_op)
{
	struct prep p = { 0 };
	prep_end(&p);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("prep", reader_sees_prepared_items, early_end_stops_after_a_block,
			   failed_block_ends_the_preparation, end_without_start_is_a_no_op);
}
