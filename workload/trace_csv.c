#include "workload/trace_csv.h"

#include "workload/trace_fmt.h"

#include "common/slurp.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
	COL_ID,
	COL_PROMPT_TOK,
	COL_OUTPUT_TOK,
	COL_TEXT,
	COL_ARRIVAL,
	COL_N
};

enum layout {
	LAYOUT_UNKNOWN,
	LAYOUT_SHARED,
	LAYOUT_VIDUR
};

struct field {
	size_t off, len;
};

struct rd {
	const char *name;
	struct wl_trace *t;
	bool keep_text;
	struct om_err *e;
	bool failed;
	long line;	/* line being fed */
	long rec_line;	/* line the current record started on */
	long next_line; /* line after the last complete record */
	bool in_record;
	/* fields of the current record, copied into one buffer */
	char *buf;
	size_t blen, bcap;
	struct field *f;
	size_t nf, fcap;
	/* header */
	bool have_header;
	size_t ncols;
	long col[COL_N]; /* column index per role, -1 if absent */
	const char *colname[COL_N];
	enum layout layout;
	long rows;
	long *lines; /* record start line per pushed request */
	size_t lines_cap;
};

static int fail(struct rd *r, long line, const char *field, const char *msg, const char *val)
{
	if (val)
		err_set(r->e, r->name, line, field, "%s, got '%.60s'", msg, val);
	else
		err_set(r->e, r->name, line, field, "%s", msg);
	r->failed = true;
	return -1;
}

static void on_field(void *s, size_t len, void *data)
{
	struct rd *r = data;
	if (r->failed)
		return;
	if (!r->in_record) {
		r->in_record = true;
		r->rec_line = r->line;
		r->blen = 0;
		r->nf = 0;
	}
	if (r->bcap - r->blen < len + 1) {
		size_t nc = r->bcap ? r->bcap : 1024;
		while (nc - r->blen < len + 1)
			nc *= 2;
		char *nb = realloc(r->buf, nc);
		if (!nb) {
			fail(r, r->line, NULL, "out of memory", NULL);
			return;
		}
		r->buf = nb;
		r->bcap = nc;
	}
	if (r->nf == r->fcap) {
		size_t nc = r->fcap ? r->fcap * 2 : 16;
		struct field *nfp = realloc(r->f, nc * sizeof *nfp);
		if (!nfp) {
			fail(r, r->line, NULL, "out of memory", NULL);
			return;
		}
		r->f = nfp;
		r->fcap = nc;
	}
	if (len)
		memcpy(r->buf + r->blen, s, len);
	r->buf[r->blen + len] = '\0';
	r->f[r->nf++] = (struct field){ r->blen, len };
	r->blen += len + 1;
}

static const char *fld(struct rd *r, size_t i)
{
	return r->buf + r->f[i].off;
}

static void header(struct rd *r)
{
	for (int c = 0; c < COL_N; c++)
		r->col[c] = -1;
	r->ncols = r->nf;
	bool vidur = false;
	for (size_t i = 0; i < r->nf; i++) {
		const char *h = fld(r, i);
		/* A UTF-8 byte-order mark may precede the first header name. */
		if (i == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0)
			h += 3;
		int role = -1;
		if (!strcmp(h, "id"))
			role = COL_ID;
		else if (!strcmp(h, "prompt_tokens"))
			role = COL_PROMPT_TOK;
		else if (!strcmp(h, "output_tokens"))
			role = COL_OUTPUT_TOK;
		else if (!strcmp(h, "prompt"))
			role = COL_TEXT;
		else if (!strcmp(h, "arrival_s"))
			role = COL_ARRIVAL;
		else if (!strcmp(h, "arrived_at"))
			role = COL_ARRIVAL, vidur = true;
		else if (!strcmp(h, "num_prefill_tokens"))
			role = COL_PROMPT_TOK, vidur = true;
		else if (!strcmp(h, "num_decode_tokens"))
			role = COL_OUTPUT_TOK, vidur = true;
		if (role < 0)
			continue;
		if (r->col[role] >= 0) {
			fail(r, r->rec_line, h, "column given twice in the header", NULL);
			return;
		}
		r->col[role] = (long)i;
	}
	r->colname[COL_ID] = "id";
	r->colname[COL_TEXT] = "prompt";
	if (vidur) {
		r->layout = LAYOUT_VIDUR;
		snprintf(r->t->format, sizeof r->t->format, "vidur");
		r->colname[COL_PROMPT_TOK] = "num_prefill_tokens";
		r->colname[COL_OUTPUT_TOK] = "num_decode_tokens";
		r->colname[COL_ARRIVAL] = "arrived_at";
		if (r->col[COL_ARRIVAL] < 0 || r->col[COL_PROMPT_TOK] < 0
		    || r->col[COL_OUTPUT_TOK] < 0) {
			fail(r, r->rec_line, NULL,
			     "Vidur trace header must name arrived_at, num_prefill_tokens "
			     "and num_decode_tokens",
			     NULL);
			return;
		}
	} else {
		r->layout = LAYOUT_SHARED;
		r->colname[COL_PROMPT_TOK] = "prompt_tokens";
		r->colname[COL_OUTPUT_TOK] = "output_tokens";
		r->colname[COL_ARRIVAL] = "arrival_s";
		if (r->col[COL_ID] < 0 || r->col[COL_PROMPT_TOK] < 0
		    || r->col[COL_OUTPUT_TOK] < 0) {
			fail(r, r->rec_line, NULL,
			     "header must name id, prompt_tokens and output_tokens "
			     "(or Vidur's arrived_at, num_prefill_tokens, num_decode_tokens)",
			     NULL);
			return;
		}
	}
	r->t->has_arrivals = r->col[COL_ARRIVAL] >= 0;
	r->have_header = true;
}

/* Token counts are integers; Vidur writes some as "123.0", so an integral
 * decimal is accepted too. */
static int get_count(struct rd *r, int role, int64_t lo, int64_t *out)
{
	const char *s = fld(r, (size_t)r->col[role]);
	const char *name = r->colname[role];
	if (!*s)
		return fail(r, r->rec_line, name, "empty value", NULL);
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end == '.') {
		char *e2;
		double d = strtod(s, &e2);
		if (*e2 || d != floor(d))
			return fail(r, r->rec_line, name, "expected an integer", s);
		/* Range-check before converting: a huge double does not fit a long long. */
		if (d > INT32_MAX / 2)
			return fail(r, r->rec_line, name, "too large", s);
		if (d < (double)lo)
			return fail(r, r->rec_line, name,
				    lo > 0 ? "must be positive" : "must not be negative", s);
		v = (long long)d;
		end = e2;
	}
	if (errno || end == s || *end)
		return fail(r, r->rec_line, name, "expected an integer", s);
	if (v < lo)
		return fail(r, r->rec_line, name,
			    lo > 0 ? "must be positive" : "must not be negative", s);
	if (v > INT32_MAX / 2)
		return fail(r, r->rec_line, name, "too large", s);
	*out = v;
	return 0;
}

static void record(struct rd *r)
{
	if (!r->have_header) {
		header(r);
		return;
	}
	if (r->nf != r->ncols) {
		char msg[96];
		snprintf(msg, sizeof msg, "expected %zu fields as in the header, got %zu", r->ncols,
			 r->nf);
		fail(r, r->rec_line, NULL, msg, NULL);
		return;
	}
	int64_t id = r->rows, prompt, output, arrival = 0;
	if (r->col[COL_ID] >= 0 && get_count(r, COL_ID, 0, &id) < 0)
		return;
	if (get_count(r, COL_PROMPT_TOK, 1, &prompt) < 0)
		return;
	if (get_count(r, COL_OUTPUT_TOK, 0, &output) < 0)
		return;
	if (r->col[COL_ARRIVAL] >= 0) {
		const char *s = fld(r, (size_t)r->col[COL_ARRIVAL]);
		char *end;
		errno = 0;
		double a = strtod(s, &end);
		if (errno || end == s || *end || !isfinite(a) || a < 0 || a > 9.0e9) {
			fail(r, r->rec_line, r->colname[COL_ARRIVAL],
			     "expected a time in seconds >= 0", s);
			return;
		}
		arrival = llround(a * 1e9);
	}
	const char *text = NULL;
	size_t tl = 0;
	if (r->keep_text && r->col[COL_TEXT] >= 0) {
		text = fld(r, (size_t)r->col[COL_TEXT]);
		tl = r->f[r->col[COL_TEXT]].len;
	}
	if (trace_push(r->t, id, arrival, (int32_t)prompt, (int32_t)output, text, tl, r->e) < 0) {
		r->failed = true;
		return;
	}
	if ((size_t)r->rows >= r->lines_cap) {
		size_t nc = r->lines_cap ? r->lines_cap * 2 : 1024;
		long *nl = realloc(r->lines, nc * sizeof *nl);
		if (!nl) {
			fail(r, r->rec_line, NULL, "out of memory", NULL);
			return;
		}
		r->lines = nl;
		r->lines_cap = nc;
	}
	r->lines[r->rows++] = r->rec_line;
}

static void on_record(int c, void *data)
{
	(void)c;
	struct rd *r = data;
	if (r->failed)
		return;
	r->next_line = r->line + 1;
	if (!r->in_record) {
		/* libcsv reports a record for a line with one empty field only
		 * through this callback; treat it as a malformed short row. */
		r->rec_line = r->line;
		r->nf = 0;
	}
	r->in_record = false;
	record(r);
}

int trace_parse_csv(const char *buf, size_t len, const char *name, struct wl_trace *t,
		    bool keep_text, struct om_err *e)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(e, name, 0, NULL, "cannot initialise the CSV parser");
	struct rd r = {
		.name = name, .t = t, .keep_text = keep_text, .e = e, .line = 1, .next_line = 1
	};
	size_t first = t->n;
	if (!t->source[0])
		snprintf(t->source, sizeof t->source, "%s", name);
	/* Feed one physical line at a time so callbacks know the line number. */
	size_t pos = 0;
	while (pos < len && !r.failed) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t seg = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		if (memchr(buf + pos, '\0', seg)) {
			fail(&r, r.line, NULL, "NUL byte in a text file", NULL);
			break;
		}
		if (csv_parse(&p, buf + pos, seg, on_field, on_record, &r) != seg) {
			if (!r.failed)
				fail(&r, r.line, NULL, csv_strerror(csv_error(&p)), NULL);
			break;
		}
		pos += seg;
		if (nl)
			r.line++;
	}
	/* Name the line where the unclosed record starts, not the end of file. */
	long open_line = r.in_record ? r.rec_line : r.next_line;
	if (!r.failed && csv_fini(&p, on_field, on_record, &r) != 0 && !r.failed)
		fail(&r, open_line, NULL,
		     "unterminated quoted field: the record starting here never closes its quote",
		     NULL);
	csv_free(&p);
	int rc = 0;
	if (r.failed)
		rc = -1;
	else if (!r.have_header)
		rc = err_set(e, name, 0, NULL, "empty file: no header row");
	else if (r.rows == 0)
		rc = err_set(e, name, 0, NULL, "header only: the trace has no requests");
	else
		rc = trace_check_ids(t, first, r.lines, name, e);
	free(r.buf);
	free(r.f);
	free(r.lines);
	return rc;
}

int trace_read_csv(const char *path, struct wl_trace *t, bool keep_text, struct om_err *e)
{
	char *buf;
	size_t len;
	if (slurp_file(path, "trace", &buf, &len, e) < 0)
		return -1;
	snprintf(t->source, sizeof t->source, "%s", path);
	int rc = trace_parse_csv(buf, len, path, t, keep_text, e);
	free(buf);
	return rc;
}

static bool csv_claims(const char *ext, const char *line, size_t len)
{
	(void)ext, (void)line, (void)len;
	return true; /* the fallback: the header decides the layout */
}

const struct trace_fmt trace_fmt_csv = {
	"csv",
	"comma-separated with a header: odmasim (id,prompt_tokens,output_tokens[,prompt][,arrival_s]) or Vidur (arrived_at,num_prefill_tokens,num_decode_tokens)",
	csv_claims,
	trace_parse_csv,
};
