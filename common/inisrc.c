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
}

char *ini_src_reader(char *str, int num, void *stream)
{
	struct ini_src *s = stream;
	if (s->p >= s->end)
		return NULL;
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	size_t len = nl ? (size_t)(nl - s->p) + 1 : (size_t)(s->end - s->p);
	s->line++;
	if (len >= (size_t)num) {
		s->too_long = true;
		return NULL;
	}
	memcpy(str, s->p, len);
	str[len] = '\0';
	s->indented = len > 0 && (str[0] == ' ' || str[0] == '\t');
	s->p += len;
	return str;
}
