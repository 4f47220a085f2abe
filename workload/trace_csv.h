/* trace_csv: reads request traces with libcsv (RFC 4180: quoted fields may
 * span lines, CRLF or LF endings). Three layouts, told apart by the header:
 *  - odmasim/shared: id,prompt_tokens,output_tokens[,prompt][,arrival_s]
 *  - Vidur: arrived_at,num_prefill_tokens,num_decode_tokens (extra columns ignored)
 *  - Azure (trace_azure.h): TIMESTAMP,ContextTokens,GeneratedTokens
 * Columns are found by name. Every rejected row names file, line and field. */
#ifndef OM_TRACE_CSV_H
#define OM_TRACE_CSV_H

#include <stdbool.h>

#include "workload/trace.h"

/* Appends the rows of the CSV text buf to t (t must be initialised); `name`
 * is used in messages. keep_text keeps prompt texts (predictors need them;
 * runs without predictors do not). Files are read through trace_read
 * (trace_fmt.h), which picks this reader for CSV. */
int trace_parse_csv(const char *buf, size_t len, const char *name, struct wl_trace *t,
		    bool keep_text, struct om_err *e);
/* The same; plain = false feeds every record to libcsv (tests compare). */
int trace_parse_csv_opt(const char *buf, size_t len, const char *name, struct wl_trace *t,
			bool keep_text, bool plain, struct om_err *e);

#endif
