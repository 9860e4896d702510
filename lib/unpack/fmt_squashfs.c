/* squashfs: the read-only compressed filesystem of most Linux firmware.
 *
 * One format, several readers, chosen by magic, byte order and version:
 *   4.0 "hsqs" (LE) / "sqsh" (BE)      squashfs_v4.c: own metadata walker,
 *        libsquashfs decompressors (gzip, lzma, lzo, xz, lz4, zstd), the
 *        vendor LZMA streams of old SDKs through squashfs_legacy_comp.c
 *   2.x, 3.x with "hsqs", "shsq", "hsqt" (LE) or "sqsh", "qshs", "tqsh" (BE)
 *        squashfs_legacy.c: own reader for the bit-packed layouts, zlib or
 *        vendor LZMA (OpenWrt, DD-WRT, Linksys, Ralink/Trident, Hi-Link)
 * The superblock's u16 at offset 28 is the major version in every layout;
 * the magic gives the byte order (see squashfs_legacy.c for the 2.x/3.x
 * superblock, squashfs_v4.c for 4.0).
 *
 * probe reads the version and hands over to the reader's probe; the variant
 * says what was found: "xz", "be-xz", "lzma-vendor" for 4.0, "3.0 be lzma
 * (tqsh)" for the older layouts.
 */
#include <string.h>

#include "squashfs_int.h"

/* The major version, or 0 when the magic is not a squashfs one. */
static unsigned version_major(const struct gb_span *in)
{
	static const char *const be_magics[] = {"sqsh", "qshs", "tqsh"};
	static const char *const le_magics[] = {"hsqs", "shsq", "hsqt"};
	const uint8_t *p = gb_span_at(in, 0, 32);

	if (!p)
		return 0;
	for (unsigned i = 0; i < 3; i++) {
		if (memcmp(p, be_magics[i], 4) == 0)
			return gb_be16(p + 28) | (i ? 0x100U : 0);
		if (memcmp(p, le_magics[i], 4) == 0)
			return gb_le16(p + 28) | (i ? 0x100U : 0);
	}
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	unsigned v = version_major(in);

	if (v == 4) /* vendor magics never had a 4.0 */
		return sqfs4_probe(in, ret);
	if ((v & 0xFF) == 2 || (v & 0xFF) == 3)
		return sqfs_legacy_probe(in, ret);
	return -GB_ENOTFOUND;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	unsigned v = version_major(in);

	if (v == 4)
		return sqfs4_unpack(u, in, p);
	if ((v & 0xFF) == 2 || (v & 0xFF) == 3)
		return sqfs_legacy_unpack(u, in, p);
	return gb_unpack_fail(u, -GB_ECORRUPT, "squashfs: superblock no longer valid");
}

static const struct gb_magic magics[] = {
	GB_MAGIC("hsqs", 0), GB_MAGIC("sqsh", 0), GB_MAGIC("shsq", 0),
	GB_MAGIC("qshs", 0), GB_MAGIC("hsqt", 0), GB_MAGIC("tqsh", 0),
};

const struct gb_format gb__fmt_squashfs = {
	.name = "squashfs",
	.description = "SquashFS 2.x, 3.x and 4.0 filesystem (vendor LZMA variants included)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
