/* trace_csv's split read (two threads): split at every line end of crafted
 * and random files, the reader gives the one-thread read's result, message,
 * rows and texts; the second part counts when the split falls between
 * records, and not when it falls inside a quoted field. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/slurp.h"
#include "tests/support/tu.h"
#include "workload/trace_csv.h"

struct read {
	struct wl_trace t;
	struct om_err e;
	int rc;
	bool used;
};

static void read_csv(struct read *r, const char *csv, size_t len, bool keep, bool plain,
		     size_t split)
{
	trace_init(&r->t);
	r->e.msg[0] = '\0';
	r->used = false;
	r->rc = trace_parse_csv_opt(csv, len, "t.csv", &r->t, keep, plain, split, &r->used, &r->e);
}

static void same_read(const struct read *a, const struct read *b, const char *desc, size_t split)
{
	ck_assert_msg(a->rc == b->rc, "%s, split %zu: rc %d vs %d (%s | %s)", desc, split, a->rc,
		      b->rc, a->e.msg, b->e.msg);
	ck_assert_msg(!strcmp(a->e.msg, b->e.msg), "%s, split %zu: '%s' vs '%s'", desc, split,
		      a->e.msg, b->e.msg);
	ck_assert_msg(a->t.n == b->t.n, "%s, split %zu: %zu vs %zu rows", desc, split, a->t.n,
		      b->t.n);
	ck_assert(a->t.has_arrivals == b->t.has_arrivals);
	ck_assert_str_eq(a->t.format, b->t.format);
	for (size_t i = 0; i < a->t.n; i++) {
		ck_assert_int_eq(a->t.req[i].id, b->t.req[i].id);
		ck_assert_int_eq(a->t.req[i].arrival_ns, b->t.req[i].arrival_ns);
		ck_assert_int_eq(a->t.req[i].prompt_tokens, b->t.req[i].prompt_tokens);
		ck_assert_int_eq(a->t.out_tokens[i], b->t.out_tokens[i]);
		ck_assert_str_eq(trace_text(&a->t, i), trace_text(&b->t, i));
	}
}

/* Splits after every LF (both reader paths); returns how many splits the
 * second part counted in. */
static int same_every_split(const char *csv, size_t len, bool keep, const char *desc)
{
	struct read ref, r;
	read_csv(&ref, csv, len, keep, true, SIZE_MAX);
	ck_assert(!ref.used);
	int used = 0;
	for (size_t i = 0; i < len; i++) {
		if (csv[i] != '\n')
			continue;
		for (int plain = 0; plain < 2; plain++) {
			read_csv(&r, csv, len, keep, plain, i);
			same_read(&ref, &r, desc, i);
			used += r.used;
			trace_free(&r.t);
		}
	}
	trace_free(&ref.t);
	return used;
}

static int same_split_str(const char *csv, bool keep)
{
	return same_every_split(csv, strlen(csv), keep, csv);
}

/* Whether the split right after the first occurrence of `at` counts. */
static bool used_after(const char *csv, const char *at)
{
	const char *p = strstr(csv, at);
	ck_assert(p);
	struct read r;
	size_t from = (size_t)(p - csv) + strlen(at) - 1; /* at ends with its LF */
	read_csv(&r, csv, strlen(csv), true, true, from);
	trace_free(&r.t);
	return r.used;
}

START_TEST(crafted_files_read_the_same)
{
	/* quoted line ends around the middle: a part starting inside the
	 * quotes reads a bogus row ("7,8,9") or fails; neither may show */
	const char *q = "id,prompt_tokens,output_tokens,prompt\r\n"
			"0,5,7,\"a\"\r\n"
			"1,6,8,\"two\r\nlines\n7,8,9\n\"\"x\"\",\"\r\n"
			"2,3,4,\"c, d\"\r\n"
			"3,3,4,x\r\n";
	ck_assert_int_gt(same_split_str(q, true), 0);
	ck_assert(!used_after(q, "two\r\n"));
	ck_assert(!used_after(q, "lines\n"));
	ck_assert(used_after(q, "\"a\"\r\n"));
	ck_assert_int_gt(same_split_str(q, false), 0);
	/* a byte-order mark and quoted names in the header */
	ck_assert_int_gt(same_split_str("\xEF\xBB\xBFid,\"prompt_tokens\",output_tokens\n"
					"1,2,3\n4,5,6\n7,8,9\n",
					true),
			 0);
	/* Vidur layout (no id column: ids are row numbers across the split),
	 * arrivals, a blank line, no final line end */
	ck_assert_int_gt(same_split_str("arrived_at,num_prefill_tokens,num_decode_tokens\n"
					"0.5,3,4\n\n1.0,5,6\n1.5,7.0,8\n2,9,10",
					false),
			 0);
	/* errors in either half, and in both (the first wins) */
	ck_assert_int_gt(
		same_split_str("id,prompt_tokens,output_tokens\n0,1,2\n1,0,2\n2,3,4\n3,3,4\n",
			       false),
		0);
	ck_assert_int_gt(
		same_split_str("id,prompt_tokens,output_tokens\n0,1,2\n1,2,2\n2,3\n3,x,4\n", false),
		0);
	ck_assert_int_gt(
		same_split_str("id,prompt_tokens,output_tokens\n0,1,2\n1,-2,2\n2,3\n3,3,4\n",
			       false),
		0);
	/* duplicate ids across the halves name both lines; an unclosed quote
	 * in the second half names its line */
	ck_assert_int_gt(
		same_split_str("id,prompt_tokens,output_tokens\n4,1,2\n5,2,2\n6,3,4\n4,3,4\n",
			       false),
		0);
	ck_assert_int_gt(same_split_str("id,prompt_tokens,output_tokens,prompt\n0,1,2,a\n1,2,2,b\n"
					"2,3,4,\"open\nstill\n",
					true),
			 0);
	/* tiny files: header only, one row, junk after a quote, a bad header */
	same_split_str("id,prompt_tokens,output_tokens\n", false);
	same_split_str("id,prompt_tokens,output_tokens\n1,2,3\n", false);
	same_split_str("id,prompt_tokens,output_tokens\n1,2,3\n\"4\"x,5,6\n", false);
	same_split_str("id,prompt_tokens\n1,2\n3,4\n", false);
	same_split_str("\n\n", false);
	/* a NUL byte: read on one thread, the same message */
	const char nul[] = "id,prompt_tokens,output_tokens\n1,2,3\n4,5\0,6\n";
	ck_assert_int_eq(same_every_split(nul, sizeof nul - 1, false, "nul"), 0);
}
END_TEST

/* Random files of rows whose texts hold what a split must not be fooled
 * by: line ends (LF, CRLF, lone CR) inside quotes, doubled quotes, lines
 * that look like records; now and then a bad row. */
START_TEST(random_files_read_the_same)
{
	static const char *texts[] = { "plain",	   "\"q\"",	    "\"a\nb\"",	      "\"a\r\nb\"",
				       "\"a\rb\"", "\"\"\"x\"\"\"", "\"r\n1,2,3\n\"", "\"\n\"",
				       "\"\"",	   "\"c, d\"" };
	static const char *bad[] = { "1,2", "x", "\"open", "-1", "\"q\"z" };
	static const char *ends[] = { "\n", "\r\n", "\r", "\n\n" };
	uint64_t x = 0x2545f4914f6cdd1du;
	char csv[2048];
	int used = 0;
	for (int round = 0; round < 300; round++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		bool ids = (x >> 62) != 0;
		size_t n = (size_t)snprintf(csv, sizeof csv,
					    "%sprompt_tokens,output_tokens,prompt\n",
					    ids ? "id," : "");
		int rows = 2 + (int)((x >> 20) % 10);
		for (int k = 0; k < rows; k++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			const char *text = (x >> 58) == 0 ? bad[(x >> 20) % 5]
							  : texts[(x >> 30) % 10];
			const char *end = (x >> 61) ? "\n" : ends[(x >> 40) % 4];
			if (ids)
				n += (size_t)snprintf(csv + n, sizeof csv - n, "%d,",
						      (x >> 57) == 1 ? 0 : k);
			n += (size_t)snprintf(csv + n, sizeof csv - n, "%d,%d,%s%s",
					      1 + (int)((x >> 8) % 9), (int)((x >> 12) % 9), text,
					      end);
		}
		char desc[32];
		snprintf(desc, sizeof desc, "round %d", round);
		used += same_every_split(csv, n, round % 2, desc);
	}
	ck_assert_int_gt(used, 1000);
}
END_TEST

/* The real trace, if present: split near the middle as a run splits it,
 * and at a few other places. */
START_TEST(shared_alpaca_if_present)
{
	char path[4096];
	if (!tu_shared_trace(path, sizeof path, "alpaca.csv"))
		return;
	char *buf;
	size_t len;
	struct om_err e;
	ck_assert_int_eq(slurp_file(path, "trace", &buf, &len, &e), 0);
	for (int keep = 0; keep < 2; keep++) {
		struct read ref, r;
		read_csv(&ref, buf, len, keep, true, SIZE_MAX);
		ck_assert_int_eq(ref.rc, 0);
		for (int k = 1; k < 8; k++) {
			/* its records end in CRLF, its texts hold bare LFs */
			const char *at = strstr(buf + len / 8 * (size_t)k, "\r\n");
			ck_assert(at);
			size_t split = (size_t)(at - buf) + 1;
			read_csv(&r, buf, len, keep, true, split);
			same_read(&ref, &r, "alpaca.csv", split);
			ck_assert(r.used);
			trace_free(&r.t);
			read_csv(&r, buf, len, keep, true, len / 8 * (size_t)k);
			same_read(&ref, &r, "alpaca.csv", len / 8 * (size_t)k);
			trace_free(&r.t);
		}
		trace_free(&ref.t);
	}
	free(buf);
}
END_TEST

Suite *tu_suite(void)
{
	Suite *s = suite_create("csv_split");
	tu_case(s, crafted_files_read_the_same, random_files_read_the_same,
		shared_alpaca_if_present);
	return s;
}
