/* kvmem: first-fit and size-segregated placement, coalescing, double-free detection, and
 * kvmem_check naming the invariant a corrupted free list breaks. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "sim/policy/kvmem.h"

START_TEST(first_fit_and_coalesce)
{
	struct kvmem m;
	struct om_err e;
	ck_assert_int_eq(kvmem_init(&m, 100), 0);
	ck_assert_int_eq(kvmem_alloc(&m, 30), 0);
	ck_assert_int_eq(kvmem_alloc(&m, 30), 30);
	ck_assert_int_eq(kvmem_alloc(&m, 30), 60);
	ck_assert_int_eq(kvmem_alloc(&m, 11), -1); /* only 10 left */
	ck_assert_int_eq(m.free_tokens, 10);
	ck_assert_int_eq(kvmem_release(&m, 30, 30), 0);
	/* holes: [30,60) and [90,100): external fragmentation 1 - 30/40 */
	ck_assert_double_eq_tol(kvmem_ext_frag(&m), 0.25, 1e-12);
	ck_assert_int_eq(kvmem_alloc(&m, 5), 30); /* first fit, not best fit */
	ck_assert_int_eq(kvmem_release(&m, 30, 5), 0);
	ck_assert_int_eq(kvmem_release(&m, 0, 30), 0);
	ck_assert_int_eq(kvmem_release(&m, 60, 30), 0);
	ck_assert_int_eq(m.nfr, 1); /* everything coalesced back */
	ck_assert_int_eq(kvmem_largest(&m), 100);
	ck_assert_int_eq(kvmem_check(&m, &e), 0);
	kvmem_free_all(&m);
}
END_TEST

START_TEST(segregated_fit_takes_the_smallest_class_that_holds_it)
{
	struct kvmem m;
	struct om_err e;
	const int64_t edges[2] = { 10, 40 }; /* classes: <= 10, 11..40, above */
	ck_assert_int_eq(kvmem_init(&m, 200), 0);
	/* holes [0,50) (class 2), [60,90) (class 1), [100,108) (class 0), [110,200) */
	ck_assert_int_eq(kvmem_alloc(&m, 200), 0);
	ck_assert_int_eq(kvmem_release(&m, 0, 50), 0);
	ck_assert_int_eq(kvmem_release(&m, 60, 30), 0);
	ck_assert_int_eq(kvmem_release(&m, 100, 8), 0);
	ck_assert_int_eq(kvmem_release(&m, 110, 90), 0);
	ck_assert_int_eq(kvmem_alloc_seg(&m, 5, edges, 2), 100); /* first fit: 0 */
	ck_assert_int_eq(kvmem_alloc_seg(&m, 20, edges, 2), 60); /* class 1 */
	ck_assert_int_eq(kvmem_alloc_seg(&m, 20, edges, 2), 0);	 /* [80,90) too short */
	ck_assert_int_eq(kvmem_alloc_seg(&m, 3, edges, 2),
			 80); /* class 0: [80,90) before [105,108) */
	ck_assert_int_eq(kvmem_alloc_seg(&m, 95, edges, 2), -1); /* nothing that long */
	ck_assert_int_eq(kvmem_check(&m, &e), 0);
	kvmem_free_all(&m);
}
END_TEST

START_TEST(extend_in_place_only_into_the_adjacent_free_range)
{
	struct kvmem m;
	struct om_err e;
	kvmem_init(&m, 100);
	ck_assert_int_eq(kvmem_alloc(&m, 20), 0);
	ck_assert_int_eq(kvmem_alloc(&m, 20), 20);
	ck_assert_int_eq(kvmem_extend(&m, 0, 20, 1), -1);   /* neighbour is held */
	ck_assert_int_eq(kvmem_extend(&m, 20, 20, 61), -1); /* only 60 free after it */
	ck_assert_int_eq(m.free_tokens, 60);
	ck_assert_int_eq(kvmem_extend(&m, 20, 20, 15), 0);
	ck_assert_int_eq(m.free_tokens, 45);
	ck_assert_int_eq(kvmem_alloc(&m, 10), 55);
	ck_assert_int_eq(kvmem_release(&m, 0, 20), 0);
	ck_assert_int_eq(kvmem_extend(&m, 55, 10, 35), 0); /* takes the whole tail */
	ck_assert_int_eq(m.nfr, 1);
	ck_assert_int_eq(kvmem_check(&m, &e), 0);
	ck_assert_int_eq(kvmem_release(&m, 20, 35), 0);
	ck_assert_int_eq(kvmem_release(&m, 55, 45), 0);
	ck_assert_int_eq(kvmem_largest(&m), 100);
	kvmem_free_all(&m);
}
END_TEST

START_TEST(double_free_refused)
{
	struct kvmem m;
	kvmem_init(&m, 64);
	int64_t a = kvmem_alloc(&m, 16);
	ck_assert_int_eq(kvmem_release(&m, a, 16), 0);
	ck_assert_int_eq(kvmem_release(&m, a, 16), -1);
	ck_assert_int_eq(kvmem_release(&m, 60, 8), -1); /* out of bounds */
	ck_assert_int_eq(m.free_tokens, 64);
	kvmem_free_all(&m);
}
END_TEST

/* A corrupted free list fails kvmem_check with the id of the broken invariant
 * (docs/INVARIANTS.md): uncoalesced or overlapping ranges, then a counter
 * that disagrees with the ranges. */
START_TEST(corruption_names_the_invariant)
{
	struct kvmem m;
	struct om_err e;
	kvmem_init(&m, 100);
	int64_t a = kvmem_alloc(&m, 10), b = kvmem_alloc(&m, 10);
	ck_assert_int_eq(kvmem_release(&m, a, 10), 0);
	ck_assert_int_eq(kvmem_check(&m, &e), 0);
	m.fr[0].len += 10; /* [0,20) now touches the free tail at 20 */
	ck_assert_int_eq(kvmem_check(&m, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "INV-13: "));
	m.fr[0].len -= 10;
	m.free_tokens += 1;
	ck_assert_int_eq(kvmem_check(&m, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "INV-14: "));
	m.free_tokens -= 1;
	m.largest += 1; /* the kept longest range no longer matches the list */
	ck_assert_int_eq(kvmem_check(&m, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "INV-14: longest"));
	m.largest -= 1;
	ck_assert_int_eq(kvmem_release(&m, b, 10), 0);
	ck_assert_int_eq(kvmem_check(&m, &e), 0);
	kvmem_free_all(&m);
}
END_TEST

START_TEST(random_churn_keeps_invariants)
{
	struct kvmem m;
	struct om_err e;
	kvmem_init(&m, 5000);
	int64_t off[200], len[200];
	int n = 0;
	unsigned s = 7;
	for (int step = 0; step < 20000; step++) {
		s = s * 1664525u + 1013904223u;
		if (n < 200 && (s >> 8) % 2) {
			int64_t l = 1 + (int64_t)((s >> 12) % 97);
			static const int64_t edges[] = { 16, 48 };
			int64_t o = (s >> 20) % 3 ? kvmem_alloc(&m, l)
						  : kvmem_alloc_seg(&m, l, edges, 2);
			if (o >= 0) {
				/* must not overlap any live region */
				for (int i = 0; i < n; i++)
					ck_assert(o + l <= off[i] || off[i] + len[i] <= o);
				off[n] = o, len[n] = l, n++;
			}
		} else if (n) {
			int k = (int)((s >> 4) % (unsigned)n);
			int64_t more = 1 + (int64_t)((s >> 24) % 8);
			if ((s >> 16) % 3 == 0 && kvmem_extend(&m, off[k], len[k], more) == 0) {
				len[k] += more;
			} else {
				ck_assert_int_eq(kvmem_release(&m, off[k], len[k]), 0);
				off[k] = off[n - 1], len[k] = len[n - 1], n--;
			}
		}
		int64_t live = 0;
		for (int i = 0; i < n; i++)
			live += len[i];
		ck_assert_int_eq(live + m.free_tokens, 5000);
		ck_assert_int_eq(kvmem_check(&m, &e), 0);
	}
	kvmem_free_all(&m);
}
END_TEST

/* The placements as their contracts define them, by a scan of the free list:
 * the lowest-addressed range that holds len; the lowest class that has one. */
static int64_t ref_first_fit(const struct kvmem *m, int64_t len)
{
	for (size_t i = 0; i < m->nfr; i++)
		if (m->fr[i].len >= len)
			return m->fr[i].off;
	return -1;
}

/* a length's class: how many (increasing) edges it exceeds */
static int ref_class(int64_t len, const int64_t *edges, int n)
{
	int above = 0;
	for (int c = 0; c < n; c++)
		above += len > edges[c];
	return above;
}

static int64_t ref_seg_fit(const struct kvmem *m, int64_t len, const int64_t *edges, int n)
{
	for (int c = ref_class(len, edges, n); c <= n; c++)
		for (size_t i = 0; i < m->nfr; i++)
			if (m->fr[i].len >= len && ref_class(m->fr[i].len, edges, n) == c)
				return m->fr[i].off;
	return -1;
}

/* The shortcuts (a refusal by the kept longest range, the one-pass
 * segregated search) place every request where the definitions do. */
START_TEST(placement_matches_the_definitions)
{
	struct kvmem m;
	kvmem_init(&m, 3000);
	int64_t off[300], len[300];
	int n = 0, refused = 0, placed = 0;
	unsigned s = 11;
	static const int64_t edges[] = { 8, 30, 90 };
	for (int step = 0; step < 20000; step++) {
		s = s * 1664525u + 1013904223u;
		if (n < 300 && (s >> 8) % 3) {
			int64_t l = 1 + (int64_t)((s >> 12) % 150);
			bool seg = (s >> 20) % 2;
			int64_t want = seg ? ref_seg_fit(&m, l, edges, 3) : ref_first_fit(&m, l);
			int64_t o = seg ? kvmem_alloc_seg(&m, l, edges, 3) : kvmem_alloc(&m, l);
			ck_assert_int_eq(o, want);
			if (o >= 0)
				off[n] = o, len[n] = l, n++, placed++;
			else
				refused++;
		} else if (n) {
			int k = (int)((s >> 4) % (unsigned)n);
			ck_assert_int_eq(kvmem_release(&m, off[k], len[k]), 0);
			off[k] = off[n - 1], len[k] = len[n - 1], n--;
		}
	}
	/* both outcomes were exercised */
	ck_assert_int_gt(refused, 100);
	ck_assert_int_gt(placed, 100);
	kvmem_free_all(&m);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("kvmem", first_fit_and_coalesce, double_free_refused,
			   corruption_names_the_invariant,
			   extend_in_place_only_into_the_adjacent_free_range,
			   random_churn_keeps_invariants,
			   segregated_fit_takes_the_smallest_class_that_holds_it,
			   placement_matches_the_definitions);
}
