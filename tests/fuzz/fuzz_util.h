/* What the fuzz harnesses share: the input as text, a fresh config, and the
 * check every accepted timing model must pass. */
#ifndef OM_FUZZ_UTIL_H
#define OM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "device_models/timing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated copy (free it), or NULL if it holds a NUL
 * byte, is longer than max bytes, or memory runs out: the input is skipped. */
char *fz_text(const uint8_t *data, size_t size, size_t max);

/* A config with every experiment key declared and nothing loaded; aborts if
 * that fails (it never should). */
struct cfg *fz_cfg(void);

/* Aborts unless an iteration of a full batch (8192 tokens over 4096-token
 * contexts) takes positive time on dt; then frees dt. */
void fz_check_iteration(struct dev_timing *dt);

#endif
