/* grow: the one growth rule of the project's dynamic arrays. A capacity
 * starts at `first` and doubles until it holds `need` elements, so every
 * array grows the same way and the realloc dance lives in one place.
 *
 *	if (GROW(q->h, q->cap, q->n + 1, 64) < 0)
 *		return -1; (out of memory; q->h and q->cap as they were)
 */
#ifndef OM_GROW_H
#define OM_GROW_H

#include <stddef.h>

/* The capacity for `need` elements: cap if enough, else cap (or first when
 * 0) doubled until it is. */
size_t grow_cap(size_t cap, size_t need, size_t first);

/* Reallocates the array *pp (pp is the address of a T *) to n elements of
 * elem bytes. 0, or -1 when out of memory (then *pp is unchanged). */
int grow_to(void *pp, size_t n, size_t elem);

/* Makes the array *pp of *cap elements hold at least need, growing *cap by
 * grow_cap. 0, or -1 when out of memory (then *pp and *cap are unchanged). */
int grow_array(void *pp, size_t *cap, size_t need, size_t elem, size_t first);

/* (the common case, room already, costs a comparison, not a call) */
#define GROW(arr, cap, need, first) \
	((need) <= (cap) ? 0 : grow_array(&(arr), &(cap), (need), sizeof *(arr), (first)))

#endif
