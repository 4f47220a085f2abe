#include "workload/workload.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bigmem.h"
#include "common/ncpu.h"
#include "common/rng.h"
#include "common/split.h"
#include "workload/arrival.h"
#include "workload/servegen.h"
#include "workload/think.h"
#include "workload/synth.h"
#include "workload/trace_fmt.h"
#include "workload/wl_stream.h"

const struct cfg_key wl_keys[] = {
	{ "workload.trace", CFG_STR, "", 0, -1, NULL,
	  "trace CSV: a path, or a file name in the traces directory (alpaca.csv, nq.csv); empty = built-in synthetic; a comma-separated list plays the traces one after another (phases)" },
	{ "workload.phase_requests", CFG_STR, "", 0, -1, NULL,
	  "with several traces: requests taken from each, comma-separated (0 = all its rows); empty = all rows of each" },
	{ "workload.trace_dir", CFG_STR, "", 0, -1, NULL,
	  "where bare trace names are looked up first; then $ODMASIM_TRACES, $XDG_DATA_HOME/odmasim/traces, <prefix>/share/odmasim/traces, ../shared/traces" },
	{ "workload.arrival", CFG_ENUM, "auto", 0, -1, "auto|trace|offline|poisson|gamma",
	  "arrival process; auto = the trace's own timestamps when it has them, else poisson" },
	{ "workload.rate", CFG_REAL, "8", 1e-9, 1e9, NULL,
	  "mean arrival rate, requests/s (poisson, gamma)" },
	{ "workload.cv", CFG_REAL, "2", 1e-3, 100, NULL,
	  "coefficient of variation of gaps (gamma)" },
	{ "workload.seed", CFG_INT, "1", 0, 9.2e18, NULL, "seed of the workload's random streams" },
	{ "workload.num_requests", CFG_INT, "0", 0, 1e9, NULL,
	  "requests to simulate; 0 = every trace row (1000 for the synthetic workload)" },
	{ "workload.rows", CFG_ENUM, "all", 0, -1, "all|held_out",
	  "all trace rows, or only those a predictor never trained on (the id-hash test part, predictor.split_test_pct)" },
	{ "workload.sampling", CFG_ENUM, "head", 0, -1, "head|random|replace",
	  "which rows: the first N, N distinct random rows, or N rows drawn with replacement" },
	{ "workload.synth_prompt_median", CFG_REAL, "64", 1, 1e6, NULL,
	  "synthetic prompt length median, tokens" },
	{ "workload.synth_prompt_sigma", CFG_REAL, "0.8", 0, 5, NULL,
	  "synthetic prompt length log-space sigma" },
	{ "workload.synth_output_median", CFG_REAL, "128", 1, 1e6, NULL,
	  "synthetic output length median, tokens" },
	{ "workload.synth_output_sigma", CFG_REAL, "0.9", 0, 5, NULL,
	  "synthetic output length log-space sigma" },
	{ "workload.synth_max_tokens", CFG_INT, "1536", 1, 1e7, NULL,
	  "clamp for synthetic prompt and output lengths" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

#ifndef OM_DATADIR
#define OM_DATADIR "/usr/local/share/odmasim" /* meson passes <prefix>/<datadir>/odmasim */
#endif

/* The directories a bare trace name is looked up in, in order, each with
 * where it came from; returns how many. */
static size_t trace_dirs(const struct cfg *c, char dirs[][1024], const char **why)
{
	size_t n = 0;
	const char *d = c ? cfg_str(c, "workload.trace_dir") : "";
	if (d[0])
		snprintf(dirs[n], 1024, "%s", d), why[n++] = "workload.trace_dir";
	d = getenv("ODMASIM_TRACES");
	if (d && d[0])
		snprintf(dirs[n], 1024, "%s", d), why[n++] = "$ODMASIM_TRACES";
	d = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (d && d[0])
		snprintf(dirs[n], 1024, "%s/odmasim/traces", d), why[n++] = "$XDG_DATA_HOME";
	else if (home && home[0])
		snprintf(dirs[n], 1024, "%s/.local/share/odmasim/traces", home),
			why[n++] = "$XDG_DATA_HOME (default ~/.local/share)";
	snprintf(dirs[n], 1024, "%s/traces", OM_DATADIR), why[n++] = "the installed data";
	/* a development checkout with the shared data beside it */
	snprintf(dirs[n], 1024, "../shared/traces"), why[n++] = "a checkout's ../shared";
	return n;
}

int wl_resolve(const struct cfg *c, const char *key, const char *name, char *out, size_t n,
	       struct om_err *e)
{
	int w = -1;
	if (strchr(name, '/')) {
		w = snprintf(out, n, "%s", name);
	} else {
		char dirs[8][1024];
		const char *why[8];
		size_t nd = trace_dirs(c, dirs, why);
		char looked[OM_ERR_LEN / 2] = "";
		size_t ll = 0;
		for (size_t i = 0; i < nd; i++) {
			w = snprintf(out, n, "%s/%s", dirs[i], name);
			if (w >= 0 && (size_t)w < n && access(out, R_OK) == 0)
				break;
			int k = snprintf(looked + ll, sizeof looked - ll, "%s%s (%s)",
					 i ? ", " : "", dirs[i], why[i]);
			ll = k > 0 && ll + (size_t)k < sizeof looked ? ll + (size_t)k : ll;
			if (i + 1 == nd) {
				if (c)
					return cfg_fail(c, key, e,
							"trace '%s' not found; looked in %s", name,
							looked);
				return err_set(e, NULL, 0, key,
					       "trace '%s' not found; looked in %s", name, looked);
			}
		}
	}
	if (w < 0 || (size_t)w >= n) {
		if (c)
			return cfg_fail(c, key, e, "path too long");
		return err_set(e, NULL, 0, key, "path too long");
	}
	return 0;
}

int wl_trace_path(const struct cfg *c, char *out, size_t n, struct om_err *e)
{
	const char *tr = cfg_str(c, "workload.trace");
	if (!tr[0]) {
		out[0] = '\0';
		return 0;
	}
	char first[1024];
	size_t l = strcspn(tr, ",");
	if (l >= sizeof first)
		return cfg_fail(c, "workload.trace", e, "path too long");
	memcpy(first, tr, l);
	first[l] = '\0';
	return wl_resolve(c, "workload.trace", first, out, n, e);
}

static int cmp_arrival(const void *a, const void *b)
{
	const struct {
		int64_t t;
		size_t i;
	} *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Reorders t by (arrival, original index). */
static int sort_by_arrival(struct wl_trace *t, struct om_err *e)
{
	bool sorted = true;
	for (size_t i = 1; i < t->n && sorted; i++)
		sorted = t->req[i - 1].arrival_ns <= t->req[i].arrival_ns;
	if (sorted)
		return 0;
	struct ti {
		int64_t t;
		size_t i;
	} *k = malloc(t->n * sizeof *k);
	struct wl_req *nr = bigmem_alloc(t->n * sizeof *nr);
	int32_t *no = bigmem_alloc(t->n * sizeof *no);
	if (!k || !nr || !no) {
		free(k), free(nr), free(no);
		return err_set(e, t->source, 0, NULL, "out of memory");
	}
	for (size_t i = 0; i < t->n; i++)
		k[i] = (struct ti){ t->req[i].arrival_ns, i };
	qsort(k, t->n, sizeof *k, cmp_arrival);
	for (size_t i = 0; i < t->n; i++) {
		nr[i] = t->req[k[i].i];
		no[i] = t->out_tokens[k[i].i];
	}
	free(k);
	free(t->req);
	free(t->out_tokens);
	t->req = nr;
	t->out_tokens = no;
	t->cap = t->n;
	return 0;
}

/* Selects `want` rows of src into dst according to workload.sampling. */
/* Keeps only the rows a predictor never trained on, when asked to, so a run
 * does not replay requests whose predictions are in-sample. */
static int held_out(const struct cfg *c, struct wl_trace *t, struct om_err *e)
{
	if (strcmp(cfg_str(c, "workload.rows"), "held_out") != 0)
		return 0;
	int pct = (int)cfg_int(c, "predictor.split_test_pct");
	size_t keep = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (!split_is_test(t->req[i].id, pct))
			continue;
		t->req[keep] = t->req[i];
		t->out_tokens[keep] = t->out_tokens[i];
		keep++;
	}
	t->n = keep;
	if (keep == 0)
		return cfg_fail(c, "workload.rows", e, "no held-out rows in %s", t->source);
	return 0;
}

/* `key` is the setting that asked for `want` rows, named if there are too few. */
static int sample(const struct cfg *c, const char *key, const struct wl_trace *src,
		  struct wl_trace *dst, size_t want, gsl_rng *rng, struct om_err *e)
{
	if (!want)
		want = src->n;
	const char *mode = cfg_str(c, "workload.sampling");
	size_t *pick = malloc((want ? want : 1) * sizeof *pick);
	if (!pick)
		return err_set(e, src->source, 0, NULL, "out of memory");
	bool renumber = false;
	if (!strcmp(mode, "replace")) {
		for (size_t i = 0; i < want; i++)
			pick[i] = gsl_rng_uniform_int(rng, src->n);
		renumber = true; /* a row drawn twice must not give two equal ids */
	} else {
		if (want > src->n) {
			free(pick);
			return cfg_fail(
				c, key, e,
				"%zu requested but %s has %zu rows (set workload.sampling = replace to draw with replacement)",
				want, src->source[0] ? src->source : "the trace", src->n);
		}
		if (!strcmp(mode, "random")) {
			size_t *all = malloc(src->n * sizeof *all);
			if (!all) {
				free(pick);
				return err_set(e, src->source, 0, NULL, "out of memory");
			}
			for (size_t i = 0; i < src->n; i++)
				all[i] = i;
			gsl_ran_shuffle(rng, all, src->n, sizeof *all);
			memcpy(pick, all, want * sizeof *pick);
			free(all);
		} else {
			for (size_t i = 0; i < want; i++)
				pick[i] = i;
		}
	}
	dst->has_arrivals = src->has_arrivals;
	snprintf(dst->source, sizeof dst->source, "%s", src->source);
	snprintf(dst->format, sizeof dst->format, "%s", src->format);
	for (size_t i = 0; i < want; i++) {
		const struct wl_req *r = &src->req[pick[i]];
		if (trace_push(dst, renumber ? (int64_t)i : r->id, r->arrival_ns, r->prompt_tokens,
			       src->out_tokens[pick[i]], trace_text(src, pick[i]), r->text_len, e)
		    < 0) {
			free(pick);
			return -1;
		}
	}
	free(pick);
	return 0;
}

/* Splits a comma-separated list in place; returns the number of items, or
 * max + 1 if there are more than max (the rest are not stored). */
static size_t split(char *s, char **items, size_t max)
{
	size_t n = 0;
	for (char *tok = s;;) {
		if (n == max)
			return max + 1;
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		while (*tok == ' ')
			tok++;
		char *end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		items[n++] = tok;
		if (!comma)
			break;
		tok = comma + 1;
	}
	return n;
}

#define MAX_PHASES 32

/* Several traces play one after another (e.g. Alpaca, then NQ, then Alpaca:
 * a drift scenario). Each phase is sampled on its own; one arrival process
 * then runs over the whole sequence. Ids keep their trace values. */
/* raw = a copy of every row of src (held_out filters its rows in place). */
static int trace_copy(struct wl_trace *raw, const struct wl_trace *src, struct om_err *e)
{
	raw->has_arrivals = src->has_arrivals;
	snprintf(raw->source, sizeof raw->source, "%s", src->source);
	snprintf(raw->format, sizeof raw->format, "%s", src->format);
	for (size_t i = 0; i < src->n; i++)
		if (trace_push(raw, src->req[i].id, src->req[i].arrival_ns,
			       src->req[i].prompt_tokens, src->out_tokens[i], trace_text(src, i),
			       src->req[i].text_len, e)
		    < 0)
			return -1;
	return 0;
}

/* A trace file read with run.threads' count (the engine's key): the same
 * rows with any count, sooner with two. */
static int read_trace(const struct cfg *c, const char *path, struct wl_trace *raw, bool keep_text,
		      struct om_err *e)
{
	return trace_read_threads(path, raw, keep_text, ncpu_threads(cfg_int(c, "run.threads"), 2),
				  e);
}

/* Head sampling of a trace read here: the first `want` rows (all for 0)
 * are raw's own, taken as they are instead of copied (what sample() would
 * copy). False when sample() must run (another mode, too few rows). */
static bool take_head(const struct cfg *c, struct wl_trace *raw, struct wl_trace *t, size_t want)
{
	if (strcmp(cfg_str(c, "workload.sampling"), "head") != 0 || want > raw->n)
		return false;
	*t = *raw;
	if (want)
		t->n = want;
	trace_init(raw);
	return true;
}

/* One trace: read (or taken from pre), its held-out rows, then sampled. */
static int build_one(const struct cfg *c, const char *name, struct wl_trace *t, bool keep_text,
		     const struct wl_preread *pre, gsl_rng *rs, struct om_err *e)
{
	struct wl_trace raw;
	trace_init(&raw);
	char path[4096];
	if (wl_resolve(c, "workload.trace", name, path, sizeof path, e) < 0)
		return -1;
	size_t want = (size_t)cfg_int(c, "workload.num_requests");
	const struct wl_trace *src = &raw;
	int rc;
	if (keep_text && pre && pre->t && !strcmp(path, pre->path)) {
		bool all = strcmp(cfg_str(c, "workload.rows"), "held_out") != 0;
		src = all ? pre->t : &raw;
		rc = all ? 0 : trace_copy(&raw, pre->t, e);
	} else {
		rc = read_trace(c, path, &raw, keep_text, e);
	}
	if (rc == 0)
		rc = held_out(c, &raw, e);
	if (rc == 0 && !(src == &raw && take_head(c, &raw, t, want)))
		rc = sample(c, "workload.num_requests", src, t, want, rs, e);
	trace_free(&raw);
	return rc;
}

static int build_phases(const struct cfg *c, struct wl_trace *t, bool keep_text,
			const struct wl_preread *pre, gsl_rng *rs, struct om_err *e)
{
	char traces[4096], counts[1024];
	if ((size_t)snprintf(traces, sizeof traces, "%s", cfg_str(c, "workload.trace"))
	    >= sizeof traces)
		return cfg_fail(c, "workload.trace", e, "list longer than %zu characters",
				sizeof traces - 1);
	if ((size_t)snprintf(counts, sizeof counts, "%s", cfg_str(c, "workload.phase_requests"))
	    >= sizeof counts)
		return cfg_fail(c, "workload.phase_requests", e, "list longer than %zu characters",
				sizeof counts - 1);
	char *name[MAX_PHASES], *cnt[MAX_PHASES];
	size_t np = split(traces, name, MAX_PHASES);
	size_t nc = counts[0] ? split(counts, cnt, MAX_PHASES) : 0;
	if (np > MAX_PHASES || nc > MAX_PHASES)
		return cfg_fail(c, np > MAX_PHASES ? "workload.trace" : "workload.phase_requests",
				e, "more than %d phases", MAX_PHASES);
	for (size_t i = 0; i < np; i++)
		if (!name[i][0])
			return cfg_fail(c, "workload.trace", e,
					"item %zu of the trace list is empty (a stray comma?)",
					i + 1);
	if (np == 1 && nc == 0)
		return build_one(c, name[0], t, keep_text, pre, rs, e);
	if (nc && nc != np)
		return cfg_fail(c, "workload.phase_requests", e,
				"%zu counts for %zu traces in workload.trace", nc, np);
	if (cfg_int(c, "workload.num_requests") != 0)
		return cfg_fail(
			c, "workload.num_requests", e,
			"with several traces, give per-trace counts in workload.phase_requests");
	bool all_arrivals = true;
	for (size_t i = 0; i < np; i++) {
		size_t want = 0;
		if (nc) {
			char *end;
			long long v = strtoll(cnt[i], &end, 10);
			if (end == cnt[i] || *end || v < 0)
				return cfg_fail(c, "workload.phase_requests", e,
						"'%s' is not a request count", cnt[i]);
			want = (size_t)v;
		}
		char path[4096];
		struct wl_trace raw, part;
		trace_init(&raw);
		trace_init(&part);
		int rc = wl_resolve(c, "workload.trace", name[i], path, sizeof path, e);
		if (rc == 0)
			rc = read_trace(c, path, &raw, keep_text, e);
		if (rc == 0)
			rc = held_out(c, &raw, e);
		if (rc == 0)
			rc = sample(c, "workload.phase_requests", &raw, &part, want, rs, e);
		all_arrivals = all_arrivals && raw.has_arrivals;
		if (i == 0 || !strcmp(t->format, raw.format))
			snprintf(t->format, sizeof t->format, "%s", raw.format);
		else
			snprintf(t->format, sizeof t->format, "mixed");
		for (size_t k = 0; rc == 0 && k < part.n; k++)
			rc = trace_push(t, part.req[k].id, part.req[k].arrival_ns,
					part.req[k].prompt_tokens, part.out_tokens[k],
					trace_text(&part, k), part.req[k].text_len, e);
		trace_free(&raw);
		trace_free(&part);
		if (rc < 0)
			return -1;
	}
	t->has_arrivals = all_arrivals;
	snprintf(t->source, sizeof t->source, "%s", cfg_str(c, "workload.trace"));
	return 0;
}

static struct synth_params synth_cfg(const struct cfg *c)
{
	size_t want = (size_t)cfg_int(c, "workload.num_requests");
	return (struct synth_params){
		.n = want ? want : 1000,
		.prompt_median = cfg_real(c, "workload.synth_prompt_median"),
		.prompt_sigma = cfg_real(c, "workload.synth_prompt_sigma"),
		.output_median = cfg_real(c, "workload.synth_output_median"),
		.output_sigma = cfg_real(c, "workload.synth_output_sigma"),
		.max_tokens = (int32_t)cfg_int(c, "workload.synth_max_tokens"),
	};
}

static struct arr_params arr_cfg(const struct cfg *c)
{
	return (struct arr_params){ cfg_real(c, "workload.rate"), cfg_real(c, "workload.cv"),
				    cfg_origin(c, "workload.rate") };
}

/* The synthetic workload's rows in order are already sorted by arrival
 * (every process drawn request by request stamps non-decreasing times) and
 * numbered 0..n-1, so with head sampling the sort and the sampling leave
 * them as they are: nothing needs the whole trace before the run. */
static bool stream_seq(const struct cfg *c, struct arr_seq *as, const char **name)
{
	struct arr_params ap = arr_cfg(c);
	return !cfg_str(c, "workload.trace")[0] && !servegen_wanted(c)
		&& !strcmp(cfg_str(c, "workload.sampling"), "head")
		&& arr_seq_init(as, cfg_str(c, "workload.arrival"), &ap, name);
}

bool wl_streams(const struct cfg *c)
{
	struct arr_seq as;
	const char *name;
	return stream_seq(c, &as, &name);
}

int wl_build_stream(const struct cfg *c, struct wl_trace *t, struct om_err *e)
{
	struct arr_seq as;
	const char *name;
	struct synth_params sp = synth_cfg(c);
	trace_init(t);
	if (!stream_seq(c, &as, &name))
		return err_set(e, NULL, 0, "workload", "internal: this workload cannot stream");
	t->stream = wl_stream_new(&sp, &as, (uint64_t)cfg_int(c, "workload.seed"));
	if (!t->stream)
		return err_set(e, NULL, 0, NULL, "out of memory");
	t->n = sp.n;
	snprintf(t->source, sizeof t->source, "synthetic");
	snprintf(t->arrival, sizeof t->arrival, "%s", name);
	return 0;
}

int wl_build(const struct cfg *c, struct wl_trace *t, bool keep_text, struct om_err *e)
{
	return wl_build_pre(c, t, keep_text, NULL, e);
}

int wl_build_pre(const struct cfg *c, struct wl_trace *t, bool keep_text,
		 const struct wl_preread *pre, struct om_err *e)
{
	uint64_t seed = (uint64_t)cfg_int(c, "workload.seed");
	gsl_rng *rs = rng_stream(seed, "workload.sample");
	gsl_rng *ra = rng_stream(seed, "workload.arrival");
	gsl_rng *rl = rng_stream(seed, "workload.synth");
	int rc = -1;
	struct wl_trace raw;
	trace_init(&raw);
	trace_init(t);
	if (!rs || !ra || !rl) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (servegen_wanted(c) && cfg_str(c, "workload.trace")[0]) {
		cfg_fail(c, "workload.servegen_clients", e,
			 "a ServeGen workload replaces workload.trace: set only one");
		goto out;
	} else if (servegen_wanted(c)) {
		if (servegen_build(c, t, e) < 0)
			goto out;
	} else if (cfg_str(c, "workload.trace")[0]) {
		if (build_phases(c, t, keep_text, pre, rs, e) < 0
		    || think_apply(c, t, THINK_STREAM_WORKLOAD, e) < 0)
			goto out;
	} else {
		struct synth_params sp = synth_cfg(c);
		if (synth_generate(&raw, &sp, rl, e) < 0)
			goto out;
		if (!strcmp(cfg_str(c, "workload.sampling"), "head")) {
			*t = raw; /* every row in order: what sample() would copy */
			trace_init(&raw);
		} else if (sample(c, "workload.num_requests", &raw, t, raw.n, rs, e) < 0) {
			goto out;
		}
	}
	const struct arr_ops *ao = arr_find(cfg_str(c, "workload.arrival"));
	struct arr_params ap = arr_cfg(c);
	snprintf(t->arrival, sizeof t->arrival, "%s", ao->name);
	if (ao->assign(t, &ap, ra, e) < 0)
		goto out;
	rc = sort_by_arrival(t, e);
out:
	trace_free(&raw);
	if (rc < 0)
		trace_free(t);
	gsl_rng_free(rs);
	gsl_rng_free(ra);
	gsl_rng_free(rl);
	return rc;
}
