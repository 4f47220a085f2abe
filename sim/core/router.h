/* router: picks the instance an arriving request joins when the cluster runs
 * one replica per card (cluster.mode = instances). Routers see only what a
 * real front end could: queue lengths and KV occupancy, never output lengths.
 * Ties go to the lowest instance index, so routing is deterministic. */
#ifndef OM_ROUTER_H
#define OM_ROUTER_H

#include <stddef.h>
#include <stdint.h>

struct router_view {
	int64_t waiting, running;
	int64_t reserved_tokens, pool_tokens;
};

struct router_ops {
	const char *name;
	const char *help;
	/* `turn` is the router's own counter (round-robin); returns an index < n. */
	size_t (*pick)(const struct router_view *v, size_t n, uint64_t *turn);
};

const struct router_ops *router_find(const char *name);
extern const struct router_ops *const router_registry[];

#endif
