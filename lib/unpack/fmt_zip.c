/* zip: PKWARE zip archives (incl. zip64, data descriptors, self-extracting
 * prefixes), read through libarchive.
 *
 * Layout (all little-endian):
 *   local header   "PK\3\4" ver@4 flags@6 method@8 time@10 date@12 crc@14
 *                  csize@18 usize@22 namelen@26 extralen@28, name, extra, data
 *                  (flags bit 3: sizes follow the data in a data descriptor,
 *                  [optional "PK\7\8"] crc csize usize, 4- or 8-byte sizes)
 *   central dir    "PK\1\2" ... namelen@28 extralen@30 commentlen@32
 *                  local header offset@42, 46 bytes + name + extra + comment
 *   [zip64 EOCD    "PK\6\6" recsize(8)@4 ... entries(8)@32 cdsize(8)@40
 *                  cdoffset(8)@48; then its locator "PK\6\7" (20 bytes)]
 *   EOCD           "PK\5\6" disk@4 cddisk@6 entries_here@8 entries@10
 *                  cdsize(4)@12 cdoffset(4)@16 commentlen@20, comment
 * A zip64 extra field (id 1) holds 64-bit sizes when the 32-bit ones are
 * 0xffffffff. Offsets count from the start of the file holding the zip, so a
 * zip with a prefix (self-extractor stub) records them shifted by the prefix.
 *
 * probe: starting at a local header, walk the local entries (skipping data by
 * its size, or finding the data descriptor whose recorded size matches), then
 * the central directory entries, the optional zip64 records and the EOCD,
 * whose size and entry count must match the walk. The end of the EOCD comment
 * is the end of the archive. A walk cut by the end of the input claims the
 * rest (unpack reads the local headers and reports the truncation); a walk
 * stopped by garbage claims up to it.
 *
 * unpack: libarchive's seekable reader (central directory: modes, symlinks,
 * data descriptors) when the EOCD was found at consistent offsets, else its
 * streaming reader over the local headers.
 */
#include <string.h>

#include "archive_common.h"

#include <archive.h>

#define LFH 30u
#define CDH 46u
#define EOCD 22u
#define Z64_EOCD 56u
#define Z64_LOC 20u
#define MAX_ENTRIES (1u << 22)
#define MAX_SHIFT (1ULL << 40) /* a larger self-extractor prefix is not believed */

struct zwalk {
	const struct gb_span *in;
	uint64_t pos;
	uint64_t n_local;
	uint64_t cd_start, cd_end, n_cd;
	bool ended;     /* a consistent EOCD ends the walk */
	bool truncated; /* the input ended inside the archive */
	bool zip64;
	int64_t shift;  /* recorded offsets minus offsets from our start */
	const char *why; /* what stopped an unfinished walk */
	uint64_t stop;   /* and where */
};

static bool sig_at(const struct gb_span *in, uint64_t off, uint8_t a, uint8_t b)
{
	const uint8_t sig[4] = {'P', 'K', a, b};
	return gb_span_eq(in, off, sig, 4);
}

static bool method_ok(uint16_t m)
{
	return m <= 20 || (m >= 93 && m <= 99);
}

/* Sizes of a local entry, from the header or its zip64 extra field. */
static int local_sizes(const struct gb_span *in, uint64_t pos, uint64_t *csize, uint64_t *usize)
{
	const uint8_t *h = gb_span_at(in, pos, LFH);
	uint64_t x, xend;

	*csize = gb_le32(h + 18);
	*usize = gb_le32(h + 22);
	if (*csize != 0xffffffffu && *usize != 0xffffffffu)
		return 0;
	x = pos + LFH + gb_le16(h + 26);
	xend = x + gb_le16(h + 28);
	while (x + 4 <= xend) {
		const uint8_t *f = gb_span_at(in, x, 4);
		uint16_t id, len;

		if (!f)
			return -GB_ETRUNC;
		id = gb_le16(f);
		len = gb_le16(f + 2);
		if (id == 1) {
			const uint8_t *d = gb_span_at(in, x + 4, len);
			unsigned k = 0;
			if (!d || x + 4 + len > xend)
				return -GB_ECORRUPT;
			if (*usize == 0xffffffffu && k + 8 <= len) {
				*usize = gb_le64(d + k);
				k += 8;
			}
			if (*csize == 0xffffffffu && k + 8 <= len)
				*csize = gb_le64(d + k);
			return 0;
		}
		x += 4 + (uint64_t)len;
	}
	return 0;
}

static bool next_is_record(const struct gb_span *in, uint64_t off)
{
	return sig_at(in, off, 3, 4) || sig_at(in, off, 1, 2) || sig_at(in, off, 5, 6) ||
	       sig_at(in, off, 6, 6);
}

/* The data of a bit-3 entry starts at ds: find its data descriptor (the one
 * whose recorded compressed size matches) and return the offset after it. */
static int find_descriptor(const struct gb_span *in, uint64_t ds, uint64_t *ret)
{
	for (uint64_t q = ds; q + 4 <= in->n; q++) {
		const uint8_t *p = memchr(in->p + q, 'P', in->n - q);
		uint32_t c32;
		uint64_t c64;

		if (!p)
			break;
		q = (uint64_t)(p - in->p);
		if (sig_at(in, q, 7, 8)) {
			if (gb_rd_u32le(in, q + 8, &c32) == 0 && c32 == q - ds &&
			    next_is_record(in, q + 16)) {
				*ret = q + 16;
				return 0;
			}
			if (gb_rd_u64le(in, q + 8, &c64) == 0 && c64 == q - ds &&
			    next_is_record(in, q + 24)) {
				*ret = q + 24;
				return 0;
			}
		} else if (next_is_record(in, q) && q >= ds + 12) {
			/* a descriptor without its signature just before a record */
			if (gb_rd_u32le(in, q - 8, &c32) == 0 && c32 == q - 12 - ds) {
				*ret = q;
				return 0;
			}
			if (q >= ds + 20 && gb_rd_u64le(in, q - 16, &c64) == 0 &&
			    c64 == q - 20 - ds) {
				*ret = q;
				return 0;
			}
		}
	}
	return -GB_ETRUNC;
}

static bool local_ok(const uint8_t *h)
{
	return (gb_le16(h + 4) & 0xff) <= 99 && method_ok(gb_le16(h + 8)) && gb_le16(h + 26) > 0;
}

/* One local entry at w->pos; returns 1 to go on, 0 when something else
 * follows, -GB_ETRUNC / -GB_ECORRUPT. */
static int walk_local(struct zwalk *w)
{
	const uint8_t *h = gb_span_at(w->in, w->pos, LFH);
	uint64_t ds, csize, usize, end;
	int r;

	if (!h)
		return -GB_ETRUNC;
	if (!sig_at(w->in, w->pos, 3, 4))
		return 0;
	if (!local_ok(h))
		return -GB_ECORRUPT;
	w->n_local++;
	ds = w->pos + LFH + gb_le16(h + 26) + gb_le16(h + 28);
	if (ds > w->in->n)
		return -GB_ETRUNC;
	r = local_sizes(w->in, w->pos, &csize, &usize);
	if (r < 0)
		return r;
	if (gb_le16(h + 6) & 8) {
		/* sizes in a data descriptor after the data: the header's are
		 * usually 0, so find the descriptor that matches */
		r = find_descriptor(w->in, ds, &end);
		if (r < 0)
			return r;
	} else if (gb_add_u64(ds, csize, &end) < 0 || end > w->in->n) {
		return -GB_ETRUNC;
	}
	w->pos = end;
	return 1;
}

/* Central directory entries from w->pos. */
static int walk_cd(struct zwalk *w)
{
	w->cd_start = w->pos;
	while (sig_at(w->in, w->pos, 1, 2)) {
		const uint8_t *h = gb_span_at(w->in, w->pos, CDH);
		uint64_t len;

		if (!h)
			return -GB_ETRUNC;
		len = CDH + (uint64_t)gb_le16(h + 28) + gb_le16(h + 30) + gb_le16(h + 32);
		if (w->pos + len > w->in->n)
			return -GB_ETRUNC;
		if (++w->n_cd > MAX_ENTRIES)
			return -GB_ECORRUPT;
		w->pos += len;
	}
	w->cd_end = w->pos;
	/* an optional digital signature record */
	if (sig_at(w->in, w->pos, 5, 5)) {
		uint16_t len;
		if (gb_rd_u16le(w->in, w->pos + 4, &len) < 0)
			return -GB_ETRUNC;
		w->pos += 6 + (uint64_t)len;
	}
	return 0;
}

/* The zip64 EOCD record and locator at w->pos; cd_size, cd_off and entries get
 * its values. */
static int walk_zip64(struct zwalk *w, uint64_t *cd_size, uint64_t *cd_off, uint64_t *entries)
{
	uint64_t rec, len;
	const uint8_t *h = gb_span_at(w->in, w->pos, Z64_EOCD);

	if (!h)
		return -GB_ETRUNC;
	rec = gb_le64(h + 4);
	if (rec < Z64_EOCD - 12 || rec > (1u << 20))
		return -GB_ECORRUPT;
	if (gb_le32(h + 16) != 0 || gb_le32(h + 20) != 0 || gb_le64(h + 24) != gb_le64(h + 32))
		return -GB_ECORRUPT;
	*entries = gb_le64(h + 32);
	*cd_size = gb_le64(h + 40);
	*cd_off = gb_le64(h + 48);
	len = 12 + rec;
	if (!gb_span_has(w->in, w->pos, len + Z64_LOC))
		return -GB_ETRUNC;
	if (!sig_at(w->in, w->pos + len, 6, 7))
		return -GB_ECORRUPT;
	w->zip64 = true;
	w->pos += len + Z64_LOC;
	return 0;
}

static int walk_eocd(struct zwalk *w)
{
	uint64_t cd_size = 0, cd_off = 0, entries = 0, end;
	const uint8_t *h;
	int r;

	if (sig_at(w->in, w->pos, 6, 6)) {
		r = walk_zip64(w, &cd_size, &cd_off, &entries);
		if (r < 0)
			return r;
	}
	if (!sig_at(w->in, w->pos, 5, 6))
		return gb_span_has(w->in, w->pos, 4) ? -GB_ECORRUPT : -GB_ETRUNC;
	h = gb_span_at(w->in, w->pos, EOCD);
	if (!h)
		return -GB_ETRUNC;
	if (!w->zip64) {
		if (gb_le16(h + 4) != 0 || gb_le16(h + 6) != 0 || gb_le16(h + 8) != gb_le16(h + 10))
			return -GB_ECORRUPT;
		entries = gb_le16(h + 10);
		cd_size = gb_le32(h + 12);
		cd_off = gb_le32(h + 16);
	}
	if (entries != w->n_cd || cd_size != w->cd_end - w->cd_start)
		return -GB_ECORRUPT;
	end = w->pos + EOCD + gb_le16(h + 20);
	w->shift = cd_off >= w->cd_start && cd_off - w->cd_start < MAX_SHIFT ?
			   (int64_t)(cd_off - w->cd_start) : -1;
	w->pos = end > w->in->n ? w->in->n : end;
	w->ended = true;
	return 0;
}

/* Walks the whole archive from its first local header. */
static void zip_walk(const struct gb_span *in, struct zwalk *w)
{
	int r = 1;

	memset(w, 0, sizeof(*w));
	w->in = in;
	while (r > 0 && w->n_local < MAX_ENTRIES)
		r = walk_local(w);
	if (r == 0)
		r = walk_cd(w);
	if (r == 0)
		r = walk_eocd(w);
	w->stop = w->pos;
	if (r == -GB_ETRUNC) {
		w->truncated = true;
		w->why = "the input ends inside the archive";
		w->pos = in->n;
	} else if (r < 0) {
		w->why = "a damaged record";
		w->pos = in->n - w->pos < 4 ? in->n : w->pos + 4;
	} else if (!w->ended) {
		w->why = "too many entries";
	}
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *h = gb_span_at(in, 0, LFH);
	struct zwalk w;

	if (!h || !sig_at(in, 0, 3, 4) || !local_ok(h))
		return -GB_ENOTFOUND;
	zip_walk(in, &w);
	if (w.n_local == 0)
		return -GB_ENOTFOUND;
	memset(ret, 0, sizeof(*ret));
	ret->size = w.pos;
	ret->confidence = w.ended ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	strcpy(ret->variant, w.zip64 ? "zip64" : "zip");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	struct gb_archive_opts opts = {
		.enable = archive_read_support_format_zip_seekable,
	};
	struct zwalk w;

	zip_walk(in, &w);
	if (w.ended && w.shift >= 0) {
		/* offsets counted from before our start: show that much zeros */
		opts.prefix = (uint64_t)w.shift;
		return gb__archive_unpack(u, in, p, &opts);
	}
	if (w.ended)
		gb_unpack_warn(u, "zip: the central directory offset (%llu) does not match its "
				  "position: read from the local headers",
			       (unsigned long long)w.cd_start);
	else
		gb_unpack_warn(u, "zip: no usable central directory (%s, at offset %llu): "
				  "read from the local headers",
			       w.why ? w.why : "unknown", (unsigned long long)w.stop);
	opts.enable = archive_read_support_format_zip_streamable;
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("PK\x03\x04", 0),
};

const struct gb_format gb__fmt_zip = {
	.name = "zip",
	.description = "zip archive (incl. zip64)",
	.kind = GB_KIND_ARCHIVE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
