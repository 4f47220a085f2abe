/* contig: one contiguous KV region per request, taken first-fit from the
 * pool. The bookkeeping static, s3 and oracle share; they differ only in how
 * large a region they ask for and in what happens when a request outgrows it.
 * A policy embeds `struct contig` as the FIRST member of its state, so the
 * CONTIG_POL_OPS entries can sit directly in its pol_ops table. */
#ifndef OM_CONTIG_H
#define OM_CONTIG_H

#include "sim/policy/kvmem.h"
#include "sim/policy/policy.h"

struct contig {
	const struct pol_env *env; /* first: pol_region_layout reads it */
	const char *name;	   /* policy name, for invariant messages */
	struct kvmem mem;
	int64_t reserved, admissions, overflows;
};
_Static_assert(offsetof(struct contig, env) == 0, "pol_region_layout reads env first");

/* Allocates a zeroed policy state of `size` bytes whose first member is a
 * struct contig, and initialises that member; NULL (e filled) on failure. */
void *contig_new(size_t size, const char *name, const struct pol_env *env, struct om_err *e);
/* Reserves max(cap, tokens) tokens for r: POL_NEVER if that exceeds the pool,
 * POL_NO_ROOM (and no change) if no free range is long enough. */
enum pol_rc contig_admit(struct contig *a, struct sim_req *r, int64_t cap, int32_t tokens);

/* pol_ops entries for a state whose first member is a struct contig. */
void contig_pol_destroy(void *state);
/* grow for regions sized once and for all: within them, or never */
enum pol_rc contig_pol_grow_fixed(void *state, struct sim_req *r, int32_t tokens,
				  struct it_cost *cost);
void contig_pol_release(void *state, struct sim_req *r);
void contig_pol_stats(const void *state, struct pol_stats *ps);
int contig_pol_check(const void *state, struct om_err *e);
size_t contig_pol_owned(const void *state, const struct sim_req *r, struct pol_range *out,
			size_t max);

/* Everything in a contig policy's pol_ops but its name, help, keys, create,
 * admit and grow. */
#define CONTIG_POL_OPS                                                                             \
	.destroy = contig_pol_destroy, .release = contig_pol_release, .layout = pol_region_layout, \
	.stats = contig_pol_stats, .check = contig_pol_check, .owned = contig_pol_owned,           \
	.speed = &pol_region_speed

#endif
