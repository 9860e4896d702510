/* chk: Netgear .chk images written at test time by a Python transcription of
 * OpenWrt's mkchkimg.c (its Netgear checksum is the independent oracle
 * here), around a gzip kernel and a tar rootfs made with Debian's gzip and
 * tar; hostile headers: bad checksums, truncation, absurd lengths. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_chk;

/* mk.py OUT BOARD [rootfs] [badhdr|badkernel] */
static const char mk_py[] =
	"import struct, sys\n"
	"def ck(data):\n"
	"    c0 = c1 = 0\n"
	"    for b in data:\n"
	"        c0 = (c0 + b) & 0xffffffff; c1 = (c1 + c0) & 0xffffffff\n"
	"    def fold(x):\n"
	"        b = (x & 0xffff) + ((x >> 16) & 0xffff)\n"
	"        return ((b >> 16) + b) & 0xffff\n"
	"    return fold(c1) << 16 | fold(c0)\n"
	"out, board = sys.argv[1], sys.argv[2].encode(); fl = sys.argv[3:]\n"
	"k = open('k.gz', 'rb').read(); r = open('r.tar', 'rb').read() if 'rootfs' in fl else b''\n"
	"hl = 40 + len(board)\n"
	"h = bytearray(struct.pack('>II8sIIIIII', 0x2a23245e, hl, bytes([1, 1, 1, 99, 0, 0, 0, 0]),\n"
	"    ck(k), ck(r) if r else 0, len(k), len(r), ck(k + r), 0)) + board\n"
	"struct.pack_into('>I', h, 36, ck(bytes(h)))\n"
	"if 'badhdr' in fl: h[36] ^= 1\n"
	"if 'badkernel' in fl: h[16] ^= 1\n"
	"open(out, 'wb').write(bytes(h) + k + r)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(3000);
}

static void test_kernel_and_rootfs(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py fw.chk U12H072T00_NETGEAR rootfs");
	assert_int_equal(gbt_probe_file(&gb__fmt_chk, "fw.chk", &size), GB_CONF_HIGH);
	gbt_sh("head -c 777 /dev/urandom > blob && cat fw.chk >> blob && head -c 100 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *c = gbt_node(s, "chk");
	assert_non_null(c);
	assert_int_equal(c->offset, 777);
	assert_int_equal(c->size, size);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "board_id"), "U12H072T00_NETGEAR");
	assert_string_equal(gbt_node_attr(c, "region"), "1");
	assert_string_equal(gbt_node_attr(c, "image_checksum"), "ok");
	const struct gb_node *k = gbt_child_labelled(s, c->id, "kernel");
	assert_non_null(k);
	assert_string_equal(k->format, "gzip");
	assert_int_equal(k->offset, 40 + 18);
	const struct gb_node *r = gbt_child_labelled(s, c->id, "rootfs");
	assert_non_null(r);
	assert_string_equal(r->format, "tar");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);

	/* kernel only */
	gbt_sh("python3 mk.py k.chk U12H139T01_NETGEAR");
	assert_int_equal(gbt_probe_file(&gb__fmt_chk, "k.chk", &size), GB_CONF_HIGH);
	s = gbt_scan("k.chk", "out2");
	c = gbt_node(s, "chk");
	assert_non_null(c);
	assert_null(gbt_child_labelled(s, c->id, "rootfs"));
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
}

static void test_bad_checksums(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py h.chk U12H072T00_NETGEAR rootfs badhdr"
	       " && python3 mk.py k.chk U12H072T00_NETGEAR rootfs badkernel");
	assert_int_equal(gbt_probe_file(&gb__fmt_chk, "h.chk", &size), GB_CONF_MEDIUM);
	assert_int_equal(gbt_probe_file(&gb__fmt_chk, "k.chk", &size), GB_CONF_MEDIUM);
	struct gb_scan *s = gbt_scan("k.chk", "out");
	const struct gb_node *c = gbt_node(s, "chk");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "checksum mismatch: kernel"));
	assert_string_equal(gbt_node_attr(c, "image_checksum"), "mismatch");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd"); /* still carved */
	gb_scan_free(s);
	s = gbt_scan("h.chk", "out2");
	c = gbt_node(s, "chk");
	assert_non_null(c);
	assert_non_null(strstr(c->error, "header checksum"));
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;
	struct gb_span in;

	make_parts();
	gbt_sh("python3 mk.py fw.chk U12H072T00_NETGEAR rootfs");
	uint8_t *img = gbt_read_file("fw.chk", &n);
	/* truncated: medium, carved, error */
	gbt_write_file("cut.chk", img, n - 5000);
	struct gb_scan *s = gbt_scan("cut.chk", "out");
	const struct gb_node *c = gbt_node(s, "chk");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "only"));
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
	/* header_len too small / too big, non-printable board id, zero kernel */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{7, 40}, {7, 200}, {6, 1}, {45, 0x01}, {0, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = img[bad[i].off];
		img[bad[i].off] = bad[i].val;
		in = gb_span_make(img, n);
		assert_int_equal(gb__fmt_chk.probe(&in, &pr), -GB_ENOTFOUND);
		img[bad[i].off] = keep;
	}
	memset(img + 24, 0, 4);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_chk.probe(&in, &pr), -GB_ENOTFOUND);
	/* absurd lengths: accepted only as what is there */
	memset(img + 24, 0xff, 8);
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_chk.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	in = gb_span_make(img, 50);
	assert_int_equal(gb__fmt_chk.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_and_rootfs, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_checksums, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
