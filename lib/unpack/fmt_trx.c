/* trx: Broadcom TRX firmware container (Linksys, Netgear, Asus, OpenWrt brcm).
 *
 * Layout, little-endian:
 *    0  char magic[4]   "HDR0"
 *    4  u32 len         bytes of the whole image, header included
 *    8  u32 crc32       CRC-32 of bytes [12, len): zlib's crc32 without the
 *                       final inversion (stored == ~crc32(0, data, n))
 *   12  u16 flags       (0x1: no header, 0x2: gzip files, 0x4: overlays ...)
 *   14  u16 version     1 or 2
 *   16  u32 offsets[3]  partition starts from the header start (v1: 28-byte
 *                       header); v2 has a fourth offset (32-byte header)
 * Unused offsets are 0. A partition runs to the next partition's start or to
 * len. Typical v1: loader/kernel at 28, kernel, rootfs. DD-WRT images with
 * flags 0x1 carry a single offset.
 *
 * probe checks: the magic, the version, len >= the header and the CRC over
 * [12, len). When len runs past the data available the CRC cannot be checked:
 * the candidate is then accepted (medium confidence) only when its offsets are
 * sane (first at the header's end, increasing, inside len); unpack reports
 * the truncation and carves what is there.
 */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#include "crc.h"

#define TRX_MAX_PARTS 4

struct trx_hdr {
	uint32_t len, crc, flags, version;
	uint32_t hdr_size;
	unsigned n_offsets;
	uint32_t off[TRX_MAX_PARTS];
};

static int read_header(const struct gb_span *in, struct trx_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, 28);
	uint32_t fv;

	if (!p || memcmp(p, "HDR0", 4) != 0)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	h->len = gb_le32(p + 4);
	h->crc = gb_le32(p + 8);
	fv = gb_le32(p + 12);
	h->flags = fv & 0xffff;
	h->version = fv >> 16;
	if (h->version == 1) {
		h->hdr_size = 28;
		h->n_offsets = 3;
	} else if (h->version == 2) {
		h->hdr_size = 32;
		h->n_offsets = 4;
		p = gb_span_at(in, 0, 32);
		if (!p)
			return -GB_ENOTFOUND;
	} else {
		return -GB_ENOTFOUND;
	}
	if (h->len < h->hdr_size)
		return -GB_ENOTFOUND;
	for (unsigned i = 0; i < h->n_offsets; i++)
		h->off[i] = gb_le32(p + 16 + 4 * i);
	return 0;
}

/* Offsets of a TRX whose CRC cannot be checked must look like a real one. */
static bool offsets_sane(const struct trx_hdr *h)
{
	uint32_t prev = 0;

	if (h->off[0] != h->hdr_size)
		return false;
	for (unsigned i = 0; i < h->n_offsets; i++) {
		if (h->off[i] == 0)
			continue;
		if (h->off[i] <= prev || h->off[i] >= h->len)
			return false;
		prev = h->off[i];
	}
	return true;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct trx_hdr h;
	enum gb_confidence conf = GB_CONF_HIGH;
	int r = read_header(in, &h);

	if (r < 0)
		return r;
	if (h.len <= in->n) {
		if (~gb_crc32(0, in->p + 12, h.len - 12) != h.crc)
			return -GB_ENOTFOUND;
	} else {
		if (!offsets_sane(&h))
			return -GB_ENOTFOUND;
		conf = GB_CONF_MEDIUM;
	}
	memset(ret, 0, sizeof(*ret));
	ret->size = h.len <= in->n ? h.len : in->n;
	ret->confidence = conf;
	snprintf(ret->variant, sizeof(ret->variant), "v%u", h.version);
	return 0;
}

/* The end of the partition starting at start: the nearest valid partition
 * start above it, else len. */
static uint64_t part_end(const struct trx_hdr *h, uint32_t start)
{
	uint64_t end = h->len;

	for (unsigned j = 0; j < h->n_offsets; j++) {
		uint32_t o = h->off[j];

		if (o > start && o < end && o >= h->hdr_size)
			end = o;
	}
	return end;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct trx_hdr h;
	uint64_t avail = in->n;
	unsigned emitted = 0;
	char label[24];
	int r = read_header(in, &h);

	if (r < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "TRX header no longer valid");
	for (unsigned i = 0; i < h.n_offsets; i++) {
		uint32_t start = h.off[i];
		uint64_t end;

		if (start == 0)
			continue;
		if (start < h.hdr_size || start >= h.len) {
			gb_unpack_warn(u, "TRX partition %u offset 0x%x outside the image "
				       "(header %u bytes, len %u): skipped", i, start, h.hdr_size,
				       h.len);
			continue;
		}
		if (start >= avail)
			continue; /* truncated away; reported below */
		end = part_end(&h, start);
		if (end > avail)
			end = avail;
		snprintf(label, sizeof(label), "partition%u", i);
		r = gb_unpack_region(u, start, end - start, label);
		if (r < 0)
			return r;
		emitted++;
	}
	if (emitted == 0 && avail > h.hdr_size) {
		r = gb_unpack_region(u, h.hdr_size, avail - h.hdr_size, "payload");
		if (r < 0)
			return r;
	}
	if (h.len > avail)
		return gb_unpack_fail(u, -GB_ETRUNC,
				      "TRX declares len %u past end (only %llu bytes available)",
				      h.len, (unsigned long long)avail);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("HDR0", 0),
};

const struct gb_format gb__fmt_trx = {
	.name = "trx",
	.description = "Broadcom TRX firmware image",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
