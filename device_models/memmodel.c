#include "device_models/memmodel.h"

#include <stddef.h>
#include <string.h>

#include "common/registry.h"

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
	_Static_assert(offsetof(struct mm_ops, name) == 0,
		       "registry entries start with their name");
	return reg_find(REG(mm_registry), name);
}
