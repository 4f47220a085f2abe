/* device: an accelerator and a served model, read from the [device] and
 * [model] config sections (usually filled from a named INI preset), plus the
 * quantities derived from them: weight bytes, KV bytes per token, KV pool.
 * Units in the structs are SI base units (bytes, bytes/s, FLOP/s, ns). */
#ifndef OM_DEVICE_H
#define OM_DEVICE_H

#include <stdint.h>

#include "common/cfg.h"

struct dev_device {
	char name[64];
	double capacity_bytes;
	double peak_bw;	    /* bytes/s */
	double eta_seq;	    /* streaming efficiency, (0, 1] */
	double l_half;	    /* bytes: run length at which B_eff = B_peak*eta/2 */
	double peak_flops;  /* FLOP/s at the model's precision */
	double compute_eff; /* achieved fraction of peak_flops, (0, 1] */
	int64_t iter_overhead_ns;
	double reserve_bytes; /* runtime reserve: activations, workspace, context */
	char mem_model[32];   /* name of the KV access-cost model */
	double link_bw;	      /* bytes/s per direction, card to card */
	double link_latency_ns;
};

struct dev_model {
	char name[64];
	int32_t layers, heads, kv_heads, head_dim, bytes_per_elem;
	double params;
};

struct dev_derived {
	double weight_bytes;
	double kv_bytes_per_token;  /* all layers, K and V */
	double run_bytes_per_token; /* one (layer, KV head, K or V) slice of a token */
	int64_t runs_per_region;    /* contiguous runs one region reads: layers*kv_heads*2 */
	double pool_bytes;
	int64_t pool_tokens;
};

extern const struct cfg_key dev_keys[];

/* Loads device.preset / model.preset (or preset files) into the cfg's preset
 * layer; call after the experiment file and --set, before cfg_check. */
int dev_load_presets(struct cfg *c, struct om_err *e);

/* Reads the checked cfg into the structs and derives the rest. */
int dev_from_cfg(const struct cfg *c, struct dev_device *d, struct dev_model *m,
		 struct dev_derived *dd, struct om_err *e);
/* Fails with a message naming the keys if the model leaves no KV pool on a
 * device of `cards` cards (d and dd already scaled to all of them): under
 * tensor parallelism each card holds only its share of the weights. */
int dev_check_fit(const struct cfg *c, const struct dev_device *d, const struct dev_model *m,
		  const struct dev_derived *dd, int cards, struct om_err *e);

void dev_derive(const struct dev_device *d, const struct dev_model *m, struct dev_derived *dd);

/* Names of built-in presets, NULL-terminated; for --help. */
const char *dev_preset_list(const char *section, char *buf, size_t n);

#endif
