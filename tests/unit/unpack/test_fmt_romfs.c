/* romfs: images made by genromfs from a source tree (files, nested
 * directories, symlinks, hard links, a fifo, an executable, an empty file),
 * checked against the tree with sha256sum; hand-built images for devices,
 * sockets, loops in next pointers and directories, bad checksums, hostile
 * names and symlinks, sizes past the end and truncation. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_romfs;

static const struct gb_file *must_file(const struct gb_scan *s, const char *path)
{
	const struct gb_file *f = gbt_file(s, "romfs", path);
	if (!f)
		fail_msg("%s not recorded", path);
	return f;
}

static void test_genromfs(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f, *h;
	struct stat st;

	if (!gbt_have_tool("genromfs"))
		skip();
	gbt_sh("rm -rf src && mkdir -p src/dir/sub src/emptydir && "
	       "head -c 300000 /dev/urandom > src/random.bin && "
	       "seq 1 5000 > src/dir/text.txt && : > src/empty && "
	       "printf '#!/bin/sh\\necho hi\\n' > src/dir/run.sh && chmod 755 src/dir/run.sh && "
	       "ln -s dir/text.txt src/link && ln -s /nonexistent/abs src/dir/sub/abs && "
	       "ln src/dir/text.txt src/hardlink && mkfifo src/fifo && "
	       "echo deep > src/dir/sub/deep.txt");
	gbt_sh("genromfs -f img.romfs -d src -V testvol");
	s = gbt_scan("img.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_int_equal(n->offset, 0);
	assert_int_equal(stat("img.romfs", &st), 0);
	assert_true(n->size <= (uint64_t)st.st_size && n->size + 1024 > (uint64_t)st.st_size);

	gbt_assert_file_matches(s, "romfs", "/random.bin", "src/random.bin");
	gbt_assert_file_matches(s, "romfs", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_file_matches(s, "romfs", "/dir/run.sh", "src/dir/run.sh");
	gbt_assert_file_matches(s, "romfs", "/dir/sub/deep.txt", "src/dir/sub/deep.txt");
	gbt_assert_file_matches(s, "romfs", "/empty", "src/empty");
	gbt_assert_mode(s, "romfs", "/dir/run.sh", 0755);
	gbt_assert_mode(s, "romfs", "/random.bin", 0644);
	gbt_assert_symlink(s, "romfs", "/link", "dir/text.txt");
	gbt_assert_symlink(s, "romfs", "/dir/sub/abs", "/nonexistent/abs");
	gbt_assert_type(s, "romfs", "/fifo", GB_FT_FIFO);
	gbt_assert_type(s, "romfs", "/emptydir", GB_FT_DIR);
	gbt_assert_type(s, "romfs", "/dir/sub", GB_FT_DIR);
	/* genromfs keeps hard links: one of the two names links to the other */
	f = must_file(s, "/dir/text.txt");
	h = must_file(s, "/hardlink");
	assert_true(f->type == GB_FT_HARDLINK || h->type == GB_FT_HARDLINK);
	assert_string_equal(f->sha256, h->sha256);
	/* "." and ".." are not entries */
	assert_null(gbt_file(s, "romfs", "/."));
	assert_null(gbt_file(s, "romfs", "/dir/.."));
	/* 12 entries: 5 files + 1 hard link, 3 dirs, 2 symlinks, 1 fifo ("/" aside) */
	size_t count = 0;
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].node == n->id && strcmp(s->files[i].path, "/") != 0)
			count++;
	assert_int_equal(count, 12);
	gb_scan_free(s);
}

/* ---- hand-built images ---------------------------------------------------
 * Slot i is a file header at 32 + 64 * i: 16 bytes of header, the name padded
 * to 16, 32 bytes of data. Slot 0's header is the root's first entry. */

#define SLOT(i) (32u + 64u * (i))
#define NSLOTS 16

struct img {
	uint8_t p[SLOT(NSLOTS)];
};

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i < n; i += 4)
		s += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
	return s;
}

static void img_init(struct img *m)
{
	memset(m->p, 0, sizeof(m->p));
	memcpy(m->p, "-rom1fs-", 8);
	put32(m->p + 8, sizeof(m->p));
	memcpy(m->p + 16, "handvol", 8);
}

static void img_seal(struct img *m)
{
	put32(m->p + 12, 0);
	put32(m->p + 12, -sum(m->p, 512));
}

/* next: slot index + 1 (0 ends the directory); type bits and exec */
static void slot(struct img *m, unsigned i, unsigned next, unsigned type, uint32_t spec,
		 const char *name, const void *data, uint32_t size)
{
	uint8_t *b = m->p + SLOT(i);

	memset(b, 0, 64);
	put32(b, (next ? SLOT(next - 1) : 0) | type);
	put32(b + 4, spec);
	put32(b + 8, size);
	strncpy((char *)b + 16, name, 15);
	if (data) { /* data is a string or at least `size` bytes */
		size_t n = strnlen(data, 32);
		n += n < 32;
		memcpy(b + 32, data, n < size ? n : size);
	}
	put32(b + 12, -sum(b, 32));
}

static void write_img(struct img *m, const char *path)
{
	img_seal(m);
	gbt_write_file(path, m->p, sizeof(m->p));
}

/* Devices, a socket, an executable dir, a hard link to a file no directory
 * lists, a hard link to a hard link, "." and ".." pointing back. */
static void test_hand_types(void **state)
{
	struct img m;
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	img_init(&m);
	slot(&m, 0, 2, 1 | 8, SLOT(0), ".", NULL, 0);           /* root "." */
	slot(&m, 1, 3, 0, SLOT(0), "..", NULL, 0);
	slot(&m, 2, 4, 5, 4 << 16 | 64, "tty", NULL, 0);         /* char 4:64 */
	slot(&m, 3, 5, 4, 259 << 16 | 70, "blk", NULL, 0);       /* block 259:70 */
	slot(&m, 4, 6, 6, 0, "sock", NULL, 0);
	slot(&m, 5, 7, 1 | 8, SLOT(9), "d", NULL, 0);           /* dir d -> slot 9 */
	slot(&m, 6, 8, 0, SLOT(12), "orphanlink", NULL, 0);      /* link to unlisted file */
	slot(&m, 7, 0, 0, SLOT(11), "chain", NULL, 0);          /* link to link to file */
	slot(&m, 9, 11, 0, SLOT(5), ".", NULL, 0);
	slot(&m, 10, 12, 2 | 8, 0, "x", "exec!", 5);            /* d/x exec file */
	slot(&m, 11, 0, 0, SLOT(9), "lnk", NULL, 0);            /* d/lnk -> d/x */
	slot(&m, 12, 0, 2, 0, "hidden", "orphan data", 11);     /* listed by no directory */
	/* slot 11's next is 0 but its hard link target is slot 9+1 = x */
	put32(m.p + SLOT(11) + 4, SLOT(10));
	put32(m.p + SLOT(11) + 12, 0);
	put32(m.p + SLOT(11) + 12, -sum(m.p + SLOT(11), 32));
	/* d's "." points to d; chain -> d/lnk -> d/x */
	write_img(&m, "types.romfs");
	gbt_write_file("x.expected", "exec!", 5);
	gbt_write_file("orphan.expected", "orphan data", 11);

	s = gbt_scan("types.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	f = must_file(s, "/tty");
	assert_int_equal(f->type, GB_FT_CHARDEV);
	assert_int_equal(f->major, 4);
	assert_int_equal(f->minor, 64);
	f = must_file(s, "/blk");
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 259);
	assert_int_equal(f->minor, 70);
	gbt_assert_type(s, "romfs", "/sock", GB_FT_SOCKET);
	gbt_assert_type(s, "romfs", "/d", GB_FT_DIR);
	gbt_assert_mode(s, "romfs", "/d", 0755);
	gbt_assert_file_matches(s, "romfs", "/d/x", "x.expected");
	gbt_assert_mode(s, "romfs", "/d/x", 0755);
	gbt_assert_type(s, "romfs", "/d/lnk", GB_FT_HARDLINK);
	gbt_assert_file_matches(s, "romfs", "/d/lnk", "x.expected");
	gbt_assert_file_matches(s, "romfs", "/chain", "x.expected");
	gbt_assert_file_matches(s, "romfs", "/orphanlink", "orphan.expected");
	assert_null(gbt_file(s, "romfs", "/hidden"));
	gb_scan_free(s);
}

/* next pointers that loop (a -> b -> a), a directory whose entries point
 * back at the root, a directory listing itself, a hard-link cycle. */
static void test_loops(void **state)
{
	struct img m;
	struct gb_scan *s;
	const struct gb_node *n;

	img_init(&m);
	slot(&m, 0, 2, 2, 0, "a", "A", 1);
	slot(&m, 1, 1, 2, 0, "b", "B", 1);                     /* b -> a: loop */
	/* make a -> b -> a -> ... and add a dir and links reachable from b? no: */
	slot(&m, 0, 3, 2, 0, "a", "A", 1);                     /* a -> dir */
	slot(&m, 2, 2, 1 | 8, SLOT(3), "dir", NULL, 0);         /* dir -> b */
	slot(&m, 3, 5, 1 | 8, SLOT(0), "up", NULL, 0);          /* dir/up -> root again */
	slot(&m, 4, 4, 1 | 8, SLOT(4), "self", NULL, 0);        /* self-listing, next = itself */
	slot(&m, 1, 1, 2, 0, "b", "B", 1);                     /* b -> a */
	slot(&m, 5, 7, 0, SLOT(6), "l1", NULL, 0);             /* dir/l1 -> l2 */
	slot(&m, 6, 0, 0, SLOT(5), "l2", NULL, 0);             /* l2 -> l1 */
	put32(m.p + SLOT(3), SLOT(5) | 1 | 8);                 /* up -> l1 */
	put32(m.p + SLOT(3) + 12, 0);
	put32(m.p + SLOT(3) + 12, -sum(m.p + SLOT(3), 32));
	write_img(&m, "loop.romfs");

	s = gbt_scan("loop.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_non_null(gbt_file(s, "romfs", "/a"));
	assert_non_null(gbt_file(s, "romfs", "/dir"));
	assert_true(gbt_count_files(s, n->id) < 12);
	assert_non_null(n->error); /* the hard-link cycle does not resolve */
	gb_scan_free(s);
}

/* Names with "..", slashes and absolute symlinks stay inside OUTDIR. */
static void test_hostile_names(void **state)
{
	struct img m;
	struct gb_scan *s;
	const struct gb_node *n;

	gbt_sh("rm -rf canary && mkdir canary");
	img_init(&m);
	slot(&m, 0, 2, 2, 0, "../../canary/x", "evil", 4);
	slot(&m, 1, 3, 3, 0, "esc", "../../../../canary", 18);
	slot(&m, 2, 4, 2, 0, "esc/through", "boom", 4);
	slot(&m, 3, 0, 3, 0, "abs", "/etc/passwd", 11);
	write_img(&m, "names.romfs");
	s = gbt_scan("names.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	gbt_assert_symlink(s, "romfs", "/esc", "../../../../canary");
	gbt_assert_symlink(s, "romfs", "/abs", "/etc/passwd");
	gbt_assert_dir_empty("canary");
	gb_scan_free(s);
}

/* A bad header checksum is reported, the data is still read; a bad
 * superblock checksum is not romfs at all. */
static void test_checksums(void **state)
{
	struct img m;
	struct gb_scan *s;
	const struct gb_node *n;
	struct gb_probe p;
	struct gb_span sp;

	img_init(&m);
	slot(&m, 0, 0, 2, 0, "f", "data", 4);
	m.p[SLOT(0) + 12] ^= 1;
	write_img(&m, "hsum.romfs");
	gbt_write_file("f.expected", "data", 4);
	s = gbt_scan("hsum.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "checksum"));
	gbt_assert_file_matches(s, "romfs", "/f", "f.expected");
	gb_scan_free(s);

	img_seal(&m);
	sp = gb_span_make(m.p, sizeof(m.p));
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), 0);
	assert_int_equal(p.size, sizeof(m.p));
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	m.p[100] ^= 0x80; /* inside the first 512 bytes */
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), -GB_ENOTFOUND);
	m.p[100] ^= 0x80;
	/* full_size past the data: medium, covers what there is */
	sp = gb_span_make(m.p, 600);
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), 0);
	assert_int_equal(p.size, 600);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	sp = gb_span_make(m.p, 300); /* the checksummed 512 bytes are not all there */
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m.p + 8, 16);
	sp = gb_span_make(m.p, sizeof(m.p));
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), -GB_ENOTFOUND);
	memcpy(m.p, "-rom2fs-", 8);
	assert_int_equal(gb__fmt_romfs.probe(&sp, &p), -GB_ENOTFOUND);
}

/* A file whose size runs past the image, a symlink with an absurd size, a
 * misaligned next pointer, a header past the end; then a genromfs image
 * cut short. */
static void test_absurd_and_truncated(void **state)
{
	struct img m;
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	img_init(&m);
	slot(&m, 0, 2, 2, 0, "big", "0123456789", 0xfffffff0);
	slot(&m, 1, 3, 3, 0, "sl", "target", 0x7fffffff);
	slot(&m, 2, 0, 2, 0, "ok", "fine", 4);
	put32(m.p + SLOT(2), 0x10000 | 2); /* next past the end */
	put32(m.p + SLOT(2) + 12, 0);
	put32(m.p + SLOT(2) + 12, -sum(m.p + SLOT(2), 32));
	write_img(&m, "absurd.romfs");
	gbt_write_file("ok.expected", "fine", 4);
	s = gbt_scan("absurd.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	f = must_file(s, "/big");
	assert_true(f->incomplete);
	assert_true(f->size < sizeof(m.p));
	assert_null(gbt_file(s, "romfs", "/sl"));
	gbt_assert_file_matches(s, "romfs", "/ok", "ok.expected");
	gb_scan_free(s);

	if (!gbt_have_tool("genromfs"))
		return;
	gbt_sh("rm -rf t && mkdir t && head -c 100000 /dev/urandom > t/a && head -c 100000 /dev/urandom > t/b && "
	       "genromfs -f full.romfs -d t && head -c 150000 full.romfs > cut.romfs");
	s = gbt_scan("cut.romfs", "out");
	n = gbt_node(s, "romfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "truncated"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genromfs),
		cmocka_unit_test(test_hand_types),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_absurd_and_truncated),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
