/* `odmasim sweep`: runs every configuration of a sweep file, each in a worker
 * process (this binary re-executed as `odmasim run JOB -q -o DIR`), skipping
 * runs whose results already exist; or prints the same commands for GNU
 * parallel or a Slurm job array. Signals are taken synchronously
 * (sigtimedwait), so no state lives outside this function's frame. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/outdir.h"
#include "cli.h"
#include "csvtab.h"
#include "sweepplan.h"

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
				fprintf(stderr, "odmasim sweep: -j needs a number of workers "
						"from 1 to 4096, got '%s'\n", v);
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
			fprintf(stderr, "odmasim sweep: unexpected argument '%s'\n%s", a, sweep_usage);
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
		fprintf(stderr, "odmasim sweep: --list, --emit-jobs and --emit-slurm exclude "
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

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fmt_dur(double s, char *buf, size_t n)
{
	if (s < 0) {
		snprintf(buf, n, "?");
		return;
	}
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* Single-quotes s for a POSIX shell. */
static void shq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* One self-contained, idempotent shell command for a run: it works from any
 * directory and does nothing if the results already exist. */
static void emit_cmd(FILE *f, const struct sw_plan *p, const struct sw_run *r,
		     const char *prog, const char *cwd)
{
	char job[PATH_MAX + 64], dir[PATH_MAX + 256];
	swplan_job_path(p, r, job, sizeof job);
	swplan_run_path(p, r, dir, sizeof dir);
	fputs("cd ", f);
	shq(f, cwd);
	fputs(" && { test -d ", f);
	shq(f, dir);
	fputs(" || ", f);
	const char *traces = getenv("ODMASIM_TRACES");
	if (traces && traces[0]) {
		fputs("ODMASIM_TRACES=", f);
		shq(f, traces);
		fputc(' ', f);
	}
	shq(f, prog);
	fputs(" run ", f);
	shq(f, job);
	fputs(" -q -o ", f);
	shq(f, dir);
	fputs("; }", f);
}

static int write_slurm(const char *path, const struct sw_plan *p, const char *prog,
		       const char *cwd, size_t npending, struct om_err *e)
{
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot write: %s", strerror(errno));
	const char *stem = strrchr(p->out, '/');
	stem = stem ? stem + 1 : p->out;
	fprintf(f, "#!/bin/bash\n"
		   "# Slurm job array: %zu pending runs of sweep %s, one per array task.\n"
		   "# Written by `odmasim sweep --emit-slurm`. Submit with `sbatch %s`;\n"
		   "# afterwards `odmasim merge %s -o table.csv`. A task whose results\n"
		   "# already exist does nothing, so resubmitting is safe.\n",
		npending, p->sf.path, path, p->out);
	fprintf(f, "#SBATCH --job-name=odmasim-%s\n", stem);
	fprintf(f, "#SBATCH --array=0-%zu\n", npending - 1);
	fprintf(f, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	fprintf(f, "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", p->out);
	fprintf(f, "set -eu\ncase \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\" in\n");
	size_t k = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct sw_run *r = &p->run[i];
		if (r->st != SW_PENDING)
			continue;
		fprintf(f, "%zu) ", k++);
		emit_cmd(f, p, r, prog, cwd);
		fprintf(f, " ;;\n");
	}
	fprintf(f, "*) echo \"no run for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n");
	bool bad = ferror(f) != 0;
	bad = fclose(f) != 0 || bad;
	if (bad || chmod(tmp, 0755) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, path, 0, NULL, "cannot write (disk full?)");
	}
	return 0;
}

/* ---- the worker pool ---- */

struct worker {
	pid_t pid;
	size_t run;
	double t0;
};

struct failure {
	size_t run;
	char *msg;
};

struct pool {
	struct sw_plan *p;
	const char *prog;
	bool tty, quiet;
	sigset_t old_mask;
	struct worker *w;
	size_t nw, maxw;
	size_t total, skipped, ok, failed_n;
	struct failure *fail;
	size_t nfail;
	double t0;
	size_t started, finished_now;
	bool progress_shown, interrupted;
};

static void add_failure(struct pool *pl, size_t run, const char *msg)
{
	struct failure *nf = realloc(pl->fail, (pl->nfail + 1) * sizeof *nf);
	if (!nf)
		return;
	pl->fail = nf;
	pl->fail[pl->nfail].run = run;
	pl->fail[pl->nfail].msg = strdup(msg);
	pl->nfail++;
	pl->failed_n++;
}

static void clear_progress(struct pool *pl)
{
	if (pl->tty && pl->progress_shown) {
		fputs("\r\033[K", stderr);
		pl->progress_shown = false;
	}
}

static void show_progress(struct pool *pl)
{
	if (!pl->tty)
		return;
	double el = now_s() - pl->t0;
	size_t done = pl->skipped + pl->ok;
	size_t left = pl->total - done - pl->failed_n;
	double eta = pl->finished_now ? el / (double)pl->finished_now * (double)left : -1;
	if (left == 0)
		eta = 0;
	char a[32], b[32];
	fmt_dur(el, a, sizeof a);
	fmt_dur(eta, b, sizeof b);
	fprintf(stderr, "\r\033[Ksweep: %zu/%zu done, %zu failed, %zu running | %s elapsed, ~%s left",
		done, pl->total, pl->failed_n, pl->nw, a, b);
	fflush(stderr);
	pl->progress_shown = true;
}

/* Removes <dir>.tmp-* left by a worker that died before renaming. */
static void remove_partial(const struct sw_plan *p, const struct sw_run *r)
{
	char runs[PATH_MAX + 16];
	snprintf(runs, sizeof runs, "%s/runs", p->out);
	char prefix[PATH_MAX];
	snprintf(prefix, sizeof prefix, "%s.tmp-", r->dir);
	size_t pl = strlen(prefix);
	DIR *d = opendir(runs);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, pl))
			continue;
		struct outdir o;
		memset(&o, 0, sizeof o);
		int w = snprintf(o.tmp, sizeof o.tmp, "%s/%s", runs, de->d_name);
		if (w > 0 && (size_t)w < sizeof o.tmp)
			outdir_abort(&o);
	}
	closedir(d);
}

/* The last non-empty line of the worker's stderr, without the program prefix. */
static void last_error(const char *log, char *buf, size_t n)
{
	buf[0] = '\0';
	FILE *f = fopen(log, "r");
	if (!f)
		return;
	char line[2048];
	while (fgets(line, sizeof line, f)) {
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (!l)
			continue;
		const char *m = line;
		if (!strncmp(m, "odmasim: error: ", 16))
			m += 16;
		size_t ml = strlen(m);
		if (ml >= n)
			ml = n - 1;
		memcpy(buf, m, ml);
		buf[ml] = '\0';
	}
	fclose(f);
}

static void finish(struct pool *pl, struct worker *w, int status)
{
	struct sw_plan *p = pl->p;
	struct sw_run *r = &p->run[w->run];
	double dt = now_s() - w->t0;
	char log[PATH_MAX + 64];
	swplan_log_path(p, r, log, sizeof log);
	bool exists = swplan_exists(p, r);
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	pl->finished_now++;
	if (exists) {
		/* exit 0 with results; or another worker (GNU parallel, a second
		 * sweep) finished the same run first: either way it is done. */
		unlink(log);
		pl->ok++;
		r->st = SW_DONE;
		if (!clean)
			remove_partial(p, r);
		if (!pl->quiet && !pl->tty)
			fprintf(stderr, "sweep: [%zu/%zu] ok     %s (%.2f s)\n",
				pl->skipped + pl->ok + pl->failed_n, pl->total, r->dir, dt);
		return;
	}
	remove_partial(p, r);
	if (pl->interrupted)
		return; /* stopped by us: not run, not failed */
	char err[1024], msg[1400];
	last_error(log, err, sizeof err);
	if (WIFSIGNALED(status))
		snprintf(msg, sizeof msg, "killed by signal %d (%s)%s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), err[0] ? "; last message: " : "", err);
	else if (!clean)
		snprintf(msg, sizeof msg, "%s (exit status %d)", err[0] ? err : "failed",
			 WEXITSTATUS(status));
	else
		snprintf(msg, sizeof msg, "exited 0 but wrote no results");
	add_failure(pl, w->run, msg);
	clear_progress(pl);
	fprintf(stderr, "sweep: [%zu/%zu] FAILED %s: %s\n", pl->skipped + pl->ok + pl->failed_n,
		pl->total, r->dir, msg);
}

static int spawn(struct pool *pl, size_t run, struct om_err *e)
{
	struct sw_plan *p = pl->p;
	struct sw_run *r = &p->run[run];
	char job[PATH_MAX + 64], dir[PATH_MAX + 256], log[PATH_MAX + 64];
	swplan_job_path(p, r, job, sizeof job);
	swplan_run_path(p, r, dir, sizeof dir);
	swplan_log_path(p, r, log, sizeof log);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return err_set(e, log, 0, NULL, "cannot create: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return err_set(e, NULL, 0, NULL, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &pl->old_mask, NULL);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		dup2(fd, 2);
		char *argv[] = { (char *)pl->prog, "run", job, "-q", "-o", dir, NULL };
		execv(pl->prog, argv);
		fprintf(stderr, "odmasim: error: cannot execute %s: %s\n", pl->prog, strerror(errno));
		_exit(127);
	}
	close(fd);
	struct worker *w = &pl->w[pl->nw++];
	w->pid = pid;
	w->run = run;
	w->t0 = now_s();
	pl->started++;
	return 0;
}

static void reap(struct pool *pl)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < pl->nw; i++) {
			if (pl->w[i].pid != pid)
				continue;
			struct worker w = pl->w[i];
			pl->w[i] = pl->w[--pl->nw];
			finish(pl, &w, status);
			break;
		}
	}
}

/* Returns 0 when every pending run was attempted, 1 if interrupted, -1 on a
 * setup error. */
static int run_pool(struct pool *pl, struct om_err *e)
{
	struct sw_plan *p = pl->p;
	size_t *todo = malloc((p->n + 1) * sizeof *todo);
	pl->w = calloc(pl->maxw, sizeof *pl->w);
	if (!todo || !pl->w) {
		free(todo);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	size_t ntodo = 0, next = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->run[i].st == SW_PENDING)
			todo[ntodo++] = i;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &pl->old_mask);
	int interrupted = 0, rc = 0;
	while ((next < ntodo && !interrupted) || pl->nw > 0) {
		while (!interrupted && next < ntodo && pl->nw < pl->maxw) {
			if (spawn(pl, todo[next], e) < 0) {
				rc = -1;
				interrupted = 1;
				break;
			}
			next++;
		}
		show_progress(pl);
		if (pl->nw == 0)
			break;
		struct timespec to = { 1, 0 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &to);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			/* First signal: stop workers politely; second: kill them. */
			int how = interrupted ? SIGKILL : SIGTERM;
			interrupted = 1;
			pl->interrupted = true;
			for (size_t i = 0; i < pl->nw; i++)
				kill(pl->w[i].pid, how);
		}
		reap(pl);
	}
	sigprocmask(SIG_SETMASK, &pl->old_mask, NULL);
	clear_progress(pl);
	free(todo);
	if (rc < 0)
		return -1;
	return interrupted;
}

static void report_failures(const struct pool *pl)
{
	const struct sw_plan *p = pl->p;
	for (size_t i = 0; i < pl->nfail; i++) {
		const struct sw_run *r = &p->run[pl->fail[i].run];
		char desc[2048], job[PATH_MAX + 64], log[PATH_MAX + 64];
		swplan_describe(p, r, desc, sizeof desc);
		fprintf(stderr, "sweep: FAILED run %zu %s\n  error:  %s\n  config: %s\n",
			r->index, r->dir ? r->dir : r->label, pl->fail[i].msg ? pl->fail[i].msg : "?",
			desc[0] ? desc : "(base experiment)");
		if (r->st == SW_PENDING) {
			swplan_job_path(p, r, job, sizeof job);
			swplan_log_path(p, r, log, sizeof log);
			fprintf(stderr, "  job:    %s\n  log:    %s\n", job, log);
		}
	}
}

static const char *status_name(enum sw_status s)
{
	switch (s) {
	case SW_PENDING: return "pending";
	case SW_DONE: return "done";
	case SW_INVALID: return "invalid";
	case SW_DUP: return "duplicate";
	case SW_CONFLICT: return "conflict";
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
		fprintf(stderr, "odmasim sweep: cannot find this program's path or the working "
				"directory: %s\n", strerror(errno));
		return 2;
	}
	self[sl] = '\0';
	const char *prog = o.exec ? o.exec : self;
	if (swplan_build(&p, o.file, o.out, &e) < 0 || swplan_prepare(&p, &e) < 0) {
		fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
		swplan_free(&p);
		return 2;
	}
	struct pool pl = { .p = &p, .prog = prog, .quiet = o.quiet, .tty = isatty(2) == 1 };
	size_t npending = 0, ndup = 0;
	for (size_t i = 0; i < p.n; i++) {
		struct sw_run *r = &p.run[i];
		switch (r->st) {
		case SW_PENDING: npending++; break;
		case SW_DONE: pl.skipped++; break;
		case SW_DUP: ndup++; break;
		case SW_INVALID:
		case SW_CONFLICT: add_failure(&pl, i, r->error); break;
		}
	}
	pl.total = p.n - ndup;
	if (p.stale_tmp)
		fprintf(stderr, "sweep: note: %zu unfinished temporary director%s under %s/runs "
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
		fprintf(stderr, "sweep: %zu runs: %zu done, %zu pending, %zu invalid or conflicting%s\n",
			pl.total, pl.skipped, npending, pl.nfail, ndup ? " (duplicates not counted)" : "");
		rc = pl.nfail ? 1 : 0;
	} else if (o.emit_jobs || o.slurm) {
		if (o.emit_jobs) {
			for (size_t i = 0; i < p.n; i++)
				if (p.run[i].st == SW_PENDING) {
					emit_cmd(stdout, &p, &p.run[i], prog, cwd);
					putchar('\n');
				}
			fflush(stdout);
		} else if (npending == 0) {
			fprintf(stderr, "sweep: nothing pending; no script written\n");
		} else if (write_slurm(o.slurm, &p, prog, cwd, npending, &e) < 0) {
			fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
			rc = 2;
		} else {
			fprintf(stderr, "sweep: wrote %s: a job array of %zu runs; submit with "
					"`sbatch %s`\n", o.slurm, npending, o.slurm);
		}
		if (rc == 0 && pl.nfail) {
			report_failures(&pl);
			rc = 1;
		}
		fprintf(stderr, "sweep: %zu runs: %zu pending, %zu already complete, %zu invalid\n",
			pl.total, npending, pl.skipped, pl.nfail);
	} else {
		long j = o.jobs ? o.jobs : ncores();
		pl.maxw = (size_t)j < npending ? (size_t)j : (npending ? npending : 1);
		if (!o.quiet && npending == 0)
			fprintf(stderr, "sweep: %zu runs, all already complete -> %s\n", pl.total, p.out);
		else if (!o.quiet)
			fprintf(stderr, "sweep: %zu runs (%zu already complete, %zu to run) on %zu "
					"worker%s -> %s\n", pl.total, pl.skipped, npending, pl.maxw,
				pl.maxw == 1 ? "" : "s", p.out);
		pl.t0 = now_s();
		int ir = npending ? run_pool(&pl, &e) : 0;
		double el = now_s() - pl.t0;
		char a[32];
		fmt_dur(el, a, sizeof a);
		if (ir < 0) {
			fprintf(stderr, "odmasim sweep: error: %s\n", e.msg);
			rc = 2;
		}
		report_failures(&pl);
		size_t left = pl.total - pl.skipped - pl.ok - pl.failed_n;
		fprintf(stderr, "sweep: %s%zu/%zu complete (%zu ran now, %zu already), %zu failed, "
				"%zu not run | %s (%.1f s)\n",
			ir == 1 ? "interrupted: " : "", pl.skipped + pl.ok, pl.total, pl.ok, pl.skipped,
			pl.failed_n, left, a, el);
		if (ir == 1)
			fprintf(stderr, "sweep: run the same command again to resume\n");
		if (rc == 0)
			rc = ir == 1 ? 130 : pl.nfail ? 1 : 0;
	}
	for (size_t i = 0; i < pl.nfail; i++)
		free(pl.fail[i].msg);
	free(pl.fail);
	free(pl.w);
	swplan_free(&p);
	return rc;
}
