/* 7z: 7-Zip archives, read through libarchive.
 *
 * Signature header (32 bytes, little-endian):
 *   0  "7z\xBC\xAF\x27\x1C"
 *   6  major version (0)      7  minor version (2..4 seen)
 *   8  StartHeaderCRC: CRC-32 of the 20 bytes at 12
 *   12 NextHeaderOffset (8)   20 NextHeaderSize (8)   28 NextHeaderCRC (4)
 * Packed streams follow the signature header; the (next) header sits at
 * 32 + NextHeaderOffset and ends the archive. It starts with 0x01 (Header)
 * or 0x17 (EncodedHeader, itself compressed). An empty archive has offset
 * and size 0.
 *
 * probe: signature, version, StartHeaderCRC; size = 32 + NextHeaderOffset +
 * NextHeaderSize. When the header lies inside the input its CRC and first
 * byte are checked too (HIGH confidence); a header past the end of the input
 * means a truncated archive, which claims the rest (unpack reports it).
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "archive_common.h"

#include <archive.h>

#define SIG_HDR 32u
#define MAX_NEXT_HEADER (1ULL << 32)

static uint32_t crc32_span(const uint8_t *p, uint64_t n)
{
	return (uint32_t)crc32_z(0L, p, (z_size_t)n);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	static const uint8_t sig[6] = {'7', 'z', 0xbc, 0xaf, 0x27, 0x1c};
	const uint8_t *h = gb_span_at(in, 0, SIG_HDR);
	const uint8_t *next;
	uint64_t off, size, end;
	bool whole = false;

	if (!h || memcmp(h, sig, 6) != 0 || h[6] != 0)
		return -GB_ENOTFOUND;
	if (crc32_span(h + 12, 20) != gb_le32(h + 8))
		return -GB_ENOTFOUND;
	off = gb_le64(h + 12);
	size = gb_le64(h + 20);
	if (size > MAX_NEXT_HEADER || (size == 0 && off != 0))
		return -GB_ENOTFOUND;
	if (gb_add_u64(SIG_HDR, off, &end) < 0 || gb_add_u64(end, size, &end) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->confidence = GB_CONF_MEDIUM;
	if (end <= in->n) {
		next = gb_span_at(in, SIG_HDR + off, size);
		whole = size == 0 ||
			((next[0] == 0x01 || next[0] == 0x17) &&
			 crc32_span(next, size) == gb_le32(h + 28));
		if (whole)
			ret->confidence = GB_CONF_HIGH;
	} else {
		end = in->n; /* truncated: claim the rest, unpack says so */
	}
	ret->size = end;
	snprintf(ret->variant, sizeof(ret->variant), "v0.%u", h[7]);
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_archive_opts opts = {
		.enable = archive_read_support_format_7zip,
	};
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("7z\xbc\xaf\x27\x1c", 0),
};

const struct gb_format gb__fmt_7z = {
	.name = "7z",
	.description = "7-Zip archive",
	.kind = GB_KIND_ARCHIVE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
