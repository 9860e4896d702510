/* hilink: Hi-Link encrypted uImages made at test time. u-boot-tools'
 * mkimage makes the uImage (gzip'd tar inside); the `openssl enc -des-ecb`
 * command line (legacy provider) encrypts it in the vendor's two passes
 * (whole blocks only, a partial last block kept as it is). The oracle is
 * sha256sum of mkimage's output and of the packed files. Hostile cases: a
 * flipped header byte, a cut image, an absurd ih_size. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_hilink;

#define DES_CMD "openssl enc -des-ecb -nopad -K 48404c394b2a2833 -provider legacy -provider default"

/* Skip unless mkimage and an openssl with single DES are there. */
static void need_tools(void)
{
	if (!gbt_have_tool("mkimage") || !gbt_have_tool("openssl") ||
	    gbt_sh_status("printf 12345678 | " DES_CMD " > /dev/null 2>&1") != 0) {
		print_message("skipped: mkimage or openssl's legacy DES is missing\n");
		skip();
	}
}

/* Encrypt plain file `in` into `out` the vendor's way. */
static void encrypt(const char *in, const char *out)
{
	gbt_sh("n=$(stat -c %%s '%s'); m=$((n / 8 * 8)); m1=$(((n - 3) / 8 * 8));"
	       " { head -c $m '%s' | " DES_CMD "; tail -c +$((m + 1)) '%s'; } > d1.tmp &&"
	       " { head -c 3 d1.tmp; tail -c +4 d1.tmp | head -c $m1 | " DES_CMD ";"
	       "   tail -c +$((4 + m1)) d1.tmp; } > '%s' && rm d1.tmp",
	       in, in, in, out);
}

static void make_uimage(const char *name)
{
	gbt_sh("mkdir -p root/etc && printf 'root::0:0::/root:/bin/sh\\n' > root/etc/passwd"
	       " && seq 1 5000 > root/etc/seq && head -c 3001 /dev/urandom > root/blob"
	       " && tar cf k.tar -C root . && gzip -9 -n -c k.tar > k.tgz"
	       " && mkimage -q -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000"
	       " -n '%s' -d k.tgz plain.uimage", name);
}

static const struct gb_file *file_of(const struct gb_scan *s, const struct gb_node *n)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && s->files[i].type == GB_FT_FILE)
			return &s->files[i];
	return NULL;
}

static void test_probe(void **state)
{
	struct gb_probe pr;
	size_t n, pn;

	need_tools();
	make_uimage("HLK-RM04");
	encrypt("plain.uimage", "fw.img");
	uint8_t *img = gbt_read_file("fw.img", &n);
	uint8_t *plain = gbt_read_file("plain.uimage", &pn);
	assert_int_equal(n, pn);
	struct gb_span in = gb_span_make(img, n);
	assert_int_equal(gb__fmt_hilink.probe(&in, &pr), 0);
	assert_int_equal(pr.size, n);
	assert_int_equal(pr.confidence, GB_CONF_HIGH);
	assert_string_equal(pr.variant, "HLK-RM04");
	/* the constants the carver looks for (name of 8 bytes, zeros after) */
	assert_memory_equal(img + 0x2b, "\x58\x14\x3b\x9a\x6c\x0e\xf4\xf2", 8);
	assert_memory_equal(img + 0x33, "\x58\x14\x3b\x9a\x6c\x0e\xf4\xf2", 8);

	/* the plain uImage is not an encrypted one */
	in = gb_span_make(plain, pn);
	assert_int_equal(gb__fmt_hilink.probe(&in, &pr), -GB_ENOTFOUND);
	/* any flipped header byte breaks the magic or the header CRC */
	in = gb_span_make(img, n);
	for (size_t i = 0; i < 67; i += 5) {
		img[i] ^= 0x10;
		assert_int_equal(gb__fmt_hilink.probe(&in, &pr), -GB_ENOTFOUND);
		img[i] ^= 0x10;
	}
	/* shorter than the header */
	in = gb_span_make(img, 66);
	assert_int_equal(gb__fmt_hilink.probe(&in, &pr), -GB_ENOTFOUND);
	free(img);
	free(plain);
}

static void test_unpack_matches_oracle(void **state)
{
	char want[65];

	need_tools();
	make_uimage("HLK-RM02");
	/* an odd length: the partial last blocks of both passes */
	gbt_sh("printf 'xyz' >> k.tgz && mkimage -q -A mips -O linux -T kernel -C gzip"
	       " -a 0 -e 0 -n HLK-RM02 -d k.tgz plain.uimage");
	encrypt("plain.uimage", "fw.img");
	gbt_sh("cat fw.img > fw2.bin && head -c 333 /dev/urandom >> fw2.bin");
	struct gb_scan *s = gbt_scan("fw2.bin", "out");
	const struct gb_node *h = gbt_node(s, "hilink");
	assert_non_null(h);
	assert_int_equal(h->offset, 0);
	assert_int_equal(h->status, GB_STATUS_OK);
	assert_string_equal(h->variant, "HLK-RM02");
	const struct gb_file *f = file_of(s, h);
	assert_non_null(f);
	gbt_sha256sum("plain.uimage", want);
	assert_string_equal(f->sha256, want);
	/* the decrypted uImage is carved again, its data CRC matches */
	const struct gb_node *ui = gbt_node(s, "uimage");
	assert_non_null(ui);
	assert_int_equal(ui->status, GB_STATUS_OK);
	assert_non_null(gbt_node(s, "gzip"));
	gbt_assert_file_matches(s, "tar", "/etc/seq", "root/etc/seq");
	gbt_assert_file_matches(s, "tar", "/blob", "root/blob");
	gb_scan_free(s);
}

/* A 16-byte name: only the constant at 0x33 is left to find it by. */
static void test_long_name_carved(void **state)
{
	char want[65];

	need_tools();
	make_uimage("Hi-Link-WR02-v16");
	encrypt("plain.uimage", "fw.img");
	gbt_sh("{ head -c 1000 /dev/urandom; cat fw.img; } > fw2.bin");
	struct gb_scan *s = gbt_scan("fw2.bin", "out");
	const struct gb_node *h = gbt_node(s, "hilink");
	assert_non_null(h);
	assert_int_equal(h->offset, 1000);
	assert_string_equal(h->variant, "Hi-Link-WR02-v16");
	const struct gb_file *f = file_of(s, h);
	assert_non_null(f);
	gbt_sha256sum("plain.uimage", want);
	assert_string_equal(f->sha256, want);
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	size_t n;

	need_tools();
	make_uimage("HLK-RM02");
	encrypt("plain.uimage", "fw.img");
	uint8_t *img = gbt_read_file("fw.img", &n);
	gbt_write_file("cut.img", img, n / 2);
	struct gb_scan *s = gbt_scan("cut.img", "out");
	const struct gb_node *h = gbt_node(s, "hilink");
	assert_non_null(h);
	assert_int_equal(h->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(h->error, "declares"));
	const struct gb_file *f = file_of(s, h);
	assert_non_null(f);
	assert_int_equal(f->size, n / 2);
	assert_true(f->incomplete);
	gb_scan_free(s);
	free(img);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void test_absurd_size(void **state)
{
	uint8_t hdr[64 + 40] = {0};

	need_tools();
	put_be32(hdr, 0x27051956);
	put_be32(hdr + 12, 0xffffffffu);
	hdr[28] = 5;
	hdr[29] = 5;
	hdr[30] = 2;
	memcpy(hdr + 32, "HLK-RM02", 8);
	put_be32(hdr + 4, (uint32_t)crc32(0, hdr, 64));
	memset(hdr + 64, 'A', 40);
	gbt_write_file("huge.uimage", hdr, sizeof(hdr));
	encrypt("huge.uimage", "huge.img");
	struct gb_scan *s = gbt_scan("huge.img", "out");
	const struct gb_node *h = gbt_node(s, "hilink");
	assert_non_null(h);
	assert_int_equal(h->size, sizeof(hdr));
	assert_int_not_equal(h->status, GB_STATUS_OK);
	const struct gb_file *f = file_of(s, h);
	assert_non_null(f);
	assert_int_equal(f->size, sizeof(hdr));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_unpack_matches_oracle),
		cmocka_unit_test(test_long_name_carved),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_absurd_size),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
