/* bcmtag: Broadcom BCM63xx image tags written at test time by a Python
 * script that follows OpenWrt's bcm_tag.h / imagetag.c (zlib's CRC-32,
 * inverted, is the JAM CRC oracle) around a tar rootfs and a gzip kernel
 * made with Debian's tar and gzip; both CRC byte orders, a CFE part, bad
 * CRCs, truncation, non-numeric fields. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_bcmtag;

/* mk.py OUT [le] [cfe] [badhdr] [badkernel] */
static const char mk_py[] =
	"import struct, sys, zlib\n"
	"out, fl = sys.argv[1], sys.argv[2:]\n"
	"jam = lambda b: ~zlib.crc32(b) & 0xffffffff\n"
	"e = '<' if 'le' in fl else '>'\n"
	"r = open('r.tar', 'rb').read(); k = open('k.gz', 'rb').read()\n"
	"cfe = b'\\xaa' * 512 if 'cfe' in fl else b''\n"
	"base = 0xbfc00000 + 0x10000\n"
	"raddr = base + 256 + len(cfe)\n"
	"kaddr = raddr + len(r)\n"
	"t = bytearray(256)\n"
	"def put(o, n, s): t[o:o + len(s)] = s.encode()\n"
	"put(0, 4, '6'); put(4, 20, 'Broadcom Corporatio'); put(24, 14, 'ver. 2.0')\n"
	"put(38, 6, '6348'); put(44, 16, '96348GW-11'); put(60, 2, '0' if 'le' in fl else '1')\n"
	"put(62, 10, str(len(cfe) + len(r) + len(k)))\n"
	"put(72, 12, str(base + 256) if cfe else '0'); put(84, 10, str(len(cfe)))\n"
	"put(94, 12, str(raddr)); put(106, 10, str(len(r)))\n"
	"put(116, 12, str(kaddr)); put(128, 10, str(len(k)))\n"
	"struct.pack_into(e + 'III', t, 216, jam(cfe + r + k), jam(r), jam(k) ^ (1 if 'badkernel' in fl else 0))\n"
	"struct.pack_into(e + 'I', t, 236, jam(bytes(t[:236])) ^ (1 if 'badhdr' in fl else 0))\n"
	"open(out, 'wb').write(bytes(t) + cfe + r + k)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(3000);
}

static int probe_file(const char *f, struct gb_probe *pr, size_t *n)
{
	uint8_t *img = gbt_read_file(f, n);
	struct gb_span in = gb_span_make(img, *n);
	int r = gb__fmt_bcmtag.probe(&in, pr);
	free(img);
	return r;
}

static void test_layouts(void **state)
{
	static const char *const flags[] = {"", "le", "cfe", "le cfe"};

	make_parts();
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct gb_probe pr;
		size_t n;

		gbt_sh("python3 mk.py fw.bin %s", flags[i]);
		assert_int_equal(probe_file("fw.bin", &pr, &n), 0);
		assert_int_equal(pr.size, n);
		assert_int_equal(pr.confidence, GB_CONF_HIGH);
		assert_string_equal(pr.variant, "v6");
		gbt_sh("rm -rf out");
		struct gb_scan *s = gbt_scan("fw.bin", "out");
		const struct gb_node *t = gbt_node(s, "bcmtag");
		assert_non_null(t);
		assert_int_equal(t->status, GB_STATUS_OK);
		assert_string_equal(gbt_node_attr(t, "board_id"), "96348GW-11");
		assert_string_equal(gbt_node_attr(t, "chip_id"), "6348");
		const struct gb_node *r = gbt_child_labelled(s, t->id, "rootfs");
		assert_non_null(r);
		assert_string_equal(r->format, "tar");
		assert_int_equal(r->offset, strstr(flags[i], "cfe") ? 256 + 512 : 256);
		const struct gb_node *k = gbt_child_labelled(s, t->id, "kernel");
		assert_non_null(k);
		assert_string_equal(k->format, "gzip");
		gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
		gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
		gb_scan_free(s);
	}
}

static void test_bad_crc(void **state)
{
	struct gb_probe pr;
	size_t n;

	make_parts();
	gbt_sh("python3 mk.py h.bin badhdr && python3 mk.py k.bin badkernel");
	assert_int_equal(probe_file("h.bin", &pr, &n), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	assert_int_equal(probe_file("k.bin", &pr, &n), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	struct gb_scan *s = gbt_scan("k.bin", "out");
	const struct gb_node *t = gbt_node(s, "bcmtag");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(t->error, "CRC mismatch: kernel"));
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
	s = gbt_scan("h.bin", "out2");
	t = gbt_node(s, "bcmtag");
	assert_non_null(t);
	assert_string_equal(gbt_node_attr(t, "header_crc"), "mismatch");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;
	struct gb_span in;

	make_parts();
	gbt_sh("python3 mk.py fw.bin");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	gbt_write_file("cut.bin", img, n - 3000);
	struct gb_scan *s = gbt_scan("cut.bin", "out");
	const struct gb_node *t = gbt_node(s, "bcmtag");
	assert_non_null(t);
	assert_int_equal(t->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(t->error, "past the end"));
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
	/* non-digit length, kernel beyond total, no "ver. 2.0", tag version not a digit */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{62, 'x'}, {128, '9'}, {24, 'V'}, {0, 'A'},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = img[bad[i].off];
		img[bad[i].off] = bad[i].val;
		in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_bcmtag.probe(&in, &pr), -GB_ENOTFOUND);
		img[bad[i].off] = keep;
	}
	memset(img + 62, '9', 10); /* total 9999999999: over the cap */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_bcmtag.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(img, 200);
	assert_int_equal(gb__fmt_bcmtag.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layouts, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_crc, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
