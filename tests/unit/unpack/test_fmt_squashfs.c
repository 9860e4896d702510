/* squashfs: images made by mksquashfs (squashfs-tools) with every compressor
 * and by gensquashfs (squashfs-tools-ng), hand-built superblocks for probe,
 * and hostile images (truncated, corrupt superblock, corrupt data). The oracle
 * is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_squashfs;

static void make_tree(void)
{
	if (access("src", F_OK) == 0)
		return;
	gbt_sh("mkdir -p src/bin src/etc src/deep/a/b/c src/emptydir"
	       " && printf '#!/bin/sh\\necho hi\\n' > src/bin/suid && chmod 4755 src/bin/suid"
	       " && printf 'x\\n' > src/bin/sgid && chmod 2711 src/bin/sgid"
	       " && chmod 1777 src/emptydir"
	       " && ln -s /etc/passwd src/etc/abs && ln -s ../bin/suid src/etc/rel"
	       " && ln -s does/not/exist src/dangling"
	       " && mkfifo src/fifo && : > src/empty"
	       " && head -c 3145728 /dev/urandom > src/big && ln src/big src/hardbig"
	       " && head -c 131072 /dev/urandom > src/block"
	       " && seq 1 100000 > src/text"
	       " && truncate -s 1048576 src/sparse && printf 'tail' >> src/sparse"
	       " && printf 'middle' | dd of=src/sparse bs=1 seek=400000 conv=notrunc status=none"
	       " && for i in $(seq 1 12); do echo file $i > src/deep/a/b/c/f$i; done"
	       " && printf 'owned' > src/owned");
	if (geteuid() == 0)
		gbt_sh("chown 1234:5678 src/owned && mknod src/null c 1 3 && mknod src/sda b 8 0"
		       " && mknod src/big_dev c 300 70000");
	/* the slow compressors (xz, lzma) get the tree without the 3 MiB file */
	gbt_sh("cp -a src srcs && rm srcs/big srcs/hardbig");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static const struct gb_file *need(const struct gb_scan *s, const char *path, enum gb_ftype t)
{
	const struct gb_file *f = gbt_file(s, "squashfs", path);
	if (!f)
		fprintf(stderr, "missing %s\n", path);
	assert_non_null(f);
	assert_int_equal(f->type, t);
	return f;
}

/* Compare the scan with the source tree `dir` ("src" or "srcs"). */
static void check_tree(const struct gb_scan *s, const char *dir)
{
	static const char *const files[] = {"bin/suid", "bin/sgid", "block", "text", "sparse",
					    "empty", "owned"};
	const struct gb_file *f;
	char p[64], src[64];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "/%s", files[i]);
		snprintf(src, sizeof(src), "%s/%s", dir, files[i]);
		gbt_assert_file_matches(s, "squashfs", p, src);
	}
	if (strcmp(dir, "src") == 0) {
		gbt_assert_file_matches(s, "squashfs", "/big", "src/big");
		gbt_assert_file_matches(s, "squashfs", "/hardbig", "src/big");
	}
	for (int i = 1; i <= 12; i++) {
		snprintf(p, sizeof(p), "/deep/a/b/c/f%d", i);
		snprintf(src, sizeof(src), "%s/deep/a/b/c/f%d", dir, i);
		gbt_assert_file_matches(s, "squashfs", p, src);
	}
	f = need(s, "/bin/suid", GB_FT_FILE);
	assert_int_equal(f->mode, 04755);
	f = need(s, "/bin/sgid", GB_FT_FILE);
	assert_int_equal(f->mode, 02711);
	f = need(s, "/emptydir", GB_FT_DIR);
	assert_int_equal(f->mode, 01777);
	need(s, "/deep/a/b", GB_FT_DIR);
	f = need(s, "/etc/abs", GB_FT_SYMLINK);
	assert_string_equal(f->target, "/etc/passwd");
	f = need(s, "/etc/rel", GB_FT_SYMLINK);
	assert_string_equal(f->target, "../bin/suid");
	f = need(s, "/dangling", GB_FT_SYMLINK);
	assert_string_equal(f->target, "does/not/exist");
	need(s, "/fifo", GB_FT_FIFO);
	if (geteuid() != 0) {
		fprintf(stderr, "not root: no device node fixtures\n");
		return;
	}
	f = need(s, "/owned", GB_FT_FILE);
	assert_int_equal(f->uid, 1234);
	assert_int_equal(f->gid, 5678);
	f = need(s, "/null", GB_FT_CHARDEV);
	assert_int_equal(f->major, 1);
	assert_int_equal(f->minor, 3);
	f = need(s, "/sda", GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 8);
	assert_int_equal(f->minor, 0);
	f = need(s, "/big_dev", GB_FT_CHARDEV);
	assert_int_equal(f->major, 300);
	assert_int_equal(f->minor, 70000);
}

static void scan_ok(const char *img, const char *variant, const char *dir)
{
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = gbt_node(s, "squashfs");

	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "squashfs node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->size, file_size(img));
	check_tree(s, dir);
	gb_scan_free(s);
}

static void one_comp(const char *comp)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	const char *dir = strcmp(comp, "xz") && strcmp(comp, "lzma") ? "src" : "srcs";

	make_tree();
	gbt_sh("rm -f t.sqfs && mksquashfs %s t.sqfs -comp %s -noappend -quiet -no-progress"
	       " >/dev/null", dir, comp);
	scan_ok("t.sqfs", comp, dir);
}

static void test_gzip(void **state) { one_comp("gzip"); }
static void test_lzo(void **state) { one_comp("lzo"); }
static void test_xz(void **state) { one_comp("xz"); }
static void test_lz4(void **state) { one_comp("lz4"); }
static void test_zstd(void **state) { one_comp("zstd"); }

static void test_lzma(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	make_tree();
	if (gbt_sh_status("mksquashfs -help 2>&1 | grep -qw lzma") == 0) {
		one_comp("lzma");
		return;
	}
	if (!gbt_have_tool("gensquashfs"))
		skip();
	gbt_sh("rm -f t.sqfs && gensquashfs -q -k -D srcs -c lzma t.sqfs");
	scan_ok("t.sqfs", "lzma", "srcs");
}

/* squashfs-tools-ng writes differently (block size, fragment layout, no
 * padding by default). Also small blocks and uncompressed metadata. */
static void test_gensquashfs(void **state)
{
	if (!gbt_have_tool("gensquashfs"))
		skip();
	make_tree();
	gbt_sh("rm -f g.sqfs && gensquashfs -q -k -D srcs -c xz -b 4096 g.sqfs");
	scan_ok("g.sqfs", "xz", "srcs");
}

static void test_uncompressed(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	make_tree();
	gbt_sh("rm -f u.sqfs && mksquashfs src u.sqfs -noI -noD -noF -noX -b 1M -noappend"
	       " -quiet -no-progress >/dev/null");
	scan_ok("u.sqfs", "gzip", "src");
}

/* A squashfs carved from a firmware blob, followed by more data. */
static void test_carved(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	make_tree();
	gbt_sh("rm -f t.sqfs && mksquashfs src t.sqfs -comp zstd -noappend -quiet -no-progress"
	       " >/dev/null && head -c 8192 /dev/urandom > blob && cat t.sqfs >> blob"
	       " && head -c 5000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 8192);
	assert_int_equal(n->size, file_size("t.sqfs"));
	gbt_assert_file_matches(s, "squashfs", "/big", "src/big");
	gb_scan_free(s);
}

/* A 96-byte superblock and a little room, filled by hand. */
static void put_super(uint8_t *b, const char *magic, uint16_t comp, uint32_t bs, uint16_t blog)
{
	memset(b, 0, 8192);
	memcpy(b, magic, 4);
	b[4] = 5;               /* inode_count */
	memcpy(b + 12, &bs, 4); /* block_size (little-endian host) */
	memcpy(b + 20, &comp, 2);
	memcpy(b + 22, &blog, 2);
	b[26] = 1; /* id_count */
	b[28] = 4; /* version 4.0 */
	/* root_inode_ref 0, bytes_used 4000 */
	b[40] = 4000 & 0xff;
	b[41] = 4000 >> 8;
	b[48] = 3000 & 0xff; /* id_table_start 3000 */
	b[49] = 3000 >> 8;
	memset(b + 56, 0xff, 8); /* no xattrs */
	b[64] = 1000 & 0xff;     /* inode_table_start 1000 */
	b[65] = 1000 >> 8;
	b[72] = 2000 & 0xff; /* directory_table_start 2000 */
	b[73] = 2000 >> 8;
	memset(b + 80, 0xff, 8); /* no fragments */
	memset(b + 88, 0xff, 8); /* no export table */
	b[1000] = 0x20;          /* inode metadata block: 32 bytes, uncompressed */
	b[1001] = 0x80;
}

static void test_probe_handmade(void **state)
{
	static uint8_t buf[8192];
	struct gb_probe p;
	struct gb_span in = gb_span_make(buf, sizeof(buf));

	put_super(buf, "hsqs", 4, 131072, 17);
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_int_equal(p.size, 4096); /* bytes_used padded to 4 KiB: zeros present */
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "xz");

	buf[4090] = 1; /* padding not zero: only bytes_used */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_int_equal(p.size, 4000);

	in = gb_span_make(buf, 3500); /* truncated: what there is */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_int_equal(p.size, 3500);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	in = gb_span_make(buf, sizeof(buf));

	put_super(buf, "hsqs", 4, 131072, 16); /* block_log does not match */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf, "hsqs", 4, 3 << 16, 17); /* not a power of two */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	/* A 4.0 superblock whose other fields are wrong is claimed as a broken
	 * squashfs (only its 96 bytes; unpack says what is wrong), so that a
	 * corrupt image is an error in the report, not silently skipped. */
	put_super(buf, "hsqs", 7, 131072, 17); /* unknown compressor */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "corrupt");
	assert_int_equal(p.size, 96);
	put_super(buf, "hsqs", 1, 131072, 17);
	buf[28] = 3; /* squashfs 3.x */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf, "hsqs", 1, 131072, 17);
	buf[49] = 0x20; /* id table past bytes_used */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "corrupt");
	put_super(buf, "hsqs", 1, 131072, 17);
	buf[35] = 0x10; /* root inode ref past the inode table */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "corrupt");
	put_super(buf, "hsqs", 1, 131072, 17);
	buf[1001] = 0x7f; /* first inode block header: 32 KiB */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf, "hsqs", 1, 131072, 17);
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	in = gb_span_make(buf, 50); /* shorter than the superblock */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
}

/* Big-endian squashfs 4 (AVM): probed in its byte order and walked; this
 * hand-made one has empty tables, so unpack fails on the id table.
 * (The real AVM sample is extracted by tests/e2e/test_real.py.) */
static void test_big_endian(void **state)
{
	static uint8_t buf[8192], be[8192];

	put_super(buf, "hsqs", 1, 131072, 17);
	memcpy(be, buf, sizeof(be));
	/* byte-swap every field of the superblock */
	static const int w[] = {4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 8, 8, 8, 8, 8, 8, 8, 8};
	for (int i = 0, o = 0; i < (int)(sizeof(w) / sizeof(w[0])); o += w[i++])
		for (int k = 0; k < w[i]; k++)
			be[o + k] = buf[o + w[i] - 1 - k];
	memcpy(be, "sqsh", 4);
	be[1000] = 0x80; /* metadata header, big-endian */
	be[1001] = 0x20;
	struct gb_span in = gb_span_make(be, sizeof(be));
	struct gb_probe p;
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "be-gzip");

	gbt_write_file("be.img", be, sizeof(be));
	struct gb_scan *s = gbt_scan("be.img", "out");
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	assert_non_null(n->error);
	assert_non_null(strstr(n->error, "unreadable"));
	gb_scan_free(s);
}

/* AVM's big-endian squashfs 4 (u16 metadata headers left little-endian):
 * the same files as AVM's little-endian sample, which Debian's unsquashfs
 * extracts as the oracle. Both are FACT test files (tests/data/SOURCES.md). */
static void test_avm_big_endian(void **state)
{
	const char *root = getenv("GB_SOURCE_ROOT");
	static const char *const files[] = {"testfile1", "testfile2", "generic folder/test file 3_.txt"};

	if (!gbt_have_tool("unsquashfs"))
		skip();
	gbt_sh("cp '%s/tests/data/squashfs/avm-be.sqfs4' be.sqfs && "
	       "rm -rf avm && unsquashfs -q -n -d avm '%s/tests/data/squashfs/avm-le.sqfs4' >/dev/null",
	       root ? root : "../..", root ? root : "../..");
	struct gb_scan *s = gbt_scan("be.sqfs", "out");
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "be-xz");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char fs[300], disk[300];

		snprintf(fs, sizeof(fs), "/%s", files[i]);
		snprintf(disk, sizeof(disk), "avm/%s", files[i]);
		gbt_assert_file_matches(s, "squashfs", fs, disk);
	}
	gbt_assert_type(s, "squashfs", "/generic folder", GB_FT_DIR);
	assert_int_equal(gbt_count_files(s, n->id), 4);
	gb_scan_free(s);
}

static void make_image(void)
{
	make_tree();
	if (access("h.sqfs", F_OK) != 0)
		gbt_sh("mksquashfs src h.sqfs -comp gzip -noappend -quiet -no-progress >/dev/null");
}

static void expect_failed(const char *img)
{
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = gbt_node(s, "squashfs");

	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "%s: %s\n", img, n->error);
	assert_true(n->status == GB_STATUS_ERROR || n->status == GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	make_image();
	gbt_sh("head -c $(( $(stat -c %%s h.sqfs) / 2 )) h.sqfs > half.sqfs");
	expect_failed("half.sqfs");
	/* only the metadata tables cut off */
	gbt_sh("head -c $(( $(stat -c %%s h.sqfs) - 6000 )) h.sqfs > tail.sqfs");
	expect_failed("tail.sqfs");
}

/* Patch `n` bytes at `off` of a copy of h.sqfs with a little-endian value. */
static void patch(const char *out, unsigned off, unsigned n, unsigned long long v)
{
	gbt_sh("cp h.sqfs %s && python3 -c \"import sys; f=open('%s','r+b'); f.seek(%u);"
	       " f.write((%llu).to_bytes(%u,'little'))\"", out, out, off, v, n);
}

static void test_corrupt_super(void **state)
{
	if (!gbt_have_tool("mksquashfs") || !gbt_have_tool("python3"))
		skip();
	make_image();
	/* huge bytes_used: taken as truncated, everything still read */
	patch("c1.sqfs", 40, 8, 1ULL << 40);
	expect_failed("c1.sqfs");
	/* huge inode and fragment counts: no allocation follows them */
	patch("c2.sqfs", 4, 4, 0xffffffffULL);
	gbt_sh("python3 -c \"f=open('c2.sqfs','r+b'); f.seek(16); f.write(b'\\xff'*4)\"");
	struct gb_scan *s = gbt_scan("c2.sqfs", "out");
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	gbt_assert_file_matches(s, "squashfs", "/big", "src/big");
	gb_scan_free(s);
	/* id table pointer out of the image */
	gbt_sh("cp h.sqfs c3.sqfs && python3 -c \"import struct; f=open('c3.sqfs','r+b');"
	       " f.seek(48); t=struct.unpack('<Q', f.read(8))[0]; f.seek(t);"
	       " f.write(struct.pack('<Q', 1 << 50))\"");
	expect_failed("c3.sqfs");
	/* root inode reference into garbage */
	gbt_sh("cp h.sqfs c4.sqfs && python3 -c \"import struct; f=open('c4.sqfs','r+b');"
	       " f.seek(64); t=struct.unpack('<Q', f.read(8))[0]; f.seek(t+2);"
	       " f.write(b'\\xee'*64)\"");
	expect_failed("c4.sqfs");
	/* an inconsistent block size: not a squashfs any more */
	patch("c5.sqfs", 22, 2, 12);
	s = gbt_scan("c5.sqfs", "out");
	assert_null(gbt_node(s, "squashfs"));
	gb_scan_free(s);
}

/* Garbage over the first data blocks: that file is incomplete, the rest is
 * extracted and the node is partial. */
static void test_corrupt_data(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	gbt_sh("mkdir -p d && seq 1 400000 > d/a.txt && seq 5 300000 > d/b.txt"
	       " && mksquashfs d d.sqfs -comp gzip -noappend -quiet -no-progress >/dev/null"
	       " && printf '%%02000d' 0 | tr 0 Z | dd of=d.sqfs bs=1 seek=300 conv=notrunc"
	       " status=none");
	struct gb_scan *s = gbt_scan("d.sqfs", "out");
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	assert_non_null(strstr(n->error, "a.txt"));
	const struct gb_file *f = gbt_file(s, "squashfs", "/a.txt");
	assert_non_null(f);
	assert_true(f->incomplete);
	gbt_assert_file_matches(s, "squashfs", "/b.txt", "d/b.txt");
	gb_scan_free(s);
}

/* The entry limit stops the walk with a diagnostic. */
static void test_entry_limit(void **state)
{
	if (!gbt_have_tool("mksquashfs"))
		skip();
	make_image();
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_entries = 10;
	struct gb_scan *s = gbt_scan_limits("h.sqfs", "out", &lim);
	const struct gb_node *n = gbt_node(s, "squashfs");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_true(n->n_entries <= 10);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_handmade), cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_avm_big_endian),
		cmocka_unit_test(test_gzip),           cmocka_unit_test(test_lzo),
		cmocka_unit_test(test_xz),             cmocka_unit_test(test_lz4),
		cmocka_unit_test(test_zstd),           cmocka_unit_test(test_lzma),
		cmocka_unit_test(test_gensquashfs),    cmocka_unit_test(test_uncompressed),
		cmocka_unit_test(test_carved),         cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_super),  cmocka_unit_test(test_corrupt_data),
		cmocka_unit_test(test_entry_limit),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
