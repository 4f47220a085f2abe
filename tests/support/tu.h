/* The one helper of the Check tests (libtu, linked by every test program).
 * A test program defines tu_suite(); the shared main() runs it and exits
 * non-zero if any test failed. Besides: configurations (a hand-checkable tiny
 * device, or a chosen KV pool on mlu370-x4), hand-made traces, test-only
 * predictors, temporary files and the shared traces. */
#ifndef OM_TU_H
#define OM_TU_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_models/timing.h"
#include "predictors/predictor.h"
#include "sim/core/engine.h"
#include "sim/core/experiment.h"
#include "workload/trace.h"

/* Defined by each test program: its suite. */
Suite *tu_suite(void);

/* A suite `name` of one case "core" holding the given tests, in order:
 *   return tu_suite_of("evq", pops_in_time_order, ties_pop_in_push_order); */
#define tu_suite_of(name, ...) tu_suite_list(suite_create(name), TU_TESTS(__VA_ARGS__))
/* Adds case "core" with the given tests to `s` and returns it (for loop tests,
 * timeouts). */
#define tu_case(s, ...) tu_case_list((s), TU_TESTS(__VA_ARGS__))
#define TU_TESTS(...)                          \
	(const TTest *const[]){ __VA_ARGS__ }, \
		sizeof((const TTest *const[]){ __VA_ARGS__ }) / sizeof(const TTest *)
Suite *tu_suite_list(Suite *s, const TTest *const *tests, size_t n);
TCase *tu_case_list(Suite *s, const TTest *const *tests, size_t n);

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

/* A checked cfg from the defaults and `sets` (key=value); aborts the test on error. */
struct cfg *tu_cfg(const char *const *sets, int n);

/* A cfg from `sets` (as tu_cfg) and its device timing in *t; aborts the test
 * on error. The caller frees both. */
struct cfg *tu_timing(struct dev_timing *t, const char *const *sets, int n);

/* dt_init must refuse `sets` with a message holding `want` and, unless NULL,
 * `also`. */
void tu_timing_refused(const char *const *sets, int n, const char *want, const char *also);

/* DeepSeek-R1-Distill-Qwen-7B: 28 layers * 4 KV heads * 128 * 2 (K, V) * 2 bytes */
#define TU_KV_BYTES_PER_TOKEN 57344.0
#define TU_WEIGHT_BYTES (7.616e9 * 2)

/* A checked cfg on mlu370-x4 whose KV pool holds about `pool` tokens, with
 * invariant checks on and sampling off, then `sets`. */
struct cfg *tu_pool_cfg(int64_t pool, const char *const *sets, int n);

/* A test-only predictor for engine_run that predicts the truth (a labelled
 * truth-reader, like the oracle predictor). */
extern const struct pred_ops tu_exact;

/* n requests at time `gap_ns * i`, each with the given prompt and output. */
void tu_trace(struct wl_trace *t, size_t n, int64_t gap_ns, int32_t prompt, int32_t out);

/* engine_run with every request predicted `guess`; aborts the test on error. */
void tu_run_guess(const struct cfg *c, const struct wl_trace *t, struct pred_out guess,
		  struct run_result *r);

/* engine_run that aborts the test on error. */
void tu_engine_run(const struct cfg *c, const struct wl_trace *t, const struct pred_handle *ph,
		   struct run_result *r);

/* engine_run without a predictor on a cfg from `sets` (as tu_cfg); aborts the
 * test on error. */
void tu_run_sets(const char *const *sets, int n, const struct wl_trace *t, struct run_result *r);

/* Builds the workload `c` describes and runs the engine on it without a
 * predictor; aborts the test on error. */
void tu_run_workload(const struct cfg *c, struct run_result *r);

/* A policy that sizes memory from predictions must refuse predictor.name=none,
 * naming the key. */
void tu_refuses_without_predictor(const char *policy, int64_t pool);

/* Writes `text` to a new temporary file and puts its name in path (at least
 * TU_PATH bytes); the caller unlinks it. */
#define TU_PATH 64
void tu_write_temp(char *path, const char *text);

/* The shared trace `name` (e.g. "nq.csv") from $ODMASIM_TRACES, else
 * ../shared/traces: true with its path in path[size] if it can be read. The
 * shared traces are not part of the repository, so tests skip without them. */
bool tu_shared_trace(char *path, size_t size, const char *name);

#endif
