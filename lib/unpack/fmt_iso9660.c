/* iso9660: ISO 9660 / ECMA-119 CD-ROM file systems, with Rock Ridge and Joliet,
 * read through libarchive.
 *
 * The first 16 sectors (32 KiB) are a system area (boot code, hybrid MBR).
 * Volume descriptors follow from sector 16, 2048 bytes each:
 *   0 type (0 boot record, 1 primary, 2 supplementary/Joliet, 3 partition,
 *     255 set terminator)   1 "CD001"   6 version (1)
 * Primary volume descriptor ("both-endian" fields hold the value twice,
 * little- then big-endian):
 *   80  volume space size, sectors (4+4)   120 volume set size (2+2)
 *   124 volume sequence number (2+2)      128 logical block size (2+2)
 *   156 root directory record (34 bytes: length 34, extent LBA at 2 (4+4))
 *   881 file structure version (1)
 * Joliet is a supplementary descriptor with escape "%/@", "%/C" or "%/E" at
 * 88; Rock Ridge is announced by an "SP" entry in the system use area of the
 * root directory's first record.
 *
 * probe: "CD001" at 0x8001 (the carving hook), then every descriptor up to
 * the terminator; the primary one must have consistent both-endian fields,
 * 2048-byte blocks and a root extent inside the volume. size = volume space
 * size * 2048 (a volume larger than the input claims the rest; unpack reports
 * what is missing).
 */
#include <string.h>

#include "archive_common.h"

#include <archive.h>

#define SECTOR 2048u
#define VD_START (16u * SECTOR)
#define MAX_VDS 64u

struct vds {
	const uint8_t *pvd;
	bool joliet;
	bool ended;
};

static bool both32(const uint8_t *f, uint32_t *ret)
{
	*ret = gb_le32(f);
	return *ret == gb_be32(f + 4);
}

static bool both16(const uint8_t *f, uint16_t *ret)
{
	*ret = gb_le16(f);
	return *ret == gb_be16(f + 2);
}

static bool is_joliet(const uint8_t *vd)
{
	return vd[88] == '%' && vd[89] == '/' && (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E');
}

static int walk_vds(const struct gb_span *in, struct vds *v)
{
	memset(v, 0, sizeof(*v));
	for (unsigned i = 0; i < MAX_VDS; i++) {
		const uint8_t *vd = gb_span_at(in, VD_START + (uint64_t)i * SECTOR, SECTOR);

		if (!vd || memcmp(vd + 1, "CD001", 5) != 0 || vd[6] != 1)
			return -GB_ENOTFOUND;
		if (vd[0] == 255) {
			v->ended = true;
			return v->pvd ? 0 : -GB_ENOTFOUND;
		}
		if (vd[0] == 1 && !v->pvd)
			v->pvd = vd;
		if (vd[0] == 2 && is_joliet(vd))
			v->joliet = true;
	}
	return -GB_ENOTFOUND;
}

static int check_pvd(const uint8_t *pvd, uint32_t *vss)
{
	uint32_t root, n;
	uint16_t bs, set, seq;

	if (!both32(pvd + 80, vss) || !both16(pvd + 128, &bs) || !both16(pvd + 120, &set) ||
	    !both16(pvd + 124, &seq))
		return -GB_ENOTFOUND;
	if (bs != SECTOR || *vss < 18 || set == 0 || seq == 0)
		return -GB_ENOTFOUND;
	if (pvd[156] != 34 || !both32(pvd + 158, &root) || !both32(pvd + 166, &n))
		return -GB_ENOTFOUND;
	if (root < 17 || root >= *vss || pvd[881] != 1)
		return -GB_ENOTFOUND;
	return 0;
}

/* Rock Ridge: an "SP" entry in the system use area of the root's "." */
static bool has_rockridge(const struct gb_span *in, const uint8_t *pvd)
{
	uint64_t dir = (uint64_t)gb_le32(pvd + 158) * SECTOR;
	const uint8_t *rec = gb_span_at(in, dir, 34 + 7);
	uint64_t su;

	if (!rec || rec[0] < 34 || rec[32] != 1)
		return false;
	su = 33 + 1; /* the one-byte name of "." (odd: no padding byte) */
	return su + 7 <= rec[0] && gb_span_eq(in, dir + su, "SP", 2) && rec[su + 4] == 0xbe &&
	       rec[su + 5] == 0xef;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct vds v;
	uint32_t vss;
	uint64_t size;
	bool rr;

	if (walk_vds(in, &v) < 0 || check_pvd(v.pvd, &vss) < 0)
		return -GB_ENOTFOUND;
	size = (uint64_t)vss * SECTOR;
	memset(ret, 0, sizeof(*ret));
	ret->confidence = GB_CONF_HIGH;
	if (size > in->n) {
		size = in->n; /* truncated: claim the rest, unpack says so */
		ret->confidence = GB_CONF_MEDIUM;
	}
	ret->size = size;
	rr = has_rockridge(in, v.pvd);
	strcpy(ret->variant, rr && v.joliet ? "rockridge+joliet" : rr ? "rockridge" :
			     v.joliet ? "joliet" : "iso9660");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_archive_opts opts = {
		.enable = archive_read_support_format_iso9660,
	};
	if (p->confidence < GB_CONF_HIGH)
		gb_unpack_warn(u, "iso9660: the volume is larger than the %llu bytes available",
			       (unsigned long long)in->n);
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("CD001", VD_START + 1),
};

const struct gb_format gb__fmt_iso9660 = {
	.name = "iso9660",
	.description = "ISO 9660 CD-ROM file system (Rock Ridge, Joliet)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
