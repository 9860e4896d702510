/* zytrx: ZyXEL NR7101-style TRX images written at test time by a Python
 * transcription of OpenWrt's zytrx.c (with a bitwise CRC-32 of its own as the
 * independent oracle), around a payload of a gzip kernel and a tar rootfs
 * made with Debian's gzip and tar; hostile headers: bad CRCs, truncation,
 * absurd and inconsistent lengths, broken strings. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_zytrx;

/* mk.py OUT BOARD VERSION [badhdr] [badpayload] */
static const char mk_py[] =
	"import struct, sys\n"
	"def crc32(data):\n"
	"    c = 0xffffffff\n"
	"    for b in data:\n"
	"        c ^= b\n"
	"        for _ in range(8):\n"
	"            c = (c >> 1) ^ (0xedb88320 if c & 1 else 0)\n"
	"    return c ^ 0xffffffff\n"
	"out, board, ver = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(); fl = sys.argv[4:]\n"
	"p = open('k.gz', 'rb').read() + open('r.tar', 'rb').read()\n"
	"h = bytearray(380)\n"
	"struct.pack_into('>IIII', h, 0, 0x30524448, 380, 380 + len(p), ~crc32(p) & 0xffffffff)\n"
	"h[16:24] = b'5.0.0.0\\n'; h[48:49] = b'\\n'; struct.pack_into('>I', h, 80, len(p))\n"
	"h[96:109] = b'3 6035 122 0\\n'; h[260:267] = b'MT7621A'; h[268:268 + len(board)] = board\n"
	"struct.pack_into('>I', h, 284, 0x07010001)\n"
	"h[296:296 + len(ver)] = ver; h[328:328 + len(ver)] = ver\n"
	"struct.pack_into('>I', h, 364, 0x12345678)\n"
	"struct.pack_into('>I', h, 372, ~crc32(bytes(h)) & 0xffffffff)\n"
	"if 'badhdr' in fl: h[375] ^= 1\n"
	"if 'badpayload' in fl: h[15] ^= 1\n"
	"open(out, 'wb').write(bytes(h) + p)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_make_kernel_rootfs(3000);
}

static void test_image(void **state)
{
	uint64_t size;
	size_t n;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NR7101 '1.00(ABUV.0)D0'");
	free(gbt_read_file("fw.bin", &n));
	assert_int_equal(gbt_probe_file(&gb__fmt_zytrx, "fw.bin", &size), GB_CONF_HIGH);
	assert_int_equal(size, n);
	gbt_sh("head -c 777 /dev/urandom > blob && cat fw.bin >> blob && head -c 100 /dev/zero >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *c = gbt_node(s, "zytrx");
	assert_non_null(c);
	assert_int_equal(c->offset, 777);
	assert_int_equal(c->size, n);
	assert_int_equal(c->status, GB_STATUS_OK);
	assert_string_equal(gbt_node_attr(c, "board"), "NR7101");
	assert_string_equal(gbt_node_attr(c, "chip"), "MT7621A");
	assert_string_equal(gbt_node_attr(c, "model_id"), "0x07010001");
	assert_string_equal(gbt_node_attr(c, "version"), "1.00(ABUV.0)D0");
	assert_string_equal(gbt_node_attr(c, "header_crc"), "ok");
	assert_string_equal(gbt_node_attr(c, "payload_crc"), "ok");
	const struct gb_node *img = gbt_child_labelled(s, c->id, "image");
	assert_non_null(img);
	assert_int_equal(img->offset, 380);
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
	gb_scan_free(s);
	/* a 16-character board id fills its field without a NUL */
	gbt_sh("python3 mk.py lte.bin LTE5398-M904-XY 'V1.00(ABQY.5)C0'");
	assert_int_equal(gbt_probe_file(&gb__fmt_zytrx, "lte.bin", &size), GB_CONF_HIGH);
	s = gbt_scan("lte.bin", "out2");
	c = gbt_node(s, "zytrx");
	assert_non_null(c);
	assert_string_equal(gbt_node_attr(c, "board"), "LTE5398-M904-XY");
	gb_scan_free(s);
}

static void test_bad_crcs(void **state)
{
	uint64_t size;

	make_parts();
	gbt_sh("python3 mk.py h.bin NR7101 v1 badhdr && python3 mk.py p.bin NR7101 v1 badpayload");
	assert_int_equal(gbt_probe_file(&gb__fmt_zytrx, "h.bin", &size), GB_CONF_MEDIUM);
	struct gb_scan *s = gbt_scan("h.bin", "out");
	const struct gb_node *c = gbt_node(s, "zytrx");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "header CRC"));
	assert_string_equal(gbt_node_attr(c, "header_crc"), "mismatch");
	assert_string_equal(gbt_node_attr(c, "payload_crc"), "ok");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
	s = gbt_scan("p.bin", "out2");
	c = gbt_node(s, "zytrx");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "payload CRC"));
	assert_string_equal(gbt_node_attr(c, "payload_crc"), "mismatch");
	gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob"); /* still carved */
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;

	make_parts();
	gbt_sh("python3 mk.py fw.bin NR7101 v1");
	uint8_t *img = gbt_read_file("fw.bin", &n);
	/* truncated in the payload: medium, carved, partial */
	gbt_write_file("cut.bin", img, n - 5000);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, n - 5000, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	assert_int_equal(pr.size, n - 5000);
	struct gb_scan *s = gbt_scan("cut.bin", "out");
	const struct gb_node *c = gbt_node(s, "zytrx");
	assert_non_null(c);
	assert_int_equal(c->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(c->error, "only"));
	assert_string_equal(gbt_node_attr(c, "payload_crc"), "not checked (truncated)");
	gbt_assert_file_matches(s, "gzip", "/data", "vmlinux");
	gb_scan_free(s);
	/* cut inside the header */
	assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, 379, &pr), -GB_ENOTFOUND);
	/* one broken rule each: magic, header length, total length, payload
	 * length, a string with a control byte, garbage after a string's end,
	 * empty board, empty version, non-zero padding */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{0, 'H'}, {7, 0x7d}, {11, 0}, {83, 0}, {16, 0x01}, {30, 'x'}, {100, 0x80},
		{268, 0}, {296, 0}, {270, 0x1b}, {90, 1}, {290, 1}, {340, 'z'},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = img[bad[i].off];
		img[bad[i].off] = bad[i].val;
		assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, n, &pr), -GB_ENOTFOUND);
		img[bad[i].off] = keep;
	}
	/* absurd lengths: len_p 0, and len_t wrapping around 2^32 */
	memcpy(img + 80, "\0\0\0\0", 4);
	memcpy(img + 8, "\0\0\x01\x7c", 4);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, n, &pr), -GB_ENOTFOUND);
	memcpy(img + 80, "\xff\xff\xff\xff", 4);
	memcpy(img + 8, "\0\0\x01\x7b", 4);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, n, &pr), -GB_ENOTFOUND);
	/* huge but consistent: accepted as what is there */
	memcpy(img + 80, "\xf0\x00\x00\x00", 4);
	memcpy(img + 8, "\xf0\x00\x01\x7c", 4);
	assert_int_equal(gbt_probe_buf(&gb__fmt_zytrx, img, n, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_image, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_bad_crcs, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
