/* squashfs 4.0 reader internals shared by squashfs_v4.c (superblock, probe,
 * inodes, directory walk) and squashfs_v4_io.c (decompressors, the metadata
 * readers over squashfs_meta.c, regular file data extracted in parallel). The on-disk layout
 * is described in squashfs_v4.c.
 */
#ifndef GB_UNPACK_SQUASHFS_V4_H
#define GB_UNPACK_SQUASHFS_V4_H

#include <sqfs/compressor.h>
#include <sqfs/io.h>

#include "squashfs_int.h"
#include "squashfs_common.h"
#include "squashfs_meta.h"
#include "util/vec.h"

#define SB_SIZE 96
#define META_SIZE SQM_BLOCK
#define NO_TABLE UINT64_MAX
#define NO_FRAG SQFS_NO_FRAG
#define DIR_MAX_COUNT 256  /* entries under one directory header */
#define DEPTH_MAX SQFS_DEPTH_MAX /* directory nesting we descend into */
#define NAME_MAX_LEN 256
#define PATH_CAP (DEPTH_MAX * (NAME_MAX_LEN + 1) + 2)
#define LINK_MAX_LEN 65536 /* longest symlink target we read */
#define WARN_MAX 32        /* per-file problems reported one by one */

enum {
	INO_DIR = 1, INO_FILE, INO_SLINK, INO_BDEV, INO_CDEV, INO_FIFO, INO_SOCK,
	INO_LDIR, INO_LFILE, INO_LSLINK, INO_LBDEV, INO_LCDEV, INO_LFIFO, INO_LSOCK,
};

struct sq_super {
	uint32_t inode_count, mtime, block_size, frag_count;
	uint16_t comp, block_log, flags, id_count, vmajor, vminor;
	uint64_t root_ref, bytes_used, id_start, xattr_start, inode_start, dir_start,
		frag_start, export_start;
	bool be;
	bool meta_be; /* metadata block headers: AVM's big-endian images keep them LE */
};

static inline uint16_t rd16(const uint8_t *p, bool be) { return be ? gb_be16(p) : gb_le16(p); }
static inline uint32_t rd32(const uint8_t *p, bool be) { return be ? gb_be32(p) : gb_le32(p); }
static inline uint64_t rd64(const uint8_t *p, bool be) { return be ? gb_be64(p) : gb_le64(p); }

/* A u64 table pointer at `off` of the image. */
static inline int rd_ptr(const struct gb_span *in, uint64_t off, bool be, uint64_t *ret)
{
	const uint8_t *p = gb_span_at(in, off, 8);

	if (!p)
		return -GB_ETRUNC;
	*ret = rd64(p, be);
	return 0;
}


/* A read-only sqfs_file_t over the mapped image: nothing is copied. */
struct sq_file {
	sqfs_file_t base;
	struct gb_span in;
};
/* --- the image and its metadata ---------------------------------------- */

struct sq_img {
	struct gb_unpack *u;
	struct gb_span in; /* the image, cut to bytes_used */
	struct sq_super sb;
	struct sq_file file;
	sqfs_compressor_config_t cfg;
	uint64_t dir_end; /* the first table after the directory table */
	uint32_t *ids;
	unsigned n_warn; /* atomic: per-file problems seen */
	int stop;        /* atomic: a writer error, every worker stops */
};
/* Metadata tables are read through squashfs_meta.h; each reader keeps the
 * last MR_SLOTS blocks decoded (the walk goes back and forth between a
 * directory's listing and its inodes). */
#define MR_SLOTS 8

struct sq_inode {
	uint16_t type, mode, uid_idx, gid_idx;
	uint32_t mtime;
	/* directories */
	uint64_t dir_blk; /* from the directory table start */
	uint32_t dir_size;
	uint16_t dir_off;
	/* regular files */
	uint64_t blocks_start, size, nblocks, list_blk;
	uint32_t frag, frag_off, list_off;
	/* symlinks: the target follows in the reader */
	uint32_t target_len;
	/* devices */
	uint32_t devno;
};
struct sq_ent { /* a regular file, extracted after the walk */
	size_t path; /* offset in the path pool */
	uint64_t size, blocks_start, nblocks, list_blk;
	uint32_t list_off, frag, frag_off;
	uint32_t mode, uid, gid, mtime;
};

struct sq_walk {
	struct sq_img *img;
	struct sqm_reader ino, dir;
	struct sq_ent *files;
	size_t n_files, cap_files;
	char *pool;
	size_t pool_len, pool_cap;
	struct gb_u64set seen;  /* directories entered (loops) */
	size_t n_entries, max_entries;
	char path[PATH_CAP];
};


void sq4_file_init(struct sq_file *f, const struct gb_span *in);
/* A decompressor for `cfg`: libsquashfs', or ours for LZO and LZMA. 0 or an
 * SQFS_ERROR. */
int sq4_make_decompressor(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **ret);
void sq4_img_warn(struct sq_img *img, const char *path, const char *what);
/* A metadata reader over [lo, hi) of the image, decoding with `cmp`. */
void sq4_mr_init(struct sqm_reader *m, const struct sq_img *img, sqfs_compressor_t *cmp,
		 uint64_t lo, uint64_t hi);
/* Extract the regular files the walk collected, on the scan's thread pool. */
int sq4_extract_files(struct sq_walk *w);

#endif
