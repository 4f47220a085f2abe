#define _GNU_SOURCE
#include "sim/batch/sweeppool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "common/outdir.h"
#include "sim/core/pred_setup.h"

struct sw_worker {
	pid_t pid;
	size_t run;
	double t0;
};

double swpool_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void swpool_fmt_dur(double s, char *buf, size_t n)
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

void swpool_add_failure(struct sw_pool *pl, size_t run, const char *msg)
{
	struct sw_failure *nf = realloc(pl->fail, (pl->nfail + 1) * sizeof *nf);
	if (!nf)
		return;
	pl->fail = nf;
	pl->fail[pl->nfail].run = run;
	pl->fail[pl->nfail].msg = strdup(msg);
	pl->nfail++;
	pl->failed++;
}

static void clear_progress(struct sw_pool *pl)
{
	if (pl->tty && pl->progress_shown) {
		fputs("\r\033[K", stderr);
		pl->progress_shown = false;
	}
}

static void show_progress(struct sw_pool *pl)
{
	if (!pl->tty)
		return;
	double el = swpool_now() - pl->t0;
	size_t done = pl->skipped + pl->ok;
	size_t left = pl->total - done - pl->failed;
	double eta = pl->finished_now ? el / (double)pl->finished_now * (double)left : -1;
	if (left == 0)
		eta = 0;
	char a[32], b[32];
	swpool_fmt_dur(el, a, sizeof a);
	swpool_fmt_dur(eta, b, sizeof b);
	fprintf(stderr,
		"\r\033[Ksweep: %zu/%zu done, %zu failed, %zu running | %s elapsed, ~%s left", done,
		pl->total, pl->failed, pl->nw, a, b);
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

static void finish(struct sw_pool *pl, struct sw_worker *w, int status)
{
	struct sw_plan *p = pl->p;
	struct sw_run *r = &p->run[w->run];
	double dt = swpool_now() - w->t0;
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
				pl->skipped + pl->ok + pl->failed, pl->total, r->dir, dt);
		return;
	}
	remove_partial(p, r);
	if (pl->interrupted) {
		unlink(log); /* stopped by us: not run, not failed */
		return;
	}
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
	swpool_add_failure(pl, w->run, msg);
	clear_progress(pl);
	fprintf(stderr, "sweep: [%zu/%zu] FAILED %s: %s\n", pl->skipped + pl->ok + pl->failed,
		pl->total, r->dir, msg);
}

static int spawn(struct sw_pool *pl, size_t run, struct om_err *e)
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
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		return err_set(e, NULL, 0, NULL, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
#ifdef __linux__
		/* A worker dies with the sweep, even by SIGKILL: an orphan would run
		 * on and race a rerun for the same directory. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(126);
#else
		(void)parent;
#endif
		sigprocmask(SIG_SETMASK, &pl->old_mask, NULL);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		dup2(fd, 2);
		/* workers share trained models: each distinct one is trained once */
		char models[PATH_MAX + 16];
		snprintf(models, sizeof models, "%s/models", p->out);
		setenv(PRED_CACHE_ENV, models, 1);
		char *argv[] = { (char *)pl->prog, "run", job, "-q", "-o", dir, NULL };
		execv(pl->prog, argv);
		fprintf(stderr, "odmasim: error: cannot execute %s: %s\n", pl->prog,
			strerror(errno));
		_exit(127);
	}
	close(fd);
	struct sw_worker *w = &pl->w[pl->nw++];
	w->pid = pid;
	w->run = run;
	w->t0 = swpool_now();
	pl->started++;
	return 0;
}

static void reap(struct sw_pool *pl)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < pl->nw; i++) {
			if (pl->w[i].pid != pid)
				continue;
			struct sw_worker w = pl->w[i];
			pl->w[i] = pl->w[--pl->nw];
			finish(pl, &w, status);
			break;
		}
	}
}

/* Returns 0 when every pending run was attempted, 1 if interrupted, -1 on a
 * setup error. */
int swpool_run(struct sw_pool *pl, struct om_err *e)
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

void swpool_report(const struct sw_pool *pl)
{
	const struct sw_plan *p = pl->p;
	for (size_t i = 0; i < pl->nfail; i++) {
		const struct sw_run *r = &p->run[pl->fail[i].run];
		char desc[2048];
		swplan_describe(p, r, desc, sizeof desc);
		fprintf(stderr, "sweep: FAILED run %zu %s\n  error:  %s\n  config: %s\n", r->index,
			r->dir ? r->dir : r->label, pl->fail[i].msg ? pl->fail[i].msg : "?",
			desc[0] ? desc : "(base experiment)");
		if (r->st == SW_PENDING) {
			char job[PATH_MAX + 64], log[PATH_MAX + 64];
			swplan_job_path(p, r, job, sizeof job);
			swplan_log_path(p, r, log, sizeof log);
			fprintf(stderr, "  job:    %s\n  log:    %s\n", job, log);
		}
	}
}

void swpool_free(struct sw_pool *pl)
{
	for (size_t i = 0; i < pl->nfail; i++)
		free(pl->fail[i].msg);
	free(pl->fail);
	free(pl->w);
	pl->fail = NULL;
	pl->w = NULL;
	pl->nfail = 0;
}
