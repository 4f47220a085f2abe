/* trace_csv: reads request traces with libcsv (RFC 4180: quoted fields may
 * span lines, CRLF or LF endings). Three layouts, told apart by the header:
 *  - odmasim/shared: id,prompt_tokens,output_tokens[,prompt][,arrival_s]
 *  - Vidur: arrived_at,num_prefill_tokens,num_decode_tokens (extra columns ignored)
 *  - Azure (trace_azure.h): TIMESTAMP,ContextTokens,GeneratedTokens
 * Columns are found by name. Every rejected row names file, line and field. */
#ifndef OM_TRACE_CSV_H
#define OM_TRACE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "workload/trace.h"

/* Appends the rows of the CSV text buf to t (t must be initialised); `name`
 * is used in messages. keep_text keeps prompt texts (predictors need them;
 * runs without predictors do not). Files are read through trace_read
 * (trace_fmt.h), which picks this reader for CSV. */
int trace_parse_csv(const char *buf, size_t len, const char *name, struct wl_trace *t,
		    bool keep_text, struct om_err *e);
/* The same on `threads` threads: with two or more, and a buffer of at least
 * TRACE_CSV_SPLIT_MIN bytes, the part after the first LF past the middle is
 * read on a helper thread while this one reads up to it. The part is used
 * only when this thread, reaching it, is exactly at a record start (a quoted
 * field may hold line ends); else this thread reads on alone. Rows, texts
 * and every message (file, line, field; the first error in the file wins)
 * are those of the one-thread read. */
int trace_parse_csv_threads(const char *buf, size_t len, const char *name, struct wl_trace *t,
			    bool keep_text, int threads, struct om_err *e);
/* An assumption, not measured: below this size a second thread is taken
 * not to pay for its start (speed only: no result depends on it). */
#define TRACE_CSV_SPLIT_MIN ((size_t)1 << 20)
/* The same for tests: plain = false feeds every record to libcsv; split is
 * the byte from which the split point is sought (SIZE_MAX: one thread);
 * *split_used (if not NULL) tells whether the second thread's part counted. */
int trace_parse_csv_opt(const char *buf, size_t len, const char *name, struct wl_trace *t,
			bool keep_text, bool plain, size_t split, bool *split_used,
			struct om_err *e);

#endif
