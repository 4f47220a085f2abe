#include "predictors/predictor.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "common/split.h"

extern const struct pred_ops pred_oracle, pred_noisy, pred_s3, pred_odma, pred_gbdt;

/* clang-format off: one registry line per entry */
const struct pred_ops *const pred_registry[] = {
	&pred_oracle, &pred_noisy, &pred_s3, &pred_odma, &pred_gbdt, NULL,
};
/* clang-format on */

const struct cfg_key pred_common_keys[] = {
	{ "predictor.name", CFG_STR, "none", 0, -1, NULL,
	  "output-length predictor the policy sizes memory from; none = no prediction; oracle reads the true length (upper bound only)" },
	{ "predictor.model_file", CFG_STR, "", 0, -1, NULL,
	  "trained model to load (written by `odmasim predict`); empty = train when the run starts" },
	{ "predictor.train_trace", CFG_STR, "", 0, -1, NULL,
	  "trace to train on when no model_file is given (path or name in the traces directory); empty = workload.trace. Only the train part of the split is used" },
	{ "predictor.split_test_pct", CFG_INT, "20", 0, 99, NULL,
	  "percent of ids held out from training (test part of the deterministic id-hash split)" },
	{ "predictor.seed", CFG_INT, "1", 0, 9.2e18, NULL,
	  "seed of the predictor's random streams (noisy)" },
	{ "predictor.noise_sigma", CFG_REAL, "0.5", 0, 5, NULL,
	  "noisy: sigma of the log-normal factor on the true length" },
	{ "predictor.buckets", CFG_INT, "10", 1, 1000, NULL,
	  "K, the number of equal-width S3 buckets" },
	{ "predictor.bucket_max", CFG_INT, "2048", 1, 1e7, NULL,
	  "S3 max_len: bucket width = bucket_max/K tokens; longer outputs fall in the last bucket" },
	{ "predictor.uncertainty_threshold", CFG_REAL, "auto", 0, 1, "auto",
	  "odma: tau; a request whose uncertainty (the calibrated rank of its predicted spread, 0..1) exceeds it is flagged for the large bucket: about 1 - tau of requests; auto = chosen with the quantile when odma tunes, else 0.9" },
	{ "predictor.hash_bits", CFG_INT, "14", 8, 22, NULL,
	  "s3/odma: hashed word features go into 2^hash_bits slots" },
	{ "predictor.lambda", CFG_REAL, "1e-3", 0, 1e3, NULL,
	  "s3/odma: L2 regularisation strength of the linear models" },
	{ "predictor.cg_tol", CFG_REAL, "1e-4", 1e-12, 0.5, NULL,
	  "s3 ridge/odma: conjugate gradients stop when the residual norm falls below this fraction of its start" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const struct pred_ops *pred_find(const char *name)
{
	_Static_assert(offsetof(struct pred_ops, name) == 0,
		       "registry entries start with their name");
	return reg_find(REG(pred_registry), name);
}

int32_t pred_bucket_of(int32_t len, int32_t K, int32_t bucket_max)
{
	if (len <= 0)
		return 0;
	int64_t b = ((int64_t)len * K - 1) / bucket_max;
	return b >= K ? K - 1 : (int32_t)b;
}

int32_t pred_bucket_cap(int32_t b, int32_t K, int32_t bucket_max)
{
	return (int32_t)(((int64_t)b + 1) * bucket_max / K);
}

void pred_buckets_read(const struct cfg *c, int32_t *K, int32_t *bucket_max)
{
	*K = (int32_t)cfg_int(c, "predictor.buckets");
	*bucket_max = (int32_t)cfg_int(c, "predictor.bucket_max");
}

int pred_q_tau(const struct cfg *c, double *q, double *tau, struct om_err *e)
{
	*q = cfg_real(c, "predictor.quantile");
	*tau = cfg_real(c, "predictor.uncertainty_threshold");
	if (isnan(*q) || isnan(*tau))
		return cfg_fail(
			c, isnan(*q) ? "predictor.quantile" : "predictor.uncertainty_threshold", e,
			"internal error: auto was not resolved before the predictor was made");
	return 0;
}

void pred_out_of_len(struct pred_out *o, int32_t len, float uncertainty, int32_t K,
		     int32_t bucket_max)
{
	*o = (struct pred_out){ len, uncertainty, pred_bucket_of(len, K, bucket_max), false };
}

size_t pred_train_samples(const struct wl_trace *t, int test_pct, struct pred_sample *s)
{
	size_t m = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (split_is_test(t->req[i].id, test_pct))
			continue;
		s[m++] = (struct pred_sample){ t->req[i].id, trace_text(t, i),
					       t->req[i].prompt_tokens, t->out_tokens[i] };
	}
	return m;
}

size_t pred_keep_test_part(struct wl_trace *t, int test_pct)
{
	size_t m = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (!split_is_test(t->req[i].id, test_pct))
			continue;
		t->req[m] = t->req[i];
		t->out_tokens[m++] = t->out_tokens[i];
	}
	t->n = m;
	return m;
}

int pred_save_file(const struct pred_handle *h, const char *path, struct om_err *e)
{
	if (!h->ops->save)
		return err_set(e, path, 0, NULL, "predictor '%s' has no model to save",
			       h->ops->name);
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, path, 0, NULL, "path too long");
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot create: %s", strerror(errno));
	int rc = h->ops->save(h->state, f, e);
	if (ferror(f) && rc == 0)
		rc = err_set(e, tmp, 0, NULL, "write error");
	if (fclose(f) != 0 && rc == 0)
		rc = err_set(e, tmp, 0, NULL, "write error: %s", strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = err_set(e, path, 0, NULL, "cannot rename into place: %s", strerror(errno));
	if (rc < 0)
		remove(tmp);
	return rc;
}

int pred_load_file(struct pred_handle *h, const char *path, struct om_err *e)
{
	if (!h->ops->load)
		return err_set(e, path, 0, NULL, "predictor '%s' loads no model", h->ops->name);
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(e, path, 0, NULL, "cannot open model: %s", strerror(errno));
	int rc = h->ops->load(h->state, f, path, e);
	fclose(f);
	return rc;
}

int pred_read_kv(FILE *f, const char *origin, long *line, const char *key, char *val, size_t n,
		 struct om_err *e)
{
	char buf[512];
	if (!fgets(buf, sizeof buf, f))
		return err_set(e, origin, *line + 1, key, "file ends; expected '%s VALUE'", key);
	++*line;
	size_t kl = strlen(key), bl = strcspn(buf, "\r\n");
	buf[bl] = '\0';
	if (strncmp(buf, key, kl) || buf[kl] != ' ' || !buf[kl + 1])
		return err_set(e, origin, *line, key, "expected '%s VALUE', got '%.60s'", key, buf);
	if (snprintf(val, n, "%s", buf + kl + 1) >= (int)n)
		return err_set(e, origin, *line, key, "value too long");
	return 0;
}

int pred_read_num(FILE *f, const char *origin, long *line, const char *key, double *x,
		  struct om_err *e)
{
	char v[128], *end;
	if (pred_read_kv(f, origin, line, key, v, sizeof v, e) < 0)
		return -1;
	errno = 0;
	*x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(*x))
		return err_set(e, origin, *line, key, "expected a finite number, got '%s'", v);
	return 0;
}

int pred_expect_str(FILE *f, const char *origin, long *line, const char *key, const char *want,
		    const char *cfg_key, struct om_err *e)
{
	char v[128];
	if (pred_read_kv(f, origin, line, key, v, sizeof v, e) < 0)
		return -1;
	if (strcmp(v, want))
		return err_set(
			e, origin, *line, key,
			"model file has %s '%s' but the configuration says %s = %s (retrain or change the setting)",
			key, v, cfg_key, want);
	return 0;
}

int pred_expect_num(FILE *f, const char *origin, long *line, const char *key, double want,
		    const char *cfg_key, struct om_err *e)
{
	double x;
	if (pred_read_num(f, origin, line, key, &x, e) < 0)
		return -1;
	if (fabs(x - want) > 1e-12 * (fabs(want) > 1 ? fabs(want) : 1))
		return err_set(
			e, origin, *line, key,
			"model file has %s %g but the configuration says %s = %g (retrain or change the setting)",
			key, x, cfg_key, want);
	return 0;
}

int pred_expect_eof(FILE *f, const char *origin, long line, struct om_err *e)
{
	char buf[512];
	while (fgets(buf, sizeof buf, f)) {
		++line;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[strspn(buf, " \t")])
			return err_set(e, origin, line, NULL,
				       "unexpected text after the model's last table: '%.40s'",
				       buf);
	}
	return 0;
}

void pred_handle_free(struct pred_handle *h)
{
	if (h->ops)
		h->ops->destroy(h->state);
	h->ops = NULL;
	h->state = NULL;
	h->train = NULL;
	h->train_path = NULL;
}
