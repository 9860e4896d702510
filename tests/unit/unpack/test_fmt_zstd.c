/* zstd: fixtures from zstd(1) and pzstd(1); the oracle is their input. */
#include "compressed_cases.h"

extern const struct gb_format gb__fmt_zstd;

static const struct cc_fmt zs = {"zstd", "zstd", "zstd -q -c", ".zst"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&zs, NULL, 300);
	cc_roundtrip(&zs, "zstd -q -19 -c", 40);
	cc_roundtrip(&zs, "zstd -q --no-check -c", 40);
	cc_roundtrip(&zs, "zstd -q --long=24 -c", 40);
}

static void test_empty(void **state)
{
	cc_empty(&zs);
}

static void test_concatenated_frames(void **state)
{
	cc_concatenated(&zs);
}

/* pzstd puts a skippable frame before every frame. */
static void test_pzstd(void **state)
{
	cc_need_tool("pzstd");
	cc_roundtrip(&zs, "pzstd -q -p 2 -c", 600);
}

/* Skippable frames before and after the frame belong to the stream. */
static void test_skippable_frames(void **state)
{
	cc_need_tool(zs.tool);
	cc_make_sample("sk", 30);
	gbt_sh("{ printf '\\120\\052\\115\\030\\005\\0\\0\\0hello'; zstd -q -c < sk;"
	       " printf '\\136\\052\\115\\030\\003\\0\\0\\0end'; } > sk.zst");
	struct gb_scan *s = gbt_scan("sk.zst", "out");
	assert_int_equal(gbt_count_nodes(s, "zstd"), 1);
	const struct gb_node *n = cc_node_at(s, "zstd", 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, cc_fsize("sk.zst"));
	cc_assert_matches(cc_file(s, n, "/sk"), "sk");
	gb_scan_free(s);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&zs, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&zs, NULL, 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&zs);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&zs, 0, 0x29); /* magic */
	cc_bad_header(&zs, 4, 0xff); /* reserved descriptor bit */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&zs, 24);
}

static void test_names(void **state)
{
	cc_need_tool(zs.tool);
	cc_make_sample("fs", 10);
	gbt_sh("zstd -q -c < fs > fs.tzst");
	struct gb_scan *s = gbt_scan("fs.tzst", "out");
	const struct gb_node *n = cc_node_at(s, "zstd", 0);
	assert_non_null(n);
	cc_assert_matches(cc_file(s, n, "/fs.tar"), "fs");
	gb_scan_free(s);
}

static void test_probe(void **state)
{
	/* Descriptor 0, window descriptor 0 (1 KiB), a last empty raw block. */
	uint8_t f[9] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00};
	/* An empty skippable frame, then that frame. */
	uint8_t c[17] = {0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0};
	struct gb_probe p;

	assert_int_equal(cc_probe(&gb__fmt_zstd, f, sizeof(f), &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	assert_int_equal(cc_probe(&gb__fmt_zstd, f, 8, &p), -GB_ENOTFOUND);
	memcpy(c + 8, f, sizeof(f));
	assert_int_equal(cc_probe(&gb__fmt_zstd, c, sizeof(c), &p), 0);
	/* A skippable frame alone is not a zstd stream. */
	assert_int_equal(cc_probe(&gb__fmt_zstd, c, 8, &p), -GB_ENOTFOUND);

	f[4] = 0x08; /* reserved bit */
	assert_int_equal(cc_probe(&gb__fmt_zstd, f, sizeof(f), &p), -GB_ENOTFOUND);
	f[4] = 0;
	f[5] = 22 << 3; /* window log 32 */
	assert_int_equal(cc_probe(&gb__fmt_zstd, f, sizeof(f), &p), -GB_ENOTFOUND);
	f[5] = 0;
	f[6] = 0x07; /* block type 3 */
	assert_int_equal(cc_probe(&gb__fmt_zstd, f, sizeof(f), &p), -GB_ENOTFOUND);
	f[6] = 0x01; /* block size 200000 > 128 KiB */
	f[7] = 0x6a;
	f[8] = 0x18;
	assert_int_equal(cc_probe(&gb__fmt_zstd, f, sizeof(f), &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_frames),
		cmocka_unit_test(test_pzstd),
		cmocka_unit_test(test_skippable_frames),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
