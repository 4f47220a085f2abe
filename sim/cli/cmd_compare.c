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
#include "sim/core/odma_tune.h"
#include "sim/core/pred_setup.h"
#include "sim/core/experiment.h"
#include "sim/core/sumfield.h"

/* cmd_<name>_usage: the name the help table (main.c) looks for */
const char cmd_compare_usage[] =
	"usage: odmasim compare EXPERIMENT.ini [--policies static,paged,s3,odma,oracle]\n"
	"                       [--set section.key=value]... [-o DIR] [-q]\n"
	"  Runs the experiment once per policy (default: every registered policy, then\n"
	"  NAME/VARIANT for each other choice of a policy.NAME_variant key, e.g.\n"
	"  odma/literal) and prints one table; writes compare.csv (the runs' summary\n"
	"  rows), config.ini and one run directory per policy (DIR/<policy>/, as\n"
	"  odmasim run writes; NAME/VARIANT as NAME-VARIANT) to DIR (default\n"
	"  results/out/compare-<experiment>[-N]), which must not exist.\n"
	"  `odmasim merge DIR` reads it like a sweep.\n";

#define CMP_MAX 16

struct cmp_args {
	struct cli_opts x; /* the experiment, --set, -o, -q */
	const char *list;
};

struct cmp_row {
	char policy[64], predictor[64];
	struct summary s;
	char *csv; /* the run's summary.csv: header line, then its row */
};

static int run_one(const struct cmp_args *o, const char *pol, const char *rundir,
		   struct pred_cache *pc, struct cmp_row *row, struct om_err *e)
{
	int n = o->x.nsets;
	char **sets = calloc((size_t)n + 3, sizeof *sets);
	char polset[128], varset[192];
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
	memcpy(sets, o->x.sets, (size_t)n * sizeof *sets);
	/* NAME/VARIANT sets policy.NAME_variant too */
	const char *slash = strchr(pol, '/');
	int nl = slash ? (int)(slash - pol) : (int)strlen(pol);
	snprintf(polset, sizeof polset, "policy.name=%.*s", nl < 63 ? nl : 63, pol);
	sets[n++] = polset;
	if (slash) {
		snprintf(varset, sizeof varset, "policy.%.*s_variant=%.63s", nl < 63 ? nl : 63, pol,
			 slash + 1);
		sets[n++] = varset;
	}
	c = exp_load(o->x.experiment, sets, n, e);
	if (!c)
		goto out;
	snprintf(row->policy, sizeof row->policy, "%.63s", pol);
	snprintf(row->predictor, sizeof row->predictor, "%s", cfg_str(c, "predictor.name"));
	if (odma_tune(c, pc, e) < 0 || pred_from_cfg_cached(c, pc, &ph, e) < 0
	    || pred_wl_build(c, pc, &ph, &t, e) < 0 || engine_run(c, &t, &ph, &r, e) < 0
	    || report_write(rundir, c, &t, &r, e) < 0)
		goto out;
	if (!slash)
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
 * the `policy` column, whose cell becomes the compared name (odma/literal
 * where a variant ran; `policy` NULL keeps the cell); all runs share one
 * header. The fields before it (version, commit, schema) never hold a comma. */
static void put_row(FILE *f, const char *line, size_t len, size_t col, const char *policy,
		    const char *predictor)
{
	size_t start = 0;
	for (size_t k = 0; k < col && start < len; start++)
		if (line[start] == ',')
			k++;
	size_t end = start;
	while (end < len && line[end] != ',')
		end++;
	fwrite(line, 1, start, f);
	if (policy)
		csvw_cell(f, policy, 0);
	else {
		fwrite(line + start, 1, end - start, f);
		fputc(',', f);
	}
	csvw_cell(f, predictor, end >= len);
	if (end < len) {
		fwrite(line + end + 1, 1, len - end - 1, f);
		fputc('\n', f);
	}
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
			put_row(f, h, (size_t)(nl - h), col, NULL, "predictor");
		}
		put_row(f, row, rl, col, rows[i].policy, rows[i].predictor);
	}
}

static void print_table(FILE *f, const struct cmp_row *rows, size_t n)
{
	fprintf(f, "%-12s %-9s %6s %8s %9s %7s %7s %7s %7s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n",
		"policy", "predictor", "done", "req/s", "gen tok/s", "U_res", "U_live", "U_pack",
		"Pk_fin", "res/req", "TTFT50", "TPOT50", "e2e p99", "preempt", "overfl", "reloc",
		"frag_in", "frag_ex");
	for (size_t i = 0; i < n; i++) {
		const struct summary *s = &rows[i].s;
		fprintf(f,
			"%-12s %-9s %6lld %8.3f %9.1f %6.1f%% %6.1f%% %6.1f%% %6.1f%% %7.0f %7.3fs "
			"%7.4fs %7.2fs %7lld %7lld %7lld %6.1f%% %6.1f%%\n",
			rows[i].policy, rows[i].predictor, (long long)s->requests_completed, s->rps,
			s->tps_generated, 100 * s->util_reserved, 100 * s->util_live,
			100 * s->util_packing, 100 * s->util_packing_at_finish,
			s->reserved_tokens_mean, s->ttft_p50_s, s->tpot_p50_s, s->e2e_p99_s,
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
		char base[64];
		snprintf(base, sizeof base, "%.*s", (int)strcspn(names[*n], "/"), names[*n]);
		if (!pol_find(base)) {
			fprintf(stderr,
				"odmasim compare: --policies: policy '%s' is not in this build (known:",
				base);
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
		CLI_EXP_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct opts p;
	if (opts_begin(&p, "compare", cmd_compare_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int ch; (ch = opts_next(&p, "p:" CLI_EXP_SHORTOPTS, lo)) != OPTS_END;)
		if (!cli_exp_opt(&a->x, ch, p.arg) && ch == 'p')
			a->list = p.arg;
	if (opts_operands(&p, 1, 1, "experiment file") < 0)
		return opts_end(&p);
	a->x.experiment = p.argv[p.ind];
	return opts_end(&p);
}

static int run_all(const struct cmp_args *a, char names[][64], size_t np, const char *dir,
		   struct om_err *e)
{
	struct cfg *c = exp_load(a->x.experiment, a->x.sets, a->x.nsets, e);
	struct cmp_row *rows = calloc(np ? np : 1, sizeof *rows);
	struct pred_cache pc = { 0 };
	struct stat st;
	struct outdir od;
	sigset_t old_mask;
	bool begun = false, held = false;
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
	/* interrupts held from here to the end, checked after each run (outdir.h) */
	outdir_hold(&old_mask);
	held = true;
	if (outdir_begin(&od, dir, e) < 0)
		goto out;
	begun = true;
	for (size_t i = 0; i < np; i++) {
		if (!a->x.quiet)
			fprintf(stderr, "odmasim compare: running %s (%zu/%zu)\n", names[i], i + 1,
				np);
		char rundir[PATH_MAX + 80];
		snprintf(rundir, sizeof rundir, "%s/%.63s", od.tmp, names[i]);
		for (char *q = rundir + strlen(od.tmp) + 1; *q; q++)
			if (*q == '/')
				*q = '-'; /* odma/literal runs in DIR/odma-literal */
		if (run_one(a, names[i], rundir, &pc, &rows[i], e) < 0
		    || outdir_stop_check(dir, e) < 0)
			goto out;
	}
	begun = false; /* write_dir commits or aborts */
	if (write_dir(&od, c, rows, np, e) < 0)
		goto out;
	if (outdir_stop_check(dir, e) < 0) {
		outdir_remove(od.final);
		goto out;
	}
	print_table(stdout, rows, np);
	if (!a->x.quiet)
		printf("results: %s/compare.csv\n", dir);
	rc = 0;
out:
	pred_cache_free(&pc);
	if (begun)
		outdir_abort(&od);
	if (held)
		outdir_release(&old_mask);
	for (size_t i = 0; rows && i < np; i++)
		free(rows[i].csv);
	free(rows);
	cfg_free(c);
	return rc;
}

/* Every registered policy, then NAME/VARIANT for each non-default choice of
 * a policy's own policy.NAME_variant key. */
static void default_list(char names[CMP_MAX][64], size_t *np)
{
	for (size_t i = 0; pol_registry[i] && *np < CMP_MAX; i++)
		snprintf(names[(*np)++], 64, "%s", pol_registry[i]->name);
	for (size_t i = 0; pol_registry[i]; i++) {
		const struct pol_ops *p = pol_registry[i];
		char key[96];
		snprintf(key, sizeof key, "policy.%s_variant", p->name);
		for (const struct cfg_key *k = p->keys; k && k->name; k++) {
			if (strcmp(k->name, key) || k->type != CFG_ENUM)
				continue;
			for (const char *c = k->choices; *c && *np < CMP_MAX;) {
				size_t len = strcspn(c, "|");
				if (len != strlen(k->def) || strncmp(c, k->def, len))
					snprintf(names[(*np)++], 64, "%.30s/%.*s", p->name,
						 (int)len, c);
				c += len + (c[len] == '|');
			}
		}
	}
}

int cmd_compare(int argc, char **argv)
{
	struct cmp_args a = { .list = NULL };
	char names[CMP_MAX][64];
	size_t np = 0;
	struct om_err e = { "" };
	int rc = cli_exp_begin(&a.x, argc) == 0 ? parse_args(argc, argv, &a) : 1;
	if (rc < 0 && a.list && parse_policies(a.list, names, &np) < 0)
		rc = 2;
	if (rc < 0 && !a.list)
		default_list(names, &np);
	if (rc < 0) {
		rc = 0;
		char dir[4096];
		cli_out_dir(&a.x, "compare-", dir, sizeof dir);
		if (run_all(&a, names, np, dir, &e) < 0) {
			fprintf(stderr, "odmasim: error: %s\n%s", e.msg,
				a.list ? "" : "(choose the policies to compare with --policies)\n");
			rc = 1;
		}
	}
	free(a.x.sets);
	return rc;
}
