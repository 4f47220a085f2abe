#include "device_models/device.h"

#include "device_models/hf_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/slurp.h"

#include "device_models/presets.h"

#define GIB 1073741824.0

const struct cfg_key dev_keys[] = {
	{ "device.preset", CFG_STR, "mlu370-x4", 0, -1, NULL,
	  "built-in device preset (odmasim list devices); keys below override it" },
	{ "device.preset_file", CFG_STR, "", 0, -1, NULL,
	  "INI file with a [device] section, used instead of device.preset" },
	{ "device.name", CFG_STR, NULL, 0, -1, NULL, "device name (from the preset)" },
	{ "device.capacity_gib", CFG_REAL, NULL, 1e-9, 1e6, NULL, "device memory, GiB" },
	{ "device.peak_bw_gbps", CFG_REAL, NULL, 1e-3, 1e6, NULL,
	  "peak memory bandwidth, GB/s (1e9 B/s)" },
	{ "device.eta_seq", CFG_REAL, NULL, 1e-3, 1, NULL,
	  "streaming efficiency: achieved fraction of peak on long runs" },
	{ "device.l_half_bytes", CFG_REAL, NULL, 0, 1e9, NULL,
	  "access granularity L_half: run length read at half the streaming bandwidth, bytes" },
	{ "device.peak_tflops", CFG_REAL, NULL, 1e-3, 1e7, NULL,
	  "peak compute at the model's precision, TFLOP/s" },
	{ "device.compute_eff", CFG_REAL, NULL, 1e-3, 1, NULL,
	  "achieved fraction of peak compute" },
	{ "device.iter_overhead_us", CFG_REAL, NULL, 0, 1e7, NULL,
	  "fixed cost per iteration (host scheduling, launches), microseconds" },
	{ "device.reserve_frac", CFG_REAL, NULL, 0, 0.99, NULL,
	  "fraction of device memory kept for activations and runtime" },
	{ "device.mem_model", CFG_STR, NULL, 0, -1, NULL,
	  "KV access-cost model (halfsat, lpddr5, calib; see `odmasim keys`)" },
	{ "device.link_gbps", CFG_REAL, "32", 1e-3, 1e6, NULL,
	  "card-to-card bandwidth per direction for tensor-parallel all-reduce, GB/s" },
	{ "device.link_latency_us", CFG_REAL, "10", 0, 1e6, NULL,
	  "latency of one all-reduce step, microseconds" },
	{ "cluster.devices", CFG_INT, "1", 1, 4096, NULL, "cards in the experiment" },
	{ "cluster.mode", CFG_ENUM, "instances", 0, -1, "instances|tensor_parallel",
	  "instances: one replica per card behind a router; tensor_parallel: one instance split over all cards" },
	{ "model.preset", CFG_STR, "deepseek-r1-distill-qwen-7b", 0, -1, NULL,
	  "built-in model preset (odmasim list models)" },
	{ "model.preset_file", CFG_STR, "", 0, -1, NULL,
	  "INI file with a [model] section, used instead of model.preset" },
	{ "model.hf_config", CFG_STR, "", 0, -1, NULL,
	  "a Hugging Face config.json (llama, mistral, qwen2): layers, heads, KV heads, head_dim and dtype from it, params_b computed; used instead of model.preset" },
	{ "model.name", CFG_STR, NULL, 0, -1, NULL, "model name (from the preset)" },
	{ "model.layers", CFG_INT, NULL, 1, 100000, NULL, "transformer layers" },
	{ "model.heads", CFG_INT, NULL, 1, 100000, NULL, "attention (query) heads" },
	{ "model.kv_heads", CFG_INT, NULL, 1, 100000, NULL, "KV heads (GQA)" },
	{ "model.head_dim", CFG_INT, NULL, 1, 100000, NULL, "head dimension" },
	{ "model.bytes_per_elem", CFG_INT, NULL, 1, 8, NULL,
	  "bytes per weight and KV element (2 = FP16)" },
	{ "model.params_b", CFG_REAL, NULL, 1e-6, 1e5, NULL, "parameters, billions" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

const char *dev_preset_list(const char *section, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const struct dev_preset *p = dev_presets; p->section; p++) {
		if (strcmp(p->section, section) != 0)
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", p->name);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* A preset file that leaves a required key of its section unset is named,
 * rather than the key alone ("required but not set"). */
static int preset_complete(struct cfg *c, const char *section, const char *kf, const char *file,
			   struct om_err *e)
{
	size_t sl = strlen(section);
	for (const struct cfg_key *k = dev_keys; k->name; k++)
		if (!k->def && !strncmp(k->name, section, sl) && k->name[sl] == '.'
		    && !cfg_is_set(c, k->name))
			return cfg_fail(
				c, kf, e,
				"preset file '%s' does not set %s (nor does the experiment)", file,
				k->name);
	return 0;
}

static int load_one(struct cfg *c, const char *section, struct om_err *e)
{
	char kp[64], kf[64];
	snprintf(kp, sizeof kp, "%s.preset", section);
	snprintf(kf, sizeof kf, "%s.preset_file", section);
	const char *file = cfg_str(c, kf);
	if (file[0]) {
		char *buf;
		size_t len;
		struct om_err why;
		if (slurp_file(file, "preset file", &buf, &len, &why) < 0)
			return cfg_fail(c, kf, e, "%s", why.msg);
		if (len > 65535) {
			free(buf);
			return cfg_fail(c, kf, e, "preset file '%s' is larger than 64 KiB", file);
		}
		if (strlen(buf) != len) {
			free(buf);
			return cfg_fail(c, kf, e, "preset file '%s' contains a NUL byte", file);
		}
		int rc = cfg_load_string(c, buf, file, CFG_LVL_PRESET, e);
		free(buf);
		return rc < 0 ? -1 : preset_complete(c, section, kf, file, e);
	}
	const char *name = cfg_str(c, kp);
	if (!name[0])
		return 0; /* every key must then be given explicitly */
	for (const struct dev_preset *p = dev_presets; p->section; p++) {
		if (strcmp(p->section, section) == 0 && strcmp(p->name, name) == 0) {
			char origin[128];
			snprintf(origin, sizeof origin, "preset %s", name);
			return cfg_load_string(c, p->text, origin, CFG_LVL_PRESET, e);
		}
	}
	char list[512];
	return cfg_fail(c, kp, e, "unknown %s preset '%s' (built in: %s)", section, name,
			dev_preset_list(section, list, sizeof list));
}

/* model.hf_config: the [model] section built from a config.json. */
static int load_hf(struct cfg *c, const char *path, struct om_err *e)
{
	struct hf_model m;
	struct om_err inner = { "" };
	if (hf_config_read(path, &m, &inner) < 0)
		return cfg_fail(c, "model.hf_config", e, "%s", inner.msg);
	char ini[1024];
	if (hf_model_ini(&m, path, ini, sizeof ini) < 0)
		return cfg_fail(c, "model.hf_config", e, "model name too long");
	return cfg_load_string(c, ini, path, CFG_LVL_PRESET, e);
}

int dev_load_presets(struct cfg *c, struct om_err *e)
{
	const char *hf = cfg_str(c, "model.hf_config");
	if (load_one(c, "device", e) < 0
	    || (hf[0] ? load_hf(c, hf, e) : load_one(c, "model", e)) < 0)
		return -1;
	return 0;
}

void dev_derive(const struct dev_device *d, const struct dev_model *m, struct dev_derived *dd)
{
	dd->weight_bytes = m->params * m->bytes_per_elem;
	dd->run_bytes_per_token = (double)m->head_dim * m->bytes_per_elem;
	dd->runs_per_region = (int64_t)m->layers * m->kv_heads * 2;
	dd->kv_bytes_per_token = dd->run_bytes_per_token * (double)dd->runs_per_region;
	dd->pool_bytes = d->capacity_bytes - d->reserve_bytes - dd->weight_bytes;
	dd->pool_tokens = dd->pool_bytes > 0
		? (int64_t)floor(dd->pool_bytes / dd->kv_bytes_per_token)
		: 0;
}

int dev_from_cfg(const struct cfg *c, struct dev_device *d, struct dev_model *m,
		 struct dev_derived *dd, struct om_err *e)
{
	memset(d, 0, sizeof *d);
	memset(m, 0, sizeof *m);
	snprintf(d->name, sizeof d->name, "%s", cfg_str(c, "device.name"));
	d->capacity_bytes = cfg_real(c, "device.capacity_gib") * GIB;
	d->peak_bw = cfg_real(c, "device.peak_bw_gbps") * 1e9;
	d->eta_seq = cfg_real(c, "device.eta_seq");
	d->l_half = cfg_real(c, "device.l_half_bytes");
	d->peak_flops = cfg_real(c, "device.peak_tflops") * 1e12;
	d->compute_eff = cfg_real(c, "device.compute_eff");
	d->iter_overhead_ns = llround(cfg_real(c, "device.iter_overhead_us") * 1e3);
	d->reserve_bytes = cfg_real(c, "device.reserve_frac") * d->capacity_bytes;
	snprintf(d->mem_model, sizeof d->mem_model, "%s", cfg_str(c, "device.mem_model"));
	d->link_bw = cfg_real(c, "device.link_gbps") * 1e9;
	d->link_latency_ns = cfg_real(c, "device.link_latency_us") * 1e3;
	snprintf(m->name, sizeof m->name, "%s", cfg_str(c, "model.name"));
	m->layers = (int32_t)cfg_int(c, "model.layers");
	m->heads = (int32_t)cfg_int(c, "model.heads");
	m->kv_heads = (int32_t)cfg_int(c, "model.kv_heads");
	m->head_dim = (int32_t)cfg_int(c, "model.head_dim");
	m->bytes_per_elem = (int32_t)cfg_int(c, "model.bytes_per_elem");
	m->params = cfg_real(c, "model.params_b") * 1e9;
	if (m->kv_heads > m->heads)
		return cfg_fail(c, "model.kv_heads", e, "%d KV heads but only %d heads",
				m->kv_heads, m->heads);
	dev_derive(d, m, dd);
	return 0;
}

int dev_check_fit(const struct cfg *c, const struct dev_device *d, const struct dev_model *m,
		  const struct dev_derived *dd, int cards, struct om_err *e)
{
	if (dd->pool_tokens >= 1)
		return 0;
	char over[64] = "";
	if (cards > 1)
		snprintf(over, sizeof over, " over %d cards", cards);
	return cfg_fail(c, "model.params_b", e,
			"model '%s' does not fit on device '%s'%s: %.2f GiB of weights, "
			"%.2f GiB of memory after the %.0f%% runtime reserve "
			"(device.capacity_gib from %s, device.reserve_frac from %s)",
			m->name, d->name, over, dd->weight_bytes / GIB,
			(d->capacity_bytes - d->reserve_bytes) / GIB,
			100.0 * d->reserve_bytes / d->capacity_bytes,
			cfg_origin(c, "device.capacity_gib"), cfg_origin(c, "device.reserve_frac"));
}
