/* bigmem: allocation of a run's few big per-request arrays (a million
 * requests: tens of MB each) on transparent huge pages, so the kernel maps
 * them in 2 MiB faults instead of 4 KiB ones (1M static: ~34 k minor faults
 * otherwise). Blocks of at least BIGMEM_HUGE bytes are advised with
 * madvise(MADV_HUGEPAGE), which takes effect where THP is "madvise" or
 * "always" and is harmless where it is "never"; smaller ones are plain
 * malloc/calloc. Either way the block is freed with free(). */
#ifndef OM_BIGMEM_H
#define OM_BIGMEM_H

#include <stddef.h>

/* x86-64's PMD page size; below one, an array cannot fill a huge page. */
#define BIGMEM_HUGE ((size_t)2 << 20)

/* malloc(bytes), aligned to BIGMEM_HUGE and advised when that big. */
void *bigmem_alloc(size_t bytes);

/* calloc(n, size), advised when that big. Not aligned: calloc of a fresh
 * mapping needs no zeroing pass, an aligned block would; only the 2 MiB
 * aligned inside of the block can be huge (the ends stay small pages). */
void *bigmem_calloc(size_t n, size_t size);

/* Advises the pages of [p, p + bytes) when bytes >= BIGMEM_HUGE, e.g.
 * after a realloc grew an array: its untouched 2 MiB aligned parts then
 * fault in huge pages. */
void bigmem_advise(void *p, size_t bytes);

#endif
