/* libFuzzer target: a whole small experiment. The input is an experiment INI
 * file; the harness then pins what would make one execution slow or touch
 * files (a synthetic workload of at most 16 short requests, no predictor, no
 * preset files) and runs the engine with invariant checks on. Any accepted
 * configuration must run to completion, every request finished or rejected,
 * or fail with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "sim/core/engine.h"
#include "sim/core/experiment.h"
#include "workload/workload.h"

static const char *const pinned[] = {
	"workload.trace=",	     "workload.num_requests=16", "workload.synth_max_tokens=256",
	"run.check_invariants=true", "predictor.name=none",	 "device.preset_file=",
	"model.preset_file=",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_text(data, size, 4096);
	if (!text)
		return 0;
	struct om_err e = { "" };
	struct cfg *c = fz_cfg();
	if (cfg_load_string(c, text, "fuzz.ini", CFG_LVL_FILE, &e) < 0)
		goto out;
	for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++)
		if (cfg_set(c, pinned[i], &e) < 0)
			abort();
	if (dev_load_presets(c, &e) < 0 || cfg_check(c, &e) < 0)
		goto out;
	struct wl_trace t;
	if (wl_build(c, &t, false, &e) == 0) {
		struct run_result r;
		if (engine_run(c, &t, NULL, &r, &e) == 0) {
			if (r.sum.requests_completed + r.sum.requests_rejected != (int64_t)t.n)
				abort();
			run_result_free(&r);
		} else if (!e.msg[0]) {
			abort();
		}
		trace_free(&t);
	}
out:
	cfg_free(c);
	free(text);
	return 0;
}
