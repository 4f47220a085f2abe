/* paged: the KV cache of vLLM v1 (see docs/MODEL.md#paged for where it differs).
 * The pool is cut into fixed blocks of policy.block_size token slots. Each
 * request owns a block table that grows one block at a time as its context
 * crosses a block boundary; blocks come from a free list and go back to it
 * when the request finishes or is preempted. Every allocation checks first
 * and then acts, so a refusal changes nothing.
 * Admission needs the whole prompt's blocks plus a watermark of free blocks
 * (only while other requests hold blocks); growth of a running request needs
 * no watermark. Preemption itself is the scheduler's: it frees the newest
 * running request whenever grow() answers POL_NO_ROOM.
 * Cost: a request's KV is read block by block, one run of (tokens in the
 * block) * head_dim * bytes per (layer, KV head, K or V), or with the
 * per_layer block layout one run of all KV heads per (layer, K or V);
 * optionally physically adjacent blocks merge into one run. The
 * paged-attention kernel factor scales the resulting KV time.
 * policy.paged_kernel = gather models an accelerator without a paged-
 * attention kernel: every iteration copies each request's blocks into a
 * contiguous buffer (read and write, both at the memory model's rate for the
 * block runs, charged as extra memory time) and attention then reads that
 * buffer as one contiguous region.
 * Prefix cache (scheduler.prefix_cache, vLLM automatic prefix caching for one
 * request's own context): a preempted request's full blocks go to the free
 * list still tagged with (request, position); any pop from the free list
 * evicts a tag. At re-admission the longest run of leading blocks still
 * tagged is taken back out of the free list and reported as cached. Blocks
 * are never shared between requests. */
#include <stdlib.h>
#include <string.h>

#include "sim/policy/policy.h"

struct pg_req {
	int32_t *blk; /* block table, logical order */
	int32_t n, cap;
	int32_t live_slot; /* index in pg.live, for the invariant check */
	const struct sim_req *r;
	int64_t ri; /* pol_req_idx of r: the owner of its blocks */
};

struct pg {
	const struct pol_env *env;
	int32_t bs, nblocks, watermark;
	double kernel_factor;
	bool merge, fifo;
	bool per_layer; /* a block's KV heads sit together (vLLM v1 NHD layout) */
	bool gather;	/* no paged-attention kernel: gather blocks, then attend */
	/* pg_run_shape's per_tok * regions and regions, set once: the batch
	 * reads are priced on every changed leapt iteration */
	double rd_bytes_per_token, rd_regions;
	/* free list: a ring; LIFO pops the back, FIFO pops the front */
	int32_t *fl;
	int32_t fl_head, fl_len;
	int64_t *owner; /* request idx holding each block, -1 if free */
	struct pg_req **live;
	int32_t nlive, live_cap;
	/* released records kept for the next admissions, their tables' room
	 * with them (an admission then allocates nothing) */
	struct pg_req **spare;
	int32_t nspare;
	int64_t used; /* blocks held */
	/* prefix cache: per free block, the request whose KV it still holds and
	 * at which position (-1: none); per request idx, its table when preempted */
	int64_t *tag_req;
	int32_t *tag_pos;
	struct pg_saved {
		int32_t *blk;
		int32_t n;   /* full blocks */
		int32_t hit; /* blocks found cached at the last admission */
	} * saved;
	uint32_t nsaved;
};

static void pg_run_shape(const struct pg *s, double *per_tok, double *regions);

static const struct cfg_key pg_keys[] = {
	{ "policy.block_size", CFG_INT, "16", 1, 1 << 20, NULL,
	  "paged: tokens per KV block (vLLM block_size)" },
	{ "policy.watermark", CFG_REAL, "0.01", 0, 0.5, NULL,
	  "paged: fraction of all blocks that must stay free after admitting a waiting request" },
	{ "policy.paged_kernel_factor", CFG_REAL, "1", 0.01, 100, NULL,
	  "paged: multiplies the KV read time of paged layouts (paged-attention kernel overhead; vLLM measured 1.2-1.26 on HBM GPUs)" },
	{ "policy.paged_merge_adjacent", CFG_BOOL, "false", 0, -1, NULL,
	  "paged: read physically adjacent blocks of a request as one run (optimistic; default one run per block)" },
	{ "policy.paged_block_layout", CFG_ENUM, "per_layer", 0, -1, "per_head|per_layer",
	  "paged: what one block of one layer's K (or V) is in memory: per_head = one run per KV head "
	  "(block_size*head_dim), per_layer = one run of all KV heads (block_size*kv_heads*head_dim, vLLM v1 FlashAttention layout)" },
	{ "policy.paged_kernel", CFG_ENUM, "native", 0, -1, "native|gather",
	  "paged: native = a paged-attention kernel reads the blocks in place; gather = no such kernel "
	  "(the case ODMA argues): blocks are copied to a contiguous buffer (read + write) before attention" },
	{ "policy.paged_free_order", CFG_ENUM, "lifo", 0, -1, "lifo|fifo",
	  "paged: free-block reuse order: lifo (last freed, first reused) or fifo (vLLM v1's free queue)" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static void pg_destroy(void *state)
{
	struct pg *s = state;
	if (!s)
		return;
	for (int32_t i = 0; i < s->nlive; i++) {
		free(s->live[i]->blk);
		free(s->live[i]);
	}
	free(s->live);
	for (int32_t i = 0; i < s->nspare; i++) {
		free(s->spare[i]->blk);
		free(s->spare[i]);
	}
	free(s->spare);
	free(s->fl);
	free(s->owner);
	for (uint32_t i = 0; i < s->nsaved; i++)
		free(s->saved[i].blk);
	free(s->saved);
	free(s->tag_req);
	free(s->tag_pos);
	free(s);
}

static int pg_create(const struct cfg *c, const struct pol_env *env, void **state, struct om_err *e)
{
	int64_t bs = cfg_int(c, "policy.block_size");
	int64_t nb = env->pool_tokens / bs;
	if (nb < 1)
		return cfg_fail(c, "policy.block_size", e,
				"a block of %lld tokens is larger than the KV pool of %lld tokens",
				(long long)bs, (long long)env->pool_tokens);
	if (nb > INT32_MAX - 1)
		return cfg_fail(c, "policy.block_size", e,
				"%lld blocks are too many; use larger blocks", (long long)nb);
	/* As vLLM refuses to start when max_model_len cannot fit in the cache:
	 * otherwise one long request could preempt itself forever. */
	int64_t need = (env->max_model_len + bs - 1) / bs;
	if (need > nb)
		return cfg_fail(c, "policy.max_model_len", e,
				"%d tokens need %lld blocks of %lld but the KV pool has %lld",
				env->max_model_len, (long long)need, (long long)bs, (long long)nb);
	struct pg *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, NULL, 0, NULL, "out of memory");
	s->env = env;
	s->bs = (int32_t)bs;
	s->nblocks = (int32_t)nb;
	s->watermark = (int32_t)(cfg_real(c, "policy.watermark") * (double)nb);
	s->kernel_factor = cfg_real(c, "policy.paged_kernel_factor");
	s->merge = cfg_bool(c, "policy.paged_merge_adjacent");
	s->fifo = strcmp(cfg_str(c, "policy.paged_free_order"), "fifo") == 0;
	s->per_layer = strcmp(cfg_str(c, "policy.paged_block_layout"), "per_layer") == 0;
	s->gather = strcmp(cfg_str(c, "policy.paged_kernel"), "gather") == 0;
	s->fl = malloc((size_t)nb * sizeof *s->fl);
	s->owner = malloc((size_t)nb * sizeof *s->owner);
	s->tag_req = malloc((size_t)nb * sizeof *s->tag_req);
	s->tag_pos = malloc((size_t)nb * sizeof *s->tag_pos);
	if (!s->fl || !s->owner || !s->tag_req || !s->tag_pos) {
		pg_destroy(s);
		return err_set(e, NULL, 0, NULL, "out of memory");
	}
	/* Either order hands out block 0, 1, 2... from a fresh pool. */
	for (int32_t i = 0; i < s->nblocks; i++) {
		s->fl[i] = s->fifo ? i : s->nblocks - 1 - i;
		s->owner[i] = -1;
		s->tag_req[i] = -1;
	}
	s->fl_len = s->nblocks;
	double per_tok;
	pg_run_shape(s, &per_tok, &s->rd_regions);
	s->rd_bytes_per_token = per_tok * s->rd_regions;
	*state = s;
	return 0;
}

/* The ring position k places after its head (k < 2 nblocks): a compare
 * instead of a division on every block taken or returned. */
static int32_t fl_at(const struct pg *s, int32_t k)
{
	int32_t x = s->fl_head + k;
	return x >= s->nblocks ? x - s->nblocks : x;
}

static int32_t blocks_for(const struct pg *s, int64_t tokens)
{
	return (int32_t)((tokens + s->bs - 1) / s->bs);
}

/* Makes room in q's table for `add` more blocks; -1 (nothing changed) when
 * out of memory. Apart: its callers' common path need not save registers
 * for a realloc. */
__attribute__((noinline)) static int reserve(struct pg_req *q, int32_t add)
{
	if (q->n + add > q->cap) {
		int32_t nc = q->cap ? q->cap : 4;
		while (nc < q->n + add)
			nc *= 2;
		int32_t *nb = realloc(q->blk, (size_t)nc * sizeof *nb);
		if (!nb)
			return -1;
		q->blk = nb;
		q->cap = nc;
	}
	return 0;
}

/* Appends `add` free blocks to q's table, which has room for them: from the
 * free list's front (fifo) or back, the ring position stepped. */
static inline void take_room(struct pg *s, struct pg_req *q, int32_t add)
{
	int32_t *dst = q->blk + q->n, last = s->nblocks - 1;
	int32_t at = s->fifo ? s->fl_head : fl_at(s, s->fl_len - 1);
	for (int32_t i = 0; i < add; i++) {
		int32_t b = s->fl[at];
		if (s->fifo)
			at = at == last ? 0 : at + 1;
		else
			at = at == 0 ? last : at - 1;
		s->tag_req[b] = -1; /* reused: whatever KV it cached is gone */
		s->owner[b] = q->ri;
		dst[i] = b;
	}
	if (s->fifo)
		s->fl_head = at;
	s->fl_len -= add;
	q->n += add;
	s->used += add;
}

/* Appends `add` blocks; the caller has checked they are free. Returns -1 only
 * when the table cannot grow (out of memory), having changed nothing. */
static inline int take(struct pg *s, struct pg_req *q, int32_t add)
{
	if (q->n + add > q->cap && reserve(q, add) < 0)
		return -1;
	take_room(s, q, add);
	return 0;
}

/* Prefix cache: moves the leading blocks of r's preempted table that are still
 * cached (at most nb) from the free list into q, which has room for them, and
 * notes how many for pg_cached. The free list keeps the others' order. */
static void reclaim(struct pg *s, struct pg_req *q, const struct sim_req *r, int32_t nb)
{
	uint32_t ri = pol_req_idx(s->env, r);
	if (ri >= s->nsaved)
		return;
	struct pg_saved *v = &s->saved[ri];
	int32_t h = 0;
	while (h < v->n && h < nb && s->tag_req[v->blk[h]] == (int64_t)ri
	       && s->tag_pos[v->blk[h]] == h)
		s->tag_req[v->blk[h++]] = -2; /* to leave the free list */
	v->hit = h;
	v->n = 0;
	if (h == 0)
		return;
	int32_t w = 0;
	for (int32_t k = 0; k < s->fl_len; k++) {
		int32_t b = s->fl[(s->fl_head + k) % s->nblocks];
		if (s->tag_req[b] != -2)
			s->fl[(s->fl_head + w++) % s->nblocks] = b;
	}
	s->fl_len = w;
	for (int32_t i = 0; i < h; i++) {
		int32_t b = v->blk[i];
		s->tag_req[b] = -1;
		s->owner[b] = ri;
		q->blk[q->n++] = b;
	}
	s->used += h;
}

/* Room for twice the live records, and as many spare ones (every record
 * is live or spare, and none is made while a spare one is left). */
static int grow_live(struct pg *s)
{
	int32_t nc = s->live_cap ? s->live_cap * 2 : 64;
	struct pg_req **nl = realloc(s->live, (size_t)nc * sizeof *nl);
	if (!nl)
		return -1;
	s->live = nl;
	struct pg_req **ns = realloc(s->spare, (size_t)nc * sizeof *ns);
	if (!ns)
		return -1;
	s->spare = ns;
	s->live_cap = nc;
	return 0;
}

static enum pol_rc pg_admit(void *state, struct sim_req *r, int32_t tokens)
{
	struct pg *s = state;
	int32_t nb = blocks_for(s, tokens);
	if (nb > s->nblocks)
		return POL_NEVER;
	/* The watermark keeps room for running requests to grow; with nothing
	 * running there is nothing to protect (vLLM v1 skips it then too). */
	int32_t wm = s->used > 0 ? s->watermark : 0;
	if ((int64_t)nb + wm > s->fl_len)
		return POL_NO_ROOM;
	if (s->nlive == s->live_cap && grow_live(s) < 0)
		return POL_NO_ROOM;
	struct pg_req *q = s->nspare ? s->spare[--s->nspare] : calloc(1, sizeof *q);
	if (!q)
		return POL_NO_ROOM;
	q->n = 0;
	q->r = r;
	q->ri = (int64_t)pol_req_idx(s->env, r);
	if (nb > q->cap && reserve(q, nb) < 0) {
		s->spare[s->nspare++] = q;
		return POL_NO_ROOM;
	}
	reclaim(s, q, r, nb);
	take_room(s, q, nb - q->n);
	q->live_slot = s->nlive;
	s->live[s->nlive++] = q;
	r->pol_ptr = q;
	r->pol_cap = q->n * s->bs;
	return POL_OK;
}

static enum pol_rc pg_grow(void *state, struct sim_req *r, int32_t tokens, struct it_cost *cost)
{
	struct pg *s = state;
	struct pg_req *q = r->pol_ptr;
	(void)cost;
	int32_t nb = blocks_for(s, tokens);
	if (nb <= q->n)
		return POL_OK;
	if (nb > s->nblocks)
		return POL_NEVER;
	int32_t add = nb - q->n;
	if (add > s->fl_len || take(s, q, add) < 0)
		return POL_NO_ROOM;
	r->pol_cap = q->n * s->bs;
	return POL_OK;
}

static void pg_release(void *state, struct sim_req *r)
{
	struct pg *s = state;
	struct pg_req *q = r->pol_ptr;
	if (!q)
		return;
	/* Tail first, as vLLM frees a request's blocks in reverse: each goes
	 * to the free list's back, in at most two stretches of the ring. */
	int64_t ri = q->ri;
	int32_t at = fl_at(s, s->fl_len);
	for (int32_t i = q->n; i > 0; at = 0) {
		int32_t *dst = s->fl + at, run = s->nblocks - at < i ? s->nblocks - at : i;
		for (int32_t k = 0; k < run; k++) {
			int32_t b = q->blk[--i];
			if (s->owner[b] != ri)
				abort(); /* double release: a scheduler bug, never a user error */
			s->owner[b] = -1;
			dst[k] = b;
		}
	}
	s->fl_len += q->n;
	s->used -= q->n;
	struct pg_req *last = s->live[--s->nlive];
	s->live[q->live_slot] = last;
	last->live_slot = q->live_slot;
	s->spare[s->nspare++] = q;
	r->pol_ptr = NULL;
	r->pol_cap = 0;
}

/* Prefix cache: r is about to be released by preemption. Its full blocks
 * (vLLM caches only full blocks) stay tagged as holding its KV until reused. */
static void pg_preempt(void *state, const struct sim_req *r)
{
	struct pg *s = state;
	const struct pg_req *q = r->pol_ptr;
	if (!q)
		return;
	uint32_t ri = pol_req_idx(s->env, r);
	if (ri >= s->nsaved) {
		uint32_t nn = s->nsaved ? s->nsaved : 64;
		while (nn <= ri)
			nn *= 2;
		struct pg_saved *ns = realloc(s->saved, (size_t)nn * sizeof *ns);
		if (!ns)
			return; /* out of memory: nothing kept, all recomputed */
		memset(ns + s->nsaved, 0, (size_t)(nn - s->nsaved) * sizeof *ns);
		s->saved = ns;
		s->nsaved = nn;
	}
	struct pg_saved *v = &s->saved[ri];
	int32_t full = r->ctx / s->bs;
	if (full > q->n)
		full = q->n;
	int32_t *nb = realloc(v->blk, (size_t)(full > 0 ? full : 1) * sizeof *nb);
	if (!nb)
		return;
	v->blk = nb;
	v->n = full;
	for (int32_t i = 0; i < full; i++) {
		v->blk[i] = q->blk[i];
		s->tag_req[q->blk[i]] = ri;
		s->tag_pos[q->blk[i]] = i;
	}
}

static int32_t pg_cached(const void *state, const struct sim_req *r)
{
	const struct pg *s = state;
	uint32_t ri = pol_req_idx(s->env, r);
	return ri < s->nsaved ? s->saved[ri].hit * s->bs : 0;
}

/* Bytes per token of one run, and runs per block (one per layer, K or V,
 * and KV head unless the block layout keeps a layer's heads together). */
static void pg_run_shape(const struct pg *s, double *per_tok, double *regions)
{
	const struct dev_timing *dt = s->env->dt;
	*per_tok = dt->dd.run_bytes_per_token;
	*regions = (double)dt->dd.runs_per_region;
	if (s->per_layer) {
		*per_tok *= dt->m.kv_heads;
		*regions /= dt->m.kv_heads;
	}
}

static void pg_layout(const void *state, const struct sim_req *r, int32_t tokens,
		      struct it_cost *cost)
{
	const struct pg *s = state;
	const struct pg_req *q = r->pol_ptr;
	const struct dev_timing *dt = s->env->dt;
	double per_tok, regions;
	pg_run_shape(s, &per_tok, &regions);
	struct it_cost kv = { 0 };
	int32_t nb = blocks_for(s, tokens);
	if (q && nb > q->n)
		nb = q->n; /* cannot happen after grow(); never read past the table */
	if (!s->merge || !q) {
		int32_t full = tokens / s->bs, part = tokens % s->bs;
		dt_runs(dt, &kv, per_tok * s->bs, regions * full);
		dt_runs(dt, &kv, per_tok * part, regions * (part > 0));
	} else {
		int64_t left = tokens;
		for (int32_t i = 0; i < nb && left > 0;) {
			int32_t j = i + 1;
			while (j < nb && q->blk[j] == q->blk[j - 1] + 1)
				j++;
			int64_t seg = (int64_t)(j - i) * s->bs;
			if (seg > left)
				seg = left;
			dt_runs(dt, &kv, per_tok * (double)seg, regions);
			left -= seg;
			i = j;
		}
	}
	if (s->gather) {
		/* the copy: read the block runs and write them again */
		cost->extra_ns += 2.0 * dt_kv_ns(dt, &kv);
		dt_region(dt, cost, tokens);
		return;
	}
	cost->kv_ns += kv.kv_ns * s->kernel_factor;
	cost->kv_bytes += kv.kv_bytes;
	cost->kv_runs += kv.kv_runs;
	cost->kv_scale = s->kernel_factor;
}

/* One run per held block and (layer, head group): each request holds exactly
 * the blocks its context needs, so the runs total regions * used. Merged
 * layouts depend on where the blocks sit and take the per-request path. */
static bool pg_batch_reads(const void *state, size_t n, struct pol_reads *out)
{
	const struct pg *s = state;
	(void)n;
	if (s->merge || s->gather)
		return false;
	*out = (struct pol_reads){ s->rd_bytes_per_token, s->rd_regions * (double)s->used,
				   s->kernel_factor };
	return true;
}

/* A grow only appends free blocks to the request's own table (no copy, no
 * cost): it succeeds whenever the free list holds the blocks it needs. */
static bool pg_grow_plain(const void *state, const struct sim_req *r, int32_t tokens)
{
	const struct pg *s = state;
	const struct pg_req *q = r->pol_ptr;
	int32_t nb = blocks_for(s, tokens);
	return q && nb <= s->nblocks && nb - q->n <= s->fl_len;
}

/* pol_cap is always whole blocks, so a grow to one token past it takes one
 * more block: a decoding request grows once every block_size iterations. */
static int64_t pg_grow_period(const void *state)
{
	const struct pg *s = state;
	return s->bs;
}

/* pg_grow_step when r's table is full: apart, so that the common path
 * saves no registers for a realloc. */
__attribute__((noinline)) static bool pg_grow_step_full(struct pg *s, struct sim_req *r,
							struct pg_req *q)
{
	if (take(s, q, 1) < 0)
		return false;
	r->pol_cap = q->n * s->bs;
	return true;
}

/* pg_grow_plain and pg_grow for one block more, without their divisions
 * (a table holds fewer than nblocks blocks while one is free). */
static bool pg_grow_step(void *state, struct sim_req *r)
{
	struct pg *s = state;
	struct pg_req *q = r->pol_ptr;
	if (!q || s->fl_len == 0)
		return false;
	if (q->n == q->cap)
		return pg_grow_step_full(s, r, q);
	take_room(s, q, 1);
	r->pol_cap = q->n * s->bs;
	return true;
}

/* pg_stats' fields that change (its others are always 0): every changed
 * leapt iteration asks. */
static void pg_stats_moved(const void *state, struct pol_stats *ps)
{
	const struct pg *s = state;
	int64_t reserved = s->used * s->bs;
	ps->reserved_tokens = reserved;
	/* slots past the last whole block count as free but can never be used */
	ps->free_tokens = s->env->pool_tokens - reserved;
	/* any free block serves any request: the largest placeable request */
	ps->largest_free = (int64_t)s->fl_len * s->bs;
}

static const struct pol_speed pg_speed = {
	.grow_free_in_cap = true,
	.batch_reads = pg_batch_reads,
	.grow_plain = pg_grow_plain,
	.grow_period = pg_grow_period,
	.grow_step = pg_grow_step,
	.stats_moved = pg_stats_moved,
};

static void pg_stats(const void *state, struct pol_stats *ps)
{
	*ps = (struct pol_stats){ 0 };
	pg_stats_moved(state, ps);
}

static int pg_check(const void *state, struct om_err *e)
{
	const struct pg *s = state;
	if (s->used + s->fl_len != s->nblocks)
		return err_set(e, NULL, 0, "paged",
			       "INV-16: allocated %lld + free %d blocks != %d total",
			       (long long)s->used, s->fl_len, s->nblocks);
	unsigned char *seen = calloc((size_t)s->nblocks, 1);
	if (!seen)
		return err_set(e, NULL, 0, NULL, "out of memory");
	int rc = 0;
	for (int32_t i = 0; i < s->fl_len && !rc; i++) {
		int32_t b = s->fl[(s->fl_head + i) % s->nblocks];
		if (b < 0 || b >= s->nblocks)
			rc = err_set(e, NULL, 0, "paged", "INV-17: free list holds block %d of %d",
				     b, s->nblocks);
		else if (seen[b]++)
			rc = err_set(e, NULL, 0, "paged",
				     "INV-17: block %d is on the free list twice", b);
		else if (s->owner[b] != -1)
			rc = err_set(e, NULL, 0, "paged",
				     "INV-17: free block %d is owned by request %lld", b,
				     (long long)s->owner[b]);
	}
	int64_t held = 0;
	for (int32_t k = 0; k < s->nlive && !rc; k++) {
		const struct pg_req *q = s->live[k];
		if (q->live_slot != k || q->r->pol_ptr != q)
			rc = err_set(e, NULL, 0, "paged", "INV-18: request %lld: stale bookkeeping",
				     (long long)q->r->id);
		for (int32_t i = 0; i < q->n && !rc; i++) {
			int32_t b = q->blk[i];
			if (b < 0 || b >= s->nblocks)
				rc = err_set(e, NULL, 0, "paged",
					     "INV-18: request %lld holds block %d of %d",
					     (long long)q->r->id, b, s->nblocks);
			else if (seen[b]++)
				rc = err_set(e, NULL, 0, "paged",
					     "INV-18: block %d is owned twice (request %lld)", b,
					     (long long)q->r->id);
			else if (s->owner[b] != (int64_t)pol_req_idx(s->env, q->r))
				rc = err_set(e, NULL, 0, "paged",
					     "INV-18: block %d: owner %lld, table of %u", b,
					     (long long)s->owner[b], pol_req_idx(s->env, q->r));
		}
		held += q->n;
		if (!rc && q->r->ctx > (int64_t)q->n * s->bs)
			rc = err_set(e, NULL, 0, "paged",
				     "INV-19: request %lld: %d tokens in %d blocks of %d",
				     (long long)q->r->id, q->r->ctx, q->n, s->bs);
	}
	for (int32_t b = 0; b < s->nblocks && !rc; b++)
		if (s->tag_req[b] != -1 && s->owner[b] != -1)
			rc = err_set(
				e, NULL, 0, "paged",
				"INV-24: block %d is held by request %lld yet tagged as cached", b,
				(long long)s->owner[b]);
	if (!rc && held != s->used)
		rc = err_set(e, NULL, 0, "paged",
			     "INV-20: block tables hold %lld blocks, counter says %lld",
			     (long long)held, (long long)s->used);
	free(seen);
	return rc;
}

/* For the engine's checking mode: one range of block_size slots per block. */
static size_t pg_owned(const void *state, const struct sim_req *r, struct pol_range *out,
		       size_t max)
{
	const struct pg *s = state;
	const struct pg_req *q = r->pol_ptr;
	if (!q)
		return 0;
	for (int32_t i = 0; i < q->n && (size_t)i < max; i++)
		out[i] = (struct pol_range){ (int64_t)q->blk[i] * s->bs, s->bs };
	return (size_t)q->n;
}

const struct pol_ops pol_paged = {
	.name = "paged",
	.help = "vLLM v1 paged KV cache: fixed blocks on demand, preemption by recompute",
	.keys = pg_keys,
	.create = pg_create,
	.destroy = pg_destroy,
	.admit = pg_admit,
	.grow = pg_grow,
	.release = pg_release,
	.layout = pg_layout,
	.speed = &pg_speed,
	.stats = pg_stats,
	.check = pg_check,
	.owned = pg_owned,
	.preempt = pg_preempt,
	.cached = pg_cached,
};
