/* libFuzzer target: a device/model preset file, loaded at the preset layer
 * (as device.preset_file / model.preset_file would be), checked, and turned
 * into a timing model. An accepted preset must give a positive KV pool and a
 * finite, positive iteration time for a full batch. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device_models/device.h"
#include "device_models/timing.h"
#include "sim/core/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65535 || memchr(data, '\0', size))
		return 0; /* preset files are read as text of at most 64 KiB */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct om_err e = { "" };
	struct cfg *c = cfg_new();
	if (!c || exp_declare_keys(c, &e) < 0)
		abort();
	/* No built-in presets: every device and model key comes from the input. */
	if (cfg_set(c, "device.preset=", &e) < 0 || cfg_set(c, "model.preset=", &e) < 0)
		abort();
	if (cfg_load_string(c, text, "fuzz-preset.ini", CFG_LVL_PRESET, &e) < 0
	    || cfg_check(c, &e) < 0) {
		if (!e.msg[0])
			abort();
		goto out;
	}
	struct dev_timing dt;
	if (dt_init(&dt, c, &e) == 0) {
		if (dt.dd.pool_tokens < 1 || !(dt.dd.kv_bytes_per_token > 0))
			abort();
		struct it_cost cost = { .tokens = 8192, .attn_pairs = 8192.0 * 4096 };
		dt_region(&dt, &cost, 4096);
		if (dt_iter_ns(&dt, &cost, NULL) <= 0)
			abort();
		dt_free(&dt);
	} else if (!e.msg[0]) {
		abort();
	}
out:
	cfg_free(c);
	free(text);
	return 0;
}
