/* lasttok: a map from request records to times that must behave as a plain
 * array would under any interleaving of puts and takes (deletion shifts
 * entries back, so a wrong shift loses or duplicates a key). */
#include <stdlib.h>

#include "tests/support/tu.h"
#include "sim/core/lasttok.h"

enum {
	N = 3000
};

/* Random puts, replaces and takes against a reference array. */
START_TEST(matches_a_reference_array)
{
	static char rec[N][96]; /* records a fixed stride apart, as sim_reqs */
	static int64_t ref[N];
	static bool in[N];
	struct lasttok m;
	lasttok_init(&m);
	uint32_t s = 7;
	size_t n = 0;
	for (int step = 0; step < 200000; step++) {
		s = s * 1664525u + 1013904223u;
		size_t k = (s >> 8) % (step < 100000 ? N : N / 10); /* then crowd a few */
		int64_t t = (int64_t)(s >> 4);
		if ((s >> 28) % 3 == 0) {
			ck_assert_int_eq(lasttok_put(&m, rec[k], t), 0);
			n += !in[k];
			in[k] = true;
			ref[k] = t;
		} else {
			int64_t got = -1;
			bool had = lasttok_take(&m, rec[k], &got);
			ck_assert_int_eq(had, in[k]);
			if (had)
				ck_assert_int_eq(got, ref[k]);
			n -= had;
			in[k] = false;
		}
		ck_assert_uint_eq(m.n, n);
	}
	for (size_t k = 0; k < N; k++) {
		int64_t got = -1;
		ck_assert_int_eq(lasttok_take(&m, rec[k], &got), in[k]);
		if (in[k])
			ck_assert_int_eq(got, ref[k]);
	}
	ck_assert_uint_eq(m.n, 0);
	lasttok_free(&m);
}
END_TEST

/* An empty map answers no; a taken key is gone; a put replaces. */
START_TEST(take_forgets_put_replaces)
{
	struct lasttok m;
	lasttok_init(&m);
	int a, b;
	int64_t t = 0;
	ck_assert(!lasttok_take(&m, &a, &t));
	ck_assert_int_eq(lasttok_put(&m, &a, 5), 0);
	ck_assert_int_eq(lasttok_put(&m, &a, 9), 0);
	ck_assert_int_eq(lasttok_put(&m, &b, -1), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert(lasttok_take(&m, &a, &t));
	ck_assert_int_eq(t, 9);
	ck_assert(!lasttok_take(&m, &a, &t));
	ck_assert(lasttok_take(&m, &b, &t));
	ck_assert_int_eq(t, -1);
	lasttok_free(&m);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("lasttok", matches_a_reference_array, take_forgets_put_replaces);
}
