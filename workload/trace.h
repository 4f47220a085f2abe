/* trace: a workload as parallel arrays of requests.
 * `req` holds what a serving system can see (id, arrival, prompt, prompt
 * text); `out_tokens` holds the true output lengths, which only the engine
 * (to end requests) and predictor training may read. */
#ifndef OM_TRACE_H
#define OM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct wl_req {
	int64_t id;
	int64_t arrival_ns; /* set by the arrival process; trace timestamps if any */
	int32_t prompt_tokens;
	uint32_t text_len; /* 0 if the trace carries no prompt text */
	size_t text_off;   /* into wl_trace.text */
};

struct wl_trace {
	size_t n, cap;
	struct wl_req *req;
	int32_t *out_tokens; /* the truth: engine and predictor training only */
	char *text;	     /* prompt texts, NUL-separated */
	size_t text_len, text_cap;
	bool has_arrivals; /* rows carried their own timestamps */
	char source[512];  /* file name or "synthetic" */
	char format[16];   /* reader that read it (trace_fmt name), "" for synthetic */
	char arrival[16];  /* the arrival process that ran (auto resolved) */
	/* Set on a streamed trace (workload/wl_stream.h): its n rows are made
	 * as they are read, and req, out_tokens and text stay NULL. */
	struct wl_stream *stream;
};

void trace_init(struct wl_trace *t);
void trace_free(struct wl_trace *t);
/* Frees the per-request rows (requests, true lengths, texts, or the stream
 * that makes them) of a trace whose
 * reader is done with them; the count n and the metadata (source, format,
 * arrival...) stay for the reports. Nothing may index the rows afterwards. */
void trace_drop_rows(struct wl_trace *t);
/* Gives back to the system the memory of the request rows req[from, upto)
 * (whole pages only; a page shared with row upto stays) for a caller that
 * consumes them in order, so a run's own records need not coexist with all
 * of them. Rows below upto must not be read again; trace_drop_rows and
 * trace_free still free the array. */
void trace_release_rows(struct wl_trace *t, size_t from, size_t upto);
/* Appends one request; `text` may be NULL. Returns -1 on OOM. */
int trace_push(struct wl_trace *t, int64_t id, int64_t arrival_ns, int32_t prompt, int32_t output,
	       const char *text, size_t text_len, struct om_err *e);
/* Appends every row of u (not streamed), ids shifted by id_shift, as
 * trace_push of each in turn would. Returns -1 on OOM. */
int trace_append(struct wl_trace *t, const struct wl_trace *u, int64_t id_shift, struct om_err *e);
/* Pointer to request i's prompt text ("" if none). */
const char *trace_text(const struct wl_trace *t, size_t i);

/* Fails naming the later line if two of the requests from index `first` on
 * share an id; lines[i] is the file line of request first + i. */
int trace_check_ids(const struct wl_trace *t, size_t first, const long *lines, const char *name,
		    struct om_err *e);

#endif
