/* `odmasim capacity`: for each policy, the highest Poisson (or gamma)
 * arrival rate at which the experiment still meets a latency SLO. The rate is
 * bracketed by doubling or halving from a start rate, then bisected until
 * the bracket is narrower than a relative tolerance. This assumes the SLO
 * metrics grow with the rate (true of queueing delay, up to noise); the
 * search reports the last rate seen to meet the SLO and the first to miss it.
 * Each policy is searched in its own forked process, which calls the
 * simulator directly: policies run in parallel and a crash in one is reported
 * as that policy's failure. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../workload/workload.h"
#include "cli.h"
#include "csvtab.h"
#include "engine.h"
#include "experiment.h"

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

/* ---- the SLO ---- */

struct slo_metric {
	const char *name;
	size_t off;   /* offset of a double in struct summary; SIZE_MAX = reject_frac */
};

#define SM(n, f) { n, offsetof(struct summary, f) }
static const struct slo_metric slo_metrics[] = {
	SM("ttft_p50", ttft_p50_s), SM("ttft_p90", ttft_p90_s), SM("ttft_p99", ttft_p99_s),
	SM("tpot_p50", tpot_p50_s), SM("tpot_p90", tpot_p90_s), SM("tpot_p99", tpot_p99_s),
	SM("e2e_p50", e2e_p50_s),   SM("e2e_p90", e2e_p90_s),   SM("e2e_p99", e2e_p99_s),
	SM("queue_p50", queue_p50_s), SM("queue_p90", queue_p90_s),
	SM("queue_p99", queue_p99_s), { "reject_frac", SIZE_MAX },
};
#define N_SLO_METRICS (sizeof slo_metrics / sizeof slo_metrics[0])

struct slo {
	const struct slo_metric *m[N_SLO_METRICS];
	double bound[N_SLO_METRICS];
	size_t n;
};

static double metric_value(const struct slo_metric *m, const struct summary *s)
{
	if (m->off == SIZE_MAX)
		return s->requests_total ? (double)s->requests_rejected / (double)s->requests_total : 0;
	double v;
	memcpy(&v, (const char *)s + m->off, sizeof v);
	return v;
}

static int parse_slo(const char *spec, struct slo *o)
{
	memset(o, 0, sizeof *o);
	char *buf = strdup(spec);
	if (!buf)
		return -1;
	int rc = 0;
	for (char *tok = strtok(buf, ","); tok && rc == 0; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			fprintf(stderr, "odmasim capacity: --slo: expected METRIC=BOUND, got '%s'\n", tok);
			rc = -1;
			break;
		}
		*eq = '\0';
		size_t nl = strlen(tok);
		if (nl > 2 && !strcmp(tok + nl - 2, "_s"))
			tok[nl - 2] = '\0';
		const struct slo_metric *m = NULL;
		for (size_t i = 0; i < N_SLO_METRICS; i++)
			if (!strcmp(slo_metrics[i].name, tok))
				m = &slo_metrics[i];
		char *end;
		errno = 0;
		double b = strtod(eq + 1, &end);
		if (m && m->off != SIZE_MAX && !strcmp(end, "ms"))
			b /= 1000, end += 2;
		else if (m && m->off != SIZE_MAX && !strcmp(end, "s"))
			end += 1;
		if (!m) {
			fprintf(stderr, "odmasim capacity: --slo: unknown metric '%s'\n%s", tok, cap_usage);
			rc = -1;
		} else if (errno || end == eq + 1 || *end || !isfinite(b) || b < 0) {
			fprintf(stderr, "odmasim capacity: --slo: %s: expected a bound >= 0, got '%s'\n",
				tok, eq + 1);
			rc = -1;
		} else {
			for (size_t i = 0; i < o->n; i++)
				if (o->m[i] == m) {
					fprintf(stderr, "odmasim capacity: --slo: %s given twice\n", tok);
					rc = -1;
				}
			o->m[o->n] = m;
			o->bound[o->n++] = b;
		}
	}
	free(buf);
	if (rc == 0 && o->n == 0) {
		fprintf(stderr, "odmasim capacity: --slo is empty\n");
		rc = -1;
	}
	return rc;
}

/* Bit k set: metric k of the SLO is violated. Bit 30: nothing completed. */
static unsigned slo_violations(const struct slo *o, const struct summary *s)
{
	unsigned v = s->requests_completed > 0 ? 0 : 1u << 30;
	for (size_t i = 0; i < o->n; i++)
		if (!(metric_value(o->m[i], s) <= o->bound[i]))
			v |= 1u << i;
	return v;
}

/* ---- one policy's search, in a child process ---- */

struct cap_opts {
	const char *exp;
	char **sets;
	int nsets;
	struct slo slo;
	double start, min, max, tol;
	long jobs;
	const char *out;
	bool quiet;
};

struct point {
	double rate;
	struct summary s;
	unsigned viol;
	bool valid;
};

struct cap_result {
	int status;          /* 0 found; 1 below --min; 2 at or above --max; -1 error */
	struct point lo, hi; /* last rate meeting the SLO, first rate missing it */
	int evals;
	char error[OM_ERR_LEN];
};

static int eval_rate(const struct cap_opts *o, const char *policy, double rate,
		     struct point *pt, struct om_err *e)
{
	char pset[128], rset[64];
	snprintf(pset, sizeof pset, "policy.name=%s", policy);
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
	if (c && pred_from_cfg(c, &ph, e) == 0 && wl_build(c, &t, ph.ops && ph.ops->needs_text, e) == 0 &&
	    engine_run(c, &t, &ph, &r, e) == 0) {
		pt->s = r.sum;
		pt->viol = slo_violations(&o->slo, &r.sum);
		pt->valid = true;
		rc = 0;
	}
	run_result_free(&r);
	pred_handle_free(&ph);
	trace_free(&t);
	cfg_free(c);
	free(sets);
	if (rc == 0 && !o->quiet) {
		fprintf(stderr, "capacity: %-8s rate %-9.6g", policy, pt->rate);
		for (size_t i = 0; i < o->slo.n; i++)
			fprintf(stderr, " %s %.4g", o->slo.m[i]->name, metric_value(o->slo.m[i], &pt->s));
		fprintf(stderr, "  %s\n", pt->viol ? "miss" : "meets");
	}
	return rc;
}

static void search(const struct cap_opts *o, const char *policy, struct cap_result *res)
{
	struct om_err e = { "" };
	memset(res, 0, sizeof *res);
	struct point p;
	res->status = -1;
	if (eval_rate(o, policy, o->start, &p, &e) < 0)
		goto err;
	res->evals++;
	struct point lo = { 0 }, hi = { 0 };
	if (!p.viol) {
		lo = p;
		for (;;) {
			if (lo.rate >= o->max) {
				res->status = 2;
				res->lo = lo;
				return;
			}
			double r = fmin(lo.rate * 2, o->max);
			if (eval_rate(o, policy, r, &p, &e) < 0)
				goto err;
			res->evals++;
			if (p.viol) {
				hi = p;
				break;
			}
			lo = p;
		}
	} else {
		hi = p;
		for (;;) {
			if (hi.rate <= o->min) {
				res->status = 1;
				res->hi = hi;
				return;
			}
			double r = fmax(hi.rate / 2, o->min);
			if (eval_rate(o, policy, r, &p, &e) < 0)
				goto err;
			res->evals++;
			if (!p.viol) {
				lo = p;
				break;
			}
			hi = p;
		}
	}
	while (hi.rate - lo.rate > o->tol * lo.rate) {
		double mid = 0.5 * (lo.rate + hi.rate);
		if (eval_rate(o, policy, mid, &p, &e) < 0)
			goto err;
		res->evals++;
		if (p.rate <= lo.rate || p.rate >= hi.rate)
			break; /* the rate's text form cannot split the bracket further */
		if (p.viol)
			hi = p;
		else
			lo = p;
	}
	res->status = 0;
	res->lo = lo;
	res->hi = hi;
	return;
err:
	snprintf(res->error, sizeof res->error, "%s", e.msg);
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

static void binding(const struct cap_opts *o, unsigned viol, char *buf, size_t n)
{
	buf[0] = '\0';
	size_t len = 0;
	if (viol & (1u << 30))
		len += (size_t)snprintf(buf, n, "nothing completed");
	for (size_t i = 0; i < o->slo.n && len < n; i++)
		if (viol & (1u << i))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "+" : "",
						o->slo.m[i]->name);
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
		if (r->status == 0 || r->status == 2)
			snprintf(cap, sizeof cap, "%.6g", r->lo.rate);
		if (r->status == 0 || r->status == 1) {
			snprintf(miss, sizeof miss, "%.6g", r->hi.rate);
			binding(o, r->hi.viol, why, sizeof why);
		}
		if (r->status == 1) {
			snprintf(cap, sizeof cap, csv ? "0" : "<%.6g", o->min);
			snprintf(note, sizeof note, "misses the SLO even at --min %.6g", o->min);
		}
		if (r->status == 2)
			snprintf(note, sizeof note, "meets the SLO at --max %.6g; capacity may be higher",
				 o->max);
		if (r->status == -1)
			snprintf(note, sizeof note, "error: %s", r->error);
		const struct summary *s = r->status == 0 || r->status == 2 ? &r->lo.s : NULL;
		if (csv) {
			fprintf(f, "%s,%s,%s,%s,", pol[i], cap, miss, why);
			if (s)
				fprintf(f, "%.9g,%.9g,%.9g,%.9g,%lld,", s->rps, s->tps_generated,
					s->ttft_p99_s, s->tpot_p99_s, (long long)s->requests_rejected);
			else
				fprintf(f, ",,,,,");
			fprintf(f, "%d,", r->evals);
			csvtab_put(f, note);
			fputc('\n', f);
			continue;
		}
		if (r->status == -1) {
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
		search(o, policy, &res);
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
	res->status = -1;
	if (WIFSIGNALED(status))
		snprintf(res->error, sizeof res->error, "search for %s killed by signal %d (%s)",
			 policy, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(res->error, sizeof res->error, "search for %s failed", policy);
}

int cmd_capacity(int argc, char **argv)
{
	struct cap_opts o = { .tol = 0.02, .min = 0.01, .max = 1e4 };
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
			if (parse_num(a, v, &o.min) < 0)
				goto out;
		} else if (!strcmp(a, "--max")) {
			if (parse_num(a, v, &o.max) < 0)
				goto out;
		} else if (!strcmp(a, "--tol")) {
			if (parse_num(a, v, &o.tol) < 0)
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
				fprintf(stderr, "odmasim capacity: unknown option '%s'\n%s", a, cap_usage);
				goto out;
			} else if (!o.exp) {
				o.exp = a;
			} else {
				fprintf(stderr, "odmasim capacity: unexpected argument '%s'\n%s", a, cap_usage);
				goto out;
			}
		}
		if (takes) {
			if (!v) {
				fprintf(stderr, "odmasim capacity: %s needs a value\n%s", a, cap_usage);
				goto out;
			}
			i++;
		}
	}
	if (!o.exp || !slo) {
		fprintf(stderr, "odmasim capacity: need an experiment file and --slo\n%s", cap_usage);
		goto out;
	}
	if (parse_slo(slo, &o.slo) < 0)
		goto out;
	if (o.min >= o.max) {
		fprintf(stderr, "odmasim capacity: --min must be below --max\n");
		goto out;
	}
	/* The experiment must load and vary with the rate. */
	struct om_err e = { "" };
	struct cfg *c = exp_load(o.exp, o.sets, o.nsets, &e);
	if (!c) {
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	const char *arr = cfg_str(c, "workload.arrival");
	if (strcmp(arr, "poisson") && strcmp(arr, "gamma")) {
		cfg_fail(c, "workload.arrival", &e, "capacity varies workload.rate, which only "
			 "poisson and gamma arrivals use (got %s)", arr);
		fprintf(stderr, "odmasim capacity: error: %s\n", e.msg);
		cfg_free(c);
		rc = 1;
		goto out;
	}
	o.start = cfg_real(c, "workload.rate");
	cfg_free(c);
	if (start && parse_num("--start", start, &o.start) < 0)
		goto out;
	o.start = fmin(fmax(o.start, o.min), o.max);
	/* Policies. */
	char *plist = NULL;
	size_t np = 0;
	char *pol[64];
	if (policies) {
		plist = strdup(policies);
		for (char *t = strtok(plist, ","); t && np < 64; t = strtok(NULL, ",")) {
			if (!pol_find(t)) {
				fprintf(stderr, "odmasim capacity: unknown policy '%s' (registered:", t);
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
				res[next].status = -1;
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
		printf("%s %s <= %g%s", i ? "," : "", o.slo.m[i]->name, o.slo.bound[i],
		       o.slo.m[i]->off == SIZE_MAX ? "" : " s");
	printf(" | tolerance %g\n", o.tol);
	print_table(stdout, false, &o, pol, np, res);
	rc = 0;
	for (size_t i = 0; i < np; i++)
		if (res[i].status == -1)
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
