/* registry: look-ups by name in the registries of the pluggable parts
 * (policies, memory models, predictors, arrival processes, routers). A
 * registry is a NULL-terminated array of pointers to ops structs whose first
 * member is `const char *name`; pass it through REG(), which checks that the
 * entries have a name member (the registry's module asserts it comes first). */
#ifndef OM_REGISTRY_H
#define OM_REGISTRY_H

#include <stddef.h>

#define REG(arr) ((const void *const *)(arr) + 0 * sizeof((arr)[0]->name))

/* The entry called NAME, or NULL; assign the result to the ops pointer type. */
const void *reg_find(const void *const *reg, const char *name);

/* The names in registry order joined by SEP into buf ("static, paged, ..."),
 * truncated to fit; returns buf, for error messages and help. */
const char *reg_names(const void *const *reg, const char *sep, char *buf, size_t n);

#endif
