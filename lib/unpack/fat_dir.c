/* fat_dir: FAT directories, read entry by entry.
 *
 * A directory is the fixed root area (FAT12/16) or a cluster chain (FAT32
 * root, every subdirectory) of 32-byte entries, little-endian:
 *     0  name[8] ext[3]  space padded; name[0] 0x00 ends the directory,
 *                        0xE5 marks a deleted entry, 0x05 stands for 0xE5
 *    11  u8 attributes   0x01 read-only, 0x02 hidden, 0x04 system,
 *                        0x08 volume label, 0x10 directory, 0x0F long name
 *    12  u8 case flags   0x08 base in lower case, 0x10 extension in lower case
 *    20  u16 first cluster, high half (FAT32)
 *    22  u16 time (h:5 m:6 s/2:5)   24  u16 date (year-1980:7 month:4 day:5)
 *    26  u16 first cluster, low half
 *    28  u32 size
 * VFAT long names precede their short entry as 0x0F entries in reverse order:
 *     0  u8 sequence (1..20; 0x40 on the last, which comes first)
 *     1  5 UTF-16LE chars   13 u8 checksum of the 11-byte short name
 *    14  6 chars            28 2 chars
 * A long name is used only when its sequence is complete and the checksum
 * matches its short entry; otherwise the short name is. "." and "..",
 * deleted entries and volume labels are skipped.
 *
 * The walk is bounded: directory chains by the cluster count and 2 MiB (the
 * 65,536 entries FAT allows), depth by FAT_MAX_DEPTH, and a directory whose
 * cluster is one of its ancestors is not entered again.
 */
#include <stdio.h>
#include <string.h>

#include <glassbox/sys/format.h>

#include "fat.h"

#define FAT_MAX_DEPTH 64
#define FAT_MAX_DIR_BYTES (2u * 1024u * 1024u)
#define FAT_PATH_MAX 4096
#define LFN_CHARS (20 * 13)

struct dirit {
	const struct gb_span *in;
	const struct fat_vol *v;
	bool fixed;
	uint64_t off, end;
	uint32_t cluster;
	uint64_t bytes;
};

struct lfn {
	uint16_t ch[LFN_CHARS + 1];
	int expect;  /* next sequence number wanted; 0: complete; -1: none */
	uint8_t csum;
};

struct walk {
	struct gb_unpack *u;
	const struct gb_span *in;
	const struct fat_vol *v;
	char path[FAT_PATH_MAX];
	uint32_t stack[FAT_MAX_DEPTH];
	unsigned depth;
};

static int walk_dir(struct walk *w, struct dirit *it, size_t plen);

static void dirit_root(struct dirit *it, const struct gb_span *in, const struct fat_vol *v)
{
	memset(it, 0, sizeof(*it));
	it->in = in;
	it->v = v;
	if (v->type == FAT32) {
		it->cluster = v->root_cluster;
		it->off = gb__fat_cluster_off(v, v->root_cluster);
		it->end = it->off + v->csize;
	} else {
		it->fixed = true;
		it->off = v->root_off;
		it->end = v->root_off + (uint64_t)v->root_entries * 32;
	}
}

static void dirit_chain(struct dirit *it, const struct gb_span *in, const struct fat_vol *v,
			uint32_t c)
{
	memset(it, 0, sizeof(*it));
	it->in = in;
	it->v = v;
	it->cluster = c;
	it->off = gb__fat_cluster_off(v, c);
	it->end = it->off + v->csize;
}

/* The next 32-byte entry, or NULL at the end (reported when abnormal). */
static const uint8_t *dirit_next(struct gb_unpack *u, struct dirit *it, const char *path)
{
	const uint8_t *b;
	uint32_t next;

	if (it->off + 32 > it->end) {
		if (it->fixed)
			return NULL;
		if (gb__fat_next(it->in, it->v, it->cluster, &next) < 0) {
			gb_unpack_warn(u, "directory %s: FAT entry of cluster %u past the end", path,
				       it->cluster);
			return NULL;
		}
		if (gb__fat_is_eoc(it->v, next))
			return NULL;
		if (!gb__fat_valid(it->v, next)) {
			gb_unpack_warn(u, "directory %s: bad FAT entry 0x%x after cluster %u", path,
				       next, it->cluster);
			return NULL;
		}
		it->bytes += it->v->csize;
		if (it->bytes >= FAT_MAX_DIR_BYTES || it->bytes / it->v->csize > it->v->nclusters) {
			gb_unpack_warn(u, "directory %s: cluster chain longer than %u bytes (loop?): "
				       "stopped", path, FAT_MAX_DIR_BYTES);
			return NULL;
		}
		it->cluster = next;
		it->off = gb__fat_cluster_off(it->v, next);
		it->end = it->off + it->v->csize;
	}
	b = gb_span_at(it->in, it->off, 32);
	if (!b) {
		gb_unpack_warn(u, "directory %s: entry at 0x%llx past the end of the data "
			       "(truncated image)", path, (unsigned long long)it->off);
		return NULL;
	}
	it->off += 32;
	return b;
}

static uint8_t short_csum(const uint8_t *name)
{
	uint8_t s = 0;

	for (unsigned i = 0; i < 11; i++)
		s = (uint8_t)(((s & 1) << 7) + (s >> 1) + name[i]);
	return s;
}

static void lfn_add(struct lfn *l, const uint8_t *b)
{
	static const uint8_t pos[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
	unsigned seq = b[0] & 0x1f;

	if (b[0] & 0x40) {
		if (seq == 0 || seq > 20) {
			l->expect = -1;
			return;
		}
		memset(l->ch, 0, sizeof(l->ch));
		l->expect = (int)seq;
		l->csum = b[13];
	} else if (l->expect <= 0 || (int)seq != l->expect || b[13] != l->csum ||
		   (b[0] & 0xa0) != 0) {
		l->expect = -1;
		return;
	}
	for (unsigned i = 0; i < 13; i++)
		l->ch[(seq - 1) * 13 + i] = gb_le16(b + pos[i]);
	l->expect--;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* UTF-16 (up to the first 0x0000) as UTF-8; '/' becomes '_'. */
static void lfn_utf8(const struct lfn *l, char *out, size_t n)
{
	size_t k = 0;

	for (unsigned i = 0; i < LFN_CHARS && l->ch[i] != 0; i++) {
		uint32_t c = l->ch[i];

		if (c >= 0xd800 && c < 0xdc00 && i + 1 < LFN_CHARS && l->ch[i + 1] >= 0xdc00 &&
		    l->ch[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (l->ch[i + 1] - 0xdc00);
			i++;
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		if (c == '/')
			c = '_';
		if (k + 5 > n)
			break;
		k += put_utf8(out + k, c);
	}
	out[k] = '\0';
}

/* The 8.3 name with the case flags; bytes >= 0x80 (OEM code page) as Latin-1. */
static void short_name(const uint8_t *b, char *out)
{
	size_t k = 0;
	int blen = 8, elen = 3;

	while (blen > 0 && b[blen - 1] == ' ')
		blen--;
	while (elen > 0 && b[8 + elen - 1] == ' ')
		elen--;
	for (int i = 0; i < blen + elen; i++) {
		uint8_t c = b[i < blen ? i : 8 + (i - blen)];
		bool lower = (b[12] & (i < blen ? 0x08 : 0x10)) != 0;

		if (i == blen)
			out[k++] = '.';
		if (i == 0 && c == 0x05)
			c = 0xe5;
		if (lower && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		if (c == '/' || c == 0)
			c = '_';
		k += put_utf8(out + k, c);
	}
	out[k] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

static int64_t fat_time(uint16_t date, uint16_t time)
{
	unsigned m = (date >> 5) & 0xf, d = date & 0x1f;

	if (m < 1 || m > 12 || d < 1)
		return 0;
	return days_from_civil(1980 + (date >> 9), m, d) * 86400 + (int64_t)(time >> 11) * 3600 +
	       ((time >> 5) & 0x3f) * 60 + (time & 0x1f) * 2;
}

static bool is_dot(const uint8_t *b)
{
	return memcmp(b, ".          ", 11) == 0 || memcmp(b, "..         ", 11) == 0;
}

static int enter_dir(struct walk *w, uint32_t c, size_t plen)
{
	struct dirit it;

	if (!gb__fat_valid(w->v, c)) {
		gb_unpack_warn(w->u, "directory %s: first cluster %u is not a data cluster", w->path,
			       c);
		return 0;
	}
	if (w->depth >= FAT_MAX_DEPTH) {
		gb_unpack_warn(w->u, "directory %s: deeper than %u levels: not entered", w->path,
			       FAT_MAX_DEPTH);
		return 0;
	}
	for (unsigned i = 0; i < w->depth; i++)
		if (w->stack[i] == c) {
			gb_unpack_warn(w->u, "directory %s: cluster %u is one of its ancestors "
				       "(loop): not entered", w->path, c);
			return 0;
		}
	if (w->v->type == FAT32 && c == w->v->root_cluster) {
		gb_unpack_warn(w->u, "directory %s: points at the root (loop): not entered", w->path);
		return 0;
	}
	w->stack[w->depth++] = c;
	dirit_chain(&it, w->in, w->v, c);
	int r = walk_dir(w, &it, plen);
	w->depth--;
	return r;
}

/* One short entry (with its long name, if any) at w->path[0..plen). */
static int do_entry(struct walk *w, const uint8_t *b, const struct lfn *l, size_t plen)
{
	char name[LFN_CHARS * 4 + 8];
	struct gb_entry e;
	uint8_t attr = b[11];
	uint32_t c = gb_le16(b + 26);
	size_t nlen;
	int r;

	if (l->expect == 0 && short_csum(b) == l->csum)
		lfn_utf8(l, name, sizeof(name));
	else
		short_name(b, name);
	nlen = strlen(name);
	if (nlen == 0) {
		gb_unpack_warn(w->u, "directory %s: entry with an empty name skipped",
			       plen ? w->path : "/");
		return 0;
	}
	if (plen + 1 + nlen + 1 > sizeof(w->path)) {
		gb_unpack_warn(w->u, "path under %s too long: skipped", w->path);
		return 0;
	}
	w->path[plen] = '/';
	memcpy(w->path + plen + 1, name, nlen + 1);
	if (w->v->type == FAT32)
		c |= (uint32_t)gb_le16(b + 20) << 16;
	memset(&e, 0, sizeof(e));
	e.path = w->path;
	e.mtime = fat_time(gb_le16(b + 24), gb_le16(b + 22));
	if (attr & 0x10) {
		e.type = GB_FT_DIR;
		e.mode = (attr & 0x01) ? 0555 : 0755;
		r = gb_unpack_entry(w->u, &e);
		if (r == 0)
			r = enter_dir(w, c, plen + 1 + nlen);
	} else {
		e.type = GB_FT_FILE;
		e.mode = (attr & 0x01) ? 0444 : 0644;
		e.size = gb_le32(b + 28);
		r = gb__fat_write_file(w->u, w->in, w->v, &e, c);
	}
	w->path[plen] = '\0';
	return r;
}

static int walk_dir(struct walk *w, struct dirit *it, size_t plen)
{
	struct lfn l;
	const uint8_t *b;
	int r;

	l.expect = -1;
	while ((b = dirit_next(w->u, it, plen ? w->path : "/")) != NULL) {
		if (b[0] == 0x00)
			break;
		if (b[0] == 0xe5) {
			l.expect = -1;
			continue;
		}
		if ((b[11] & 0x3f) == 0x0f) {
			lfn_add(&l, b);
			continue;
		}
		if ((b[11] & 0x08) || is_dot(b)) {
			l.expect = -1;
			continue;
		}
		r = do_entry(w, b, &l, plen);
		l.expect = -1;
		if (r < 0)
			return r;
	}
	return 0;
}

int gb__fat_walk(struct gb_unpack *u, const struct gb_span *in, const struct fat_vol *v)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct dirit it;
	int r;

	if (!w)
		return gb_unpack_fail(u, -GB_ENOMEM, "out of memory");
	w->u = u;
	w->in = in;
	w->v = v;
	if (v->type == FAT32)
		w->stack[w->depth++] = v->root_cluster;
	dirit_root(&it, in, v);
	r = walk_dir(w, &it, 0);
	free(w);
	return r;
}
