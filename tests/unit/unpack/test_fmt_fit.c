/* fit: U-Boot FIT images made by Debian's mkimage -f from an .its (inline
 * and external data, sha256/sha1/crc32 hashes), corrupted and truncated
 * copies. The images' contents come from tar, gzip and dtc. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_fit;
extern const struct gb_format gb__fmt_dtb;

static const char its[] =
	"/dts-v1/;\n"
	"/ {\n"
	"  description = \"glassbox test FIT\";\n"
	"  #address-cells = <1>;\n"
	"  images {\n"
	"    kernel-1 {\n"
	"      description = \"kernel\"; data = /incbin/(\"./kernel.bin\");\n"
	"      type = \"kernel\"; arch = \"arm64\"; os = \"linux\"; compression = \"none\";\n"
	"      load = <0x80000>; entry = <0x80000>;\n"
	"      hash-1 { algo = \"sha256\"; };\n"
	"      hash-2 { algo = \"crc32\"; };\n"
	"    };\n"
	"    fdt-1 {\n"
	"      description = \"fdt\"; data = /incbin/(\"./board.dtb\");\n"
	"      type = \"flat_dt\"; arch = \"arm64\"; compression = \"none\";\n"
	"      hash-1 { algo = \"sha1\"; };\n"
	"    };\n"
	"    rootfs-1 {\n"
	"      description = \"rootfs\"; data = /incbin/(\"./rootfs.tgz\");\n"
	"      type = \"ramdisk\"; arch = \"arm64\"; os = \"linux\"; compression = \"none\";\n"
	"      hash-1 { algo = \"sha256\"; };\n"
	"    };\n"
	"  };\n"
	"  configurations {\n"
	"    default = \"conf-1\";\n"
	"    conf-1 { kernel = \"kernel-1\"; fdt = \"fdt-1\"; ramdisk = \"rootfs-1\"; };\n"
	"  };\n"
	"};\n";

static void make_fit(const char *out, const char *extra_flags)
{
	if (!gbt_have_tool("mkimage") || !gbt_have_tool("dtc")) {
		print_message("mkimage or dtc missing (u-boot-tools, device-tree-compiler)\n");
		skip();
	}
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && head -c 4000 /dev/urandom > root/etc/blob"
	       " && tar cf rootfs.tar -C root etc && gzip -9 -n -c rootfs.tar > rootfs.tgz");
	gbt_sh("printf '/dts-v1/;\\n/ { model = \"fit board\"; compatible = \"test,board\"; };\\n' > b.dts"
	       " && dtc -q -I dts -O dtb -o board.dtb b.dts");
	gbt_sh("head -c 20001 /dev/urandom > kernel.bin");
	gbt_write_file("fit.its", its, sizeof(its) - 1);
	gbt_sh("mkimage %s -f fit.its %s >/dev/null", extra_flags, out);
}

static const struct gb_node *child_with_label(const struct gb_scan *s, int parent, const char *label)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].parent == parent && s->nodes[i].label &&
		    strcmp(s->nodes[i].label, label) == 0)
			return &s->nodes[i];
	return NULL;
}

static void test_probe(void **state)
{
	struct gb_probe pr;
	size_t n;

	make_fit("fit.itb", "");
	uint8_t *img = gbt_read_file("fit.itb", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	assert_false(pr.identify_only);
	assert_string_equal(pr.variant, "3 images");
	/* the same bytes are not a plain device tree */
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	/* truncated: not accepted */
	in = gb_span_make(img, n - 1);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);

	/* a plain device tree is not a FIT */
	img = gbt_read_file("board.dtb", &n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_inline_images(void **state)
{
	make_fit("fit.itb", "");
	struct gb_scan *s = gbt_scan("fit.itb", "out");
	const struct gb_node *f = gbt_node(s, "fit");
	assert_non_null(f);
	assert_int_equal(f->status, GB_STATUS_OK);
	assert_null(f->error);
	const struct gb_node *d = child_with_label(s, f->id, "fdt-1");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	const struct gb_node *g = child_with_label(s, f->id, "rootfs-1");
	assert_non_null(g);
	assert_string_equal(g->format, "gzip");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	/* exactly one dtb: the FIT itself is not reported as a device tree */
	assert_int_equal(gbt_count_nodes(s, "dtb"), 1);
	gb_scan_free(s);
}

static void test_external_data(void **state)
{
	size_t n;

	make_fit("ext.itb", "-E");
	struct gb_probe pr;
	uint8_t *img = gbt_read_file("ext.itb", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, "3 images external");
	free(img);

	gbt_sh("head -c 333 /dev/urandom > blob && cat ext.itb >> blob && head -c 100 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *f = gbt_node(s, "fit");
	assert_non_null(f);
	assert_int_equal(f->status, GB_STATUS_OK);
	assert_int_equal(f->offset, 333);
	assert_int_equal(f->size, n);
	const struct gb_node *d = child_with_label(s, f->id, "fdt-1");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	assert_non_null(child_with_label(s, f->id, "rootfs-1"));
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);

	/* external data cut off: the FIT is still carved, with a diagnostic */
	gbt_sh("head -c %zu ext.itb > cut.itb", n - 1000);
	s = gbt_scan("cut.itb", "out2");
	f = gbt_node(s, "fit");
	assert_non_null(f);
	assert_int_equal(f->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(f->error, "FIT image rootfs-1"));
	gb_scan_free(s);
}

static void test_hash_mismatch(void **state)
{
	size_t n, kn;

	make_fit("fit.itb", "");
	uint8_t *img = gbt_read_file("fit.itb", &n);
	uint8_t *k = gbt_read_file("kernel.bin", &kn);
	uint8_t *at = memmem(img, n, k, kn);
	assert_non_null(at);
	at[kn / 2] ^= 0x55;
	gbt_write_file("bad.itb", img, n);
	free(img);
	free(k);
	struct gb_scan *s = gbt_scan("bad.itb", "out");
	const struct gb_node *f = gbt_node(s, "fit");
	assert_non_null(f);
	assert_int_equal(f->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(f->error, "FIT image kernel-1: sha256 hash mismatch"));
	assert_non_null(strstr(f->error, "FIT image kernel-1: crc32 hash mismatch"));
	assert_null(strstr(f->error, "rootfs-1"));
	/* the other images are still carved */
	assert_non_null(child_with_label(s, f->id, "fdt-1"));
	gb_scan_free(s);
}

static void test_corrupt_structure(void **state)
{
	size_t n;

	make_fit("fit.itb", "");
	uint8_t *img = gbt_read_file("fit.itb", &n);
	struct gb_probe pr;
	/* the first structure token (BEGIN_NODE of the root) turned into junk */
	uint32_t off = (uint32_t)img[8] << 24 | img[9] << 16 | img[10] << 8 | img[11];
	img[off + 3] = 0x77;
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_fit.probe(&in, &pr), -GB_ENOTFOUND);
	assert_int_equal(gb__fmt_dtb.probe(&in, &pr), -GB_ENOTFOUND);
	gbt_write_file("bad.itb", img, n);
	free(img);
	struct gb_scan *s = gbt_scan("bad.itb", "out");
	assert_null(gbt_node(s, "fit"));
	gb_scan_free(s);
}

static void test_real_sample(void **state)
{
	const char *path = "/work/shared/corpus/real/fit-fact-sample-kernel-fdt-ramdisk.itb";

	if (gbt_sh_status("test -r '%s'", path) != 0) {
		print_message("shared corpus not present: real FIT not checked\n");
		skip();
	}
	struct gb_scan *s = gbt_scan(path, "out");
	const struct gb_node *f = gbt_node(s, "fit");
	assert_non_null(f);
	assert_int_equal(f->status, GB_STATUS_OK);
	assert_string_equal(f->variant, "3 images");
	const struct gb_node *d = child_with_label(s, f->id, "fdt");
	assert_non_null(d);
	assert_string_equal(d->format, "dtb");
	assert_int_equal(d->size, 155);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_inline_images, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_external_data, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hash_mismatch, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_corrupt_structure, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_real_sample, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
