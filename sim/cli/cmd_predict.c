/* `odmasim predict`: trains predictors on the train part of a trace and
 * reports held-out accuracy (definitions: docs/MODEL.md#accuracy-definitions). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/csvw.h"
#include "common/jsonw.h"
#include "common/outdir.h"
#include "predictors/pred_eval.h"
#include "predictors/predictor.h"
#include "common/split.h"
#include "workload/trace_fmt.h"
#include "workload/workload.h"
#include "sim/cli/cli.h"
#include "sim/cli/opts.h"
#include "sim/core/experiment.h"

/* cmd_<name>_usage: the name the help table (main.c) looks for */
const char cmd_predict_usage[] =
	"usage: odmasim predict --trace TRACE [--test-trace TRACE] [--predictor NAME[,NAME...]]\n"
	"                       [--buckets K] [--bucket-max N] [--test-pct P] [--set predictor.k=v]...\n"
	"                       [-o DIR] [--save-model FILE] [-q]\n"
	"  Trains each predictor (default s3,odma) on the TRAIN part of TRACE (ids whose hash\n"
	"  falls outside the test percentage) and evaluates it on the held-out TEST part, or,\n"
	"  with --test-trace, on every row of another trace (a drift case: e.g. train on\n"
	"  alpaca.csv, test on nq.csv). Prints a table; with -o writes metrics.csv,\n"
	"  metrics.json, predictions-<name>.csv, model-<name>.txt and config.ini to DIR\n"
	"  (DIR must not exist). --save-model writes the trained model (one predictor only).\n"
	"  --validate trains on the train part minus a 10% validation slice and evaluates on\n"
	"  that slice, never on the test part: use it to choose models and settings.\n"
	"  TRACE names without '/' are read from $ODMASIM_TRACES or ../shared/traces.\n";

struct row {
	char name[32], model[48];
	size_t ntrain;
	struct pe_metrics m;
	double train_s, train_cpu; /* wall and CPU seconds of the training */
};

#define PR_MAX_ROWS 8

struct pr_args {
	struct cli_opts x; /* --set, -o, -q (no experiment file) */
	const char *trace, *test_trace, *preds, *save;
	bool validate;
	char extra[8][96]; /* --buckets etc. as predictor.k=v */
	int nextra;
};

/* Everything one `predict` invocation holds, so the steps can be functions. */
struct pr_run {
	struct pr_args a;
	struct cfg *c;
	int pct;
	int32_t K, bmax;
	char path[4096];
	struct wl_trace tr, te;
	struct pred_sample *strain, *stest;
	struct pred_out *pout;
	size_t ntrain, ntest;
	char test_desc[600];
	struct row rows[PR_MAX_ROWS];
	size_t nrows;
	struct outdir od;
	bool od_open;
	bool held; /* interrupts held from outdir_begin to the end (outdir.h) */
	sigset_t old_mask;
	struct pred_handle h;
};

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void model_desc(const struct cfg *c, const char *name, char *buf, size_t n)
{
	if (!strcmp(name, "s3"))
		snprintf(buf, n, "%s", cfg_str(c, "predictor.s3_model"));
	else if (!strcmp(name, "odma"))
		snprintf(buf, n, "%s q=%g", cfg_str(c, "predictor.odma_model"),
			 cfg_real(c, "predictor.quantile"));
	else if (!strcmp(name, "gbdt"))
		snprintf(buf, n, "trees q=%g", cfg_real(c, "predictor.quantile"));
	else if (!strcmp(name, "noisy"))
		snprintf(buf, n, "sigma=%g", cfg_real(c, "predictor.noise_sigma"));
	else
		snprintf(buf, n, "-");
}

static void print_table(FILE *f, const struct row *r, size_t nr, const char *train,
			const char *test)
{
	fprintf(f, "train: %s (train part)   test: %s\n", train, test);
	fprintf(f, "%-7s %-15s %7s %6s %7s %7s %7s %7s %7s %8s %8s %8s %7s %7s %6s\n", "pred",
		"model", "n_train", "n_test", "b_hit", "b_maj", "b_near", "cover", "cov+fl",
		"over_avg", "over_p99", "under", "MAE", "flagged", "rho");
	for (size_t i = 0; i < nr; i++) {
		const struct pe_metrics *m = &r[i].m;
		fprintf(f,
			"%-7s %-15s %7zu %6zu %6.2f%% %6.2f%% %6.2f%% %6.2f%% %6.2f%% %8.1f %8.0f %8.1f %7.1f %6.2f%% %6.3f\n",
			r[i].name, r[i].model, r[i].ntrain, m->n, 100 * m->bucket_hit,
			100 * m->majority_hit, 100 * m->bucket_near, 100 * m->coverage,
			100 * m->coverage_flag, m->over_mean, m->over_p99, m->under_mean, m->mae,
			100 * m->flagged, m->spearman);
	}
	fprintf(f, "coverage / mean over-reservation (tokens) at the predictor's q-quantile:\n%-7s",
		"pred");
	for (int j = 0; j < PE_NQ; j++)
		fprintf(f, "       q=%-5g", pe_quantiles[j]);
	fputc('\n', f);
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "%-7s", r[i].name);
		for (int j = 0; j < PE_NQ; j++)
			fprintf(f, " %6.2f%% %6.1f", 100 * r[i].m.qcov[j], r[i].m.qover[j]);
		fputc('\n', f);
	}
}

/* The accuracy metrics (doubles in struct pe_metrics) in output order, with
 * their decimals. */
static const struct {
	const char *name;
	size_t off;
	int prec;
} pr_metrics[] = {
	{ "bucket_hit", offsetof(struct pe_metrics, bucket_hit), 6 },
	{ "majority_bucket_hit", offsetof(struct pe_metrics, majority_hit), 6 },
	{ "bucket_within_one", offsetof(struct pe_metrics, bucket_near), 6 },
	{ "coverage", offsetof(struct pe_metrics, coverage), 6 },
	{ "coverage_or_flagged", offsetof(struct pe_metrics, coverage_flag), 6 },
	{ "over_mean", offsetof(struct pe_metrics, over_mean), 4 },
	{ "over_p99", offsetof(struct pe_metrics, over_p99), 4 },
	{ "under_mean", offsetof(struct pe_metrics, under_mean), 4 },
	{ "mae", offsetof(struct pe_metrics, mae), 4 },
	{ "flagged", offsetof(struct pe_metrics, flagged), 6 },
	{ "spearman", offsetof(struct pe_metrics, spearman), 6 },
	{ "coverage_q50", offsetof(struct pe_metrics, qcov[0]), 6 },
	{ "over_mean_q50", offsetof(struct pe_metrics, qover[0]), 4 },
	{ "coverage_q90", offsetof(struct pe_metrics, qcov[1]), 6 },
	{ "over_mean_q90", offsetof(struct pe_metrics, qover[1]), 4 },
	{ "coverage_q95", offsetof(struct pe_metrics, qcov[2]), 6 },
	{ "over_mean_q95", offsetof(struct pe_metrics, qover[2]), 4 },
	{ "coverage_q99", offsetof(struct pe_metrics, qcov[3]), 6 },
	{ "over_mean_q99", offsetof(struct pe_metrics, qover[3]), 4 },
};
#define PR_NMETRICS (sizeof pr_metrics / sizeof pr_metrics[0])

static double pr_metric(const struct pe_metrics *m, size_t k)
{
	double v;
	memcpy(&v, (const char *)m + pr_metrics[k].off, sizeof v);
	return v;
}

static void write_csv(FILE *f, const struct pr_run *p)
{
	const char *train = base(p->a.trace);
	fputs("predictor,model,train_trace,test_trace,buckets,bucket_max,n_train,n_test,", f);
	for (size_t k = 0; k < PR_NMETRICS; k++)
		csvw_cell(f, pr_metrics[k].name, k + 1 == PR_NMETRICS);
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		const struct pe_metrics *m = &r->m;
		csvw_cell(f, r->name, 0);
		csvw_cell(f, r->model, 0);
		csvw_cell(f, train, 0);
		csvw_cell(f, p->test_desc, 0);
		csvw_int(f, p->K, 0);
		csvw_int(f, p->bmax, 0);
		csvw_int(f, (long long)r->ntrain, 0);
		csvw_int(f, (long long)m->n, 0);
		for (size_t k = 0; k < PR_NMETRICS; k++)
			csvw_real(f, pr_metric(m, k), 'f', pr_metrics[k].prec,
				  k + 1 == PR_NMETRICS);
	}
}

static void write_json(FILE *f, const struct pr_run *p)
{
	struct jw w;
	jw_init(&w, f);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "train_trace", base(p->a.trace));
	jw_str(&w, "test_trace", p->test_desc);
	jw_int(&w, "split_test_pct", p->pct);
	jw_int(&w, "buckets", p->K);
	jw_int(&w, "bucket_max", p->bmax);
	jw_arr_begin(&w, "results");
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		const struct pe_metrics *m = &r->m;
		jw_obj_begin(&w, NULL);
		jw_str(&w, "predictor", r->name);
		jw_str(&w, "model", r->model);
		jw_int(&w, "n_train", (long long)r->ntrain);
		jw_int(&w, "n_test", (long long)m->n);
		for (size_t k = 0; k < PR_NMETRICS; k++)
			jw_real(&w, pr_metrics[k].name, pr_metric(m, k), 'f', pr_metrics[k].prec);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_finish(&w);
}

static int write_preds(struct outdir *od, const char *name, const struct pred_sample *t,
		       const struct pred_out *p, size_t n, struct om_err *e)
{
	char fn[64];
	snprintf(fn, sizeof fn, "predictions-%s.csv", name);
	FILE *f = outdir_open(od, fn, e);
	if (!f)
		return -1;
	fputs("id,true_len,pred_len,pred_bucket,uncertainty,uncertain\n", f);
	for (size_t i = 0; i < n; i++) {
		csvw_int(f, (long long)t[i].id, 0);
		csvw_int(f, t[i].out_tokens, 0);
		csvw_int(f, p[i].len, 0);
		csvw_int(f, p[i].bucket, 0);
		csvw_real(f, (double)p[i].uncertainty, 'g', 6, 0);
		csvw_int(f, p[i].uncertain, 1);
	}
	return outdir_close(od, f, fn, e);
}

static int save_model_to(struct outdir *od, const struct pred_handle *h, struct om_err *e)
{
	char fn[64];
	snprintf(fn, sizeof fn, "model-%s.txt", h->ops->name);
	FILE *f = outdir_open(od, fn, e);
	if (!f)
		return -1;
	int rc = h->ops->save(h->state, f, e);
	int rc2 = outdir_close(od, f, fn, e);
	return rc < 0 ? rc : rc2;
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Returns -1 to go on, else the exit status (0 after --help). */
static int parse_args(int argc, char **argv, struct pr_args *a)
{
	enum {
		O_TRACE = 256,
		O_TEST_TRACE,
		O_PRED,
		O_BUCKETS,
		O_BMAX,
		O_PCT,
		O_SAVE,
		O_VALIDATE
	};
	static const struct option lo[] = {
		{ "trace", required_argument, NULL, O_TRACE },
		{ "test-trace", required_argument, NULL, O_TEST_TRACE },
		{ "predictor", required_argument, NULL, O_PRED },
		{ "buckets", required_argument, NULL, O_BUCKETS },
		{ "bucket-max", required_argument, NULL, O_BMAX },
		{ "test-pct", required_argument, NULL, O_PCT },
		{ "save-model", required_argument, NULL, O_SAVE },
		{ "validate", no_argument, NULL, O_VALIDATE },
		CLI_EXP_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct opts p;
	if (opts_begin(&p, "predict", cmd_predict_usage, argc, argv) < 0)
		return opts_end(&p);
	for (int ch; (ch = opts_next(&p, CLI_EXP_SHORTOPTS, lo)) != OPTS_END;) {
		/* --buckets etc. are --set predictor.KEY=value, in command-line order */
		const char *key = ch == O_BUCKETS ? "predictor.buckets"
			: ch == O_BMAX		  ? "predictor.bucket_max"
			: ch == O_PCT		  ? "predictor.split_test_pct"
						  : NULL;
		if (key && a->nextra == 8)
			opts_fail(&p, "%s given too often", p.name);
		else if (key) {
			snprintf(a->extra[a->nextra], sizeof a->extra[0], "%s=%s", key, p.arg);
			a->x.sets[a->x.nsets++] = a->extra[a->nextra++];
		} else if (ch == O_TRACE)
			a->trace = p.arg;
		else if (ch == O_TEST_TRACE)
			a->test_trace = p.arg;
		else if (ch == O_PRED)
			a->preds = p.arg;
		else if (ch == O_SAVE)
			a->save = p.arg;
		else if (ch == O_VALIDATE)
			a->validate = true;
		else
			cli_exp_opt(&a->x, ch, p.arg);
	}
	if (opts_operands(&p, 0, 0, "") < 0)
		return opts_end(&p);
	if (!a->trace)
		opts_fail(&p, "--trace is required");
	else if (a->save && strchr(a->preds, ','))
		opts_fail(&p, "--save-model needs exactly one --predictor");
	return opts_end(&p);
}

static struct pred_sample sample_of(const struct wl_trace *t, size_t i)
{
	return (struct pred_sample){ t->req[i].id, trace_text(t, i), t->req[i].prompt_tokens,
				     t->out_tokens[i] };
}

/* Train and test samples: the split of one trace, its validation slice, or
 * the train part of one trace against all of another. */
static void split_samples(struct pr_run *p)
{
	int pct = p->pct;
	if (p->a.validate) {
		/* rank in [pct, pct+10): validation; >= pct+10: train; < pct: untouched */
		for (size_t i = 0; i < p->tr.n; i++) {
			int rk = split_rank(p->tr.req[i].id);
			if (rk >= pct + 10)
				p->strain[p->ntrain++] = sample_of(&p->tr, i);
			else if (rk >= pct)
				p->stest[p->ntest++] = sample_of(&p->tr, i);
		}
		return;
	}
	p->ntrain = pred_train_samples(&p->tr, pct, p->strain);
	const struct wl_trace *tt = p->a.test_trace ? &p->te : &p->tr;
	for (size_t i = 0; i < tt->n; i++)
		if (p->a.test_trace || split_is_test(tt->req[i].id, pct))
			p->stest[p->ntest++] = sample_of(tt, i);
}

static int load_samples(struct pr_run *p, struct om_err *e)
{
	const struct pr_args *a = &p->a;
	char tpath[4096];
	if (wl_resolve(NULL, "--trace", a->trace, p->path, sizeof p->path, e) < 0
	    || trace_read(p->path, &p->tr, true, e) < 0)
		return -1;
	if (a->test_trace
	    && (wl_resolve(NULL, "--test-trace", a->test_trace, tpath, sizeof tpath, e) < 0
		|| trace_read(tpath, &p->te, true, e) < 0))
		return -1;
	p->strain = malloc((p->tr.n + 1) * sizeof *p->strain);
	p->stest = malloc((p->tr.n + p->te.n + 1) * sizeof *p->stest);
	p->pout = malloc((p->tr.n + p->te.n + 1) * sizeof *p->pout);
	if (!p->strain || !p->stest || !p->pout)
		return err_set(e, NULL, 0, NULL, "out of memory");
	if (a->validate && a->test_trace)
		return err_set(e, "--validate", 0, NULL, "cannot be combined with --test-trace");
	if (a->validate && p->pct + 10 > 99)
		return err_set(e, "--validate", 0, NULL, "needs predictor.split_test_pct <= 89");
	split_samples(p);
	if (p->ntest == 0)
		return cfg_fail(p->c, "predictor.split_test_pct", e,
				"no test rows (the held-out part of %zu rows is empty); metrics "
				"over zero rows would read as 0%%",
				p->tr.n);
	snprintf(p->test_desc, sizeof p->test_desc, "%s (%s)",
		 base(a->test_trace ? a->test_trace : a->trace),
		 a->test_trace	       ? "all rows"
			 : a->validate ? "VALIDATION slice of the train part"
				       : "held-out part");
	return 0;
}

/* Creates, trains and evaluates predictor `nm`; the handle stays in p->h
 * for saving. */
static int eval_one(struct pr_run *p, const char *nm, struct om_err *e)
{
	if (p->nrows == PR_MAX_ROWS)
		return err_set(e, "--predictor", 0, NULL, "at most 8 predictors per run");
	char set[96];
	snprintf(set, sizeof set, "predictor.name=%s", nm);
	if (cfg_set(p->c, set, e) < 0)
		return -1;
	const struct pred_ops *ops = pred_find(nm);
	if (!ops)
		return err_set(e, "--predictor", 0, NULL,
			       "unknown predictor '%s' (oracle, noisy, s3, odma)", nm);
	if (ops->needs_text && ops->train && p->tr.text_len == 0)
		return err_set(e, p->path, 0, "prompt",
			       "predictor '%s' needs prompt texts but the trace has none", nm);
	if (ops->create(p->c, &p->h.state, e) < 0)
		return -1;
	p->h.ops = ops;
	struct row *r = &p->rows[p->nrows++];
	snprintf(r->name, sizeof r->name, "%s", nm);
	model_desc(p->c, nm, r->model, sizeof r->model);
	r->ntrain = ops->train ? p->ntrain : 0;
	/* CPU time too: the targets are CPU seconds on a shared machine */
	double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (ops->train && ops->train(p->h.state, p->strain, p->ntrain, e) < 0) {
		err_wrap(e, p->path);
		return -1;
	}
	r->train_s = clock_s(CLOCK_MONOTONIC) - t0;
	r->train_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (pe_evaluate(&p->h, p->stest, p->ntest, p->strain, p->ntrain, p->K, p->bmax, &r->m,
			p->pout)
	    < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	if (!p->a.x.quiet)
		fprintf(stderr, "%s: trained in %.3f s (%.3f s CPU) on %zu rows%s\n", nm,
			r->train_s, r->train_cpu, r->ntrain,
			ops->wants_truth
				? " (reads the TRUE length: upper bound / sensitivity only)"
				: "");
	return 0;
}

static int run_predictors(struct pr_run *p, struct om_err *e)
{
	char list[256];
	snprintf(list, sizeof list, "%s", p->a.preds);
	for (char *sv = NULL, *nm = strtok_r(list, ",", &sv); nm; nm = strtok_r(NULL, ",", &sv)) {
		if (eval_one(p, nm, e) < 0)
			return -1;
		if (p->a.save && pred_save_file(&p->h, p->a.save, e) < 0)
			return -1;
		if (p->od_open
		    && (outdir_stop_check(p->a.x.out, e) < 0
			|| write_preds(&p->od, nm, p->stest, p->pout, p->ntest, e) < 0
			|| (p->h.ops->save && save_model_to(&p->od, &p->h, e) < 0)))
			return -1;
		pred_handle_free(&p->h);
	}
	return 0;
}

static int emit(struct pr_run *p, const char *name, void (*fn)(FILE *, const struct pr_run *),
		struct om_err *e)
{
	FILE *f = outdir_open(&p->od, name, e);
	if (!f)
		return -1;
	if (fn)
		fn(f, p);
	else
		cfg_write(p->c, f);
	return outdir_close(&p->od, f, name, e);
}

static int run(struct pr_run *p, struct om_err *e)
{
	p->c = exp_load(NULL, p->a.x.sets, p->a.x.nsets, e);
	if (!p->c)
		return -1;
	p->pct = (int)cfg_int(p->c, "predictor.split_test_pct");
	pred_buckets_read(p->c, &p->K, &p->bmax);
	if (load_samples(p, e) < 0)
		return -1;
	if (p->a.x.out) {
		outdir_hold(&p->old_mask);
		p->held = true;
		if (outdir_begin(&p->od, p->a.x.out, e) < 0)
			return -1;
		p->od_open = true;
	}
	if (run_predictors(p, e) < 0)
		return -1;
	if (!p->a.x.quiet)
		print_table(stdout, p->rows, p->nrows, base(p->a.trace), p->test_desc);
	if (!p->od_open)
		return 0;
	if (emit(p, "metrics.csv", write_csv, e) < 0 || emit(p, "metrics.json", write_json, e) < 0
	    || emit(p, "config.ini", NULL, e) < 0 || outdir_commit(&p->od, e) < 0)
		return -1;
	p->od_open = false;
	if (outdir_stop_check(p->a.x.out, e) < 0) {
		outdir_remove(p->od.final);
		return -1;
	}
	if (!p->a.x.quiet)
		printf("results in %s/\n", p->a.x.out);
	return 0;
}

int cmd_predict(int argc, char **argv)
{
	struct pr_run *p = calloc(1, sizeof *p);
	struct om_err e = { "" };
	if (!p || cli_exp_begin(&p->a.x, argc) < 0) {
		free(p);
		return 1;
	}
	p->a.preds = "s3,odma";
	trace_init(&p->tr);
	trace_init(&p->te);
	int rc = parse_args(argc, argv, &p->a);
	if (rc < 0) {
		rc = 0;
		if (run(p, &e) < 0) {
			fprintf(stderr, "odmasim predict: error: %s\n", e.msg);
			rc = 1;
		}
	}
	if (p->od_open)
		outdir_abort(&p->od);
	if (p->held)
		outdir_release(&p->old_mask);
	pred_handle_free(&p->h);
	free(p->strain);
	free(p->stest);
	free(p->pout);
	trace_free(&p->tr);
	trace_free(&p->te);
	cfg_free(p->c);
	free(p->a.x.sets);
	free(p);
	return rc;
}
