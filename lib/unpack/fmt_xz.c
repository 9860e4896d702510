/* xz (.xz container of LZMA2 and BCJ filters), decoded with liblzma.
 *
 * Stream header (12 bytes):
 *   0   magic        fd 37 7a 58 5a 00 ("\xfd7zXZ\0")
 *   6   flags        byte 0 zero; byte 1 = check type in bits 0-3
 *                    (0 none, 1 CRC32, 4 CRC64, 10 SHA-256), bits 4-7 zero
 *   8   CRC32        u32 LE of the two flag bytes
 * then blocks, the index, and a 12-byte footer (CRC32, backward size, flags,
 * "YZ"). Streams may be concatenated, with stream padding (multiples of four
 * zero bytes) between them; xz -d decodes them as one output, and so do we.
 *
 * probe checks the magic, the reserved flag bits and the header CRC32. The
 * stream length is only known after decoding (GB_SIZE_UNKNOWN); each stream
 * is decoded with its own lzma_stream_decoder() (not LZMA_CONCATENATED, which
 * reads past the last stream into whatever follows) so that the end of the
 * last stream is exact and data after it is left to the carver.
 */
#include <stdlib.h>

#include <lzma.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define XZ_HDR_LEN 12
#define XZ_MEMLIMIT (1ULL << 30) /* a 1.5 GiB dictionary is legal, but not in firmware */

static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

/* Validate a stream header at off; *ret_check gets the check type. */
static int xz_header(const struct gb_span *in, uint64_t off, unsigned *ret_check)
{
	const uint8_t *h = gb_span_at(in, off, XZ_HDR_LEN);

	if (!h || memcmp(h, xz_magic, sizeof(xz_magic)) != 0)
		return -GB_ENOTFOUND;
	if (h[6] != 0 || (h[7] & 0xf0) != 0)
		return -GB_ENOTFOUND;
	if (crc32(0, h + 6, 2) != gb_le32(h + 8))
		return -GB_ENOTFOUND;
	*ret_check = h[7];
	return 0;
}

static const char *xz_check_name(unsigned check)
{
	switch (check) {
	case 0:
		return "none";
	case 1:
		return "crc32";
	case 4:
		return "crc64";
	case 10:
		return "sha256";
	default:
		return "";
	}
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	unsigned check;

	if (xz_header(in, 0, &check) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_HIGH;
	snprintf(ret->variant, sizeof(ret->variant), "%s", xz_check_name(check));
	return 0;
}

static const char *xz_strerror(lzma_ret ret)
{
	switch (ret) {
	case LZMA_FORMAT_ERROR:
		return "not an xz stream";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	case LZMA_BUF_ERROR:
		return "unexpected end of data";
	case LZMA_UNSUPPORTED_CHECK:
		return "unsupported check";
	default:
		return "decoder error";
	}
}

/* Decode the stream at *pos into o; *pos is where decoding stopped (the
 * stream's end on success). */
static int xz_stream(struct gb_sout *o, const struct gb_span *in, uint64_t *pos, uint8_t *buf)
{
	lzma_stream zs = LZMA_STREAM_INIT;
	uint64_t start = *pos;
	lzma_ret ret;
	int r = 0;

	ret = lzma_stream_decoder(&zs, XZ_MEMLIMIT, 0);
	if (ret == LZMA_MEM_ERROR)
		return -GB_ENOMEM;
	if (ret != LZMA_OK)
		return gb__sout_err(o, -GB_EUNSUP, "lzma_stream_decoder failed");
	zs.next_in = in->p + start;
	zs.avail_in = in->n - start;
	for (;;) {
		size_t produced;

		zs.next_out = buf;
		zs.avail_out = GB_SOUT_CHUNK;
		ret = lzma_code(&zs, LZMA_FINISH);
		produced = GB_SOUT_CHUNK - zs.avail_out;
		*pos = start + zs.total_in;
		r = gb__sout_write(o, buf, produced, *pos);
		if (r < 0 || ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_OK)
			continue;
		if (ret == LZMA_MEM_ERROR)
			r = -GB_ENOMEM;
		else if (ret == LZMA_MEMLIMIT_ERROR)
			r = gb__sout_err(o, -GB_EUNSUP, "xz stream at %llu needs over %llu MiB",
					 (unsigned long long)start, XZ_MEMLIMIT >> 20);
		else if (ret == LZMA_BUF_ERROR && zs.avail_in == 0)
			r = gb__sout_err(o, -GB_ETRUNC, "xz stream cut at %llu",
					 (unsigned long long)*pos);
		else
			r = gb__sout_err(o, -GB_ECORRUPT, "xz stream at %llu: %s near offset %llu",
					 (unsigned long long)start, xz_strerror(ret),
					 (unsigned long long)*pos);
		break;
	}
	lzma_end(&zs);
	return r;
}

/* After a stream ends at pos: the start of the next stream when only stream
 * padding (zero bytes, a multiple of four) separates them, else 0. */
static uint64_t xz_next(const struct gb_span *in, uint64_t pos)
{
	uint64_t q = pos;
	unsigned check;
	uint8_t b;

	while (gb_rd_u8(in, q, &b) == 0 && b == 0)
		q++;
	if ((q - pos) % 4 != 0 || xz_header(in, q, &check) < 0)
		return 0;
	return q;
}

static const struct gb_sout_ext xz_exts[] = {
	{".xz", ""}, {".txz", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	uint64_t pos = 0, end = 0;
	uint8_t *buf;
	int r;

	gb__sout_init(&o, u, NULL, 0, xz_exts);
	buf = malloc(GB_SOUT_CHUNK);
	if (!buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	for (;;) {
		r = xz_stream(&o, in, &pos, buf);
		if (r < 0)
			break;
		end = pos;
		pos = xz_next(in, pos);
		if (pos == 0)
			break;
	}
	free(buf);
	return gb__sout_close(&o, r, r < 0 ? pos : end);
}

static const struct gb_magic xz_magics[] = {
	GB_MAGIC("\xfd" "7zXZ\x00", 0),
};

const struct gb_format gb__fmt_xz = {
	.name = "xz",
	.description = "xz compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = xz_magics,
	.n_magics = sizeof(xz_magics) / sizeof(xz_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
