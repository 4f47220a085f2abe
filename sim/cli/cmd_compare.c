/* `odmasim compare`: the same experiment under several policies, one
 * side-by-side table on stdout and as compare.csv in a fresh results
 * directory (written atomically, with the base configuration and each
 * policy's full run directory, so `odmasim merge DIR` reads it like a sweep).
 * compare.csv is the runs' summary.csv rows with the summary's own column
 * names, the predictor added after the policy.
 * A policy built around a predictor (pol_ops.predictor) runs with the
 * experiment's predictor.name, or with its own if the experiment names none
 * (exp_load does that). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/csvw.h"
#include "common/outdir.h"
#include "common/slurp.h"
#include "sim/core/report.h"
#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/cli/opts.h"
#include "sim/core/engine.h"
#include "sim/core/pred_setup.h"
#include "sim/core/experiment.h"
#include "sim/core/sumfield.h"

/* cmd_<name>_usage: the name the help table (main.c) looks for */
const char cmd_compare_usage[] =
	"usage: odmasim compare EXPERIMENT.ini [--policies static,paged,s3,odma,oracle]\n"
	"                       [--set section.key=value]... [-o DIR] [-q]\n"
	"  Runs the experiment once per policy (default: every registered policy) and\n"
	"  prints one table; writes compare.csv (the runs' summary rows), config.ini\n"
	"  and one run directory per policy (DIR/<policy>/, as odmasim run writes)\n"
	"  to DIR (default results/out/compare-<experiment>[-N]), which must not\n"
	"  exist. `odmasim merge DIR` reads it like a sweep.\n";

#define CMP_MAX 16

struct cmp_args {
	const char *exp, *out, *list;
	char **sets;
	int nsets;
	bool quiet;
};

struct cmp_row {
	char policy[64], predictor[64];
	struct summary s;
	char *csv; /* the run's summary.csv: header line, then its row */
};

static int run_one(const struct cmp_args *o, const char *pol, const char *rundir,
		   struct cmp_row *row, struct om_err *e)
{
	int n = o->nsets;
	char **sets = calloc((size_t)n + 2, sizeof *sets);
	char polset[128];
	struct cfg *c = NULL;
	struct wl_trace t;
	struct run_result r = { 0 };
	struct pred_handle ph = { 0 };
	int rc = -1;
	trace_init(&t);
	if (!sets) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	memcpy(sets, o->sets, (size_t)n * sizeof *sets);
	snprintf(polset, sizeof polset, "policy.name=%.63s", pol);
	sets[n++] = polset;
	c = exp_load(o->exp, sets, n, e);
	if (!c)
		goto out;
	snprintf(row->policy, sizeof row->policy, "%.63s", pol);
	snprintf(row->predictor, sizeof row->predictor, "%s", cfg_str(c, "predictor.name"));
	if (pred_from_cfg(c, &ph, e) < 0 || wl_build(c, &t, ph.ops && ph.ops->needs_text, e) < 0
	    || engine_run(c, &t, &ph, &r, e) < 0 || report_write(rundir, c, &t, &r, e) < 0)
		goto out;
	snprintf(row->policy, sizeof row->policy, "%s", r.policy);
	row->s = r.sum;
	char path[4200];
	size_t len;
	snprintf(path, sizeof path, "%s/summary.csv", rundir);
	if (slurp_file(path, "summary", &row->csv, &len, e) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && e->msg[0]) {
		char m[sizeof e->msg];
		memcpy(m, e->msg, sizeof m);
		m[sizeof m - 1] = '\0';
		int w = snprintf(e->msg, sizeof e->msg, "policy %.63s: ", pol);
		if (w > 0 && (size_t)w < sizeof e->msg)
			memcpy(e->msg + w, m, strnlen(m, sizeof e->msg - (size_t)w - 1) + 1);
		e->msg[sizeof e->msg - 1] = '\0';
	}
	run_result_free(&r);
	pred_handle_free(&ph);
	trace_free(&t);
	cfg_free(c);
	free(sets);
	return rc;
}

/* compare.csv: each run's summary.csv row with the predictor inserted after
 * the `policy` column; all runs share one header. The fields before it
 * (version, commit, schema) never hold a comma. */
static void put_with_predictor(FILE *f, const char *line, size_t len, size_t col,
			       const char *predictor)
{
	size_t at = 0;
	for (size_t k = 0; k <= col && at < len; at++)
		if (line[at] == ',')
			k++;
	if (at >= len || line[at - 1] != ',') { /* policy is the last column */
		fwrite(line, 1, len, f);
		fputc(',', f);
		csvw_cell(f, predictor, 1);
		return;
	}
	fwrite(line, 1, at, f);
	csvw_cell(f, predictor, 0);
	fwrite(line + at, 1, len - at, f);
	fputc('\n', f);
}

/* Index of the `policy` column in a summary.csv header line. */
static size_t policy_col(const char *h, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; col++) {
		size_t j = i;
		while (j < len && h[j] != ',')
			j++;
		if (j - i == 6 && !memcmp(h + i, "policy", 6))
			return col;
		i = j + 1;
	}
	return 0;
}

static void write_csv(FILE *f, const struct cmp_row *rows, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		const char *h = rows[i].csv, *nl = strchr(h, '\n');
		if (!nl)
			continue;
		const char *row = nl + 1, *end = strchr(row, '\n');
		size_t rl = end ? (size_t)(end - row) : strlen(row);
		if (i == 0) {
			col = policy_col(h, (size_t)(nl - h));
			put_with_predictor(f, h, (size_t)(nl - h), col, "predictor");
		}
		put_with_predictor(f, row, rl, col, rows[i].predictor);
	}
}

static void print_table(FILE *f, const struct cmp_row *rows, size_t n)
{
	fprintf(f, "%-8s %-9s %6s %8s %9s %7s %7s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n", "policy",
		"predictor", "done", "req/s", "gen tok/s", "U_res", "U_live", "U_pack", "TTFT50",
		"TPOT50", "e2e p99", "preempt", "overfl", "reloc", "frag_in", "frag_ex");
	for (size_t i = 0; i < n; i++) {
		const struct summary *s = &rows[i].s;
		fprintf(f,
			"%-8s %-9s %6lld %8.3f %9.1f %6.1f%% %6.1f%% %6.1f%% %7.3fs %7.4fs %7.2fs "
			"%7lld %7lld %7lld %6.1f%% %6.1f%%\n",
			rows[i].policy, rows[i].predictor, (long long)s->requests_completed, s->rps,
			s->tps_generated, 100 * s->util_reserved, 100 * s->util_live,
			100 * s->util_packing, s->ttft_p50_s, s->tpot_p50_s, s->e2e_p99_s,
			(long long)s->preemptions, (long long)s->overflows,
			(long long)s->relocations, 100 * s->frag_internal, 100 * s->frag_external);
	}
}

/* Splits "a,b,c" into names checked against the registry. */
static int parse_policies(const char *list, char names[CMP_MAX][64], size_t *n)
{
	*n = 0;
	const char *p = list;
	while (*p) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		if (len == 0 || len >= 64 || *n == CMP_MAX) {
			fprintf(stderr, "odmasim compare: --policies: bad list '%s'\n", list);
			return -1;
		}
		memcpy(names[*n], p, len);
		names[*n][len] = '\0';
		if (!pol_find(names[*n])) {
			fprintf(stderr,
				"odmasim compare: --policies: policy '%s' is not in this build (known:",
				names[*n]);
			for (size_t i = 0; pol_registry[i]; i++)
				fprintf(stderr, " %s", pol_registry[i]->name);
			fprintf(stderr, ")\n");
			return -1;
		}
		(*n)++;
		p += len + (q ? 1 : 0);
	}
	if (*n == 0) {
		fprintf(stderr, "odmasim compare: --policies: empty list\n");
		return -1;
	}
	return 0;
}

static int write_dir(const struct outdir *op, const struct cfg *c, const struct cmp_row *rows,
		     size_t n, struct om_err *e)
{
	struct outdir o = *op;
	FILE *f = outdir_open(&o, "config.ini", e);
	if (!f)
		goto fail;
	fprintf(f, "; base configuration of `odmasim compare` (policy.name varies per row)\n");
	cfg_write(c, f);
	if (outdir_close(&o, f, "config.ini", e) < 0)
		goto fail;
	f = outdir_open(&o, "compare.csv", e);
	if (!f)
		goto fail;
	write_csv(f, rows, n);
	if (outdir_close(&o, f, "compare.csv", e) < 0 || outdir_commit(&o, e) < 0)
		goto fail;
	return 0;
fail:
	outdir_abort(&o);
	return -1;
}

/* Returns -1 to go on, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct cmp_args *a)
{
	static const struct option lo[] = {
		{ "policies", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		OPTS_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct opts p;
	if (opts_begin(&p, "compare", cmd_compare_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int ch; (ch = opts_next(&p, "p:s:o:qh", lo)) != OPTS_END;) {
		if (ch == 'p')
			a->list = p.arg;
		else if (ch == 's')
			a->sets[a->nsets++] = (char *)p.arg;
		else if (ch == 'o')
			a->out = p.arg;
		else if (ch == 'q')
			a->quiet = true;
	}
	if (opts_operands(&p, 1, 1, "experiment file") < 0)
		return opts_end(&p);
	a->exp = p.argv[p.ind];
	return opts_end(&p);
}

/* results/out/compare-<experiment without .ini>, with -2, -3... if taken. */
static void default_dir(const char *exp, char *dir, size_t n)
{
	const char *b = strrchr(exp, '/');
	char stem[256];
	snprintf(stem, sizeof stem, "%s", b ? b + 1 : exp);
	char *dot = strrchr(stem, '.');
	if (dot && !strcmp(dot, ".ini"))
		*dot = '\0';
	snprintf(dir, n, "results/out/compare-%s", stem);
	struct stat st;
	for (int k = 2; stat(dir, &st) == 0; k++)
		snprintf(dir, n, "results/out/compare-%s-%d", stem, k);
}

static int run_all(const struct cmp_args *a, char names[][64], size_t np, const char *dir,
		   struct om_err *e)
{
	struct cfg *c = exp_load(a->exp, a->sets, a->nsets, e);
	struct cmp_row *rows = calloc(np ? np : 1, sizeof *rows);
	struct stat st;
	struct outdir od;
	bool begun = false;
	int rc = -1;
	if (!c)
		goto out;
	if (stat(dir, &st) == 0) {
		err_set(e, NULL, 0, NULL, "%s: output directory already exists", dir);
		goto out;
	}
	if (!rows) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (outdir_begin(&od, dir, e) < 0)
		goto out;
	begun = true;
	for (size_t i = 0; i < np; i++) {
		if (!a->quiet)
			fprintf(stderr, "odmasim compare: running %s (%zu/%zu)\n", names[i], i + 1,
				np);
		char rundir[PATH_MAX + 80];
		snprintf(rundir, sizeof rundir, "%s/%s", od.tmp, names[i]);
		if (run_one(a, names[i], rundir, &rows[i], e) < 0)
			goto out;
	}
	begun = false; /* write_dir commits or aborts */
	if (write_dir(&od, c, rows, np, e) < 0)
		goto out;
	print_table(stdout, rows, np);
	if (!a->quiet)
		printf("results: %s/compare.csv\n", dir);
	rc = 0;
out:
	if (begun)
		outdir_abort(&od);
	for (size_t i = 0; rows && i < np; i++)
		free(rows[i].csv);
	free(rows);
	cfg_free(c);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct cmp_args a = { .sets = calloc((size_t)argc + 1, sizeof(char *)) };
	char names[CMP_MAX][64];
	size_t np = 0;
	struct om_err e = { "" };
	int rc = a.sets ? parse_args(argc, argv, &a) : 1;
	if (rc < 0 && a.list && parse_policies(a.list, names, &np) < 0)
		rc = 2;
	if (rc < 0 && !a.list)
		for (size_t i = 0; pol_registry[i] && np < CMP_MAX; i++)
			snprintf(names[np++], sizeof names[0], "%s", pol_registry[i]->name);
	if (rc < 0) {
		rc = 0;
		char dir[4096];
		if (a.out)
			snprintf(dir, sizeof dir, "%s", a.out);
		else
			default_dir(a.exp, dir, sizeof dir);
		if (run_all(&a, names, np, dir, &e) < 0) {
			fprintf(stderr, "odmasim: error: %s\n%s", e.msg,
				a.list ? "" : "(choose the policies to compare with --policies)\n");
			rc = 1;
		}
	}
	free(a.sets);
	return rc;
}
