/* `odmasim run`: one experiment, results in a fresh directory. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/core/engine.h"
#include "sim/core/pred_setup.h"
#include "sim/core/experiment.h"
#include "sim/core/report.h"

const char cmd_run_usage[] =
	"usage: odmasim run [EXPERIMENT.ini] [--trace FILE] [--set section.key=value]...\n"
	"                   [-o DIR] [-q]\n"
	"  Runs one experiment and writes config.ini, summary.json, summary.csv,\n"
	"  requests.csv (unless run.requests_csv = false) and util.csv to DIR\n"
	"  (default results/out/<experiment or trace name>[-N]).\n"
	"  Without EXPERIMENT.ini every key keeps its default (odmasim keys).\n"
	"  --trace FILE is short for --set workload.trace=FILE: any format that\n"
	"  `odmasim list trace-formats` names; its own timestamps give the\n"
	"  arrivals when it has them (workload.arrival = auto).\n"
	"  DIR must not exist: results are never overwritten.\n";

/* results/out/<basename without its extension>, with -2, -3... if taken. */
static void default_out(const char *exp, char *buf, size_t n)
{
	const char *base = exp ? strrchr(exp, '/') : NULL;
	base = base ? base + 1 : (exp ? exp : "default");
	char stem[256];
	snprintf(stem, sizeof stem, "%s", base);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	snprintf(buf, n, "results/out/%s", stem);
	struct stat st;
	for (int k = 2; stat(buf, &st) == 0; k++)
		snprintf(buf, n, "results/out/%s-%d", stem, k);
}

int cmd_run(int argc, char **argv)
{
	struct cli_opts o;
	int stop = cli_parse_exp("run", cmd_run_usage, argc, argv, &o, false);
	if (stop >= 0)
		return stop;
	struct om_err e = { "" };
	int rc = 1;
	struct wl_trace t;
	trace_init(&t);
	struct run_result r = { 0 };
	struct pred_handle ph = { 0 };
	struct cfg *c = exp_load(o.experiment, o.sets, o.nsets, &e);
	if (!c)
		goto out;
	char dir[4096];
	if (o.out)
		snprintf(dir, sizeof dir, "%s", o.out);
	else
		default_out(o.experiment ? o.experiment : o.trace, dir, sizeof dir);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pred_from_cfg(c, &ph, &e) < 0)
		goto out;
	if (wl_build(c, &t, ph.ops && ph.ops->needs_text, &e) < 0)
		goto out;
	if (engine_run(c, &t, &ph, &r, &e) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (report_write(dir, c, &t, &r, &e) < 0)
		goto out;
	if (!o.quiet) {
		report_print(stdout, c, &t, &r);
		double wall = (double)(t1.tv_sec - t0.tv_sec)
			+ (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("  wall time      %.3f s (load + simulate)\n", wall);
		printf("  results        %s/\n", dir);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "odmasim: error: %s\n", e.msg);
	run_result_free(&r);
	pred_handle_free(&ph);
	trace_free(&t);
	cfg_free(c);
	free(o.sets);
	return rc;
}
