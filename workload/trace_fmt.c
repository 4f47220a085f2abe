#include "workload/trace_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "common/slurp.h"
#include "workload/trace_csv.h"

/* clang-format off: one registry line per format; csv last (it takes the rest) */
const struct trace_fmt *const trace_fmt_registry[] = {
	&trace_fmt_jsonl,
	&trace_fmt_tsv,
	&trace_fmt_csv,
	NULL,
};
/* clang-format on */

const struct trace_fmt *trace_fmt_pick(const char *name, const char *buf, size_t len)
{
	_Static_assert(offsetof(struct trace_fmt, name) == 0,
		       "registry entries start with their name");
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	const char *dot = strrchr(base, '.');
	const char *ext = dot ? dot : "";
	size_t skip = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	const char *nl = memchr(buf + skip, '\n', len - skip);
	size_t ll = nl ? (size_t)(nl - (buf + skip)) : len - skip;
	if (ll && buf[skip + ll - 1] == '\r')
		ll--;
	for (size_t i = 0; trace_fmt_registry[i]; i++)
		if (trace_fmt_registry[i]->claims(ext, buf + skip, ll))
			return trace_fmt_registry[i];
	return &trace_fmt_csv;
}

/* CSV is the one reader that can use a second thread (trace_csv.h). */
static int parse_with(const char *buf, size_t len, const char *name, struct wl_trace *t,
		      bool keep_text, int threads, struct om_err *e)
{
	if (!t->source[0])
		snprintf(t->source, sizeof t->source, "%s", name);
	const struct trace_fmt *f = trace_fmt_pick(name, buf, len);
	snprintf(t->format, sizeof t->format, "%s", f->name);
	if (f == &trace_fmt_csv)
		return trace_parse_csv_threads(buf, len, name, t, keep_text, threads, e);
	return f->parse(buf, len, name, t, keep_text, e);
}

int trace_parse(const char *buf, size_t len, const char *name, struct wl_trace *t, bool keep_text,
		struct om_err *e)
{
	return parse_with(buf, len, name, t, keep_text, 1, e);
}

int trace_read_threads(const char *path, struct wl_trace *t, bool keep_text, int threads,
		       struct om_err *e)
{
	char *buf;
	size_t len;
	if (slurp_file(path, "trace", &buf, &len, e) < 0)
		return -1;
	snprintf(t->source, sizeof t->source, "%s", path);
	int rc = parse_with(buf, len, path, t, keep_text, threads, e);
	free(buf);
	return rc;
}

int trace_read(const char *path, struct wl_trace *t, bool keep_text, struct om_err *e)
{
	return trace_read_threads(path, t, keep_text, 1, e);
}
