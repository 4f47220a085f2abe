/* LLMServingSim's tab-separated traces: a header naming input_toks,
 * output_toks and (optionally) arrival_time_ns, integer nanoseconds kept
 * exactly; other columns are ignored. Ids are row numbers from 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload/trace_fmt.h"

enum {
	TSV_IN,
	TSV_OUT,
	TSV_ARR,
	TSV_N
};
static const char *const tsv_names[TSV_N] = { "input_toks", "output_toks", "arrival_time_ns" };

/* Splits a line in place at tabs; returns the number of fields. */
static size_t tsv_split(char *s, char **f, size_t max)
{
	size_t n = 0;
	for (;;) {
		if (n == max)
			return max + 1;
		f[n++] = s;
		char *tab = strchr(s, '\t');
		if (!tab)
			return n;
		*tab = '\0';
		s = tab + 1;
	}
}

static int tsv_int(const char *name, long line, const char *field, const char *s, int64_t lo,
		   int64_t hi, int64_t *out, struct om_err *e)
{
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return err_set(e, name, line, field, "expected an integer, got '%.60s'", s);
	if (v < lo)
		return err_set(e, name, line, field, "%s, got '%.60s'",
			       lo > 0 ? "must be positive" : "must not be negative", s);
	if (v > hi)
		return err_set(e, name, line, field, "too large, got '%.60s'", s);
	*out = v;
	return 0;
}

#define TSV_MAXF 64

static int tsv_header(char *line, long col[TSV_N], size_t *ncols, const char *name,
		      struct om_err *e)
{
	char *f[TSV_MAXF];
	size_t n = tsv_split(line, f, TSV_MAXF);
	if (n > TSV_MAXF)
		return err_set(e, name, 1, NULL, "more than %d columns", TSV_MAXF);
	for (int c = 0; c < TSV_N; c++)
		col[c] = -1;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < TSV_N; c++)
			if (!strcmp(f[i], tsv_names[c])) {
				if (col[c] >= 0)
					return err_set(e, name, 1, f[i],
						       "column given twice in the header");
				col[c] = (long)i;
			}
	if (col[TSV_IN] < 0 || col[TSV_OUT] < 0)
		return err_set(e, name, 1, NULL,
			       "TSV header must name input_toks and output_toks (LLMServingSim)");
	*ncols = n;
	return 0;
}

static int tsv_row(char *line, long ln, const long col[TSV_N], size_t ncols, int64_t id,
		   struct wl_trace *t, const char *name, struct om_err *e)
{
	char *f[TSV_MAXF];
	size_t n = tsv_split(line, f, TSV_MAXF);
	if (n != ncols)
		return err_set(e, name, ln, NULL, "expected %zu fields as in the header, got %zu",
			       ncols, n > TSV_MAXF ? (size_t)TSV_MAXF + 1 : n);
	int64_t in, out, arr = 0;
	if (tsv_int(name, ln, tsv_names[TSV_IN], f[col[TSV_IN]], 1, INT32_MAX / 2, &in, e) < 0
	    || tsv_int(name, ln, tsv_names[TSV_OUT], f[col[TSV_OUT]], 0, INT32_MAX / 2, &out, e) < 0
	    || (col[TSV_ARR] >= 0
		&& tsv_int(name, ln, tsv_names[TSV_ARR], f[col[TSV_ARR]], 0, (int64_t)9e18, &arr, e)
			< 0))
		return -1;
	return trace_push(t, id, arr, (int32_t)in, (int32_t)out, NULL, 0, e);
}

static int tsv_parse(const char *buf, size_t len, const char *name, struct wl_trace *t,
		     bool keep_text, struct om_err *e)
{
	(void)keep_text; /* no prompt text in this format */
	if (memchr(buf, '\0', len))
		return err_set(e, name, 0, NULL, "NUL byte in a text file");
	char *copy = malloc(len + 1);
	if (!copy)
		return err_set(e, name, 0, NULL, "out of memory");
	memcpy(copy, buf, len);
	copy[len] = '\0';
	long col[TSV_N] = { -1, -1, -1 };
	size_t ncols = 0;
	int64_t rows = 0;
	int rc = 0;
	bool header = false;
	char *s = copy;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	for (long ln = 1; rc == 0 && *s; ln++) {
		char *nl = strchr(s, '\n');
		char *next = nl ? nl + 1 : s + strlen(s);
		if (nl)
			*nl = '\0';
		size_t l = strlen(s);
		if (l && s[l - 1] == '\r')
			s[--l] = '\0';
		if (!header) {
			rc = tsv_header(s, col, &ncols, name, e);
			header = true;
		} else if (l) {
			rc = tsv_row(s, ln, col, ncols, rows++, t, name, e);
		}
		s = next;
	}
	free(copy);
	if (rc == 0 && !header)
		rc = err_set(e, name, 0, NULL, "empty file: no header row");
	else if (rc == 0 && rows == 0)
		rc = err_set(e, name, 0, NULL, "header only: the trace has no requests");
	t->has_arrivals = col[TSV_ARR] >= 0;
	return rc;
}

static bool tsv_claims(const char *ext, const char *line, size_t len)
{
	return !strcmp(ext, ".tsv") || (memchr(line, '\t', len) && !memchr(line, ',', len));
}

const struct trace_fmt trace_fmt_tsv = {
	"tsv",
	"LLMServingSim tab-separated: input_toks, output_toks[, arrival_time_ns]",
	tsv_claims,
	tsv_parse,
};
