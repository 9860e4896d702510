/* tplink: the TP-Link firmware header (OpenWrt tools/firmware-utils
 * mktplinkfw.c / mktplinkfw2.c), in front of factory and upgrade images of
 * TP-Link routers (ar71xx/ath79, ramips, lantiq) and of OpenWrt's own
 * "factory.bin" for them.
 *
 * Version 1 (mktplinkfw.c), 512 bytes, big-endian:
 *    0  u32 version        0x01000000 (bytes 01 00 00 00)
 *    4  char vendor[24]    "TP-LINK Technologies", "OpenWrt"
 *   28  char fw_version[36] "ver. 1.0", "r42647"
 *   64  u32 hw_id, 68 u32 hw_rev, 72 u32 unk1
 *   76  u8 md5sum1[16]     MD5 of the first fw_length bytes computed with
 *                          this field holding a salt (md5salt_normal, or
 *                          md5salt_boot when a bootloader is included)
 *   92  u32 unk2, 96 u8 md5sum2[16], 112 u32 unk3
 *  116  u32 kernel_la, 120 kernel_ep
 *  124  u32 fw_length       the whole image, header included
 *  128  u32 kernel_ofs, 132 kernel_len   (from the header start)
 *  136  u32 rootfs_ofs, 140 rootfs_len
 *  144  u32 boot_ofs, 148 boot_len
 *  152  u16 ver_hi, ver_mid, ver_lo; padding to 512
 * Version 2/3 (mktplinkfw2.c, 0x02000000 / 0x03000000), 512 bytes:
 *    4  char fw_version[48]; 0x34 hw_id; 0x38 hw_rev; 0x3c hw_ver_add;
 *  0x40 md5sum1[16]; 0x54 md5sum2; 0x68 kernel_la; 0x6c kernel_ep;
 *  0x70 fw_length; 0x74 kernel_ofs; 0x78 kernel_len; 0x7c rootfs_ofs;
 *  0x80 rootfs_len; 0x84 boot_ofs; 0x88 boot_len; 0x8c u16 0x55aa;
 *  0x90 u8 0xa5
 *
 * RTOS images (VxWorks routers, binwalk's "TP-Link RTOS firmware"), 0x94
 * bytes, big-endian:
 *    0  u32 magic1  0x00142fc0 (0 in nested images)
 *   20  char magic2[4] "IMG0"
 *   24  u32 data_size   the image runs to 20 + data_size
 *   28  u16 model, 30 u8 hw_rev
 * The rest of the image follows the header (region "firmware"); a second
 * IMG0 header inside it is found when that region is carved.
 *
 * OpenWrt's images put the rootfs right after the kernel and leave
 * rootfs_ofs at the flash layout's value (the kernel splits the partition by
 * looking for the squashfs): the "rootfs" region therefore starts at the end
 * of the kernel and runs to fw_length (the carver skips any padding).
 *
 * probe checks: the version, printable NUL-terminated strings, fw_length at
 * least the header, the kernel after the header and inside fw_length; v2 also the 0x55aa/0xa5 marker bytes. Confidence is high with a
 * known vendor string ("TP-LINK", "OpenWrt") or the v2 markers, medium
 * otherwise and when the image is truncated. RTOS: "IMG0", magic1 0x00142fc0
 * (high) or 0 (medium), data_size at least the header. The MD5 (libcrypto, which
 * allocates, so not in probe) is checked by unpack: a mismatch is a warning,
 * the parts are carved anyway. Size: fw_length, cut to the data available.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <glassbox/sys/format.h>

#define TPL_HDR 512
#define TPL_MAX_LEN (1U << 30)

static const uint8_t salt_normal[16] = {0xdc, 0xd7, 0x3a, 0xa5, 0xc3, 0x95, 0x98, 0xfb,
					0xdd, 0xf9, 0xe7, 0xf4, 0x0e, 0xae, 0x47, 0x38};
static const uint8_t salt_boot[16] = {0x8c, 0xef, 0x33, 0x5b, 0xd5, 0xc5, 0xce, 0xfa,
				      0xa7, 0x9c, 0x28, 0xda, 0xb2, 0xe9, 0x0f, 0x42};

struct tpl_hdr {
	unsigned version;
	char vendor[25], fw_version[49];
	uint32_t hw_id, hw_rev, kernel_la, kernel_ep, fw_length;
	uint32_t kernel_ofs, kernel_len, rootfs_ofs, rootfs_len, boot_ofs, boot_len;
	uint32_t md5_off; /* where md5sum1 is */
	bool known_vendor;
};

/* A NUL-terminated printable string in [p, p+cap); copied to out. */
static bool take_string(const uint8_t *p, size_t cap, char *out, bool allow_empty)
{
	size_t n = 0;

	while (n < cap && p[n])
		if (p[n] < 0x20 || p[n] > 0x7e)
			return false;
		else
			n++;
	if (n == cap || (n == 0 && !allow_empty))
		return false;
	memcpy(out, p, n + 1);
	return true;
}

static bool range_ok(uint32_t ofs, uint32_t len, uint32_t total)
{
	return len == 0 || ((uint64_t)ofs + len <= total && ofs >= TPL_HDR);
}

static int read_header(const struct gb_span *in, struct tpl_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, TPL_HDR);
	unsigned f; /* offset of the numeric block (kernel_la) */

	if (!p)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	h->version = gb_be32(p);
	if (h->version == 0x01000000U) {
		h->version = 1;
		if (!take_string(p + 4, 24, h->vendor, false) ||
		    !take_string(p + 28, 36, h->fw_version, true))
			return -GB_ENOTFOUND;
		h->known_vendor = strncmp(h->vendor, "TP-LINK", 7) == 0 ||
				  strncmp(h->vendor, "OpenWrt", 7) == 0;
		h->hw_id = gb_be32(p + 64);
		h->hw_rev = gb_be32(p + 68);
		h->md5_off = 76;
		f = 116;
	} else if (h->version == 0x02000000U || h->version == 0x03000000U) {
		h->version >>= 24;
		if (!take_string(p + 4, 48, h->fw_version, true) || gb_be16(p + 0x8c) != 0x55aa ||
		    p[0x90] != 0xa5)
			return -GB_ENOTFOUND;
		h->known_vendor = true;
		h->hw_id = gb_be32(p + 0x34);
		h->hw_rev = gb_be32(p + 0x38);
		h->md5_off = 0x40;
		f = 0x68;
	} else {
		return -GB_ENOTFOUND;
	}
	h->kernel_la = gb_be32(p + f);
	h->kernel_ep = gb_be32(p + f + 4);
	h->fw_length = gb_be32(p + f + 8);
	h->kernel_ofs = gb_be32(p + f + 12);
	h->kernel_len = gb_be32(p + f + 16);
	h->rootfs_ofs = gb_be32(p + f + 20);
	h->rootfs_len = gb_be32(p + f + 24);
	h->boot_ofs = gb_be32(p + f + 28);
	h->boot_len = gb_be32(p + f + 32);
	/* rootfs_ofs is often a flash offset and boot_ofs may be 0: only the
	 * kernel range must be exact (unpack clamps the others) */
	if (h->fw_length < TPL_HDR || h->fw_length > TPL_MAX_LEN || h->kernel_len == 0 ||
	    !range_ok(h->kernel_ofs, h->kernel_len, h->fw_length))
		return -GB_ENOTFOUND;
	return 0;
}

#define RTOS_HDR 0x94

/* The RTOS image's end (20 + data_size), or 0 when it is not one. */
static uint64_t rtos_total(const struct gb_span *in)
{
	const uint8_t *p = gb_span_at(in, 0, RTOS_HDR);
	uint32_t m1;

	if (!p || memcmp(p + 20, "IMG0", 4) != 0)
		return 0;
	m1 = gb_be32(p);
	if (m1 != 0x00142fc0U && m1 != 0)
		return 0;
	if (gb_be32(p + 24) < RTOS_HDR || gb_be32(p + 24) > TPL_MAX_LEN)
		return 0;
	return 20 + (uint64_t)gb_be32(p + 24);
}

static int probe_rtos(const struct gb_span *in, struct gb_probe *ret)
{
	uint64_t total = rtos_total(in);

	if (!total)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = total <= in->n ? total : in->n;
	ret->confidence = gb_be32(in->p) && total <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "rtos");
	return 0;
}

static int unpack_rtos(struct gb_unpack *u, const struct gb_span *in)
{
	uint64_t total = rtos_total(in);
	char v[16];
	int r = 0;

	if (!total)
		return gb_unpack_fail(u, -GB_ECORRUPT, "TP-Link RTOS header no longer valid");
	snprintf(v, sizeof(v), "0x%04x", gb_be16(in->p + 28));
	gb_unpack_set_attr(u, "model", v);
	snprintf(v, sizeof(v), "0x%02x", in->p[30]);
	gb_unpack_set_attr(u, "hw_rev", v);
	if (in->n > RTOS_HDR)
		r = gb_unpack_region(u, RTOS_HDR, (total < in->n ? total : in->n) - RTOS_HDR, "firmware");
	if (r < 0)
		return r;
	if (total > in->n)
		return gb_unpack_fail(u, -GB_ETRUNC, "TP-Link RTOS: data_size runs %llu bytes past the end",
				      (unsigned long long)(total - in->n));
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct tpl_hdr h;

	if (gb_span_eq(in, 20, "IMG0", 4))
		return probe_rtos(in, ret);
	if (read_header(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = h.fw_length <= in->n ? h.fw_length : in->n;
	ret->confidence = h.known_vendor && h.fw_length <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "v%u", h.version);
	return 0;
}

/* 1 when the MD5 matches with either salt, 0 when not, <0 on a libcrypto error. */
static int check_md5(const struct gb_span *in, const struct tpl_hdr *h)
{
	const uint8_t *const salts[] = {salt_normal, salt_boot};
	uint8_t hdr[TPL_HDR], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int found = 0;

	for (size_t i = 0; i < 2 && !found; i++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();

		if (!c)
			return -GB_ENOMEM;
		memcpy(hdr, in->p, TPL_HDR);
		memcpy(hdr + h->md5_off, salts[i], 16);
		if (!EVP_DigestInit_ex(c, EVP_md5(), NULL) || !EVP_DigestUpdate(c, hdr, TPL_HDR) ||
		    !EVP_DigestUpdate(c, in->p + TPL_HDR, h->fw_length - TPL_HDR) ||
		    !EVP_DigestFinal_ex(c, md, &mdlen)) {
			EVP_MD_CTX_free(c);
			return -GB_ENOMEM;
		}
		EVP_MD_CTX_free(c);
		found = mdlen == 16 && memcmp(md, in->p + h->md5_off, 16) == 0;
	}
	return found;
}

static void set_attrs(struct gb_unpack *u, const struct tpl_hdr *h, const char *md5)
{
	char v[24];

	if (h->vendor[0])
		gb_unpack_set_attr(u, "vendor", h->vendor);
	gb_unpack_set_attr(u, "fw_version", h->fw_version);
	snprintf(v, sizeof(v), "0x%08x", h->hw_id);
	gb_unpack_set_attr(u, "hw_id", v);
	snprintf(v, sizeof(v), "0x%08x", h->hw_rev);
	gb_unpack_set_attr(u, "hw_rev", v);
	snprintf(v, sizeof(v), "0x%08x", h->kernel_la);
	gb_unpack_set_attr(u, "kernel_load", v);
	snprintf(v, sizeof(v), "0x%08x", h->kernel_ep);
	gb_unpack_set_attr(u, "kernel_entry", v);
	gb_unpack_set_attr(u, "md5", md5);
}

static int carve(struct gb_unpack *u, uint64_t avail, uint64_t off, uint64_t end, const char *label)
{
	if (end > avail)
		end = avail;
	if (off >= end)
		return 0;
	return gb_unpack_region(u, off, end - off, label);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct tpl_hdr h;
	uint64_t avail = in->n, kend, rstart;
	const char *md5 = "not checked (truncated)";
	int r;

	if (strcmp(p->variant, "rtos") == 0)
		return unpack_rtos(u, in);
	if (read_header(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "TP-Link header no longer valid");
	if (h.fw_length <= avail) {
		r = check_md5(in, &h);
		if (r < 0)
			return gb_unpack_fail(u, r, "TP-Link: MD5 could not be computed");
		md5 = r ? "ok" : "mismatch";
		if (!r)
			gb_unpack_warn(u, "TP-Link: MD5 at offset %u does not match the image "
				       "(modified or unknown salt): parts carved anyway", h.md5_off);
	}
	set_attrs(u, &h, md5);
	r = 0;
	/* never from offset 0: the region would start with this very header */
	if (h.boot_len && h.boot_ofs < h.fw_length)
		r = carve(u, avail, h.boot_ofs < TPL_HDR ? TPL_HDR : h.boot_ofs,
			  (uint64_t)h.boot_ofs + h.boot_len, "boot");
	kend = (uint64_t)h.kernel_ofs + h.kernel_len;
	if (r == 0)
		r = carve(u, avail, h.kernel_ofs, kend, "kernel");
	rstart = kend;
	if (r == 0 && (h.rootfs_len || rstart < h.fw_length))
		r = carve(u, avail, rstart, h.fw_length, h.rootfs_len ? "rootfs" : "data");
	if (r < 0)
		return r;
	if (h.fw_length > avail)
		return gb_unpack_fail(u, -GB_ETRUNC, "TP-Link: fw_length %u past the end "
				      "(%llu bytes available): image truncated", h.fw_length,
				      (unsigned long long)avail);
	return 0;
}

static const struct gb_magic magics[] = {
	/* the vendor string after the version word: a pattern starting 01 00 would stop
	 * the matcher's skip loop all over little-endian data */
	GB_MAGIC("TP-LINK Technologies", 4),
	GB_MAGIC("OpenWrt\0", 4),
	GB_MAGIC_START("\x01\x00\x00\x00"),
	GB_MAGIC_START("\x02\x00\x00\x00"),
	GB_MAGIC_START("\x03\x00\x00\x00"),
	GB_MAGIC("IMG0", 20),
};

const struct gb_format gb__fmt_tplink = {
	.name = "tplink",
	.description = "TP-Link firmware header (v1, v2/v3)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
