/* opts: getopt_long with odmasim's conventions (see opts.h). getopt's own
 * state is libc's; it is reset at every opts_begin, so each command parses
 * from scratch. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/opts.h"

int opts_begin(struct opts *p, const char *cmd, const char *usage, int argc, char **argv)
{
	memset(p, 0, sizeof *p);
	p->cmd = cmd;
	p->usage = usage;
	p->status = -1;
	/* getopt_long takes argv[0] for the program and permutes the rest. */
	p->argv = calloc((size_t)argc + 2, sizeof *p->argv);
	if (!p->argv) {
		fprintf(stderr, "odmasim %s: out of memory\n", cmd);
		p->status = 1;
		return -1;
	}
	p->argv[0] = (char *)"odmasim";
	for (int i = 0; i < argc; i++)
		p->argv[i + 1] = argv[i];
	p->argc = argc + 1;
	p->ind = 1;
	optind = 0; /* glibc: a full reset, forgetting any earlier parse */
	opterr = 0; /* our own one-line messages instead of getopt's */
	return 0;
}

bool opts_fail(struct opts *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "odmasim %s: %s (see `odmasim help %s`)\n", p->cmd, msg, p->cmd);
	p->status = 2;
	return false;
}

/* The option the user wrote at argv[optind - 1], without any "=value". */
static void written_name(struct opts *p, int c)
{
	const char *w = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
	if (strncmp(w, "--", 2) == 0)
		snprintf(p->name, sizeof p->name, "%.*s", (int)strcspn(w, "="), w);
	else
		snprintf(p->name, sizeof p->name, "-%c", c);
}

int opts_next(struct opts *p, const char *shortopts, const struct option *longopts)
{
	if (p->status >= 0)
		return OPTS_END;
	char spec[128];
	/* ':' first: a missing value returns ':' rather than '?'. */
	snprintf(spec, sizeof spec, ":%s", shortopts);
	int li = -1;
	int c = getopt_long(p->argc, p->argv, spec, longopts, &li);
	p->arg = optarg;
	if (c == -1) {
		p->ind = optind;
		return OPTS_END;
	}
	if (li >= 0)
		snprintf(p->name, sizeof p->name, "--%s", longopts[li].name);
	else
		written_name(p, c == '?' || c == ':' ? optopt : c);
	if (c == 'h') {
		fputs(p->usage, stdout);
		p->status = 0;
	} else if (c == ':') {
		opts_fail(p, "%s needs a value", p->name);
	} else if (c == '?' && optopt && !strncmp(p->name, "--", 2)
		   && strchr(p->argv[optind - 1], '=')) {
		opts_fail(p, "%s takes no value", p->name);
	} else if (c == '?') {
		opts_fail(p, "unknown option '%s'", p->name);
	} else {
		return c;
	}
	return OPTS_END;
}

bool opts_long(struct opts *p, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(p->arg, &end, 10);
	if (errno || end == p->arg || *end || v < lo || v > hi)
		return opts_fail(p, "%s needs a whole number from %ld to %ld, got '%s'", p->name,
				 lo, hi, p->arg);
	*out = v;
	return true;
}

bool opts_double(struct opts *p, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(p->arg, &end);
	if (errno || end == p->arg || *end || !isfinite(v) || v < lo || v > hi)
		return opts_fail(p, "%s needs a number from %g to %g, got '%s'", p->name, lo, hi,
				 p->arg);
	*out = v;
	return true;
}

int opts_operands(struct opts *p, int min, int max, const char *what)
{
	if (p->status >= 0)
		return -1;
	int n = p->argc - p->ind;
	if (n < min) {
		opts_fail(p, "no %s given", what);
		return -1;
	}
	if (n > max) {
		opts_fail(p, "unexpected argument '%s'", p->argv[p->ind + max]);
		return -1;
	}
	return n;
}

int opts_end(struct opts *p)
{
	free(p->argv);
	p->argv = NULL;
	return p->status;
}
