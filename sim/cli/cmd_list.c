/* `odmasim list [KIND]`: the names a registry or preset table knows, one per
 * line, so scripts and tests take the list of policies from the binary. */
#include <stdio.h>
#include <string.h>

#include "common/registry.h"
#include "device_models/device.h"
#include "device_models/memmodel.h"
#include "predictors/predictor.h"
#include "sim/cli/cli.h"
#include "sim/core/router.h"
#include "sim/policy/policy.h"
#include "workload/arrival.h"
#include "workload/trace_fmt.h"

struct list_kind {
	const char *name;
	const void *const *reg; /* a registry, or NULL for presets */
	const char *preset;	/* dev_preset_list section */
	const char *what;
};

/* clang-format off: one line per kind */
static const struct list_kind kinds[] = {
	{ "policies", REG(pol_registry), NULL, "KV-cache allocation policies (policy.name)" },
	{ "predictors", REG(pred_registry), NULL,
	  "output-length predictors (predictor.name; also none)" },
	{ "mem-models", REG(mm_registry), NULL, "KV access-cost models (device.mem_model)" },
	{ "arrivals", REG(arr_registry), NULL, "arrival processes (workload.arrival)" },
	{ "routers", REG(router_registry), NULL, "cluster routers (cluster.router)" },
	{ "trace-formats", REG(trace_fmt_registry), NULL, "trace file readers (workload.trace)" },
	{ "devices", NULL, "device", "built-in device presets (device.preset)" },
	{ "models", NULL, "model", "built-in model presets (model.preset)" },
};
/* clang-format on */
#define NKINDS (sizeof kinds / sizeof kinds[0])

const char cmd_list_usage[] = "usage: odmasim list [KIND]\n"
			      "  Prints the names of one KIND, one per line: policies, predictors,\n"
			      "  mem-models, arrivals, routers, trace-formats, devices or models.\n"
			      "  Without KIND, lists the kinds.\n";

static void list_names(const struct list_kind *k)
{
	char buf[1024];
	const char *s = k->reg ? reg_names(k->reg, ", ", buf, sizeof buf)
			       : dev_preset_list(k->preset, buf, sizeof buf);
	/* both join the names with ", " */
	for (; *s; s++)
		if (*s == ',' && s[1] == ' ')
			putchar('\n'), s++;
		else
			putchar(*s);
	putchar('\n');
}

int cmd_list(int argc, char **argv)
{
	const char *want;
	int rc = opts_optional_operand("list", cmd_list_usage, argc, argv, &want);
	if (rc >= 0)
		return rc;
	for (size_t i = 0; i < NKINDS; i++) {
		if (!want)
			printf("%-13s %s\n", kinds[i].name, kinds[i].what);
		else if (!strcmp(want, kinds[i].name)) {
			list_names(&kinds[i]);
			return 0;
		}
	}
	if (!want)
		return 0;
	fprintf(stderr, "odmasim list: unknown kind '%s' (kinds:", want);
	for (size_t i = 0; i < NKINDS; i++)
		fprintf(stderr, " %s", kinds[i].name);
	fprintf(stderr, ")\n");
	return 2;
}
