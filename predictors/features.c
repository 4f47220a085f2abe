#include "predictors/features.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"

#define MAXW 384 /* words kept per block */

/* Word lists with their lengths, so a lookup compares lengths before bytes
 * (strlen of every entry for every word showed in profiles). */
struct word {
	const char *s;
	size_t n;
};
#define W(lit)                      \
	{                           \
		lit, sizeof lit - 1 \
	}

/* Words that open most instructions; a verb anywhere in the first three words
 * gets its own feature because it says what kind of answer is asked for
 * (a list, an essay, a single label). */
static const struct word verbs[] = {
	W("add"),	W("analyze"),	 W("answer"),	 W("arrange"),	 W("brainstorm"),
	W("calculate"), W("categorize"), W("change"),	 W("choose"),	 W("classify"),
	W("come"),	W("compare"),	 W("complete"),	 W("compose"),	 W("construct"),
	W("convert"),	W("correct"),	 W("create"),	 W("describe"),	 W("design"),
	W("detect"),	W("determine"),	 W("develop"),	 W("discuss"),	 W("edit"),
	W("evaluate"),	W("explain"),	 W("find"),	 W("formulate"), W("generate"),
	W("give"),	W("identify"),	 W("list"),	 W("make"),	 W("name"),
	W("outline"),	W("paraphrase"), W("predict"),	 W("produce"),	 W("propose"),
	W("provide"),	W("rewrite"),	 W("select"),	 W("sort"),	 W("suggest"),
	W("summarize"), W("tell"),	 W("translate"), W("write"),
};

static const struct word qwords[] = {
	W("are"),   W("can"),	 W("did"), W("do"),   W("does"),  W("how"),
	W("is"),    W("should"), W("was"), W("were"), W("what"),  W("when"),
	W("where"), W("which"),	 W("who"), W("whom"), W("whose"), W("why"),
};

/* Binary search: the lists above are kept in byte order. */
static bool in_list(const struct word *l, size_t nl, const char *w, size_t n)
{
	size_t lo = 0, hi = nl;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		/* byte order, a prefix first (memcmp's call cost more than this) */
		const char *e = l[mid].s;
		size_t m = l[mid].n < n ? l[mid].n : n, i = 0;
		while (i < m && e[i] == w[i])
			i++;
		int c = i < m ? (unsigned char)e[i] - (unsigned char)w[i]
			      : (l[mid].n > n) - (l[mid].n < n);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

uint32_t feat_hash(const char *s, size_t n, int hash_bits)
{
	uint64_t h = rng_mix64(rng_hash_bytes(s, n));
	return (uint32_t)(FEAT_NDENSE + (h & (((uint64_t)1 << hash_bits) - 1)));
}

/* Raw entries in insertion order; duplicates are merged at the end. The most
 * a prompt can add is 8 dense + 3 first-word + 3 verb + MAXW unigrams +
 * MAXW-1 bigrams + 64 input words. */
#define RAW_MAX (8 + 6 + 2 * MAXW + 64)
struct acc {
	size_t n;
	uint32_t idx[RAW_MAX];
	double val[RAW_MAX];
	int bits;
};

static void put(struct acc *a, uint32_t idx, double val)
{
	if (val != 0 && a->n < RAW_MAX) {
		a->idx[a->n] = idx;
		a->val[a->n++] = val;
	}
}

/* FNV-1a (common/rng.h's rng_hash_more), inlined: it runs for every byte of
 * every word of every prompt. */
#define FNV_PRIME 1099511628211ULL
#define FNV1(h, c) (((h) ^ (uint64_t)(unsigned char)(c)) * FNV_PRIME)
static inline uint64_t fnv_more(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = FNV1(h, s[i]);
	return h;
}

/* The hash states after each namespace prefix, as constants. */
#define NS2(a, b) FNV1(FNV1(RNG_HASH_INIT, a), b)
#define NS_F NS2('f', ':')
#define NS_F2 FNV1(NS2('f', '2'), ':')
#define NS_Q NS2('q', ':')
#define NS_V NS2('v', ':')
#define NS_U NS2('u', ':')
#define NS_B NS2('b', ':')
#define NS_I NS2('i', ':')

/* Hashes ns + w (+ "_" + w2) as one string without building it (hns: the
 * state after ns): this runs for every word of every prompt, and formatting
 * the string dominated. */
static void put_tok(struct acc *a, uint64_t hns, const char *w, size_t n, const char *w2, size_t n2)
{
	uint64_t h = fnv_more(hns, w, n);
	if (w2) {
		h = FNV1(h, '_');
		h = fnv_more(h, w2, n2);
	}
	h = rng_mix64(h);
	put(a, (uint32_t)(FEAT_NDENSE + (h & (((uint64_t)1 << a->bits) - 1))), 1.0);
}

/* Byte classes in the C locale (the program never calls setlocale), as
 * isalnum and isdigit answer there: bit 0 = ASCII alphanumeric, bit 1 =
 * digit. A constant table: one load per byte. Digits have bit 0x20 set
 * already, so c | 0x20 lower-cases any alphanumeric c. */
#define CC(c) ((c) >= '0' && (c) <= '9' ? 3 : ((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z' ? 1 : 0)
#define CC4(c) CC(c), CC((c) + 1), CC((c) + 2), CC((c) + 3)
#define CC16(c) CC4(c), CC4((c) + 4), CC4((c) + 8), CC4((c) + 12)
#define CC64(c) CC16(c), CC16((c) + 16), CC16((c) + 32), CC16((c) + 48)
static const unsigned char byte_class[256] = { CC64(0), CC64(64), CC64(128), CC64(192) };
#define IS_ALNUM(c) (byte_class[(unsigned char)(c)] & 1)

/* Splits [p, end) into lower-cased ASCII alphanumeric words (at most 24
 * characters each; non-ASCII bytes separate words). */
struct words {
	size_t n;
	char w[MAXW][24];
	size_t len[MAXW];
	size_t total;	   /* words seen, including beyond MAXW */
	unsigned char cls; /* the byte classes seen in words, or-ed */
};

static void split_words(const char *p, const char *end, struct words *ws)
{
	ws->n = 0;
	ws->total = 0;
	ws->cls = 0;
	while (p < end) {
		while (p < end && !IS_ALNUM(*p))
			p++;
		if (p >= end)
			break;
		/* lower-case the word's first 24 bytes while scanning it (long
		 * tokens: the prefix is enough) */
		char spill[sizeof ws->w[0]]; /* words beyond MAXW are counted only */
		char *dst = ws->n < MAXW ? ws->w[ws->n] : spill;
		size_t n = 0;
		unsigned char c;
		while (p < end && ((c = byte_class[(unsigned char)*p]) & 1)) {
			ws->cls |= c;
			if (n < sizeof ws->w[0])
				dst[n++] = (char)(*p | 0x20);
			p++;
		}
		ws->total++;
		if (ws->n < MAXW)
			ws->len[ws->n++] = n;
	}
}

/* Merges duplicates like the original put() did: the first FEAT_MAX_NNZ
 * distinct indices in insertion order, each with its first value (a repeated
 * word or a hash collision sets the slot once: presence, not counts). Keys
 * pack (index, position), so one sort orders by index and then by position. */
/* Quicksort on plain keys (no comparator calls: libc's qsort dominated the
 * feature profile), insertion sort below 24 keys. */
static void sort_u64(uint64_t *k, size_t n)
{
	while (n > 12) {
		uint64_t a = k[0], b = k[n / 2], c = k[n - 1];
		uint64_t p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		size_t i = 0, j = n - 1;
		for (;;) {
			while (k[i] < p)
				i++;
			while (k[j] > p)
				j--;
			if (i >= j)
				break;
			uint64_t t = k[i];
			k[i++] = k[j];
			k[j--] = t;
		}
		/* recurse into the smaller side, loop on the larger */
		if (j + 1 < n - j - 1) {
			sort_u64(k, j + 1);
			k += j + 1;
			n -= j + 1;
		} else {
			sort_u64(k + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = k[i];
		size_t j = i;
		for (; j > 0 && k[j - 1] > x; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

/* Sorts keys (index << 32 | position, positions ascending as written) by
 * index, stably: the order sort_u64 gives, without its data-dependent
 * branches (a quicksort's compares mispredict on hashed indices, an eighth
 * of odma's training time). LSD radix, RADIX_BITS per pass, as many passes
 * as the largest index needs. */
/* 5 bits: 3 passes for the default 14 hash bits, as 6 bits took, with half
 * the bins to clear and sum (those were a third of the sort). */
#define RADIX_BITS 5
static void radix_by_index(uint64_t *key, size_t n)
{
	uint64_t tmp[RAW_MAX], *src = key, *dst = tmp, any = 0;
	for (size_t i = 0; i < n; i++)
		any |= key[i] >> 32;
	for (int sh = 32; sh < 64 && any >> (sh - 32); sh += RADIX_BITS) {
		size_t cnt[(1 << RADIX_BITS) + 1] = { 0 };
		for (size_t i = 0; i < n; i++)
			cnt[(src[i] >> sh & ((1 << RADIX_BITS) - 1)) + 1]++;
		for (int b = 1; b <= 1 << RADIX_BITS; b++)
			cnt[b] += cnt[b - 1];
		for (size_t i = 0; i < n; i++)
			dst[cnt[src[i] >> sh & ((1 << RADIX_BITS) - 1)]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != key)
		memcpy(key, src, n * sizeof *key);
}

static void merge(const struct acc *a, struct feat_vec *v)
{
	uint64_t key[RAW_MAX];
	size_t m = 0;
	for (size_t i = 0; i < a->n; i++)
		key[i] = (uint64_t)a->idx[i] << 32 | i;
	radix_by_index(key, a->n);
	for (size_t i = 0; i < a->n; i++)
		if (i == 0 || key[i] >> 32 != key[m - 1] >> 32)
			key[m++] = key[i];
	if (m > FEAT_MAX_NNZ) { /* keep the earliest distinct ones, then re-sort */
		for (size_t i = 0; i < m; i++)
			key[i] = key[i] << 32 | key[i] >> 32;
		sort_u64(key, m);
		m = FEAT_MAX_NNZ;
		for (size_t i = 0; i < m; i++)
			key[i] = key[i] << 32 | key[i] >> 32;
		sort_u64(key, m);
	}
	v->nnz = m;
	for (size_t i = 0; i < m; i++) {
		v->idx[i] = (uint32_t)(key[i] >> 32);
		v->val[i] = a->val[key[i] & 0xffffffffu];
	}
}

/* The words of one prompt: instruction and input blocks. */
struct blocks {
	struct words ins, inp;
};

static void put_words(struct acc *a, const struct blocks *b)
{
	const struct words *ins = &b->ins, *inp = &b->inp;
	if (ins->n) {
		put_tok(a, NS_F, ins->w[0], ins->len[0], NULL, 0);
		if (ins->n > 1)
			put_tok(a, NS_F2, ins->w[0], ins->len[0], ins->w[1], ins->len[1]);
		if (in_list(qwords, NELEM(qwords), ins->w[0], ins->len[0]))
			put_tok(a, NS_Q, ins->w[0], ins->len[0], NULL, 0);
	}
	for (size_t i = 0; i < ins->n && i < 3; i++)
		if (in_list(verbs, NELEM(verbs), ins->w[i], ins->len[i]))
			put_tok(a, NS_V, ins->w[i], ins->len[i], NULL, 0);
	for (size_t i = 0; i < ins->n; i++) {
		put_tok(a, NS_U, ins->w[i], ins->len[i], NULL, 0);
		if (i + 1 < ins->n)
			put_tok(a, NS_B, ins->w[i], ins->len[i], ins->w[i + 1], ins->len[i + 1]);
	}
	for (size_t i = 0; i < inp->n && i < 64; i++)
		put_tok(a, NS_I, inp->w[i], inp->len[i], NULL, 0);
}

void feat_extract(const char *text, int32_t prompt_tokens, int hash_bits, struct feat_vec *v)
{
	static_assert(FEAT_NDENSE == 8, "the dense indices below must fit");
	if (!text)
		text = "";
	struct acc a;
	a.n = 0;
	a.bits = hash_bits;
	struct blocks b;
	size_t tl = strlen(text);
	const char *brk = strstr(text, "\n\n"); /* Alpaca: instruction "\n\n" input */
	const char *iend = brk ? brk : text + tl;
	double lp = log1p(prompt_tokens > 0 ? (double)prompt_tokens : 0.0) / 4.0;
	put(&a, 0, 1.0); /* bias */
	put(&a, 1, lp);
	put(&a, 2, lp * lp);
	if (brk)
		put(&a, 3, 1.0); /* an input block is present */
	split_words(text, iend, &b.ins);
	split_words(brk ? brk + 2 : iend, text + tl, &b.inp);
	put(&a, 4, log1p((double)b.ins.total) / 4.0);
	if (b.inp.total)
		put(&a, 5, log1p((double)b.inp.total) / 4.0);
	if (tl && text[tl - 1] == '?')
		put(&a, 6, 1.0);
	/* a digit anywhere: digits sit inside words, and the blocks' words
	 * cover every alphanumeric byte of the text */
	bool digit = ((b.ins.cls | b.inp.cls) & 2) != 0;
	if (digit)
		put(&a, 7, 1.0);
	put_words(&a, &b);
	/* Hashed features stay binary and unscaled: a per-prompt scale (e.g. 1/sqrt
	 * of the feature count) makes even "length is set by one word" unlearnable
	 * by a linear model, and cost accuracy on validation data too. */
	merge(&a, v);
}
