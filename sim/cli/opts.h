/* opts: the option conventions every odmasim subcommand shares, on top of
 * getopt_long. `--opt=value` and `--opt value` both work, options and operands
 * may come in any order, `--` ends the options, -h/--help prints the command's
 * usage on stdout (exit 0), and an unknown option, a missing value or a bad
 * number is one line on stderr, "odmasim CMD: ...", and exit status 2.
 *
 * A command gets the arguments after its name (argv[0] is the first one);
 * opts parses a private copy, so the caller's argv is left as it was.
 *
 *	static const struct option lo[] = { { "out", required_argument, NULL, 'o' },
 *					    OPTS_HELP, { 0 } };
 *	struct opts p;
 *	if (opts_begin(&p, "merge", merge_usage, argc, argv) < 0)
 *		return 1;
 *	for (int c; (c = opts_next(&p, "o:h", lo)) != OPTS_END;)
 *		if (c == 'o')
 *			out = p.arg;
 *	int n = opts_operands(&p, 1, INT_MAX, "directory");
 *	if (n < 0)
 *		return opts_end(&p); (0 after --help, 2 after an error, message printed)
 *	... p.argv[p.ind] .. p.argv[p.ind + n - 1] ...
 *	opts_end(&p);
 */
#ifndef OM_OPTS_H
#define OM_OPTS_H

#include <getopt.h>
#include <stdbool.h>

/* The -h/--help entry of a long option table; put 'h' in the short options too. */
#define OPTS_HELP                              \
	{                                      \
		"help", no_argument, NULL, 'h' \
	}

enum {
	OPTS_END = -1
};

struct opts {
	const char *cmd;   /* "run": messages read "odmasim run: ..." */
	const char *usage; /* printed by -h/--help */
	int argc;
	char **argv;	 /* the private copy; argv[0] is "odmasim" */
	int ind;	 /* after OPTS_END: the first operand */
	const char *arg; /* the current option's value */
	char name[64];	 /* the current option as written: "-j", "--jobs" */
	int status;	 /* -1 while parsing; else the exit status to stop with */
};

/* Copies argv; -1 (message printed, status 1) when out of memory. */
int opts_begin(struct opts *p, const char *cmd, const char *usage, int argc, char **argv);

/* The next option's short name (or long-only value) with p->arg set, or
 * OPTS_END when the options are over or the command must stop: then
 * p->status >= 0 says with which exit status (help printed, or an error). */
int opts_next(struct opts *p, const char *shortopts, const struct option *longopts);

/* Prints "odmasim CMD: MESSAGE (see `odmasim help CMD`)" and sets status 2;
 * the next opts_next returns OPTS_END. Returns false, for `return opts_fail(...)`. */
bool opts_fail(struct opts *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The current option's value as a whole number in [lo, hi], or a one-line
 * error naming the option ("-j needs a whole number from 1 to 4096, got 'x'"). */
bool opts_long(struct opts *p, long lo, long hi, long *out);
/* The same for a finite number in [lo, hi]. */
bool opts_double(struct opts *p, double lo, double hi, double *out);

/* After OPTS_END: the number of operands if it is within [min, max], else -1
 * after "no WHAT given" or "unexpected argument 'x'"; -1 at once if the
 * options already ended the command (help or an error). */
int opts_operands(struct opts *p, int min, int max, const char *what);

/* Frees the copy; returns p->status. */
int opts_end(struct opts *p);

#endif
