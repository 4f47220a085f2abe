/* odmasim: entry point, subcommand table and help. */
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buildinfo.h"
#include "common/registry.h"
#include "device_models/device.h"
#include "sim/cli/cli.h"
#include "sim/policy/policy.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line in `odmasim help` */
	const char *usage;   /* `odmasim help NAME` and `odmasim NAME --help` */
};

/* clang-format off: one registry line per entry */
static const struct cmd cmds[] = {
	{ "run", cmd_run,
	  "run one experiment: odmasim run [EXPERIMENT.ini] [--trace FILE] [--set k=v]... [-o DIR]",
	  cmd_run_usage },
	{ "compare", cmd_compare,
	  "same experiment under several policies, one table: odmasim compare EXPERIMENT.ini [--policies a,b]",
	  cmd_compare_usage },
	{ "predict", cmd_predict,
	  "train and evaluate length predictors: odmasim predict --trace alpaca.csv [-o DIR]",
	  cmd_predict_usage },
	{ "keys", cmd_keys,
	  "list the config keys (all, or one section's) with type, default and meaning",
	  cmd_keys_usage },
	{ "list", cmd_list, "names one per line: odmasim list policies (predictors, devices, ...)",
	  cmd_list_usage },
	{ "trace", cmd_trace, "check trace files and print their length statistics",
	  cmd_trace_usage },
	{ "bandwidth", cmd_bandwidth,
	  "effective bandwidth of the configured device vs run length (CSV)", cmd_bandwidth_usage },
	{ "sweep", cmd_sweep,
	  "run a sweep file's runs in parallel, resumably: odmasim sweep SWEEP.ini [-j N]",
	  cmd_sweep_usage },
	{ "merge", cmd_merge, "one table from many runs: odmasim merge DIR... [-o TABLE.csv]",
	  cmd_merge_usage },
	{ "capacity", cmd_capacity,
	  "highest rate each policy sustains within an SLO: odmasim capacity EXP.ini --slo ...",
	  cmd_capacity_usage },
};
/* clang-format on */
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
	fprintf(f,
		"odmasim %s: trace-driven simulator of LLM serving on LPDDR-class accelerators\n\n"
		"usage: odmasim COMMAND [ARGS]\n\ncommands:\n",
		om_version);
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	char buf[256];
	fprintf(f, "\npolicies: %s\n", reg_names(REG(pol_registry), " ", buf, sizeof buf));
	fprintf(f, "device presets: %s\n", dev_preset_list("device", buf, sizeof buf));
	fprintf(f, "model presets: %s\n", dev_preset_list("model", buf, sizeof buf));
	fprintf(f,
		"\n`odmasim help COMMAND` (or odmasim COMMAND --help) shows a command's options.\n"
		"Traces named without a '/' are looked up in workload.trace_dir, $ODMASIM_TRACES,\n"
		"$XDG_DATA_HOME/odmasim/traces, <prefix>/share/odmasim/traces, ../shared/traces.\n"
		"Example: odmasim run experiments/quickstart.ini --set workload.rate=4\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

static int unknown_cmd(const char *name)
{
	fprintf(stderr, "odmasim: unknown command '%s' (see `odmasim help`)\n", name);
	return 2;
}

/* `odmasim help [COMMAND]`: the overview, or the command's own --help text. */
static int help(int argc, char **argv)
{
	if (argc < 1) {
		usage(stdout);
		return 0;
	}
	const struct cmd *c = find_cmd(argv[0]);
	if (!c)
		return unknown_cmd(argv[0]);
	fputs(c->usage, stdout);
	return 0;
}

/* Every command's stdout output (--list, --emit-jobs, tables, help) is
 * checked once here: a full disk or /dev/full must not exit 0. */
static int stdout_checked(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "odmasim: error: standard output: write failed (%s)\n",
		errno ? strerror(errno) : "disk full?");
	return rc ? rc : 1;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *a = argv[1];
	if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help"))
		return help(argc - 2, argv + 2);
	if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
		printf("odmasim %s (commit %s)\n", om_version, om_git_commit);
		return 0;
	}
	const struct cmd *c = find_cmd(a);
	return c ? c->fn(argc - 2, argv + 2) : unknown_cmd(a);
}

int main(int argc, char **argv)
{
	int rc = dispatch(argc, argv);
	errno = 0;
	return stdout_checked(rc);
}
