/* linksys: the 32-byte Linksys "code pattern" header in front of a TRX
 * (WRT54G/GL/GS, WRTSL54GS, WRT150N ...: OpenWrt tools/firmware-utils
 * addpattern.c), as in FW_WRT54GL_4.30.18.006_ETSI_20160108.bin.
 *
 * Layout (struct code_header):
 *    0  char magic[4]    code pattern: "W54G", "W54S", "W54s", "W54U", ...
 *    4  u8  res1[4]
 *    8  u8  fwdate[3]    year - 2000, month, day
 *   11  u8  fwvern[3]    version major, minor, build (4.30.18)
 *   14  char id[4]       "U2ND"
 *   18  u8  hw_ver, 19 u8 sn, 20 u8 flags[2], 22 stable[2], 24 try1[2],
 *   26  try2[2], 28 try3[2], 30 res3[2]
 *   32  the TRX image ("HDR0", its length LE at 36)
 *
 * probe checks: "U2ND" at 14 (the carving magic), a code pattern of 4
 * letters/digits, a plausible date (month 1-12, day 1-31) and a TRX magic at
 * 32 whose length is at least its header. Size: 32 + the TRX length, cut to
 * the data available. The TRX's own CRC is the TRX format's business: unpack
 * hands [32, size) to the carver as region "firmware".
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#define LS_HDR 32

static bool plausible(const uint8_t *p)
{
	for (int i = 0; i < 4; i++)
		if (!isalnum(p[i]))
			return false;
	return memcmp(p + 14, "U2ND", 4) == 0 && p[9] >= 1 && p[9] <= 12 && p[10] >= 1 &&
	       p[10] <= 31 && memcmp(p + 32, "HDR0", 4) == 0 && gb_le32(p + 36) >= 28;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *p = gb_span_at(in, 0, LS_HDR + 40);
	uint64_t size;

	if (!p || !plausible(p))
		return -GB_ENOTFOUND;
	size = LS_HDR + (uint64_t)gb_le32(p + 36);
	memset(ret, 0, sizeof(*ret));
	ret->size = size <= in->n ? size : in->n;
	ret->confidence = GB_CONF_HIGH;
	memcpy(ret->variant, p, 4);
	ret->variant[4] = 0;
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	const uint8_t *h = gb_span_at(in, 0, LS_HDR + 40);
	char v[32];

	(void)p;
	if (!h || !plausible(h))
		return gb_unpack_fail(u, -GB_ECORRUPT, "Linksys header no longer valid");
	snprintf(v, sizeof(v), "%.4s", (const char *)h);
	gb_unpack_set_attr(u, "code_pattern", v);
	snprintf(v, sizeof(v), "%04u-%02u-%02u", 2000U + h[8], h[9], h[10]);
	gb_unpack_set_attr(u, "date", v);
	snprintf(v, sizeof(v), "%u.%u.%u", h[11], h[12], h[13]);
	gb_unpack_set_attr(u, "fw_version", v);
	if (in->n > LS_HDR) {
		int r = gb_unpack_region(u, LS_HDR, in->n - LS_HDR, "firmware");
		if (r < 0)
			return r;
	}
	if (LS_HDR + (uint64_t)gb_le32(h + 36) > in->n)
		return gb_unpack_fail(u, -GB_ETRUNC, "Linksys: TRX length %u past the end "
				      "(%llu bytes after the header)", gb_le32(h + 36),
				      (unsigned long long)(in->n - LS_HDR));
	return 0;
}

static const struct gb_magic magics[] = {
	GB_MAGIC("U2ND", 14),
};

const struct gb_format gb__fmt_linksys = {
	.name = "linksys",
	.description = "Linksys code-pattern header (W54G ...) before a TRX",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
