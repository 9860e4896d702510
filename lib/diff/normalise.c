/* normalise: the normalised views the equivalence verdicts rest on.
 *
 * Nothing here edits an input: each helper reads two views and says whether
 * their difference is one of the documented normalisations (docs/equiv.md
 * states every rule exactly; keep the two in step).
 *
 *  - same-length rule: a differing byte is a build path when, on both sides,
 *    it lies in a NUL-terminated run of printable bytes and inside a path
 *    token of it (bytes from [A-Za-z0-9/._+~@,=-] containing a '/'); it is a
 *    build date when both sides hold a __DATE__ ("Mmm dd yyyy"), __TIME__
 *    ("hh:mm:ss") or ISO date ("yyyy-mm-dd") at the same position covering it;
 *  - trailer: the shorter file is a prefix of the longer and the tail is at
 *    most 4 KiB and high-entropy or a known signature/checksum shape;
 *  - gzip: compare the inflated content, not the header;
 *  - archives: member order read with libarchive (headers only).
 */
#include <archive.h>
#include <archive_entry.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "diff/diff_int.h"
#include "util/entropy.h"

#define TRAILER_MAX 4096
#define MAX_CSTRING 4096 /* a longer printable run is not a build path or date */

static bool printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool pathchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("/._+~@,=-", c) != NULL;
}

/* The printable, NUL-terminated run around i: [*s, *e), false if none. */
static bool cstring_at(struct gb_span x, size_t i, size_t *s, size_t *e)
{
	if (i >= x.n || !printable(x.p[i]))
		return false;
	size_t a = i, b = i;
	while (a > 0 && printable(x.p[a - 1]) && i - a < MAX_CSTRING)
		a--;
	while (b < x.n && printable(x.p[b]) && b - i < MAX_CSTRING)
		b++;
	if (b >= x.n || x.p[b] != 0 || (a > 0 && printable(x.p[a - 1])))
		return false;
	*s = a;
	*e = b;
	return true;
}

static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool dig(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* __DATE__: "Mmm dd yyyy" with dd space-padded ("Nov  4 2023"). */
static bool is_cdate(const uint8_t *p)
{
	bool m = false;
	for (int k = 0; k < 12 && !m; k++)
		m = memcmp(p, months[k], 3) == 0;
	return m && p[3] == ' ' && (p[4] == ' ' || dig(p[4])) && dig(p[5]) && p[6] == ' ' &&
	       dig(p[7]) && dig(p[8]) && dig(p[9]) && dig(p[10]);
}

/* __TIME__: "hh:mm:ss". */
static bool is_ctime(const uint8_t *p)
{
	return dig(p[0]) && dig(p[1]) && p[2] == ':' && dig(p[3]) && dig(p[4]) && p[5] == ':' &&
	       dig(p[6]) && dig(p[7]);
}

/* ISO 8601 date: "yyyy-mm-dd". */
static bool is_iso(const uint8_t *p)
{
	return dig(p[0]) && dig(p[1]) && dig(p[2]) && dig(p[3]) && p[4] == '-' && dig(p[5]) &&
	       dig(p[6]) && p[7] == '-' && dig(p[8]) && dig(p[9]);
}

static const struct {
	size_t len;
	bool (*match)(const uint8_t *p);
} date_pats[] = {{11, is_cdate}, {8, is_ctime}, {10, is_iso}};

enum eq_mask gb__mask_at(struct gb_span a, struct gb_span b, size_t i, size_t *ret_end)
{
	size_t sa, ea, sb, eb;
	if (a.n != b.n || !cstring_at(a, i, &sa, &ea) || !cstring_at(b, i, &sb, &eb))
		return EQ_MASK_NONE;
	size_t lo = sa > sb ? sa : sb, hi = ea < eb ? ea : eb;

	for (size_t k = 0; k < sizeof(date_pats) / sizeof(date_pats[0]); k++) {
		size_t len = date_pats[k].len;
		size_t first = i + 1 >= len ? i + 1 - len : 0;
		if (first < lo)
			first = lo;
		for (size_t p = first; p <= i && p + len <= hi; p++) {
			if (date_pats[k].match(a.p + p) && date_pats[k].match(b.p + p)) {
				*ret_end = p + len;
				return EQ_MASK_DATE;
			}
		}
	}

	/* path tokens around i on both sides */
	if (!pathchar(a.p[i]) || !pathchar(b.p[i]))
		return EQ_MASK_NONE;
	size_t ta = i, tb = i, za = i, zb = i;
	while (ta > sa && pathchar(a.p[ta - 1]))
		ta--;
	while (tb > sb && pathchar(b.p[tb - 1]))
		tb--;
	while (za < ea && pathchar(a.p[za]))
		za++;
	while (zb < eb && pathchar(b.p[zb]))
		zb++;
	if (za - ta < 3 || zb - tb < 3 || !memchr(a.p + ta, '/', za - ta) ||
	    !memchr(b.p + tb, '/', zb - tb))
		return EQ_MASK_NONE;
	*ret_end = za < zb ? za : zb;
	return EQ_MASK_PATH;
}

void gb__masked_compare(struct gb_span a, struct gb_span b, struct eq_cmp *ret,
			void (*cb)(void *ctx, uint64_t off, uint64_t len), void *ctx)
{
	size_t n = a.n < b.n ? a.n : b.n, i = 0;
	uint64_t run_start = 0, run_len = 0;

	memset(ret, 0, sizeof(*ret));
	while (i < n) {
		if (n - i >= 64 && memcmp(a.p + i, b.p + i, 64) == 0) {
			i += 64;
			continue;
		}
		if (a.p[i] == b.p[i]) {
			i++;
			continue;
		}
		size_t end = i + 1;
		enum eq_mask m = gb__mask_at(a, b, i, &end);
		if (m != EQ_MASK_NONE) {
			ret->norms |= m == EQ_MASK_PATH ? GB_NORM_BUILD_PATH : GB_NORM_BUILD_DATE;
			i = end > i ? end : i + 1;
			continue;
		}
		if (!ret->real)
			ret->first = i;
		ret->last = i;
		ret->real++;
		if (cb) {
			if (run_len && run_start + run_len + 8 >= i) {
				run_len = i + 1 - run_start;
			} else {
				if (run_len)
					cb(ctx, run_start, run_len);
				run_start = i;
				run_len = 1;
			}
		}
		i++;
	}
	if (cb && run_len)
		cb(ctx, run_start, run_len);
}

bool gb__is_trailer(struct gb_span a, struct gb_span b)
{
	struct gb_span s = a.n <= b.n ? a : b, l = a.n <= b.n ? b : a;
	size_t tail = l.n - s.n;
	if (tail == 0 || tail > TRAILER_MAX || (s.n && memcmp(s.p, l.p, s.n) != 0))
		return false;
	const uint8_t *t = l.p + s.n;

	/* known shapes: a PEM block, a DER SEQUENCE (PKCS#7/CMS) that fills the tail */
	if (tail >= 10 && memcmp(t, "-----BEGIN", 10) == 0)
		return true;
	if (tail >= 4 && t[0] == 0x30 && t[1] == 0x82 && (size_t)((t[2] << 8 | t[3]) + 4) == tail)
		return true;
	int fill;
	double h = gb_entropy(t, tail, &fill);
	if (fill >= 0)
		return false;
	/* a bare CRC32/CRC64 that is not text */
	if (tail == 4 || tail == 8) {
		for (size_t i = 0; i < tail; i++)
			if (!printable(t[i]))
				return true;
		return false;
	}
	if (tail < 16)
		return false;
	double max = log2((double)(tail < 256 ? tail : 256));
	return h >= 0.8 * max;
}

bool gb__is_gzip(struct gb_span s)
{
	return s.n >= 18 && s.p[0] == 0x1f && s.p[1] == 0x8b && s.p[2] == 8;
}

int gb__gunzip(struct gb_span s, uint64_t cap, uint8_t **ret, size_t *ret_n)
{
	z_stream z;
	size_t cap_buf = s.n * 4 + 4096, n = 0;
	int r = 0;

	if (cap_buf > cap)
		cap_buf = (size_t)cap;
	uint8_t *out = malloc(cap_buf ? cap_buf : 1);
	if (!out)
		return -GB_ENOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return -GB_ENOMEM;
	}
	size_t in_off = 0;
	for (;;) {
		size_t chunk = s.n - in_off > (1u << 30) ? (1u << 30) : s.n - in_off;
		z.next_in = (Bytef *)(uintptr_t)(s.p + in_off);
		z.avail_in = (uInt)chunk;
		if (n == cap_buf) {
			if (cap_buf >= cap) {
				r = -GB_ELIMIT;
				break;
			}
			size_t nc = cap_buf * 2 > cap ? (size_t)cap : cap_buf * 2;
			uint8_t *nw = realloc(out, nc);
			if (!nw) {
				r = -GB_ENOMEM;
				break;
			}
			out = nw;
			cap_buf = nc;
		}
		z.next_out = out + n;
		z.avail_out = (uInt)(cap_buf - n > (1u << 30) ? (1u << 30) : cap_buf - n);
		uInt before_out = z.avail_out;
		int zr = inflate(&z, Z_NO_FLUSH);
		n += before_out - z.avail_out;
		in_off += chunk - z.avail_in;
		if (zr == Z_STREAM_END) {
			/* another member follows? */
			struct gb_span rest;
			if (gb_span_tail(&s, in_off, &rest) == 0 && gb__is_gzip(rest)) {
				inflateReset(&z);
				continue;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_out != 0) {
			r = -GB_ETRUNC;
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			r = -GB_ECORRUPT;
			break;
		}
	}
	inflateEnd(&z);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

int gb__archive_order(struct gb_span s, char **ret, size_t *ret_len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	char *buf = NULL;
	size_t len = 0;
	int count = 0;

	*ret = NULL;
	*ret_len = 0;
	if (!a)
		return -GB_ENOMEM;
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, s.p, s.n) != ARCHIVE_OK) {
		archive_read_free(a);
		return 0;
	}
	while (count < 1000000 && archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		const char *nm = archive_entry_pathname(ent);
		if (!nm)
			nm = "";
		size_t l = strlen(nm) + 1;
		char *nw = realloc(buf, len + l);
		if (!nw) {
			free(buf);
			archive_read_free(a);
			return -GB_ENOMEM;
		}
		buf = nw;
		memcpy(buf + len, nm, l);
		len += l;
		count++;
		archive_read_data_skip(a);
	}
	archive_read_free(a);
	*ret = buf;
	*ret_len = len;
	return count;
}

bool gb__looks_container(struct gb_span f)
{
	static const struct {
		size_t off, len;
		const char *magic;
	} m[] = {
		{0, 2, "\x1f\x8b"}, {0, 6, "\xfd" "7zXZ\0"}, {0, 3, "BZh"}, {0, 4, "\x28\xb5\x2f\xfd"},
		{0, 4, "\x04\x22\x4d\x18"}, {0, 4, "\x89LZO"}, {0, 4, "hsqs"}, {0, 4, "sqsh"},
		{257, 5, "ustar"}, {0, 6, "070701"}, {0, 6, "070702"}, {0, 6, "070707"}, {0, 4, "PK\3\4"},
		{0, 6, "7z\xbc\xaf\x27\x1c"}, {1080, 2, "\x53\xef"}, {0, 4, "\x27\x05\x19\x56"},
		{0, 4, "HDR0"}, {0, 4, "\xd0\x0d\xfe\xed"}, {0x8001, 5, "CD001"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (gb_span_eq(&f, m[i].off, m[i].magic, m[i].len))
			return true;
	return false;
}

bool gb__looks_text(struct gb_span s)
{
	size_t bad = 0;
	if (s.n > (8u << 20))
		return false;
	for (size_t i = 0; i < s.n; i++) {
		uint8_t c = s.p[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b)
			bad++;
	}
	return bad * 100 <= s.n;
}
