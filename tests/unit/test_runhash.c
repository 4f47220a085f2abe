/* runhash: run names must not change across builds, key orders or the way a
 * value was given, and must change when any value does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/tu.h"
#include "sim/core/experiment.h"
#include "sim/batch/runhash.h"

/* Published FNV-1a 64-bit test vectors (Fowler/Noll/Vo reference set). */
START_TEST(fnv1a_reference_vectors)
{
	ck_assert_uint_eq(runhash_fnv1a64("", 0), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(runhash_fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(runhash_fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
	char name[RUNHASH_HEX + 1];
	runhash_name("foobar", name);
	ck_assert_str_eq(name, "85944171f739");
}
END_TEST

START_TEST(canonical_form_sorts_and_drops_comments)
{
	struct om_err e;
	char *a = runhash_canon_text("; comment\n[b]\ny = 2\n\n[a]\nx = 1\nz =\n", "a", &e);
	char *b = runhash_canon_text("[a]\nz=\nx=1\n# other comment\n[b]\ny=2 ; inline\n", "b", &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, "a.x=1\na.z=\nb.y=2\n");
	ck_assert_str_eq(a, b);
	char *c = runhash_canon_text("[a]\nx = 1.0\nz =\n[b]\ny = 2\n", "c", &e);
	ck_assert_str_ne(a, c); /* values are compared as text */
	char na[RUNHASH_HEX + 1], nc[RUNHASH_HEX + 1];
	runhash_name(a, na);
	runhash_name(c, nc);
	ck_assert_str_ne(na, nc);
	free(a), free(b), free(c);
}
END_TEST

static char *name_of(const char *path, char **sets, int nsets)
{
	struct om_err e;
	struct cfg *c = exp_load(path, sets, nsets, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	char *canon = runhash_canon_cfg(c, &e);
	ck_assert_ptr_nonnull(canon);
	cfg_free(c);
	char *n = malloc(RUNHASH_HEX + 1);
	runhash_name(canon, n);
	free(canon);
	return n;
}

/* The same effective config gives the same name whether a value came from
 * the experiment file, --set, or a job file written from the resolved config. */
START_TEST(same_config_same_name)
{
	char tmpl[TU_PATH];
	tu_write_temp(tmpl,
		      "[workload]\nrate = 3\nnum_requests = 50\n[scheduler]\nmax_num_seqs = 32\n");
	char *s1[] = { "workload.rate=3", "workload.num_requests=50", "scheduler.max_num_seqs=32" };
	char *from_file = name_of(tmpl, NULL, 0);
	char *from_sets = name_of(NULL, s1, 3);
	ck_assert_str_eq(from_file, from_sets);

	/* Round trip through the resolved config (what a sweep job file holds). */
	struct om_err e;
	struct cfg *c = exp_load(tmpl, NULL, 0, &e);
	char *text = cfg_write_string(c, &e);
	cfg_free(c);
	FILE *f = fopen(tmpl, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	char *from_job = name_of(tmpl, NULL, 0);
	ck_assert_str_eq(from_file, from_job);

	char *s2[] = { "workload.rate=3", "workload.num_requests=50", "scheduler.max_num_seqs=33" };
	char *other = name_of(NULL, s2, 3);
	ck_assert_str_ne(from_file, other);
	/* A preset change reaches the name through the values it fills in. */
	char *s3[] = { "workload.rate=3", "workload.num_requests=50", "scheduler.max_num_seqs=32",
		       "device.preset=a100-80g" };
	char *dev = name_of(NULL, s3, 4);
	ck_assert_str_ne(from_file, dev);
	unlink(tmpl);
	free(from_file), free(from_sets), free(from_job), free(other), free(dev);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("runhash", fnv1a_reference_vectors,
			   canonical_form_sorts_and_drops_comments, same_config_same_name);
}
