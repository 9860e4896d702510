/* xz: fixtures from xz(1); the oracle is xz's input. */
#include "compressed_cases.h"

#include <zlib.h>

extern const struct gb_format gb__fmt_xz;

static const struct cc_fmt xzf = {"xz", "xz", "xz -c", ".xz"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&xzf, NULL, 300);
	cc_roundtrip(&xzf, "xz -0 --check=crc32 -c", 40);
	cc_roundtrip(&xzf, "xz --check=sha256 -c", 40);
	cc_roundtrip(&xzf, "xz --check=none -c", 40);
	/* Several blocks, sizes recorded in the block headers. */
	cc_roundtrip(&xzf, "xz -T2 --block-size=65536 -c", 300);
}

static void test_empty(void **state)
{
	cc_empty(&xzf);
}

static void test_concatenated_streams(void **state)
{
	cc_concatenated(&xzf);
}

/* Stream padding (zero bytes, a multiple of four) between streams. */
static void test_stream_padding(void **state)
{
	cc_need_tool(xzf.tool);
	cc_make_sample("pa", 20);
	cc_make_sample("pb", 20);
	gbt_sh("cat pa pb > pab");
	gbt_sh("{ xz -c pa; head -c 8 /dev/zero; xz -c pb; } > pab.xz");
	struct gb_scan *s = gbt_scan("pab.xz", "out");
	assert_int_equal(gbt_count_nodes(s, "xz"), 1);
	const struct gb_node *n = cc_node_at(s, "xz", 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, cc_fsize("pab.xz"));
	cc_assert_matches(cc_file(s, n, "/pab"), "pab");
	gb_scan_free(s);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&xzf, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&xzf, NULL, 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&xzf);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&xzf, 1, 0x38); /* magic */
	cc_bad_header(&xzf, 7, 0x14); /* reserved bits of the stream flags */
	cc_bad_header(&xzf, 9, 0x00); /* CRC32 of the stream flags */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&xzf, 24);
}

static void test_names(void **state)
{
	cc_need_tool(xzf.tool);
	cc_make_sample("root", 10);
	gbt_sh("xz -c root > root.txz");
	struct gb_scan *s = gbt_scan("root.txz", "out");
	const struct gb_node *n = cc_node_at(s, "xz", 0);
	assert_non_null(n);
	cc_assert_matches(cc_file(s, n, "/root.tar"), "root");
	gb_scan_free(s);
}

static void test_probe(void **state)
{
	uint8_t h[12] = {0xfd, '7', 'z', 'X', 'Z', 0, 0, 4};
	struct gb_probe p;
	uint32_t crc = (uint32_t)crc32(0, h + 6, 2);

	h[8] = (uint8_t)crc;
	h[9] = (uint8_t)(crc >> 8);
	h[10] = (uint8_t)(crc >> 16);
	h[11] = (uint8_t)(crc >> 24);
	assert_int_equal(cc_probe(&gb__fmt_xz, h, 12, &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "crc64");
	assert_int_equal(cc_probe(&gb__fmt_xz, h, 11, &p), -GB_ENOTFOUND);
	h[11] ^= 0x80; /* CRC */
	assert_int_equal(cc_probe(&gb__fmt_xz, h, 12, &p), -GB_ENOTFOUND);

	/* Reserved flag bits set, with a matching CRC: still rejected. */
	h[7] = 0x44;
	crc = (uint32_t)crc32(0, h + 6, 2);
	h[8] = (uint8_t)crc;
	h[9] = (uint8_t)(crc >> 8);
	h[10] = (uint8_t)(crc >> 16);
	h[11] = (uint8_t)(crc >> 24);
	assert_int_equal(cc_probe(&gb__fmt_xz, h, 12, &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_streams),
		cmocka_unit_test(test_stream_padding),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
