/* lzop (.lzo files), decoded with liblzo2.
 *
 * Header (big-endian):
 *   0   magic         89 4c 5a 4f 00 0d 0a 1a 0a
 *   9   version       u16, lzop's version (>= 0x0900)
 *   11  lib_version   u16
 *   13  [version_needed u16, when version >= 0x0940; 0x0900..version]
 *   ..  method        u8: 1 LZO1X-1, 2 LZO1X-1(15), 3 LZO1X-999
 *   ..  [level u8, when version >= 0x0940; 0..9]
 *   ..  flags         u32: 0x1 ADLER32_D, 0x2 ADLER32_C, 0x40 EXTRA_FIELD,
 *                     0x100 CRC32_D, 0x200 CRC32_C, 0x800 FILTER,
 *                     0x1000 header checksum is CRC32, bits 14-19 reserved
 *   ..  [filter u32, when FILTER]
 *   ..  mode u32, mtime_low u32, [mtime_high u32, when version >= 0x0940]
 *   ..  name          u8 length, bytes
 *   ..  checksum      u32: Adler-32 (or CRC-32) of the bytes from offset 9
 *   ..  [extra field: u32 length, bytes, u32 checksum, when EXTRA_FIELD]
 * Blocks: dst_len u32 (0 ends the file, at most 64 MiB), src_len u32
 * (<= dst_len; equal means stored), [Adler-32 / CRC-32 of the decoded data],
 * [Adler-32 / CRC-32 of the compressed data, only when src_len < dst_len],
 * then src_len bytes.
 *
 * probe checks the magic, versions, method, level, reserved flag bits and the
 * header checksum, then walks the block headers (no decoding) to the end
 * mark, which gives the exact size; when the walk runs off the data or meets
 * an impossible block, the size is GB_SIZE_UNKNOWN and unpack reports where.
 * Concatenated .lzo files are separate nodes (each names its own file).
 */
#include <stdlib.h>

#include <lzo/lzo1x.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define LZOP_MAGIC_LEN 9
#define LZOP_BLOCK_MAX (64u << 20)

#define LZOP_F_ADLER32_D 0x00000001u
#define LZOP_F_ADLER32_C 0x00000002u
#define LZOP_F_EXTRA 0x00000040u
#define LZOP_F_CRC32_D 0x00000100u
#define LZOP_F_CRC32_C 0x00000200u
#define LZOP_F_FILTER 0x00000800u
#define LZOP_F_H_CRC32 0x00001000u
#define LZOP_F_RESERVED 0x000fc000u

static const uint8_t lzop_magic[LZOP_MAGIC_LEN] = {0x89, 'L', 'Z', 'O', 0x00,
						   0x0d, 0x0a, 0x1a, 0x0a};

struct lzop_hdr {
	uint64_t len;  /* header bytes, up to the first block */
	uint8_t method;
	uint32_t flags;
	uint32_t mode;
	int64_t mtime;
	uint64_t name_off;
	uint8_t name_len;
};

static uint32_t lzop_sum(bool crc, const uint8_t *p, uint64_t n)
{
	return crc ? lzo_crc32(0, p, (lzo_uint)n) : lzo_adler32(1, p, (lzo_uint)n);
}

/* Parse and validate the file header at the start of `in`. */
static int lzop_parse(const struct gb_span *in, struct lzop_hdr *h)
{
	uint16_t version, need = 0x0900;
	uint8_t level = 0;
	uint32_t u32, mlow, mhigh = 0, sum;
	uint64_t off = 13;
	const uint8_t *p;

	if (!gb_span_eq(in, 0, lzop_magic, sizeof(lzop_magic)) || gb_rd_u16be(in, 9, &version) < 0)
		return -GB_ENOTFOUND;
	if (version < 0x0900)
		return -GB_ENOTFOUND;
	if (version >= 0x0940) {
		if (gb_rd_u16be(in, off, &need) < 0)
			return -GB_ENOTFOUND;
		off += 2;
	}
	if (need < 0x0900 || need > version)
		return -GB_ENOTFOUND;
	if (gb_rd_u8(in, off++, &h->method) < 0 || h->method < 1 || h->method > 3)
		return -GB_ENOTFOUND;
	if (version >= 0x0940 && gb_rd_u8(in, off++, &level) < 0)
		return -GB_ENOTFOUND;
	if (level > 9 || gb_rd_u32be(in, off, &h->flags) < 0 || (h->flags & LZOP_F_RESERVED))
		return -GB_ENOTFOUND;
	off += 4;
	if (h->flags & LZOP_F_FILTER)
		off += 4;
	if (gb_rd_u32be(in, off, &h->mode) < 0 || gb_rd_u32be(in, off + 4, &mlow) < 0)
		return -GB_ENOTFOUND;
	off += 8;
	if (version >= 0x0940) {
		if (gb_rd_u32be(in, off, &mhigh) < 0)
			return -GB_ENOTFOUND;
		off += 4;
	}
	h->mtime = (int64_t)((uint64_t)mhigh << 32 | mlow);
	if (gb_rd_u8(in, off, &h->name_len) < 0)
		return -GB_ENOTFOUND;
	h->name_off = off + 1;
	off += 1 + (uint64_t)h->name_len;
	p = gb_span_at(in, 9, off - 9);
	if (!p || gb_rd_u32be(in, off, &sum) < 0)
		return -GB_ENOTFOUND;
	if (lzop_sum(h->flags & LZOP_F_H_CRC32, p, off - 9) != sum)
		return -GB_ENOTFOUND;
	off += 4;
	if (h->flags & LZOP_F_EXTRA) {
		if (gb_rd_u32be(in, off, &u32) < 0 || !gb_span_has(in, off + 4, (uint64_t)u32 + 4))
			return -GB_ENOTFOUND;
		off += 4 + (uint64_t)u32 + 4;
	}
	h->len = off;
	return 0;
}

struct lzop_block {
	uint32_t dst_len, src_len;
	uint32_t d_adler, d_crc, c_adler, c_crc;
	uint64_t data;  /* offset of the block's data */
};

/* Read an optional u32 at *off when `present`, advancing *off. */
static int lzop_opt32(const struct gb_span *in, bool present, uint64_t *off, uint32_t *ret)
{
	*ret = 0;
	if (!present)
		return 0;
	if (gb_rd_u32be(in, *off, ret) < 0)
		return -GB_ETRUNC;
	*off += 4;
	return 0;
}

/* Read the block header at off. Returns 1 for the end mark, 0 for a block,
 * -GB_ETRUNC when the header or data run off the span, -GB_ECORRUPT for
 * impossible lengths. */
static int lzop_block(const struct gb_span *in, const struct lzop_hdr *h, uint64_t off,
		      struct lzop_block *b)
{
	bool packed;

	if (gb_rd_u32be(in, off, &b->dst_len) < 0)
		return -GB_ETRUNC;
	if (b->dst_len == 0)
		return 1;
	if (gb_rd_u32be(in, off + 4, &b->src_len) < 0)
		return -GB_ETRUNC;
	if (b->dst_len > LZOP_BLOCK_MAX || b->src_len == 0 || b->src_len > b->dst_len)
		return -GB_ECORRUPT;
	off += 8;
	packed = b->src_len < b->dst_len;
	if (lzop_opt32(in, h->flags & LZOP_F_ADLER32_D, &off, &b->d_adler) < 0 ||
	    lzop_opt32(in, h->flags & LZOP_F_CRC32_D, &off, &b->d_crc) < 0 ||
	    lzop_opt32(in, packed && (h->flags & LZOP_F_ADLER32_C), &off, &b->c_adler) < 0 ||
	    lzop_opt32(in, packed && (h->flags & LZOP_F_CRC32_C), &off, &b->c_crc) < 0)
		return -GB_ETRUNC;
	b->data = off;
	return gb_span_has(in, off, b->src_len) ? 0 : -GB_ETRUNC;
}

static const char *lzop_method_name(uint8_t method)
{
	return method == 1 ? "lzo1x_1" : method == 2 ? "lzo1x_1_15" : "lzo1x_999";
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct lzop_hdr h;
	struct lzop_block b;
	uint64_t off;
	int r;

	if (lzop_parse(in, &h) < 0)
		return -GB_ENOTFOUND;
	/* Each step advances at least 12 bytes: the walk ends. */
	for (off = h.len; (r = lzop_block(in, &h, off, &b)) == 0;)
		off = b.data + b.src_len;
	memset(ret, 0, sizeof(*ret));
	ret->size = r == 1 ? off + 4 : GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%s", lzop_method_name(h.method));
	return 0;
}

/* Check a block's checksums (those the flags say are present). */
static bool lzop_sums_ok(const struct lzop_hdr *h, const struct lzop_block *b, const uint8_t *data,
			 const uint8_t *out)
{
	if ((h->flags & LZOP_F_ADLER32_D) && lzop_sum(false, out, b->dst_len) != b->d_adler)
		return false;
	if ((h->flags & LZOP_F_CRC32_D) && lzop_sum(true, out, b->dst_len) != b->d_crc)
		return false;
	if (b->src_len == b->dst_len)
		return true;
	if ((h->flags & LZOP_F_ADLER32_C) && lzop_sum(false, data, b->src_len) != b->c_adler)
		return false;
	if ((h->flags & LZOP_F_CRC32_C) && lzop_sum(true, data, b->src_len) != b->c_crc)
		return false;
	return true;
}

/* Decode the blocks from *pos into o; *pos ends after the end mark. */
static int lzop_decode(struct gb_sout *o, const struct gb_span *in, const struct lzop_hdr *h,
		       uint64_t *pos)
{
	struct lzop_block b;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int r;

	while ((r = lzop_block(in, h, *pos, &b)) == 0) {
		const uint8_t *data = in->p + b.data;
		const uint8_t *out = data;
		lzo_uint n = b.dst_len;

		if (b.src_len < b.dst_len) {
			if (cap < b.dst_len) {
				free(buf);
				cap = b.dst_len;
				buf = malloc(cap);
				if (!buf) {
					r = -GB_ENOMEM;
					break;
				}
			}
			if (lzo1x_decompress_safe(data, b.src_len, buf, &n, NULL) != LZO_E_OK ||
			    n != b.dst_len) {
				r = gb__sout_err(o, -GB_ECORRUPT, "bad lzo block at %llu",
						 (unsigned long long)*pos);
				break;
			}
			out = buf;
		}
		if (!lzop_sums_ok(h, &b, data, out)) {
			r = gb__sout_err(o, -GB_ECORRUPT, "lzo block at %llu: checksum mismatch",
					 (unsigned long long)*pos);
			break;
		}
		r = gb__sout_write(o, out, b.dst_len, b.data + b.src_len);
		if (r < 0)
			break;
		*pos = b.data + b.src_len;
	}
	free(buf);
	if (r == 1) {
		*pos += 4;
		return 0;
	}
	if (r == -GB_ETRUNC) {
		r = gb__sout_err(o, r, "lzo block at %llu runs past the end of data",
				 (unsigned long long)*pos);
		*pos = in->n;
	} else if (r == -GB_ECORRUPT && !o->msg[0]) {
		r = gb__sout_err(o, r, "lzo block at %llu: impossible lengths",
				 (unsigned long long)*pos);
	}
	return r;
}

static const struct gb_sout_ext lzop_exts[] = {
	{".lzo", ""}, {".tzo", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	struct lzop_hdr h;
	uint64_t pos;
	int r;

	if (lzop_parse(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "bad lzop header");
	gb__sout_init(&o, u, h.name_len ? (const char *)in->p + h.name_off : NULL, h.name_len,
		      lzop_exts);
	if (h.mode & 07777)
		o.e.mode = h.mode & 07777;
	o.e.mtime = h.mtime;
	pos = h.len;
	if (h.flags & LZOP_F_FILTER) {
		r = gb__sout_err(&o, -GB_EUNSUP, "lzop filters are not supported");
		return gb__sout_close(&o, r, pos);
	}
	if (lzo_init() != LZO_E_OK) {
		r = gb__sout_err(&o, -GB_EUNSUP, "liblzo2 failed to initialise");
		return gb__sout_close(&o, r, pos);
	}
	r = lzop_decode(&o, in, &h, &pos);
	return gb__sout_close(&o, r, pos);
}

static const struct gb_magic lzop_magics[] = {
	GB_MAGIC("\x89LZO\x00\x0d\x0a\x1a\x0a", 0),
};

const struct gb_format gb__fmt_lzop = {
	.name = "lzop",
	.description = "lzop compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = lzop_magics,
	.n_magics = sizeof(lzop_magics) / sizeof(lzop_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
