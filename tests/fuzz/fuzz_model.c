/* libFuzzer target: the predictor model file reader (files written by
 * `odmasim predict --save-model`, read back through predictor.model_file).
 * The first input byte picks one of the registered predictors that load a
 * model; the rest is the file. A model that loads must then predict sane
 * values for a few prompts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "predictors/predictor.h"
#include "sim/core/experiment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const struct pred_ops *loaders[16];
	size_t nl = 0;
	for (size_t i = 0; pred_registry[i] && nl < 16; i++)
		if (pred_registry[i]->load)
			loaders[nl++] = pred_registry[i];
	if (nl == 0)
		return 0;
	const struct pred_ops *ops = loaders[data[0] % nl];
	char set[96];
	snprintf(set, sizeof set, "predictor.name=%s", ops->name);
	char *sets[] = { set, "predictor.hash_bits=8" };
	struct om_err e = { "" };
	struct cfg *c = exp_load(NULL, sets, 2, &e);
	if (!c)
		abort();
	void *state = NULL;
	if (ops->create(c, &state, &e) < 0)
		abort();
	/* fmemopen of an exact-size copy, so reads past the end are caught */
	size_t len = size - 1;
	char *buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, len);
	FILE *f = len ? fmemopen(buf, len, "r") : fopen("/dev/null", "r");
	if (!f)
		abort();
	int rc = ops->load(state, f, "fuzz-model.txt", &e);
	fclose(f);
	if (rc == 0) {
		static const char *const prompts[] = { "", "give three tips for staying healthy",
						       "x y z x y z x y z" };
		for (size_t i = 0; i < 3; i++) {
			struct pred_sample smp = { .id = (int64_t)i,
						   .text = prompts[i],
						   .prompt_tokens = 8,
						   .out_tokens = -1 };
			struct pred_out o = { -1, 0.0f, -1, false };
			ops->predict(state, &smp, &o);
			if (o.len < 0 || o.uncertainty != o.uncertainty)
				abort(); /* negative length or NaN uncertainty */
		}
	} else if (strncmp(e.msg, "fuzz-model.txt", 14) != 0) {
		abort(); /* every rejection names the file */
	}
	ops->destroy(state);
	free(buf);
	cfg_free(c);
	return 0;
}
