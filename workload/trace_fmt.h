/* trace_fmt: the registry of trace readers. A file goes to the first reader
 * whose `claims` accepts its extension or first line; the CSV reader (which
 * tells odmasim and Vidur layouts apart by header) comes last and takes the
 * rest. Adding a format is one file with a `struct trace_fmt` plus one line
 * in the registry (trace_fmt.c). Every reader names file, line and field in
 * its errors and sets t->format. */
#ifndef OM_TRACE_FMT_H
#define OM_TRACE_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "workload/trace.h"

struct trace_fmt {
	const char *name;
	const char *help;
	/* ext: the file name's extension with its dot ("" if none); line: the
	 * first line of the file without its end of line. */
	bool (*claims)(const char *ext, const char *line, size_t len);
	int (*parse)(const char *buf, size_t len, const char *name, struct wl_trace *t,
		     bool keep_text, struct om_err *e);
};

extern const struct trace_fmt *const trace_fmt_registry[];
extern const struct trace_fmt trace_fmt_csv, trace_fmt_jsonl, trace_fmt_tsv;

/* The reader for a file called `name` whose contents start with buf. */
const struct trace_fmt *trace_fmt_pick(const char *name, const char *buf, size_t len);
/* Reads any registered format; keep_text as in trace_parse_csv. */
int trace_read(const char *path, struct wl_trace *t, bool keep_text, struct om_err *e);
/* The same on up to `threads` threads (run.threads' count): the same rows
 * and messages with any count. */
int trace_read_threads(const char *path, struct wl_trace *t, bool keep_text, int threads,
		       struct om_err *e);
int trace_parse(const char *buf, size_t len, const char *name, struct wl_trace *t, bool keep_text,
		struct om_err *e);

#endif
