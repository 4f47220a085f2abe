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

#include "common/ncpu.h"
#include "sim/cli/cli.h"
#include "sim/batch/csvtab.h"
#include "sim/batch/sweepemit.h"
#include "sim/batch/sweeppool.h"
#include "sim/batch/sweepplan.h"

const char cmd_sweep_usage[] =
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
	"  130 interrupted. See docs/COMMANDS.md#the-sweep-file for the sweep file format.\n";

struct sweep_opts {
	const char *file, *out, *slurm, *exec;
	long jobs;
	bool quiet, list, emit_jobs;
};

enum {
	OPT_LIST = 256,
	OPT_EMIT_JOBS,
	OPT_EMIT_SLURM,
	OPT_EXEC
};

static void take_opt(struct opts *p, int c, struct sweep_opts *o)
{
	switch (c) {
	case 'j':
		opts_long(p, 1, 4096, &o->jobs);
		break;
	case 'o':
		o->out = p->arg;
		break;
	case 'q':
		o->quiet = true;
		break;
	case OPT_LIST:
		o->list = true;
		break;
	case OPT_EMIT_JOBS:
		o->emit_jobs = true;
		break;
	case OPT_EMIT_SLURM:
		o->slurm = p->arg;
		break;
	case OPT_EXEC:
		o->exec = p->arg;
		break;
	}
}

/* -1 to go on, else the exit status to stop with (message printed). */
static int parse_opts(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option lo[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "emit-jobs", no_argument, NULL, OPT_EMIT_JOBS },
		{ "emit-slurm", required_argument, NULL, OPT_EMIT_SLURM },
		{ "exec", required_argument, NULL, OPT_EXEC },
		OPTS_HELP,
		{ 0 },
	};
	memset(o, 0, sizeof *o);
	struct opts p;
	if (opts_begin(&p, "sweep", cmd_sweep_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int c; (c = opts_next(&p, "j:o:qh", lo)) != OPTS_END;)
		take_opt(&p, c, o);
	if (opts_operands(&p, 1, 1, "sweep file") == 1)
		o->file = p.argv[p.ind];
	if (o->file && o->emit_jobs + !!o->slurm + o->list > 1)
		opts_fail(&p, "--list, --emit-jobs and --emit-slurm exclude each other");
	return opts_end(&p);
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

/* One sweep in progress: the plan, the pool that runs it, the counts. */
struct sweep {
	struct sweep_opts o;
	struct sw_plan p;
	struct sw_pool pl;
	size_t npending, ndup;
	const char *prog;
	char self[PATH_MAX], cwd[PATH_MAX];
};

/* Counts the runs by status; invalid and conflicting ones are failures now. */
static void tally(struct sweep *s)
{
	for (size_t i = 0; i < s->p.n; i++) {
		struct sw_run *r = &s->p.run[i];
		switch (r->st) {
		case SW_PENDING:
			s->npending++;
			break;
		case SW_DONE:
			s->pl.skipped++;
			break;
		case SW_DUP:
			s->ndup++;
			break;
		case SW_INVALID:
		case SW_CONFLICT:
			swpool_add_failure(&s->pl, i, r->error);
			break;
		}
	}
	s->pl.total = s->p.n - s->ndup;
	if (s->p.stale_tmp)
		fprintf(stderr,
			"sweep: note: %zu unfinished temporary director%s under %s/runs "
			"(*.tmp-<pid>) from killed runs; remove them when no run is in progress\n",
			s->p.stale_tmp, s->p.stale_tmp == 1 ? "y" : "ies", s->p.out);
}

/* False if stdout could not be written: the caller then prints nothing more,
 * so main's "standard output: write failed" stays the one error line. */
static bool stdout_ok(void)
{
	return fflush(stdout) == 0 && !ferror(stdout);
}

/* --list: every run and its status as CSV. */
static int sweep_list(struct sweep *s)
{
	printf("run,status,dir,config\n");
	for (size_t i = 0; i < s->p.n; i++) {
		const struct sw_run *r = &s->p.run[i];
		char desc[2048];
		swplan_describe(&s->p, r, desc, sizeof desc);
		printf("%zu,%s,%s,", i, status_name(r->st), r->dir ? r->dir : r->label);
		csvtab_put(stdout, desc);
		putchar('\n');
	}
	if (!stdout_ok())
		return 2;
	fprintf(stderr, "sweep: %zu runs: %zu done, %zu pending, %zu invalid or conflicting%s\n",
		s->pl.total, s->pl.skipped, s->npending, s->pl.nfail,
		s->ndup ? " (duplicates not counted)" : "");
	return s->pl.nfail ? 1 : 0;
}

/* --emit-jobs / --emit-slurm: the pending runs as commands for others to run. */
static int sweep_emit(struct sweep *s)
{
	struct om_err e = { "" };
	int rc = 0;
	if (s->o.emit_jobs) {
		for (size_t i = 0; i < s->p.n; i++)
			if (s->p.run[i].st == SW_PENDING) {
				swemit_cmd(stdout, &s->p, &s->p.run[i], s->prog, s->cwd);
				putchar('\n');
			}
		if (!stdout_ok())
			return 2;
	} else if (s->npending == 0) {
		fprintf(stderr, "sweep: nothing pending; no script written\n");
	} else if (swemit_slurm(s->o.slurm, &s->p, s->prog, s->cwd, s->npending, &e) < 0) {
		fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
		return 2; /* one line: no summary after the error */
	} else {
		fprintf(stderr,
			"sweep: wrote %s: a job array of %zu runs; submit with `sbatch %s`\n",
			s->o.slurm, s->npending, s->o.slurm);
	}
	if (s->pl.nfail) {
		swpool_report(&s->pl);
		rc = 1;
	}
	fprintf(stderr, "sweep: %zu runs: %zu pending, %zu already complete, %zu invalid\n",
		s->pl.total, s->npending, s->pl.skipped, s->pl.nfail);
	return rc;
}

/* The default: run the pending runs here, o.jobs at a time. */
static int sweep_run(struct sweep *s)
{
	struct sw_pool *pl = &s->pl;
	struct om_err e = { "" };
	size_t j = (size_t)(s->o.jobs ? s->o.jobs : ncpu_online());
	pl->maxw = j < s->npending ? j : (s->npending ? s->npending : 1);
	if (!s->o.quiet && s->npending == 0)
		fprintf(stderr, "sweep: %zu runs, all already complete -> %s\n", pl->total,
			s->p.out);
	else if (!s->o.quiet)
		fprintf(stderr,
			"sweep: %zu runs (%zu already complete, %zu to run) on %zu worker%s -> %s\n",
			pl->total, pl->skipped, s->npending, pl->maxw, pl->maxw == 1 ? "" : "s",
			s->p.out);
	pl->t0 = swpool_now();
	int ir = s->npending ? swpool_run(pl, &e) : 0;
	double el = swpool_now() - pl->t0;
	char a[32];
	swpool_fmt_dur(el, a, sizeof a);
	if (ir < 0)
		fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
	swpool_report(pl);
	size_t left = pl->total - pl->skipped - pl->ok - pl->failed;
	fprintf(stderr,
		"sweep: %s%zu/%zu complete (%zu ran now, %zu already), %zu failed, "
		"%zu not run | %s (%.1f s)\n",
		ir == 1 ? "interrupted: " : "", pl->skipped + pl->ok, pl->total, pl->ok,
		pl->skipped, pl->failed, left, a, el);
	if (ir == 1)
		fprintf(stderr, "sweep: run the same command again to resume\n");
	return ir < 0 ? 2 : ir == 1 ? 130 : pl->nfail ? 1 : 0;
}

/* Workers run this program (or --exec) from this directory. */
static int find_self(struct sweep *s)
{
	ssize_t sl = readlink("/proc/self/exe", s->self, sizeof s->self - 1);
	if (sl <= 0 || !getcwd(s->cwd, sizeof s->cwd)) {
		fprintf(stderr,
			"odmasim sweep: cannot find this program's path or the working "
			"directory: %s\n",
			strerror(errno));
		return -1;
	}
	s->self[sl] = '\0';
	s->prog = s->o.exec ? s->o.exec : s->self;
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { 0 };
	int rc = parse_opts(argc, argv, &s.o);
	if (rc >= 0)
		return rc;
	if (find_self(&s) < 0)
		return 2;
	struct om_err e = { "" };
	if (swplan_build(&s.p, s.o.file, s.o.out, &e) < 0 || swplan_prepare(&s.p, &e) < 0) {
		fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
		swplan_free(&s.p);
		return 2;
	}
	s.pl = (struct sw_pool){
		.p = &s.p, .prog = s.prog, .quiet = s.o.quiet, .tty = isatty(2) == 1
	};
	tally(&s);
	if (s.o.list)
		rc = sweep_list(&s);
	else if (s.o.emit_jobs || s.o.slurm)
		rc = sweep_emit(&s);
	else
		rc = sweep_run(&s);
	swpool_free(&s.pl);
	swplan_free(&s.p);
	return rc;
}
