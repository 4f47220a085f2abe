#include "sim/core/pred_setup.h"

#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "workload/trace_fmt.h"
#include "workload/workload.h"

const struct cfg_key pred_setup_keys[] = {
	{ "predictor.allow_no_text", CFG_BOOL, "false", 0, -1, NULL,
	  "run a text-based predictor (s3, odma) on a workload without prompt texts, where every request gets the same prediction; false = refuse" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

int pred_check_text(const struct cfg *c, const struct pred_handle *h, const struct wl_trace *t,
		    struct om_err *e)
{
	if (!h || !h->ops || !h->ops->needs_text || t->text_len > 0
	    || cfg_bool(c, "predictor.allow_no_text"))
		return 0;
	return cfg_fail(
		c, "predictor.name", e,
		"predictor '%s' reads prompt texts, but the workload (%s) has none: every request would get the same prediction (set predictor.allow_no_text = true to run anyway)",
		h->ops->name, t->source);
}

int pred_train_on_file(const struct cfg *c, struct pred_handle *h, const char *path,
		       struct om_err *e)
{
	struct wl_trace t;
	trace_init(&t);
	int rc = -1;
	struct pred_sample *s = NULL;
	if (trace_read(path, &t, true, e) < 0)
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

int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e)
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
		rc = pred_train_on_file(c, h, path, e);
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
