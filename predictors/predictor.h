/* predictor: maps a request's prompt to a predicted output length, an
 * uncertainty score and (for bucketed predictors) a bucket index.
 * Each predictor is one file exporting a struct pred_ops, listed in
 * predictor.c. Predictors may be trained (on samples that carry the true
 * output length: the only place outside the engine that sees it), saved to
 * and loaded from a small text file. At prediction time `out_tokens` of the
 * sample is -1 unless the predictor is a labelled truth-reader (oracle,
 * noisy), which exist for upper bounds and sensitivity studies only. */
#ifndef OM_PREDICTOR_H
#define OM_PREDICTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cfg.h"
#include "workload/trace.h"

struct pred_sample {
	int64_t id;
	const char *text; /* prompt text, "" if the trace has none */
	int32_t prompt_tokens;
	int32_t out_tokens; /* label when training; -1 when predicting (see above) */
};

struct pred_out {
	int32_t len;	   /* predicted output tokens, >= 0 */
	float uncertainty; /* predictor-specific score; larger = less sure */
	int32_t bucket;	   /* bucket index, or -1 if not bucketed */
	bool uncertain;	   /* uncertainty above the predictor's threshold */
};

struct pred_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys; /* extra [predictor] keys, or NULL */
	bool wants_truth;	    /* oracle/noisy: sees out_tokens when predicting */
	bool needs_text;	    /* reads prompt text (trace must keep it) */
	int (*create)(const struct cfg *c, void **state, struct om_err *e);
	void (*destroy)(void *state);
	/* Fits the model; may be NULL for predictors that need no training. */
	int (*train)(void *state, const struct pred_sample *s, size_t n, struct om_err *e);
	/* Writes / reads the trained model as text. May be NULL if nothing to save. */
	int (*save)(const void *state, FILE *f, struct om_err *e);
	int (*load)(void *state, FILE *f, const char *origin, struct om_err *e);
	void (*predict)(const void *state, const struct pred_sample *s, struct pred_out *o);
	/* Optional: the calibrated q-quantile of the output length (q in (0,1)),
	 * for callers that choose the reservation quantile themselves. */
	int32_t (*quantile)(const void *state, const struct pred_sample *s, double q);
	/* Optional: quantile() at each of the nq levels q[], and predict()'s
	 * output in *o when o is not NULL, featurising the prompt once
	 * (out[i] = quantile(state, s, q[i])). */
	void (*quantiles)(const void *state, const struct pred_sample *s, const double *q,
			  size_t nq, int32_t *out, struct pred_out *o);
	/* Optional: the next train() may reuse the feature rows of `from` (a
	 * trained state of the same predictor); the trained model must not
	 * change. `from` is destroyed right after: this may take its parts over. */
	void (*warm)(void *state, void *from);
};

struct pred_handle {
	const struct pred_ops *ops; /* NULL: no predictor configured */
	void *state;
	/* The trace the model was trained on, as the caller's cache still holds
	 * it (training stream applied, texts kept), and its path; NULL when not
	 * held. Lets the composition root read a trace once per process. */
	const struct wl_trace *train;
	const char *train_path;
};

void pred_handle_free(struct pred_handle *h);

const struct pred_ops *pred_find(const char *name);

/* S3-style equal-width buckets over [0, bucket_max] tokens, K of them.
 * Bucket b holds lengths in (b*w, (b+1)*w] with w = bucket_max/K (length 0
 * falls in bucket 0); lengths above bucket_max fall in bucket K-1.
 * pred_bucket_cap(b) = floor((b+1)*bucket_max/K) is the largest length bucket
 * b holds, i.e. the capacity an S3 allocator reserves for it. */
int32_t pred_bucket_of(int32_t len, int32_t K, int32_t bucket_max);
int32_t pred_bucket_cap(int32_t b, int32_t K, int32_t bucket_max);
/* The grid a configuration sets: K = predictor.buckets, bucket_max. */
void pred_buckets_read(const struct cfg *c, int32_t *K, int32_t *bucket_max);
/* predictor.quantile and uncertainty_threshold; -1 with e filled if either
 * is still `auto` (the simulator resolves it first: sim/core/odma_tune.h). */
int pred_q_tau(const struct cfg *c, double *q, double *tau, struct om_err *e);
/* The output of a predictor that knows a length: len, its bucket on the
 * grid, the given uncertainty, never flagged uncertain. */
void pred_out_of_len(struct pred_out *o, int32_t len, float uncertainty, int32_t K,
		     int32_t bucket_max);

/* Fills `s` (n entries) from the rows of t that fall in the TRAIN part of
 * the deterministic split (pred_split.h), labels included. Texts point into
 * t. Returns the number of samples. */
size_t pred_train_samples(const struct wl_trace *t, int test_pct, struct pred_sample *s);

/* Keeps only the rows of t in the TEST part of the split (in place, order
 * kept). For runs that must not simulate requests the predictor trained on.
 * Returns the number of rows kept. */
size_t pred_keep_test_part(struct wl_trace *t, int test_pct);

/* Model files: pred_save_file writes atomically (FILE.tmp, then rename). */
int pred_save_file(const struct pred_handle *h, const char *path, struct om_err *e);
int pred_load_file(struct pred_handle *h, const char *path, struct om_err *e);

/* For load(): reads the next line, which must be "KEY VALUE"; errors name
 * origin:line and the key. */
int pred_read_kv(FILE *f, const char *origin, long *line, const char *key, char *val, size_t n,
		 struct om_err *e);
int pred_read_num(FILE *f, const char *origin, long *line, const char *key, double *x,
		  struct om_err *e);
/* For load(): reads "KEY VALUE" and refuses a VALUE other than `want`, the
 * configuration's setting `cfg_key`: a model file never overrides the config. */
int pred_expect_str(FILE *f, const char *origin, long *line, const char *key, const char *want,
		    const char *cfg_key, struct om_err *e);
/* For load(): reads "KEY NUMBER" and refuses a number other than `want`,
 * the configuration's setting `cfg_key`. */
int pred_expect_num(FILE *f, const char *origin, long *line, const char *key, double want,
		    const char *cfg_key, struct om_err *e);
/* For load(): after the last table, only blank lines may follow. */
int pred_expect_eof(FILE *f, const char *origin, long line, struct om_err *e);
extern const struct pred_ops *const pred_registry[];
extern const struct cfg_key pred_common_keys[];

#endif
