/* registry: reads each entry's first member as its name. A pointer to a
 * struct, converted, points to the struct's first member (C11 6.7.2.1). */
#include "common/registry.h"

#include <stdio.h>
#include <string.h>

static const char *entry_name(const void *entry)
{
	return *(const char *const *)entry;
}

const void *reg_find(const void *const *reg, const char *name)
{
	for (size_t i = 0; reg[i]; i++)
		if (strcmp(entry_name(reg[i]), name) == 0)
			return reg[i];
	return NULL;
}

const char *reg_names(const void *const *reg, const char *sep, char *buf, size_t n)
{
	size_t used = 0;
	if (n)
		buf[0] = '\0';
	for (size_t i = 0; reg[i] && used < n; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? sep : "", entry_name(reg[i]));
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = '\0'; /* whole names only */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}
