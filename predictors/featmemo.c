#include "predictors/featmemo.h"

#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "predictors/predictor.h"

/* Only picks a slot (a match is decided by comparing texts), so it may be
 * any function of the key: eight bytes per multiply instead of FNV-1a's one,
 * whose chain of multiplies cost more than the lookups' string compares. */
uint64_t feat_memo_hash(const char *text, size_t len, int32_t ptok)
{
	uint64_t h = (uint64_t)(uint32_t)ptok ^ (uint64_t)len << 32, w;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, text + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, text + i, len - i);
	return rng_mix64(h ^ w);
}

void feat_memo_free(struct feat_memo *m)
{
	lm_rows_free(&m->rows);
	free(m->text);
	free(m->toff);
	free(m->ptok);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

/* The slot holding (text, ptok), or the empty slot where it would go. */
static size_t find(const struct feat_memo *m, const char *text, size_t len, int32_t ptok)
{
	size_t i = feat_memo_hash(text, len, ptok) & m->mask;
	for (; m->slot[i]; i = (i + 1) & m->mask) {
		size_t k = m->slot[i] - 1;
		if (m->ptok[k] == ptok && !strcmp(m->text + m->toff[k], text))
			break;
	}
	return i;
}

void feat_memo_keep(struct feat_memo *m, struct lm_rows *rows, const struct pred_sample *s,
		    size_t n, int hash_bits)
{
	feat_memo_free(m);
	size_t total = 0, ns = 16;
	for (size_t i = 0; i < n; i++)
		total += strlen(s[i].text ? s[i].text : "") + 1;
	while (ns < 2 * n)
		ns *= 2;
	m->rows = *rows;
	memset(rows, 0, sizeof *rows);
	m->text = malloc(total ? total : 1);
	m->toff = malloc((n ? n : 1) * sizeof *m->toff);
	m->ptok = malloc((n ? n : 1) * sizeof *m->ptok);
	m->slot = calloc(ns, sizeof *m->slot);
	if (!m->text || !m->toff || !m->ptok || !m->slot || n >= UINT32_MAX || m->rows.n != n) {
		feat_memo_free(m);
		return;
	}
	m->mask = ns - 1;
	m->bits = hash_bits;
	for (size_t i = 0, off = 0; i < n; i++) {
		const char *t = s[i].text ? s[i].text : "";
		size_t len = strlen(t);
		memcpy(m->text + off, t, len + 1);
		m->toff[i] = off;
		m->ptok[i] = s[i].prompt_tokens;
		size_t at = find(m, t, len, s[i].prompt_tokens);
		if (!m->slot[at]) /* a repeated prompt keeps its first row (the same) */
			m->slot[at] = (uint32_t)(i + 1);
		off += len + 1;
	}
}

void feat_memo_extract(const struct feat_memo *m, const char *text, int32_t prompt_tokens,
		       int hash_bits, struct feat_vec *v)
{
	if (m->slot && hash_bits == m->bits) {
		const char *t = text ? text : "";
		size_t at = find(m, t, strlen(t), prompt_tokens);
		if (m->slot[at]) {
			size_t k = m->slot[at] - 1, a = m->rows.ptr[k];
			v->nnz = m->rows.ptr[k + 1] - a;
			memcpy(v->idx, m->rows.col + a, v->nnz * sizeof *v->idx);
			memcpy(v->val, m->rows.val + a, v->nnz * sizeof *v->val);
			return;
		}
	}
	feat_extract(text, prompt_tokens, hash_bits, v);
}
