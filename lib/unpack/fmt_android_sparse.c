/* android_sparse: Android sparse images (libsparse: img2simg, fastboot,
 * system.img/userdata.img in factory images).
 *
 * A sparse image describes a raw partition image block by block. Layout,
 * little-endian:
 *
 * File header (file_hdr_sz bytes, 28 in version 1.0):
 *    0  u32 magic          0xed26ff3a
 *    4  u16 major_version  1 (a reader must reject other majors)
 *    6  u16 minor_version  0 (newer minors stay compatible)
 *    8  u16 file_hdr_sz    28 (a larger header is skipped)
 *   10  u16 chunk_hdr_sz   12 (a larger chunk header is skipped)
 *   12  u32 blk_sz         block size, a multiple of 4 (4096)
 *   16  u32 total_blks     blocks of the expanded image
 *   20  u32 total_chunks   chunks that follow
 *   24  u32 image_checksum crc32 of the expanded image, or 0
 *
 * Chunk header (chunk_hdr_sz bytes, 12 in version 1.0), then its data:
 *    0  u16 chunk_type     RAW 0xcac1, FILL 0xcac2, DONT_CARE 0xcac3, CRC32 0xcac4
 *    2  u16 reserved
 *    4  u32 chunk_sz       blocks of output it describes
 *    8  u32 total_sz       bytes of the chunk, header included
 * RAW carries chunk_sz * blk_sz bytes; FILL a u32 pattern repeated over the
 * chunk's blocks; DONT_CARE nothing (zeros here); CRC32 a u32, the crc32 of
 * the output so far (it describes no blocks).
 *
 * The expanded image is written as one file, streamed (never held in
 * memory); the engine then carves what is inside (an ext4, an erofs ...).
 * Don't-care blocks are written as zeros. The writer's limits cap the
 * expansion: a FILL chunk of 2^32 blocks is a bomb, stopped by the ratio
 * limit, since the input consumed so far is reported as it goes.
 *
 * probe checks the magic, major version 1, header sizes, a block size that is
 * a non-zero multiple of 4, and walks all chunk headers (each must have a
 * known type and a total_sz consistent with it; the blocks must add up to at
 * most total_blks). The size is the end of the last chunk.
 */
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define SP_MAGIC 0xed26ff3aU
#define SP_FILE_HDR 28
#define SP_CHUNK_HDR 12
#define SP_RAW 0xcac1
#define SP_FILL 0xcac2
#define SP_DONT_CARE 0xcac3
#define SP_CRC32 0xcac4
#define SP_MAX_HDR 4096       /* larger declared header sizes are not sparse images */
#define SP_MAX_BLK (64u << 20)
#define SP_BUF (256u << 10)   /* fill/zero chunk written at once */

struct sp_hdr {
	uint16_t minor, file_hdr_sz, chunk_hdr_sz;
	uint32_t blk_sz, total_blks, total_chunks, checksum;
};

struct sp_chunk {
	uint16_t type;
	uint32_t blocks, total_sz;
	uint64_t data;       /* offset of its data */
	uint64_t data_len;   /* total_sz - chunk_hdr_sz */
};

static int sp_read_hdr(const struct gb_span *in, struct sp_hdr *h)
{
	const uint8_t *b = gb_span_at(in, 0, SP_FILE_HDR);

	if (!b || gb_le32(b) != SP_MAGIC || gb_le16(b + 4) != 1)
		return -GB_ENOTFOUND;
	h->minor = gb_le16(b + 6);
	h->file_hdr_sz = gb_le16(b + 8);
	h->chunk_hdr_sz = gb_le16(b + 10);
	h->blk_sz = gb_le32(b + 12);
	h->total_blks = gb_le32(b + 16);
	h->total_chunks = gb_le32(b + 20);
	h->checksum = gb_le32(b + 24);
	if (h->file_hdr_sz < SP_FILE_HDR || h->file_hdr_sz > SP_MAX_HDR ||
	    h->chunk_hdr_sz < SP_CHUNK_HDR || h->chunk_hdr_sz > SP_MAX_HDR)
		return -GB_ENOTFOUND;
	if (h->blk_sz == 0 || h->blk_sz % 4 || h->blk_sz > SP_MAX_BLK)
		return -GB_ENOTFOUND;
	return 0;
}

/* The chunk header at off: -GB_ETRUNC when it (or its data) runs past the
 * span, -GB_ECORRUPT when its fields are inconsistent. */
static int sp_read_chunk(const struct gb_span *in, const struct sp_hdr *h, uint64_t off,
			 struct sp_chunk *c)
{
	const uint8_t *b = gb_span_at(in, off, h->chunk_hdr_sz);
	uint64_t want;

	if (!b)
		return -GB_ETRUNC;
	c->type = gb_le16(b);
	c->blocks = gb_le32(b + 4);
	c->total_sz = gb_le32(b + 8);
	if (c->total_sz < h->chunk_hdr_sz)
		return -GB_ECORRUPT;
	c->data = off + h->chunk_hdr_sz;
	c->data_len = c->total_sz - h->chunk_hdr_sz;
	switch (c->type) {
	case SP_RAW:
		want = (uint64_t)c->blocks * h->blk_sz;
		break;
	case SP_FILL:
	case SP_CRC32:
		want = 4;
		break;
	case SP_DONT_CARE:
		want = 0;
		break;
	default:
		return -GB_ECORRUPT;
	}
	if (c->data_len != want)
		return -GB_ECORRUPT;
	if (!gb_span_has(in, c->data, c->data_len))
		return -GB_ETRUNC;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct sp_hdr h;
	struct sp_chunk c;
	uint64_t off, blocks = 0;
	uint32_t i;
	int r;

	if (sp_read_hdr(in, &h) < 0)
		return -GB_ENOTFOUND;
	off = h.file_hdr_sz;
	if (off > in->n)
		return -GB_ENOTFOUND;
	for (i = 0; i < h.total_chunks; i++) {
		r = sp_read_chunk(in, &h, off, &c);
		if (r == -GB_ETRUNC)
			break;
		if (r < 0)
			return -GB_ENOTFOUND;
		blocks += c.blocks;
		if (c.type == SP_CRC32)
			blocks -= c.blocks; /* describes no blocks */
		if (blocks > h.total_blks)
			return -GB_ENOTFOUND;
		off += c.total_sz;
	}
	if (i < h.total_chunks) {
		/* cut short: cover what is there, unpack reports it */
		if (i == 0 && h.total_chunks > 0 && in->n - h.file_hdr_sz < h.chunk_hdr_sz)
			return -GB_ENOTFOUND;
		off = in->n;
	}
	ret->size = off;
	ret->confidence = i == h.total_chunks ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	ret->identify_only = false;
	snprintf(ret->variant, sizeof(ret->variant), "v1.%u", h.minor);
	return 0;
}

/* ---- expansion ----------------------------------------------------------- */

struct sp {
	struct gb_sout o;
	const struct gb_span *in;
	struct sp_hdr h;
	uint8_t *buf;        /* SP_BUF bytes of the current fill pattern */
	uint32_t buf_pat;
	bool buf_valid;
	uint32_t crc;        /* crc32 of the output so far */
	uint64_t consumed;   /* input bytes used so far (ratio limit) */
};

static int sp_out(struct sp *s, const uint8_t *p, size_t n)
{
	s->crc = (uint32_t)crc32(s->crc, p, (uInt)n);
	return gb__sout_write(&s->o, p, n, s->consumed);
}

/* len bytes of the 4-byte pattern pat (0 for don't-care). */
static int sp_fill(struct sp *s, uint32_t pat, uint64_t len)
{
	int r;

	if (!s->buf_valid || s->buf_pat != pat) {
		for (size_t i = 0; i < SP_BUF; i += 4)
			memcpy(s->buf + i, &pat, 4); /* pat holds the bytes as stored */
		s->buf_pat = pat;
		s->buf_valid = true;
	}
	while (len) {
		size_t n = len < SP_BUF ? (size_t)len : SP_BUF;
		r = sp_out(s, s->buf, n);
		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

static int sp_raw(struct sp *s, const struct sp_chunk *c)
{
	uint64_t done = 0;
	int r;

	while (done < c->data_len) {
		uint64_t n = c->data_len - done;
		if (n > SP_BUF)
			n = SP_BUF;
		s->consumed = c->data + done + n;
		r = sp_out(s, s->in->p + c->data + done, (size_t)n);
		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}

static int sp_chunk(struct sp *s, const struct sp_chunk *c, uint32_t index)
{
	uint64_t len = (uint64_t)c->blocks * s->h.blk_sz;
	uint32_t v;

	s->consumed = c->data + c->data_len;
	switch (c->type) {
	case SP_RAW:
		return sp_raw(s, c);
	case SP_FILL:
		memcpy(&v, s->in->p + c->data, 4);
		return sp_fill(s, v, len);
	case SP_DONT_CARE:
		return sp_fill(s, 0, len);
	default: /* SP_CRC32 */
		v = gb_le32(s->in->p + c->data);
		if (v != s->crc)
			return gb__sout_err(&s->o, -GB_ECORRUPT,
					    "chunk %u at 0x%llx: CRC32 0x%08x, the data gives 0x%08x",
					    index, (unsigned long long)c->data - s->h.chunk_hdr_sz, v,
					    s->crc);
		return 0;
	}
}

static int sp_expand(struct sp *s)
{
	struct sp_chunk c;
	uint64_t off = s->h.file_hdr_sz, blocks = 0;
	int r;

	for (uint32_t i = 0; i < s->h.total_chunks; i++) {
		r = sp_read_chunk(s->in, &s->h, off, &c);
		if (r == -GB_ETRUNC)
			return gb__sout_err(&s->o, r, "chunk %u of %u at 0x%llx runs past the end", i,
					    s->h.total_chunks, (unsigned long long)off);
		if (r < 0)
			return gb__sout_err(&s->o, r, "chunk %u at 0x%llx: bad type 0x%04x or size %u", i,
					    (unsigned long long)off, c.type, c.total_sz);
		if (c.type != SP_CRC32)
			blocks += c.blocks;
		if (blocks > s->h.total_blks)
			return gb__sout_err(&s->o, -GB_ECORRUPT,
					    "chunk %u at 0x%llx: more blocks than total_blks %u", i,
					    (unsigned long long)off, s->h.total_blks);
		r = sp_chunk(s, &c, i);
		if (r < 0)
			return r;
		off += c.total_sz;
	}
	if (blocks < s->h.total_blks)
		gb_unpack_warn(s->o.u, "chunks describe %llu of %u blocks; the rest is missing",
			       (unsigned long long)blocks, s->h.total_blks);
	if (s->h.checksum && s->h.checksum != s->crc)
		gb_unpack_warn(s->o.u, "image_checksum 0x%08x, the expanded image gives 0x%08x",
			       s->h.checksum, s->crc);
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_sout_ext exts[] = {
		{".simg", ".img"}, {".sparse", ""}, {".sparseimg", ".img"}, {NULL, NULL}};
	struct sp s = {.in = in};
	int r;

	(void)p;
	gb__sout_init(&s.o, u, NULL, 0, exts);
	if (sp_read_hdr(in, &s.h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "sparse header no longer valid");
	s.buf = malloc(SP_BUF);
	if (!s.buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	s.crc = (uint32_t)crc32(0, NULL, 0);
	r = sp_expand(&s);
	free(s.buf);
	return gb__sout_close(&s.o, r, in->n);
}

static const struct gb_magic magics[] = {GB_MAGIC("\x3a\xff\x26\xed", 0)};

const struct gb_format gb__fmt_android_sparse = {
	.name = "android_sparse",
	.description = "Android sparse image (img2simg, fastboot), expanded to the raw image",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
