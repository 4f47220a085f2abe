/* odma: predictor-driven contiguous KV buckets with a safety pool (ODMA).
 * Classes c_1 < ... < c_K are output-token capacities; a request's region is
 * prompt + c_k tokens (capped at prompt + its visible output limit) for the
 * smallest c_k >= predicted * (1 + margin). Two variants (policy.odma_variant):
 *  engineered (default): an uncertain request, or a prediction above c_K,
 *    takes the top learned class c_K (a high percentile of the window); only
 *    an overflow beyond c_K takes the large bucket (prompt + the output
 *    limit, at most max_model_len). An overflow first grows the region in
 *    place when the range after it is free (no copy).
 *  literal: the paper word for word: uncertain requests and predictions
 *    above c_K take the large bucket; every overflow relocates.
 * Memory: [0, G) is a first-fit arena with coalescing (kvmem) for the
 * classes and certain large requests; [G, pool) is the safety pool, n slots
 * of max_model_len tokens, for uncertain requests (literal: first choice;
 * engineered: when the arena has no room) and for overflows the arena has
 * no room for.
 * Overflow: the request moves to the next class up (or the large bucket),
 * in the arena or else a safety slot; the copy (bytes read + written) is
 * charged at streaming bandwidth to the iteration. If nothing has room,
 * grow fails and the scheduler preempts by recompute.
 * Boundaries start from the predictor's training lengths (which also fill
 * the window) and are re-learned every T completions from the last W
 * finished lengths (odma_bounds.h); live requests keep their regions. pol_class holds
 * the class index, K for a large region, K + 1 for a safety slot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/policy/kvmem.h"
#include "common/odma_bounds.h"
#include "sim/policy/policy.h"

struct od {
	const struct pol_env *env; /* first: pol_region_layout reads it */
	struct kvmem mem;	   /* the general arena, [0, gen) */
	int64_t gen;
	int32_t slot_len; /* max_model_len */
	int n_slots;
	uint8_t *slot_used;
	int k;
	int32_t *bounds;
	bool literal;	    /* policy.odma_variant = literal: the paper read word for word */
	bool learn_pred;    /* policy.odma_learn_from = both (engineered only) */
	int64_t *seg_edges; /* policy.odma_free_lists = segregated: the class edges; else NULL */
	double margin, eps;
	enum ob_weight weight;
	int64_t relearn_every;
	int64_t since_learn, completions;
	struct ob_learner learn;
	/* overflow dedup: the scheduler retries the same grow after preempting others */
	const struct sim_req *ovf_req; /* a request is its record: one per request */
	int64_t ovf_tokens;
	int64_t reserved, safety_used;
	int64_t admissions, large_admissions, overflows, relocations, relocated_bytes;
	int64_t grown_in_place;
	/* boundaries over time: rows of (t_ns, completions, bounds[k]) */
	int64_t *hist;
	size_t n_hist, cap_hist;
};

_Static_assert(offsetof(struct od, env) == 0, "pol_region_layout reads env first");

static const struct cfg_key od_keys[] = {
	{ "policy.odma_variant", CFG_ENUM, "engineered", 0, -1, "engineered|literal",
	  "odma: engineered = uncertain or above-top predictions take the top learned class, overflow "
	  "grows in place when the next range is free; literal = a max_model_len bucket for both "
	  "(docs/MODEL.md#odma)" },
	{ "policy.odma_tune", CFG_ENUM, "validation", 0, -1, "validation|off",
	  "odma (engineered, predictor odma): choose predictor.quantile and uncertainty_threshold on a "
	  "validation slice of the training rows (sim/core/odma_tune.h) when both are auto" },
	{ "policy.odma_learn_from", CFG_ENUM, "observed", 0, -1, "observed|both",
	  "odma (engineered): re-learn the classes from observed lengths, or file each under "
	  "max(its admitted prediction, observed), the class it ended up needing (docs/MODEL.md#odma)" },
	{ "policy.odma_free_lists", CFG_ENUM, "one", 0, -1, "one|segregated",
	  "odma (engineered): the arena's free ranges in one address-ordered list (first fit), or "
	  "segregated by the current class sizes (smallest size class that fits first; docs/MODEL.md#odma)" },
	{ "policy.odma_classes", CFG_INT, "4", 1, 64, NULL,
	  "odma: number K of capacity classes (plus the large bucket)" },
	{ "policy.odma_margin", CFG_REAL, "0", 0, 100, NULL,
	  "odma: a request's class must cover predicted * (1 + margin) output tokens" },
	{ "policy.odma_safety", CFG_REAL, "0.1", 0, 0.95, NULL,
	  "odma: fraction sigma of the KV pool kept as max_model_len safety slots" },
	{ "policy.odma_relearn_every", CFG_INT, "200", 0, 1e9, NULL,
	  "odma: re-learn the class boundaries every T completions; 0 = never" },
	{ "policy.odma_window", CFG_INT, "2000", 1, 1e8, NULL,
	  "odma: boundaries are learned from the last W finished requests' output lengths" },
	{ "policy.odma_overflow_cap", CFG_REAL, "0.02", 0, 1, NULL,
	  "odma: at most this share of observed lengths may lie above the top class" },
	{ "policy.odma_objective", CFG_ENUM, "token_time", 0, -1, "tokens|token_time",
	  "odma: minimise unused reserved tokens, or unused token-iterations (slack * length)" },
	{ "policy.odma_bin", CFG_INT, "16", 1, 1 << 20, NULL,
	  "odma: histogram bin width, tokens; boundaries are multiples of it" },
	{ "policy.odma_init_trace", CFG_STR, "", 0, -1, NULL,
	  "odma: trace whose output lengths (every row) give the starting boundaries; empty = the predictor's "
	  "training rows (train split of predictor.train_trace, else workload.trace); none, or no trace at all = "
	  "geometric max_model_len/2^(K-k)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static int hist_push(struct od *s, int64_t t_ns)
{
	size_t row = (size_t)s->k + 2;
	if (s->n_hist == s->cap_hist) {
		size_t nc = s->cap_hist ? s->cap_hist * 2 : 64;
		int64_t *nh = realloc(s->hist, nc * row * sizeof *nh);
		if (!nh)
			return -1;
		s->hist = nh;
		s->cap_hist = nc;
	}
	int64_t *h = s->hist + s->n_hist * row;
	h[0] = t_ns;
	h[1] = s->completions;
	for (int i = 0; i < s->k; i++)
		h[2 + i] = s->bounds[i];
	s->n_hist++;
	return 0;
}

static void od_destroy(void *state)
{
	struct od *s = state;
	if (!s)
		return;
	kvmem_free_all(&s->mem);
	ob_free(&s->learn);
	free(s->slot_used);
	free(s->bounds);
	free(s->seg_edges);
	free(s->hist);
	free(s);
}

static void od_geometric(struct od *s, int32_t bin)
{
	for (int i = 0; i < s->k; i++) {
		int64_t b = s->slot_len >> (s->k - 1 - i);
		b = (b + bin - 1) / bin * bin;
		if (i > 0 && b <= s->bounds[i - 1])
			b = s->bounds[i - 1] + bin;
		s->bounds[i] = (int32_t)(b < s->slot_len ? b : s->slot_len);
	}
}

/* Starting boundaries: learned from the lengths the environment hands over
 * (the predictor's training rows; sim/core/start_lengths.h), or geometric
 * when there are none (no trace, or policy.odma_init_trace = none). */
static int od_init_bounds(struct od *s, const struct cfg *c, int32_t bin, struct om_err *e)
{
	const struct pol_env *env = s->env;
	if (!env->start_origin || !env->start_origin[0]) {
		od_geometric(s, bin);
		return 0;
	}
	size_t n = env->n_start_lengths;
	struct ob_learner l;
	int rc = -1;
	if (ob_init(&l, s->slot_len, bin, n ? n : 1) == 0) {
		for (size_t i = 0; i < n; i++)
			ob_add(&l, env->start_lengths[i]);
		rc = n ? ob_learn(&l, s->k, s->weight, s->eps, s->bounds) : -1;
		ob_free(&l);
		/* The live window starts full of training lengths, spread evenly over
		 * the trace: the first completions are the short requests (they
		 * finish first), and alone they would shrink the classes. */
		size_t stride = n > s->learn.window ? (n + s->learn.window - 1) / s->learn.window
						    : 1;
		for (size_t i = 0; rc == 0 && i < n; i += stride)
			ob_add(&s->learn, env->start_lengths[i]);
	}
	if (rc < 0)
		return cfg_fail(
			c, env->start_key, e,
			"odma cannot learn %d starting classes from '%s' (no training rows, or K above max_model_len / odma_bin)",
			s->k, env->start_origin);
	return 0;
}

static int od_create(const struct cfg *c, const struct pol_env *env, void **state, struct om_err *e)
{
	if (!strcmp(cfg_str(c, "predictor.name"), "none"))
		return cfg_fail(
			c, "predictor.name", e,
			"policy odma sizes memory from predicted lengths: set predictor.name (e.g. odma)");
	struct od *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, NULL, 0, NULL, "out of memory");
	s->env = env;
	s->slot_len = env->max_model_len;
	s->k = (int)cfg_int(c, "policy.odma_classes");
	s->literal = !strcmp(cfg_str(c, "policy.odma_variant"), "literal");
	s->learn_pred = !s->literal && !strcmp(cfg_str(c, "policy.odma_learn_from"), "both");
	s->margin = cfg_real(c, "policy.odma_margin");
	s->eps = cfg_real(c, "policy.odma_overflow_cap");
	s->weight = strcmp(cfg_str(c, "policy.odma_objective"), "tokens") ? OB_TOKEN_TIME
									  : OB_TOKENS;
	s->relearn_every = cfg_int(c, "policy.odma_relearn_every");
	s->ovf_req = NULL;
	int32_t bin = (int32_t)cfg_int(c, "policy.odma_bin");
	double sigma = cfg_real(c, "policy.odma_safety");
	s->n_slots = (int)floor(sigma * (double)env->pool_tokens / (double)s->slot_len);
	s->gen = env->pool_tokens - (int64_t)s->n_slots * s->slot_len;
	int rc = -1;
	if (sigma > 0 && s->n_slots == 0) {
		cfg_fail(c, "policy.odma_safety", e,
			 "%g of a %lld-token pool is less than one max_model_len slot (%d tokens)",
			 sigma, (long long)env->pool_tokens, s->slot_len);
		goto fail;
	}
	if (s->gen < 1) {
		cfg_fail(c, "policy.odma_safety", e, "the safety pool leaves no general arena");
		goto fail;
	}
	if ((s->slot_len + bin - 1) / bin < s->k) {
		cfg_fail(c, "policy.odma_classes", e,
			 "%d classes do not fit in %d bins of %d tokens", s->k,
			 (s->slot_len + bin - 1) / bin, bin);
		goto fail;
	}
	s->slot_used = calloc((size_t)s->n_slots + 1, 1);
	s->bounds = calloc((size_t)s->k, sizeof *s->bounds);
	bool seg = !s->literal && !strcmp(cfg_str(c, "policy.odma_free_lists"), "segregated");
	if (seg)
		s->seg_edges = calloc((size_t)s->k, sizeof *s->seg_edges);
	if (!s->slot_used || !s->bounds || (seg && !s->seg_edges) || kvmem_init(&s->mem, s->gen) < 0
	    || ob_init(&s->learn, s->slot_len, bin, (size_t)cfg_int(c, "policy.odma_window")) < 0) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto fail;
	}
	if (od_init_bounds(s, c, bin, e) < 0)
		goto fail;
	if (hist_push(s, 0) < 0) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto fail;
	}
	*state = s;
	return 0;
fail:
	od_destroy(s);
	return rc;
}

/* Region size for class `k` (K = the large bucket). */
static int64_t od_size(const struct od *s, const struct sim_req *r, int k)
{
	int64_t out = k < s->k && s->bounds[k] < r->max_output ? s->bounds[k] : r->max_output;
	return (int64_t)r->prompt_tokens + out;
}

/* Smallest class whose region holds `tokens` and at least `out` output tokens. */
static int od_class_for(const struct od *s, const struct sim_req *r, int64_t out, int64_t tokens)
{
	for (int k = 0; k < s->k; k++)
		if (s->bounds[k] >= out && od_size(s, r, k) >= tokens)
			return k;
	return s->k;
}

static int od_slot_alloc(struct od *s)
{
	for (int i = 0; i < s->n_slots; i++)
		if (!s->slot_used[i]) {
			s->slot_used[i] = 1;
			s->safety_used += s->slot_len;
			return i;
		}
	return -1;
}

/* Takes a region of `len` tokens for class k from the arena, or (if
 * `safety`) a safety slot; returns false with nothing changed. */
static bool od_take(struct od *s, struct sim_req *r, int k, int64_t len, bool arena, bool safety)
{
	if (arena) {
		int64_t off;
		if (s->seg_edges) {
			for (int i = 0; i < s->k; i++)
				s->seg_edges[i] = s->bounds[i];
			off = kvmem_alloc_seg(&s->mem, len, s->seg_edges, s->k);
		} else {
			off = kvmem_alloc(&s->mem, len);
		}
		if (off >= 0) {
			r->pol_off = off;
			r->pol_cap = (int32_t)len;
			r->pol_class = k;
			s->reserved += len;
			return true;
		}
	}
	if (safety && len <= s->slot_len) {
		int i = od_slot_alloc(s);
		if (i >= 0) {
			r->pol_off = s->gen + (int64_t)i * s->slot_len;
			r->pol_cap = s->slot_len;
			r->pol_class = s->k + 1;
			s->reserved += s->slot_len;
			return true;
		}
	}
	return false;
}

static void od_give_back(struct od *s, int64_t off, int32_t cap, int cls)
{
	if (cls == s->k + 1) {
		int i = (int)((off - s->gen) / s->slot_len);
		if (i < 0 || i >= s->n_slots || !s->slot_used[i])
			abort(); /* double release: a scheduler bug */
		s->slot_used[i] = 0;
		s->safety_used -= s->slot_len;
	} else if (kvmem_release(&s->mem, off, cap) < 0) {
		abort();
	}
	s->reserved -= cls == s->k + 1 ? s->slot_len : cap;
}

/* The class a request enters: literal sends uncertain requests and
 * predictions above the top class to the max_model_len bucket (K); the
 * engineered variant caps both at the top learned class, since it already
 * covers all but eps of the observed lengths and overflow can still move up. */
static int od_admit_class(const struct od *s, const struct sim_req *r, int32_t tokens,
			  bool uncertain)
{
	int64_t out;
	if (uncertain && s->literal)
		return s->k;
	if (uncertain)
		out = s->bounds[s->k - 1];
	else
		out = (int64_t)ceil((double)r->predicted_len * (1.0 + s->margin));
	if (!s->literal && out > s->bounds[s->k - 1])
		out = s->bounds[s->k - 1];
	if (out < (int64_t)r->generated + 1)
		out = (int64_t)r->generated + 1;
	return od_class_for(s, r, out, tokens);
}

static enum pol_rc od_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct od *s = state;
	bool uncertain = r->pred_uncertain || r->predicted_len < 0;
	int k = od_admit_class(s, r, tokens, uncertain);
	int64_t len = od_size(s, r, k);
	if (len < tokens)
		len = tokens;
	bool fits_arena = len <= s->gen, fits_slot = s->n_slots > 0 && len <= s->slot_len;
	if (!fits_arena && !fits_slot)
		return POL_NEVER;
	bool ok;
	if (uncertain && s->literal)
		ok = od_take(s, r, k, len, false, true) || od_take(s, r, k, len, true, false);
	else
		ok = od_take(s, r, k, len, true, uncertain);
	if (!ok)
		return POL_NO_ROOM;
	s->admissions++;
	if (k == s->k)
		s->large_admissions++;
	return POL_OK;
}

static enum pol_rc od_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	struct od *s = state;
	if (tokens <= r->pol_cap)
		return POL_OK;
	if (s->ovf_req != r || s->ovf_tokens != tokens) {
		s->overflows++;
		r->overflows++;
		s->ovf_req = r;
		s->ovf_tokens = tokens;
	}
	/* next class up under the current boundaries, else the large bucket */
	int k = s->k;
	if (r->pol_class < s->k)
		for (int j = 0; j < s->k; j++)
			if (od_size(s, r, j) > r->pol_cap && od_size(s, r, j) >= tokens) {
				k = j;
				break;
			}
	int64_t len = od_size(s, r, k);
	if (len < tokens)
		return POL_NEVER; /* beyond the large bucket: cannot happen below the output cap */
	if (!s->literal && r->pol_class <= s->k
	    && kvmem_extend(&s->mem, r->pol_off, r->pol_cap, len - r->pol_cap) == 0) {
		/* the range after the region is free: take it, nothing moves */
		s->reserved += len - r->pol_cap;
		r->pol_cap = (int32_t)len;
		r->pol_class = k;
		s->grown_in_place++;
		return POL_OK;
	}
	int64_t old_off = r->pol_off;
	int32_t old_cap = r->pol_cap;
	int old_cls = r->pol_class;
	if (!od_take(s, r, k, len, true, true))
		return POL_NO_ROOM;
	od_give_back(s, old_off, old_cap, old_cls);
	double bytes = (double)r->ctx * s->env->dt->dd.kv_bytes_per_token;
	cost->extra_ns += dt_stream_ns(s->env->dt, 2.0 * bytes); /* read + write */
	s->relocations++;
	r->relocations++;
	s->relocated_bytes += (int64_t)bytes;
	return POL_OK;
}

static void od_release(void *state, struct sim_req *r)
{
	struct od *s = state;
	if (r->pol_cap <= 0)
		return;
	od_give_back(s, r->pol_off, r->pol_cap, r->pol_class);
	r->pol_cap = 0;
	r->pol_off = -1;
	r->pol_class = 0;
}

/* The learner's key for a finished request: its observed length, or (learn
 * from both) the larger of it and the prediction it was admitted on, capped
 * at the top class as admission caps it: the request's final region is the
 * smallest class >= that key. Uncertain requests were placed without a
 * prediction: observed only. */
static int32_t od_learn_key(const struct od *s, const struct sim_req *r)
{
	if (!s->learn_pred || r->pred_uncertain || r->predicted_len < 0)
		return r->generated;
	int64_t p = (int64_t)ceil((double)r->predicted_len * (1.0 + s->margin));
	if (p > s->bounds[s->k - 1])
		p = s->bounds[s->k - 1];
	return p > r->generated ? (int32_t)p : r->generated;
}

static void od_finish(void *state, const struct sim_req *r, int64_t now)
{
	struct od *s = state;
	ob_add_pair(&s->learn, od_learn_key(s, r), r->generated);
	s->completions++;
	if (s->relearn_every <= 0 || ++s->since_learn < s->relearn_every)
		return;
	s->since_learn = 0;
	if (ob_learn(&s->learn, s->k, s->weight, s->eps, s->bounds) == 0)
		hist_push(s, now); /* on OOM the series just misses a row */
}

static void od_stats(const void *state, struct pol_stats *ps)
{
	const struct od *s = state;
	int64_t safety = (int64_t)s->n_slots * s->slot_len;
	/* one store per field (fields not named are zero), no memset first */
	*ps = (struct pol_stats){
		.reserved_tokens = s->reserved,
		.free_tokens = s->mem.free_tokens + safety - s->safety_used,
		.largest_free = kvmem_largest(&s->mem),
		.relocations = s->relocations,
		.relocated_bytes = s->relocated_bytes,
		.overflows = s->overflows,
		.safety_tokens = safety,
		.safety_used_tokens = s->safety_used,
		.admissions = s->admissions,
		.large_admissions = s->large_admissions,
	};
}

static int od_check(const void *state, struct om_err *e)
{
	const struct od *s = state;
	if (kvmem_check(&s->mem, e) < 0)
		return -1;
	int64_t used = 0;
	for (int i = 0; i < s->n_slots; i++)
		used += s->slot_used[i] ? s->slot_len : 0;
	if (used != s->safety_used)
		return err_set(e, NULL, 0, "odma", "INV-21: safety slots held %lld != counted %lld",
			       (long long)used, (long long)s->safety_used);
	int64_t pool = s->gen + (int64_t)s->n_slots * s->slot_len;
	int64_t fr = s->mem.free_tokens + (int64_t)s->n_slots * s->slot_len - s->safety_used;
	if (s->reserved + fr != pool)
		return err_set(e, NULL, 0, "odma", "INV-22: reserved %lld + free %lld != pool %lld",
			       (long long)s->reserved, (long long)fr, (long long)pool);
	for (int i = 1; i < s->k; i++)
		if (s->bounds[i] <= s->bounds[i - 1])
			return err_set(e, NULL, 0, "odma",
				       "INV-23: class boundaries not increasing at %d", i);
	return 0;
}

static void od_series(const void *state, FILE *f)
{
	const struct od *s = state;
	fprintf(f, "t_s,completions");
	for (int i = 0; i < s->k; i++)
		fprintf(f, ",c%d", i + 1);
	fputc('\n', f);
	size_t row = (size_t)s->k + 2;
	for (size_t r = 0; r < s->n_hist; r++) {
		const int64_t *h = s->hist + r * row;
		fprintf(f, "%.6f,%lld", (double)h[0] / 1e9, (long long)h[1]);
		for (int i = 0; i < s->k; i++)
			fprintf(f, ",%lld", (long long)h[2 + i]);
		fputc('\n', f);
	}
}

const struct pol_ops pol_odma = {
	.name = "odma",
	.help = "ODMA: predicted-length contiguous classes, learned boundaries, safety pool, relocation on overflow",
	.keys = od_keys,
	.create = od_create,
	.destroy = od_destroy,
	.admit = od_admit,
	.grow = od_grow,
	.release = od_release,
	.layout = pol_region_layout,
	.speed = &pol_region_speed,
	.stats = od_stats,
	.check = od_check,
	.finish = od_finish,
	.series_file = "boundaries.csv",
	.series = od_series,
	.predictor = "odma",
	.start_lengths_key = "policy.odma_init_trace",
};
