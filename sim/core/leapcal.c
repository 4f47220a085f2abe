#include "sim/core/leapcal.h"

#include <stdlib.h>

#include "common/grow.h"

void leapcal_free(struct leapcal *c)
{
	free(c->slot);
	free(c->next);
	*c = (struct leapcal){ 0 };
}

int leapcal_reset(struct leapcal *c, int64_t period, size_t n)
{
	size_t slots = (size_t)period;
	if (GROW(c->slot, c->slot_cap, slots, 16) < 0 || GROW(c->next, c->cap, n, 64) < 0)
		return -1;
	c->period = period;
	for (size_t k = 0; k < slots; k++)
		c->slot[k].head = LEAPCAL_END;
	return 0;
}
