/* bzip2: fixtures from bzip2(1); the oracle is bzip2's input. */
#include "compressed_cases.h"

extern const struct gb_format gb__fmt_bzip2;

static const struct cc_fmt bz = {"bzip2", "bzip2", "bzip2 -c", ".bz2"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&bz, NULL, 300);
	cc_roundtrip(&bz, "bzip2 -1 -c", 300);
}

static void test_empty(void **state)
{
	cc_empty(&bz);
}

/* pbzip2/lbzip2 style: several streams, one output. */
static void test_concatenated_streams(void **state)
{
	cc_concatenated(&bz);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&bz, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	/* 100 kB blocks, so that half the stream holds whole blocks. */
	cc_truncated(&bz, "bzip2 -1 -c", 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&bz);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&bz, 3, '0');  /* level */
	cc_bad_header(&bz, 4, 0x30); /* block magic */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&bz, 24);
}

static void test_names(void **state)
{
	cc_need_tool(bz.tool);
	cc_make_sample("rootfs", 10);
	gbt_sh("bzip2 -c < rootfs > rootfs.tbz2");
	struct gb_scan *s = gbt_scan("rootfs.tbz2", "out");
	const struct gb_node *n = cc_node_at(s, "bzip2", 0);
	assert_non_null(n);
	assert_string_equal(n->variant, "900k");
	cc_assert_matches(cc_file(s, n, "/rootfs.tar"), "rootfs");
	gb_scan_free(s);
}

static void test_probe(void **state)
{
	uint8_t h[18] = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59,
			 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x01, 0x00};
	uint8_t e[14] = {'B', 'Z', 'h', '1', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, 0, 0, 0, 0};
	struct gb_probe p;

	assert_int_equal(cc_probe(&gb__fmt_bzip2, h, sizeof(h), &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	assert_string_equal(p.variant, "900k");
	assert_int_equal(cc_probe(&gb__fmt_bzip2, h, 17, &p), -GB_ENOTFOUND);
	h[3] = '0'; /* level */
	assert_int_equal(cc_probe(&gb__fmt_bzip2, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[3] = '9';
	h[9] = 0x58; /* block magic */
	assert_int_equal(cc_probe(&gb__fmt_bzip2, h, sizeof(h), &p), -GB_ENOTFOUND);
	h[9] = 0x59;
	h[14] = 0x7f; /* origPtr far beyond the 900k block */
	assert_int_equal(cc_probe(&gb__fmt_bzip2, h, sizeof(h), &p), -GB_ENOTFOUND);

	/* An empty stream: end-of-stream magic right away. */
	assert_int_equal(cc_probe(&gb__fmt_bzip2, e, sizeof(e), &p), 0);
	assert_string_equal(p.variant, "100k");
	e[9] = 0x91;
	assert_int_equal(cc_probe(&gb__fmt_bzip2, e, sizeof(e), &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_streams),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
