/* Helpers shared by the tests: a Check main() and a tiny-device config whose
 * numbers are easy to work out by hand. */
#ifndef OM_TESTUTIL_H
#define OM_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#include "sim/core/experiment.h"

/* A device and model chosen so one iteration costs, exactly,
 *   1000 ns of weights + 1 ns per KV token read (L_half = 0, 32 B/token at 32 GB/s)
 * while compute stays below memory for small batches:
 *   weights 16000 params * 2 B = 32000 B at 32e9 B/s = 1000 ns
 *   KV per token 2 layers * 1 KV head * 2 (K,V) * 4 dims * 2 B = 32 B
 *   pool = 36096 B capacity - 32000 B weights = 4096 B = 128 tokens. */
#define TINY_DEVICE                                                                          \
	"device.preset=", "device.name=tiny", "device.capacity_gib=3.36170196533203125e-05", \
		"device.peak_bw_gbps=32", "device.eta_seq=1", "device.l_half_bytes=0",       \
		"device.peak_tflops=1", "device.compute_eff=1", "device.iter_overhead_us=0", \
		"device.reserve_frac=0", "device.mem_model=halfsat",                         \
		"model.preset=", "model.name=tiny", "model.layers=2", "model.heads=2",       \
		"model.kv_heads=1", "model.head_dim=4", "model.bytes_per_elem=2",            \
		"model.params_b=0.000016"

static inline struct cfg *tu_cfg(const char **sets, int n)
{
	struct om_err e;
	struct cfg *c = exp_load(NULL, (char *const *)sets, n, &e);
	if (!c)
		ck_abort_msg("config: %s", e.msg);
	return c;
}

/* Runs a suite and turns its result into an exit code. */
static inline int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
