/* tar: archives made by GNU tar in each dialect (gnu, posix/pax, ustar, v7),
 * hand-built headers for probe, and hostile archives crafted with Python's
 * tarfile. The oracle is the source tree (sha256sum, stat) that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_tar;

#define LONG_DIR "a-directory-name-that-is-rather-long-on-purpose/" \
		 "and-another-one-that-pushes-past-one-hundred-bytes/"

/* src/: files, nested dirs, setuid, relative and absolute symlinks, a hard
 * link, a FIFO, a long name, and (as root) a character device. */
static void make_tree(bool fifo, bool longname)
{
	gbt_sh("mkdir -p src/dir/sub src/empty && printf 'hello\\n' > src/a.txt"
	       " && head -c 100000 /dev/urandom > src/dir/sub/blob.bin"
	       " && printf '#!/bin/sh\\n' > src/suid && chmod 4755 src/suid"
	       " && ln -s a.txt src/rel_link && ln -s /etc/passwd src/abs_link"
	       " && ln src/a.txt src/hard");
	if (fifo)
		gbt_sh("mkfifo src/fifo");
	if (longname)
		gbt_sh("mkdir -p 'src/" LONG_DIR "' && printf 'deep\\n' > 'src/" LONG_DIR "f.txt'");
	if (fifo && geteuid() == 0)
		gbt_sh("mknod src/null c 1 3");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static const struct gb_node *tar_node_ok(const struct gb_scan *s, const char *variant,
					 const char *image)
{
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "tar node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, 0);
	assert_int_equal(n->size, file_size(image));
	return n;
}

/* The common checks of a tree packed by make_tree(). */
static void check_tree(const struct gb_scan *s, bool fifo)
{
	const struct gb_file *f;

	gbt_assert_file_matches(s, "tar", "/a.txt", "src/a.txt");
	gbt_assert_file_matches(s, "tar", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "tar", "/hard", "src/a.txt");
	gbt_assert_mode(s, "tar", "/suid", 04755);
	gbt_assert_symlink(s, "tar", "/rel_link", "a.txt");
	gbt_assert_symlink(s, "tar", "/abs_link", "/etc/passwd");
	f = gbt_file(s, "tar", "/hard");
	assert_int_equal(f->type, GB_FT_HARDLINK);
	gbt_assert_type(s, "tar", "/dir/sub", GB_FT_DIR);
	gbt_assert_type(s, "tar", "/empty", GB_FT_DIR);
	if (!fifo)
		return;
	gbt_assert_type(s, "tar", "/fifo", GB_FT_FIFO);
	if (geteuid() == 0) {
		f = gbt_file(s, "tar", "/null");
		assert_non_null(f);
		assert_int_equal(f->type, GB_FT_CHARDEV);
		assert_int_equal(f->major, 1);
		assert_int_equal(f->minor, 3);
	} else {
		fprintf(stderr, "not root: no device node fixture\n");
	}
}

static void test_gnu(void **state)
{
	make_tree(true, true);
	gbt_sh("cd src && tar --format=gnu -cf ../t.tar *");
	struct gb_scan *s = gbt_scan("t.tar", "out");
	tar_node_ok(s, "gnu", "t.tar");
	check_tree(s, true);
	gbt_assert_file_matches(s, "tar", "/" LONG_DIR "f.txt", "src/" LONG_DIR "f.txt");
	gb_scan_free(s);
}

static void test_posix(void **state)
{
	make_tree(true, true);
	gbt_sh("cd src && tar --format=posix -cf ../t.tar *");
	struct gb_scan *s = gbt_scan("t.tar", "out");
	tar_node_ok(s, "pax", "t.tar");
	check_tree(s, true);
	gbt_assert_file_matches(s, "tar", "/" LONG_DIR "f.txt", "src/" LONG_DIR "f.txt");
	gb_scan_free(s);
}

static void test_ustar(void **state)
{
	make_tree(true, false);
	gbt_sh("cd src && tar --format=ustar -cf ../t.tar *");
	struct gb_scan *s = gbt_scan("t.tar", "out");
	tar_node_ok(s, "ustar", "t.tar");
	check_tree(s, true);
	gb_scan_free(s);
}

/* V7 headers have no magic to carve on: probe must still accept them (with a
 * valid checksum) when asked at the start of a file. */
static void test_v7(void **state)
{
	struct gb_probe p;
	size_t n;

	make_tree(false, false);
	gbt_sh("cd src && tar --format=v7 -cf ../t.tar *");
	uint8_t *buf = gbt_read_file("t.tar", &n);
	struct gb_span in = gb_span_make(buf, n);
	assert_int_equal(gb__fmt_tar.probe(&in, &p), 0);
	assert_string_equal(p.variant, "v7");
	assert_int_equal(p.size, n);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	/* one flipped name byte breaks the checksum: not a tar any more */
	buf[0] ^= 0x01;
	assert_int_equal(gb__fmt_tar.probe(&in, &p), -GB_ENOTFOUND);
	free(buf);
}

/* Sparse members: the holes come back as zeros, the size as declared. */
static void test_sparse(void **state)
{
	gbt_sh("mkdir -p src && truncate -s 3M src/sparse.bin"
	       " && printf 'middle'"
	       " | dd of=src/sparse.bin bs=1 seek=1048576 conv=notrunc 2>/dev/null"
	       " && printf 'end' | dd of=src/sparse.bin bs=1 seek=2097152 conv=notrunc 2>/dev/null"
	       " && cd src && tar --format=gnu -S -cf ../gnu.tar sparse.bin"
	       " && tar --format=posix -S -cf ../pax.tar sparse.bin");
	struct gb_scan *s = gbt_scan("gnu.tar", "out");
	tar_node_ok(s, "gnu", "gnu.tar");
	gbt_assert_file_matches(s, "tar", "/sparse.bin", "src/sparse.bin");
	gb_scan_free(s);
	s = gbt_scan("pax.tar", "out2");
	tar_node_ok(s, "pax", "pax.tar");
	gbt_assert_file_matches(s, "tar", "/sparse.bin", "src/sparse.bin");
	gb_scan_free(s);
}

/* A member declaring a terabyte of holes is stopped by the writer's limits,
 * not by the disk. */
static void test_sparse_terabyte(void **state)
{
	struct gb_limits lim;

	gbt_sh("mkdir -p src && truncate -s 1T src/huge && printf x | dd of=src/huge bs=1 seek=4096"
	       " conv=notrunc 2>/dev/null && cd src && tar --format=gnu -S -cf ../t.tar huge"
	       " && rm -f huge");
	gb_limits_default(&lim);
	lim.max_file_bytes = 1 << 20;
	struct gb_scan *s = gbt_scan_limits("t.tar", "out", &lim);
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	const struct gb_file *f = gbt_file(s, "tar", "/huge");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size <= lim.max_file_bytes);
	assert_non_null(n->error);
	gb_scan_free(s);
	/* default limits: the expansion ratio stops it */
	s = gbt_scan("t.tar", "out");
	f = gbt_file(s, "tar", "/huge");
	assert_non_null(f);
	assert_true(f->incomplete);
	assert_true(f->size < (1ULL << 30));
	gb_scan_free(s);
}

/* A tar carved from the middle of a blob, with data after it. */
static void test_carved(void **state)
{
	make_tree(false, false);
	gbt_sh("cd src && tar --format=gnu -cf ../t.tar a.txt dir && cd .."
	       " && head -c 1000 /dev/urandom > blob && cat t.tar >> blob"
	       " && head -c 3000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 1000);
	assert_int_equal(n->size, file_size("t.tar"));
	gbt_assert_file_matches(s, "tar", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gb_scan_free(s);
}

/* A hand-built ustar header, its checksum, and what probe makes of it. */
static void set_octal(uint8_t *f, size_t n, unsigned long v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%0*lo", (int)n - 1, v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = 0;
}

static void build_header(uint8_t *h, const char *name, uint64_t size)
{
	unsigned sum = 0;

	memset(h, 0, 512);
	strcpy((char *)h, name);
	set_octal(h + 100, 8, 0644);
	set_octal(h + 108, 8, 0);
	set_octal(h + 116, 8, 0);
	set_octal(h + 124, 12, size);
	set_octal(h + 136, 12, 1700000000);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	set_octal(h + 148, 7, sum);
	h[155] = ' ';
}

static void test_probe_handmade(void **state)
{
	uint8_t buf[512 * 6];
	struct gb_probe p;
	struct gb_span in;

	memset(buf, 0, sizeof(buf));
	build_header(buf, "hello.txt", 5);
	memcpy(buf + 512, "hello", 5);
	/* header, data block, two zero blocks, then a non-zero block */
	memset(buf + 512 * 4, 0xaa, 512);
	in = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_tar.probe(&in, &p), 0);
	assert_int_equal(p.size, 512 * 4);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "ustar");

	/* cut inside the data: claims what there is, lower confidence */
	in = gb_span_make(buf, 512 + 3);
	assert_int_equal(gb__fmt_tar.probe(&in, &p), 0);
	assert_int_equal(p.size, 512 + 3);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* bad checksum */
	buf[148] = '1';
	in = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_tar.probe(&in, &p), -GB_ENOTFOUND);

	/* a header shorter than a block, an all-zero block */
	build_header(buf, "hello.txt", 5);
	in = gb_span_make(buf, 300);
	assert_int_equal(gb__fmt_tar.probe(&in, &p), -GB_ENOTFOUND);
	memset(buf, 0, 512);
	in = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_tar.probe(&in, &p), -GB_ENOTFOUND);

	/* an absurd size (base-256, 2^62): truncated, claims the rest */
	build_header(buf, "huge", 0);
	memset(buf + 124, 0, 12);
	buf[124] = 0x80;
	buf[128] = 0x40;
	memset(buf + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += buf[i];
	set_octal(buf + 148, 7, sum);
	buf[155] = ' ';
	assert_int_equal(gb__fmt_tar.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf));
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
}

/* A wrong header checksum: the scan does not claim a tar at all. */
static void test_bad_checksum_not_claimed(void **state)
{
	make_tree(false, false);
	gbt_sh("cd src && tar --format=ustar -cf ../t.tar a.txt"
	       " && cd .. && printf 'B' | dd of=t.tar bs=1 seek=0 conv=notrunc 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.tar", "out");
	assert_null(gbt_node(s, "tar"));
	gb_scan_free(s);
}

/* Truncated inside a member: what came before is kept, the node says why. */
static void test_truncated(void **state)
{
	make_tree(false, false);
	gbt_sh("cd src && tar --format=gnu -cf ../t.tar a.txt dir/sub/blob.bin"
	       " && cd .. && head -c 60000 t.tar > cut.tar");
	struct gb_scan *s = gbt_scan("cut.tar", "out");
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gbt_assert_file_matches(s, "tar", "/a.txt", "src/a.txt");
	const struct gb_file *f = gbt_file(s, "tar", "/dir/sub/blob.bin");
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);
}

/* A damaged header in the middle: the members before it are extracted and
 * the node is partial. */
static void test_damaged_middle_header(void **state)
{
	make_tree(false, false);
	gbt_sh("cd src && tar --format=gnu -cf ../t.tar a.txt dir/sub/blob.bin"
	       " && cd .. && printf 'ZZ' | dd of=t.tar bs=1 seek=1024 conv=notrunc 2>/dev/null");
	struct gb_scan *s = gbt_scan("t.tar", "out");
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gbt_assert_file_matches(s, "tar", "/a.txt", "src/a.txt");
	gb_scan_free(s);
}

/* '../' and absolute member names, and a symlink followed by a member
 * through it: nothing lands outside the output directory. */
static void test_hostile_names(void **state)
{
	gbt_sh("mkdir -p a/b/c canary && python3 - <<'EOF'\n"
	       "import io, tarfile\n"
	       "t = tarfile.open('evil.tar', 'w', format=tarfile.GNU_FORMAT)\n"
	       "def add(name, data=b'pwned\\n', **kw):\n"
	       "    i = tarfile.TarInfo(name); i.size = len(data)\n"
	       "    for k, v in kw.items(): setattr(i, k, v)\n"
	       "    t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)\n"
	       "add('../../../../escape1.txt')\n"
	       "add('/tmp/../' + __import__('os').getcwd() + '/canary/escape2.txt')\n"
	       "add('ok/../../escape3.txt')\n"
	       "add('link', type=tarfile.SYMTYPE, linkname='../../../../canary', size=0)\n"
	       "add('link/escape4.txt')\n"
	       "add('good.txt', b'fine\\n')\n"
	       "t.close()\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("evil.tar", "a/b/c/out");
	const struct gb_node *n = gbt_node(s, "tar");
	assert_non_null(n);
	assert_non_null(gbt_file(s, "tar", "/good.txt"));
	gbt_assert_dir_empty("canary");
	gbt_sh("test -z \"$(find . -name 'escape*' -not -path './a/b/c/out/*')\"");
	gb_scan_free(s);
}

/* each test in a fresh temporary directory */
#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gnu),
		T(test_posix),
		T(test_ustar),
		T(test_v7),
		T(test_sparse),
		T(test_sparse_terabyte),
		T(test_carved),
		cmocka_unit_test(test_probe_handmade),
		T(test_bad_checksum_not_claimed),
		T(test_truncated),
		T(test_damaged_middle_header),
		T(test_hostile_names),
	};
	return cmocka_run_group_tests_name("fmt_tar", tests, NULL, NULL);
}
