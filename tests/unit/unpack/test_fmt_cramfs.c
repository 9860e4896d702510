/* cramfs: images made by mkfs.cramfs (util-linux) in both byte orders, with
 * the 512-byte pad and with explicit holes, checked against the source tree
 * (sha256sum) and against fsck.cramfs --extract; hand-built images for what
 * mkfs.cramfs never writes (v1 superblocks, extended block pointers of XIP
 * images, zstd blocks, directory loops, hostile names, absurd sizes) and
 * damaged images. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <glassbox/sys/format.h>

extern const struct gb_format gb__fmt_cramfs;

#define MKFS "PATH=$PATH:/usr/sbin mkfs.cramfs"
#define FSCK "PATH=$PATH:/usr/sbin fsck.cramfs"

static bool need_mkfs(void)
{
	return gbt_have_tool("mkfs.cramfs") || gbt_have_tool("/usr/sbin/mkfs.cramfs");
}

static bool have_dev; /* the tree has a device node (mknod needs root) */

static void make_tree(void)
{
	static bool made;

	if (made)
		return;
	gbt_sh("rm -rf src && mkdir -p src/dir/sub src/emptydir && "
	       "head -c 300000 /dev/urandom > src/random.bin && "
	       "seq 1 20000 > src/dir/text.txt && : > src/empty && "
	       "echo 'setuid helper' > src/dir/suid && chmod 4755 src/dir/suid && "
	       "head -c 20000 /dev/zero > src/zeros && "
	       "{ head -c 5000 /dev/urandom; head -c 12288 /dev/zero; echo tail; } > src/holey && "
	       "ln -s dir/text.txt src/link && ln -s /nonexistent/abs src/dir/sub/abs && "
	       "mkfifo src/fifo && chmod 640 src/dir/text.txt");
	gbt_sh_status("chown 1000:100 src/dir/text.txt");
	have_dev = gbt_sh_status("mknod src/dir/tty c 4 64") == 0;
	made = true;
}

static const struct gb_file *must_file(const struct gb_scan *s, const char *path)
{
	const struct gb_file *f = gbt_file(s, "cramfs", path);
	if (!f)
		fail_msg("%s not recorded", path);
	return f;
}

/* Every regular file fsck.cramfs extracts has the same digest in the scan. */
static void compare_fsck(const struct gb_scan *s, const char *img)
{
	FILE *l;
	char line[4096];
	unsigned n = 0;

	gbt_sh("rm -rf fsck.out && " FSCK " --extract=fsck.out %s && "
	       "cd fsck.out && find . -type f | sed 's/^\\.//' > ../fsck.list",
	       img);
	l = fopen("fsck.list", "r");
	assert_non_null(l);
	while (fgets(line, sizeof(line), l)) {
		char disk[4200];
		line[strcspn(line, "\n")] = 0;
		snprintf(disk, sizeof(disk), "fsck.out%s", line);
		gbt_assert_file_matches(s, "cramfs", line, disk);
		n++;
	}
	fclose(l);
	assert_true(n >= 6);
}

static void check_mkfs(const char *opts, const char *variant)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct stat st;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " %s src img.cramfs", opts);
	s = gbt_scan("img.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_null(n->error);
	assert_string_equal(n->variant, variant);
	assert_int_equal(n->offset, 0);
	assert_int_equal(stat("img.cramfs", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);

	gbt_assert_file_matches(s, "cramfs", "/random.bin", "src/random.bin");
	gbt_assert_file_matches(s, "cramfs", "/dir/text.txt", "src/dir/text.txt");
	gbt_assert_file_matches(s, "cramfs", "/dir/suid", "src/dir/suid");
	gbt_assert_file_matches(s, "cramfs", "/empty", "src/empty");
	gbt_assert_file_matches(s, "cramfs", "/zeros", "src/zeros");
	gbt_assert_file_matches(s, "cramfs", "/holey", "src/holey");
	gbt_assert_mode(s, "cramfs", "/dir/suid", 04755);
	gbt_assert_mode(s, "cramfs", "/dir/text.txt", 0640);
	f = must_file(s, "/dir/text.txt");
	if (f->uid == 1000) /* chown worked */
		assert_int_equal(f->gid, 100);
	assert_false(f->incomplete);
	gbt_assert_symlink(s, "cramfs", "/link", "dir/text.txt");
	gbt_assert_symlink(s, "cramfs", "/dir/sub/abs", "/nonexistent/abs");
	gbt_assert_type(s, "cramfs", "/fifo", GB_FT_FIFO);
	gbt_assert_type(s, "cramfs", "/emptydir", GB_FT_DIR);
	gbt_assert_type(s, "cramfs", "/dir/sub", GB_FT_DIR);
	if (have_dev) {
		f = must_file(s, "/dir/tty");
		assert_int_equal(f->type, GB_FT_CHARDEV);
		assert_int_equal(f->major, 4);
		assert_int_equal(f->minor, 64);
	}
	/* fsck.cramfs refuses CRAMFS_FLAG_HOLES ("unsupported filesystem
	 * features"): the source tree is the oracle there */
	if (!strstr(opts, "-z"))
		compare_fsck(s, "img.cramfs");
	gb_scan_free(s);
}

static void test_le(void **state)
{
	check_mkfs("-N little", "v2-le");
}

static void test_be(void **state)
{
	check_mkfs("-N big", "v2-be");
}

static void test_le_padded(void **state)
{
	check_mkfs("-N little -p", "v2-le");
}

static void test_be_padded_holes(void **state)
{
	check_mkfs("-N big -p -z", "v2-be");
}

static void test_le_holes(void **state)
{
	check_mkfs("-N little -z -n myname -e 7", "v2-le");
}

/* A padded image carved out of a larger blob: found at the start of the pad. */
static void test_embedded(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -p src pad.cramfs && { head -c 4096 /dev/urandom; cat pad.cramfs; "
	       "head -c 3000 /dev/urandom; } > blob.bin && " MKFS " src plain.cramfs && "
	       "{ head -c 1000 /dev/zero; cat plain.cramfs; } > blob2.bin");
	s = gbt_scan("blob.bin", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 4096);
	gbt_assert_file_matches(s, "cramfs", "/random.bin", "src/random.bin");
	gb_scan_free(s);
	/* unpadded after 1000 zeros: not mistaken for a padded one at 1000 - 512 */
	s = gbt_scan("blob2.bin", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_int_equal(n->offset, 1000);
	gbt_assert_file_matches(s, "cramfs", "/random.bin", "src/random.bin");
	gb_scan_free(s);
}

/* ---- hand-built images --------------------------------------------------- */

struct img {
	uint8_t p[1 << 17];
	size_t n;
	bool be;
};

static void put32(struct img *m, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		m->p[off + (m->be ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void put16(struct img *m, size_t off, uint16_t v)
{
	m->p[off + (m->be ? 1 : 0)] = (uint8_t)v;
	m->p[off + (m->be ? 0 : 1)] = (uint8_t)(v >> 8);
}

static void inode_at(struct img *m, size_t off, uint32_t mode, uint32_t uid, uint32_t size,
		     uint32_t gid, uint32_t namelen, uint32_t offset)
{
	if (m->be) {
		put32(m, off, mode << 16 | (uid & 0xffff));
		put32(m, off + 4, size << 8 | (gid & 0xff));
		put32(m, off + 8, namelen << 26 | (offset / 4));
	} else {
		put32(m, off, (mode & 0xffff) | uid << 16);
		put32(m, off + 4, (size & 0xffffff) | gid << 24);
		put32(m, off + 8, (namelen & 0x3f) | (offset / 4) << 6);
	}
}

static size_t reserve(struct img *m, size_t n)
{
	size_t off = m->n;
	m->n = (m->n + n + 3) & ~(size_t)3;
	return off;
}

/* A directory entry in the range being built: inode + name; returns the
 * inode's offset (to patch its data offset later). */
static size_t dirent(struct img *m, uint32_t mode, uint32_t size, const char *name, uint32_t offset)
{
	size_t len = strlen(name), nl = (len + 3) / 4;
	size_t off = reserve(m, 12 + nl * 4);

	inode_at(m, off, mode, 7, size, 8, (uint32_t)nl, offset);
	memcpy(m->p + off + 12, name, len);
	return off;
}

static void patch_offset(struct img *m, size_t ino, uint32_t mode, uint32_t size, uint32_t nl,
			 uint32_t offset)
{
	inode_at(m, ino, mode, 7, size, 8, nl, offset);
}

static void super(struct img *m, uint32_t flags, uint32_t root_size, uint32_t root_off, bool crc)
{
	put32(m, 0, 0x28cd3d45);
	put32(m, 4, (uint32_t)m->n);
	put32(m, 8, flags);
	memcpy(m->p + 16, "Compressed ROMFS", 16);
	put32(m, 44, 10);
	memcpy(m->p + 48, "hand", 4);
	inode_at(m, 64, 040755, 0, root_size, 0, 0, root_off);
	put32(m, 32, 0);
	if (crc)
		put32(m, 32, (uint32_t)crc32(crc32(0, NULL, 0), m->p, (uInt)m->n));
}

static size_t zlib_block(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uLongf len = cap;
	assert_int_equal(compress2(out, &len, in, n, 9), Z_OK);
	return len;
}

/* EXT_BLOCK_POINTERS (XIP): a 4-block file whose block 0 is stored and
 * direct, block 1 compressed and direct (u16 length first), block 2 a plain
 * end pointer after a direct block, block 3 (the last, 100 bytes) stored
 * behind an UNCOMPRESSED end pointer; a second file all holes. */
static void build_extptr(bool be)
{
	struct img *m = calloc(1, sizeof(*m));
	uint8_t data[4 * 4096], z[8192];
	size_t root, f1, f2, tbl1, tbl2, b0, b1, b2, b3, zl;
	uint32_t size1 = 3 * 4096 + 100;

	m->be = be;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i % 251 ^ i / 4096);
	m->n = 76;
	root = m->n;
	f1 = dirent(m, 0100755, size1, "xip", 0);
	f2 = dirent(m, 0100644, 3 * 4096, "holes", 0);
	uint32_t root_size = (uint32_t)(m->n - root);
	/* file 1 */
	tbl1 = reserve(m, 16);
	b0 = reserve(m, 4096);
	memcpy(m->p + b0, data, 4096);
	zl = zlib_block(data + 4096, 4096, z, sizeof(z));
	b1 = m->n; /* direct pointers need 4-byte alignment, the rest follows unaligned */
	put16(m, b1, (uint16_t)zl);
	memcpy(m->p + b1 + 2, z, zl);
	b2 = b1 + 2 + zl;
	zl = zlib_block(data + 8192, 4096, z, sizeof(z));
	memcpy(m->p + b2, z, zl);
	b3 = b2 + zl;
	memcpy(m->p + b3, data + 12288, 100);
	m->n = b3 + 100;
	put32(m, tbl1, 0xc0000000u | (uint32_t)(b0 >> 2));
	put32(m, tbl1 + 4, 0x40000000u | (uint32_t)(b1 >> 2));
	put32(m, tbl1 + 8, (uint32_t)(b2 + zl));
	put32(m, tbl1 + 12, 0x80000000u | (uint32_t)(b3 + 100));
	m->n = (m->n + 3) & ~(size_t)3;
	patch_offset(m, f1, 0100755, size1, 1, (uint32_t)tbl1);
	/* file 2: three holes (end pointers equal to the table end) */
	tbl2 = reserve(m, 12);
	for (int i = 0; i < 3; i++)
		put32(m, tbl2 + 4 * i, (uint32_t)(tbl2 + 12));
	patch_offset(m, f2, 0100644, 3 * 4096, 2, (uint32_t)tbl2);
	super(m, 0x803, root_size, (uint32_t)root, true);
	gbt_write_file("ext.cramfs", m->p, m->n);
	gbt_write_file("xip.expected", data, size1);
	memset(data, 0, sizeof(data));
	gbt_write_file("holes.expected", data, 3 * 4096);
	free(m);
}

static void check_extptr(bool be)
{
	struct gb_scan *s;
	const struct gb_node *n;

	build_extptr(be);
	s = gbt_scan("ext.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, be ? "v2-be-extptr" : "v2-le-extptr");
	gbt_assert_file_matches(s, "cramfs", "/xip", "xip.expected");
	gbt_assert_file_matches(s, "cramfs", "/holes", "holes.expected");
	gbt_assert_mode(s, "cramfs", "/xip", 0755);
	assert_int_equal(must_file(s, "/xip")->uid, 7);
	assert_int_equal(must_file(s, "/xip")->gid, 8);
	gb_scan_free(s);
}

static void test_extptr_le(void **state)
{
	check_extptr(false);
}

static void test_extptr_be(void **state)
{
	check_extptr(true);
}

/* A v1 image (no fsid, no CRC) with a zstd block, a block device, a socket,
 * a directory that lists the root again (loop), names with ".." and a
 * symlink escaping. */
static void test_v1_hostile(void **state)
{
	struct img *m = calloc(1, sizeof(*m));
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	uint8_t z[256];
	size_t root, fz, d, lnk, tbl, dir2, zl;
	const char *text = "zstd block in a cramfs file\n";

	gbt_sh("rm -rf canary && mkdir canary");
	m->n = 76;
	root = m->n;
	fz = dirent(m, 0100644, (uint32_t)strlen(text), "z.txt", 0);
	dirent(m, 060600, 8 << 8 | 3, "sda3", 0);
	dirent(m, 0140777, 0, "sock", 0);
	d = dirent(m, 040700, 0, "d", 0);
	lnk = dirent(m, 0120777, 18, "esc", 0);
	dirent(m, 0100644, 0, "../../canary/x", 0);
	uint32_t root_size = (uint32_t)(m->n - root);
	/* d lists "up" -> the root range again, and "self" -> its own range */
	dir2 = m->n;
	size_t up = dirent(m, 040755, root_size, "up", (uint32_t)root);
	size_t self = dirent(m, 040755, 0, "self", 0);
	uint32_t d_size = (uint32_t)(m->n - dir2);
	patch_offset(m, self, 040755, d_size, 1, (uint32_t)dir2);
	(void)up;
	patch_offset(m, d, 040700, d_size, 1, (uint32_t)dir2);
	/* z.txt: one zstd block */
	zl = ZSTD_compress(z, sizeof(z), text, strlen(text), 3);
	assert_false(ZSTD_isError(zl));
	tbl = reserve(m, 4);
	size_t b = reserve(m, zl);
	memcpy(m->p + b, z, zl);
	put32(m, tbl, (uint32_t)(b + zl));
	patch_offset(m, fz, 0100644, (uint32_t)strlen(text), 2, (uint32_t)tbl);
	/* esc -> ../../../../canary, zlib */
	tbl = reserve(m, 4);
	zl = zlib_block((const uint8_t *)"../../../../canary", 18, z, sizeof(z));
	b = reserve(m, zl);
	memcpy(m->p + b, z, zl);
	put32(m, tbl, (uint32_t)(b + zl));
	patch_offset(m, lnk, 0120777, 18, 1, (uint32_t)tbl);
	super(m, 0, root_size, (uint32_t)root, false);
	put32(m, 4, 0); /* v1: size not recorded */
	gbt_write_file("v1.cramfs", m->p, m->n);
	gbt_write_file("z.expected", text, strlen(text));
	free(m);

	s = gbt_scan("v1.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_string_equal(n->variant, "v1-le");
	assert_int_equal(n->status, GB_STATUS_PARTIAL); /* the loop */
	gbt_assert_file_matches(s, "cramfs", "/z.txt", "z.expected");
	f = must_file(s, "/sda3");
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 8);
	assert_int_equal(f->minor, 3);
	gbt_assert_type(s, "cramfs", "/sock", GB_FT_SOCKET);
	gbt_assert_symlink(s, "cramfs", "/esc", "../../../../canary");
	gbt_assert_mode(s, "cramfs", "/d", 0700);
	gbt_assert_type(s, "cramfs", "/d/up", GB_FT_DIR);
	assert_null(gbt_file(s, "cramfs", "/d/up/z.txt"));
	assert_null(gbt_file(s, "cramfs", "/d/self/up"));
	assert_true(gbt_count_files(s, n->id) <= 10);
	gbt_assert_dir_empty("canary");
	gb_scan_free(s);
}

/* probe: magic, signature, root inode, CRC (confidence), both offsets. */
static void test_probe(void **state)
{
	struct img *m = calloc(1, sizeof(*m));
	struct gb_probe p;
	struct gb_span sp;

	m->n = 76;
	size_t root = m->n;
	dirent(m, 0100644, 0, "empty", 0);
	super(m, 0x3, (uint32_t)(m->n - root), (uint32_t)root, true);
	size_t end = m->n;
	sp = gb_span_make(m->p, end + 100);
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), 0);
	assert_int_equal(p.size, end);
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "v2-le");
	m->p[80] ^= 1; /* the name: the CRC no longer matches */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), 0);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	m->p[80] ^= 1;
	sp = gb_span_make(m->p, end - 4); /* truncated: medium, to the end */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), 0);
	assert_int_equal(p.size, end - 4);
	assert_int_equal(p.confidence, GB_CONF_MEDIUM);
	sp = gb_span_make(m->p, 70);
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	sp = gb_span_make(m->p, end);
	m->p[20] = 'x'; /* signature */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	m->p[20] = 'r';
	inode_at(m, 64, 0100644, 0, 12, 0, 0, 76); /* root not a directory */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	inode_at(m, 64, 040755, 0, 12, 0, 0, 8); /* root entries inside the superblock */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	inode_at(m, 64, 040755, 0, 12, 0, 0, 76);
	put32(m, 44, 0); /* v2 with no files */
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	put32(m, 44, 10);
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), 0);
	/* the same superblock 512 bytes in is a padded image; its root offset
	 * (76) lies in the pad, so it is rejected */
	memmove(m->p + 512, m->p, end);
	memset(m->p, 0, 512);
	sp = gb_span_make(m->p, end + 512);
	assert_int_equal(gb__fmt_cramfs.probe(&sp, &p), -GB_ENOTFOUND);
	free(m);
}

/* Cut short, bad CRC, corrupt blocks: what is readable is kept. */
static void test_damaged(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	uint8_t *img, *hit, *src;
	size_t ni, ns;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " src full.cramfs && head -c 200000 full.cramfs > cut.cramfs");
	s = gbt_scan("cut.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "truncated"));
	assert_true(n->n_entries > 5);
	gb_scan_free(s);

	/* flip a byte inside random.bin's compressed data (stored nearly as is) */
	img = gbt_read_file("full.cramfs", &ni);
	src = gbt_read_file("src/random.bin", &ns);
	hit = memmem(img, ni, src + 5000, 32);
	assert_non_null(hit);
	hit[3] ^= 0x55;
	gbt_write_file("flip.cramfs", img, ni);
	free(img);
	free(src);
	s = gbt_scan("flip.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "CRC"));
	assert_true(must_file(s, "/random.bin")->incomplete);
	gbt_assert_file_matches(s, "cramfs", "/dir/text.txt", "src/dir/text.txt");
	gb_scan_free(s);
}

/* Block pointers pointing backwards or far away, sizes of 16 MiB with a
 * one-entry table, a directory whose size runs past the image. */
static void test_absurd(void **state)
{
	struct img *m = calloc(1, sizeof(*m));
	struct gb_scan *s;
	const struct gb_node *n;
	size_t root, f1, f2, tbl;

	m->n = 76;
	root = m->n;
	f1 = dirent(m, 0100644, 0xffffff, "huge", 0);
	f2 = dirent(m, 0100644, 5000, "back", 0);
	dirent(m, 040755, 0xffffff, "bigdir", 1000);
	uint32_t root_size = (uint32_t)(m->n - root);
	tbl = reserve(m, 8);
	put32(m, tbl, 0x7ffffff0);
	put32(m, tbl + 4, 4);
	patch_offset(m, f1, 0100644, 0xffffff, 1, (uint32_t)tbl);
	patch_offset(m, f2, 0100644, 5000, 1, (uint32_t)tbl + 4);
	super(m, 0x3, root_size, (uint32_t)root, true);
	gbt_write_file("absurd.cramfs", m->p, m->n);
	free(m);
	s = gbt_scan("absurd.cramfs", "out");
	n = gbt_node(s, "cramfs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_true(must_file(s, "/huge")->incomplete);
	assert_true(must_file(s, "/huge")->size < 4096);
	assert_true(must_file(s, "/back")->incomplete);
	gbt_assert_type(s, "cramfs", "/bigdir", GB_FT_DIR);
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_le),
		cmocka_unit_test(test_be),
		cmocka_unit_test(test_le_padded),
		cmocka_unit_test(test_be_padded_holes),
		cmocka_unit_test(test_le_holes),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_extptr_le),
		cmocka_unit_test(test_extptr_be),
		cmocka_unit_test(test_v1_hostile),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_absurd),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
