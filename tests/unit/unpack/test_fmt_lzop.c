/* lzop: fixtures from lzop(1); the oracle is lzop's input. */
#include "compressed_cases.h"

#include <zlib.h>

extern const struct gb_format gb__fmt_lzop;

static const struct cc_fmt lzo = {"lzop", "lzop", "lzop -c", ".lzo"};

static void test_roundtrip(void **state)
{
	cc_roundtrip(&lzo, NULL, 600);
	cc_roundtrip(&lzo, "lzop -1 -c", 40);
	cc_roundtrip(&lzo, "lzop -9 -c", 40);      /* LZO1X-999 */
	cc_roundtrip(&lzo, "lzop --crc32 -c", 300); /* CRC-32 checksums, header too */
}

static void test_empty(void **state)
{
	cc_empty(&lzo);
}

/* Each .lzo names its own file: concatenated files are separate nodes. */
static void test_concatenated_files(void **state)
{
	cc_need_tool(lzo.tool);
	cc_make_sample("first.bin", 40);
	cc_make_sample("second.bin", 20);
	gbt_sh("lzop -c first.bin > first.lzo && lzop -c second.bin > second.lzo");
	gbt_sh("cat first.lzo second.lzo > both.lzo");
	uint64_t a = cc_fsize("first.lzo");
	struct gb_scan *s = gbt_scan("both.lzo", "out");
	assert_int_equal(gbt_count_nodes(s, "lzop"), 2);
	const struct gb_node *na = cc_node_at(s, "lzop", 0);
	const struct gb_node *nb = cc_node_at(s, "lzop", a);
	assert_non_null(na);
	assert_non_null(nb);
	assert_int_equal(na->size, a);
	assert_int_equal(nb->size, cc_fsize("both.lzo") - a);
	cc_assert_matches(cc_file(s, na, "/first.bin"), "first.bin");
	cc_assert_matches(cc_file(s, nb, "/second.bin"), "second.bin");
	gb_scan_free(s);
}

static void test_trailing_garbage_and_second_stream(void **state)
{
	cc_trailing(&lzo, "/trail.img", "/data");
}

static void test_truncated(void **state)
{
	cc_truncated(&lzo, NULL, 1024);
}

static void test_corrupt_data(void **state)
{
	cc_corrupt_data(&lzo);
}

static void test_bad_header(void **state)
{
	cc_bad_header(&lzo, 9, 0x01);  /* version 0x01xx < 0x0900 */
	cc_bad_header(&lzo, 15, 0x09); /* method */
	cc_bad_header(&lzo, 25, 0x01); /* mtime_high: the header checksum fails */
}

static void test_bomb_stops_at_file_limit(void **state)
{
	cc_bomb(&lzo, 24);
}

/* The stored name and mode name the output. */
static void test_names(void **state)
{
	cc_need_tool(lzo.tool);
	cc_make_sample("kernel.img", 20);
	gbt_sh("chmod 0640 kernel.img && lzop -c kernel.img > k.lzo");
	struct gb_scan *s = gbt_scan("k.lzo", "out");
	const struct gb_node *n = cc_node_at(s, "lzop", 0);
	assert_non_null(n);
	assert_string_equal(n->variant, "lzo1x_1");
	const struct gb_file *f = cc_file(s, n, "/kernel.img");
	cc_assert_matches(f, "kernel.img");
	assert_int_equal(f->mode, 0640);
	gb_scan_free(s);
}

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* magic, version 0x1040, lib 0x20a0, needs 0x0940, method, level 5, flags,
 * mode, mtime, no name, Adler-32; returns the header length. */
static size_t make_header(uint8_t *h, uint8_t method, uint32_t flags)
{
	static const uint8_t start[15] = {0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a,
					  0x10, 0x40, 0x20, 0xa0, 0x09, 0x40};
	size_t n = sizeof(start);

	memcpy(h, start, n);
	h[n++] = method;
	h[n++] = 5;
	n += put32(h + n, flags);
	n += put32(h + n, 0100644);
	n += put32(h + n, 0x5f000000);
	n += put32(h + n, 0);
	h[n++] = 0;
	n += put32(h + n, (uint32_t)adler32(1, h + 9, (uInt)(n - 9)));
	return n;
}

static void test_probe(void **state)
{
	uint8_t h[96];
	struct gb_probe p;
	size_t n = make_header(h, 1, 0x03000001);

	/* End mark right away: the exact size is known. */
	memset(h + n, 0, 4);
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, n + 4 + 10, &p), 0);
	assert_int_equal(p.size, n + 4);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "lzo1x_1");

	/* A stored block of 3 bytes, then the end mark. */
	size_t m = n;
	m += put32(h + m, 3);
	m += put32(h + m, 3);
	m += put32(h + m, (uint32_t)adler32(1, (const uint8_t *)"hi\n", 3));
	memcpy(h + m, "hi\n", 3);
	m += 3;
	m += put32(h + m, 0);
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, m, &p), 0);
	assert_int_equal(p.size, m);
	/* Cut inside the block: valid header, size unknown (unpack reports). */
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, m - 6, &p), 0);
	assert_true(p.size == GB_SIZE_UNKNOWN);

	h[n - 1] ^= 1; /* header checksum */
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, n + 4, &p), -GB_ENOTFOUND);
	n = make_header(h, 4, 0x03000001); /* method */
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, n + 4, &p), -GB_ENOTFOUND);
	n = make_header(h, 1, 0x03004001); /* reserved flag bit */
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, n + 4, &p), -GB_ENOTFOUND);
	n = make_header(h, 1, 0x03000001);
	assert_int_equal(cc_probe(&gb__fmt_lzop, h, n - 1, &p), -GB_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_concatenated_files),
		cmocka_unit_test(test_trailing_garbage_and_second_stream),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_bomb_stops_at_file_limit),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
