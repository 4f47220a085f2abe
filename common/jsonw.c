#include "common/jsonw.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof *w);
	w->f = f;
	w->first[0] = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	/* overlongs, surrogates and code points past U+10FFFF are not UTF-8 */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

void jw_put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', f);
	while (*s) {
		unsigned char ch = *s;
		if (ch == '"' || ch == '\\') {
			fputc('\\', f);
			fputc(ch, f);
			s++;
		} else if (ch < 0x20 || ch == 0x7f) {
			fprintf(f, "\\u%04x", ch);
			s++;
		} else if (ch < 0x80) {
			fputc(ch, f);
			s++;
		} else {
			size_t n = utf8_len(s);
			if (n) {
				fwrite(s, 1, n, f);
				s += n;
			} else {
				fputs("\\ufffd", f);
				s++;
			}
		}
	}
	fputc('"', f);
}

/* Separator, newline and indentation before a value, then its key. */
static void lead(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			fputc(',', w->f);
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	w->first[w->depth] = false;
	if (key) {
		jw_put_string(w->f, key);
		fputs(": ", w->f);
	}
}

static void open_(struct jw *w, const char *key, char ch)
{
	lead(w, key);
	fputc(ch, w->f);
	if (w->depth < JW_MAX_DEPTH)
		w->first[++w->depth] = true;
}

static void close_(struct jw *w, char ch)
{
	bool empty = w->first[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (!empty) {
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(ch, w->f);
}

void jw_obj_begin(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr_begin(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	lead(w, key);
	if (s)
		jw_put_string(w->f, s);
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	lead(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_real(struct jw *w, const char *key, double v, char conv, int prec)
{
	lead(w, key);
	if (!isfinite(v))
		fputs("null", w->f);
	else if (conv == 'f')
		fprintf(w->f, "%.*f", prec, v);
	else
		fprintf(w->f, "%.*g", prec, v);
}

void jw_finish(struct jw *w)
{
	fputc('\n', w->f);
}
