/* side: the metrics' integration replayed on the run's second thread gives
 * the same bits as the calls made at once (random calls, windows that close
 * and coarsen, several chunks' worth), and the watch sees its prefixes in
 * order. */
#include <stdint.h>
#include <string.h>

#include "sim/core/side.h"
#include "tests/support/tu.h"

struct seen {
	size_t calls, last;
	bool ordered;
};

static void note(void *ctx, const struct sim_req *reqs, const int32_t *replica, size_t prefix)
{
	struct seen *w = ctx;
	(void)reqs, (void)replica;
	w->ordered &= prefix > w->last || w->calls == 0;
	w->last = prefix;
	w->calls++;
}

/* the same pseudo-random calls through s */
static int drive(struct side *s, uint64_t seed)
{
	uint64_t x = seed;
	int64_t now = 0;
	size_t rows = 0;
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (x % 5) {
		case 0: {
			struct met_state st = { .reserved = (int64_t)(x >> 20) % 5000,
						.live = (int64_t)(x >> 30) % 4000,
						.running = (int64_t)(x >> 40) % 64,
						.waiting = (int64_t)(x >> 46) % 9,
						.ext_frag = (double)(x >> 11) / 9007199254740992.0,
						.safety_used = (int64_t)(x >> 50) % 7,
						.safety_tokens = 100,
						.overflows = i };
			side_set(s, &st);
			break;
		}
		case 1:
			side_set_live(s, (int64_t)(x >> 33) % 4000);
			break;
		case 2:
			rows += 4096;
			side_rows(s, rows);
			break;
		default:
			now += (int64_t)(x >> 45) % 40000000;
			if (side_advance(s, now) < 0)
				return -1;
		}
	}
	return side_finish(s, now + 1);
}

static void run_one(struct metrics *m, struct seen *w, bool thread)
{
	met_init(m, 5000, 7000000);
	m->max_windows = 1000; /* coarsens several times */
	*w = (struct seen){ .ordered = true };
	struct eng_watch watch = { .ctx = w, .final = note };
	struct side s;
	side_init(&s, m, &watch);
	side_start(&s, thread, NULL, NULL);
	ck_assert_int_eq(s.threaded, thread);
	ck_assert_int_eq(drive(&s, 0x9e3779b97f4a7c15u), 0);
	ck_assert_int_eq(side_join(&s), 0);
	side_free(&s);
}

START_TEST(replayed_calls_give_the_same_bits)
{
	struct metrics a, b;
	struct seen wa, wb;
	run_one(&a, &wa, false);
	run_one(&b, &wb, true);
	ck_assert(a.coarsened > 0);
	ck_assert_uint_eq(a.n_series, b.n_series);
	ck_assert_int_eq(a.coarsened, b.coarsened);
	ck_assert_int_eq(memcmp(a.series, b.series, a.n_series * sizeof *a.series), 0);
	double da[] = { a.int_reserved, a.int_live, a.int_running, a.int_ext_frag, a.int_safety };
	double db[] = { b.int_reserved, b.int_live, b.int_running, b.int_ext_frag, b.int_safety };
	ck_assert_int_eq(memcmp(da, db, sizeof da), 0);
	ck_assert_int_eq(memcmp(&a.cur, &b.cur, sizeof a.cur), 0);
	ck_assert(wa.calls > 1000 && wa.ordered && wb.ordered);
	ck_assert_uint_eq(wa.calls, wb.calls);
	ck_assert_uint_eq(wa.last, wb.last);
	met_free(&a);
	met_free(&b);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("side", replayed_calls_give_the_same_bits);
}
