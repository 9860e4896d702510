/* bzip2, decoded with libbz2.
 *
 * Stream layout (a bit stream, most significant bit first):
 *   0   "BZh"          magic
 *   3   '1'..'9'       block size in units of 100 kB
 *   4   block magic    31 41 59 26 53 59 (BCD pi), then per block: CRC32 u32,
 *                      randomised bit, origPtr (24 bits, < 100000 * level + 10),
 *                      the Huffman-coded BWT data ...
 *       or end magic   17 72 45 38 50 90 (sqrt pi), then the stream CRC u32,
 *                      padding to a byte boundary.
 * Blocks after the first are not byte-aligned. pbzip2 and lbzip2 write several
 * streams back to back; bzip2 -d decodes them as one output, and so do we.
 * Data after the last stream is left to the carver.
 *
 * probe checks the magic, the level digit, the block (or end-of-stream)
 * magic and, for a block, that origPtr fits the block size. The compressed
 * length is only known after decoding (GB_SIZE_UNKNOWN).
 */
#include <stdlib.h>

#include <bzlib.h>

#include <glassbox/sys/format.h>

#include "unpack/stream_out.h"

#define BZ_FEED_MAX (1u << 30) /* avail_in is an unsigned int */

static const uint8_t bz_block_magic[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
static const uint8_t bz_eos_magic[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};

/* Validate a stream header at off; *ret_level gets the level digit's value. */
static int bz_header(const struct gb_span *in, uint64_t off, unsigned *ret_level)
{
	uint8_t level;
	uint32_t v, origptr;

	if (!gb_span_eq(in, off, "BZh", 3) || gb_rd_u8(in, off + 3, &level) < 0)
		return -GB_ENOTFOUND;
	if (level < '1' || level > '9')
		return -GB_ENOTFOUND;
	if (gb_span_eq(in, off + 4, bz_eos_magic, sizeof(bz_eos_magic))) {
		*ret_level = level - '0';
		return 0;
	}
	if (!gb_span_eq(in, off + 4, bz_block_magic, sizeof(bz_block_magic)))
		return -GB_ENOTFOUND;
	/* After the block CRC: randomised bit, then origPtr (24 bits). */
	if (gb_rd_u32be(in, off + 14, &v) < 0)
		return -GB_ENOTFOUND;
	origptr = v >> 7 & 0xffffff;
	if (origptr > 10 + 100000u * (unsigned)(level - '0'))
		return -GB_ENOTFOUND;
	*ret_level = level - '0';
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	unsigned level;

	if (bz_header(in, 0, &level) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = GB_SIZE_UNKNOWN;
	ret->confidence = GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "%u00k", level);
	return 0;
}

/* Decode the stream at *pos into o; *pos is where decoding stopped (the
 * stream's end on success). */
static int bz_decode(struct gb_sout *o, const struct gb_span *in, uint64_t *pos, uint8_t *buf)
{
	bz_stream bz;
	uint64_t fed = *pos;
	int ret, r = 0;

	memset(&bz, 0, sizeof(bz));
	ret = BZ2_bzDecompressInit(&bz, 0, 0);
	if (ret != BZ_OK)
		return ret == BZ_MEM_ERROR ? -GB_ENOMEM : gb__sout_err(o, -GB_EUNSUP, "bzip2 init");
	for (;;) {
		size_t produced;

		if (bz.avail_in == 0 && fed < in->n) {
			uint64_t left = in->n - fed;
			bz.next_in = (char *)(uintptr_t)(in->p + fed);
			bz.avail_in = (unsigned)(left < BZ_FEED_MAX ? left : BZ_FEED_MAX);
			fed += bz.avail_in;
		}
		bz.next_out = (char *)buf;
		bz.avail_out = GB_SOUT_CHUNK;
		ret = BZ2_bzDecompress(&bz);
		produced = GB_SOUT_CHUNK - bz.avail_out;
		*pos = fed - bz.avail_in;
		r = gb__sout_write(o, buf, produced, *pos);
		if (r < 0 || ret == BZ_STREAM_END)
			break;
		if (ret == BZ_MEM_ERROR) {
			r = -GB_ENOMEM;
			break;
		}
		if (ret != BZ_OK) {
			r = gb__sout_err(o, -GB_ECORRUPT, "bad bzip2 data near offset %llu",
					 (unsigned long long)*pos);
			break;
		}
		if (bz.avail_in == 0 && fed == in->n && bz.avail_out > 0) {
			r = gb__sout_err(o, -GB_ETRUNC, "bzip2 stream ends at %llu before its end",
					 (unsigned long long)*pos);
			break;
		}
	}
	BZ2_bzDecompressEnd(&bz);
	return r;
}

static const struct gb_sout_ext bz_exts[] = {
	{".bz2", ""}, {".bz", ""}, {".tbz2", ".tar"}, {".tbz", ".tar"}, {NULL, NULL},
};

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_sout o;
	uint64_t pos = 0, end = 0;
	unsigned level;
	uint8_t *buf;
	int r;

	gb__sout_init(&o, u, NULL, 0, bz_exts);
	buf = malloc(GB_SOUT_CHUNK);
	if (!buf)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	/* Streams follow each other while the next bytes are a bzip2 header. */
	do {
		r = bz_decode(&o, in, &pos, buf);
		if (r < 0)
			break;
		end = pos;
	} while (bz_header(in, pos, &level) == 0);
	free(buf);
	return gb__sout_close(&o, r, r < 0 ? pos : end);
}

static const struct gb_magic bz_magics[] = {
	GB_MAGIC("BZh1", 0), GB_MAGIC("BZh2", 0), GB_MAGIC("BZh3", 0),
	GB_MAGIC("BZh4", 0), GB_MAGIC("BZh5", 0), GB_MAGIC("BZh6", 0),
	GB_MAGIC("BZh7", 0), GB_MAGIC("BZh8", 0), GB_MAGIC("BZh9", 0),
};

const struct gb_format gb__fmt_bzip2 = {
	.name = "bzip2",
	.description = "bzip2 compressed data",
	.kind = GB_KIND_COMPRESSED,
	.magics = bz_magics,
	.n_magics = sizeof(bz_magics) / sizeof(bz_magics[0]),
	.probe = probe,
	.unpack = unpack,
};
