/* Read-only, refcounted mmap views of files. A mapping stays alive while any
 * carving task still looks at a part of it. */
#ifndef GB_CORE_MAPFILE_H
#define GB_CORE_MAPFILE_H

#include <stddef.h>
#include <stdint.h>

struct gb_map {
	const uint8_t *p;
	size_t n;
	int refs; /* atomic */
};

/* Map the regular file at dirfd/path (no symlink following when nofollow).
 * A 0-byte file gives p == NULL, n == 0. Returns 0, -GB_EIO (errno kept). */
int gb_map_open(int dirfd, const char *path, int nofollow, struct gb_map **ret);
/* Map an open file descriptor (not closed by this call). */
int gb_map_fd(int fd, struct gb_map **ret);
struct gb_map *gb_map_ref(struct gb_map *m);
void gb_map_unref(struct gb_map *m);

#endif
