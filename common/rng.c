#include "common/rng.h"

#include <string.h>

uint64_t rng_hash_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t rng_hash_bytes(const void *p, size_t n)
{
	return rng_hash_more(RNG_HASH_INIT, p, n);
}

uint64_t rng_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

gsl_rng *rng_stream(uint64_t seed, const char *stream)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		return NULL;
	uint64_t s = rng_mix64(seed ^ rng_hash_bytes(stream, strlen(stream)));
	/* mt19937 treats seed 0 as its default seed; keep streams distinct. */
	unsigned long ul = (unsigned long)(s & 0xffffffffUL);
	gsl_rng_set(r, ul ? ul : 1UL);
	return r;
}
