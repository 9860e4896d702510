/* dlink_encimg: D-Link SHRS and encrpted_img images made at test time with
 * the openssl command line (`openssl enc -aes-128-cbc` / `-aes-256-cbc`, the
 * public keys) in the documented layouts; Python's hashlib writes the SHRS
 * digests. Oracles: sha256sum of the plain text and of the files packed
 * into it. Hostile cases: wrong digests, truncation, bad sizes, a wrong key. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_dlink_encimg;

#define SHRS_KEY "c05fbf1936c99429ce2a0781f08d6ad8"
#define SHRS_IV "00112233445566778899aabbccddeeff"
/* "he9-4+M!)d6=m~we1,q2a3d1n&2*Z^%8" and "J%1iQl8$=lm-;8AE" in hex */
#define EI_KEY "6865392d342b4d212964363d6d7e7765312c7132613364316e26322a5a5e2538"
#define EI_IV "4a253169516c38243d6c6d2d3b384145"

static void need_tools(void)
{
	if (!gbt_have_tool("openssl") || !gbt_have_tool("python3") || !gbt_have_tool("tar")) {
		print_message("skipped: openssl, python3 or tar missing\n");
		skip();
	}
}

static void make_plain(void)
{
	gbt_sh("rm -rf root && mkdir -p root/etc && printf 'admin:x:0:0::/:/bin/sh\\n' > root/etc/passwd"
	       " && seq 1 4000 > root/etc/seq && head -c 7777 /dev/urandom > root/blob"
	       " && tar cf - -C root . | gzip -9 -n > plain.bin");
}

/* SHRS image of plain.bin into `out`; `break_digest` spoils the plain digest. */
static void make_shrs(const char *out, int break_digest)
{
	gbt_sh("openssl enc -aes-128-cbc -K " SHRS_KEY " -iv " SHRS_IV " -in plain.bin -out enc.bin");
	gbt_sh("python3 -c '\n"
	       "import hashlib, struct, sys, os\n"
	       "p = open(\"plain.bin\", \"rb\").read(); e = open(\"enc.bin\", \"rb\").read()\n"
	       "k = bytes.fromhex(\"" SHRS_KEY "\")\n"
	       "h = b\"SHRS\" + struct.pack(\">II\", len(e), len(p)) + bytes.fromhex(\"" SHRS_IV "\")\n"
	       "h += hashlib.sha512(p + k).digest()\n"
	       "d = hashlib.sha512(p).digest()\n"
	       "if %d: d = bytes(64)\n"
	       "h += d + hashlib.sha512(e[:len(p)]).digest() + bytes(512) + os.urandom(1024)\n"
	       "assert len(h) == 0x6dc\n"
	       "open(\"%s\", \"wb\").write(h + e)\n'",
	       break_digest, out);
}

/* encrpted_img of `pebs` 128 KiB eraseblocks (the last one half) into out. */
static void make_encimg(const char *out, const char *key)
{
	gbt_sh("python3 -c '\n"
	       "import os, subprocess, struct\n"
	       "peb = 128 * 1024; plain = b\"\"; enc = b\"\"\n"
	       "tail = open(\"plain.bin\", \"rb\").read()\n"
	       "for i in range(3):\n"
	       "    n = peb if i < 2 else 64 * 1024\n"
	       "    blk = b\"UBI#\\x01\" + bytes(59) + (tail if i == 1 else os.urandom(100))\n"
	       "    blk = blk + bytes(n - len(blk))\n"
	       "    plain += blk\n"
	       "    enc += subprocess.run([\"openssl\", \"enc\", \"-aes-256-cbc\", \"-nopad\", \"-K\", \"%s\",\n"
	       "        \"-iv\", \"" EI_IV "\"], input=blk, capture_output=True, check=True).stdout\n"
	       "open(\"ubi.plain\", \"wb\").write(plain)\n"
	       "open(\"%s\", \"wb\").write(b\"encrpted_img\" + struct.pack(\">I\", len(enc)) + enc)\n'",
	       key, out);
}

static const struct gb_file *file_of(const struct gb_scan *s, const struct gb_node *n)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && s->files[i].type == GB_FT_FILE)
			return &s->files[i];
	return NULL;
}

static void test_shrs(void **state)
{
	char want[65];
	struct gb_probe pr;
	size_t n;

	need_tools();
	make_plain();
	make_shrs("fw.bin", 0);
	uint8_t *img = gbt_read_file("fw.bin", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, "shrs/aes-128-cbc");
	/* a non-zero unused byte, padding over a block, sizes not whole blocks */
	img[0x100] = 1;
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), -GB_ENOTFOUND);
	img[0x100] = 0;
	uint8_t save = img[11];
	img[11] = (uint8_t)(img[11] - 20);
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), -GB_ENOTFOUND);
	img[11] = save;
	img[7] ^= 1;
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), -GB_ENOTFOUND);
	img[7] ^= 1;
	in = gb_span_make(img, 0x6db);
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);

	struct gb_scan *s = gbt_scan("fw.bin", "out");
	const struct gb_node *d = gbt_node(s, "dlink_encimg");
	assert_non_null(d);
	assert_int_equal(d->status, GB_STATUS_OK);
	const struct gb_file *f = file_of(s, d);
	assert_non_null(f);
	gbt_sha256sum("plain.bin", want);
	assert_string_equal(f->sha256, want);
	gbt_assert_file_matches(s, "tar", "/etc/seq", "root/etc/seq");
	gbt_assert_file_matches(s, "tar", "/blob", "root/blob");
	gb_scan_free(s);
}

static void test_shrs_hostile(void **state)
{
	size_t n;

	need_tools();
	make_plain();
	/* the header's digest of the plain text is wrong: decrypted, flagged */
	make_shrs("bad.bin", 1);
	struct gb_scan *s = gbt_scan("bad.bin", "out");
	const struct gb_node *d = gbt_node(s, "dlink_encimg");
	assert_non_null(d);
	assert_int_equal(d->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(d->error, "SHA-512"));
	gb_scan_free(s);

	/* cut in the middle */
	make_shrs("fw.bin", 0);
	uint8_t *img = gbt_read_file("fw.bin", &n);
	gbt_write_file("cut.bin", img, 0x6dc + (n - 0x6dc) / 2 + 5);
	free(img);
	s = gbt_scan("cut.bin", "out");
	d = gbt_node(s, "dlink_encimg");
	assert_non_null(d);
	assert_int_equal(d->status, GB_STATUS_PARTIAL);
	const struct gb_file *f = file_of(s, d);
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_int_equal(f->size % 16, 0);
	gb_scan_free(s);
}

static void test_encrpted_img(void **state)
{
	char want[65];
	struct gb_probe pr;
	size_t n;

	need_tools();
	make_plain();
	make_encimg("enc.img", EI_KEY);
	uint8_t *img = gbt_read_file("enc.img", &n);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_string_equal(pr.variant, "encrpted_img/aes-256-cbc");
	img[15] ^= 1; /* size not a whole number of blocks */
	assert_int_equal(gb__fmt_dlink_encimg.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);

	struct gb_scan *s = gbt_scan("enc.img", "out");
	const struct gb_node *d = gbt_node(s, "dlink_encimg");
	assert_non_null(d);
	assert_int_equal(d->status, GB_STATUS_OK);
	const struct gb_file *f = file_of(s, d);
	assert_non_null(f);
	gbt_sha256sum("ubi.plain", want);
	assert_string_equal(f->sha256, want);
	/* the gzip'd tar in the second eraseblock is carved from the output */
	gbt_assert_file_matches(s, "tar", "/etc/seq", "root/etc/seq");
	gb_scan_free(s);

	/* encrypted with another key: decrypted all the same, flagged */
	make_encimg("other.img", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	s = gbt_scan("other.img", "out");
	d = gbt_node(s, "dlink_encimg");
	assert_non_null(d);
	assert_int_equal(d->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(d->error, "UBI"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shrs),
		cmocka_unit_test(test_shrs_hostile),
		cmocka_unit_test(test_encrpted_img),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
