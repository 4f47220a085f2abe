/* timing: the iteration-time formulas against values worked out by hand. */
#include <math.h>

#include "common/rng.h"
#include "device_models/timing.h"
#include "tests/support/tu.h"

/* mlu370-x4 + deepseek-r1-distill-qwen-7b, from the presets. */
static struct cfg *mlu370(struct dev_timing *t)
{
	const char *sets[] = { "device.preset=mlu370-x4" };
	return tu_timing(t, sets, 1);
}

/* One iteration computing `tokens` new tokens over one region of ctx tokens
 * holding `pairs` attention pairs. */
static int64_t one_region(struct dev_timing *t, double tokens, double pairs, double ctx,
			  struct it_time *it)
{
	struct it_cost cost = { .tokens = tokens, .attn_pairs = pairs };
	dt_region(t, &cost, ctx);
	return dt_iter_ns(t, &cost, it);
}

START_TEST(derived_quantities_of_the_reference_setup)
{
	struct dev_timing t;
	struct cfg *c = mlu370(&t);
	/* 2 (K,V) * 28 layers * 4 KV heads * 128 dims * 2 B = 57344 B = 56 KiB */
	ck_assert_double_eq(t.dd.kv_bytes_per_token, 57344.0);
	ck_assert_double_eq(t.dd.run_bytes_per_token, 256.0);
	ck_assert_int_eq(t.dd.runs_per_region, 224);
	/* 7.616e9 params * 2 B */
	ck_assert_double_eq_tol(t.dd.weight_bytes, 15.232e9, 1.0);
	/* 24 GiB * 0.9 - weights, in 56 KiB tokens */
	double pool = 24.0 * 1073741824.0 * 0.9 - 15.232e9;
	ck_assert_int_eq(t.dd.pool_tokens, (int64_t)floor(pool / 57344.0));
	/* B_eff at L = L_half is half the streaming bandwidth */
	ck_assert_double_eq_tol(dt_beff(&t, 4096), 307.2e9 * 0.85 / 2, 1e-3);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* One decode step of one request with 1000 tokens of context on mlu370-x4:
 * memory = 15.232e9 B / (0.85 * 307.2e9 B/s)
 *        + 224 runs * (1000*256 B + 4096 B) / (0.85 * 307.2e9 B/s)
 * compute = (2 * 7.616e9 + 4 * 28 * 28 * 128 * 1000) / (96e12 * 0.5) */
START_TEST(decode_step_by_hand)
{
	struct dev_timing t;
	struct cfg *c = mlu370(&t);
	struct it_time it;
	int64_t ns = one_region(&t, 1, 1000, 1000, &it);
	double bw = 0.85 * 307.2e9;
	double mem = (15.232e9 + 224.0 * (256000.0 + 4096.0)) / bw * 1e9;
	double comp = (2 * 7.616e9 + 4.0 * 28 * 28 * 128 * 1000) / 48e12 * 1e9;
	ck_assert_double_eq_tol(it.memory_ns, mem, 1e-3);
	ck_assert_double_eq_tol(it.compute_ns, comp, 1e-6);
	ck_assert(mem > comp); /* decode on LPDDR is memory-bound */
	ck_assert_int_eq(ns, (int64_t)ceil(mem) + 2000000);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* A big prefill is compute-bound: 8192 prompt tokens. */
START_TEST(prefill_is_compute_bound)
{
	struct dev_timing t;
	struct cfg *c = mlu370(&t);
	double p = 8192;
	struct it_time it;
	one_region(&t, p, p * (p + 1) / 2, p, &it);
	double comp = (2 * 7.616e9 * p + 4.0 * 28 * 28 * 128 * p * (p + 1) / 2) / 48e12 * 1e9;
	ck_assert_double_eq_tol(it.compute_ns, comp, 1e-3);
	ck_assert(it.compute_ns > it.memory_ns);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* The tiny test device: 1000 ns of weights + 1 ns per KV token. */
START_TEST(tiny_device_is_exact)
{
	const char *sets[] = { TINY_DEVICE };
	struct dev_timing t;
	struct cfg *c = tu_timing(&t, sets, sizeof sets / sizeof sets[0]);
	ck_assert_int_eq(t.dd.pool_tokens, 128);
	struct it_cost cost = { .tokens = 2, .attn_pairs = 30 };
	dt_region(&t, &cost, 10);
	dt_region(&t, &cost, 20);
	ck_assert_int_eq(dt_iter_ns(&t, &cost, NULL), 1030);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* Splitting a region into runs costs L_half per extra run under halfsat. */
START_TEST(halfsat_run_penalty)
{
	struct dev_timing t;
	struct cfg *c = mlu370(&t);
	struct it_cost one = { 0 }, many = { 0 };
	dt_runs(&t, &one, 65536, 1);
	dt_runs(&t, &many, 4096, 16);
	double per_run = 4096 / (0.85 * 307.2e9) * 1e9; /* L_half at streaming rate */
	ck_assert_double_eq_tol(dt_kv_ns(&t, &many) - dt_kv_ns(&t, &one), 15 * per_run, 1e-6);
	ck_assert_double_eq(many.kv_bytes, one.kv_bytes);
	dt_free(&t);
	cfg_free(c);
}
END_TEST

/* dt_stretch_ns gives dt_iter_ns's bits for many costs, with what the
 * stretch keeps taken from another iteration's pairs and bytes (a leap
 * prices its iterations so), on one card, two in tensor parallel and the
 * tiny device. */
START_TEST(stretch_prices_as_iter)
{
	const char *one[] = { "device.preset=mlu370-x4" };
	const char *two[] = { "device.preset=mlu370-x4", "cluster.devices=2",
			      "cluster.mode=tensor_parallel" };
	const char *tiny[] = { TINY_DEVICE };
	const char *const *sets[] = { one, two, tiny };
	int nsets[] = { 1, 3, sizeof tiny / sizeof tiny[0] };
	uint64_t h = 17;
	for (int k = 0; k < 3; k++) {
		struct dev_timing t;
		struct cfg *c = tu_timing(&t, sets[k], nsets[k]);
		ck_assert(t.lin);
		for (int i = 0; i < 20000; i++) {
			h = rng_mix64(h);
			double n = (double)(1 + h % 512), bpt = t.dd.run_bytes_per_token;
			double pairs = (double)(h >> 9 & 0xffffff);
			struct it_cost cost = { .tokens = n,
						.attn_pairs = pairs,
						.kv_bytes = bpt * pairs,
						.kv_runs = (double)(h >> 33 & 0xffff),
						.kv_scale = i % 3
							? 0
							: 1.0 + (double)(h >> 49) / 65536.0,
						.extra_ns = i % 5 ? 0 : (double)(h >> 40) };
			struct it_cost other = cost;
			other.attn_pairs = pairs + 12345;
			other.kv_bytes = bpt * other.attn_pairs;
			struct dt_stretch x;
			dt_stretch_set(&t, &x, &other);
			struct it_time it;
			double kv;
			int64_t want = dt_iter_ns(&t, &cost, &it);
			ck_assert_int_eq(dt_stretch_ns(&t, &x, pairs, cost.kv_bytes, &kv), want);
			ck_assert_mem_eq(&kv, &it.kv_ns, sizeof kv);
		}
		dt_free(&t);
		cfg_free(c);
	}
}
END_TEST

START_TEST(model_that_does_not_fit_is_refused)
{
	const char *sets[] = { "device.preset=mlu370-x4", "device.capacity_gib=8" };
	tu_timing_refused(sets, 2, "does not fit", "model.params_b");
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("timing", derived_quantities_of_the_reference_setup, decode_step_by_hand,
			   prefill_is_compute_bound, tiny_device_is_exact, halfsat_run_penalty,
			   stretch_prices_as_iter, model_that_does_not_fit_is_refused);
}
