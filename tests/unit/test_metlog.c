/* metlog: metrics integrated through the log (two threads: on the consumer
 * thread over many blocks, or replayed at the end when a short run fills
 * none) or at once (one thread) hold exactly the sums, series and gap
 * histogram of the same steps integrated by direct calls (a moved state
 * rebuilt from the last one set included), with a coarsening
 * series; gaps split between two histograms and merged give the histogram of
 * all of them. */
#include <string.h>

#include "tests/support/tu.h"
#include "sim/core/metlog.h"

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 33;
}

/* A leapt iteration whose state moved from the last one set, *st, in
 * reserved, running, ext_frag and live: metlog_move, or the calls it stands
 * for. */
static void move(struct metrics *m, struct metlog *ml, struct met_state *st, uint64_t *s, int64_t t)
{
	st->reserved = (int64_t)(next(s) % 900);
	st->running = (int64_t)(next(s) % 40);
	st->ext_frag = (double)(next(s) % 1000) / 991.0;
	st->live += st->running;
	int64_t gap = (int64_t)(next(s) % 100000);
	if (ml) {
		metlog_move(ml, st, gap, t);
		return;
	}
	met_set(m, st);
	itl_add(&m->itl, gap, st->running);
	met_set_live(m, st->live);
	ck_assert_int_eq(met_advance(m, t), 0);
}

/* One pseudo-random run's steps, given either to m directly (ml NULL) or to
 * ml: events (advance, set) and leapt iterations (set or not, then a step,
 * or once set one moved state and a step). */
static void drive(struct metrics *m, struct metlog *ml, size_t steps)
{
	uint64_t s = 99;
	int64_t t = 0, live = 0;
	struct met_state st = { 0 };
	bool set = false;
	for (size_t k = 0; k < steps; k++) {
		t += 1 + (int64_t)(next(&s) % 5000);
		int64_t r = (int64_t)(next(&s) % 100);
		if (r >= 85 && set) {
			move(m, ml, &st, &s, t);
			live = st.live;
			continue;
		}
		if (r < 30) { /* an event: time advances, then the whole state */
			int64_t res = (int64_t)(next(&s) % 900);
			live = (int64_t)(next(&s) % 700);
			int64_t wait = (int64_t)(next(&s) % 9);
			double frag = (double)(next(&s) % 1000) / 997.0;
			st = (struct met_state){ .reserved = res,
						 .live = live,
						 .running = r,
						 .waiting = wait,
						 .ext_frag = frag,
						 .safety_used = r / 3,
						 .safety_tokens = 40,
						 .overflows = (int64_t)k / 50 };
			set = true;
			if (ml) {
				metlog_advance(ml, t);
				metlog_set(ml, &st);
			} else {
				ck_assert_int_eq(met_advance(m, t), 0);
				met_set(m, &st);
			}
			continue;
		}
		live += r % 7;
		int64_t gap = (int64_t)(next(&s) % 100000), w = r % 13;
		if (ml) {
			metlog_step(ml, gap, w, live, t);
		} else {
			itl_add(&m->itl, gap, w);
			met_set_live(m, live);
			ck_assert_int_eq(met_advance(m, t), 0);
		}
	}
	if (ml)
		ck_assert_int_eq(metlog_finish(ml, t + 7), 0);
	else
		ck_assert_int_eq(met_finish(m, t + 7), 0);
}

static void same_metrics(const struct metrics *a, const struct metrics *b)
{
	ck_assert(a->t0 == b->t0 && a->t_last == b->t_last);
	ck_assert(a->int_reserved == b->int_reserved && a->int_live == b->int_live);
	ck_assert(a->int_running == b->int_running && a->int_ext_frag == b->int_ext_frag);
	ck_assert(a->int_safety == b->int_safety && a->safety_tokens == b->safety_tokens);
	ck_assert(!memcmp(&a->cur, &b->cur, sizeof a->cur));
	ck_assert_int_eq(a->coarsened, b->coarsened);
	ck_assert_uint_eq(a->n_series, b->n_series);
	ck_assert(!memcmp(a->series, b->series, a->n_series * sizeof *a->series));
	ck_assert_int_eq(a->itl.n, b->itl.n);
	for (int q = 1; q <= 100; q++)
		ck_assert(itl_quantile_s(&a->itl, q, 100) == itl_quantile_s(&b->itl, q, 100));
}

/* steps: ~700 k words for 200 k, many blocks; 1000 fill none */
static void check_steps(size_t steps)
{
	struct metrics direct;
	met_init(&direct, 1000, 3000);
	direct.max_windows = 4096;
	drive(&direct, NULL, steps);
	ck_assert(steps < 100000 || direct.coarsened > 0);
	for (int threads = 1; threads <= 2; threads++) {
		struct metrics m;
		struct metlog ml;
		met_init(&m, 1000, 3000);
		m.max_windows = 4096;
		metlog_open(&ml, &m, threads);
		drive(&m, &ml, steps);
		metlog_close(&ml);
		same_metrics(&direct, &m);
		met_free(&m);
	}
	met_free(&direct);
}

START_TEST(replay_equals_direct_integration)
{
	check_steps(200000);
	check_steps(1000);
}
END_TEST

/* A run that fails stops the consumer before the metrics go. */
START_TEST(close_without_finish)
{
	struct metrics m;
	struct metlog ml;
	met_init(&m, 1000, 3000);
	metlog_open(&ml, &m, 2);
	for (int64_t t = 0; t < 300000; t++)
		metlog_advance(&ml, t);
	metlog_close(&ml);
	met_free(&m);
}
END_TEST

START_TEST(merged_histograms)
{
	struct itl all, a, b;
	itl_init(&all);
	itl_init(&a);
	itl_init(&b);
	uint64_t s = 5;
	for (int i = 0; i < 50000; i++) {
		int64_t gap = (int64_t)(next(&s) % 3000000), w = (int64_t)(next(&s) % 4);
		itl_add(&all, gap, w);
		itl_add(i % 3 ? &a : &b, gap, w);
	}
	ck_assert_int_eq(itl_merge(&a, &b), 0);
	ck_assert_int_eq(a.n, all.n);
	for (int blk = 0; blk < ITL_BLOCKS; blk++) {
		ck_assert((a.block[blk] == NULL) == (all.block[blk] == NULL));
		if (all.block[blk])
			ck_assert(!memcmp(a.block[blk], all.block[blk],
					  ITL_SUB * sizeof *all.block[blk]));
	}
	itl_free(&all);
	itl_free(&a);
	itl_free(&b);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("metlog", replay_equals_direct_integration, close_without_finish,
			   merged_histograms);
}
