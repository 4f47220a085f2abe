/* `odmasim predict`: trains predictors on the train part of a trace and
 * reports held-out accuracy (definitions: docs/MODEL-predictors.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/outdir.h"
#include "predictors/pred_eval.h"
#include "predictors/predictor.h"
#include "common/split.h"
#include "workload/trace_csv.h"
#include "sim/cli/cli.h"
#include "sim/core/experiment.h"

static const char *predict_usage =
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
	double train_s;
};

static void trace_path(const char *name, char *out, size_t n)
{
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return;
	}
	const char *dir = getenv("ODMASIM_TRACES");
	snprintf(out, n, "%s/%s", dir && dir[0] ? dir : "../shared/traces", name);
}

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
	else if (!strcmp(name, "noisy"))
		snprintf(buf, n, "sigma=%g", cfg_real(c, "predictor.noise_sigma"));
	else
		snprintf(buf, n, "-");
}

static void print_table(FILE *f, const struct row *r, size_t nr, const char *train,
			const char *test)
{
	fprintf(f, "train: %s (train part)   test: %s\n", train, test);
	fprintf(f, "%-7s %-15s %7s %6s %7s %7s %7s %7s %7s %8s %8s %8s %7s %7s\n", "pred", "model",
		"n_train", "n_test", "b_hit", "b_maj", "b_near", "cover", "cov+fl", "over_avg",
		"over_p99", "under", "MAE", "flagged");
	for (size_t i = 0; i < nr; i++) {
		const struct pe_metrics *m = &r[i].m;
		fprintf(f,
			"%-7s %-15s %7zu %6zu %6.2f%% %6.2f%% %6.2f%% %6.2f%% %6.2f%% %8.1f %8.0f %8.1f %7.1f %6.2f%%\n",
			r[i].name, r[i].model, r[i].ntrain, m->n, 100 * m->bucket_hit,
			100 * m->majority_hit, 100 * m->bucket_near, 100 * m->coverage,
			100 * m->coverage_flag, m->over_mean, m->over_p99, m->under_mean, m->mae,
			100 * m->flagged);
	}
}

static void write_csv(FILE *f, const struct row *r, size_t nr, const char *train, const char *test,
		      const struct cfg *c)
{
	fprintf(f,
		"predictor,model,train_trace,test_trace,buckets,bucket_max,n_train,n_test,"
		"bucket_hit,majority_bucket_hit,bucket_within_one,coverage,coverage_or_flagged,"
		"over_mean,over_p99,under_mean,mae,flagged\n");
	for (size_t i = 0; i < nr; i++) {
		const struct pe_metrics *m = &r[i].m;
		fprintf(f,
			"%s,%s,%s,%s,%lld,%lld,%zu,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%.4f,%.4f,%.4f,%.6f\n",
			r[i].name, r[i].model, train, test,
			(long long)cfg_int(c, "predictor.buckets"),
			(long long)cfg_int(c, "predictor.bucket_max"), r[i].ntrain, m->n,
			m->bucket_hit, m->majority_hit, m->bucket_near, m->coverage,
			m->coverage_flag, m->over_mean, m->over_p99, m->under_mean, m->mae,
			m->flagged);
	}
}

static void write_json(FILE *f, const struct row *r, size_t nr, const char *train, const char *test,
		       const struct cfg *c, int pct)
{
	fprintf(f,
		"{\n  \"train_trace\": \"%s\",\n  \"test_trace\": \"%s\",\n"
		"  \"split_test_pct\": %d,\n  \"buckets\": %lld,\n  \"bucket_max\": %lld,\n"
		"  \"results\": [\n",
		train, test, pct, (long long)cfg_int(c, "predictor.buckets"),
		(long long)cfg_int(c, "predictor.bucket_max"));
	for (size_t i = 0; i < nr; i++) {
		const struct pe_metrics *m = &r[i].m;
		fprintf(f,
			"    {\"predictor\": \"%s\", \"model\": \"%s\", \"n_train\": %zu, \"n_test\": %zu,\n"
			"     \"bucket_hit\": %.6f, \"majority_bucket_hit\": %.6f, \"bucket_within_one\": %.6f,\n"
			"     \"coverage\": %.6f, \"coverage_or_flagged\": %.6f, \"over_mean\": %.4f,\n"
			"     \"over_p99\": %.4f, \"under_mean\": %.4f, \"mae\": %.4f, \"flagged\": %.6f}%s\n",
			r[i].name, r[i].model, r[i].ntrain, m->n, m->bucket_hit, m->majority_hit,
			m->bucket_near, m->coverage, m->coverage_flag, m->over_mean, m->over_p99,
			m->under_mean, m->mae, m->flagged, i + 1 < nr ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static int write_preds(struct outdir *od, const char *name, const struct pred_sample *t,
		       const struct pred_out *p, size_t n, struct om_err *e)
{
	char fn[64];
	snprintf(fn, sizeof fn, "predictions-%s.csv", name);
	FILE *f = outdir_open(od, fn, e);
	if (!f)
		return -1;
	fprintf(f, "id,true_len,pred_len,pred_bucket,uncertainty,uncertain\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%lld,%d,%d,%d,%.6g,%d\n", (long long)t[i].id, t[i].out_tokens, p[i].len,
			p[i].bucket, (double)p[i].uncertainty, p[i].uncertain);
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

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int cmd_predict(int argc, char **argv)
{
	const char *trace = NULL, *test_trace = NULL, *preds = "s3,odma", *out = NULL, *save = NULL;
	bool quiet = false, validate = false;
	char **sets = calloc((size_t)argc + 8, sizeof *sets);
	char extra[4][96];
	int nsets = 0, nextra = 0;
	if (!sets)
		return 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *flagkey = !strcmp(a, "--buckets") ? "predictor.buckets"
			: !strcmp(a, "--bucket-max")	      ? "predictor.bucket_max"
			: !strcmp(a, "--test-pct")	      ? "predictor.split_test_pct"
							      : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(predict_usage, stdout);
			free(sets);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
			continue;
		} else if (!strcmp(a, "--validate")) {
			validate = true;
			continue;
		}
		if (!v || a[0] != '-') {
			fprintf(stderr, "odmasim predict: %s '%s'\n%s",
				a[0] == '-' ? "missing value after" : "unexpected argument", a,
				predict_usage);
			free(sets);
			return 2;
		}
		i++;
		if (!strcmp(a, "--trace"))
			trace = v;
		else if (!strcmp(a, "--test-trace"))
			test_trace = v;
		else if (!strcmp(a, "--predictor"))
			preds = v;
		else if (!strcmp(a, "-o") || !strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--save-model"))
			save = v;
		else if (!strcmp(a, "--set") || !strcmp(a, "-s"))
			sets[nsets++] = (char *)v;
		else if (flagkey && nextra < 4) {
			snprintf(extra[nextra], sizeof extra[0], "%s=%s", flagkey, v);
			sets[nsets++] = extra[nextra++];
		} else {
			fprintf(stderr, "odmasim predict: unknown option '%s'\n%s", a,
				predict_usage);
			free(sets);
			return 2;
		}
	}
	if (!trace) {
		fprintf(stderr, "odmasim predict: --trace is required\n%s", predict_usage);
		free(sets);
		return 2;
	}
	if (save && strchr(preds, ',')) {
		fprintf(stderr, "odmasim predict: --save-model needs exactly one --predictor\n");
		free(sets);
		return 2;
	}

	struct om_err e = { "" };
	int rc = 1;
	struct wl_trace tr, te;
	trace_init(&tr);
	trace_init(&te);
	struct pred_sample *strain = NULL, *stest = NULL;
	struct pred_out *pout = NULL;
	struct row rows[8];
	size_t nrows = 0, ntrain = 0, ntest = 0;
	struct outdir od;
	bool od_open = false;
	struct pred_handle h = { 0 };
	struct cfg *c = exp_load(NULL, sets, nsets, &e);
	if (!c)
		goto out;
	int pct = (int)cfg_int(c, "predictor.split_test_pct");
	int32_t K = (int32_t)cfg_int(c, "predictor.buckets");
	int32_t bmax = (int32_t)cfg_int(c, "predictor.bucket_max");
	char path[4096], tpath[4096];
	trace_path(trace, path, sizeof path);
	if (trace_read_csv(path, &tr, true, &e) < 0)
		goto out;
	if (test_trace) {
		trace_path(test_trace, tpath, sizeof tpath);
		if (trace_read_csv(tpath, &te, true, &e) < 0)
			goto out;
	}
	strain = malloc((tr.n + 1) * sizeof *strain);
	stest = malloc((tr.n + te.n + 1) * sizeof *stest);
	pout = malloc((tr.n + te.n + 1) * sizeof *pout);
	if (!strain || !stest || !pout) {
		err_set(&e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (validate && test_trace) {
		err_set(&e, "--validate", 0, NULL, "cannot be combined with --test-trace");
		goto out;
	}
	if (validate && pct + 10 > 99) {
		err_set(&e, "--validate", 0, NULL, "needs predictor.split_test_pct <= 89");
		goto out;
	}
	if (validate) {
		/* rank in [pct, pct+10): validation; >= pct+10: train; < pct: untouched */
		for (size_t i = 0; i < tr.n; i++) {
			int rk = split_rank(tr.req[i].id);
			struct pred_sample s = { tr.req[i].id, trace_text(&tr, i),
						 tr.req[i].prompt_tokens, tr.out_tokens[i] };
			if (rk >= pct + 10)
				strain[ntrain++] = s;
			else if (rk >= pct)
				stest[ntest++] = s;
		}
	} else {
		ntrain = pred_train_samples(&tr, pct, strain);
		const struct wl_trace *tt = test_trace ? &te : &tr;
		for (size_t i = 0; i < tt->n; i++)
			if (test_trace || split_is_test(tt->req[i].id, pct))
				stest[ntest++] = (struct pred_sample){ tt->req[i].id,
								       trace_text(tt, i),
								       tt->req[i].prompt_tokens,
								       tt->out_tokens[i] };
	}
	char test_desc[600];
	snprintf(test_desc, sizeof test_desc, "%s (%s)",
		 test_trace ? base(test_trace) : base(trace),
		 test_trace	    ? "all rows"
			 : validate ? "VALIDATION slice of the train part"
				    : "held-out part");
	if (out) {
		if (outdir_begin(&od, out, &e) < 0)
			goto out;
		od_open = true;
	}
	char list[256];
	snprintf(list, sizeof list, "%s", preds);
	for (char *sv = NULL, *nm = strtok_r(list, ",", &sv); nm; nm = strtok_r(NULL, ",", &sv)) {
		if (nrows == sizeof rows / sizeof rows[0]) {
			err_set(&e, "--predictor", 0, NULL, "at most 8 predictors per run");
			goto out;
		}
		char set[96];
		snprintf(set, sizeof set, "predictor.name=%s", nm);
		if (cfg_set(c, set, &e) < 0)
			goto out;
		const struct pred_ops *ops = pred_find(nm);
		if (!ops) {
			err_set(&e, "--predictor", 0, NULL,
				"unknown predictor '%s' (oracle, noisy, s3, odma)", nm);
			goto out;
		}
		if (ops->create(c, &h.state, &e) < 0)
			goto out;
		h.ops = ops;
		struct row *r = &rows[nrows++];
		snprintf(r->name, sizeof r->name, "%s", nm);
		model_desc(c, nm, r->model, sizeof r->model);
		r->ntrain = ops->train ? ntrain : 0;
		double t0 = now_s();
		if (ops->train && ops->train(h.state, strain, ntrain, &e) < 0) {
			err_wrap(&e, path);
			goto out;
		}
		r->train_s = now_s() - t0;
		if (pe_evaluate(&h, stest, ntest, strain, ntrain, K, bmax, &r->m, pout) < 0) {
			err_set(&e, NULL, 0, NULL, "out of memory");
			goto out;
		}
		if (!quiet)
			fprintf(stderr, "%s: trained in %.2f s on %zu rows%s\n", nm, r->train_s,
				r->ntrain,
				ops->wants_truth
					? " (reads the TRUE length: upper bound / sensitivity only)"
					: "");
		if (save && pred_save_file(&h, save, &e) < 0)
			goto out;
		if (od_open) {
			if (write_preds(&od, nm, stest, pout, ntest, &e) < 0)
				goto out;
			if (ops->save && save_model_to(&od, &h, &e) < 0)
				goto out;
		}
		pred_handle_free(&h);
	}
	if (!quiet)
		print_table(stdout, rows, nrows, base(trace), test_desc);
	if (od_open) {
		FILE *f;
		if (!(f = outdir_open(&od, "metrics.csv", &e)))
			goto out;
		write_csv(f, rows, nrows, base(trace), test_desc, c);
		if (outdir_close(&od, f, "metrics.csv", &e) < 0)
			goto out;
		if (!(f = outdir_open(&od, "metrics.json", &e)))
			goto out;
		write_json(f, rows, nrows, base(trace), test_desc, c, pct);
		if (outdir_close(&od, f, "metrics.json", &e) < 0)
			goto out;
		if (!(f = outdir_open(&od, "config.ini", &e)))
			goto out;
		cfg_write(c, f);
		if (outdir_close(&od, f, "config.ini", &e) < 0)
			goto out;
		if (outdir_commit(&od, &e) < 0)
			goto out;
		od_open = false;
		if (!quiet)
			printf("results in %s/\n", out);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "odmasim predict: error: %s\n", e.msg);
	if (od_open)
		outdir_abort(&od);
	pred_handle_free(&h);
	free(strain);
	free(stest);
	free(pout);
	trace_free(&tr);
	trace_free(&te);
	cfg_free(c);
	free(sets);
	return rc;
}
