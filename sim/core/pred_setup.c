#include "sim/core/pred_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/ncpu.h"
#include "common/registry.h"
#include "common/rng.h"
#include "workload/think.h"
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

static void key_keys(FILE *f, const struct cfg *c, const struct cfg_key *k)
{
	for (; k && k->name; k++)
		fprintf(f, "%s=%s\n", k->name, cfg_str(c, k->name));
}

/* A trace's training side depends on its path and the think stream's
 * settings (workload.seed seeds it). Predictor settings follow for models. */
static char *cache_key(const struct cfg *c, const struct pred_ops *ops, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	struct stat st; /* a rewritten trace is another trace */
	if (stat(path, &st) == 0)
		fprintf(f, "%s\nsize=%lld mtime=%lld.%09ld\n", path, (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	else
		fprintf(f, "%s\n", path);
	fprintf(f, "workload.seed=%s\n", cfg_str(c, "workload.seed"));
	key_keys(f, c, think_keys);
	if (ops) {
		key_keys(f, c, pred_common_keys);
		key_keys(f, c, ops->keys);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int read_train(const struct cfg *c, const char *path, struct wl_trace *t, struct om_err *e)
{
	trace_init(t);
	if (trace_read(path, t, true, e) < 0 || think_apply(c, t, THINK_STREAM_TRAIN, e) < 0) {
		trace_free(t);
		return -1;
	}
	return 0;
}

int pred_train_trace(const struct cfg *c, struct pred_cache *pc, const char *path,
		     const struct wl_trace **t, struct om_err *e)
{
	char *key = cache_key(c, NULL, path);
	if (!key)
		return err_set(e, NULL, 0, NULL, "out of memory");
	if (pc->tr_key && !strcmp(pc->tr_key, key)) {
		free(key);
		*t = &pc->tr;
		return 0;
	}
	if (pc->tr_key)
		trace_free(&pc->tr);
	free(pc->tr_key);
	free(pc->tr_path);
	pc->tr_key = pc->tr_path = NULL;
	char *p = strdup(path);
	if (!p) {
		free(key);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (read_train(c, path, &pc->tr, e) < 0) {
		free(key);
		free(p);
		return -1;
	}
	pc->tr_key = key;
	pc->tr_path = p;
	*t = &pc->tr;
	return 0;
}

struct wl_preread pred_cache_preread(const struct cfg *c, const struct pred_cache *pc)
{
	struct wl_preread none = { NULL, NULL };
	if (!pc || !pc->tr_key || !strcmp(cfg_str(c, "workload.output_model"), "think"))
		return none;
	char *key = cache_key(c, NULL, pc->tr_path);
	bool same = key && !strcmp(key, pc->tr_key);
	free(key);
	return same ? (struct wl_preread){ pc->tr_path, &pc->tr } : none;
}

int pred_wl_build(const struct cfg *c, const struct pred_cache *pc, const struct pred_handle *h,
		  struct wl_trace *t, struct om_err *e)
{
	struct wl_preread pre = pred_cache_preread(c, pc);
	return wl_build_pre(c, t, h->ops && h->ops->needs_text, &pre, e);
}

/* A workload built beside the predictor's load (pred_wl_load). */
struct wl_job {
	const struct cfg *c;
	struct wl_trace *t;
	bool keep_text;
	int rc;
	struct om_err e;
};

static void *wl_job_run(void *arg)
{
	struct wl_job *j = arg;
	j->rc = wl_build_pre(j->c, j->t, j->keep_text, NULL, &j->e);
	return NULL;
}

int pred_wl_load(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
		 struct wl_trace *t, struct om_err *e)
{
	const char *name = cfg_str(c, "predictor.name");
	const struct pred_ops *ops = strcmp(name, "none") ? pred_find(name) : NULL;
	struct wl_job j = { .c = c, .t = t, .keep_text = ops && ops->needs_text };
	pthread_t th;
	/* a streamed workload is made during the run, on its preparation
	 * thread: nothing is left to build beside the predictor */
	if (wl_streams(c))
		return pred_from_cfg_cached(c, pc, h, e) < 0 ? -1 : wl_build_stream(c, t, e);
	/* only a model to load or train is worth a thread */
	bool two = ops && ops->train && !cfg_str(c, "workload.trace")[0]
		&& ncpu_threads(cfg_int(c, "run.threads"), 2) > 1
		&& ncpu_spawn(&th, wl_job_run, &j);
	if (!two)
		return pred_from_cfg_cached(c, pc, h, e) < 0 ? -1 : pred_wl_build(c, pc, h, t, e);
	int rc = pred_from_cfg_cached(c, pc, h, e);
	pthread_join(th, NULL);
	if (rc == 0 && j.rc < 0) {
		*e = j.e;
		rc = -1;
	}
	return rc;
}

/* Drops the tuning's predictor kept in pc (pred_setup.h). */
static void warm_drop(struct pred_cache *pc)
{
	pred_handle_free(&pc->warm);
	free(pc->warm_path);
	pc->warm_path = NULL;
}

void pred_cache_set_warm(struct pred_cache *pc, struct pred_handle *h, const char *path)
{
	warm_drop(pc);
	if (!h)
		return;
	pc->warm_path = strdup(path);
	if (pc->warm_path) {
		pc->warm = *h;
		*h = (struct pred_handle){ 0 };
	}
}

static int train_on(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
		    const struct wl_trace *t, const char *path, struct om_err *e)
{
	if (pc && pc->warm.ops == h->ops && h->ops->warm && !strcmp(pc->warm_path, path)) {
		h->ops->warm(h->state, pc->warm.state);
		warm_drop(pc);
	}
	if (h->ops->needs_text && t->text_len == 0)
		return err_set(e, path, 0, "prompt",
			       "predictor '%s' needs prompt texts but the trace has none",
			       h->ops->name);
	struct pred_sample *s = malloc((t->n ? t->n : 1) * sizeof *s);
	if (!s)
		return err_set(e, path, 0, NULL, "out of memory");
	int rc = -1;
	size_t m = pred_train_samples(t, (int)cfg_int(c, "predictor.split_test_pct"), s);
	if (m == 0)
		err_set(e, path, 0, NULL, "no rows in the train part of the split");
	else if (h->ops->train(h->state, s, m, e) < 0)
		err_wrap(e, path);
	else
		rc = 0;
	free(s);
	return rc;
}

int pred_train_on_file(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
		       const char *path, struct om_err *e)
{
	const struct wl_trace *tp;
	if (pc)
		return pred_train_trace(c, pc, path, &tp, e) < 0 ? -1
								 : train_on(c, pc, h, tp, path, e);
	struct wl_trace t;
	if (read_train(c, path, &t, e) < 0)
		return -1;
	int rc = train_on(c, NULL, h, &t, path, e);
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
	if (pc->tr_key)
		trace_free(&pc->tr);
	free(pc->tr_key);
	free(pc->tr_path);
	pc->tr_key = pc->tr_path = NULL;
	warm_drop(pc);
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

/* pc->dir's file for key: dir/<hash of key>.model. */
static void disk_path(const struct pred_cache *pc, const char *key, char *out, size_t n)
{
	snprintf(out, n, "%s/%016llx.model", pc->dir,
		 (unsigned long long)rng_hash_bytes(key, strlen(key)));
}

/* The model text of key from pc->dir, NULL when absent (or another key's). */
static char *disk_get(const struct pred_cache *pc, const char *key, size_t *len)
{
	char path[4096];
	disk_path(pc, key, path, sizeof path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, kl = strlen(key);
	for (;;) {
		if (n + 65536 > cap) {
			char *b = realloc(buf, cap = 2 * cap + 65536);
			if (!b)
				break;
			buf = b;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	bool ok = buf && !ferror(f) && n > kl && !memcmp(buf, key, kl) && buf[kl] == '\n';
	fclose(f);
	if (!ok) {
		free(buf);
		return NULL;
	}
	memmove(buf, buf + kl + 1, n - kl - 1);
	*len = n - kl - 1;
	return buf;
}

/* Writes key + model text to pc->dir atomically (FILE.tmp-PID, rename). */
static int disk_put(const struct pred_cache *pc, const char *key, const char *text, size_t len,
		    struct om_err *e)
{
	char path[4096], tmp[4200];
	disk_path(pc, key, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return err_set(e, tmp, 0, NULL, "cannot create: %s", strerror(errno));
	fprintf(f, "%s\n", key);
	fwrite(text, 1, len, f);
	if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) != 0) {
		remove(tmp);
		return err_set(e, path, 0, NULL, "cannot write the model: %s", strerror(errno));
	}
	return 0;
}

/* Locks pc->dir's lock file of key (fd, or -1 when it cannot: then two
 * processes may both train, writing the same text). */
static int disk_lock(const struct pred_cache *pc, const char *key)
{
	char path[4096 + 8];
	disk_path(pc, key, path, sizeof path - 8);
	strcat(path, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Trains on `path` (or finds the model in pc) and leaves h loaded from text. */
static int train_cached(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
			const char *path, struct om_err *e)
{
	if (!pc || pc->trace_only || !h->ops->save || !h->ops->load)
		return pred_train_on_file(c, pc, h, path, e);
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
	int lock = pc->dir ? disk_lock(pc, key) : -1;
	int rc = 0;
	if (pc->dir && (text = disk_get(pc, key, &len)) != NULL)
		goto loaded;
	rc = pred_train_on_file(c, pc, h, path, e);
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
	if (rc == 0 && pc->dir)
		rc = disk_put(pc, key, text, len, e);
loaded:
	if (lock >= 0)
		close(lock); /* releases the lock */
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

/* Points h->train at pc's trace when it is the one at path with c's settings. */
static void held_trace(const struct cfg *c, const struct pred_cache *pc, struct pred_handle *h,
		       const char *path)
{
	char *key = cache_key(c, NULL, path);
	if (key && !strcmp(key, pc->tr_key)) {
		h->train = &pc->tr;
		h->train_path = pc->tr_path;
	}
	free(key);
}

/* A model saved by a tuned run holds the tuned quantile; loading it leaves
 * predictor.quantile = auto at its untuned default (a loaded model is not
 * tuned again), so the refusal says how to take the model's value. */
static void auto_quantile_hint(const struct cfg *c, struct om_err *e)
{
	size_t n = strlen(e->msg);
	if (!cfg_is_word(c, "predictor.quantile") || !strstr(e->msg, "model file has quantile "))
		return;
	snprintf(
		e->msg + n, sizeof e->msg - n,
		"; predictor.quantile = auto is not tuned for a loaded model: set it to the model's quantile");
}

int pred_from_cfg(const struct cfg *c, struct pred_handle *h, struct om_err *e)
{
	return pred_from_cfg_cached(c, NULL, h, e);
}

int pred_from_cfg_cached(const struct cfg *c, struct pred_cache *pc, struct pred_handle *h,
			 struct om_err *e)
{
	*h = (struct pred_handle){ 0 };
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
		if (rc < 0)
			auto_quantile_hint(c, e);
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
		if (rc == 0 && pc && pc->tr_key) /* the trace training read, or read before */
			held_trace(c, pc, h, path);
		if (rc < 0) {
			char ctx[128];
			snprintf(ctx, sizeof ctx, "training predictor '%s' (trace from %s)", name,
				 key);
			err_wrap(e, ctx);
		}
	}
	if (pc) /* the tuning's rows serve the one training right after it */
		warm_drop(pc);
	if (rc < 0)
		pred_handle_free(h);
	return rc;
}
