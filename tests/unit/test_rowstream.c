/* rowstream: requests.csv written on a second thread as the prefix of final
 * requests grows has the bytes report writes in one go; a stream that did
 * not get every row, or whose run failed (quit), yields no file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/report.h"
#include "sim/core/rowstream.h"
#include "tests/support/tu.h"

#define N 20011

struct fixture {
	struct sim_req reqs[N];
	int32_t replica[N];
	char dir[64], res[96];
};

/* requests of every status, times that never happened included */
static struct fixture *fixture_new(void)
{
	struct fixture *x = calloc(1, sizeof *x);
	ck_assert_ptr_nonnull(x);
	for (int i = 0; i < N; i++) {
		struct sim_req *r = &x->reqs[i];
		r->id = 1000 + i;
		r->arrival_ns = (int64_t)i * 123456789;
		r->prompt_tokens = 1 + i % 700;
		r->generated = i % 5 ? 1 + i % 300 : 0;
		r->state = i % 5 ? RS_FINISHED : RS_REJECTED;
		r->first_admit_ns = i % 5 ? r->arrival_ns + 7 : -1;
		r->first_token_ns = i % 5 ? r->arrival_ns + 1000003 : -1;
		r->finish_ns = r->arrival_ns + 99999999 * (i % 7);
		r->predicted_len = i % 3 ? i % 1000 : -1;
		r->pred_bucket = i % 4 - 1;
		r->preemptions = i % 2;
		r->reserved_peak = i % 900;
		x->replica[i] = i % 3;
	}
	strcpy(x->dir, "/tmp/odmasim-rowstream-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(x->dir));
	snprintf(x->res, sizeof x->res, "%s/no/such/results", x->dir);
	return x;
}

static void fixture_free(struct fixture *x)
{
	rmdir(x->dir);
	free(x);
}

/* what f (an unnamed file from rowstream_end) holds, read back through /proc */
static char *contents(FILE *f, size_t *len)
{
	ck_assert_int_eq(fflush(f), 0);
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fileno(f));
	FILE *r = fopen(p, "r");
	ck_assert_ptr_nonnull(r);
	char *buf = NULL;
	size_t cap = 0;
	FILE *m = open_memstream(&buf, &cap);
	char blk[65536];
	size_t k;
	while ((k = fread(blk, 1, sizeof blk, r)) > 0)
		fwrite(blk, 1, k, m);
	fclose(r);
	fclose(m);
	*len = cap;
	return buf;
}

static char *expected(const struct fixture *x, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	report_request_rows(m, x->reqs, x->replica, 0, N);
	fclose(m);
	return buf;
}

START_TEST(streamed_rows_are_the_written_rows)
{
	struct fixture *x = fixture_new();
	struct rowstream *rs = rowstream_open(x->res);
	if (!rs) { /* no unnamed files here: the run writes at the end */
		fprintf(stderr, "rowstream: no unnamed file in %s, not tested\n", x->dir);
		fixture_free(x);
		return;
	}
	struct eng_watch w = rowstream_watch(rs);
	/* uneven steps, one of them smaller than the writer's turn */
	size_t steps[] = { 4096, 5000, 17000, 17001 };
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		w.final(w.ctx, x->reqs, x->replica, steps[i]);
	w.final(w.ctx, x->reqs, x->replica, N);
	FILE *f = rowstream_end(rs, N);
	ck_assert_ptr_nonnull(f);
	size_t n1, n2;
	char *got = contents(f, &n1), *want = expected(x, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(got, want, n1), 0);
	ck_assert_int_eq(fclose(f), 0);
	free(got);
	free(want);
	/* the missing parents were not created */
	char p[128];
	snprintf(p, sizeof p, "%s/no", x->dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	fixture_free(x);
}
END_TEST

START_TEST(incomplete_or_quit_gives_no_file)
{
	struct fixture *x = fixture_new();
	struct rowstream *rs = rowstream_open(x->res);
	if (rs) {
		struct eng_watch w = rowstream_watch(rs);
		w.final(w.ctx, x->reqs, x->replica, 9000);
		ck_assert_ptr_null(rowstream_end(rs, N)); /* rows short of n */
	}
	rs = rowstream_open(x->res);
	if (rs) {
		struct eng_watch w = rowstream_watch(rs);
		w.final(w.ctx, x->reqs, x->replica, 9000);
		w.quit(w.ctx);
		/* a final after quit is ignored: the writer is gone */
		w.final(w.ctx, x->reqs, x->replica, N);
		ck_assert_ptr_null(rowstream_end(rs, N));
	}
	ck_assert_ptr_null(rowstream_end(NULL, N));
	fixture_free(x);
}
END_TEST

Suite *tu_suite(void)
{
	return tu_suite_of("rowstream", streamed_rows_are_the_written_rows,
			   incomplete_or_quit_gives_no_file);
}
