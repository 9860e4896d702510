/* zyxel: ZyXEL "RAS" factory-image header (ZyXEL NBG6616, NBG6617, NBG6716,
 * NBG6817 as flashed through the vendor web UI or boot loader).
 *
 * Layout followed: OpenWrt's writers of this header, the C tool
 * mkrasimage.c (openwrt/openwrt tools/firmware-utils/src/, now
 * openwrt/firmware-utils; -b board -v version -r rootfs [-k kernel]
 * -s rootfs_size [-l header_length]) and the shell script it was written
 * from, "--- ZyXEL header format ---" by Benjamin Berg. Both write the same
 * bytes (the script pads the rootfs with 0xff, mkrasimage with 0x00, and
 * ath79's NAND boards use -l 131072); all integers big-endian:
 *     0  u32 rootfs_sum   16-bit System V checksum (sum -s) of the rootfs part
 *     4  u32 rootfs_len   bytes of the rootfs part (padded to -s)
 *     8  char version[32] NUL-terminated, 0xff padded (at most 31 chars)
 *    40  u32 header_sum   System V checksum of the first 2048 bytes of the
 *                         header with this field replaced by rootfs_sum
 *    44  char board[64]   e.g. "NBG6617", NUL-terminated, 0xff padded
 *   108  u32 kernel_sum   System V checksum of the kernel part  \ all 0xff when
 *   112  u32 kernel_len   bytes of the kernel part              / no kernel part
 *   116  0xff up to header_len (one erase block: 64 KiB by default, 128 KiB
 *        for the ath79 NAND boards; not recorded in the header)
 *   header_len: rootfs_len bytes of rootfs (mkrasimage pads with 0x00, the
 *        script with 0xff), then kernel_len bytes of kernel.
 * System V checksum: s = sum of the bytes mod 2^32; r = (s & 0xffff) +
 * (s >> 16); sum = (r & 0xffff) + (r >> 16), so the high half of each
 * checksum field is zero.
 *
 * There is no magic, so the format is start_only (a factory image is a file
 * of its own). probe checks: the zero high halves of the checksum fields, a
 * printable NUL-terminated version and board name each followed by 0xff
 * padding only, rootfs_len > 0, a kernel header that is either all 0xff or
 * sane, and 0xff from 116 through 2047 at least. header_len is the largest
 * power of two (2 KiB .. 1 MiB) not past the first byte after 116 that is not
 * 0xff. The header checksum matching is high confidence, a mismatch (or data
 * cut short) medium. unpack checks the rootfs and kernel checksums (mismatch:
 * a warning, the parts are carved anyway) and carves the regions "rootfs"
 * and "kernel". Size: header_len + rootfs_len + kernel_len, cut to the data
 * available.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define RAS_VERSION_OFF 8
#define RAS_VERSION_LEN 32
#define RAS_HSUM_OFF 40
#define RAS_BOARD_OFF 44
#define RAS_BOARD_LEN 64
#define RAS_KHDR_OFF 108
#define RAS_FIELDS_END 116
#define RAS_SUM_SPAN 2048          /* the header checksum covers this much */
#define RAS_MAX_HEADER (1U << 20)  /* largest header (erase block) accepted */

struct ras_hdr {
	uint32_t rootfs_sum, rootfs_len, header_sum, kernel_sum, kernel_len;
	bool has_kernel;
	uint32_t header_len;
	uint64_t total;
	char version[RAS_VERSION_LEN], board[RAS_BOARD_LEN];
};

/* Continue a System V sum over n bytes (the raw 32-bit byte sum). */
static uint32_t sysv_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s;
}

static uint32_t sysv_fini(uint32_t s)
{
	uint32_t r = (s & 0xffff) + (s >> 16);

	return (r & 0xffff) + (r >> 16);
}

/* A field of `len` bytes: 1..len-1 printable chars, NUL, then 0xff only. */
static bool str_field(const uint8_t *p, size_t len, char *out)
{
	size_t n = 0;

	while (n < len && p[n] >= 0x20 && p[n] <= 0x7e)
		n++;
	if (n == 0 || n == len || p[n] != 0)
		return false;
	for (size_t i = n + 1; i < len; i++)
		if (p[i] != 0xff)
			return false;
	memcpy(out, p, n);
	out[n] = 0;
	return true;
}

/* header_len: the largest power of two (>= 2 KiB) not past the first
 * non-0xff byte after the fields; 0 when there is none within 1 MiB. */
static uint32_t find_header_len(const struct gb_span *in)
{
	uint64_t end = in->n < RAS_MAX_HEADER ? in->n : RAS_MAX_HEADER;
	uint64_t q = RAS_SUM_SPAN;
	uint32_t len = RAS_SUM_SPAN;

	while (q < end && in->p[q] == 0xff)
		q++;
	if (q == end && end < in->n)
		q = RAS_MAX_HEADER; /* 1 MiB of padding: the data starts at 1 MiB */
	else if (q == end)
		return 0; /* nothing but padding: no payload to speak of */
	while ((uint64_t)len * 2 <= q)
		len *= 2;
	return len;
}

static int read_header(const struct gb_span *in, struct ras_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, RAS_SUM_SPAN);

	if (!p)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	if (gb_be16(p) != 0 || gb_be16(p + RAS_HSUM_OFF) != 0)
		return -GB_ENOTFOUND;
	h->rootfs_sum = gb_be32(p);
	h->rootfs_len = gb_be32(p + 4);
	h->header_sum = gb_be32(p + RAS_HSUM_OFF);
	if (h->rootfs_len == 0 ||
	    !str_field(p + RAS_VERSION_OFF, RAS_VERSION_LEN, h->version) ||
	    !str_field(p + RAS_BOARD_OFF, RAS_BOARD_LEN, h->board) ||
	    !gb_all_bytes(p + RAS_FIELDS_END, RAS_SUM_SPAN - RAS_FIELDS_END, 0xff))
		return -GB_ENOTFOUND;
	h->has_kernel = !gb_all_bytes(p + RAS_KHDR_OFF, 8, 0xff);
	if (h->has_kernel) {
		if (gb_be16(p + RAS_KHDR_OFF) != 0)
			return -GB_ENOTFOUND;
		h->kernel_sum = gb_be32(p + RAS_KHDR_OFF);
		h->kernel_len = gb_be32(p + RAS_KHDR_OFF + 4);
	}
	h->header_len = find_header_len(in);
	if (h->header_len == 0)
		return -GB_ENOTFOUND;
	h->total = (uint64_t)h->header_len + h->rootfs_len + h->kernel_len;
	return 0;
}

/* The header checksum as the writers compute it: the first 2048 bytes with
 * the header_sum field holding a copy of the rootfs checksum field. */
static bool header_sum_ok(const struct gb_span *in, const struct ras_hdr *h)
{
	uint32_t s = sysv_add(0, in->p, RAS_HSUM_OFF);

	s = sysv_add(s, in->p, 4);
	s = sysv_add(s, in->p + RAS_HSUM_OFF + 4, RAS_SUM_SPAN - RAS_HSUM_OFF - 4);
	return sysv_fini(s) == h->header_sum;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct ras_hdr h;

	if (read_header(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = h.total <= in->n ? h.total : in->n;
	ret->confidence = header_sum_ok(in, &h) && h.total <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	return 0;
}

/* "ok", "mismatch" or "not checked (truncated)" for the part [off, off+len). */
static const char *part_sum(struct gb_unpack *u, const struct gb_span *in, uint64_t off,
			    uint32_t len, uint32_t want, const char *what)
{
	if (off > in->n || len > in->n - off)
		return "not checked (truncated)";
	if (sysv_fini(sysv_add(0, in->p + off, len)) == want)
		return "ok";
	gb_unpack_warn(u, "ZyXEL RAS: %s checksum (0x%04x) does not match the %u bytes at offset %llu "
		       "(carved anyway)", what, want, len, (unsigned long long)off);
	return "mismatch";
}

static void set_attrs(struct gb_unpack *u, const struct gb_span *in, const struct ras_hdr *h)
{
	char v[32];
	bool hdr_ok = header_sum_ok(in, h);

	gb_unpack_set_attr(u, "board", h->board);
	gb_unpack_set_attr(u, "version", h->version);
	snprintf(v, sizeof(v), "%u", h->header_len);
	gb_unpack_set_attr(u, "header_len", v);
	gb_unpack_set_attr(u, "header_checksum", hdr_ok ? "ok" : "mismatch");
	if (!hdr_ok)
		gb_unpack_warn(u, "ZyXEL RAS: header checksum at offset %d does not match", RAS_HSUM_OFF);
	gb_unpack_set_attr(u, "rootfs_checksum",
			   part_sum(u, in, h->header_len, h->rootfs_len, h->rootfs_sum, "rootfs"));
	if (h->has_kernel)
		gb_unpack_set_attr(u, "kernel_checksum",
				   part_sum(u, in, (uint64_t)h->header_len + h->rootfs_len,
					    h->kernel_len, h->kernel_sum, "kernel"));
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct ras_hdr h;
	uint64_t avail = in->n, rend;
	int r = 0;

	(void)p;
	if (read_header(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "ZyXEL RAS header no longer valid");
	set_attrs(u, in, &h);
	rend = (uint64_t)h.header_len + h.rootfs_len;
	if (h.header_len < avail)
		r = gb_unpack_region(u, h.header_len, (rend < avail ? rend : avail) - h.header_len,
				     "rootfs");
	if (r == 0 && h.kernel_len && rend < avail)
		r = gb_unpack_region(u, rend, (h.total < avail ? h.total : avail) - rend, "kernel");
	if (r < 0)
		return r;
	if (h.total > avail)
		return gb_unpack_fail(u, -GB_ETRUNC, "ZyXEL RAS image declares %llu bytes, only %llu "
				      "available", (unsigned long long)h.total,
				      (unsigned long long)avail);
	return 0;
}

/* The high half of the rootfs checksum: compared at offset 0 only. */
static const struct gb_magic magics[] = {
	GB_MAGIC_START("\x00\x00"),
};

const struct gb_format gb__fmt_zyxel = {
	.name = "zyxel",
	.description = "ZyXEL RAS firmware header (mkrasimage)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.start_only = true,
	.probe = probe,
	.unpack = unpack,
};
