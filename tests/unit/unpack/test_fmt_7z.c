/* 7z: archives made by p7zip (several methods, solid and not, encrypted),
 * hand-built signature headers for probe, and corrupted archives. The oracle
 * is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_7z;

static void make_tree(void)
{
	gbt_sh("mkdir -p src/dir/sub src/empty && printf 'hello\\n' > src/a.txt"
	       " && head -c 100000 /dev/urandom > src/dir/sub/blob.bin"
	       " && seq 1 30000 > src/dir/text.txt"
	       " && printf 'utf\\n' > 'src/\xc3\xbc-na\xc3\xafve.txt'"
	       " && printf '#!/bin/sh\\n' > src/suid && chmod 4755 src/suid"
	       " && ln -s a.txt src/rel_link && ln -s /etc/passwd src/abs_link");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void check_tree(const struct gb_scan *s)
{
	gbt_assert_file_matches(s, "7z", "/a.txt", "src/a.txt");
	gbt_assert_file_matches(s, "7z", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "7z", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_file_matches(s, "7z", "/\xc3\xbc-na\xc3\xafve.txt",
				"src/\xc3\xbc-na\xc3\xafve.txt");
	gbt_assert_mode(s, "7z", "/suid", 04755);
	gbt_assert_symlink(s, "7z", "/rel_link", "a.txt");
	gbt_assert_symlink(s, "7z", "/abs_link", "/etc/passwd");
	gbt_assert_type(s, "7z", "/dir/sub", GB_FT_DIR);
	gbt_assert_type(s, "7z", "/empty", GB_FT_DIR);
}

static void one_method(const char *args)
{
	if (!gbt_have_tool("7z"))
		skip();
	make_tree();
	gbt_sh("cd src && 7z a -bd -snl %s ../t.7z * >/dev/null", args);
	struct gb_scan *s = gbt_scan("t.7z", "out");
	const struct gb_node *n = gbt_node(s, "7z");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "7z node error (%s): %s\n", args, n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, file_size("t.7z"));
	check_tree(s);
	gb_scan_free(s);
}

static void test_lzma2_solid(void **state)
{
	one_method("");
}

static void test_lzma_not_solid(void **state)
{
	one_method("-m0=lzma -ms=off");
}

static void test_copy(void **state)
{
	one_method("-m0=copy");
}

static void test_bzip2(void **state)
{
	one_method("-m0=bzip2");
}

static void test_ppmd(void **state)
{
	one_method("-m0=ppmd");
}

static void test_deflate(void **state)
{
	one_method("-m0=deflate");
}

static void test_carved(void **state)
{
	if (!gbt_have_tool("7z"))
		skip();
	make_tree();
	gbt_sh("cd src && 7z a -bd -snl ../t.7z * >/dev/null"
	       " && cd .. && head -c 999 /dev/urandom > blob"
	       " && cat t.7z >> blob && head -c 5000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *n = gbt_node(s, "7z");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 999);
	assert_int_equal(n->size, file_size("t.7z"));
	check_tree(s);
	gb_scan_free(s);
}

static void test_encrypted(void **state)
{
	if (!gbt_have_tool("7z"))
		skip();
	make_tree();
	gbt_sh("cd src && 7z a -bd -psecret ../data.7z a.txt >/dev/null"
	       " && 7z a -bd -psecret -mhe=on ../hdr.7z a.txt >/dev/null");
	struct gb_scan *s = gbt_scan("data.7z", "out");
	const struct gb_node *n = gbt_node(s, "7z");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gb_scan_free(s);
	s = gbt_scan("hdr.7z", "out2");
	n = gbt_node(s, "7z");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	assert_non_null(strstr(n->error, "encrypted"));
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("7z"))
		skip();
	make_tree();
	gbt_sh("cd src && 7z a -bd -snl -ms=off ../t.7z * >/dev/null"
	       " && cd .. && head -c 50000 t.7z > cut.7z");
	struct gb_scan *s = gbt_scan("cut.7z", "out");
	const struct gb_node *n = gbt_node(s, "7z");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gb_scan_free(s);
}

/* A flipped byte in the (next) header: probe still claims the archive by
 * its signature header, unpack reports the damage. */
static void test_bad_header_crc(void **state)
{
	if (!gbt_have_tool("7z"))
		skip();
	make_tree();
	gbt_sh("cd src && 7z a -bd ../t.7z a.txt >/dev/null && cd .."
	       " && size=$(stat -c %%s t.7z) && printf 'Z' | dd of=t.7z bs=1 seek=$((size - 3))"
	       " conv=notrunc 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.7z", "out");
	const struct gb_node *n = gbt_node(s, "7z");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	assert_non_null(n->error);
	gb_scan_free(s);
}

static void put_sig(uint8_t *b, uint64_t off, uint64_t size, uint32_t next_crc)
{
	memset(b, 0, 32);
	memcpy(b, "7z\xbc\xaf\x27\x1c", 6);
	b[7] = 4;
	for (int i = 0; i < 8; i++) {
		b[12 + i] = (uint8_t)(off >> (8 * i));
		b[20 + i] = (uint8_t)(size >> (8 * i));
	}
	for (int i = 0; i < 4; i++)
		b[28 + i] = (uint8_t)(next_crc >> (8 * i));
	uint32_t c = (uint32_t)crc32(0, b + 12, 20);
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(c >> (8 * i));
}

static void test_probe_handmade(void **state)
{
	uint8_t buf[256] = {0};
	struct gb_probe p;
	struct gb_span in = gb_span_make(buf, sizeof(buf));
	uint8_t next[5] = {0x01, 0x00, 0x00, 0x00, 0x00};
	uint32_t ncrc = (uint32_t)crc32(0, next, 5);

	memset(buf, 0xee, sizeof(buf));
	put_sig(buf, 10, 5, ncrc);
	memcpy(buf + 42, next, 5);
	assert_int_equal(gb__fmt_7z.probe(&in, &p), 0);
	assert_int_equal(p.size, 32 + 10 + 5);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "v0.4");

	/* the next header's CRC is wrong: still a 7z, less sure */
	buf[43] = 7;
	assert_int_equal(gb__fmt_7z.probe(&in, &p), 0);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* the header lies past the end: truncated, claims the rest */
	put_sig(buf, 1000, 5, ncrc);
	assert_int_equal(gb__fmt_7z.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf));
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* a wrong start header CRC, a wrapping offset, a future major version */
	put_sig(buf, 10, 5, ncrc);
	buf[12] ^= 1;
	assert_int_equal(gb__fmt_7z.probe(&in, &p), -GB_ENOTFOUND);
	put_sig(buf, UINT64_MAX - 8, 5, ncrc);
	assert_int_equal(gb__fmt_7z.probe(&in, &p), -GB_ENOTFOUND);
	put_sig(buf, 10, 5, ncrc);
	buf[6] = 1;
	assert_int_equal(gb__fmt_7z.probe(&in, &p), -GB_ENOTFOUND);
	in = gb_span_make(buf, 31);
	assert_int_equal(gb__fmt_7z.probe(&in, &p), -GB_ENOTFOUND);
}

/* each test in a fresh temporary directory */
#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lzma2_solid),
		T(test_lzma_not_solid),
		T(test_copy),
		T(test_bzip2),
		T(test_ppmd),
		T(test_deflate),
		T(test_carved),
		T(test_encrypted),
		T(test_truncated),
		T(test_bad_header_crc),
		cmocka_unit_test(test_probe_handmade),
	};
	return cmocka_run_group_tests_name("fmt_7z", tests, NULL, NULL);
}
