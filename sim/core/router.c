#include "sim/core/router.h"

#include <stddef.h>
#include <string.h>

#include "common/registry.h"

static size_t pick_rr(const struct router_view *v, size_t n, uint64_t *turn)
{
	(void)v;
	return (size_t)((*turn)++ % n);
}

/* Fewest requests queued or running. */
static size_t pick_least_loaded(const struct router_view *v, size_t n, uint64_t *turn)
{
	(void)turn;
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (v[i].waiting + v[i].running < v[best].waiting + v[best].running)
			best = i;
	return best;
}

/* Lowest share of the KV pool reserved; queue length breaks ties, since a
 * replica with an empty pool but a long queue is about to fill it. */
static size_t pick_least_kv(const struct router_view *v, size_t n, uint64_t *turn)
{
	(void)turn;
	size_t best = 0;
	for (size_t i = 1; i < n; i++) {
		/* compare reserved_i/pool_i < reserved_b/pool_b without division */
		double a = (double)v[i].reserved_tokens * (double)v[best].pool_tokens;
		double b = (double)v[best].reserved_tokens * (double)v[i].pool_tokens;
		if (a < b || (a == b && v[i].waiting < v[best].waiting))
			best = i;
	}
	return best;
}

static const struct router_ops r_rr = { "round_robin", "instances in turn", pick_rr };
static const struct router_ops r_ll = { "least_loaded", "fewest waiting + running requests",
					pick_least_loaded };
static const struct router_ops r_kv = { "least_kv", "lowest reserved share of the KV pool",
					pick_least_kv };

const struct router_ops *const router_registry[] = { &r_rr, &r_ll, &r_kv, NULL };

const struct router_ops *router_find(const char *name)
{
	_Static_assert(offsetof(struct router_ops, name) == 0,
		       "registry entries start with their name");
	return reg_find(REG(router_registry), name);
}
