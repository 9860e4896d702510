#include "core/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/errors.h>

int gb_map_fd(int fd, struct gb_map **ret)
{
	struct stat st;
	struct gb_map *m;

	if (fstat(fd, &st) < 0)
		return -GB_EIO;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -GB_EIO;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -GB_ENOMEM;
	m->refs = 1;
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			free(m);
			return -GB_EIO;
		}
		madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
		m->p = p;
		m->n = (size_t)st.st_size;
	}
	*ret = m;
	return 0;
}

int gb_map_open(int dirfd, const char *path, int nofollow, struct gb_map **ret)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -GB_EIO;
	int r = gb_map_fd(fd, ret);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

struct gb_map *gb_map_ref(struct gb_map *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	return m;
}

void gb_map_unref(struct gb_map *m)
{
	if (!m)
		return;
	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (m->p)
		munmap((void *)m->p, m->n);
	free(m);
}
