#include "predictors/features.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"

/* Words that open most instructions; a verb anywhere in the first three words
 * gets its own feature because it says what kind of answer is asked for
 * (a list, an essay, a single label). */
static const char *const verbs[] = {
	"write",      "describe",   "explain",	  "generate", "list",	   "create",
	"summarize",  "classify",   "identify",	  "rewrite",  "translate", "give",
	"name",	      "compose",    "compare",	  "suggest",  "find",	   "calculate",
	"convert",    "edit",	    "design",	  "develop",  "provide",   "outline",
	"analyze",    "evaluate",   "construct",  "make",     "choose",	   "select",
	"categorize", "paraphrase", "brainstorm", "discuss",  "predict",   "determine",
	"tell",	      "come",	    "add",	  "sort",     "arrange",   "correct",
	"detect",     "formulate",  "propose",	  "produce",  "answer",	   "complete",
	"change",     NULL,
};

static const char *const qwords[] = {
	"who", "what", "when", "where", "why",	"how", "which", "whom",	  "whose", "is",
	"are", "was",  "were", "do",	"does", "did", "can",	"should", NULL,
};

static bool in_list(const char *const *l, const char *w, size_t n)
{
	for (size_t i = 0; l[i]; i++)
		if (strlen(l[i]) == n && memcmp(l[i], w, n) == 0)
			return true;
	return false;
}

uint32_t feat_hash(const char *s, size_t n, int hash_bits)
{
	uint64_t h = rng_mix64(rng_hash_bytes(s, n));
	return (uint32_t)(FEAT_NDENSE + (h & (((uint64_t)1 << hash_bits) - 1)));
}

struct acc {
	struct feat_vec *v;
	int bits;
};

static bool put(struct acc *a, uint32_t idx, double val)
{
	struct feat_vec *v = a->v;
	if (val == 0)
		return false;
	/* a repeated word or a hash collision sets the slot once: presence, not counts */
	for (size_t i = 0; i < v->nnz; i++)
		if (v->idx[i] == idx)
			return false;
	if (v->nnz < FEAT_MAX_NNZ) {
		v->idx[v->nnz] = idx;
		v->val[v->nnz++] = val;
		return true;
	}
	return false;
}

/* Hashes ns + w (+ "_" + w2) as one string without building it: this runs
 * for every word of every prompt, and formatting the string dominated. */
static void put_tok(struct acc *a, const char *ns, const char *w, size_t n, const char *w2,
		    size_t n2)
{
	uint64_t h = rng_hash_more(RNG_HASH_INIT, ns, strlen(ns));
	h = rng_hash_more(h, w, n);
	if (w2) {
		h = rng_hash_more(h, "_", 1);
		h = rng_hash_more(h, w2, n2);
	}
	h = rng_mix64(h);
	put(a, (uint32_t)(FEAT_NDENSE + (h & (((uint64_t)1 << a->bits) - 1))), 1.0);
}

/* Splits [p, end) into lower-cased ASCII alphanumeric words (at most 64
 * characters each; non-ASCII bytes separate words). Returns the count. */
#define MAXW 384
struct words {
	size_t n;
	char w[MAXW][24];
	size_t len[MAXW];
	size_t total; /* words seen, including beyond MAXW */
};

static void split_words(const char *p, const char *end, struct words *ws)
{
	ws->n = 0;
	ws->total = 0;
	while (p < end) {
		while (p < end && !isalnum((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		const char *s = p;
		while (p < end && isalnum((unsigned char)*p))
			p++;
		ws->total++;
		if (ws->n < MAXW) {
			size_t n = (size_t)(p - s);
			if (n > sizeof ws->w[0])
				n = sizeof ws->w[0]; /* long tokens: prefix is enough */
			for (size_t i = 0; i < n; i++)
				ws->w[ws->n][i] = (char)tolower((unsigned char)s[i]);
			ws->len[ws->n++] = n;
		}
	}
}

void feat_extract(const char *text, int32_t prompt_tokens, int hash_bits, struct feat_vec *v)
{
	static_assert(FEAT_NDENSE == 8, "the dense indices below must fit");
	v->nnz = 0;
	if (!text)
		text = "";
	struct acc a = { v, hash_bits };
	size_t tl = strlen(text);
	const char *brk = strstr(text, "\n\n"); /* Alpaca: instruction "\n\n" input */
	const char *iend = brk ? brk : text + tl;
	/* words are large; keep them off the stack of deep callers */
	struct words *ins = malloc(sizeof *ins), *inp = malloc(sizeof *inp);
	if (!ins || !inp) {
		free(ins);
		free(inp);
		ins = inp = NULL;
	}
	double lp = log1p(prompt_tokens > 0 ? (double)prompt_tokens : 0.0) / 4.0;
	put(&a, 0, 1.0); /* bias */
	put(&a, 1, lp);
	put(&a, 2, lp * lp);
	if (brk)
		put(&a, 3, 1.0); /* an input block is present */
	if (ins) {
		split_words(text, iend, ins);
		split_words(brk ? brk + 2 : iend, text + tl, inp);
		put(&a, 4, log1p((double)ins->total) / 4.0);
		if (inp->total)
			put(&a, 5, log1p((double)inp->total) / 4.0);
		if (tl && text[tl - 1] == '?')
			put(&a, 6, 1.0);
		bool digit = false;
		for (const char *p = text; *p && !digit; p++)
			digit = isdigit((unsigned char)*p);
		if (digit)
			put(&a, 7, 1.0);
		if (ins->n) {
			put_tok(&a, "f:", ins->w[0], ins->len[0], NULL, 0);
			if (ins->n > 1)
				put_tok(&a, "f2:", ins->w[0], ins->len[0], ins->w[1], ins->len[1]);
			if (in_list(qwords, ins->w[0], ins->len[0]))
				put_tok(&a, "q:", ins->w[0], ins->len[0], NULL, 0);
		}
		for (size_t i = 0; i < ins->n && i < 3; i++)
			if (in_list(verbs, ins->w[i], ins->len[i]))
				put_tok(&a, "v:", ins->w[i], ins->len[i], NULL, 0);
		for (size_t i = 0; i < ins->n; i++) {
			put_tok(&a, "u:", ins->w[i], ins->len[i], NULL, 0);
			if (i + 1 < ins->n)
				put_tok(&a, "b:", ins->w[i], ins->len[i], ins->w[i + 1],
					ins->len[i + 1]);
		}
		for (size_t i = 0; i < inp->n && i < 64; i++)
			put_tok(&a, "i:", inp->w[i], inp->len[i], NULL, 0);
	}
	free(ins);
	free(inp);
	/* Hashed features stay binary and unscaled: a per-prompt scale (e.g. 1/sqrt
	 * of the feature count) makes even "length is set by one word" unlearnable
	 * by a linear model, and cost accuracy on validation data too. */
	/* Insertion sort: vectors are short (a few dozen entries) and qsort's
	 * per-call overhead showed in profiles; indices are distinct, so any
	 * correct sort gives the same vector. */
	for (size_t i = 1; i < v->nnz; i++) {
		uint32_t ki = v->idx[i];
		double kv = v->val[i];
		size_t j = i;
		for (; j > 0 && v->idx[j - 1] > ki; j--) {
			v->idx[j] = v->idx[j - 1];
			v->val[j] = v->val[j - 1];
		}
		v->idx[j] = ki;
		v->val[j] = kv;
	}
}
