/* grow: see grow.h. The array is passed by the address of its pointer and
 * read and written through memcpy, so any T * works without aliasing casts. */
#include "common/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t grow_cap(size_t cap, size_t need, size_t first)
{
	if (need <= cap)
		return cap;
	size_t nc = cap ? cap : first;
	while (nc < need)
		nc *= 2;
	return nc;
}

int grow_to(void *pp, size_t n, size_t elem)
{
	if (elem && n > SIZE_MAX / elem)
		return -1;
	void *p;
	memcpy(&p, pp, sizeof p);
	void *np = realloc(p, n * elem);
	if (!np)
		return -1;
	memcpy(pp, &np, sizeof np);
	// cppcheck-suppress memleak ; np is now *pp, the caller's array
	return 0;
}

int grow_array(void *pp, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t nc = grow_cap(*cap, need, first);
	if (grow_to(pp, nc, elem) < 0)
		return -1;
	*cap = nc;
	return 0;
}
