/* extfs: ext2, ext3 and ext4 images made by mke2fs -d (e2fsprogs), with
 * block maps, extents and inline data, hand-built superblocks for probe, and
 * hostile images (truncated, corrupt superblock, corrupt metadata). The
 * oracle is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_extfs;

#define LONG_TARGET "a-symlink-target-longer-than-sixty-bytes-so-it-is-not-a-fast-symlink/x"

static void make_tree(void)
{
	if (access("src", F_OK) == 0)
		return;
	gbt_sh("mkdir -p src/bin src/etc src/deep/a/b/c src/emptydir"
	       " && printf '#!/bin/sh\\necho hi\\n' > src/bin/suid && chmod 4755 src/bin/suid"
	       " && printf 'x\\n' > src/bin/sgid && chmod 2711 src/bin/sgid"
	       " && chmod 1777 src/emptydir"
	       " && ln -s /etc/passwd src/etc/abs && ln -s ../bin/suid src/etc/rel"
	       " && ln -s does/not/exist src/dangling && ln -s " LONG_TARGET " src/longlink"
	       " && mkfifo src/fifo && : > src/empty"
	       " && head -c 3145728 /dev/urandom > src/big && ln src/big src/hardbig"
	       " && head -c 4096 /dev/urandom > src/block"
	       " && seq 1 100000 > src/text"
	       " && truncate -s 1048576 src/sparse && printf 'tail' >> src/sparse"
	       " && printf 'middle' | dd of=src/sparse bs=1 seek=400000 conv=notrunc status=none"
	       " && for i in $(seq 1 12); do echo file $i > src/deep/a/b/c/f$i; done"
	       " && printf 'owned' > src/owned");
	if (geteuid() == 0)
		gbt_sh("chown 1234:5678 src/owned && mknod src/null c 1 3 && mknod src/sda b 8 0"
		       " && mknod src/big_dev c 300 70000");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static const struct gb_file *need(const struct gb_scan *s, const char *path, enum gb_ftype t)
{
	const struct gb_file *f = gbt_file(s, "extfs", path);
	if (!f)
		fprintf(stderr, "missing %s\n", path);
	assert_non_null(f);
	assert_int_equal(f->type, t);
	return f;
}

static void check_tree(const struct gb_scan *s)
{
	static const char *const files[] = {"bin/suid", "bin/sgid", "block", "text", "sparse",
					    "empty", "owned", "big"};
	const struct gb_file *f;
	char p[64], src[64];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "/%s", files[i]);
		snprintf(src, sizeof(src), "src/%s", files[i]);
		gbt_assert_file_matches(s, "extfs", p, src);
	}
	for (int i = 1; i <= 12; i++) {
		snprintf(p, sizeof(p), "/deep/a/b/c/f%d", i);
		snprintf(src, sizeof(src), "src/deep/a/b/c/f%d", i);
		gbt_assert_file_matches(s, "extfs", p, src);
	}
	/* the second name of the 3 MiB file is a hard link to the first one
	 * met by the walk (either name) */
	const struct gb_file *h1 = gbt_file(s, "extfs", "/big");
	const struct gb_file *h2 = gbt_file(s, "extfs", "/hardbig");
	assert_non_null(h1);
	assert_non_null(h2);
	assert_true(h1->type == GB_FT_HARDLINK || h2->type == GB_FT_HARDLINK);
	gbt_assert_file_matches(s, "extfs", "/hardbig", "src/big");
	f = h1->type == GB_FT_HARDLINK ? h1 : h2;
	assert_non_null(f->target);
	assert_string_equal(f->target, f == h1 ? "/hardbig" : "/big");

	f = need(s, "/bin/suid", GB_FT_FILE);
	assert_int_equal(f->mode, 04755);
	f = need(s, "/bin/sgid", GB_FT_FILE);
	assert_int_equal(f->mode, 02711);
	f = need(s, "/emptydir", GB_FT_DIR);
	assert_int_equal(f->mode, 01777);
	need(s, "/deep/a/b", GB_FT_DIR);
	need(s, "/lost+found", GB_FT_DIR);
	f = need(s, "/etc/abs", GB_FT_SYMLINK);
	assert_string_equal(f->target, "/etc/passwd");
	f = need(s, "/etc/rel", GB_FT_SYMLINK);
	assert_string_equal(f->target, "../bin/suid");
	f = need(s, "/dangling", GB_FT_SYMLINK);
	assert_string_equal(f->target, "does/not/exist");
	f = need(s, "/longlink", GB_FT_SYMLINK);
	assert_string_equal(f->target, LONG_TARGET);
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

static void scan_ok(const char *img, const char *variant)
{
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = gbt_node(s, "extfs");

	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "extfs node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->size, file_size(img));
	check_tree(s);
	gb_scan_free(s);
}

static void one_fs(const char *type, const char *opts, const char *variant)
{
	if (!gbt_have_tool("mke2fs"))
		skip();
	make_tree();
	gbt_sh("rm -f t.img && mke2fs -q -F -t %s %s -d src t.img 12M", type, opts);
	scan_ok("t.img", variant);
}

/* 1 KiB blocks: the 3 MiB file goes through double-indirect blocks */
static void test_ext2(void **state) { one_fs("ext2", "-b 1024", "ext2"); }
static void test_ext3(void **state) { one_fs("ext3", "-b 4096", "ext3"); }
static void test_ext4(void **state) { one_fs("ext4", "", "ext4"); }
static void test_ext4_inline(void **state) { one_fs("ext4", "-O inline_data", "ext4"); }
static void test_ext4_bigalloc(void **state)
{
	one_fs("ext4", "-O bigalloc -C 16384", "ext4");
}

/* An ext4 image carved out of a blob. */
static void test_carved(void **state)
{
	if (!gbt_have_tool("mke2fs"))
		skip();
	make_tree();
	gbt_sh("rm -f t.img && mke2fs -q -F -t ext4 -d src t.img 12M"
	       " && head -c 65536 /dev/urandom > blob && cat t.img >> blob"
	       " && head -c 3000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *n = gbt_node(s, "extfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 65536);
	assert_int_equal(n->size, file_size("t.img"));
	gbt_assert_file_matches(s, "extfs", "/hardbig", "src/big");
	gb_scan_free(s);
}

/* A superblock by hand: 1 KiB blocks, 8192 blocks, one group. */
static void put_super(uint8_t *b)
{
	uint8_t *sb = b + 1024;

	memset(b, 0, 4096);
	sb[0] = 0x00; /* s_inodes_count 2048 */
	sb[1] = 0x08;
	sb[4] = 0x00; /* s_blocks_count 8192 */
	sb[5] = 0x20;
	sb[20] = 1;   /* s_first_data_block */
	sb[32] = 0x00; /* s_blocks_per_group 8192 */
	sb[33] = 0x20;
	sb[36] = 0x00; /* s_clusters_per_group */
	sb[37] = 0x20;
	sb[40] = 0x00; /* s_inodes_per_group 2048 */
	sb[41] = 0x08;
	sb[56] = 0x53; /* s_magic */
	sb[57] = 0xef;
	sb[76] = 1;   /* s_rev_level */
	sb[84] = 11;  /* s_first_ino */
	sb[88] = 128; /* s_inode_size */
}

static void test_probe_handmade(void **state)
{
	static uint8_t buf[4096];
	struct gb_probe p;
	struct gb_span in = gb_span_make(buf, sizeof(buf));

	put_super(buf);
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf)); /* 8 MiB declared, 4 KiB here */
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	assert_string_equal(p.variant, "ext2");
	buf[1024 + 92] = 4; /* has_journal */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "ext3");
	buf[1024 + 96] = 0x40; /* extents */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), 0);
	assert_string_equal(p.variant, "ext4");

	put_super(buf);
	buf[1024 + 24] = 7; /* 128 KiB blocks */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	buf[1024 + 1] = 0x09; /* inodes count != groups * inodes per group */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	buf[1024 + 20] = 0; /* first data block 0 with 1 KiB blocks */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	buf[1024 + 76] = 2; /* unknown revision */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	buf[1024 + 88] = 100; /* inode size not a power of two */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	buf[1024 + 34] = 1; /* more blocks per group than one bitmap block maps */
	buf[1024 + 6] = 1;
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
	put_super(buf);
	in = gb_span_make(buf, 1500); /* the superblock is cut */
	assert_int_equal(gb__fmt_extfs.probe(&in, &p), -GB_ENOTFOUND);
}

static void make_image(void)
{
	make_tree();
	if (access("h.img", F_OK) != 0)
		gbt_sh("mke2fs -q -F -t ext4 -b 4096 -d src h.img 12M");
}

static void expect_failed(const char *img)
{
	struct gb_scan *s = gbt_scan(img, "out");
	const struct gb_node *n = gbt_node(s, "extfs");

	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "%s: %s\n", img, n->error);
	assert_true(n->status == GB_STATUS_ERROR || n->status == GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("mke2fs"))
		skip();
	make_image();
	gbt_sh("head -c $(( $(stat -c %%s h.img) / 3 )) h.img > third.img");
	expect_failed("third.img");
	gbt_sh("head -c 3000 h.img > tiny.img");
	expect_failed("tiny.img");
}

/* Patch `n` bytes at `off` of a copy of h.img with a little-endian value. */
static void patch(const char *out, unsigned off, unsigned n, unsigned long long v)
{
	gbt_sh("cp h.img %s && python3 -c \"f=open('%s','r+b'); f.seek(%u);"
	       " f.write((%llu).to_bytes(%u,'little'))\"", out, out, off, v, n);
}

static void test_corrupt_super(void **state)
{
	if (!gbt_have_tool("mke2fs") || !gbt_have_tool("python3"))
		skip();
	make_image();
	/* s_blocks_count_lo huge: groups * inodes_per_group no longer match */
	patch("c1.img", 1024 + 4, 4, 0xfffffff0ULL);
	struct gb_scan *s = gbt_scan("c1.img", "out");
	assert_null(gbt_node(s, "extfs"));
	gb_scan_free(s);
	/* huge counts that stay consistent (one inode per group, 2^32 blocks):
	 * the group descriptors cannot be in the image, none is allocated */
	gbt_sh("cp h.img c2.img && python3 -c \"import struct; f=open('c2.img','r+b');"
	       " f.seek(1024); sb=bytearray(f.read(1024)); bpg=struct.unpack_from('<I', sb, 32)[0];"
	       " g=0xffffffff // bpg; struct.pack_into('<III', sb, 0, g, g * bpg, 0);"
	       " struct.pack_into('<I', sb, 40, 1); f.seek(1024); f.write(sb)\"");
	s = gbt_scan("c2.img", "out");
	const struct gb_node *n = gbt_node(s, "extfs");
	if (n) {
		fprintf(stderr, "c2.img: %s\n", n->error ? n->error : "(no error)");
		assert_int_not_equal(n->status, GB_STATUS_OK);
	}
	gb_scan_free(s);
	/* the root directory's inode zeroed: nothing to list */
	gbt_sh("cp h.img c3.img && python3 -c \""
	       "import struct; f=open('c3.img','r+b'); f.seek(1024); sb=f.read(1024);"
	       " bs=1024 << struct.unpack_from('<I', sb, 24)[0];"
	       " isz=struct.unpack_from('<H', sb, 88)[0]; gd=(1 if bs == 1024 else 0) + 1;"
	       " f.seek(gd * bs); d=f.read(64); it=struct.unpack_from('<I', d, 8)[0];"
	       " f.seek(it * bs + isz); f.write(b'\\xff' * isz)\"");
	expect_failed("c3.img");
}

/* The directory blocks overwritten with garbage: the listing fails with a
 * diagnostic, nothing crashes. */
static void test_corrupt_dirs(void **state)
{
	if (!gbt_have_tool("mke2fs") || !gbt_have_tool("debugfs"))
		skip();
	make_image();
	gbt_sh("cp h.img c4.img && for d in / /deep /deep/a; do"
	       " b=$(debugfs -R \"bmap $d 0\" h.img 2>/dev/null);"
	       " printf '%%04096d' 0 | tr 0 '\\377' | dd of=c4.img bs=4096 seek=$b conv=notrunc"
	       " status=none; done");
	expect_failed("c4.img");
}

/* A directory hard-linked into itself (debugfs link): the walk notices the
 * loop and goes on. */
static void test_dir_loop(void **state)
{
	if (!gbt_have_tool("mke2fs") || !gbt_have_tool("debugfs"))
		skip();
	make_image();
	gbt_sh("cp h.img c5.img && debugfs -w -R 'link /deep /deep/a/loop' c5.img 2>/dev/null");
	struct gb_scan *s = gbt_scan("c5.img", "out");
	const struct gb_node *n = gbt_node(s, "extfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "loop"));
	need(s, "/deep/a/loop", GB_FT_DIR);
	gbt_assert_file_matches(s, "extfs", "/deep/a/b/c/f3", "src/deep/a/b/c/f3");
	gb_scan_free(s);
}

static void test_entry_limit(void **state)
{
	if (!gbt_have_tool("mke2fs"))
		skip();
	make_image();
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_entries = 10;
	struct gb_scan *s = gbt_scan_limits("h.img", "out", &lim);
	const struct gb_node *n = gbt_node(s, "extfs");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_true(n->n_entries <= 10);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_handmade), cmocka_unit_test(test_ext2),
		cmocka_unit_test(test_ext3),           cmocka_unit_test(test_ext4),
		cmocka_unit_test(test_ext4_inline),    cmocka_unit_test(test_ext4_bigalloc),
		cmocka_unit_test(test_carved),         cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_super),  cmocka_unit_test(test_corrupt_dirs), cmocka_unit_test(test_dir_loop),
		cmocka_unit_test(test_entry_limit),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
