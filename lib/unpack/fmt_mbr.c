/* mbr: DOS MBR and GPT partition tables (disk images, SD-card and eMMC dumps).
 *
 * DOS MBR (sector 0, 512 bytes, little-endian):
 *   446  4 entries of 16 bytes:
 *          0  u8  status      0x00 or 0x80 (bootable)
 *          1  u8  chs_first[3] (ignored)
 *          4  u8  type        0 = unused; 0x05/0x0F/0x85 = extended
 *          5  u8  chs_last[3]  (ignored)
 *          8  u32 lba_start   in 512-byte sectors from the disk start
 *         12  u32 sectors
 *   510  0x55 0xAA
 * Extended partitions hold a chain of EBRs (same layout): entry 0 is a
 * logical partition relative to this EBR, entry 1 the next EBR relative to
 * the start of the primary extended partition. The chain is walked at most
 * MBR_MAX_LOGICAL steps, and an EBR seen before ends it (cycles).
 *
 * GPT (protective MBR with a type 0xEE entry; header at LBA 1, sector size
 * 512 or 4096, little-endian):
 *     0  "EFI PART"        8  u32 revision       12 u32 header_size (92..sector)
 *    16  u32 header_crc32 (over header_size bytes, this field zeroed)
 *    24  u64 my_lba (1)   32  u64 alternate_lba 40 u64 first_usable 48 u64 last_usable
 *    56  guid disk        72  u64 entries_lba   80 u32 n_entries  84 u32 entry_size
 *    88  u32 entries_crc32
 *   Entry: 0 guid type (zero: unused), 16 guid unique, 32 u64 first_lba,
 *          40 u64 last_lba (inclusive), 48 u64 attributes, 56 UTF-16LE name[36].
 *
 * probe checks (the 55AA magic alone means nothing: FAT and NTFS boot sectors
 * carry it too, so it is only tried at the start of a file or region):
 *   GPT: the 0xEE entry, the header signature, size, my_lba and CRC32, sane
 *   entry geometry. MBR: every status 0x00/0x80, unused entries all zero,
 *   used entries start at LBA >= 1 with >= 1 sector, do not overlap, at least
 *   one starts inside the data; a sector 0 that carries a FAT/NTFS BPB whose
 *   volume covers the "partitions" is a file system, not a table.
 * unpack carves each partition (logical ones numbered from 5), labelled
 * "p<N>-<type>" (MBR) or "p<N>-<name>" (GPT); partitions past the end of the
 * data are reported, truncated ones carved as far as they go.
 */
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

#include "unpack/crc.h"

#define MBR_SECTOR 512u
#define MBR_MAX_LOGICAL 128u
#define GPT_MAX_ENTRIES 1024u
#define GPT_MAX_ARRAY (1024u * 1024u)

struct mbr_part {
	uint8_t status, type;
	uint32_t start, count;
};

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case 0x01: return "fat12";
	case 0x04: case 0x06: case 0x0e: return "fat16";
	case 0x07: return "ntfs";
	case 0x0b: case 0x0c: return "fat32";
	case 0x82: return "swap";
	case 0x83: return "linux";
	case 0x8e: return "lvm";
	case 0xa5: return "freebsd";
	case 0xa6: return "openbsd";
	case 0xa9: return "netbsd";
	case 0xda: return "data";
	case 0xef: return "efi";
	case 0xfd: return "raid";
	default: return NULL;
	}
}

static void read_entries(const uint8_t *sec, struct mbr_part e[4])
{
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *b = sec + 446 + 16 * i;

		e[i].status = b[0];
		e[i].type = b[4];
		e[i].start = gb_le32(b + 8);
		e[i].count = gb_le32(b + 12);
	}
}

static bool entry_all_zero(const uint8_t *sec, unsigned i)
{
	for (unsigned k = 0; k < 16; k++)
		if (sec[446 + 16 * i + k] != 0)
			return false;
	return true;
}

/* ---- GPT --------------------------------------------------------------- */

struct gpt_hdr {
	uint32_t ss;          /* sector size */
	uint64_t alt_lba, first_usable, last_usable, entries_lba;
	uint32_t n_entries, entry_size, entries_crc;
};

/* The GPT header at LBA 1 for sector size ss: 0 when valid. */
static int gpt_read(const struct gb_span *in, uint32_t ss, struct gpt_hdr *g)
{
	const uint8_t *h = gb_span_at(in, ss, 92);
	uint8_t buf[512];
	uint32_t hsize, crc;

	if (!h || memcmp(h, "EFI PART", 8) != 0)
		return -GB_ENOTFOUND;
	hsize = gb_le32(h + 12);
	if (hsize < 92 || hsize > sizeof(buf) || hsize > ss)
		return -GB_ENOTFOUND;
	h = gb_span_at(in, ss, hsize);
	if (!h)
		return -GB_ENOTFOUND;
	memcpy(buf, h, hsize);
	crc = gb_le32(buf + 16);
	memset(buf + 16, 0, 4);
	if (gb_crc32(0, buf, hsize) != crc)
		return -GB_ENOTFOUND;
	if (gb_le64(buf + 24) != 1)
		return -GB_ENOTFOUND;
	g->ss = ss;
	g->alt_lba = gb_le64(buf + 32);
	g->first_usable = gb_le64(buf + 40);
	g->last_usable = gb_le64(buf + 48);
	g->entries_lba = gb_le64(buf + 72);
	g->n_entries = gb_le32(buf + 80);
	g->entry_size = gb_le32(buf + 84);
	g->entries_crc = gb_le32(buf + 88);
	if (g->entry_size < 128 || g->entry_size % 8 != 0 || g->entry_size > 4096 ||
	    g->n_entries == 0 || g->n_entries > GPT_MAX_ENTRIES ||
	    (uint64_t)g->n_entries * g->entry_size > GPT_MAX_ARRAY)
		return -GB_ENOTFOUND;
	if (g->entries_lba < 2 || g->entries_lba > (UINT64_MAX / 2) / ss ||
	    g->first_usable > g->last_usable || g->last_usable > (UINT64_MAX / 2) / ss)
		return -GB_ENOTFOUND;
	return 0;
}

static int gpt_find(const struct gb_span *in, struct gpt_hdr *g)
{
	if (gpt_read(in, 512, g) == 0)
		return 0;
	return gpt_read(in, 4096, g);
}

static uint64_t gpt_disk_end(const struct gpt_hdr *g)
{
	uint64_t last = g->last_usable;

	if (g->alt_lba > last && g->alt_lba < (UINT64_MAX / 2) / g->ss)
		last = g->alt_lba;
	return (last + 1) * g->ss;
}

/* ---- MBR probe ----------------------------------------------------------- */

/* A FAT or NTFS boot sector: jump + plausible BPB. */
static bool looks_like_bpb(const uint8_t *sec)
{
	uint16_t bps = gb_le16(sec + 11);
	uint8_t spc = sec[13];

	if (!(sec[0] == 0xeb && sec[2] == 0x90) && sec[0] != 0xe9)
		return false;
	if (memcmp(sec + 3, "NTFS    ", 8) == 0 || memcmp(sec + 3, "EXFAT   ", 8) == 0)
		return true;
	return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 &&
	       (spc & (spc - 1)) == 0 && gb_le16(sec + 14) != 0 && (sec[16] == 1 || sec[16] == 2);
}

/* The volume size a BPB claims (16-bit or 32-bit total sectors, or NTFS's 64-bit). */
static uint64_t bpb_bytes(const uint8_t *sec)
{
	uint64_t total = gb_le16(sec + 19);

	if (memcmp(sec + 3, "NTFS    ", 8) == 0)
		total = gb_le64(sec + 40);
	else if (total == 0)
		total = gb_le32(sec + 32);
	if (total > UINT64_MAX / 4096)
		return UINT64_MAX;
	return total * (gb_le16(sec + 11) ? gb_le16(sec + 11) : MBR_SECTOR);
}

/* Validate the four primary entries; 0 and *ret_end (bytes) when it is a table. */
static int mbr_check(const struct gb_span *in, const uint8_t *sec, uint64_t *ret_end, bool *gpt)
{
	struct mbr_part e[4];
	unsigned used = 0, inside = 0;
	uint64_t end = MBR_SECTOR;

	*gpt = false;
	read_entries(sec, e);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t s, t;

		if (e[i].status != 0x00 && e[i].status != 0x80)
			return -GB_ENOTFOUND;
		if (e[i].type == 0) {
			if (!entry_all_zero(sec, i))
				return -GB_ENOTFOUND;
			continue;
		}
		if (e[i].start == 0 || e[i].count == 0)
			return -GB_ENOTFOUND;
		if (e[i].type == 0xee)
			*gpt = true;
		s = e[i].start;
		t = s + e[i].count;
		for (unsigned j = 0; j < i; j++) {
			uint64_t s2 = e[j].start, t2 = s2 + e[j].count;

			if (e[j].type != 0 && s < t2 && s2 < t)
				return -GB_ENOTFOUND;
		}
		used++;
		if (s * MBR_SECTOR < in->n)
			inside++;
		if (t * MBR_SECTOR > end)
			end = t * MBR_SECTOR;
	}
	if (used == 0 || inside == 0)
		return -GB_ENOTFOUND;
	/* a file system's boot sector whose code happens to pass: its BPB then
	 * claims all the space the "partitions" would lie in */
	if (looks_like_bpb(sec) && bpb_bytes(sec) >= end)
		return -GB_ENOTFOUND;
	*ret_end = end;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *sec = gb_span_at(in, 0, MBR_SECTOR);
	struct gpt_hdr g;
	uint64_t end;
	bool gpt;

	if (!sec || sec[510] != 0x55 || sec[511] != 0xaa)
		return -GB_ENOTFOUND;
	if (mbr_check(in, sec, &end, &gpt) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	if (gpt && gpt_find(in, &g) == 0) {
		end = gpt_disk_end(&g);
		ret->confidence = GB_CONF_HIGH;
		snprintf(ret->variant, sizeof(ret->variant), "gpt-%u", g.ss);
	} else {
		if (gpt)
			return -GB_ENOTFOUND; /* protective entry without a GPT */
		ret->confidence = GB_CONF_MEDIUM;
		snprintf(ret->variant, sizeof(ret->variant), "dos");
	}
	ret->size = end < in->n ? end : in->n;
	return 0;
}

/* ---- unpack -------------------------------------------------------------- */

/* Carve [start, start+count) sectors of size ss as partition n. */
static int carve(struct gb_unpack *u, const struct gb_span *in, unsigned n, uint64_t start,
		 uint64_t count, uint32_t ss, const char *what)
{
	char label[64];
	uint64_t off, len, end;

	if (gb_mul_u64(start, ss, &off) < 0 || gb_mul_u64(count, ss, &len) < 0 ||
	    gb_add_u64(off, len, &end) < 0) {
		gb_unpack_warn(u, "partition %u: extent (LBA %llu, %llu sectors) overflows", n,
			       (unsigned long long)start, (unsigned long long)count);
		return 0;
	}
	if (off >= in->n) {
		gb_unpack_warn(u, "partition %u (%s) starts at 0x%llx, past the end of the data "
			       "(%zu bytes): not extracted", n, what, (unsigned long long)off, in->n);
		return 0;
	}
	if (end > in->n) {
		gb_unpack_warn(u, "partition %u (%s) at 0x%llx truncated: %llu of %llu bytes present",
			       n, what, (unsigned long long)off, (unsigned long long)(in->n - off),
			       (unsigned long long)len);
		len = in->n - off;
	}
	snprintf(label, sizeof(label), "p%u-%s", n, what);
	return gb_unpack_region(u, off, len, label);
}

static const char *mbr_what(uint8_t type, char *buf, size_t n)
{
	const char *s = type_name(type);

	if (s)
		return s;
	snprintf(buf, n, "type%02x", type);
	return buf;
}

/* Logical partitions of the extended partition at ext_lba (ext_count sectors). */
static int walk_ebr(struct gb_unpack *u, const struct gb_span *in, uint32_t ext_lba,
		    uint32_t ext_count, unsigned *num)
{
	uint64_t visited[MBR_MAX_LOGICAL];
	uint64_t ebr = ext_lba;
	unsigned steps = 0;
	char buf[16];

	while (steps < MBR_MAX_LOGICAL) {
		const uint8_t *sec;
		struct mbr_part e[4];
		uint64_t off;

		for (unsigned k = 0; k < steps; k++)
			if (visited[k] == ebr) {
				gb_unpack_warn(u, "EBR chain loops back to LBA %llu: stopped",
					       (unsigned long long)ebr);
				return 0;
			}
		visited[steps++] = ebr;
		off = ebr * MBR_SECTOR;
		sec = gb_span_at(in, off, MBR_SECTOR);
		if (!sec) {
			gb_unpack_warn(u, "EBR at LBA %llu (0x%llx) past the end of the data",
				       (unsigned long long)ebr, (unsigned long long)off);
			return 0;
		}
		if (sec[510] != 0x55 || sec[511] != 0xaa) {
			gb_unpack_warn(u, "EBR at 0x%llx: no 55AA signature: chain stopped",
				       (unsigned long long)off);
			return 0;
		}
		read_entries(sec, e);
		if (e[0].type != 0 && e[0].count != 0) {
			uint64_t s = ebr + e[0].start;

			if (e[0].start == 0 || s + e[0].count > (uint64_t)ext_lba + ext_count)
				gb_unpack_warn(u, "logical partition %u (EBR 0x%llx) lies outside its "
					       "extended partition", *num, (unsigned long long)off);
			int r = carve(u, in, (*num)++, s, e[0].count, MBR_SECTOR,
				      mbr_what(e[0].type, buf, sizeof(buf)));
			if (r < 0)
				return r;
		}
		if (!is_extended(e[1].type) || e[1].start == 0)
			return 0;
		ebr = (uint64_t)ext_lba + e[1].start;
	}
	gb_unpack_warn(u, "EBR chain longer than %u entries: stopped", MBR_MAX_LOGICAL);
	return 0;
}

static int unpack_mbr(struct gb_unpack *u, const struct gb_span *in)
{
	const uint8_t *sec = gb_span_at(in, 0, MBR_SECTOR);
	struct mbr_part e[4];
	unsigned logical = 5;
	char buf[16];
	int r;

	if (!sec)
		return gb_unpack_fail(u, -GB_ETRUNC, "MBR sector truncated");
	read_entries(sec, e);
	for (unsigned i = 0; i < 4; i++) {
		if (e[i].type == 0)
			continue;
		if (is_extended(e[i].type)) {
			if (e[i].start * (uint64_t)MBR_SECTOR >= in->n) {
				gb_unpack_warn(u, "extended partition %u at LBA %u past the end of "
					       "the data", i + 1, e[i].start);
				continue;
			}
			r = walk_ebr(u, in, e[i].start, e[i].count, &logical);
		} else {
			r = carve(u, in, i + 1, e[i].start, e[i].count, MBR_SECTOR,
				  mbr_what(e[i].type, buf, sizeof(buf)));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* A GPT partition name (UTF-16LE) as a safe ASCII label part. */
static void gpt_name(const uint8_t *ent, char *out, size_t n)
{
	size_t k = 0;

	for (unsigned i = 0; i < 36 && k + 1 < n; i++) {
		uint16_t c = gb_le16(ent + 56 + 2 * i);

		if (c == 0)
			break;
		out[k++] = (c > 0x20 && c < 0x7f && c != '/' && c != '\\') ? (char)c : '_';
	}
	out[k] = '\0';
}

static int unpack_gpt(struct gb_unpack *u, const struct gb_span *in, const struct gpt_hdr *g)
{
	static const uint8_t zero[16];
	uint64_t aoff, alen = (uint64_t)g->n_entries * g->entry_size;
	struct gb_span arr;
	char name[40];
	int r;

	if (gb_mul_u64(g->entries_lba, g->ss, &aoff) < 0 || gb_span_sub(in, aoff, alen, &arr) < 0)
		return gb_unpack_fail(u, -GB_ETRUNC, "GPT partition array at LBA %llu (%llu bytes) "
				      "past the end of the data",
				      (unsigned long long)g->entries_lba, (unsigned long long)alen);
	if (gb_crc32(0, arr.p, arr.n) != g->entries_crc)
		gb_unpack_warn(u, "GPT partition array CRC32 mismatch (at 0x%llx): entries used "
			       "as they are", (unsigned long long)aoff);
	for (uint32_t i = 0; i < g->n_entries; i++) {
		const uint8_t *ent = arr.p + (size_t)i * g->entry_size;
		uint64_t first = gb_le64(ent + 32), last = gb_le64(ent + 40);

		if (memcmp(ent, zero, 16) == 0)
			continue;
		if (last < first || first == 0) {
			gb_unpack_warn(u, "GPT entry %u: bad extent (LBA %llu..%llu): skipped", i + 1,
				       (unsigned long long)first, (unsigned long long)last);
			continue;
		}
		gpt_name(ent, name, sizeof(name));
		r = carve(u, in, i + 1, first, last - first + 1, g->ss, name[0] ? name : "part");
		if (r < 0)
			return r;
	}
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gpt_hdr g;

	if (strncmp(p->variant, "gpt", 3) == 0) {
		if (gpt_find(in, &g) < 0)
			return gb_unpack_fail(u, -GB_ECORRUPT, "GPT header no longer valid");
		return unpack_gpt(u, in, &g);
	}
	return unpack_mbr(u, in);
}

static const struct gb_magic magics[] = {
	{"\x55\xaa", 2, 510, true},
};

const struct gb_format gb__fmt_mbr = {
	.name = "mbr",
	.description = "DOS MBR or GPT partition table",
	.kind = GB_KIND_FIRMWARE,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
