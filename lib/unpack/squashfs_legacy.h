/* squashfs 2.x/3.x reader internals shared by squashfs_legacy.c (superblock,
 * probe, directory walk) and squashfs_legacy_read.c (metadata blocks, inodes,
 * regular files). The on-disk layout is described in squashfs_legacy.c.
 */
#ifndef GB_UNPACK_SQUASHFS_LEGACY_H
#define GB_UNPACK_SQUASHFS_LEGACY_H

#include "squashfs_int.h"
#include "squashfs_common.h"
#include "squashfs_meta.h"
#include "util/vec.h"

#define SB3_SIZE 119
#define SB2_SIZE 63 /* where 2.x data starts: the fields up to fragment_table_2 */
#define META_SIZE SQM_BLOCK
#define NO_FRAG SQFS_NO_FRAG
#define GUID_SAME 255
#define DEPTH_MAX SQFS_DEPTH_MAX
#define NAME_MAX_LEN 256
#define PATH_CAP (DEPTH_MAX * (NAME_MAX_LEN + 1) + 2)
#define WARN_MAX 32
#define MR_SLOTS 4 /* metadata blocks each reader keeps decoded */

enum { T_DIR = 1, T_FILE, T_SLINK, T_BDEV, T_CDEV, T_FIFO, T_SOCK, T_LDIR, T_LFILE };

struct lg_super {
	char magic[5];
	bool be;
	unsigned major, minor, block_log, flags, no_uids, no_guids;
	uint32_t inodes, block_size, frags, mkfs_time;
	uint64_t root, bytes_used, uid_start, guid_start, inode_start, dir_start, frag_start;
};

struct lg {
	struct gb_unpack *u;
	struct gb_span in;
	struct lg_super sb;
	struct sqc comp;
	uint32_t uids[256], guids[256];
	unsigned n_warn;
	size_t n_entries, max_entries;
	struct gb_u64set seen;  /* directories entered (loops) */
	struct sqm_reader ino, dir, frag; /* metadata over [lo, hi) */
	struct sqfs_data data; /* regular files */
	char path[PATH_CAP];
};

struct lg_inode {
	unsigned type, mode, uid, guid;
	uint32_t mtime;
	uint64_t dir_start, dir_size;
	uint32_t dir_off;
	uint64_t start, size, nblocks;
	uint32_t frag, frag_off;
	uint32_t link_len, rdev;
};


uint64_t lg_rdn(const uint8_t *p, unsigned n, bool be);
uint64_t lg_bits(const uint8_t *b, unsigned pos, unsigned n, bool be);
unsigned lg_frag_entry_size(const struct lg_super *sb);
unsigned lg_frag_ptr_size(const struct lg_super *sb);
unsigned lg_meta_hdr_len(const struct lg_super *sb);
void lg_warn(struct lg *img, const char *path, const char *what);
void lg_mr_init(struct sqm_reader *m, struct lg *img, uint64_t lo, uint64_t hi);
int lg_read_inode(struct lg *img, uint64_t ref, struct lg_inode *ino);
int lg_read_ids(struct lg *img);
void lg_owners(struct lg *img, const struct lg_inode *ino, struct gb_entry *e);
int lg_data_init(struct lg *img);
int lg_emit_file(struct lg *img, const struct lg_inode *ino, struct gb_entry *e);
int lg_emit_symlink(struct lg *img, const struct lg_inode *ino, struct gb_entry *e);

#endif
