/* experiment: assembles the configuration of one run: declares every
 * module's keys, reads the experiment file and --set overrides, fills device
 * and model presets, and validates the result. */
#ifndef OM_EXPERIMENT_H
#define OM_EXPERIMENT_H

#include "common/cfg.h"

/* Declares the keys of every module and registered policy/model. */
int exp_declare_keys(struct cfg *c, struct om_err *e);

/* A new configuration with those keys declared, all at their defaults;
 * NULL (e set) when out of memory. */
struct cfg *exp_new_cfg(struct om_err *e);

/* path may be NULL (defaults only). sets: "section.key=value" strings. */
struct cfg *exp_load(const char *path, char *const *sets, int nsets, struct om_err *e);

#endif
