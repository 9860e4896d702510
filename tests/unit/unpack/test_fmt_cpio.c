/* cpio: archives made by GNU cpio (newc, crc, odc), hand-built headers for
 * probe, and hostile archives written by a small Python newc writer. The
 * oracle is the source tree that was packed. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_cpio;

/* A Python newc writer, for gbt_sh (every %% doubled):
 * newc(path, [(name, mode, data, nlink, ino), ...]) */
#define PY_NEWC                                                                               \
	"def newc(path, members):\n"                                                          \
	"    out = b''\n"                                                                 \
	"    for (name, mode, data, nlink, ino) in members + [('TRAILER!!!', 0, b'', 1, 0)]:\n" \
	"        n = name.encode() + b'\\0'\n"                                             \
	"        h = b'070701' + b''.join(b'%%08x' %% v for v in (ino, mode, 0, 0, nlink, 0,\n" \
	"            len(data), 0, 0, 0, 0, len(n), 0))\n"                                 \
	"        out += h + n\n"                                                           \
	"        out += b'\\0' * (-len(out) %% 4) + data\n"                                 \
	"        out += b'\\0' * (-len(out) %% 4)\n"                                        \
	"    out += b'\\0' * (-len(out) %% 512)\n"                                          \
	"    open(path, 'wb').write(out)\n"

static void make_tree(void)
{
	gbt_sh("mkdir -p src/dir/sub src/empty && printf 'hello\\n' > src/a.txt"
	       " && head -c 100000 /dev/urandom > src/dir/sub/blob.bin"
	       " && printf '#!/bin/sh\\n' > src/suid && chmod 6755 src/suid"
	       " && ln -s a.txt src/rel_link && ln -s /etc/passwd src/abs_link"
	       " && ln src/dir/sub/blob.bin src/hard && ln src/dir/sub/blob.bin src/hard2"
	       " && : > src/zero && ln src/zero src/zero_link && mkfifo src/fifo");
	if (geteuid() == 0)
		gbt_sh("mknod src/null c 1 3 && mknod src/sda b 8 0");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void check_tree(const struct gb_scan *s)
{
	const struct gb_file *f;

	gbt_assert_file_matches(s, "cpio", "/a.txt", "src/a.txt");
	/* three links of one file: every one has the data */
	gbt_assert_file_matches(s, "cpio", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "cpio", "/hard", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "cpio", "/hard2", "src/dir/sub/blob.bin");
	gbt_assert_file_matches(s, "cpio", "/zero", "src/zero");
	gbt_assert_file_matches(s, "cpio", "/zero_link", "src/zero");
	gbt_assert_mode(s, "cpio", "/suid", 06755);
	gbt_assert_symlink(s, "cpio", "/rel_link", "a.txt");
	gbt_assert_symlink(s, "cpio", "/abs_link", "/etc/passwd");
	gbt_assert_type(s, "cpio", "/dir/sub", GB_FT_DIR);
	gbt_assert_type(s, "cpio", "/empty", GB_FT_DIR);
	gbt_assert_type(s, "cpio", "/fifo", GB_FT_FIFO);
	if (geteuid() != 0) {
		fprintf(stderr, "not root: no device node fixtures\n");
		return;
	}
	f = gbt_file(s, "cpio", "/null");
	assert_non_null(f);
	assert_int_equal(f->type, GB_FT_CHARDEV);
	assert_int_equal(f->major, 1);
	assert_int_equal(f->minor, 3);
	f = gbt_file(s, "cpio", "/sda");
	assert_non_null(f);
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 8);
	assert_int_equal(f->minor, 0);
}

static void one_format(const char *fmt, const char *variant)
{
	if (!gbt_have_tool("cpio"))
		skip();
	make_tree();
	gbt_sh("cd src && find * | cpio --quiet -o -H %s > ../t.cpio", fmt);
	struct gb_scan *s = gbt_scan("t.cpio", "out");
	const struct gb_node *n = gbt_node(s, "cpio");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "cpio node error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->size, file_size("t.cpio"));
	check_tree(s);
	gb_scan_free(s);
}

static void test_newc(void **state)
{
	one_format("newc", "newc");
}

static void test_crc(void **state)
{
	one_format("crc", "crc");
}

static void test_odc(void **state)
{
	one_format("odc", "odc");
}

static void test_bin(void **state)
{
	one_format("bin", "bin-le");
}

/* The old binary magic is two bytes: proposed at offset 0 only, never
 * carved from the middle of a blob. */
static void test_bin_not_carved(void **state)
{
	if (!gbt_have_tool("cpio"))
		skip();
	make_tree();
	gbt_sh("cd src && find * | cpio --quiet -o -H bin > ../t.cpio && cd .. && "
	       "head -c 1000 /dev/urandom > blob && cat t.cpio >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	assert_int_equal(gbt_count_nodes(s, "cpio"), 0);
	gb_scan_free(s);
}

/* A cpio carved out of a blob (an initramfs appended to a kernel). */
static void test_carved(void **state)
{
	if (!gbt_have_tool("cpio"))
		skip();
	make_tree();
	gbt_sh("cd src && find a.txt dir | cpio --quiet -o -H newc > ../t.cpio && cd .."
	       " && head -c 777 /dev/urandom > blob && cat t.cpio >> blob"
	       " && head -c 2000 /dev/urandom >> blob");
	struct gb_scan *s = gbt_scan("blob", "out");
	const struct gb_node *n = gbt_node(s, "cpio");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 777);
	assert_int_equal(n->size, file_size("t.cpio"));
	gbt_assert_file_matches(s, "cpio", "/dir/sub/blob.bin", "src/dir/sub/blob.bin");
	gb_scan_free(s);
}

static size_t put_newc(uint8_t *b, const char *name, unsigned mode, const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = strlen(data), o;
	char h[160];

	snprintf(h, sizeof(h), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1u,
		 mode, 0u, 0u, 1u, 0u, (unsigned)dlen, 0u, 0u, 0u, 0u, (unsigned)nlen, 0u);
	memcpy(b, h, 110);
	memcpy(b + 110, name, nlen);
	o = (110 + nlen + 3) & ~(size_t)3;
	memset(b + 110 + nlen, 0, o - 110 - nlen);
	memcpy(b + o, data, dlen);
	memset(b + o + dlen, 0, ((dlen + 3) & ~(size_t)3) - dlen);
	return o + ((dlen + 3) & ~(size_t)3);
}

static void test_probe_handmade(void **state)
{
	uint8_t buf[2048];
	struct gb_probe p;
	struct gb_span in;
	size_t n;

	memset(buf, 0xee, sizeof(buf));
	n = put_newc(buf, "hello.txt", 0100644, "hello");
	n += put_newc(buf + n, "TRAILER!!!", 0, "");
	in = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), 0);
	assert_int_equal(p.size, n); /* the 0xee after it is not padding */
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "newc");

	/* zero padding to 512 is part of the archive */
	memset(buf + n, 0, 512 - n);
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), 0);
	assert_int_equal(p.size, 512);

	/* truncated inside the data: claims what there is */
	in = gb_span_make(buf, 110 + 12 + 2);
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), 0);
	assert_int_equal(p.size, 110 + 12 + 2);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);

	/* a non-hex digit, a name without its NUL, an absurd name size */
	in = gb_span_make(buf, sizeof(buf));
	buf[20] = 'g';
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), -GB_ENOTFOUND);
	put_newc(buf, "hello.txt", 0100644, "hello");
	buf[110 + 9] = 'x';
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), -GB_ENOTFOUND);
	put_newc(buf, "hello.txt", 0100644, "hello");
	memcpy(buf + 94, "7fffffff", 8);
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), -GB_ENOTFOUND);
	/* an impossible file type */
	put_newc(buf, "hello.txt", 0170644, "hello");
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), -GB_ENOTFOUND);

	/* an absurd file size: truncated, claims the rest */
	put_newc(buf, "hello.txt", 0100644, "hello");
	memcpy(buf + 54, "ffffffff", 8);
	assert_int_equal(gb__fmt_cpio.probe(&in, &p), 0);
	assert_int_equal(p.size, sizeof(buf));
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
}

static void test_truncated(void **state)
{
	if (!gbt_have_tool("cpio"))
		skip();
	make_tree();
	gbt_sh("cd src && printf 'a.txt\\ndir/sub/blob.bin\\n'"
	       " | cpio --quiet -o -H newc > ../t.cpio"
	       " && cd .. && head -c 50000 t.cpio > cut.cpio");
	struct gb_scan *s = gbt_scan("cut.cpio", "out");
	const struct gb_node *n = gbt_node(s, "cpio");
	assert_non_null(n);
	assert_true(n->status == GB_STATUS_PARTIAL || n->status == GB_STATUS_ERROR);
	assert_non_null(n->error);
	gbt_assert_file_matches(s, "cpio", "/a.txt", "src/a.txt");
	const struct gb_file *f = gbt_file(s, "cpio", "/dir/sub/blob.bin");
	assert_non_null(f);
	assert_true(f->incomplete);
	gb_scan_free(s);
}

/* The archive ends without its trailer: a partial node. */
static void test_missing_trailer(void **state)
{
	gbt_sh("python3 - <<'EOF'\n" PY_NEWC
	       "newc('t.cpio', [('a.txt', 0o100644, b'hello\\n', 1, 1)])\n"
	       "d = open('t.cpio', 'rb').read()\n"
	       "open('t.cpio', 'wb').write(d[:d.index(b'070701', 6)])\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("t.cpio", "out");
	const struct gb_node *n = gbt_node(s, "cpio");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	assert_non_null(gbt_file(s, "cpio", "/a.txt"));
	gb_scan_free(s);
}

/* A damaged second header: the first member is kept, the node is partial. */
static void test_damaged_middle_header(void **state)
{
	gbt_sh("python3 - <<'EOF'\n" PY_NEWC
	       "newc('t.cpio', [('a.txt', 0o100644, b'hello\\n', 1, 1),\n"
	       "                ('b.txt', 0o100644, b'world\\n', 1, 2),\n"
	       "                ('c.txt', 0o100644, b'again\\n', 1, 3)])\n"
	       "d = bytearray(open('t.cpio', 'rb').read())\n"
	       "i = d.index(b'070701', 6)\n"
	       "d[i + 20:i + 22] = b'zz'\n"
	       "open('t.cpio', 'wb').write(d)\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("t.cpio", "out");
	const struct gb_node *n = gbt_node(s, "cpio");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	assert_non_null(gbt_file(s, "cpio", "/a.txt"));
	gb_scan_free(s);
}

/* '../' and absolute names, a symlink and a member through it. */
static void test_hostile_names(void **state)
{
	gbt_sh("mkdir -p a/b/c canary && python3 - <<'EOF'\n" PY_NEWC
	       "import os\n"
	       "c = os.getcwd() + '/canary'\n"
	       "newc('evil.cpio', [('../../../../escape1.txt', 0o100644, b'x', 1, 1),\n"
	       "    (c + '/escape2.txt', 0o100644, b'x', 1, 2),\n"
	       "    ('link', 0o120777, b'../../../../canary', 1, 3),\n"
	       "    ('link/escape3.txt', 0o100644, b'x', 1, 4),\n"
	       "    ('good.txt', 0o100644, b'fine', 1, 5)])\n"
	       "EOF");
	struct gb_scan *s = gbt_scan("evil.cpio", "a/b/c/out");
	assert_non_null(gbt_node(s, "cpio"));
	assert_non_null(gbt_file(s, "cpio", "/good.txt"));
	gbt_assert_dir_empty("canary");
	gbt_sh("test -z \"$(find . -name 'escape*' -not -path './a/b/c/out/*')\"");
	gb_scan_free(s);
}

/* each test in a fresh temporary directory */
#define T(fn) cmocka_unit_test_setup_teardown(fn, gbt_setup_tmpdir, gbt_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_newc),
		T(test_crc),
		T(test_odc),
		T(test_bin),
		T(test_bin_not_carved),
		T(test_carved),
		cmocka_unit_test(test_probe_handmade),
		T(test_truncated),
		T(test_missing_trailer),
		T(test_damaged_middle_header),
		T(test_hostile_names),
	};
	return cmocka_run_group_tests_name("fmt_cpio", tests, NULL, NULL);
}
