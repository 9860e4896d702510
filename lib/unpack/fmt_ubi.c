/* ubi: Linux UBI (Unsorted Block Images, drivers/mtd/ubi) images: ubinize
 * output and raw dumps of a NAND/NOR partition attached to UBI.
 *
 * The flash is cut into physical erase blocks (PEBs) of one size. Each PEB
 * starts with an erase-counter header; a PEB that holds data also has a
 * volume-id header, and the rest from data_offset is one logical erase block
 * (LEB) of a volume. All fields are big endian; every header ends with a
 * CRC32 of its first 60 bytes (the kernel's crc32_le(0xffffffff, ...) without
 * final inversion, i.e. zlib crc32(0, ...) ^ 0xffffffff).
 *
 * EC header (64 bytes at the start of each PEB):
 *   0 "UBI#"  4 u8 version (1)  8 u64 ec  16 u32 vid_hdr_offset
 *   20 u32 data_offset  24 u32 image_seq  60 u32 hdr_crc
 * VID header (64 bytes at vid_hdr_offset):
 *   0 "UBI!"  4 u8 version  5 u8 vol_type (1 dynamic, 2 static)
 *   6 u8 copy_flag  7 u8 compat  8 u32 vol_id  12 u32 lnum
 *   20 u32 data_size  24 u32 used_ebs  28 u32 data_pad  32 u32 data_crc
 *   40 u64 sqnum  60 u32 hdr_crc
 * The LEB size of a volume is peb_size - data_offset - data_pad. Static
 * volumes record in every LEB the bytes it holds (data_size, data_crc) and
 * the volume's LEB count (used_ebs). A LEB can exist in several PEBs (wear
 * levelling copy interrupted): the highest sqnum wins unless it is a copy
 * (copy_flag) whose data CRC is wrong.
 *
 * The layout volume (vol_id 0x7fffefff, 2 LEBs, each a copy) holds the
 * volume table: up to 128 records of 172 bytes:
 *   0 u32 reserved_pebs  4 u32 alignment  8 u32 data_pad  12 u8 vol_type
 *   13 u8 upd_marker  14 u16 name_len  16 name[128]  144 u8 flags
 *   168 u32 crc (of bytes 0..167)
 * Other internal volumes (fastmap) are ignored.
 *
 * The PEB size is not stored: it is the distance between consecutive EC
 * headers (a power of two from 512 bytes to 4 MiB).
 *
 * probe: "UBI#" at 0 with version 1, a good CRC and sane header offsets; the
 * PEB size is guessed; the image covers the PEBs up to the last one with a
 * UBI# header of the same image_seq (16 other PEBs in a row end it).
 * unpack: each user volume is written as one file named after its volume
 * table name, LEB by LEB in lnum order (unmapped LEBs of dynamic volumes and
 * missing LEBs of static ones read as 0xff); the engine carves the files
 * again, so the UBIFS in a volume is found by the ubifs format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "fsutil.h"

#define UBI_HDR_LEN 64
#define UBI_VTBL_REC 172
#define UBI_VTBL_MAX 128
#define UBI_NAME_MAX 127
#define UBI_LAYOUT_ID 0x7fffefffu
#define UBI_MIN_PEB 512u
#define UBI_MAX_PEB (4u << 20)
#define UBI_GAP_PEBS 16
#define UBI_SCAN_MAX (16u << 20) /* bytes searched for EC headers (PEB size) */
#define UBI_VOL_DYNAMIC 1
#define UBI_VOL_STATIC 2
#define UBI_FILL_CHUNK 4096

static uint32_t ubi_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n) ^ 0xffffffffu;
}

/* ---- headers ------------------------------------------------------------- */

struct ubi_ec {
	uint32_t vid_off, data_off, image_seq;
};

static bool ubi_ec_at(const struct gb_span *in, uint64_t off, struct ubi_ec *ret)
{
	const uint8_t *b = gb_span_at(in, off, UBI_HDR_LEN);

	if (!b || memcmp(b, "UBI#", 4) != 0 || b[4] != 1 || gb_be32(b + 60) != ubi_crc(b, 60))
		return false;
	ret->vid_off = gb_be32(b + 16);
	ret->data_off = gb_be32(b + 20);
	ret->image_seq = gb_be32(b + 24);
	return true;
}

/* Header offsets the kernel accepts: VID header before the data, both inside
 * the largest PEB, the VID header 8-byte aligned and after the EC header. */
static bool ubi_ec_sane(const struct ubi_ec *ec)
{
	return ec->vid_off >= UBI_HDR_LEN && ec->vid_off % 8 == 0 &&
	       ec->data_off >= (uint64_t)ec->vid_off + UBI_HDR_LEN && ec->data_off < UBI_MAX_PEB;
}

/* The PEB size: the greatest common divisor of the offsets of the first EC
 * headers of the same image (at 512-byte steps, 32 headers or 16 MiB at
 * most), so that a bad or erased PEB between two good ones does not double
 * it; it must be a power of two above the data offset. A single-PEB image
 * gets the next power of two that holds it. 0 when nothing fits. */
static uint32_t ubi_guess_peb(const struct gb_span *in, const struct ubi_ec *ec0)
{
	uint64_t g = 0, lim = in->n < UBI_SCAN_MAX ? in->n : UBI_SCAN_MAX;
	unsigned found = 0;
	uint32_t p = UBI_MIN_PEB;

	for (uint64_t off = UBI_MIN_PEB; off + UBI_HDR_LEN <= lim && found < 32; off += UBI_MIN_PEB) {
		struct ubi_ec ec;
		if (!gb_span_eq(in, off, "UBI#", 4) || !ubi_ec_at(in, off, &ec) ||
		    ec.image_seq != ec0->image_seq)
			continue;
		uint64_t a = g, b = off;
		while (b) {
			uint64_t t = a % b;
			a = b;
			b = t;
		}
		g = a;
		found++;
	}
	if (found)
		return g <= UBI_MAX_PEB && !(g & (g - 1)) && g > ec0->data_off ? (uint32_t)g : 0;
	while (p <= ec0->data_off || (p < in->n && p < UBI_MAX_PEB))
		p <<= 1;
	return p <= UBI_MAX_PEB && p >= in->n ? p : 0;
}

/* PEBs covered: up to the last "UBI#" PEB of the same image. */
static uint64_t ubi_count_pebs(const struct gb_span *in, uint32_t peb, uint32_t seq)
{
	uint64_t last = 0, gap = 0;

	for (uint64_t i = 1; i * peb < in->n; i++) {
		const uint8_t *b = gb_span_at(in, i * peb, UBI_HDR_LEN);
		struct ubi_ec ec;
		if (b && memcmp(b, "UBI#", 4) == 0) {
			if (ubi_ec_at(in, i * peb, &ec) && ec.image_seq != seq && seq && ec.image_seq)
				break; /* another UBI image */
			last = i;
			gap = 0;
			continue;
		}
		if (++gap >= UBI_GAP_PEBS)
			break;
	}
	return last + 1;
}

struct ubi_geom {
	uint32_t peb, vid_off, data_off, image_seq;
	uint64_t n_pebs, size;
};

static int ubi_geometry(const struct gb_span *in, struct ubi_geom *g)
{
	struct ubi_ec ec;

	if (!ubi_ec_at(in, 0, &ec) || !ubi_ec_sane(&ec))
		return -GB_ENOTFOUND;
	g->peb = ubi_guess_peb(in, &ec);
	if (!g->peb || ec.data_off >= g->peb)
		return -GB_ENOTFOUND;
	g->vid_off = ec.vid_off;
	g->data_off = ec.data_off;
	g->image_seq = ec.image_seq;
	g->n_pebs = ubi_count_pebs(in, g->peb, ec.image_seq);
	g->size = g->n_pebs * g->peb;
	if (g->size > in->n)
		g->size = in->n;
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	struct ubi_geom g;

	if (ubi_geometry(in, &g) < 0)
		return -GB_ENOTFOUND;
	ret->size = g.size;
	ret->confidence = GB_CONF_HIGH;
	ret->identify_only = false;
	snprintf(ret->variant, sizeof(ret->variant), "peb-%uk", g.peb >> 10);
	if (g.peb < 1024)
		snprintf(ret->variant, sizeof(ret->variant), "peb-%u", g.peb);
	return 0;
}

/* ---- collecting LEBs ----------------------------------------------------- */

struct ubi_leb {
	uint64_t peb;        /* PEB index */
	uint64_t sqnum;
	uint32_t vol_id, lnum, data_size, used_ebs, data_pad, data_crc;
	uint32_t data_off;   /* from this PEB's EC header (or the first one) */
	uint8_t vol_type, copy_flag;
};

struct ubi_vol {
	bool in_vtbl;
	uint32_t reserved_pebs, data_pad;
	uint8_t vol_type;
	char name[UBI_NAME_MAX + 16];
};

struct ubi {
	struct gb_unpack *u;
	const struct gb_span *in;
	struct ubi_geom g;
	struct ubi_leb *lebs;
	size_t n_lebs;
	struct ubi_vol vols[UBI_VTBL_MAX];
	bool have_vtbl;
	uint64_t budget;     /* bytes all volumes may still take: the image's LEB bytes */
	unsigned bad_ec, bad_vid, bad_leb;
	uint64_t first_bad;
};

static void ubi_bad(struct ubi *b, unsigned *counter, uint64_t off)
{
	if (!b->bad_ec && !b->bad_vid && !b->bad_leb)
		b->first_bad = off;
	(*counter)++;
}

/* The VID header of PEB i, if valid. */
static bool ubi_read_peb(struct ubi *b, uint64_t i, struct ubi_leb *l)
{
	uint64_t base = i * b->g.peb;
	struct ubi_ec ec = {b->g.vid_off, b->g.data_off, b->g.image_seq};
	const uint8_t *e = gb_span_at(b->in, base, UBI_HDR_LEN);
	const uint8_t *v;

	if (!e)
		return false;
	if (!ubi_ec_at(b->in, base, &ec) || !ubi_ec_sane(&ec) || ec.data_off >= b->g.peb) {
		if (!memcmp(e, "UBI#", 4))
			ubi_bad(b, &b->bad_ec, base);
		ec.vid_off = b->g.vid_off; /* try the image's offsets */
		ec.data_off = b->g.data_off;
	}
	v = gb_span_at(b->in, base + ec.vid_off, UBI_HDR_LEN);
	if (!v || memcmp(v, "UBI!", 4) != 0)
		return false;
	if (v[4] != 1 || gb_be32(v + 60) != ubi_crc(v, 60)) {
		ubi_bad(b, &b->bad_vid, base + ec.vid_off);
		return false;
	}
	l->peb = i;
	l->vol_type = v[5];
	l->copy_flag = v[6];
	l->vol_id = gb_be32(v + 8);
	l->lnum = gb_be32(v + 12);
	l->data_size = gb_be32(v + 20);
	l->used_ebs = gb_be32(v + 24);
	l->data_pad = gb_be32(v + 28);
	l->data_crc = gb_be32(v + 32);
	l->sqnum = gb_be64(v + 40);
	l->data_off = ec.data_off;
	return true;
}

/* The LEB's size in its PEB, and whether its data is sane. */
static uint64_t ubi_leb_size(const struct ubi *b, const struct ubi_leb *l)
{
	uint64_t room = b->g.peb - l->data_off;

	return l->data_pad < room ? room - l->data_pad : 0;
}

static bool ubi_leb_crc_ok(const struct ubi *b, const struct ubi_leb *l)
{
	const uint8_t *d;

	if (l->data_size > ubi_leb_size(b, l))
		return false;
	d = gb_span_at(b->in, l->peb * b->g.peb + l->data_off, l->data_size);
	return d && ubi_crc(d, l->data_size) == l->data_crc;
}

static int ubi_cmp_leb(const void *x, const void *y)
{
	const struct ubi_leb *a = x, *c = y;

	if (a->vol_id != c->vol_id)
		return a->vol_id < c->vol_id ? -1 : 1;
	if (a->lnum != c->lnum)
		return a->lnum < c->lnum ? -1 : 1;
	if (a->sqnum != c->sqnum)
		return a->sqnum > c->sqnum ? -1 : 1; /* newest first */
	return a->peb < c->peb ? -1 : a->peb > c->peb;
}

static int ubi_collect(struct ubi *b)
{
	b->lebs = calloc(b->g.n_pebs ? b->g.n_pebs : 1, sizeof(*b->lebs));
	if (!b->lebs)
		return -GB_ENOMEM;
	for (uint64_t i = 0; i < b->g.n_pebs; i++) {
		struct ubi_leb l;
		if (!ubi_read_peb(b, i, &l))
			continue;
		if (l.lnum >= b->g.n_pebs && l.vol_id != UBI_LAYOUT_ID) {
			ubi_bad(b, &b->bad_leb, i * b->g.peb);
			continue; /* more LEBs than the image has PEBs */
		}
		b->lebs[b->n_lebs++] = l;
	}
	gb_qsort(b->lebs, b->n_lebs, sizeof(*b->lebs), ubi_cmp_leb);
	return 0;
}

/* ---- the volume table ---------------------------------------------------- */

static void ubi_sanitise(char *dst, const uint8_t *src, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = src[i];
		dst[j++] = c < 0x20 || c == 0x7f || c == '/' || c == '\\' ? '_' : (char)c;
	}
	dst[j] = 0;
	if (!strcmp(dst, ".") || !strcmp(dst, ".."))
		dst[0] = '_';
}

/* Parse one copy of the volume table; false when a record is damaged. */
static bool ubi_parse_vtbl(struct ubi *b, const struct ubi_leb *l)
{
	uint64_t size = ubi_leb_size(b, l), base = l->peb * b->g.peb + l->data_off;
	struct ubi_vol vols[UBI_VTBL_MAX];
	size_t n = size / UBI_VTBL_REC;

	if (n > UBI_VTBL_MAX)
		n = UBI_VTBL_MAX;
	if (n == 0)
		return false;
	memset(vols, 0, sizeof(vols));
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = gb_span_at(b->in, base + i * UBI_VTBL_REC, UBI_VTBL_REC);
		uint16_t nlen;
		if (!r || gb_be32(r + 168) != ubi_crc(r, 168))
			return false;
		if (gb_be32(r) == 0)
			continue;
		nlen = gb_be16(r + 14);
		if (nlen > UBI_NAME_MAX)
			nlen = UBI_NAME_MAX;
		vols[i].in_vtbl = true;
		vols[i].reserved_pebs = gb_be32(r);
		vols[i].data_pad = gb_be32(r + 8);
		vols[i].vol_type = r[12];
		ubi_sanitise(vols[i].name, r + 16, strnlen((const char *)r + 16, nlen));
	}
	memcpy(b->vols, vols, sizeof(vols));
	return true;
}

/* The newest layout LEB whose records all check out. */
static void ubi_read_vtbl(struct ubi *b)
{
	for (size_t i = 0; i < b->n_lebs; i++) {
		const struct ubi_leb *l = &b->lebs[i];
		if (l->vol_id != UBI_LAYOUT_ID || l->lnum > 1)
			continue;
		if (ubi_parse_vtbl(b, l)) {
			b->have_vtbl = true;
			return;
		}
	}
	gb_unpack_warn(b->u, "no valid volume table (layout volume missing or damaged): volumes named by id");
}

/* ---- writing volumes ----------------------------------------------------- */

static int ubi_fill(struct gb_wfile *f, uint64_t n)
{
	static const uint8_t ff[UBI_FILL_CHUNK] = {
		[0 ... UBI_FILL_CHUNK - 1] = 0xff,
	};

	while (n) {
		size_t k = n < UBI_FILL_CHUNK ? (size_t)n : UBI_FILL_CHUNK;
		int r = gb_wfile_write(f, ff, k);
		if (r < 0)
			return r;
		n -= k;
	}
	return 0;
}

/* Among the copies [i, k) of one LEB (newest first), the one to use. */
static const struct ubi_leb *ubi_pick(struct ubi *b, size_t i, size_t k, bool is_static)
{
	for (size_t j = i; j < k; j++) {
		const struct ubi_leb *l = &b->lebs[j];
		if ((l->copy_flag || is_static) && l->data_size && !ubi_leb_crc_ok(b, l)) {
			ubi_bad(b, &b->bad_leb, l->peb * b->g.peb);
			if (j + 1 < k)
				continue; /* an older copy may be intact */
		}
		return l;
	}
	return &b->lebs[i];
}

struct ubi_vctx {
	struct ubi *b;
	struct gb_wfile *f;
	uint32_t vol_id;
	bool is_static;
	uint64_t leb_size;   /* of the volume */
	uint32_t used_ebs;   /* static: LEBs in the volume */
	uint32_t missing;
	int status;
};

static int ubi_write_leb(struct ubi_vctx *c, const struct ubi_leb *l)
{
	uint64_t len = c->is_static ? l->data_size : c->leb_size;
	uint64_t room = c->b->g.peb - l->data_off;
	const uint8_t *d;
	int r;

	if (len > c->leb_size || len > room) {
		gb_unpack_warn(c->b->u, "volume %u LEB %u (PEB %llu): data_size %u larger than the LEB",
			       c->vol_id, l->lnum, (unsigned long long)l->peb, l->data_size);
		c->status = -GB_ECORRUPT;
		len = room < c->leb_size ? room : c->leb_size;
	}
	d = gb_span_at(c->b->in, l->peb * c->b->g.peb + l->data_off, len);
	if (d)
		return gb_wfile_write(c->f, d, (size_t)len);
	/* the image ends inside this PEB: what is there, then 0xff */
	c->status = -GB_ECORRUPT;
	uint64_t have = 0, start = l->peb * c->b->g.peb + l->data_off;
	if (start < c->b->in->n)
		have = c->b->in->n - start;
	if (have) {
		r = gb_wfile_write(c->f, c->b->in->p + start, (size_t)have);
		if (r < 0)
			return r;
	}
	return ubi_fill(c->f, len - have);
}

/* Write the volume's LEBs [first, end) in lnum order. */
static int ubi_write_lebs(struct ubi_vctx *c, size_t first, size_t end)
{
	uint64_t next = 0;
	int r = 0;

	for (size_t i = first; i < end && r == 0;) {
		size_t k = i;
		while (k < end && c->b->lebs[k].lnum == c->b->lebs[i].lnum)
			k++;
		const struct ubi_leb *l = ubi_pick(c->b, i, k, c->is_static);
		i = k;
		if (c->is_static && l->lnum >= c->used_ebs)
			continue;
		uint64_t want = (l->lnum - next + 1) * c->leb_size;
		if (want > c->b->budget) {
			gb_unpack_warn(c->b->u, "volume %u: LEB %u lies beyond what the image can hold; volume cut there",
				       c->vol_id, l->lnum);
			c->status = -GB_ECORRUPT;
			return 0;
		}
		c->b->budget -= want;
		if (l->lnum > next) {
			c->missing += l->lnum - (uint32_t)next;
			r = ubi_fill(c->f, (l->lnum - next) * c->leb_size);
			if (r < 0)
				break;
		}
		r = ubi_write_leb(c, l);
		next = (uint64_t)l->lnum + 1;
	}
	if (r == 0 && c->is_static && next < c->used_ebs) {
		c->missing += c->used_ebs - (uint32_t)next;
		c->status = -GB_ECORRUPT; /* the last LEB's size is unknown: not filled */
	}
	return r;
}

static void ubi_vol_name(const struct ubi *b, uint32_t vol_id, char *buf, size_t n)
{
	const struct ubi_vol *v = vol_id < UBI_VTBL_MAX ? &b->vols[vol_id] : NULL;
	bool dup = false;

	if (!v || !v->in_vtbl || !v->name[0]) {
		snprintf(buf, n, "ubi_vol%u", vol_id);
		return;
	}
	for (uint32_t i = 0; i < UBI_VTBL_MAX; i++)
		if (i != vol_id && b->vols[i].in_vtbl && !strcmp(b->vols[i].name, v->name))
			dup = true;
	if (dup)
		snprintf(buf, n, "%s.%u", v->name, vol_id);
	else
		snprintf(buf, n, "%s", v->name);
}

static int ubi_write_volume(struct ubi *b, size_t first, size_t end)
{
	const struct ubi_leb *l0 = &b->lebs[first];
	const struct ubi_vol *v = l0->vol_id < UBI_VTBL_MAX ? &b->vols[l0->vol_id] : NULL;
	struct ubi_vctx c = {.b = b, .vol_id = l0->vol_id};
	char name[UBI_NAME_MAX + 32];
	struct gb_entry ent = {.path = name, .type = GB_FT_FILE, .mode = 0644};
	uint32_t data_pad = v && v->in_vtbl ? v->data_pad : l0->data_pad;
	uint64_t room = b->g.peb - b->g.data_off;
	int r, st;

	c.is_static = v && v->in_vtbl ? v->vol_type == UBI_VOL_STATIC : l0->vol_type == UBI_VOL_STATIC;
	c.leb_size = data_pad < room ? room - data_pad : 0;
	if (c.leb_size == 0) {
		gb_unpack_warn(b->u, "volume %u: data_pad %u leaves no room in a LEB", c.vol_id, data_pad);
		return 0;
	}
	if (c.is_static) {
		c.used_ebs = l0->used_ebs;
		if (c.used_ebs > b->g.n_pebs) {
			gb_unpack_warn(b->u, "volume %u: used_ebs %u larger than the image", c.vol_id,
				       c.used_ebs);
			c.used_ebs = (uint32_t)b->g.n_pebs;
		}
	}
	ubi_vol_name(b, c.vol_id, name, sizeof(name));
	if (b->have_vtbl && (!v || !v->in_vtbl))
		gb_unpack_warn(b->u, "volume %u has LEBs but no volume table record", c.vol_id);
	r = gb_unpack_file_begin(b->u, &ent, &c.f);
	if (r < 0)
		return r;
	r = ubi_write_lebs(&c, first, end);
	if (c.missing)
		gb_unpack_warn(b->u, "volume %s: %u LEB(s) missing, read as 0xff", name, c.missing);
	st = r < 0 ? r : c.status;
	r = gb_unpack_file_end(b->u, c.f, st);
	return gb_fs_file_result(st, r);
}

static int ubi_write_volumes(struct ubi *b)
{
	unsigned written = 0;
	int r = 0;

	b->budget = b->g.n_pebs * (b->g.peb - b->g.data_off);
	for (size_t i = 0; i < b->n_lebs && r == 0;) {
		size_t k = i;
		while (k < b->n_lebs && b->lebs[k].vol_id == b->lebs[i].vol_id)
			k++;
		if (b->lebs[i].vol_id < UBI_LAYOUT_ID) {
			r = ubi_write_volume(b, i, k);
			written++;
		}
		i = k;
	}
	if (r == 0 && written == 0)
		gb_unpack_warn(b->u, "no volume data (empty or erased UBI image)");
	return r;
}

static void ubi_report(struct ubi *b)
{
	if (b->bad_ec)
		gb_unpack_warn(b->u, "%u EC header(s) with a bad CRC", b->bad_ec);
	if (b->bad_vid)
		gb_unpack_warn(b->u, "%u VID header(s) with a bad CRC or version skipped", b->bad_vid);
	if (b->bad_leb)
		gb_unpack_warn(b->u, "%u LEB(s) with bad data (CRC, size or number)", b->bad_leb);
	if (b->bad_ec || b->bad_vid || b->bad_leb)
		gb_unpack_warn(b->u, "first damaged header or LEB at 0x%llx",
			       (unsigned long long)b->first_bad);
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct ubi b = {.u = u, .in = in};
	int r;

	(void)p;
	if (ubi_geometry(in, &b.g) < 0)
		return gb_unpack_fail(u, -GB_ECORRUPT, "EC header at 0: bad magic, CRC or offsets");
	if (in->n % b.g.peb)
		gb_unpack_warn(u, "image size %zu is not a multiple of the PEB size %u (truncated)",
			       in->n, b.g.peb);
	r = ubi_collect(&b);
	if (r == 0) {
		ubi_read_vtbl(&b);
		r = ubi_write_volumes(&b);
	}
	ubi_report(&b);
	free(b.lebs);
	if (r == -GB_ENOMEM)
		return gb_unpack_fail(u, r, "out of memory");
	return r;
}

static const struct gb_magic magics[] = {GB_MAGIC("UBI#\x01", 0)};

const struct gb_format gb__fmt_ubi = {
	.name = "ubi",
	.description = "UBI flash image (ubinize output or raw dump)",
	.kind = GB_KIND_FILESYSTEM,
	.magics = magics,
	.n_magics = 1,
	.probe = probe,
	.unpack = unpack,
};
