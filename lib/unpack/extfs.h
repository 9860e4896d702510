/* extfs internals shared by fmt_extfs.c (probe, directory walk, unpack),
 * extfs_io.c (the io_manager over the mapped span, the handle pool) and
 * extfs_files.c (regular files, in parallel). See fmt_extfs.c. */
#ifndef GB_UNPACK_EXTFS_H
#define GB_UNPACK_EXTFS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include <glassbox/sys/format.h>

#define SB_OFF 1024
#define SB_LEN 1024
#define DEPTH_MAX 256
#define NAME_MAX_LEN 255
#define PATH_CAP (DEPTH_MAX * (NAME_MAX_LEN + 1) + 2)
#define LINK_MAX_LEN 65536
#define WARN_MAX 32
#define ZERO_LEN 65536
#define IO_CHUNK (256 * 1024)

#define F_COMPAT_JOURNAL 0x4U
#define F_INCOMPAT_64BIT 0x80U
#define F_INCOMPAT_EXT4 0x3F7C0U /* extents, 64bit, mmp, flex_bg, ea_inode, dirdata,
				  * csum_seed, largedir, inline_data, encrypt, casefold */
#define F_RO_BIGALLOC 0x200U
#define F_RO_EXT4 0x7F8U /* huge_file, gdt_csum, dir_nlink, extra_isize, quota,
			  * bigalloc, metadata_csum, replica */

struct ex_super {
	uint32_t inodes, first_data, log_bs, log_cs, bpg, cpg, ipg, rev, first_ino;
	uint32_t compat, incompat, ro_compat;
	uint16_t inode_size, desc_size;
	uint64_t blocks, groups;
	uint32_t bs;
};

struct ex_img {
	struct gb_unpack *u;
	struct gb_span in;
	struct ex_super sb;
	char name[64]; /* the io_manager name of the span */
	unsigned n_warn; /* atomic */
	int stop;        /* atomic: a writer error, every worker stops */
	pthread_mutex_t lock; /* the handle pool */
	ext2_filsys *pool;
	size_t n_pool, cap_pool;
};

struct ex_ent { /* a regular file or a hard link, emitted after the walk */
	uint32_t ino;
	size_t path, target; /* offsets in the pool; target only for hard links */
	uint64_t size;
};

struct ex_list {
	struct ex_ent *v;
	size_t n, cap;
};

struct ex_map { /* inode number -> pool offset of its first path */
	uint32_t *keys;
	size_t *vals;
	size_t n, cap;
};

struct ex_walk {
	struct ex_img *img;
	ext2_filsys fs;
	struct ex_map seen;
	struct ex_list files, links;
	char *pool;
	size_t pool_len, pool_cap;
	size_t n_entries, max_entries;
	size_t n_dirents, max_dirents; /* directory slots read, empty ones included */
	bool dirents_capped;
	size_t plen; /* length of the directory path being listed */
	unsigned depth;
	int err;     /* a stop error raised inside the iterator */
	char path[PATH_CAP];
};


/* extfs_io.c */
errcode_t gb__extfs_open(struct ex_img *img, ext2_filsys *ret);
/* A handle for one worker: from the pool, or a new one. NULL on failure. */
ext2_filsys gb__extfs_get(struct ex_img *img);
void gb__extfs_put(struct ex_img *img, ext2_filsys fs);
const char *gb__extfs_strerror(errcode_t e);
/* Report a per-entry problem; past WARN_MAX they are only counted. */
void gb__extfs_warn(struct ex_img *img, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* extfs_files.c: write w->files, several at once (lends w->fs to the pool). */
int gb__extfs_extract_files(struct ex_walk *w);

#endif
