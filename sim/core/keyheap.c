#include "sim/core/keyheap.h"

#include <stdlib.h>

#include "common/grow.h"

void keyheap_free(struct keyheap *q)
{
	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

int keyheap_reset(struct keyheap *q, size_t cap)
{
	q->n = 0;
	return GROW(q->h, q->cap, cap, 64);
}
