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

void pol_params_read(const struct cfg *c, struct pol_params *p)
{
	p->name = cfg_str(c, "policy.name");
	p->max_model_len = (int32_t)cfg_int(c, "policy.max_model_len");
}

void pol_region_layout(const void *state, const struct sim_req *r, int32_t tokens,
		       struct it_cost *cost)
{
	const struct pol_env *const *env = state;
	(void)r;
	dt_region((*env)->dt, cost, tokens);
}

/* dt_region per request adds runs_per_region runs of tokens * bytes/token:
 * summed over the batch, that is the same exact integers,
 * runs_per_region * bytes/token * tokens bytes. */
static bool region_reads(const void *state, size_t n, struct pol_reads *out)
{
	const struct pol_env *const *env = state;
	const struct dev_timing *dt = (*env)->dt;
	double rpr = (double)dt->dd.runs_per_region;
	*out = (struct pol_reads){ rpr * dt->dd.run_bytes_per_token, rpr * (double)n, 0 };
	return true;
}

const struct pol_speed pol_region_speed = {
	.grow_free_in_cap = true,
	.batch_reads = region_reads,
};
