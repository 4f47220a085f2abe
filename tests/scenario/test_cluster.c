/* cluster: routers, tensor-parallel split, replicas. */
#include <math.h>
#include <string.h>

#include "sim/core/engine.h"
#include "sim/core/router.h"
#include "tests/support/tu.h"

START_TEST(round_robin_cycles)
{
	const struct router_ops *r = router_find("round_robin");
	ck_assert_ptr_nonnull(r);
	struct router_view v[3] = { { 9, 9, 0, 10 }, { 0, 0, 0, 10 }, { 0, 0, 0, 10 } };
	uint64_t turn = 0;
	for (int k = 0; k < 7; k++)
		ck_assert_int_eq(r->pick(v, 3, &turn), (size_t)(k % 3));
}
END_TEST

START_TEST(least_loaded_and_least_kv)
{
	const struct router_ops *ll = router_find("least_loaded");
	const struct router_ops *kv = router_find("least_kv");
	uint64_t turn = 0;
	struct router_view v[3] = {
		{ .waiting = 1, .running = 3, .reserved_tokens = 10, .pool_tokens = 100 },
		{ .waiting = 0, .running = 5, .reserved_tokens = 90, .pool_tokens = 100 },
		{ .waiting = 2, .running = 1, .reserved_tokens = 50, .pool_tokens = 100 },
	};
	ck_assert_int_eq(ll->pick(v, 3, &turn), 2); /* 3 < 4 < 5 */
	ck_assert_int_eq(kv->pick(v, 3, &turn), 0); /* 10% reserved */
	v[2].reserved_tokens = 10;		    /* tie at 10%: shorter queue wins */
	v[0].waiting = 5;
	ck_assert_int_eq(kv->pick(v, 3, &turn), 2);
	v[0].waiting = 2; /* full tie: lowest index */
	ck_assert_int_eq(kv->pick(v, 3, &turn), 0);
	ck_assert_ptr_null(router_find("random"));
}
END_TEST

/* Two mlu370-x4 cards in tensor parallel: each card holds half the weights
 * and half of every token's KV (2 of the 4 KV heads). */
START_TEST(tensor_parallel_split)
{
	const char *one[] = { "device.preset=mlu370-x4" };
	const char *two[] = { "device.preset=mlu370-x4", "cluster.devices=2",
			      "cluster.mode=tensor_parallel" };
	struct cfg *c1 = tu_cfg(one, 1), *c2 = tu_cfg(two, 3);
	struct dev_timing a, b;
	struct om_err e;
	ck_assert_int_eq(dt_init(&a, c1, &e), 0);
	ck_assert_int_eq(dt_init(&b, c2, &e), 0);
	ck_assert_double_eq(b.card_weight_bytes, a.dd.weight_bytes / 2);
	ck_assert_double_eq(b.card_kv_bytes_per_token, 57344.0 / 2);
	ck_assert_int_eq(b.tp, 2);
	/* pool: two cards' memory after reserve, minus one copy of the weights */
	double card = 24.0 * 1073741824.0 * 0.9;
	ck_assert_int_eq(b.dd.pool_tokens, (int64_t)floor((2 * card - 15.232e9) / 57344.0));
	/* all-reduce: 2 per layer, ring over 2 cards = 2 steps of half the bytes */
	double bytes = 10 * 28 * 128 * 2.0; /* 10 tokens of hidden activations */
	double step = bytes / 2 / 32e9 * 1e9 + 10e3;
	ck_assert_double_eq_tol(dt_comm_ns(&b, 10), 2 * 28 * 2 * step, 1e-6);
	ck_assert_double_eq(dt_comm_ns(&a, 10), 0);
	dt_free(&a);
	dt_free(&b);
	cfg_free(c1);
	cfg_free(c2);
}
END_TEST

START_TEST(tensor_parallel_needs_divisible_heads)
{
	const char *sets[] = { "cluster.devices=3", "cluster.mode=tensor_parallel" };
	tu_timing_refused(sets, 2, "cluster.devices", NULL);
}
END_TEST

/* Two replicas, round robin: four equal requests split two and two, so each
 * replica runs exactly what one replica runs with two of them. */
START_TEST(replicas_split_the_load)
{
	const char *one[] = { TINY_DEVICE, "policy.max_model_len=48", "workload.arrival=offline",
			      "run.check_invariants=true" };
	const char *two[] = { TINY_DEVICE, "policy.max_model_len=48", "workload.arrival=offline",
			      "run.check_invariants=true", "cluster.devices=2" };
	struct wl_trace t1, t2;
	struct om_err e;
	trace_init(&t1);
	trace_init(&t2);
	for (int i = 0; i < 2; i++)
		trace_push(&t1, i, 0, 10, 3, NULL, 0, &e);
	for (int i = 0; i < 4; i++)
		trace_push(&t2, i, 0, 10, 3, NULL, 0, &e);
	struct cfg *c1 = tu_cfg(one, sizeof one / sizeof one[0]);
	struct cfg *c2 = tu_cfg(two, sizeof two / sizeof two[0]);
	struct run_result a, b;
	ck_assert_int_eq(engine_run(c1, &t1, NULL, &a, &e), 0);
	ck_assert_int_eq(engine_run(c2, &t2, NULL, &b, &e), 0);
	ck_assert_int_eq(b.instances, 2);
	ck_assert_int_eq(b.sum.pool_tokens, 2 * a.sum.pool_tokens);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(b.reqs[i].finish_ns, a.reqs[0].finish_ns);
	ck_assert_double_eq_tol(b.sum.rps, 2 * a.sum.rps, 1e-9 * a.sum.rps);
	ck_assert_double_eq_tol(b.sum.util_reserved, a.sum.util_reserved, 1e-12);
	run_result_free(&a);
	run_result_free(&b);
	trace_free(&t1);
	trace_free(&t2);
	cfg_free(c1);
	cfg_free(c2);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("cluster", round_robin_cycles, least_loaded_and_least_kv,
			   tensor_parallel_split, tensor_parallel_needs_divisible_heads,
			   replicas_split_the_load);
}
