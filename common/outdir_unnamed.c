/* outdir's unnamed files: a file written before its results directory
 * exists, which an interrupt or a failure removes with the process (it has no
 * name until outdir_adopt gives it one). Linux: O_TMPFILE and a link through
 * /proc/self/fd; anywhere else outdir_unnamed says no and the caller writes
 * the file at the end as usual. */
#define _GNU_SOURCE
#include "common/outdir.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *outdir_unnamed(const char *path)
{
#ifdef O_TMPFILE
	/* the nearest existing ancestor: outdir_begin creates the rest inside
	 * it, so the final directory is on its filesystem (links cannot cross) */
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return NULL;
	struct stat st;
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &st) == 0)
			break;
		if (errno != ENOENT || !strcmp(dir, ".") || !strcmp(dir, "/"))
			return NULL;
	}
	if (!S_ISDIR(st.st_mode))
		return NULL;
	/* the mode fopen gives a new file */
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
#else
	(void)path;
	return NULL;
#endif
}

int outdir_adopt(struct outdir *o, FILE *f, const char *name, struct om_err *e)
{
	char p[PATH_MAX], src[64];
	int w = snprintf(p, sizeof p, "%s/%s", o->tmp, name);
	bool bad = fflush(f) != 0 || ferror(f) != 0;
	snprintf(src, sizeof src, "/proc/self/fd/%d", fileno(f));
	int linked = bad || w < 0 || (size_t)w >= sizeof p
		? -1
		: linkat(AT_FDCWD, src, AT_FDCWD, p, AT_SYMLINK_FOLLOW);
	if (fclose(f) != 0)
		bad = true;
	if (bad)
		return err_set(e, o->final, 0, name, "write failed (disk full?)");
	return linked == 0 ? 0 : 1;
}
