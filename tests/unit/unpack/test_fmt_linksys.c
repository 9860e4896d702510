/* linksys: the 32-byte code-pattern header (OpenWrt addpattern.c layout)
 * built here in C around a TRX made the same way as in test_fmt_trx.c (zlib
 * CRC), with a tar.gz partition made by Debian's tar and gzip; the real
 * WRT54GL stock image of the shared corpus; hostile headers. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_linksys;

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* code header + TRX v1 holding p.tgz; *n gets the length. */
static uint8_t *build(const char *pattern, size_t *n)
{
	size_t plen;
	uint8_t *pd = gbt_read_file("p.tgz", &plen);
	size_t padded = (plen + 3) & ~(size_t)3, trx = 28 + padded;
	uint8_t *img = calloc(1, 32 + trx);

	assert_non_null(img);
	memcpy(img, pattern, 4);
	img[8] = 16; img[9] = 1; img[10] = 8;      /* 2016-01-08 */
	img[11] = 4; img[12] = 30; img[13] = 18;   /* 4.30.18 */
	memcpy(img + 14, "U2ND", 4);
	uint8_t *t = img + 32;
	memcpy(t, "HDR0", 4);
	put_le32(t + 4, (uint32_t)trx);
	put_le32(t + 12, 1U << 16);
	put_le32(t + 16, 28);
	memcpy(t + 28, pd, plen);
	put_le32(t + 8, ~(uint32_t)crc32(0, t + 12, (uInt)(trx - 12)));
	free(pd);
	*n = 32 + trx;
	return img;
}

static void make_parts(void)
{
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && tar cf p.tar -C root etc && gzip -9 -n -c p.tar > p.tgz");
}

static void test_hand_built(void **state)
{
	size_t n;

	make_parts();
	uint8_t *img = build("W54G", &n);
	gbt_write_file("fw.bin", img, n);
	struct gb_span in = gb_span_make(img, n);
	struct gb_probe pr;
	assert_int_equal(gb__fmt_linksys.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, "W54G");
	free(img);
	gbt_sh("head -c 3000 /dev/urandom > blob && cat fw.bin >> blob && head -c 64 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *l = gbt_node(s, "linksys");
	assert_non_null(l);
	assert_int_equal(l->offset, 3000);
	assert_int_equal(l->size, n);
	assert_int_equal(l->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(l, "date"), "2016-01-08");
	assert_string_equal(gbt_node_attr(l, "fw_version"), "4.30.18");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->parent, l->id);
	assert_string_equal(t->label, "firmware");
	assert_int_equal(t->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;
	struct gb_span in;

	make_parts();
	uint8_t *img = build("W54s", &n);
	/* truncated: still carved, error says so */
	gbt_write_file("cut.bin", img, n - 40);
	struct gb_scan *s = gbt_scan("cut.bin", "out");
	const struct gb_node *l = gbt_node(s, "linksys");
	assert_non_null(l);
	assert_int_equal(l->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(l->error, "past the end"));
	gb_scan_free(s);
	/* each broken field rejects it */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{0, '-'}, {9, 0}, {9, 13}, {10, 0}, {10, 32}, {14, 'X'}, {32, 'X'},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = img[bad[i].off];
		img[bad[i].off] = bad[i].val;
		in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_linksys.probe(&in, &pr), -GB_ENOTFOUND);
		img[bad[i].off] = keep;
	}
	put_le32(img + 36, 5); /* TRX length below its own header */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_linksys.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(img, 60);
	assert_int_equal(gb__fmt_linksys.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_real_image(void **state)
{
	const char *p = "/work/shared/corpus/real/linksys-w54g-trx-wrt54gl-4.30.18-stock.bin";
	if (gbt_sh_status("test -r %s", p) != 0) {
		print_message("shared corpus not present: real Linksys image not checked\n");
		skip();
	}
	struct gb_scan *s = gbt_scan(p, "out");
	const struct gb_node *l = gbt_node(s, "linksys");
	assert_non_null(l);
	assert_int_equal(l->offset, 0);
	assert_int_equal(l->status, GB_STATUS_OK);
	assert_string_equal(l->variant, "W54G");
	assert_string_equal(gbt_node_attr(l, "fw_version"), "4.30.18");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->parent, l->id);
	assert_int_equal(t->status, GB_STATUS_OK);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hand_built, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_real_image, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
