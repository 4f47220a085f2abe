/* libFuzzer target: a device/model preset file, loaded at the preset layer
 * (as device.preset_file / model.preset_file would be), checked, and turned
 * into a timing model. An accepted preset must give a positive KV pool and a
 * finite, positive iteration time for a full batch. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "device_models/device.h"
#include "device_models/timing.h"
#include "sim/core/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* preset files are read as text of at most 64 KiB */
	char *text = fz_text(data, size, 65535);
	if (!text)
		return 0;
	struct om_err e = { "" };
	struct cfg *c = fz_cfg();
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
		fz_check_iteration(&dt);
	} else if (!e.msg[0]) {
		abort();
	}
out:
	cfg_free(c);
	free(text);
	return 0;
}
