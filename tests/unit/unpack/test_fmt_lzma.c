/* lzma-alone: fixtures from xz --format=lzma; the oracle is xz's input. */
#include "compressed_cases.h"

extern const struct gb_format gb__fmt_lzma;

static const struct cc_fmt lz = {"lzma", "xz", "xz --format=lzma -c", ".lzma"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&lz, NULL, 300);
	cc_roundtrip(&lz, "xz --format=lzma -0 -c", 40);
	/* OpenWrt's kernel settings: props 0x6d. */
	cc_roundtrip(&lz, "xz --format=lzma --lzma1=preset=6,lc=1,lp=2,pb=2 -c", 40);
	cc_roundtrip(&lz, "xz --format=lzma --lzma1=dict=64KiB -c", 40);
	cc_roundtrip(&lz, "xz --format=lzma --lzma1=dict=3MiB -c", 40);
}

/* The uncompressed size recorded in the header (LZMA SDK's lzma does that). */
static void test_known_size(void **state)
{
	cc_need_tool(lz.tool);
	cc_make_sample("ks", 50);
	gbt_sh("xz --format=lzma -c < ks > ks.lzma");
	size_t n;
	uint8_t *buf = gbt_read_file("ks.lzma", &n);
	uint64_t usize = cc_fsize("ks");
	for (unsigned i = 0; i < 8; i++)
		buf[5 + i] = (uint8_t)(usize >> (8 * i));
	gbt_write_file("ks.lzma", buf, n);
	free(buf);
	struct gb_scan *s = gbt_scan("ks.lzma", "out");
	const struct gb_node *n0 = cc_node_at(s, "lzma", 0);
	assert_non_null(n0);
	assert_int_equal(n0->status, GB_STATUS_OK);
	assert_int_equal(n0->size, cc_fsize("ks.lzma"));
	cc_assert_matches(cc_file(s, n0, "/ks"), "ks");
	gb_scan_free(s);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&lz, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&lz, NULL, 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&lz);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&lz, 0, 0xe1); /* props out of range */
	cc_bad_header(&lz, 1, 0x01); /* dictionary size not normalised */
	cc_bad_header(&lz, 12, 0x7f); /* uncompressed size absurd */
	cc_bad_header(&lz, 13, 0x01); /* the range coder's first byte */
}

/* A header that passes probe followed by garbage: a false positive, dropped
 * without a node (the engine drops low-confidence nodes that decode nothing). */
static void test_garbage_after_valid_header(void **state)
{
	uint8_t buf[4096] = {0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			     0x00, 0x12};
	uint32_t x = 12345;

	for (size_t i = 15; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	gbt_write_file("garbage.bin", buf, sizeof(buf));
	struct gb_scan *s = gbt_scan("garbage.bin", "out");
	assert_int_equal(gbt_count_nodes(s, "lzma"), 0);
	gb_scan_free(s);
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&lz, 24);
}

static void test_probe(void **state)
{
	uint8_t h[18] = {0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			 0x00, 0x12, 0x34, 0x56, 0x78};
	struct gb_probe p;

	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_LOW);
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, 17, &p), -GB_ENOTFOUND);

	h[0] = 0xe1; /* props >= 225 */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[0] = 0x0d; /* lc 4 + lp 1 > 4 */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[0] = 0x5d;
	h[1] = 1; /* dictionary 8 MiB + 1 */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[1] = 0;
	h[3] = 0xc0; /* 12 MiB = 2^23 + 2^22: fine */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), 0);
	h[3] = 0x80;
	h[12] = 0x00; /* known size, 2^56 - 1: too big */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
	memset(h + 5, 0, 8);
	h[5] = 100; /* known size 100: fine */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), 0);
	h[13] = 1; /* range coder must start with 0 */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[13] = 0;
	h[14] = 0x80; /* first symbol would be a match */
	assert_int_equal(cc_probe(&gb__fmt_lzma, h, sizeof(h), &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_known_size),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_garbage_after_valid_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
