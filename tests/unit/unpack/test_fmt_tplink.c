/* tplink: TP-Link v1 and v2 headers built at test time by a Python script
 * that follows OpenWrt's mktplinkfw.c / mktplinkfw2.c layout (hashlib's MD5
 * with the salt is the independent checksum), around a gzip "kernel" and a
 * tar "rootfs" made with Debian's gzip and tar; the real OpenWrt factory image
 * and the truncated TP-Link image of the shared corpus; hostile headers. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_tplink;

/* mk.py VERSION VENDOR OUT [flags]: kernel k.gz at 0x200, rootfs r.tar right
 * after it, rootfs_ofs = flash layout value 0x100000 like OpenWrt; flags:
 * "badmd5" flips the digest, "boot" uses the boot salt, "len=N" overrides
 * fw_length, "kofs=N" kernel_ofs. */
static const char mk_py[] =
	"import hashlib, struct, sys\n"
	"ver, vendor, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]\n"
	"flags = sys.argv[4:]\n"
	"k = open('k.gz', 'rb').read(); r = open('r.tar', 'rb').read()\n"
	"body = k + r\n"
	"fw_len = 0x200 + len(body)\n"
	"kofs = 0x200\n"
	"for f in flags:\n"
	"    if f.startswith('len='): fw_len = int(f[4:], 0)\n"
	"    if f.startswith('kofs='): kofs = int(f[5:], 0)\n"
	"h = bytearray(0x200)\n"
	"salt_n = bytes.fromhex('dcd73aa5c39598fbddf9e7f40eae4738')\n"
	"salt_b = bytes.fromhex('8cef335bd5c5cefaa79c28dab2e90f42')\n"
	"if ver == 1:\n"
	"    struct.pack_into('>I', h, 0, 0x01000000)\n"
	"    h[4:4 + len(vendor)] = vendor\n"
	"    h[28:36] = b'ver. 1.0'\n"
	"    struct.pack_into('>II', h, 64, 0x07030101, 1)\n"
	"    md5o, f0 = 76, 116\n"
	"else:\n"
	"    struct.pack_into('>I', h, 0, ver << 24)\n"
	"    h[4:12] = b'ver. 2.0'\n"
	"    struct.pack_into('>II', h, 0x34, 0x08420001, 2)\n"
	"    struct.pack_into('>H', h, 0x8c, 0x55aa); h[0x90] = 0xa5\n"
	"    md5o, f0 = 0x40, 0x68\n"
	"struct.pack_into('>IIIIIIIII', h, f0, 0x80060000, 0x80060000, fw_len, kofs, len(k),\n"
	"                 0x100000 if fw_len >= 0x100000 + len(r) else 0x200 + len(k), len(r), 0, 0)\n"
	"h[md5o:md5o + 16] = salt_b if 'boot' in flags else salt_n\n"
	"img = bytes(h) + body\n"
	"d = hashlib.md5(img[:min(fw_len, len(img))]).digest()\n"
	"if 'badmd5' in flags: d = bytes([d[0] ^ 1]) + d[1:]\n"
	"h[md5o:md5o + 16] = d\n"
	"open(out, 'wb').write(bytes(h) + body)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(5000);
}

static void check_image(const char *file, const char *variant, const char *md5, enum gb_status st)
{
	struct gb_scan *s = gbt_scan(file, "out");
	const struct gb_node *t = gbt_node(s, "tplink");
	assert_non_null(t);
	assert_int_equal(t->offset, 0);
	assert_string_equal(t->variant, variant);
	assert_int_equal(t->status, st);
	assert_string_equal(gbt_node_attr(t, "md5"), md5);
	assert_string_equal(gbt_node_attr(t, "hw_id"), strcmp(variant, "v1") == 0 ? "0x07030101" : "0x08420001");
	const struct gb_node *k = gbt_child_labelled(s, t->id, "kernel");
	assert_non_null(k);
	assert_string_equal(k->format, "gzip");
	assert_int_equal(k->offset, 0x200);
	const struct gb_node *r = gbt_child_labelled(s, t->id, "rootfs");
	assert_non_null(r);
	assert_string_equal(r->format, "tar");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
}

static void test_v1(void **state)
{
	make_parts();
	gbt_sh("python3 mk.py 1 'TP-LINK Technologies' a.bin && python3 mk.py 1 OpenWrt b.bin boot"
	       " && python3 mk.py 1 Acme c.bin");
	check_image("a.bin", "v1", "ok", GB_STATUS_OK);
	check_image("b.bin", "v1", "ok", GB_STATUS_OK);
	size_t n;
	struct gb_probe pr;
	uint8_t *img = gbt_read_file("c.bin", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM); /* unknown vendor */
	assert_int_equal(pr.size, n);
	free(img);
	img = gbt_read_file("a.bin", &n);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	free(img);
}

static void test_v2(void **state)
{
	make_parts();
	gbt_sh("python3 mk.py 2 - a.bin && python3 mk.py 3 - b.bin");
	check_image("a.bin", "v2", "ok", GB_STATUS_OK);
	check_image("b.bin", "v3", "ok", GB_STATUS_OK);
}

/* A wrong digest lowers nothing structural: warned, still carved. Carved
 * from inside a flash dump too. */
static void test_bad_md5_and_carving(void **state)
{
	make_parts();
	gbt_sh("python3 mk.py 1 'TP-LINK Technologies' a.bin badmd5");
	check_image("a.bin", "v1", "mismatch", GB_STATUS_PARTIAL);
	gbt_sh("python3 mk.py 1 'TP-LINK Technologies' b.bin && head -c 4096 /dev/urandom > dump"
	       " && cat b.bin >> dump && head -c 1000 /dev/zero >> dump");
	struct gb_scan *s = gbt_scan("dump", "out");
	const struct gb_node *t = gbt_node(s, "tplink");
	assert_non_null(t);
	assert_int_equal(t->offset, 4096);
	assert_string_equal(gbt_node_attr(t, "md5"), "ok");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_truncated_and_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	/* fw_length past the end: medium, carved, error says truncated */
	gbt_sh("python3 mk.py 1 'TP-LINK Technologies' a.bin len=0x800000");
	struct gb_scan *s = gbt_scan("a.bin", "out");
	const struct gb_node *t = gbt_node(s, "tplink");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(t->error, "truncated"));
	assert_string_equal(gbt_node_attr(t, "md5"), "not checked (truncated)");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);

	/* kernel offset inside the header, kernel past fw_length, absurd fw_length */
	static const char *const bad[] = {"kofs=0x10", "kofs=0xfffffff0", "len=0x100", "len=0xffffffff"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gbt_sh("python3 mk.py 1 'TP-LINK Technologies' x.bin %s", bad[i]);
		uint8_t *img = gbt_read_file("x.bin", &n);
		struct gb_span in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
		free(img);
	}
	/* non-printable vendor, header cut short, v2 without its marker */
	gbt_sh("python3 mk.py 1 'TP-LINK Technologies' x.bin");
	uint8_t *img = gbt_read_file("x.bin", &n);
	struct gb_span in = gb_span_make(img, 300);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
	img[6] = 0x01;
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
	gbt_sh("python3 mk.py 2 - x.bin");
	img = gbt_read_file("x.bin", &n);
	img[0x90] = 0;
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

/* RTOS (VxWorks) images: IMG0 header, then the data; a nested IMG0 header
 * with magic1 0, as in TP-Link's VxWorks firmware. */
static void test_rtos(void **state)
{
	make_parts();
	gbt_sh("python3 -c \"import struct, sys\n"
	       "k = open('k.gz', 'rb').read()\n"
	       "def hdr(m1, body): return struct.pack('>I16s4sIHB', m1, b'', b'IMG0', 0x94 - 20 + len(body), 0x0702, 0x11).ljust(0x94, b'\\\\0') + body\n"
	       "inner = hdr(0, k)\n"
	       "open('rtos.fw', 'wb').write(hdr(0x00142fc0, b'\\\\0' * 100 + inner))\n\"");
	size_t n;
	struct gb_probe pr;
	uint8_t *img = gbt_read_file("rtos.fw", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), 0);
	assert_string_equal(pr.variant, "rtos");
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	in = gb_span_make(img, n - 1); /* cut: medium */
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	img[0] = 0x11; /* unknown magic1 */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
	img[0] = 0;
	memset(img + 24, 0, 4); /* data_size below the header */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_tplink.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
	struct gb_scan *s = gbt_scan("rtos.fw", "out");
	assert_int_equal(gbt_count_nodes(s, "tplink"), 2);
	const struct gb_node *t = gbt_node(s, "tplink");
	assert_int_equal(t->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(t, "model"), "0x0702");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
}

static void test_real_images(void **state)
{
	const char *root = "/work/shared/corpus/real";
	if (gbt_sh_status("test -r %s/tplinkfw-openwrt12.09-tl-wr703n-librarybox-factory.bin", root) != 0) {
		print_message("shared corpus not present: real TP-Link images not checked\n");
		skip();
	}
	char p[512];
	snprintf(p, sizeof(p), "%s/tplinkfw-openwrt12.09-tl-wr703n-librarybox-factory.bin", root);
	struct gb_scan *s = gbt_scan(p, "out");
	const struct gb_node *t = gbt_node(s, "tplink");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(t, "md5"), "ok");
	assert_string_equal(gbt_node_attr(t, "vendor"), "OpenWrt");
	assert_string_equal(gbt_node_attr(t, "fw_version"), "r42647");
	const struct gb_node *r = gbt_child_labelled(s, t->id, "rootfs");
	assert_non_null(r);
	assert_string_equal(r->format, "squashfs");
	assert_int_equal(r->offset, 0xED044);
	gb_scan_free(s);

	snprintf(p, sizeof(p), "%s/uimage-mips-uboot-lzma-then-tplink-hdr-truncated.bin", root);
	s = gbt_scan(p, "out2");
	t = gbt_node(s, "tplink");
	assert_non_null(t);
	assert_int_equal(t->offset, 0x1C5B0);
	assert_string_equal(gbt_node_attr(t, "vendor"), "TP-LINK Technologies");
	assert_non_null(gbt_child_labelled(s, t->id, "kernel"));
	gb_scan_free(s);

	snprintf(p, sizeof(p), "%s/vxworks-tplink-router-wr-lzma.fw", root);
	s = gbt_scan(p, "out3");
	assert_int_equal(gbt_count_nodes(s, "tplink"), 2);
	t = gbt_node(s, "tplink");
	assert_int_equal(t->offset, 0);
	assert_int_equal(t->size, 1539124);
	assert_string_equal(t->variant, "rtos");
	assert_string_equal(gbt_node_attr(t, "hw_rev"), "0x11");
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_v2, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_md5_and_carving, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated_and_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_rtos, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_real_images, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
