/* seama: D-Link SEAMA images written at test time by a Python script that
 * follows OpenWrt's seama.h (hashlib's MD5 is the independent digest) around
 * a tar.gz made with Debian's tar and gzip: plain, sealed (a size-0
 * signature header in front), byte-swapped; bad MD5, truncation, bad meta. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_seama;

/* mk.py OUT [seal] [le] [badmd5] */
static const char mk_py[] =
	"import hashlib, struct, sys\n"
	"out, fl = sys.argv[1], sys.argv[2:]\n"
	"e = '<' if 'le' in fl else '>'\n"
	"img = open('p.tgz', 'rb').read()\n"
	"meta = b'dev=/dev/mtdblock/2\\0type=firmware\\0'\n"
	"meta += b'\\0' * (-len(meta) % 4)\n"
	"d = hashlib.md5(img).digest()\n"
	"if 'badmd5' in fl: d = bytes([d[0] ^ 1]) + d[1:]\n"
	"s = struct.pack(e + 'IHHI', 0x5EA3A417, 0, len(meta), len(img)) + d + meta + img\n"
	"if 'seal' in fl:\n"
	"    sig = b'signature=wrgn49_dlob_dir860lb1\\0'\n"
	"    s = struct.pack(e + 'IHHI', 0x5EA3A417, 0, len(sig), 0) + sig + s\n"
	"open(out, 'wb').write(s)\n";

static void make_parts(void)
{
	gbt_write_file("mk.py", mk_py, sizeof(mk_py) - 1);
	gbt_sh("mkdir -p root/etc && printf 'root:x:0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && head -c 3000 /dev/urandom > root/etc/blob"
	       " && tar cf p.tar -C root etc && gzip -9 -n -c p.tar > p.tgz");
}

static void test_plain_and_le(void **state)
{
	make_parts();
	for (int le = 0; le < 2; le++) {
		gbt_sh("python3 mk.py fw.seama %s", le ? "le" : "");
		size_t n;
		uint8_t *img = gbt_read_file("fw.seama", &n);
		struct gb_span in = gb_span_make(img, n);
		struct gb_probe pr;
		assert_int_equal(gb__fmt_seama.probe(&in, &pr), 0);
		assert_int_equal(pr.size, n);
		assert_int_equal(pr.confidence, GB_CONF_HIGH);
		free(img);
		struct gb_scan *s = gbt_scan("fw.seama", le ? "out-le" : "out");
		const struct gb_node *e = gbt_node(s, "seama");
		assert_non_null(e);
		assert_int_equal(e->status, GB_STATUS_OK);
		assert_string_equal(gbt_node_attr(e, "md5"), "ok");
		assert_string_equal(gbt_node_attr(e, "meta"), "dev=/dev/mtdblock/2; type=firmware");
		const struct gb_node *g = gbt_node(s, "gzip");
		assert_non_null(g);
		assert_int_equal(g->parent, e->id);
		assert_string_equal(g->label, "image");
		assert_int_equal(g->offset, 12 + 16 + 36);
		gbt_assert_file_matches(s, "tar", "/etc/blob", "root/etc/blob");
		gb_scan_free(s);
	}
}

static void test_sealed(void **state)
{
	make_parts();
	gbt_sh("python3 mk.py fw.seama seal");
	struct gb_scan *s = gbt_scan("fw.seama", "out");
	assert_int_equal(gbt_count_nodes(s, "seama"), 2);
	const struct gb_node *outer = gbt_node(s, "seama");
	assert_int_equal(outer->offset, 0);
	assert_int_equal(outer->size, 12 + 32);
	assert_string_equal(gbt_node_attr(outer, "meta"), "signature=wrgn49_dlob_dir860lb1");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);
}

static void test_hostile(void **state)
{
	size_t n;
	struct gb_probe pr;
	struct gb_span in;

	make_parts();
	gbt_sh("python3 mk.py bad.seama badmd5 && python3 mk.py fw.seama");
	struct gb_scan *s = gbt_scan("bad.seama", "out");
	const struct gb_node *e = gbt_node(s, "seama");
	assert_non_null(e);
	assert_int_equal(e->status, GB_STATUS_PARTIAL);
	assert_string_equal(gbt_node_attr(e, "md5"), "mismatch");
	gbt_assert_file_matches(s, "tar", "/etc/passwd", "root/etc/passwd");
	gb_scan_free(s);

	uint8_t *img = gbt_read_file("fw.seama", &n);
	gbt_write_file("cut.seama", img, n - 100);
	s = gbt_scan("cut.seama", "out2");
	e = gbt_node(s, "seama");
	assert_non_null(e);
	assert_int_equal(e->status, GB_STATUS_PARTIAL);
	assert_string_equal(gbt_node_attr(e, "md5"), "not checked (truncated)");
	assert_non_null(strstr(e->error, "cut short"));
	gb_scan_free(s);

	in = gb_span_make(img, n - 100);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), 0);
	assert_int_equal(pr.confidence, GB_CONF_MEDIUM);
	img[30] = 0x01; /* control byte in the meta */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), -GB_ENOTFOUND);
	img[30] = 'v';
	img[6] = 0xff; /* metasize 0xff24: too big */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), -GB_ENOTFOUND);
	img[6] = 0;
	img[8] = 0x7f; /* image size ~2 GiB */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), -GB_ENOTFOUND);
	img[8] = 0;
	memset(img + 28, 0, 36); /* meta all NULs: no string */
	in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), -GB_ENOTFOUND);
	in = gb_span_make(img, 10);
	assert_int_equal(gb__fmt_seama.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_and_le, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_sealed, gbt_setup_tmpdir, gbt_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_hostile, gbt_setup_tmpdir, gbt_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
