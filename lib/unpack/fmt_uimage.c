/* uimage: U-Boot legacy image ("uImage").
 *
 * Layout: a 64-byte big-endian header, then ih_size bytes of data.
 *    0  u32 ih_magic   0x27051956
 *    4  u32 ih_hcrc    CRC-32 (zlib) of the 64-byte header with ih_hcrc zeroed
 *    8  u32 ih_time    creation time
 *   12  u32 ih_size    data size
 *   16  u32 ih_load    load address
 *   20  u32 ih_ep      entry point
 *   24  u32 ih_dcrc    CRC-32 of the ih_size data bytes
 *   28  u8  ih_os, ih_arch, ih_type, ih_comp
 *   32  char ih_name[32]
 * Multi-file images (ih_type 4) start their data with a table of BE u32 image
 * sizes ended by a 0; the images follow, each padded to 4 bytes except the
 * last. The compression (ih_comp) applies to each image; the engine finds the
 * compressed stream inside the carved region by itself.
 *
 * Vendors often make ih_size cover more than the kernel (kernel + rootfs in
 * one image), which is fine: the region is carved recursively.
 *
 * probe checks: the magic and the header CRC. The size is 64 + ih_size, cut
 * to the data available; unpack reports the truncation and still carves what
 * is there. The data CRC is checked by unpack (a warning when it differs).
 */
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#include "crc.h"

#define IH_MAGIC 0x27051956U
#define IH_HDR 64
#define IH_TYPE_MULTI 4
#define MULTI_MAX 256 /* images in a multi-file image */

static const char *const arch_names[] = {
	"invalid", "alpha", "arm", "x86", "ia64", "mips", "mips64", "powerpc", "s390",
	"sh", "sparc", "sparc64", "m68k", "nios", "microblaze", "nios2", "blackfin",
	"avr32", "st200", "sandbox", "nds32", "or1k", "arm64", "arc", "x86_64", "xtensa",
	"riscv",
};

static const char *const type_names[] = {
	"invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script",
	"filesystem", "flat_dt", "kwbimage", "imximage", "ublimage", "omapimage",
	"aisimage", "kernel_noload", "pblimage", "mxsimage", "gpimage", "atmelimage",
	"socfpgaimage", "x86_setup", "lpc32xximage", "loadables", "rkimage", "rksd",
	"rkspi", "zynqimage", "zynqmpimage", "zynqmpbif", "fpga", "vybridimage", "tee",
	"firmware_ivt", "pmmc", "stm32image", "socfpgaimage_v1", "mtk_image",
	"imx8mimage", "imx8image", "copro", "sunxi_egon",
};

static const char *const comp_names[] = {
	"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd",
};

#define NAME_OF(tab, i) ((size_t)(i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : "unknown")

struct uimage_hdr {
	uint32_t hcrc, hcrc_computed, time, size, load, ep, dcrc;
	bool hcrc_ok;
	uint8_t os, arch, type, comp;
	char name[33];
};

/* A header whose CRC does not match is still reported (as an error node) when
 * every enumerated field is in range and the name is clean text: vendors
 * edit the name of signed images, and an evaluator wants to know. */
static bool plausible_without_crc(const uint8_t *p)
{
	if (p[28] == 0 || p[28] >= 32 || p[29] == 0 || p[29] >= sizeof(arch_names) / sizeof(arch_names[0]) ||
	    p[30] == 0 || p[30] >= sizeof(type_names) / sizeof(type_names[0]) ||
	    p[31] >= sizeof(comp_names) / sizeof(comp_names[0]))
		return false;
	bool ended = false;
	for (unsigned i = 0; i < 32; i++) {
		uint8_t c = p[32 + i];
		if (c == 0)
			ended = true;
		else if (ended || c < 0x20 || c >= 0x7f)
			return false;
	}
	return p[32] != 0;
}

/* Decode and check the header: 0, or -GB_ENOTFOUND. */
static int read_header(const struct gb_span *in, struct uimage_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, IH_HDR);
	uint8_t copy[IH_HDR];

	if (!p || gb_be32(p) != IH_MAGIC)
		return -GB_ENOTFOUND;
	memcpy(copy, p, IH_HDR);
	memset(copy + 4, 0, 4);
	h->hcrc = gb_be32(p + 4);
	h->hcrc_computed = gb_crc32(0, copy, IH_HDR);
	h->hcrc_ok = h->hcrc_computed == h->hcrc;
	h->time = gb_be32(p + 8);
	h->size = gb_be32(p + 12);
	h->load = gb_be32(p + 16);
	h->ep = gb_be32(p + 20);
	h->dcrc = gb_be32(p + 24);
	h->os = p[28];
	h->arch = p[29];
	h->type = p[30];
	h->comp = p[31];
	/* kept printable for diagnostics */
	for (unsigned i = 0; i < 32; i++) {
		uint8_t c = p[32 + i];

		h->name[i] = c == 0 || (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	h->name[32] = '\0';
	if (!h->hcrc_ok && !plausible_without_crc(p))
		return -GB_ENOTFOUND;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct uimage_hdr h;
	uint64_t size;
	int r = read_header(in, &h);

	if (r < 0)
		return r;
	size = IH_HDR + (uint64_t)h.size;
	memset(ret, 0, sizeof(*ret));
	ret->size = size < in->n ? size : in->n;
	ret->confidence = h.hcrc_ok ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	char v[96];
	snprintf(v, sizeof(v), "%s/%s/%s%s", NAME_OF(type_names, h.type), NAME_OF(arch_names, h.arch),
		 NAME_OF(comp_names, h.comp), h.hcrc_ok ? "" : "/bad-hcrc");
	snprintf(ret->variant, sizeof(ret->variant), "%.31s", v);
	return 0;
}

/* Carve the images of a multi-file image from the data [IH_HDR, end). */
static int unpack_multi(struct gb_unpack *u, const struct gb_span *in, uint64_t end)
{
	struct gb_span data;
	uint32_t n = 0, len;
	uint64_t off;
	char label[24];
	int r;

	if (gb_span_sub(in, IH_HDR, end - IH_HDR, &data) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "uImage: multi-file data out of range");
	for (;;) {
		if (gb_rd_u32be(&data, 4ULL * n, &len) < 0)
			return gb_unpack_fail(u, -GB_ETRUNC,
					      "uImage: multi-file size table runs past the data "
					      "(no terminating 0 within %u entries)", n);
		if (len == 0)
			break;
		if (++n > MULTI_MAX)
			return gb_unpack_fail(u, -GB_ECORRUPT,
					      "uImage: multi-file table has more than %d images",
					      MULTI_MAX);
	}
	off = 4ULL * (n + 1);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t avail = off < data.n ? data.n - off : 0;

		len = gb_be32(data.p + 4ULL * i);
		snprintf(label, sizeof(label), "image%u", i);
		if (len > avail) {
			gb_unpack_warn(u, "uImage: image %u declares %u bytes at data offset %llu, "
				       "only %llu available", i, len, (unsigned long long)off,
				       (unsigned long long)avail);
			len = (uint32_t)avail;
		}
		if (len > 0) {
			r = gb_unpack_region(u, IH_HDR + off, len, label);
			if (r < 0)
				return r;
		}
		off += (len + 3ULL) & ~3ULL;
	}
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct uimage_hdr h;
	uint64_t declared, avail, end;
	int r = read_header(in, &h);

	if (r < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "uImage: header no longer valid");
	if (!h.hcrc_ok)
		gb_unpack_warn(u, "uImage \"%s\": header CRC mismatch (stored 0x%08x, computed 0x%08x): "
			       "the header was altered after it was made", h.name, h.hcrc, h.hcrc_computed);
	declared = IH_HDR + (uint64_t)h.size;
	avail = in->n;
	end = declared < avail ? declared : avail;
	if (declared <= avail) {
		uint32_t dcrc = gb_crc32(0, in->p + IH_HDR, h.size);

		if (dcrc != h.dcrc)
			gb_unpack_warn(u, "uImage \"%s\": data CRC mismatch "
				       "(header 0x%08x, data 0x%08x)", h.name, h.dcrc, dcrc);
	}
	if (h.type == IH_TYPE_MULTI)
		r = unpack_multi(u, in, end);
	else if (end > IH_HDR)
		r = gb_unpack_region(u, IH_HDR, end - IH_HDR,
				     h.type == 0 ? "data" : NAME_OF(type_names, h.type));
	if (r < 0)
		return r;
	if (declared > avail)
		return gb_unpack_fail(u, -GB_ETRUNC,
				      "uImage \"%s\": header declares %u data bytes, "
				      "only %llu available", h.name, h.size,
				      (unsigned long long)(avail - IH_HDR));
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x27\x05\x19\x56", 0),
};

const struct gb_format gb__fmt_uimage = {
	.name = "uimage",
	.description = "U-Boot legacy image (uImage)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
