/* fat: FAT12, FAT16 and FAT32 file systems (floppies, SD cards, boot
 * partitions, firmware update volumes), read by our own parser.
 *
 * Boot sector (BPB), little-endian:
 *     0  jump: EB xx (90) or E9 xx xx
 *    11  u16 bytes per sector: 512, 1024, 2048 or 4096
 *    13  u8  sectors per cluster: power of two 1..128 (cluster <= 64 KiB)
 *    14  u16 reserved sectors (>= 1)
 *    16  u8  number of FATs (1 or 2)
 *    17  u16 root directory entries (FAT12/16; 0 on FAT32)
 *    19  u16 total sectors (0: use the u32 at 32)
 *    21  u8  media: 0xF0 or 0xF8..0xFF, repeated in the low byte of FAT[0]
 *    22  u16 sectors per FAT (0 on FAT32: the u32 at 36)
 *    32  u32 total sectors
 *   FAT32: 36 u32 sectors per FAT, 44 u32 root cluster, 48 u16 FSInfo sector
 *          (FSInfo: "RRaA" at 0, "rrAa" at 484)
 *   54 "FAT12   "/"FAT16   " or 82 "FAT32   " (informative; used to carve)
 * Layout: reserved sectors, the FATs, the FAT12/16 root directory, then the
 * data clusters numbered from 2. The FAT type follows from the cluster count
 * (Microsoft's rule: < 4085 FAT12, < 65525 FAT16, else FAT32).
 *
 * probe checks every BPB field above, the geometry (the areas fit in the
 * total, each FAT is large enough for every cluster), FAT32's root cluster
 * and the media byte in FAT[0]. Directories and long names: fat_dir.c.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "fat.h"

static bool pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static bool media_ok(uint8_t m)
{
	return m == 0xf0 || m >= 0xf8;
}

static int read_bpb(const uint8_t *b, struct fat_vol *v)
{
	uint32_t fat16sz, tot16;

	if (!((b[0] == 0xeb) || b[0] == 0xe9))
		return -GB_ENOTFOUND;
	memset(v, 0, sizeof(*v));
	v->bps = gb_le16(b + 11);
	v->spc = b[13];
	v->rsvd = gb_le16(b + 14);
	v->nfats = b[16];
	v->root_entries = gb_le16(b + 17);
	tot16 = gb_le16(b + 19);
	v->media = b[21];
	fat16sz = gb_le16(b + 22);
	v->total = tot16 ? tot16 : gb_le32(b + 32);
	v->fatsz = fat16sz ? fat16sz : gb_le32(b + 36);
	if (!pow2(v->bps) || v->bps < 512 || v->bps > 4096 || !pow2(v->spc) || v->spc > 128 ||
	    v->bps * v->spc > 65536 || v->rsvd == 0 || v->nfats < 1 || v->nfats > 2 ||
	    !media_ok(v->media) || v->fatsz == 0 || v->total == 0)
		return -GB_ENOTFOUND;
	v->csize = v->bps * v->spc;
	if (fat16sz == 0) { /* FAT32 BPB */
		if (v->root_entries != 0 || tot16 != 0)
			return -GB_ENOTFOUND;
		v->root_cluster = gb_le32(b + 44);
		v->fsinfo = gb_le16(b + 48);
		if (v->fsinfo == 0xffff)
			v->fsinfo = 0;
	} else if (v->root_entries == 0) {
		return -GB_ENOTFOUND;
	}
	return 0;
}

static int geometry(struct fat_vol *v, bool fat32_bpb)
{
	uint64_t root_secs = ((uint64_t)v->root_entries * 32 + v->bps - 1) / v->bps;
	uint64_t meta = v->rsvd + (uint64_t)v->nfats * v->fatsz + root_secs;
	uint64_t count, need;

	if (meta + v->spc > v->total)
		return -GB_ENOTFOUND;
	count = (v->total - meta) / v->spc;
	if (count < 4085)
		v->type = FAT12;
	else if (count < 65525)
		v->type = FAT16;
	else
		v->type = FAT32;
	if ((v->type == FAT32) != fat32_bpb)
		return -GB_ENOTFOUND;
	if (count > 0x0ffffff5)
		return -GB_ENOTFOUND;
	v->nclusters = (uint32_t)count;
	/* each FAT must hold entries for clusters 0..count+1 */
	need = v->type == FAT12 ? ((count + 2) * 3 + 1) / 2 : (count + 2) * (v->type / 8);
	if ((uint64_t)v->fatsz * v->bps < need)
		return -GB_ENOTFOUND;
	v->fat_off = (uint64_t)v->rsvd * v->bps;
	v->root_off = (v->rsvd + (uint64_t)v->nfats * v->fatsz) * v->bps;
	v->data_off = meta * v->bps;
	v->size = (uint64_t)v->total * v->bps;
	if (v->type == FAT32) {
		if (!gb__fat_valid(v, v->root_cluster))
			return -GB_ENOTFOUND;
		if (v->fsinfo >= v->rsvd)
			return -GB_ENOTFOUND;
	}
	return 0;
}

int gb__fat_read_vol(const struct gb_span *in, struct fat_vol *v)
{
	const uint8_t *b = gb_span_at(in, 0, 512);
	uint8_t f0;

	if (!b || read_bpb(b, v) < 0 || geometry(v, gb_le16(b + 22) == 0) < 0)
		return -GB_ENOTFOUND;
	/* FAT[0] repeats the media byte (when the FAT is there to read) */
	if (gb_rd_u8(in, v->fat_off, &f0) == 0 && f0 != v->media)
		return -GB_ENOTFOUND;
	return 0;
}

int gb__fat_next(const struct gb_span *in, const struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint16_t w;
	uint32_t d;
	int r;

	switch (v->type) {
	case FAT12:
		r = gb_rd_u16le(in, v->fat_off + c + c / 2, &w);
		if (r < 0)
			return r;
		*next = (c & 1) ? (uint32_t)(w >> 4) : (uint32_t)(w & 0xfff);
		return 0;
	case FAT16:
		r = gb_rd_u16le(in, v->fat_off + (uint64_t)c * 2, &w);
		if (r < 0)
			return r;
		*next = w;
		return 0;
	default:
		r = gb_rd_u32le(in, v->fat_off + (uint64_t)c * 4, &d);
		if (r < 0)
			return r;
		*next = d & 0x0fffffff;
		return 0;
	}
}

bool gb__fat_is_eoc(const struct fat_vol *v, uint32_t c)
{
	switch (v->type) {
	case FAT12: return c >= 0xff7;
	case FAT16: return c >= 0xfff7;
	default: return c >= 0x0ffffff7;
	}
}

/* Stream `e->size` bytes from the chain starting at `first`, writing runs
 * of contiguous clusters at once. The chain is followed at most as many
 * steps as the size needs and never more than the volume has clusters, so a
 * loop cannot make a file larger than the data area. */
int gb__fat_write_file(struct gb_unpack *u, const struct gb_span *in, const struct fat_vol *v,
		       const struct gb_entry *e, uint32_t first)
{
	struct gb_wfile *f;
	uint64_t left = e->size;
	uint32_t c = first;
	uint64_t steps = 0;
	int status = 0, r;

	r = gb_unpack_file_begin(u, e, &f);
	if (r < 0)
		return r;
	if (left > (uint64_t)v->nclusters * v->csize) {
		gb_unpack_warn(u, "%s: size %llu larger than the volume's data area: cut to it",
			       e->path, (unsigned long long)left);
		left = (uint64_t)v->nclusters * v->csize;
		status = -GB_ECORRUPT;
	}
	if (left > 0 && !gb__fat_valid(v, c)) {
		gb_unpack_warn(u, "%s: %llu bytes but first cluster %u is not a data cluster",
			       e->path, (unsigned long long)left, c);
		status = -GB_ECORRUPT;
		left = 0;
	}
	while (left > 0) {
		uint32_t run = 1, next = 0;
		uint64_t want, off = gb__fat_cluster_off(v, c);
		const uint8_t *p;

		/* extend the run while the chain is contiguous and more is needed */
		for (;;) {
			if ((uint64_t)run * v->csize >= left)
				break;
			if (gb__fat_next(in, v, c + run - 1, &next) < 0 || next != c + run ||
			    !gb__fat_valid(v, next))
				break;
			run++;
		}
		steps += run;
		if (steps > v->nclusters) {
			gb_unpack_warn(u, "%s: cluster chain longer than the volume (loop at cluster "
				       "%u): stopped", e->path, c);
			status = -GB_ECORRUPT;
			break;
		}
		want = (uint64_t)run * v->csize;
		if (want > left)
			want = left;
		p = gb_span_at(in, off, want);
		if (!p) {
			gb_unpack_warn(u, "%s: cluster %u at 0x%llx past the end of the volume "
				       "(truncated image)", e->path, c, (unsigned long long)off);
			status = -GB_ETRUNC;
			break;
		}
		r = gb_wfile_write(f, p, (size_t)want);
		if (r < 0) {
			status = r;
			break;
		}
		left -= want;
		if (left == 0)
			break;
		if (gb__fat_next(in, v, c + run - 1, &next) < 0) {
			gb_unpack_warn(u, "%s: FAT entry of cluster %u past the end", e->path,
				       c + run - 1);
			status = -GB_ETRUNC;
			break;
		}
		if (!gb__fat_valid(v, next)) {
			gb_unpack_warn(u, "%s: cluster chain ends (entry 0x%x after cluster %u) "
				       "%llu bytes short of the size %llu", e->path, next, c + run - 1,
				       (unsigned long long)left, (unsigned long long)e->size);
			status = -GB_ECORRUPT;
			break;
		}
		c = next;
	}
	r = gb_unpack_file_end(u, f, status);
	if (status == -GB_ELIMIT || status == -GB_EIO || status == -GB_ENOMEM)
		return status;
	return r == -GB_ELIMIT || r == -GB_EIO || r == -GB_ENOMEM ? r : 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct fat_vol v;

	if (gb__fat_read_vol(in, &v) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = v.size < in->n ? v.size : in->n;
	ret->confidence = GB_CONF_MEDIUM;
	snprintf(ret->variant, sizeof(ret->variant), "fat%d", (int)v.type);
	return 0;
}

static void check_fsinfo(struct gb_unpack *u, const struct gb_span *in, const struct fat_vol *v)
{
	uint64_t off = (uint64_t)v->fsinfo * v->bps;

	if (v->type != FAT32 || v->fsinfo == 0)
		return;
	if (!gb_span_eq(in, off, "RRaA", 4) || !gb_span_eq(in, off + 484, "rrAa", 4))
		gb_unpack_warn(u, "FAT32 FSInfo sector %u (0x%llx): bad signature", v->fsinfo,
			       (unsigned long long)off);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct fat_vol v;
	int r;

	(void)p;
	if (gb__fat_read_vol(in, &v) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "FAT boot sector no longer valid");
	if (v.size > in->n)
		gb_unpack_warn(u, "FAT volume declares %llu bytes, only %zu present (truncated)",
			       (unsigned long long)v.size, in->n);
	check_fsinfo(u, in, &v);
	r = gb__fat_walk(u, in, &v);
	return r;
}

static const struct gb_magic magics[] = {
	{"\x55\xaa", 2, 510, true},
	GB_MAGIC("FAT12   ", 54),
	GB_MAGIC("FAT16   ", 54),
	GB_MAGIC("FAT32   ", 82),
};

const struct gb_format gb__fmt_fat = {
	.name = "fat",
	.description = "FAT12/16/32 file system",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = 4,
	.probe = probe,
	.unpack = unpack,
};
