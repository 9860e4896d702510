/* zyxel: ZyXEL RAS factory images written at test time by a Python
 * transcription of the layout of OpenWrt's mkrasimage.c / Benjamin Berg's
 * "ZyXEL header format" script, whose System V checksums come from
 * coreutils' `sum -s` (the independent oracle), around a gzip kernel and a
 * tar rootfs made with Debian's gzip and tar; hostile headers: bad checksums,
 * truncation, absurd lengths, broken strings and padding. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_zyxel;

/* mk.py OUT BOARD VERSION HEADER_LEN ROOTFS_SIZE PADBYTE [kernel] [badhdr] [badrootfs]
 * [badkernel] */
static const char mk_py[] =
	"import struct, subprocess, sys\n"
	"def sysv(data):\n"
	"    p = subprocess.run(['sum', '-s'], input=data, stdout=subprocess.PIPE, check=True)\n"
	"    return int(p.stdout.split()[0])\n"
	"out, board, ver = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()\n"
	"hlen, rsize, pad = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6], 0)\n"
	"fl = sys.argv[7:]\n"
	"r = open('r.tar', 'rb').read()\n"
	"r += bytes([pad]) * max(0, rsize - len(r))\n"
	"k = open('k.gz', 'rb').read() if 'kernel' in fl else b''\n"
	"h = bytearray(b'\\xff' * hlen)\n"
	"struct.pack_into('>II', h, 0, sysv(r) ^ (1 if 'badrootfs' in fl else 0), len(r))\n"
	"h[8:9 + len(ver)] = ver + b'\\0'\n"
	"h[44:45 + len(board)] = board + b'\\0'\n"
	"if k: struct.pack_into('>II', h, 108, sysv(k) ^ (1 if 'badkernel' in fl else 0), len(k))\n"
	"t = bytearray(h[:2048]); t[40:44] = h[0:4]\n"
	"struct.pack_into('>I', h, 40, sysv(bytes(t)) ^ (1 if 'badhdr' in fl else 0))\n"
	"open(out, 'wb').write(bytes(h) + r + k)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(3000);
}

static uint64_t file_size(const char *f)
{
	size_t n;
	void *p = gbt_read_file(f, &n);

	free(p);
	return n;
}

/* mkrasimage with -k: 64 KiB header, rootfs padded with 0x00, then the kernel. */
static void test_rootfs_and_kernel(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NBG6617 'OpenWrt Linux-5.10' 65536 16384 0 kernel");
	assert_int_equal(gbt_probe_file(&gb__fmt_zyxel, "fw.bin", &size), GB_CONF_HIGH);
	assert_int_equal(size, 65536 + 16384 + file_size("k.gz"));
	gbt_sh("head -c 100 /dev/zero >> fw.bin"); /* trailing flash padding */
	struct gb_scan *s = gbt_scan("fw.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->offset, 0);
	assert_int_equal(c->size, size);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "board"), "NBG6617");
	assert_string_equal(gbt_node_attr(c, "version"), "OpenWrt Linux-5.10");
	assert_string_equal(gbt_node_attr(c, "header_len"), "65536");
	assert_string_equal(gbt_node_attr(c, "header_checksum"), "ok");
	assert_string_equal(gbt_node_attr(c, "rootfs_checksum"), "ok");
	assert_string_equal(gbt_node_attr(c, "kernel_checksum"), "ok");
	const struct gb_node *r = gbt_child_labelled(s, c->id, "rootfs");
	assert_non_null(r);
	assert_string_equal(r->format, "tar");
	assert_int_equal(r->offset, 65536);
	const struct gb_node *k = gbt_child_labelled(s, c->id, "kernel");
	assert_non_null(k);
	assert_string_equal(k->format, "gzip");
	assert_int_equal(k->offset, 65536 + 16384);
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
}

/* The ath79 NAND factory image (-l 131072, no kernel part) and the shell
 * script's 0xff rootfs padding. */
static void test_rootfs_only(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NBG6716 'OpenWrt Linux-4.14.162' 131072 20000 0xff");
	assert_int_equal(gbt_probe_file(&gb__fmt_zyxel, "fw.bin", &size), GB_CONF_HIGH);
	assert_int_equal(size, 131072 + 20000);
	struct gb_scan *s = gbt_scan("fw.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "board"), "NBG6716");
	assert_string_equal(gbt_node_attr(c, "header_len"), "131072");
	assert_string_equal(gbt_node_attr(c, "rootfs_checksum"), "ok");
	assert_null(gbt_node_attr(c, "kernel_checksum"));
	assert_null(gbt_child_labelled(s, c->id, "kernel"));
	const struct gb_node *r = gbt_child_labelled(s, c->id, "rootfs");
	assert_non_null(r);
	assert_string_equal(r->format, "tar");
	assert_int_equal(r->offset, 131072);
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
}

static void test_bad_checksums(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py h.bin NBG6617 v1 65536 16384 0 kernel badhdr"
	       " && python3 mk.py r.bin NBG6617 v1 65536 16384 0 kernel badrootfs"
	       " && python3 mk.py k.bin NBG6617 v1 65536 16384 0 kernel badkernel");
	assert_int_equal(gbt_probe_file(&gb__fmt_zyxel, "h.bin", &size), GB_CONF_MEDIUM);
	assert_int_equal(gbt_probe_file(&gb__fmt_zyxel, "r.bin", &size), GB_CONF_HIGH); /* parts: checked by unpack */
	struct gb_scan *s = gbt_scan("h.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "header checksum"));
	assert_string_equal(gbt_node_attr(c, "header_checksum"), "mismatch");
	assert_string_equal(gbt_node_attr(c, "rootfs_checksum"), "ok");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
	s = gbt_scan("r.bin", "out2");
	c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "rootfs checksum"));
	assert_string_equal(gbt_node_attr(c, "rootfs_checksum"), "mismatch");
	assert_string_equal(gbt_node_attr(c, "kernel_checksum"), "ok");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob"); /* still carved */
	gb_scan_free(s);
	s = gbt_scan("k.bin", "out3");
	c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_non_null(strstr(c->error, "kernel checksum"));
	assert_string_equal(gbt_node_attr(c, "kernel_checksum"), "mismatch");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NBG6617 v1 65536 16384 0 kernel");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	/* cut inside the kernel: medium, rootfs carved, node partial */
	gbt_write_file("cut.bin", img, n - 5000);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n - 5000, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	assert_int_equal(pr.size, n - 5000);
	struct gb_scan *s = gbt_scan("cut.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "only"));
	assert_string_equal(gbt_node_attr(c, "kernel_checksum"), "not checked (truncated)");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
	/* cut inside the header, or in its padding: nothing to carve, not found */
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, 100, &pr), -GB_ENOTFOUND);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, 2047, &pr), -GB_ENOTFOUND);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, 60000, &pr), -GB_ENOTFOUND);
	free(img);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NBG6617 v1.2 65536 16384 0 kernel");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n, &pr), 0);
	/* each breaks one structural rule: high halves of the checksums, the
	 * version (non-printable, empty, unterminated, not 0xff padded), the board,
	 * the padding up to 2 KiB, the kernel checksum's high half */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{0, 1}, {1, 1}, {40, 1}, {41, 0x80}, {8, 0x01}, {8, 0}, {12, 0xff}, {20, 0},
		{44, 0x7f}, {44, 0}, {60, 'x'}, {116, 0}, {2047, 0x00}, {108, 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = img[bad[i].off];
		img[bad[i].off] = bad[i].val;
		assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n, &pr), -GB_ENOTFOUND);
		img[bad[i].off] = keep;
	}
	/* version without a NUL over its whole field */
	uint8_t keep[32];
	memcpy(keep, img + 8, 32);
	memset(img + 8, 'A', 32);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n, &pr), -GB_ENOTFOUND);
	memcpy(img + 8, keep, 32);
	/* rootfs_len 0 */
	memset(img + 4, 0, 4);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n, &pr), -GB_ENOTFOUND);
	/* absurd lengths: accepted only as what is there */
	memset(img + 4, 0xff, 4);
	memcpy(img + 112, "\xff\xff\xff\xfe", 4);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, img, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	gbt_write_file("absurd.bin", img, n);
	struct gb_scan *s = gbt_scan("absurd.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyxel");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_string_equal(gbt_node_attr(c, "rootfs_checksum"), "not checked (truncated)");
	assert_null(gbt_child_labelled(s, c->id, "kernel"));
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
	free(img);
	/* zeros, and 0xff after a plausible start, are not headers */
	uint8_t *z = calloc(1, 70000);
	assert_non_null(z);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyxel, z, 70000, &pr), -GB_ENOTFOUND);
	free(z);
	/* a header is only looked for at the start of a file or region */
	gbt_sh("python3 mk.py fw.bin NBG6617 v1 65536 16384 0 kernel"
	       " && head -c 777 /dev/urandom > blob && cat fw.bin >> blob");
	s = gbt_scan("blob", "out2");
	assert_null(gbt_node(s, "zyxel"));
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux"); /* found by carving */
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rootfs_and_kernel, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_rootfs_only, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_checksums, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
