/* pred_setup: builds a run's predictor from its config (the composition
 * root's half of predictors/): loads a saved model, or reads the training
 * trace and trains on the TRAIN part of the deterministic split only, so
 * held-out requests are never trained on. predictors/ itself never reads a
 * trace file. */
#ifndef OM_PRED_SETUP_H
#define OM_PRED_SETUP_H

#include "common/cfg.h"
#include "predictors/predictor.h"
#include "workload/trace.h"
#include "workload/workload.h"

/* Builds the predictor named by predictor.name ("none" leaves h->ops NULL),
 * ready to predict: a predictor with a train() loads predictor.model_file if
 * set, else trains on the TRAIN part of predictor.train_trace (empty = the
 * run's workload.trace). Only the split's train part is used even when
 * train_trace names another file. */
int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e);

/* Trained models kept by one process, keyed by the training trace's path,
 * every [predictor] setting and the settings of the labels' think stream
 * (workload/think.h), so `compare` and `capacity` train once per
 * configuration instead of once per run; and the last training trace read,
 * so that odma's tuning, the training and the starting lengths parse it once.
 * Owned by the caller; zero-initialise. */
#define PRED_CACHE_MAX 8
struct pred_cache {
	size_t n;
	struct {
		char *key;   /* path + settings, one "name=value" line each */
		char *model; /* the model file's text */
		size_t len;
	} e[PRED_CACHE_MAX];
	/* Set by the caller (may be NULL): a directory where trained models
	 * are also kept as files, for processes that share it (sweep workers:
	 * PRED_CACHE_ENV). A file holds its full key, then the model's text. */
	const char *dir;
	/* Set by the caller: keep the trace only, no models (one run with no
	 * dir: a model used once is not worth its save and load). */
	bool trace_only;
	char *tr_key; /* path + think settings of tr; NULL = none read */
	char *tr_path;
	struct wl_trace tr;
	/* Set by odma's tuning (sim/core/odma_tune.h): its trained predictor,
	 * fitted on most of the train part of the trace at warm_path. A
	 * training of the same predictor on that trace in the next
	 * pred_from_cfg_cached reads its feature rows (pred_ops.warm; the
	 * model does not change); that call drops it whatever it does. */
	struct pred_handle warm;
	char *warm_path;
};
void pred_cache_free(struct pred_cache *pc);
/* Keeps the trained *h (taken over: *h is left empty) for the next training
 * on the trace at path to read its feature rows; h NULL drops pc's. */
void pred_cache_set_warm(struct pred_cache *pc, struct pred_handle *h, const char *path);

/* The environment variable through which `sweep` gives its workers
 * (`odmasim run`) the model directory OUT/models, so that a sweep trains
 * each distinct model once. Files are written atomically under a lock. */
#define PRED_CACHE_ENV "ODMASIM_MODEL_CACHE"

/* The trace at `path` as training sees it (texts kept, training think stream
 * applied), read once and kept in pc until a call names another trace or
 * settings (which frees the previous one). */
int pred_train_trace(const struct cfg *c, struct pred_cache *pc, const char *path,
		     const struct wl_trace **t, struct om_err *e);

/* pc's training trace for the workload to take its rows from (wl_build_pre)
 * instead of parsing the file again: only while it holds the file's lengths
 * (workload.output_model = reference) and was read under c's settings;
 * otherwise empty. */
struct wl_preread pred_cache_preread(const struct cfg *c, const struct pred_cache *pc);

/* wl_build for a run predicted by h: prompt texts kept when h reads them,
 * rows taken from pc's training trace where pred_cache_preread allows
 * (pc may be NULL). */
int pred_wl_build(const struct cfg *c, const struct pred_cache *pc, const struct pred_handle *h,
		  struct wl_trace *t, struct om_err *e);

/* pred_from_cfg_cached, then pred_wl_build, with the same results and
 * errors (the predictor's first), for a run that reads the workload once
 * (engine_run_watched): a workload that streams (wl_streams) comes back
 * streamed (wl_build_stream), its rows made as the run reads them and an
 * arrival past the clock reported by the run. Else, when run.threads allows two, the
 * predictor has a model to load or train, and the workload reads no trace
 * file (synthetic, ServeGen: it takes nothing from pc), the workload is
 * built on a second thread while the predictor loads or trains: the two
 * share only the config, which reading leaves as is. */
int pred_wl_load(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
		 struct wl_trace *t, struct om_err *e);

/* pred_from_cfg through the cache (pc may be NULL = no cache). A model
 * trained here is saved to text and loaded back, on the first run as on
 * every later one, so cached and freshly trained runs are byte-identical.
 * With pc, h->train / h->train_path point into pc while it holds that trace. */
int pred_from_cfg_cached(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
			 struct om_err *e);

/* Trains `h` (already created) on the train part of the trace at `path`
 * (read with prompt texts, through pc when not NULL). */
int pred_train_on_file(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
		       const char *path, struct om_err *e);

/* The key below, declared with every module's keys (experiment.c). */
extern const struct cfg_key pred_setup_keys[];

/* Refuses a predictor that reads prompt texts on a workload without any
 * (it would give every request the same prediction, silently), unless
 * predictor.allow_no_text is set. h may have no predictor. */
int pred_check_text(const struct cfg *c, const struct pred_handle *h, const struct wl_trace *t,
		    struct om_err *e);

#endif
