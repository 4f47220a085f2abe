/* libFuzzer target: the experiment config reader. The input is an experiment
 * INI file; it goes through the same steps as `odmasim run` up to building
 * the device timing model: declare every key, load, fill presets, check, then
 * dt_init. Inputs naming preset files are stopped before the presets are read
 * (the fuzzer must not read arbitrary paths, e.g. a FIFO). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device_models/device.h"
#include "device_models/timing.h"
#include "sim/core/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, '\0', size))
		return 0; /* cfg_load_file rejects NUL bytes before the parser sees them */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct om_err e = { "" };
	struct cfg *c = cfg_new();
	if (!c || exp_declare_keys(c, &e) < 0)
		abort();
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
	if (dt_init(&dt, c, &e) == 0) {
		struct it_cost cost = { .tokens = 8192, .attn_pairs = 8192.0 * 4096 };
		dt_region(&dt, &cost, 4096);
		if (dt_iter_ns(&dt, &cost, NULL) <= 0)
			abort(); /* an iteration always takes time */
		dt_free(&dt);
	}
out:
	cfg_free(c);
	free(text);
	return 0;
}
