#include "core/writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glassbox/errors.h>

#define RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

static int have_openat2 = 1; /* cleared once if the kernel lacks it */

static int openat2_beneath(int rootfd, const char *rel, int flags)
{
	struct open_how how = {.flags = (unsigned long long)flags, .resolve = RESOLVE_FLAGS};
	if (!__atomic_load_n(&have_openat2, __ATOMIC_RELAXED)) {
		errno = ENOSYS;
		return -1;
	}
	int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		__atomic_store_n(&have_openat2, 0, __ATOMIC_RELAXED);
	return fd;
}

/* errno values meaning "something non-directory or a link is in the way". */
static int blocked_errno(int e)
{
	return e == ELOOP || e == ENOTDIR || e == EXDEV || e == EEXIST;
}

/* Walk rel component by component with O_NOFOLLOW, creating directories. */
static int walk_dirs(int rootfd, const char *rel, int create, int *ret_fd)
{
	int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = rel;
	char comp[NAME_MAX + 1];

	if (cur < 0)
		return -GB_EIO;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX) {
			close(cur);
			errno = ENAMETOOLONG;
			return -GB_EIO;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		if (n == 0)
			continue;
		if (strcmp(comp, "..") == 0 || strcmp(comp, ".") == 0) {
			close(cur);
			errno = EXDEV;
			return -GB_EEXIST;
		}
		if (create && mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			close(cur);
			errno = e;
			return blocked_errno(e) ? -GB_EEXIST : -GB_EIO;
		}
		int next = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (next < 0) {
			errno = e;
			return blocked_errno(e) ? -GB_EEXIST : -GB_EIO;
		}
		cur = next;
	}
	*ret_fd = cur;
	return 0;
}

int gb_wr_open_dir(int rootfd, const char *rel, int create, int *ret_fd)
{
	if (rel[0] == '\0') {
		int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -GB_EIO;
		*ret_fd = fd;
		return 0;
	}
	int fd = openat2_beneath(rootfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (errno != ENOSYS && errno != ENOENT)
		return blocked_errno(errno) ? -GB_EEXIST : -GB_EIO;
	if (errno == ENOENT && !create)
		return -GB_EIO;
	return walk_dirs(rootfd, rel, create, ret_fd);
}

int gb_wr_open_parent(int rootfd, const char *rel, int *ret_fd, const char **ret_name)
{
	const char *slash = strrchr(rel, '/');
	if (!slash) {
		*ret_name = rel;
		return gb_wr_open_dir(rootfd, "", 0, ret_fd);
	}
	size_t n = (size_t)(slash - rel);
	char *parent = strndup(rel, n);
	if (!parent)
		return -GB_ENOMEM;
	int r = gb_wr_open_dir(rootfd, parent, 1, ret_fd);
	free(parent);
	if (r < 0)
		return r;
	*ret_name = slash + 1;
	return 0;
}

/* Remove whatever non-directory entry is at dirfd/name. */
static int clear_slot(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno == EISDIR || errno == EPERM)
		return -GB_EEXIST;
	return -GB_EIO;
}

int gb_wr_create_file(int rootfd, const char *rel, mode_t mode, int *ret_fd)
{
	int dirfd, r;
	const char *name;

	r = gb_wr_open_parent(rootfd, rel, &dirfd, &name);
	if (r < 0)
		return r;
	r = clear_slot(dirfd, name);
	if (r == 0) {
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				(mode & 0777) | 0600);
		if (fd < 0)
			r = blocked_errno(errno) ? -GB_EEXIST : -GB_EIO;
		else
			*ret_fd = fd;
	}
	int e = errno;
	close(dirfd);
	errno = e;
	return r;
}

int gb_wr_mkdir(int rootfd, const char *rel, mode_t mode)
{
	int fd;
	if (rel[0] == '\0')
		return 0;
	int r = gb_wr_open_dir(rootfd, rel, 1, &fd);
	if (r < 0)
		return r;
	/* The permission bits are kept readable and writable for us. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	chmod(path, (mode & 0777) | 0700);
	close(fd);
	return 0;
}

int gb_wr_symlink(int rootfd, const char *rel, const char *target)
{
	int dirfd, r;
	const char *name;

	r = gb_wr_open_parent(rootfd, rel, &dirfd, &name);
	if (r < 0)
		return r;
	r = clear_slot(dirfd, name);
	if (r == 0 && symlinkat(target, dirfd, name) < 0)
		r = blocked_errno(errno) ? -GB_EEXIST : -GB_EIO;
	int e = errno;
	close(dirfd);
	errno = e;
	return r;
}

int gb_wr_hardlink(int rootfd, const char *target_rel, const char *rel)
{
	int tdir, dirfd, r;
	const char *tname, *name;
	struct stat st;

	r = gb_wr_open_parent(rootfd, target_rel, &tdir, &tname);
	if (r < 0)
		return r;
	if (fstatat(tdir, tname, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		close(tdir);
		return -GB_EEXIST;
	}
	r = gb_wr_open_parent(rootfd, rel, &dirfd, &name);
	if (r < 0) {
		close(tdir);
		return r;
	}
	r = clear_slot(dirfd, name);
	if (r == 0 && linkat(tdir, tname, dirfd, name, 0) < 0)
		r = blocked_errno(errno) ? -GB_EEXIST : -GB_EIO;
	int e = errno;
	close(tdir);
	close(dirfd);
	errno = e;
	return r;
}

static int remove_children(int dfd, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		close(dfd);
		return -GB_EIO;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			r = -GB_EIO;
			continue;
		}
		if (depth > 4096) {
			r = -GB_ELIMIT;
			continue;
		}
		int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = -GB_EIO;
			continue;
		}
		fchmod(sub, 0700);
		int rr = remove_children(sub, depth + 1);
		if (rr < 0)
			r = rr;
		if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
			r = -GB_EIO;
	}
	closedir(d);
	return r;
}

int gb_wr_remove_tree(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -GB_EIO;
	int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return errno == ENOENT ? 0 : -GB_EIO;
	int r = remove_children(sub, 0);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -GB_EIO;
	return r;
}
