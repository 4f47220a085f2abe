/* cli: the odmasim command line. Subcommands live in a table in main.c;
 * each takes argc/argv after its name and returns the process exit code. */
#ifndef OM_CLI_H
#define OM_CLI_H

#include <stdbool.h>

#define ODMASIM_VERSION "0.1.0"

int cmd_run(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bandwidth(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_capacity(int argc, char **argv);

/* Collects repeated `--set k=v` / `--set=k=v`; returns the index of the first
 * unused argument or -1 on a usage error (message printed). */
struct cli_opts {
	const char *experiment;
	const char *out;
	char **sets;
	int nsets;
	bool quiet;
};
int cli_parse(int argc, char **argv, struct cli_opts *o, const char *usage);

#endif
