#define _POSIX_C_SOURCE 200809L
#include "common/outdir.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outdir_mkdirs(const char *path, struct om_err *e)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return err_set(e, path, 0, NULL, "path too long");
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return err_set(e, buf, 0, NULL, "cannot create directory: %s",
				       strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0777) < 0 && errno != EEXIST)
		return err_set(e, buf, 0, NULL, "cannot create directory: %s", strerror(errno));
	return 0;
}

/* The name without trailing slashes, or an error. */
static int final_name(const char *path, char *out, size_t n, struct om_err *e)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0 || len >= n - 32)
		return err_set(e, path, 0, NULL, "bad output directory name");
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

int outdir_check(const char *path, struct om_err *e)
{
	char final[PATH_MAX];
	if (final_name(path, final, sizeof final, e) < 0)
		return -1;
	struct stat st;
	if (stat(final, &st) == 0)
		return err_set(e, final, 0, NULL,
			       "output directory already exists; choose another with -o "
			       "or remove it (results are never overwritten)");
	return 0;
}

int outdir_begin(struct outdir *o, const char *path, struct om_err *e)
{
	memset(o, 0, sizeof *o);
	if (final_name(path, o->final, sizeof o->final, e) < 0 || outdir_check(o->final, e) < 0)
		return -1;
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", o->final);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (outdir_mkdirs(parent, e) < 0)
			return -1;
	}
	int w = snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", o->final, (long)getpid());
	if (w < 0 || (size_t)w >= sizeof o->tmp) {
		o->tmp[0] = '\0';
		return err_set(e, path, 0, NULL, "output directory name too long");
	}
	if (mkdir(o->tmp, 0777) < 0) {
		int er = errno;
		o->tmp[0] = '\0';
		return err_set(e, o->final, 0, NULL, "cannot create output directory: %s",
			       strerror(er));
	}
	return 0;
}

FILE *outdir_open(struct outdir *o, const char *name, struct om_err *e)
{
	char p[PATH_MAX];
	int w = snprintf(p, sizeof p, "%s/%s", o->tmp, name);
	if (w < 0 || (size_t)w >= sizeof p) {
		err_set(e, o->tmp, 0, name, "path too long");
		return NULL;
	}
	FILE *f = fopen(p, "w");
	if (!f)
		err_set(e, p, 0, NULL, "cannot write: %s", strerror(errno));
	return f;
}

int outdir_close(struct outdir *o, FILE *f, const char *name, struct om_err *e)
{
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0)
		bad = true;
	if (bad)
		return err_set(e, o->final, 0, name, "write failed (disk full?)");
	return 0;
}

int outdir_commit(struct outdir *o, struct om_err *e)
{
	if (rename(o->tmp, o->final) < 0)
		return err_set(e, o->final, 0, NULL, "cannot rename %s into place: %s", o->tmp,
			       strerror(errno));
	o->tmp[0] = '\0';
	return 0;
}

/* Removes a directory and what it holds: files, and the run directories
 * `compare` writes inside its own (symbolic links are not followed). */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[PATH_MAX + 300];
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

void outdir_abort(struct outdir *o)
{
	if (!o->tmp[0])
		return;
	remove_tree(o->tmp);
	o->tmp[0] = '\0';
}

void outdir_remove(const char *path)
{
	remove_tree(path);
}

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

void outdir_hold(sigset_t *old)
{
	sigset_t stop;
	sigemptyset(&stop);
	for (size_t i = 0; i < sizeof stop_sigs / sizeof stop_sigs[0]; i++)
		sigaddset(&stop, stop_sigs[i]);
	sigprocmask(SIG_BLOCK, &stop, old);
}

static bool stop_pending(void)
{
	sigset_t pend;
	if (sigpending(&pend) < 0)
		return false;
	for (size_t i = 0; i < sizeof stop_sigs / sizeof stop_sigs[0]; i++) {
		struct sigaction sa;
		/* Linux keeps even an ignored signal pending while it is blocked. */
		if (sigismember(&pend, stop_sigs[i]) == 1 && sigaction(stop_sigs[i], NULL, &sa) == 0
		    && sa.sa_handler != SIG_IGN)
			return true;
	}
	return false;
}

int outdir_stop_check(const char *path, struct om_err *e)
{
	if (stop_pending())
		return err_set(e, path, 0, NULL, "interrupted; no results written");
	return 0;
}

void outdir_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}
