/* squashfs 4.0 (see fmt_squashfs.c for the dispatch between the readers).
 *
 * Layout (version 4.0, little-endian, offsets absolute from the superblock):
 *    0  u32 magic "hsqs"              48  u64 id_table_start
 *    4  u32 inode_count               56  u64 xattr_id_table_start (~0: none)
 *    8  u32 modification_time         64  u64 inode_table_start
 *   12  u32 block_size                72  u64 directory_table_start
 *   16  u32 fragment_entry_count      80  u64 fragment_table_start (~0: none)
 *   20  u16 compression_id (1 gzip, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd)
 *   22  u16 block_log                 88  u64 export_table_start (~0: none)
 *   24  u16 flags (0x0400: compressor options follow the superblock)
 *   26  u16 id_count
 *   28  u16 version_major (4), 30 u16 version_minor (0)
 *   32  u64 root_inode_ref
 *   40  u64 bytes_used
 * Data blocks follow the superblock, then the inode table, the directory
 * table, and the fragment, export, id and xattr tables. Tables are runs of
 * metadata blocks: a u16 header (bit 15: stored uncompressed, low 15 bits:
 * size on disk) and at most 8 KiB of data. An inode reference is (offset of
 * its metadata block from the table start << 16 | offset in the uncompressed
 * block). The fragment and id tables are reached through arrays of u64
 * pointers (at fragment_table_start, id_table_start) to their metadata blocks.
 * A data block's size word has bit 24 set when the block is stored
 * uncompressed; its low 24 bits are the size on disk, 0 for a sparse block.
 * The tail of a file shorter than a block sits in a shared fragment block.
 * mksquashfs pads the image to 4 KiB after bytes_used.
 * "sqsh" is the big-endian variant (AVM and other old MIPS/PowerPC builds):
 * every field above and in the inodes, directories and tables is then
 * big-endian, but AVM's images keep the u16 metadata block headers
 * little-endian (taken from the first inode block: the order that gives a
 * valid length); libsquashfs cannot read it, the walker below does.
 * LZMA (id 2) blocks are decoded by squashfs_legacy_comp.c: squashfs-tools
 * writes lzma-alone (13-byte header), Ralink-era vendor SDKs write the
 * properties and dictionary only, or raw LZMA.
 *
 * probe checks: the magic, version 4.0, a power-of-two block size of 4 KiB..1
 * MiB matching block_log, a known compressor, non-zero inode and id counts,
 * bytes_used >= 96, the tables in their on-disk order below bytes_used, the
 * root inode reference inside the inode table, and the first inode metadata
 * block header when it is in the span. The size is bytes_used, plus the 4 KiB
 * padding when the (zero) padding is in the span; a truncated image is
 * accepted (size = what is there) and unpack reports the truncation.
 *
 * unpack walks the metadata itself with bounded reads and no allocation sized
 * by the input (libsquashfs' inode reader allocates block lists and symlink
 * targets from hostile fields), and uses libsquashfs for the six
 * decompressors. Regular files are extracted in parallel straight from the
 * mapped image, each worker with its own decompressor (squashfs_v4_io.c:
 * decompressors, metadata block reader, file data; squashfs_v4.h: what the
 * two files share).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqfs/super.h>

#include "fsutil.h"
#include "squashfs_v4.h"
#include "util/vec.h"

/* Decode the superblock; -GB_ENOTFOUND when the magic is not there. */
static int read_super(const struct gb_span *in, struct sq_super *sb)
{
	const uint8_t *p = gb_span_at(in, 0, SB_SIZE);
	bool be;

	if (!p)
		return -GB_ENOTFOUND;
	if (memcmp(p, "hsqs", 4) == 0)
		be = false;
	else if (memcmp(p, "sqsh", 4) == 0)
		be = true;
	else
		return -GB_ENOTFOUND;
	sb->be = be;
	sb->inode_count = rd32(p + 4, be);
	sb->mtime = rd32(p + 8, be);
	sb->block_size = rd32(p + 12, be);
	sb->frag_count = rd32(p + 16, be);
	sb->comp = rd16(p + 20, be);
	sb->block_log = rd16(p + 22, be);
	sb->flags = rd16(p + 24, be);
	sb->id_count = rd16(p + 26, be);
	sb->vmajor = rd16(p + 28, be);
	sb->vminor = rd16(p + 30, be);
	sb->root_ref = rd64(p + 32, be);
	sb->bytes_used = rd64(p + 40, be);
	sb->id_start = rd64(p + 48, be);
	sb->xattr_start = rd64(p + 56, be);
	sb->inode_start = rd64(p + 64, be);
	sb->dir_start = rd64(p + 72, be);
	sb->frag_start = rd64(p + 80, be);
	sb->export_start = rd64(p + 88, be);
	sb->meta_be = be;
	p = gb_span_at(in, sb->inode_start, 2);
	if (be && p) {
		unsigned lbe = gb_be16(p) & 0x7FFF, lle = gb_le16(p) & 0x7FFF;

		if ((lbe == 0 || lbe > META_SIZE) && lle > 0 && lle <= META_SIZE)
			sb->meta_be = false;
	}
	return 0;
}

/* An optional table: absent, or after the (maybe empty) directory table and
 * inside the image. */
static bool table_ok(const struct sq_super *sb, uint64_t start)
{
	return start == NO_TABLE || (start >= sb->dir_start && start <= sb->bytes_used);
}

/* What is wrong with a superblock, or NULL when it is sane. */
static const char *super_problem(const struct sq_super *sb)
{
	if (sb->vmajor != 4 || sb->vminor != 0)
		return "not version 4.0";
	if (sb->block_log < 12 || sb->block_log > 20 || sb->block_size != 1U << sb->block_log)
		return "block size and block_log disagree or are out of range";
	if (sb->comp < SQFS_COMP_MIN || sb->comp > SQFS_COMP_MAX)
		return "unknown compressor";
	if (sb->inode_count == 0 || sb->id_count == 0 || sb->bytes_used < SB_SIZE)
		return "zero inodes or ids, or bytes_used smaller than the superblock";
	if (sb->inode_start < SB_SIZE || sb->inode_start >= sb->dir_start ||
	    sb->dir_start > sb->id_start || sb->id_start >= sb->bytes_used)
		return "inode, directory and id tables out of order or past bytes_used";
	if (!table_ok(sb, sb->frag_start) || !table_ok(sb, sb->export_start) ||
	    !table_ok(sb, sb->xattr_start))
		return "fragment, export or xattr table outside the image";
	/* the root inode lies in the inode table */
	if ((sb->root_ref >> 16) >= sb->dir_start - sb->inode_start || (sb->root_ref & 0xFFFF) >= META_SIZE)
		return "root inode reference outside the inode table";
	return NULL;
}

static bool super_sane(const struct sq_super *sb)
{
	return super_problem(sb) == NULL;
}

/* A superblock that is squashfs 4.0 by its magic, version and block size
 * fields, whatever else it claims: reported as a broken squashfs (an error
 * node) rather than ignored. */
static bool super_signature(const struct sq_super *sb)
{
	return sb->vmajor == 4 && sb->vminor == 0 && sb->block_log >= 12 && sb->block_log <= 20 &&
	       sb->block_size == 1U << sb->block_log;
}

/* The first inode metadata block header, when it is in the span. */
static bool first_meta_ok(const struct gb_span *in, const struct sq_super *sb)
{
	const uint8_t *p = gb_span_at(in, sb->inode_start, 2);
	uint32_t len;

	if (!p)
		return true;
	len = rd16(p, sb->meta_be) & 0x7FFF;
	return len > 0 && len <= META_SIZE && len + 2 <= sb->dir_start - sb->inode_start;
}

static const char *comp_name(unsigned id)
{
	static const char *const names[] = {"?", "gzip", "lzma", "lzo", "xz", "lz4", "zstd"};

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : "?";
}

/* An LZMA image whose first inode block is not lzma-alone (Ralink SDKs). */
static bool lzma_vendor(const struct gb_span *in, const struct sq_super *sb)
{
	const uint8_t *h = gb_span_at(in, sb->inode_start, 2 + 14);

	if (sb->comp != SQFS_COMP_LZMA || !h || (rd16(h, sb->meta_be) & 0x8000))
		return false;
	return sqc_sniff(h + 2, 14) != SQC_LZMA_ALONE;
}

int sqfs4_probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct sq_super sb;
	uint64_t size;
	bool truncated;

	if (read_super(in, &sb) < 0)
		return -GB_ENOTFOUND;
	if (!super_sane(&sb)) {
		if (!super_signature(&sb))
			return -GB_ENOTFOUND;
		/* claim only the superblock: unpack reports what is wrong */
		memset(ret, 0, sizeof(*ret));
		ret->size = SB_SIZE;
		ret->confidence = GB_CONF_MEDIUM;
		snprintf(ret->variant, sizeof(ret->variant), "corrupt");
		return 0;
	}
	if (!first_meta_ok(in, &sb))
		return -GB_ENOTFOUND;
	size = sqfs_image_size(in, sb.bytes_used, &truncated);
	memset(ret, 0, sizeof(*ret));
	ret->size = size;
	ret->confidence = truncated ? GB_CONF_MEDIUM : GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%s%s", sb.be ? "be-" : "",
		 lzma_vendor(in, &sb) ? "lzma-vendor" : comp_name(sb.comp));
	return 0;
}



static int read_file_inode(struct sqm_reader *m, const struct sq_super *sb, bool ext,
			   struct sq_inode *ino)
{
	uint8_t b[40];
	int r = sqm_read(m, b, ext ? 40 : 16);

	if (r < 0)
		return r;
	if (ext) {
		ino->blocks_start = rd64(b, sb->be);
		ino->size = rd64(b + 8, sb->be);
		ino->frag = rd32(b + 28, sb->be);
		ino->frag_off = rd32(b + 32, sb->be);
	} else {
		ino->blocks_start = rd32(b, sb->be);
		ino->frag = rd32(b + 4, sb->be);
		ino->frag_off = rd32(b + 8, sb->be);
		ino->size = rd32(b + 12, sb->be);
	}
	ino->nblocks = ino->size >> sb->block_log;
	if ((ino->size & (sb->block_size - 1)) && ino->frag == NO_FRAG)
		ino->nblocks++;
	ino->list_blk = sqm_blk(m);
	ino->list_off = (uint32_t)sqm_off(m);
	return 0;
}

/* Read the inode at `ref` (reader over the inode table). */
static int read_inode(struct sqm_reader *m, const struct sq_super *sb, uint64_t ref,
		      struct sq_inode *ino)
{
	uint8_t b[24];
	uint64_t at;
	int r;

	if (gb_add_u64(sb->inode_start, ref >> 16, &at) < 0)
		return -GB_ECORRUPT;
	r = sqm_seek(m, at, ref & 0xFFFF);
	if (r == 0)
		r = sqm_read(m, b, 16);
	if (r < 0)
		return r;
	memset(ino, 0, sizeof(*ino));
	ino->type = rd16(b, sb->be);
	ino->mode = rd16(b + 2, sb->be);
	ino->uid_idx = rd16(b + 4, sb->be);
	ino->gid_idx = rd16(b + 6, sb->be);
	ino->mtime = rd32(b + 8, sb->be);
	switch (ino->type) {
	case INO_DIR:
		r = sqm_read(m, b, 16);
		ino->dir_blk = rd32(b, sb->be);
		ino->dir_size = rd16(b + 8, sb->be);
		ino->dir_off = rd16(b + 10, sb->be);
		break;
	case INO_LDIR:
		r = sqm_read(m, b, 24);
		ino->dir_size = rd32(b + 4, sb->be);
		ino->dir_blk = rd32(b + 8, sb->be);
		ino->dir_off = rd16(b + 18, sb->be);
		break;
	case INO_FILE:
	case INO_LFILE:
		return read_file_inode(m, sb, ino->type == INO_LFILE, ino);
	case INO_SLINK:
	case INO_LSLINK:
		r = sqm_read(m, b, 8);
		ino->target_len = rd32(b + 4, sb->be);
		break;
	case INO_BDEV:
	case INO_CDEV:
	case INO_LBDEV:
	case INO_LCDEV:
		r = sqm_read(m, b, 8);
		ino->devno = rd32(b + 4, sb->be);
		break;
	case INO_FIFO:
	case INO_SOCK:
	case INO_LFIFO:
	case INO_LSOCK:
		break;
	default:
		return -GB_ECORRUPT;
	}
	if (r == 0 && ino->dir_off >= META_SIZE)
		r = -GB_ECORRUPT;
	return r;
}

/* Load the uid/gid table (at most 65535 entries, 256 KiB). */
static int read_ids(struct sq_img *img, sqfs_compressor_t *cmp)
{
	const struct sq_super *sb = &img->sb;
	struct sqm_reader *m = malloc(sizeof(*m));
	uint32_t n = sb->id_count;
	int r = 0;

	img->ids = calloc(n, sizeof(uint32_t));
	if (!m || !img->ids) {
		free(m);
		return -GB_ENOMEM;
	}
	sq4_mr_init(m, img, cmp, SB_SIZE, sb->id_start);
	for (uint32_t i = 0; i < n && r == 0; i += 2048) {
		uint32_t k = n - i < 2048 ? n - i : 2048;
		uint64_t at;
		uint8_t raw[4 * 2048];

		r = rd_ptr(&img->in, sb->id_start + (i / 2048) * 8ULL, sb->be, &at);
		if (r == 0)
			r = sqm_seek(m, at, 0);
		if (r == 0)
			r = sqm_read(m, raw, 4ULL * k);
		for (uint32_t j = 0; r == 0 && j < k; j++)
			img->ids[i + j] = rd32(raw + 4 * j, sb->be);
	}
	free(m);
	return r;
}

static uint32_t lookup_id(struct sq_img *img, uint16_t idx, const char *path)
{
	if (idx < img->sb.id_count)
		return img->ids[idx];
	sq4_img_warn(img, path, "uid/gid index past the id table");
	return 0;
}
/* --- the directory walk -------------------------------------------------- */

static int add_file(struct sq_walk *w, const struct sq_inode *ino, const struct gb_entry *e,
		    size_t plen)
{
	struct sq_ent *f;
	size_t off;

	if (gb_grow((void **)&w->files, &w->cap_files, w->n_files + 1, sizeof(*w->files)) < 0 ||
	    gb_strpool_add(&w->pool, &w->pool_len, &w->pool_cap, e->path, plen, &off) < 0)
		return -GB_ENOMEM;
	f = &w->files[w->n_files++];
	f->path = off;
	f->size = ino->size;
	f->blocks_start = ino->blocks_start;
	f->nblocks = ino->nblocks;
	f->list_blk = ino->list_blk;
	f->list_off = ino->list_off;
	f->frag = ino->frag;
	f->frag_off = ino->frag_off;
	f->mode = e->mode;
	f->uid = e->uid;
	f->gid = e->gid;
	f->mtime = ino->mtime;
	return 0;
}

static int emit_symlink(struct sq_walk *w, struct sq_inode *ino, struct gb_entry *e)
{
	char *target;
	int r;

	if (ino->target_len > LINK_MAX_LEN) {
		sq4_img_warn(w->img, e->path, "symlink target longer than 64 KiB, skipped");
		return 0;
	}
	target = malloc(ino->target_len + 1);
	if (!target)
		return -GB_ENOMEM;
	r = sqm_read(&w->ino, target, ino->target_len);
	if (r < 0) {
		free(target);
		sq4_img_warn(w->img, e->path, "symlink target unreadable");
		return 0;
	}
	target[ino->target_len] = '\0';
	e->target = target;
	r = gb_unpack_entry(w->img->u, e);
	free(target);
	return r;
}

static int walk_dir(struct sq_walk *w, const struct sq_inode *dir, size_t plen, unsigned depth);
static int read_dir_header(void *ctx, uint64_t *left, uint32_t *count, uint64_t *blk);
static int read_dirent(void *ctx, size_t pos, uint64_t *left, uint32_t *ioff, size_t *nlen);
static int visit(void *ctx, uint64_t ref, size_t plen, unsigned depth);

static void warn_cb(void *ctx, const char *path, const char *what)
{
	sq4_img_warn(((struct sq_walk *)ctx)->img, path, what);
}

static const struct sqfs_dir_ops dir_ops = {read_dir_header, read_dirent, visit, warn_cb};

/* Record one directory entry (the inode at `ref`, path in w->path). */
static int visit(void *ctx, uint64_t ref, size_t plen, unsigned depth)
{
	struct sq_walk *w = ctx;
	struct sq_img *img = w->img;
	struct sq_inode ino;
	struct gb_entry e;
	int r;

	if (++w->n_entries > w->max_entries)
		return gb_unpack_fail(img->u, -GB_ELIMIT, "squashfs: more than %zu entries",
				      w->max_entries);
	r = read_inode(&w->ino, &img->sb, ref, &ino);
	if (r < 0) {
		sq4_img_warn(img, w->path, "inode unreadable (corrupt inode table)");
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.path = w->path;
	e.mode = ino.mode & 07777;
	e.uid = lookup_id(img, ino.uid_idx, w->path);
	e.gid = lookup_id(img, ino.gid_idx, w->path);
	e.mtime = ino.mtime;
	switch (ino.type) {
	case INO_DIR:
	case INO_LDIR:
		e.type = GB_FT_DIR;
		r = sqfs_enter_dir(&dir_ops, w, img->u, &e, &w->seen, ref, depth);
		return r <= 0 ? r : walk_dir(w, &ino, plen, depth + 1);
	case INO_FILE:
	case INO_LFILE:
		return add_file(w, &ino, &e, plen);
	case INO_SLINK:
	case INO_LSLINK:
		e.type = GB_FT_SYMLINK;
		return emit_symlink(w, &ino, &e);
	case INO_BDEV:
	case INO_CDEV:
	case INO_LBDEV:
	case INO_LCDEV:
		e.type = ino.type == INO_BDEV || ino.type == INO_LBDEV ? GB_FT_BLOCKDEV
								      : GB_FT_CHARDEV;
		gb_fs_decode_dev(ino.devno, &e);
		return gb_unpack_entry(img->u, &e);
	case INO_FIFO:
	case INO_LFIFO:
		e.type = GB_FT_FIFO;
		return gb_unpack_entry(img->u, &e);
	default:
		e.type = GB_FT_SOCKET;
		return gb_unpack_entry(img->u, &e);
	}
}

/* One listing header (12 bytes: count - 1, inode block, inode number). */
static int read_dir_header(void *ctx, uint64_t *left, uint32_t *count, uint64_t *blk)
{
	struct sq_walk *w = ctx;
	uint8_t b[12];
	int r;

	if (*left < 12)
		return 1;
	r = sqm_read(&w->dir, b, 12);
	if (r < 0)
		return r;
	*count = rd32(b, w->img->sb.be) + 1;
	*blk = rd32(b + 4, w->img->sb.be);
	*left -= 12;
	if (*count == 0 || *count > DIR_MAX_COUNT)
		return -GB_ECORRUPT;
	return 0;
}

/* Read one directory entry; its name is appended to w->path at `pos`. */
static int read_dirent(void *ctx, size_t pos, uint64_t *left, uint32_t *ioff, size_t *nlen)
{
	struct sq_walk *w = ctx;
	uint8_t b[8];
	int r;

	if (*left < 8)
		return -GB_ECORRUPT;
	r = sqm_read(&w->dir, b, 8);
	if (r < 0)
		return r;
	*ioff = rd16(b, w->img->sb.be);
	*nlen = (size_t)rd16(b + 6, w->img->sb.be) + 1;
	if (*nlen > NAME_MAX_LEN || *left - 8 < *nlen)
		return -GB_ECORRUPT;
	r = sqm_read(&w->dir, w->path + pos, *nlen);
	if (r < 0)
		return r;
	w->path[pos + *nlen] = '\0';
	*left -= 8 + *nlen;
	return 0;
}

/* Walk a directory listing; w->path[0..plen) is the directory's path ("" for
 * the root). */
static int walk_dir(struct sq_walk *w, const struct sq_inode *dir, size_t plen, unsigned depth)
{
	if (dir->dir_size <= 3)
		return 0;
	return sqfs_walk_listing(&dir_ops, w, &w->dir, w->path, plen, w->img->sb.dir_start,
				 dir->dir_blk, dir->dir_off, dir->dir_size - 3, depth);
}
/* --- unpack --------------------------------------------------------------- */

static int open_image(struct sq_img *img, struct gb_unpack *u, const struct gb_span *in)
{
	struct sq_super *sb = &img->sb;
	uint64_t ends[4];

	memset(img, 0, sizeof(*img));
	img->u = u;
	if (read_super(in, sb) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "squashfs: superblock no longer valid");
	if (!super_sane(sb))
		return gb_unpack_fail(u, -GB_ECORRUPT,
				      "squashfs: corrupt superblock (%s): %u inodes, bytes_used %llu",
				      super_problem(sb), sb->inode_count,
				      (unsigned long long)sb->bytes_used);
	img->in = sqfs_cut_image(u, in, sb->bytes_used);
	img->dir_end = sb->bytes_used;
	ends[0] = sb->id_start;
	ends[1] = sb->frag_start;
	ends[2] = sb->export_start;
	ends[3] = sb->xattr_start;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends[i] != NO_TABLE && ends[i] >= sb->dir_start && ends[i] < img->dir_end)
			img->dir_end = ends[i];
	sq4_file_init(&img->file, &img->in);
	if (sqfs_compressor_config_init(&img->cfg, (SQFS_COMPRESSOR)sb->comp, sb->block_size,
					SQFS_COMP_FLAG_UNCOMPRESS) != 0)
		return gb_unpack_fail(u, -GB_EUNSUP, "squashfs: compressor %s not supported",
				      comp_name(sb->comp));
	return 0;
}

static int walk_root(struct sq_walk *w, sqfs_compressor_t *cmp)
{
	struct sq_img *img = w->img;
	struct sq_inode root;
	int r;

	sq4_mr_init(&w->ino, img, cmp, img->sb.inode_start, img->sb.dir_start);
	sq4_mr_init(&w->dir, img, cmp, img->sb.dir_start, img->dir_end);
	w->max_entries = gb_unpack_limits(img->u)->max_entries;
	r = read_ids(img, cmp);
	if (r == -GB_ENOMEM)
		return r;
	if (r < 0)
		return gb_unpack_fail(img->u, r, "squashfs: id table at %llu unreadable",
				      (unsigned long long)img->sb.id_start);
	r = read_inode(&w->ino, &img->sb, img->sb.root_ref, &root);
	if (r == 0 && root.type != INO_DIR && root.type != INO_LDIR)
		r = -GB_ECORRUPT;
	if (r < 0)
		return gb_unpack_fail(img->u, r, "squashfs: root inode unreadable (inode table at %llu)",
				      (unsigned long long)img->sb.inode_start);
	r = gb_u64set_add(&w->seen, img->sb.root_ref);
	if (r < 0)
		return r;
	w->path[0] = '\0';
	return walk_dir(w, &root, 0, 0);
}

int sqfs4_unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct sq_img img;
	struct sq_walk *w;
	sqfs_compressor_t *cmp = NULL;
	int r = open_image(&img, u, in);

	if (r < 0)
		return r;
	if (sq4_make_decompressor(&img.cfg, &cmp) != 0)
		return gb_unpack_fail(u, -GB_EUNSUP, "squashfs: cannot create the %s decompressor",
				      comp_name(img.sb.comp));
	/* Options libsquashfs does not accept (OpenWrt's xz BCJ filter set, say)
	 * only tune the decoder: the data still decodes, and a block that does
	 * not is reported where it fails. */
	if (img.sb.flags & SQFS_FLAG_COMPRESSOR_OPTIONS)
		(void)cmp->read_options(cmp, &img.file.base);
	w = calloc(1, sizeof(*w));
	if (!w) {
		sqfs_destroy(cmp);
		return -GB_ENOMEM;
	}
	w->img = &img;
	r = walk_root(w, cmp);
	if (r >= 0)
		r = sq4_extract_files(w);
	if (r == -GB_ENOMEM)
		gb_unpack_fail(u, r, "squashfs: out of memory");
	if (img.n_warn > WARN_MAX)
		gb_unpack_warn(u, "squashfs: %u more problems not listed", img.n_warn - WARN_MAX);
	sqfs_destroy(cmp);
	free(img.ids);
	free(w->files);
	free(w->pool);
	gb_u64set_free(&w->seen);
	free(w);
	return r;
}
