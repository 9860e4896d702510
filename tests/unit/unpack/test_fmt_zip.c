/* zip: archives made by Info-ZIP's zip (plain, zip64, streamed with data
 * descriptors, self-extractor prefix, nested, encrypted), hand-built records
 * for probe, and hostile archives written with Python's zipfile. The oracle
 * is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_zip;

static void make_tree(void)
{
	gbt_sh("mkdir -p src/dir/sub src/empty && printf 'hello\\n' > src/a.txt"
	       " && head -c 100000 /dev/urandom > src/dir/sub/blob.bin"
	       " && seq 1 30000 > src/dir/text.txt"
	       " && printf '#!/bin/sh\\n' > src/suid && chmod 4755 src/suid"
	       " && ln -s a.txt src/rel_link && ln -s /etc/passwd src/abs_link");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static const struct gb_node *zip_node_ok(const struct gb_scan *s, const char *variant,
					 uint64_t offset, uint64_t size)
{
	const struct gb_node *n = gbt_node(s, "zip");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "zip node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, offset);
	assert_int_equal(n->size, size);
	return n;
}

static void check_tree(const struct gb_scan *s)
{
	gbt_assert_file_matches(s, "zip", "/a.txt", "src/a.txt");
	gbt_assert_file_matches(s, "zip", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "zip", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_mode(s, "zip", "/suid", 04755);
	gbt_assert_symlink(s, "zip", "/rel_link", "a.txt");
	gbt_assert_symlink(s, "zip", "/abs_link", "/etc/passwd");
	gbt_assert_type(s, "zip", "/dir/sub", GB_FT_DIR);
	gbt_assert_type(s, "zip", "/empty", GB_FT_DIR);
}

static void test_plain(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("cd src && zip -qry ../t.zip *");
	struct gb_scan *s = gbt_scan("t.zip", "out");
	zip_node_ok(s, "zip", 0, file_size("t.zip"));
	check_tree(s);
	gb_scan_free(s);
}

static void test_zip64(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("cd src && zip -qry -fz ../t.zip *");
	struct gb_scan *s = gbt_scan("t.zip", "out");
	zip_node_ok(s, "zip64", 0, file_size("t.zip"));
	check_tree(s);
	gb_scan_free(s);
}

/* zip reading stdin writes a data descriptor after the data. */
static void test_streamed(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("zip -q < src/dir/text.txt > t.zip");
	struct gb_scan *s = gbt_scan("t.zip", "out");
	const struct gb_node *n = gbt_node(s, "zip");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->size, file_size("t.zip"));
	gbt_assert_file_matches(s, "zip", "/-", "src/dir/text.txt");
	gb_scan_free(s);
}

/* Carved from a blob; and a self-extractor whose offsets count the prefix. */
static void test_carved_and_sfx(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("cd src && zip -qry ../t.zip * && cd .. && head -c 5000 /dev/urandom > stub"
	       " && cat stub t.zip > blob && head -c 300 /dev/urandom >> blob"
	       " && cat stub t.zip > sfx.zip && zip -qA sfx.zip");
	struct gb_scan *s = gbt_scan("blob", "out");
	zip_node_ok(s, "zip", 5000, file_size("t.zip"));
	check_tree(s);
	gb_scan_free(s);
	s = gbt_scan("sfx.zip", "out2");
	zip_node_ok(s, "zip", 5000, file_size("sfx.zip") - 5000);
	check_tree(s);
	gb_scan_free(s);
}

/* A stored zip inside a zip: the outer one is not cut at the inner EOCD. */
static void test_nested_stored(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("cd src && zip -qry ../inner.zip *"
	       " && cd .. && zip -q0 outer.zip inner.zip src/a.txt");
	struct gb_scan *s = gbt_scan("outer.zip", "out");
	assert_int_equal(gbt_count_nodes(s, "zip"), 2);
	const struct gb_node *n = gbt_node(s, "zip");
	assert_int_equal(n->offset, 0);
	assert_int_equal(n->size, file_size("outer.zip"));
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "zip", "/inner.zip", "inner.zip");
	gbt_assert_file_matches(s, NULL, "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	make_tree();
	gbt_sh("cd src && zip -qr ../t.zip a.txt dir && cd .. && head -c 60000 t.zip > cut.zip");
	struct gb_scan *s = gbt_scan("cut.zip", "out");
	const struct gb_node *n = gbt_node(s, "zip");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gbt_assert_file_matches(s, "zip", "/a.txt", "src/a.txt");
	gb_scan_free(s);
}

/* A flipped byte in stored data: the CRC check fails, the file is flagged. */
static void test_bad_crc(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	gbt_sh("seq 1 1000 > f.txt && zip -q0 t.zip f.txt"
	       " && printf 'X' | dd of=t.zip bs=1 seek=100 conv=notrunc 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.zip", "out");
	const struct gb_node *n = gbt_node(s, "zip");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	const struct gb_file *f = gbt_file(s, "zip", "/f.txt");
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);
}

static void test_encrypted(void **state)
{
	if (!gbt_have_tool("zip"))
		skip();
	gbt_sh("seq 1 1000 > f.txt && zip -q -P secret t.zip f.txt");
	struct gb_scan *s = gbt_scan("t.zip", "out");
	const struct gb_node *n = gbt_node(s, "zip");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gb_scan_free(s);
}

/* 20 MiB of zeros in a few KiB: the file limit stops it. */
static void test_bomb_limit(void **state)
{
	struct gb_limits lim;

	if (!gbt_have_tool("zip"))
		skip();
	gbt_sh("head -c 20M /dev/zero > zeros && zip -q9 t.zip zeros && rm zeros");
	gb_limits_default(&lim);
	lim.max_file_bytes = 1 << 20;
	struct gb_scan *s = gbt_scan_limits("t.zip", "out", &lim);
	const struct gb_file *f = gbt_file(s, "zip", "/zeros");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size <= lim.max_file_bytes);
	assert_non_null(gbt_node(s, "zip")->error);
	gb_scan_free(s);
}

static void test_hostile_names(void **state)
{
	gbt_sh("mkdir -p a/b/c canary && python3 - <<'EOF'\n"
	       "import os, zipfile\n"
	       "z = zipfile.ZipFile('evil.zip', 'w')\n"
	       "def add(name, data, mode=0o100644):\n"
	       "    i = zipfile.ZipInfo(name); i.external_attr = mode << 16; i.create_system = 3\n"
	       "    z.writestr(i, data)\n"
	       "add('../../../../escape1.txt', b'x')\n"
	       "add(os.getcwd() + '/canary/escape2.txt', b'x')\n"
	       "add('link', b'../../../../canary', 0o120777)\n"
	       "add('link/escape3.txt', b'x')\n"
	       "add('good.txt', b'fine')\n"
	       "z.close()\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("evil.zip", "a/b/c/out");
	assert_non_null(gbt_node(s, "zip"));
	assert_non_null(gbt_file(s, "zip", "/good.txt"));
	const struct gb_file *f = gbt_file(s, "zip", "/link");
	assert_non_null(f);
	assert_int_equal(f->type, GB_FT_SYMLINK);
	gbt_assert_dir_empty("canary");
	gbt_sh("test -z \"$(find . -name 'escape*' -not -path './a/b/c/out/*')\"");
	gb_scan_free(s);
}

/* Hand-built: one stored entry, its central directory entry, the EOCD. */
static size_t build_zip(uint8_t *b, uint16_t entries)
{
	static const char name[] = "hi.txt", data[] = "hello";
	size_t o = 0, cd;

	memset(b, 0, 256);
	memcpy(b, "PK\3\4", 4);
	b[4] = 10;
	b[18] = b[22] = 5;  /* csize, usize */
	b[26] = 6;          /* name length */
	memcpy(b + 30, name, 6);
	memcpy(b + 36, data, 5);
	o = 41;
	cd = o;
	memcpy(b + o, "PK\1\2", 4);
	b[o + 6] = 10;
	b[o + 20] = b[o + 24] = 5;
	b[o + 28] = 6;
	memcpy(b + o + 46, name, 6);
	o += 52;
	memcpy(b + o, "PK\5\6", 4);
	b[o + 8] = b[o + 10] = (uint8_t)entries;
	b[o + 12] = (uint8_t)(o - cd);
	b[o + 16] = (uint8_t)cd;
	return o + 22;
}

static void test_probe_handmade(void **state)
{
	uint8_t buf[256] = {0};
	struct gb_probe p;
	struct gb_span in = gb_span_make(buf, sizeof(buf));
	size_t n = build_zip(buf, 1);

	memset(buf + n, 0xee, sizeof(buf) - n);
	assert_int_equal(gb__fmt_zip.probe(&in, &p), 0);
	assert_int_equal(p.size, n);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "zip");

	/* the EOCD's entry count disagrees with the directory: not trusted */
	build_zip(buf, 2);
	assert_int_equal(gb__fmt_zip.probe(&in, &p), 0);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	assert_true(p.size < n);

	/* cut inside the data: claims what there is */
	build_zip(buf, 1);
	in = gb_span_make(buf, 38);
	assert_int_equal(gb__fmt_zip.probe(&in, &p), 0);
	assert_int_equal(p.size, 38);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* an unknown method, an empty name, a short header */
	in = gb_span_make(buf, sizeof(buf));
	buf[8] = 200;
	assert_int_equal(gb__fmt_zip.probe(&in, &p), -GB_ENOTFOUND);
	build_zip(buf, 1);
	buf[26] = 0;
	assert_int_equal(gb__fmt_zip.probe(&in, &p), -GB_ENOTFOUND);
	build_zip(buf, 1);
	in = gb_span_make(buf, 20);
	assert_int_equal(gb__fmt_zip.probe(&in, &p), -GB_ENOTFOUND);

	/* an absurd compressed size: truncated, claims the rest */
	build_zip(buf, 1);
	memset(buf + 18, 0xfe, 4);
	in = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_zip.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf));
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
}

/* each test in a fresh temporary directory */
#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_plain),
		T(test_zip64),
		T(test_streamed),
		T(test_carved_and_sfx),
		T(test_nested_stored),
		T(test_truncated),
		T(test_bad_crc),
		T(test_encrypted),
		T(test_bomb_limit),
		T(test_hostile_names),
		cmocka_unit_test(test_probe_handmade),
	};
	return cmocka_run_group_tests_name("fmt_zip", tests, NULL, NULL);
}
