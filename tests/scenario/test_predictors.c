/* predictors: bucket arithmetic, split without leaks, oracle coverage, a
 * learnable synthetic task, save/load round trips, train-on-start, odma's
 * warm start giving the plain model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"
#include "predictors/pred_eval.h"
#include "predictors/predictor.h"
#include "sim/core/pred_setup.h"
#include "common/split.h"
#include "sim/core/experiment.h"
#include "workload/trace_csv.h"

static struct cfg *mkcfg(const char *a, const char *b, const char *c2, const char *d)
{
	char *sets[4];
	int n = 0;
	const char *in[4] = { a, b, c2, d };
	for (int i = 0; i < 4; i++)
		if (in[i])
			sets[n++] = (char *)in[i];
	struct om_err e;
	struct cfg *c = exp_load(NULL, sets, n, &e);
	if (!c)
		ck_abort_msg("config: %s", e.msg);
	return c;
}

static void make(struct cfg *c, const char *name, struct pred_handle *h)
{
	struct om_err e;
	h->ops = pred_find(name);
	ck_assert_ptr_nonnull(h->ops);
	ck_assert_int_eq(h->ops->create(c, &h->state, &e), 0);
}

START_TEST(bucket_arithmetic)
{
	for (int32_t K = 1; K <= 13; K += 3)
		for (int32_t bm = 7; bm <= 2048; bm = bm * 3 + 1)
			for (int32_t len = 0; len <= bm + 5; len++) {
				int32_t b = pred_bucket_of(len, K, bm);
				ck_assert_int_ge(b, 0);
				ck_assert_int_lt(b, K);
				if (len <= bm)
					ck_assert_int_le(len, pred_bucket_cap(b, K, bm));
				if (b > 0)
					ck_assert_int_gt(len, pred_bucket_cap(b - 1, K, bm));
			}
	ck_assert_int_eq(pred_bucket_of(204, 10, 2048), 0);
	ck_assert_int_eq(pred_bucket_of(205, 10, 2048), 1);
	ck_assert_int_eq(pred_bucket_cap(0, 10, 2048), 204);
	ck_assert_int_eq(pred_bucket_cap(9, 10, 2048), 2048);
}
END_TEST

START_TEST(split_never_leaks)
{
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	const size_t N = 50000;
	for (size_t i = 0; i < N; i++)
		ck_assert_int_eq(trace_push(&t, (int64_t)(i * 7 + 3), 0, 5, 9, "x", 1, &e), 0);
	struct pred_sample *s = malloc(N * sizeof *s);
	size_t m = pred_train_samples(&t, 20, s);
	size_t ntest = 0;
	for (size_t i = 0; i < N; i++)
		ntest += split_is_test(t.req[i].id, 20);
	ck_assert_uint_eq(m + ntest, N);
	for (size_t i = 0; i < m; i++)
		ck_assert(!split_is_test(s[i].id, 20)); /* no test id in the train part */
	ck_assert_double_eq_tol((double)ntest / N, 0.20, 0.01);
	/* keeping the test part leaves exactly the ids the train part lacks */
	ck_assert_uint_eq(pred_keep_test_part(&t, 20), ntest);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert(split_is_test(t.req[i].id, 20));
		ck_assert_str_eq(trace_text(&t, i), "x");
	}
	/* the split is monotone in the percentage: raising it only moves ids to test */
	for (size_t i = 0; i < N; i++)
		if (split_is_test(t.req[i].id, 20))
			ck_assert(split_is_test(t.req[i].id, 30));
	free(s);
	trace_free(&t);
}
END_TEST

/* Synthetic prompts: filler words plus one keyword that fixes the length. */
static const char *kw[] = { "tiny", "short", "medium", "long", "huge" };
/* mid-bucket on the 100-token grid used below, so the test is about learning */
static const int32_t kwlen[] = { 12, 60, 230, 480, 850 };

static struct pred_sample *synth(size_t n, uint64_t seed, char **pool)
{
	static const char *filler[] = { "the",	   "please", "a",     "about", "story", "cats",
					"explain", "river",  "write", "for",   "me",	"now" };
	struct pred_sample *s = malloc(n * sizeof *s);
	*pool = malloc(n * 96);
	uint64_t x = seed;
	for (size_t i = 0; i < n; i++) {
		char *p = *pool + i * 96;
		int k = 0, used = 0;
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (int)((x >> 33) % 5);
		for (int w = 0; w < 6; w++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			used += snprintf(p + used, 96 - (size_t)used, "%s ",
					 w == (int)((x >> 40) % 6) ? kw[k]
								   : filler[(x >> 33) % 12]);
		}
		/* keyword guaranteed once even if the draw above skipped it */
		snprintf(p + used, 96 - (size_t)used, "%s", kw[k]);
		s[i] = (struct pred_sample){ (int64_t)i, p, 8, kwlen[k] };
	}
	return s;
}

START_TEST(learns_length_from_one_word)
{
	char *p1, *p2;
	struct pred_sample *tr = synth(3000, 1, &p1), *te = synth(1000, 99, &p2);
	struct om_err e;
	/* odma at the median: the length is a deterministic function of the keyword */
	struct cfg *c = mkcfg("predictor.quantile=0.5", "predictor.buckets=10",
			      "predictor.bucket_max=1000", NULL);
	struct pred_handle h;
	make(c, "odma", &h);
	ck_assert_int_eq(h.ops->train(h.state, tr, 3000, &e), 0);
	struct pe_metrics m;
	ck_assert_int_eq(pe_evaluate(&h, te, 1000, tr, 3000, 10, 1000, &m, NULL), 0);
	ck_assert_double_ge(m.bucket_hit, 0.99);
	ck_assert_double_lt(m.mae, 0.05 * 340); /* < 5% of the mean length */
	pred_handle_free(&h);
	make(c, "s3", &h);
	ck_assert_int_eq(h.ops->train(h.state, tr, 3000, &e), 0);
	ck_assert_int_eq(pe_evaluate(&h, te, 1000, tr, 3000, 10, 1000, &m, NULL), 0);
	ck_assert_double_ge(m.bucket_hit, 0.99);
	ck_assert_double_ge(m.coverage, 0.99);
	pred_handle_free(&h);
	cfg_free(c);
	free(tr), free(te), free(p1), free(p2);
}
END_TEST

START_TEST(oracle_full_coverage)
{
	char *p;
	struct pred_sample *s = synth(500, 5, &p);
	struct cfg *c = mkcfg("predictor.name=oracle", NULL, NULL, NULL);
	struct pred_handle h;
	struct om_err e;
	ck_assert_int_eq(pred_from_cfg(c, &h, &e), 0);
	struct pe_metrics m;
	ck_assert_int_eq(pe_evaluate(&h, s, 500, NULL, 0, 10, 2048, &m, NULL), 0);
	ck_assert_double_eq(m.coverage, 1.0);
	ck_assert_double_eq(m.bucket_hit, 1.0);
	ck_assert_double_eq(m.mae, 0.0);
	pred_handle_free(&h);
	cfg_free(c);
	free(s), free(p);
}
END_TEST

START_TEST(noisy_is_per_request_deterministic)
{
	struct cfg *c = mkcfg("predictor.noise_sigma=0.7", "predictor.seed=3", NULL, NULL);
	struct pred_handle h;
	make(c, "noisy", &h);
	struct pred_sample a = { 42, "", 5, 100 }, b = { 43, "", 5, 100 };
	struct pred_out o1, o2, o3;
	h.ops->predict(h.state, &a, &o1);
	h.ops->predict(h.state, &b, &o2);
	h.ops->predict(h.state, &a, &o3);
	ck_assert_int_eq(o1.len, o3.len); /* independent of call order */
	ck_assert_int_ne(o1.len, o2.len);
	pred_handle_free(&h);
	cfg_free(c);
	c = mkcfg("predictor.noise_sigma=0", NULL, NULL, NULL);
	make(c, "noisy", &h);
	h.ops->predict(h.state, &a, &o1);
	ck_assert_int_eq(o1.len, 100);
	pred_handle_free(&h);
	cfg_free(c);
}
END_TEST

static void roundtrip(const char *name, const char *model_set)
{
	char *p1, *p2;
	struct pred_sample *tr = synth(2000, 7, &p1), *te = synth(400, 8, &p2);
	struct cfg *c = mkcfg(model_set, "predictor.bucket_max=1000", NULL, NULL);
	struct pred_handle h, g;
	struct om_err e;
	make(c, name, &h);
	ck_assert_int_eq(h.ops->train(h.state, tr, 2000, &e), 0);
	char path[TU_PATH];
	tu_write_temp(path, "");
	if (pred_save_file(&h, path, &e) < 0)
		ck_abort_msg("%s", e.msg);
	make(c, name, &g);
	if (pred_load_file(&g, path, &e) < 0)
		ck_abort_msg("%s", e.msg);
	for (size_t i = 0; i < 400; i++) {
		struct pred_out a, b;
		h.ops->predict(h.state, &te[i], &a);
		g.ops->predict(g.state, &te[i], &b);
		ck_assert_int_eq(a.len, b.len);
		ck_assert_int_eq(a.bucket, b.bucket);
		ck_assert(a.uncertainty == b.uncertainty);
		ck_assert_int_eq(a.uncertain, b.uncertain);
	}
	pred_handle_free(&g);
	/* a model trained for another bucket grid is refused, naming the key */
	struct cfg *c2 = mkcfg(model_set, "predictor.bucket_max=1000", "predictor.hash_bits=12",
			       NULL);
	make(c2, name, &g);
	ck_assert_int_eq(pred_load_file(&g, path, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "hash_bits"));
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	pred_handle_free(&g);
	/* a truncated file is an error naming file and line, not a half model */
	FILE *f = fopen(path, "r+");
	ck_assert_int_eq(ftruncate(fileno(f), 300), 0);
	fclose(f);
	make(c, name, &g);
	ck_assert_int_eq(pred_load_file(&g, path, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	pred_handle_free(&g);
	remove(path);
	pred_handle_free(&h);
	cfg_free(c);
	cfg_free(c2);
	free(tr), free(te), free(p1), free(p2);
}

START_TEST(save_load_identical_s3)
{
	roundtrip("s3", "predictor.s3_model=softmax");
	roundtrip("s3", "predictor.s3_model=ridge");
}
END_TEST

START_TEST(save_load_identical_odma)
{
	roundtrip("odma", "predictor.odma_model=logridge");
	roundtrip("odma", "predictor.odma_model=ridge");
}
END_TEST

START_TEST(save_load_identical_gbdt)
{
	roundtrip("gbdt", "predictor.gbdt_rounds=20");
	roundtrip("odma", "predictor.odma_model=gbdt");
}
END_TEST

/* A model file never overrides the config: another model kind is refused,
 * naming file, line and the config key. */
START_TEST(model_kind_must_match_config)
{
	char *p1;
	struct pred_sample *tr = synth(500, 7, &p1);
	struct cfg *c = mkcfg("predictor.odma_model=logridge", NULL, NULL, NULL),
		   *c2 = mkcfg("predictor.odma_model=ridge", NULL, NULL, NULL);
	struct pred_handle h, g;
	struct om_err e;
	make(c, "odma", &h);
	ck_assert_int_eq(h.ops->train(h.state, tr, 500, &e), 0);
	char path[TU_PATH];
	tu_write_temp(path, "");
	ck_assert_int_eq(pred_save_file(&h, path, &e), 0);
	make(c2, "odma", &g);
	ck_assert_int_eq(pred_load_file(&g, path, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2:"));
	ck_assert_ptr_nonnull(strstr(e.msg, "predictor.odma_model"));
	pred_handle_free(&g);
	/* and text after the last table is refused */
	FILE *f = fopen(path, "a");
	fputs("weights extra 1 1\n", f);
	fclose(f);
	make(c, "odma", &g);
	ck_assert_int_eq(pred_load_file(&g, path, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "after the model's last table"));
	pred_handle_free(&g);
	remove(path);
	pred_handle_free(&h);
	cfg_free(c);
	cfg_free(c2);
	free(tr), free(p1);
}
END_TEST

/* The simulator's path: predictor.name + workload.trace trains on start on
 * the train part only. Needs the shared NQ trace (small). */
START_TEST(train_on_start_from_trace)
{
	char path[4096];
	if (!tu_shared_trace(path, sizeof path, "nq.csv"))
		return; /* the shared traces are not part of the repository */
	char set[4200];
	snprintf(set, sizeof set, "workload.trace=%s", path);
	struct cfg *c = mkcfg("predictor.name=odma", set, NULL, NULL);
	struct pred_handle h;
	struct om_err e;
	if (pred_from_cfg(c, &h, &e) < 0)
		ck_abort_msg("%s", e.msg);
	struct pred_sample s = { 1, "who wrote the song", 5, -1 };
	struct pred_out o;
	h.ops->predict(h.state, &s, &o);
	ck_assert_int_gt(o.len, 0);
	pred_handle_free(&h);
	cfg_free(c);
	/* no trace and no model: a clear error naming the keys to set */
	c = mkcfg("predictor.name=s3", NULL, NULL, NULL);
	ck_assert_int_eq(pred_from_cfg(c, &h, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "predictor.model_file"));
	cfg_free(c);
}
END_TEST

/* The model text of h. */
static char *model_text(const struct pred_handle *h)
{
	char *buf = NULL;
	size_t len = 0;
	struct om_err e;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(h->ops->save(h->state, f, &e), 0);
	fclose(f);
	return buf;
}

/* odma at quantile q trained on s[0..n); with `from`, after warm(from),
 * which is freed. Returns the model's text. */
static char *odma_text(const char *q, const struct pred_sample *s, size_t n,
		       struct pred_handle *from)
{
	struct cfg *c = mkcfg(q, NULL, NULL, NULL);
	struct pred_handle h;
	struct om_err e;
	make(c, "odma", &h);
	if (from) {
		h.ops->warm(h.state, from->state);
		pred_handle_free(from);
	}
	ck_assert_int_eq(h.ops->train(h.state, s, n, &e), 0);
	char *text = model_text(&h);
	pred_handle_free(&h);
	cfg_free(c);
	return text;
}

/* An odma at q = 0.5 trained on s[0..n), to warm another from. */
static struct pred_handle odma_from(const struct pred_sample *s, size_t n, struct cfg **c)
{
	struct pred_handle f;
	struct om_err e;
	*c = mkcfg("predictor.quantile=0.5", NULL, NULL, NULL);
	make(*c, "odma", &f);
	ck_assert_int_eq(f.ops->train(f.state, s, n, &e), 0);
	return f;
}

/* The final fit made beside odma's tuning (another q, the same samples) is
 * taken over, and a fit on other samples lends only its rows: either way
 * the model is byte for byte the one a plain training gives. */
START_TEST(odma_warm_gives_the_plain_model)
{
	char *pool;
	struct pred_sample *s = synth(3000, 11, &pool);
	struct cfg *c[3];
	const char *q9 = "predictor.quantile=0.9";
	char *plain = odma_text(q9, s, 3000, NULL);
	struct pred_handle f = odma_from(s, 3000, &c[0]);
	char *same = odma_text(q9, s, 3000, &f);
	f = odma_from(s, 2000, &c[1]);
	char *part = odma_text(q9, s, 3000, &f);
	ck_assert_str_eq(same, plain);
	ck_assert_str_eq(part, plain);
	/* fitted before one label changed: the fit is not taken over */
	f = odma_from(s, 3000, &c[2]);
	s[5].out_tokens += 100;
	char *relabelled = odma_text(q9, s, 3000, &f), *plain2 = odma_text(q9, s, 3000, NULL);
	ck_assert_str_eq(relabelled, plain2);
	ck_assert_str_ne(relabelled, plain);
	free(plain), free(same), free(part), free(plain2), free(relabelled);
	for (int i = 0; i < 3; i++)
		cfg_free(c[i]);
	free(s), free(pool);
}
END_TEST

Suite *tu_suite(void)
{
	Suite *s = suite_create("predictors");
	TCase *tc = tu_case(s, bucket_arithmetic, split_never_leaks, learns_length_from_one_word,
			    oracle_full_coverage, noisy_is_per_request_deterministic,
			    save_load_identical_s3, save_load_identical_odma,
			    save_load_identical_gbdt, model_kind_must_match_config,
			    train_on_start_from_trace, odma_warm_gives_the_plain_model);
	tcase_set_timeout(tc, 120);
	return s;
}
