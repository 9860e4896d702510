/* trx: hand-built Broadcom TRX images (the CRC computed here with zlib, per
 * the layout: ~crc32 over [12, len)), real images from the shared corpus, and
 * hostile headers. Partition contents are made with Debian's dtc, tar and
 * gzip, so the recursion is checked against those tools' own output. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_trx;

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Build a TRX of `version` from up to 4 part files, each padded to 4 bytes.
 * Returns the malloc'd image; *n gets its length. When no parts are given the
 * payload is `raw` and every offset is 0. */
static uint8_t *build_trx(unsigned version, uint16_t flags, const char *const *parts,
			  unsigned n_parts, size_t *n)
{
	size_t hdr = version == 1 ? 28 : 32, len = hdr;
	uint8_t *img = calloc(1, hdr);
	uint32_t off[4] = {0};

	assert_non_null(img);
	for (unsigned i = 0; i < n_parts; i++) {
		size_t plen;
		uint8_t *pd = gbt_read_file(parts[i], &plen);
		size_t padded = (plen + 3) & ~(size_t)3;

		off[i] = (uint32_t)len;
		img = realloc(img, len + padded);
		assert_non_null(img);
		memset(img + len, 0, padded);
		memcpy(img + len, pd, plen);
		len += padded;
		free(pd);
	}
	memcpy(img, "HDR0", 4);
	put_le32(img + 4, (uint32_t)len);
	put_le32(img + 12, (uint32_t)version << 16 | flags);
	for (unsigned i = 0; i < (version == 1 ? 3U : 4U); i++)
		put_le32(img + 16 + 4 * i, off[i]);
	put_le32(img + 8, ~(uint32_t)crc32(0, img + 12, (uInt)(len - 12)));
	*n = len;
	return img;
}

static void fix_crc(uint8_t *img, size_t len)
{
	put_le32(img + 8, ~(uint32_t)crc32(0, img + 12, (uInt)(len - 12)));
}

static void make_parts(void)
{
	if (!gbt_have_tool("dtc"))
		skip();
	gbt_sh("printf '/dts-v1/;\\n/ { model = \"trx test\"; cpus { }; };\\n' > t.dts"
	       " && dtc -q -I dts -O dtb -o p0.dtb t.dts");
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && head -c 3000 /dev/urandom > root/etc/blob"
	       " && tar cf p1.tar -C root etc && gzip -9 -n -c p1.tar > p1.tgz");
}

static const struct gb_node *child_with_label(const struct gb_scan *s, int parent, const char *label)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].parent == parent && s->nodes[i].label &&
		    strcmp(s->nodes[i].label, label) == 0)
			return &s->nodes[i];
	return NULL;
}

static void test_probe_hand_built(void **state)
{
	const char *parts[] = {"p0.dtb", "p1.tgz"};
	struct gb_probe pr;
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 0, parts, 2, &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_trx.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	assert_string_equal(pr.variant, "v1");
	assert_false(pr.identify_only);

	/* trailing data after len is not covered */
	uint8_t *big = calloc(1, n + 100);
	memcpy(big, img, n);
	in = gb_span_make(big, n + 100);
	assert_int_equal(gb__fmt_trx.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	free(big);

	/* any flipped byte breaks the CRC */
	for (size_t i = 12; i < n; i += 97) {
		img[i] ^= 0x40;
		in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_trx.probe(&in, &pr), -GB_ENOTFOUND);
		img[i] ^= 0x40;
	}
	/* short header, bad version */
	in = gb_span_make(img, 20);
	assert_int_equal(gb__fmt_trx.probe(&in, &pr), -GB_ENOTFOUND);
	put_le32(img + 12, 3U << 16);
	fix_crc(img, n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_trx.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_v1_partitions_recurse(void **state)
{
	const char *parts[] = {"p0.dtb", "p1.tgz"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 0, parts, 2, &n);
	gbt_write_file("fw.trx", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("fw.trx", "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_OK);
	assert_string_equal(t->variant, "v1");
	assert_int_equal(t->offset, 0);
	assert_int_equal(t->size, n);

	const struct gb_node *d = child_with_label(s, t->id, "partition0");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	assert_int_equal(d->offset, 28);
	const struct gb_node *g = child_with_label(s, t->id, "partition1");
	assert_non_null(g);
	assert_string_equal(g->format, "gzip");
	assert_int_equal(gbt_count_nodes(s, "tar"), 1);
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
}

static void test_v2_carved_from_blob(void **state)
{
	const char *parts[] = {"p0.dtb", "p1.tgz", "p0.dtb"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(2, 0, parts, 3, &n);
	gbt_write_file("fw.trx", img, n);
	free(img);
	gbt_sh("head -c 1000 /dev/urandom > blob && cat fw.trx >> blob && head -c 500 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_OK);
	assert_string_equal(t->variant, "v2");
	assert_int_equal(t->offset, 1000);
	assert_int_equal(t->size, n);
	assert_non_null(child_with_label(s, t->id, "partition0"));
	assert_non_null(child_with_label(s, t->id, "partition1"));
	const struct gb_node *d2 = child_with_label(s, t->id, "partition2");
	assert_non_null(d2);
	assert_string_equal(d2->format, "dtb");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_no_offsets_whole_payload(void **state)
{
	const char *parts[] = {"p1.tgz"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 1, parts, 1, &n);
	put_le32(img + 16, 0); /* flags 0x1 image with no offsets */
	fix_crc(img, n);
	gbt_write_file("fw.trx", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("fw.trx", "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_OK);
	const struct gb_node *g = child_with_label(s, t->id, "payload");
	assert_non_null(g);
	assert_string_equal(g->format, "gzip");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_corrupt_byte_rejected(void **state)
{
	const char *parts[] = {"p0.dtb", "p1.tgz"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 0, parts, 2, &n);
	img[n / 2] ^= 0xff;
	gbt_write_file("bad.trx", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("bad.trx", "out");
	assert_null(gbt_node(s, "trx"));
	gb_scan_free(s);
}

static void test_offsets_past_eof(void **state)
{
	const char *parts[] = {"p1.tgz"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 0, parts, 1, &n);
	put_le32(img + 20, 0x10000000);
	put_le32(img + 24, 0xfffffff0);
	fix_crc(img, n);
	gbt_write_file("hostile.trx", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("hostile.trx", "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_PARTIAL);
	assert_non_null(t->error);
	assert_non_null(strstr(t->error, "partition 1 offset 0x10000000"));
	assert_non_null(strstr(t->error, "partition 2 offset 0xfffffff0"));
	/* partition 0 runs to len and is still carved */
	const struct gb_node *g = child_with_label(s, t->id, "partition0");
	assert_non_null(g);
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_len_past_eof(void **state)
{
	const char *parts[] = {"p0.dtb", "p1.tgz"};
	size_t n;
	uint8_t *img;

	make_parts();
	img = build_trx(1, 0, parts, 2, &n);
	put_le32(img + 4, 0x40000000);
	fix_crc(img, n); /* over the available bytes: cannot match the declared len anyway */
	gbt_write_file("long.trx", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("long.trx", "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_true(t->status == GB_STATUS_PARTIAL || t->status == GB_STATUS_ERROR);
	assert_non_null(t->error);
	assert_non_null(strstr(t->error, "declares len 1073741824 past end"));
	assert_int_equal(t->size, n);
	/* what is there is still carved */
	assert_non_null(child_with_label(s, t->id, "partition0"));
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);

	/* garbage offsets with an unverifiable CRC: not a TRX */
	img = build_trx(1, 0, parts, 2, &n);
	put_le32(img + 4, 0x40000000);
	put_le32(img + 16, 5);
	gbt_write_file("junk.trx", img, n);
	free(img);
	s = gbt_scan("junk.trx", "out2");
	assert_null(gbt_node(s, "trx"));
	gb_scan_free(s);
}

static void test_real_images(void **state)
{
	static const char *const files[] = {
		"trx-fact-sample-zip-payload.trx",
		"trx-openwrt10.03.1-brcm24-squashfs3-lzma.trx",
	};
	const char *root = "/work/shared/corpus/real";
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, files[0]);
	if (gbt_sh_status("test -r '%s'", path) != 0) {
		print_message("shared corpus not present: real TRX images not checked\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n;
		char p[512];

		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		if (gbt_sh_status("test -r '%s'", p) != 0)
			continue;
		uint8_t *img = gbt_read_file(p, &n);
		struct gb_span in = gb_span_make(img, n);
		struct gb_probe pr;
		assert_int_equal(gb__fmt_trx.probe(&in, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_int_equal(pr.confidence, GB_CONF_HIGH);
		free(img);
	}
	struct gb_scan *s = gbt_scan(path, "out");
	const struct gb_node *t = gbt_node(s, "trx");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_OK);
	const struct gb_node *z = child_with_label(s, t->id, "partition0");
	assert_non_null(z);
	assert_string_equal(z->format, "zip");
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_hand_built, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_v1_partitions_recurse, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_v2_carved_from_blob, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_no_offsets_whole_payload, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_corrupt_byte_rejected, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_offsets_past_eof, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_len_past_eof, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_real_images, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
