/* odma: boundary learning, relocation and its cost, safety pool, preemption
 * instead of loss, exact predictions never overflow, invariants throughout. */
#include "tests/support/tu.h"
#include "workload/workload.h"
#include "common/odma_bounds.h"
#include "common/rng.h"
#include "sim/policy/policy.h"
#include "sim/core/report.h"
#include "sim/core/start_lengths.h"

/* n more requests of length len in the learner's window. */
static void add_n(struct ob_learner *l, int n, int32_t len)
{
	for (int i = 0; i < n; i++)
		ob_add(l, len);
}

/* A learner (window 400, bins of 16) for lengths up to max_len that has seen
 * two points: 300 requests of length 100, then 100 of length 1000. */
static void two_points(struct ob_learner *l, int32_t max_len)
{
	ck_assert_int_eq(ob_init(l, max_len, 16, 400), 0);
	add_n(l, 300, 100);
	add_n(l, 100, 1000);
}

START_TEST(bounds_uniform_equal_width)
{
	/* uniform lengths 1..1024, unweighted slack: the optimum is equal width */
	struct ob_learner l;
	ck_assert_int_eq(ob_init(&l, 1024, 16, 1024), 0);
	for (int32_t L = 1; L <= 1024; L++)
		ob_add(&l, L);
	int32_t b[4];
	ck_assert_int_eq(ob_learn(&l, 4, OB_TOKENS, 0.0, b), 0);
	ck_assert_int_eq(b[0], 256);
	ck_assert_int_eq(b[1], 512);
	ck_assert_int_eq(b[2], 768);
	ck_assert_int_eq(b[3], 1024);
	ob_free(&l);
}
END_TEST

START_TEST(bounds_two_point_and_window)
{
	struct ob_learner l;
	two_points(&l, 4096);
	int32_t b[2];
	/* each point gets the bin edge just above it */
	ck_assert_int_eq(ob_learn(&l, 2, OB_TOKEN_TIME, 0.0, b), 0);
	ck_assert_int_eq(b[0], 112);
	ck_assert_int_eq(b[1], 1008);
	/* the sliding window forgets: 400 new lengths of 50 push the old ones out */
	add_n(&l, 400, 50);
	int32_t one;
	ck_assert_int_eq(ob_learn(&l, 1, OB_TOKENS, 0.0, &one), 0);
	ck_assert_int_eq(one, 64);
	ob_free(&l);
}
END_TEST

START_TEST(bounds_overflow_cap_binds)
{
	/* max_len 1024: one class at 112 leaves the quarter of length 1000 to the
	 * 1024 bucket (slack 300*12 + 100*24), cheaper than one class at 1008
	 * (slack 300*908 + 100*8); the overflow cap decides which is allowed */
	struct ob_learner l;
	two_points(&l, 1024);
	int32_t one;
	ck_assert_int_eq(ob_learn(&l, 1, OB_TOKENS, 0.3, &one), 0);
	ck_assert_int_eq(one, 112);
	ck_assert_int_eq(ob_learn(&l, 1, OB_TOKENS, 0.2, &one), 0);
	ck_assert_int_eq(one, 1008);
	ob_free(&l);
}
END_TEST

START_TEST(bounds_pair_key_picks_bin_length_slack)
{
	/* 300 requests of length 100 whose predictions were 500: filed under the
	 * key 500 they need a class >= 500 (edge 512), observed alone one at 112;
	 * the slack the learner minimises is still c - 100 */
	struct ob_learner l;
	ck_assert_int_eq(ob_init(&l, 1024, 16, 400), 0);
	for (int i = 0; i < 300; i++)
		ob_add_pair(&l, 500, 100);
	int32_t one;
	ck_assert_int_eq(ob_learn(&l, 1, OB_TOKENS, 0.0, &one), 0);
	ck_assert_int_eq(one, 512);
	/* a key below the length is the length: 100 of length 1000 filed under 50 */
	for (int i = 0; i < 100; i++)
		ob_add_pair(&l, 50, 1000);
	int32_t b[2];
	ck_assert_int_eq(ob_learn(&l, 2, OB_TOKENS, 0.0, b), 0);
	ck_assert_int_eq(b[0], 512);
	ck_assert_int_eq(b[1], 1008);
	/* the window forgets keys with their lengths: 400 plain lengths of 50 */
	add_n(&l, 400, 50);
	ck_assert_int_eq(ob_learn(&l, 1, OB_TOKENS, 0.0, &one), 0);
	ck_assert_int_eq(one, 64);
	ob_free(&l);
}
END_TEST

/* A policy instance over a hand-sized pool, driven directly. */
struct fix {
	struct cfg *c;
	struct dev_timing dt;
	struct pol_env env;
	struct start_lengths start;
	void *ps;
};

static void fix_open(struct fix *f, int64_t pool, int32_t mml, const char *const *sets, int n)
{
	const char *all[16] = { "policy.name=odma", "predictor.name=test" };
	int k = 2;
	for (int i = 0; i < n; i++)
		all[k++] = sets[i];
	char mm[64];
	snprintf(mm, sizeof mm, "policy.max_model_len=%d", mml);
	all[k++] = mm;
	f->c = tu_pool_cfg(100000, all, k);
	struct om_err e = { "" };
	ck_assert_int_eq(dt_init(&f->dt, f->c, &e), 0);
	if (start_lengths_load(f->c, pol_odma.start_lengths_key, NULL, &f->start, &e) < 0)
		ck_abort_msg("start lengths: %s", e.msg);
	f->env = (struct pol_env){ .dt = &f->dt,
				   .pool_tokens = pool,
				   .max_model_len = mml,
				   .start_lengths = f->start.len,
				   .n_start_lengths = f->start.n,
				   .start_origin = f->start.origin,
				   .start_key = f->start.key };
	if (pol_odma.create(f->c, &f->env, &f->ps, &e) < 0)
		ck_abort_msg("create: %s", e.msg);
}

static void fix_close(struct fix *f)
{
	pol_odma.destroy(f->ps);
	start_lengths_free(&f->start);
	dt_free(&f->dt);
	cfg_free(f->c);
}

static void req(struct sim_req *r, uint32_t idx, int32_t prompt, int32_t pred, int32_t max_out)
{
	memset(r, 0, sizeof *r);
	(void)idx; /* the policy tells requests apart by their records */
	r->prompt_tokens = prompt;
	r->predicted_len = pred;
	r->pred_bucket = -1;
	r->max_output = max_out;
	r->pol_off = -1;
}

static void checked(struct fix *f)
{
	struct om_err e = { "" };
	if (pol_odma.check(f->ps, &e) < 0)
		ck_abort_msg("invariant: %s", e.msg);
}

/* The exact programme (hull) gives the bounds of the plain scan, on random
 * windows with empty bins, heavy ties (few distinct lengths), paired keys,
 * both objectives and overflow caps, for every K up to a dozen. */
START_TEST(bounds_fast_equals_plain_scan)
{
	uint64_t x = 17;
	int learned = 0;
	for (int round = 0; round < 60; round++) {
		int32_t max_len = 64 + (int32_t)(rng_mix64(x++) % 4000);
		int32_t bin = 1 + (int32_t)(rng_mix64(x++) % 32);
		size_t window = 1 + rng_mix64(x++) % 3000;
		struct ob_learner fast, plain;
		ck_assert_int_eq(ob_init(&fast, max_len, bin, window), 0);
		ck_assert_int_eq(ob_init(&plain, max_len, bin, window), 0);
		plain.reference = true;
		int distinct = 1 + (int)(rng_mix64(x++) % 40);
		size_t n = rng_mix64(x++) % (2 * window + 1) + 1;
		for (size_t i = 0; i < n; i++) {
			int32_t len = 1
				+ (int32_t)(rng_mix64(x++) % (uint64_t)distinct)
					* (max_len / distinct);
			int32_t key = rng_mix64(x++) % 3 ? len
							 : len + (int32_t)(rng_mix64(x++) % 200);
			ob_add_pair(&fast, key, len);
			ob_add_pair(&plain, key, len);
		}
		for (int k = 1; k <= 12 && k <= fast.nbins; k++)
			for (int w = 0; w < 2; w++) {
				double eps = (double)(rng_mix64(x++) % 4) * 0.05;
				int32_t a[12], b[12];
				int ra = ob_learn(&fast, k, w ? OB_TOKEN_TIME : OB_TOKENS, eps, a);
				int rb = ob_learn(&plain, k, w ? OB_TOKEN_TIME : OB_TOKENS, eps, b);
				ck_assert_int_eq(ra, rb);
				for (int c = 0; ra == 0 && c < k; c++)
					ck_assert_int_eq(a[c], b[c]);
				learned += ra == 0;
			}
		ob_free(&fast);
		ob_free(&plain);
	}
	ck_assert_int_gt(learned, 500);
}
END_TEST

/* The brute force: every increasing choice of K last bins, its cost summed
 * over the window's (key, length) pairs by the definition in odma_bounds.h,
 * the least feasible one, ties to the smaller top bin, then the smaller
 * next one down (what "ties go to the smaller edge" means for K classes). */
struct bf {
	const int32_t *key, *len;
	size_t n;
	int32_t max_len, bin;
	int k, nbins;
	enum ob_weight w;
	double eps;
	int best[12], cur[12];
	int64_t best_v, best_over;
};

static int32_t bf_edge(const struct bf *b, int j)
{
	int32_t e = (j + 1) * b->bin;
	return e > b->max_len ? b->max_len : e;
}

/* Cost of b->cur, or -1 if more than eps of the lengths overflow. */
static int64_t bf_cost(const struct bf *b, int64_t *overflow)
{
	int64_t v = 0, over = 0;
	for (size_t i = 0; i < b->n; i++) {
		int bin = (b->key[i] - 1) / b->bin, c = 0;
		while (c < b->k && b->cur[c] < bin)
			c++;
		int64_t e = c < b->k ? bf_edge(b, b->cur[c]) : b->max_len;
		over += c == b->k;
		v += (b->w == OB_TOKENS ? 1 : b->len[i]) * (e - b->len[i]);
	}
	*overflow = over;
	return (double)over > b->eps * (double)b->n ? -1 : v;
}

/* Whether b->cur beats b->best: less cost, or the same and smaller from the top. */
static bool bf_better(const struct bf *b, int64_t v)
{
	if (b->best_v < 0 || v < b->best_v)
		return true;
	for (int c = b->k - 1; v == b->best_v && c >= 0; c--)
		if (b->cur[c] != b->best[c])
			return b->cur[c] < b->best[c];
	return false;
}

static void bf_search(struct bf *b, int c, int from)
{
	if (c == b->k) {
		int64_t over, v = bf_cost(b, &over);
		if (v >= 0 && bf_better(b, v)) {
			b->best_v = v;
			b->best_over = over;
			memcpy(b->best, b->cur, sizeof b->best);
		}
		return;
	}
	for (int j = from; j < b->nbins; j++) {
		b->cur[c] = j;
		bf_search(b, c + 1, j + 1);
	}
}

/* Both programmes (hull and plain scan) against the brute
 * force on small random windows: empty bins inside and above, few distinct
 * lengths (ties), paired keys, both objectives, overflow caps that bind. */
START_TEST(bounds_equal_brute_force)
{
	uint64_t x = 99;
	int learned = 0, tail = 0;
	for (int round = 0; round < 1500; round++) {
		struct bf b = { .bin = 1 + (int32_t)(rng_mix64(x++) % 4) };
		b.max_len = b.bin * (1 + (int32_t)(rng_mix64(x++) % 12));
		b.max_len -= (int32_t)(rng_mix64(x++) % (uint64_t)b.bin);
		size_t window = 1 + rng_mix64(x++) % 40;
		struct ob_learner fast, plain;
		ck_assert_int_eq(ob_init(&fast, b.max_len, b.bin, window), 0);
		ck_assert_int_eq(ob_init(&plain, b.max_len, b.bin, window), 0);
		plain.reference = true;
		int32_t keys[100], lens[100], vals[4];
		for (int v = 0; v < 4; v++)
			vals[v] = 1 + (int32_t)(rng_mix64(x++) % (uint64_t)b.max_len);
		size_t n = 1 + rng_mix64(x++) % 100;
		for (size_t i = 0; i < n; i++) {
			lens[i] = vals[rng_mix64(x++) % 4];
			keys[i] = lens[i]
				+ (rng_mix64(x++) % 4 ? 0 : (int32_t)(rng_mix64(x++) % 8));
			if (keys[i] > b.max_len)
				keys[i] = b.max_len;
			ob_add_pair(&fast, keys[i], lens[i]);
			ob_add_pair(&plain, keys[i], lens[i]);
		}
		b.n = n < window ? n : window;
		b.key = keys + (n - b.n), b.len = lens + (n - b.n), b.nbins = fast.nbins;
		for (b.k = 1; b.k <= 4 && b.k <= b.nbins; b.k++)
			for (int w = 0; w < 2; w++) {
				b.w = w ? OB_TOKEN_TIME : OB_TOKENS;
				b.eps = (double)(rng_mix64(x++) % 4) * 0.1;
				b.best_v = -1;
				bf_search(&b, 0, 0);
				int32_t a[4], p[4];
				int ra = ob_learn(&fast, b.k, b.w, b.eps, a);
				int rp = ob_learn(&plain, b.k, b.w, b.eps, p);
				ck_assert_int_eq(ra,
						 b.best_v < 0 ? -1 : 0); /* a top bin always fits */
				ck_assert_int_eq(rp, ra);
				for (int c = 0; ra == 0 && c < b.k; c++) {
					ck_assert_int_eq(a[c], bf_edge(&b, b.best[c]));
					ck_assert_int_eq(p[c], a[c]);
				}
				learned += ra == 0;
				tail += ra == 0 && b.best_over > 0;
			}
		ob_free(&fast);
		ob_free(&plain);
	}
	ck_assert_int_gt(learned, 1000);
	ck_assert_int_gt(tail, 100); /* the cap let some lengths overflow */
}
END_TEST

START_TEST(relocation_charged_at_stream_bandwidth)
{
	/* mml 512, K=4 geometric start: classes 64, 128, 256, 512 output tokens */
	/* literal: every overflow relocates (engineered would grow in place here) */
	const char *s[] = { "policy.odma_safety=0", "policy.odma_variant=literal" };
	struct fix f;
	fix_open(&f, 4096, 512, s, 2);
	struct sim_req r;
	req(&r, 0, 10, 50, 502);
	ck_assert_int_eq(pol_odma.admit(f.ps, &r, 10), POL_OK);
	ck_assert_int_eq(r.pol_cap, 10 + 64);
	struct it_cost cost = { 0 };
	r.ctx = 74;
	ck_assert_int_eq(pol_odma.grow(f.ps, &r, 74, &cost), POL_OK);
	ck_assert(cost.extra_ns == 0);
	ck_assert_int_eq(pol_odma.grow(f.ps, &r, 75, &cost), POL_OK);
	ck_assert_int_eq(r.pol_cap, 10 + 128);
	/* by hand: 74 tokens * 57344 B read and written at 0.85 * 307.2 GB/s */
	double want = 2.0 * 74 * TU_KV_BYTES_PER_TOKEN / (0.85 * 307.2e9) * 1e9;
	ck_assert_double_eq_tol(cost.extra_ns, want, 1e-6 * want);
	/* and the iteration's memory time carries it */
	struct it_time bd;
	dt_iter_ns(&f.dt, &cost, &bd);
	ck_assert_double_eq_tol(bd.extra_ns, want, 1e-6 * want);
	ck_assert(bd.memory_ns >= bd.weights_ns + want - 1);
	struct pol_stats ps;
	pol_odma.stats(f.ps, &ps);
	ck_assert_int_eq(ps.relocations, 1);
	ck_assert_int_eq(ps.overflows, 1);
	ck_assert_int_eq(ps.relocated_bytes, (int64_t)(74 * TU_KV_BYTES_PER_TOKEN));
	ck_assert_int_eq(ps.reserved_tokens, 138); /* old region freed */
	checked(&f);
	pol_odma.release(f.ps, &r);
	pol_odma.stats(f.ps, &ps);
	ck_assert_int_eq(ps.reserved_tokens, 0);
	ck_assert_int_eq(ps.free_tokens, 4096);
	fix_close(&f);
}
END_TEST

START_TEST(safety_pool_then_no_room_changes_nothing)
{
	/* pool 1024 = arena 512 + one 512-token safety slot */
	const char *s[] = { "policy.odma_safety=0.5", "policy.odma_variant=literal" };
	struct fix f;
	fix_open(&f, 1024, 512, s, 2);
	struct sim_req a, b, u;
	req(&u, 0, 10, 50, 502);
	u.pred_uncertain = true; /* goes to the safety slot first */
	ck_assert_int_eq(pol_odma.admit(f.ps, &u, 10), POL_OK);
	ck_assert_int_eq(u.pol_off, 512);
	ck_assert_int_eq(u.pol_cap, 512);
	req(&a, 1, 100, 200, 402); /* class 256: 356 tokens */
	ck_assert_int_eq(pol_odma.admit(f.ps, &a, 100), POL_OK);
	ck_assert_int_eq(a.pol_cap, 356);
	req(&b, 2, 20, 60, 492); /* class 64: 84 tokens */
	ck_assert_int_eq(pol_odma.admit(f.ps, &b, 20), POL_OK);
	checked(&f);
	/* b outgrows 84: next class (148 tokens) does not fit the arena's 72 free,
	 * and the safety slot is taken: no room, and nothing changed */
	struct pol_stats before, after;
	pol_odma.stats(f.ps, &before);
	struct it_cost cost = { 0 };
	b.ctx = 84;
	ck_assert_int_eq(pol_odma.grow(f.ps, &b, 85, &cost), POL_NO_ROOM);
	pol_odma.stats(f.ps, &after);
	ck_assert_int_eq(b.pol_cap, 84);
	ck_assert_int_eq(after.reserved_tokens, before.reserved_tokens);
	ck_assert_int_eq(after.relocations, 0);
	ck_assert(cost.extra_ns == 0);
	/* the uncertain request leaves: b overflows into the safety slot */
	pol_odma.release(f.ps, &u);
	ck_assert_int_eq(pol_odma.grow(f.ps, &b, 85, &cost), POL_OK);
	ck_assert_int_eq(b.pol_off, 512);
	pol_odma.stats(f.ps, &after);
	ck_assert_int_eq(after.safety_used_tokens, 512);
	ck_assert_int_eq(after.overflows, 1); /* the retry is the same overflow */
	checked(&f);
	pol_odma.release(f.ps, &a);
	pol_odma.release(f.ps, &b);
	pol_odma.stats(f.ps, &after);
	ck_assert_int_eq(after.free_tokens, 1024);
	fix_close(&f);
}
END_TEST

START_TEST(random_churn_regions_never_overlap)
{
	const char *s[] = { "policy.odma_safety=0.25", "policy.odma_relearn_every=5",
			    "policy.odma_window=50" };
	struct fix f;
	fix_open(&f, 8192, 512, s, 3);
	enum {
		N = 40
	};
	struct sim_req r[N];
	bool live[N] = { false };
	unsigned x = 12345;
	for (int step = 0; step < 20000; step++) {
		x = x * 1103515245u + 12345u;
		int i = (int)((x >> 8) % N);
		struct it_cost cost = { 0 };
		if (!live[i]) {
			req(&r[i], (uint32_t)i, 1 + (int32_t)((x >> 3) % 200),
			    (int32_t)((x >> 12) % 300), 300);
			r[i].pred_uncertain = (x >> 20) % 7 == 0;
			if (pol_odma.admit(f.ps, &r[i], r[i].prompt_tokens) == POL_OK) {
				live[i] = true;
				r[i].ctx = r[i].prompt_tokens;
			}
		} else if ((x >> 16) % 5 == 0 || r[i].generated + 1 >= r[i].max_output) {
			r[i].generated = r[i].ctx - r[i].prompt_tokens;
			pol_odma.finish(f.ps, &r[i], step);
			pol_odma.release(f.ps, &r[i]);
			live[i] = false;
		} else {
			int32_t need = r[i].ctx + 1;
			if (pol_odma.grow(f.ps, &r[i], need, &cost) == POL_OK) {
				r[i].ctx = need;
				r[i].generated = need - r[i].prompt_tokens;
			}
		}
		checked(&f);
		/* plain loops, one assertion per step: Check's asserts are slow */
		int64_t held = 0;
		bool ok = true;
		for (int a = 0; a < N; a++) {
			if (!live[a])
				continue;
			ok = ok && r[a].ctx <= r[a].pol_cap;
			held += r[a].pol_cap;
			for (int b = a + 1; b < N; b++)
				if (live[b])
					ok = ok
						&& (r[a].pol_off + r[a].pol_cap <= r[b].pol_off
						    || r[b].pol_off + r[b].pol_cap <= r[a].pol_off);
		}
		ck_assert_msg(ok, "step %d: overlapping or overfull regions", step);
		struct pol_stats ps;
		pol_odma.stats(f.ps, &ps);
		ck_assert_int_eq(ps.reserved_tokens, held);
		ck_assert_int_eq(ps.reserved_tokens + ps.free_tokens, 8192);
	}
	for (int i = 0; i < N; i++)
		if (live[i])
			pol_odma.release(f.ps, &r[i]);
	fix_close(&f);
}
END_TEST

START_TEST(underpredicted_request_relocates_and_finishes)
{
	const char *s[] = { "policy.name=odma", "predictor.name=test", "policy.max_model_len=1024",
			    "policy.odma_safety=0", "policy.odma_variant=literal" };
	struct cfg *c = tu_pool_cfg(20000, s, 5);
	struct wl_trace t;
	tu_trace(&t, 1, 0, 30, 600);
	struct run_result r;
	tu_run_guess(c, &t, (struct pred_out){ 40, 0, -1, false }, &r);
	ck_assert_int_eq(r.sum.requests_completed, 1);
	ck_assert_int_eq(r.reqs[0].generated, 600);
	/* classes 128, 256, 512, 1024: 40 -> 128, then 256, 512, 1024 */
	ck_assert_int_eq(r.sum.relocations, 3);
	ck_assert_int_eq(r.sum.overflows, 3);
	ck_assert_int_eq(r.sum.preemptions, 0);
	/* bytes moved: the KV held at each move, 30+128, 30+256, 30+512 tokens */
	ck_assert_int_eq(r.sum.relocated_bytes,
			 (int64_t)((158 + 286 + 542) * TU_KV_BYTES_PER_TOKEN));
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(exhausted_safety_pool_preempts_never_loses)
{
	/* 40 requests predicted at 10 tokens that run to 400 in a pool of ~3000
	 * tokens with one 1024-token safety slot: overflows exhaust the arena and
	 * the slot, so some must be preempted; all must still finish. */
	const char *s[] = { "policy.name=odma",
			    "predictor.name=test",
			    "policy.max_model_len=1024",
			    "policy.odma_safety=0.35",
			    "policy.odma_relearn_every=0",
			    "workload.arrival=trace" };
	struct cfg *c = tu_pool_cfg(3000, s, 6);
	struct wl_trace t;
	tu_trace(&t, 40, 1000000, 20, 400);
	struct run_result r;
	tu_run_guess(c, &t, (struct pred_out){ 10, 0, -1, false }, &r);
	ck_assert_int_eq(r.sum.requests_completed, 40);
	ck_assert_int_eq(r.sum.requests_rejected, 0);
	ck_assert_int_gt(r.sum.preemptions, 0);
	ck_assert_int_gt(r.sum.recomputed_tokens, 0);
	ck_assert_int_gt(r.sum.relocations, 0);
	ck_assert(r.sum.safety_occupancy > 0);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_int_eq(r.reqs[i].generated, 400);
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(exact_predictions_never_overflow)
{
	/* synthetic workload under memory pressure, exact predictions, no margin */
	const char *s[] = { "policy.name=odma",		 "predictor.name=test",
			    "policy.odma_margin=0",	 "policy.odma_relearn_every=50",
			    "workload.num_requests=400", "workload.rate=20",
			    "policy.odma_safety=0.2",	 "policy.odma_variant=literal" };
	struct cfg *c = tu_pool_cfg(30000, s, 8);
	struct wl_trace t;
	struct om_err e = { "" };
	trace_init(&t);
	ck_assert_msg(wl_build(c, &t, false, &e) == 0, "%s", e.msg);
	struct pred_handle ph = { .ops = &tu_exact };
	struct run_result r;
	tu_engine_run(c, &t, &ph, &r);
	ck_assert_int_eq(r.sum.requests_completed + r.sum.requests_rejected, 400);
	ck_assert_int_eq(r.sum.overflows, 0);
	ck_assert_int_eq(r.sum.relocations, 0);
	ck_assert(r.sum.util_reserved > 0.3); /* there was memory pressure */
	/* boundaries were re-learned and recorded */
	ck_assert_ptr_nonnull(r.pol_series);
	ck_assert_str_eq(r.pol_series_file, "boundaries.csv");
	ck_assert(strncmp(r.pol_series, "t_s,completions,c1,c2,c3,c4\n", 28) == 0);
	int rows = 0;
	for (const char *p = r.pol_series; *p; p++)
		rows += *p == '\n';
	ck_assert_int_eq(rows, 1 + 1 + (int)(r.sum.requests_completed / 50));
	run_result_free(&r);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(deterministic_and_writes_boundaries_csv)
{
	const char *s[] = {
		"policy.name=odma",	     "predictor.name=test", "policy.odma_relearn_every=40",
		"workload.num_requests=300", "workload.rate=20",    "policy.odma_safety=0.2"
	};
	struct cfg *c = tu_pool_cfg(30000, s, 6);
	struct wl_trace t;
	struct om_err e = { "" };
	trace_init(&t);
	ck_assert_msg(wl_build(c, &t, false, &e) == 0, "%s", e.msg);
	struct pred_out guess = { 90, 0, -1, false }; /* wrong for most: overflows happen */
	struct run_result a, b;
	tu_run_guess(c, &t, guess, &a);
	tu_run_guess(c, &t, guess, &b);
	ck_assert_int_gt(a.sum.relocations, 0);
	ck_assert_int_eq(a.sum.relocations, b.sum.relocations);
	ck_assert(a.sum.e2e_p99_s == b.sum.e2e_p99_s);
	ck_assert_str_eq(a.pol_series, b.pol_series);
	char dir[] = "/tmp/odma_test_XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char out[64], path[128];
	snprintf(out, sizeof out, "%s/res", dir);
	ck_assert_msg(report_write(out, c, &t, &a, &e) == 0, "%s", e.msg);
	snprintf(path, sizeof path, "%s/boundaries.csv", out);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(line, "t_s,completions,c1,c2,c3,c4\n");
	fclose(f);
	snprintf(path, sizeof path, "%s/summary.csv", out);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	/* clean up the results directory */
	const char *names[] = { "boundaries.csv", "summary.csv",  "summary.json",
				"config.ini",	  "requests.csv", "util.csv" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", out, names[i]);
		remove(path);
	}
	remove(out);
	remove(dir);
	run_result_free(&a);
	run_result_free(&b);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

START_TEST(starting_boundaries_from_training_lengths)
{
	/* a trace of 300 outputs of 100 tokens and 100 of 1000: with K = 2 the
	 * starting classes are their bin edges, 112 and 1008 */
	char dir[] = "/tmp/odma_init_XXXXXX", path[128];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/train.csv", dir);
	FILE *tf = fopen(path, "w");
	ck_assert_ptr_nonnull(tf);
	fprintf(tf, "id,prompt_tokens,output_tokens\n");
	for (int i = 0; i < 400; i++)
		fprintf(tf, "%d,10,%d\n", i, i < 300 ? 100 : 1000);
	fclose(tf);
	char set[200];
	snprintf(set, sizeof set, "policy.odma_init_trace=%s", path);
	const char *s[] = { "policy.odma_classes=2", "policy.odma_safety=0", set };
	struct fix f;
	fix_open(&f, 8192, 4096, s, 3);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	pol_odma.series(f.ps, m);
	fclose(m);
	ck_assert_str_eq(buf, "t_s,completions,c1,c2\n0.000000,0,112,1008\n");
	free(buf);
	/* and a request predicted at 150 tokens takes the 1008 class */
	struct sim_req r;
	req(&r, 0, 10, 150, 4000);
	ck_assert_int_eq(pol_odma.admit(f.ps, &r, 10), POL_OK);
	ck_assert_int_eq(r.pol_cap, 10 + 1008);
	pol_odma.release(f.ps, &r);
	fix_close(&f);
	remove(path);
	remove(dir);
}
END_TEST

START_TEST(refuses_without_predictor)
{
	tu_refuses_without_predictor("odma", 30000);
}
END_TEST

/* Engineered (the default): an uncertain request and a prediction above the
 * top class both take the top class, not max_model_len; an overflow grows in
 * place while the range after the region is free, and relocates once it is
 * not. */
/* The class an uncertain request and a prediction above the top class get,
 * after the classes were learned from 20 lengths of 100 tokens. */
static void top_class_caps(const char *variant, int32_t *unc_cap, int32_t *big_cap)
{
	const char *s[] = { "policy.odma_safety=0", "policy.odma_classes=3",
			    "policy.odma_relearn_every=20", "policy.odma_window=20", variant };
	struct fix f;
	fix_open(&f, 8192, 2048, s, 5);
	struct sim_req r;
	for (uint32_t i = 0; i < 20; i++) {
		req(&r, i, 10, 100, 2038);
		r.generated = 100;
		pol_odma.finish(f.ps, &r, 0);
	}
	req(&r, 0, 10, 50, 2038);
	r.pred_uncertain = true;
	ck_assert_int_eq(pol_odma.admit(f.ps, &r, 10), POL_OK);
	*unc_cap = r.pol_cap;
	pol_odma.release(f.ps, &r);
	req(&r, 1, 10, 1500, 2038);
	ck_assert_int_eq(pol_odma.admit(f.ps, &r, 10), POL_OK);
	*big_cap = r.pol_cap;
	pol_odma.release(f.ps, &r);
	checked(&f);
	fix_close(&f);
}

/* Engineered (the default): an uncertain request and a prediction above the
 * top class both take the top learned class, not the output limit; literal
 * sends both to the output limit. */
START_TEST(engineered_caps_at_the_top_learned_class)
{
	int32_t u, b;
	top_class_caps("policy.odma_variant=engineered", &u, &b);
	ck_assert_int_ge(u, 10 + 100);
	ck_assert_int_lt(u, 10 + 200);
	ck_assert_int_eq(b, u);
	top_class_caps("policy.odma_variant=literal", &u, &b);
	ck_assert_int_eq(u, 10 + 2038);
	ck_assert_int_eq(b, 10 + 2038);
}
END_TEST

/* Engineered: an overflow grows in place while the range after the region
 * is free, and relocates once another region sits there. */
START_TEST(engineered_grows_in_place_else_relocates)
{
	const char *s[] = { "policy.odma_safety=0", "policy.odma_classes=3" };
	struct fix f;
	fix_open(&f, 8192, 2048, s, 2); /* geometric classes 512, 1024, 2048 */
	struct sim_req a, b;
	req(&a, 1, 10, 100, 2038);
	ck_assert_int_eq(pol_odma.admit(f.ps, &a, 10), POL_OK);
	ck_assert_int_eq(a.pol_off, 0);
	ck_assert_int_eq(a.pol_cap, 10 + 512);
	struct it_cost cost = { 0 };
	a.ctx = 522;
	ck_assert_int_eq(pol_odma.grow(f.ps, &a, 523, &cost), POL_OK);
	ck_assert_int_eq(a.pol_off, 0); /* grown in place: nothing moved or charged */
	ck_assert_int_eq(a.pol_cap, 10 + 1024);
	ck_assert(cost.extra_ns == 0);
	req(&b, 2, 10, 100, 2038); /* lands right after a */
	ck_assert_int_eq(pol_odma.admit(f.ps, &b, 10), POL_OK);
	ck_assert_int_eq(b.pol_off, 1034);
	a.ctx = 1034;
	ck_assert_int_eq(pol_odma.grow(f.ps, &a, 1035, &cost), POL_OK);
	ck_assert_int_ne(a.pol_off, 0); /* b blocks the range after a: relocated */
	ck_assert(cost.extra_ns > 0);
	struct pol_stats ps;
	pol_odma.stats(f.ps, &ps);
	ck_assert_int_eq(ps.overflows, 2);
	ck_assert_int_eq(ps.relocations, 1);
	ck_assert_int_eq(ps.reserved_tokens, a.pol_cap + b.pol_cap);
	checked(&f);
	pol_odma.release(f.ps, &a);
	pol_odma.release(f.ps, &b);
	fix_close(&f);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of(
		"odma", bounds_uniform_equal_width, bounds_two_point_and_window,
		bounds_overflow_cap_binds, bounds_pair_key_picks_bin_length_slack,
		bounds_fast_equals_plain_scan, bounds_equal_brute_force,
		relocation_charged_at_stream_bandwidth, safety_pool_then_no_room_changes_nothing,
		random_churn_regions_never_overlap, underpredicted_request_relocates_and_finishes,
		exhausted_safety_pool_preempts_never_loses, exact_predictions_never_overflow,
		deterministic_and_writes_boundaries_csv, starting_boundaries_from_training_lengths,
		refuses_without_predictor, engineered_caps_at_the_top_learned_class,
		engineered_grows_in_place_else_relocates);
}
