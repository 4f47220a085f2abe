#include "sim/core/pred_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "workload/think.h"
#include "workload/trace_csv.h"
#include "workload/workload.h"

int pred_train_on_file(const struct cfg *c, struct pred_handle *h, const char *path,
		       struct om_err *e)
{
	struct wl_trace t;
	trace_init(&t);
	int rc = -1;
	struct pred_sample *s = NULL;
	if (trace_read_csv(path, &t, true, e) < 0 || think_apply(c, &t, THINK_STREAM_TRAIN, e) < 0)
		goto out;
	if (h->ops->needs_text && t.text_len == 0) {
		err_set(e, path, 0, "prompt",
			"predictor '%s' needs prompt texts but the trace has none", h->ops->name);
		goto out;
	}
	s = malloc((t.n ? t.n : 1) * sizeof *s);
	if (!s) {
		err_set(e, path, 0, NULL, "out of memory");
		goto out;
	}
	size_t m = pred_train_samples(&t, (int)cfg_int(c, "predictor.split_test_pct"), s);
	if (m == 0) {
		err_set(e, path, 0, NULL, "no rows in the train part of the split");
		goto out;
	}
	if (h->ops->train(h->state, s, m, e) < 0) {
		err_wrap(e, path);
		goto out;
	}
	rc = 0;
out:
	free(s);
	trace_free(&t);
	return rc;
}

void pred_cache_free(struct pred_cache *pc)
{
	for (size_t i = 0; i < pc->n; i++) {
		free(pc->e[i].key);
		free(pc->e[i].model);
	}
	pc->n = 0;
}

static void key_keys(FILE *f, const struct cfg *c, const struct cfg_key *k)
{
	for (; k && k->name; k++)
		fprintf(f, "%s=%s\n", k->name, cfg_str(c, k->name));
}

/* The cache key: training trace, then every setting a predictor reads. */
static char *cache_key(const struct cfg *c, const struct pred_ops *ops, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s\n", path);
	key_keys(f, c, pred_common_keys);
	key_keys(f, c, ops->keys);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int load_text(struct pred_handle *h, const char *text, size_t len, struct om_err *e)
{
	FILE *f = fmemopen((void *)text, len, "r");
	if (!f)
		return err_set(e, NULL, 0, NULL, "out of memory");
	int rc = h->ops->load(h->state, f, "cached model", e);
	fclose(f);
	return rc;
}

/* Trains on `path` (or finds the model in pc) and leaves h loaded from text. */
static int train_cached(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
			const char *path, struct om_err *e)
{
	if (!pc || !h->ops->save || !h->ops->load)
		return pred_train_on_file(c, h, path, e);
	char *key = cache_key(c, h->ops, path);
	if (!key)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < pc->n; i++)
		if (!strcmp(pc->e[i].key, key)) {
			free(key);
			return load_text(h, pc->e[i].model, pc->e[i].len, e);
		}
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc = pred_train_on_file(c, h, path, e);
	if (rc == 0) {
		f = open_memstream(&text, &len);
		if (!f)
			rc = err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (f) {
		rc = h->ops->save(h->state, f, e);
		int bad = ferror(f);
		if ((fclose(f) != 0 || bad) && rc == 0)
			rc = err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (rc == 0)
		rc = load_text(h, text, len, e);
	if (rc == 0 && pc->n < PRED_CACHE_MAX) {
		pc->e[pc->n].key = key;
		pc->e[pc->n].model = text;
		pc->e[pc->n++].len = len;
		return 0;
	}
	free(key);
	free(text);
	return rc;
}

int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e)
{
	return pred_from_cfg_cached(c, NULL, h, e);
}

int pred_from_cfg_cached(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
			 struct om_err *e)
{
	h->ops = NULL;
	h->state = NULL;
	const char *name = cfg_str(c, "predictor.name");
	if (!strcmp(name, "none"))
		return 0;
	const struct pred_ops *ops = pred_find(name);
	if (!ops) {
		char list[256];
		return cfg_fail(c, "predictor.name", e, "unknown predictor '%s' (known: none, %s)",
				name, reg_names(REG(pred_registry), ", ", list, sizeof list));
	}
	if (ops->create(c, &h->state, e) < 0)
		return -1;
	h->ops = ops;
	if (!ops->train)
		return 0;
	const char *mf = cfg_str(c, "predictor.model_file");
	int rc;
	if (mf[0]) {
		rc = pred_load_file(h, mf, e);
	} else {
		char path[4096];
		const char *tt = cfg_str(c, "predictor.train_trace");
		const char *key = tt[0] ? "predictor.train_trace" : "workload.trace";
		if (tt[0] ? wl_resolve(c, key, tt, path, sizeof path, e) < 0
			  : wl_trace_path(c, path, sizeof path, e) < 0) {
			pred_handle_free(h);
			return -1;
		}
		if (!path[0]) {
			pred_handle_free(h);
			return cfg_fail(
				c, "predictor.name", e,
				"predictor '%s' must be trained: set predictor.model_file, predictor.train_trace, or a workload.trace with prompt texts",
				name);
		}
		rc = train_cached(c, pc, h, path, e);
		if (rc < 0) {
			char ctx[128];
			snprintf(ctx, sizeof ctx, "training predictor '%s' (trace from %s)", name,
				 key);
			err_wrap(e, ctx);
		}
	}
	if (rc < 0)
		pred_handle_free(h);
	return rc;
}
