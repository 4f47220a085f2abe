/* rng: independent, seeded GSL generator streams, one per subsystem.
 * A stream is derived from (seed, name) so adding draws in one subsystem never
 * shifts the numbers another subsystem sees. */
#ifndef OM_RNG_H
#define OM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Returns a new mt19937 generator seeded from (seed, stream name); NULL on OOM. */
gsl_rng *rng_stream(uint64_t seed, const char *stream);

/* 64-bit FNV-1a of a byte string; stable across platforms and runs. */
uint64_t rng_hash_bytes(const void *p, size_t n);
/* FNV-1a continued over more bytes: hashing "ab" equals hashing "b" from the
 * state after "a". Lets callers hash concatenations without building them. */
#define RNG_HASH_INIT 14695981039346656037ULL
uint64_t rng_hash_more(uint64_t h, const void *p, size_t n);

/* splitmix64 finaliser: a cheap, well-mixed bijection on 64-bit values. */
uint64_t rng_mix64(uint64_t x);

#endif
