/* uimage: legacy U-Boot images made by Debian's mkimage (u-boot-tools):
 * single kernel/ramdisk images, multi-file images, corrupted and truncated
 * copies, and hand-built hostile headers whose header CRC is valid. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_uimage;

static void need_tools(void)
{
	if (!gbt_have_tool("mkimage") || !gbt_have_tool("dtc")) {
		print_message("mkimage or dtc missing (u-boot-tools, device-tree-compiler)\n");
		skip();
	}
}

static void make_payloads(void)
{
	need_tools();
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && head -c 5000 /dev/urandom > root/etc/blob"
	       " && tar cf rd.tar -C root etc && gzip -9 -n -c rd.tar > rd.tgz");
	gbt_sh("printf '/dts-v1/;\\n/ { model = \"uimage test\"; };\\n' > t.dts"
	       " && dtc -q -I dts -O dtb -o t.dtb t.dts");
	/* an odd size, so that multi-file padding is exercised */
	gbt_sh("head -c 1001 /dev/urandom > odd.bin");
}

static const struct gb_node *child_with_label(const struct gb_scan *s, int parent, const char *label)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].parent == parent && s->nodes[i].label &&
		    strcmp(s->nodes[i].label, label) == 0)
			return &s->nodes[i];
	return NULL;
}

static size_t file_size(const char *path)
{
	size_t n;
	free(gbt_read_file(path, &n));
	return n;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void fix_hcrc(uint8_t *h)
{
	memset(h + 4, 0, 4);
	put_be32(h + 4, (uint32_t)crc32(0, h, 64));
}

static void test_probe_mkimage_header(void **state)
{
	struct gb_probe pr;
	size_t n;

	make_payloads();
	gbt_sh("mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 -n probe -d rd.tgz k.img >/dev/null");
	uint8_t *img = gbt_read_file("k.img", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(n, 64 + file_size("rd.tgz"));
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	assert_string_equal(pr.variant, "kernel/arm/gzip");

	/* every header byte is covered by the header CRC: a flipped byte is either
	 * refused or (when every field is still plausible) reported as a header
	 * with a bad CRC, never as a valid one */
	for (size_t i = 0; i < 64; i++) {
		if (i >= 4 && i < 8)
			continue;
		img[i] ^= 0x01;
		int r = gb__fmt_uimage.probe(&in, &pr);
		if (i < 4 || i >= 28)
			assert_true(r == -GB_ENOTFOUND || strstr(pr.variant, "bad-hcrc"));
		if (r == 0) {
			assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
			assert_non_null(strstr(pr.variant, "bad-hcrc"));
		}
		img[i] ^= 0x01;
	}
	/* a wrong CRC over an implausible header (unknown OS) is refused */
	img[28] = 0xee;
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), -GB_ENOTFOUND);
	img[28] = 5; /* IH_OS_LINUX */
	/* a short span: not enough for the header */
	in = gb_span_make(img, 63);
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), -GB_ENOTFOUND);
	/* truncated data: accepted, size cut to what is there */
	in = gb_span_make(img, 100);
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), 0);
	assert_int_equal(pr.size, 100);
	free(img);
}

static void test_kernel_gzip_recurses(void **state)
{
	make_payloads();
	gbt_sh("mkimage -A mips -O linux -T kernel -C gzip -a 0 -e 0 -n kern -d rd.tgz k.img >/dev/null");
	struct gb_scan *s = gbt_scan("k.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_OK);
	assert_null(u->error);
	assert_string_equal(u->variant, "kernel/mips/gzip");
	assert_int_equal(u->size, file_size("k.img"));
	const struct gb_node *g = child_with_label(s, u->id, "kernel");
	assert_non_null(g);
	assert_string_equal(g->format, "gzip");
	assert_int_equal(g->offset, 64);
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
}

static void test_ramdisk_in_blob(void **state)
{
	make_payloads();
	gbt_sh("mkimage -A arm64 -O linux -T ramdisk -C none -n rd -d t.dtb r.img >/dev/null"
	       " && head -c 777 /dev/urandom > blob && cat r.img >> blob && head -c 300 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_OK);
	assert_int_equal(u->offset, 777);
	assert_int_equal(u->size, file_size("r.img"));
	assert_string_equal(u->variant, "ramdisk/arm64/none");
	const struct gb_node *d = child_with_label(s, u->id, "ramdisk");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	assert_int_equal(d->size, file_size("t.dtb"));
	gb_scan_free(s);
}

static void test_multi_file(void **state)
{
	make_payloads();
	gbt_sh("mkimage -A arm -O linux -T multi -C none -n multi -d odd.bin:t.dtb:rd.tgz m.img >/dev/null");
	struct gb_scan *s = gbt_scan("m.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_OK);
	assert_string_equal(u->variant, "multi/arm/none");
	/* table of 3 sizes + 0, then odd.bin (padded to 4), then t.dtb */
	const struct gb_node *d = child_with_label(s, u->id, "image1");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	assert_int_equal(d->offset, 64 + 16 + ((1001 + 3) & ~3));
	const struct gb_node *g = child_with_label(s, u->id, "image2");
	assert_non_null(g);
	assert_string_equal(g->format, "gzip");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_bad_data_crc_warns(void **state)
{
	size_t n;

	make_payloads();
	gbt_sh("mkimage -A arm -O linux -T ramdisk -C none -n rd -d odd.bin r.img >/dev/null");
	uint8_t *img = gbt_read_file("r.img", &n);
	img[64 + 500] ^= 0xff;
	gbt_write_file("bad.img", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("bad.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_PARTIAL);
	assert_non_null(u->error);
	assert_non_null(strstr(u->error, "data CRC mismatch"));
	gb_scan_free(s);
}

static void test_bad_header_crc_rejected(void **state)
{
	size_t n;

	make_payloads();
	gbt_sh("mkimage -A arm -O linux -T kernel -C none -n k -d t.dtb k.img >/dev/null");
	uint8_t *img = gbt_read_file("k.img", &n);
	img[40] ^= 0x20; /* in the name */
	gbt_write_file("bad.img", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("bad.img", "out");
	assert_null(gbt_node(s, "uimage"));
	assert_non_null(gbt_node(s, "dtb")); /* the payload is still found */
	gb_scan_free(s);
}

static void test_truncated_image(void **state)
{
	make_payloads();
	gbt_sh("mkimage -A arm -O linux -T kernel -C gzip -n k -d rd.tgz k.img >/dev/null"
	       " && head -c 2000 k.img > cut.img");
	struct gb_scan *s = gbt_scan("cut.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_true(u->status == GB_STATUS_PARTIAL || u->status == GB_STATUS_ERROR);
	assert_non_null(u->error);
	assert_non_null(strstr(u->error, "only 1936 available"));
	assert_int_equal(u->size, 2000);
	gb_scan_free(s);
}

static void test_hostile_huge_size(void **state)
{
	uint8_t img[64 + 26];

	memset(img, 0, sizeof(img));
	put_be32(img, 0x27051956);
	put_be32(img + 12, 0x7ffffff0);
	img[28] = 5; /* linux */
	img[29] = 2; /* arm */
	img[30] = 2; /* kernel */
	memcpy(img + 32, "oversize", 8);
	memset(img + 64, 'A', 26);
	fix_hcrc(img);
	gbt_write_file("huge.img", img, sizeof(img));

	struct gb_probe pr;
	struct gb_span in = gb_span_make(img, sizeof(img));
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), 0);
	assert_int_equal(pr.size, sizeof(img));

	struct gb_scan *s = gbt_scan("huge.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_true(u->status == GB_STATUS_PARTIAL || u->status == GB_STATUS_ERROR);
	assert_non_null(strstr(u->error, "declares 2147483632 data bytes, only 26 available"));
	gb_scan_free(s);
}

static void test_hostile_multi_table(void **state)
{
	/* a multi image whose size table never ends, then one with sizes past the end */
	uint8_t img[64 + 64];

	memset(img, 0, sizeof(img));
	put_be32(img, 0x27051956);
	put_be32(img + 12, 64);
	img[30] = 4; /* multi */
	memset(img + 64, 0xff, 64);
	fix_hcrc(img);
	gbt_write_file("m1.img", img, sizeof(img));
	struct gb_scan *s = gbt_scan("m1.img", "out");
	const struct gb_node *u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_ERROR);
	assert_non_null(strstr(u->error, "size table"));
	gb_scan_free(s);

	memset(img + 64, 0, 64);
	put_be32(img + 64, 16);
	put_be32(img + 68, 0xfffffff0);
	fix_hcrc(img);
	gbt_write_file("m2.img", img, sizeof(img));
	s = gbt_scan("m2.img", "out2");
	u = gbt_node(s, "uimage");
	assert_non_null(u);
	assert_int_equal(u->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(u->error, "image 1 declares 4294967280 bytes"));
	gb_scan_free(s);
}

static void test_real_images(void **state)
{
	const char *path = "/work/shared/corpus/real/uimage-ralink-3g-router-trident-v7209-squashfs3-nonstd.uimage";
	struct gb_probe pr;
	size_t n;

	if (gbt_sh_status("test -r '%s'", path) != 0) {
		print_message("shared corpus not present: real uImage not checked\n");
		skip();
	}
	uint8_t *img = gbt_read_file(path, &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_uimage.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, "kernel/mips/lzma");
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_mkimage_header, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_kernel_gzip_recurses, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_ramdisk_in_blob, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_multi_file, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_data_crc_warns, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_header_crc_rejected, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated_image, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile_huge_size, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile_multi_table, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_real_images, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
