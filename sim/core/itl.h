/* itl: the inter-token latency distribution of a run, as weighted gaps.
 * A gap is the time between two consecutive tokens of one request (its
 * first token, ending the prefill, opens no gap). Most gaps come in groups
 * (every request of a decode iteration waited that iteration), so gaps are
 * added with a weight. They land in a log-linear histogram: gaps below
 * 2^ITL_SUB_BITS ns exactly, larger ones in buckets 2^-ITL_SUB_BITS of their
 * lower bound wide; memory is bounded (one 1024-bucket block per octave that
 * occurs) and the result does not depend on the order of the additions. */
#ifndef OM_ITL_H
#define OM_ITL_H

#include <stdbool.h>
#include <stdint.h>

#define ITL_SUB_BITS 10
#define ITL_SUB (1 << ITL_SUB_BITS)
#define ITL_BLOCKS (64 - ITL_SUB_BITS + 1)

struct itl_bucket {
	int64_t n;   /* weight of the gaps in it */
	int64_t max; /* largest gap in it, ns */
};

struct itl {
	struct itl_bucket *block[ITL_BLOCKS]; /* allocated on first use */
	int64_t n;			      /* total weight */
	bool oom;			      /* an addition was lost for memory */
	/* the bucket of the last addition, gaps [last_lo, last_lo + last_w):
	 * the iterations of a leap mostly land in one */
	struct itl_bucket *last;
	uint64_t last_lo, last_w;
};

void itl_init(struct itl *h);
void itl_free(struct itl *h);
/* Adds `weight` gaps of `gap_ns` each (gap_ns >= 0, weight >= 0). Out of
 * memory sets h->oom, which the caller checks once at the end. */
void itl_add(struct itl *h, int64_t gap_ns, int64_t weight);
/* Adds every gap of src to h (as if each addition to src had been made to
 * h). 0, or -1 (h->oom set) when out of memory or src lost one. */
int itl_merge(struct itl *h, const struct itl *src);
/* The nearest-rank quantile num/den (0 < num/den <= 1): the ceil(N num / den)-th
 * smallest of the N gaps, reported as the largest gap seen in its bucket, so
 * it is exact below 2^ITL_SUB_BITS ns or when the bucket held one distinct
 * gap, and otherwise at most a factor 1 + 2^-ITL_SUB_BITS above. Seconds;
 * NAN with no gap. */
double itl_quantile_s(const struct itl *h, int64_t num, int64_t den);

#endif
