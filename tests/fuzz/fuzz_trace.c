/* libFuzzer target: the trace readers (trace_parse picks CSV, JSON Lines or
 * TSV by the first line) over an arbitrary buffer. The first byte chooses
 * whether prompt texts are kept, so both paths of each reader are exercised. Any accepted trace must satisfy the
 * reader's promises: at least one row, positive prompt lengths, non-negative
 * outputs, unique ids. And the CSV reader must read the buffer the same with
 * and without its plain-record path (workload/csv_plain.h): same result,
 * message, rows and texts as libcsv alone, and as when split over two
 * threads. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "workload/trace_csv.h"
#include "workload/trace_fmt.h"

static void same_read(int ra, const struct om_err *ea, const struct wl_trace *a, int rb,
		      const struct om_err *eb, const struct wl_trace *b)
{
	if (ra != rb || strcmp(ea->msg, eb->msg) || a->n != b->n)
		abort();
	for (size_t i = 0; i < a->n; i++)
		if (a->req[i].id != b->req[i].id || a->req[i].arrival_ns != b->req[i].arrival_ns
		    || a->req[i].prompt_tokens != b->req[i].prompt_tokens
		    || a->out_tokens[i] != b->out_tokens[i]
		    || strcmp(trace_text(a, i), trace_text(b, i)))
			abort();
}

/* Also split in two at the first LF past the middle (two threads):
 * the same again. */
static void csv_plain_same(const char *buf, size_t size, bool keep_text)
{
	struct wl_trace a, b, c;
	trace_init(&a);
	trace_init(&b);
	trace_init(&c);
	struct om_err ea = { "" }, eb = { "" }, ec = { "" };
	int ra = trace_parse_csv_opt(buf, size, "fuzz.csv", &a, keep_text, true, SIZE_MAX, NULL,
				     &ea);
	int rb = trace_parse_csv_opt(buf, size, "fuzz.csv", &b, keep_text, false, SIZE_MAX, NULL,
				     &eb);
	int rc = trace_parse_csv_opt(buf, size, "fuzz.csv", &c, keep_text, true, size / 2, NULL,
				     &ec);
	same_read(ra, &ea, &a, rb, &eb, &b);
	same_read(ra, &ea, &a, rc, &ec, &c);
	trace_free(&a);
	trace_free(&b);
	trace_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool keep_text = size > 0 && (data[0] & 1);
	struct wl_trace t;
	trace_init(&t);
	struct om_err e = { "" };
	int rc = trace_parse((const char *)data, size, "fuzz.csv", &t, keep_text, &e);
	if (rc == 0) {
		if (t.n == 0)
			abort();
		for (size_t i = 0; i < t.n; i++) {
			if (t.req[i].prompt_tokens < 1 || t.out_tokens[i] < 0
			    || t.req[i].arrival_ns < 0)
				abort();
			if (strlen(trace_text(&t, i)) != t.req[i].text_len)
				abort();
		}
	} else if (!e.msg[0] || strncmp(e.msg, "fuzz.csv", 8) != 0) {
		abort(); /* every rejection names the file */
	}
	trace_free(&t);
	csv_plain_same((const char *)data, size, keep_text);
	return 0;
}
