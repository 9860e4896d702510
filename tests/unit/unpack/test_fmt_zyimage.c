/* zyimage: ZyXEL Keenetic images signed at test time by a Python
 * transcription of OpenWrt's zyimage.c (with a bitwise CRC-32 register of its
 * own as the independent oracle), the image being a gzip kernel and a tar
 * rootfs made with Debian's gzip and tar; hostile trailers: bad CRC, broken
 * version, wrong magic, trailers not at the end, too-short files. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_zyimage;

/* mk.py OUT DEVICE_ID VERSION [badcrc] */
static const char mk_py[] =
	"import struct, sys\n"
	"def crc_reg(data):\n"
	"    c = 0xffffffff\n"
	"    for b in data:\n"
	"        c ^= b\n"
	"        for _ in range(8):\n"
	"            c = (c >> 1) ^ (0xedb88320 if c & 1 else 0)\n"
	"    return c\n"
	"out, dev, ver = sys.argv[1], int(sys.argv[2], 0), sys.argv[3].encode(); fl = sys.argv[4:]\n"
	"img = open('k.gz', 'rb').read() + open('r.tar', 'rb').read()\n"
	"crc = crc_reg(img) ^ (1 if 'badcrc' in fl else 0)\n"
	"t = b'ZNBG' + struct.pack('<I', dev) + ver.ljust(48, b'\\0')[:48] + struct.pack('<I', crc)\n"
	"open(out, 'wb').write(img + t)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(3000);
}

static void test_signed(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	gbt_sh("python3 mk.py fw.bin 0x804410 'Keenetic Lite'");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	free(img);
	struct gb_scan *s = gbt_scan("fw.bin", "out");
	const struct gb_node *c = gbt_node(s, "zyimage");
	assert_non_null(c);
	assert_int_equal(c->offset, 0);
	assert_int_equal(c->size, n);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "device_id"), "0x00804410");
	assert_string_equal(gbt_node_attr(c, "version"), "Keenetic Lite");
	assert_string_equal(gbt_node_attr(c, "crc"), "ok");
	const struct gb_node *i = gbt_child_labelled(s, c->id, "image");
	assert_non_null(i);
	assert_string_equal(i->format, "gzip"); /* the first part of the image */
	assert_int_equal(i->offset, 0);
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
	/* a signed image that is a file inside an archive is found there too */
	gbt_sh("mkdir -p t && cp fw.bin t/fw.bin && tar cf outer.tar -C t fw.bin");
	s = gbt_scan("outer.tar", "out2");
	c = gbt_node(s, "zyimage");
	assert_non_null(c);
	assert_string_equal(gbt_node_attr(c, "version"), "Keenetic Lite");
	assert_string_equal(c->source_path, "/fw.bin");
	gb_scan_free(s);
}

static void test_bad_crc(void **state)
{
	make_parts();
	gbt_sh("python3 mk.py bad.bin 0x804410 'Keenetic Lite' badcrc");
	struct gb_scan *s = gbt_scan("bad.bin", "out");
	assert_null(gbt_node(s, "zyimage"));
	gbt_assert_file_matches(s, "gzip", "/bad.bin", "vmlinux"); /* the image is carved anyway */
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	gbt_sh("python3 mk.py fw.bin 0x804410 V.1.0.0");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), 0);
	/* wrong magic, non-printable or empty version, garbage after its NUL */
	static const size_t off[] = {0, 3, 8, 8 + 7 + 2, 8 + 47};
	static const uint8_t val[] = {'z', 'g', 0, 'x', 'y'};
	uint8_t *t = img + n - 60;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		uint8_t keep = t[off[i]];
		t[off[i]] = val[i];
		assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), -GB_ENOTFOUND);
		t[off[i]] = keep;
	}
	t[9] = 0x07;
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), -GB_ENOTFOUND);
	t[9] = '.';
	/* a version filling all 48 bytes has no NUL */
	uint8_t keep[48];
	memcpy(keep, t + 8, 48);
	memset(t + 8, 'V', 48);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), -GB_ENOTFOUND);
	memcpy(t + 8, keep, 48);
	/* the trailer alone, too short, or not at the very end */
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, t, 60, &pr), -GB_ENOTFOUND);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, t, 59, &pr), -GB_ENOTFOUND);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n - 1, &pr), -GB_ENOTFOUND);
	uint8_t *longer = malloc(n + 16);
	assert_non_null(longer);
	memcpy(longer, img, n);
	memset(longer + n, 0xff, 16);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, longer, n + 16, &pr), -GB_ENOTFOUND);
	free(longer);
	/* a flipped image byte breaks the CRC */
	img[100] ^= 0x40;
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), -GB_ENOTFOUND);
	img[100] ^= 0x40;
	assert_int_equal(gbt_probe_buf(&gb__fmt_zyimage, img, n, &pr), 0);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signed, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_crc, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
