/* The pol_ops contract (sim/policy/policy.h), checked on every policy in
 * pol_registry, driven directly without the engine: a POL_NO_ROOM admit and
 * a failed grow change nothing, release gives back exactly what admit and
 * grow took, live requests own disjoint ranges that add up to what the
 * policy reports reserved, and invariants hold after every call. Requests
 * carry predictions (for s3, odma) and true lengths (for the oracle). */
#include "tests/support/tu.h"
#include "sim/policy/policy.h"

#define N_REQ 48
#define MML 512

struct world {
	const struct pol_ops *p;
	struct cfg *c;
	struct dev_timing dt;
	struct pol_env env;
	int32_t truth[N_REQ];
	struct sim_req r[N_REQ];
	bool live[N_REQ];
	void *ps;
};

static void world_open(struct world *w, const struct pol_ops *p)
{
	char name[64], mml[64];
	snprintf(name, sizeof name, "policy.name=%s", p->name);
	snprintf(mml, sizeof mml, "policy.max_model_len=%d", MML);
	/* no trace to start odma's boundaries from: its geometric start */
	const char *s[] = { name, mml, "policy.odma_init_trace=none" };
	memset(w, 0, sizeof *w);
	w->p = p;
	w->c = tu_pool_cfg(8192, s, 3);
	struct om_err e = { "" };
	ck_assert_int_eq(dt_init(&w->dt, w->c, &e), 0);
	struct pol_params pp;
	pol_params_read(w->c, &pp);
	for (uint32_t i = 0; i < N_REQ; i++) {
		struct sim_req *r = &w->r[i];
		r->id = i;
		r->prompt_tokens = 40 + (int32_t)(i * 37 % 300);
		r->max_output = MML - r->prompt_tokens;
		r->predicted_len = 10 + (int32_t)(i * 53 % 250);
		r->pred_bucket = -1;
		r->pred_uncertain = i % 5 == 0;
		w->truth[i] = 1 + (int32_t)(i * 71 % 300);
	}
	w->env = (struct pol_env){
		.dt = &w->dt,
		.pool_tokens = w->dt.dd.pool_tokens,
		.max_model_len = pp.max_model_len,
		.reqs = w->r,
		.truth = p->wants_truth ? w->truth : NULL,
	};
	if (pol_create(p, w->c, &w->env, &w->ps, &e) < 0)
		ck_abort_msg("%s: create: %s", p->name, e.msg);
}

static void world_close(struct world *w)
{
	pol_destroy(w->p, w->ps);
	dt_free(&w->dt);
	cfg_free(w->c);
}

static void stats(const struct world *w, struct pol_stats *s)
{
	memset(s, 0, sizeof *s);
	pol_stats(w->p, w->ps, s);
}

/* What a request holds and the policy's occupancy (event counters such as
 * admissions or relocations may move on; the memory may not). */
static void same_occupancy(const struct world *w, const struct pol_stats *a,
			   const struct pol_stats *b, const char *what)
{
	if (a->reserved_tokens != b->reserved_tokens || a->free_tokens != b->free_tokens
	    || a->largest_free != b->largest_free || a->safety_tokens != b->safety_tokens
	    || a->safety_used_tokens != b->safety_used_tokens)
		ck_abort_msg("%s: %s: reserved %lld/%lld free %lld/%lld largest %lld/%lld "
			     "safety used %lld/%lld",
			     w->p->name, what, (long long)a->reserved_tokens,
			     (long long)b->reserved_tokens, (long long)a->free_tokens,
			     (long long)b->free_tokens, (long long)a->largest_free,
			     (long long)b->largest_free, (long long)a->safety_used_tokens,
			     (long long)b->safety_used_tokens);
}

static void same_stats(const struct world *w, const struct pol_stats *a, const struct pol_stats *b,
		       const char *what)
{
	same_occupancy(w, a, b, what);
	if (memcmp(a, b, sizeof *a) != 0)
		ck_abort_msg("%s: %s changed the policy's counters", w->p->name, what);
}

static bool same_req(const struct sim_req *a, const struct sim_req *b)
{
	return a->pol_off == b->pol_off && a->pol_cap == b->pol_cap && a->pol_class == b->pol_class
		&& a->pol_ptr == b->pol_ptr;
}

static int cmp_range(const void *a, const void *b)
{
	const struct pol_range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Invariants, and live requests' ranges: inside the pool, disjoint, summing
 * to the reserved tokens; requests not live hold nothing. */
static void consistent(const struct world *w)
{
	struct om_err e = { "" };
	if (pol_check(w->p, w->ps, &e) < 0)
		ck_abort_msg("%s: invariant: %s", w->p->name, e.msg);
	if (!pol_reports_owned(w->p))
		return;
	enum {
		CAP = 4096
	};
	static struct pol_range rng[CAP];
	size_t n = 0;
	for (int i = 0; i < N_REQ; i++) {
		size_t k = pol_owned(w->p, w->ps, &w->r[i], rng + n, CAP - n);
		ck_assert_uint_le(n + k, CAP);
		if (!w->live[i] && k != 0)
			ck_abort_msg("%s: request %d holds memory it was not given", w->p->name, i);
		n += k;
	}
	qsort(rng, n, sizeof *rng, cmp_range);
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_gt(rng[i].len, 0);
		ck_assert_int_ge(rng[i].off, 0);
		ck_assert_int_le(rng[i].off + rng[i].len, w->env.pool_tokens);
		if (i && rng[i - 1].off + rng[i - 1].len > rng[i].off)
			ck_abort_msg("%s: owned ranges overlap at %lld", w->p->name,
				     (long long)rng[i].off);
		sum += rng[i].len;
	}
	struct pol_stats s;
	stats(w, &s);
	ck_assert_int_eq(sum, s.reserved_tokens);
}

/* Admits request i; checks that a refusal changed nothing and that a
 * release right after the admit gives back exactly what it took. */
static enum pol_rc admit(struct world *w, int i)
{
	struct sim_req *r = &w->r[i];
	int32_t need = r->prompt_tokens + r->generated;
	struct pol_stats before, after;
	struct sim_req old = *r;
	stats(w, &before);
	enum pol_rc rc = pol_admit(w->p, w->ps, r, need);
	stats(w, &after);
	if (rc != POL_OK) {
		same_stats(w, &before, &after, "a refused admit");
		ck_assert_msg(same_req(&old, r), "%s: a refused admit changed the request",
			      w->p->name);
		return rc;
	}
	pol_release(w->p, w->ps, r);
	stats(w, &after);
	same_occupancy(w, &before, &after, "release after admit");
	ck_assert_int_eq(pol_admit(w->p, w->ps, r, need), POL_OK); /* same state, same answer */
	r->ctx = need;
	w->live[i] = true;
	return rc;
}

/* Grows request i to the most it may ever need; a failure changes no memory
 * and not the request (it may count an overflow event: odma does). After
 * POL_REQUEUE the scheduler releases the request, and so do we. */
static void grow_to_cap(struct world *w, int i)
{
	struct sim_req *r = &w->r[i];
	int32_t want = r->prompt_tokens + r->max_output;
	struct pol_stats before, after;
	struct sim_req old = *r;
	struct it_cost cost = { 0 };
	stats(w, &before);
	enum pol_rc rc = pol_grow(w->p, w->ps, r, want, &cost);
	stats(w, &after);
	if (rc == POL_OK) {
		r->ctx = want;
		return;
	}
	same_occupancy(w, &before, &after, "a failed grow");
	if (rc == POL_REQUEUE) {
		pol_release(w->p, w->ps, r);
		w->live[i] = false;
		r->ctx = 0;
		return;
	}
	ck_assert_msg(same_req(&old, r), "%s: a failed grow changed the request", w->p->name);
}

/* Decode grows of request i, one token at a time: one the policy calls
 * plain (struct pol_speed, which lets a leap make it) succeeds, charges no
 * cost, does not move the request, and takes exactly the room it adds.
 * Returns how many plain grows it made. */
static int decode_grows(struct world *w, int i)
{
	struct sim_req *r = &w->r[i];
	int plain = 0;
	for (int step = 0; step < 40 && r->ctx < r->prompt_tokens + r->max_output; step++) {
		int32_t need = r->ctx + 1;
		if (need > r->pol_cap) {
			if (!pol_grow_is_plain(w->p, w->ps, r, need))
				return plain;
			struct pol_stats before, after;
			struct it_cost cost = { 0 }, none = { 0 };
			int64_t off = r->pol_off;
			int32_t cap = r->pol_cap;
			stats(w, &before);
			ck_assert_int_eq(pol_grow(w->p, w->ps, r, need, &cost), POL_OK);
			stats(w, &after);
			ck_assert_msg(memcmp(&cost, &none, sizeof cost) == 0,
				      "%s: a plain grow charged a cost", w->p->name);
			ck_assert_int_ge(r->pol_cap, need);
			ck_assert_int_eq(r->pol_off, off);
			ck_assert_int_eq(after.reserved_tokens - before.reserved_tokens,
					 r->pol_cap - cap);
			ck_assert_int_eq(after.relocations, before.relocations);
			ck_assert_int_eq(after.overflows, before.overflows);
			plain++;
		}
		r->ctx = need;
		consistent(w);
	}
	return plain;
}

START_TEST(contract)
{
	struct world w;
	world_open(&w, pol_registry[_i]);
	struct pol_stats empty;
	stats(&w, &empty);
	consistent(&w);
	int refused = 0;
	for (int i = 0; i < N_REQ; i++) {
		refused += admit(&w, i) != POL_OK;
		consistent(&w);
	}
	int plain = 0;
	for (int i = 0; i < N_REQ; i++)
		if (w.live[i])
			plain += decode_grows(&w, i);
	if (w.p->speed && w.p->speed->grow_plain)
		ck_assert_msg(plain > 0, "%s: promises plain grows but made none", w.p->name);
	for (int i = 0; i < N_REQ; i++)
		if (w.live[i]) {
			grow_to_cap(&w, i);
			consistent(&w);
		}
	for (int i = 0; i < N_REQ; i++)
		if (w.live[i]) {
			w.r[i].generated = w.r[i].ctx - w.r[i].prompt_tokens;
			pol_finish(w.p, w.ps, &w.r[i], 1000 + i);
			pol_release(w.p, w.ps, &w.r[i]);
			w.live[i] = false;
			consistent(&w);
		}
	struct pol_stats end;
	stats(&w, &end);
	same_occupancy(&w, &empty, &end, "releasing everything");
	/* the pool is small enough that admission runs out of room */
	ck_assert_msg(refused > 0, "%s: never refused an admit", w.p->name);
	world_close(&w);
}
END_TEST

Suite *tu_suite(void)
{
	int n = 0;
	while (pol_registry[n])
		n++;
	Suite *s = suite_create("policy_contract");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, contract, 0, n);
	suite_add_tcase(s, tc);
	return s;
}
