#define _DEFAULT_SOURCE /* madvise */
#include "common/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

void bigmem_advise(void *p, size_t bytes)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p, mask = (uintptr_t)(ps > 0 ? ps : 4096) - 1;
	if (!p || bytes < BIGMEM_HUGE || a > UINTPTR_MAX - bytes - mask)
		return;
	/* whole pages, not only the huge-page-aligned inside: advising part
	 * of a mapping splits it, and glibc's realloc can then no longer
	 * mremap a grown block but copies it into fresh small pages. The
	 * kernel maps huge pages only where an aligned 2 MiB fits anyway. A
	 * refusal (no THP in this kernel) leaves ordinary pages: same data. */
	uintptr_t lo = a & ~mask, hi = (a + bytes + mask) & ~mask;
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void *bigmem_alloc(size_t bytes)
{
	if (bytes < BIGMEM_HUGE || bytes > SIZE_MAX - BIGMEM_HUGE)
		return malloc(bytes);
	/* aligned_alloc wants a multiple of the alignment */
	size_t whole = (bytes + BIGMEM_HUGE - 1) & ~(BIGMEM_HUGE - 1);
	void *p = aligned_alloc(BIGMEM_HUGE, whole);
	bigmem_advise(p, whole);
	return p;
}

void *bigmem_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p) /* n * size did not overflow: calloc checked */
		bigmem_advise(p, n * size);
	return p;
}
