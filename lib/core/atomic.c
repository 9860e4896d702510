#include "core/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/errors.h>

/* Remove "<base>.tmp.XXXXXX" siblings of path: the temporaries of earlier
 * writers that were killed before their rename. Called after our own rename,
 * so a stale one never hides a good file. */
static void remove_stale_temps(const char *path)
{
	char *d = strdup(path), *b = strdup(path);
	DIR *dir = NULL;
	struct dirent *de;

	if (!d || !b)
		goto out;
	const char *dname = dirname(d), *bname = basename(b);
	size_t bl = strlen(bname);
	int dfd;

	dir = opendir(dname);
	if (!dir)
		goto out;
	dfd = dirfd(dir);
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		if (strlen(n) == bl + 11 && strncmp(n, bname, bl) == 0 && strncmp(n + bl, ".tmp.", 5) == 0)
			unlinkat(dfd, n, 0);
	}
out:
	if (dir)
		closedir(dir);
	free(d);
	free(b);
}

int gb_write_atomic(const char *path, int (*write)(void *ctx, FILE *f), void *ctx)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 16);
	if (!tmp)
		return -GB_ENOMEM;
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return -GB_EIO;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return -GB_EIO;
	}
	int r = write(ctx, f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		r = r < 0 ? r : -GB_EIO;
	fchmod(fileno(f), 0644);
	if (fclose(f) != 0)
		r = r < 0 ? r : -GB_EIO;
	if (r == 0 && rename(tmp, path) < 0)
		r = -GB_EIO;
	if (r == 0)
		remove_stale_temps(path);
	if (r < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return r;
}
