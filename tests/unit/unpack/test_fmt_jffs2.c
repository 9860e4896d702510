/* jffs2: images made by mkfs.jffs2 (mtd-utils) in both byte orders and with
 * each compressor it offers (zlib, rtime, lzo, none), checked against the
 * source tree with sha256sum; hand-built images for what mkfs.jffs2 never
 * writes (LZMA nodes, overlapping versions, unlinks, obsolete nodes, 32-bit
 * device numbers, directory loops, absurd sizes); damaged images. */
#include "../harness.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_jffs2;

/* ---- the source tree and mkfs.jffs2 ------------------------------------- */

static bool need_mkfs(void)
{
	return gbt_have_tool("mkfs.jffs2") || gbt_have_tool("/usr/sbin/mkfs.jffs2");
}

#define MKFS "PATH=$PATH:/usr/sbin mkfs.jffs2"

/* One tree for all mkfs tests: setuid file, 1 MiB of random bytes, a
 * compressible text, an empty file, zeros, symlinks, a hard link, a fifo and
 * a char device (through the device table: no root needed). */
static void make_tree(void)
{
	static bool made;

	if (made)
		return;
	gbt_sh("rm -rf src && mkdir -p src/dir/sub src/emptydir && "
	       "head -c 1048576 /dev/urandom > src/random.bin && "
	       "seq 1 20000 | sed 's/$/ the quick brown fox jumps over the lazy dog/' > src/dir/text.txt && "
	       ": > src/empty && echo 'setuid helper' > src/dir/suid && chmod 4755 src/dir/suid && "
	       "head -c 70000 /dev/zero > src/zeros && "
	       "ln -s dir/text.txt src/link && ln -s /nonexistent/abs src/dir/sub/abs && "
	       "ln src/dir/suid src/hardlink && mkfifo src/fifo");
	gbt_sh("printf '%%s\\n' '/dir/tty c 620 0 5 4 64 0 0 -' "
	       "'/dir/text.txt f 640 1000 100 - - - - -' > dev.tab");
	made = true;
}

static const struct gb_file *must_file(const struct gb_scan *s, const char *path)
{
	const struct gb_file *f = gbt_file(s, "jffs2", path);
	if (!f)
		fail_msg("%s not recorded", path);
	return f;
}

/* Build the tree with mkfs.jffs2 `opts`, scan it and check every entry. */
static void check_mkfs(const char *opts, const char *variant)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f, *h;
	struct stat st;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -D dev.tab -e 0x10000 %s -o img.jffs2", opts);
	s = gbt_scan("img.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, 0);
	assert_int_equal(stat("img.jffs2", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);

	gbt_assert_file_matches(s, "jffs2", "/random.bin", "src/random.bin");
	gbt_assert_file_matches(s, "jffs2", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_file_matches(s, "jffs2", "/dir/suid", "src/dir/suid");
	gbt_assert_file_matches(s, "jffs2", "/empty", "src/empty");
	gbt_assert_file_matches(s, "jffs2", "/zeros", "src/zeros");

	f = must_file(s, "/dir/suid");
	assert_int_equal(f->mode, 04755);
	f = must_file(s, "/dir/text.txt");
	assert_int_equal(f->mode, 0640);
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	assert_false(f->incomplete);

	f = must_file(s, "/link");
	assert_int_equal(f->type, GB_FT_SYMLINK);
	assert_string_equal(f->target, "dir/text.txt");
	f = must_file(s, "/dir/sub/abs");
	assert_int_equal(f->type, GB_FT_SYMLINK);
	assert_string_equal(f->target, "/nonexistent/abs");

	f = must_file(s, "/dir/tty");
	assert_int_equal(f->type, GB_FT_CHARDEV);
	assert_int_equal(f->major, 4);
	assert_int_equal(f->minor, 64);
	assert_int_equal(f->mode, 0620);
	assert_int_equal(f->gid, 5);
	assert_int_equal(must_file(s, "/fifo")->type, GB_FT_FIFO);
	assert_int_equal(must_file(s, "/emptydir")->type, GB_FT_DIR);
	assert_int_equal(must_file(s, "/dir/sub")->type, GB_FT_DIR);

	/* mkfs.jffs2 keeps hard links: two names, one inode. */
	f = must_file(s, "/dir/suid");
	h = must_file(s, "/hardlink");
	assert_true(f->type == GB_FT_HARDLINK || h->type == GB_FT_HARDLINK);
	assert_string_equal(f->sha256, h->sha256);
	gb_scan_free(s);
}

static void test_le_zlib(void **state)
{
	check_mkfs("-l", "le");
}

static void test_be_zlib(void **state)
{
	check_mkfs("-b", "be");
}

static void test_le_no_cleanmarkers(void **state)
{
	check_mkfs("-l -n", "le");
}

static void test_be_padded(void **state)
{
	check_mkfs("-b -p", "be"); /* 0xff fill to the erase block is covered */
}

static void test_le_small_eraseblock_padded(void **state)
{
	check_mkfs("-l -e 0x2000 -p", "le");
}

static void test_le_rtime(void **state)
{
	check_mkfs("-l -x zlib", "le");
}

static void test_le_lzo(void **state)
{
	check_mkfs("-l -X lzo -x zlib -x rtime", "le");
}

static void test_be_lzo(void **state)
{
	check_mkfs("-b -X lzo -x zlib -x rtime", "be");
}

static void test_le_uncompressed_big_pages(void **state)
{
	check_mkfs("-l -m none -s 0x10000", "le");
}

/* ---- hand-built images --------------------------------------------------- */

struct img {
	uint8_t *p;
	size_t n, cap;
	bool be;
};

static uint32_t jcrc(const void *p, size_t n)
{
	return (uint32_t)crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffU;
}

static void put16(struct img *m, uint8_t *b, uint16_t v)
{
	b[m->be ? 1 : 0] = (uint8_t)v;
	b[m->be ? 0 : 1] = (uint8_t)(v >> 8);
}

static void put32(struct img *m, uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[m->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void img_append(struct img *m, const void *p, size_t n)
{
	if (m->n + n + 4 > m->cap) {
		m->cap = (m->n + n + 4) * 2;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->n, p, n);
	m->n += n;
	while (m->n % 4)
		m->p[m->n++] = 0xff;
}

static void hdr(struct img *m, uint8_t *b, uint16_t type, uint32_t totlen)
{
	put16(m, b, 0x1985);
	put16(m, b + 2, type);
	put32(m, b + 4, totlen);
	put32(m, b + 8, jcrc(b, 8));
}

static void add_cleanmarker(struct img *m)
{
	uint8_t b[12];
	hdr(m, b, 0x2003, 12);
	img_append(m, b, sizeof(b));
}

static void add_dirent(struct img *m, uint32_t pino, uint32_t version, uint32_t ino, uint8_t type,
		       const char *name)
{
	uint8_t b[40 + 255] = {0};
	size_t len = strlen(name);

	hdr(m, b, 0xe001, (uint32_t)(40 + len));
	put32(m, b + 12, pino);
	put32(m, b + 16, version);
	put32(m, b + 20, ino);
	put32(m, b + 24, 1700000000);
	b[28] = (uint8_t)len;
	b[29] = type;
	put32(m, b + 32, jcrc(b, 32));
	memcpy(b + 40, name, len);
	put32(m, b + 36, jcrc(name, len));
	img_append(m, b, 40 + len);
}

struct inode_spec {
	uint32_t ino, version, mode, isize, offset, dsize;
	uint8_t compr;
	const void *data;
	uint32_t csize;
	bool obsolete;
};

static void add_inode(struct img *m, const struct inode_spec *s)
{
	uint8_t *b = calloc(1, 68 + s->csize);

	assert_non_null(b);
	hdr(m, b, 0xe002, 68 + s->csize);
	put32(m, b + 12, s->ino);
	put32(m, b + 16, s->version);
	put32(m, b + 20, s->mode);
	put16(m, b + 24, 7);
	put16(m, b + 26, 8);
	put32(m, b + 28, s->isize);
	put32(m, b + 36, 1700000000);
	put32(m, b + 44, s->offset);
	put32(m, b + 48, s->csize);
	put32(m, b + 52, s->dsize);
	b[56] = s->compr;
	if (s->csize)
		memcpy(b + 68, s->data, s->csize);
	put32(m, b + 60, jcrc(b + 68, s->csize));
	put32(m, b + 64, jcrc(b, 60));
	if (s->obsolete) /* cleared in place on flash; hdr_crc stays */
		b[m->be ? 2 : 3] &= (uint8_t)~0x20;
	img_append(m, b, 68 + s->csize);
	free(b);
}

/* Raw LZMA1 with JFFS2's (OpenWrt's) parameters lc=0 lp=0 pb=0. */
static size_t lzma_jffs2(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	lzma_options_lzma opt;
	lzma_filter f[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
	lzma_stream s = LZMA_STREAM_INIT;

	assert_false(lzma_lzma_preset(&opt, 6));
	opt.dict_size = 0x2000;
	opt.lc = 0;
	opt.lp = 0;
	opt.pb = 0;
	assert_int_equal(lzma_raw_encoder(&s, f), LZMA_OK);
	s.next_in = in;
	s.avail_in = n;
	s.next_out = out;
	s.avail_out = cap;
	assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	size_t len = cap - s.avail_out;
	lzma_end(&s);
	return len;
}

/* rtime with no back references: (byte, 0) pairs. */
static size_t rtime_plain(const uint8_t *in, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = in[i];
		out[2 * i + 1] = 0;
	}
	return 2 * n;
}

#define S_REG 0100000
#define S_DIR 0040000

static void write_img(const char *path, struct img *m)
{
	gbt_write_file(path, m->p, m->n);
	free(m->p);
	m->p = NULL;
}

/* Versions overlap, truncate and leave holes; a name is unlinked and another
 * replaced; an obsolete node is ignored; LZMA, RTIME and ZERO nodes decode;
 * a 32-bit device number is decoded. */
static void build_semantics(bool be)
{
	struct img m = {.be = be};
	uint8_t a[100], bb[20], c[10], text[4096], lz[8192], rt[20];
	size_t lzlen;
	FILE *exp;

	memset(a, 'A', sizeof(a));
	memset(bb, 'B', sizeof(bb));
	memset(c, 'C', sizeof(c));
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)"jffs2 lzma node text "[i % 21];
	lzlen = lzma_jffs2(text, sizeof(text), lz, sizeof(lz));
	size_t rtlen = rtime_plain(c, sizeof(c), rt);

	add_cleanmarker(&m);
	/* ver.bin (ino 2): A*100 v1, B*20 at 50 v2, obsolete Z v9, C at 150 v3 with isize 200 */
	add_dirent(&m, 1, 1, 2, 8, "ver.bin");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 100, 0, 100, 0, a, 100, false});
	add_inode(&m, &(struct inode_spec){2, 2, S_REG | 0644, 100, 50, 20, 0, bb, 20, false});
	add_inode(&m, &(struct inode_spec){2, 9, S_REG | 0600, 100, 0, 100, 0, text, 100, true});
	add_inode(&m, &(struct inode_spec){2, 3, S_REG | 0640, 200, 150, 10, 2, rt, (uint32_t)rtlen, false});
	/* lz.txt (ino 3): LZMA page then a ZERO node, isize 4096 + 1000 */
	add_dirent(&m, 1, 2, 3, 8, "lz.txt");
	add_inode(&m, &(struct inode_spec){3, 1, S_REG | 0644, 5096, 0, 4096, 8, lz, (uint32_t)lzlen, false});
	add_inode(&m, &(struct inode_spec){3, 2, S_REG | 0644, 5096, 4096, 1000, 1, NULL, 0, false});
	/* gone (ino 4) is unlinked by a newer dirent */
	add_dirent(&m, 1, 3, 4, 8, "gone");
	add_inode(&m, &(struct inode_spec){4, 1, S_REG | 0644, 1, 0, 1, 0, "g", 1, false});
	add_dirent(&m, 1, 4, 0, 8, "gone");
	/* x first points at ino 5, then (newer) at ino 6 */
	add_dirent(&m, 1, 5, 5, 8, "x");
	add_inode(&m, &(struct inode_spec){5, 1, S_REG | 0644, 3, 0, 3, 0, "old", 3, false});
	add_inode(&m, &(struct inode_spec){6, 1, S_REG | 0755, 3, 0, 3, 0, "new", 3, false});
	add_dirent(&m, 1, 6, 6, 8, "x");
	/* d/blk (ino 8): block device 259:70000 in the new 32-bit encoding */
	add_dirent(&m, 1, 7, 7, 4, "d");
	add_inode(&m, &(struct inode_spec){7, 1, S_DIR | 0700, 0, 0, 0, 0, NULL, 0, false});
	uint32_t dev = (70000 & 0xff) | (259 << 8) | ((70000 & ~0xffu) << 12);
	uint8_t devb[4];
	put32(&m, devb, dev);
	add_dirent(&m, 7, 8, 8, 6, "blk");
	add_inode(&m, &(struct inode_spec){8, 1, 0060000 | 0600, 0, 0, 4, 0, devb, 4, false});
	write_img("sem.jffs2", &m);

	exp = fopen("ver.expected", "wb");
	fwrite(a, 1, 50, exp);
	fwrite(bb, 1, 20, exp);
	fwrite(a, 1, 30, exp);
	for (int i = 0; i < 50; i++)
		fputc(0, exp);
	fwrite(c, 1, 10, exp);
	for (int i = 0; i < 40; i++)
		fputc(0, exp);
	fclose(exp);
	exp = fopen("lz.expected", "wb");
	fwrite(text, 1, sizeof(text), exp);
	for (int i = 0; i < 1000; i++)
		fputc(0, exp);
	fclose(exp);
	gbt_write_file("x.expected", "new", 3);
}

static void check_semantics(bool be)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;

	build_semantics(be);
	s = gbt_scan("sem.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, be ? "be" : "le");
	gbt_assert_file_matches(s, "jffs2", "/ver.bin", "ver.expected");
	assert_int_equal(must_file(s, "/ver.bin")->mode, 0640);
	assert_int_equal(must_file(s, "/ver.bin")->uid, 7);
	assert_int_equal(must_file(s, "/ver.bin")->gid, 8);
	gbt_assert_file_matches(s, "jffs2", "/lz.txt", "lz.expected");
	gbt_assert_file_matches(s, "jffs2", "/x", "x.expected");
	assert_int_equal(must_file(s, "/x")->mode, 0755);
	assert_null(gbt_file(s, "jffs2", "/gone"));
	assert_int_equal(must_file(s, "/d")->mode, 0700);
	f = must_file(s, "/d/blk");
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 259);
	assert_int_equal(f->minor, 70000);
	assert_int_equal(gbt_count_files(s, n->id), 5);
	gb_scan_free(s);
}

static void test_semantics_le(void **state)
{
	check_semantics(false);
}

static void test_semantics_be(void **state)
{
	check_semantics(true);
}

/* ---- probe on hand-built buffers ----------------------------------------- */

static void test_probe(void **state)
{
	struct img m = {.be = false};
	struct gb_probe p;
	struct gb_span sp;
	uint8_t buf[16384];

	add_cleanmarker(&m);
	add_dirent(&m, 1, 1, 2, 8, "f");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 2, 0, 2, 0, "hi", 2, false});
	size_t end = m.n;
	assert_true(end < 4096);

	/* erased flash after the nodes: covered up to the erase block */
	memset(buf, 0xff, sizeof(buf));
	memcpy(buf, m.p, m.n);
	sp = gb_span_make(buf, 8192);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), 0);
	assert_int_equal(p.size, 8192);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "le");

	/* other data right after: only the nodes */
	memset(buf + end, 0x5a, sizeof(buf) - end);
	sp = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), 0);
	assert_int_equal(p.size, end);

	/* a node cut short: covered to the end so that unpack can report it */
	sp = gb_span_make(buf, end - 3);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), 0);
	assert_int_equal(p.size, end - 3);

	/* bad header CRC, unknown node type, tiny totlen: not JFFS2 */
	buf[8] ^= 1;
	sp = gb_span_make(buf, sizeof(buf));
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), -GB_ENOTFOUND);
	buf[8] ^= 1;
	hdr(&m, buf, 0x2007, 12);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), -GB_ENOTFOUND);
	hdr(&m, buf, 0x2003, 8);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), -GB_ENOTFOUND);
	hdr(&m, buf, 0x2003, 12); /* an obsoleted cleanmarker still is JFFS2 */
	buf[3] &= (uint8_t)~0x20;
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), 0);
	hdr(&m, buf, 0x0003, 12); /* ... but its CRC covers the ACCURATE bit set */
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), -GB_ENOTFOUND);
	sp = gb_span_make(buf, 1);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), -GB_ENOTFOUND);
	free(m.p);

	/* big endian */
	m = (struct img){.be = true};
	add_cleanmarker(&m);
	sp = gb_span_make(m.p, m.n);
	assert_int_equal(gb__fmt_jffs2.probe(&sp, &p), 0);
	assert_string_equal(p.variant, "be");
	assert_int_equal(p.size, 12);
	free(m.p);
}

/* ---- hostile images ------------------------------------------------------ */

static void test_truncated(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -D dev.tab -l -o full.jffs2 && head -c 500001 full.jffs2 > cut.jffs2");
	s = gbt_scan("cut.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	assert_non_null(strstr(n->error, "truncated"));
	assert_true(n->n_entries > 0);
	gb_scan_free(s);
}

/* Find `needle` (n bytes of the file `src`, at `off`) in `img` and flip a byte
 * there: the data CRC of that node fails, the node is dropped, its range of
 * the file reads as zeros. */
static void test_bad_data_crc(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	size_t ni, ns;
	uint8_t *img, *src, *hit;
	char want[65];

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -D dev.tab -b -m none -o plain.jffs2");
	img = gbt_read_file("plain.jffs2", &ni);
	src = gbt_read_file("src/random.bin", &ns);
	hit = memmem(img, ni, src + 100, 64); /* in the file's first 4 KiB node */
	assert_non_null(hit);
	hit[10] ^= 0x40;
	gbt_write_file("flip.jffs2", img, ni);
	memset(src, 0, 4096); /* what a reader must make of that page */
	gbt_write_file("random.expected", src, ns);
	free(img);
	free(src);

	s = gbt_scan("flip.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "bad data CRC"));
	f = must_file(s, "/random.bin");
	gbt_sha256sum("random.expected", want);
	assert_string_equal(f->sha256, want);
	gbt_assert_file_matches(s, "jffs2", "/dir/text.txt", "src/dir/text.txt");
	gb_scan_free(s);
}

/* A header byte flipped: the node is unreadable and skipped, the walk goes on. */
static void test_bad_header(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m = {.be = false};

	add_cleanmarker(&m);
	add_dirent(&m, 1, 1, 2, 8, "a");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 2, 0, 2, 0, "aa", 2, false});
	size_t broken = m.n;
	add_dirent(&m, 1, 2, 3, 8, "b");
	add_dirent(&m, 1, 3, 4, 8, "c");
	add_inode(&m, &(struct inode_spec){4, 1, S_REG | 0644, 2, 0, 2, 0, "cc", 2, false});
	m.p[broken + 5] ^= 0x10; /* totlen of b's dirent */
	write_img("hdr.jffs2", &m);
	gbt_write_file("c.expected", "cc", 2);

	s = gbt_scan("hdr.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "unreadable"));
	assert_null(gbt_file(s, "jffs2", "/b"));
	gbt_assert_file_matches(s, "jffs2", "/c", "c.expected");
	gb_scan_free(s);
}

/* isize 0xffffffff with a 5-byte node: no 4 GiB allocation or file. */
static void test_huge_isize(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct img m = {.be = true};
	char disk[4200];
	struct stat st;

	add_dirent(&m, 1, 1, 2, 8, "huge");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 0xffffffff, 0, 5, 0, "hello", 5, false});
	add_dirent(&m, 1, 2, 3, 8, "far");
	add_inode(&m, &(struct inode_spec){3, 1, S_REG | 0644, 0xffffffff, 0xfffffff0, 5, 0, "hello", 5, false});
	write_img("huge.jffs2", &m);

	s = gbt_scan("huge.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	f = must_file(s, "/huge");
	assert_true(f->incomplete);
	assert_true(f->size >= 5 && f->size <= (32u << 20));
	assert_non_null(f->disk);
	snprintf(disk, sizeof(disk), "out/%s", f->disk);
	assert_int_equal(stat(disk, &st), 0);
	assert_true(st.st_size <= (32 << 20));
	f = must_file(s, "/far");
	assert_true(f->incomplete);
	assert_true(f->size <= (32u << 20));
	gb_scan_free(s);
}

/* A ZERO node declaring 4 GiB is a bomb: the writer's limit stops it. */
static void test_zero_bomb(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct gb_limits lim;
	struct img m = {.be = false};

	add_dirent(&m, 1, 1, 2, 8, "bomb");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 0xffffffff, 0, 0xffffffff, 1, NULL, 0, false});
	write_img("bomb.jffs2", &m);
	gb_limits_default(&lim);
	lim.max_file_bytes = 1 << 20;
	s = gbt_scan_limits("bomb.jffs2", "out", &lim);
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	f = must_file(s, "/bomb");
	assert_true(f->incomplete);
	assert_true(f->size <= (1u << 20));
	gb_scan_free(s);
}

/* Directory loops: a directory listing itself and a link back to the root. */
static void test_dir_loop(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	struct img m = {.be = false};

	add_dirent(&m, 1, 1, 2, 4, "a");
	add_inode(&m, &(struct inode_spec){2, 1, S_DIR | 0755, 0, 0, 0, 0, NULL, 0, false});
	add_dirent(&m, 2, 2, 2, 4, "self");
	add_dirent(&m, 2, 3, 1, 4, "root");
	add_dirent(&m, 2, 4, 3, 4, "b");
	add_inode(&m, &(struct inode_spec){3, 1, S_DIR | 0755, 0, 0, 0, 0, NULL, 0, false});
	add_dirent(&m, 3, 5, 2, 4, "up");
	/* a dirent to an inode that has no node at all */
	add_dirent(&m, 1, 6, 99, 8, "ghost");
	write_img("loop.jffs2", &m);

	s = gbt_scan("loop.jffs2", "out");
	n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	assert_non_null(gbt_file(s, "jffs2", "/a"));
	assert_non_null(gbt_file(s, "jffs2", "/a/b"));
	assert_null(gbt_file(s, "jffs2", "/a/b/up/b"));
	assert_null(gbt_file(s, "jffs2", "/ghost"));
	assert_true(gbt_count_files(s, n->id) <= 6);
	gb_scan_free(s);
}

/* Random bytes sprinkled with magics and valid-looking headers: no crash. */
static void test_garbage(void **state)
{
	uint8_t *buf = malloc(1 << 20);
	struct gb_scan *s;
	struct img m = {.be = false};

	assert_non_null(buf);
	srand(7);
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (uint8_t)rand();
	for (size_t i = 0; i < (1 << 20); i += 4096)
		memcpy(buf + i, i & 4096 ? "\x85\x19" : "\x19\x85", 2);
	add_dirent(&m, 1, 1, 2, 8, "z");
	add_inode(&m, &(struct inode_spec){2, 1, S_REG | 0644, 100000, 0, 4096, 6, buf, 600, false});
	memcpy(buf + 65536, m.p, m.n);
	free(m.p);
	gbt_write_file("garbage.bin", buf, 1 << 20);
	free(buf);
	s = gbt_scan("garbage.bin", "out");
	assert_non_null(s);
	const struct gb_node *n = gbt_node(s, "jffs2");
	assert_non_null(n);
	assert_int_equal(n->offset, 65536);
	assert_int_not_equal(n->status, GB_STATUS_OK); /* bad zlib data */
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_le_zlib),
		cmocka_unit_test(test_be_zlib),
		cmocka_unit_test(test_le_no_cleanmarkers),
		cmocka_unit_test(test_be_padded),
		cmocka_unit_test(test_le_small_eraseblock_padded),
		cmocka_unit_test(test_le_rtime),
		cmocka_unit_test(test_le_lzo),
		cmocka_unit_test(test_be_lzo),
		cmocka_unit_test(test_le_uncompressed_big_pages),
		cmocka_unit_test(test_semantics_le),
		cmocka_unit_test(test_semantics_be),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_data_crc),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_huge_isize),
		cmocka_unit_test(test_zero_bomb),
		cmocka_unit_test(test_dir_loop),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
