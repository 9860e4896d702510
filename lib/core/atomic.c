#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/errors.h>

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
	if (r < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return r;
}
