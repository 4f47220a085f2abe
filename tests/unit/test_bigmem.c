/* bigmem: big blocks come back aligned to a huge page (bigmem_alloc) or
 * zeroed (bigmem_calloc), hold their bytes, and are freed with free; where
 * the kernel offers transparent huge pages on madvise, the advised mapping
 * is eligible for them (read back from /proc/self/smaps). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/tu.h"
#include "common/bigmem.h"

/* 1 or 0 as smaps says of the mapping holding p; -1 when it cannot tell. */
static int thp_eligible(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	char line[512];
	int in = 0, ans = -1;
	uintptr_t a = (uintptr_t)p;
	while (ans < 0 && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "THPeligible: %d", &ans) != 1)
			ans = -1; /* another field of the mapping */
	}
	fclose(f);
	return ans;
}

/* whether THP is offered to advised memory ("[always]" or "[madvise]") */
static bool thp_on_madvise(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char s[128] = "";
	if (f) {
		if (!fgets(s, sizeof s, f))
			s[0] = 0;
		fclose(f);
	}
	return strstr(s, "[always]") || strstr(s, "[madvise]");
}

START_TEST(big_block_is_aligned_and_holds_its_bytes)
{
	size_t n = 3 * BIGMEM_HUGE + 123;
	unsigned char *p = bigmem_alloc(n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % BIGMEM_HUGE, 0);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < n; i += 4093)
		ck_assert_uint_eq(p[i], (unsigned char)(i * 7));
	if (thp_on_madvise())
		ck_assert_int_ne(thp_eligible(p + BIGMEM_HUGE), 0);
	free(p);
	unsigned char *small = bigmem_alloc(100);
	ck_assert_ptr_nonnull(small);
	memset(small, 1, 100);
	free(small);
}
END_TEST

START_TEST(calloc_is_zero_and_grows_in_place_of_realloc)
{
	size_t n = 5 * BIGMEM_HUGE / sizeof(int64_t);
	int64_t *v = bigmem_calloc(n, sizeof *v);
	ck_assert_ptr_nonnull(v);
	size_t nonzero = 0;
	for (size_t i = 0; i < n; i++) {
		nonzero += v[i] != 0;
		v[i] = (int64_t)i;
	}
	ck_assert_uint_eq(nonzero, 0);
	/* a grown array, advised again, keeps its data */
	int64_t *w = realloc(v, 2 * n * sizeof *w);
	ck_assert_ptr_nonnull(w);
	bigmem_advise(w, 2 * n * sizeof *w);
	size_t moved = 0;
	for (size_t i = 0; i < n; i++)
		moved += w[i] != (int64_t)i;
	ck_assert_uint_eq(moved, 0);
	if (thp_on_madvise())
		ck_assert_int_ne(thp_eligible(w + n), 0);
	free(w);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("bigmem", big_block_is_aligned_and_holds_its_bytes,
			   calloc_is_zero_and_grows_in_place_of_realloc);
}
