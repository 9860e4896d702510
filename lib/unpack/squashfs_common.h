/* What the squashfs 2.x/3.x reader (squashfs_legacy*.c) and the 4.0 reader
 * (squashfs_v4*.c) do the same way around their own on-disk structures: the
 * image size a probe claims, the image cut to bytes_used, and the directory
 * walk (a listing is runs of a header then entries; each entry is visited
 * with the listing's position saved around it).
 */
#ifndef GB_UNPACK_SQUASHFS_COMMON_H
#define GB_UNPACK_SQUASHFS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glassbox/sys/format.h>

#include "squashfs_meta.h"
#include "util/vec.h"

#define SQFS_DEPTH_MAX 256 /* directory nesting we descend into */

/* The bytes a probe claims: bytes_used, plus mksquashfs' zero padding to
 * 4 KiB when it is there, or what is present of a truncated image. */
uint64_t sqfs_image_size(const struct gb_span *in, uint64_t bytes_used, bool *truncated);

/* `in` cut to bytes_used; a truncated image is reported. */
struct gb_span sqfs_cut_image(struct gb_unpack *u, const struct gb_span *in,
			      uint64_t bytes_used);

/* What a reader supplies to the walk; ctx is its image or walk state. */
struct sqfs_dir_ops {
	/* One listing header: `count` entries with inodes in block `blk`; takes
	 * its bytes off *left. <0: corrupt listing, 1: the listing ends here. */
	int (*header)(void *ctx, uint64_t *left, uint32_t *count, uint64_t *blk);
	/* One entry: its inode offset in the block, its name appended to the
	 * path at `pos` (*nlen bytes, NUL-terminated). */
	int (*entry)(void *ctx, size_t pos, uint64_t *left, uint32_t *ioff, size_t *nlen);
	/* The inode at `ref` under the path [0..plen). */
	int (*visit)(void *ctx, uint64_t ref, size_t plen, unsigned depth);
	void (*warn)(void *ctx, const char *path, const char *what);
};

/* After a directory's own entry e (path e->path, inode `ref`): 1 to descend
 * into it, 0 not (seen before: a loop, or nested too deep; warned), <0. */
int sqfs_enter_dir(const struct sqfs_dir_ops *ops, void *ctx, struct gb_unpack *u,
		   const struct gb_entry *e, struct gb_u64set *seen, uint64_t ref,
		   unsigned depth);

/* Walk a listing of `left` bytes at block dir_start + blk, offset `off`, of
 * the directory table `dir`; path[0..plen) is the directory's path ("" for
 * the root). A corrupt listing is warned about and ends the directory; only
 * errors of visit (limits, writer) are returned. */
int sqfs_walk_listing(const struct sqfs_dir_ops *ops, void *ctx, struct sqm_reader *dir,
		      char *path, size_t plen, uint64_t dir_start, uint64_t blk, size_t off,
		      uint64_t left, unsigned depth);

#endif
