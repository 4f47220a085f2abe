#include "sim/core/experiment.h"

#include <stdio.h>

#include "device_models/device.h"
#include "device_models/memmodel.h"
#include "predictors/predictor.h"
#include "workload/servegen.h"
#include "workload/think.h"
#include "workload/workload.h"
#include "sim/core/engine.h"
#include "sim/policy/policy.h"
#include "sim/core/sched.h"
#include "sim/core/odma_tune.h"
#include "sim/core/pred_setup.h"
#include "sim/core/slo.h"

int exp_declare_keys(struct cfg *c, struct om_err *e)
{
	const struct cfg_key *tables[] = { wl_keys,    engine_keys,	dev_keys,
					   sched_keys, pol_common_keys, pred_common_keys,
					   think_keys, servegen_keys,	pred_setup_keys,
					   slo_keys };
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (cfg_add_keys(c, tables[i], e) < 0)
			return -1;
	for (size_t i = 0; pol_registry[i]; i++)
		if (pol_registry[i]->keys && cfg_add_keys(c, pol_registry[i]->keys, e) < 0)
			return -1;
	for (size_t i = 0; pred_registry[i]; i++)
		if (pred_registry[i]->keys && cfg_add_keys(c, pred_registry[i]->keys, e) < 0)
			return -1;
	for (size_t i = 0; mm_registry[i]; i++)
		if (mm_registry[i]->keys && cfg_add_keys(c, mm_registry[i]->keys, e) < 0)
			return -1;
	return 0;
}

struct cfg *exp_new_cfg(struct om_err *e)
{
	struct cfg *c = cfg_new();
	if (!c) {
		err_set(e, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	if (exp_declare_keys(c, e) < 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

struct cfg *exp_load(const char *path, char *const *sets, int nsets, struct om_err *e)
{
	struct cfg *c = exp_new_cfg(e);
	if (!c)
		return NULL;
	if (path && cfg_load_file(c, path, e) < 0)
		goto fail;
	for (int i = 0; i < nsets; i++)
		if (cfg_set(c, sets[i], e) < 0)
			goto fail;
	if (dev_load_presets(c, e) < 0 || cfg_check(c, e) < 0)
		goto fail;
	struct cap_slo slo;
	int have_slo;
	if (slo_from_cfg(c, &slo, &have_slo, e) < 0)
		goto fail;
	/* A policy built around a predictor (s3, odma) brings it along unless the
	 * experiment names one, so policy.name alone switches between policies. */
	const struct pol_ops *pol = pol_find(cfg_str(c, "policy.name"));
	if (pol && pol->predictor && !cfg_is_set(c, "predictor.name")) {
		char text[128], origin[96];
		snprintf(text, sizeof text, "[predictor]\nname = %s\n", pol->predictor);
		snprintf(origin, sizeof origin, "policy %s's predictor", pol->name);
		if (cfg_load_string(c, text, origin, CFG_LVL_PRESET, e) < 0 || cfg_check(c, e) < 0)
			goto fail;
	}
	/* no predictor or policy reads `auto`; odma_tune may tune it instead */
	if (odma_tune_resolve(c, e) < 0)
		goto fail;
	return c;
fail:
	cfg_free(c);
	return NULL;
}
