/* iso9660: images made by genisoimage (Rock Ridge + Joliet, Joliet only,
 * plain ISO 9660), hand-built volume descriptors for probe, and truncated or
 * corrupted images. The oracle is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_iso9660;

#define UNAME "\xc3\xbc-na\xc3\xafve.txt"

static void make_tree(void)
{
	gbt_sh("mkdir -p src/dir/sub src/empty && printf 'hello\\n' > src/a.txt"
	       " && head -c 100000 /dev/urandom > src/dir/sub/blob.bin"
	       " && seq 1 30000 > src/dir/text.txt && printf 'utf\\n' > 'src/" UNAME "'"
	       " && printf '#!/bin/sh\\n' > src/suid && chmod 4755 src/suid"
	       " && ln -s a.txt src/rel_link && ln -s /etc/passwd src/abs_link"
	       " && ln src/dir/text.txt src/hard && mkfifo src/fifo");
	if (geteuid() == 0)
		gbt_sh("mknod src/null c 1 3");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static const struct gb_node *iso_node_ok(const struct gb_scan *s, const char *variant,
					 uint64_t offset, uint64_t size)
{
	const struct gb_node *n = gbt_node(s, "iso9660");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "iso9660 node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, offset);
	assert_int_equal(n->size, size);
	return n;
}

static void check_rr_tree(const struct gb_scan *s)
{
	gbt_assert_file_matches(s, "iso9660", "/a.txt", "src/a.txt");
	gbt_assert_file_matches(s, "iso9660", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "iso9660", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_file_matches(s, "iso9660", "/hard", "src/dir/text.txt");
	gbt_assert_file_matches(s, "iso9660", "/" UNAME, "src/" UNAME);
	gbt_assert_mode(s, "iso9660", "/suid", 04755);
	gbt_assert_symlink(s, "iso9660", "/rel_link", "a.txt");
	gbt_assert_symlink(s, "iso9660", "/abs_link", "/etc/passwd");
	gbt_assert_type(s, "iso9660", "/dir/sub", GB_FT_DIR);
	gbt_assert_type(s, "iso9660", "/empty", GB_FT_DIR);
	gbt_assert_type(s, "iso9660", "/fifo", GB_FT_FIFO);
	if (geteuid() != 0) {
		fprintf(stderr, "not root: no device node fixture\n");
		return;
	}
	gbt_assert_type(s, "iso9660", "/null", GB_FT_CHARDEV);
}

static void test_rockridge_joliet(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -R -J -o t.iso src");
	struct gb_scan *s = gbt_scan("t.iso", "out");
	iso_node_ok(s, "rockridge+joliet", 0, file_size("t.iso"));
	check_rr_tree(s);
	gb_scan_free(s);
}

static void test_rockridge(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -R -o t.iso src");
	struct gb_scan *s = gbt_scan("t.iso", "out");
	iso_node_ok(s, "rockridge", 0, file_size("t.iso"));
	check_rr_tree(s);
	gb_scan_free(s);
}

/* Joliet only: UTF-16 names, no POSIX metadata. */
static void test_joliet(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -J -o t.iso src 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.iso", "out");
	iso_node_ok(s, "joliet", 0, file_size("t.iso"));
	gbt_assert_file_matches(s, "iso9660", "/a.txt", "src/a.txt");
	gbt_assert_file_matches(s, "iso9660", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "iso9660", "/" UNAME, "src/" UNAME);
	gb_scan_free(s);
}

/* Plain ISO 9660: 8.3 upper-case names. */
static void test_plain(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -o t.iso src 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.iso", "out");
	iso_node_ok(s, "iso9660", 0, file_size("t.iso"));
	gbt_assert_file_matches(s, "iso9660", "/A.TXT", "src/a.txt");
	gbt_assert_file_matches(s, "iso9660", "/DIR/SUB/BLOB.BIN", "src/dir/sub/blob.bin");
	gb_scan_free(s);
}

static void test_carved(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -R -J -o t.iso src && head -c 4321 /dev/urandom > blob"
	       " && cat t.iso >> blob && head -c 5000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	iso_node_ok(s, "rockridge+joliet", 4321, file_size("t.iso"));
	check_rr_tree(s);
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -R -J -o t.iso src && head -c 150000 t.iso > cut.iso");
	struct gb_scan *s = gbt_scan("cut.iso", "out");
	const struct gb_node *n = gbt_node(s, "iso9660");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	assert_int_equal(n->size, 150000);
	gb_scan_free(s);
}

/* The primary descriptor's big-endian volume size disagrees: not claimed. */
static void test_corrupt_pvd(void **state)
{
	if (!gbt_have_tool("genisoimage"))
		skip();
	make_tree();
	gbt_sh("genisoimage -quiet -R -o t.iso src"
	       " && printf 'Z' | dd of=t.iso bs=1 seek=$((0x8000 + 87)) conv=notrunc 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.iso", "out");
	assert_null(gbt_node(s, "iso9660"));
	gb_scan_free(s);
}

static void put32both(uint8_t *f, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		f[i] = (uint8_t)(v >> (8 * i));
		f[7 - i] = (uint8_t)(v >> (8 * i));
	}
}

static void put16both(uint8_t *f, uint16_t v)
{
	f[0] = f[3] = (uint8_t)v;
	f[1] = f[2] = (uint8_t)(v >> 8);
}

/* 16 system sectors, a PVD, a terminator, a root directory sector. */
static void build_iso(uint8_t *b, uint32_t sectors)
{
	uint8_t *pvd = b + 16 * 2048, *term = b + 17 * 2048;

	memset(b, 0, 19 * 2048);
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	pvd[6] = 1;
	put32both(pvd + 80, sectors);
	put16both(pvd + 120, 1);
	put16both(pvd + 124, 1);
	put16both(pvd + 128, 2048);
	pvd[156] = 34;
	put32both(pvd + 158, 18);
	put32both(pvd + 166, 2048);
	pvd[881] = 1;
	term[0] = 255;
	memcpy(term + 1, "CD001", 5);
	term[6] = 1;
}

static void test_probe_handmade(void **state)
{
	static uint8_t buf[24 * 2048];
	struct gb_probe p;
	struct gb_span in = gb_span_make(buf, sizeof(buf));

	build_iso(buf, 20);
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), 0);
	assert_int_equal(p.size, 20 * 2048);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "iso9660");

	/* larger than the input: claims the rest */
	build_iso(buf, 1000);
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf));
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* 512-byte blocks, a root outside the volume, no terminator */
	build_iso(buf, 20);
	put16both(buf + 16 * 2048 + 128, 512);
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), -GB_ENOTFOUND);
	build_iso(buf, 20);
	put32both(buf + 16 * 2048 + 158, 20);
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), -GB_ENOTFOUND);
	build_iso(buf, 20);
	buf[17 * 2048] = 2;
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), -GB_ENOTFOUND);
	/* cut inside the descriptors */
	build_iso(buf, 20);
	in = gb_span_make(buf, 17 * 2048 + 100);
	assert_int_equal(gb__fmt_iso9660.probe(&in, &p), -GB_ENOTFOUND);
}

/* each test in a fresh temporary directory */
#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rockridge_joliet),
		T(test_rockridge),
		T(test_joliet),
		T(test_plain),
		T(test_carved),
		T(test_truncated),
		T(test_corrupt_pvd),
		cmocka_unit_test(test_probe_handmade),
	};
	return cmocka_run_group_tests_name("fmt_iso9660", tests, NULL, NULL);
}
