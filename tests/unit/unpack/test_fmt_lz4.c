/* lz4: fixtures from lz4(1); the oracle is lz4's input. */
#include "compressed_cases.h"

extern const struct gb_format gb__fmt_lz4;

static const struct cc_fmt l4 = {"lz4", "lz4", "lz4 -q -c", ".lz4"};
static const struct cc_fmt l4legacy = {"lz4", "lz4", "lz4 -l -q -c", ".lz4"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&l4, NULL, 300);
	cc_roundtrip(&l4, "lz4 -9 -q -c", 40);
	cc_roundtrip(&l4, "lz4 -BD -B7 -q -c", 300);       /* linked 4 MiB blocks */
	cc_roundtrip(&l4, "lz4 -BX --no-frame-crc -q -c", 300); /* block checksums only */
}

/* lz4 -l, as the Linux kernel compresses: 8 MiB blocks, no end mark. */
static void test_legacy(void **state)
{
	cc_roundtrip(&l4legacy, NULL, 300);
	cc_roundtrip(&l4legacy, NULL, 9 * 1024);
}

/* The kernel appends the uncompressed size after a legacy stream. */
static void test_legacy_kernel_size_append(void **state)
{
	cc_need_tool(l4.tool);
	cc_make_sample("vmlinux", 200);
	gbt_sh("{ lz4 -l -q -c < vmlinux; printf '\\020\\047\\003\\0'; } > vmlinux.lz4");
	struct gb_scan *s = gbt_scan("vmlinux.lz4", "out");
	const struct gb_node *n = cc_node_at(s, "lz4", 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "legacy");
	assert_int_equal(n->size, cc_fsize("vmlinux.lz4") - 4);
	cc_assert_matches(cc_file(s, n, "/vmlinux"), "vmlinux");
	gb_scan_free(s);
}

static void test_empty(void **state)
{
	cc_empty(&l4);
}

static void test_concatenated_frames(void **state)
{
	cc_concatenated(&l4);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&l4, "/trail.img", "/data");
	cc_trailing(&l4legacy, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&l4, "lz4 -B4 -q -c", 1024);
	/* Legacy: the whole first 8 MiB block survives the cut. */
	cc_truncated(&l4legacy, NULL, 20 * 1024);
}

/* A legacy stream cut inside its only block decodes nothing: an error node
 * that says so. */
static void test_legacy_truncated_first_block(void **state)
{
	cc_need_tool(l4.tool);
	cc_make_sample("one", 300);
	gbt_sh("lz4 -l -q -c < one | head -c 100000 > one.lz4");
	struct gb_scan *s = gbt_scan("one.lz4", "out");
	const struct gb_node *n = cc_node_at(s, "lz4", 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	cc_assert_error_has(n, "truncated");
	assert_int_equal(gbt_count_files(s, n->id), 0);
	gb_scan_free(s);
}

/* Frames carry checksums; legacy streams do not (a flipped literal byte
 * there decodes silently, so only the frame format is tested). */
static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&l4);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&l4, 4, 0x24); /* version bits */
	cc_bad_header(&l4, 5, 0x41); /* reserved BD bits */
	cc_bad_header(&l4, 6, 0xa6); /* header checksum */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&l4, 24);
	cc_bomb(&l4legacy, 24);
}

static void test_probe(void **state)
{
	/* FLG 0x64 (v01, independent blocks, content checksum), BD 0x40, HC. */
	uint8_t f[7] = {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7};
	uint8_t lg[9] = {0x02, 0x21, 0x4c, 0x18, 0x10, 0x00, 0x00, 0x00, 0xf0};
	struct gb_probe p;

	assert_int_equal(cc_probe(&gb__fmt_lz4, f, sizeof(f), &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "frame");
	assert_int_equal(cc_probe(&gb__fmt_lz4, f, 6, &p), -GB_ENOTFOUND);
	f[6] = 0xa6; /* header checksum */
	assert_int_equal(cc_probe(&gb__fmt_lz4, f, sizeof(f), &p), -GB_ENOTFOUND);
	f[6] = 0xa7;
	f[4] = 0x66; /* reserved FLG bit (the checksum is checked after) */
	assert_int_equal(cc_probe(&gb__fmt_lz4, f, sizeof(f), &p), -GB_ENOTFOUND);
	f[4] = 0xa4; /* version 10 */
	assert_int_equal(cc_probe(&gb__fmt_lz4, f, sizeof(f), &p), -GB_ENOTFOUND);

	assert_int_equal(cc_probe(&gb__fmt_lz4, lg, sizeof(lg), &p), 0);
	assert_string_equal(p.variant, "legacy");
	lg[8] = 0x0f; /* the first sequence would be a match */
	assert_int_equal(cc_probe(&gb__fmt_lz4, lg, sizeof(lg), &p), -GB_ENOTFOUND);
	lg[8] = 0xf0;
	lg[7] = 0x10; /* block size 256 MiB */
	assert_int_equal(cc_probe(&gb__fmt_lz4, lg, sizeof(lg), &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_legacy_kernel_size_append),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_frames),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_legacy_truncated_first_block),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
