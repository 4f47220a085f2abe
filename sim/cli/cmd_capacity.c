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

#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/batch/capsearch.h"
#include "sim/batch/csvtab.h"
#include "sim/core/engine.h"
#include "sim/core/pred_setup.h"
#include "sim/core/experiment.h"

static const char *cap_usage =
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
	const char *exp;
	char **sets;
	int nsets;
	struct cap_slo slo;
	struct cap_params prm;
	long jobs;
	const char *out;
	bool quiet;
};

struct eval_ctx {
	const struct cap_opts *o;
	const char *policy;
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
	char **sets = calloc((size_t)o->nsets + 2, sizeof *sets);
	if (!sets)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (int i = 0; i < o->nsets; i++)
		sets[i] = o->sets[i];
	sets[o->nsets] = pset;
	sets[o->nsets + 1] = rset;
	struct wl_trace t;
	trace_init(&t);
	struct run_result r = { 0 };
	struct pred_handle ph = { 0 };
	int rc = -1;
	struct cfg *c = exp_load(o->exp, sets, o->nsets + 2, e);
	if (c && pred_from_cfg(c, &ph, e) == 0
	    && wl_build(c, &t, ph.ops && ph.ops->needs_text, e) == 0
	    && engine_run(c, &t, &ph, &r, e) == 0) {
		pt->s = r.sum;
		rc = 0;
	}
	run_result_free(&r);
	pred_handle_free(&ph);
	trace_free(&t);
	cfg_free(c);
	free(sets);
	if (rc == 0 && !o->quiet) {
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

static int parse_num(const char *opt, const char *v, double *out)
{
	char *end;
	errno = 0;
	double x = v ? strtod(v, &end) : 0;
	if (!v || errno || end == v || *end || !isfinite(x) || x <= 0) {
		fprintf(stderr, "odmasim capacity: %s needs a positive number, got '%s'\n", opt,
			v ? v : "");
		return -1;
	}
	*out = x;
	return 0;
}

static void print_table(FILE *f, bool csv, const struct cap_opts *o, char **pol, size_t np,
			const struct cap_result *res)
{
	if (csv)
		fprintf(f, "policy,capacity_rps,missed_at_rps,missed,rps,tps_generated,%s",
			"ttft_p99_s,tpot_p99_s,requests_rejected,evaluations,note\n");
	else
		fprintf(f, "%-10s %12s %12s %-18s %9s %10s %10s %10s %6s\n", "policy", "capacity",
			"missed_at", "missed", "rps", "gen_tok/s", "ttft_p99", "tpot_p99", "evals");
	for (size_t i = 0; i < np; i++) {
		const struct cap_result *r = &res[i];
		char why[128] = "", cap[32] = "", miss[32] = "", note[OM_ERR_LEN + 32] = "";
		if (r->status == CAP_FOUND || r->status == CAP_AT_MAX)
			snprintf(cap, sizeof cap, "%.6g", r->lo.rate);
		if (r->status == CAP_FOUND || r->status == CAP_BELOW_MIN) {
			snprintf(miss, sizeof miss, "%.6g", r->hi.rate);
			cap_slo_describe(&o->slo, r->hi.viol, why, sizeof why);
		}
		if (r->status == CAP_BELOW_MIN) {
			snprintf(cap, sizeof cap, csv ? "0" : "<%.6g", o->prm.min);
			snprintf(note, sizeof note, "misses the SLO even at --min %.6g",
				 o->prm.min);
		}
		if (r->status == CAP_AT_MAX)
			snprintf(note, sizeof note,
				 "meets the SLO at --max %.6g; capacity may be higher", o->prm.max);
		if (r->status == CAP_ERROR)
			snprintf(note, sizeof note, "error: %s", r->error);
		const struct summary *s = r->status == CAP_FOUND || r->status == CAP_AT_MAX
			? &r->lo.s
			: NULL;
		if (csv) {
			fprintf(f, "%s,%s,%s,%s,", pol[i], cap, miss, why);
			if (s)
				fprintf(f, "%.9g,%.9g,%.9g,%.9g,%lld,", s->rps, s->tps_generated,
					s->ttft_p99_s, s->tpot_p99_s,
					(long long)s->requests_rejected);
			else
				fprintf(f, ",,,,,");
			fprintf(f, "%d,", r->evals);
			csvtab_put(f, note);
			fputc('\n', f);
			continue;
		}
		if (r->status == CAP_ERROR) {
			fprintf(f, "%-10s %s\n", pol[i], note);
			continue;
		}
		fprintf(f, "%-10s %12s %12s %-18s", pol[i], cap, miss[0] ? miss : "-",
			why[0] ? why : "-");
		if (s)
			fprintf(f, " %9.3f %10.1f %10.3f %10.4f", s->rps, s->tps_generated,
				s->ttft_p99_s, s->tpot_p99_s);
		else
			fprintf(f, " %9s %10s %10s %10s", "-", "-", "-", "-");
		fprintf(f, " %6d%s%s\n", r->evals, note[0] ? "  " : "", note);
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
		struct eval_ctx ctx = { o, policy };
		cap_search(&o->prm, &o->slo, eval_rate, &ctx, &res);
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

int cmd_capacity(int argc, char **argv)
{
	struct cap_opts o = { .prm = { .tol = 0.02, .min = 0.01, .max = 1e4 } };
	const char *slo = NULL, *policies = NULL, *start = NULL;
	o.sets = calloc((size_t)argc + 1, sizeof *o.sets);
	if (!o.sets)
		return 1;
	int rc = 2;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (!strcmp(a, "--slo"))
			slo = v;
		else if (!strcmp(a, "--policies"))
			policies = v;
		else if (!strcmp(a, "--set") || !strcmp(a, "-s"))
			o.sets[o.nsets++] = (char *)v;
		else if (!strcmp(a, "--start"))
			start = v;
		else if (!strcmp(a, "--min")) {
			if (parse_num(a, v, &o.prm.min) < 0)
				goto out;
		} else if (!strcmp(a, "--max")) {
			if (parse_num(a, v, &o.prm.max) < 0)
				goto out;
		} else if (!strcmp(a, "--tol")) {
			if (parse_num(a, v, &o.prm.tol) < 0)
				goto out;
		} else if (!strcmp(a, "-j")) {
			double j;
			if (parse_num(a, v, &j) < 0)
				goto out;
			o.jobs = (long)j;
		} else if (!strcmp(a, "-o"))
			o.out = v;
		else {
			takes = false;
			if (!strcmp(a, "-q")) {
				o.quiet = true;
			} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				fputs(cap_usage, stdout);
				rc = 0;
				goto out;
			} else if (a[0] == '-') {
				fprintf(stderr, "odmasim capacity: unknown option '%s'\n%s", a,
					cap_usage);
				goto out;
			} else if (!o.exp) {
				o.exp = a;
			} else {
				fprintf(stderr, "odmasim capacity: unexpected argument '%s'\n%s", a,
					cap_usage);
				goto out;
			}
		}
		if (takes) {
			if (!v) {
				fprintf(stderr, "odmasim capacity: %s needs a value\n%s", a,
					cap_usage);
				goto out;
			}
			i++;
		}
	}
	if (!o.exp || !slo) {
		fprintf(stderr, "odmasim capacity: need an experiment file and --slo\n%s",
			cap_usage);
		goto out;
	}
	struct om_err e = { "" };
	if (cap_slo_parse(slo, &o.slo, &e) < 0) {
		fprintf(stderr, "odmasim capacity: %s\n", e.msg);
		goto out;
	}
	if (o.prm.min >= o.prm.max) {
		fprintf(stderr, "odmasim capacity: --min must be below --max\n");
		goto out;
	}
	/* The experiment must load and vary with the rate. */
	struct cfg *c = exp_load(o.exp, o.sets, o.nsets, &e);
	if (!c) {
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	const char *arr = cfg_str(c, "workload.arrival");
	if (strcmp(arr, "poisson") && strcmp(arr, "gamma")) {
		cfg_fail(c, "workload.arrival", &e,
			 "capacity varies workload.rate, which only "
			 "poisson and gamma arrivals use (got %s)",
			 arr);
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		cfg_free(c);
		rc = 1;
		goto out;
	}
	o.prm.start = cfg_real(c, "workload.rate");
	cfg_free(c);
	if (start && parse_num("--start", start, &o.prm.start) < 0)
		goto out;
	o.prm.start = fmin(fmax(o.prm.start, o.prm.min), o.prm.max);
	/* Policies. */
	char *plist = NULL;
	size_t np = 0;
	char *pol[64];
	if (policies) {
		plist = strdup(policies);
		for (char *t = strtok(plist, ","); t && np < 64; t = strtok(NULL, ",")) {
			if (!pol_find(t)) {
				fprintf(stderr,
					"odmasim capacity: unknown policy '%s' (registered:", t);
				for (size_t i = 0; pol_registry[i]; i++)
					fprintf(stderr, " %s", pol_registry[i]->name);
				fprintf(stderr, ")\n");
				free(plist);
				goto out;
			}
			pol[np++] = t;
		}
	} else {
		for (size_t i = 0; pol_registry[i] && np < 64; i++)
			pol[np++] = (char *)pol_registry[i]->name;
	}
	if (np == 0) {
		fprintf(stderr, "odmasim capacity: no policies\n");
		free(plist);
		goto out;
	}
	struct cap_result *res = calloc(np, sizeof *res);
	pid_t *pid = calloc(np, sizeof *pid);
	int *fds = calloc(np, sizeof *fds);
	if (!res || !pid || !fds) {
		free(res), free(pid), free(fds), free(plist);
		rc = 1;
		goto out;
	}
	long j = o.jobs > 0 ? o.jobs : sysconf(_SC_NPROCESSORS_ONLN);
	if (j < 1)
		j = 1;
	size_t next = 0, running = 0;
	while (next < np || running) {
		while (next < np && running < (size_t)j) {
			pid[next] = spawn_search(&o, pol[next], &fds[next]);
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
	printf("capacity: %s | SLO", o.exp);
	for (size_t i = 0; i < o.slo.n; i++)
		printf("%s %s <= %g%s", i ? "," : "", cap_metric_name(o.slo.m[i]), o.slo.bound[i],
		       cap_metric_is_time(o.slo.m[i]) ? " s" : "");
	printf(" | tolerance %g\n", o.prm.tol);
	print_table(stdout, false, &o, pol, np, res);
	rc = 0;
	for (size_t i = 0; i < np; i++)
		if (res[i].status == CAP_ERROR)
			rc = 1;
	if (o.out) {
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s.tmp-%ld", o.out, (long)getpid());
		FILE *f = fopen(tmp, "w");
		bool bad = !f;
		if (f) {
			print_table(f, true, &o, pol, np, res);
			bad = ferror(f) != 0;
			bad = fclose(f) != 0 || bad;
		}
		if (bad || rename(tmp, o.out) < 0) {
			unlink(tmp);
			fprintf(stderr, "odmasim capacity: error: %s: cannot write\n", o.out);
			rc = 1;
		}
	}
	free(res), free(pid), free(fds), free(plist);
out:
	free(o.sets);
	return rc;
}
