/* cli: the odmasim command line. Subcommands live in a table in main.c; each
 * takes the arguments after its name and returns the process exit code. A
 * command's usage text lives once, as cmd_<name>_usage beside the command:
 * `odmasim help NAME` and `odmasim NAME --help` print that same text. */
#ifndef OM_CLI_H
#define OM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "common/cfg.h"
#include "sim/cli/opts.h"

int cmd_run(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bandwidth(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_capacity(int argc, char **argv);

extern const char cmd_run_usage[], cmd_keys_usage[], cmd_list_usage[], cmd_trace_usage[],
	cmd_bandwidth_usage[], cmd_sweep_usage[], cmd_compare_usage[], cmd_predict_usage[],
	cmd_merge_usage[], cmd_capacity_usage[];

/* The options of the commands that run an experiment: EXPERIMENT.ini,
 * repeated `--set k=v` (also -s, --set=k=v), -o/--out DIR, -q/--quiet,
 * -t/--trace FILE (short for --set workload.trace=FILE). */
struct cli_opts {
	const char *experiment;
	const char *out;
	const char *trace; /* the --trace operand, or NULL */
	char **sets;
	int nsets;
	bool quiet;
	char trace_set[4200]; /* "workload.trace=FILE", pointed to from sets */
};

/* For a command's own getopt loop: put these in its short and long options,
 * call cli_exp_begin first, then give every option to cli_exp_opt, which
 * takes the ones above and returns false for the rest. */
#define CLI_EXP_SHORTOPTS "s:o:t:qh"
#define CLI_EXP_LONGOPTS                                                                        \
	{ "set", required_argument, NULL, 's' }, { "out", required_argument, NULL, 'o' },       \
		{ "trace", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' }, \
		OPTS_HELP
int cli_exp_begin(struct cli_opts *o, int argc);
bool cli_exp_opt(struct cli_opts *o, int c, const char *arg);

/* The whole parse for a command with only those options and at most one
 * operand, the experiment (required if need_experiment). Returns -1 to go on,
 * else the exit status to stop with (0 after --help, 2 after a usage error;
 * message printed). On a stop o->sets is freed already; else free it when done. */
int cli_parse_exp(const char *cmd, const char *usage, int argc, char **argv, struct cli_opts *o,
		  bool need_experiment);

/* cli_parse_exp, then the experiment's configuration with the --set
 * overrides (exp_load) in *c. Returns -1 to go on (free *c and o->sets when
 * done), else the exit status to stop with: that of cli_parse_exp, or 1 after
 * "odmasim: error: MESSAGE" when the experiment does not load. */
int cli_load_exp(const char *cmd, const char *usage, int argc, char **argv, struct cli_opts *o,
		 bool need_experiment, struct cfg **c);

/* The output directory: o->out if given, else results/out/PREFIX<experiment
 * file name without .ini> ("default" without one), with -2, -3... appended
 * while that exists. */
void cli_out_dir(const struct cli_opts *o, const char *prefix, char *buf, size_t n);

#endif
