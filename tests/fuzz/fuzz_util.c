/* Shared by the fuzz harnesses; see fuzz_util.h. */
#include "tests/fuzz/fuzz_util.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/experiment.h"

char *fz_text(const uint8_t *data, size_t size, size_t max)
{
	if (size > max || memchr(data, '\0', size))
		return NULL;
	char *text = malloc(size + 1);
	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

struct cfg *fz_cfg(void)
{
	struct om_err e = { "" };
	struct cfg *c = exp_new_cfg(&e);
	if (!c)
		abort();
	return c;
}

void fz_check_iteration(struct dev_timing *dt)
{
	struct it_cost cost = { .tokens = 8192, .attn_pairs = 8192.0 * 4096 };
	dt_region(dt, &cost, 4096);
	if (dt_iter_ns(dt, &cost, NULL) <= 0)
		abort(); /* an iteration always takes time */
	dt_free(dt);
}
