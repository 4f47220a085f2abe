/* libFuzzer target: the experiment config reader. The input is an experiment
 * INI file; it goes through the same steps as `odmasim run` up to building
 * the device timing model: declare every key, load, fill presets, check, then
 * dt_init. Inputs naming preset files are stopped before the presets are read
 * (the fuzzer must not read arbitrary paths, e.g. a FIFO). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "device_models/device.h"
#include "device_models/timing.h"
#include "sim/core/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* cfg_load_file rejects NUL bytes before the parser sees them */
	char *text = fz_text(data, size, SIZE_MAX);
	if (!text)
		return 0;
	struct om_err e = { "" };
	struct cfg *c = fz_cfg();
	if (cfg_load_string(c, text, "fuzz.ini", CFG_LVL_FILE, &e) < 0) {
		if (!e.msg[0])
			abort();
		goto out;
	}
	if (cfg_is_set(c, "device.preset_file") || cfg_is_set(c, "model.preset_file"))
		goto out;
	if (dev_load_presets(c, &e) < 0 || cfg_check(c, &e) < 0) {
		if (!e.msg[0])
			abort();
		goto out;
	}
	struct dev_timing dt;
	if (dt_init(&dt, c, &e) == 0)
		fz_check_iteration(&dt);
out:
	cfg_free(c);
	free(text);
	return 0;
}
