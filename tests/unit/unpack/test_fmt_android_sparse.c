/* android_sparse: images made by img2simg (android-sdk-libsparse-utils) from
 * a raw image with data, zero runs and a fill pattern, expanded and compared
 * with the raw image and with simg2img's output (sha256sum); an ext4 inside
 * is carved; hand-built images for FILL, CRC32 and DONT_CARE chunks, bad
 * chunks, truncation and an expansion bomb. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_android_sparse;

static const struct gb_file *only_file(const struct gb_scan *s)
{
	const struct gb_node *n = gbt_node(s, "android_sparse");
	const struct gb_file *found = NULL;

	assert_non_null(n);
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && s->files[i].type == GB_FT_FILE) {
			assert_null(found);
			found = &s->files[i];
		}
	assert_non_null(found);
	return found;
}

static void assert_sha_of(const struct gb_file *f, const char *path)
{
	char want[65];

	gbt_sha256sum(path, want);
	assert_string_equal(f->sha256, want);
}

/* raw.img: random data, a long zero run, a 0xdeadbeef pattern, random again;
 * img2simg makes RAW, DONT_CARE and FILL chunks out of it. */
static void test_img2simg(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct stat st;

	if (!gbt_have_tool("img2simg") || !gbt_have_tool("simg2img"))
		skip();
	gbt_sh("head -c 40960 /dev/urandom > raw.img && head -c 1048576 /dev/zero >> raw.img && "
	       "for i in $(seq 1 2048); do printf '\\357\\276\\255\\336'; done >> raw.img && "
	       "head -c 12288 /dev/urandom >> raw.img && head -c 8192 /dev/zero >> raw.img");
	gbt_sh("img2simg raw.img sparse.simg && simg2img sparse.simg back.img && cmp raw.img back.img");
	s = gbt_scan("sparse.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_string_equal(n->variant, "v1.0");
	assert_int_equal(stat("sparse.simg", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);
	f = only_file(s);
	assert_string_equal(f->path, "/sparse.img");
	assert_int_equal(f->size, 40960 + 1048576 + 8192 + 12288 + 8192);
	assert_sha_of(f, "back.img");
	assert_false(f->incomplete);
	gb_scan_free(s);
}

/* An ext4 image through img2simg: the ext4 inside is carved and unpacked. */
static void test_ext4_inside(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	if (!gbt_have_tool("img2simg") || !gbt_have_tool("simg2img"))
		skip();
	gbt_sh("rm -rf tree && mkdir -p tree/etc && echo 'root:x:0:0::/root:/bin/sh' > tree/etc/passwd && "
	       "head -c 30000 /dev/urandom > tree/blob && "
	       "PATH=$PATH:/usr/sbin mke2fs -q -t ext4 -d tree -b 4096 fs.img 4M && "
	       "img2simg fs.img fs.simg");
	s = gbt_scan("fs.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_sha_of(only_file(s), "fs.img");
	assert_non_null(gbt_node(s, "extfs"));
	gbt_assert_file_matches(s, "extfs", "/etc/passwd", "tree/etc/passwd");
	gbt_assert_file_matches(s, "extfs", "/blob", "tree/blob");
	gb_scan_free(s);
}

/* ---- hand-built images --------------------------------------------------- */

struct img {
	uint8_t *p;
	size_t n;
};

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void append(struct img *m, const void *p, size_t n)
{
	m->p = realloc(m->p, m->n + n);
	assert_non_null(m->p);
	memcpy(m->p + m->n, p, n);
	m->n += n;
}

static void file_hdr(struct img *m, uint32_t blk, uint32_t blocks, uint32_t chunks, uint32_t crc)
{
	uint8_t b[28] = {0};

	put32(b, 0xed26ff3a);
	put16(b + 4, 1);
	put16(b + 8, 28);
	put16(b + 10, 12);
	put32(b + 12, blk);
	put32(b + 16, blocks);
	put32(b + 20, chunks);
	put32(b + 24, crc);
	append(m, b, sizeof(b));
}

static void chunk(struct img *m, uint16_t type, uint32_t blocks, const void *data, uint32_t n)
{
	uint8_t b[12] = {0};

	put16(b, type);
	put32(b + 4, blocks);
	put32(b + 8, 12 + n);
	append(m, b, sizeof(b));
	if (n)
		append(m, data, n);
}

/* RAW, FILL, DONT_CARE and a good CRC32 chunk, with the image checksum set;
 * the expected output is built beside it. */
static void build_hand(const char *path, bool bad_crc, bool bad_image_crc)
{
	struct img m = {0};
	uint8_t raw[1024], fill[4] = {1, 2, 3, 4}, out[1024 + 2048 + 1024 + 512], crcb[4];
	uint32_t crc;

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7 + 3);
	memcpy(out, raw, 1024);
	for (size_t i = 0; i < 2048; i += 4)
		memcpy(out + 1024 + i, fill, 4);
	memset(out + 3072, 0, 1024);
	memcpy(out + 4096, raw, 512);
	crc = (uint32_t)crc32(0, out, sizeof(out));
	file_hdr(&m, 512, 9, 5, bad_image_crc ? crc ^ 1 : crc);
	chunk(&m, 0xcac1, 2, raw, 1024);
	chunk(&m, 0xcac2, 4, fill, 4);
	put32(crcb, (uint32_t)crc32(0, out, 3072) ^ (bad_crc ? 0x10 : 0));
	chunk(&m, 0xcac4, 0, crcb, 4);
	chunk(&m, 0xcac3, 2, NULL, 0);
	chunk(&m, 0xcac1, 1, raw, 512);
	gbt_write_file(path, m.p, m.n);
	gbt_write_file("hand.expected", out, sizeof(out));
	free(m.p);
}

static void test_hand_chunks(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	build_hand("hand.simg", false, false);
	s = gbt_scan("hand.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_sha_of(only_file(s), "hand.expected");
	gb_scan_free(s);
}

static void test_bad_crc_chunk(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	build_hand("crc.simg", true, false);
	s = gbt_scan("crc.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_non_null(strstr(n->error, "CRC32"));
	f = only_file(s);
	assert_true(f->incomplete);
	assert_int_equal(f->size, 3072); /* what came before the bad CRC chunk */
	gb_scan_free(s);
}

static void test_bad_image_checksum(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	build_hand("icrc.simg", false, true);
	s = gbt_scan("icrc.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "image_checksum"));
	assert_sha_of(only_file(s), "hand.expected");
	gb_scan_free(s);
}

static void test_probe(void **state)
{
	struct img m = {0};
	struct gb_probe p;
	struct gb_span sp;
	uint8_t raw[512] = {0}, tail[64];

	file_hdr(&m, 512, 3, 2, 0);
	chunk(&m, 0xcac1, 1, raw, 512);
	chunk(&m, 0xcac3, 2, NULL, 0);
	size_t end = m.n;
	memset(tail, 0x5a, sizeof(tail));
	append(&m, tail, sizeof(tail));

	sp = gb_span_make(m.p, m.n);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), 0);
	assert_int_equal(p.size, end); /* trailing bytes are not covered */
	assert_int_equal(p.confidence, GB_CONF_HIGH);

	/* cut in the middle of the raw chunk: covered to the end, medium */
	sp = gb_span_make(m.p, 100);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), 0);
	assert_int_equal(p.size, 100);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* wrong major version, block size not a multiple of 4, tiny headers */
	sp = gb_span_make(m.p, m.n);
	m.p[4] = 2;
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	m.p[4] = 1;
	put32(m.p + 12, 514);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m.p + 12, 0);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m.p + 12, 512);
	put16(m.p + 10, 8);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put16(m.p + 10, 12);
	/* more blocks in chunks than total_blks */
	put32(m.p + 16, 2);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m.p + 16, 3);
	/* an unknown chunk type; a raw chunk whose total_sz disagrees */
	put16(m.p + 28, 0xcac5);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put16(m.p + 28, 0xcac1);
	put32(m.p + 36, 12 + 511);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m.p + 36, 12 + 512);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), 0);
	sp = gb_span_make(m.p, 27);
	assert_int_equal(gb__fmt_android_sparse.probe(&sp, &p), -GB_ENOTFOUND);
	free(m.p);
}

/* Cut in the middle: what was expanded is kept, flagged, the node partial. */
static void test_truncated(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	size_t len;
	uint8_t *img;

	build_hand("full.simg", false, false);
	img = gbt_read_file("full.simg", &len);
	gbt_write_file("cut.simg", img, 28 + 12 + 1024 + 12 + 4 + 6);
	free(img);
	s = gbt_scan("cut.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "past the end"));
	f = only_file(s);
	assert_true(f->incomplete);
	assert_int_equal(f->size, 1024 + 2048);
	gb_scan_free(s);
}

/* One FILL chunk of 2^32-1 blocks of 4 KiB (16 TiB): the writer's limit
 * stops it early, nothing near that size lands on disk. */
static void test_fill_bomb(void **state)
{
	struct img m = {0};
	struct gb_scan *s;
	struct gb_limits lim;
	const struct gb_node *n;
	const struct gb_file *f;
	uint8_t pat[4] = {0xaa, 0xbb, 0xcc, 0xdd};

	file_hdr(&m, 4096, 0xffffffff, 2, 0);
	chunk(&m, 0xcac2, 0xfffffff0, pat, 4);
	chunk(&m, 0xcac3, 15, NULL, 0);
	gbt_write_file("bomb.simg", m.p, m.n);
	free(m.p);
	gb_limits_default(&lim);
	lim.max_file_bytes = 8 << 20;
	s = gbt_scan_limits("bomb.simg", "out", &lim);
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	f = only_file(s);
	assert_true(f->incomplete);
	assert_true(f->size <= (8u << 20));

	/* with default limits the ratio limit trips first (64 MiB floor) */
	gb_scan_free(s);
	s = gbt_scan("bomb.simg", "out");
	f = only_file(s);
	assert_true(f->incomplete);
	assert_true(f->size <= (300u << 20));
	gb_scan_free(s);
}

/* Chunk counts and sizes that lie: a header claiming 2^32-1 chunks with only
 * two present, chunks with too many blocks. */
static void test_lying_counts(void **state)
{
	struct img m = {0};
	struct gb_scan *s;
	const struct gb_node *n;
	uint8_t raw[512];

	memset(raw, 'x', sizeof(raw));
	file_hdr(&m, 512, 2, 0xffffffff, 0);
	chunk(&m, 0xcac1, 1, raw, 512);
	chunk(&m, 0xcac1, 1, raw, 512);
	gbt_write_file("many.simg", m.p, m.n);
	free(m.p);
	s = gbt_scan("many.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_int_equal(only_file(s)->size, 1024);
	gb_scan_free(s);

	/* fewer blocks than declared: warned, output kept */
	m = (struct img){0};
	file_hdr(&m, 512, 5, 1, 0);
	chunk(&m, 0xcac1, 1, raw, 512);
	gbt_write_file("few.simg", m.p, m.n);
	free(m.p);
	s = gbt_scan("few.simg", "out");
	n = gbt_node(s, "android_sparse");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "1 of 5 blocks"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_img2simg),
		cmocka_unit_test(test_ext4_inside),
		cmocka_unit_test(test_hand_chunks),
		cmocka_unit_test(test_bad_crc_chunk),
		cmocka_unit_test(test_bad_image_checksum),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fill_bomb),
		cmocka_unit_test(test_lying_counts),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
