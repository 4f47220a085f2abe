#define _DEFAULT_SOURCE /* madvise */
#include "workload/trace.h"
#include "common/bigmem.h"
#include "common/grow.h"
#include "workload/wl_stream.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void trace_init(struct wl_trace *t)
{
	memset(t, 0, sizeof *t);
}

void trace_free(struct wl_trace *t)
{
	free(t->req);
	free(t->out_tokens);
	free(t->text);
	wl_stream_free(t->stream);
	memset(t, 0, sizeof *t);
}

void trace_drop_rows(struct wl_trace *t)
{
	free(t->req);
	free(t->out_tokens);
	free(t->text);
	wl_stream_free(t->stream);
	t->stream = NULL;
	t->req = NULL;
	t->out_tokens = NULL;
	t->text = NULL;
	t->cap = t->text_len = t->text_cap = 0;
}

void trace_release_rows(struct wl_trace *t, size_t from, size_t upto)
{
	long ps = sysconf(_SC_PAGESIZE);
	if (!t->req || ps <= 0 || upto <= from)
		return;
	uintptr_t page = (uintptr_t)ps;
	uintptr_t base = (uintptr_t)t->req;
	/* never the page holding the allocator's header before row 0 */
	uintptr_t lo = (base + page - 1) & ~(page - 1);
	/* the page holding row `from` may go: the rows before it are consumed */
	uintptr_t start = (uintptr_t)&t->req[from] & ~(page - 1);
	uintptr_t end = (uintptr_t)&t->req[upto] & ~(page - 1);
	if (start < lo)
		start = lo;
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_DONTNEED);
}

/* Room for `need` rows (the capacity grown by the one growth rule). */
static int reserve_rows(struct wl_trace *t, size_t need, struct om_err *e)
{
	size_t nc = grow_cap(t->cap, need, 1024);
	if (grow_to(&t->req, nc, sizeof *t->req) < 0
	    || grow_to(&t->out_tokens, nc, sizeof *t->out_tokens) < 0)
		return err_set(e, t->source, 0, NULL, "out of memory");
	t->cap = nc;
	bigmem_advise(t->req, nc * sizeof *t->req);
	bigmem_advise(t->out_tokens, nc * sizeof *t->out_tokens);
	return 0;
}

int trace_push(struct wl_trace *t, int64_t id, int64_t arrival_ns, int32_t prompt, int32_t output,
	       const char *text, size_t text_len, struct om_err *e)
{
	if (t->n == t->cap && reserve_rows(t, t->n + 1, e) < 0)
		return -1;
	struct wl_req *r = &t->req[t->n];
	r->id = id;
	r->arrival_ns = arrival_ns;
	r->prompt_tokens = prompt;
	r->text_len = 0;
	r->text_off = 0;
	if (text && text_len) {
		if (text_len > UINT32_MAX)
			return err_set(e, t->source, 0, "prompt", "prompt text too long");
		if (GROW(t->text, t->text_cap, t->text_len + text_len + 1, 65536) < 0)
			return err_set(e, t->source, 0, NULL, "out of memory");
		memcpy(t->text + t->text_len, text, text_len);
		t->text[t->text_len + text_len] = '\0';
		r->text_off = t->text_len;
		r->text_len = (uint32_t)text_len;
		t->text_len += text_len + 1;
	}
	t->out_tokens[t->n] = output;
	t->n++;
	return 0;
}

int trace_append(struct wl_trace *t, const struct wl_trace *u, int64_t id_shift, struct om_err *e)
{
	if (u->n == 0)
		return 0; /* (u's arrays may be NULL: nothing to copy) */
	size_t need = t->n + u->n;
	if (need > t->cap && reserve_rows(t, need, e) < 0)
		return -1;
	/* u's texts are already one NUL-separated run, in row order */
	size_t text0 = t->text_len;
	if (u->text_len) {
		if (GROW(t->text, t->text_cap, t->text_len + u->text_len, 65536) < 0)
			return err_set(e, t->source, 0, NULL, "out of memory");
		memcpy(t->text + t->text_len, u->text, u->text_len);
		t->text_len += u->text_len;
	}
	for (size_t i = 0; i < u->n; i++) {
		struct wl_req r = u->req[i];
		r.id += id_shift;
		if (r.text_len)
			r.text_off += text0;
		t->req[t->n + i] = r;
	}
	memcpy(t->out_tokens + t->n, u->out_tokens, u->n * sizeof *t->out_tokens);
	t->n = need;
	return 0;
}

const char *trace_text(const struct wl_trace *t, size_t i)
{
	if (i >= t->n || t->req[i].text_len == 0)
		return "";
	return t->text + t->req[i].text_off;
}

struct idline {
	int64_t id;
	long line;
};

static int cmp_idline(const void *a, const void *b)
{
	const struct idline *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

int trace_check_ids(const struct wl_trace *t, size_t first, const long *lines, const char *name,
		    struct om_err *e)
{
	size_t n = t->n - first;
	if (n < 2)
		return 0;
	/* Traces usually list ids in increasing order: then none repeats, and
	 * one linear pass shows it. Otherwise sort, to name the first repeat. */
	size_t k = first + 1;
	while (k < t->n && t->req[k - 1].id < t->req[k].id)
		k++;
	if (k == t->n)
		return 0;
	struct idline *v = malloc(n * sizeof *v);
	if (!v)
		return err_set(e, name, 0, NULL, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = (struct idline){ t->req[first + i].id, lines[i] };
	qsort(v, n, sizeof *v, cmp_idline);
	int rc = 0;
	for (size_t i = 1; i < n; i++) {
		if (v[i].id == v[i - 1].id) {
			rc = err_set(e, name, v[i].line, "id",
				     "duplicate id %lld (first on line %ld)", (long long)v[i].id,
				     v[i - 1].line);
			break;
		}
	}
	free(v);
	return rc;
}
