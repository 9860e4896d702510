/* zyimage: the ZyXEL "ZNBG" signature trailer of the ZyXEL Keenetic routers'
 * images (OpenWrt ramips targets, ZYIMAGE_ID).
 *
 * Layout followed: OpenWrt's writer, firmware-utils src/zyimage.c
 * (-d device_id -v version FILE), which appends 60 bytes to the image:
 *   n-60  char magic[4]     "ZNBG"
 *   n-56  u32  device_id    little-endian as OpenWrt writes it (its ZYIMAGE_ID
 *                           values; ZyXEL's own tool writes it big-endian)
 *   n-52  char version[48]  NUL-terminated, zero padded ("V.1.0.0(1.0.0)")
 *   n-4   u32  crc          CRC-32 register over the n-60 image bytes without
 *                           the final inversion (== ~zlib crc32), little-endian
 * The signed file is the image followed by the trailer; nothing in front of
 * the image says so, so the format is start_only with an empty magic: every
 * file or region start is asked whether its last 60 bytes are such a trailer.
 *
 * probe checks: more than 60 bytes, "ZNBG" at n-60, a printable version
 * followed by zeros only, and the CRC over everything in front of the
 * trailer. With no header to go by, the CRC is the evidence: a trailer whose
 * CRC does not match is not claimed (its image is carved as if unsigned).
 * unpack records the device id and version and carves the region "image"
 * (all but the trailer). Size: the whole file or region.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "crc.h"

#define ZNBG_LEN 60
#define ZNBG_VERSION_LEN 48

struct znbg {
	uint32_t device_id, crc;
	uint64_t image_len;
	char version[ZNBG_VERSION_LEN];
};

static int read_trailer(const struct gb_span *in, struct znbg *z)
{
	const uint8_t *p;
	size_t n = 0;

	if (in->n <= ZNBG_LEN)
		return -GB_ENOTFOUND;
	p = gb_span_at(in, in->n - ZNBG_LEN, ZNBG_LEN);
	if (!p || memcmp(p, "ZNBG", 4) != 0)
		return -GB_ENOTFOUND;
	memset(z, 0, sizeof(*z));
	while (n < ZNBG_VERSION_LEN && p[8 + n] >= 0x20 && p[8 + n] <= 0x7e)
		n++;
	if (n == 0 || n == ZNBG_VERSION_LEN)
		return -GB_ENOTFOUND;
	for (size_t i = n; i < ZNBG_VERSION_LEN; i++)
		if (p[8 + i] != 0)
			return -GB_ENOTFOUND;
	memcpy(z->version, p + 8, n);
	z->device_id = gb_le32(p + 4);
	z->crc = gb_le32(p + 56);
	z->image_len = in->n - ZNBG_LEN;
	if (~gb_crc32(0, in->p, (size_t)z->image_len) != z->crc)
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct znbg z;

	if (read_trailer(in, &z) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = in->n;
	ret->confidence = GB_CONF_HIGH;
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct znbg z;
	char v[32];

	(void)p;
	if (read_trailer(in, &z) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "ZyXEL ZNBG trailer no longer valid");
	snprintf(v, sizeof(v), "0x%08x", z.device_id);
	gb_unpack_set_attr(u, "device_id", v);
	gb_unpack_set_attr(u, "version", z.version);
	gb_unpack_set_attr(u, "crc", "ok");
	return gb_unpack_region(u, 0, z.image_len, "image");
}

/* Empty: asked at every file or region start (the trailer is at the end). */
static const struct gb_magic magics[] = {
	GB_MAGIC_START(""),
};

const struct gb_format gb__fmt_zyimage = {
	.name = "zyimage",
	.description = "ZyXEL ZNBG signature trailer (Keenetic, zyimage)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.start_only = true,
	.probe = probe,
	.unpack = unpack,
};
