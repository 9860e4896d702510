/* cramfs: the Linux compressed ROM file system (fs/cramfs, util-linux
 * mkfs.cramfs; embedded root file systems, XIP images of MMU-less boards).
 *
 * All fields are 32-bit words in the byte order of the image (either; the
 * magic says which). Superblock, 76 bytes, at 0 or at 512 after a 512-byte
 * boot block (mkfs.cramfs -p); all offsets are from the image start, the
 * padding included:
 *    0  u32 magic     0x28cd3d45
 *    4  u32 size      bytes of the image (v2)
 *    8  u32 flags     FSID_VERSION_2 0x1, SORTED_DIRS 0x2 (0x00-0xff: old
 *                     kernels cope), HOLES 0x100, WRONG_SIGNATURE 0x200,
 *                     SHIFTED_ROOT_OFFSET 0x400, EXT_BLOCK_POINTERS 0x800
 *   12  u32 future
 *   16  char signature[16]  "Compressed ROMFS"
 *   32  fsid: u32 crc (zlib crc32 of [superblock, size) with this field 0),
 *       u32 edition, u32 blocks, u32 files   (valid with FSID_VERSION_2)
 *   48  char name[16]
 *   64  root inode
 *
 * Inode, 12 bytes, three words of bit fields. Little endian (low bits
 * first): w0 = mode:16 uid:16, w1 = size:24 gid:8, w2 = namelen:6 offset:26.
 * Big endian images (mkfs.cramfs -N big) allocate the fields from the top:
 * w0 = mode << 16 | uid, w1 = size << 8 | gid, w2 = namelen << 26 | offset.
 * The name (namelen * 4 bytes, NUL padded) follows the inode. offset * 4 is,
 * for a directory, where its entries start (size = their total bytes); for a
 * file or symlink, its block pointer table; devices keep rdev in size.
 *
 * File data: ceil(size / blksize) u32 block pointers, each the end offset of
 * its block; the first block starts after the table. Blocks are zlib streams
 * of blksize (the page size, 4096 normally; not recorded: guessed from the
 * pointer tables) decoded bytes; an empty block is a hole (zeros). With
 * EXT_BLOCK_POINTERS a pointer may carry UNCOMPRESSED (bit 31: the block is
 * stored) and DIRECT_PTR (bit 30: the rest, shifted left by 2, is the block's
 * start; a compressed direct block starts with a u16 length). Linux defines
 * no other compressors; blocks that are not zlib are tried as xz/lzma, zstd
 * and LZO (vendor kernels) by their headers.
 *
 * Hostile input: every directory range is walked once (loops between
 * directories are cut), depth, path length, entries and decoded block sizes
 * are capped.
 *
 * probe checks the magic (at 0 or 512), the signature, the root inode (a
 * directory whose entries lie after the superblock) and, for v2, the size and
 * the CRC (a mismatch or a truncated image lowers the confidence).
 */
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <glassbox/sys/format.h>

#include "crc.h"
#include "fsutil.h"

#define CR_MAGIC 0x28cd3d45U
#define CR_SB_LEN 76
#define CR_INODE_LEN 12
#define CR_PAD 512
#define CR_SIG "Compressed ROMFS"

#define CR_FLAG_FSID_V2 0x1u
#define CR_FLAG_HOLES 0x100u
#define CR_FLAG_WRONG_SIG 0x200u
#define CR_FLAG_SHIFTED_ROOT 0x400u
#define CR_FLAG_EXT_PTRS 0x800u
#define CR_SUPPORTED (0xffu | CR_FLAG_HOLES | CR_FLAG_WRONG_SIG | CR_FLAG_SHIFTED_ROOT | CR_FLAG_EXT_PTRS)
#define CR_BLK_UNCOMP (1u << 31)
#define CR_BLK_DIRECT (1u << 30)
#define CR_BLK_FLAGS (CR_BLK_UNCOMP | CR_BLK_DIRECT)


#define CR_MAX_PATH 4096
#define CR_MAX_DEPTH 256
#define CR_MAX_TARGET 4095
#define CR_MAX_BLK (1u << 17)

struct cr_sb {
	bool be;
	uint32_t base;      /* where the superblock sits: 0 or 512 */
	uint32_t size, flags, crc, files;
	bool v2;
};

struct cr_inode {
	uint32_t mode, uid, size, gid, namelen;
	uint64_t offset;    /* offset * 4: bytes */
};

static uint32_t cr32(bool be, const uint8_t *b)
{
	return be ? gb_be32(b) : gb_le32(b);
}

static void cr_decode_inode(bool be, const uint8_t *b, struct cr_inode *ino)
{
	uint32_t w0 = cr32(be, b), w1 = cr32(be, b + 4), w2 = cr32(be, b + 8);

	if (be) {
		ino->mode = w0 >> 16;
		ino->uid = w0 & 0xffff;
		ino->size = w1 >> 8;
		ino->gid = w1 & 0xff;
		ino->namelen = w2 >> 26;
		ino->offset = (uint64_t)(w2 & 0x3ffffff) * 4;
	} else {
		ino->mode = w0 & 0xffff;
		ino->uid = w0 >> 16;
		ino->size = w1 & 0xffffff;
		ino->gid = w1 >> 24;
		ino->namelen = w2 & 0x3f;
		ino->offset = (uint64_t)(w2 >> 6) * 4;
	}
}

/* CRC of [base, size) with the fsid.crc field taken as 0. */
static uint32_t cr_image_crc(const struct gb_span *in, const struct cr_sb *sb)
{
	static const uint8_t zero[4];
	const uint8_t *p = in->p + sb->base;
	uint32_t crc = (uint32_t)crc32(0, NULL, 0);

	crc = gb_crc32(crc, p, 32);
	crc = gb_crc32(crc, zero, 4);
	return gb_crc32(crc, p + 36, sb->size - sb->base - 36);
}

/* The superblock at base with byte order be; 0 when it is sane. */
static int cr_sb_at(const struct gb_span *in, uint32_t base, struct cr_sb *sb)
{
	const uint8_t *b = gb_span_at(in, base, CR_SB_LEN);
	struct cr_inode root;

	if (!b)
		return -GB_ENOTFOUND;
	if (gb_le32(b) == CR_MAGIC)
		sb->be = false;
	else if (gb_be32(b) == CR_MAGIC)
		sb->be = true;
	else
		return -GB_ENOTFOUND;
	if (memcmp(b + 16, CR_SIG, 16) != 0)
		return -GB_ENOTFOUND;
	sb->base = base;
	sb->size = cr32(sb->be, b + 4);
	sb->flags = cr32(sb->be, b + 8);
	sb->crc = cr32(sb->be, b + 32);
	sb->files = cr32(sb->be, b + 44);
	sb->v2 = (sb->flags & CR_FLAG_FSID_V2) != 0;
	cr_decode_inode(sb->be, b + 64, &root);
	if ((root.mode & GB_S_IFMT) != GB_S_IFDIR)
		return -GB_ENOTFOUND;
	if (root.size && root.offset < (uint64_t)base + CR_SB_LEN)
		return -GB_ENOTFOUND;
	if (sb->v2 && (sb->size < (uint64_t)base + CR_SB_LEN || sb->files == 0))
		return -GB_ENOTFOUND;
	return 0;
}

static int cr_find_sb(const struct gb_span *in, struct cr_sb *sb)
{
	if (cr_sb_at(in, 0, sb) == 0)
		return 0;
	return cr_sb_at(in, CR_PAD, sb);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct cr_sb sb;
	enum gb_confidence conf = GB_CONF_MEDIUM;
	uint64_t size = in->n;

	if (cr_find_sb(in, &sb) < 0)
		return -GB_ENOTFOUND;
	if (sb.v2) {
		if (sb.size <= in->n) {
			size = sb.size;
			if (cr_image_crc(in, &sb) == sb.crc)
				conf = GB_CONF_HIGH;
		}
	} else if (sb.size >= (uint64_t)sb.base + CR_SB_LEN && sb.size <= in->n) {
		size = sb.size;
	}
	ret->size = size;
	ret->confidence = conf;
	ret->identify_only = false;
	snprintf(ret->variant, sizeof(ret->variant), "%s-%s%s", sb.v2 ? "v2" : "v1",
		 sb.be ? "be" : "le", sb.flags & CR_FLAG_EXT_PTRS ? "-extptr" : "");
	return 0;
}

/* ---- block decoding ------------------------------------------------------ */

struct cr {
	struct gb_unpack *u;
	const struct gb_span *in;
	struct cr_sb sb;
	uint32_t blksize;
	uint8_t *buf;       /* blksize decoded bytes */
	uint8_t *seen;      /* one bit per 4-byte slot: directory ranges walked */
	z_stream zs;
	bool zs_ready;
	size_t count;
	unsigned bad_blocks, loops;
	bool limit_warned;
};

static int cr_zlib(struct cr *c, const uint8_t *src, size_t n, size_t *out)
{
	int zr;

	if (!c->zs_ready) {
		memset(&c->zs, 0, sizeof(c->zs));
		if (inflateInit(&c->zs) != Z_OK)
			return -GB_ENOMEM;
		c->zs_ready = true;
	} else if (inflateReset(&c->zs) != Z_OK) {
		return -GB_ECORRUPT;
	}
	c->zs.next_in = (Bytef *)(uintptr_t)src;
	c->zs.avail_in = (uInt)n;
	c->zs.next_out = c->buf;
	c->zs.avail_out = c->blksize;
	zr = inflate(&c->zs, Z_FINISH);
	if (zr != Z_STREAM_END)
		return -GB_ECORRUPT;
	*out = c->blksize - c->zs.avail_out;
	return 0;
}

static int cr_xz(struct cr *c, const uint8_t *src, size_t n, size_t *out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;

	if (lzma_auto_decoder(&s, 16u << 20, 0) != LZMA_OK)
		return -GB_ENOMEM;
	s.next_in = src;
	s.avail_in = n;
	s.next_out = c->buf;
	s.avail_out = c->blksize;
	do
		lr = lzma_code(&s, LZMA_FINISH);
	while (lr == LZMA_OK && s.avail_out > 0);
	*out = c->blksize - s.avail_out;
	lzma_end(&s);
	return lr == LZMA_STREAM_END || (lr == LZMA_OK && s.avail_out == 0) ? 0 : -GB_ECORRUPT;
}

/* Decode one compressed block into c->buf: zlib (the only compressor of
 * Linux cramfs), else by its header xz/lzma-alone or zstd, else LZO. */
static int cr_decode(struct cr *c, const uint8_t *src, size_t n, size_t *out)
{
	if (n >= 2 && (src[0] & 0x0f) == Z_DEFLATED && ((unsigned)src[0] << 8 | src[1]) % 31 == 0)
		return cr_zlib(c, src, n, out);
	if ((n >= 6 && memcmp(src, "\xfd" "7zXZ\0", 6) == 0) || (n >= 13 && src[0] == 0x5d && src[1] == 0))
		return cr_xz(c, src, n, out);
	if (n >= 4 && gb_le32(src) == 0xfd2fb528) {
		size_t r = ZSTD_decompress(c->buf, c->blksize, src, n);
		if (ZSTD_isError(r))
			return -GB_ECORRUPT;
		*out = r;
		return 0;
	}
	lzo_uint olen = c->blksize;
	if (lzo1x_decompress_safe(src, n, c->buf, &olen, NULL) != LZO_E_OK)
		return -GB_ECORRUPT;
	*out = olen;
	return 0;
}

/* Where block i of the file with the pointer table at tbl starts and how long
 * it is; *stored when it is not compressed. */
static int cr_block_range(struct cr *c, uint64_t tbl, uint32_t nblocks, uint32_t i,
			  uint32_t want, uint64_t *start, uint32_t *len, bool *stored)
{
	bool ext = (c->sb.flags & CR_FLAG_EXT_PTRS) != 0;
	uint32_t ptr, prev;
	uint16_t l16;
	const uint8_t *pb = gb_span_at(c->in, tbl + 4ull * i, 4);

	if (!pb)
		return -GB_ETRUNC;
	ptr = cr32(c->sb.be, pb);
	*stored = ext && (ptr & CR_BLK_UNCOMP);
	if (ext && (ptr & CR_BLK_DIRECT)) {
		*start = (uint64_t)(ptr & ~CR_BLK_FLAGS) << 2;
		if (*stored) {
			*len = want;
			return 0;
		}
		if (c->sb.be ? gb_rd_u16be(c->in, *start, &l16) : gb_rd_u16le(c->in, *start, &l16))
			return -GB_ETRUNC;
		*start += 2;
		*len = l16;
		return 0;
	}
	if (ext)
		ptr &= ~CR_BLK_FLAGS;
	if (i == 0) {
		*start = tbl + 4ull * nblocks;
	} else {
		const uint8_t *ppb = gb_span_at(c->in, tbl + 4ull * (i - 1), 4);
		if (!ppb)
			return -GB_ETRUNC;
		prev = cr32(c->sb.be, ppb);
		if (ext && (prev & CR_BLK_DIRECT)) {
			uint64_t ps = (uint64_t)(prev & ~CR_BLK_FLAGS) << 2;
			if (prev & CR_BLK_UNCOMP) {
				*start = ps + c->blksize;
			} else {
				if (c->sb.be ? gb_rd_u16be(c->in, ps, &l16) : gb_rd_u16le(c->in, ps, &l16))
					return -GB_ETRUNC;
				*start = ps + 2 + l16;
			}
		} else {
			*start = ext ? prev & ~CR_BLK_FLAGS : prev;
		}
	}
	if (ptr < *start)
		return -GB_ECORRUPT;
	*len = (uint32_t)(ptr - *start);
	return 0;
}

/* Block i decoded: *data, *n bytes (want expected). A hole gives zeros. */
static int cr_block(struct cr *c, uint64_t tbl, uint32_t nblocks, uint32_t i, uint32_t want,
		    const uint8_t **data, size_t *n)
{
	uint64_t start;
	uint32_t len;
	bool stored;
	const uint8_t *src;
	int r = cr_block_range(c, tbl, nblocks, i, want, &start, &len, &stored);

	if (r < 0)
		return r;
	if (len == 0) {
		memset(c->buf, 0, want);
		*data = c->buf;
		*n = want;
		return 0;
	}
	if (len > 2 * c->blksize || (stored && len > c->blksize))
		return -GB_ECORRUPT;
	src = gb_span_at(c->in, start, len);
	if (!src)
		return -GB_ETRUNC;
	if (stored) {
		*data = src;
		*n = len;
		return 0;
	}
	*data = c->buf;
	return cr_decode(c, src, len, n);
}

/* ---- block size ---------------------------------------------------------- */

/* How well bs explains the pointer table of a file: the table fits, the
 * pointers increase and stay in the image, the first block decodes. */
static bool cr_table_fits(struct cr *c, const struct cr_inode *ino, uint32_t bs)
{
	uint32_t nblocks = (uint32_t)((ino->size + (uint64_t)bs - 1) / bs);
	uint64_t prev = ino->offset + 4ull * nblocks;

	if (!gb_span_has(c->in, ino->offset, 4ull * nblocks))
		return false;
	for (uint32_t i = 0; i < nblocks && i < 64; i++) {
		uint32_t p = cr32(c->sb.be, c->in->p + ino->offset + 4ull * i);
		if (c->sb.flags & CR_FLAG_EXT_PTRS) {
			if (p & CR_BLK_DIRECT)
				return true; /* direct pointers say nothing about bs */
			p &= ~CR_BLK_FLAGS;
		}
		if (p < prev || p > c->in->n || p - prev > 2ull * bs)
			return false;
		prev = p;
	}
	return true;
}

/* Inodes of the root directory's regular files (a sample). */
static void cr_guess_blksize(struct cr *c, const struct cr_inode *root)
{
	static const uint32_t cands[] = {4096, 8192, 16384, 32768, 65536, 2048, 1024, 512};
	unsigned score[sizeof(cands) / sizeof(cands[0])] = {0};
	uint64_t pos = root->offset, end = root->offset + root->size;
	unsigned sampled = 0, best = 0;

	for (unsigned steps = 0; pos + CR_INODE_LEN <= end && steps < 4096 && sampled < 32; steps++) {
		const uint8_t *b = gb_span_at(c->in, pos, CR_INODE_LEN);
		struct cr_inode ino;
		if (!b)
			break;
		cr_decode_inode(c->sb.be, b, &ino);
		pos += CR_INODE_LEN + 4ull * ino.namelen;
		if ((ino.mode & GB_S_IFMT) != GB_S_IFREG || ino.size <= 512)
			continue;
		sampled++;
		for (unsigned k = 0; k < sizeof(cands) / sizeof(cands[0]); k++)
			score[k] += cr_table_fits(c, &ino, cands[k]);
	}
	for (unsigned k = 1; k < sizeof(cands) / sizeof(cands[0]); k++)
		if (score[k] > score[best])
			best = k;
	c->blksize = cands[best];
}

/* ---- extraction ---------------------------------------------------------- */

static int cr_write_file(struct cr *c, const struct cr_inode *ino, const char *path)
{
	struct gb_entry e = {.path = path, .type = GB_FT_FILE, .mode = ino->mode & 07777,
			     .uid = ino->uid, .gid = ino->gid, .size = ino->size};
	uint32_t nblocks = (uint32_t)((ino->size + (uint64_t)c->blksize - 1) / c->blksize);
	struct gb_wfile *w;
	int r, st = 0;

	r = gb_unpack_file_begin(c->u, &e, &w);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < nblocks && st == 0; i++) {
		uint32_t want = ino->size - i * c->blksize;
		const uint8_t *data;
		size_t n;
		if (want > c->blksize)
			want = c->blksize;
		r = cr_block(c, ino->offset, nblocks, i, want, &data, &n);
		if (r < 0 || n != want) {
			if (!c->bad_blocks++)
				gb_unpack_warn(c->u, "%s: block %u %s", path, i,
					       r == -GB_ETRUNC ? "runs past the end of the image"
					       : r < 0	       ? "does not decode"
							       : "decodes to the wrong size");
			st = r < 0 ? r : -GB_ECORRUPT;
			break;
		}
		st = gb_wfile_write(w, data, n);
	}
	r = gb_unpack_file_end(c->u, w, st);
	return gb_fs_file_result(st, r);
}

static int cr_emit_symlink(struct cr *c, const struct cr_inode *ino, struct gb_entry *e)
{
	char target[CR_MAX_TARGET + 1];
	const uint8_t *data;
	size_t n;
	int r;

	if (ino->size == 0 || ino->size > CR_MAX_TARGET || ino->size > c->blksize) {
		gb_unpack_warn(c->u, "%s: symlink target of %u bytes skipped", e->path, ino->size);
		return 0;
	}
	r = cr_block(c, ino->offset, 1, 0, ino->size, &data, &n);
	if (r < 0 || n != ino->size) {
		gb_unpack_warn(c->u, "%s: symlink target does not decode", e->path);
		return 0;
	}
	memcpy(target, data, n);
	target[n] = 0;
	if (strlen(target) == 0) {
		gb_unpack_warn(c->u, "%s: empty symlink target", e->path);
		return 0;
	}
	e->target = target;
	return gb_unpack_entry(c->u, e);
}

/* One entry. *descend is set for a directory with entries to walk. */
static int cr_emit(struct cr *c, const struct cr_inode *ino, const char *path, bool *descend)
{
	struct gb_entry e = {.path = path, .mode = ino->mode & 07777, .uid = ino->uid, .gid = ino->gid};

	*descend = false;
	switch (ino->mode & GB_S_IFMT) {
	case GB_S_IFDIR:
		e.type = GB_FT_DIR;
		*descend = ino->size > 0;
		return gb_unpack_entry(c->u, &e);
	case GB_S_IFREG:
		return cr_write_file(c, ino, path);
	case GB_S_IFLNK:
		e.type = GB_FT_SYMLINK;
		return cr_emit_symlink(c, ino, &e);
	case GB_S_IFCHR:
	case GB_S_IFBLK:
		e.type = (ino->mode & GB_S_IFMT) == GB_S_IFCHR ? GB_FT_CHARDEV : GB_FT_BLOCKDEV;
		gb_fs_decode_dev(ino->size, &e);
		return gb_unpack_entry(c->u, &e);
	case GB_S_IFIFO:
		e.type = GB_FT_FIFO;
		return gb_unpack_entry(c->u, &e);
	case GB_S_IFSOCK:
		e.type = GB_FT_SOCKET;
		return gb_unpack_entry(c->u, &e);
	default:
		gb_unpack_warn(c->u, "%s: unknown file type (mode 0%o)", path, ino->mode);
		return 0;
	}
}

/* Mark the directory range starting at off walked; false when it was. */
static bool cr_visit(struct cr *c, uint64_t off)
{
	uint64_t slot = off / 4;

	if (c->seen[slot / 8] & (1u << (slot % 8)))
		return false;
	c->seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
	return true;
}

struct cr_frame {
	uint64_t pos, end;
	size_t plen;
};

static int cr_walk(struct cr *c, const struct cr_inode *root)
{
	struct cr_frame *st = calloc(CR_MAX_DEPTH, sizeof(*st));
	char *path = malloc(CR_MAX_PATH + 1);
	unsigned depth = 0;
	int r = 0;

	if (!st || !path) {
		free(st);
		free(path);
		return -GB_ENOMEM;
	}
	if (root->size && root->offset < c->in->n && cr_visit(c, root->offset)) {
		st[0] = (struct cr_frame){root->offset, root->offset + root->size, 0};
		depth = 1;
	}
	while (depth && r == 0) {
		struct cr_frame *fr = &st[depth - 1];
		const uint8_t *b;
		struct cr_inode ino;
		size_t nlen, len;
		bool descend;

		if (fr->pos >= fr->end) {
			depth--;
			continue;
		}
		b = gb_span_at(c->in, fr->pos, CR_INODE_LEN);
		if (!b || fr->pos + CR_INODE_LEN > fr->end) {
			gb_unpack_warn(c->u, "directory entry at 0x%llx runs past its directory or the image",
				       (unsigned long long)fr->pos);
			depth--;
			continue;
		}
		cr_decode_inode(c->sb.be, b, &ino);
		const uint8_t *nm = gb_span_at(c->in, fr->pos + CR_INODE_LEN, 4ull * ino.namelen);
		if (ino.namelen == 0 || !nm) {
			gb_unpack_warn(c->u, "directory entry at 0x%llx has no readable name",
				       (unsigned long long)fr->pos);
			depth--;
			continue;
		}
		fr->pos += CR_INODE_LEN + 4ull * ino.namelen;
		nlen = strnlen((const char *)nm, 4ull * ino.namelen);
		if (++c->count > gb_unpack_limits(c->u)->max_entries) {
			gb_unpack_warn(c->u, "too many entries: the rest is ignored");
			break;
		}
		if (nlen == 0)
			continue;
		if (fr->plen + 1 + nlen > CR_MAX_PATH) {
			gb_unpack_warn(c->u, "path longer than %u bytes skipped", CR_MAX_PATH);
			continue;
		}
		len = fr->plen;
		path[len++] = '/';
		memcpy(path + len, nm, nlen);
		len += nlen;
		path[len] = 0;
		r = cr_emit(c, &ino, path, &descend);
		if (r < 0 || !descend)
			continue;
		if (ino.offset >= c->in->n || !cr_visit(c, ino.offset)) {
			c->loops++;
			continue;
		}
		if (depth == CR_MAX_DEPTH) {
			gb_unpack_warn(c->u, "%s: directory depth limit (%u) reached", path, CR_MAX_DEPTH);
			continue;
		}
		st[depth++] = (struct cr_frame){ino.offset, ino.offset + ino.size, len};
	}
	free(st);
	free(path);
	return r;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct cr c = {.u = u, .in = in};
	struct cr_inode root;
	int r;

	(void)p;
	if (cr_find_sb(in, &c.sb) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "cramfs superblock no longer valid");
	if (lzo_init() != LZO_E_OK)
		return gb_unpack_fail(u, -GB_EUNSUP, "liblzo2 failed to initialise");
	if (c.sb.flags & ~CR_SUPPORTED)
		gb_unpack_warn(u, "unknown feature flags 0x%x (read as if absent)", c.sb.flags & ~CR_SUPPORTED);
	if (c.sb.v2 && c.sb.size > in->n)
		gb_unpack_warn(u, "size %u runs past the end of the data (%zu bytes): truncated", c.sb.size,
			       in->n);
	else if (c.sb.v2 && cr_image_crc(in, &c.sb) != c.sb.crc)
		gb_unpack_warn(u, "CRC mismatch (superblock 0x%08x)", c.sb.crc);
	cr_decode_inode(c.sb.be, in->p + c.sb.base + 64, &root);
	cr_guess_blksize(&c, &root);
	c.buf = malloc(CR_MAX_BLK);
	c.seen = calloc(in->n / 4 / 8 + 1, 1);
	if (!c.buf || !c.seen) {
		free(c.buf);
		free(c.seen);
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	}
	r = cr_walk(&c, &root);
	if (c.loops)
		gb_unpack_warn(u, "%u directories point to a range already walked (loop) or past the end",
			       c.loops);
	if (c.bad_blocks > 1)
		gb_unpack_warn(u, "%u files with unreadable blocks", c.bad_blocks);
	if (c.zs_ready)
		inflateEnd(&c.zs);
	free(c.buf);
	free(c.seen);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x45\x3d\xcd\x28", 0),
	GB_MAGIC("\x28\xcd\x3d\x45", 0),
	GB_MAGIC("\x45\x3d\xcd\x28", CR_PAD),
	GB_MAGIC("\x28\xcd\x3d\x45", CR_PAD),
};

const struct gb_format gb__fmt_cramfs = {
	.name = "cramfs",
	.description = "cramfs compressed ROM file system (both byte orders, v1/v2, XIP block pointers)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
