/* lpddr5: a run of L bytes on LPDDR5 as DRAM physics times DMA issue.
 *   r        = min(row, max(min(L, interleave), L / channels))
 *              bytes one channel reads from one open row: a run is striped
 *              over the channels in interleave-sized pieces
 *   L_act    = channel_bw * max(tRRD, tFAW / 4)
 *              bytes a channel could have streamed in the time one row
 *              activation occupies (the activation-rate limit)
 *   eta_dram = [r / (r + L_act)] / [row / (row + L_act)]
 *              normalised so a long stream (r = row) gives 1: eta_seq
 *              already holds the streaming losses
 *   eff(L)   = eta_seq * eta_dram(L) * L / (L + L_dma)
 *              L_dma: the fixed issue cost of one DMA descriptor, in bytes
 * Defaults are LPDDR5-6400 x16 (gem5 LPDDR5_6400_1x16, bank-group mode). */
#include <math.h>
#include <stdlib.h>

#include "device_models/memmodel.h"

struct lp {
	double channels, row, interleave, l_act, l_dma, norm;
};

static const struct cfg_key lp_keys[] = {
	{ "device.lpddr_channels", CFG_INT, "0", 0, 1 << 20, NULL,
	  "lpddr5: x16 channels the bus is striped over; 0 = peak_bw_gbps / lpddr_channel_gbps" },
	{ "device.lpddr_channel_gbps", CFG_REAL, "12.8", 1e-3, 1e6, NULL,
	  "lpddr5: bandwidth of one channel, GB/s (LPDDR5-6400 x16: 12.8)" },
	{ "device.lpddr_row_bytes", CFG_REAL, "2048", 1, 1e9, NULL,
	  "lpddr5: row (page) size of one channel, bytes (LPDDR5 x16: 2 KiB)" },
	{ "device.lpddr_trrd_ns", CFG_REAL, "5", 0, 1e6, NULL,
	  "lpddr5: tRRD, minimum time between two row activations, ns" },
	{ "device.lpddr_tfaw_ns", CFG_REAL, "20", 0, 1e6, NULL,
	  "lpddr5: tFAW, window holding at most four activations, ns" },
	{ "device.lpddr_interleave_bytes", CFG_REAL, "256", 1, 1e9, NULL,
	  "lpddr5: channel interleave granularity, bytes (MLU370: not public; 256 assumed)" },
	{ "device.lpddr_dma_bytes", CFG_REAL, "4096", 0, 1e9, NULL,
	  "lpddr5: L_dma, fixed cost of issuing one run expressed in bytes of streaming" },
	{ NULL, 0, NULL, 0, 0, NULL, NULL },
};

static double lp_dram(const struct lp *s, double L)
{
	double r = fmin(L, s->interleave);
	r = fmax(r, L / s->channels);
	r = fmin(r, s->row);
	return r / (r + s->l_act) / s->norm;
}

static int lp_create(const struct cfg *c, const struct dev_device *d, void **state,
		     struct om_err *e)
{
	struct lp *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, NULL, 0, NULL, "out of memory");
	double ch_bw = cfg_real(c, "device.lpddr_channel_gbps") * 1e9;
	int64_t ch = cfg_int(c, "device.lpddr_channels");
	/* Per card: under tensor parallelism d->peak_bw is the sum over cards,
	 * but a run is striped over one card's channels. */
	(void)d;
	double card_bw = cfg_real(c, "device.peak_bw_gbps") * 1e9;
	s->channels = ch > 0 ? (double)ch : fmax(1.0, round(card_bw / ch_bw));
	s->row = cfg_real(c, "device.lpddr_row_bytes");
	s->interleave = cfg_real(c, "device.lpddr_interleave_bytes");
	double t_act = fmax(cfg_real(c, "device.lpddr_trrd_ns"),
			    cfg_real(c, "device.lpddr_tfaw_ns") / 4);
	s->l_act = ch_bw * t_act * 1e-9;
	s->l_dma = cfg_real(c, "device.lpddr_dma_bytes");
	s->norm = s->row / (s->row + s->l_act);
	*state = s;
	return 0;
}

static void lp_destroy(void *state)
{
	free(state);
}

static double lp_eff(const void *state, const struct dev_device *d, double L)
{
	const struct lp *s = state;
	return d->eta_seq * lp_dram(s, L) * L / (L + s->l_dma);
}

const struct mm_ops mm_lpddr5 = {
	.name = "lpddr5",
	.help = "B_eff(L) = B_peak * eta_seq * eta_dram(L) * L / (L + L_dma): DRAM row activations x DMA issue",
	.keys = lp_keys,
	.create = lp_create,
	.destroy = lp_destroy,
	.eff = lp_eff,
};
