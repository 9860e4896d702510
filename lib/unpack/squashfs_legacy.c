/* squashfs 2.x and 3.x: the layouts libsquashfs cannot read (what sasquatch
 * was written for), both byte orders, zlib and the vendor LZMA variants.
 *
 * Superblock (119 bytes; offsets in bytes, integers in the image's byte order;
 * 2.x uses the "_2" 32-bit fields, 3.x the 64-bit ones):
 *    0 u32 magic: LE "hsqs", "shsq" (Linksys, Trident), "hsqt" (DD-WRT);
 *                 BE "sqsh", "qshs", "tqsh" (DD-WRT Atheros)
 *    4 u32 inodes          8 u32 bytes_used_2      12 u32 uid_start_2
 *   16 u32 guid_start_2   20 u32 inode_table_2     24 u32 directory_table_2
 *   28 u16 major (2, 3)   30 u16 minor             32 u16 block_size_1
 *   34 u16 block_log      36 u8 flags (bit 2: a check byte follows each
 *   metadata header)      37 u8 no_uids            38 u8 no_guids
 *   39 u32 mkfs_time      43 u64 root inode ref    51 u32 block_size
 *   55 u32 fragments      59 u32 fragment_table_2  63 u64 bytes_used
 *   71 u64 uid_start      79 u64 guid_start        87 u64 inode_table
 *   95 u64 directory_table 103 u64 fragment_table 111 u64 lookup_table
 * Metadata blocks are as in 4.0 (u16 header in the image's byte order, bit 15
 * set: stored), at most 8 KiB. Inodes and directory entries are packed
 * bitfields: little-endian images use GCC's LSB-first layout, big-endian ones
 * the same fields MSB-first (squashfs-tools' SQUASHFS_SWAP macros). Field bit
 * positions below are the same for both orders.
 *   3.x base inode (12 bytes): type:4 mode:12 uid:8 guid:8 mtime:32 inode#:32
 *     dir  (28) nlink@96 size:19@128 offset:13@147 start@160 parent@192
 *     ldir (31) nlink@96 size:27@128 offset:13@155 start@168 i_count:16@200
 *     reg  (32) start:64@96 fragment@160 offset@192 size:32@224, block list
 *     lreg (40) nlink@96 start:64@128 fragment@192 offset@224 size:64@256
 *     symlink/dev (18) nlink@96 size or rdev:16@128; fifo/socket (16)
 *   2.x base inode (4 bytes): type:4 mode:12 uid:8 guid:8
 *     dir  (15) size:19@32 offset:13@51 mtime@64 start:24@96
 *     ldir (18) size:27@32 offset:13@59 mtime@72 start:24@104 i_count:16@128
 *     reg  (24) mtime@32 start@64 fragment@96 offset@128 size@160, block list
 *     symlink/dev (6) size or rdev:16@32; fifo/socket (4)
 *   Directory header: 3.x count:8 start:32 inode#:32 (9 bytes), 2.x count:8
 *   start:24 (4); entry: 3.x offset:13 type:3 size:8 inode#:16 (5), 2.x
 *   offset:13 type:3 size:8 (3), then size+1 name bytes. A listing is the
 *   directory inode's size (3.x: minus 3 bytes).
 *   Block list: u32 per block (bit 24: stored, low 24 bits: size on disk, 0:
 *   sparse); data starts at the absolute `start`. The tail shorter than a
 *   block is in a fragment (index != ~0): the fragment table is an array of
 *   pointers at fragment_table (u64 in 3.x, u32 in 2.x) to metadata blocks of
 *   entries (3.x: u64 start, u32 size, u32 unused; 2.x: u32 start, u32 size).
 *   uid and gid tables: one u32 array at uid_start, no_uids uids then
 *   no_guids gids (guid_start is not used, as in squashfs-tools); guid index
 *   255 means "same as the uid".
 *
 * probe checks: a known magic, major 2 or 3, a power-of-two block size of
 * 4 KiB..1 MiB matching block_log, non-zero inodes, the tables in order
 * below bytes_used, the uid/gid arrays and the root inode reference inside
 * the image, and the first inode metadata block header. The compression is
 * sniffed from that block, or from the first data block when the inodes are
 * stored (unpack tries every decoder anyway).
 *
 * unpack walks the directory tree with bounded reads (depth, entries, names,
 * listing sizes, a set of visited directories against loops) and extracts
 * regular files as it meets them, sequentially (squashfs_legacy_read.c:
 * metadata blocks, inodes, file data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "squashfs_legacy.h"
#include "util/vec.h"

static int magic_order(const uint8_t *p, bool *be)
{
	static const char *const le[] = {"hsqs", "shsq", "hsqt"};
	static const char *const bem[] = {"sqsh", "qshs", "tqsh"};

	for (unsigned i = 0; i < 3; i++) {
		if (memcmp(p, le[i], 4) == 0) {
			*be = false;
			return 0;
		}
		if (memcmp(p, bem[i], 4) == 0) {
			*be = true;
			return 0;
		}
	}
	return -GB_ENOTFOUND;
}

static int read_super(const struct gb_span *in, struct lg_super *sb)
{
	const uint8_t *p = gb_span_at(in, 0, SB3_SIZE);
	bool be;

	if (!p || magic_order(p, &be) < 0)
		return -GB_ENOTFOUND;
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, p, 4);
	sb->be = be;
	sb->inodes = (uint32_t)lg_rdn(p + 4, 4, be);
	sb->major = (unsigned)lg_rdn(p + 28, 2, be);
	sb->minor = (unsigned)lg_rdn(p + 30, 2, be);
	sb->block_log = (unsigned)lg_rdn(p + 34, 2, be);
	sb->flags = p[36];
	sb->no_uids = p[37];
	sb->no_guids = p[38];
	sb->mkfs_time = (uint32_t)lg_rdn(p + 39, 4, be);
	sb->root = lg_rdn(p + 43, 8, be);
	sb->block_size = (uint32_t)lg_rdn(p + 51, 4, be);
	sb->frags = (uint32_t)lg_rdn(p + 55, 4, be);
	if (sb->major == 3) {
		sb->bytes_used = lg_rdn(p + 63, 8, be);
		sb->uid_start = lg_rdn(p + 71, 8, be);
		sb->guid_start = lg_rdn(p + 79, 8, be);
		sb->inode_start = lg_rdn(p + 87, 8, be);
		sb->dir_start = lg_rdn(p + 95, 8, be);
		sb->frag_start = lg_rdn(p + 103, 8, be);
	} else {
		sb->bytes_used = lg_rdn(p + 8, 4, be);
		sb->uid_start = lg_rdn(p + 12, 4, be);
		sb->guid_start = lg_rdn(p + 16, 4, be);
		sb->inode_start = lg_rdn(p + 20, 4, be);
		sb->dir_start = lg_rdn(p + 24, 4, be);
		sb->frag_start = lg_rdn(p + 59, 4, be);
	}
	return 0;
}


static const char *super_problem(const struct lg_super *sb)
{
	uint64_t ids_end, idx_bytes;

	if (sb->major != 2 && sb->major != 3)
		return "not version 2.x or 3.x";
	if (sb->block_log < 12 || sb->block_log > 20 || sb->block_size != 1U << sb->block_log)
		return "block size and block_log disagree or are out of range";
	if (sb->inodes == 0 || sb->bytes_used < SB3_SIZE)
		return "zero inodes or bytes_used smaller than the superblock";
	if (sb->inode_start < (sb->major == 3 ? SB3_SIZE : SB2_SIZE) ||
	    sb->inode_start >= sb->dir_start ||
	    sb->dir_start >= sb->bytes_used)
		return "inode and directory tables out of order or past bytes_used";
	ids_end = sb->uid_start + 4ULL * (sb->no_uids + sb->no_guids);
	if (sb->uid_start > sb->bytes_used || ids_end > sb->bytes_used)
		return "uid and gid table past bytes_used";
	if (sb->frags) {
		idx_bytes = ((uint64_t)sb->frags * lg_frag_entry_size(sb) + META_SIZE - 1) / META_SIZE *
			    lg_frag_ptr_size(sb);
		if (sb->frag_start < sb->dir_start || sb->frag_start > sb->bytes_used ||
		    idx_bytes > sb->bytes_used - sb->frag_start)
			return "fragment table outside the image";
	}
	if ((sb->root >> 16) >= sb->dir_start - sb->inode_start || (sb->root & 0xFFFF) >= META_SIZE)
		return "root inode reference outside the inode table";
	return NULL;
}

int sqfs_legacy_probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct lg_super sb;
	const uint8_t *h;
	enum sqc_method m = SQC_UNKNOWN;
	uint64_t size;
	bool truncated;

	if (read_super(in, &sb) < 0 || super_problem(&sb))
		return -GB_ENOTFOUND;
	h = gb_span_at(in, sb.inode_start, 2);
	if (h) {
		uint32_t hdr = (uint32_t)lg_rdn(h, 2, sb.be), len = hdr & 0x7FFF;
		const uint8_t *d;

		if (len == 0 || len > META_SIZE || len + 2 > sb.dir_start - sb.inode_start)
			return -GB_ENOTFOUND;
		d = gb_span_at(in, sb.inode_start + lg_meta_hdr_len(&sb), 16);
		if (d && !(hdr & 0x8000))
			m = sqc_sniff(d, len < 16 ? len : 16);
	}
	if (m == SQC_UNKNOWN) { /* stored inodes: the first data block follows the superblock */
		unsigned sbs = sb.major == 3 ? SB3_SIZE : SB2_SIZE;
		const uint8_t *d = sbs + 16 <= sb.inode_start ? gb_span_at(in, sbs, 16) : NULL;

		if (d)
			m = sqc_sniff(d, 16);
	}
	size = sqfs_image_size(in, sb.bytes_used, &truncated);
	memset(ret, 0, sizeof(*ret));
	ret->size = size;
	ret->confidence = truncated ? GB_CONF_MEDIUM : GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%u.%u %s %s (%.4s)", sb.major,
		 sb.minor % 100, sb.be ? "be" : "le",
		 m == SQC_ZLIB ? "zlib" : m == SQC_UNKNOWN ? "?" : "lzma", sb.magic);
	return 0;
}

/* --- the directory walk ---------------------------------------------------- */

static int walk_dir(struct lg *img, const struct lg_inode *dir, size_t plen, unsigned depth);
static int read_dir_header(void *ctx, uint64_t *left, uint32_t *count, uint64_t *blk);
static int read_dirent(void *ctx, size_t pos, uint64_t *left, uint32_t *ioff, size_t *nlen);
static int visit(void *ctx, uint64_t ref, size_t plen, unsigned depth);

static void warn_cb(void *ctx, const char *path, const char *what)
{
	lg_warn(ctx, path, what);
}

static const struct sqfs_dir_ops dir_ops = {read_dir_header, read_dirent, visit, warn_cb};

static int visit(void *ctx, uint64_t ref, size_t plen, unsigned depth)
{
	struct lg *img = ctx;
	struct lg_inode ino;
	struct gb_entry e;
	int r;

	if (++img->n_entries > img->max_entries)
		return gb_unpack_fail(img->u, -GB_ELIMIT, "squashfs: more than %zu entries",
				      img->max_entries);
	r = lg_read_inode(img, ref, &ino);
	if (r < 0) {
		lg_warn(img, img->path, "inode unreadable (corrupt inode table)");
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.path = img->path;
	e.mode = ino.mode & 07777;
	e.mtime = ino.mtime;
	if (img->sb.major == 2 && ino.type != T_FILE && ino.type != T_DIR && ino.type != T_LDIR)
		e.mtime = img->sb.mkfs_time; /* 2.x links and devices have none: as unsquashfs */
	lg_owners(img, &ino, &e);
	switch (ino.type) {
	case T_DIR:
	case T_LDIR:
		e.type = GB_FT_DIR;
		r = sqfs_enter_dir(&dir_ops, img, img->u, &e, &img->seen, ref, depth);
		return r <= 0 ? r : walk_dir(img, &ino, plen, depth + 1);
	case T_FILE:
	case T_LFILE:
		return lg_emit_file(img, &ino, &e);
	case T_SLINK:
		return lg_emit_symlink(img, &ino, &e);
	case T_BDEV:
	case T_CDEV:
		e.type = ino.type == T_BDEV ? GB_FT_BLOCKDEV : GB_FT_CHARDEV;
		e.major = (ino.rdev >> 8) & 0xFF;
		e.minor = ino.rdev & 0xFF;
		return gb_unpack_entry(img->u, &e);
	case T_FIFO:
		e.type = GB_FT_FIFO;
		return gb_unpack_entry(img->u, &e);
	default:
		e.type = GB_FT_SOCKET;
		return gb_unpack_entry(img->u, &e);
	}
}

/* One directory header: entry count and the inode block of its entries. */
static int read_dir_header(void *ctx, uint64_t *left, uint32_t *count, uint64_t *blk)
{
	struct lg *img = ctx;
	unsigned n = img->sb.major == 3 ? 9 : 4;
	uint8_t b[9];
	int r;

	if (*left < n)
		return -GB_ECORRUPT;
	r = sqm_read(&img->dir, b, n);
	if (r < 0)
		return r;
	*left -= n;
	*count = (uint32_t)lg_bits(b, 0, 8, img->sb.be) + 1;
	*blk = lg_bits(b, 8, img->sb.major == 3 ? 32 : 24, img->sb.be);
	return 0;
}

/* One entry; its name is appended to img->path at `pos`. */
static int read_dirent(void *ctx, size_t pos, uint64_t *left, uint32_t *ioff, size_t *nlen)
{
	struct lg *img = ctx;
	unsigned n = img->sb.major == 3 ? 5 : 3;
	uint8_t b[5];
	int r;

	if (*left < n)
		return -GB_ECORRUPT;
	r = sqm_read(&img->dir, b, n);
	if (r < 0)
		return r;
	*ioff = (uint32_t)lg_bits(b, 0, 13, img->sb.be);
	*nlen = (size_t)lg_bits(b, 16, 8, img->sb.be) + 1;
	if (*left - n < *nlen)
		return -GB_ECORRUPT;
	r = sqm_read(&img->dir, img->path + pos, *nlen);
	if (r < 0)
		return r;
	img->path[pos + *nlen] = '\0';
	*left -= n + *nlen;
	return 0;
}

static int walk_dir(struct lg *img, const struct lg_inode *dir, size_t plen, unsigned depth)
{
	uint64_t left = dir->dir_size;

	if (img->sb.major == 3) /* 3.x counts "." and ".." as 3 bytes */
		left = left > 3 ? left - 3 : 0;
	if (left == 0)
		return 0;
	return sqfs_walk_listing(&dir_ops, img, &img->dir, img->path, plen, img->sb.dir_start,
				 dir->dir_start, dir->dir_off, left, depth);
}

/* --- unpack ---------------------------------------------------------------- */

static int open_image(struct lg *img, struct gb_unpack *u, const struct gb_span *in)
{
	struct lg_super *sb = &img->sb;
	const char *why;

	img->u = u;
	if (read_super(in, sb) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "squashfs: superblock no longer valid");
	why = super_problem(sb);
	if (why)
		return gb_unpack_fail(u, -GB_ECORRUPT, "squashfs %u.%u: corrupt superblock (%s)",
				      sb->major, sb->minor, why);
	img->in = sqfs_cut_image(u, in, sb->bytes_used);
	sqc_init(&img->comp, sb->block_size, SQC_ALLOW_ZLIB | SQC_ALLOW_LZMA);
	lg_mr_init(&img->ino, img, sb->inode_start, sb->dir_start);
	lg_mr_init(&img->dir, img, sb->dir_start, sb->bytes_used);
	lg_mr_init(&img->frag, img, sb->major == 3 ? SB3_SIZE : SB2_SIZE, sb->bytes_used);
	img->max_entries = gb_unpack_limits(u)->max_entries;
	if (lg_data_init(img) < 0)
		return gb_unpack_fail(u, -GB_ENOMEM, "squashfs: out of memory");
	if (lg_read_ids(img) < 0)
		gb_unpack_warn(u, "squashfs: uid/gid tables at %llu truncated",
			       (unsigned long long)sb->uid_start);
	return 0;
}

static int walk_root(struct lg *img)
{
	struct lg_inode root;
	int r = lg_read_inode(img, img->sb.root, &root);

	if (r == 0 && root.type != T_DIR && root.type != T_LDIR)
		r = -GB_ECORRUPT;
	if (r < 0)
		return gb_unpack_fail(img->u, r,
				      "squashfs %u.%u: root inode unreadable (inode table at %llu, "
				      "compression %s)",
				      img->sb.major, img->sb.minor,
				      (unsigned long long)img->sb.inode_start,
				      sqc_method_name(img->comp.method));
	r = gb_u64set_add(&img->seen, img->sb.root);
	if (r < 0)
		return r;
	img->path[0] = '\0';
	return walk_dir(img, &root, 0, 0);
}

int sqfs_legacy_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct lg *img = calloc(1, sizeof(*img));
	int r;

	(void)p;
	if (!img)
		return -GB_ENOMEM;
	r = open_image(img, u, in);
	if (r >= 0)
		r = walk_root(img);
	if (r == -GB_ENOMEM)
		gb_unpack_fail(u, r, "squashfs: out of memory");
	if (img->n_warn > WARN_MAX)
		gb_unpack_warn(u, "squashfs: %u more problems not listed", img->n_warn - WARN_MAX);
	sqc_free(&img->comp);
	free(img->data.blk);
	free(img->data.fbuf);
	gb_u64set_free(&img->seen);
	free(img);
	return r;
}

