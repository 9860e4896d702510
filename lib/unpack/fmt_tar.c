/* tar: POSIX ustar and pax, GNU tar, and old V7 tar archives.
 *
 * An archive is a run of 512-byte header blocks, each followed by the member's
 * data padded to 512 bytes, ended by two all-zero blocks (GNU tar then pads
 * the archive to its 10240-byte record with more zeros).
 *
 * Header (offsets in the block; numbers are octal ASCII terminated by NUL or
 * space, or GNU base-256 when the first byte has its top bit set):
 *   0   name[100]      100 mode[8]     108 uid[8]      116 gid[8]
 *   124 size[12]       136 mtime[12]   148 chksum[8]   156 typeflag
 *   157 linkname[100]  257 magic[6]    263 version[2]  265 uname[32]
 *   297 gname[32]      329 devmajor[8] 337 devminor[8] 345 prefix[155] (ustar)
 * magic is "ustar\0" + "00" for POSIX ustar/pax, "ustar " + " \0" for GNU,
 * absent (zeros) for V7. chksum is the sum of the 512 bytes with the chksum
 * field counted as spaces (old tars summed signed chars: both are accepted).
 *
 * Data follows for regular files and for the meta entries: 'x'/'g' pax
 * records ("LEN key=value\n"; "size=" overrides the next member's size), 'L'/'K'
 * GNU long names. Links, devices, dirs and FIFOs ('1'..'6') carry none, except
 * a hard link with a size in a pax archive, or in a ustar one when no header
 * follows (libarchive's rule, mirrored here). Old GNU sparse members ('S') are
 * followed by extension blocks while the byte at 482 (then 504) is set.
 *
 * probe: the "ustar" magic at 257 is the carving hook; a magic-less V7 header
 * is accepted only with a valid checksum and strictly octal fields. It then
 * walks every header (checksum, size, extension blocks) to the end-of-archive
 * blocks, so the size is exact. A damaged header mid-archive ends the walk one
 * block after it (libarchive then reports it); data running past the end of
 * the input makes the archive claim everything (unpack reports truncation).
 */
#include <string.h>

#include "archive_common.h"

#include <archive.h>

#define BLK 512u
#define RECORD 10240u
#define MAX_HEADERS (1u << 22)
#define MAX_SPARSE_EXT (1u << 16)

enum tar_kind { TAR_V7, TAR_USTAR, TAR_GNU };

static bool is_odigit(uint8_t c)
{
	return c >= '0' && c <= '7';
}

/* Octal field: optional leading spaces, digits, then NUL/space to the end.
 * An all-NUL/space field is 0. -GB_ECORRUPT on anything else. */
static int parse_octal(const uint8_t *f, size_t n, uint64_t *ret)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && is_odigit(f[i]); i++) {
		if (v >> 60)
			return -GB_ECORRUPT;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != 0)
			return -GB_ECORRUPT;
	*ret = v;
	return 0;
}

/* A numeric field: octal, or GNU base-256 (top bit of the first byte set;
 * negative values are refused). */
static int parse_num(const uint8_t *f, size_t n, uint64_t *ret)
{
	uint64_t v;

	if (!(f[0] & 0x80))
		return parse_octal(f, n, ret);
	if (f[0] & 0x40)
		return -GB_ECORRUPT;
	v = f[0] & 0x3f;
	for (size_t i = 1; i < n; i++) {
		if (v >> 55)
			return -GB_ECORRUPT;
		v = v << 8 | f[i];
	}
	if (v > INT64_MAX)
		return -GB_ECORRUPT;
	*ret = v;
	return 0;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t stored;
	uint32_t usum = 0;
	int32_t ssum = 0;

	if (parse_octal(h + 148, 8, &stored) < 0)
		return false;
	for (size_t i = 0; i < BLK; i++) {
		uint8_t c = i >= 148 && i < 156 ? ' ' : h[i];
		usum += c;
		ssum += (int8_t)c;
	}
	return stored == usum || (int64_t)stored == ssum;
}

static enum tar_kind kind_of(const uint8_t *h)
{
	if (memcmp(h + 257, "ustar ", 6) == 0)
		return TAR_GNU;
	if (memcmp(h + 257, "ustar", 5) == 0)
		return TAR_USTAR;
	return TAR_V7;
}

/* The first header of a candidate. Magic-less (V7) headers have nothing to
 * carve on, so they must look exactly like a V7 header. */
static bool first_header_ok(const uint8_t *h)
{
	uint64_t v;
	uint8_t t = h[156];

	if (!h[0] || gb_all_bytes(h, BLK, 0) || !checksum_ok(h))
		return false;
	if (parse_num(h + 124, 12, &v) < 0)
		return false;
	if (kind_of(h) != TAR_V7)
		return t == 0 || (t >= 0x20 && t < 0x7f);
	if (t != 0 && (t < '0' || t > '7'))
		return false;
	if (parse_octal(h + 100, 8, &v) < 0 || parse_octal(h + 124, 12, &v) < 0 ||
	    parse_octal(h + 136, 12, &v) < 0)
		return false;
	return gb_all_bytes(h + 257, 8, 0); /* no magic, no version */
}

/* Finds "size=" in the pax records of [d, d+n); *ret untouched if absent. */
static void pax_size(const uint8_t *d, size_t n, uint64_t *ret, bool *found)
{
	size_t pos = 0;

	while (pos < n) {
		size_t len = 0, i = pos, k;
		uint64_t v = 0;

		while (i < n && d[i] >= '0' && d[i] <= '9' && i - pos < 12)
			len = len * 10 + (size_t)(d[i++] - '0');
		if (i >= n || d[i] != ' ' || len <= i - pos || len > n - pos)
			return;
		k = i + 1;
		if (pos + len - k > 5 && memcmp(d + k, "size=", 5) == 0) {
			size_t j = k + 5;
			bool ok = j < pos + len - 1;
			for (; j < pos + len - 1; j++) {
				if (d[j] < '0' || d[j] > '9' || v > (UINT64_MAX - 9) / 10) {
					ok = false;
					break;
				}
				v = v * 10 + (uint64_t)(d[j] - '0');
			}
			if (ok && d[pos + len - 1] == '\n' && v <= INT64_MAX) {
				*ret = v;
				*found = true;
			}
		}
		pos += len;
	}
}

struct walk {
	const struct gb_span *in;
	uint64_t pos;
	bool pax_seen;   /* an 'x'/'g' header: hard links may carry data */
	bool size_next;  /* a pax "size=" applies to the next member */
	uint64_t next_size;
	bool ended;      /* end-of-archive blocks found */
	bool damaged;    /* stopped at a bad header */
};

/* Bytes of data that follow the header h (whose block is at w->pos - 512). */
static uint64_t data_size(struct walk *w, const uint8_t *h, uint64_t size)
{
	uint8_t t = h[156];
	const uint8_t *next;

	if (t >= '2' && t <= '6')
		return 0;
	if (t != '1' || size == 0 || w->pax_seen)
		return size;
	if (kind_of(h) != TAR_USTAR)
		return 0;
	/* a ustar hard link with a size: data only if no header follows */
	next = gb_span_at(w->in, w->pos, BLK);
	return next && checksum_ok(next) ? 0 : size;
}

/* Skips old-GNU sparse extension blocks after an 'S' header. */
static int skip_sparse_ext(struct walk *w, const uint8_t *h)
{
	uint8_t more = h[482];

	for (unsigned i = 0; more; i++) {
		const uint8_t *x = gb_span_at(w->in, w->pos, BLK);
		if (!x || i >= MAX_SPARSE_EXT)
			return -GB_ETRUNC;
		more = x[504];
		w->pos += BLK;
	}
	return 0;
}

/* After the first zero block: a second one, then record padding. */
static void end_blocks(struct walk *w)
{
	const uint8_t *b;

	w->ended = true;
	w->pos += BLK;
	b = gb_span_at(w->in, w->pos, BLK);
	if (!b || !gb_all_bytes(b, BLK, 0))
		return;
	w->pos += BLK;
	while (w->pos % RECORD) {
		b = gb_span_at(w->in, w->pos, BLK);
		if (!b || !gb_all_bytes(b, BLK, 0))
			return;
		w->pos += BLK;
	}
}

/* One member at w->pos. Returns 1 to go on, 0 at the end, -GB_ETRUNC when
 * the input ends inside the member. */
static int walk_member(struct walk *w)
{
	const uint8_t *h = gb_span_at(w->in, w->pos, BLK);
	uint64_t size, adv;

	if (!h)
		return w->pos == w->in->n ? 0 : -GB_ETRUNC;
	if (gb_all_bytes(h, BLK, 0)) {
		end_blocks(w);
		return 0;
	}
	if (!checksum_ok(h) || parse_num(h + 124, 12, &size) < 0) {
		w->damaged = true;
		w->pos += BLK;
		return 0;
	}
	w->pos += BLK;
	if (w->size_next && h[156] != 'x' && h[156] != 'g') {
		size = w->next_size;
		w->size_next = false;
	}
	if (h[156] == 'S' && skip_sparse_ext(w, h) < 0)
		return -GB_ETRUNC;
	size = data_size(w, h, size);
	if (h[156] == 'x' || h[156] == 'g') {
		w->pax_seen = true;
		if (h[156] == 'x' && gb_span_has(w->in, w->pos, size))
			pax_size(w->in->p + w->pos, (size_t)size, &w->next_size, &w->size_next);
	}
	if (gb_add_u64(size, BLK - 1, &adv) < 0 ||
	    gb_add_u64(w->pos, adv & ~(uint64_t)(BLK - 1), &adv) < 0 || adv > w->in->n)
		return -GB_ETRUNC;
	w->pos = adv;
	return 1;
}

/* Walks the archive from its first header; returns 1 when the walk was cut
 * by the end of the input (w->pos is then the end of the input). */
static int tar_walk(const struct gb_span *in, struct walk *w)
{
	int r = 1;

	memset(w, 0, sizeof(*w));
	w->in = in;
	for (unsigned n = 0; n < MAX_HEADERS && r > 0; n++)
		r = walk_member(w);
	if (r < 0) {
		w->pos = in->n;
		return 1;
	}
	return 0;
}

static int probe(const struct gb_span *in, struct gb_probe *ret)
{
	const uint8_t *h = gb_span_at(in, 0, BLK);
	enum tar_kind kind;
	struct walk w;

	if (!h || !first_header_ok(h))
		return -GB_ENOTFOUND;
	kind = kind_of(h);
	tar_walk(in, &w);
	memset(ret, 0, sizeof(*ret));
	ret->size = w.pos;
	ret->confidence = w.ended && !w.damaged ? GB_CONF_HIGH : GB_CONF_MEDIUM;
	strcpy(ret->variant, kind == TAR_GNU ? "gnu" : kind == TAR_V7 ? "v7" :
			     w.pax_seen ? "pax" : "ustar");
	return 0;
}

static int unpack(struct gb_unpack *u, const struct gb_span *in, const struct gb_probe *p)
{
	static const struct gb_archive_opts opts = {
		.enable = archive_read_support_format_tar,
	};
	struct walk w;

	/* libarchive accepts an archive that just stops; say that it did */
	if (tar_walk(in, &w) == 0 && !w.ended && !w.damaged)
		gb_unpack_warn(u, "tar: no end-of-archive blocks after %llu bytes (truncated?)",
			       (unsigned long long)w.pos);
	return gb__archive_unpack(u, in, p, &opts);
}

static const struct gb_magic magics[] = {
	GB_MAGIC("ustar", 257),
};

const struct gb_format gb__fmt_tar = {
	.name = "tar",
	.description = "tar archive (ustar, pax, GNU, V7)",
	.kind = GB_KIND_ARCHIVE,
	.magics = magics,
	.n_magics = sizeof(magics) / sizeof(magics[0]),
	.probe = probe,
	.unpack = unpack,
};
