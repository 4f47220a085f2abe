#include "sim/policy/contig.h"

#include <stdlib.h>

void *contig_new(size_t size, const char *name, const struct pol_env *env, struct om_err *e)
{
	struct contig *a = calloc(1, size);
	if (!a || kvmem_init(&a->mem, env->pool_tokens) < 0) {
		free(a);
		err_set(e, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	a->name = name;
	a->env = env;
	return a;
}

void contig_pol_destroy(void *state)
{
	struct contig *a = state;
	if (!a)
		return;
	kvmem_free_all(&a->mem);
	free(a);
}

enum pol_rc contig_admit(struct contig *a, struct sim_req *r, int64_t cap, int32_t tokens)
{
	if (cap < tokens)
		cap = tokens;
	if (cap > a->mem.total)
		return POL_NEVER;
	int64_t off = kvmem_alloc(&a->mem, cap);
	if (off < 0)
		return POL_NO_ROOM;
	r->pol_off = off;
	r->pol_cap = (int32_t)cap;
	a->reserved += cap;
	a->admissions++;
	return POL_OK;
}

void contig_pol_release(void *state, struct sim_req *r)
{
	struct contig *a = state;
	if (r->pol_cap <= 0)
		return;
	if (kvmem_release(&a->mem, r->pol_off, r->pol_cap) < 0)
		abort(); /* double release: a scheduler bug, never a user error */
	a->reserved -= r->pol_cap;
	r->pol_cap = 0;
	r->pol_off = -1;
}

enum pol_rc contig_pol_grow_fixed(void *state, struct sim_req *r, int32_t tokens,
				  struct it_cost *cost)
{
	(void)state, (void)cost;
	return tokens <= r->pol_cap ? POL_OK : POL_NEVER;
}

void contig_pol_stats(const void *state, struct pol_stats *ps)
{
	const struct contig *a = state;
	*ps = (struct pol_stats){
		.reserved_tokens = a->reserved,
		.free_tokens = a->mem.free_tokens,
		.largest_free = kvmem_largest(&a->mem),
		.admissions = a->admissions,
		.overflows = a->overflows,
	};
}

int contig_pol_check(const void *state, struct om_err *e)
{
	const struct contig *a = state;
	if (kvmem_check(&a->mem, e) < 0)
		return -1;
	if (a->reserved + a->mem.free_tokens != a->mem.total)
		return err_set(e, NULL, 0, a->name,
			       "INV-15: reserved %lld + free %lld != pool %lld",
			       (long long)a->reserved, (long long)a->mem.free_tokens,
			       (long long)a->mem.total);
	return 0;
}

size_t contig_pol_owned(const void *state, const struct sim_req *r, struct pol_range *out,
			size_t max)
{
	(void)state;
	if (r->pol_cap <= 0)
		return 0;
	if (max >= 1)
		out[0] = (struct pol_range){ r->pol_off, r->pol_cap };
	return 1;
}
