/* gzip: fixtures from gzip(1); the oracle is gzip's input. */
#include "compressed_cases.h"

#include <zlib.h>

extern const struct gb_format gb__fmt_gzip;

static const struct cc_fmt gz = {"gzip", "gzip", "gzip -c", ".gz"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&gz, NULL, 300);
	cc_roundtrip(&gz, "gzip -9 -c", 40);
	cc_roundtrip(&gz, "gzip -1 -c", 40);
}

static void test_empty(void **state)
{
	cc_empty(&gz);
}

static void test_concatenated_members(void **state)
{
	cc_concatenated(&gz);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&gz, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&gz, NULL, 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&gz);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&gz, 2, 7);    /* CM */
	cc_bad_header(&gz, 3, 0x20); /* reserved flag bit */
	cc_bad_header(&gz, 8, 1);    /* XFL */
	cc_bad_header(&gz, 9, 200);  /* OS */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&gz, 300);
}

/* FNAME names the output, basename only; .tgz becomes .tar without it. */
static void test_names(void **state)
{
	cc_need_tool(gz.tool);
	cc_make_sample("fw-image.bin", 20);
	gbt_sh("gzip -c fw-image.bin > named.gz");
	struct gb_scan *s = gbt_scan("named.gz", "out");
	const struct gb_node *n = cc_node_at(s, "gzip", 0);
	assert_non_null(n);
	cc_assert_matches(cc_file(s, n, "/fw-image.bin"), "fw-image.bin");
	gb_scan_free(s);

	/* A stored name with directories: only its last component is used. */
	gbt_sh("gzip -n -c fw-image.bin | tail -c +11 > deflate.tail");
	gbt_sh("{ printf '\\037\\213\\010\\010\\0\\0\\0\\0\\0\\003../../etc/evil\\0';"
	       " cat deflate.tail; } > evil.gz");
	s = gbt_scan("evil.gz", "out");
	n = cc_node_at(s, "gzip", 0);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	cc_assert_matches(cc_file(s, n, "/evil"), "fw-image.bin");
	gb_scan_free(s);

	gbt_sh("gzip -n -c fw-image.bin > fw.tgz");
	s = gbt_scan("fw.tgz", "out");
	n = cc_node_at(s, "gzip", 0);
	assert_non_null(n);
	cc_assert_matches(cc_file(s, n, "/fw.tar"), "fw-image.bin");
	gb_scan_free(s);
}

/* A gzip inside a larger blob, after other bytes. */
static void test_carved_from_blob(void **state)
{
	cc_need_tool(gz.tool);
	cc_make_sample("inner", 30);
	gbt_sh("{ head -c 1000 /dev/zero; gzip -n -c inner; head -c 3000 /dev/zero; } > blob.bin");
	struct gb_scan *s = gbt_scan("blob.bin", "out");
	const struct gb_node *n = cc_node_at(s, "gzip", 1000);
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, cc_fsize("blob.bin") - 4000);
	cc_assert_matches(cc_file(s, n, "/data"), "inner");
	gb_scan_free(s);
}

static void test_probe(void **state)
{
	/* 10-byte header, then a final empty fixed-Huffman block. */
	uint8_t h[32] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x03, 0x00};
	struct gb_probe p;

	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 12, &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	h[8] = 1; /* XFL */
	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 12, &p), -GB_ENOTFOUND);
	h[8] = 0;
	h[10] = 0x07; /* BTYPE 3 */
	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 12, &p), -GB_ENOTFOUND);
	h[10] = 0x03;
	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 9, &p), -GB_ENOTFOUND); /* short */

	/* FHCRC: the low 16 bits of the CRC-32 of the 10 header bytes. */
	h[3] = 0x02;
	uint32_t crc = (uint32_t)crc32(0, h, 10);
	h[10] = (uint8_t)crc;
	h[11] = (uint8_t)(crc >> 8);
	h[12] = 0x03;
	h[13] = 0x00;
	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 14, &p), 0);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	h[11] ^= 1;
	assert_int_equal(cc_probe(&gb__fmt_gzip, h, 14, &p), -GB_ENOTFOUND);

	/* FNAME without its NUL before the end of data. */
	uint8_t n[16] = {0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'};
	assert_int_equal(cc_probe(&gb__fmt_gzip, n, 13, &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_members),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_carved_from_blob),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
