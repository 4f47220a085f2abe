/* runhash: the identity of a run, for sweeps that resume and never collide.
 * A run is named by a 64-bit FNV-1a hash of its effective configuration in
 * canonical form: every key of the fully resolved config as
 * "section.key=value\n", values trimmed, lines sorted bytewise. Sorting makes
 * the name independent of the order in which modules declare their keys;
 * values are compared as text (rate=2 and rate=2.0 are different runs). The
 * hash names the configuration, not the simulator build. */
#ifndef OM_RUNHASH_H
#define OM_RUNHASH_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"

#define RUNHASH_HEX 12 /* hex digits used in directory and job-file names */

/* Canonical form of INI text (as cfg_write writes it, e.g. a run's
 * config.ini). Returns a malloc'd string, or NULL with e filled. */
char *runhash_canon_text(const char *ini_text, const char *origin, struct om_err *e);
/* Canonical form of a checked configuration. */
char *runhash_canon_cfg(const struct cfg *c, struct om_err *e);
/* FNV-1a, 64 bits: kept here (not rng_hash_bytes) so run names can never
 * move when the RNG's seeding changes. */
uint64_t runhash_fnv1a64(const void *p, size_t n);
/* FNV-1a 64 of the canonical text, as RUNHASH_HEX lowercase hex digits. */
void runhash_name(const char *canon, char out[RUNHASH_HEX + 1]);

#endif
