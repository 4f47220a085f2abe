/* features: hashing is a fixed function of the text; vectors are sorted,
 * distinct and deterministic; the dense features read what they claim. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/tu.h"
#include "common/rng.h"
#include "predictors/featmemo.h"
#include "predictors/features.h"
#include "predictors/predictor.h"

START_TEST(hash_is_stable)
{
	/* Golden values: a changed hash silently invalidates every saved model.
	 * Worked out independently: 8 dense slots + (splitmix64(FNV-1a-64(s)) mod 2^14). */
	ck_assert_uint_eq(feat_hash("u:write", 7, 14), 13719);
	ck_assert_uint_eq(feat_hash("b:write_a", 9, 14), 2436);
	/* the published FNV-1a 64-bit test vectors */
	ck_assert_uint_eq(rng_hash_bytes("", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(rng_hash_bytes("a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(rng_hash_bytes("foobar", 6), 0x85944171f73967e8ULL);
	for (int bits = 8; bits <= 22; bits++) {
		uint32_t h = feat_hash("f:explain", 9, bits);
		ck_assert_uint_ge(h, FEAT_NDENSE);
		ck_assert_uint_lt(h, feat_dim(bits));
	}
}
END_TEST

START_TEST(vector_deterministic_sorted)
{
	static struct feat_vec a, b;
	const char *p = "Write a short poem about the sea.\n\nThe sea is blue and wide.";
	feat_extract(p, 17, 14, &a);
	feat_extract(p, 17, 14, &b);
	ck_assert_uint_eq(a.nnz, b.nnz);
	ck_assert_int_eq(memcmp(a.idx, b.idx, a.nnz * sizeof a.idx[0]), 0);
	ck_assert_int_eq(memcmp(a.val, b.val, a.nnz * sizeof a.val[0]), 0);
	for (size_t i = 1; i < a.nnz; i++)
		ck_assert_uint_lt(a.idx[i - 1], a.idx[i]);
	/* unigram of an instruction word is present, with the instruction namespace */
	uint32_t w = feat_hash("u:poem", 6, 14);
	bool found = false;
	for (size_t i = 0; i < a.nnz; i++)
		found |= a.idx[i] == w;
	ck_assert(found);
}
END_TEST

START_TEST(dense_features)
{
	static struct feat_vec v;
	feat_extract("Name a colour", 3, 14, &v);
	ck_assert_uint_eq(v.idx[0], 0); /* bias */
	for (size_t i = 0; i < v.nnz; i++)
		ck_assert_uint_ne(v.idx[i], 3); /* no input block */
	feat_extract("Translate this\n\nBonjour", 6, 14, &v);
	bool input = false;
	for (size_t i = 0; i < v.nnz; i++)
		input |= v.idx[i] == 3 && v.val[i] == 1.0;
	ck_assert(input);
	feat_extract("", 0, 14, &v); /* no text: dense only, no crash */
	ck_assert_uint_eq(v.nnz, 1); /* the bias alone: zero values are not stored */
}
END_TEST

START_TEST(long_prompt_capped)
{
	static char buf[200000];
	static struct feat_vec v;
	size_t n = 0;
	for (int i = 0; n + 16 < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "w%d ", i);
	feat_extract(buf, 50000, 14, &v);
	ck_assert_uint_le(v.nnz, FEAT_MAX_NNZ);
	ck_assert_uint_gt(v.nnz, 100);
}
END_TEST

static bool same_vec(const struct feat_vec *a, const struct feat_vec *b)
{
	return a->nnz == b->nnz && !memcmp(a->idx, b->idx, a->nnz * sizeof *a->idx)
		&& !memcmp(a->val, b->val, a->nnz * sizeof *a->val);
}

/* The memo gives feat_extract's vector for trained prompts (found by
 * content: another copy of the text), and computes the others. */
START_TEST(memo_equals_extract)
{
	static const char *texts[] = { "Write a poem about the sea.", "",
				       "List three colours.\n\nred green",
				       "Write a poem about the sea." };
	struct pred_sample s[4];
	struct lm_rows r;
	ck_assert_int_eq(lm_rows_init(&r, feat_dim(12)), 0);
	for (int i = 0; i < 4; i++)
		s[i] = (struct pred_sample){ i, texts[i], 5 + i, 1 };
	ck_assert_int_eq(lm_rows_from_samples(&r, s, 4, 12), 0);
	struct feat_memo m = { 0 };
	feat_memo_keep(&m, &r, s, 4, 12);
	ck_assert_uint_eq(r.n, 0); /* taken over */
	ck_assert_uint_eq(m.rows.n, 4);
	static struct feat_vec a, b;
	char copy[64];
	for (int i = 0; i < 4; i++) {
		snprintf(copy, sizeof copy, "%s", texts[i]);
		feat_memo_extract(&m, copy, 5 + i, 12, &a);
		feat_extract(texts[i], 5 + i, 12, &b);
		ck_assert(same_vec(&a, &b));
		feat_memo_extract(&m, copy, 99, 12, &a); /* not trained: computed */
		feat_extract(texts[i], 99, 12, &b);
		ck_assert(same_vec(&a, &b));
	}
	/* a hit is served from the memo: corrupt its row and see it */
	m.rows.val[m.rows.ptr[2]] = 42.0;
	feat_memo_extract(&m, texts[2], 7, 12, &a);
	ck_assert(a.val[0] == 42.0);
	feat_memo_extract(&m, texts[2], 7, 13, &a); /* other hash width: computed */
	feat_extract(texts[2], 7, 13, &b);
	ck_assert(same_vec(&a, &b));
	feat_memo_free(&m);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("features", hash_is_stable, vector_deterministic_sorted, dense_features,
			   long_prompt_capped, memo_equals_extract);
}
