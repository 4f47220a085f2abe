/* trace_csv: RFC 4180 details, both layouts, and rows that must be refused
 * with file, line and field in the message. */
#include <string.h>

#include "common/slurp.h"
#include "tests/support/tu.h"
#include "workload/trace_csv.h"
#include "workload/trace_fmt.h"

static int parse(const char *text, struct wl_trace *t, bool keep, struct om_err *e)
{
	trace_init(t);
	return trace_parse_csv(text, strlen(text), "t.csv", t, keep, e);
}

START_TEST(multiline_quotes_and_crlf)
{
	const char *csv = "id,prompt_tokens,output_tokens,prompt\r\n"
			  "0,5,7,\"Give three tips.\"\r\n"
			  "1,12,0,\"Rewrite this:\n\nHe said \"\"hi\"\", twice\"\r\n"
			  "2,3,4,\"last, with comma\"\r\n";
	struct wl_trace t;
	struct om_err e;
	ck_assert_int_eq(parse(csv, &t, true, &e), 0);
	ck_assert_int_eq(t.n, 3);
	ck_assert_int_eq(t.req[1].prompt_tokens, 12);
	ck_assert_int_eq(t.out_tokens[1], 0);
	ck_assert_str_eq(trace_text(&t, 1), "Rewrite this:\n\nHe said \"hi\", twice");
	ck_assert_str_eq(trace_text(&t, 2), "last, with comma");
	ck_assert_int_eq(t.req[2].id, 2);
	ck_assert(!t.has_arrivals);
	trace_free(&t);
}
END_TEST

START_TEST(lf_only_and_no_trailing_newline)
{
	const char *csv = "prompt,output_tokens,id,prompt_tokens\n\"a\",1,5,2\n\"b\",2,6,3";
	struct wl_trace t;
	struct om_err e;
	ck_assert_int_eq(parse(csv, &t, false, &e), 0);
	ck_assert_int_eq(t.n, 2);
	ck_assert_int_eq(t.req[1].id, 6);
	ck_assert_int_eq(t.req[1].prompt_tokens, 3);
	ck_assert_int_eq(t.out_tokens[1], 2);
	ck_assert_str_eq(trace_text(&t, 0), ""); /* keep_text = false */
	trace_free(&t);
}
END_TEST

/* A text no predictor reads is not kept, yet its row reads the same and
 * a malformed row fails the same way. Plain digits and the general integer
 * path ("007", "12.0") give the same counts. */
START_TEST(text_skipped_reads_the_same)
{
	const char *csv = "id,prompt,prompt_tokens,output_tokens\n"
			  "1,\"a, \"\"quoted\"\"\nline\",007,12.0\n"
			  "2,plain,5,0\r\n"
			  "3,\"\",6,7\n";
	struct wl_trace a, b;
	struct om_err e;
	ck_assert_int_eq(parse(csv, &a, true, &e), 0);
	ck_assert_int_eq(parse(csv, &b, false, &e), 0);
	ck_assert_int_eq(a.n, 3);
	ck_assert_int_eq(b.n, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(a.req[i].id, b.req[i].id);
		ck_assert_int_eq(a.req[i].prompt_tokens, b.req[i].prompt_tokens);
		ck_assert_int_eq(a.out_tokens[i], b.out_tokens[i]);
		ck_assert_str_eq(trace_text(&b, i), "");
	}
	ck_assert_int_eq(b.req[0].prompt_tokens, 7);
	ck_assert_int_eq(b.out_tokens[0], 12);
	ck_assert_str_eq(trace_text(&a, 0), "a, \"quoted\"\nline");
	trace_free(&a);
	trace_free(&b);
	ck_assert_int_eq(
		parse("id,prompt,prompt_tokens,output_tokens\n1,\"x,y\",2\n", &b, false, &e), -1);
	ck_assert_msg(strstr(e.msg, "t.csv:2") && strstr(e.msg, "expected 4 fields"), "%s", e.msg);
	trace_free(&b);
}
END_TEST

START_TEST(vidur_layout)
{
	const char *csv = "arrived_at,num_prefill_tokens,num_decode_tokens,extra\n"
			  "0.5,100,20,x\n1.25,300.0,7,y\n";
	struct wl_trace t;
	struct om_err e;
	ck_assert_int_eq(parse(csv, &t, false, &e), 0);
	ck_assert_int_eq(t.n, 2);
	ck_assert(t.has_arrivals);
	ck_assert_int_eq(t.req[0].arrival_ns, 500000000);
	ck_assert_int_eq(t.req[1].arrival_ns, 1250000000);
	ck_assert_int_eq(t.req[1].prompt_tokens, 300);
	ck_assert_int_eq(t.req[1].id, 1);
	trace_free(&t);
}
END_TEST

/* A sample in the released Azure format (rows made up, layout as released):
 * wall-clock times become offsets from the first row, across midnight and a
 * leap day, with 7 fractional digits. */
START_TEST(azure_layout)
{
	const char *csv = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
			  "2024-02-28 23:59:59.9000000,374,44\n"
			  "2024-02-29 00:00:00.0000001,396,0\n"
			  "2024-03-01 00:00:01,12,7\n";
	struct wl_trace t;
	struct om_err e;
	ck_assert_int_eq(parse(csv, &t, false, &e), 0);
	ck_assert_int_eq(t.n, 3);
	ck_assert(t.has_arrivals);
	ck_assert_int_eq(t.req[0].arrival_ns, 0);
	ck_assert_int_eq(t.req[1].arrival_ns, 100000100);
	ck_assert_int_eq(t.req[2].arrival_ns, 86400LL * 1000000000 + 1100000000);
	ck_assert_int_eq(t.req[1].prompt_tokens, 396);
	ck_assert_int_eq(t.out_tokens[1], 0);
	ck_assert_int_eq(t.req[2].id, 2);
	trace_free(&t);
}
END_TEST

struct bad {
	const char *csv, *want[3];
};

static const struct bad bad_rows[] = {
	{ "", { "t.csv", "empty file", NULL } },
	{ "TIMESTAMP,ContextTokens\n2023-11-16 18:15:46,3\n",
	  { "t.csv:1", "Azure trace header", "GeneratedTokens" } },
	{ "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,3,4\n2023-11-16 18:15:45,3,4\n",
	  { "t.csv:3", "TIMESTAMP", "earlier than the first" } },
	{ "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-02-29 10:00:00,3,4\n",
	  { "t.csv:2", "TIMESTAMP", "expected a time" } },
	{ "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16T18:15:46,3,4\n",
	  { "t.csv:2", "TIMESTAMP", "expected a time" } },
	{ "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.,3,4\n",
	  { "t.csv:2", "TIMESTAMP", "expected a time" } },
	{ "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,0,4\n",
	  { "t.csv:2", "ContextTokens", "positive" } },
	{ "id,prompt_tokens,output_tokens,prompt\r\n", { "header only", NULL, NULL } },
	{ "id,foo,bar\n1,2,3\n", { "t.csv:1", "header must name", NULL } },
	{ "id,prompt_tokens,output_tokens\n1,2,3\n2,-4,3\n",
	  { "t.csv:3", "prompt_tokens", "positive" } },
	{ "id,prompt_tokens,output_tokens\n1,2,-3\n", { "t.csv:2", "output_tokens", "negative" } },
	{ "id,prompt_tokens,output_tokens\n1,2,lots\n", { "t.csv:2", "output_tokens", "integer" } },
	{ "id,prompt_tokens,output_tokens\n1,2\n", { "t.csv:2", "expected 3 fields", NULL } },
	{ "id,prompt_tokens,output_tokens,prompt\n1,2,3,\"open\n",
	  { "t.csv", "unterminated", NULL } },
	{ "id,prompt_tokens,output_tokens,prompt\n1,2,3,a\"b\"c\n", { "t.csv:2", NULL, NULL } },
	{ "id,prompt_tokens,output_tokens\n1,2,3\n4,5,6\n1,7,8\n",
	  { "t.csv:4", "id", "duplicate id 1" } },
	{ "id,prompt_tokens,output_tokens\n1,2,3\n4,5,6\n4,7,8\n",
	  { "t.csv:4", "id", "duplicate id 4 (first on line 3)" } },
	{ "id,prompt_tokens,output_tokens\n9,2,3\n4,5,6\n9,7,8\n4,1,1\n",
	  { "t.csv:5", "id", "duplicate id 4 (first on line 3)" } },
	{ "arrived_at,num_prefill_tokens,num_decode_tokens\nnan,1,2\n",
	  { "t.csv:2", "arrived_at", NULL } },
	{ "id,prompt_tokens,output_tokens\n1,2.5,3\n", { "t.csv:2", "prompt_tokens", "integer" } },
};

START_TEST(bad_input_names_file_line_field)
{
	const struct bad *b = &bad_rows[_i];
	struct wl_trace t;
	struct om_err e = { "" };
	ck_assert_int_eq(parse(b->csv, &t, true, &e), -1);
	for (int k = 0; k < 3 && b->want[k]; k++)
		ck_assert_msg(strstr(e.msg, b->want[k]), "case %d: '%s' lacks '%s'", _i, e.msg,
			      b->want[k]);
	trace_free(&t);
}
END_TEST

/* Plain records (workload/csv_plain.h) skip libcsv: on random files built
 * from pieces near every edge of the plain subset (quotes, doubled quotes,
 * spaces, tabs, CR/LF/CRLF inside and after quotes, blank lines, a missing
 * last line end, junk after a closing quote) the reader gives the same
 * requests, texts, lines and messages as with every record fed to libcsv. */
static void same_both_ways(const char *csv, size_t len, bool keep, const char *desc)
{
	struct wl_trace a, b;
	struct om_err ea = { "" }, eb = { "" };
	trace_init(&a);
	trace_init(&b);
	int ra = trace_parse_csv_opt(csv, len, "t.csv", &a, keep, true, SIZE_MAX, NULL, &ea);
	int rb = trace_parse_csv_opt(csv, len, "t.csv", &b, keep, false, SIZE_MAX, NULL, &eb);
	ck_assert_msg(ra == rb, "%s: rc %d vs %d (%s | %s)", desc, ra, rb, ea.msg, eb.msg);
	ck_assert_msg(!strcmp(ea.msg, eb.msg), "%s: '%s' vs '%s'", desc, ea.msg, eb.msg);
	ck_assert_int_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		ck_assert_int_eq(a.req[i].id, b.req[i].id);
		ck_assert_int_eq(a.req[i].arrival_ns, b.req[i].arrival_ns);
		ck_assert_int_eq(a.req[i].prompt_tokens, b.req[i].prompt_tokens);
		ck_assert_int_eq(a.out_tokens[i], b.out_tokens[i]);
		ck_assert_str_eq(trace_text(&a, i), trace_text(&b, i));
	}
	trace_free(&a);
	trace_free(&b);
}

START_TEST(plain_records_read_as_libcsv_reads_them)
{
	static const char *heads[] = { "id,prompt_tokens,output_tokens,prompt",
				       "prompt,arrival_s,prompt_tokens,output_tokens,id",
				       "arrived_at,num_prefill_tokens,num_decode_tokens",
				       "\"id\",prompt_tokens,output_tokens,\"prompt\"" };
	static const char *pieces[] = { "1",	      "23",	    "7",	  "0",
					"",	      "\"4\"",	    "\"x\"\"y\"", "\"a\nb\"",
					"\"a\r\nb\"", "\"a\rb\r\"", "\"c, d\"",	  " 5",
					"5 ",	      "\t6",	    "\"5\" ",	  "x\"",
					"\"q\"z",     "\"unclosed", "1.5",	  "\"\"",
					"\"\"\"\"",   "-1",	    "abc" };
	static const char *ends[] = { "\n", "\n", "\n", "\r\n", "\r", "", "\n\n", "\n \n" };
	const size_t np = sizeof pieces / sizeof *pieces, ne = sizeof ends / sizeof *ends;
	uint64_t x = 0x9e3779b97f4a7c15u;
	char csv[4096];
	for (int round = 0; round < 4000; round++) {
		size_t n = 0;
		x = x * 6364136223846793005u + 1442695040888963407u;
		n += (size_t)snprintf(csv, sizeof csv, "%s%s", heads[(x >> 33) % 4],
				      ends[(x >> 40) % 4]);
		int rows = 1 + (int)((x >> 20) % 6);
		for (int k = 0; k < rows; k++) {
			int nf = 3 + (int)((x >> 50) % 3);
			for (int j = 0; j < nf; j++) {
				x = x * 6364136223846793005u + 1442695040888963407u;
				/* mostly plain fields: a row's one odd piece at most */
				const char *pc = (x >> 60) < 12 ? (j < 3 ? "3" : "\"t\"")
								: pieces[(x >> 33) % np];
				n += (size_t)snprintf(csv + n, sizeof csv - n, "%s%s", j ? "," : "",
						      pc);
			}
			x = x * 6364136223846793005u + 1442695040888963407u;
			n += (size_t)snprintf(csv + n, sizeof csv - n, "%s",
					      (x >> 61) < 6 ? "\n" : ends[(x >> 33) % ne]);
		}
		char desc[32];
		snprintf(desc, sizeof desc, "round %d", round);
		same_both_ways(csv, n, round % 2, desc);
	}
}
END_TEST

/* The real trace, if present: 52,002 rows as SOURCES.md says. */
START_TEST(shared_alpaca_if_present)
{
	char path[4096];
	if (!tu_shared_trace(path, sizeof path, "alpaca.csv"))
		return; /* not available here: covered by the synthetic tests */
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	ck_assert_msg(trace_read(path, &t, true, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(t.n, 52002);
	long zero = 0, out_sum = 0;
	for (size_t i = 0; i < t.n; i++) {
		zero += t.out_tokens[i] == 0;
		out_sum += t.out_tokens[i];
	}
	ck_assert_int_eq(zero, 49); /* SOURCES.md: 49 rows have an empty output */
	ck_assert_double_eq_tol((double)out_sum / 52002.0, 55.85, 0.01);
	trace_free(&t);
	/* its quoted, multi-line texts read the same through libcsv alone */
	char *buf;
	size_t len;
	ck_assert_int_eq(slurp_file(path, "trace", &buf, &len, &e), 0);
	same_both_ways(buf, len, true, "alpaca.csv");
	free(buf);
}
END_TEST

/* The Azure conversation trace, if present: rows and span as SOURCES.md says. */
START_TEST(shared_azure_if_present)
{
	char path[4096];
	if (!tu_shared_trace(path, sizeof path, "azure/AzureLLMInferenceTrace_conv.csv"))
		return;
	struct wl_trace t;
	struct om_err e;
	trace_init(&t);
	ck_assert_msg(trace_read(path, &t, false, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(t.n, 19366);
	double span = (double)t.req[t.n - 1].arrival_ns / 1e9;
	ck_assert_msg(span > 3501 && span < 3503, "span %g s", span);
	trace_free(&t);
}
END_TEST

Suite *tu_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tu_case(s, multiline_quotes_and_crlf, lf_only_and_no_trailing_newline,
			    vidur_layout);
	tcase_add_test(tc, azure_layout);
	tcase_add_test(tc, text_skipped_reads_the_same);
	tcase_add_loop_test(tc, bad_input_names_file_line_field, 0,
			    (int)(sizeof bad_rows / sizeof bad_rows[0]));
	tcase_add_test(tc, plain_records_read_as_libcsv_reads_them);
	tcase_add_test(tc, shared_alpaca_if_present);
	tcase_add_test(tc, shared_azure_if_present);
	return s;
}
