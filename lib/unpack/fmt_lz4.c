/* LZ4, frame format and legacy format, decoded with liblz4.
 *
 * Frame format (little-endian):
 *   0   magic     04 22 4d 18
 *   4   FLG       bits 7-6 version (01), bit 5 block independence, bit 4 block
 *                 checksum, bit 3 content size, bit 2 content checksum,
 *                 bit 1 reserved (0), bit 0 dictionary id
 *   5   BD        bit 7 reserved (0), bits 6-4 block max size (4..7 = 64 KiB
 *                 .. 4 MiB), bits 3-0 reserved (0)
 *   6   [content size u64] [dictionary id u32]
 *   ..  HC        (XXH32(FLG .. last optional field, seed 0) >> 8) & 0xff
 *   then blocks: u32 size (bit 31 = stored uncompressed, 0 = end mark),
 *   data, [block checksum u32]; after the end mark [content checksum u32].
 * Skippable frames (magic 50..5f 2a 4d 18, u32 size, data) may sit between
 * frames; frames and skippable frames decode to one output, as lz4 -d does.
 *
 * Legacy format (lz4 -l, the Linux kernel's lz4 compression):
 *   0   magic     02 21 4c 18
 *   4   blocks    u32 compressed size, data; each block decodes to 8 MiB
 *                 except the last one. There is no end mark: the stream ends
 *                 after a short block, at the end of data, or before a size
 *                 that cannot be a block (0, too big, another magic). The
 *                 kernel appends the uncompressed size after the stream; it is
 *                 left to the carver like any trailing data.
 *
 * probe checks, for frames: version, reserved bits, block size id and the
 * header checksum HC (XXH32, computed here: liblz4 does not export it); for
 * legacy: the first block size, and that its first sequence starts with
 * literals. The compressed length is only known after decoding
 * (GB_SIZE_UNKNOWN).
 */
#include <stdlib.h>

#include <lz4.h>
#include <lz4frame.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define L4_MAGIC 0x184d2204u
#define L4_LEGACY_MAGIC 0x184c2102u
#define L4_SKIP_MASK 0xfffffff0u
#define L4_SKIP_MAGIC 0x184d2a50u
#define L4_LEGACY_BLOCK (8u << 20)

struct l4_frame {
	uint64_t hdr_len;
	uint64_t content_size; /* 0 when not recorded */
	bool dict;
};

static uint32_t l4_rotl(uint32_t v, unsigned n)
{
	return v << n | v >> (32 - n);
}

/* XXH32 for inputs shorter than 16 bytes (a frame descriptor is at most 14). */
static uint32_t l4_xxh32_short(const uint8_t *p, size_t n)
{
	const uint32_t p1 = 0x9e3779b1u, p2 = 0x85ebca77u, p3 = 0xc2b2ae3du, p4 = 0x27d4eb2fu,
		       p5 = 0x165667b1u;
	uint32_t h = p5 + (uint32_t)n;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		h += gb_le32(p + i) * p3;
		h = l4_rotl(h, 17) * p4;
	}
	for (; i < n; i++) {
		h += p[i] * p5;
		h = l4_rotl(h, 11) * p1;
	}
	h ^= h >> 15;
	h *= p2;
	h ^= h >> 13;
	h *= p3;
	h ^= h >> 16;
	return h;
}

/* Parse and check a frame header at off (magic included). */
static int l4_frame_header(const struct gb_span *in, uint64_t off, struct l4_frame *f)
{
	uint32_t magic;
	uint8_t flg, bd, hc;
	uint64_t n = 2;
	const uint8_t *d;

	if (gb_rd_u32le(in, off, &magic) < 0 || magic != L4_MAGIC)
		return -GB_ENOTFOUND;
	if (gb_rd_u8(in, off + 4, &flg) < 0 || gb_rd_u8(in, off + 5, &bd) < 0)
		return -GB_ENOTFOUND;
	if ((flg >> 6) != 1 || (flg & 0x02) || (bd & 0x8f) || (bd >> 4) < 4)
		return -GB_ENOTFOUND;
	if (flg & 0x08)
		n += 8;
	if (flg & 0x01)
		n += 4;
	d = gb_span_at(in, off + 4, n);
	if (!d || gb_rd_u8(in, off + 4 + n, &hc) < 0)
		return -GB_ENOTFOUND;
	if ((l4_xxh32_short(d, (size_t)n) >> 8 & 0xff) != hc)
		return -GB_ENOTFOUND;
	f->content_size = (flg & 0x08) ? gb_le64(d + 2) : 0;
	f->dict = flg & 0x01;
	f->hdr_len = 4 + n + 1;
	return 0;
}

/* When a skippable frame starts at off: its total length; else 0. */
static uint64_t l4_skippable(const struct gb_span *in, uint64_t off)
{
	uint32_t magic, size;

	if (gb_rd_u32le(in, off, &magic) < 0 || (magic & L4_SKIP_MASK) != L4_SKIP_MAGIC)
		return 0;
	if (gb_rd_u32le(in, off + 4, &size) < 0 || !gb_span_has(in, off + 8, size))
		return 0;
	return 8 + (uint64_t)size;
}

/* A legacy block size at off that could start a block. */
static bool l4_legacy_size(const struct gb_span *in, uint64_t off, uint32_t *ret)
{
	if (gb_rd_u32le(in, off, ret) < 0)
		return false;
	return *ret > 0 && *ret <= (uint32_t)LZ4_compressBound(L4_LEGACY_BLOCK);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct l4_frame f;
	uint32_t magic, csize;
	uint8_t token;

	if (l4_frame_header(in, 0, &f) == 0) {
		memset(ret, 0, sizeof(*ret));
		ret->size = GB_SIZE_UNKNOWN;
		ret->confidence = GB_CONF_HIGH;
		snprintf(ret->variant, sizeof(ret->variant), "frame");
		return 0;
	}
	if (gb_rd_u32le(in, 0, &magic) < 0 || magic != L4_LEGACY_MAGIC)
		return -GB_ENOTFOUND;
	/* The first sequence of a stream cannot be a match: it has literals. */
	if (!l4_legacy_size(in, 4, &csize) || gb_rd_u8(in, 8, &token) < 0 || (token >> 4) == 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "legacy");
	return 0;
}

/* Decode the frame at *pos into o; *pos is where decoding stopped (the
 * frame's end on success). */
static int l4_decode_frame(struct gb_sout *o, LZ4F_dctx *dctx, const struct gb_span *in,
			   uint64_t *pos, uint8_t *buf)
{
	uint64_t start = *pos;
	struct l4_frame f;
	int r;

	if (l4_frame_header(in, start, &f) < 0)
		return gb__sout_err(o, -GB_ECORRUPT, "bad lz4 frame header at %llu",
				    (unsigned long long)start);
	if (f.dict)
		return gb__sout_err(o, -GB_EUNSUP, "lz4 frame at %llu needs a dictionary",
				    (unsigned long long)start);
	if (!o->begun && f.content_size)
		o->e.size = f.content_size;
	LZ4F_resetDecompressionContext(dctx);
	for (;;) {
		size_t src_n = in->n - *pos, dst_n = GB_SOUT_CHUNK;
		size_t ret = LZ4F_decompress(dctx, buf, &dst_n, in->p + *pos, &src_n, NULL);

		*pos += src_n;
		r = gb__sout_write(o, buf, dst_n, *pos);
		if (r < 0)
			return r;
		if (LZ4F_isError(ret))
			return gb__sout_err(o, -GB_ECORRUPT, "lz4 frame at %llu: %s near %llu",
					    (unsigned long long)start, LZ4F_getErrorName(ret),
					    (unsigned long long)*pos);
		if (ret == 0)
			return 0;
		if (*pos == in->n && dst_n < GB_SOUT_CHUNK)
			return gb__sout_err(o, -GB_ETRUNC, "lz4 frame at %llu ends at %llu",
					    (unsigned long long)start, (unsigned long long)*pos);
	}
}

static int l4_unpack_frames(struct gb_sout *o, const struct gb_span *in, uint64_t *end)
{
	LZ4F_dctx *dctx = NULL;
	struct l4_frame f;
	uint64_t pos = 0, n;
	uint8_t *buf;
	int r = 0;

	buf = malloc(GB_SOUT_CHUNK);
	if (!buf || LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
		free(buf);
		return -GB_ENOMEM;
	}
	/* Frames and skippable frames, until something else follows. */
	for (;;) {
		n = l4_skippable(in, pos);
		if (n > 0) {
			pos += n;
			*end = pos;
			continue;
		}
		if (*end > 0 && l4_frame_header(in, pos, &f) < 0)
			break;
		r = l4_decode_frame(o, dctx, in, &pos, buf);
		if (r < 0) {
			*end = pos;
			break;
		}
		*end = pos;
	}
	LZ4F_freeDecompressionContext(dctx);
	free(buf);
	return r;
}

/* The legacy format: 8 MiB blocks until a short one (see the top). */
static int l4_unpack_legacy(struct gb_sout *o, const struct gb_span *in, uint64_t *end)
{
	uint64_t pos = 4;
	uint32_t csize;
	uint8_t *buf;
	int r = 0, n = L4_LEGACY_BLOCK;

	buf = malloc(L4_LEGACY_BLOCK);
	if (!buf)
		return -GB_ENOMEM;
	*end = pos;
	/* A short block was the last one; a magic starts another stream. */
	while (n == L4_LEGACY_BLOCK && l4_legacy_size(in, pos, &csize) &&
	       csize != L4_LEGACY_MAGIC) {
		const uint8_t *src = gb_span_at(in, pos + 4, csize);

		if (!src) {
			r = gb__sout_err(o, -GB_ETRUNC, "lz4 block at %llu needs %u bytes",
					 (unsigned long long)pos, csize);
			*end = in->n;
			break;
		}
		n = LZ4_decompress_safe((const char *)src, (char *)buf, (int)csize,
					L4_LEGACY_BLOCK);
		if (n < 0) {
			r = gb__sout_err(o, -GB_ECORRUPT, "bad lz4 block at %llu",
					 (unsigned long long)pos);
			break;
		}
		r = gb__sout_write(o, buf, (size_t)n, pos + 4 + (uint64_t)csize);
		pos += 4 + (uint64_t)csize;
		*end = pos;
		if (r < 0)
			break;
	}
	free(buf);
	return r;
}

static const struct gb_sout_ext l4_exts[] = {
	{".lz4", ""}, {".tlz4", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	uint64_t end = 0;
	int r;

	gb__sout_init(&o, u, NULL, 0, l4_exts);
	if (strcmp(p->variant, "legacy") == 0)
		r = l4_unpack_legacy(&o, in, &end);
	else
		r = l4_unpack_frames(&o, in, &end);
	return gb__sout_close(&o, r, end);
}

static const struct gb_magic l4_magics[] = {
	GB_MAGIC("\x04\x22\x4d\x18", 0),
	GB_MAGIC("\x02\x21\x4c\x18", 0),
};

const struct gb_format gb__fmt_lz4 = {
	.name = "lz4",
	.description = "LZ4 compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = l4_magics,
	.n_magics = sizeof(l4_magics) / sizeof(l4_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
