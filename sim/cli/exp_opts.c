/* The options of the commands that run an experiment (see cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"

int cli_exp_begin(struct cli_opts *o, int argc)
{
	memset(o, 0, sizeof *o);
	o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
	if (!o->sets) {
		fprintf(stderr, "odmasim: error: out of memory\n");
		return -1;
	}
	return 0;
}

bool cli_exp_opt(struct cli_opts *o, int c, const char *arg)
{
	switch (c) {
	case 's':
		o->sets[o->nsets++] = (char *)arg;
		return true;
	case 'o':
		o->out = arg;
		return true;
	case 't':
		/* one buffer: a later --trace replaces an earlier one, as --set would */
		o->trace = arg;
		snprintf(o->trace_set, sizeof o->trace_set, "workload.trace=%s", arg);
		o->sets[o->nsets++] = o->trace_set;
		return true;
	case 'q':
		o->quiet = true;
		return true;
	}
	return false;
}

int cli_parse_exp(const char *cmd, const char *usage, int argc, char **argv, struct cli_opts *o,
		  bool need_experiment)
{
	static const struct option lo[] = { CLI_EXP_LONGOPTS, { 0 } };
	struct opts p;
	if (cli_exp_begin(o, argc) < 0)
		return 1;
	if (opts_begin(&p, cmd, usage, argc, argv) < 0) {
		free(o->sets);
		o->sets = NULL;
		return opts_end(&p);
	}
	for (int c; (c = opts_next(&p, CLI_EXP_SHORTOPTS, lo)) != OPTS_END;)
		cli_exp_opt(o, c, p.arg);
	int n = opts_operands(&p, need_experiment, 1, "experiment file");
	if (n > 0)
		o->experiment = p.argv[p.ind];
	int status = opts_end(&p);
	if (n >= 0)
		return -1;
	free(o->sets);
	o->sets = NULL;
	return status;
}
