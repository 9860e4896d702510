/* chk: Netgear .chk firmware image (OpenWrt tools/firmware-utils
 * mkchkimg.c; Netgear WNR/WNDR/R-series routers, usually around a TRX).
 *
 * Layout, big-endian:
 *    0  u32 magic          0x2a23245e
 *    4  u32 header_len     40 + strlen(board_id)
 *    8  u8  reserved[8]    region (1 WW, 2 NA), version major, minor, build
 *   16  u32 kernel_chksum  Netgear checksum of the kernel part
 *   20  u32 rootfs_chksum  ... of the rootfs part (0 when there is none)
 *   24  u32 kernel_len
 *   28  u32 rootfs_len
 *   32  u32 image_chksum   ... of kernel and rootfs together
 *   36  u32 header_chksum  ... of the header_len bytes with this field 0
 *   40  char board_id[]    e.g. "U12H072T00_NETGEAR", not NUL-terminated
 *  header_len: kernel_len bytes, then rootfs_len bytes
 * The checksum (netgear_checksum_*): c0 += byte, c1 += c0 over the bytes;
 * each folded twice into 16 bits; result c1 << 16 | c0.
 *
 * probe checks: the magic, 40 < header_len <= 40 + 64 with a printable board
 * id, kernel_len > 0, and the checksums: all matching is high confidence; a
 * header whose own checksum matches but whose parts do not (or are cut
 * short), or a structurally sane header whose checksum does not match, is
 * medium; unpack then says which checksum failed and carves anyway. Size:
 * header_len + kernel_len + rootfs_len, cut to the data available.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define CHK_MAGIC 0x2a23245eU
#define CHK_FIXED 40
#define CHK_MAX_BOARD 64

struct ngr_sum {
	uint32_t c0, c1;
};

static void sum_add(struct ngr_sum *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c->c0 += p[i];
		c->c1 += c->c0;
	}
}

static uint32_t sum_fini(const struct ngr_sum *c)
{
	uint32_t b, c0, c1;

	b = (c->c0 & 0xffff) + (c->c0 >> 16);
	c0 = ((b >> 16) + b) & 0xffff;
	b = (c->c1 & 0xffff) + (c->c1 >> 16);
	c1 = ((b >> 16) + b) & 0xffff;
	return c1 << 16 | c0;
}

struct chk_hdr {
	uint32_t hlen, kernel_sum, rootfs_sum, kernel_len, rootfs_len, image_sum, header_sum;
	uint64_t total;
	char board[CHK_MAX_BOARD + 1];
};

struct chk_check {
	bool header, kernel, rootfs, image, complete;
};

static int read_header(const struct gb_span *in, struct chk_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, CHK_FIXED);

	if (!p || gb_be32(p) != CHK_MAGIC)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	h->hlen = gb_be32(p + 4);
	if (h->hlen <= CHK_FIXED || h->hlen > CHK_FIXED + CHK_MAX_BOARD)
		return -GB_ENOTFOUND;
	p = gb_span_at(in, 0, h->hlen);
	if (!p)
		return -GB_ENOTFOUND;
	for (uint32_t i = CHK_FIXED; i < h->hlen; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return -GB_ENOTFOUND;
		h->board[i - CHK_FIXED] = (char)p[i];
	}
	h->kernel_sum = gb_be32(p + 16);
	h->rootfs_sum = gb_be32(p + 20);
	h->kernel_len = gb_be32(p + 24);
	h->rootfs_len = gb_be32(p + 28);
	h->image_sum = gb_be32(p + 32);
	h->header_sum = gb_be32(p + 36);
	if (h->kernel_len == 0)
		return -GB_ENOTFOUND;
	h->total = (uint64_t)h->hlen + h->kernel_len + h->rootfs_len;
	return 0;
}

static void verify(const struct gb_span *in, const struct chk_hdr *h, struct chk_check *c)
{
	static const uint8_t zero[4];
	struct ngr_sum hs = {0, 0}, ks = {0, 0}, rs = {0, 0}, is = {0, 0};

	memset(c, 0, sizeof(*c));
	sum_add(&hs, in->p, 36);
	sum_add(&hs, zero, 4);
	sum_add(&hs, in->p + CHK_FIXED, h->hlen - CHK_FIXED);
	c->header = sum_fini(&hs) == h->header_sum;
	c->complete = h->total <= in->n;
	if (!c->complete)
		return;
	sum_add(&ks, in->p + h->hlen, h->kernel_len);
	sum_add(&rs, in->p + h->hlen + h->kernel_len, h->rootfs_len);
	is = ks;
	sum_add(&is, in->p + h->hlen + h->kernel_len, h->rootfs_len);
	c->kernel = sum_fini(&ks) == h->kernel_sum;
	c->rootfs = h->rootfs_len == 0 || sum_fini(&rs) == h->rootfs_sum;
	c->image = sum_fini(&is) == h->image_sum;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct chk_hdr h;
	struct chk_check c;

	if (read_header(in, &h) < 0)
		return -GB_ENOTFOUND;
	verify(in, &h, &c);
	memset(ret, 0, sizeof(*ret));
	ret->size = h.total <= in->n ? h.total : in->n;
	ret->confidence = c.header && c.complete && c.kernel && c.rootfs && c.image ? GB_CONF_HIGH
										   : GB_CONF_MEDIUM;
	return 0;
}

static void set_attrs(struct gb_unpack *u, const struct gb_span *in, const struct chk_hdr *h,
		      const struct chk_check *c)
{
	char v[32];

	gb_unpack_set_attr(u, "board_id", h->board);
	snprintf(v, sizeof(v), "%u", in->p[8]);
	gb_unpack_set_attr(u, "region", v);
	snprintf(v, sizeof(v), "%u.%u.%u", in->p[9], in->p[10], in->p[11]);
	gb_unpack_set_attr(u, "version", v);
	gb_unpack_set_attr(u, "header_checksum", c->header ? "ok" : "mismatch");
	gb_unpack_set_attr(u, "image_checksum", !c->complete ? "not checked (truncated)"
					       : c->kernel && c->rootfs && c->image ? "ok" : "mismatch");
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct chk_hdr h;
	struct chk_check c;
	uint64_t avail = in->n, kend;
	int r = 0;

	(void)p;
	if (read_header(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "Netgear CHK header no longer valid");
	verify(in, &h, &c);
	set_attrs(u, in, &h, &c);
	if (!c.header)
		gb_unpack_warn(u, "CHK header checksum at offset 36 does not match");
	if (c.complete && (!c.kernel || !c.rootfs || !c.image))
		gb_unpack_warn(u, "CHK checksum mismatch:%s%s%s (parts carved anyway)",
			       c.kernel ? "" : " kernel", c.rootfs ? "" : " rootfs", c.image ? "" : " image");
	kend = (uint64_t)h.hlen + h.kernel_len;
	if (h.hlen < avail)
		r = gb_unpack_region(u, h.hlen, (kend < avail ? kend : avail) - h.hlen, "kernel");
	if (r == 0 && h.rootfs_len && kend < avail)
		r = gb_unpack_region(u, kend, (h.total < avail ? h.total : avail) - kend, "rootfs");
	if (r < 0)
		return r;
	if (!c.complete)
		return gb_unpack_fail(u, -GB_ETRUNC, "CHK declares %llu bytes, only %llu available",
				      (unsigned long long)h.total, (unsigned long long)avail);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("\x2a\x23\x24\x5e", 0),
};

const struct gb_format gb__fmt_chk = {
	.name = "chk",
	.description = "Netgear CHK firmware image",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
