/* What the hand-written filesystem parsers (cramfs, extfs, jffs2, romfs,
 * squashfs, ubi, ubifs, yaffs2) share: mode bits, device numbers, and what
 * extracting one file returns.
 */
#ifndef GB_UNPACK_FSUTIL_H
#define GB_UNPACK_FSUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <glassbox/errors.h>
#include <glassbox/sys/format.h>

/* The Linux file type bits of an on-disk mode (cramfs, jffs2, ubifs, yaffs2). */
#define GB_S_IFMT 0170000
#define GB_S_IFSOCK 0140000
#define GB_S_IFLNK 0120000
#define GB_S_IFREG 0100000
#define GB_S_IFBLK 0060000
#define GB_S_IFDIR 0040000
#define GB_S_IFCHR 0020000
#define GB_S_IFIFO 0010000

/* A device number in Linux's 32-bit encoding (new_encode_dev: 12-bit major,
 * 20-bit minor split around it) into e->major and e->minor. */
static inline void gb_fs_decode_dev(uint32_t dev, struct gb_entry *e)
{
	e->major = (dev >> 8) & 0xfff;
	e->minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
}

/* An error that stops the whole parse: a limit, the output failing, no
 * memory. A corrupt or truncated file is reported and the parse goes on. */
static inline bool gb_fs_fatal(int r)
{
	return r == -GB_ELIMIT || r == -GB_EIO || r == -GB_ENOMEM;
}

/* What extracting one file returns, from the status its content was written
 * with (st) and gb_unpack_file_end's result (r): the first fatal one, else 0. */
static inline int gb_fs_file_result(int st, int r)
{
	if (gb_fs_fatal(st))
		return st;
	return gb_fs_fatal(r) ? r : 0;
}

/* Say once per filesystem (*warned) that a count limit cut the parse short. */
void gb_fs_limit_warn(struct gb_unpack *u, bool *warned, const char *what);

/* A directory tree kept as an array of entries sorted by parent inode
 * (jffs2, ubifs): walked depth-first from `root`, parents before children,
 * with at most GB_FS_MAX_DEPTH levels, GB_FS_MAX_PATH path bytes and the
 * scan's max_entries entries. */
#define GB_FS_MAX_PATH 4096
#define GB_FS_MAX_DEPTH 512

struct gb_fs_tree {
	struct gb_unpack *u;
	size_t n; /* entries */
	void *ctx;
	uint64_t (*parent)(void *ctx, size_t i);
	uint64_t (*ino)(void *ctx, size_t i); /* the inode entry i names */
	const uint8_t *(*name)(void *ctx, size_t i, size_t *len);
	size_t (*first)(void *ctx, uint64_t parent); /* first entry under parent */
	/* Emit entry i at path[0..len); *descend: walk its children. */
	int (*emit)(void *ctx, size_t i, const char *path, size_t len, bool *descend);
	bool *limit_warned; /* for gb_fs_limit_warn */
};

int gb_fs_walk_tree(const struct gb_fs_tree *t, uint64_t root);

#endif
