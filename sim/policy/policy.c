#include "sim/policy/policy.h"

#include <stddef.h>
#include <string.h>

#include "common/registry.h"

/* clang-format off: one registry line per entry */
const struct pol_ops *const pol_registry[] = {
	&pol_static, &pol_paged, &pol_s3, &pol_odma, &pol_oracle, NULL,
};
/* clang-format on */

const struct cfg_key pol_common_keys[] = {
	{ "policy.name", CFG_STR, "static", 0, -1, NULL,
	  "allocation policy (see `odmasim keys`: static, ...)" },
	{ "policy.max_model_len", CFG_INT, "4096", 2, 1 << 24, NULL,
	  "longest context (prompt + output) a request may reach, tokens" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct pol_ops *pol_find(const char *name)
{
	_Static_assert(offsetof(struct pol_ops, name) == 0,
		       "registry entries start with their name");
	return reg_find(REG(pol_registry), name);
}

/* dt_region per request adds runs_per_region runs of tokens * bytes/token:
 * summed over the batch, that is the same exact integers. */
bool pol_regions_batch(const struct dev_timing *dt, size_t n, int64_t tokens, struct it_cost *cost)
{
	if (!dt->lin)
		return false;
	double rpr = (double)dt->dd.runs_per_region;
	dt_lin_add(dt, cost, rpr * dt->dd.run_bytes_per_token * (double)tokens, rpr * (double)n);
	return true;
}
