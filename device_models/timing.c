#include "device_models/timing.h"

#include <math.h>
#include <string.h>

#include "common/registry.h"

/* Tensor parallelism: the instance behaves as one device with n times a
 * card's capacity, bandwidth and compute. Each card holds 1/n of the weights
 * and of the KV heads, so per-run lengths are unchanged and the KV pool is n
 * per-card pools. */
static int apply_tp(struct dev_timing *t, const struct cfg *c, struct om_err *e)
{
	t->card = t->d;
	t->tp = 1;
	t->card_weight_bytes = t->dd.weight_bytes;
	t->card_kv_bytes_per_token = t->dd.kv_bytes_per_token;
	if (strcmp(cfg_str(c, "cluster.mode"), "tensor_parallel") != 0)
		return 0;
	int32_t n = (int32_t)cfg_int(c, "cluster.devices");
	if (t->m.kv_heads % n || t->m.heads % n)
		return cfg_fail(
			c, "cluster.devices", e,
			"tensor parallelism over %d cards needs heads (%d) and KV heads (%d) divisible by %d",
			n, t->m.heads, t->m.kv_heads, n);
	t->tp = n;
	t->d.capacity_bytes *= n;
	t->d.reserve_bytes *= n;
	t->d.peak_bw *= n;
	t->d.peak_flops *= n;
	dev_derive(&t->d, &t->m, &t->dd);
	t->card_weight_bytes = t->dd.weight_bytes / n;
	t->card_kv_bytes_per_token = t->dd.kv_bytes_per_token / n;
	return 0;
}

int dt_init(struct dev_timing *t, const struct cfg *c, struct om_err *e)
{
	memset(t, 0, sizeof *t);
	if (dev_from_cfg(c, &t->d, &t->m, &t->dd, e) < 0)
		return -1;
	if (apply_tp(t, c, e) < 0 || dev_check_fit(c, &t->d, &t->m, &t->dd, t->tp, e) < 0)
		return -1;
	t->mm = mm_find(t->d.mem_model);
	if (!t->mm) {
		char list[256];
		return cfg_fail(c, "device.mem_model", e, "unknown memory model '%s' (known: %s)",
				t->d.mem_model,
				reg_names(REG(mm_registry), ", ", list, sizeof list));
	}
	if (t->mm->create(c, &t->d, &t->mm_state, e) < 0)
		return -1;
	double eta = 0;
	if (t->mm->linear && t->mm->linear(t->mm_state, &t->d, &eta, &t->lin_half)) {
		t->lin = true;
		t->lin_bw = t->d.peak_bw * eta;
	}
	t->flops_per_token = 2.0 * t->m.params;
	t->flops_per_pair = 4.0 * t->m.layers * t->m.heads * (double)t->m.head_dim;
	t->flops_rate = t->d.peak_flops * t->d.compute_eff;
	t->weights_ns = dt_stream_ns(t, t->dd.weight_bytes);
	return 0;
}

void dt_free(struct dev_timing *t)
{
	if (t->mm)
		t->mm->destroy(t->mm_state);
	t->mm_state = NULL;
}

double dt_beff(const struct dev_timing *t, double run_bytes)
{
	return t->d.peak_bw * t->mm->eff(t->mm_state, &t->d, run_bytes);
}

void dt_runs(const struct dev_timing *t, struct it_cost *c, double run_bytes, double count)
{
	if (run_bytes <= 0 || count <= 0)
		return;
	if (!t->lin)
		c->kv_ns += count * run_bytes / dt_beff(t, run_bytes) * 1e9;
	c->kv_bytes += count * run_bytes;
	c->kv_runs += count;
}

void dt_region(const struct dev_timing *t, struct it_cost *c, double tokens)
{
	dt_runs(t, c, tokens * t->dd.run_bytes_per_token, (double)t->dd.runs_per_region);
}

double dt_stream_ns(const struct dev_timing *t, double bytes)
{
	return bytes / (t->d.eta_seq * t->d.peak_bw) * 1e9;
}

/* Ring all-reduce of B bytes over n cards: 2(n-1) steps, each moving B/n
 * bytes and paying the link latency. Two per layer (attention output and MLP
 * output), over the activations of every token computed. */
double dt_comm_ns(const struct dev_timing *t, double tokens)
{
	if (t->tp <= 1 || tokens <= 0)
		return 0;
	double n = t->tp;
	double bytes = tokens * (double)t->m.heads * t->m.head_dim * t->m.bytes_per_elem;
	double one = 2.0 * (n - 1) * (bytes / n / t->card.link_bw * 1e9 + t->card.link_latency_ns);
	return 2.0 * t->m.layers * one;
}
