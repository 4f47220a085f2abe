#include "sim/batch/csvtab.h"

#include "common/csvw.h"
#include "common/grow.h"
#include "common/slurp.h"

#include <csv.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct rd {
	struct csvtab *t;
	const char *name;
	struct om_err *e;
	bool failed, have_head;
	long line, rec_line;
	char **f; /* fields of the current record */
	size_t nf, capf;
	size_t caprow;
};

static void fail(struct rd *r, long line, const char *msg)
{
	if (!r->failed)
		err_set(r->e, r->name, line, NULL, "%s", msg);
	r->failed = true;
}

static void on_field(void *s, size_t len, void *data)
{
	struct rd *r = data;
	if (r->failed)
		return;
	if (r->nf == 0)
		r->rec_line = r->line;
	if (GROW(r->f, r->capf, r->nf + 1, 32) < 0)
		return fail(r, r->line, "out of memory");
	char *v = malloc(len + 1);
	if (!v)
		return fail(r, r->line, "out of memory");
	memcpy(v, s ? s : "", len);
	v[len] = '\0';
	r->f[r->nf++] = v;
}

static void drop_fields(struct rd *r)
{
	for (size_t i = 0; i < r->nf; i++)
		free(r->f[i]);
	r->nf = 0;
}

static void on_record(int c, void *data)
{
	(void)c;
	struct rd *r = data;
	struct csvtab *t = r->t;
	if (r->failed) {
		drop_fields(r);
		return;
	}
	if (!r->have_head) {
		t->head = r->f;
		t->ncol = r->nf;
		r->f = NULL;
		r->nf = r->capf = 0;
		r->have_head = true;
		return;
	}
	if (r->nf != t->ncol) {
		char msg[96];
		snprintf(msg, sizeof msg, "%zu fields where the header has %zu", r->nf, t->ncol);
		fail(r, r->rec_line, msg);
		drop_fields(r);
		return;
	}
	if (t->nrow == r->caprow) {
		size_t nc = grow_cap(r->caprow, t->nrow + 1, 16);
		if (grow_to(&t->cell, nc * (t->ncol ? t->ncol : 1), sizeof *t->cell) < 0
		    || grow_to(&t->line, nc, sizeof *t->line) < 0) {
			fail(r, r->rec_line, "out of memory");
			drop_fields(r);
			return;
		}
		r->caprow = nc;
	}
	memcpy(t->cell + t->nrow * t->ncol, r->f, t->ncol * sizeof *r->f);
	t->line[t->nrow++] = r->rec_line;
	r->nf = 0;
}

int csvtab_parse(const char *buf, size_t len, const char *name, struct csvtab *t, struct om_err *e)
{
	memset(t, 0, sizeof *t);
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(e, name, 0, NULL, "cannot initialise the CSV parser");
	struct rd r = { .t = t, .name = name, .e = e, .line = 1 };
	/* One physical line at a time, so errors can name the line. */
	size_t pos = 0;
	while (pos < len && !r.failed) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t seg = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		if (memchr(buf + pos, '\0', seg)) {
			fail(&r, r.line, "NUL byte in a text file");
			break;
		}
		if (csv_parse(&p, buf + pos, seg, on_field, on_record, &r) != seg) {
			fail(&r, r.line, csv_strerror(csv_error(&p)));
			break;
		}
		pos += seg;
		if (nl)
			r.line++;
	}
	if (!r.failed && csv_fini(&p, on_field, on_record, &r) != 0)
		fail(&r, r.line, "unterminated quoted field at end of file");
	csv_free(&p);
	drop_fields(&r);
	free(r.f);
	if (!r.failed && !r.have_head)
		fail(&r, 0, "empty file: no header row");
	if (r.failed) {
		csvtab_free(t);
		return -1;
	}
	return 0;
}

int csvtab_read(const char *path, struct csvtab *t, struct om_err *e)
{
	memset(t, 0, sizeof *t);
	char *buf;
	size_t len;
	if (slurp_file(path, "table", &buf, &len, e) < 0)
		return -1;
	int rc = csvtab_parse(buf, len, path, t, e);
	free(buf);
	return rc;
}

void csvtab_free(struct csvtab *t)
{
	for (size_t i = 0; i < t->ncol; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->head);
	free(t->cell);
	free(t->line);
	memset(t, 0, sizeof *t);
}

long csvtab_col(const struct csvtab *t, const char *name)
{
	for (size_t i = 0; i < t->ncol; i++)
		if (!strcmp(t->head[i], name))
			return (long)i;
	return -1;
}

const char *csvtab_get(const struct csvtab *t, size_t row, size_t col)
{
	return t->cell[row * t->ncol + col];
}

void csvtab_put(FILE *f, const char *s)
{
	csvw_field(f, s);
}
