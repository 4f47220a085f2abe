/* memmodel: how fast the device reads one contiguous run of L bytes.
 * Each model is one file exporting a struct mm_ops, listed in memmodel.c.
 * eff(L) is the achieved fraction of peak bandwidth, in (0, 1]: a run of L
 * bytes takes L / (peak_bw * eff(L)) seconds. */
#ifndef OM_MEMMODEL_H
#define OM_MEMMODEL_H

#include <stdbool.h>

#include "common/cfg.h"
#include "device_models/device.h"

struct mm_ops {
	const char *name;
	const char *help;
	const struct cfg_key *keys; /* extra [device] keys, or NULL */
	/* Builds the model's state from the checked cfg (state may stay NULL). */
	int (*create)(const struct cfg *c, const struct dev_device *d, void **state,
		      struct om_err *e);
	void (*destroy)(void *state);
	double (*eff)(const void *state, const struct dev_device *d, double run_bytes);
	/* Optional: true when a run of L bytes takes exactly (L + *l_half) /
	 * (peak_bw * *eta) for every L > 0, i.e. eff(L) = eta * L / (L + l_half);
	 * the timing model then prices KV traffic from byte and run totals. */
	bool (*linear)(const void *state, const struct dev_device *d, double *eta, double *l_half);
};

const struct mm_ops *mm_find(const char *name);
/* NULL-terminated list of every model, for key registration and help. */
extern const struct mm_ops *const mm_registry[];

extern const struct mm_ops mm_halfsat;
extern const struct mm_ops mm_lpddr5;
extern const struct mm_ops mm_calib;

#endif
