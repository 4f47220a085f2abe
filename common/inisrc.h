/* inisrc: feeds libinih one line at a time from a buffer in memory, so a
 * parser can name the line of each key (Debian's libinih is built without
 * INI_HANDLER_LINENO), refuse lines too long for inih's buffer instead of
 * letting it split them, tell an indented continuation line, end lines at LF,
 * CRLF or a lone CR, and refuse text after a section header's `]`. */
#ifndef OM_INISRC_H
#define OM_INISRC_H

#include <stdbool.h>

#include "common/err.h"

struct ini_src {
	const char *p, *end;
	long line;	    /* line last handed to inih, 1-based */
	bool too_long;	    /* stopped at a line longer than inih's buffer */
	bool indented;	    /* that line starts with a space or tab */
	bool after_section; /* stopped at text after a `[section]` on its line */
};

void ini_src_init(struct ini_src *s, const char *text);
/* An ini_reader for ini_parse_stream with a struct ini_src as stream. */
char *ini_src_reader(char *str, int num, void *stream);

/* Reads an INI file whole (slurp_file; `what` names its role) into *text
 * (free it), refusing a NUL byte, where inih would silently stop. */
int ini_src_load(const char *path, const char *what, char **text, struct om_err *e);

#endif
