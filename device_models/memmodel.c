#include "device_models/memmodel.h"

#include <string.h>

/* clang-format off: one registry line per entry */
const struct mm_ops *const mm_registry[] = {
	&mm_halfsat,
	&mm_lpddr5,
	&mm_calib,
	NULL,
};
/* clang-format on */

const struct mm_ops *mm_find(const char *name)
{
	for (size_t i = 0; mm_registry[i]; i++)
		if (strcmp(mm_registry[i]->name, name) == 0)
			return mm_registry[i];
	return NULL;
}
