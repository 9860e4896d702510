/* arcadyan: obfuscated LZMA images built at test time. xz-utils makes the
 * LZMA-alone stream (`xz --format=lzma`, 8 MiB dictionary as in the real
 * firmware); the test applies the obfuscation (the inverse of binwalk v3's
 * arcadyan.rs steps, written from the layout) and checks the decoded file
 * against sha256sum of xz's input. Hostile cases: broken header, truncated
 * and corrupt streams, a decompression bomb. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_arcadyan;

#define B1 4
#define B2 0x68
#define BLK 32

/* Obfuscate in place: the LZMA stream sits at 4 of img. */
static void obfuscate(uint8_t *img, size_t n)
{
	uint8_t b1[BLK], b2[BLK];

	assert_true(n > B2 + BLK);
	memcpy(b1, img + B1, BLK);
	memcpy(b2, img + B2, BLK);
	for (unsigned i = 0; i < BLK; i += 2) {
		uint8_t t = b1[i];
		b1[i] = b1[i + 1];
		b1[i + 1] = t;
	}
	for (unsigned i = 0; i < BLK; i++)
		b1[i] = (uint8_t)(b1[i] << 4 | b1[i] >> 4);
	memcpy(img + B2, b1, BLK);
	memcpy(img + B1, b2, BLK);
}

/* payload -> "ARC1" + lzma(payload), obfuscated, into `out`. */
static uint8_t *make_image(const char *payload, const char *out, size_t *n)
{
	size_t ln;
	uint8_t *lz, *img;

	if (!gbt_have_tool("xz"))
		skip();
	gbt_sh("xz --format=lzma --lzma1=preset=6,dict=8MiB -c '%s' > p.lzma", payload);
	lz = gbt_read_file("p.lzma", &ln);
	img = malloc(ln + 4);
	assert_non_null(img);
	memcpy(img, "ARC1", 4);
	memcpy(img + 4, lz, ln);
	free(lz);
	*n = ln + 4;
	obfuscate(img, *n);
	gbt_write_file(out, img, *n);
	return img;
}

static void make_payload(void)
{
	gbt_sh("mkdir -p root/etc && printf 'User-Agent: arcadyan-ddnsc-0.9\\n' > root/etc/ua"
	       " && head -c 20000 /dev/urandom > root/blob && seq 1 30000 > root/etc/seq"
	       " && tar cf payload.bin -C root .");
}

static const struct gb_file *file_of(const struct gb_scan *s, const struct gb_node *n)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && s->files[i].type == GB_FT_FILE)
			return &s->files[i];
	return NULL;
}

static void test_probe(void **state)
{
	struct gb_probe pr;
	size_t n;
	uint8_t *img;

	make_payload();
	img = make_image("payload.bin", "fw.bin", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), 0);
	assert_int_equal(pr.size, GB_SIZE_UNKNOWN);
	assert_string_equal(pr.variant, "lzma");
	/* the magic the carver looks for */
	assert_memory_equal(img + B2, "\x00\xd5\x08\x00", 4);

	/* the plain (not obfuscated) stream is not this format */
	uint8_t *plain = calloc(1, n);
	size_t ln;
	uint8_t *lz = gbt_read_file("p.lzma", &ln);
	memcpy(plain, "ARC1", 4);
	memcpy(plain + 4, lz, ln);
	in = gb_span_make(plain, n);
	assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), -GB_ENOTFOUND);
	free(lz);

	/* bad props, bad dictionary, range coder not starting with 0, short */
	uint8_t *img2 = gbt_read_file("fw.bin", &n);
	in = gb_span_make(img2, n);
	/* (obfuscated offset, value): props, dictionary, uncompressed size (xz
	 * writes "unknown", all ones), first range-coder byte */
	const unsigned bad[][2] = {{B2 + 1, 0xff}, {B2 + 2, 0xff}, {B2 + 7, 0x00}, {B2 + 12, 0xff}};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t save = img2[bad[i][0]];
		img2[bad[i][0]] = (uint8_t)bad[i][1];
		assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), -GB_ENOTFOUND);
		img2[bad[i][0]] = save;
	}
	assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), 0);
	in = gb_span_make(img2, B2 + BLK - 1);
	assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(img2, 0x100);
	assert_int_equal(gb__fmt_arcadyan.probe(&in, &pr), -GB_ENOTFOUND);
	free(img2);
	free(plain);
	free(img);
}

static void test_unpack_matches_oracle(void **state)
{
	size_t n;
	char want[65];

	make_payload();
	free(make_image("payload.bin", "fw.bin", &n));
	/* carved at an offset too, behind 4 KiB of noise */
	gbt_sh("{ head -c 4096 /dev/zero; cat fw.bin; head -c 100 /dev/urandom; } > fw2.bin");
	struct gb_scan *s = gbt_scan("fw2.bin", "out");
	const struct gb_node *a = gbt_node(s, "arcadyan");
	assert_non_null(a);
	assert_int_equal(a->offset, 4096);
	assert_int_equal(a->status, GB_STATUS_OK);
	assert_string_equal(a->variant, "lzma");
	/* the stream's end: the 100 noise bytes are left over */
	assert_int_equal(a->size, n);
	const struct gb_file *f = file_of(s, a);
	assert_non_null(f);
	gbt_sha256sum("payload.bin", want);
	assert_string_equal(f->sha256, want);
	assert_false(f->incomplete);
	/* the decoded image was carved again: the tar inside is unpacked */
	assert_non_null(gbt_node(s, "tar"));
	assert_non_null(gbt_file(s, "tar", "/etc/ua"));
	gbt_assert_file_matches(s, "tar", "/etc/seq", "root/etc/seq");
	gb_scan_free(s);
}

/* Another dictionary size (1 MiB) is found by its sibling magic. */
static void test_other_dictionary(void **state)
{
	char want[65];
	size_t ln;

	make_payload();
	gbt_sh("xz --format=lzma --lzma1=preset=6,dict=1MiB -c payload.bin > p.lzma");
	uint8_t *lz = gbt_read_file("p.lzma", &ln);
	uint8_t *img = malloc(ln + 4);
	assert_non_null(img);
	memcpy(img, "ARC1", 4);
	memcpy(img + 4, lz, ln);
	obfuscate(img, ln + 4);
	assert_memory_equal(img + B2, "\x00\xd5\x01\x00", 4);
	gbt_write_file("fw1m.bin", img, ln + 4);
	struct gb_scan *s = gbt_scan("fw1m.bin", "out");
	const struct gb_node *a = gbt_node(s, "arcadyan");
	assert_non_null(a);
	assert_int_equal(a->status, GB_STATUS_OK);
	const struct gb_file *f = file_of(s, a);
	assert_non_null(f);
	gbt_sha256sum("payload.bin", want);
	assert_string_equal(f->sha256, want);
	gb_scan_free(s);
	free(lz);
	free(img);
}

static void test_truncated_and_corrupt(void **state)
{
	size_t n;
	uint8_t *img;

	make_payload();
	img = make_image("payload.bin", "fw.bin", &n);
	/* truncated: what was decoded is kept and flagged */
	gbt_write_file("cut.bin", img, n * 2 / 3);
	struct gb_scan *s = gbt_scan("cut.bin", "out");
	const struct gb_node *a = gbt_node(s, "arcadyan");
	assert_non_null(a);
	assert_int_not_equal(a->status, GB_STATUS_OK);
	const struct gb_file *f = file_of(s, a);
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);

	/* corrupt range-coder data after the header */
	for (size_t i = 0x200; i < n; i += 61)
		img[i] ^= 0x5a;
	gbt_write_file("bad.bin", img, n);
	s = gbt_scan("bad.bin", "out");
	a = gbt_node(s, "arcadyan");
	assert_non_null(a);
	assert_int_not_equal(a->status, GB_STATUS_OK);
	assert_non_null(a->error);
	gb_scan_free(s);
	free(img);
}

static void test_bomb_is_stopped(void **state)
{
	struct gb_limits lim;
	size_t n;

	gbt_sh("head -c 64M /dev/zero > zeros.bin");
	free(make_image("zeros.bin", "bomb.bin", &n));
	gb_limits_default(&lim);
	lim.ratio_floor = 1 << 20;
	lim.max_ratio = 50;
	struct gb_scan *s = gbt_scan_limits("bomb.bin", "out", &lim);
	const struct gb_node *a = gbt_node(s, "arcadyan");
	assert_non_null(a);
	const struct gb_file *f = file_of(s, a);
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size < (8u << 20));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_unpack_matches_oracle),
		cmocka_unit_test(test_other_dictionary),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_bomb_is_stopped),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
