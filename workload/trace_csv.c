#include "workload/trace_csv.h"

#include "common/grow.h"
#include "common/ncpu.h"
#include "workload/csv_plain.h"
#include "workload/trace_fmt.h"
#include "workload/trace_azure.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
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
	LAYOUT_VIDUR,
	LAYOUT_AZURE
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
	long col[COL_N];	    /* column index per role, -1 if absent */
	const char *colname[COL_N]; /* each role's column name, as the header spells it */
	enum layout layout;
	long rows;
	int64_t azure_t0; /* the first row's wall-clock time, ns (Azure layout) */
	long *lines;	  /* record start line per pushed request */
	size_t lines_cap;
	/* A part read ahead (split_read) does not know its first line's number
	 * yet: its error keeps line and field apart, e holding the rest. */
	bool defer;
	long err_line;
	const char *err_field; /* a column name from the layout table, or NULL */
};

static int fail(struct rd *r, long line, const char *field, const char *msg, const char *val)
{
	const char *name = r->name;
	if (r->defer) {
		r->err_line = line;
		r->err_field = field;
		name = field = NULL;
		line = 0;
	}
	if (val)
		err_set(r->e, name, line, field, "%s, got '%.60s'", msg, val);
	else
		err_set(r->e, name, line, field, "%s", msg);
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
	/* A prompt text no predictor reads is not copied (most of a trace's
	 * bytes): its field stays, empty, so the field count still checks. */
	if (!r->keep_text && r->have_header && (long)r->nf == r->col[COL_TEXT])
		len = 0;
	if (GROW(r->buf, r->bcap, r->blen + len + 1, 1024) < 0) {
		fail(r, r->line, NULL, "out of memory", NULL);
		return;
	}
	if (GROW(r->f, r->fcap, r->nf + 1, 16) < 0) {
		fail(r, r->line, NULL, "out of memory", NULL);
		return;
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

/* The header layouts: each role's column name, the column a layout
 * needs besides the token counts, and what to say when one is missing. */
static const struct layout_spec {
	const char *name[COL_N];
	enum col needs;
	const char *missing;
} layouts[] = {
	[LAYOUT_SHARED] = { { "id", "prompt_tokens", "output_tokens", "prompt", "arrival_s" },
			    COL_ID,
			    "header must name id, prompt_tokens and output_tokens "
			    "(or Vidur's arrived_at, num_prefill_tokens, num_decode_tokens)" },
	[LAYOUT_VIDUR] = { { "id", "num_prefill_tokens", "num_decode_tokens", "prompt",
			     "arrived_at" },
			   COL_ARRIVAL,
			   "Vidur trace header must name arrived_at, num_prefill_tokens "
			   "and num_decode_tokens" },
	[LAYOUT_AZURE] = { { "id", AZURE_COL_PROMPT, AZURE_COL_OUTPUT, "prompt", AZURE_COL_TIME },
			   COL_ARRIVAL,
			   "Azure trace header must name " AZURE_COL_TIME ", " AZURE_COL_PROMPT
			   " and " AZURE_COL_OUTPUT },
};

/* The role of header name h (-1: not one of ours) and, in *lit, the table's
 * copy of the name (h lives in a reused buffer); sets bit l of *only when
 * only layout l (not the shared one) has that name. */
static int header_role(const char *h, unsigned *only, const char **lit)
{
	for (int l = LAYOUT_SHARED; l <= LAYOUT_AZURE; l++)
		for (int c = 0; c < COL_N; c++)
			if (!strcmp(h, layouts[l].name[c])) {
				if (l != LAYOUT_SHARED)
					*only |= 1u << l;
				*lit = layouts[l].name[c];
				return c;
			}
	return -1;
}

static void header(struct rd *r)
{
	for (int c = 0; c < COL_N; c++)
		r->col[c] = -1;
	r->ncols = r->nf;
	unsigned only = 0;
	const char *named[COL_N] = { NULL }; /* the header's own names, for messages */
	for (size_t i = 0; i < r->nf; i++) {
		const char *h = fld(r, i);
		/* A UTF-8 byte-order mark may precede the first header name. */
		if (i == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0)
			h += 3;
		const char *lit = NULL;
		int role = header_role(h, &only, &lit);
		if (role < 0)
			continue;
		if (r->col[role] >= 0) {
			fail(r, r->rec_line, h, "column given twice in the header", NULL);
			return;
		}
		r->col[role] = (long)i;
		named[role] = lit;
	}
	/* Vidur's names win a mixed header, as before Azure's joined */
	r->layout = LAYOUT_SHARED;
	if (only & (1u << LAYOUT_VIDUR))
		r->layout = LAYOUT_VIDUR;
	else if (only & (1u << LAYOUT_AZURE))
		r->layout = LAYOUT_AZURE;
	if (r->layout == LAYOUT_VIDUR)
		snprintf(r->t->format, sizeof r->t->format, "vidur");
	else if (r->layout == LAYOUT_AZURE)
		snprintf(r->t->format, sizeof r->t->format, "azure");
	const struct layout_spec *L = &layouts[r->layout];
	for (int c = 0; c < COL_N; c++)
		r->colname[c] = L->name[c];
	if (r->col[L->needs] < 0 || r->col[COL_PROMPT_TOK] < 0 || r->col[COL_OUTPUT_TOK] < 0) {
		fail(r, r->rec_line, NULL, L->missing, NULL);
		return;
	}
	for (int c = 0; c < COL_N; c++)
		if (named[c])
			r->colname[c] = named[c]; /* e.g. prompt_tokens in a Vidur-style header */
	r->t->has_arrivals = r->col[COL_ARRIVAL] >= 0;
	r->have_header = true;
}

/* The range every count must lie in (lo is 0 or 1); v as a double, so a
 * huge decimal is checked before it is converted. */
static int count_range(struct rd *r, const char *name, double v, int64_t lo, const char *s)
{
	if (v < (double)lo)
		return fail(r, r->rec_line, name,
			    lo > 0 ? "must be positive" : "must not be negative", s);
	if (v > INT32_MAX / 2)
		return fail(r, r->rec_line, name, "too large", s);
	return 0;
}

/* Token counts are integers; Vidur writes some as "123.0", so an integral
 * decimal is accepted too. */
static int get_count(struct rd *r, int role, int64_t lo, int64_t *out)
{
	const char *s = fld(r, (size_t)r->col[role]);
	const char *name = r->colname[role];
	if (!*s)
		return fail(r, r->rec_line, name, "empty value", NULL);
	/* plain digits (nearly every row): strtoll's value without its cost;
	 * anything else (a sign, spaces, "123.0", too many digits) takes the
	 * general path */
	size_t len = r->f[r->col[role]].len, i = 0;
	long long v = 0;
	while (i < len && i < 9 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (s[i++] - '0');
	if (i < len) {
		errno = 0;
		char *end;
		v = strtoll(s, &end, 10);
		if (*end == '.') {
			char *e2;
			double d = strtod(s, &e2);
			if (*e2 || d != floor(d))
				return fail(r, r->rec_line, name, "expected an integer", s);
			if (count_range(r, name, d, lo, s) < 0)
				return -1;
			v = (long long)d;
			end = e2;
		}
		if (errno || end == s || *end)
			return fail(r, r->rec_line, name, "expected an integer", s);
	}
	if (count_range(r, name, (double)v, lo, s) < 0)
		return -1;
	*out = v;
	return 0;
}

/* Azure times are wall-clock; arrivals are offsets from the first row's. */
static int azure_arrival(struct rd *r, int64_t *arrival)
{
	const char *s = fld(r, (size_t)r->col[COL_ARRIVAL]);
	int64_t t;
	if (azure_time_ns(s, &t) < 0)
		return fail(r, r->rec_line, AZURE_COL_TIME,
			    "expected a time YYYY-MM-DD HH:MM:SS[.fraction]", s);
	if (r->rows == 0)
		r->azure_t0 = t;
	if (t < r->azure_t0)
		return fail(r, r->rec_line, AZURE_COL_TIME, "earlier than the first row's time", s);
	*arrival = t - r->azure_t0;
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
	if (r->layout == LAYOUT_AZURE) {
		if (azure_arrival(r, &arrival) < 0)
			return;
	} else if (r->col[COL_ARRIVAL] >= 0) {
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
	if (GROW(r->lines, r->lines_cap, (size_t)r->rows + 1, 1024) < 0) {
		fail(r, r->rec_line, NULL, "out of memory", NULL);
		return;
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

/* Length of the physical line at s, its end included: LF, CRLF or a lone CR
 * (libcsv ends records at any of them, so CR-only files count lines too).
 * *cr caches the first CR at or after s (NULL: none left), so a file with a
 * few CRs is still scanned by memchr. */
static size_t line_len(const char *s, size_t n, const char **cr, bool *ended)
{
	if (*cr && *cr < s)
		*cr = memchr(s, '\r', n);
	const char *nl = memchr(s, '\n', n);
	const char *end = nl;
	if (*cr && (!end || *cr < end))
		end = *cr;
	*ended = end != NULL;
	if (!end)
		return n;
	size_t i = (size_t)(end - s);
	return i + 1 + (*end == '\r' && i + 1 < n && s[i + 1] == '\n');
}

/* Hands a plain record (csv_plain.h) to the callbacks as libcsv would:
 * each field when it ends, at the line it ends on; the record at the line
 * of its final line end. line0 is the line the record starts on. */
static void plain_record(struct rd *r, const struct csvp *c, long line0, char **tmp, size_t *tcap)
{
	for (size_t k = 0; k < c->nf && !r->failed; k++) {
		const struct csvp_field *f = &c->f[k];
		char *s = (char *)f->s;
		size_t n = f->len;
		if (f->dq) {
			if (GROW(*tmp, *tcap, n + 1, 256) < 0) {
				fail(r, r->line, NULL, "out of memory", NULL);
				return;
			}
			n = csvp_unquote(*tmp, f);
			s = *tmp;
		}
		r->line = line0 + f->lines;
		on_field(s, n, r);
	}
	r->line = line0 + c->lines - 1;
	on_record(0, r);
	r->line = line0 + c->lines;
}

/* The reader's place in the buffer and the parsers behind it. */
struct scan {
	const char *buf;
	size_t len, pos;
	const char *cr, *nul; /* the first CR at or after pos (cached), the first NUL */
	bool plain;	      /* plain records skip libcsv (csv_plain.h) */
	bool at_start;	      /* libcsv sits between records: the last line fed ended one */
	struct csv_parser p;
	struct csvp cp;
	char *tmp;
	size_t tcap;
};

static int scan_init(struct scan *s, const char *buf, size_t len, bool plain)
{
	*s = (struct scan){ .buf = buf, .len = len, .plain = plain, .at_start = true };
	s->cr = memchr(buf, '\r', len);
	s->nul = memchr(buf, '\0', len);
	return csv_init(&s->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
}

static void scan_free(struct scan *s)
{
	csv_free(&s->p);
	csvp_free(&s->cp);
	free(s->tmp);
}

/* Reads records from s->pos until stop (a record may run past it), an
 * error, or, with header_only, the header's end. Resumable: two calls
 * read as one. */
static void feed(struct rd *r, struct scan *s, size_t stop, bool header_only)
{
	const char *buf = s->buf;
	size_t len = s->len;
	while (s->pos < stop && !r->failed && !(header_only && r->have_header)) {
		/* Plain records skip libcsv, which sits between records at the
		 * start and again once a line it was fed ended a record. */
		if (s->plain && !s->nul && s->at_start) {
			if (s->cr && s->cr < buf + s->pos)
				s->cr = memchr(buf + s->pos, '\r', len - s->pos);
			long k = csvp_record(&s->cp, buf + s->pos, len - s->pos, s->cr);
			if (k < 0) {
				fail(r, r->line, NULL, "out of memory", NULL);
				break;
			}
			if (k > 0) {
				plain_record(r, &s->cp, r->line, &s->tmp, &s->tcap);
				s->pos += (size_t)k;
				continue;
			}
		}
		/* Feed one physical line at a time so callbacks know the line number. */
		bool nl = false;
		size_t seg = line_len(buf + s->pos, len - s->pos, &s->cr, &nl);
		if (s->nul && s->nul < buf + s->pos + seg) {
			fail(r, r->line, NULL, "NUL byte in a text file", NULL);
			break;
		}
		if (csv_parse(&s->p, buf + s->pos, seg, on_field, on_record, r) != seg) {
			if (!r->failed)
				fail(r, r->line, NULL, csv_strerror(csv_error(&s->p)), NULL);
			break;
		}
		s->pos += seg;
		s->at_start = nl && r->next_line == r->line + 1;
		if (nl)
			r->line++;
	}
}

/* The end of the buffer: libcsv finishes an open record. */
static void finish(struct rd *r, struct scan *s)
{
	/* Name the line where the unclosed record starts, not the end of file. */
	long open_line = r->in_record ? r->rec_line : r->next_line;
	if (!r->failed && csv_fini(&s->p, on_field, on_record, r) != 0 && !r->failed)
		fail(r, open_line, NULL,
		     "unterminated quoted field: the record starting here never closes its quote",
		     NULL);
}

/* Where a split read starts its second part: after the first LF at or past
 * byte `from`; 0 when there is none or nothing follows it. */
static size_t split_point(const char *buf, size_t len, size_t from)
{
	if (from >= len)
		return 0;
	const char *nl = memchr(buf + from, '\n', len - from);
	size_t mid = nl ? (size_t)(nl - buf) + 1 : 0;
	return mid < len ? mid : 0;
}

/* The part after the split, read on a helper thread as if its first byte
 * started a record, line numbers counted from 1. */
struct part {
	struct rd r;
	struct scan s;
	struct wl_trace t;
	struct om_err e;
};

static void *part_main(void *arg)
{
	struct part *q = arg;
	feed(&q->r, &q->s, q->s.len, false);
	finish(&q->r, &q->s);
	return NULL;
}

/* Appends q's rows and outcome to r as if r had read them: lines shift by
 * the lines before the part, default ids (row numbers) by r's rows. */
static void part_merge(struct rd *r, struct part *q)
{
	long base = r->line - 1;
	int64_t id0 = r->col[COL_ID] < 0 ? r->rows : 0;
	const struct wl_trace *u = &q->t;
	if (!q->r.failed && u->n == (size_t)q->r.rows) { /* the whole part, at once */
		if (trace_append(r->t, u, id0, r->e) < 0) {
			r->failed = true;
			return;
		}
		if (GROW(r->lines, r->lines_cap, (size_t)r->rows + u->n, 1024) < 0) {
			fail(r, q->r.lines[0] + base, NULL, "out of memory", NULL);
			return;
		}
		for (size_t i = 0; i < u->n; i++)
			r->lines[r->rows++] = q->r.lines[i] + base;
		return;
	}
	for (size_t i = 0; i < u->n && !r->failed; i++) {
		if (trace_push(r->t, u->req[i].id + id0, u->req[i].arrival_ns,
			       u->req[i].prompt_tokens, u->out_tokens[i], trace_text(u, i),
			       u->req[i].text_len, r->e)
		    < 0) {
			r->failed = true;
			return;
		}
		if (i >= (size_t)q->r.rows)
			break; /* pushed, then out of memory for its line */
		if (GROW(r->lines, r->lines_cap, (size_t)r->rows + 1, 1024) < 0) {
			fail(r, q->r.lines[i] + base, NULL, "out of memory", NULL);
			return;
		}
		r->lines[r->rows++] = q->r.lines[i] + base;
	}
	if (!q->r.failed || r->failed)
		return;
	if (q->r.err_line > 0)
		err_set(r->e, r->name, q->r.err_line + base, q->r.err_field, "%s", q->e.msg);
	else
		*r->e = q->e; /* a message without a line (trace_push) is final */
	r->failed = true;
}

/* Reads [mid, end) on a helper thread while this one reads up to mid, r
 * having read the header. The part counts only if this read, reaching mid,
 * is exactly at a record start, as the part assumed; else (a quoted field
 * runs across mid, say) nothing of it is used. True when r is done: the
 * whole buffer read or an error before mid; false: read on from s->pos.
 * Azure rows need the first row's time, so they are read on one thread. */
static bool split_read(struct rd *r, struct scan *s, size_t mid, bool *used)
{
	if (r->failed || !r->have_header || r->layout == LAYOUT_AZURE || s->pos >= mid)
		return r->failed;
	struct part *q = calloc(1, sizeof *q);
	if (!q)
		return false;
	q->r = (struct rd){ .name = r->name,
			    .t = &q->t,
			    .keep_text = r->keep_text,
			    .e = &q->e,
			    .line = 1,
			    .next_line = 1,
			    .have_header = true,
			    .ncols = r->ncols,
			    .layout = r->layout,
			    .defer = true };
	memcpy(q->r.col, r->col, sizeof r->col);
	memcpy(q->r.colname, r->colname, sizeof r->colname);
	trace_init(&q->t);
	snprintf(q->t.source, sizeof q->t.source, "%s", r->t->source);
	pthread_t th;
	bool ok = scan_init(&q->s, s->buf + mid, s->len - mid, s->plain) == 0;
	bool started = ok && ncpu_spawn(&th, part_main, q);
	feed(r, s, mid, false);
	if (started)
		pthread_join(th, NULL);
	bool use = started && !r->failed && s->pos == mid && s->at_start;
	if (use)
		part_merge(r, q);
	*used = use;
	if (ok)
		scan_free(&q->s);
	free(q->r.buf);
	free(q->r.f);
	free(q->r.lines);
	trace_free(&q->t);
	free(q);
	return use || r->failed;
}

int trace_parse_csv(const char *buf, size_t len, const char *name, struct wl_trace *t,
		    bool keep_text, struct om_err *e)
{
	return trace_parse_csv_opt(buf, len, name, t, keep_text, true, SIZE_MAX, NULL, e);
}

/* The LF a run splits after: the first past the middle that ends a line
 * the way the header's line ends. A file with CRLF records often quotes
 * bare LFs in its texts (alpaca.csv does), where a split cannot count. */
static size_t mid_line_end(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	bool crlf = nl && nl > buf && nl[-1] == '\r';
	for (size_t i = len / 2; i < len; i++) {
		const char *p = memchr(buf + i, '\n', len - i);
		if (!p)
			break;
		i = (size_t)(p - buf);
		if (!crlf || buf[i - 1] == '\r')
			return i;
	}
	return SIZE_MAX;
}

int trace_parse_csv_threads(const char *buf, size_t len, const char *name, struct wl_trace *t,
			    bool keep_text, int threads, struct om_err *e)
{
	size_t split = threads > 1 && len >= TRACE_CSV_SPLIT_MIN ? mid_line_end(buf, len)
								 : SIZE_MAX;
	return trace_parse_csv_opt(buf, len, name, t, keep_text, true, split, NULL, e);
}

int trace_parse_csv_opt(const char *buf, size_t len, const char *name, struct wl_trace *t,
			bool keep_text, bool plain, size_t split, bool *split_used,
			struct om_err *e)
{
	struct scan s;
	if (scan_init(&s, buf, len, plain) != 0)
		return err_set(e, name, 0, NULL, "cannot initialise the CSV parser");
	struct rd r = {
		.name = name, .t = t, .keep_text = keep_text, .e = e, .line = 1, .next_line = 1
	};
	size_t first = t->n;
	if (!t->source[0])
		snprintf(t->source, sizeof t->source, "%s", name);
	bool done = false, used = false;
	size_t mid = split_point(buf, len, split);
	if (mid && !s.nul) {
		feed(&r, &s, len, true);
		done = split_read(&r, &s, mid, &used);
	}
	if (split_used)
		*split_used = used;
	if (!done) {
		feed(&r, &s, len, false);
		finish(&r, &s);
	}
	scan_free(&s);
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
