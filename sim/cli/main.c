/* odmasim: entry point and subcommand table. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_models/device.h"
#include "sim/cli/cli.h"
#include "sim/core/experiment.h"
#include "sim/policy/policy.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* clang-format off: one registry line per entry */
static const struct cmd cmds[] = {
	{ "run", cmd_run,
	  "run one experiment: odmasim run EXPERIMENT.ini [--set k=v]... [-o DIR]" },
	{ "compare", cmd_compare,
	  "same experiment under several policies, one table: odmasim compare EXPERIMENT.ini [--policies a,b]" },
	{ "predict", cmd_predict,
	  "train and evaluate length predictors: odmasim predict --trace alpaca.csv [-o DIR]" },
	{ "keys", cmd_keys, "list every config key with its type, default and meaning" },
	{ "trace", cmd_trace, "check trace files and print their length statistics" },
	{ "bandwidth", cmd_bandwidth,
	  "effective bandwidth of the configured device vs run length (CSV)" },
	{ "sweep", cmd_sweep,
	  "run a sweep file's runs in parallel, resumably: odmasim sweep SWEEP.ini [-j N]" },
	{ "merge", cmd_merge, "one table from many runs: odmasim merge DIR... [-o TABLE.csv]" },
	{ "capacity", cmd_capacity,
	  "highest rate each policy sustains within an SLO: odmasim capacity EXP.ini --slo ..." },
};
/* clang-format on */

static void usage(FILE *f)
{
	fprintf(f,
		"odmasim %s: trace-driven simulator of LLM serving on LPDDR-class accelerators\n\n"
		"usage: odmasim COMMAND [ARGS]\n\ncommands:\n",
		ODMASIM_VERSION);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	char buf[256];
	fprintf(f, "\npolicies:");
	for (size_t i = 0; pol_registry[i]; i++)
		fprintf(f, " %s", pol_registry[i]->name);
	fprintf(f, "\ndevice presets: %s\n", dev_preset_list("device", buf, sizeof buf));
	fprintf(f, "model presets: %s\n", dev_preset_list("model", buf, sizeof buf));
	fprintf(f,
		"\nTraces named without a '/' are read from $ODMASIM_TRACES or ../shared/traces.\n"
		"Example: odmasim run experiments/quickstart.ini --set workload.rate=4\n");
}

int cmd_keys(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct om_err e;
	struct cfg *c = cfg_new();
	if (!c || exp_declare_keys(c, &e) < 0) {
		fprintf(stderr, "odmasim: error: %s\n", c ? e.msg : "out of memory");
		cfg_free(c);
		return 1;
	}
	cfg_write_reference(c, stdout);
	cfg_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *a = argv[1];
	if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
		printf("odmasim %s\n", ODMASIM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(a, cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "odmasim: unknown command '%s'\n\n", a);
	usage(stderr);
	return 2;
}
