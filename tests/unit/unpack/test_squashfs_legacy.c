/* squashfs 2.x and 3.x (lib/unpack/squashfs_legacy.c, squashfs_legacy_comp.c).
 *
 * Debian has no mksquashfs for these layouts, so the test writes the images
 * itself (build_image below: the 3.x and 2.x layouts of squashfs-tools'
 * squashfs_compat.h, both byte orders, with stored, zlib and the three LZMA
 * block formats of router SDKs). The oracle is the tree the test wrote to disk
 * (file contents compared byte for byte through sha256) and the entries it
 * declared. Where Debian's unsquashfs reads the layout (3.x zlib, both byte
 * orders), the hand-built image is also checked against it, so the builder
 * cannot share a misreading with the reader. Hostile images: directory loops,
 * fragment indices out of range, block sizes out of range, absurd listing
 * sizes, truncated metadata, `..` names, escaping symlinks.
 */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_squashfs;

enum comp { C_NONE, C_ZLIB, C_RAW, C_ALONE, C_PROPS5 };

#define BS 4096 /* block size of the test images */
#define BLOG 12

/* ---- a small image writer ------------------------------------------------ */

struct img {
	uint8_t *b;
	size_t n, cap;
	bool be;
	unsigned major;
	enum comp comp;
	/* uncompressed tables, each kept under 8 KiB: one metadata block */
	uint8_t ino[8192], dir[8192], frag[8192];
	size_t ino_n, dir_n, frag_n;
	uint32_t inode_number;
	uint8_t fragbuf[BS]; /* the one fragment block being filled */
	size_t fragbuf_n;
	unsigned n_frags;
};

static void putn(uint8_t *p, uint64_t v, unsigned n, bool be)
{
	for (unsigned i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static void putbits(uint8_t *b, unsigned pos, unsigned n, uint64_t v, bool be)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned k = pos + i, bit = be ? (unsigned)(v >> (n - 1 - i)) & 1 : (unsigned)(v >> i) & 1;

		if (be)
			b[k >> 3] |= (uint8_t)(bit << (7 - (k & 7)));
		else
			b[k >> 3] |= (uint8_t)(bit << (k & 7));
	}
}

static void emit(struct img *m, const void *p, size_t n)
{
	if (m->n + n > m->cap) {
		m->cap = (m->n + n) * 2 + 4096;
		m->b = realloc(m->b, m->cap);
		assert_non_null(m->b);
	}
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static size_t lzma_raw(const uint8_t *in, size_t n, uint8_t *out, size_t cap, uint8_t *props)
{
	lzma_options_lzma opt;
	lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
	size_t pos = 0;

	assert_false(lzma_lzma_preset(&opt, 6));
	opt.dict_size = 1U << 16;
	if (lzma_raw_buffer_encode(f, NULL, in, n, out, &pos, cap) != LZMA_OK)
		return 0;
	*props = (uint8_t)((opt.pb * 5 + opt.lp) * 9 + opt.lc);
	return pos;
}

/* Compress one block; 0 when it is to be stored. */
static size_t block_compress(enum comp c, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uLongf zn = cap;
	uint8_t props;
	size_t k, hdr = c == C_ALONE ? 13 : c == C_PROPS5 ? 5 : 0;

	switch (c) {
	case C_NONE:
		return 0;
	case C_ZLIB:
		if (compress2(out, &zn, in, n, 9) != Z_OK)
			return 0;
		return zn < n ? zn : 0;
	default:
		k = lzma_raw(in, n, out + hdr, cap - hdr, &props);
		if (k == 0 || k + hdr >= n)
			return 0;
		if (hdr) {
			out[0] = props;
			putn(out + 1, 1U << 16, 4, false);
			if (hdr == 13)
				putn(out + 5, n, 8, false);
		}
		return k + hdr;
	}
}

static uint64_t write_meta(struct img *m, const uint8_t *p, size_t n)
{
	uint8_t out[3 * 8192], h[2];
	uint64_t at = m->n;
	size_t k = block_compress(m->comp, p, n, out, sizeof(out));

	putn(h, k ? k : n | 0x8000, 2, m->be);
	emit(m, h, 2);
	emit(m, k ? out : p, k ? k : n);
	return at;
}

/* A data block; returns its size word. */
static uint32_t write_block(struct img *m, const uint8_t *p, size_t n)
{
	uint8_t out[3 * BS];
	size_t k = block_compress(m->comp, p, n, out, sizeof(out));

	emit(m, k ? out : p, k ? k : n);
	return k ? (uint32_t)k : (uint32_t)n | 1U << 24;
}

static void flush_frag(struct img *m)
{
	uint8_t *e = m->frag + m->frag_n;
	unsigned ps = m->major == 3 ? 8 : 4;
	uint64_t at = m->n;
	uint32_t word;

	if (m->fragbuf_n == 0)
		return;
	word = write_block(m, m->fragbuf, m->fragbuf_n);
	memset(e, 0, m->major == 3 ? 16 : 8);
	putn(e, at, ps, m->be);
	putn(e + ps, word, 4, m->be);
	m->frag_n += m->major == 3 ? 16 : 8;
	m->n_frags++;
	m->fragbuf_n = 0;
}

struct ent {
	const char *name;
	int type; /* 1 dir, 2 file, 3 symlink, 4 bdev, 5 cdev, 6 fifo, 7 socket */
	unsigned mode, uid_idx, gid_idx;
	const uint8_t *data; /* files */
	size_t size;
	const char *target; /* symlinks */
	unsigned rdev;
	const struct ent *kids; /* directories: terminated by name NULL */
	uint64_t ref;           /* filled: inode reference */
};

static size_t inode_base(struct img *m, uint8_t *b, const struct ent *e, int type)
{
	unsigned base = m->major == 3 ? 12 : 4;

	memset(b, 0, 64);
	putbits(b, 0, 4, type, m->be);
	putbits(b, 4, 12, e->mode, m->be);
	putbits(b, 16, 8, e->uid_idx, m->be);
	putbits(b, 24, 8, e->gid_idx, m->be);
	if (m->major == 3) {
		putbits(b, 32, 32, 1234567890, m->be);
		putbits(b, 64, 32, ++m->inode_number, m->be);
		if (type != 2) /* a 3.x regular file has no nlink: start follows */
			putbits(b, 96, 32, 1, m->be);
	}
	return base;
}

static void add_inode(struct img *m, const void *p, size_t n)
{
	assert_true(m->ino_n + n <= sizeof(m->ino));
	memcpy(m->ino + m->ino_n, p, n);
	m->ino_n += n;
}

static void write_file(struct img *m, struct ent *e)
{
	uint8_t b[64];
	uint32_t words[64];
	size_t nb = e->size / BS, tail = e->size % BS;
	uint64_t start = m->n;
	uint32_t frag = 0xFFFFFFFFU, off = 0;
	bool v3 = m->major == 3;

	assert_true(nb < 64);
	for (size_t i = 0; i < nb; i++)
		words[i] = write_block(m, e->data + i * BS, BS);
	if (tail) {
		if (m->fragbuf_n + tail > BS)
			flush_frag(m);
		frag = m->n_frags;
		off = (uint32_t)m->fragbuf_n;
		memcpy(m->fragbuf + m->fragbuf_n, e->data + nb * BS, tail);
		m->fragbuf_n += tail;
	}
	inode_base(m, b, e, 2);
	e->ref = m->ino_n;
	if (v3) {
		putbits(b, 96, 64, start, m->be);
		putbits(b, 160, 32, frag, m->be);
		putbits(b, 192, 32, off, m->be);
		putbits(b, 224, 32, e->size, m->be);
	} else {
		putbits(b, 32, 32, 1234567890, m->be);
		putbits(b, 64, 32, start, m->be);
		putbits(b, 96, 32, frag, m->be);
		putbits(b, 128, 32, off, m->be);
		putbits(b, 160, 32, e->size, m->be);
	}
	add_inode(m, b, v3 ? 32 : 24);
	for (size_t i = 0; i < nb; i++) {
		uint8_t w[4];

		putn(w, words[i], 4, m->be);
		add_inode(m, w, 4);
	}
}

static void write_other(struct img *m, struct ent *e)
{
	uint8_t b[64];
	bool v3 = m->major == 3;
	unsigned at = v3 ? 128 : 32, size = inode_base(m, b, e, e->type);

	e->ref = m->ino_n;
	if (e->type == 3 || e->type == 4 || e->type == 5) {
		putbits(b, at, 16, e->type == 3 ? strlen(e->target) : e->rdev, m->be);
		size = v3 ? 18 : 6;
	} else if (v3) {
		size = 16;
	}
	add_inode(m, b, size);
	if (e->type == 3)
		add_inode(m, e->target, strlen(e->target));
}

static void write_dir(struct img *m, struct ent *e, uint64_t parent)
{
	uint8_t b[64], h[16];
	bool v3 = m->major == 3;
	size_t start = m->dir_n, count = 0, list;
	struct ent *k;

	for (k = (struct ent *)e->kids; k && k->name; k++, count++) {
		if (k->type == 1)
			write_dir(m, k, 0);
		else if (k->type == 2)
			write_file(m, k);
		else
			write_other(m, k);
	}
	start = m->dir_n;
	if (count) {
		memset(h, 0, sizeof(h));
		putbits(h, 0, 8, count - 1, m->be);
		putbits(h, 8, v3 ? 32 : 24, 0, m->be); /* every inode is in block 0 */
		if (v3)
			putbits(h, 40, 32, 1, m->be);
		memcpy(m->dir + m->dir_n, h, v3 ? 9 : 4);
		m->dir_n += v3 ? 9 : 4;
	}
	for (k = (struct ent *)e->kids; k && k->name; k++) {
		size_t nl = strlen(k->name);

		memset(h, 0, sizeof(h));
		putbits(h, 0, 13, k->ref, m->be);
		putbits(h, 13, 3, k->type, m->be);
		putbits(h, 16, 8, nl - 1, m->be);
		memcpy(m->dir + m->dir_n, h, v3 ? 5 : 3);
		m->dir_n += v3 ? 5 : 3;
		memcpy(m->dir + m->dir_n, k->name, nl);
		m->dir_n += nl;
		assert_true(m->dir_n < sizeof(m->dir) - 300);
	}
	list = m->dir_n - start + (v3 ? 3 : 0);
	inode_base(m, b, e, 1);
	e->ref = m->ino_n;
	if (v3) {
		putbits(b, 128, 19, list, m->be);
		putbits(b, 147, 13, start, m->be);
		putbits(b, 160, 32, 0, m->be);
		putbits(b, 192, 32, parent, m->be);
	} else {
		putbits(b, 32, 19, list, m->be);
		putbits(b, 51, 13, start, m->be);
		putbits(b, 64, 32, 1234567890, m->be);
		putbits(b, 96, 24, 0, m->be);
	}
	add_inode(m, b, v3 ? 28 : 15);
}

/* The whole image; *len gets its size. The caller frees it. */
static uint8_t *build_image(unsigned major, bool be, enum comp c, struct ent *root, size_t *len)
{
	struct img *m = calloc(1, sizeof(*m));
	uint64_t inode_start, dir_start, frag_meta, frag_start, uid_start;
	unsigned sbs = major == 3 ? 119 : 63;
	uint8_t sb[119], w[8];
	uint8_t *ret;

	assert_non_null(m);
	m->major = major;
	m->be = be;
	m->comp = c;
	memset(sb, 0, sizeof(sb));
	emit(m, sb, sbs);
	write_dir(m, root, 0);
	flush_frag(m);
	inode_start = write_meta(m, m->ino, m->ino_n);
	dir_start = write_meta(m, m->dir, m->dir_n);
	frag_meta = m->frag_n ? write_meta(m, m->frag, m->frag_n) : 0;
	frag_start = m->n;
	if (m->frag_n) {
		putn(w, frag_meta, major == 3 ? 8 : 4, be);
		emit(m, w, major == 3 ? 8 : 4);
	}
	uid_start = m->n;
	putn(w, 0, 4, be); /* uids: 0, 1000; gids: 100 */
	emit(m, w, 4);
	putn(w, 1000, 4, be);
	emit(m, w, 4);
	putn(w, 100, 4, be);
	emit(m, w, 4);
	memcpy(m->b, be ? "sqsh" : "hsqs", 4);
	putn(m->b + 4, m->inode_number + 1, 4, be);
	putn(m->b + 28, major, 2, be);
	putn(m->b + 30, major == 3 ? 1 : 0, 2, be);
	putn(m->b + 32, BS, 2, be);
	putn(m->b + 34, BLOG, 2, be);
	m->b[36] = 0; /* flags */
	m->b[37] = 2;
	m->b[38] = 1;
	putn(m->b + 39, 1234567890, 4, be);
	putn(m->b + 43, root->ref, 8, be);
	putn(m->b + 51, BS, 4, be);
	putn(m->b + 55, m->n_frags, 4, be);
	if (major == 3) {
		putn(m->b + 63, m->n, 8, be);
		putn(m->b + 71, uid_start, 8, be);
		putn(m->b + 79, uid_start + 8, 8, be);
		putn(m->b + 87, inode_start, 8, be);
		putn(m->b + 95, dir_start, 8, be);
		putn(m->b + 103, frag_start, 8, be);
		putn(m->b + 111, UINT64_MAX, 8, be);
	} else {
		putn(m->b + 8, m->n, 4, be);
		putn(m->b + 12, uid_start, 4, be);
		putn(m->b + 16, uid_start + 8, 4, be);
		putn(m->b + 20, inode_start, 4, be);
		putn(m->b + 24, dir_start, 4, be);
		putn(m->b + 59, frag_start, 4, be);
	}
	if (m->n < 119) { /* read_super wants the 3.x size even for 2.x */
		memset(sb, 0, sizeof(sb));
		emit(m, sb, 119 - m->n);
	}
	*len = m->n;
	ret = m->b;
	free(m);
	return ret;
}

/* ---- the test tree --------------------------------------------------------- */

static uint8_t big[5 * BS + 123], small[777], text[40];

static struct ent bin_kids[] = { /* sorted by name, as squashfs-tools requires */
	{.name = "busybox", .type = 2, .mode = 04755, .data = big, .size = sizeof(big)},
	{.name = "escape", .type = 3, .mode = 0777, .target = "../../../../etc/shadow"},
	{.name = "sh", .type = 3, .mode = 0777, .target = "busybox"},
	{0},
};
static struct ent dev_kids[] = {
	{.name = "console", .type = 5, .mode = 0600, .rdev = 5 << 8 | 1},
	{.name = "initctl", .type = 6, .mode = 0600},
	{.name = "log", .type = 7, .mode = 0666},
	{.name = "sda", .type = 4, .mode = 0660, .uid_idx = 1, .gid_idx = 0, .rdev = 8 << 8 | 0},
	{0},
};
static struct ent etc_kids[] = {
	{.name = "empty", .type = 2, .mode = 0600, .data = text, .size = 0},
	{.name = "motd", .type = 2, .mode = 0644, .uid_idx = 1, .gid_idx = 255, .data = text,
	 .size = sizeof(text)},
	{.name = "passwd", .type = 2, .mode = 0644, .data = small, .size = sizeof(small)},
	{0},
};
static struct ent root_kids[] = {
	{.name = "bin", .type = 1, .mode = 0755, .kids = bin_kids},
	{.name = "dev", .type = 1, .mode = 0755, .kids = dev_kids},
	{.name = "etc", .type = 1, .mode = 0755, .kids = etc_kids},
	{0},
};
static struct ent root = {.name = "", .type = 1, .mode = 0755, .kids = root_kids};

static void make_tree(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	for (size_t i = 0; i < sizeof(small); i++)
		small[i] = (uint8_t)("root:x:0:0::/root:/bin/sh\n"[i % 26]);
	memcpy(text, "Welcome to the legacy squashfs test!!!!\n", sizeof(text));
	gbt_sh("mkdir -p ref/bin ref/etc");
	gbt_write_file("ref/bin/busybox", big, sizeof(big));
	gbt_write_file("ref/etc/passwd", small, sizeof(small));
	gbt_write_file("ref/etc/motd", text, sizeof(text));
	gbt_write_file("ref/etc/empty", text, 0);
}

static void check_tree(const struct gb_scan *s)
{
	const struct gb_file *f;

	gbt_assert_file_matches(s, "squashfs", "/bin/busybox", "ref/bin/busybox");
	gbt_assert_file_matches(s, "squashfs", "/etc/passwd", "ref/etc/passwd");
	gbt_assert_file_matches(s, "squashfs", "/etc/motd", "ref/etc/motd");
	gbt_assert_file_matches(s, "squashfs", "/etc/empty", "ref/etc/empty");
	gbt_assert_mode(s, "squashfs", "/bin/busybox", 04755);
	gbt_assert_symlink(s, "squashfs", "/bin/sh", "busybox");
	gbt_assert_symlink(s, "squashfs", "/bin/escape", "../../../../etc/shadow");
	gbt_assert_type(s, "squashfs", "/dev/console", GB_FT_CHARDEV);
	gbt_assert_type(s, "squashfs", "/dev/sda", GB_FT_BLOCKDEV);
	gbt_assert_type(s, "squashfs", "/dev/initctl", GB_FT_FIFO);
	gbt_assert_type(s, "squashfs", "/dev/log", GB_FT_SOCKET);
	gbt_assert_type(s, "squashfs", "/etc", GB_FT_DIR);
	f = gbt_file(s, "squashfs", "/dev/console");
	assert_int_equal(f->major, 5);
	assert_int_equal(f->minor, 1);
	f = gbt_file(s, "squashfs", "/dev/sda");
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	f = gbt_file(s, "squashfs", "/etc/motd");
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 1000); /* guid 255: same as the uid */
	/* devices are recorded, never created */
	assert_int_not_equal(access("out/extracted/0x0-squashfs/dev/console", F_OK), 0);
}

static const char *comp_label(enum comp c)
{
	static const char *const l[] = {"?", "zlib", "lzma", "lzma", "lzma"};

	return l[c];
}

static void roundtrip(unsigned major, bool be, enum comp c)
{
	size_t n;
	uint8_t *img;
	struct gb_scan *s;
	const struct gb_node *node;
	char variant[40];

	make_tree();
	img = build_image(major, be, c, &root, &n);
	gbt_write_file("legacy.sqfs", img, n);
	s = gbt_scan("legacy.sqfs", "out");
	node = gbt_node(s, "squashfs");
	assert_non_null(node);
	if (node->error)
		fprintf(stderr, "%u.x %s: %s\n", major, be ? "be" : "le", node->error);
	assert_int_equal(node->status, GB_STATUS_OK);
	snprintf(variant, sizeof(variant), "%u.%u %s %s (%s)", major, major == 3 ? 1 : 0,
		 be ? "be" : "le", comp_label(c), be ? "sqsh" : "hsqs");
	if (c != C_NONE)
		assert_string_equal(node->variant, variant);
	check_tree(s);
	assert_int_equal(gbt_count_files(s, node->id), 13);
	gb_scan_free(s);
	free(img);
}

static void test_v3_le_zlib(void **state) { roundtrip(3, false, C_ZLIB); }
static void test_v3_be_zlib(void **state) { roundtrip(3, true, C_ZLIB); }
static void test_v3_le_stored(void **state) { roundtrip(3, false, C_NONE); }
static void test_v3_le_lzma_raw(void **state) { roundtrip(3, false, C_RAW); }
static void test_v3_be_lzma_raw(void **state) { roundtrip(3, true, C_RAW); }
static void test_v3_le_lzma_alone(void **state) { roundtrip(3, false, C_ALONE); }
static void test_v3_be_lzma_props5(void **state) { roundtrip(3, true, C_PROPS5); }
static void test_v2_le_zlib(void **state) { roundtrip(2, false, C_ZLIB); }
static void test_v2_be_zlib(void **state) { roundtrip(2, true, C_ZLIB); }
static void test_v2_be_lzma_raw(void **state) { roundtrip(2, true, C_RAW); }

/* Debian's unsquashfs reads 3.x zlib in both byte orders: it must see the
 * hand-built images as the test declared them, so a builder mistake cannot
 * cancel a reader mistake. */
static void test_oracle_unsquashfs(void **state)
{
	if (!gbt_have_tool("unsquashfs"))
		skip();
	make_tree();
	for (int be = 0; be < 2; be++) {
		size_t n;
		uint8_t *img = build_image(3, be, C_ZLIB, &root, &n);

		gbt_write_file("o.sqfs", img, n);
		free(img);
		gbt_sh("rm -rf o && unsquashfs -q -n -d o o.sqfs bin etc >/dev/null 2>&1; true");
		assert_int_equal(gbt_sh_status("cmp o/bin/busybox ref/bin/busybox && "
					       "cmp o/etc/passwd ref/etc/passwd && "
					       "cmp o/etc/motd ref/etc/motd && "
					       "test \"$(readlink o/bin/sh)\" = busybox"),
				 0);
		assert_int_equal(gbt_sh_status("unsquashfs -lln o.sqfs | grep -q "
					       "'crw------- 0/100 *5, *1 .*squashfs-root/dev/console'"),
				 0);
	}
}

/* ---- hostile images -------------------------------------------------------- */

static uint8_t *tiny(unsigned major, bool be, size_t *n)
{
	make_tree();
	return build_image(major, be, C_NONE, &root, n);
}

static const struct gb_node *scan_bytes(const uint8_t *img, size_t n, struct gb_scan **ret)
{
	gbt_write_file("h.sqfs", img, n);
	*ret = gbt_scan("h.sqfs", "out");
	return gbt_node(*ret, "squashfs");
}

/* Offset of the uncompressed inode table / directory table in a C_NONE image. */
static uint64_t table(const uint8_t *img, bool be, unsigned off)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)img[off + (be ? 7 - i : i)] << (8 * i);
	return v + 2; /* past the metadata header */
}

/* A directory entry that points back at the root: no hang, a warning. */
static void test_dir_loop(void **state)
{
	size_t n;
	uint8_t *img = tiny(3, false, &n);
	uint64_t dir = table(img, false, 95), root_ref = root.ref;
	struct gb_scan *s;
	const struct gb_node *node;

	/* the first listing is bin/'s: point its first entry (busybox) at the root
	 * inode, past the 9-byte header */
	uint8_t *e = img + dir + 9;

	e[0] = (uint8_t)(root_ref & 0xFF);
	e[1] = (uint8_t)((e[1] & 0xE0) | ((root_ref >> 8) & 0x1F));
	node = scan_bytes(img, n, &s);
	assert_non_null(node);
	assert_int_equal(node->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(node->error, "loop"));
	gbt_assert_file_matches(s, "squashfs", "/etc/passwd", "ref/etc/passwd");
	gb_scan_free(s);
	free(img);
}

/* A file whose fragment index is past the fragment count. */
static void test_fragment_out_of_range(void **state)
{
	size_t n;
	uint8_t *img = tiny(3, true, &n);
	uint64_t ino = table(img, true, 87);
	struct gb_scan *s;
	const struct gb_node *node;
	const struct gb_file *f;

	/* /etc/passwd's inode: its fragment field is at bit 160 (byte 20) */
	uint8_t *p = img + ino + etc_kids[2].ref + 20;
	p[0] = 0x00, p[1] = 0x00, p[2] = 0x10, p[3] = 0x00;
	node = scan_bytes(img, n, &s);
	assert_non_null(node);
	assert_int_equal(node->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(node->error, "fragment"));
	f = gbt_file(s, "squashfs", "/etc/passwd");
	assert_non_null(f);
	assert_true(f->incomplete);
	gbt_assert_file_matches(s, "squashfs", "/bin/busybox", "ref/bin/busybox");
	gb_scan_free(s);
	free(img);
}

/* Block sizes out of range, or not matching block_log: not squashfs. */
static void test_block_size(void **state)
{
	static const uint32_t logs[][2] = {{30, 1U << 30}, {11, 2048}, {12, 8192}, {16, 0}};
	size_t n;
	uint8_t *img = tiny(3, false, &n);
	struct gb_probe p;
	struct gb_span in = gb_span_make(img, n);

	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), 0);
	assert_int_equal(p.size, n);
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		uint8_t *c = malloc(n);

		memcpy(c, img, n);
		putn(c + 34, logs[i][0], 2, false);
		putn(c + 51, logs[i][1], 4, false);
		in = gb_span_make(c, n);
		assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
		free(c);
	}
	free(img);
}

/* Absurd counts and sizes: fragments, the root listing, the uid table. */
static void test_absurd_counts(void **state)
{
	size_t n;
	uint8_t *img = tiny(3, false, &n), *c = malloc(n);
	struct gb_probe p;
	struct gb_span in = gb_span_make(c, n);
	struct gb_scan *s;
	const struct gb_node *node;
	uint64_t ino = table(img, false, 87);

	memcpy(c, img, n);
	putn(c + 55, 0xFFFFFFFFU, 4, false); /* fragments: table would be past the image */
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	memcpy(c, img, n);
	c[37] = 255; /* 255 uids: the table runs past bytes_used */
	c[38] = 255;
	assert_int_equal(gb__fmt_squashfs.probe(&in, &p), -GB_ENOTFOUND);
	/* the root directory claims a 512 KiB listing */
	memcpy(c, img, n);
	putbits(c + ino + root.ref, 128, 19, (1U << 19) - 1, false);
	c[ino + root.ref + 16] = 0xFF;
	c[ino + root.ref + 17] = 0xFF;
	c[ino + root.ref + 18] |= 0x07;
	node = scan_bytes(c, n, &s);
	assert_non_null(node);
	assert_int_equal(node->status, GB_STATUS_PARTIAL);
	gbt_assert_file_matches(s, "squashfs", "/etc/passwd", "ref/etc/passwd");
	gb_scan_free(s);
	/* an entry limit stops the walk */
	struct gb_limits lim;
	gb_limits_default(&lim);
	lim.max_entries = 4;
	gbt_write_file("h.sqfs", img, n);
	s = gbt_scan_limits("h.sqfs", "out", &lim);
	node = gbt_node(s, "squashfs");
	assert_non_null(node);
	assert_int_not_equal(node->status, GB_STATUS_OK);
	assert_true(node->n_entries <= 4);
	gb_scan_free(s);
	free(c);
	free(img);
}

/* Cut anywhere: never a crash; what is before the cut is kept. */
static void test_truncated(void **state)
{
	size_t n;
	uint8_t *img;

	make_tree();
	img = build_image(3, false, C_ZLIB, &root, &n);
	for (size_t cut = 120; cut < n; cut += 37) {
		struct gb_scan *s;

		gbt_write_file("t.sqfs", img, cut);
		s = gbt_scan("t.sqfs", "out");
		const struct gb_node *node = gbt_node(s, "squashfs");
		if (node)
			assert_int_not_equal(node->status, GB_STATUS_OK);
		gb_scan_free(s);
	}
	free(img);
}

/* Corrupt compressed metadata: an error naming the inode table. */
static void test_corrupt_metadata(void **state)
{
	size_t n;
	uint8_t *img;
	struct gb_scan *s;
	const struct gb_node *node;

	make_tree();
	img = build_image(3, false, C_ZLIB, &root, &n);
	uint64_t ino = table(img, false, 87);
	assert_int_equal(img[ino], 0x78); /* compressed with zlib */
	for (size_t i = 5; i < 40; i++)
		img[ino + i] ^= 0x5A;
	node = scan_bytes(img, n, &s);
	assert_non_null(node);
	assert_int_equal(node->status, GB_STATUS_ERROR);
	assert_non_null(strstr(node->error, "root inode"));
	gb_scan_free(s);
	free(img);
}

/* A name of ".." and a name with a slash stay inside OUTDIR. */
static void test_dotdot_names(void **state)
{
	static struct ent kids[] = {
		{.name = "..", .type = 2, .mode = 0644, .data = text, .size = sizeof(text)},
		{.name = "../../evil", .type = 2, .mode = 0644, .data = text, .size = sizeof(text)},
		{0},
	};
	struct ent r = {.name = "", .type = 1, .mode = 0755, .kids = kids};
	size_t n;
	uint8_t *img;
	struct gb_scan *s;
	const struct gb_node *node;

	make_tree();
	gbt_sh("mkdir -p jail");
	img = build_image(3, true, C_ZLIB, &r, &n);
	gbt_write_file("jail/d.sqfs", img, n);
	s = gbt_scan("jail/d.sqfs", "jail/out");
	node = gbt_node(s, "squashfs");
	assert_non_null(node);
	assert_int_not_equal(access("evil", F_OK), 0);
	assert_int_not_equal(access("jail/evil", F_OK), 0);
	assert_int_not_equal(access("jail/out/evil", F_OK), 0);
	assert_int_not_equal(access("jail/out/extracted/evil", F_OK), 0);
	gb_scan_free(s);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_le_zlib),
		cmocka_unit_test(test_v3_be_zlib),
		cmocka_unit_test(test_v3_le_stored),
		cmocka_unit_test(test_v3_le_lzma_raw),
		cmocka_unit_test(test_v3_be_lzma_raw),
		cmocka_unit_test(test_v3_le_lzma_alone),
		cmocka_unit_test(test_v3_be_lzma_props5),
		cmocka_unit_test(test_v2_le_zlib),
		cmocka_unit_test(test_v2_be_zlib),
		cmocka_unit_test(test_v2_be_lzma_raw),
		cmocka_unit_test(test_oracle_unsquashfs),
		cmocka_unit_test(test_dir_loop),
		cmocka_unit_test(test_fragment_out_of_range),
		cmocka_unit_test(test_block_size),
		cmocka_unit_test(test_absurd_counts),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_metadata),
		cmocka_unit_test(test_dotdot_names),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
