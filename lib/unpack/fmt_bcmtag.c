/* bcmtag: the Broadcom BCM63xx CFE image tag, the 256-byte header of
 * ".bin" firmware for Broadcom DSL routers (OpenWrt tools/firmware-utils
 * imagetag.c and bcm_tag.h; Linux include/linux/bcm963xx_tag.h).
 *
 * Layout (text fields are ASCII, NUL-padded; numbers in decimal):
 *    0  char tag_version[4]       "6", "7", "8"
 *    4  char sig_1[20]            "Broadcom Corporatio" (vendor text)
 *   24  char sig_2[14]            "ver. 2.0"
 *   38  char chip_id[6]           "6348"
 *   44  char board_id[16]         "96348GW-11"
 *   60  char big_endian[2]        "1" big-endian CRCs, "0" little
 *   62  char total_length[10]     cfe + rootfs + kernel bytes
 *   72  char cfe_address[12], 84 char cfe_length[10]
 *   94  char rootfs_address[12], 106 char rootfs_length[10]
 *  116  char kernel_address[12], 128 char kernel_length[10]
 *  138  dual_image[2], inactive[2], rsa_signature[20], information1[30],
 *  192  flash_layout_ver[4], fskernel_crc, information2[16]
 *  216  u32 image_crc    CRC of everything after the tag
 *  220  u32 rootfs_crc, 224 u32 kernel_crc
 *  228  image_sequence[4], 232 real rootfs length (OpenWrt)
 *  236  u32 header_crc   CRC of bytes [0, 236)
 * CRCs are "JAM" CRC-32 (init 0xffffffff, no final inversion, i.e.
 * ~zlib crc32), in the byte order big_endian says.
 * After the tag: the CFE (cfe_length, usually 0), the rootfs, the kernel.
 * The addresses are flash addresses; the rootfs sits right after the tag and
 * the CFE, so a part's file offset is 256 + cfe_length + (its address -
 * rootfs_address), and the kernel otherwise follows the rootfs.
 *
 * probe checks: "Broadcom Corporatio" at 4 (the carving magic) or a digit
 * tag version with "ver. 2.0" (start only), numeric length fields, the
 * parts inside total_length; the header CRC (either byte order). High
 * confidence with a matching header CRC and, when the image is complete,
 * matching part CRCs; medium otherwise (unpack then warns and still carves).
 * Size: 256 + total_length, cut to the data available.
 */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#define TAG_LEN 256
#define TAG_MAX_TOTAL (1U << 30)

struct bcm_tag {
	uint64_t total, cfe_len, rootfs_addr, rootfs_len, kernel_addr, kernel_len;
	uint64_t rootfs_off, kernel_off;
	bool be;
	char version[5], chip[7], board[17];
};

struct bcm_check {
	bool header, complete, image, rootfs, kernel;
};

/* A decimal field: digits then NULs/spaces; an all-NUL field is 0. */
static bool number(const uint8_t *p, size_t n, uint64_t *ret)
{
	size_t i = 0;

	*ret = 0;
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		*ret = *ret * 10 + (uint64_t)(p[i] - '0');
	for (; i < n; i++)
		if (p[i] != 0 && p[i] != ' ')
			return false;
	return true;
}

static bool text(const uint8_t *p, size_t n, char *out)
{
	size_t k = 0;

	while (k < n && p[k]) {
		if (p[k] < 0x20 || p[k] > 0x7e)
			return false;
		out[k] = (char)p[k];
		k++;
	}
	out[k] = 0;
	return true;
}

static uint32_t jamcrc(const uint8_t *p, uint64_t n)
{
	uLong c = crc32(0, Z_NULL, 0);

	while (n > 0) {
		uInt k = n > (1U << 30) ? (1U << 30) : (uInt)n;

		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return ~(uint32_t)c;
}

static uint32_t rd_crc(const uint8_t *p, bool be)
{
	return be ? gb_be32(p) : gb_le32(p);
}

static int read_tag(const struct gb_span *in, struct bcm_tag *t)
{
	const uint8_t *p = gb_span_at(in, 0, TAG_LEN);
	uint64_t rootfs_end;

	if (!p || memcmp(p + 24, "ver. 2.0", 8) != 0 || p[0] < '0' || p[0] > '9')
		return -GB_ENOTFOUND;
	memset(t, 0, sizeof(*t));
	if (!text(p, 4, t->version) || !text(p + 38, 6, t->chip) || !text(p + 44, 16, t->board) ||
	    !number(p + 62, 10, &t->total) || !number(p + 84, 10, &t->cfe_len) ||
	    !number(p + 94, 12, &t->rootfs_addr) || !number(p + 106, 10, &t->rootfs_len) ||
	    !number(p + 116, 12, &t->kernel_addr) || !number(p + 128, 10, &t->kernel_len))
		return -GB_ENOTFOUND;
	t->be = p[60] != '0';
	if (t->total > TAG_MAX_TOTAL || t->cfe_len > t->total || t->rootfs_len > t->total ||
	    t->kernel_len > t->total || t->rootfs_len + t->kernel_len == 0)
		return -GB_ENOTFOUND;
	t->rootfs_off = TAG_LEN + t->cfe_len;
	rootfs_end = t->rootfs_off + t->rootfs_len;
	t->kernel_off = rootfs_end;
	if (t->kernel_addr && t->rootfs_addr && t->kernel_addr >= t->rootfs_addr &&
	    t->kernel_addr - t->rootfs_addr <= t->total)
		t->kernel_off = t->rootfs_off + (t->kernel_addr - t->rootfs_addr);
	if (rootfs_end > TAG_LEN + t->total || t->kernel_off + t->kernel_len > TAG_LEN + t->total)
		return -GB_ENOTFOUND;
	return 0;
}

static void verify(const struct gb_span *in, const struct bcm_tag *t, struct bcm_check *c)
{
	uint32_t h = jamcrc(in->p, 236);

	memset(c, 0, sizeof(*c));
	c->header = h == gb_be32(in->p + 236) || h == gb_le32(in->p + 236);
	c->complete = TAG_LEN + t->total <= in->n;
	if (!c->complete)
		return;
	c->image = jamcrc(in->p + TAG_LEN, t->total) == rd_crc(in->p + 216, t->be) ||
		   rd_crc(in->p + 216, t->be) == 0;
	c->rootfs = !t->rootfs_len || jamcrc(in->p + t->rootfs_off, t->rootfs_len) ==
				       rd_crc(in->p + 220, t->be);
	c->kernel = !t->kernel_len || jamcrc(in->p + t->kernel_off, t->kernel_len) ==
				       rd_crc(in->p + 224, t->be);
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct bcm_tag t;
	struct bcm_check c;

	if (read_tag(in, &t) < 0)
		return -GB_ENOTFOUND;
	verify(in, &t, &c);
	memset(ret, 0, sizeof(*ret));
	ret->size = TAG_LEN + t.total <= in->n ? TAG_LEN + t.total : in->n;
	ret->confidence = c.header && (!c.complete || (c.image && c.rootfs && c.kernel))
				  ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "v%s", t.version);
	return 0;
}

static int carve(struct gb_unpack *u, uint64_t avail, uint64_t off, uint64_t len, const char *label)
{
	uint64_t end = off + len;

	if (len == 0 || off >= avail)
		return 0;
	return gb_unpack_region(u, off, (end < avail ? end : avail) - off, label);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct bcm_tag t;
	struct bcm_check c;
	int r;

	(void)p;
	if (read_tag(in, &t) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "Broadcom image tag no longer valid");
	verify(in, &t, &c);
	gb_unpack_set_attr(u, "board_id", t.board);
	gb_unpack_set_attr(u, "chip_id", t.chip);
	gb_unpack_set_attr(u, "tag_version", t.version);
	gb_unpack_set_attr(u, "header_crc", c.header ? "ok" : "mismatch");
	if (!c.header)
		gb_unpack_warn(u, "Broadcom tag: header CRC at offset 236 does not match");
	if (c.complete && !(c.image && c.rootfs && c.kernel))
		gb_unpack_warn(u, "Broadcom tag: CRC mismatch:%s%s%s (parts carved anyway)",
			       c.image ? "" : " image", c.rootfs ? "" : " rootfs", c.kernel ? "" : " kernel");
	if (t.cfe_len)
		r = carve(u, in->n, TAG_LEN, t.cfe_len, "cfe");
	else
		r = 0;
	if (r == 0)
		r = carve(u, in->n, t.rootfs_off, t.rootfs_len, "rootfs");
	if (r == 0)
		r = carve(u, in->n, t.kernel_off, t.kernel_len, "kernel");
	if (r < 0)
		return r;
	if (!c.complete)
		return gb_unpack_fail(u, -GB_ETRUNC, "Broadcom tag: total_length %llu past the end "
				      "(%llu bytes after the tag)", (unsigned long long)t.total,
				      (unsigned long long)(in->n - TAG_LEN));
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("Broadcom Corporatio", 4),
	GB_MAGIC_START("6\0\0\0"),
	GB_MAGIC_START("7\0\0\0"),
	GB_MAGIC_START("8\0\0\0"),
};

const struct gb_format gb__fmt_bcmtag = {
	.name = "bcmtag",
	.description = "Broadcom BCM63xx CFE image tag",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
