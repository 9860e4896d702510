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
#define SQFS_NO_FRAG 0xFFFFFFFFU
#define SQFS_BLK_UNCOMPRESSED (1U << 24) /* in a data block's size word */
#define SQFS_BLK_SIZE_MASK 0xFFFFFFU
#define SQFS_LIST_BATCH 256              /* block size words read at once */

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

/* --- regular file data ---------------------------------------------------
 * A file is `nblocks` data blocks from `start` (sizes in a block list of u32
 * words in the metadata), the last one, when shorter than a block, possibly
 * at `frag_off` of fragment block `frag` instead. */

struct sqfs_file {
	uint64_t size, start, nblocks;
	uint32_t frag, frag_off;
};

/* One reader's (or worker's) data state: the image, a block and a fragment
 * block buffer, the decoder, and what went wrong with the current file. */
struct sqfs_data {
	struct gb_span in;
	uint32_t block_size;
	uint8_t *blk, *fbuf;
	sqm_decode_fn decode;
	void *dctx;
	/* the fragment table entry `idx`: block start and size word */
	int (*frag_entry)(void *ctx, uint32_t idx, uint64_t *start, uint32_t *word);
	void *fctx;
	const uint8_t *fdata; /* the current fragment block's bytes */
	uint32_t fcur;        /* its index, SQFS_NO_FRAG: none */
	size_t fused;
	const char *why;      /* what went wrong with the current file */
	int werr;             /* writer error for the current file */
};

/* Write file `fi`'s data to f; the block list is read from `list`, already
 * at its start. With `stop` (atomic), -GB_ELIMIT once it is set. */
int sqfs_put_data(struct sqfs_data *d, struct gb_wfile *f, struct sqm_reader *list, bool be,
		  const struct sqfs_file *fi, const int *stop);

#endif
