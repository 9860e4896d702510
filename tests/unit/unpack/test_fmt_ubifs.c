/* ubifs: images made by mkfs.ubifs (mtd-utils) with each compressor it offers
 * (lzo, zlib, zstd, none), checked entry by entry against the source tree
 * (sha256sum of every file, symlink targets, modes, devices from a device
 * table, hard links, a sparse file); hand-built images (tests/unit/unpack/
 * ubifs_build.h) for what mkfs.ubifs never writes: index cycles and shared
 * subtrees, absurd sizes, ".." names, escaping symlinks, bad CRCs, unknown
 * compressors; damaged mkfs images. */
#include "../harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include <glassbox/sys/format.h>

#include "ubifs_build.h"

extern const struct gb_format gb__fmt_ubifs;

#define MKFS "PATH=$PATH:/usr/sbin mkfs.ubifs"

static bool need_mkfs(void)
{
	return gbt_have_tool("mkfs.ubifs") || gbt_have_tool("/usr/sbin/mkfs.ubifs");
}

/* setuid file, 1 MiB of random bytes, a compressible text, an empty file,
 * zeros, a sparse file, a file ending inside a block, symlinks (one
 * escaping), a hard link, a fifo, a socket, nested and empty directories,
 * plus a char device and owner/mode changes through the device table. */
static void make_tree(void)
{
	static bool made;

	if (made)
		return;
	gbt_sh("rm -rf src && mkdir -p src/dir/sub/deeper src/emptydir && "
	       "head -c 1048576 /dev/urandom > src/random.bin && "
	       "seq 1 20000 | sed 's/$/ the quick brown fox/' > src/dir/text.txt && "
	       ": > src/empty && echo 'setuid helper' > src/dir/suid && chmod 4755 src/dir/suid && "
	       "head -c 70000 /dev/zero > src/zeros && head -c 5000 /dev/urandom > src/odd.bin && "
	       "truncate -s 3000000 src/sparse && printf 'middle' | dd of=src/sparse bs=1 seek=1500000 conv=notrunc 2>/dev/null && "
	       "ln -s dir/text.txt src/link && ln -s ../../../etc/passwd src/dir/sub/escape && "
	       "ln src/dir/suid src/hardlink && mkfifo src/fifo && "
	       "python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"src/dir/sock\")' && "
	       "echo deep > src/dir/sub/deeper/f && chmod 0700 src/dir/sub");
	gbt_sh("printf '%%s\\n' '/dir/tty c 620 0 5 4 64 0 0 -' '/dir/sda b 660 0 6 8 0 0 0 -' "
	       "'/dir/text.txt f 640 1000 100 - - - - -' > dev.tab");
	made = true;
}

static const struct gb_file *must_file(const struct gb_scan *s, const char *path)
{
	const struct gb_file *f = gbt_file(s, "ubifs", path);
	if (!f)
		fail_msg("%s not recorded", path);
	return f;
}

/* Every entry of src/ must be in the node with the same type, mode, content
 * or target (find(1) is the oracle). Returns the number of entries. */
static size_t check_against_src(const struct gb_scan *s)
{
	char line[8192], path[4200], src[4300];
	size_t n = 0;
	FILE *l;

	gbt_sh("cd src && find . -mindepth 1 -printf '%%y\\t%%m\\t%%P\\t%%l\\n' > ../listing");
	l = fopen("listing", "r");
	assert_non_null(l);
	while (fgets(line, sizeof(line), l)) {
		char *type = strtok(line, "\t"), *mode = strtok(NULL, "\t"), *p = strtok(NULL, "\t\n");
		char *target = strtok(NULL, "\n");
		const struct gb_file *f;

		snprintf(path, sizeof(path), "/%s", p);
		f = must_file(s, path);
		n++;
		if (strcmp(mode, "777") != 0 && strcmp(path, "/dir/text.txt") != 0 &&
		    strcmp(path, "/dir/tty") != 0 && strcmp(path, "/dir/sda") != 0)
			assert_int_equal(f->mode, strtoul(mode, NULL, 8));
		switch (type[0]) {
		case 'f':
			snprintf(src, sizeof(src), "src/%s", p);
			gbt_assert_file_matches(s, "ubifs", path, src);
			assert_false(f->incomplete);
			break;
		case 'd':
			assert_int_equal(f->type, GB_FT_DIR);
			break;
		case 'l':
			assert_int_equal(f->type, GB_FT_SYMLINK);
			assert_string_equal(f->target, target);
			break;
		case 'p':
			assert_int_equal(f->type, GB_FT_FIFO);
			break;
		case 's':
			assert_int_equal(f->type, GB_FT_SOCKET);
			break;
		default:
			fail_msg("unexpected type %s for %s", type, path);
		}
	}
	fclose(l);
	return n;
}

static void check_mkfs(const char *compr)
{
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f, *h;
	struct stat st;
	size_t entries;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -D dev.tab -m 2048 -e 126976 -c 200 -x %s -o img.ubifs", compr);
	s = gbt_scan("img.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, compr);
	assert_int_equal(n->offset, 0);
	assert_int_equal(stat("img.ubifs", &st), 0);
	assert_int_equal(n->size, (uint64_t)st.st_size);

	entries = check_against_src(s);
	/* + the two devices of the device table */
	assert_int_equal(gbt_count_files(s, n->id), entries + 2);
	f = must_file(s, "/dir/text.txt");
	assert_int_equal(f->mode, 0640);
	assert_int_equal(f->uid, 1000);
	assert_int_equal(f->gid, 100);
	f = must_file(s, "/dir/tty");
	assert_int_equal(f->type, GB_FT_CHARDEV);
	assert_int_equal(f->major, 4);
	assert_int_equal(f->minor, 64);
	assert_int_equal(f->mode, 0620);
	assert_int_equal(f->gid, 5);
	f = must_file(s, "/dir/sda");
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 8);
	assert_int_equal(f->minor, 0);
	/* one inode, two names */
	f = must_file(s, "/dir/suid");
	h = must_file(s, "/hardlink");
	assert_true(f->type == GB_FT_HARDLINK || h->type == GB_FT_HARDLINK);
	assert_string_equal(f->sha256, h->sha256);
	gb_scan_free(s);
}

static void test_lzo(void **state)
{
	check_mkfs("lzo");
}

static void test_zlib(void **state)
{
	check_mkfs("zlib");
}

static void test_zstd(void **state)
{
	if (gbt_sh_status(MKFS " --help 2>&1 | grep -q zstd") != 0)
		skip();
	check_mkfs("zstd");
}

static void test_none(void **state)
{
	check_mkfs("none");
}

/* ---- probe ---------------------------------------------------------------- */

static void test_probe(void **state)
{
	struct ub u;
	struct gb_probe p;
	struct gb_span sp;

	ub_init(&u, 2);
	ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	ub_finish(&u);
	sp = gb_span_make(u.p, ub_size());
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), 0);
	assert_int_equal(p.size, ub_size());
	assert_int_equal(p.confidence, GB_CONF_HIGH);
	assert_string_equal(p.variant, "zlib");
	/* more data after the image: only leb_cnt LEBs */
	uint8_t *big = malloc(ub_size() + 1000);
	memcpy(big, u.p, ub_size());
	memset(big + ub_size(), 0x33, 1000);
	sp = gb_span_make(big, ub_size() + 1000);
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), 0);
	assert_int_equal(p.size, ub_size());
	free(big);
	/* cut short: covered to the end */
	sp = gb_span_make(u.p, 3 * UB_LEB + 100);
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), 0);
	assert_int_equal(p.size, 3 * UB_LEB + 100);
	/* bad CRC, bad type, absurd LEB size, too short */
	u.p[100] ^= 1;
	sp = gb_span_make(u.p, ub_size());
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), -GB_ENOTFOUND);
	u.p[100] ^= 1;
	ub_le32(u.p + 36, 0x7fffffff);
	ub_le32(u.p + 4, ub_crc(u.p + 8, 4096 - 8));
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), -GB_ENOTFOUND);
	ub_le32(u.p + 36, UB_LEB);
	u.p[20] = 7;
	ub_le32(u.p + 4, ub_crc(u.p + 8, 4096 - 8));
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), -GB_ENOTFOUND);
	sp = gb_span_make(u.p, 100);
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), -GB_ENOTFOUND);
	free(u.p);
}

/* ---- hand-built semantics ------------------------------------------------- */

static void write_ub(const char *path, struct ub *u)
{
	gbt_write_file(path, u->p, ub_size());
	free(u->p);
	u->p = NULL;
}

/* Compressed blocks of each kind, a hole, a short last block, a device in the
 * 64-bit encoding, an xattr entry (ignored), the newest of two inode copies. */
static void test_semantics(void **state)
{
	struct ub u;
	uint8_t a[4096], z[4096], text[4096];
	uLongf zl = sizeof(z);
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	FILE *exp;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)"ubifs deflate block "[i % 20];
	memset(a, 'A', sizeof(a));
	/* raw deflate, as the kernel writes it */
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -11, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = text;
	zs.avail_in = sizeof(text);
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	zl = sizeof(z) - zs.avail_out;
	deflateEnd(&zs);

	ub_init(&u, 1);
	ub_ino(&u, 1, 0040755, 0, 3, NULL, 0);
	ub_dent(&u, 1, "f", 2, 0);
	ub_ino(&u, 2, 0100600, 1, 1, NULL, 0);    /* older copy */
	ub_ino(&u, 2, 0100644, 3 * 4096 + 10, 1, NULL, 0);
	ub_data(&u, 2, 0, 4096, 2, z, (uint32_t)zl);
	ub_data(&u, 2, 2, 4096, 0, a, 4096);      /* block 1 is a hole */
	ub_data(&u, 2, 3, 10, 0, a, 10);
	ub_dent(&u, 1, "blk", 3, 3);
	uint8_t dev[8] = {0};
	ub_le32(dev, (70000 & 0xff) | (259 << 8) | ((70000 & ~0xffu) << 12));
	ub_ino(&u, 3, 0060600, 0, 1, dev, 8);
	ub_dent(&u, 1, "d", 4, 1);
	ub_ino(&u, 4, 0040700, 0, 2, NULL, 0);
	ub_dent(&u, 4, "short", 5, 0);
	ub_ino(&u, 5, 0100644, 100, 1, NULL, 0);
	ub_data(&u, 5, 0, 30, 0, a, 30);          /* 30 bytes, then zeros to 100 */
	/* an xattr entry on inode 5 and its xattr inode: ignored */
	{
		struct ub_ref r;
		uint8_t *x = ub_alloc(&u, 56 + 9 + 1, &r);
		ub_key(x + 24, 5, 3, 1234);
		ub_le64(x + 40, 6);
		ub_le16(x + 50, 9);
		memcpy(x + 56, "user.test", 9);
		ub_seal(&u, x, 56 + 10, 3);
		memcpy(r.key, x + 24, 8);
		ub_add_leaf(&u, &r);
		ub_ino(&u, 6, 0100644, 3, 1, "val", 3);
	}
	ub_finish(&u);
	write_ub("sem.ubifs", &u);

	exp = fopen("f.expected", "wb");
	fwrite(text, 1, 4096, exp);
	for (int i = 0; i < 4096; i++)
		fputc(0, exp);
	fwrite(a, 1, 4096, exp);
	fwrite(a, 1, 10, exp);
	fclose(exp);
	exp = fopen("short.expected", "wb");
	fwrite(a, 1, 30, exp);
	for (int i = 0; i < 70; i++)
		fputc(0, exp);
	fclose(exp);

	s = gbt_scan("sem.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_string_equal(n->variant, "lzo");
	gbt_assert_file_matches(s, "ubifs", "/f", "f.expected");
	assert_int_equal(must_file(s, "/f")->mode, 0644);
	assert_int_equal(must_file(s, "/f")->uid, 7);
	assert_int_equal(must_file(s, "/f")->gid, 8);
	gbt_assert_file_matches(s, "ubifs", "/d/short", "short.expected");
	assert_int_equal(must_file(s, "/d")->mode, 0700);
	f = must_file(s, "/blk");
	assert_int_equal(f->type, GB_FT_BLOCKDEV);
	assert_int_equal(f->major, 259);
	assert_int_equal(f->minor, 70000);
	assert_int_equal(gbt_count_files(s, n->id), 4);
	gb_scan_free(s);
}

/* Nodes written after the last commit: a new file, a block rewritten, a name
 * deleted, a file truncated then extended (the cut blocks read as zeros).
 * With the log's REF node damaged, the journal is not replayed. */
static void test_journal_replay(void **state)
{
	struct ub u;
	uint8_t a[4096], b[4096], c[4096];
	struct gb_scan *s;
	const struct gb_node *n;
	FILE *exp;

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	memset(c, 'C', sizeof(c));
	ub_init(&u, 0);
	ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	ub_dent(&u, 1, "keep", 2, 0);
	ub_ino(&u, 2, 0100644, 8192, 1, NULL, 0);
	ub_data(&u, 2, 0, 4096, 0, a, 4096);
	ub_data(&u, 2, 1, 4096, 0, a, 4096);
	ub_dent(&u, 1, "gone", 3, 0);
	ub_ino(&u, 3, 0100644, 1, 1, NULL, 0);
	ub_data(&u, 3, 0, 1, 0, "g", 1);
	ub_dent(&u, 1, "trunc", 4, 0);
	ub_ino(&u, 4, 0100644, 12288, 1, NULL, 0);
	for (uint32_t i = 0; i < 3; i++)
		ub_data(&u, 4, i, 4096, 0, b, 4096);
	ub_finish(&u);

	ub_journal(&u);
	ub_dent(&u, 1, "new", 5, 0);
	ub_ino(&u, 5, 0100600, 5, 1, NULL, 0);
	ub_data(&u, 5, 0, 5, 0, "fresh", 5);
	ub_data(&u, 2, 1, 4096, 0, c, 4096);
	ub_dent(&u, 1, "gone", 0, 0);
	ub_ino(&u, 3, 0100644, 1, 0, NULL, 0);
	ub_trun(&u, 4, 12288, 4096);
	ub_ino(&u, 4, 0100644, 4096, 1, NULL, 0);
	ub_ino(&u, 4, 0100644, 12288, 1, NULL, 0);
	gbt_write_file("journal.ubifs", u.p, ub_size());
	u.p[(size_t)3 * UB_LEB + 32 + 30] ^= 1; /* the REF node's CRC fails */
	write_ub("nolog.ubifs", &u);

	exp = fopen("keep.expected", "wb");
	fwrite(a, 1, 4096, exp);
	fwrite(c, 1, 4096, exp);
	fclose(exp);
	exp = fopen("trunc.expected", "wb");
	fwrite(b, 1, 4096, exp);
	for (int i = 0; i < 8192; i++)
		fputc(0, exp);
	fclose(exp);
	gbt_write_file("new.expected", "fresh", 5);

	s = gbt_scan("journal.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	if (n->error)
		fprintf(stderr, "error: %s\n", n->error);
	assert_int_equal(n->status, GB_STATUS_OK);
	gbt_assert_file_matches(s, "ubifs", "/keep", "keep.expected");
	gbt_assert_file_matches(s, "ubifs", "/trunc", "trunc.expected");
	gbt_assert_file_matches(s, "ubifs", "/new", "new.expected");
	assert_int_equal(must_file(s, "/new")->mode, 0600);
	assert_null(gbt_file(s, "ubifs", "/gone"));
	assert_int_equal(gbt_count_files(s, n->id), 3);
	gb_scan_free(s);

	s = gbt_scan("nolog.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_null(gbt_file(s, "ubifs", "/new"));
	assert_non_null(gbt_file(s, "ubifs", "/gone"));
	gb_scan_free(s);
}

/* ---- hostile images ------------------------------------------------------- */

/* ".." and "/" in names, an escaping symlink, a dent to a missing inode, a
 * second link to a directory and to the root: all contained. */
static void test_hostile_names(void **state)
{
	struct ub u;
	struct gb_scan *s;
	const struct gb_node *n;

	ub_init(&u, 0);
	ub_ino(&u, 1, 0040755, 0, 3, NULL, 0);
	ub_dent(&u, 1, "..", 2, 0);
	ub_ino(&u, 2, 0100644, 4, 1, NULL, 0);
	ub_data(&u, 2, 0, 4, 0, "evil", 4);
	ub_dent(&u, 1, "../../canary/x", 2, 0);
	ub_dent(&u, 1, "esc", 3, 2);
	ub_ino(&u, 3, 0120777, 0, 1, "../../../../canary/y", 20);
	ub_dent(&u, 1, "ghost", 99, 0);
	ub_dent(&u, 1, "sub", 4, 1);
	ub_ino(&u, 4, 0040755, 0, 2, NULL, 0);
	ub_dent(&u, 4, "again", 4, 1);
	ub_dent(&u, 4, "root", 1, 1);
	ub_finish(&u);
	write_ub("names.ubifs", &u);
	gbt_sh("rm -rf canary && mkdir canary");

	s = gbt_scan("names.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gbt_assert_type(s, "ubifs", "/esc", GB_FT_SYMLINK);
	gbt_assert_symlink(s, "ubifs", "/esc", "../../../../canary/y");
	assert_null(gbt_file(s, "ubifs", "/ghost"));
	assert_null(gbt_file(s, "ubifs", "/sub/again"));
	assert_null(gbt_file(s, "ubifs", "/sub/root"));
	assert_true(gbt_count_files(s, n->id) <= 6);
	gbt_assert_dir_empty("canary");
	gb_scan_free(s);
}

/* A self-referencing index node, an index pointing out of the image, and a
 * tower of index levels whose branches all share one child (exponential if
 * walked naively): the walk ends quickly, the real leaves are found. */
static void test_index_cycle_and_dag(void **state)
{
	struct ub u;
	struct ub_ref leaves[8], lvl0, tower, branches[16], root_br[3], bogus;
	struct gb_scan *s;
	const struct gb_node *n;
	time_t t0;

	ub_init(&u, 0);
	leaves[0] = ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	leaves[1] = ub_dent(&u, 1, "a", 2, 0);
	leaves[2] = ub_ino(&u, 2, 0100644, 2, 1, NULL, 0);
	leaves[3] = ub_data(&u, 2, 0, 2, 0, "ok", 2);
	lvl0 = ub_idx(&u, 0, leaves, 4);
	/* tower: level k has 16 branches to level k-1 */
	tower = lvl0;
	for (uint16_t lv = 1; lv <= 12; lv++) {
		for (int i = 0; i < 16; i++)
			branches[i] = tower;
		tower = ub_idx(&u, lv, branches, 16);
	}
	bogus = (struct ub_ref){.lnum = 999, .offs = 8, .len = 100};
	memcpy(bogus.key, lvl0.key, 8);
	root_br[0] = tower;
	root_br[1] = bogus;
	/* the root points at itself: placed where the next node goes */
	root_br[2] = (struct ub_ref){.lnum = u.lnum, .offs = u.offs, .len = 28 + 20 * 3};
	memcpy(root_br[2].key, lvl0.key, 8);
	struct ub_ref root = ub_idx(&u, 13, root_br, 3);
	assert_int_equal(root.lnum, root_br[2].lnum);
	assert_int_equal(root.offs, root_br[2].offs);
	ub_master(&u, &root);
	write_ub("dag.ubifs", &u);
	gbt_write_file("a.expected", "ok", 2);

	t0 = time(NULL);
	s = gbt_scan("dag.ubifs", "out");
	assert_true(time(NULL) - t0 < 30);
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	gbt_assert_file_matches(s, "ubifs", "/a", "a.expected");
	assert_int_equal(gbt_count_files(s, n->id), 1);
	gb_scan_free(s);
}

/* A size of 2^62 with one data node, a data node with an unknown compressor,
 * a data node with a bad CRC: bounded, flagged, the rest kept. */
static void test_absurd_sizes_and_bad_data(void **state)
{
	struct ub u;
	struct gb_scan *s;
	const struct gb_node *n;
	const struct gb_file *f;
	struct ub_ref r;
	char disk[4300];
	struct stat st;

	ub_init(&u, 0);
	ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	ub_dent(&u, 1, "huge", 2, 0);
	ub_ino(&u, 2, 0100644, 1ull << 62, 1, NULL, 0);
	ub_data(&u, 2, 0, 5, 0, "hello", 5);
	ub_dent(&u, 1, "weird", 3, 0);
	ub_ino(&u, 3, 0100644, 5, 1, NULL, 0);
	ub_data(&u, 3, 0, 5, 9, "hello", 5);
	ub_dent(&u, 1, "flip", 4, 0);
	ub_ino(&u, 4, 0100644, 5, 1, NULL, 0);
	r = ub_data(&u, 4, 0, 5, 0, "hello", 5);
	ub_dent(&u, 1, "good", 5, 0);
	ub_ino(&u, 5, 0100644, 5, 1, NULL, 0);
	ub_data(&u, 5, 0, 5, 0, "hello", 5);
	ub_finish(&u);
	u.p[(size_t)r.lnum * UB_LEB + r.offs + 49] ^= 1; /* data byte: CRC fails */
	write_ub("absurd.ubifs", &u);
	gbt_write_file("hello", "hello", 5);

	s = gbt_scan("absurd.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(n->error);
	f = must_file(s, "/huge");
	assert_true(f->incomplete);
	snprintf(disk, sizeof(disk), "out/%s", f->disk);
	assert_int_equal(stat(disk, &st), 0);
	assert_true(st.st_size <= (80 << 20));
	assert_true(must_file(s, "/weird")->incomplete);
	/* the bad node is dropped: the file is a hole */
	f = must_file(s, "/flip");
	assert_int_equal(f->size, 5);
	gbt_assert_file_matches(s, "ubifs", "/good", "hello");
	gb_scan_free(s);
}

/* Master nodes damaged: the newest valid copy wins, none valid fails. */
static void test_master_nodes(void **state)
{
	struct ub u;
	struct gb_scan *s;
	const struct gb_node *n;

	ub_init(&u, 0);
	ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	ub_dent(&u, 1, "x", 2, 0);
	ub_ino(&u, 2, 0100644, 1, 1, NULL, 0);
	ub_data(&u, 2, 0, 1, 0, "x", 1);
	ub_finish(&u);
	u.p[(size_t)UB_LEB + 30] ^= 1; /* first copy broken, second intact */
	gbt_write_file("mst1.ubifs", u.p, ub_size());
	u.p[(size_t)2 * UB_LEB + 30] ^= 1;
	write_ub("mst0.ubifs", &u);

	s = gbt_scan("mst1.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_OK);
	assert_non_null(gbt_file(s, "ubifs", "/x"));
	gb_scan_free(s);
	s = gbt_scan("mst0.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_ERROR);
	assert_non_null(strstr(n->error, "master"));
	gb_scan_free(s);
}

static void test_truncated(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -m 2048 -e 126976 -c 200 -x lzo -o full.ubifs && "
	       "head -c 800000 full.ubifs > cut.ubifs");
	s = gbt_scan("cut.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_not_equal(n->status, GB_STATUS_OK);
	assert_non_null(n->error);
	gb_scan_free(s);
}

/* A byte of a compressed data node flipped in a mkfs image: that node is
 * dropped (its block reads as zeros), every other file is intact. */
static void test_bad_crc_mkfs(void **state)
{
	struct gb_scan *s;
	const struct gb_node *n;
	uint8_t *img, *src, *hit;
	size_t ni, ns;
	char want[65];

	if (!need_mkfs())
		skip();
	make_tree();
	gbt_sh(MKFS " -r src -m 2048 -e 126976 -c 200 -x none -o plain.ubifs");
	img = gbt_read_file("plain.ubifs", &ni);
	src = gbt_read_file("src/random.bin", &ns);
	hit = memmem(img, ni, src + 100, 64); /* inside the file's first block */
	assert_non_null(hit);
	hit[10] ^= 0x40;
	gbt_write_file("flip.ubifs", img, ni);
	memset(src, 0, 4096);
	gbt_write_file("random.expected", src, ns);
	free(img);
	free(src);

	s = gbt_scan("flip.ubifs", "out");
	n = gbt_node(s, "ubifs");
	assert_non_null(n);
	assert_int_equal(n->status, GB_STATUS_PARTIAL);
	assert_non_null(strstr(n->error, "unreadable"));
	gbt_sha256sum("random.expected", want);
	assert_string_equal(must_file(s, "/random.bin")->sha256, want);
	gbt_assert_file_matches(s, "ubifs", "/dir/text.txt", "src/dir/text.txt");
	gb_scan_free(s);
}

/* Leaves too short for their type, the last one ending the image: skipped
 * without reading past them (ASan checks the reads). */
static void test_short_nodes(void **state)
{
	struct ub u;
	struct ub_ref r[3];
	uint8_t *n;
	struct gb_scan *s;
	const struct gb_node *nd;
	struct gb_span sp;
	struct gb_probe p;

	ub_init(&u, 0);
	ub_ino(&u, 1, 0040755, 0, 2, NULL, 0);
	ub_dent(&u, 1, "x", 2, 0);
	r[0] = u.leaves[0];
	r[1] = u.leaves[1];
	/* a 24-byte "inode" in the last bytes of the image */
	n = u.p + ub_size() - 24;
	memset(n, 0, 24);
	ub_seal(&u, n, 24, 0);
	r[2] = (struct ub_ref){UB_LEBS - 1, UB_LEB - 24, 24, {2, 0, 0, 0, 0, 0, 0, 0}};
	struct ub_ref root = ub_idx(&u, 0, r, 3);
	ub_master(&u, &root);
	sp = gb_span_make(u.p, ub_size());
	assert_int_equal(gb__fmt_ubifs.probe(&sp, &p), 0);
	write_ub("short.ubifs", &u);
	s = gbt_scan("short.ubifs", "out");
	nd = gbt_node(s, "ubifs");
	assert_non_null(nd);
	assert_int_equal(nd->status, GB_STATUS_PARTIAL);
	assert_null(gbt_file(s, "ubifs", "/x"));
	gb_scan_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_lzo),
		cmocka_unit_test(test_zlib),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_semantics),
		cmocka_unit_test(test_journal_replay),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_index_cycle_and_dag),
		cmocka_unit_test(test_absurd_sizes_and_bad_data),
		cmocka_unit_test(test_master_nodes),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_crc_mkfs),
		cmocka_unit_test(test_short_nodes),
	};
	return cmocka_run_group_tests(tests, gbt_setup_tmpdir, gbt_teardown_tmpdir);
}
