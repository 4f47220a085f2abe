/* paged policy: iteration prices worked by hand, preemption by recompute,
 * block invariants under churn, and the ideal-memory bound against static. */
#include <math.h>
#include <string.h>

#include "sim/core/engine.h"
#include "sim/core/sched.h"
#include "workload/workload.h"
#include "tests/support/tu.h"

/* The tiny device with L_half = 16 B: reading a run of L bytes costs
 * (L + 16) / 32 ns (32 GB/s, eta 1). One token is 8 B in each of 4 runs
 * (2 layers * 1 KV head * K,V); a block of 4 tokens is a 32 B run. */
#define TINY_RUN_NS(L) (((L) + 16.0) / 32.0)

/* Contiguous: one run of ctx*8 B per region. */
static double contiguous_kv_ns(const int *ctx, int n)
{
	double ns = 0;
	for (int i = 0; i < n; i++)
		ns += 4 * TINY_RUN_NS(ctx[i] * 8.0);
	return ns;
}

/* Paged, one run per block: full blocks of 32 B, then the partial last one. */
static double paged_kv_ns(const int *ctx, int n, int bs)
{
	double ns = 0;
	for (int i = 0; i < n; i++) {
		int full = ctx[i] / bs, part = ctx[i] % bs;
		ns += 4.0 * full * TINY_RUN_NS(bs * 8.0);
		if (part)
			ns += 4 * TINY_RUN_NS(part * 8.0);
	}
	return ns;
}

/* iteration = ceil(max(compute, weights + KV)); weights take 1000 ns, compute
 * is (2 * 16000 * tokens + 4 * 2 layers * 2 heads * 4 dims * pairs) / 1e12 s. */
static int64_t iter_ns(double kv_ns, double tokens, double pairs)
{
	double compute = (2.0 * 16000 * tokens + 4.0 * 2 * 2 * 4 * pairs) / 1e12 * 1e9;
	double memory = 1000.0 + kv_ns;
	return (int64_t)ceil(compute > memory ? compute : memory);
}

/* Three requests at t = 0, prompts 10, 7 and 4, two output tokens each.
 * it1 prefills all three (contexts 10, 7, 4), it2 decodes them (11, 8, 5);
 * every request's first token ends it1 and it finishes at the end of it2.
 * By hand, with blocks of 4 tokens:
 *   it1 contiguous  4*(96+72+48)/32                         = 27 ns -> 1027
 *   it1 paged       A 2 full + 2, B 1 full + 3, C 1 full:
 *                   16 runs * 48/32 + 4*32/32 + 4*40/32      = 33 ns -> 1033
 *   it2 contiguous  4*(104+80+56)/32                        = 30 ns -> 1030
 *   it2 paged       A 2 full + 3, B 2 full, C 1 full + 1:
 *                   20 runs * 48/32 + 4*40/32 + 4*24/32      = 38 ns -> 1038 */
static const int prompt[3] = { 10, 7, 4 };

static void three_requests(const char *policy, const char *extra, struct run_result *r)
{
	const char *sets[] = { TINY_DEVICE,
			       "device.l_half_bytes=16",
			       "policy.max_model_len=40",
			       "policy.block_size=4",
			       "workload.arrival=offline",
			       "run.check_invariants=true",
			       policy,
			       extra };
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	for (int i = 0; i < 3; i++)
		trace_push(&t, i + 1, 0, prompt[i], 2, NULL, 0, &e);
	tu_run_sets(sets, sizeof sets / sizeof sets[0], &t, r);
	trace_free(&t);
}

START_TEST(three_requests_paged_vs_contiguous)
{
	int ctx1[3], ctx2[3];
	double pairs1 = 0, pairs2 = 0;
	for (int i = 0; i < 3; i++) {
		ctx1[i] = prompt[i];
		ctx2[i] = prompt[i] + 1;
		pairs1 += prompt[i] * (prompt[i] + 1) / 2.0;
		pairs2 += ctx2[i];
	}
	int64_t s1 = iter_ns(contiguous_kv_ns(ctx1, 3), 21, pairs1);
	int64_t s2 = iter_ns(contiguous_kv_ns(ctx2, 3), 3, pairs2);
	int64_t p1 = iter_ns(paged_kv_ns(ctx1, 3, 4), 21, pairs1);
	int64_t p2 = iter_ns(paged_kv_ns(ctx2, 3, 4), 3, pairs2);
	/* the formula and the hand arithmetic above agree */
	ck_assert_int_eq(s1, 1027);
	ck_assert_int_eq(p1, 1033);
	ck_assert_int_eq(s2, 1030);
	ck_assert_int_eq(p2, 1038);

	struct run_result r;
	three_requests("policy.name=static", "policy.static_reserve=max_model_len", &r);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_le(llabs(r.reqs[i].first_token_ns - s1), 1);
		ck_assert_int_le(llabs(r.reqs[i].finish_ns - (s1 + s2)), 1);
	}
	run_result_free(&r);

	three_requests("policy.name=paged", "policy.paged_merge_adjacent=false", &r);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_le(llabs(r.reqs[i].first_token_ns - p1), 1);
		ck_assert_int_le(llabs(r.reqs[i].finish_ns - (p1 + p2)), 1);
	}
	/* runs per region: it1 3 + 2 + 1, it2 3 + 2 + 2; bytes: 21 then 24 tokens */
	double bytes = 4 * 8.0 * (21 + 24), runs = 4.0 * (3 + 2 + 1) + 4.0 * (3 + 2 + 2);
	ck_assert_double_eq_tol(r.sum.kv_run_bytes_mean, bytes / runs, 1e-9);
	run_result_free(&r);
}
END_TEST

/* The paged-attention factor scales only the KV time: it2 = 1000 + 1.5 * 38. */
START_TEST(kernel_factor_scales_kv_time)
{
	struct run_result r;
	three_requests("policy.name=paged", "policy.paged_kernel_factor=1.5", &r);
	ck_assert_int_le(llabs(r.reqs[0].first_token_ns - (1000 + 50)), 1);
	ck_assert_int_le(llabs(r.reqs[0].finish_ns - r.reqs[0].first_token_ns - (1000 + 57)), 1);
	run_result_free(&r);
}
END_TEST

/* Without a paged-attention kernel the blocks are copied to a contiguous
 * buffer (read + write, each at the block runs' price) and attention reads
 * that buffer as one region: it1 = 1000 + 27 + 2 * 33, it2 = 1000 + 30 + 2 * 38. */
START_TEST(gather_kernel_copies_blocks_then_reads_contiguous)
{
	struct run_result r;
	three_requests("policy.name=paged", "policy.paged_kernel=gather", &r);
	ck_assert_int_le(llabs(r.reqs[0].first_token_ns - 1093), 1);
	ck_assert_int_le(llabs(r.reqs[0].finish_ns - r.reqs[0].first_token_ns - 1106), 1);
	run_result_free(&r);
}
END_TEST

/* From a fresh pool the blocks come out in address order: A gets 0-2, B 3-4,
 * C 5, then C grows into 6. Merging adjacent blocks then reads each request
 * as one run, exactly the contiguous price (1027 then 1030). */
START_TEST(merged_fresh_blocks_cost_as_contiguous)
{
	struct run_result r;
	three_requests("policy.name=paged", "policy.paged_merge_adjacent=true", &r);
	ck_assert_int_le(llabs(r.reqs[0].first_token_ns - 1027), 1);
	ck_assert_int_le(llabs(r.reqs[0].finish_ns - (1027 + 1030)), 1);
	run_result_free(&r);
}
END_TEST

/* Runs three requests arriving together, prompts of 30 and 40 output tokens,
 * with `sets`; the caller frees r and t. */
static void run_three_30_40(const char **sets, size_t n, struct wl_trace *t, struct run_result *r)
{
	trace_init(t);
	struct om_err e;
	for (int i = 0; i < 3; i++)
		trace_push(t, i + 1, 0, 30, 40, NULL, 0, &e);
	tu_run_sets(sets, n, t, r);
}

/* Pool of 8 blocks of 16 tokens (the tiny device's 128 tokens); A, B, C have
 * prompts of 30 (2 blocks each) and 40 output tokens. Worked through:
 *  it4   contexts reach 33: A and B take the last two blocks, C finds none
 *        and, being the newest, is preempted (its 3 tokens to recompute);
 *  it36  A needs a 5th block at 65: B (newest running) is preempted with 35
 *        generated; the iteration admits nobody (as vLLM after a preemption);
 *  it37+ B at the head of the queue needs 5 blocks, 3 are free: it waits,
 *        and C waits behind it (FCFS);
 *  A finishes; B (65 tokens = 5 blocks) and C (33 = 3 blocks) come back and
 *        recompute; B finishes before C needs a 4th block.
 * Nothing is lost: every request ends with exactly 40 tokens. */
START_TEST(preemption_by_recompute)
{
	const char *sets[] = { TINY_DEVICE,
			       "policy.name=paged",
			       "policy.block_size=16",
			       "policy.max_model_len=128",
			       "workload.arrival=offline",
			       "run.check_invariants=true" };
	struct wl_trace t;
	struct run_result r;
	run_three_30_40(sets, sizeof sets / sizeof sets[0], &t, &r);
	ck_assert_int_eq(r.dt.dd.pool_tokens, 128);
	ck_assert_int_eq(r.sum.requests_completed, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(r.reqs[i].state, RS_FINISHED);
		ck_assert_int_eq(r.reqs[i].generated, 40);
	}
	ck_assert_int_eq(r.reqs[0].preemptions, 0);
	ck_assert_int_eq(r.reqs[1].preemptions, 1);
	ck_assert_int_eq(r.reqs[2].preemptions, 1);
	ck_assert_int_eq(r.reqs[1].recomputed_tokens, 65);
	ck_assert_int_eq(r.reqs[2].recomputed_tokens, 33);
	ck_assert_int_eq(r.sum.preemptions, 2);
	ck_assert_int_eq(r.sum.recomputed_tokens, 98);
	/* A ran 40 iterations untouched; the victims finished after it */
	ck_assert_int_lt(r.reqs[0].finish_ns, r.reqs[1].finish_ns);
	ck_assert_int_lt(r.reqs[1].finish_ns, r.reqs[2].finish_ns);
	/* generated tokens are counted once, whatever was recomputed */
	ck_assert_int_eq(r.sum.generated_tokens, 120);
	run_result_free(&r);
	trace_free(&t);
}
END_TEST

/* scheduler.prefix_cache on the preemption_by_recompute scenario. C is
 * preempted at 32 tokens (2 full blocks cached) but A and B take both its
 * blocks at 49 tokens: nothing left, C recomputes all 33. B is preempted at 64
 * tokens (4 full blocks, released tail first) and A takes one block for its
 * 65th token. fifo (vLLM v1) pops the oldest free block, B's last: its first
 * 3 blocks (48 tokens) stay cached until A finishes, and B recomputes
 * 65 - 48 = 17. lifo pops the last freed, B's first block: no leading block
 * survives and B recomputes all 65, as without the cache. */
START_TEST(prefix_cache_saves_unevicted_blocks)
{
	const char *orders[] = { "policy.paged_free_order=fifo", "policy.paged_free_order=lifo" };
	const int64_t b_recompute[] = { 17, 65 };
	for (int k = 0; k < 2; k++) {
		const char *sets[] = { TINY_DEVICE,
				       "policy.name=paged",
				       "policy.block_size=16",
				       "policy.max_model_len=128",
				       "workload.arrival=offline",
				       "scheduler.prefix_cache=true",
				       "run.check_invariants=true",
				       orders[k] };
		struct wl_trace t;
		struct run_result r;
		run_three_30_40(sets, sizeof sets / sizeof sets[0], &t, &r);
		ck_assert_int_eq(r.sum.requests_completed, 3);
		for (int i = 0; i < 3; i++)
			ck_assert_int_eq(r.reqs[i].generated, 40);
		ck_assert_int_eq(r.reqs[1].preemptions, 1);
		ck_assert_int_eq(r.reqs[2].preemptions, 1);
		ck_assert_int_eq(r.reqs[1].recomputed_tokens, b_recompute[k]);
		ck_assert_int_eq(r.reqs[2].recomputed_tokens, 33);
		ck_assert_int_eq(r.sum.recomputed_tokens, b_recompute[k] + 33);
		run_result_free(&r);
		trace_free(&t);
	}
}
END_TEST

/* Churn on a small pool with the engine checking, after every event, that
 * allocated + free blocks = total and no block has two owners; both free-list
 * orders, with and without merging. The pool must actually run out. */
START_TEST(block_invariants_under_churn)
{
	const char *orders[] = { "policy.paged_free_order=lifo", "policy.paged_free_order=fifo" };
	const char *merges[] = { "policy.paged_merge_adjacent=false",
				 "policy.paged_merge_adjacent=true" };
	for (int k = 0; k < 4; k++) {
		const char *sets[] = { TINY_DEVICE,
				       "policy.name=paged",
				       "policy.block_size=4",
				       "policy.max_model_len=64",
				       "workload.num_requests=300",
				       "workload.rate=2e6",
				       "workload.synth_prompt_median=12",
				       "workload.synth_output_median=20",
				       "workload.synth_max_tokens=40",
				       "run.check_invariants=true",
				       orders[k % 2],
				       merges[k / 2] };
		struct cfg *c = tu_cfg(sets, sizeof sets / sizeof sets[0]);
		struct run_result r;
		tu_run_workload(c, &r);
		ck_assert_int_eq(r.sum.requests_completed + r.sum.requests_rejected, 300);
		ck_assert_int_gt(r.sum.preemptions, 0);
		ck_assert_int_eq(r.pol_final.reserved_tokens, 0);
		run_result_free(&r);
		cfg_free(c);
	}
}
END_TEST

/* The policy environment of a card with timing dt. */
static struct pol_env mlu_env(struct dev_timing *dt)
{
	return (struct pol_env){
		.dt = dt, .pool_tokens = dt->dd.pool_tokens, .max_model_len = 4096, .seed = 1
	};
}

/* Prices one batch under a policy: admit each context, lay it out. */
static int64_t batch_ns(const struct pol_ops *ops, const struct cfg *c, const struct pol_env *env,
			const int32_t *ctx, int n, struct it_time *it)
{
	void *ps;
	struct om_err e;
	struct sim_req req[16];
	memset(req, 0, sizeof req);
	struct pol_env run_env = *env;
	run_env.reqs = req;
	if (ops->create(c, &run_env, &ps, &e) < 0)
		ck_abort_msg("create: %s", e.msg);
	struct it_cost cost = { 0 };
	for (int i = 0; i < n; i++) {
		req[i].id = i;
		req[i].prompt_tokens = ctx[i];
		req[i].pol_off = -1;
		ck_assert_int_eq(ops->admit(ps, &req[i], ctx[i]), POL_OK);
		req[i].ctx = ctx[i];
		cost.tokens += 1;
		cost.attn_pairs += ctx[i];
	}
	for (int i = 0; i < n; i++)
		ops->layout(ps, &req[i], ctx[i], &cost);
	int64_t ns = dt_iter_ns(env->dt, &cost, it);
	for (int i = 0; i < n; i++)
		ops->release(ps, &req[i]);
	ops->destroy(ps);
	return ns;
}

/* With L_half -> 0 every byte costs the same wherever it sits, so paging can
 * only lose by its kernel factor (1 here): for random decode batches on the
 * MLU370 the paged iteration is never slower than the contiguous one. With
 * the preset's L_half of 4 KiB it is slower for (almost) every batch. */
START_TEST(ideal_memory_paged_never_slower)
{
	const char *lh[] = { "device.l_half_bytes=0", "device.l_half_bytes=4096" };
	for (int k = 0; k < 2; k++) {
		const char *sets[] = { "device.preset=mlu370-x4", lh[k],
				       "policy.static_reserve=prompt_plus_max_new" };
		struct dev_timing dt;
		struct cfg *c = tu_timing(&dt, sets, 3);
		struct pol_env env = mlu_env(&dt);
		unsigned s = 12345;
		int slower = 0;
		for (int trial = 0; trial < 200; trial++) {
			int32_t ctx[16];
			int n = 1 + trial % 16;
			for (int i = 0; i < n; i++) {
				s = s * 1103515245u + 12345u;
				ctx[i] = 1 + (int32_t)((s >> 8) % 4000);
			}
			struct it_time ts, tp;
			int64_t st = batch_ns(&pol_static, c, &env, ctx, n, &ts);
			int64_t pg = batch_ns(&pol_paged, c, &env, ctx, n, &tp);
			ck_assert_double_eq_tol(tp.compute_ns, ts.compute_ns, 1e-9);
			if (k == 0) {
				/* equal up to rounding in summing many runs vs few */
				ck_assert(tp.kv_ns <= ts.kv_ns * (1 + 1e-12));
				ck_assert_int_le(pg, st + 1);
			} else {
				/* equal only when every context fits in one block */
				ck_assert(tp.kv_ns >= ts.kv_ns * (1 - 1e-12));
				slower += tp.kv_ns > ts.kv_ns * (1 + 1e-9);
			}
		}
		if (k == 1)
			ck_assert_int_ge(slower, 195);
		dt_free(&dt);
		cfg_free(c);
	}
}
END_TEST

/* One request of 40 tokens on the MLU370 (4 KV heads of 128 dims, 28 layers,
 * L_half 4 KiB, 0.85 * 307.2 GB/s): a run of L bytes costs (L + 4096) / bw.
 *   per_head:  28*4*2 = 224 runs per block; 2 full blocks of 4096 B + 8 tokens
 *              of 2048 B -> 224 * (2 * 8192 + 6144) / bw
 *   per_layer: 28*2 = 56 runs per block; 2 full blocks of 16384 B + 8 tokens
 *              of 8192 B  -> 56 * (2 * 20480 + 12288) / bw */
START_TEST(per_layer_layout_reads_heads_together)
{
	const char *lay[] = { "policy.paged_block_layout=per_head",
			      "policy.paged_block_layout=per_layer" };
	const double want[] = { 224.0 * (2 * 8192 + 6144), 56.0 * (2 * 20480 + 12288) };
	for (int k = 0; k < 2; k++) {
		const char *sets[] = { "device.preset=mlu370-x4", "device.l_half_bytes=4096",
				       lay[k] };
		struct dev_timing dt;
		struct cfg *c = tu_timing(&dt, sets, 3);
		struct pol_env env = mlu_env(&dt);
		int32_t ctx[1] = { 40 };
		struct it_time it;
		batch_ns(&pol_paged, c, &env, ctx, 1, &it);
		ck_assert_double_eq_tol(it.kv_ns, want[k] / (0.85 * 307.2e9) * 1e9, 1e-6);
		dt_free(&dt);
		cfg_free(c);
	}
}
END_TEST

/* The reference device under load: paging holds more requests at once but
 * reads its KV more slowly (with the per-head layout, 4 KiB runs instead of
 * whole-context runs). */
START_TEST(mlu370_paged_fits_more_reads_slower)
{
	struct run_result r[2];
	const char *pol[] = { "policy.name=static", "policy.name=paged" };
	for (int k = 0; k < 2; k++) {
		const char *sets[] = { "device.preset=mlu370-x4", "workload.num_requests=600",
				       "workload.rate=20", pol[k],
				       "policy.paged_block_layout=per_head" };
		struct cfg *c = tu_cfg(sets, 5);
		tu_run_workload(c, &r[k]);
		cfg_free(c);
	}
	ck_assert(r[1].sum.running_mean > 1.5 * r[0].sum.running_mean);
	ck_assert(r[1].sum.kv_gbps < 0.75 * r[0].sum.kv_gbps);
	ck_assert(r[1].sum.kv_run_bytes_mean <= 4096.0);
	run_result_free(&r[0]);
	run_result_free(&r[1]);
}
END_TEST

/* vLLM refuses a max_model_len the cache cannot hold; so does paged. */
START_TEST(refuses_model_len_beyond_pool)
{
	const char *sets[] = { TINY_DEVICE, "policy.name=paged", "policy.block_size=16",
			       "policy.max_model_len=129", "workload.arrival=offline" };
	struct cfg *c = tu_cfg(sets, sizeof sets / sizeof sets[0]);
	struct wl_trace t;
	trace_init(&t);
	struct om_err e;
	trace_push(&t, 1, 0, 4, 2, NULL, 0, &e);
	struct run_result r;
	ck_assert_int_eq(engine_run(c, &t, NULL, &r, &e), -1);
	ck_assert_msg(strstr(e.msg, "policy.max_model_len") && strstr(e.msg, "9 blocks"), "%s",
		      e.msg);
	trace_free(&t);
	cfg_free(c);
}
END_TEST

/* A leap over decoding paged requests makes the same block grows, in the
 * same order, as the iterations it leaps over: after leaps spanning T
 * iterations (grows every block_size iterations, several requests crossing
 * a boundary in the same iteration) each request holds the very blocks it
 * holds after T iterations run one by one. Blocks come off the free list in
 * a fixed order, so any other order of an iteration's grows would swap them. */
enum {
	LEAP_N = 24
};
struct leap_run {
	struct dev_timing *dt;
	struct sim_req req[LEAP_N];
	struct pol_env env;
	void *ps;
	struct sched s;
	int64_t now;
};

static int64_t finish_late(void *ctx, const struct sim_req *r)
{
	(void)ctx;
	return 1000 - r->generated;
}
static int leap_on_iter(void *ctx, int64_t begin, int64_t end, int64_t live, bool changed)
{
	(void)ctx, (void)begin, (void)end, (void)live, (void)changed;
	return 0;
}
static int leap_after(void *ctx)
{
	(void)ctx;
	return 0;
}

/* Admits and prefills LEAP_N requests of prompts 5 .. 40 tokens. */
static void leap_run_start(struct leap_run *L, const struct cfg *c, struct dev_timing *dt)
{
	struct om_err e;
	memset(L, 0, sizeof *L);
	L->dt = dt;
	for (int i = 0; i < LEAP_N; i++) {
		struct sim_req *r = &L->req[i];
		r->id = i;
		r->prompt_tokens = 5 + (i * 7) % 36;
		r->max_output = 1000;
		r->first_admit_ns = r->first_token_ns = r->finish_ns = -1;
		r->pol_off = -1;
	}
	L->env = (struct pol_env){
		.dt = dt, .pool_tokens = dt->dd.pool_tokens, .max_model_len = 4096, .reqs = L->req
	};
	ck_assert_int_eq(pol_paged.create(c, &L->env, &L->ps, &e), 0);
	struct sched_params p = {
		.max_num_seqs = 64, .max_batched_tokens = 8192, .chunked = true, .fast = true
	};
	ck_assert_int_eq(sched_init(&L->s, &p, &pol_paged, L->ps, dt, L->req, LEAP_N, &e), 0);
	sched_set_finish(&L->s, finish_late, NULL);
	for (int i = 0; i < LEAP_N; i++)
		ck_assert_int_eq(sched_arrive(&L->s, &L->req[i], 0), 1);
	L->now = sched_begin(&L->s, 0, NULL);
	sched_end(&L->s, L->now, NULL, NULL);
	ck_assert_uint_eq(sched_running(&L->s), LEAP_N);
}

static void leap_run_step(struct leap_run *L)
{
	L->now += sched_begin(&L->s, L->now, NULL);
	sched_end(&L->s, L->now, NULL, NULL);
}

START_TEST(leaps_grow_blocks_in_batch_order)
{
	const char *sets[] = { TINY_DEVICE, "device.capacity_gib=0.0002", "policy.name=paged",
			       "policy.block_size=4" };
	struct dev_timing dt;
	struct cfg *c = tu_timing(&dt, sets, sizeof sets / sizeof sets[0]);
	ck_assert(dt.lin);
	struct leap_run *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	leap_run_start(a, c, &dt);
	leap_run_start(b, c, &dt);
	const struct sched_leap_hooks h = { .ctx = NULL,
					    .on_iter = leap_on_iter,
					    .after = leap_after };
	int64_t leapt = 0;
	for (int k = 0; k < 20 && leapt < 60; k++) {
		int64_t d = sched_leap(&a->s, &a->now, INT64_MAX, &h);
		ck_assert_int_ge(d, 0);
		leapt += d;
		if (d == 0)
			leap_run_step(a);
		leapt += d == 0;
	}
	ck_assert_int_ge(leapt, 60);
	ck_assert(a->s.use_cal); /* the calendar made them */
	for (int64_t j = 0; j < leapt; j++)
		leap_run_step(b);
	/* the next iteration's grows, which the last leap may have made */
	a->now += sched_begin(&a->s, a->now, NULL);
	b->now += sched_begin(&b->s, b->now, NULL);
	ck_assert_int_eq(a->now, b->now);
	/* every leapt iteration priced as sched_begin priced it, to the bit */
	const struct sched_stats *sa = sched_stats(&a->s), *sb = sched_stats(&b->s);
	ck_assert_int_eq(sa->iterations, sb->iterations);
	ck_assert_int_eq(sa->batch_sum, sb->batch_sum);
	ck_assert_mem_eq(&sa->kv_ns_sum, &sb->kv_ns_sum, sizeof sa->kv_ns_sum);
	ck_assert_mem_eq(&sa->kv_bytes_sum, &sb->kv_bytes_sum, sizeof sa->kv_bytes_sum);
	ck_assert_mem_eq(&sa->kv_runs_sum, &sb->kv_runs_sum, sizeof sa->kv_runs_sum);
	sched_sync(&a->s); /* the running requests' records, as they stand */
	sched_sync(&b->s);
	for (int i = 0; i < LEAP_N; i++) {
		struct pol_range ra[64], rb[64];
		size_t na = pol_paged.owned(a->ps, &a->req[i], ra, 64);
		size_t nb = pol_paged.owned(b->ps, &b->req[i], rb, 64);
		ck_assert_int_eq(a->req[i].generated, b->req[i].generated);
		ck_assert_uint_eq(na, nb);
		ck_assert_uint_le(na, 64);
		for (size_t k = 0; k < na; k++)
			ck_assert_int_eq(ra[k].off, rb[k].off);
	}
	for (int k = 0; k < 2; k++) {
		struct leap_run *L = k ? b : a;
		sched_free(&L->s);
		pol_paged.destroy(L->ps);
	}
	free(a);
	free(b);
	dt_free(&dt);
	cfg_free(c);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("paged", three_requests_paged_vs_contiguous,
			   gather_kernel_copies_blocks_then_reads_contiguous,
			   kernel_factor_scales_kv_time, merged_fresh_blocks_cost_as_contiguous,
			   preemption_by_recompute, prefix_cache_saves_unevicted_blocks,
			   block_invariants_under_churn, ideal_memory_paged_never_slower,
			   per_layer_layout_reads_heads_together,
			   mlu370_paged_fits_more_reads_slower, refuses_model_len_beyond_pool,
			   leaps_grow_blocks_in_batch_order);
}
