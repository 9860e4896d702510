/* yaffs2: Debian has no mkyaffs2image, so the images are built here, chunk by
 * chunk, in every common geometry (512+16, 2048+64, 4096+128, 8192+256), with
 * the tags at spare offset 0 (mkyaffs2image) and 2 (MTD auto layout), with
 * and without tag ECC, in both byte orders; contents are checked against the
 * bytes written (sha256sum) and, where it can read the image, against
 * Debian's unyaffs. Then the log semantics (newest header and data chunk
 * win, deletion, shrinking, extra header tags) and hostile images (loops,
 * hard-link cycles, escaping names, absurd sizes, truncation, garbage). */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_yaffs2;

struct yimg {
	uint8_t *p;
	size_t n, cap;
	bool be, ecc;
	uint32_t page, spare, tagoff;
	uint32_t seq;
};

static void put32(const struct yimg *m, uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[m->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put16(const struct yimg *m, uint8_t *b, uint16_t v)
{
	b[m->be ? 1 : 0] = (uint8_t)v;
	b[m->be ? 0 : 1] = (uint8_t)(v >> 8);
}

static void chunk(struct yimg *m, const uint8_t *data, uint32_t seq, uint32_t obj, uint32_t chunk_id,
		  uint32_t nbytes)
{
	size_t stride = m->page + m->spare;
	uint8_t *c;

	if (m->n + stride > m->cap) {
		m->cap = (m->n + stride) * 2;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	c = m->p + m->n;
	memset(c, 0xff, stride);
	if (data)
		memcpy(c, data, m->page);
	put32(m, c + m->page + m->tagoff, seq);
	put32(m, c + m->page + m->tagoff + 4, obj);
	put32(m, c + m->page + m->tagoff + 8, chunk_id);
	put32(m, c + m->page + m->tagoff + 12, nbytes);
	if (m->ecc) /* something in the 12 ECC bytes (not checked by readers) */
		memset(c + m->page + m->tagoff + 16, 0x5a, 12);
	m->n += stride;
}

static void erased(struct yimg *m)
{
	chunk(m, NULL, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);
}

struct hdr {
	uint32_t obj, parent, type, mode, size, equiv, rdev;
	const char *name, *alias;
	bool extra; /* EXTRA_HEADER_INFO in the tags */
};

static void header(struct yimg *m, const struct hdr *h)
{
	uint8_t *d = malloc(m->page);
	uint32_t obj = h->obj, cid = 0, nb = 0xffff;

	assert_non_null(d);
	memset(d, 0xff, m->page);
	memset(d, 0, 512);
	put32(m, d, h->type);
	put32(m, d + 4, h->parent);
	put16(m, d + 8, 0xffff);
	strncpy((char *)d + 10, h->name, 255);
	put32(m, d + 268, h->mode);
	put32(m, d + 272, 1000);
	put32(m, d + 276, 100);
	put32(m, d + 284, 1700000000);
	put32(m, d + 292, h->size);
	put32(m, d + 296, h->equiv);
	if (h->alias)
		strncpy((char *)d + 300, h->alias, 159);
	put32(m, d + 460, h->rdev);
	put32(m, d + 496, 0xffffffff);
	if (h->extra) {
		obj |= h->type << 28;
		cid = 0x80000000u | h->parent;
		nb = h->type == 1 ? h->size : 0;
	}
	chunk(m, d, m->seq, obj, cid, nb);
	free(d);
}

static void file_data(struct yimg *m, uint32_t obj, const uint8_t *data, size_t len)
{
	uint8_t *d = malloc(m->page);

	assert_non_null(d);
	for (uint32_t i = 0; (size_t)i * m->page < len; i++) {
		size_t n = len - (size_t)i * m->page;
		if (n > m->page)
			n = m->page;
		memset(d, 0xff, m->page);
		memcpy(d, data + (size_t)i * m->page, n);
		chunk(m, d, m->seq, obj, i + 1, (uint32_t)n);
	}
	free(d);
}

static void add_file(struct yimg *m, uint32_t obj, uint32_t parent, const char *name, uint32_t mode,
		     const uint8_t *data, size_t len)
{
	header(m, &(struct hdr){obj, parent, 1, 0100000 | mode, (uint32_t)len, 0, 0, name, NULL, false});
	file_data(m, obj, data, len);
}

static void write_img(struct yimg *m, const char *path)
{
	gbt_write_file(path, m->p, m->n);
	free(m->p);
	m->p = NULL;
	m->n = m->cap = 0;
}

static const struct gb_file *must_file(const struct gb_scan *s, const char *path)
{
	const struct gb_file *f = gbt_file(s, "yaffs2", path);
	if (!f)
		fail_msg("%s not recorded", path);
	return f;
}

static uint8_t big[70000];

/* The standard tree: a directory, a multi-chunk file, an empty file, a
 * setuid file, a symlink, a hard link, a char device, a fifo, a nested file. */
static void build_tree(struct yimg *m)
{
	m->seq = 0x1000;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 131 + i / 977);
	header(m, &(struct hdr){257, 1, 3, 040755, 0, 0, 0, "dir", NULL, false});
	add_file(m, 258, 1, "big.bin", 0644, big, sizeof(big));
	add_file(m, 259, 257, "nested.txt", 0600, (const uint8_t *)"nested\n", 7);
	add_file(m, 260, 1, "empty", 0644, NULL, 0);
	add_file(m, 261, 257, "suid", 04755, (const uint8_t *)"#!/bin/sh\n", 10);
	header(m, &(struct hdr){262, 1, 2, 0120777, 0, 0, 0, "link", "dir/nested.txt", false});
	header(m, &(struct hdr){263, 257, 4, 0100644, 0, 258, 0, "hard", NULL, false});
	header(m, &(struct hdr){264, 1, 5, 0020620, 0, 0, 4 << 8 | 64, "tty", NULL, false});
	header(m, &(struct hdr){265, 257, 5, 0010644, 0, 0, 0, "fifo", NULL, false});
	erased(m);
	erased(m);
}

static void check_tree(const char *img, const char *variant)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	gbt_write_file("big.expected", big, sizeof(big));
	gbt_write_file("nested.expected", "nested\n", 7);
	gbt_write_file("suid.expected", "#!/bin/sh\n", 10);
	gbt_write_file("empty.expected", "", 0);
	s = gbt_scan(img, "out");
	n = gbt_node(s, "yaffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, 0);
	gbt_assert_file_matches(s, "yaffs2", "/big.bin", "big.expected");
	gbt_assert_file_matches(s, "yaffs2", "/dir/nested.txt", "nested.expected");
	gbt_assert_file_matches(s, "yaffs2", "/dir/suid", "suid.expected");
	gbt_assert_file_matches(s, "yaffs2", "/empty", "empty.expected");
	gbt_assert_mode(s, "yaffs2", "/dir/suid", 04755);
	gbt_assert_mode(s, "yaffs2", "/dir/nested.txt", 0600);
	f = must_file(s, "/big.bin");
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	gbt_assert_symlink(s, "yaffs2", "/link", "dir/nested.txt");
	gbt_assert_type(s, "yaffs2", "/dir/hard", GB_FT_HARDLINK);
	gbt_assert_file_matches(s, "yaffs2", "/dir/hard", "big.expected");
	f = must_file(s, "/tty");
	assert_int_equal(f->type, GB_FT_CHARDEV);
	assert_int_equal(f->major, 4);
	assert_int_equal(f->minor, 64);
	assert_int_equal(f->mode, 0620);
	gbt_assert_type(s, "yaffs2", "/dir/fifo", GB_FT_FIFO);
	gbt_assert_type(s, "yaffs2", "/dir", GB_FT_DIR);
	assert_int_equal(gbt_count_files(s, n->id), 9);
	gb_scan_free(s);
}

static void check_geometry(bool be, uint32_t page, uint32_t spare, uint32_t tagoff, bool ecc)
{
	struct yimg m = {.be = be, .page = page, .spare = spare, .tagoff = tagoff, .ecc = ecc};
	char variant[40];

	build_tree(&m);
	write_img(&m, "geo.yaffs2");
	snprintf(variant, sizeof(variant), "%s-%u+%u-oob%u", be ? "be" : "le", page, spare, tagoff);
	check_tree("geo.yaffs2", variant);
}

static void test_geometries_le(void **state)
{
	check_geometry(false, 2048, 64, 0, true);   /* mkyaffs2image */
	check_geometry(false, 2048, 64, 2, false);  /* MTD dump, bad-block bytes first */
	check_geometry(false, 512, 16, 0, false);
	check_geometry(false, 4096, 128, 2, true);
	check_geometry(false, 8192, 256, 0, true);
}

static void test_geometries_be(void **state)
{
	check_geometry(true, 2048, 64, 0, false);
	check_geometry(true, 2048, 64, 2, true);
	check_geometry(true, 512, 16, 0, false);
	check_geometry(true, 4096, 128, 0, false);
	check_geometry(true, 8192, 256, 2, true);
}

/* Debian's unyaffs reads little-endian 2048+64 images with the tags at 0:
 * every regular file it extracts has the same digest in the scan. */
static void test_unyaffs_oracle(void **state)
{
	struct yimg m = {.be = false, .page = 2048, .spare = 64, .tagoff = 0, .ecc = true};
	struct gb_scan *s;

	if (!gbt_have_tool("unyaffs"))
		skip();
	build_tree(&m);
	write_img(&m, "u.yaffs2");
	gbt_sh("rm -rf u.out && unyaffs u.yaffs2 u.out >/dev/null && test -f u.out/big.bin && "
	       "test -f u.out/dir/nested.txt");
	s = gbt_scan("u.yaffs2", "out");
	gbt_assert_file_matches(s, "yaffs2", "/big.bin", "u.out/big.bin");
	gbt_assert_file_matches(s, "yaffs2", "/dir/nested.txt", "u.out/dir/nested.txt");
	gbt_assert_file_matches(s, "yaffs2", "/dir/suid", "u.out/dir/suid");
	gb_scan_free(s);
}

/* Rewrites: a header renamed and re-moded with a higher sequence number, a
 * data chunk rewritten (higher seq; and at the same seq, later in the image),
 * a file deleted (newest header under DELETED), one unlinked, one shrunk,
 * headers with extra tag info; the old copies lose. */
static void test_log_semantics(void **state)
{
	struct yimg m = {.be = false, .page = 2048, .spare = 64, .tagoff = 2, .ecc = false};
	uint8_t a[4096], b[2048], c[2048];
	struct gb_scan *s;
	const struct gb_node *n;
	FILE *e;

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	memset(c, 'C', sizeof(c));
	m.seq = 0x1000;
	add_file(&m, 300, 1, "old-name", 0644, a, sizeof(a));
	add_file(&m, 301, 1, "gone", 0644, a, 10);
	add_file(&m, 302, 1, "shrink", 0644, a, sizeof(a));
	add_file(&m, 303, 1, "unlinked", 0644, a, 5);
	header(&m, &(struct hdr){304, 1, 1, 0100640, 3, 0, 0, "extra", NULL, true});
	file_data(&m, 304, (const uint8_t *)"xyz", 3);
	m.seq = 0x1001;
	/* newer: rename 300 and rewrite its second chunk with B, then C at the same seq */
	header(&m, &(struct hdr){300, 1, 1, 0100600, sizeof(a), 0, 0, "new-name", NULL, false});
	chunk(&m, b, m.seq, 300, 2, 2048);
	chunk(&m, c, m.seq, 300, 2, 2048);
	header(&m, &(struct hdr){301, 4, 1, 0100644, 0, 0, 0, "deleted", NULL, false});
	header(&m, &(struct hdr){302, 1, 1, 0100644, 100, 0, 0, "shrink", NULL, true});
	header(&m, &(struct hdr){303, 3, 1, 0100644, 5, 0, 0, "unlinked", NULL, false});
	/* an OLDER copy of 300's header and chunk after the newer ones: ignored */
	m.seq = 0x1000;
	header(&m, &(struct hdr){300, 1, 1, 0100644, sizeof(a), 0, 0, "stale", NULL, false});
	chunk(&m, a, m.seq, 300, 2, 2048);
	write_img(&m, "log.yaffs2");

	e = fopen("new.expected", "wb");
	fwrite(a, 1, 2048, e);
	fwrite(c, 1, 2048, e);
	fclose(e);
	gbt_write_file("shrink.expected", a, 100);
	gbt_write_file("extra.expected", "xyz", 3);

	s = gbt_scan("log.yaffs2", "out");
	n = gbt_node(s, "yaffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "yaffs2", "/new-name", "new.expected");
	gbt_assert_mode(s, "yaffs2", "/new-name", 0600);
	assert_null(gbt_file(s, "yaffs2", "/old-name"));
	assert_null(gbt_file(s, "yaffs2", "/stale"));
	assert_null(gbt_file(s, "yaffs2", "/gone"));
	assert_null(gbt_file(s, "yaffs2", "/deleted"));
	assert_null(gbt_file(s, "yaffs2", "/unlinked"));
	gbt_assert_file_matches(s, "yaffs2", "/shrink", "shrink.expected");
	gbt_assert_file_matches(s, "yaffs2", "/extra", "extra.expected");
	gbt_assert_mode(s, "yaffs2", "/extra", 0640);
	assert_int_equal(gbt_count_files(s, n->id), 3);
	gb_scan_free(s);
}

/* Loops and lies: a directory that is its own parent, two directories
 * parenting each other (unreachable), a hard-link cycle, a hard link to a
 * directory, a file in lost+found, escaping names and symlinks, a 4 GiB file
 * with one chunk, a chunk id far past the size. */
static void test_hostile(void **state)
{
	struct yimg m = {.be = true, .page = 512, .spare = 16, .tagoff = 0};
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	gbt_sh("rm -rf canary && mkdir canary");
	m.seq = 0x2000;
	header(&m, &(struct hdr){400, 1, 3, 040755, 0, 0, 0, "d", NULL, false});
	header(&m, &(struct hdr){401, 401, 3, 040755, 0, 0, 0, "self", NULL, false});
	header(&m, &(struct hdr){402, 403, 3, 040755, 0, 0, 0, "x", NULL, false});
	header(&m, &(struct hdr){403, 402, 3, 040755, 0, 0, 0, "y", NULL, false});
	header(&m, &(struct hdr){404, 400, 4, 0100644, 0, 405, 0, "l1", NULL, false});
	header(&m, &(struct hdr){405, 400, 4, 0100644, 0, 404, 0, "l2", NULL, false});
	header(&m, &(struct hdr){406, 400, 4, 0100644, 0, 400, 0, "ldir", NULL, false});
	add_file(&m, 407, 2, "found", 0644, (const uint8_t *)"lost", 4);
	add_file(&m, 408, 1, "../../canary/evil", 0644, (const uint8_t *)"evil", 4);
	header(&m, &(struct hdr){409, 1, 2, 0120777, 0, 0, 0, "esc", "../../../../canary", false});
	header(&m, &(struct hdr){410, 1, 1, 0100644, 0xffffffff, 0, 0, "huge", NULL, false});
	file_data(&m, 410, (const uint8_t *)"start", 5);
	add_file(&m, 411, 1, "far", 0644, (const uint8_t *)"abc", 3);
	static uint8_t zz[512];
	memset(zz, 'z', sizeof(zz));
	chunk(&m, zz, m.seq, 411, 0x000fff00, 512); /* a chunk far past the size: ignored */
	write_img(&m, "hostile.yaffs2");
	gbt_write_file("found.expected", "lost", 4);
	gbt_write_file("far.expected", "abc", 3);

	s = gbt_scan("hostile.yaffs2", "out");
	n = gbt_node(s, "yaffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gbt_assert_type(s, "yaffs2", "/d", GB_FT_DIR);
	assert_null(gbt_file(s, "yaffs2", "/self"));
	assert_null(gbt_file(s, "yaffs2", "/x"));
	assert_null(gbt_file(s, "yaffs2", "/d/l1"));
	assert_null(gbt_file(s, "yaffs2", "/d/ldir"));
	gbt_assert_file_matches(s, "yaffs2", "/lost+found/found", "found.expected");
	gbt_assert_symlink(s, "yaffs2", "/esc", "../../../../canary");
	f = must_file(s, "/huge");
	assert_true(f->incomplete);
	assert_true(f->size <= (80u << 20));
	gbt_assert_file_matches(s, "yaffs2", "/far", "far.expected");
	gbt_assert_dir_empty("canary");
	gb_scan_free(s);
}

/* probe: geometry guess, extent (trailing erased chunks covered, other
 * data not), garbage. */
static void test_probe(void **state)
{
	struct yimg m = {.be = false, .page = 2048, .spare = 64, .tagoff = 0};
	struct gb_probe p;
	struct gb_span sp;
	uint8_t *buf;
	size_t end, stride = 2112;

	m.seq = 0x1000;
	add_file(&m, 257, 1, "a", 0644, (const uint8_t *)"hello", 5);
	add_file(&m, 258, 1, "b", 0644, (const uint8_t *)"world", 5);
	end = m.n;
	erased(&m);
	buf = calloc(1, m.n + 3 * stride);
	memcpy(buf, m.p, m.n);
	memset(buf + m.n, 0x33, 3 * stride);
	sp = gb_span_make(buf, m.n + 3 * stride);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), 0);
	assert_int_equal(p.size, end + stride);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "le-2048+64-oob0");
	/* cut in the middle of the 4th chunk: three whole chunks */
	sp = gb_span_make(buf, 3 * stride + 100);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), 0);
	assert_int_equal(p.size, 3 * stride);
	/* sequence number below 0x1000, bad type, no name terminator */
	sp = gb_span_make(buf, m.n);
	put32(&m, buf + 2048, 0x0fff);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	put32(&m, buf + 2048, 0x1000);
	put32(&m, buf, 9);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	put32(&m, buf, 1);
	/* a file whose mode says directory; a name with a control byte; an
	 * object id past YAFFS_MAX_OBJECT_ID (false hits seen in kernel images) */
	put32(&m, buf + 268, 040755);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	put32(&m, buf + 268, 0100644);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), 0);
	buf[11] = 0x7f;
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	buf[11] = 0;
	put32(&m, buf + 2052, 0x40000);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	put32(&m, buf + 2052, 257);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), 0);
	memset(buf + 10, 'n', 256);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	sp = gb_span_make(buf, 100);
	assert_int_equal(gb__fmt_yaffs2.probe(&sp, &p), -GB_ENOTFOUND);
	free(buf);
	free(m.p);
}

/* A real-looking image cut in the middle of a chunk and one with garbage
 * after a few chunks: what is there is extracted. */
static void test_truncated(void **state)
{
	struct yimg m = {.be = false, .page = 2048, .spare = 64, .tagoff = 0};
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	uint8_t *img;
	size_t len;

	build_tree(&m);
	write_img(&m, "full.yaffs2");
	img = gbt_read_file("full.yaffs2", &len);
	/* big.bin's header is chunk 1 and its 35 data chunks follow: cut in chunk 20 */
	gbt_write_file("cut.yaffs2", img, 20 * 2112 + 1000);
	free(img);
	s = gbt_scan("cut.yaffs2", "out");
	n = gbt_node(s, "yaffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "big.bin"));
	f = must_file(s, "/big.bin");
	assert_int_equal(f->size, 18 * 2048); /* the data chunks that are there */
	assert_true(f->incomplete);
	gb_scan_free(s);
}

/* A NAND dump with a bad block (64 chunks of zeros) between two files: the
 * file after it is found, the bad chunks are reported. */
static void test_bad_block(void **state)
{
	struct yimg m = {.be = false, .page = 2048, .spare = 64, .tagoff = 2};
	struct gb_scan *s;
	const struct gb_node *n;

	m.seq = 0x1000;
	add_file(&m, 257, 1, "before", 0644, (const uint8_t *)"one", 3);
	for (int i = 0; i < 64; i++) {
		erased(&m);
		memset(m.p + m.n - 2112, 0, 2112);
	}
	m.seq = 0x1002;
	add_file(&m, 258, 1, "after", 0644, (const uint8_t *)"two", 3);
	write_img(&m, "bad.yaffs2");
	gbt_write_file("after.expected", "two", 3);
	s = gbt_scan("bad.yaffs2", "out");
	n = gbt_node(s, "yaffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "64 chunk(s)"));
	assert_int_equal(n->size, 68 * 2112);
	gbt_assert_file_matches(s, "yaffs2", "/after", "after.expected");
	assert_non_null(gbt_file(s, "yaffs2", "/before"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_geometries_le),
		cmocka_unit_test(test_geometries_be),
		cmocka_unit_test(test_unyaffs_oracle),
		cmocka_unit_test(test_log_semantics),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_block),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
