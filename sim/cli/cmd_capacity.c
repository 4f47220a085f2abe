/* `odmasim capacity`: for each policy, the highest Poisson (or gamma)
 * arrival rate at which the experiment still meets a latency SLO (the search
 * itself is capsearch). Each policy is searched in its own forked process,
 * which calls the simulator directly and writes no files: policies run in
 * parallel, and a crash in one is reported as that policy's error. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/csvw.h"
#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/cli/opts.h"
#include "sim/batch/capsearch.h"
#include "sim/core/engine.h"
#include "sim/core/odma_tune.h"
#include "sim/core/pred_setup.h"
#include "sim/core/experiment.h"
#include "sim/core/sumfield.h"

/* cmd_<name>_usage: the name the help table (main.c) looks for */
const char cmd_capacity_usage[] =
	"usage: odmasim capacity EXPERIMENT.ini --slo METRIC=BOUND[,METRIC=BOUND]...\n"
	"                        [--policies P1,P2,...] [--set section.key=value]...\n"
	"                        [--start R] [--min R] [--max R] [--tol F] [-j N]\n"
	"                        [-o TABLE.csv] [-q]\n"
	"  Finds, per policy, the highest workload.rate (requests/s) at which every\n"
	"  METRIC stays within its BOUND, by doubling/halving from --start (default:\n"
	"  the experiment's rate) and bisecting to a relative width of --tol (0.02).\n"
	"  Metrics: ttft_p50|p90|p99, tpot_p50|p90|p99, e2e_p50|p90|p99,\n"
	"  queue_p50|p90|p99 (bounds in seconds, or with an ms suffix), and\n"
	"  reject_frac (fraction of requests rejected). Policies default to all\n"
	"  registered ones; -j (default: cores) searches that many at once.\n";

struct cap_opts {
	struct cli_opts x; /* the experiment, --set, -o TABLE.csv, -q */
	struct cap_slo slo;
	struct cap_params prm;
	long jobs;
};

struct eval_ctx {
	const struct cap_opts *o;
	const char *policy;
	struct pred_cache *pc; /* models trained by this search, reused at every rate */
};

/* One simulation at `rate` (as "%.6g" text, the form reported and rerunnable). */
static int eval_rate(void *ctxp, double rate, struct cap_point *pt, struct om_err *e)
{
	const struct eval_ctx *ctx = ctxp;
	const struct cap_opts *o = ctx->o;
	char pset[128], rset[64];
	snprintf(pset, sizeof pset, "policy.name=%s", ctx->policy);
	snprintf(rset, sizeof rset, "workload.rate=%.6g", rate);
	pt->rate = strtod(rset + strlen("workload.rate="), NULL);
	char **sets = calloc((size_t)o->x.nsets + 2, sizeof *sets);
	if (!sets)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (int i = 0; i < o->x.nsets; i++)
		sets[i] = o->x.sets[i];
	sets[o->x.nsets] = pset;
	sets[o->x.nsets + 1] = rset;
	struct wl_trace t;
	trace_init(&t);
	struct run_result r = { 0 };
	struct pred_handle ph = { 0 };
	int rc = -1;
	struct cfg *c = exp_load(o->x.experiment, sets, o->x.nsets + 2, e);
	if (c && odma_tune(c, ctx->pc, e) == 0 && pred_from_cfg_cached(c, ctx->pc, &ph, e) == 0
	    && pred_wl_build(c, ctx->pc, &ph, &t, e) == 0 && engine_run(c, &t, &ph, &r, e) == 0) {
		pt->s = r.sum;
		rc = 0;
	}
	run_result_free(&r);
	pred_handle_free(&ph);
	trace_free(&t);
	cfg_free(c);
	free(sets);
	if (rc == 0 && !o->x.quiet) {
		unsigned viol = cap_slo_violations(&o->slo, &pt->s);
		fprintf(stderr, "capacity: %-8s rate %-9.6g", ctx->policy, pt->rate);
		for (size_t i = 0; i < o->slo.n; i++)
			fprintf(stderr, " %s %.4g", cap_metric_name(o->slo.m[i]),
				cap_metric_value(o->slo.m[i], &pt->s));
		fprintf(stderr, "  %s\n", viol ? "miss" : "meets");
	}
	return rc;
}

/* ---- driver ---- */

/* One policy's outcome as the table cells say it. */
struct cap_cells {
	char cap[32], miss[32], why[128], note[OM_ERR_LEN + 32];
	const struct summary *s; /* at the capacity, when one was found */
};

static void describe(const struct cap_opts *o, const struct cap_result *r, bool csv,
		     struct cap_cells *c)
{
	memset(c, 0, sizeof *c);
	if (r->status == CAP_FOUND || r->status == CAP_AT_MAX) {
		snprintf(c->cap, sizeof c->cap, "%.6g", r->lo.rate);
		c->s = &r->lo.s;
	}
	if (r->status == CAP_FOUND || r->status == CAP_BELOW_MIN) {
		snprintf(c->miss, sizeof c->miss, "%.6g", r->hi.rate);
		cap_slo_describe(&o->slo, r->hi.viol, c->why, sizeof c->why);
	}
	if (r->status == CAP_BELOW_MIN) {
		snprintf(c->cap, sizeof c->cap, csv ? "0" : "<%.6g", o->prm.min);
		snprintf(c->note, sizeof c->note, "misses the SLO even at --min %.6g", o->prm.min);
	}
	if (r->status == CAP_AT_MAX)
		snprintf(c->note, sizeof c->note,
			 "meets the SLO at --max %.6g; capacity may be higher", o->prm.max);
	if (r->status == CAP_ERROR)
		snprintf(c->note, sizeof c->note, "error: %s", r->error);
}

/* The summary fields of the CSV, from the sumfield table. */
static const char *const cap_fields[] = { "rps", "tps_generated", "ttft_p99_s", "tpot_p99_s",
					  "requests_rejected" };
#define CAP_NFIELDS (sizeof cap_fields / sizeof cap_fields[0])

static void write_csv(FILE *f, const struct cap_opts *o, char **pol, size_t np,
		      const struct cap_result *res)
{
	fputs("policy,capacity_rps,missed_at_rps,missed,", f);
	for (size_t k = 0; k < CAP_NFIELDS; k++)
		csvw_cell(f, cap_fields[k], 0);
	fputs("evaluations,note\n", f);
	for (size_t i = 0; i < np; i++) {
		struct cap_cells c;
		describe(o, &res[i], true, &c);
		csvw_cell(f, pol[i], 0);
		csvw_cell(f, c.cap, 0);
		csvw_cell(f, c.miss, 0);
		csvw_cell(f, c.why, 0);
		for (size_t k = 0; k < CAP_NFIELDS; k++) {
			const struct sumfield *x = sf_find(cap_fields[k]);
			char buf[64] = "";
			struct sf_val v = c.s ? sf_from_summary(x, c.s) : (struct sf_val){ 0 };
			csvw_cell(f, c.s ? sf_format(x, &v, buf, sizeof buf) : "", 0);
		}
		csvw_int(f, res[i].evals, 0);
		csvw_cell(f, c.note, 1);
	}
}

static void print_table(FILE *f, const struct cap_opts *o, char **pol, size_t np,
			const struct cap_result *res)
{
	fprintf(f, "%-10s %12s %12s %-18s %9s %10s %10s %10s %6s\n", "policy", "capacity",
		"missed_at", "missed", "rps", "gen_tok/s", "ttft_p99", "tpot_p99", "evals");
	for (size_t i = 0; i < np; i++) {
		struct cap_cells c;
		describe(o, &res[i], false, &c);
		if (res[i].status == CAP_ERROR) {
			fprintf(f, "%-10s %s\n", pol[i], c.note);
			continue;
		}
		fprintf(f, "%-10s %12s %12s %-18s", pol[i], c.cap, c.miss[0] ? c.miss : "-",
			c.why[0] ? c.why : "-");
		if (c.s)
			fprintf(f, " %9.3f %10.1f %10.3f %10.4f", c.s->rps, c.s->tps_generated,
				c.s->ttft_p99_s, c.s->tpot_p99_s);
		else
			fprintf(f, " %9s %10s %10s %10s", "-", "-", "-", "-");
		fprintf(f, " %6d%s%s\n", res[i].evals, c.note[0] ? "  " : "", c.note);
	}
}

/* Runs search() for policy i in a child; the result comes back through a pipe. */
static pid_t spawn_search(const struct cap_opts *o, const char *policy, int *rfd)
{
	int fd[2];
	if (pipe(fd) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		struct cap_result res;
		struct pred_cache pc = { 0 };
		struct eval_ctx ctx = { o, policy, &pc };
		cap_search(&o->prm, &o->slo, eval_rate, &ctx, &res);
		pred_cache_free(&pc);
		const char *p = (const char *)&res;
		size_t left = sizeof res;
		while (left) {
			ssize_t w = write(fd[1], p, left);
			if (w <= 0)
				_exit(3);
			p += w;
			left -= (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	*rfd = fd[0];
	return pid;
}

static void collect(int fd, int status, const char *policy, struct cap_result *res)
{
	size_t got = 0;
	char *p = (char *)res;
	ssize_t r;
	while (got < sizeof *res && (r = read(fd, p + got, sizeof *res - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got == sizeof *res && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	memset(res, 0, sizeof *res);
	res->status = CAP_ERROR;
	if (WIFSIGNALED(status))
		snprintf(res->error, sizeof res->error, "search for %s killed by signal %d (%s)",
			 policy, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(res->error, sizeof res->error, "search for %s failed", policy);
}

/* Runs one search per policy, at most o->jobs (default: cores) at once. */
static void run_searches(const struct cap_opts *o, char **pol, size_t np, struct cap_result *res,
			 pid_t *pid, int *fds)
{
	long j = o->jobs > 0 ? o->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (j < 1)
		j = 1;
	size_t next = 0, running = 0;
	while (next < np || running) {
		while (next < np && running < (size_t)j) {
			pid[next] = spawn_search(o, pol[next], &fds[next]);
			if (pid[next] < 0) {
				res[next].status = CAP_ERROR;
				snprintf(res[next].error, sizeof res[next].error, "fork: %s",
					 strerror(errno));
			} else {
				running++;
			}
			next++;
		}
		if (!running)
			break;
		int status;
		pid_t w = wait(&status);
		if (w < 0)
			break;
		for (size_t i = 0; i < next; i++)
			if (pid[i] == w) {
				collect(fds[i], status, pol[i], &res[i]);
				pid[i] = 0;
				running--;
			}
	}
}

/* Writes the CSV table to `path` atomically. */
static int write_file(const char *path, const struct cap_opts *o, char **pol, size_t np,
		      const struct cap_result *res)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	bool bad = !f;
	if (f) {
		write_csv(f, o, pol, np, res);
		bad = ferror(f) != 0;
		bad = fclose(f) != 0 || bad;
	}
	if (bad || rename(tmp, path) < 0) {
		unlink(tmp);
		fprintf(stderr, "odmasim capacity: error: %s: cannot write\n", path);
		return -1;
	}
	return 0;
}

struct cap_args {
	const char *slo, *policies;
	double start; /* 0: the experiment's rate */
};

/* Returns -1 to go on, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct cap_opts *o, struct cap_args *a)
{
	enum {
		O_SLO = 256,
		O_POLICIES,
		O_START,
		O_MIN,
		O_MAX,
		O_TOL
	};
	static const struct option lo[] = {
		{ "slo", required_argument, NULL, O_SLO },
		{ "policies", required_argument, NULL, O_POLICIES },
		{ "start", required_argument, NULL, O_START },
		{ "min", required_argument, NULL, O_MIN },
		{ "max", required_argument, NULL, O_MAX },
		{ "tol", required_argument, NULL, O_TOL },
		{ "jobs", required_argument, NULL, 'j' },
		CLI_EXP_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const double pos = 1e-300, big = 1e300; /* "a positive number" */
	struct opts p;
	if (opts_begin(&p, "capacity", cmd_capacity_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int ch; (ch = opts_next(&p, "j:" CLI_EXP_SHORTOPTS, lo)) != OPTS_END;) {
		if (cli_exp_opt(&o->x, ch, p.arg))
			continue;
		if (ch == O_SLO)
			a->slo = p.arg;
		else if (ch == O_POLICIES)
			a->policies = p.arg;
		else if (ch == O_START)
			opts_double(&p, pos, big, &a->start);
		else if (ch == O_MIN)
			opts_double(&p, pos, big, &o->prm.min);
		else if (ch == O_MAX)
			opts_double(&p, pos, big, &o->prm.max);
		else if (ch == O_TOL)
			opts_double(&p, pos, big, &o->prm.tol);
		else if (ch == 'j')
			opts_long(&p, 1, 4096, &o->jobs);
	}
	if (opts_operands(&p, 1, 1, "experiment file") < 0)
		return opts_end(&p);
	o->x.experiment = p.argv[p.ind];
	struct om_err e = { "" };
	if (!a->slo)
		opts_fail(&p, "--slo is required");
	else if (cap_slo_parse(a->slo, &o->slo, &e) < 0)
		opts_fail(&p, "%s", e.msg);
	else if (o->prm.min >= o->prm.max)
		opts_fail(&p, "--min must be below --max");
	return opts_end(&p);
}

/* The search starts at --start, else at the experiment's rate; the
 * experiment must load and use the rate. */
static int set_start(struct cap_opts *o, double start)
{
	struct om_err e = { "" };
	struct cfg *c = exp_load(o->x.experiment, o->x.sets, o->x.nsets, &e);
	if (!c) {
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		return -1;
	}
	const char *arr = cfg_str(c, "workload.arrival");
	int rc = 0;
	/* auto is poisson unless the trace has its own timestamps: build the
	 * workload once to see which */
	struct wl_trace t;
	if (!strcmp(arr, "auto") && wl_build(c, &t, false, &e) == 0) {
		arr = !strcmp(t.arrival, "poisson") ? "poisson" : "auto (trace timestamps)";
		trace_free(&t);
	}
	if (strcmp(arr, "poisson") && strcmp(arr, "gamma")) {
		cfg_fail(c, "workload.arrival", &e,
			 "capacity varies workload.rate, which only "
			 "poisson and gamma arrivals use (got %s)",
			 arr);
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		rc = -1;
	}
	o->prm.start = start > 0 ? start : cfg_real(c, "workload.rate");
	o->prm.start = fmin(fmax(o->prm.start, o->prm.min), o->prm.max);
	cfg_free(c);
	return rc;
}

/* Splits --policies (in plist, which the names point into) or takes every
 * registered policy. Returns the count, or -1 after a one-line message. */
static long pick_policies(char *plist, char **pol, size_t max)
{
	size_t np = 0;
	if (!plist) {
		for (size_t i = 0; pol_registry[i] && np < max; i++)
			pol[np++] = (char *)pol_registry[i]->name;
		return (long)np;
	}
	for (char *sv = NULL, *t = strtok_r(plist, ",", &sv); t && np < max;
	     t = strtok_r(NULL, ",", &sv)) {
		if (!pol_find(t)) {
			fprintf(stderr, "odmasim capacity: unknown policy '%s' (registered:", t);
			for (size_t i = 0; pol_registry[i]; i++)
				fprintf(stderr, " %s", pol_registry[i]->name);
			fprintf(stderr, ")\n");
			return -1;
		}
		pol[np++] = t;
	}
	if (np == 0) {
		fprintf(stderr, "odmasim capacity: no policies\n");
		return -1;
	}
	return (long)np;
}

static int search_all(const struct cap_opts *o, char **pol, size_t np)
{
	struct cap_result *res = calloc(np, sizeof *res);
	pid_t *pid = calloc(np, sizeof *pid);
	int *fds = calloc(np, sizeof *fds);
	int rc = 1;
	if (res && pid && fds) {
		run_searches(o, pol, np, res, pid, fds);
		printf("capacity: %s | SLO", o->x.experiment);
		for (size_t i = 0; i < o->slo.n; i++)
			printf("%s %s <= %g%s", i ? "," : "", cap_metric_name(o->slo.m[i]),
			       o->slo.bound[i], cap_metric_is_time(o->slo.m[i]) ? " s" : "");
		printf(" | tolerance %g\n", o->prm.tol);
		print_table(stdout, o, pol, np, res);
		rc = 0;
		for (size_t i = 0; i < np; i++)
			if (res[i].status == CAP_ERROR)
				rc = 1;
		if (o->x.out && write_file(o->x.out, o, pol, np, res) < 0)
			rc = 1;
	}
	free(res), free(pid), free(fds);
	return rc;
}

int cmd_capacity(int argc, char **argv)
{
	struct cap_opts o = { .prm = { .tol = 0.02, .min = 0.01, .max = 1e4 } };
	struct cap_args a = { 0 };
	char *plist = NULL, *pol[64];
	int rc = cli_exp_begin(&o.x, argc) == 0 ? parse_args(argc, argv, &o, &a) : 1;
	if (rc < 0 && set_start(&o, a.start) < 0)
		rc = 1;
	if (rc < 0 && a.policies && !(plist = strdup(a.policies)))
		rc = 1;
	long np = rc < 0 ? pick_policies(plist, pol, 64) : 0;
	if (rc < 0 && np < 0)
		rc = 2;
	if (rc < 0)
		rc = search_all(&o, pol, (size_t)np);
	free(plist);
	free(o.x.sets);
	return rc;
}
