/* `odmasim run`: one experiment, results in a fresh directory. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ncpu.h"
#include "common/outdir.h"
#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/core/engine.h"
#include "sim/core/odma_tune.h"
#include "sim/core/pred_setup.h"
#include "sim/core/report.h"
#include "sim/core/rowstream.h"

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

/* Writes the results with interrupts held (outdir_hold); if one came
 * meanwhile, the finished directory is removed again (an interrupted run
 * leaves nothing), and releasing then delivers the signal. */
static int write_held(const char *dir, const struct cfg *c, const struct wl_trace *t,
		      const struct run_result *r, FILE *rows, struct om_err *e)
{
	sigset_t old;
	outdir_hold(&old);
	int rc = report_write_rows(dir, c, t, r, rows, e);
	if (rc == 0 && outdir_stop_check(dir, e) < 0) {
		outdir_remove(dir);
		rc = -1;
	}
	outdir_release(&old);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct cli_opts o;
	struct cfg *c;
	int stop = cli_load_exp("run", cmd_run_usage, argc, argv, &o, false, &c);
	if (stop >= 0)
		return stop;
	struct om_err e = { "" };
	int rc = 1;
	struct wl_trace t;
	trace_init(&t);
	struct run_result r = { 0 };
	struct pred_handle ph = { 0 };
	/* a sweep's workers share a model directory (pred_setup.h) */
	const char *models = getenv(PRED_CACHE_ENV);
	struct pred_cache pc = { .dir = models && models[0] ? models : NULL };
	pc.trace_only = !pc.dir;
	char dir[4096];
	cli_out_dir(&o, "", dir, sizeof dir);
	if (outdir_check(dir, &e) < 0)
		goto out;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* one read of the training trace serves tuning, training, start lengths */
	if (odma_tune(c, &pc, &e) < 0 || pred_wl_load(c, &pc, &ph, &t, &e) < 0)
		goto out;
	/* with a second thread, requests.csv is written while the run goes */
	struct rowstream *rs = NULL;
	if (cfg_bool(c, "run.requests_csv") && ncpu_threads(cfg_int(c, "run.threads"), 2) > 1)
		rs = rowstream_open(dir);
	struct eng_watch w = rowstream_watch(rs);
	int ran = engine_run_watched(c, &t, &ph, rs ? &w : NULL, &r, &e);
	FILE *rows = rowstream_end(rs, ran < 0 ? 0 : r.n);
	if (ran < 0) {
		if (rows)
			fclose(rows);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (write_held(dir, c, &t, &r, rows, &e) < 0)
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
	pred_cache_free(&pc);
	trace_free(&t);
	cfg_free(c);
	free(o.sets);
	return rc;
}
