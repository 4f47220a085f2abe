/* The options of the commands that run an experiment (see cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/cli.h"
#include "sim/core/experiment.h"

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

int cli_load_exp(const char *cmd, const char *usage, int argc, char **argv, struct cli_opts *o,
		 bool need_experiment, struct cfg **c)
{
	*c = NULL;
	int stop = cli_parse_exp(cmd, usage, argc, argv, o, need_experiment);
	if (stop >= 0)
		return stop;
	struct om_err e = { "" };
	*c = exp_load(o->experiment, o->sets, o->nsets, &e);
	if (*c)
		return -1;
	fprintf(stderr, "odmasim: error: %s\n", e.msg);
	free(o->sets);
	o->sets = NULL;
	return 1;
}

void cli_out_dir(const struct cli_opts *o, const char *prefix, char *buf, size_t n)
{
	if (o->out) {
		snprintf(buf, n, "%s", o->out);
		return;
	}
	/* named after the experiment, else the --trace file, without extension */
	const char *exp = o->experiment ? o->experiment : o->trace;
	const char *base = exp ? strrchr(exp, '/') : NULL;
	base = base ? base + 1 : (exp ? exp : "default");
	char stem[256];
	snprintf(stem, sizeof stem, "%s", base);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	snprintf(buf, n, "results/out/%s%s", prefix, stem);
	struct stat st;
	for (int k = 2; stat(buf, &st) == 0; k++)
		snprintf(buf, n, "results/out/%s%s-%d", prefix, stem, k);
}
