/* zytrx: ZyXEL "TRX" header of the MT7621 LTE/5G routers (ZyXEL NR7101,
 * LTE3301-PLUS, LTE5398-M904, LTE7490-M904 factory images).
 *
 * Layout followed: OpenWrt's writer, firmware-utils src/zytrx.c (-B board
 * -v version -i image). A 380-byte header, all integers big-endian, every
 * string zero padded, then the payload (the OpenWrt image):
 *     0  u32 magic          0x30524448 stored big-endian: "0RDH" (Broadcom's
 *                           TRX stores the same number little-endian, "HDR0")
 *     4  u32 len_h          header length, 380
 *     8  u32 len_t          total length, len_h + len_p
 *    12  u32 crc_payload    ~CRC-32 of the payload (zlib CRC-32, inverted)
 *    16  char ver_int[32]   "5.0.0.0\n"
 *    48  char ver_ext[32]   "\n"
 *    80  u32 len_p          payload length
 *    84  u8  pad[12]
 *    96  char code[164]     "3 6035 122 0\n"
 *   260  char chip_id[8]    "MT7621A"
 *   268  char board_id[16]  "NR7101"
 *   284  u32 model_id       4 BCD digits, e.g. 0x07010001
 *   288  u8  pad[8]
 *   296  char sw_version[32]     ZyXEL version, e.g. "1.00(ABUV.0)D0"
 *   328  char sw_version_ext[32] the same
 *   360  u8  pad[4]
 *   364  u32 kernel_checksum     a constant (0x12345678), not checked
 *   368  u8  pad[4]
 *   372  u32 crc_header     ~CRC-32 of the 380 header bytes with this field 0
 *   376  u8  pad[4]
 *
 * probe checks: the magic, len_h == 380, len_p > 0, len_t == len_h + len_p,
 * every string field printable (newlines allowed) then zeros only, a board id
 * and a version. The header CRC matching is high confidence, a mismatch (or
 * a payload cut short) medium. unpack checks the payload CRC (a mismatch is a
 * warning, the payload is carved anyway) and carves the region "image".
 * Size: len_t, cut to the data available.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "crc.h"

#define ZYTRX_MAGIC 0x30524448U
#define ZYTRX_HLEN 380
#define ZYTRX_CRC_H_OFF 372

struct zytrx_hdr {
	uint32_t len_t, crc_p, len_p, model_id, crc_h;
	char chip[9], board[17], version[33];
};

/* A zero-padded string field: printable bytes or newlines, then zeros only.
 * Copies the string (without newlines' meaning) into out[len + 1]. */
static bool str_field(const uint8_t *p, size_t len, char *out)
{
	size_t n = 0;

	while (n < len && ((p[n] >= 0x20 && p[n] <= 0x7e) || p[n] == '\n'))
		n++;
	for (size_t i = n; i < len; i++)
		if (p[i] != 0)
			return false;
	if (out) {
		memcpy(out, p, n);
		out[n] = 0;
	}
	return true;
}

static int read_header(const struct gb_span *in, struct zytrx_hdr *h)
{
	const uint8_t *p = gb_span_at(in, 0, ZYTRX_HLEN);

	if (!p || gb_be32(p) != ZYTRX_MAGIC || gb_be32(p + 4) != ZYTRX_HLEN)
		return -GB_ENOTFOUND;
	memset(h, 0, sizeof(*h));
	h->len_t = gb_be32(p + 8);
	h->crc_p = gb_be32(p + 12);
	h->len_p = gb_be32(p + 80);
	h->model_id = gb_be32(p + 284);
	h->crc_h = gb_be32(p + ZYTRX_CRC_H_OFF);
	if (h->len_p == 0 || h->len_t != (uint64_t)ZYTRX_HLEN + h->len_p)
		return -GB_ENOTFOUND;
	if (!str_field(p + 16, 32, NULL) || !str_field(p + 48, 32, NULL) ||
	    !str_field(p + 96, 164, NULL) || !str_field(p + 260, 8, h->chip) ||
	    !str_field(p + 268, 16, h->board) || !str_field(p + 296, 32, h->version) ||
	    !str_field(p + 328, 32, NULL))
		return -GB_ENOTFOUND;
	if (!h->board[0] || !h->version[0] || !gb_all_bytes(p + 84, 12, 0) ||
	    !gb_all_bytes(p + 288, 8, 0))
		return -GB_ENOTFOUND;
	return 0;
}

static bool header_crc_ok(const struct gb_span *in, const struct zytrx_hdr *h)
{
	static const uint8_t zero[4];
	uint32_t c = gb_crc32(0, in->p, ZYTRX_CRC_H_OFF);

	c = gb_crc32(c, zero, 4);
	c = gb_crc32(c, in->p + ZYTRX_CRC_H_OFF + 4, ZYTRX_HLEN - ZYTRX_CRC_H_OFF - 4);
	return ~c == h->crc_h;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct zytrx_hdr h;

	if (read_header(in, &h) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = h.len_t <= in->n ? h.len_t : in->n;
	ret->confidence = header_crc_ok(in, &h) && h.len_t <= in->n ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	return 0;
}

static void set_attrs(struct gb_unpack *u, const struct gb_span *in, const struct zytrx_hdr *h)
{
	char v[32];
	bool hdr_ok = header_crc_ok(in, h);

	gb_unpack_set_attr(u, "board", h->board);
	gb_unpack_set_attr(u, "chip", h->chip);
	snprintf(v, sizeof(v), "0x%08x", h->model_id);
	gb_unpack_set_attr(u, "model_id", v);
	gb_unpack_set_attr(u, "version", h->version);
	gb_unpack_set_attr(u, "header_crc", hdr_ok ? "ok" : "mismatch");
	if (!hdr_ok)
		gb_unpack_warn(u, "ZyXEL TRX: header CRC at offset %d does not match", ZYTRX_CRC_H_OFF);
	if (h->len_t > in->n) {
		gb_unpack_set_attr(u, "payload_crc", "not checked (truncated)");
	} else if (~gb_crc32(0, in->p + ZYTRX_HLEN, h->len_p) == h->crc_p) {
		gb_unpack_set_attr(u, "payload_crc", "ok");
	} else {
		gb_unpack_set_attr(u, "payload_crc", "mismatch");
		gb_unpack_warn(u, "ZyXEL TRX: payload CRC at offset 12 does not match the %u bytes "
			       "at offset %d (carved anyway)", h->len_p, ZYTRX_HLEN);
	}
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct zytrx_hdr h;
	uint64_t avail = in->n;
	int r = 0;

	(void)p;
	if (read_header(in, &h) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "ZyXEL TRX header no longer valid");
	set_attrs(u, in, &h);
	if (ZYTRX_HLEN < avail)
		r = gb_unpack_region(u, ZYTRX_HLEN, (h.len_t < avail ? h.len_t : avail) - ZYTRX_HLEN,
				     "image");
	if (r < 0)
		return r;
	if (h.len_t > avail)
		return gb_unpack_fail(u, -GB_ETRUNC, "ZyXEL TRX declares %u bytes, only %llu available",
				      h.len_t, (unsigned long long)avail);
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("0RDH\x00\x00\x01\x7c", 0),
};

const struct gb_format gb__fmt_zytrx = {
	.name = "zytrx",
	.description = "ZyXEL TRX firmware header (NR7101, zytrx)",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
