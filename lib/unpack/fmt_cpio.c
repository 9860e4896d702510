/* cpio: SVR4 "newc" and "crc" archives and POSIX "odc" (portable ASCII).
 *
 * An archive is a run of (header, name, data) members ended by a member named
 * "TRAILER!!!"; GNU cpio then pads the archive with zeros to its 512-byte
 * block.
 *
 * newc ("070701") and crc ("070702"): a 110-byte header of 8-digit ASCII hex
 * fields after the 6-byte magic:
 *   6 ino  14 mode  22 uid  30 gid  38 nlink  46 mtime  54 filesize
 *   62 devmajor  70 devminor  78 rdevmajor  86 rdevminor  94 namesize  102 check
 * then the name (namesize bytes, NUL included), padded so header+name is a
 * multiple of 4, then the data padded to 4. "check" is the byte sum of the
 * data for crc (libarchive does not verify it; neither does probe). The data
 * of a multiply-linked file is stored with its last link, the earlier links
 * being empty (see archive_common.h, defer_links).
 *
 * odc ("070707"): a 76-byte header of ASCII octal fields:
 *   6 dev[6]  12 ino[6]  18 mode[6]  24 uid[6]  30 gid[6]  36 nlink[6]
 *   42 rdev[6]  48 mtime[11]  59 namesize[6]  65 filesize[11]
 * then the name and the data, unpadded.
 *
 * The old binary format: the 2-byte magic 070707 (0x71c7) in the archive's
 * byte order, then 16-bit fields: 2 dev  4 ino  6 mode  8 uid  10 gid
 * 12 nlink  14 rdev  16 mtime[2]  20 namesize  22 filesize[2] (32-bit values
 * as two halves, the high half first); the name and the data are each padded
 * to an even length. Its magic is too short to carve in large images, so it
 * is only proposed at offset 0 of a file or region.
 *
 * probe: every header on the way to the trailer must have strict digits, a
 * known file type and a NUL-terminated name of sane length; the walk gives
 * the exact size. Data running past the end of the input makes the archive
 * claim everything (unpack reports the truncation); a damaged header
 * mid-archive ends the claim at that header (libarchive reports it).
 */
#include <string.h>

#include "archive_common.h"

#include <archive.h>

#define NEWC_HDR 110u
#define ODC_HDR 76u
#define BIN_HDR 26u
#define MAX_NAME 65536u
#define BLOCK 512u
#define MAX_MEMBERS (1u << 22)

enum cpio_kind { CPIO_NEWC, CPIO_CRC, CPIO_ODC, CPIO_BIN_LE, CPIO_BIN_BE };

struct member {
	uint64_t mode;
	uint64_t namesize;
	uint64_t filesize;
};

static int parse_digits(const uint8_t *f, size_t n, unsigned base, uint64_t *ret)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d;
		uint8_t c = f[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -GB_ECORRUPT;
		if (d >= base)
			return -GB_ECORRUPT;
		v = v * base + d;
	}
	*ret = v;
	return 0;
}

static int kind_at(const struct gb_span *in, uint64_t off, enum cpio_kind *ret)
{
	if (gb_span_eq(in, off, "070701", 6))
		*ret = CPIO_NEWC;
	else if (gb_span_eq(in, off, "070702", 6))
		*ret = CPIO_CRC;
	else if (gb_span_eq(in, off, "070707", 6))
		*ret = CPIO_ODC;
	else if (gb_span_eq(in, off, "\xc7\x71", 2))
		*ret = CPIO_BIN_LE;
	else if (gb_span_eq(in, off, "\x71\xc7", 2))
		*ret = CPIO_BIN_BE;
	else
		return -GB_ENOTFOUND;
	return 0;
}

static bool is_bin(enum cpio_kind k)
{
	return k == CPIO_BIN_LE || k == CPIO_BIN_BE;
}

static uint64_t hdr_size(enum cpio_kind k)
{
	return k == CPIO_ODC ? ODC_HDR : is_bin(k) ? BIN_HDR : NEWC_HDR;
}

static uint32_t bin16(const uint8_t *h, enum cpio_kind k, unsigned off)
{
	return k == CPIO_BIN_LE ? gb_le16(h + off) : gb_be16(h + off);
}

static int parse_header(const uint8_t *h, enum cpio_kind k, struct member *m)
{
	uint64_t v;

	if (is_bin(k)) {
		m->mode = bin16(h, k, 6);
		m->namesize = bin16(h, k, 20);
		m->filesize = (uint64_t)bin16(h, k, 22) << 16 | bin16(h, k, 24);
		return 0;
	}
	if (k == CPIO_ODC) {
		for (unsigned off = 6; off < 48; off += 6)
			if (parse_digits(h + off, 6, 8, &v) < 0)
				return -GB_ECORRUPT;
		if (parse_digits(h + 18, 6, 8, &m->mode) < 0 ||
		    parse_digits(h + 48, 11, 8, &v) < 0 ||
		    parse_digits(h + 59, 6, 8, &m->namesize) < 0 ||
		    parse_digits(h + 65, 11, 8, &m->filesize) < 0)
			return -GB_ECORRUPT;
		return 0;
	}
	for (unsigned off = 6; off < NEWC_HDR; off += 8)
		if (parse_digits(h + off, 8, 16, &v) < 0)
			return -GB_ECORRUPT;
	if (parse_digits(h + 14, 8, 16, &m->mode) < 0 ||
	    parse_digits(h + 54, 8, 16, &m->filesize) < 0 ||
	    parse_digits(h + 94, 8, 16, &m->namesize) < 0)
		return -GB_ECORRUPT;
	return 0;
}

static bool type_ok(uint64_t mode)
{
	switch (mode & 0170000) {
	case 0:	/* the trailer */
	case 0010000:
	case 0020000:
	case 0040000:
	case 0060000:
	case 0100000:
	case 0120000:
	case 0140000:
		return true;
	default:
		return false;
	}
}

static uint64_t pad4(enum cpio_kind k, uint64_t v)
{
	if (is_bin(k))
		return (v + 1) & ~(uint64_t)1;
	return k == CPIO_ODC ? v : (v + 3) & ~(uint64_t)3;
}

struct walk {
	const struct gb_span *in;
	enum cpio_kind kind; /* of the first member */
	uint64_t pos;
	bool ended;    /* the trailer was reached */
	bool damaged;  /* stopped at a bad header */
	uint64_t stop; /* where the walk stopped */
};

/* One member at w->pos. Returns 1 to go on, 0 at the end, -GB_ETRUNC when
 * the input ends inside the member. */
static int walk_member(struct walk *w)
{
	enum cpio_kind k;
	struct member m;
	const uint8_t *h, *name;
	uint64_t end;

	if (kind_at(w->in, w->pos, &k) < 0 || is_bin(k) != is_bin(w->kind)) {
		if (w->pos + 6 > w->in->n)
			return -GB_ETRUNC;
		w->damaged = true;
		return 0;
	}
	h = gb_span_at(w->in, w->pos, hdr_size(k));
	if (!h)
		return -GB_ETRUNC;
	if (parse_header(h, k, &m) < 0 || !type_ok(m.mode) || m.namesize < 2 ||
	    m.namesize > MAX_NAME) {
		w->damaged = true;
		return 0;
	}
	name = gb_span_at(w->in, w->pos + hdr_size(k), m.namesize);
	if (!name)
		return -GB_ETRUNC;
	if (name[m.namesize - 1] != 0 || memchr(name, 0, m.namesize - 1)) {
		w->damaged = true;
		return 0;
	}
	end = pad4(k, w->pos + hdr_size(k) + m.namesize);
	if (m.namesize == 11 && memcmp(name, "TRAILER!!!", 11) == 0) {
		w->ended = true;
		w->pos = end;
		return 0;
	}
	if (gb_add_u64(end, m.filesize, &end) < 0 || pad4(k, end) > w->in->n)
		return -GB_ETRUNC;
	w->pos = pad4(k, end);
	return 1;
}

/* GNU cpio pads the archive to 512 bytes with zeros. */
static void block_padding(struct walk *w)
{
	uint64_t end = (w->pos + BLOCK - 1) & ~(uint64_t)(BLOCK - 1);
	const uint8_t *pad;

	if (end > w->in->n || end == w->pos)
		return;
	pad = gb_span_at(w->in, w->pos, end - w->pos);
	for (uint64_t i = 0; i < end - w->pos; i++)
		if (pad[i])
			return;
	w->pos = end;
}

/* Walks the archive from its first header (whose kind is k). Returns
 * -GB_ENOTFOUND when the first member is not valid, 1 when the walk was cut
 * by the end of the input (w->pos is then the end of the input), else 0. */
static int cpio_walk(const struct gb_span *in, enum cpio_kind k, struct walk *w)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->in = in;
	w->kind = k;
	r = walk_member(w);
	if (r == 0 && (w->damaged || !w->ended))
		return -GB_ENOTFOUND;
	if (r == -GB_ETRUNC && !gb_span_has(in, 0, hdr_size(k)))
		return -GB_ENOTFOUND;
	for (unsigned n = 1; n < MAX_MEMBERS && r > 0; n++)
		r = walk_member(w);
	w->stop = w->pos;
	if (r < 0) {
		w->pos = in->n;
		return 1;
	}
	if (w->ended)
		block_padding(w);
	else if (w->damaged)
		w->pos = in->n - w->pos < hdr_size(k) ? in->n : w->pos + hdr_size(k);
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	static const char *const names[] = {"newc", "crc", "odc", "bin-le", "bin-be"};
	enum cpio_kind k;
	struct walk w;

	if (kind_at(in, 0, &k) < 0 || cpio_walk(in, k, &w) < 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = w.pos;
	ret->confidence = w.ended ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	strcpy(ret->variant, names[k]);
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_archive_opts opts = {
		.enable = archive_read_support_format_cpio,
		.defer_links = true,
	};
	enum cpio_kind k;
	struct walk w;

	/* libarchive may accept an archive that just stops; say that it did */
	if (kind_at(in, 0, &k) == 0 && cpio_walk(in, k, &w) >= 0 && !w.ended)
		gb_unpack_warn(u, "cpio: no TRAILER!!! member (%s at offset %llu)",
			       w.damaged ? "damaged header" : "truncated",
			       (unsigned long long)w.stop);
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("070701", 0),
	GB_MAGIC("070702", 0),
	GB_MAGIC("070707", 0),
	GB_MAGIC_START("\xc7\x71"),
	GB_MAGIC_START("\x71\xc7"),
};

const struct gb_format gb__fmt_cpio = {
	.name = "cpio",
	.description = "cpio archive (newc, crc, odc, old binary)",
	.kind = GB_KIND_ARCHIVE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
