/* odmasim-scan: the bench's two parse floors (bench/bench.sh, docs/SPEED.md).
 * Both read the file as a run does (slurp_file) and keep nothing:
 *   lean   one pass over the bytes: RFC 4180 fields and records (quotes,
 *          doubled quotes), the digits of every unquoted numeric field
 *          folded into a checksum, nothing stored;
 *   libcsv the same bytes through libcsv, callbacks that only count.
 * Each prints what it counted, so the work cannot be optimised away.
 * usage: odmasim-scan lean|libcsv FILE */
#include <csv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/slurp.h"

struct counts {
	uint64_t records, fields, sum;
};

static void lean(const char *s, size_t n, struct counts *c)
{
	bool quoted = false, numeric = true;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (quoted) {
			if (ch == '"')
				quoted = false; /* a doubled quote re-opens at once */
			continue;
		}
		if (ch == '"') {
			quoted = true, numeric = false;
		} else if (ch == ',' || ch == '\n') {
			c->fields++;
			c->sum += numeric ? v : 0;
			c->records += ch == '\n';
			v = 0, numeric = true;
		} else if (ch >= '0' && ch <= '9') {
			v = v * 10 + (uint64_t)(ch - '0');
		} else if (ch != '\r') {
			numeric = false;
		}
	}
}

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	struct counts *c = data;
	c->fields++;
	c->sum += len;
}

static void on_record(int ch, void *data)
{
	(void)ch;
	((struct counts *)data)->records++;
}

static int libcsv(const char *s, size_t n, struct counts *c)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return -1;
	int rc = csv_parse(&p, s, n, on_field, on_record, c) == n
			&& csv_fini(&p, on_field, on_record, c) == 0
		? 0
		: -1;
	csv_free(&p);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "lean") && strcmp(argv[1], "libcsv"))) {
		fprintf(stderr, "usage: odmasim-scan lean|libcsv FILE\n");
		return 2;
	}
	char *buf;
	size_t len;
	struct om_err e = { 0 };
	if (slurp_file(argv[2], "trace", &buf, &len, &e) < 0) {
		fprintf(stderr, "odmasim-scan: %s\n", e.msg);
		return 1;
	}
	struct counts c = { 0 };
	int rc = 0;
	if (!strcmp(argv[1], "lean"))
		lean(buf, len, &c);
	else
		rc = libcsv(buf, len, &c);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "odmasim-scan: %s: not valid CSV\n", argv[2]);
		return 1;
	}
	printf("%s: %llu records, %llu fields, checksum %llu\n", argv[1],
	       (unsigned long long)c.records, (unsigned long long)c.fields,
	       (unsigned long long)c.sum);
	return 0;
}
