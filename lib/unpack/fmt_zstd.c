/* Zstandard (RFC 8878), decoded with libzstd.
 *
 * A zstd file is a sequence of frames (little-endian fields):
 *   frame      magic 28 b5 2f fd, then the frame header:
 *              descriptor: bits 7-6 content-size flag, bit 5 single segment,
 *                          bit 4 unused, bit 3 reserved (zero), bit 2 checksum,
 *                          bits 1-0 dictionary-id flag
 *              [window descriptor: exponent (bits 7-3) + 10 = window log <= 31]
 *              [dictionary id: 0/1/2/4 bytes] [content size: 0/1/2/4/8 bytes]
 *              then blocks: 3-byte header (bit 0 last, bits 2-1 type, 3 is
 *              reserved, bits 23-3 size <= 128 KiB), data; [checksum u32]
 *   skippable  magic 50..5f 2a 4d 18, size u32, size bytes of user data
 *              (pzstd puts one before every frame; the seekable format ends
 *              with one holding its seek table)
 * Frames decode to one output, as zstd -d does. Data after the last frame
 * (that is neither a frame nor a skippable frame) is left to the carver.
 *
 * probe skips up to ZS_SKIP_MAX leading skippable frames, then checks the
 * frame header's reserved bit, window log, and the first block header (type
 * and size). The compressed length is only known after decoding
 * (GB_SIZE_UNKNOWN).
 */
#include <stdlib.h>

#include <zstd.h>
#include <zstd_errors.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define ZS_MAGIC 0xfd2fb528u
#define ZS_SKIP_MASK 0xfffffff0u
#define ZS_SKIP_MAGIC 0x184d2a50u
#define ZS_SKIP_MAX 16 /* leading skippable frames probe looks through */
#define ZS_BLOCK_MAX (128u << 10)

struct zs_frame {
	uint64_t hdr_len;     /* magic + frame header */
	uint32_t dict_id;
	uint64_t content_size; /* UINT64_MAX when not recorded */
};

/* Parse and check the frame header at off (magic included). */
static int zs_frame_header(const struct gb_span *in, uint64_t off, struct zs_frame *f)
{
	static const uint8_t did_len[4] = {0, 1, 2, 4};
	static const uint8_t fcs_len[4] = {0, 2, 4, 8};
	uint32_t magic, bh;
	uint8_t fhd, wd, single, n;
	uint64_t p = off + 5;

	if (gb_rd_u32le(in, off, &magic) < 0 || magic != ZS_MAGIC)
		return -GB_ENOTFOUND;
	if (gb_rd_u8(in, off + 4, &fhd) < 0)
		return -GB_ENOTFOUND;
	if (fhd & 0x08)
		return -GB_ENOTFOUND;
	single = fhd >> 5 & 1;
	if (!single) {
		if (gb_rd_u8(in, p, &wd) < 0 || (wd >> 3) + 10 > 31)
			return -GB_ENOTFOUND;
		p++;
	}
	f->dict_id = 0;
	n = did_len[fhd & 3];
	if (n) {
		const uint8_t *b = gb_span_at(in, p, n);
		if (!b)
			return -GB_ENOTFOUND;
		for (unsigned i = 0; i < n; i++)
			f->dict_id |= (uint32_t)b[i] << (8 * i);
		p += n;
	}
	f->content_size = UINT64_MAX;
	n = fcs_len[fhd >> 6];
	if (single && n == 0)
		n = 1;
	if (n) {
		const uint8_t *b = gb_span_at(in, p, n);
		if (!b)
			return -GB_ENOTFOUND;
		f->content_size = 0;
		for (unsigned i = 0; i < n; i++)
			f->content_size |= (uint64_t)b[i] << (8 * i);
		if (n == 2)
			f->content_size += 256;
		p += n;
	}
	/* The first block header: type 3 is reserved, sizes are capped. */
	if (gb_rd_u8(in, p, &n) < 0)
		return -GB_ENOTFOUND;
	bh = n;
	if (gb_rd_u8(in, p + 1, &n) < 0)
		return -GB_ENOTFOUND;
	bh |= (uint32_t)n << 8;
	if (gb_rd_u8(in, p + 2, &n) < 0)
		return -GB_ENOTFOUND;
	bh |= (uint32_t)n << 16;
	if ((bh >> 1 & 3) == 3 || bh >> 3 > ZS_BLOCK_MAX)
		return -GB_ENOTFOUND;
	f->hdr_len = p - off;
	return 0;
}

/* When a skippable frame starts at off: its total length; else 0. */
static uint64_t zs_skippable(const struct gb_span *in, uint64_t off)
{
	uint32_t magic, size;

	if (gb_rd_u32le(in, off, &magic) < 0 || (magic & ZS_SKIP_MASK) != ZS_SKIP_MAGIC)
		return 0;
	if (gb_rd_u32le(in, off + 4, &size) < 0 || !gb_span_has(in, off + 8, size))
		return 0;
	return 8 + (uint64_t)size;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct zs_frame f;
	uint64_t off = 0, n;

	for (unsigned i = 0; i < ZS_SKIP_MAX && (n = zs_skippable(in, off)) > 0; i++)
		off += n;
	if (zs_frame_header(in, off, &f) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_MEDIUM;
	return 0;
}

/* Decode the frame at *pos into o; *pos is where decoding stopped (the
 * frame's end on success). */
static int zs_decode(struct gb_sout *o, ZSTD_DCtx *dctx, const struct gb_span *in,
		     uint64_t *pos, uint8_t *buf)
{
	ZSTD_inBuffer ib = {in->p, in->n, (size_t)*pos};
	struct zs_frame f;
	uint64_t start = *pos;
	int r;

	if (zs_frame_header(in, start, &f) < 0)
		return gb__sout_err(o, -GB_ECORRUPT, "bad zstd frame header at %llu",
				    (unsigned long long)start);
	if (f.dict_id != 0)
		return gb__sout_err(o, -GB_EUNSUP, "zstd frame at %llu needs dictionary %u",
				    (unsigned long long)start, f.dict_id);
	ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
	for (;;) {
		ZSTD_outBuffer ob = {buf, GB_SOUT_CHUNK, 0};
		size_t ret = ZSTD_decompressStream(dctx, &ob, &ib);

		*pos = ib.pos;
		r = gb__sout_write(o, buf, ob.pos, *pos);
		if (r < 0)
			return r;
		if (ZSTD_isError(ret)) {
			int err = ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge
					  ? -GB_EUNSUP : -GB_ECORRUPT;
			return gb__sout_err(o, err, "zstd frame at %llu: %s near offset %llu",
					    (unsigned long long)start, ZSTD_getErrorName(ret),
					    (unsigned long long)*pos);
		}
		if (ret == 0)
			return 0;
		if (ib.pos == ib.size && ob.pos < ob.size)
			return gb__sout_err(o, -GB_ETRUNC, "zstd frame at %llu ends at %llu",
					    (unsigned long long)start, (unsigned long long)*pos);
	}
}

static const struct gb_sout_ext zs_exts[] = {
	{".zst", ""}, {".zstd", ""}, {".tzst", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	struct zs_frame f;
	ZSTD_DCtx *dctx;
	uint64_t pos = 0, end = 0, n;
	uint8_t *buf;
	int r = 0;

	gb__sout_init(&o, u, NULL, 0, zs_exts);
	buf = malloc(GB_SOUT_CHUNK);
	dctx = ZSTD_createDCtx();
	if (!buf || !dctx) {
		free(buf);
		ZSTD_freeDCtx(dctx);
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	}
	/* Frames and skippable frames, until something else follows. */
	for (;;) {
		n = zs_skippable(in, pos);
		if (n > 0) {
			pos += n;
			end = pos;
			continue;
		}
		if (end > 0 && zs_frame_header(in, pos, &f) < 0)
			break;
		r = zs_decode(&o, dctx, in, &pos, buf);
		if (r < 0)
			break;
		end = pos;
	}
	ZSTD_freeDCtx(dctx);
	free(buf);
	return gb__sout_close(&o, r, r < 0 ? pos : end);
}

static const struct gb_magic zs_magics[] = {
	GB_MAGIC("\x28\xb5\x2f\xfd", 0),
	GB_MAGIC("\x50\x2a\x4d\x18", 0), GB_MAGIC("\x51\x2a\x4d\x18", 0),
	GB_MAGIC("\x52\x2a\x4d\x18", 0), GB_MAGIC("\x53\x2a\x4d\x18", 0),
	GB_MAGIC("\x54\x2a\x4d\x18", 0), GB_MAGIC("\x55\x2a\x4d\x18", 0),
	GB_MAGIC("\x56\x2a\x4d\x18", 0), GB_MAGIC("\x57\x2a\x4d\x18", 0),
	GB_MAGIC("\x58\x2a\x4d\x18", 0), GB_MAGIC("\x59\x2a\x4d\x18", 0),
	GB_MAGIC("\x5a\x2a\x4d\x18", 0), GB_MAGIC("\x5b\x2a\x4d\x18", 0),
	GB_MAGIC("\x5c\x2a\x4d\x18", 0), GB_MAGIC("\x5d\x2a\x4d\x18", 0),
	GB_MAGIC("\x5e\x2a\x4d\x18", 0), GB_MAGIC("\x5f\x2a\x4d\x18", 0),
};

const struct gb_format gb__fmt_zstd = {
	.name = "zstd",
	.description = "Zstandard compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = zs_magics,
	.n_magics = sizeof(zs_magics) / sizeof(zs_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
