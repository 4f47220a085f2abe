/* `odmasim sweep`: plans a sweep file's runs (sweepplan), then runs the
 * pending ones in worker processes (sweeppool), or prints them as commands for
 * GNU parallel or a Slurm job array (sweepemit). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/batch/csvtab.h"
#include "sim/batch/sweepemit.h"
#include "sim/batch/sweeppool.h"
#include "sim/batch/sweepplan.h"

static const char *sweep_usage =
	"usage: odmasim sweep SWEEP.ini [-j N] [-o DIR] [-q] [--list]\n"
	"                     [--emit-jobs] [--emit-slurm FILE] [--exec PROGRAM]\n"
	"  Runs every configuration the sweep file lists, N at a time (default: the\n"
	"  number of cores), each in its own process, into DIR/runs/<label>--<hash>/\n"
	"  (DIR defaults to [sweep] out, else results/out/<sweep name>). Runs whose\n"
	"  results exist are skipped, so rerunning resumes an interrupted sweep.\n"
	"  --list            show every run and whether it is done, then exit\n"
	"  --emit-jobs       print one shell command per pending run (for GNU parallel)\n"
	"  --emit-slurm FILE write an sbatch script running the pending runs as a job array\n"
	"  --exec PROGRAM    run workers as `PROGRAM run JOB -q -o DIR` (e.g. a wrapper)\n"
	"  -q                print only failures and the final line\n"
	"  Exit status: 0 all runs complete, 1 some failed, 2 bad usage or sweep file,\n"
	"  130 interrupted. See docs/README-sweep.md for the sweep file format.\n";

struct sweep_opts {
	const char *file, *out, *slurm, *exec;
	long jobs;
	bool quiet, list, emit_jobs;
};

static int parse_opts(int argc, char **argv, struct sweep_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || !strncmp(a, "-j", 2)) {
			const char *v = a[2] && strcmp(a, "--jobs") ? a + 2 : next;
			if (!v)
				goto missing;
			if (v == next)
				i++;
			char *end;
			errno = 0;
			o->jobs = strtol(v, &end, 10);
			if (errno || *end || o->jobs < 1 || o->jobs > 4096) {
				fprintf(stderr,
					"odmasim sweep: -j needs a number of workers "
					"from 1 to 4096, got '%s'\n",
					v);
				return -1;
			}
		} else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
			if (!next)
				goto missing;
			o->out = argv[++i];
		} else if (!strcmp(a, "--emit-slurm")) {
			if (!next)
				goto missing;
			o->slurm = argv[++i];
		} else if (!strcmp(a, "--exec")) {
			if (!next)
				goto missing;
			o->exec = argv[++i];
		} else if (!strcmp(a, "--emit-jobs")) {
			o->emit_jobs = true;
		} else if (!strcmp(a, "--list")) {
			o->list = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(sweep_usage, stdout);
			exit(0);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "odmasim sweep: unknown option '%s'\n%s", a, sweep_usage);
			return -1;
		} else if (!o->file) {
			o->file = a;
		} else {
			fprintf(stderr, "odmasim sweep: unexpected argument '%s'\n%s", a,
				sweep_usage);
			return -1;
		}
		continue;
	missing:
		fprintf(stderr, "odmasim sweep: %s needs a value\n%s", a, sweep_usage);
		return -1;
	}
	if (!o->file) {
		fprintf(stderr, "odmasim sweep: no sweep file given\n%s", sweep_usage);
		return -1;
	}
	if (o->emit_jobs + !!o->slurm + o->list > 1) {
		fprintf(stderr,
			"odmasim sweep: --list, --emit-jobs and --emit-slurm exclude "
			"each other\n");
		return -1;
	}
	return 0;
}

static long ncores(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

static const char *status_name(enum sw_status s)
{
	switch (s) {
	case SW_PENDING:
		return "pending";
	case SW_DONE:
		return "done";
	case SW_INVALID:
		return "invalid";
	case SW_DUP:
		return "duplicate";
	case SW_CONFLICT:
		return "conflict";
	}
	return "?";
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	struct om_err e = { "" };
	struct sw_plan p;
	char self[PATH_MAX], cwd[PATH_MAX];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0 || !getcwd(cwd, sizeof cwd)) {
		fprintf(stderr,
			"odmasim sweep: cannot find this program's path or the working "
			"directory: %s\n",
			strerror(errno));
		return 2;
	}
	self[sl] = '\0';
	const char *prog = o.exec ? o.exec : self;
	if (swplan_build(&p, o.file, o.out, &e) < 0 || swplan_prepare(&p, &e) < 0) {
		fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
		swplan_free(&p);
		return 2;
	}
	struct sw_pool pl = { .p = &p, .prog = prog, .quiet = o.quiet, .tty = isatty(2) == 1 };
	size_t npending = 0, ndup = 0;
	for (size_t i = 0; i < p.n; i++) {
		struct sw_run *r = &p.run[i];
		switch (r->st) {
		case SW_PENDING:
			npending++;
			break;
		case SW_DONE:
			pl.skipped++;
			break;
		case SW_DUP:
			ndup++;
			break;
		case SW_INVALID:
		case SW_CONFLICT:
			swpool_add_failure(&pl, i, r->error);
			break;
		}
	}
	pl.total = p.n - ndup;
	if (p.stale_tmp)
		fprintf(stderr,
			"sweep: note: %zu unfinished temporary director%s under %s/runs "
			"(*.tmp-<pid>) from killed runs; remove them when no run is in progress\n",
			p.stale_tmp, p.stale_tmp == 1 ? "y" : "ies", p.out);
	int rc = 0;
	if (o.list) {
		printf("run,status,dir,config\n");
		for (size_t i = 0; i < p.n; i++) {
			char desc[2048];
			swplan_describe(&p, &p.run[i], desc, sizeof desc);
			printf("%zu,%s,%s,", i, status_name(p.run[i].st),
			       p.run[i].dir ? p.run[i].dir : p.run[i].label);
			csvtab_put(stdout, desc);
			putchar('\n');
		}
		fprintf(stderr,
			"sweep: %zu runs: %zu done, %zu pending, %zu invalid or conflicting%s\n",
			pl.total, pl.skipped, npending, pl.nfail,
			ndup ? " (duplicates not counted)" : "");
		rc = pl.nfail ? 1 : 0;
	} else if (o.emit_jobs || o.slurm) {
		if (o.emit_jobs) {
			for (size_t i = 0; i < p.n; i++)
				if (p.run[i].st == SW_PENDING) {
					swemit_cmd(stdout, &p, &p.run[i], prog, cwd);
					putchar('\n');
				}
			fflush(stdout);
		} else if (npending == 0) {
			fprintf(stderr, "sweep: nothing pending; no script written\n");
		} else if (swemit_slurm(o.slurm, &p, prog, cwd, npending, &e) < 0) {
			fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
			rc = 2;
		} else {
			fprintf(stderr,
				"sweep: wrote %s: a job array of %zu runs; submit with "
				"`sbatch %s`\n",
				o.slurm, npending, o.slurm);
		}
		if (rc == 0 && pl.nfail) {
			swpool_report(&pl);
			rc = 1;
		}
		fprintf(stderr, "sweep: %zu runs: %zu pending, %zu already complete, %zu invalid\n",
			pl.total, npending, pl.skipped, pl.nfail);
	} else {
		long j = o.jobs ? o.jobs : ncores();
		pl.maxw = (size_t)j < npending ? (size_t)j : (npending ? npending : 1);
		if (!o.quiet && npending == 0)
			fprintf(stderr, "sweep: %zu runs, all already complete -> %s\n", pl.total,
				p.out);
		else if (!o.quiet)
			fprintf(stderr,
				"sweep: %zu runs (%zu already complete, %zu to run) on %zu "
				"worker%s -> %s\n",
				pl.total, pl.skipped, npending, pl.maxw, pl.maxw == 1 ? "" : "s",
				p.out);
		pl.t0 = swpool_now();
		int ir = npending ? swpool_run(&pl, &e) : 0;
		double el = swpool_now() - pl.t0;
		char a[32];
		swpool_fmt_dur(el, a, sizeof a);
		if (ir < 0) {
			fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
			rc = 2;
		}
		swpool_report(&pl);
		size_t left = pl.total - pl.skipped - pl.ok - pl.failed;
		fprintf(stderr,
			"sweep: %s%zu/%zu complete (%zu ran now, %zu already), %zu failed, "
			"%zu not run | %s (%.1f s)\n",
			ir == 1 ? "interrupted: " : "", pl.skipped + pl.ok, pl.total, pl.ok,
			pl.skipped, pl.failed, left, a, el);
		if (ir == 1)
			fprintf(stderr, "sweep: run the same command again to resume\n");
		if (rc == 0)
			rc = ir == 1 ? 130 : pl.nfail ? 1 : 0;
	}
	swpool_free(&pl);
	swplan_free(&p);
	return rc;
}
