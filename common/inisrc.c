#include "common/inisrc.h"
#include "common/slurp.h"

#include <stdlib.h>
#include <string.h>

int ini_src_load(const char *path, const char *what, char **text, struct om_err *e)
{
	size_t len;
	if (slurp_file(path, what, text, &len, e) < 0)
		return -1;
	if (strlen(*text) != len) {
		free(*text);
		*text = NULL;
		return err_set(e, path, 0, NULL, "contains a NUL byte; not a text INI file");
	}
	return 0;
}

void ini_src_init(struct ini_src *s, const char *text)
{
	s->p = text;
	s->end = text + strlen(text);
	s->line = 0;
	s->too_long = false;
	s->indented = false;
	s->after_section = false;
}

/* inih ignores whatever follows the `]` of a section header, so
 * `[policy] name = x` would silently drop the key: refuse anything there but
 * a comment. */
static bool text_after_section(const char *str)
{
	str += strspn(str, " \t");
	if (*str != '[')
		return false;
	const char *close = strchr(str, ']');
	if (!close)
		return false; /* inih reports the missing `]` itself */
	close += 1 + strspn(close + 1, " \t\r\n");
	return *close && *close != ';' && *close != '#';
}

char *ini_src_reader(char *str, int num, void *stream)
{
	struct ini_src *s = stream;
	if (s->p >= s->end || s->too_long || s->after_section)
		return NULL;
	/* A lone CR ends a line too (old Mac files); inih itself only splits on
	 * LF and would read such a file as one line. */
	size_t len = strcspn(s->p, "\r\n");
	bool lone_cr = false;
	if (s->p + len < s->end) {
		if (s->p[len] == '\r' && s->p[len + 1] != '\n')
			lone_cr = true;
		len += s->p[len] == '\r' && s->p[len + 1] == '\n' ? 2 : 1;
	}
	s->line++;
	if (len >= (size_t)num) {
		s->too_long = true;
		return NULL;
	}
	memcpy(str, s->p, len);
	str[len] = '\0';
	if (lone_cr)
		str[len - 1] = '\n';
	s->indented = len > 0 && (str[0] == ' ' || str[0] == '\t');
	if (text_after_section(str)) {
		s->after_section = true;
		return NULL;
	}
	s->p += len;
	return str;
}
