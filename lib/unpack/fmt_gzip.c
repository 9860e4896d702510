/* gzip (RFC 1952): one or more deflate "members", decoded as one stream.
 *
 * Member layout (little-endian):
 *   0   ID1 ID2  1f 8b
 *   2   CM       8 (deflate)
 *   3   FLG      bit0 FTEXT, bit1 FHCRC, bit2 FEXTRA, bit3 FNAME, bit4 FCOMMENT,
 *                bits 5-7 reserved (zero)
 *   4   MTIME    u32, Unix time or 0
 *   8   XFL      0, 2 (best) or 4 (fastest)
 *   9   OS       0..13, or 255 (unknown)
 *   10  [FEXTRA: XLEN u16, XLEN bytes] [FNAME: NUL-terminated]
 *       [FCOMMENT: NUL-terminated] [FHCRC: u16 = low half of CRC-32 of the above]
 *   ..  deflate data, then CRC32 u32 and ISIZE u32 of the member's output
 * A file may hold several members back to back (`cat a.gz b.gz`, pigz); they
 * decode to one output, as gzip -d does. Padding or data after the last
 * member is left to the carver.
 *
 * probe checks the magic, CM, the reserved flag bits, XFL, OS, that the
 * optional fields fit (FNAME/FCOMMENT capped), the header CRC when present,
 * and that the first deflate block type is not the reserved value 3. The
 * compressed length is only known after inflating (GB_SIZE_UNKNOWN).
 */
#include <stdlib.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10
#define GZ_FRESERVED 0xe0
#define GZ_STR_MAX 4096 /* longest FNAME/FCOMMENT accepted, NUL included */
#define GZ_FEED_MAX (1u << 30) /* zlib's avail_in is 32-bit */

struct gz_hdr {
	uint64_t len;      /* header bytes, up to the deflate data */
	uint32_t mtime;
	uint64_t name_off; /* FNAME, when name_len > 0 */
	uint64_t name_len; /* without the NUL */
	bool hcrc;         /* the header CRC was present (and matched) */
};

/* The length of the NUL-terminated string at off (NUL excluded), capped. */
static int gz_strlen(const struct gb_span *in, uint64_t off, uint64_t *ret)
{
	for (uint64_t i = 0; i < GZ_STR_MAX; i++) {
		uint8_t c;
		int r = gb_rd_u8(in, off + i, &c);
		if (r < 0)
			return r;
		if (c == 0) {
			*ret = i;
			return 0;
		}
	}
	return -GB_ECORRUPT;
}

/* Parse and validate a member header at the start of `in`. */
static int gz_parse(const struct gb_span *in, struct gz_hdr *h)
{
	static const uint8_t magic[3] = {0x1f, 0x8b, 0x08};
	uint8_t flg, xfl, os, b;
	uint64_t off = 10, n;
	int r;

	if (!gb_span_eq(in, 0, magic, sizeof(magic)))
		return -GB_ENOTFOUND;
	if (gb_rd_u8(in, 3, &flg) < 0 || gb_rd_u32le(in, 4, &h->mtime) < 0 ||
	    gb_rd_u8(in, 8, &xfl) < 0 || gb_rd_u8(in, 9, &os) < 0)
		return -GB_ENOTFOUND;
	if (flg & GZ_FRESERVED)
		return -GB_ENOTFOUND;
	if (xfl != 0 && xfl != 2 && xfl != 4)
		return -GB_ENOTFOUND;
	if (os > 13 && os != 255)
		return -GB_ENOTFOUND;
	h->name_len = 0;
	h->name_off = 0;
	if (flg & GZ_FEXTRA) {
		uint16_t xlen;
		if (gb_rd_u16le(in, off, &xlen) < 0)
			return -GB_ENOTFOUND;
		off += 2 + (uint64_t)xlen;
	}
	if (flg & GZ_FNAME) {
		if (gz_strlen(in, off, &n) < 0)
			return -GB_ENOTFOUND;
		h->name_off = off;
		h->name_len = n;
		off += n + 1;
	}
	if (flg & GZ_FCOMMENT) {
		if (gz_strlen(in, off, &n) < 0)
			return -GB_ENOTFOUND;
		off += n + 1;
	}
	h->hcrc = flg & GZ_FHCRC;
	if (h->hcrc) {
		uint16_t want;
		const uint8_t *p = gb_span_at(in, 0, off);
		if (!p || gb_rd_u16le(in, off, &want) < 0)
			return -GB_ENOTFOUND;
		if ((crc32(0, p, (uInt)off) & 0xffff) != want)
			return -GB_ENOTFOUND;
		off += 2;
	}
	/* BTYPE (bits 1-2 of the first deflate byte) 3 is reserved. */
	r = gb_rd_u8(in, off, &b);
	if (r < 0 || ((b >> 1) & 3) == 3)
		return -GB_ENOTFOUND;
	h->len = off;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct gz_hdr h;

	if (gz_parse(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = h.hcrc ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	return 0;
}

/* Inflate the member starting at *pos into o; on return *pos is where
 * decoding stopped (the member's end on success). */
static int gz_member(struct gb_sout *o, z_stream *zs, const struct gb_span *in, uint64_t *pos,
		     uint8_t *buf)
{
	uint64_t fed = *pos;
	int ret, r;

	if (inflateReset(zs) != Z_OK)
		return gb__sout_err(o, -GB_ECORRUPT, "inflateReset failed");
	zs->avail_in = 0;
	for (;;) {
		size_t produced;

		if (zs->avail_in == 0 && fed < in->n) {
			uint64_t left = in->n - fed;
			zs->next_in = (Bytef *)(uintptr_t)(in->p + fed);
			zs->avail_in = (uInt)(left < GZ_FEED_MAX ? left : GZ_FEED_MAX);
			fed += zs->avail_in;
		}
		zs->next_out = buf;
		zs->avail_out = GB_SOUT_CHUNK;
		ret = inflate(zs, Z_NO_FLUSH);
		produced = GB_SOUT_CHUNK - zs->avail_out;
		*pos = fed - zs->avail_in;
		r = gb__sout_write(o, buf, produced, *pos);
		if (r < 0)
			return r;
		if (ret == Z_STREAM_END)
			return 0;
		if (ret == Z_MEM_ERROR)
			return -GB_ENOMEM;
		if (ret == Z_BUF_ERROR)
			return gb__sout_err(o, -GB_ETRUNC, "gzip stream cut at %llu",
					    (unsigned long long)*pos);
		if (ret != Z_OK)
			return gb__sout_err(o, -GB_ECORRUPT, "bad gzip data near offset %llu: %s",
					    (unsigned long long)*pos, zs->msg ? zs->msg : "error");
	}
}

static const struct gb_sout_ext gz_exts[] = {
	{".gz", ""}, {".tgz", ".tar"}, {".z", ""}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	struct gz_hdr h;
	struct gb_span tail;
	z_stream zs;
	uint64_t pos = 0, end = 0;
	uint8_t *buf;
	int r;

	if (gz_parse(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "bad gzip header");
	gb__sout_init(&o, u, h.name_len ? (const char *)in->p + h.name_off : NULL,
		      (size_t)h.name_len, gz_exts);
	o.e.mtime = h.mtime;
	buf = malloc(GB_SOUT_CHUNK);
	memset(&zs, 0, sizeof(zs));
	if (!buf || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	}
	/* Members follow each other while the next bytes are a gzip header. */
	do {
		r = gz_member(&o, &zs, in, &pos, buf);
		if (r < 0)
			break;
		end = pos;
	} while (gb_span_tail(in, pos, &tail) == 0 && gz_parse(&tail, &h) == 0);
	inflateEnd(&zs);
	free(buf);
	return gb__sout_close(&o, r, r < 0 ? pos : end);
}

static const struct gb_magic gz_magics[] = {
	GB_MAGIC("\x1f\x8b\x08", 0),
};

const struct gb_format gb__fmt_gzip = {
	.name = "gzip",
	.description = "gzip compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = gz_magics,
	.n_magics = sizeof(gz_magics) / sizeof(gz_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
