/* wl_stream: the built-in synthetic workload made block by block as a run
 * reads it, instead of whole before the run (workload.h: wl_build_stream).
 * Each row is drawn from the same streams as the whole-trace build
 * (workload.synth for lengths, workload.arrival for times) in the same
 * order, so the rows are those wl_build gives, bit for bit. A streamed trace
 * (wl_trace.stream) carries n and its metadata but no rows: one reader
 * takes them once, in order. */
#ifndef OM_WL_STREAM_H
#define OM_WL_STREAM_H

#include <stdint.h>

#include "workload/arrival.h"
#include "workload/synth.h"
#include "workload/trace.h"

/* n = p->n rows with lengths by p, times by a; NULL when out of memory. */
struct wl_stream *wl_stream_new(const struct synth_params *p, const struct arr_seq *a,
				uint64_t seed);
void wl_stream_free(struct wl_stream *s);
/* Makes rows [from, to) into req[0, to - from) and their true output
 * lengths into out[0, to - from); from is where the last call stopped (0
 * first). Fails with the whole-trace build's error (an arrival past the
 * clock); no row is made after a failure. */
int wl_stream_rows(struct wl_stream *s, size_t from, size_t to, struct wl_req *req, int32_t *out,
		   struct om_err *e);

#endif
