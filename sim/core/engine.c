#include "sim/core/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigmem.h"
#include "common/ncpu.h"
#include "common/registry.h"
#include "sim/core/evq.h"
#include "sim/core/metlog.h"
#include "sim/core/pred_setup.h"
#include "sim/core/prep.h"
#include "sim/core/router.h"
#include "sim/core/start_lengths.h"
#include "workload/wl_stream.h"

enum {
	EV_ARRIVAL = 1,
	EV_ITER_END = 2
};

/* meson sets this to "true" in debug builds (buildtype=debug). */
#ifndef OM_CHECK_DEFAULT
#define OM_CHECK_DEFAULT "false"
#endif

const struct cfg_key engine_keys[] = {
	{ "workload.max_new_tokens", CFG_INT, "0", 0, 1 << 24, NULL,
	  "per-request output cap (a sampling parameter the scheduler sees); 0 = up to max_model_len" },
	{ "cluster.router", CFG_STR, "round_robin", 0, -1, NULL,
	  "instances mode: how arrivals pick a replica (round_robin, least_loaded, least_kv)" },
	{ "run.sample_interval_s", CFG_REAL, "1", 0, 1e9, NULL,
	  "window of the utilization time series, simulated seconds; 0 = no series; a run longer than 10^6 windows doubles it as often as needed" },
	{ "run.check_invariants", CFG_BOOL, OM_CHECK_DEFAULT, 0, -1, NULL,
	  "verify policy and engine invariants after every event (slow; for tests and debugging; on by default in debug builds)" },
	{ "run.max_stall_iterations", CFG_INT, "0", 0, 1e15, NULL,
	  "stop with an error after this many iterations in which no request finished while requests waited; 0 = 4 * policy.max_model_len + 1000" },
	{ "run.requests_csv", CFG_BOOL, "true", 0, -1, NULL,
	  "write requests.csv (one row per request; most of the output time of big runs)" },
	{ "run.fast_path", CFG_BOOL, "true", 0, -1, NULL,
	  "use the exact shortcuts (batch KV pricing, skipped no-op grows, multi-iteration leaps); false = step every request every iteration. Results are identical either way" },
	{ "run.threads", CFG_INT, "0", 0, 1024, NULL,
	  "threads a run may use for work that cannot change its result (training, trace parsing, request preparation, output, metrics integration); 0 = auto (the CPUs it may run on); results are identical for any value" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

void eng_params_read(const struct cfg *c, struct eng_params *p)
{
	p->max_new_tokens = (int32_t)cfg_int(c, "workload.max_new_tokens");
	p->seed = (uint64_t)cfg_int(c, "workload.seed");
	p->devices = (size_t)cfg_int(c, "cluster.devices");
	p->router = cfg_str(c, "cluster.router");
	p->sample_ns = (int64_t)(cfg_real(c, "run.sample_interval_s") * 1e9);
	p->check = cfg_bool(c, "run.check_invariants");
	p->threads = ncpu_threads(cfg_int(c, "run.threads"), 2);
	pol_params_read(c, &p->pol);
	sched_params_read(c, &p->sched);
	p->stall_limit = cfg_int(c, "run.max_stall_iterations");
	if (p->stall_limit == 0)
		p->stall_limit = 4 * (int64_t)p->pol.max_model_len + 1000;
}

/* One serving instance: a replica on one card, or one tensor-parallel group. */
struct inst {
	struct sched s;
	void *ps;
	bool busy;
};

struct eng {
	const struct cfg *c; /* only to name a key in an error */
	struct eng_params p;
	const struct wl_trace *t;
	struct sim_req *reqs;
	int32_t *replica; /* the instance each request was routed to */
	int32_t *target;  /* true output tokens, at least 1: engine-private */
	struct inst *in;
	size_t n_in;
	const struct router_ops *router;
	uint64_t router_turn;
	struct router_view *view;
	struct pol_env env;
	struct start_lengths start; /* env's starting lengths, owned here */
	struct evq q;
	struct metlog ml; /* the run's integration steps, replayed into out->met */
	const struct pol_ops *pol;
	size_t next_arrival;
	bool arrival_pending;
	int64_t now, last_t;
	size_t finished;
	/* stall guard: iterations since a request last finished or was rejected */
	int64_t stall_iters;
	size_t last_resolved;
	/* requests [0, final) are finished or rejected; watch was told `told` */
	const struct eng_watch *watch;
	size_t final, told;
	/* checking mode scratch: ranges owned by running requests */
	struct pol_range *rng;
	size_t rng_cap;
	/* the requests' preparation (init_requests): reqs[k] and target[k]
	 * are read only after prep_need(k) */
	struct prep prep;
	const int32_t *truth;
	const struct pred_handle *pred;
	struct wl_trace *drop;
	struct wl_req *rowbuf; /* a streamed trace's block of rows */
	struct om_err prep_e;  /* why a block failed (prep_need false) */
};

/* Rejections happen at arrival and at admission (never_fits); each
 * instance's scheduler counts both. */
static size_t rejected(const struct eng *g)
{
	int64_t n = 0;
	for (size_t i = 0; i < g->n_in; i++)
		for (int k = 0; k < REJ_N; k++)
			n += sched_stats(&g->in[i].s)->rejected[k];
	return (size_t)n;
}

static size_t waiting(const struct eng *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n_in; i++)
		n += sched_waiting(&g->in[i].s);
	return n;
}

/* The engine's word to the scheduler as r starts running: the output
 * tokens it has left (its private truth, at least 1 then). */
static int64_t eng_finish_in(void *ctx, const struct sim_req *r)
{
	const struct eng *g = ctx;
	return (int64_t)g->target[r - g->reqs] - r->generated;
}

static void eng_on_finish(void *ctx, struct sim_req *r)
{
	struct eng *g = ctx;
	(void)r;
	g->finished++;
}

/* A request's preparation failed (a streamed workload's row): its error. */
static int prep_failed(const struct eng *g, struct om_err *e)
{
	*e = g->prep_e;
	return -1;
}

static size_t route(struct eng *g)
{
	if (g->n_in == 1)
		return 0;
	for (size_t i = 0; i < g->n_in; i++) {
		struct pol_stats ps;
		pol_stats(g->pol, g->in[i].ps, &ps);
		g->view[i] = (struct router_view){
			.waiting = (int64_t)sched_waiting(&g->in[i].s),
			.running = (int64_t)sched_running(&g->in[i].s),
			.reserved_tokens = ps.reserved_tokens,
			.pool_tokens = g->env.pool_tokens,
		};
	}
	return g->router->pick(g->view, g->n_in, &g->router_turn);
}

static int ingest(struct eng *g, struct om_err *e)
{
	while (g->next_arrival < g->t->n && g->reqs[g->next_arrival].arrival_ns <= g->now) {
		struct sim_req *r = &g->reqs[g->next_arrival++];
		/* request next_arrival is prepared whenever it exists (loop) */
		if (g->next_arrival < g->t->n && !prep_need(&g->prep, g->next_arrival))
			return prep_failed(g, e);
		size_t k = route(g);
		if (g->replica)
			g->replica[r - g->reqs] = (int32_t)k;
		if (sched_arrive(&g->in[k].s, r, g->now) < 0)
			return err_set(e, NULL, 0, NULL, "out of memory");
	}
	if (!g->arrival_pending && g->next_arrival < g->t->n) {
		if (evq_push(&g->q, g->reqs[g->next_arrival].arrival_ns, EV_ARRIVAL, 0) < 0)
			return err_set(e, NULL, 0, NULL, "out of memory");
		g->arrival_pending = true;
	}
	return 0;
}

/* Of the general pool (a reserved safety pool is not fragmentation). */
static double ext_frag(const struct pol_stats *ps)
{
	int64_t free = ps->free_tokens - (ps->safety_tokens - ps->safety_used_tokens);
	return free > 0 ? 1.0 - (double)ps->largest_free / (double)free : 0.0;
}

/* The state of an instance scheduling with s whose policy's stats are ps. */
static inline void sched_state(const struct sched *s, const struct pol_stats *ps,
			       struct met_state *st)
{
	*st = (struct met_state){
		.reserved = ps->reserved_tokens,
		.live = sched_live_tokens(s),
		.running = (int64_t)sched_running(s),
		.waiting = (int64_t)sched_waiting(s),
		.ext_frag = ext_frag(ps),
		.safety_used = ps->safety_used_tokens,
		.safety_tokens = ps->safety_tokens,
		.overflows = ps->overflows,
	};
}

/* Instance in's state on its own. */
static void inst_state(const struct eng *g, const struct inst *in, struct met_state *st)
{
	struct pol_stats ps;
	pol_stats(g->pol, in->ps, &ps);
	sched_state(&in->s, &ps, st);
}

/* The sums over instances (ext_frag: the mean), in instance order; one
 * instance (the common case, once per event) is its own state. */
static void fill_state(const struct eng *g, struct met_state *st)
{
	inst_state(g, &g->in[0], st);
	if (g->n_in == 1)
		return;
	st->ext_frag /= (double)g->n_in;
	for (size_t i = 1; i < g->n_in; i++) {
		struct met_state x;
		inst_state(g, &g->in[i], &x);
		st->reserved += x.reserved;
		st->live += x.live;
		st->running += x.running;
		st->waiting += x.waiting;
		st->ext_frag += x.ext_frag / (double)g->n_in;
		st->safety_used += x.safety_used;
		st->safety_tokens += x.safety_tokens;
		st->overflows += x.overflows;
	}
}

static void observe(struct eng *g)
{
	struct met_state st;
	fill_state(g, &st);
	metlog_set(&g->ml, &st);
}

static int cmp_range(const void *a, const void *b)
{
	const struct pol_range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Every running request's ranges lie in the instance's pool, no two overlap,
 * and together they are exactly what the policy reports reserved; waiting
 * requests (including preempted ones) hold nothing. */
static int check_owned(struct eng *g, const struct inst *in, int64_t reserved, struct om_err *e)
{
	size_t n = 0;
	if (!g->rng) {
		g->rng = malloc(64 * sizeof *g->rng);
		if (!g->rng)
			return err_set(e, NULL, 0, NULL, "out of memory");
		g->rng_cap = 64;
	}
	for (size_t i = 0; i < sched_running(&in->s); i++) {
		const struct sim_req *r = sched_running_at(&in->s, i);
		for (;;) {
			size_t k = pol_owned(g->pol, in->ps, r, g->rng + n, g->rng_cap - n);
			if (n + k <= g->rng_cap) {
				n += k;
				break;
			}
			size_t nc = (n + k) * 2 + 64;
			struct pol_range *nr = realloc(g->rng, nc * sizeof *nr);
			if (!nr)
				return err_set(e, NULL, 0, NULL, "out of memory");
			g->rng = nr;
			g->rng_cap = nc;
		}
	}
	for (size_t i = 0; i < sched_waiting(&in->s); i++) {
		const struct sim_req *r = sched_waiting_at(&in->s, i);
		struct pol_range tmp;
		if (pol_owned(g->pol, in->ps, r, &tmp, 1) != 0)
			return err_set(e, NULL, 0, "engine",
				       "INV-8: waiting request %lld still holds KV memory",
				       (long long)r->id);
	}
	qsort(g->rng, n, sizeof *g->rng, cmp_range);
	int64_t sum = 0, pool = g->env.pool_tokens;
	for (size_t i = 0; i < n; i++) {
		const struct pol_range *x = &g->rng[i];
		if (x->len <= 0 || x->off < 0 || x->off + x->len > pool)
			return err_set(
				e, NULL, 0, "engine",
				"INV-5: owned range [%lld, +%lld) lies outside the pool of %lld tokens",
				(long long)x->off, (long long)x->len, (long long)pool);
		if (i && g->rng[i - 1].off + g->rng[i - 1].len > x->off)
			return err_set(
				e, NULL, 0, "engine",
				"INV-6: owned ranges [%lld, +%lld) and [%lld, +%lld) overlap",
				(long long)g->rng[i - 1].off, (long long)g->rng[i - 1].len,
				(long long)x->off, (long long)x->len);
		sum += x->len;
	}
	if (sum != reserved)
		return err_set(
			e, NULL, 0, "engine",
			"INV-7: running requests own %lld tokens but the policy reports %lld reserved",
			(long long)sum, (long long)reserved);
	return 0;
}

static int check_all(struct eng *g, struct om_err *e)
{
	if (g->now < g->last_t)
		return err_set(e, NULL, 0, "engine", "INV-1: time went back from %lld to %lld ns",
			       (long long)g->last_t, (long long)g->now);
	size_t inside = g->finished + rejected(g);
	for (size_t i = 0; i < g->n_in; i++) {
		const struct inst *in = &g->in[i];
		sched_sync(&g->in[i].s); /* the policy's checks read the batch */
		if (pol_check(g->pol, in->ps, e) < 0)
			return err_wrap(e, "policy invariant");
		struct pol_stats ps;
		pol_stats(g->pol, in->ps, &ps);
		if (ps.reserved_tokens + ps.free_tokens != g->env.pool_tokens)
			return err_set(
				e, NULL, 0, "engine",
				"INV-2: instance %zu: reserved %lld + free %lld != pool %lld", i,
				(long long)ps.reserved_tokens, (long long)ps.free_tokens,
				(long long)g->env.pool_tokens);
		if (sched_live_tokens(&in->s) > ps.reserved_tokens)
			return err_set(e, NULL, 0, "engine",
				       "INV-3: instance %zu: live tokens %lld exceed reserved %lld",
				       i, (long long)sched_live_tokens(&in->s),
				       (long long)ps.reserved_tokens);
		inside += sched_waiting(&in->s) + sched_running(&in->s);
		if (sched_check(&in->s, e) < 0)
			return err_wrap(e, "scheduler invariant");
		if (pol_reports_owned(g->pol) && check_owned(g, in, ps.reserved_tokens, e) < 0)
			return -1;
	}
	if (g->next_arrival != inside)
		return err_set(
			e, NULL, 0, "engine",
			"INV-4: request conservation: %zu arrived but %zu waiting + running + "
			"finished + rejected",
			g->next_arrival, inside);
	return 0;
}

static int start(struct eng *g, size_t i, struct om_err *e)
{
	struct inst *in = &g->in[i];
	if (in->busy)
		return 0;
	int64_t d = sched_begin(&in->s, g->now, NULL);
	if (d >= INT64_MAX - g->now)
		return err_set(e, NULL, 0, "device",
			       "an iteration at t = %.3f s would take %s%.3g s and overflow "
			       "simulated time; the device is far too slow for this model "
			       "(see device.peak_tflops, device.compute_eff, "
			       "device.peak_bw_gbps, model.params_b)",
			       (double)g->now / 1e9, d == INT64_MAX ? "over " : "",
			       (double)d / 1e9);
	if (d <= 0 && sched_waiting(&in->s) > 0) {
		/* Nothing runs and the queue head cannot start: no later event
		 * can change that, so waiting would never end. */
		char why[512];
		sched_explain(&in->s, why, sizeof why);
		return err_set(
			e, NULL, 0, "scheduler",
			"stalled at t = %.6f s with %zu requests waiting and none running: %s",
			(double)g->now / 1e9, sched_waiting(&in->s), why);
	}
	if (d <= 0)
		return 0;
	if (evq_push(&g->q, g->now + d, EV_ITER_END, (int32_t)i) < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	in->busy = true;
	return 0;
}

/* check_stall given the requests rejected so far and waiting now. */
static int check_stall_with(struct eng *g, size_t rejects, size_t waits, struct om_err *e)
{
	size_t res = g->finished + rejects;
	if (res != g->last_resolved || waits == 0) {
		g->last_resolved = res;
		g->stall_iters = 0;
		return 0;
	}
	if (++g->stall_iters <= g->p.stall_limit)
		return 0;
	size_t k = 0, running = 0;
	for (size_t i = 0; i < g->n_in; i++) {
		running += sched_running(&g->in[i].s);
		if (sched_waiting(&g->in[i].s) > sched_waiting(&g->in[k].s))
			k = i;
	}
	char why[512];
	sched_explain(&g->in[k].s, why, sizeof why);
	return cfg_fail(
		g->c, "run.max_stall_iterations", e,
		"stalled at t = %.6f s: no request finished in %lld iterations while %zu waited "
		"and %zu ran; %s%s",
		(double)g->now / 1e9, (long long)g->stall_iters, waiting(g), running,
		g->n_in > 1 ? "on the fullest instance, " : "", why);
}

/* Called after each iteration: fails if no request finished or was rejected
 * for stall_limit iterations while requests waited. */
static int check_stall(struct eng *g, struct om_err *e)
{
	return check_stall_with(g, rejected(g), waiting(g), e);
}

/* A leap replays what the event loop would do for each iteration it skips:
 * the state observed once the iteration began, then time advancing to its
 * end, the finishes there and the stall check. Only this instance changes
 * meanwhile. */
struct leap_ctx {
	struct eng *g;
	const struct sched *s;
	struct om_err *e;
	struct met_state st;
	/* the metrics hold st but for its live tokens; until then st is unset
	 * (a leap that stops before its first iteration needs none) */
	bool st_set;
	/* one instance, whose policy's stats move only in reserved, free and
	 * largest free tokens (pol_stats_movable): ps, which st was made from,
	 * kept up to date; once set, st then moves only in reserved, running,
	 * ext_frag and live */
	bool moved;
	struct pol_stats ps;
	const void *pol_state;
	int64_t other_live; /* the other instances' live tokens, once st is set */
	/* neither changes within a leap (no arrival, admission or preemption) */
	size_t rejects, waits;
};

/* An iteration leapt over, to the metrics: time advancing to its end (its
 * state set), where every running request got a token, its last one at
 * `begin`. */
static inline int leap_step(struct leap_ctx *lc, int64_t begin, int64_t end)
{
	lc->g->now = end;
	metlog_step(&lc->g->ml, end - begin, (int64_t)sched_running(lc->s), lc->st.live, end);
	return 0;
}

/* leap_iter when the state for the metrics changed or was not set yet:
 * apart (not inlined), so that the common iteration's path stays short. */
__attribute__((noinline)) static int leap_iter_set(struct leap_ctx *lc, int64_t begin, int64_t end,
						   int64_t live, bool changed)
{
	if (!lc->st_set) { /* the state as the leap's first iteration began */
		if (lc->moved) {
			pol_stats(lc->g->pol, lc->pol_state, &lc->ps);
			sched_state(lc->s, &lc->ps, &lc->st);
		} else {
			fill_state(lc->g, &lc->st);
		}
		lc->other_live = lc->st.live - sched_live_tokens(lc->s);
	} else if (changed && lc->moved) { /* grows or finishes within the leap */
		pol_stats_moved(lc->g->pol, lc->pol_state, &lc->ps);
		lc->st.reserved = lc->ps.reserved_tokens;
		lc->st.running = (int64_t)sched_running(lc->s);
		lc->st.ext_frag = ext_frag(&lc->ps);
	} else if (changed) {
		fill_state(lc->g, &lc->st);
	}
	lc->st.live = lc->other_live + live;
	if (lc->moved && lc->st_set) { /* the set and the step in one record */
		lc->g->now = end;
		metlog_move(&lc->g->ml, &lc->st, end - begin, end);
		return 0;
	}
	metlog_set(&lc->g->ml, &lc->st);
	lc->st_set = true;
	return leap_step(lc, begin, end);
}

static int leap_iter(void *ctx, int64_t begin, int64_t end, int64_t live, bool changed)
{
	struct leap_ctx *lc = ctx;
	if (changed || !lc->st_set)
		return leap_iter_set(lc, begin, end, live, changed);
	lc->st.live = lc->other_live + live;
	return leap_step(lc, begin, end);
}

static void leap_finished(void *ctx, struct sim_req *r)
{
	struct leap_ctx *lc = ctx;
	eng_on_finish(lc->g, r);
}

static int leap_after(void *ctx)
{
	struct leap_ctx *lc = ctx;
	return check_stall_with(lc->g, lc->rejects, lc->waits,
				lc->e); /* as after every iteration */
}

/* Called just after instance i's iteration ended: leaps over the following
 * pure-decode iterations that end before any other event. Inlined into the
 * event loop, which calls it after every iteration (left to itself the
 * compiler keeps it apart, which costs a static run instructions:
 * commit 1685e06). */
__attribute__((always_inline)) static inline int leap(struct eng *g, size_t i, struct om_err *e)
{
	struct sched *s = &g->in[i].s;
	if (!sched_may_leap(s))
		return 0;
	if (g->next_arrival < g->t->n && g->reqs[g->next_arrival].arrival_ns <= g->now)
		return 0;
	int64_t limit = evq_next_t(&g->q);
	/* field by field: st and ps, set at the first leapt iteration, are not
	 * zeroed first on every leap tried */
	struct leap_ctx lc;
	lc.g = g;
	lc.s = s;
	lc.e = e;
	lc.st_set = false;
	lc.moved = g->n_in == 1 && pol_stats_movable(g->pol);
	lc.pol_state = g->in[i].ps;
	lc.other_live = 0;
	lc.rejects = rejected(g);
	lc.waits = waiting(g);
	const struct sched_leap_hooks h = {
		.ctx = &lc,
		.on_iter = leap_iter,
		.on_finish = leap_finished,
		.after = leap_after,
		/* with nobody waiting the stall check only notes finishes */
		.after_finishes_only = lc.waits == 0,
	};
	return sched_leap(s, &g->now, limit, &h) < 0 ? -1 : 0;
}

/* Extends the final prefix past requests that are done with: a request
 * finishes or is rejected once, and nothing writes it afterwards. */
static void watch_step(struct eng *g)
{
	size_t k = g->final;
	while (k < g->next_arrival
	       && (g->reqs[k].state == RS_FINISHED || g->reqs[k].state == RS_REJECTED))
		k++;
	g->final = k;
	if (k - g->told >= ENG_WATCH_ROWS) {
		g->watch->final(g->watch->ctx, g->reqs, g->replica, k);
		g->told = k;
	}
}

static int loop(struct eng *g, struct om_err *e)
{
	struct ev ev;
	/* The first arrival is an event like any other, so offline workloads
	 * (everyone at t = 0) are all queued before the first iteration forms. */
	if (!prep_need(&g->prep, 0)) /* then ingest asks for each next arrival */
		return prep_failed(g, e);
	if (evq_push(&g->q, g->reqs[0].arrival_ns, EV_ARRIVAL, 0) < 0)
		return err_set(e, NULL, 0, NULL, "out of memory");
	g->arrival_pending = true;
	while (evq_pop(&g->q, &ev)) {
		g->now = ev.t;
		metlog_advance(&g->ml, g->now);
		if (ev.type == EV_ARRIVAL) {
			g->arrival_pending = false;
			if (ingest(g, e) < 0)
				return -1;
			for (size_t i = 0; i < g->n_in; i++)
				if (start(g, i, e) < 0)
					return -1;
		} else {
			struct inst *in = &g->in[ev.arg];
			sched_end(&in->s, g->now, eng_on_finish, g);
			in->busy = false;
			if (sched_failed(&in->s, e) < 0 || check_stall(g, e) < 0)
				return -1;
			if (leap(g, ev.arg, e) < 0)
				return -1;
			if (ingest(g, e) < 0)
				return -1;
			/* arrivals routed just now may have gone to an idle instance */
			for (size_t i = 0; i < g->n_in; i++)
				if (start(g, i, e) < 0)
					return -1;
		}
		observe(g);
		if (g->p.check && check_all(g, e) < 0)
			return -1;
		g->last_t = g->now;
		if (g->watch)
			watch_step(g);
	}
	if (g->finished + rejected(g) != g->t->n)
		return err_set(e, NULL, 0, "engine",
			       "run ended with %zu of %zu requests unresolved (scheduler stalled)",
			       g->t->n - g->finished - rejected(g), g->t->n);
	return metlog_finish(&g->ml, g->now) < 0 ? err_set(e, NULL, 0, NULL, "out of memory") : 0;
}

static void predict_rows(const struct pred_handle *ph, const struct wl_trace *t,
			 struct sim_req *reqs, const int32_t *target, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct pred_sample smp = {
			.id = reqs[i].id, /* init_rows's copies: a streamed trace has no rows */
			.text = t->stream ? "" : trace_text(t, i),
			.prompt_tokens = reqs[i].prompt_tokens,
			/* only the labelled truth-readers (oracle, noisy) get the label */
			.out_tokens = ph->ops->wants_truth ? target[i] : -1,
		};
		struct pred_out o = { -1, 0.0f, -1, false };
		ph->ops->predict(ph->state, &smp, &o);
		reqs[i].predicted_len = o.len;
		reqs[i].pred_bucket = (int16_t)o.bucket;
		reqs[i].pred_uncertain = o.uncertain;
	}
}

/* The policy's time series outlives the policy: keep it as text. With
 * several instances, the first one's (they see statistically alike traffic). */
static int capture_series(const struct pol_ops *pol, const void *ps, struct run_result *out)
{
	size_t len = 0;
	FILE *f = open_memstream(&out->pol_series, &len);
	if (!f)
		return -1;
	pol_series(pol, ps, f);
	if (fclose(f) != 0)
		return -1;
	out->pol_series_file = pol_series_file(pol);
	return 0;
}

/* Requests still running when the run stops were never released, where the
 * scheduler records a stay's peak reservation: record theirs now. */
static void note_held_peaks(struct eng *g)
{
	for (size_t i = 0; i < g->n_in; i++) {
		sched_sync(&g->in[i].s); /* their records as they stand */
		for (size_t k = 0; k < sched_running(&g->in[i].s); k++) {
			struct sim_req *r = &g->reqs[sched_running_at(&g->in[i].s, k) - g->reqs];
			if (r->pol_cap > r->reserved_peak)
				r->reserved_peak = r->pol_cap;
		}
	}
}

/* Rows are turned into records (and predicted, in order) a block at a time;
 * a block is also what a run waiting for its preparation waits for. */
#define ENG_ROW_BLOCK 8192

/* rows[k] and truth[k] are request from + k's */
static void init_rows(struct eng *g, const struct wl_req *rows, const int32_t *truth, size_t from,
		      size_t to)
{
	int32_t mml = g->p.pol.max_model_len;
	int64_t max_new = g->p.max_new_tokens;
	for (size_t i = from; i < to; i++) {
		struct sim_req *r = &g->reqs[i];
		const struct wl_req *w = &rows[i - from];
		r->id = w->id;
		r->arrival_ns = w->arrival_ns;
		r->prompt_tokens = w->prompt_tokens;
		int64_t cap = (int64_t)mml - r->prompt_tokens;
		if (max_new > 0 && max_new < cap)
			cap = max_new;
		r->max_output = cap > 0 ? (int32_t)cap : 0;
		r->predicted_len = -1;
		r->pred_bucket = -1;
		r->first_admit_ns = r->first_token_ns = r->finish_ns = -1;
		g->target[i] = truth[i - from] > 0 ? truth[i - from] : 1;
	}
}

/* A streamed trace's rows are made here, block by block, their true
 * lengths straight into target (init_rows then clamps them in place). */
static int prep_rows(void *ctx, size_t from, size_t to)
{
	struct eng *g = ctx;
	if (g->t->stream) {
		if (wl_stream_rows(g->t->stream, from, to, g->rowbuf, g->target + from, &g->prep_e)
		    < 0)
			return -1;
		init_rows(g, g->rowbuf, g->target + from, from, to);
	} else {
		init_rows(g, g->t->req + from, g->truth + from, from, to);
	}
	if (g->pred && g->pred->ops)
		predict_rows(g->pred, g->t, g->reqs, g->target, from, to);
	if (g->drop)
		trace_release_rows(g->drop, from, to);
	return 0;
}

/* After the last block: only t->n is read from here on, and no row is
 * made again (the run's peak memory comes later). */
static void prep_drop(void *ctx)
{
	struct eng *g = ctx;
	free(g->rowbuf);
	g->rowbuf = NULL;
	if (g->drop)
		trace_drop_rows(g->drop);
}

/* drop: t itself when its rows may go; then the truth array becomes the
 * engine's target in place instead of being copied beside it, and each block
 * of rows is given back once its records are built, so the records and the
 * whole of the rows never coexist (the run's peak memory). With two threads
 * the blocks are prepared beside the run (prep.h): nothing between here and
 * the loop reads reqs or target, the loop asks before it reads. */
static int init_requests(struct eng *g, const struct wl_trace *t, struct wl_trace *drop,
			 const struct pred_handle *pred, struct om_err *e)
{
	size_t n = t->n;
	g->truth = t->out_tokens;
	g->reqs = bigmem_calloc(n ? n : 1, sizeof *g->reqs);
	if (g->reqs && drop && drop->out_tokens) {
		g->target = drop->out_tokens;
		drop->out_tokens = NULL;
	} else if (g->reqs) {
		g->target = malloc((n ? n : 1) * sizeof *g->target);
	}
	if (g->reqs && g->target && t->stream)
		g->rowbuf = malloc((n < ENG_ROW_BLOCK ? n : ENG_ROW_BLOCK) * sizeof *g->rowbuf);
	if (!g->reqs || !g->target || (t->stream && !g->rowbuf))
		return err_set(e, NULL, 0, NULL, "out of memory");
	g->pred = pred;
	g->drop = drop;
	prep_start(&g->prep, n, ENG_ROW_BLOCK, g->p.threads > 1, prep_rows,
		   drop || g->rowbuf ? prep_drop : NULL, g);
	/* inline, a failed block is known now: fail before the run, as the
	 * whole-trace build would */
	if (!g->prep.started && atomic_load(&g->prep.failed))
		return prep_failed(g, e);
	return 0;
}

/* Allocated once the trace's rows may be gone, so the two never coexist;
 * only with several instances (run_replica answers for one). */
static int init_replicas(struct eng *g, struct om_err *e)
{
	size_t n = g->t->n;
	if (g->n_in < 2)
		return 0;
	g->replica = malloc((n ? n : 1) * sizeof *g->replica);
	if (!g->replica)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		g->replica[i] = -1;
	return 0;
}

static int find_policy(struct eng *g, struct om_err *e)
{
	const char *pname = g->p.pol.name;
	g->pol = pol_find(pname);
	if (g->pol)
		return 0;
	char list[256];
	return cfg_fail(g->c, "policy.name", e, "unknown policy '%s' (known: %s)", pname,
			reg_names(REG(pol_registry), ", ", list, sizeof list));
}

/* Replicas: one instance per card unless the cards form one tensor-parallel group. */
static int init_instances(struct eng *g, const struct dev_timing *dt, struct om_err *e)
{
	g->n_in = dt->tp > 1 ? 1 : g->p.devices;
	g->router = router_find(g->p.router);
	if (!g->router) {
		char list[256];
		return cfg_fail(g->c, "cluster.router", e, "unknown router '%s' (known: %s)",
				g->p.router,
				reg_names(REG(router_registry), ", ", list, sizeof list));
	}
	g->in = calloc(g->n_in, sizeof *g->in);
	g->view = calloc(g->n_in, sizeof *g->view);
	if (!g->in || !g->view)
		return err_set(e, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < g->n_in; i++) {
		if (pol_create(g->pol, g->c, &g->env, &g->in[i].ps, e) < 0)
			return -1;
		if (sched_init(&g->in[i].s, &g->p.sched, g->pol, g->in[i].ps, dt, g->reqs, g->t->n,
			       e)
		    < 0)
			return -1;
		g->in[i].s.itl = &g->ml.itl_run;
		sched_set_finish(&g->in[i].s, eng_finish_in, g);
	}
	return 0;
}

static void free_instances(struct eng *g)
{
	for (size_t i = 0; g->in && i < g->n_in; i++) {
		pol_destroy(g->pol, g->in[i].ps);
		sched_free(&g->in[i].s);
	}
	free(g->in);
	free(g->view);
	g->in = NULL;
	g->view = NULL;
}

/* What every policy instance is created with; the starting lengths (for a
 * policy that names them) are read here so that no policy opens a trace. */
static int init_env(struct eng *g, const struct dev_timing *dt, const struct pred_handle *pred,
		    struct om_err *e)
{
	g->env = (struct pol_env){
		.dt = dt,
		.pool_tokens = dt->dd.pool_tokens,
		.max_model_len = g->p.pol.max_model_len,
		.seed = g->p.seed,
		.reqs = g->reqs,
		.truth = g->pol->wants_truth ? g->target : NULL,
	};
	if (!g->pol->start_lengths_key)
		return 0;
	if (start_lengths_load(g->c, g->pol->start_lengths_key, pred, &g->start, e) < 0)
		return -1;
	g->env.start_lengths = g->start.len;
	g->env.n_start_lengths = g->start.n;
	g->env.start_origin = g->start.origin;
	g->env.start_key = g->start.key;
	return 0;
}

static int run(const struct cfg *c, const struct wl_trace *t, struct wl_trace *drop,
	       const struct pred_handle *pred, const struct eng_watch *watch,
	       struct run_result *out, struct om_err *e);

int engine_run(const struct cfg *c, const struct wl_trace *t, const struct pred_handle *pred,
	       struct run_result *out, struct om_err *e)
{
	return run(c, t, NULL, pred, NULL, out, e);
}

int engine_run_watched(const struct cfg *c, struct wl_trace *t, const struct pred_handle *pred,
		       const struct eng_watch *watch, struct run_result *out, struct om_err *e)
{
	return run(c, t, t, pred, watch, out, e);
}

/* drop: t itself when its rows may go once the requests are built */
static int run(const struct cfg *c, const struct wl_trace *t, struct wl_trace *drop,
	       const struct pred_handle *pred, const struct eng_watch *watch,
	       struct run_result *out, struct om_err *e)
{
	memset(out, 0, sizeof *out);
	struct eng g = { .c = c, .t = t, .watch = watch };
	int rc = -1;
	eng_params_read(c, &g.p);
	evq_init(&g.q);
	if (t->n == 0) {
		err_set(e, NULL, 0, "workload", "no requests to simulate");
		goto done;
	}
	if (pred_check_text(c, pred, t, e) < 0)
		goto done;
	if (dt_init(&out->dt, c, e) < 0 || find_policy(&g, e) < 0
	    || init_requests(&g, t, drop, pred, e) < 0)
		goto done;
	snprintf(out->policy, sizeof out->policy, "%s", g.pol->name);
	if (init_env(&g, &out->dt, pred, e) < 0 || init_instances(&g, &out->dt, e) < 0
	    || init_replicas(&g, e) < 0)
		goto done;
	met_init(&out->met, g.env.pool_tokens * (int64_t)g.n_in, g.p.sample_ns);
	metlog_open(&g.ml, &out->met, g.p.threads);
	if (loop(&g, e) < 0)
		goto done;
	prep_end(&g.prep); /* ended already: every request arrived */
	metlog_close(&g.ml);
	note_held_peaks(&g);
	if (watch) /* every request is final now: the loop resolved them all */
		watch->final(watch->ctx, g.reqs, g.replica, t->n);
	/* the truth is not read after the loop: it gives its room to the
	 * summary's percentile scratch (the run's peak memory) */
	free(g.target);
	g.target = NULL;
	g.env.truth = NULL;
	struct sched_stats st = { 0 };
	for (size_t i = 0; i < g.n_in; i++) {
		struct pol_stats ps;
		pol_stats(g.pol, g.in[i].ps, &ps);
		out->pol_final.reserved_tokens += ps.reserved_tokens;
		out->pol_final.free_tokens += ps.free_tokens;
		out->pol_final.relocations += ps.relocations;
		out->pol_final.relocated_bytes += ps.relocated_bytes;
		out->pol_final.overflows += ps.overflows;
		out->pol_final.safety_tokens += ps.safety_tokens;
		out->pol_final.safety_used_tokens += ps.safety_used_tokens;
		out->pol_final.admissions += ps.admissions;
		out->pol_final.large_admissions += ps.large_admissions;
		if (ps.largest_free > out->pol_final.largest_free)
			out->pol_final.largest_free = ps.largest_free;
		sched_stats_add(&st, sched_stats(&g.in[i].s));
	}
	out->instances = g.n_in;
	if (pol_series_file(g.pol) && capture_series(g.pol, g.in[0].ps, out) < 0) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto done;
	}
	/* the schedulers' queues and the policies' tables give their room to
	 * the summary's percentile scratch */
	free_instances(&g);
	if (met_summarize(&out->met, g.reqs, t->n, &st, g.p.threads, &out->sum) < 0) {
		err_set(e, NULL, 0, NULL, "out of memory");
		goto done;
	}
	out->sum.overflows = out->pol_final.overflows;
	out->sum.relocations = out->pol_final.relocations;
	out->sum.relocated_bytes = out->pol_final.relocated_bytes;
	out->sum.large_bucket_share = out->pol_final.admissions > 0
		? (double)out->pol_final.large_admissions / (double)out->pol_final.admissions
		: 0;
	out->reqs = g.reqs;
	out->replica = g.replica;
	out->n = t->n;
	g.reqs = NULL;
	g.replica = NULL;
	rc = 0;
done:
	if (rc < 0 && watch)
		watch->quit(watch->ctx);
	metlog_close(&g.ml); /* before the metrics it feeds are freed */
	prep_end(&g.prep);   /* the preparer writes reqs and target */
	free_instances(&g);
	if (rc < 0) {
		free(out->pol_series);
		out->pol_series = NULL;
		met_free(&out->met);
		dt_free(&out->dt);
	}
	start_lengths_free(&g.start);
	free(g.reqs);
	free(g.replica);
	free(g.target);
	free(g.rowbuf);
	free(g.rng);
	evq_free(&g.q);
	return rc;
}

void run_result_free(struct run_result *r)
{
	free(r->reqs);
	free(r->replica);
	free(r->pol_series);
	met_free(&r->met);
	dt_free(&r->dt);
	memset(r, 0, sizeof *r);
}
