#include "workload/csv_plain.h"

#include "common/grow.h"

#include <stdlib.h>
#include <string.h>

/* Line ends in s[0..n) as the reader counts lines: LF, CRLF, lone CR. */
static long count_ends(const char *s, size_t n, const char *cr)
{
	long k = 0;
	if (!cr || cr >= s + n) {
		for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
			k++;
		return k;
	}
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n'));
	return k;
}

/* A quoted field whose opening quote is s[0]: the index of the byte after
 * the closing quote, or 0 if there is none. */
static size_t quoted_end(const char *s, size_t n, bool *dq)
{
	size_t i = 1;
	for (;;) {
		const char *q = memchr(s + i, '"', n - i);
		if (!q)
			return 0;
		i = (size_t)(q - s) + 1;
		if (i < n && s[i] == '"') {
			*dq = true;
			i++;
			continue;
		}
		return i;
	}
}

long csvp_record(struct csvp *c, const char *s, size_t n, const char *cr)
{
	c->nf = 0;
	c->lines = 0;
	if (n == 0 || s[0] == '\n' || s[0] == '\r')
		return 0; /* a blank line: libcsv skips it */
	size_t i = 0;
	for (;;) {
		struct csvp_field f = { s + i, 0, 0, false };
		size_t end;
		if (i < n && s[i] == '"') {
			size_t k = quoted_end(s + i, n - i, &f.dq);
			if (!k)
				return 0;
			f.s = s + i + 1;
			f.len = k - 2;
			c->lines += count_ends(f.s, f.len, cr);
			end = i + k;
		} else {
			end = i;
			while (end < n && s[end] != ',' && s[end] != '\n' && s[end] != '\r') {
				char b = s[end];
				if (b == '"' || b == ' ' || b == '\t')
					return 0;
				end++;
			}
			f.len = end - i;
		}
		if (end >= n)
			return 0; /* no line end: libcsv finishes it at the end */
		f.lines = c->lines;
		if (GROW(c->f, c->cap, c->nf + 1, 16) < 0)
			return -1;
		c->f[c->nf++] = f;
		char b = s[end];
		if (b == ',') {
			i = end + 1;
			continue;
		}
		if (b != '\n' && b != '\r')
			return 0; /* text after a closing quote */
		c->lines++;
		end++;
		if (b == '\r' && end < n && s[end] == '\n')
			end++;
		return (long)end;
	}
}

size_t csvp_unquote(char *dst, const struct csvp_field *f)
{
	size_t k = 0;
	for (size_t i = 0; i < f->len; i++) {
		dst[k++] = f->s[i];
		if (f->s[i] == '"')
			i++;
	}
	return k;
}

void csvp_free(struct csvp *c)
{
	free(c->f);
	c->f = NULL;
	c->nf = c->cap = 0;
}
